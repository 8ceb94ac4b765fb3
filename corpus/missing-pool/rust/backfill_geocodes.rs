//! `backfill-geocodes`: one-off job that geocodes store addresses missing
//! coordinates and writes them back, in batches.
//!
//! Usage: `backfill-geocodes --batch-size 500 [--dry-run]`. Connects once in
//! `main`; the geocoder client is built once and shared by every batch.

use std::{env, time::Duration};

use anyhow::Context;
use clap::Parser;
use once_cell::sync::Lazy;
use reqwest::Client;
use serde::Deserialize;
use sqlx::{postgres::PgPoolOptions, PgPool};

static GEOCODER: Lazy<Client> = Lazy::new(|| {
    Client::builder() // snag-ok: missing-pool
        .timeout(Duration::from_secs(15))
        .user_agent("store-backfill/0.3")
        .build()
        .expect("tls backend available")
});

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 500)]
    batch_size: i64,
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    audit: bool,
}

#[derive(Debug, sqlx::FromRow)]
struct Store {
    id: i64,
    address: String,
}

#[derive(Debug, Deserialize)]
struct Geocode {
    id: i64,
    lat: f64,
    lon: f64,
}

async fn geocode_batch(http: &Client, stores: &[Store]) -> anyhow::Result<Vec<Geocode>> {
    let body: Vec<_> = stores.iter().map(|s| serde_json::json!({ "id": s.id, "q": s.address })).collect();
    let url = format!("{}/v1/batch", env::var("GEOCODER_URL")?);
    Ok(http.post(url).json(&body).send().await?.error_for_status()?.json().await?)
}

async fn write_batch(pool: &PgPool, coords: &[Geocode]) -> anyhow::Result<u64> {
    let ids: Vec<i64> = coords.iter().map(|c| c.id).collect();
    let lats: Vec<f64> = coords.iter().map(|c| c.lat).collect();
    let lons: Vec<f64> = coords.iter().map(|c| c.lon).collect();
    let done = sqlx::query(
        "UPDATE stores SET lat = v.lat, lon = v.lon FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS v(id, lat, lon) WHERE stores.id = v.id",
    )
    .bind(&ids)
    .bind(&lats)
    .bind(&lons)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

async fn record_audit(pool: &PgPool, coords: &[Geocode]) -> anyhow::Result<()> {
    let ids: Vec<i64> = coords.iter().map(|c| c.id).collect();
    sqlx::query("INSERT INTO geocode_audit (store_id, source, run_at) SELECT id, 'backfill', now() FROM unnest($1::bigint[]) AS t(id)")
        .bind(&ids)
        .execute(pool)
        .await?;
    Ok(())
}

async fn next_batch(pool: &PgPool, after: i64, size: i64) -> anyhow::Result<Vec<Store>> {
    Ok(sqlx::query_as::<_, Store>("SELECT id, address FROM stores WHERE lat IS NULL AND id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(size)
        .fetch_all(pool)
        .await?)
}

/// Writes each batch's result to the audit database, reconnecting per batch.
async fn audit_batches(batches: &[Vec<Geocode>]) -> anyhow::Result<()> {
    let audit_url = env::var("AUDIT_DATABASE_URL")?;
    for coords in batches {
        let audit = PgPoolOptions::new().max_connections(1).connect(&audit_url).await?; // snag-expect: missing-pool
        record_audit(&audit, coords).await?;
        audit.close().await;
    }
    Ok(())
}

/// Re-geocodes the stores a human flagged, one fresh client per store.
async fn regeocode_flagged(stores: Vec<Store>) -> anyhow::Result<Vec<Geocode>> {
    let mut out = Vec::with_capacity(stores.len());
    for store in stores {
        let http = Client::new(); // snag-expect: missing-pool
        let mut coords = geocode_batch_with_timeout(&http, std::slice::from_ref(&store)).await?;
        out.append(&mut coords);
    }
    Ok(out)
}

async fn geocode_batch_with_timeout(http: &Client, stores: &[Store]) -> anyhow::Result<Vec<Geocode>> {
    let body: Vec<_> = stores.iter().map(|s| serde_json::json!({ "id": s.id, "q": s.address })).collect();
    let url = format!("{}/v1/batch", env::var("GEOCODER_URL")?);
    let resp = http.post(url).timeout(Duration::from_secs(15)).json(&body).send().await?;
    Ok(resp.error_for_status()?.json().await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let pool = PgPoolOptions::new() // snag-ok: missing-pool
        .max_connections(4)
        .connect(&env::var("DATABASE_URL").context("DATABASE_URL")?)
        .await?;

    let mut after = 0;
    let mut done = Vec::new();
    loop {
        let stores = next_batch(&pool, after, args.batch_size).await?;
        let Some(last) = stores.last() else { break };
        after = last.id;
        let coords = geocode_batch(&GEOCODER, &stores).await?;
        if !args.dry_run {
            write_batch(&pool, &coords).await?;
        }
        done.push(coords);
    }
    if args.audit {
        audit_batches(&done).await?;
    }
    let flagged = sqlx::query_as::<_, Store>("SELECT id, address FROM stores WHERE geocode_flagged ORDER BY id")
        .fetch_all(&pool)
        .await?;
    let fixed = regeocode_flagged(flagged).await?;
    if !args.dry_run {
        write_batch(&pool, &fixed).await?;
    }
    pool.close().await;
    Ok(())
}
