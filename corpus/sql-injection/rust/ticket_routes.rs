//! Support ticket endpoints (axum + sqlx on Postgres).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

const TICKET_COLUMNS: &str = "id, subject, status, priority, assignee, created_at";

#[derive(Debug, Serialize, FromRow)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub priority: i16,
    pub assignee: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize)]
pub struct TicketFilter {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub labels: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Reassign {
    pub from: String,
    pub to: String,
}

type ApiResult<T> = Result<Json<T>, StatusCode>;

fn internal(err: sqlx::Error) -> StatusCode {
    tracing::error!(error = %err, "query failed");
    StatusCode::INTERNAL_SERVER_ERROR
}

async fn tickets_for_requester(db: &PgPool, email: &str) -> Result<Vec<Ticket>, sqlx::Error> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE requester_email = '{email}' ORDER BY created_at DESC");
    sqlx::query_as::<_, Ticket>(&sql).fetch_all(db).await // snag-expect: sql-injection
}

async fn tickets_with_priority(db: &PgPool, priority: i16) -> Result<Vec<Ticket>, sqlx::Error> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE priority >= {priority} ORDER BY priority DESC");
    sqlx::query_as::<_, Ticket>(&sql).fetch_all(db).await // snag-ok: sql-injection
}

async fn list(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let mut sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE deleted_at IS NULL");
    if let Some(status) = &filter.status {
        sql.push_str(" AND status = '");
        sql.push_str(status);
        sql.push('\'');
    }
    sql += " ORDER BY created_at DESC LIMIT 100";
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&db).await.map_err(internal)?; // snag-expect: sql-injection
    Ok(Json(rows))
}

async fn sorted(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let order_by = match filter.sort.as_deref() {
        Some("priority") => "priority DESC, created_at DESC",
        Some("oldest") => "created_at ASC",
        _ => "created_at DESC",
    };
    let page = filter.page.as_deref().unwrap_or("1").parse::<i64>().map_err(|_| StatusCode::BAD_REQUEST)?;
    let offset = (page.max(1) - 1) * 50;
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY {order_by} LIMIT 50 OFFSET {offset}");
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&db).await.map_err(internal)?; // snag-ok: sql-injection
    Ok(Json(rows))
}

async fn sorted_by_column(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let column = if let Some(sort) = filter.sort.clone() { sort } else { String::from("created_at") };
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY {column} DESC LIMIT 50");
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&db).await.map_err(internal)?; // snag-expect: sql-injection
    Ok(Json(rows))
}

async fn by_labels(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let labels: Vec<String> = filter
        .labels
        .unwrap_or_default()
        .split(',')
        .map(|label| format!("'{}'", label.trim()))
        .collect();
    if labels.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets t WHERE EXISTS (SELECT 1 FROM ticket_labels l WHERE l.ticket_id = t.id AND l.label IN ({}))",
        labels.join(", ")
    );
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&db).await.map_err(internal)?; // snag-expect: sql-injection
    Ok(Json(rows))
}

async fn assigned(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let assignee_clause = filter
        .assignee
        .as_deref()
        .map(|who| format!("assignee = '{who}'"))
        .unwrap_or_else(|| "assignee IS NOT NULL".to_owned());
    let sql = [format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE"), assignee_clause, "ORDER BY priority DESC".to_owned()].join(" ");
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&db).await.map_err(internal)?; // snag-expect: sql-injection
    Ok(Json(rows))
}

async fn search(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE deleted_at IS NULL"));
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status);
    }
    if let Some(assignee) = filter.assignee {
        query.push(" AND assignee = ").push_bind(assignee);
    }
    query.push(" ORDER BY created_at DESC LIMIT 100");
    let rows = query.build_query_as::<Ticket>().fetch_all(&db).await.map_err(internal)?; // snag-ok: sql-injection
    Ok(Json(rows))
}

async fn requester_tickets(State(db): State<PgPool>, Path(email): Path<String>) -> ApiResult<Vec<Ticket>> {
    tickets_for_requester(&db, &email).await.map(Json).map_err(internal)
}

async fn urgent(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> ApiResult<Vec<Ticket>> {
    let priority: i16 = filter.page.as_deref().unwrap_or("3").parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    tickets_with_priority(&db, priority).await.map(Json).map_err(internal)
}

async fn reassign(State(db): State<PgPool>, Json(body): Json<Reassign>) -> Result<StatusCode, StatusCode> {
    let mut sql = String::from("UPDATE tickets SET assignee = $1");
    sql.push_str(" WHERE assignee = $2 AND status <> 'closed'");
    let note = format!("reassigned from {} to {}", body.from, body.to);
    sqlx::query(&sql).bind(&body.to).bind(&body.from).execute(&db).await.map_err(internal)?; // snag-ok: sql-injection
    tracing::info!("{note}");
    Ok(StatusCode::NO_CONTENT)
}

async fn close_stale(State(db): State<PgPool>, Query(filter): Query<TicketFilter>) -> Result<StatusCode, StatusCode> {
    let mut status = filter.status.unwrap_or_default();
    // Only tickets waiting on the customer may be bulk-closed, whatever the filter says.
    status = String::from("waiting_on_customer");
    let sql = format!("UPDATE tickets SET status = 'closed' WHERE status = '{status}' AND updated_at < now() - interval '30 days'");
    sqlx::query(&sql).execute(&db).await.map_err(internal)?; // snag-ok: sql-injection
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<PgPool> {
    Router::new()
        .route("/tickets", get(list))
        .route("/tickets/sorted", get(sorted))
        .route("/tickets/sorted-by", get(sorted_by_column))
        .route("/tickets/labels", get(by_labels))
        .route("/tickets/search", get(search))
        .route("/tickets/assigned", get(assigned))
        .route("/tickets/requester/:email", get(requester_tickets))
        .route("/tickets/urgent", get(urgent))
        .route("/tickets/reassign", post(reassign))
        .route("/tickets/close-stale", post(close_stale))
}
