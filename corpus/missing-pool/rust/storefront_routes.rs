//! Storefront HTTP API (axum + sqlx + reqwest + redis).
//!
//! `serve` builds the shared state once (database pool, HTTP client, Redis
//! connection manager) and hands it to every route through axum's `State`.

use std::{env, time::Duration};

use axum::extract::{Path, State};
use axum::{http::StatusCode, routing::{get, post}, Json, Router};
use redis::{aio::ConnectionManager, AsyncCommands};
use serde::{Deserialize, Serialize};
use sqlx::{postgres::PgPoolOptions, FromRow, PgPool};

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub http: reqwest::Client,
    pub cache: ConnectionManager,
    pub reviews_base: String,
}

#[derive(Debug, Serialize, FromRow)]
pub struct Product {
    pub sku: String,
    pub title: String,
    pub price_cents: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Review {
    pub rating: u8,
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct QuoteRequest {
    pub postcode: String,
    pub weight_grams: u32,
}

type ApiResult<T> = Result<T, (StatusCode, String)>;

fn internal<E: std::fmt::Display>(err: E) -> (StatusCode, String) {
    tracing::error!(error = %err, "request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
}

async fn product(State(state): State<AppState>, Path(sku): Path<String>) -> ApiResult<Json<Product>> {
    let mut conn = state.db.acquire().await.map_err(internal)?; // snag-ok: missing-pool
    sqlx::query_as::<_, Product>("SELECT sku, title, price_cents FROM products WHERE sku = $1")
        .bind(&sku)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?
        .map(Json)
        .ok_or((StatusCode::NOT_FOUND, format!("unknown sku {sku}")))
}

async fn reviews(State(state): State<AppState>, Path(sku): Path<String>) -> ApiResult<Json<Vec<Review>>> {
    let client = reqwest::Client::new(); // snag-expect: missing-pool
    let reviews = client
        .get(format!("{}/products/{sku}/reviews", state.reviews_base))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(internal)?
        .json::<Vec<Review>>()
        .await
        .map_err(internal)?;
    Ok(Json(reviews))
}

async fn review_summary(State(state): State<AppState>, Path(sku): Path<String>) -> ApiResult<Json<serde_json::Value>> {
    let summary = state
        .http
        .get(format!("{}/products/{sku}/summary", state.reviews_base))
        .send()
        .await
        .map_err(internal)?
        .json()
        .await
        .map_err(internal)?;
    Ok(Json(summary))
}

async fn stock(Path(sku): Path<String>) -> ApiResult<Json<i64>> {
    let url = env::var("INVENTORY_DATABASE_URL").map_err(internal)?;
    let pool = PgPool::connect(&url).await.map_err(internal)?; // snag-expect: missing-pool
    let on_hand: i64 = sqlx::query_scalar("SELECT on_hand FROM stock_levels WHERE sku = $1")
        .bind(&sku)
        .fetch_one(&pool)
        .await
        .map_err(internal)?;
    Ok(Json(on_hand))
}

async fn cart_size(Path(cart_id): Path<String>) -> ApiResult<Json<usize>> {
    let client = redis::Client::open(env::var("REDIS_URL").map_err(internal)?).map_err(internal)?; // snag-expect: missing-pool
    let mut conn = client.get_multiplexed_async_connection().await.map_err(internal)?;
    let size: usize = conn.hlen(format!("cart:{cart_id}")).await.map_err(internal)?;
    Ok(Json(size))
}

async fn recently_viewed(State(mut state): State<AppState>, Path(session): Path<String>) -> ApiResult<Json<Vec<String>>> {
    let skus: Vec<String> = state.cache.lrange(format!("viewed:{session}"), 0, 9).await.map_err(internal)?;
    Ok(Json(skus))
}

async fn shipping_quote(Json(req): Json<QuoteRequest>) -> ApiResult<Json<serde_json::Value>> {
    let carrier = reqwest::Client::builder() // snag-expect: missing-pool
        .timeout(Duration::from_secs(8))
        .build()
        .map_err(internal)?;
    let quote = carrier
        .post("https://api.parcelrates.example/v2/quotes")
        .json(&serde_json::json!({ "postcode": req.postcode, "grams": req.weight_grams }))
        .send()
        .await
        .map_err(internal)?
        .json()
        .await
        .map_err(internal)?;
    Ok(Json(quote))
}

pub async fn serve() -> anyhow::Result<()> {
    let db = PgPoolOptions::new() // snag-ok: missing-pool
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&env::var("DATABASE_URL")?)
        .await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?; // snag-ok: missing-pool
    let redis = redis::Client::open(env::var("REDIS_URL")?)?; // snag-ok: missing-pool
    let cache = ConnectionManager::new(redis).await?; // snag-ok: missing-pool
    let state = AppState { db, http, cache, reviews_base: env::var("REVIEWS_URL")? };
    let app = Router::new()
        .route("/products/:sku", get(product))
        .route("/products/:sku/reviews", get(reviews))
        .route("/products/:sku/reviews/summary", get(review_summary))
        .route("/products/:sku/stock", get(stock))
        .route("/carts/:cart_id/size", get(cart_size))
        .route("/sessions/:session/recent", get(recently_viewed))
        .route("/shipping/quote", post(shipping_quote))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
