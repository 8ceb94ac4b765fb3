//! Internal admin API (actix-web + sqlx): audit trail, account actions, table stats.

use actix_web::{get, post, web, HttpResponse, Responder};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

const AUDIT_TABLE: &str = "audit_log";
const MAX_ROWS: i64 = 500;

#[derive(Debug, Serialize, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    pub account_id: i64,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    pub table: String,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_for_actor)
        .service(audit_for_action)
        .service(disable_account)
        .service(revoke_sessions)
        .service(row_count);
}

#[get("/admin/audit/actor/{actor}")]
async fn audit_for_actor(pool: web::Data<PgPool>, actor: web::Path<String>) -> actix_web::Result<impl Responder> {
    let actor = actor.into_inner();
    let rows: Vec<AuditEntry> = sqlx::query_as(&format!("SELECT id, actor, action, created_at FROM audit_log WHERE actor = '{actor}' ORDER BY created_at DESC")) // snag-expect: sql-injection
        .fetch_all(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(rows))
}

#[get("/admin/audit/action/{action}")]
async fn audit_for_action(pool: web::Data<PgPool>, action: web::Path<String>) -> actix_web::Result<impl Responder> {
    let sql = format!("SELECT id, actor, action, created_at FROM {AUDIT_TABLE} WHERE action = $1 ORDER BY created_at DESC LIMIT {MAX_ROWS}");
    let rows: Vec<AuditEntry> = sqlx::query_as(&sql) // snag-ok: sql-injection
        .bind(action.into_inner())
        .fetch_all(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(rows))
}

#[post("/admin/accounts/disable")]
async fn disable_account(pool: web::Data<PgPool>, form: web::Form<DisableForm>) -> actix_web::Result<impl Responder> {
    let form = form.into_inner();
    let sql = format!(
        "UPDATE accounts SET disabled = true, disabled_reason = '{}' WHERE id = $1",
        form.reason
    );
    sqlx::query(&sql) // snag-expect: sql-injection
        .bind(form.account_id)
        .execute(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/admin/accounts/{id}/revoke-sessions")]
async fn revoke_sessions(pool: web::Data<PgPool>, id: web::Path<String>) -> actix_web::Result<impl Responder> {
    let raw_id = id.into_inner();
    let account_id = raw_id.parse::<i64>().map_err(actix_web::error::ErrorBadRequest)?;
    let sql = format!("DELETE FROM sessions WHERE account_id = {}", account_id);
    let done = sqlx::query(&sql) // snag-ok: sql-injection
        .execute(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    log::info!("revoked sessions: DELETE FROM sessions WHERE account_id = {} removed {} rows", raw_id, done.rows_affected()); // snag-ok: sql-injection
    Ok(HttpResponse::NoContent().finish())
}

#[get("/admin/stats/rows")]
async fn row_count(pool: web::Data<PgPool>, query: web::Query<StatsQuery>) -> actix_web::Result<impl Responder> {
    let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", query.table)) // snag-expect: sql-injection
        .fetch_one(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "table": query.table, "rows": n })))
}
