//! Ticket attachment endpoints (axum). Attachments are stored on the local
//! volume under `AppState::root/<ticket>/<name>`; the per-ticket quota cache
//! lives in memory.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Serialize;

#[derive(Clone)]
pub struct AppState {
    pub root: PathBuf,
    pub quota_used: Arc<Mutex<HashMap<u64, u64>>>,
}

#[derive(Serialize)]
pub struct Stored {
    name: String,
    size: u64,
}

pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        match err.kind() {
            std::io::ErrorKind::NotFound => ApiError(StatusCode::NOT_FOUND, "no such attachment".into()),
            _ => ApiError(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
        }
    }
}

fn attachment_path(root: &PathBuf, ticket: u64, name: &str) -> Result<PathBuf, ApiError> {
    if name.contains('/') || name.starts_with('.') {
        return Err(ApiError(StatusCode::BAD_REQUEST, "bad attachment name".into()));
    }
    Ok(root.join(ticket.to_string()).join(name))
}

async fn download(State(state): State<AppState>, Path((ticket, name)): Path<(u64, String)>) -> Result<Response, ApiError> {
    let path = attachment_path(&state.root, ticket, &name)?;
    let bytes = fs::read(&path)?; // snag-expect: blocking-in-async
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

async fn download_async(State(state): State<AppState>, Path((ticket, name)): Path<(u64, String)>) -> Result<Response, ApiError> {
    let path = attachment_path(&state.root, ticket, &name)?;
    let bytes = tokio::fs::read(&path).await?; // snag-ok: blocking-in-async
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

async fn upload(
    State(state): State<AppState>,
    Path((ticket, name)): Path<(u64, String)>,
    body: Bytes,
) -> Result<Json<Stored>, ApiError> {
    let path = attachment_path(&state.root, ticket, &name)?;
    std::fs::create_dir_all(path.parent().expect("joined under root"))?; // snag-expect: blocking-in-async
    let mut file = File::create(&path)?; // snag-expect: blocking-in-async
    file.write_all(&body)?;
    let mode = std::fs::Permissions::from_mode(0o640); // snag-ok: blocking-in-async
    tokio::fs::set_permissions(&path, mode).await?;
    {
        let mut used = state.quota_used.lock().expect("quota lock poisoned"); // snag-ok: blocking-in-async
        *used.entry(ticket).or_default() += body.len() as u64;
    }
    Ok(Json(Stored { name, size: body.len() as u64 }))
}

async fn replace(
    State(state): State<AppState>,
    Path((ticket, name)): Path<(u64, String)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let path = attachment_path(&state.root, ticket, &name)?;
    let previous = fs::metadata(&path)?.len(); // snag-expect: blocking-in-async
    tokio::fs::write(&path, &body).await?; // snag-ok: blocking-in-async
    let mut used = state.quota_used.lock().expect("quota lock poisoned"); // snag-ok: blocking-in-async
    let entry = used.entry(ticket).or_default();
    *entry = entry.saturating_sub(previous) + body.len() as u64;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(State(state): State<AppState>, Path((ticket, name)): Path<(u64, String)>) -> Result<StatusCode, ApiError> {
    let path = attachment_path(&state.root, ticket, &name)?;
    std::fs::remove_file(&path)?; // snag-expect: blocking-in-async
    Ok(StatusCode::NO_CONTENT)
}

async fn archive(State(state): State<AppState>, Path(ticket): Path<u64>) -> Result<StatusCode, ApiError> {
    let from = state.root.join(ticket.to_string());
    let to = state.root.join("archived").join(ticket.to_string());
    tokio::task::spawn_blocking(move || {
        fs::create_dir_all(to.parent().expect("archived dir"))?; // snag-ok: blocking-in-async
        fs::rename(&from, &to) // snag-ok: blocking-in-async
    })
    .await
    .map_err(|err| ApiError(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))??;
    Ok(StatusCode::ACCEPTED)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/tickets/:ticket/attachments/:name", get(download).put(replace).post(upload).delete(remove))
        .route("/tickets/:ticket/attachments/:name/async", get(download_async))
        .route("/tickets/:ticket/archive", axum::routing::post(archive))
        .with_state(state)
}
