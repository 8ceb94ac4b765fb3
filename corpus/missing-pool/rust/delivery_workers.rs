//! Background workers for outbound webhook delivery and per-shard housekeeping.
//!
//! Spawned from `main` on the tokio runtime. Jobs arrive on an mpsc channel fed
//! by the API and on a Redis stream fed by the billing service.

use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use futures::StreamExt;
use reqwest::Client;
use tokio::sync::mpsc;
use tokio_postgres::NoTls;

static WEBHOOK_HTTP: LazyLock<Client> = LazyLock::new(|| {
    Client::builder() // snag-ok: missing-pool
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(8)
        .build()
        .expect("tls backend available")
});

fn status_client() -> &'static Client {
    static STATUS: OnceLock<Client> = OnceLock::new();
    STATUS.get_or_init(|| Client::builder().timeout(Duration::from_secs(3)).build().expect("tls backend available")) // snag-ok: missing-pool
}

#[derive(Debug)]
pub struct WebhookJob {
    pub endpoint: String,
    pub payload: serde_json::Value,
    pub attempt: u32,
}

#[derive(Debug, Clone)]
pub struct Shard {
    pub name: String,
    pub url: String,
}

async fn deliver(http: &Client, job: &WebhookJob) -> Result<(), reqwest::Error> {
    http.post(&job.endpoint).json(&job.payload).send().await?.error_for_status()?;
    Ok(())
}

async fn vacuum_expired(client: &tokio_postgres::Client) -> Result<u64, tokio_postgres::Error> {
    client.execute("DELETE FROM idempotency_keys WHERE created_at < now() - interval '2 days'", &[]).await
}

async fn record_invoice(client: &tokio_postgres::Client, payload: &str) -> Result<(), tokio_postgres::Error> {
    client.execute("INSERT INTO billing_events (payload) VALUES ($1::text::jsonb)", &[&payload]).await?;
    Ok(())
}

async fn enqueue_receipt(conn: &mut redis::aio::MultiplexedConnection, customer: &str, receipt_id: &str) -> redis::RedisResult<()> {
    redis::cmd("XADD").arg("mail.outbox").arg("*").arg("to").arg(customer).arg("receipt").arg(receipt_id).exec_async(conn).await
}

/// Shared client: connections to the same endpoints are kept alive between jobs.
pub async fn webhook_worker(mut jobs: mpsc::Receiver<WebhookJob>) {
    while let Some(job) = jobs.recv().await {
        if let Err(err) = deliver(&WEBHOOK_HTTP, &job).await {
            tracing::warn!(endpoint = %job.endpoint, attempt = job.attempt, error = %err, "webhook failed");
        }
    }
}

/// The priority lane was added later and builds a client for every job.
pub async fn priority_webhook_worker(mut jobs: mpsc::Receiver<WebhookJob>) {
    while let Some(job) = jobs.recv().await {
        let http = Client::builder().timeout(Duration::from_secs(5)).build().expect("tls backend available"); // snag-expect: missing-pool
        if let Err(err) = deliver(&http, &job).await {
            tracing::warn!(endpoint = %job.endpoint, error = %err, "priority webhook failed");
        }
    }
}

pub async fn endpoint_is_up(url: &str) -> bool {
    match status_client().head(url).send().await {
        Ok(resp) => resp.status().is_success(),
        Err(_) => false,
    }
}

/// Each shard is a separate Postgres server: one connection per shard per run.
pub async fn housekeeping(shards: Vec<Shard>) -> anyhow::Result<()> {
    for shard in &shards {
        let (client, connection) = tokio_postgres::connect(&shard.url, NoTls).await?; // snag-ok: missing-pool
        let conn_task = tokio::spawn(connection);
        let removed = vacuum_expired(&client).await?;
        tracing::info!(shard = %shard.name, removed, "expired idempotency keys removed");
        drop(client);
        conn_task.await??;
    }
    Ok(())
}

pub async fn billing_consumer(redis_url: String, database_url: String) -> anyhow::Result<()> {
    let redis = redis::Client::open(redis_url)?; // snag-ok: missing-pool
    let mut pubsub = redis.get_async_pubsub().await?;
    pubsub.subscribe("billing.invoices").await?;
    let mut messages = pubsub.on_message();
    while let Some(msg) = messages.next().await {
        let payload: String = msg.get_payload()?;
        let (client, connection) = tokio_postgres::connect(&database_url, NoTls).await?; // snag-expect: missing-pool
        tokio::spawn(connection);
        record_invoice(&client, &payload).await?;
    }
    Ok(())
}

pub async fn receipt_forwarder(redis_url: String, mut receipts: mpsc::Receiver<(String, String)>) -> anyhow::Result<()> {
    while let Some((customer, receipt_id)) = receipts.recv().await {
        let client = redis::Client::open(redis_url.as_str())?; // snag-expect: missing-pool
        let mut conn = client.get_multiplexed_async_connection().await?;
        enqueue_receipt(&mut conn, &customer, &receipt_id).await?;
    }
    Ok(())
}
