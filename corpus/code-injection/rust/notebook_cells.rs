//! Notebook cell execution for the analytics workbench (axum): Python cells via pyo3,
//! JavaScript cells via boa.

use axum::{extract::Query, http::StatusCode, routing::post, Json, Router};
use boa_engine::{Context, Source};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::{Deserialize, Serialize};

const POLYFILLS: &str = include_str!("../js/polyfills.js");
const SUMMARY_EXPR: &str = "{'mean': sum(xs) / len(xs), 'max': max(xs), 'min': min(xs)} if xs else {}";

#[derive(Debug, Deserialize)]
pub struct Cell {
    pub code: String,
}

#[derive(Debug, Deserialize)]
pub struct ExprQuery {
    pub expr: String,
}

#[derive(Debug, Deserialize)]
pub struct Series {
    pub xs: Vec<f64>,
}

#[derive(Debug, Deserialize)]
pub struct ChartSpec {
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct CellOutput {
    pub output: String,
}

type ApiResult = Result<Json<CellOutput>, (StatusCode, String)>;

fn failed(err: impl std::fmt::Display) -> (StatusCode, String) {
    (StatusCode::UNPROCESSABLE_ENTITY, err.to_string())
}

pub fn routes() -> Router {
    Router::new()
        .route("/cells/python", post(run_python))
        .route("/cells/python/eval", post(eval_python))
        .route("/cells/js", post(run_js))
        .route("/series/summary", post(summary))
        .route("/charts/validate", post(validate_chart))
}

async fn run_python(Json(cell): Json<Cell>) -> ApiResult {
    let output = tokio::task::spawn_blocking(move || {
        Python::with_gil(|py| -> PyResult<String> {
            let locals = PyDict::new_bound(py);
            py.run_bound(&cell.code, None, Some(&locals))?; // snag-expect: code-injection
            Ok(locals.get_item("result")?.map(|v| v.to_string()).unwrap_or_default())
        })
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    Ok(Json(CellOutput { output }))
}

async fn eval_python(Query(q): Query<ExprQuery>) -> ApiResult {
    let output = tokio::task::spawn_blocking(move || {
        Python::with_gil(|py| py.eval_bound(&q.expr, None, None).map(|v| v.to_string())) // snag-expect: code-injection
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    Ok(Json(CellOutput { output }))
}

async fn summary(Json(series): Json<Series>) -> ApiResult {
    let output = tokio::task::spawn_blocking(move || {
        Python::with_gil(|py| -> PyResult<String> {
            let locals = PyDict::new_bound(py);
            locals.set_item("xs", series.xs)?;
            Ok(py.eval_bound(SUMMARY_EXPR, None, Some(&locals))?.to_string()) // snag-ok: code-injection
        })
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    Ok(Json(CellOutput { output }))
}

async fn run_js(Json(cell): Json<Cell>) -> ApiResult {
    let output = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let mut context = Context::default();
        context.eval(Source::from_bytes(POLYFILLS)).map_err(|e| e.to_string())?; // snag-ok: code-injection
        let value = context.eval(Source::from_bytes(cell.code.as_bytes())).map_err(|e| e.to_string())?; // snag-expect: code-injection
        Ok(value.display().to_string())
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    Ok(Json(CellOutput { output }))
}

async fn validate_chart(body: String) -> ApiResult {
    let spec: ChartSpec = serde_yaml::from_str(&body).map_err(failed)?; // snag-ok: code-injection
    Ok(Json(CellOutput { output: format!("{} chart \"{}\" is valid", spec.kind, spec.title) }))
}
