//! Exchange-rate provider clients for the pricing service.
//!
//! `EcbFeed` predates the move to tokio and still wraps the blocking reqwest
//! client; `RatesApi` is the async replacement. Both are called from the
//! checkout path when a basket is priced in a foreign currency.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::blocking::Client as BlockingClient;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct RateTable {
    pub base: String,
    pub rates: HashMap<String, f64>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    data: RateTable,
}

pub struct EcbFeed {
    http: BlockingClient,
    url: String,
}

impl EcbFeed {
    pub fn new(url: impl Into<String>) -> Result<Self> {
        let http = BlockingClient::builder()
            .timeout(Duration::from_secs(5))
            .user_agent("pricing-service/1.8")
            .build()?;
        Ok(Self { http, url: url.into() })
    }

    /// Used by the `pricing refresh-rates` CLI subcommand.
    pub fn latest_blocking(&self) -> Result<RateTable> {
        let table = self.http.get(&self.url).send()?.error_for_status()?.json()?; // snag-ok: blocking-in-async
        Ok(table)
    }

    pub async fn latest(&self) -> Result<RateTable> {
        let table = self // snag-expect: blocking-in-async
            .http
            .get(&self.url)
            .send()
            .context("ECB feed unreachable")?
            .error_for_status()?
            .json::<RateTable>()?;
        Ok(table)
    }

    pub async fn historical(&self, day: chrono::NaiveDate) -> Result<RateTable> {
        let url = format!("{}/{}", self.url, day.format("%Y-%m-%d"));
        let resp = self.http.get(&url).query(&[("format", "json")]).send()?; // snag-expect: blocking-in-async
        Ok(resp.error_for_status()?.json()?)
    }
}

pub struct RatesApi {
    http: reqwest::Client,
    base_url: String,
    key: String,
}

impl RatesApi {
    pub fn new(base_url: String, key: String) -> Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self { http, base_url, key })
    }

    pub async fn latest(&self, base: &str) -> Result<RateTable> {
        let envelope: Envelope = self // snag-ok: blocking-in-async
            .http
            .get(format!("{}/v1/latest", self.base_url))
            .query(&[("base", base), ("access_key", self.key.as_str())])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(envelope.data)
    }

    /// Falls back to the ECB feed on a blocking-pool thread when the API is down.
    pub async fn latest_or_ecb(&self, base: &str, ecb: std::sync::Arc<EcbFeed>) -> Result<RateTable> {
        match self.latest(base).await {
            Ok(table) => Ok(table),
            Err(err) => {
                tracing::warn!(error = %err, "rates API failed, using ECB");
                tokio::task::spawn_blocking(move || ecb.latest_blocking()).await? // snag-ok: blocking-in-async
            }
        }
    }

    pub async fn convert(&self, amount_minor: i64, from: &str, to: &str, ecb: &EcbFeed) -> Result<i64> {
        let table = match self.latest(from).await {
            Ok(table) => table,
            Err(_) => tokio::task::block_in_place(|| ecb.latest_blocking())?, // snag-ok: blocking-in-async
        };
        let rate = table.rates.get(to).copied().with_context(|| format!("no rate {from}->{to}"))?;
        Ok((amount_minor as f64 * rate).round() as i64)
    }
}
