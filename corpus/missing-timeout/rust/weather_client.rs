//! Clients for the weather and air-quality providers behind the forecast widget.

use std::sync::LazyLock;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ProviderError {
    #[error("provider request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("location {0} not covered")]
    NotCovered(String),
}

#[derive(Debug, Deserialize)]
pub struct Current {
    pub temperature_c: f32,
    pub condition: String,
}

#[derive(Debug, Deserialize)]
pub struct AirQuality {
    pub aqi: u16,
    pub dominant_pollutant: String,
}

static GEOCODER: LazyLock<Client> = LazyLock::new(|| reqwest::Client::new()); // snag-expect: missing-timeout

static TILES: LazyLock<Client> = LazyLock::new(|| {
    Client::builder() // snag-ok: missing-timeout
        .timeout(Duration::from_secs(6))
        .pool_max_idle_per_host(4)
        .build()
        .expect("tile client")
});

pub struct WeatherClient {
    http: Client,
    api_key: String,
    base_url: String,
}

impl WeatherClient {
    pub fn new(api_key: String) -> Self {
        Self {
            http: Client::new(), // snag-expect: missing-timeout
            api_key,
            base_url: "https://api.weatherprovider.example/v3".to_owned(),
        }
    }

    pub async fn current(&self, lat: f64, lon: f64) -> Result<Current, ProviderError> {
        let response = self
            .http
            .get(format!("{}/current", self.base_url))
            .query(&[("lat", lat.to_string()), ("lon", lon.to_string()), ("key", self.api_key.clone())])
            .send()
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Err(ProviderError::NotCovered(format!("{lat},{lon}")));
        }
        Ok(response.error_for_status()?.json().await?)
    }
}

pub struct AirQualityClient {
    http: Client,
}

impl AirQualityClient {
    pub fn new() -> Result<Self, ProviderError> {
        let http = Client::builder() // snag-ok: missing-timeout
            .user_agent("forecast-widget/1.2")
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(8))
            .build()?;
        Ok(Self { http })
    }

    pub async fn index(&self, lat: f64, lon: f64) -> Result<AirQuality, ProviderError> {
        let url = format!("https://aq.example/v1/index?lat={lat}&lon={lon}");
        Ok(self.http.get(url).send().await?.error_for_status()?.json().await?) // snag-ok: missing-timeout
    }
}

pub async fn place_name(lat: f64, lon: f64) -> Result<String, ProviderError> {
    let body: serde_json::Value = GEOCODER
        .get("https://geocode.example/reverse")
        .query(&[("lat", lat), ("lon", lon)])
        .send()
        .await?
        .json()
        .await?;
    Ok(body["name"].as_str().unwrap_or("unknown").to_owned())
}

pub async fn radar_tile(z: u8, x: u32, y: u32) -> Result<bytes::Bytes, ProviderError> {
    let url = format!("https://tiles.example/radar/{z}/{x}/{y}.png");
    Ok(TILES.get(url).send().await?.error_for_status()?.bytes().await?)
}
