//! Settlement worker: claims payout jobs from Postgres, converts amounts to
//! the merchant's currency and submits them to the bank's payout API.
//!
//! Runs as its own tokio binary next to the API; several replicas claim jobs
//! concurrently with `FOR UPDATE SKIP LOCKED`.

use std::{collections::HashMap, time::Duration};

use regex::Regex;
use serde::Deserialize;
use sqlx::{FromRow, PgPool};
use tokio::time::{interval, sleep, MissedTickBehavior};

const RATES_URL: &str = "https://api.frankfurter.app/latest?from=EUR";
const BANK_API: &str = "https://payouts.bank.example/v3";

#[derive(Debug, FromRow)]
struct PayoutJob {
    id: i64,
    merchant_id: i64,
    amount_cents: i64,
    currency: String,
    iban: String,
    reference: String,
}

#[derive(Debug, Deserialize)]
struct Rates {
    rates: HashMap<String, f64>,
}

pub struct Worker {
    db: PgPool,
    http: reqwest::Client,
}

impl Worker {
    pub fn new(db: PgPool, http: reqwest::Client) -> Self {
        Self { db, http }
    }

    pub async fn run(&self) -> anyhow::Result<()> {
        loop {
            let claimed = sqlx::query_as::<_, PayoutJob>( // snag-ok: missing-cache
                "UPDATE payout_jobs SET state = 'running', claimed_at = now()
                 WHERE id IN (SELECT id FROM payout_jobs WHERE state = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 50)
                 RETURNING id, merchant_id, amount_cents, currency, iban, reference",
            )
            .fetch_all(&self.db)
            .await?;
            if claimed.is_empty() {
                sleep(Duration::from_secs(5)).await;
                continue;
            }
            self.settle(&claimed).await?;
        }
    }

    async fn settle(&self, jobs: &[PayoutJob]) -> anyhow::Result<()> {
        for job in jobs {
            let rates: Rates = self.http.get(RATES_URL).send().await?.json().await?; // snag-expect: missing-cache, n-plus-one
            let iban_format = Regex::new(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")?; // snag-expect: missing-cache
            let iban: String = job.iban.chars().filter(|c| !c.is_whitespace()).collect();
            if !iban_format.is_match(&iban) {
                tracing::warn!(job = job.id, "rejecting payout with malformed IBAN");
                continue;
            }
            let rate = if job.currency == "EUR" { 1.0 } else { rates.rates[&job.currency] };
            let body = serde_json::json!({
                "iban": iban,
                "amount_minor": (job.amount_cents as f64 * rate).round() as i64,
                "currency": job.currency,
                "reference": job.reference,
            });
            self.submit_with_retry(job.id, &body).await?;
        }
        Ok(())
    }

    async fn submit_with_retry(&self, job_id: i64, body: &serde_json::Value) -> anyhow::Result<()> {
        for attempt in 0..3u32 {
            let resp = self.http.post(format!("{BANK_API}/payouts")).json(body).send().await; // snag-ok: missing-cache
            match resp {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => tracing::warn!(job = job_id, status = %r.status(), attempt, "bank rejected payout"),
                Err(err) => tracing::warn!(job = job_id, error = %err, attempt, "bank unreachable"),
            }
            sleep(Duration::from_secs(2u64.pow(attempt))).await;
        }
        anyhow::bail!("payout {job_id} failed after 3 attempts")
    }

    pub async fn report_backlog(&self) -> anyhow::Result<()> {
        let mut ticker = interval(Duration::from_secs(60));
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticker.tick().await;
            let queued = self.queued_jobs().await?; // snag-ok: missing-cache
            metrics::gauge!("payout_jobs_queued").set(queued as f64);
        }
    }

    async fn queued_jobs(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(id) FROM payout_jobs WHERE state = 'queued'").fetch_one(&self.db).await?)
    }

    pub async fn merchant_limits(&self, merchant_ids: &[i64]) -> anyhow::Result<HashMap<i64, i64>> {
        let mut limits = HashMap::new();
        for merchant_id in merchant_ids {
            let default_limit: i64 = sqlx::query_scalar("SELECT value::bigint FROM settings WHERE key = 'default_payout_limit_cents'") // snag-expect: missing-cache, n-plus-one
                .fetch_one(&self.db)
                .await?;
            // snag-ok: missing-cache
            let custom: Option<i64> = sqlx::query_scalar("SELECT payout_limit_cents FROM merchants WHERE id = $1") // snag-expect: n-plus-one
                .bind(merchant_id)
                .fetch_one(&self.db)
                .await?;
            limits.insert(*merchant_id, custom.unwrap_or(default_limit));
        }
        Ok(limits)
    }

    pub async fn references_matching(&self, patterns: &[String], references: &[String]) -> Vec<String> {
        let compiled: Vec<Regex> = patterns.iter().filter_map(|p| Regex::new(p).ok()).collect(); // snag-ok: missing-cache
        references
            .iter()
            .filter(|r| compiled.iter().any(|re| re.is_match(r)))
            .cloned()
            .collect()
    }
}
