//! Background poller that refreshes partner product feeds every few minutes and
//! pushes changed prices to the search indexer.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::ClientBuilder;
use serde::Deserialize;
use tokio::time::interval;
use tracing::{info, warn};

#[derive(Debug, Deserialize, Clone, PartialEq)]
pub struct FeedItem {
    pub sku: String,
    pub price_cents: i64,
}

pub struct FeedPoller {
    feeds: Vec<String>,
    http: reqwest::Client,
    indexer: reqwest::Client,
    last_seen: HashMap<String, i64>,
}

impl FeedPoller {
    pub fn new(feeds: Vec<String>) -> reqwest::Result<Self> {
        // Feeds are large and slow; each read may take up to 30 s but never longer.
        let http = ClientBuilder::new() // snag-ok: missing-timeout
            .read_timeout(Duration::from_secs(30))
            .gzip(true)
            .build()?;
        let indexer = ClientBuilder::new() // snag-expect: missing-timeout
            .default_headers(indexer_headers())
            .build()?;
        Ok(Self { feeds, http, indexer, last_seen: HashMap::new() })
    }

    async fn poll_once(&mut self) -> reqwest::Result<usize> {
        let mut changed = Vec::new();
        for feed in &self.feeds {
            let items: Vec<FeedItem> = self.http.get(feed).send().await?.json().await?; // snag-expect: n-plus-one
            for item in items {
                if self.last_seen.get(&item.sku) != Some(&item.price_cents) {
                    self.last_seen.insert(item.sku.clone(), item.price_cents);
                    changed.push(item);
                }
            }
        }
        if !changed.is_empty() {
            self.indexer
                .post("http://search-indexer.internal/v1/prices")
                .json(&changed)
                .send()
                .await?
                .error_for_status()?;
        }
        Ok(changed.len())
    }

    pub async fn run(mut self) {
        let mut tick = interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match self.poll_once().await {
                Ok(n) => info!(changed = n, "feeds polled"),
                Err(err) => warn!(error = %err, "feed poll failed"),
            }
        }
    }
}

fn indexer_headers() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-source", "feed-poller".parse().unwrap());
    headers
}

/// Fetches the partner's feed list once at startup; every request sets its own timeout.
pub async fn discover_feeds(directory_url: &str) -> reqwest::Result<Vec<String>> {
    let client = reqwest::Client::new(); // snag-ok: missing-timeout
    let partners: Vec<String> = client
        .get(directory_url)
        .timeout(Duration::from_secs(10))
        .send()
        .await?
        .json()
        .await?;
    let mut feeds = Vec::new();
    for partner in partners {
        let feed: String = client // snag-expect: n-plus-one
            .get(format!("{directory_url}/{partner}/feed"))
            .timeout(Duration::from_secs(5))
            .send()
            .await?
            .text()
            .await?;
        feeds.push(feed);
    }
    Ok(feeds)
}

/// Synchronous variant used by the `feeds check` admin command.
pub fn check_feed_sync(url: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let items: Vec<FeedItem> = ureq::get(url).call()?.into_json()?; // snag-expect: missing-timeout
    Ok(items.len())
}

pub fn check_feeds_sync(urls: &[String]) -> Result<usize, Box<dyn std::error::Error>> {
    let agent = ureq::agent(); // snag-expect: missing-timeout
    let mut total = 0;
    for url in urls {
        let items: Vec<FeedItem> = agent.get(url).call()?.into_json()?;
        total += items.len();
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn polls_the_local_fixture_server() {
        let server = fixture_server::start().await;
        let body = reqwest::get(format!("{}/feed.json", server.url())).await.unwrap().text().await.unwrap(); // snag-ok: missing-timeout
        assert!(body.contains("sku"));
        let mut poller = FeedPoller::new(vec![format!("{}/feed.json", server.url())]).unwrap();
        assert_eq!(poller.poll_once().await.unwrap(), 2);
    }

    #[test]
    fn sync_check_counts_items() {
        let server = fixture_server::start_blocking();
        let agent = ureq::AgentBuilder::new().build(); // snag-ok: missing-timeout
        let items: Vec<FeedItem> = agent.get(&format!("{}/feed.json", server.url())).call().unwrap().into_json().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(check_feed_sync(&format!("{}/feed.json", server.url())).unwrap(), 2);
    }
}
