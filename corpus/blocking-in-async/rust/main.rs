//! notify-gateway: accepts notification requests over HTTP and fans them out
//! to the push providers. Configuration is a TOML file whose path comes from
//! `NOTIFY_CONFIG`; SIGHUP or `POST /admin/reload` re-reads it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::{extract::State, http::StatusCode, routing::{get, post}, Json, Router};
use serde::Deserialize;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::RwLock;

#[derive(Debug, Clone, Deserialize)]
struct Config {
    listen: SocketAddr,
    apns_key_path: PathBuf,
    fcm_project: String,
    rate_per_minute: u32,
}

#[derive(Clone)]
struct AppState {
    config_path: PathBuf,
    config: Arc<RwLock<Config>>,
    apns_key: Arc<Vec<u8>>,
}

fn parse_config(raw: &str) -> Result<Config> {
    toml::from_str(raw).context("invalid notify config")
}

/// Also used by the `notify-gateway check-config` subcommand.
fn load_config(path: &PathBuf) -> Result<Config> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?; // snag-ok: blocking-in-async
    parse_config(&raw)
}

async fn reload(State(state): State<AppState>) -> Result<StatusCode, (StatusCode, String)> {
    let raw = std::fs::read_to_string(&state.config_path) // snag-expect: blocking-in-async
        .map_err(|err| (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    let fresh = parse_config(&raw).map_err(|err| (StatusCode::BAD_REQUEST, err.to_string()))?;
    *state.config.write().await = fresh;
    Ok(StatusCode::NO_CONTENT)
}

async fn reload_async(State(state): State<AppState>) -> Result<StatusCode, (StatusCode, String)> {
    let raw = tokio::fs::read_to_string(&state.config_path) // snag-ok: blocking-in-async
        .await
        .map_err(|err| (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    let fresh = parse_config(&raw).map_err(|err| (StatusCode::BAD_REQUEST, err.to_string()))?;
    *state.config.write().await = fresh;
    Ok(StatusCode::NO_CONTENT)
}

async fn limits(State(state): State<AppState>) -> Json<serde_json::Value> {
    let config = state.config.read().await;
    Json(serde_json::json!({ "rate_per_minute": config.rate_per_minute, "apns_key_bytes": state.apns_key.len() }))
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt::init();
    let config_path = PathBuf::from(std::env::var("NOTIFY_CONFIG").unwrap_or_else(|_| "/etc/notify/gateway.toml".into()));

    // Startup, before the listener exists: nothing else is running on the
    // runtime yet, so reading the config and key synchronously here is fine.
    let config = load_config(&config_path)?;
    let apns_key = std::fs::read(&config.apns_key_path).context("reading APNs key")?; // snag-ok: blocking-in-async
    let listen = config.listen;

    let state = AppState {
        config_path: config_path.clone(),
        config: Arc::new(RwLock::new(config)),
        apns_key: Arc::new(apns_key),
    };

    let on_hup = state.clone();
    tokio::spawn(async move {
        let mut hup = signal(SignalKind::hangup()).expect("installing SIGHUP handler");
        while hup.recv().await.is_some() {
            match std::fs::read_to_string(&on_hup.config_path) { // snag-expect: blocking-in-async
                Ok(raw) => match parse_config(&raw) {
                    Ok(fresh) => *on_hup.config.write().await = fresh,
                    Err(err) => tracing::error!(error = %err, "keeping previous config"),
                },
                Err(err) => tracing::error!(error = %err, "config unreadable"),
            }
        }
    });

    let app = Router::new()
        .route("/admin/reload", post(reload))
        .route("/admin/reload-async", post(reload_async))
        .route("/admin/limits", get(limits))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "notify-gateway listening");
    axum::serve(listener, app).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_parses() {
        let raw = std::fs::read_to_string("tests/fixtures/gateway.toml").unwrap(); // snag-ok: blocking-in-async
        let config = parse_config(&raw).unwrap();
        assert_eq!(config.rate_per_minute, 600);
        assert_eq!(config.fcm_project, "notify-staging");
    }
}
