//! Client for the supplier pricing API, used by the nightly repricing job.

use std::time::Duration;

use futures::future::join_all;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Client, StatusCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Quote {
    pub sku: String,
    pub unit_cost_cents: i64,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
pub struct Availability {
    pub sku: String,
    pub in_stock: u32,
    pub lead_time_days: u16,
}

#[derive(Debug, Deserialize)]
pub struct Supplier {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PriceUpdate<'a> {
    pub sku: &'a str,
    pub list_price_cents: i64,
}

#[derive(Debug, Serialize)]
pub struct PurchaseOrder {
    pub reference: String,
    pub lines: Vec<(String, u32)>,
}

#[derive(Debug, Deserialize)]
struct Ack {
    order_ref: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SupplierError {
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error("supplier unavailable after {0} attempts")]
    Unavailable(u32),
}

pub struct SupplierClient {
    http: Client,
    base: String,
}

impl SupplierClient {
    pub fn new(base: impl Into<String>, token: &str) -> Result<Self, SupplierError> {
        let mut headers = HeaderMap::new();
        let auth = HeaderValue::from_str(&format!("Bearer {token}")).expect("token is ascii");
        headers.insert(AUTHORIZATION, auth);
        let http = Client::builder()
            .timeout(Duration::from_secs(10))
            .default_headers(headers)
            .build()?;
        Ok(Self { http, base: base.into() })
    }

    pub async fn quotes(&self, skus: &[String]) -> Result<Vec<Quote>, SupplierError> {
        let mut out = Vec::with_capacity(skus.len());
        for sku in skus {
            let quote: Quote = self.http.get(format!("{}/v1/quotes/{}", self.base, sku)).send().await?.error_for_status()?.json().await?; // snag-expect: n-plus-one
            out.push(quote);
        }
        Ok(out)
    }

    pub async fn quotes_batched(&self, skus: &[String]) -> Result<Vec<Quote>, SupplierError> {
        let joined = skus.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","); // snag-ok: n-plus-one
        let quotes = self // snag-ok: n-plus-one
            .http
            .get(format!("{}/v1/quotes", self.base))
            .query(&[("skus", joined)])
            .send()
            .await?
            .error_for_status()?
            .json::<Vec<Quote>>()
            .await?;
        Ok(quotes)
    }

    pub async fn availability(&self, skus: &[String]) -> Vec<Result<Availability, reqwest::Error>> {
        join_all(skus.iter().map(|sku| async move {
            self.http // snag-expect: n-plus-one
                .get(format!("{}/v1/availability/{}", self.base, sku))
                .send()
                .await?
                .json::<Availability>()
                .await
        }))
        .await
    }

    pub async fn push_prices(&self, updates: &[PriceUpdate<'_>]) -> Result<usize, SupplierError> {
        let mut accepted = 0;
        for update in updates {
            let resp = self // snag-expect: n-plus-one
                .http
                .put(format!("{}/v1/prices/{}", self.base, update.sku))
                .json(update)
                .send()
                .await?;
            if resp.status().is_success() {
                accepted += 1;
            }
        }
        Ok(accepted)
    }

    pub async fn push_prices_batched(&self, updates: &[PriceUpdate<'_>]) -> Result<(), SupplierError> {
        for chunk in updates.chunks(200) {
            self.http.post(format!("{}/v1/prices:batchUpdate", self.base)).json(&chunk).send().await?.error_for_status()?; // snag-ok: n-plus-one
        }
        Ok(())
    }

    /// Every supplier, following the API's `next` links.
    pub async fn suppliers(&self) -> Result<Vec<Supplier>, SupplierError> {
        let mut out = Vec::new();
        let mut url = Some(format!("{}/v1/suppliers?limit=200", self.base));
        while let Some(current) = url {
            let page: Page<Supplier> = self.http.get(&current).send().await?.error_for_status()?.json().await?; // snag-ok: n-plus-one
            out.extend(page.items);
            url = page.next;
        }
        Ok(out)
    }

    /// Places a purchase order; the supplier sheds load with 503, so retry with backoff.
    pub async fn place_order(&self, order: &PurchaseOrder) -> Result<String, SupplierError> {
        let url = format!("{}/v1/orders", self.base);
        for attempt in 0..4u32 {
            let resp = self.http.post(&url).json(order).send().await?; // snag-ok: n-plus-one
            if resp.status() != StatusCode::SERVICE_UNAVAILABLE {
                let ack: Ack = resp.error_for_status()?.json().await?;
                return Ok(ack.order_ref);
            }
            tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await;
        }
        Err(SupplierError::Unavailable(4))
    }

    pub async fn cancel_orders(&self, references: &[String]) -> Result<(), SupplierError> {
        let requests = references
            .iter()
            .map(|reference| self.http.delete(format!("{}/v1/orders/{}", self.base, reference)).send()); // snag-expect: n-plus-one
        for resp in join_all(requests).await {
            resp?.error_for_status()?;
        }
        Ok(())
    }
}
