//! Shipment tracking endpoints (axum + deadpool-postgres + reqwest).

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

#[derive(Clone)]
pub struct AppState {
    pub db: Pool,
    pub carrier: reqwest::Client,
    pub carrier_base: String,
}

#[derive(Debug, Deserialize)]
pub struct OrderIds {
    pub order_ids: Vec<i64>,
}

#[derive(Debug, Serialize)]
pub struct Tracking {
    pub order_id: i64,
    pub carrier: String,
    pub tracking_no: String,
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct CarrierEvent {
    pub code: String,
    pub description: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
pub struct CarrierStatus {
    pub code: String,
    pub events: Vec<CarrierEvent>,
}

pub struct ApiError(anyhow::Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "shipment request failed");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

impl<E: Into<anyhow::Error>> From<E> for ApiError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl From<&Row> for Tracking {
    fn from(row: &Row) -> Self {
        Self {
            order_id: row.get("order_id"),
            carrier: row.get("carrier"),
            tracking_no: row.get("tracking_no"),
            status: row.get("status"),
        }
    }
}

const TRACKING_FOR_ORDER: &str = "SELECT order_id, carrier, tracking_no, status FROM shipments WHERE order_id = $1";
const TRACKING_FOR_ORDERS: &str = "SELECT order_id, carrier, tracking_no, status FROM shipments WHERE order_id = ANY($1)";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shipments/tracking", post(tracking_for_orders))
        .route("/shipments/tracking/v2", post(tracking_for_orders_batched))
        .route("/shipments/refresh", post(refresh_in_transit))
        .route("/shipments/summary", get(summary))
        .route("/shipments/:order_id/events", post(import_events))
        .route("/shipments/:order_id/events/v2", post(import_events_batched))
}

async fn tracking_for_orders(
    State(state): State<AppState>,
    Json(body): Json<OrderIds>,
) -> Result<Json<Vec<Tracking>>, ApiError> {
    let client = state.db.get().await?;
    let stmt = client.prepare_cached(TRACKING_FOR_ORDER).await?; // snag-ok: n-plus-one
    let mut out = Vec::with_capacity(body.order_ids.len());
    for order_id in &body.order_ids {
        if let Some(row) = client.query_opt(&stmt, &[order_id]).await? { // snag-expect: n-plus-one
            out.push(Tracking::from(&row));
        }
    }
    Ok(Json(out))
}

async fn tracking_for_orders_batched(
    State(state): State<AppState>,
    Json(body): Json<OrderIds>,
) -> Result<Json<Vec<Tracking>>, ApiError> {
    let client = state.db.get().await?;
    let rows = client.query(TRACKING_FOR_ORDERS, &[&body.order_ids]).await?; // snag-ok: n-plus-one
    Ok(Json(rows.iter().map(Tracking::from).collect())) // snag-ok: n-plus-one
}

async fn refresh_in_transit(State(state): State<AppState>) -> Result<Json<HashMap<String, String>>, ApiError> {
    let client = state.db.get().await?;
    let rows = client // snag-ok: n-plus-one
        .query(
            "SELECT order_id, carrier, tracking_no, status FROM shipments WHERE status = 'in_transit' LIMIT 200",
            &[],
        )
        .await?;
    let mut changed = HashMap::new();
    for row in &rows {
        let shipment = Tracking::from(row);
        let status: CarrierStatus = state // snag-expect: n-plus-one
            .carrier
            .get(format!("{}/track/{}", state.carrier_base, shipment.tracking_no))
            .send()
            .await?
            .json()
            .await?;
        if status.code != shipment.status {
            client // snag-expect: n-plus-one
                .execute(
                    "UPDATE shipments SET status = $1, checked_at = now() WHERE order_id = $2",
                    &[&status.code, &shipment.order_id],
                )
                .await?;
            changed.insert(shipment.tracking_no, status.code);
        }
    }
    Ok(Json(changed))
}

async fn summary(State(state): State<AppState>) -> Result<Json<HashMap<&'static str, i64>>, ApiError> {
    let client = state.db.get().await?;
    let mut counts = HashMap::new();
    for status in ["in_transit", "delivered", "returned"] {
        let row = client.query_one("SELECT count(order_id) FROM shipments WHERE status = $1", &[&status]).await?; // snag-ok: n-plus-one
        counts.insert(status, row.get::<_, i64>(0));
    }
    Ok(Json(counts))
}

async fn import_events(
    State(state): State<AppState>,
    Path(order_id): Path<i64>,
    Json(events): Json<Vec<CarrierEvent>>,
) -> Result<StatusCode, ApiError> {
    let mut client = state.db.get().await?;
    let tx = client.transaction().await?;
    for event in &events {
        tx.execute( // snag-expect: n-plus-one
            "INSERT INTO shipment_events (order_id, code, description, at) VALUES ($1, $2, $3, $4)",
            &[&order_id, &event.code, &event.description, &event.at],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn import_events_batched(
    State(state): State<AppState>,
    Path(order_id): Path<i64>,
    Json(events): Json<Vec<CarrierEvent>>,
) -> Result<StatusCode, ApiError> {
    let codes: Vec<&str> = events.iter().map(|e| e.code.as_str()).collect(); // snag-ok: n-plus-one
    let descriptions: Vec<&str> = events.iter().map(|e| e.description.as_str()).collect(); // snag-ok: n-plus-one
    let times: Vec<DateTime<Utc>> = events.iter().map(|e| e.at).collect();
    let client = state.db.get().await?;
    client // snag-ok: n-plus-one
        .execute(
            "INSERT INTO shipment_events (order_id, code, description, at)
             SELECT $1, c, d, t FROM UNNEST($2::text[], $3::text[], $4::timestamptz[]) AS e(c, d, t)",
            &[&order_id, &codes, &descriptions, &times],
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
