//! Storefront theme endpoints (actix-web).
//!
//! Each shop has a theme directory under `ThemeStore::root/<shop_id>/`:
//! `settings.json`, the Liquid templates and uploaded assets. Merchants edit
//! them from the admin; the storefront reads them on every page render.

use std::path::PathBuf;
use std::time::Duration;

use actix_web::{error, get, post, put, web, HttpResponse, Responder, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub struct ThemeStore {
    pub root: PathBuf,
    pub publish_hook: String,
}

#[derive(Deserialize)]
pub struct TemplateBody {
    pub source: String,
}

#[derive(Serialize)]
struct Published {
    shop_id: u64,
    version: String,
}

fn shop_dir(store: &ThemeStore, shop_id: u64) -> PathBuf {
    store.root.join(shop_id.to_string())
}

#[get("/shops/{shop_id}/theme/settings")]
async fn theme_settings(store: web::Data<ThemeStore>, path: web::Path<u64>) -> Result<impl Responder> {
    let shop_id = path.into_inner();
    let raw = std::fs::read_to_string(shop_dir(&store, shop_id).join("settings.json")) // snag-expect: blocking-in-async
        .map_err(error::ErrorNotFound)?;
    let settings: Value = serde_json::from_str(&raw).map_err(error::ErrorInternalServerError)?;
    Ok(web::Json(settings))
}

#[get("/shops/{shop_id}/theme/templates/{name}")]
async fn template_source(store: web::Data<ThemeStore>, path: web::Path<(u64, String)>) -> Result<HttpResponse> {
    let (shop_id, name) = path.into_inner();
    let file = shop_dir(&store, shop_id).join("templates").join(format!("{name}.liquid"));
    let source = web::block(move || std::fs::read_to_string(file)) // snag-ok: blocking-in-async
        .await?
        .map_err(error::ErrorNotFound)?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(source))
}

#[put("/shops/{shop_id}/theme/templates/{name}")]
async fn save_template(
    store: web::Data<ThemeStore>,
    path: web::Path<(u64, String)>,
    body: web::Json<TemplateBody>,
) -> Result<HttpResponse> {
    let (shop_id, name) = path.into_inner();
    let dir = shop_dir(&store, shop_id).join("templates");
    let current = dir.join(format!("{name}.liquid"));
    let backup = dir.join(format!("{name}.liquid.bak"));
    std::fs::copy(&current, &backup).map_err(error::ErrorInternalServerError)?; // snag-expect: blocking-in-async
    tokio::fs::write(&current, body.source.as_bytes()) // snag-ok: blocking-in-async
        .await
        .map_err(error::ErrorInternalServerError)?;
    Ok(HttpResponse::NoContent().finish())
}

#[get("/shops/{shop_id}/theme/assets")]
async fn list_assets(store: web::Data<ThemeStore>, path: web::Path<u64>) -> Result<impl Responder> {
    let assets_dir = shop_dir(&store, path.into_inner()).join("assets");
    let entries = std::fs::read_dir(&assets_dir).map_err(error::ErrorNotFound)?; // snag-expect: blocking-in-async
    let names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    Ok(web::Json(names))
}

#[post("/shops/{shop_id}/theme/publish")]
async fn publish(store: web::Data<ThemeStore>, path: web::Path<u64>) -> Result<impl Responder> {
    let shop_id = path.into_inner();
    let dir = shop_dir(&store, shop_id);
    let version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let settings = tokio::fs::read(dir.join("settings.json")).await.map_err(error::ErrorNotFound)?; // snag-ok: blocking-in-async
    serde_json::from_slice::<Value>(&settings).map_err(error::ErrorBadRequest)?;
    std::fs::write(dir.join("VERSION"), &version).map_err(error::ErrorInternalServerError)?; // snag-expect: blocking-in-async
    // Give the CDN purge webhook a moment before the storefront re-reads.
    std::thread::sleep(Duration::from_millis(250)); // snag-expect: blocking-in-async
    tracing::info!(shop_id, %version, hook = %store.publish_hook, "theme published");
    Ok(web::Json(Published { shop_id, version }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(theme_settings)
        .service(template_source)
        .service(save_template)
        .service(list_assets)
        .service(publish);
}
