//! Lambda function for payment provider events (lambda_runtime + sqlx).
//!
//! `main` builds the pool and the HTTP client once per execution environment
//! and the handler closure borrows them on every invocation. The refund and
//! dispute paths were written separately and still open their own.

use std::{env, time::Duration};

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde::Deserialize;
use sqlx::{postgres::PgPoolOptions, Connection, PgConnection, PgPool};

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum PaymentEvent {
    Captured { payment_id: String, amount_cents: i64 },
    Refunded { payment_id: String, amount_cents: i64 },
    Disputed { payment_id: String, reason: String },
}

struct Shared {
    pool: PgPool,
    ledger: reqwest::Client,
    ledger_url: String,
}

async fn record_capture(pool: &PgPool, payment_id: &str, amount_cents: i64) -> Result<(), Error> {
    sqlx::query("UPDATE payments SET status = 'captured', captured_cents = $2 WHERE provider_id = $1")
        .bind(payment_id)
        .bind(amount_cents)
        .execute(pool)
        .await?;
    Ok(())
}

async fn record_refund(conn: &mut PgConnection, payment_id: &str, amount_cents: i64) -> Result<(), Error> {
    sqlx::query("INSERT INTO refunds (payment_provider_id, amount_cents) VALUES ($1, $2)")
        .bind(payment_id)
        .bind(amount_cents)
        .execute(conn)
        .await?;
    Ok(())
}

async fn notify_disputes(client: &reqwest::Client, payment_id: &str, reason: &str) -> Result<(), Error> {
    client
        .post(env::var("DISPUTES_WEBHOOK_URL")?)
        .json(&serde_json::json!({ "payment": payment_id, "reason": reason }))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

async fn handle(shared: &Shared, event: LambdaEvent<SqsEvent>) -> Result<(), Error> {
    let mut captured = Vec::new();
    for record in event.payload.records {
        let Some(body) = record.body else { continue };
        match serde_json::from_str::<PaymentEvent>(&body)? {
            PaymentEvent::Captured { payment_id, amount_cents } => {
                record_capture(&shared.pool, &payment_id, amount_cents).await?;
                captured.push(payment_id);
            }
            PaymentEvent::Refunded { payment_id, amount_cents } => {
                let mut conn = PgConnection::connect(&env::var("DATABASE_URL")?).await?; // snag-expect: missing-pool
                record_refund(&mut conn, &payment_id, amount_cents).await?;
                conn.close().await?;
            }
            PaymentEvent::Disputed { payment_id, reason } => {
                let disputes = reqwest::Client::builder().timeout(Duration::from_secs(4)).build()?; // snag-expect: missing-pool
                notify_disputes(&disputes, &payment_id, &reason).await?;
            }
        }
    }
    if !captured.is_empty() {
        shared
            .ledger
            .post(format!("{}/captures", shared.ledger_url))
            .json(&captured)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// Reconciliation entry point, invoked directly by the ops step function.
async fn reconcile(event: LambdaEvent<serde_json::Value>) -> Result<serde_json::Value, Error> {
    let day = event.payload["day"].as_str().unwrap_or("today").to_owned();
    let pool = PgPoolOptions::new() // snag-expect: missing-pool
        .max_connections(1)
        .connect(&env::var("DATABASE_URL")?)
        .await?;
    let open: i64 = sqlx::query_scalar("SELECT count(id) FROM payments WHERE status = 'authorized' AND created_on = $1::date")
        .bind(if day == "today" { chrono::Utc::now().date_naive().to_string() } else { day })
        .fetch_one(&pool)
        .await?;
    Ok(serde_json::json!({ "open_authorizations": open }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().without_time().init();
    if env::var("RECONCILE_MODE").is_ok() {
        return run(service_fn(reconcile)).await;
    }
    let pool = PgPoolOptions::new() // snag-ok: missing-pool
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&env::var("DATABASE_URL")?)
        .await?;
    let ledger = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?; // snag-ok: missing-pool
    let shared = Shared { pool, ledger, ledger_url: env::var("LEDGER_URL")? };
    let shared = &shared;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move { handle(shared, event).await })).await
}
