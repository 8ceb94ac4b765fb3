//! Shipment exports for the carrier dashboard (axum): CSV and XLSX of a
//! carrier's shipments, the monthly statement PDF, and the queued full export.
//!
//! Full exports are supposed to be built by the `exports` worker
//! (`workers::exports`), which uploads them and e-mails a link.

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use apalis::prelude::*;
use apalis_redis::RedisStorage;
use chrono::{DateTime, NaiveDate, Utc};
use printpdf::{BuiltinFont, Mm, PdfDocument};
use rust_xlsxwriter::Workbook;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::auth::Carrier;
use crate::error::AppError;
use crate::workers::exports::ExportJob;

#[derive(Clone)]
pub struct ExportState {
    pub db: PgPool,
    pub jobs: RedisStorage<ExportJob>,
}

#[derive(sqlx::FromRow, Serialize)]
struct ShipmentRow {
    tracking_no: String,
    created_at: DateTime<Utc>,
    origin: String,
    destination: String,
    weight_grams: i32,
    status: String,
}

#[derive(Deserialize)]
struct Month {
    month: NaiveDate,
}

const SHIPMENT_COLUMNS: &str = "SELECT tracking_no, created_at, origin, destination, weight_grams, status FROM shipments";

async fn shipments_csv(State(state): State<ExportState>, carrier: Carrier) -> Result<impl IntoResponse, AppError> {
    let rows: Vec<ShipmentRow> = sqlx::query_as(&format!("{SHIPMENT_COLUMNS} WHERE carrier_id = $1 ORDER BY created_at"))
        .bind(carrier.id)
        .fetch_all(&state.db)
        .await?;
    let mut wtr = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 96));
    for row in &rows {
        wtr.serialize(row)?; // snag-expect: slow-work-in-handler
    }
    let body = wtr.into_inner().map_err(|err| AppError::internal(err.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/csv"), (header::CONTENT_DISPOSITION, "attachment; filename=\"shipments.csv\"")], body))
}

async fn recent_shipments_csv(State(state): State<ExportState>, carrier: Carrier) -> Result<impl IntoResponse, AppError> {
    let rows: Vec<ShipmentRow> = sqlx::query_as(&format!("{SHIPMENT_COLUMNS} WHERE carrier_id = $1 ORDER BY created_at DESC LIMIT 100"))
        .bind(carrier.id)
        .fetch_all(&state.db)
        .await?;
    let mut wtr = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        wtr.serialize(row)?; // snag-ok: slow-work-in-handler
    }
    let body = wtr.into_inner().map_err(|err| AppError::internal(err.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/csv")], body))
}

async fn shipments_xlsx(State(state): State<ExportState>, carrier: Carrier) -> Result<impl IntoResponse, AppError> {
    let rows: Vec<ShipmentRow> = sqlx::query_as(&format!("{SHIPMENT_COLUMNS} WHERE carrier_id = $1 ORDER BY created_at"))
        .bind(carrier.id)
        .fetch_all(&state.db)
        .await?;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Shipments")?;
    sheet.write_row(0, 0, ["Tracking", "Created", "Origin", "Destination", "Weight (g)", "Status"])?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.tracking_no)?;
        sheet.write_string(r, 1, row.created_at.to_rfc3339())?;
        sheet.write_string(r, 2, &row.origin)?;
        sheet.write_string(r, 3, &row.destination)?;
        sheet.write_number(r, 4, row.weight_grams)?;
        sheet.write_string(r, 5, &row.status)?;
    }
    let bytes = workbook.save_to_buffer()?; // snag-expect: slow-work-in-handler
    Ok(([(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")], bytes))
}

async fn monthly_statement(State(state): State<ExportState>, carrier: Carrier, Query(q): Query<Month>) -> Result<impl IntoResponse, AppError> {
    let rows: Vec<ShipmentRow> = sqlx::query_as(&format!(
        "{SHIPMENT_COLUMNS} WHERE carrier_id = $1 AND created_at >= $2 AND created_at < $2 + interval '1 month' ORDER BY created_at"
    ))
    .bind(carrier.id)
    .bind(q.month)
    .fetch_all(&state.db)
    .await?;
    let pdf = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, printpdf::Error> {
        let (doc, first_page, first_layer) = PdfDocument::new("Monthly statement", Mm(210.0), Mm(297.0), "body");
        let font = doc.add_builtin_font(BuiltinFont::Helvetica)?;
        let (mut page, mut layer, mut y) = (first_page, first_layer, 280.0);
        for row in &rows {
            if y < 20.0 {
                (page, layer) = doc.add_page(Mm(210.0), Mm(297.0), "body");
                y = 280.0;
            }
            let line = format!("{}  {}  {} -> {}  {} g  {}", row.created_at.date_naive(), row.tracking_no, row.origin, row.destination, row.weight_grams, row.status);
            doc.get_page(page).get_layer(layer).use_text(line, 8.0, Mm(12.0), Mm(y), &font);
            y -= 4.5;
        }
        doc.save_to_bytes() // snag-expect: slow-work-in-handler
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf))
}

async fn request_full_export(State(state): State<ExportState>, carrier: Carrier, Path(kind): Path<String>) -> Result<impl IntoResponse, AppError> {
    let mut jobs = state.jobs.clone();
    let queued = jobs.push(ExportJob { carrier_id: carrier.id, kind, requested_by: carrier.user_email.clone() }).await?; // snag-ok: slow-work-in-handler
    Ok((StatusCode::ACCEPTED, Json(queued.task_id.to_string())))
}

pub fn routes(state: ExportState) -> Router {
    Router::new()
        .route("/exports/shipments.csv", get(shipments_csv))
        .route("/exports/shipments/recent.csv", get(recent_shipments_csv))
        .route("/exports/shipments.xlsx", get(shipments_xlsx))
        .route("/exports/statement.pdf", get(monthly_statement))
        .route("/exports/:kind", post(request_full_export))
        .with_state(state)
}
