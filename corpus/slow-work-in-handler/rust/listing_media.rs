//! Listing media endpoints (actix-web): photos and walkthrough videos for
//! rental listings.
//!
//! Originals are written under `MediaConfig::root/<listing>/`. Renditions are
//! meant to come from the `media` job queue (`workers::media`), but several
//! handlers below still do the work before answering.

use std::io::Cursor;
use std::path::PathBuf;

use actix_web::{error, post, web, HttpResponse, Result};
use apalis::prelude::*;
use apalis_redis::RedisStorage;
use image::{imageops::FilterType, ImageFormat, ImageReader};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

use crate::workers::media::MediaJob;

pub struct MediaConfig {
    pub root: PathBuf,
    pub ffmpeg: PathBuf,
}

#[derive(Deserialize)]
pub struct PosterAt {
    seconds: u32,
}

#[derive(Serialize)]
struct Stored {
    url: String,
}

fn listing_dir(config: &MediaConfig, listing: u64) -> PathBuf {
    config.root.join(listing.to_string())
}

#[post("/listings/{listing}/photos")]
async fn upload_photo(
    config: web::Data<MediaConfig>,
    jobs: web::Data<RedisStorage<MediaJob>>,
    listing: web::Path<u64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    let listing = listing.into_inner();
    let (width, height) = ImageReader::new(Cursor::new(&body)) // snag-ok: slow-work-in-handler
        .with_guessed_format()
        .map_err(error::ErrorBadRequest)?
        .into_dimensions()
        .map_err(error::ErrorBadRequest)?;
    if width < 1024 || height < 768 {
        return Err(error::ErrorUnprocessableEntity("photos must be at least 1024x768"));
    }
    let name = format!("{}.jpg", uuid::Uuid::new_v4());
    tokio::fs::write(listing_dir(&config, listing).join("originals").join(&name), &body).await?;
    let mut jobs = jobs.get_ref().clone();
    jobs.push(MediaJob::Photo { listing, name: name.clone() }).await.map_err(error::ErrorInternalServerError)?; // snag-ok: slow-work-in-handler
    Ok(HttpResponse::Accepted().json(Stored { url: format!("/media/{listing}/{name}") }))
}

#[post("/listings/{listing}/cover")]
async fn upload_cover(config: web::Data<MediaConfig>, listing: web::Path<u64>, body: web::Bytes) -> Result<HttpResponse> {
    let target = listing_dir(&config, listing.into_inner()).join("cover.webp");
    web::block(move || -> image::ImageResult<()> {
        let cover = image::load_from_memory(&body)?.resize_to_fill(1600, 900, FilterType::Lanczos3); // snag-expect: slow-work-in-handler
        cover.save_with_format(&target, ImageFormat::WebP)
    })
    .await?
    .map_err(error::ErrorBadRequest)?;
    Ok(HttpResponse::Created().finish())
}

#[post("/agents/{agent}/avatar")]
async fn upload_avatar(config: web::Data<MediaConfig>, agent: web::Path<u64>, body: web::Bytes) -> Result<HttpResponse> {
    let target = config.root.join("agents").join(format!("{}.png", agent.into_inner()));
    let thumb = tokio::task::spawn_blocking(move || image::load_from_memory(&body).map(|img| img.thumbnail(256, 256))) // snag-expect: slow-work-in-handler
        .await
        .map_err(error::ErrorInternalServerError)?
        .map_err(error::ErrorBadRequest)?;
    let mut png = Vec::new();
    thumb.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).map_err(error::ErrorInternalServerError)?;
    tokio::fs::write(target, &png).await?;
    Ok(HttpResponse::Created().finish())
}

#[post("/listings/{listing}/walkthrough/transcode")]
async fn transcode_walkthrough(config: web::Data<MediaConfig>, listing: web::Path<u64>) -> Result<HttpResponse> {
    let dir = listing_dir(&config, listing.into_inner());
    let status = Command::new(&config.ffmpeg) // snag-expect: slow-work-in-handler
        .args(["-y", "-i"])
        .arg(dir.join("walkthrough-original.mov"))
        .args(["-vf", "scale=-2:1080", "-c:v", "libx264", "-crf", "22", "-movflags", "+faststart"])
        .arg(dir.join("walkthrough.mp4"))
        .status()
        .await?;
    if !status.success() {
        return Err(error::ErrorInternalServerError("ffmpeg failed"));
    }
    Ok(HttpResponse::Ok().json(Stored { url: "walkthrough.mp4".into() }))
}

#[post("/listings/{listing}/walkthrough/poster")]
async fn walkthrough_poster(config: web::Data<MediaConfig>, listing: web::Path<u64>, at: web::Query<PosterAt>) -> Result<HttpResponse> {
    let dir = listing_dir(&config, listing.into_inner());
    let output = std::process::Command::new(&config.ffmpeg) // snag-expect: slow-work-in-handler, blocking-in-async
        .args(["-y", "-ss", &at.seconds.to_string(), "-i"])
        .arg(dir.join("walkthrough.mp4"))
        .args(["-frames:v", "1"])
        .arg(dir.join("poster.jpg"))
        .output()?;
    if !output.status.success() {
        return Err(error::ErrorInternalServerError(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    Ok(HttpResponse::Ok().json(Stored { url: "poster.jpg".into() }))
}

#[post("/listings/{listing}/photos/{name}/regenerate")]
async fn regenerate_photo(config: web::Data<MediaConfig>, path: web::Path<(u64, String)>) -> Result<HttpResponse> {
    let (listing, name) = path.into_inner();
    let dir = listing_dir(&config, listing);
    // Fire and forget on the blocking pool: the editor polls for the result.
    let _detached = tokio::task::spawn_blocking(move || {
        match image::open(dir.join("originals").join(&name)) {
            Ok(img) => {
                let small = img.resize(640, 480, FilterType::Triangle); // snag-ok: slow-work-in-handler
                if let Err(err) = small.save(dir.join(format!("640-{name}"))) {
                    tracing::warn!(%err, "regenerate failed");
                }
            }
            Err(err) => tracing::warn!(%err, "regenerate: unreadable original"),
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(upload_photo)
        .service(upload_cover)
        .service(upload_avatar)
        .service(transcode_walkthrough)
        .service(walkthrough_poster)
        .service(regenerate_photo);
}
