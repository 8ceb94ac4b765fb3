//! Background workers for the listings site: the `media` and `reports`
//! apalis queues, plus the notifier that drains the in-process event channel.
//! Built into the `nestlet-worker` binary; nothing here runs inside an HTTP
//! request.

use std::path::PathBuf;

use apalis::prelude::*;
use apalis_redis::RedisStorage;
use image::imageops::FilterType;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rust_xlsxwriter::Workbook;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::process::Command;
use tokio::sync::mpsc;

use crate::events::NotifyEvent;

#[derive(Debug, Serialize, Deserialize)]
pub enum MediaJob {
    Photo { listing: u64, name: String },
    Walkthrough { listing: u64 },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReportJob {
    pub landlord_id: i64,
    pub requested_by: String,
}

#[derive(Clone)]
pub struct WorkerContext {
    pub db: PgPool,
    pub media_root: PathBuf,
    pub mailer: AsyncSmtpTransport<Tokio1Executor>,
}

pub async fn media(job: MediaJob, ctx: Data<WorkerContext>) -> Result<(), Error> {
    match job {
        MediaJob::Photo { listing, name } => {
            let dir = ctx.media_root.join(listing.to_string());
            tokio::task::spawn_blocking(move || -> image::ImageResult<()> {
                let original = image::open(dir.join("originals").join(&name))?;
                for width in [320u32, 640, 1280] {
                    let rendition = original.resize(width, width * 3 / 4, FilterType::Lanczos3); // snag-ok: slow-work-in-handler
                    rendition.save(dir.join(format!("{width}-{name}")))?;
                }
                Ok(())
            })
            .await
            .map_err(|err| Error::Failed(err.into()))?
            .map_err(|err| Error::Failed(err.into()))?;
        }
        MediaJob::Walkthrough { listing } => {
            let dir = ctx.media_root.join(listing.to_string());
            let status = Command::new("ffmpeg") // snag-ok: slow-work-in-handler
                .args(["-y", "-i"])
                .arg(dir.join("walkthrough-original.mov"))
                .args(["-vf", "scale=-2:1080", "-c:v", "libx264", "-crf", "22"])
                .arg(dir.join("walkthrough.mp4"))
                .status()
                .await
                .map_err(|err| Error::Failed(err.into()))?;
            if !status.success() {
                return Err(Error::Failed("ffmpeg failed".into()));
            }
        }
    }
    Ok(())
}

pub async fn bookings_report(job: ReportJob, ctx: Data<WorkerContext>) -> Result<(), Error> {
    let rows: Vec<(String, String, i32)> = sqlx::query_as("SELECT listing_title, guest_name, nights FROM bookings WHERE landlord_id = $1 ORDER BY check_in")
        .bind(job.landlord_id)
        .fetch_all(&ctx.db)
        .await
        .map_err(|err| Error::Failed(err.into()))?;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (i, (listing, guest, nights)) in rows.iter().enumerate() {
        let r = i as u32;
        sheet.write_string(r, 0, listing).and_then(|s| s.write_string(r, 1, guest)).and_then(|s| s.write_number(r, 2, *nights)).map_err(|err| Error::Failed(err.into()))?;
    }
    let path = ctx.media_root.join("reports").join(format!("bookings-{}.xlsx", job.landlord_id));
    let bytes = workbook.save_to_buffer().map_err(|err| Error::Failed(err.into()))?; // snag-ok: slow-work-in-handler
    tokio::fs::write(&path, bytes).await.map_err(|err| Error::Failed(err.into()))?;
    let email = Message::builder()
        .from("Nestlet <reports@nestlet.rent>".parse().unwrap())
        .to(job.requested_by.parse().map_err(|err: lettre::address::AddressError| Error::Failed(err.into()))?)
        .subject("Your bookings report is ready")
        .header(ContentType::TEXT_PLAIN)
        .body(format!("Download: https://nestlet.rent/reports/{}", path.file_name().unwrap().to_string_lossy()))
        .map_err(|err| Error::Failed(err.into()))?;
    ctx.mailer.send(email).await.map_err(|err| Error::Failed(err.into()))?; // snag-ok: slow-work-in-handler
    Ok(())
}

/// Drains the notification channel the HTTP handlers publish to.
pub async fn run_notifier(mut events: mpsc::Receiver<NotifyEvent>, ctx: WorkerContext) {
    while let Some(event) = events.recv().await {
        let NotifyEvent::PhotoReady { listing, agent_email } = event else { continue };
        let Ok(message) = Message::builder()
            .from("Nestlet <media@nestlet.rent>".parse().unwrap())
            .to(match agent_email.parse() {
                Ok(to) => to,
                Err(_) => continue,
            })
            .subject(format!("Photos for listing {listing} are live"))
            .body(format!("See them at https://nestlet.rent/l/{listing}"))
        else {
            continue;
        };
        if let Err(err) = ctx.mailer.send(message).await { // snag-ok: slow-work-in-handler
            tracing::warn!(%err, "photo-ready mail failed");
        }
    }
}

pub async fn run(ctx: WorkerContext, redis_url: &str) -> anyhow::Result<()> {
    let conn = apalis_redis::connect(redis_url).await?;
    let media_jobs: RedisStorage<MediaJob> = RedisStorage::new(conn.clone());
    let report_jobs: RedisStorage<ReportJob> = RedisStorage::new(conn);
    Monitor::new()
        .register(WorkerBuilder::new("media").concurrency(2).data(ctx.clone()).backend(media_jobs).build_fn(media))
        .register(WorkerBuilder::new("reports").data(ctx).backend(report_jobs).build_fn(bookings_report))
        .run()
        .await?;
    Ok(())
}
