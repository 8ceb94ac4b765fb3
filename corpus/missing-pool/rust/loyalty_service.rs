//! Loyalty points service (actix-web + sqlx + redis + reqwest).
//!
//! `main` opens the Postgres pool and the Redis client once and shares them
//! through `web::Data`; each worker's app factory builds its own HTTP client.

use std::{env, time::Duration};

use actix_web::{get, post, web, App, HttpResponse, HttpServer, Responder};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sqlx::{postgres::PgPoolOptions, Connection, PgConnection, PgPool};

#[derive(Debug, Serialize, sqlx::FromRow)]
struct Balance {
    member_id: i64,
    points: i64,
    tier: String,
}

#[derive(Debug, Deserialize)]
struct Accrual {
    member_id: i64,
    order_ref: String,
    amount_cents: i64,
}

struct PartnerApi { http: reqwest::Client, base: String }

fn server_error<E: std::fmt::Display>(err: E) -> actix_web::Error {
    log::error!("loyalty request failed: {err}");
    actix_web::error::ErrorInternalServerError("internal error")
}

#[get("/members/{id}/balance")]
async fn balance(db: web::Data<PgPool>, path: web::Path<i64>) -> actix_web::Result<impl Responder> {
    let row = sqlx::query_as::<_, Balance>("SELECT member_id, points, tier FROM balances WHERE member_id = $1")
        .bind(path.into_inner())
        .fetch_optional(db.get_ref())
        .await
        .map_err(server_error)?;
    Ok(match row {
        Some(balance) => HttpResponse::Ok().json(balance),
        None => HttpResponse::NotFound().finish(),
    })
}

#[post("/accruals")]
async fn accrue(body: web::Json<Accrual>) -> actix_web::Result<impl Responder> {
    let url = env::var("DATABASE_URL").map_err(server_error)?;
    let mut conn = PgConnection::connect(&url).await.map_err(server_error)?; // snag-expect: missing-pool
    let mut tx = conn.begin().await.map_err(server_error)?;
    sqlx::query("INSERT INTO accruals (member_id, order_ref, amount_cents) VALUES ($1, $2, $3)")
        .bind(body.member_id)
        .bind(&body.order_ref)
        .bind(body.amount_cents)
        .execute(&mut *tx)
        .await
        .map_err(server_error)?;
    sqlx::query("UPDATE balances SET points = points + $1 / 100 WHERE member_id = $2")
        .bind(body.amount_cents)
        .bind(body.member_id)
        .execute(&mut *tx)
        .await
        .map_err(server_error)?;
    tx.commit().await.map_err(server_error)?;
    Ok(HttpResponse::Created().finish())
}

#[get("/members/{id}/streak")]
async fn streak(path: web::Path<i64>) -> actix_web::Result<impl Responder> {
    let client = redis::Client::open(env::var("REDIS_URL").map_err(server_error)?).map_err(server_error)?; // snag-expect: missing-pool
    let mut conn = client.get_multiplexed_tokio_connection().await.map_err(server_error)?;
    let days: Option<u32> = conn.get(format!("streak:{}", path.into_inner())).await.map_err(server_error)?;
    Ok(HttpResponse::Ok().json(days.unwrap_or(0)))
}

#[get("/members/{id}/partner-offers")]
async fn partner_offers(partner: web::Data<PartnerApi>, path: web::Path<i64>) -> actix_web::Result<impl Responder> {
    let offers: serde_json::Value = partner
        .http
        .get(format!("{}/offers", partner.base))
        .query(&[("member", path.into_inner())])
        .send()
        .await
        .map_err(server_error)?
        .json()
        .await
        .map_err(server_error)?;
    Ok(HttpResponse::Ok().json(offers))
}

#[post("/members/{id}/redeem/{offer}")]
async fn redeem(path: web::Path<(i64, String)>) -> actix_web::Result<impl Responder> {
    let (member_id, offer) = path.into_inner();
    let http = reqwest::Client::new(); // snag-expect: missing-pool
    let resp = http
        .post(format!("{}/redemptions", env::var("PARTNER_API_URL").map_err(server_error)?))
        .timeout(Duration::from_secs(6))
        .json(&serde_json::json!({ "member": member_id, "offer": offer }))
        .send()
        .await
        .map_err(server_error)?;
    Ok(HttpResponse::build(resp.status()).finish())
}

#[get("/tiers")]
async fn tiers() -> actix_web::Result<impl Responder> {
    let pool = PgPoolOptions::new() // snag-expect: missing-pool
        .max_connections(2)
        .connect(&env::var("DATABASE_URL").map_err(server_error)?)
        .await
        .map_err(server_error)?;
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM tiers ORDER BY min_points")
        .fetch_all(&pool)
        .await
        .map_err(server_error)?;
    Ok(HttpResponse::Ok().json(names))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::init();
    let db = PgPoolOptions::new() // snag-ok: missing-pool
        .max_connections(16)
        .connect_lazy(&env::var("DATABASE_URL").expect("DATABASE_URL"))
        .expect("valid database url");
    let db = web::Data::new(db);
    let partner_base = env::var("PARTNER_API_URL").expect("PARTNER_API_URL");

    HttpServer::new(move || {
        let http = reqwest::Client::builder() // snag-ok: missing-pool
            .timeout(Duration::from_secs(6))
            .build()
            .expect("tls backend");
        App::new()
            .app_data(db.clone())
            .app_data(web::Data::new(PartnerApi { http, base: partner_base.clone() }))
            .service(balance)
            .service(accrue)
            .service(streak)
            .service(partner_offers)
            .service(redeem)
            .service(tiers)
    })
    .bind(("0.0.0.0", 8080))?
    .run()
    .await
}
