//! Token endpoints of the identity service (axum + jsonwebtoken).
//!
//! Access tokens are RS256, signed with the key mounted at /run/secrets;
//! service-to-service tokens are HS256 with a per-client secret from Postgres.
//! Mobile app versions that may sign in are listed in config/clients.json.

use std::sync::OnceLock;

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
    Json, Router,
};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lazy_static::lazy_static;
use once_cell::sync::Lazy;
use regex::Regex;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

const SIGNING_KEY_PATH: &str = "/run/secrets/jwt_signing.pem";
const PUBLIC_KEY_PATH: &str = "/run/secrets/jwt_public.pem";

lazy_static! {
    static ref BEARER: Regex = Regex::new(r"^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$").unwrap(); // snag-ok: missing-cache
}

static SIGNING_KEY: OnceLock<EncodingKey> = OnceLock::new();
static VERIFYING_KEY: Lazy<DecodingKey> =
    Lazy::new(|| DecodingKey::from_rsa_pem(include_bytes!("../../keys/jwt_public.pem")).expect("bundled public key parses")); // snag-ok: missing-cache

fn signing_key() -> &'static EncodingKey {
    SIGNING_KEY.get_or_init(|| {
        let pem = std::fs::read(SIGNING_KEY_PATH).expect("JWT signing key is mounted");
        EncodingKey::from_rsa_pem(&pem).expect("JWT signing key is a PEM RSA key") // snag-ok: missing-cache
    })
}

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: usize,
    scope: String,
}

#[derive(Deserialize)]
struct ServiceTokenRequest {
    client_id: String,
    assertion: String,
}

#[derive(Deserialize)]
struct ClientPolicy {
    min_app_version: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/token/refresh", post(refresh))
        .route("/token/introspect", post(introspect))
        .route("/token/service", post(service_token))
        .route("/token/mobile", post(mobile_token))
}

fn bearer(headers: &HeaderMap) -> Result<String, StatusCode> {
    let value = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or(StatusCode::UNAUTHORIZED)?;
    BEARER.captures(value).map(|c| c[1].to_owned()).ok_or(StatusCode::UNAUTHORIZED)
}

async fn refresh(headers: HeaderMap) -> Result<Json<serde_json::Value>, StatusCode> {
    let token = bearer(&headers)?;
    let verifying = DecodingKey::from_rsa_pem(&tokio::fs::read(PUBLIC_KEY_PATH).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?) // snag-expect: missing-cache
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let mut claims = decode::<Claims>(&token, &verifying, &Validation::new(Algorithm::RS256)).map_err(|_| StatusCode::UNAUTHORIZED)?.claims;
    claims.exp = (chrono::Utc::now() + chrono::Duration::minutes(15)).timestamp() as usize;
    let fresh = encode(&Header::new(Algorithm::RS256), &claims, signing_key()).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(serde_json::json!({ "access_token": fresh, "expires_in": 900 })))
}

async fn introspect(headers: HeaderMap) -> Result<Json<serde_json::Value>, StatusCode> {
    let token = bearer(&headers)?;
    let active = decode::<Claims>(&token, &VERIFYING_KEY, &Validation::new(Algorithm::RS256)).is_ok();
    Ok(Json(serde_json::json!({ "active": active })))
}

async fn service_token(State(state): State<AppState>, Json(body): Json<ServiceTokenRequest>) -> Result<Json<serde_json::Value>, StatusCode> {
    let secret: String = sqlx::query_scalar("SELECT secret FROM service_clients WHERE client_id = $1 AND revoked_at IS NULL")
        .bind(&body.client_id)
        .fetch_optional(&state.db)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let key = DecodingKey::from_secret(secret.as_bytes()); // snag-ok: missing-cache
    let claims = decode::<Claims>(&body.assertion, &key, &Validation::new(Algorithm::HS256)).map_err(|_| StatusCode::UNAUTHORIZED)?.claims;
    let token = encode(&Header::new(Algorithm::RS256), &claims, signing_key()).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(serde_json::json!({ "access_token": token })))
}

async fn mobile_token(headers: HeaderMap, Json(claims): Json<Claims>) -> Result<Json<serde_json::Value>, StatusCode> {
    let app_version = headers.get("x-app-version").and_then(|v| v.to_str().ok()).unwrap_or("0.0.0");
    let version_format = Regex::new(r"^(\d+)\.(\d+)\.(\d+)$").unwrap(); // snag-expect: missing-cache
    let caps = version_format.captures(app_version).ok_or(StatusCode::BAD_REQUEST)?;
    let policy: ClientPolicy = serde_json::from_slice(&tokio::fs::read("config/clients.json").await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?) // snag-expect: missing-cache
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let required: Vec<u32> = policy.min_app_version.split('.').filter_map(|p| p.parse().ok()).collect();
    let current: Vec<u32> = (1..=3).filter_map(|i| caps[i].parse().ok()).collect();
    if current < required {
        return Err(StatusCode::UPGRADE_REQUIRED);
    }
    let token = encode(&Header::new(Algorithm::RS256), &claims, signing_key()).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(serde_json::json!({ "access_token": token })))
}
