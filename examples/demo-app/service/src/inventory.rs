//! Inventory service: stock levels behind an axum router.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct StockFilter {
    pub warehouse: String,
}

pub async fn stock(
    State(pool): State<PgPool>,
    Query(filter): Query<StockFilter>,
) -> Json<Vec<(i64, i32)>> {
    let sql = format!(
        "SELECT product_id, quantity FROM stock WHERE warehouse = '{}'",
        filter.warehouse
    );
    let rows = sqlx::query_as(&sql).fetch_all(&pool).await.unwrap_or_default();
    Json(rows)
}

pub async fn low_stock(State(pool): State<PgPool>) -> Json<Vec<(i64, i32)>> {
    let rows = sqlx::query_as("SELECT * FROM stock WHERE quantity < $1")
        .bind(5)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    Json(rows)
}
