//! Notification fan-out service: accepts events over HTTP and forwards them to
//! Slack, a customer's webhook URL, or the push gateway (axum + reqwest).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Clone)]
struct AppState {
    db: PgPool,
    http: reqwest::Client,
    push: reqwest::Client,
    slack_webhook: Arc<str>,
}

#[derive(Debug, Deserialize, Serialize)]
struct Notification {
    account_id: i64,
    title: String,
    body: String,
}

async fn notify_slack(State(state): State<AppState>, Json(n): Json<Notification>) -> Result<StatusCode, StatusCode> {
    state
        .http
        .post(state.slack_webhook.as_ref())
        .json(&serde_json::json!({ "text": format!("*{}*\n{}", n.title, n.body) }))
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    Ok(StatusCode::ACCEPTED)
}

async fn notify_webhook(State(state): State<AppState>, Json(n): Json<Notification>) -> Result<StatusCode, StatusCode> {
    let url: String = sqlx::query_scalar("SELECT webhook_url FROM accounts WHERE id = $1")
        .bind(n.account_id)
        .fetch_one(&state.db)
        .await
        .map_err(|_| StatusCode::NOT_FOUND)?;
    let client = reqwest::Client::new(); // snag-expect: missing-pool, missing-timeout
    let response = client.post(&url).json(&n).send().await.map_err(|_| StatusCode::BAD_GATEWAY)?;
    Ok(if response.status().is_success() { StatusCode::ACCEPTED } else { StatusCode::BAD_GATEWAY })
}

async fn push(State(state): State<AppState>, Json(n): Json<Notification>) -> Result<StatusCode, StatusCode> {
    state
        .push
        .post("https://push-gateway.internal/v1/send")
        .json(&n)
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    Ok(StatusCode::ACCEPTED)
}

async fn upstream_status(Path(provider): Path<String>) -> Result<String, StatusCode> {
    let url = format!("https://status.{provider}.example/api/v2/status.json");
    let body = reqwest::get(&url) // snag-expect: missing-pool, missing-timeout
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?
        .text()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    Ok(body)
}

async fn slack_reachable() -> StatusCode {
    // snag-ok: missing-timeout
    match tokio::time::timeout(Duration::from_secs(2), reqwest::get("https://slack.com/api/api.test")).await { // snag-expect: missing-pool
        Ok(Ok(response)) if response.status().is_success() => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn push_gateway_version(State(state): State<AppState>) -> Result<String, StatusCode> {
    state
        .push
        .get("https://push-gateway.internal/version")
        .timeout(Duration::from_millis(500))
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?
        .text()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let db = PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    let http = reqwest::Client::builder() // snag-expect: missing-timeout
        .user_agent("notify-service/0.9")
        .pool_idle_timeout(Duration::from_secs(90))
        .build()?;
    // Connect timeout only: a gateway that accepts the connection and never answers still hangs.
    let push = reqwest::Client::builder() // snag-expect: missing-timeout
        .connect_timeout(Duration::from_secs(1))
        .build()?;
    let state = AppState {
        db,
        http,
        push,
        slack_webhook: std::env::var("SLACK_WEBHOOK_URL")?.into(),
    };
    let app = Router::new()
        .route("/notify/slack", post(notify_slack))
        .route("/notify/webhook", post(notify_webhook))
        .route("/notify/push", post(push))
        .route("/upstream/:provider", get(upstream_status))
        .route("/health/slack", get(slack_reachable))
        .route("/health/push", get(push_gateway_version))
        .with_state(state);
    let addr = SocketAddr::from(([0, 0, 0, 0], 8080));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
