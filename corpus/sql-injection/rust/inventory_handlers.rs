//! Inventory endpoints of the warehouse service (actix-web + deadpool-postgres).

use actix_web::{get, post, web, HttpResponse, Responder};
use deadpool_postgres::Pool;
use serde::Deserialize;
use tokio_postgres::Row;

const STOCK_COLUMNS: &str = "sku, warehouse, on_hand, reserved, updated_at";

#[derive(Deserialize)]
pub struct StockQuery {
    warehouse: Option<String>,
    below: Option<String>,
    skus: Option<String>,
}

#[derive(Deserialize)]
pub struct Adjustment {
    sku: String,
    delta: i32,
    reason: String,
}

fn to_json(rows: &[Row]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|r| serde_json::json!({ "sku": r.get::<_, String>(0), "warehouse": r.get::<_, String>(1), "on_hand": r.get::<_, i32>(2) }))
        .collect()
}

fn warehouse_clause(code: &str) -> String {
    let mut clause = String::from("warehouse = '");
    clause.push_str(code);
    clause.push('\'');
    clause
}

async fn stock_rows(pool: &Pool, where_sql: &str) -> Result<Vec<Row>, actix_web::Error> {
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let sql = format!("SELECT {STOCK_COLUMNS} FROM stock WHERE {where_sql} ORDER BY sku");
    client.query(&sql, &[]).await.map_err(actix_web::error::ErrorInternalServerError) // snag-expect: sql-injection
}

async fn record_adjustment(pool: &Pool, adjustment: &Adjustment) -> Result<u64, actix_web::Error> {
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    client // snag-ok: sql-injection
        .execute(
            "INSERT INTO stock_adjustments (sku, delta, reason) VALUES ($1, $2, $3)",
            &[&adjustment.sku, &adjustment.delta, &adjustment.reason],
        )
        .await
        .map_err(actix_web::error::ErrorInternalServerError)
}

#[get("/stock")]
async fn stock(pool: web::Data<Pool>, query: web::Query<StockQuery>) -> actix_web::Result<impl Responder> {
    let where_sql = match &query.warehouse {
        Some(code) => warehouse_clause(code),
        None => String::from("TRUE"),
    };
    let rows = stock_rows(&pool, &where_sql).await?;
    Ok(HttpResponse::Ok().json(to_json(&rows)))
}

#[get("/stock/low")]
async fn low_stock(pool: web::Data<Pool>, query: web::Query<StockQuery>) -> actix_web::Result<impl Responder> {
    let threshold: i64 = query.below.as_deref().unwrap_or("10").parse().map_err(actix_web::error::ErrorBadRequest)?;
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let sql = format!("SELECT {STOCK_COLUMNS} FROM stock WHERE on_hand - reserved < {threshold} ORDER BY on_hand");
    let rows = client.query(&sql, &[]).await.map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: sql-injection
    Ok(HttpResponse::Ok().json(to_json(&rows)))
}

#[get("/stock/by-sku")]
async fn by_sku(pool: web::Data<Pool>, query: web::Query<StockQuery>) -> actix_web::Result<impl Responder> {
    let skus: Vec<String> = query.skus.clone().unwrap_or_default().split(',').map(str::to_owned).collect();
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let placeholders: Vec<String> = (1..=skus.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT {STOCK_COLUMNS} FROM stock WHERE sku IN ({})", placeholders.join(", "));
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = skus.iter().map(|s| s as _).collect();
    let rows = client.query(&sql, &params).await.map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: sql-injection
    Ok(HttpResponse::Ok().json(to_json(&rows)))
}

#[get("/stock/by-sku-quoted")]
async fn by_sku_quoted(pool: web::Data<Pool>, query: web::Query<StockQuery>) -> actix_web::Result<impl Responder> {
    let mut in_list = String::new();
    for (i, sku) in query.skus.clone().unwrap_or_default().split(',').enumerate() {
        if i > 0 {
            in_list += ", ";
        }
        in_list += &format!("'{sku}'");
    }
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let rows = client // snag-expect: sql-injection
        .query(&format!("SELECT {STOCK_COLUMNS} FROM stock WHERE sku IN ({in_list})"), &[])
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(to_json(&rows)))
}

#[post("/stock/adjust")]
async fn adjust(pool: web::Data<Pool>, body: web::Json<Adjustment>) -> actix_web::Result<impl Responder> {
    let changed = record_adjustment(&pool, &body).await?;
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let sql = format!("UPDATE stock SET on_hand = on_hand + ({}) WHERE sku = $1", body.delta);
    client.execute(&sql, &[&body.sku]).await.map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: sql-injection
    Ok(HttpResponse::Ok().json(serde_json::json!({ "recorded": changed })))
}

#[post("/stock/adjust/legacy")]
async fn adjust_legacy(pool: web::Data<Pool>, body: web::Json<Adjustment>) -> actix_web::Result<impl Responder> {
    let reason = body.reason.replace('\n', " ");
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let statement = format!(
        "INSERT INTO stock_adjustments (sku, delta, reason) VALUES ('{}', {}, '{}')",
        body.sku, body.delta, reason
    );
    client.batch_execute(&statement).await.map_err(actix_web::error::ErrorInternalServerError)?; // snag-expect: sql-injection
    Ok(HttpResponse::Created().finish())
}
