//! Back-office report pages (actix-web 4 + Tera + deadpool-postgres).
//!
//! `configure` is mounted under /admin/reports by the binary; the shared
//! Tera instance and the pool are registered as app data in main.rs.

use std::collections::HashMap;

use actix_web::{get, post, web, HttpResponse, Responder};
use deadpool_postgres::Pool;
use serde::Deserialize;
use tera::{Context, Tera};

#[derive(Deserialize)]
struct ReportConfig {
    title: String,
    default_days: i32,
    channels: Vec<String>,
    #[serde(default)]
    template: Option<String>,
}

#[derive(Deserialize)]
struct Limits {
    max_rows: i64,
    max_days: i32,
}

#[derive(Deserialize)]
struct RangeQuery {
    days: Option<i32>,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(sales)
        .service(sales_legacy)
        .service(refunds)
        .service(custom_report)
        .service(channel_breakdown);
}

#[get("/sales")]
async fn sales(tera: web::Data<Tera>, pool: web::Data<Pool>, range: web::Query<RangeQuery>) -> actix_web::Result<impl Responder> {
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let days = range.days.unwrap_or(30).clamp(1, 365);
    let rows = client
        .query("SELECT day, orders, revenue_cents FROM daily_sales WHERE day > current_date - $1::int ORDER BY day", &[&days])
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let mut ctx = Context::new();
    ctx.insert("days", &rows.iter().map(|r| (r.get::<_, chrono::NaiveDate>(0).to_string(), r.get::<_, i64>(2))).collect::<Vec<_>>());
    let html = tera.render("reports/sales.html", &ctx).map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: missing-cache
    Ok(HttpResponse::Ok().content_type("text/html").body(html))
}

#[get("/sales/legacy")]
async fn sales_legacy(pool: web::Data<Pool>) -> actix_web::Result<impl Responder> {
    let config: ReportConfig = serde_yaml::from_str(&std::fs::read_to_string("config/reports/sales.yaml")?) // snag-expect: missing-cache, blocking-in-async
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let tera = Tera::new("templates/**/*.html").map_err(actix_web::error::ErrorInternalServerError)?; // snag-expect: missing-cache
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let rows = client
        .query("SELECT channel, sum(revenue_cents) FROM daily_sales WHERE day > current_date - $1::int GROUP BY channel", &[&config.default_days])
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let mut ctx = Context::new();
    ctx.insert("title", &config.title);
    ctx.insert("rows", &rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1))).collect::<Vec<_>>());
    let html = tera.render("reports/sales_legacy.html", &ctx).map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().content_type("text/html").body(html))
}

#[get("/refunds")]
async fn refunds(tera: web::Data<Tera>, pool: web::Data<Pool>, range: web::Query<RangeQuery>) -> actix_web::Result<impl Responder> {
    let limits: Limits = toml::from_str(&tokio::fs::read_to_string("config/reports/limits.toml").await?) // snag-expect: missing-cache
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let days = range.days.unwrap_or(30).min(limits.max_days);
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let rows = client
        .query("SELECT order_id, amount_cents, reason FROM refunds WHERE created_at > now() - make_interval(days => $1) LIMIT $2", &[&days, &limits.max_rows])
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let mut ctx = Context::new();
    ctx.insert("count", &rows.len());
    let html = tera.render("reports/refunds.html", &ctx).map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: missing-cache
    Ok(HttpResponse::Ok().content_type("text/html").body(html))
}

#[post("/custom")]
async fn custom_report(tera: web::Data<Tera>, body: web::Bytes) -> actix_web::Result<impl Responder> {
    let config: ReportConfig = serde_yaml::from_slice(&body).map_err(actix_web::error::ErrorBadRequest)?; // snag-ok: missing-cache
    let mut ctx = Context::new();
    ctx.insert("title", &config.title);
    ctx.insert("channels", &config.channels);
    let html = match &config.template {
        Some(source) => Tera::one_off(source, &ctx, true).map_err(actix_web::error::ErrorBadRequest)?, // snag-ok: missing-cache
        None => tera.render("reports/custom.html", &ctx).map_err(actix_web::error::ErrorInternalServerError)?,
    };
    Ok(HttpResponse::Ok().content_type("text/html").body(html))
}

#[get("/channels")]
async fn channel_breakdown(pool: web::Data<Pool>) -> actix_web::Result<impl Responder> {
    let client = pool.get().await.map_err(actix_web::error::ErrorServiceUnavailable)?;
    let channels: Vec<String> = client
        .query("SELECT DISTINCT channel FROM daily_sales", &[])
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut totals = HashMap::new();
    for channel in &channels {
        let config: ReportConfig = serde_yaml::from_str(&tokio::fs::read_to_string("config/reports/sales.yaml").await?) // snag-expect: missing-cache
            .map_err(actix_web::error::ErrorInternalServerError)?;
        // snag-ok: missing-cache
        let row = client // snag-expect: n-plus-one
            .query_one("SELECT coalesce(sum(revenue_cents), 0)::bigint FROM daily_sales WHERE channel = $1 AND day > current_date - $2::int", &[channel, &config.default_days])
            .await
            .map_err(actix_web::error::ErrorInternalServerError)?;
        totals.insert(channel.clone(), row.get::<_, i64>(0));
    }
    Ok(HttpResponse::Ok().json(totals))
}
