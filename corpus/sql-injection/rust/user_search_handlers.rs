//! User directory endpoints (axum + sqlx).

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

const USERS_TABLE: &str = "users";
const PAGE_SIZE: i64 = 50;

#[derive(Debug, Serialize, FromRow)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub q: String,
    pub sort: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct EmailParams {
    pub email: String,
}

pub struct AppError(anyhow::Error);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "request failed");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

pub fn routes() -> Router<PgPool> {
    Router::new()
        .route("/users", get(list_users))
        .route("/users/search", get(search_users))
        .route("/users/sorted", get(sorted_users))
        .route("/users/by-email", get(user_by_email))
}

async fn search_users(
    State(db): State<PgPool>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<UserSummary>>, AppError> {
    let sql = format!(
        "SELECT id, username, display_name FROM users WHERE username ILIKE '%{}%' ORDER BY username LIMIT 50",
        params.q
    );
    let rows = sqlx::query_as::<_, UserSummary>(&sql) // snag-expect: sql-injection
        .fetch_all(&db)
        .await?;
    Ok(Json(rows))
}

async fn sorted_users(
    State(db): State<PgPool>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<UserSummary>>, AppError> {
    let mut sql = String::from("SELECT id, username, display_name FROM users WHERE username ILIKE $1");
    if let Some(sort) = &params.sort {
        sql.push_str(" ORDER BY ");
        sql.push_str(sort);
    }
    let rows = sqlx::query_as::<_, UserSummary>(&sql) // snag-expect: sql-injection
        .bind(format!("{}%", params.q))
        .fetch_all(&db)
        .await?;
    Ok(Json(rows))
}

async fn list_users(
    State(db): State<PgPool>,
    Query(params): Query<PageParams>,
) -> Result<Json<Vec<UserSummary>>, AppError> {
    let after = params.after.as_deref().unwrap_or("0").parse::<i64>()?;
    let sql = format!(
        "SELECT id, username, display_name FROM {} WHERE id > {} ORDER BY id LIMIT {}",
        USERS_TABLE, after, PAGE_SIZE
    );
    let rows = sqlx::query_as::<_, UserSummary>(&sql) // snag-ok: sql-injection
        .fetch_all(&db)
        .await?;
    Ok(Json(rows))
}

async fn user_by_email(
    State(db): State<PgPool>,
    Query(params): Query<EmailParams>,
) -> Result<Json<Option<UserSummary>>, AppError> {
    let sql = "SELECT id, username, display_name FROM users WHERE lower(email) = lower('".to_string() + &params.email + "')";
    let user = sqlx::query_as::<_, UserSummary>(&sql) // snag-expect: sql-injection
        .fetch_optional(&db)
        .await?;
    Ok(Json(user))
}

/// Loads one user; shared by the profile and admin handlers.
pub async fn load_user(db: &PgPool, id: i64) -> Result<Option<UserSummary>, sqlx::Error> {
    let sql = format!("SELECT id, username, display_name FROM {} WHERE id = {}", USERS_TABLE, id);
    sqlx::query_as::<_, UserSummary>(&sql).fetch_optional(db).await // snag-ok: sql-injection
}

/// Usernames starting with `prefix`, for the @-mention autocomplete.
pub async fn mention_candidates(db: &PgPool, prefix: &str) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT username FROM {} WHERE username LIKE $1 ORDER BY username LIMIT {}", USERS_TABLE, PAGE_SIZE);
    sqlx::query_scalar(&sql) // snag-ok: sql-injection
        .bind(format!("{}%", prefix))
        .fetch_all(db)
        .await
}
