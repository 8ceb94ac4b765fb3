//! HTTP handlers for the public product catalog (axum).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

const PRODUCTS: &str = "products";

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
}

#[derive(Debug, Serialize, FromRow)]
pub struct Product {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub price_cents: i64,
    pub archived: bool,
}

#[derive(Debug, Serialize, FromRow)]
pub struct ProductPage {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
    pub total: i64,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub include_archived: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub q: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/products", get(list_products))
        .route("/products/page", get(page_products))
        .route("/products/search", get(search_products))
        .route("/products/:slug", get(get_product))
        .route("/categories/:id/products", get(category_products))
}

fn internal<E: std::fmt::Display>(err: E) -> StatusCode {
    tracing::error!(error = %err, "catalog query failed");
    StatusCode::INTERNAL_SERVER_ERROR
}

async fn get_product(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Product>, StatusCode> {
    let product = sqlx::query_as::<_, Product>("SELECT * FROM products WHERE slug = $1") // snag-expect: select-star
        .bind(&slug)
        .fetch_optional(&state.db)
        .await
        .map_err(internal)?;
    match product {
        Some(p) => Ok(Json(p)),
        None => {
            tracing::debug!(%slug, "SELECT * FROM products WHERE slug = $1 returned no row"); // snag-ok: select-star
            Err(StatusCode::NOT_FOUND)
        }
    }
}

async fn list_products(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Product>>, StatusCode> {
    let sql = if params.include_archived {
        "SELECT * FROM products ORDER BY name" // snag-expect: select-star
    } else {
        "SELECT * FROM products WHERE NOT archived ORDER BY name" // snag-expect: select-star
    };
    let products = sqlx::query_as::<_, Product>(sql)
        .fetch_all(&state.db)
        .await
        .map_err(internal)?;
    Ok(Json(products))
}

async fn page_products(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<ProductPage>>, StatusCode> {
    let rows = sqlx::query_as::<_, ProductPage>(
        "SELECT id, name, price_cents, count(*) OVER () AS total FROM products WHERE NOT archived ORDER BY name LIMIT $1 OFFSET $2", // snag-ok: select-star
    )
    .bind(params.limit.unwrap_or(24))
    .bind(params.offset.unwrap_or(0))
    .fetch_all(&state.db)
    .await
    .map_err(internal)?;
    Ok(Json(rows))
}

async fn search_products(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<(i64, String)>>, StatusCode> {
    let hits: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM products WHERE name ~* $1 AND NOT archived LIMIT 50") // snag-ok: select-star
        .bind(regex::escape(&params.q))
        .fetch_all(&state.db)
        .await
        .map_err(internal)?;
    Ok(Json(hits))
}

async fn category_products(
    State(state): State<AppState>,
    Path(category_id): Path<i64>,
) -> Result<Json<Vec<Product>>, StatusCode> {
    let sql = format!("SELECT * FROM {} WHERE category_id = $1 AND NOT archived ORDER BY name", PRODUCTS); // snag-expect: select-star
    let products = sqlx::query_as::<_, Product>(&sql)
        .bind(category_id)
        .fetch_all(&state.db)
        .await
        .map_err(internal)?;
    Ok(Json(products))
}
