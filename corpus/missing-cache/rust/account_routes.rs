//! Account endpoints (axum + sqlx): username changes, member search, team
//! seat assignment and the account overview shown on the settings page.

use std::sync::LazyLock;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

static HANDLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^@?[a-z0-9](?:[a-z0-9-]{0,37}[a-z0-9])?$").unwrap()); // snag-ok: missing-cache

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
}

#[derive(Deserialize)]
pub struct RenameRequest {
    pub username: String,
}

#[derive(Deserialize)]
pub struct SearchParams {
    pub q: String,
}

#[derive(Deserialize)]
pub struct SeatRequest {
    pub user_ids: Vec<Uuid>,
}

#[derive(Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
}

type ApiResult<T> = Result<T, (StatusCode, String)>;

fn internal(err: sqlx::Error) -> (StatusCode, String) {
    tracing::error!(error = %err, "account query failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/:id/username", post(rename))
        .route("/accounts/:id/members", get(search_members))
        .route("/teams/:team_id/seats", post(assign_seats))
        .route("/accounts/:id/overview", get(overview))
        .route("/accounts/:id/handle-check", get(handle_check))
}

async fn rename(State(state): State<AppState>, Path(id): Path<Uuid>, Json(body): Json<RenameRequest>) -> ApiResult<StatusCode> {
    let username_format = Regex::new(r"^[a-z0-9_]{3,32}$").unwrap(); // snag-expect: missing-cache
    if !username_format.is_match(&body.username) {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, "usernames are 3-32 lowercase letters, digits or _".into()));
    }
    sqlx::query("UPDATE accounts SET username = $1 WHERE id = $2")
        .bind(&body.username)
        .bind(id)
        .execute(&state.db)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn handle_check(Query(params): Query<SearchParams>) -> Json<bool> {
    Json(HANDLE.is_match(&params.q))
}

async fn search_members(State(state): State<AppState>, Path(id): Path<Uuid>, Query(params): Query<SearchParams>) -> ApiResult<Json<Vec<Member>>> {
    let needle = Regex::new(&format!("(?i){}", regex::escape(params.q.trim()))).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?; // snag-ok: missing-cache
    let members = sqlx::query_as::<_, Member>("SELECT id, username, display_name FROM members WHERE account_id = $1 ORDER BY username")
        .bind(id)
        .fetch_all(&state.db)
        .await
        .map_err(internal)?;
    Ok(Json(members.into_iter().filter(|m| needle.is_match(&m.username) || needle.is_match(&m.display_name)).collect()))
}

async fn assign_seats(State(state): State<AppState>, Path(team_id): Path<Uuid>, Json(body): Json<SeatRequest>) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await.map_err(internal)?;
    for user_id in &body.user_ids {
        let seat_limit: i64 = sqlx::query_scalar("SELECT seat_limit FROM teams WHERE id = $1") // snag-expect: missing-cache, n-plus-one
            .bind(team_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        // snag-ok: missing-cache
        let used: i64 = sqlx::query_scalar("SELECT count(user_id) FROM team_seats WHERE team_id = $1") // snag-expect: n-plus-one
            .bind(team_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        if used >= seat_limit {
            return Err((StatusCode::CONFLICT, "no seats left on this team".into()));
        }
        sqlx::query("INSERT INTO team_seats (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING") // snag-expect: n-plus-one
            .bind(team_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn overview(State(state): State<AppState>, Path(id): Path<Uuid>) -> ApiResult<Json<serde_json::Value>> {
    let plan: String = sqlx::query_scalar("SELECT plan FROM accounts WHERE id = $1") // snag-ok: missing-cache
        .bind(id)
        .fetch_one(&state.db)
        .await
        .map_err(internal)?;
    let members: i64 = sqlx::query_scalar("SELECT count(id) FROM members WHERE account_id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .map_err(internal)?;
    let can_invite = plan != "free" || members < 3;
    let plan_label: String = sqlx::query_scalar("SELECT plan FROM accounts WHERE id = $1") // snag-expect: missing-cache
        .bind(id)
        .fetch_one(&state.db)
        .await
        .map_err(internal)?;
    Ok(Json(serde_json::json!({ "plan": plan_label, "members": members, "can_invite": can_invite })))
}
