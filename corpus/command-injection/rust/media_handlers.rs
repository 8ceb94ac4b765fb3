//! Media processing endpoints (actix-web): transcodes, probes, waveforms.

use std::io;
use std::process::{Command, Output};

use actix_web::{get, post, web, HttpResponse, Responder};
use serde::Deserialize;

const MEDIA_ROOT: &str = "/srv/media";
const FFMPEG: &str = "/usr/bin/ffmpeg";

#[derive(Debug, Deserialize)]
pub struct TranscodeForm {
    pub scale: String,
    pub codec: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ProbeQuery {
    pub url: String,
}

#[derive(Debug, Deserialize)]
pub struct WaveformQuery {
    pub width: String,
    pub color: String,
}

#[derive(Debug, Deserialize)]
pub struct ClipForm {
    pub start: String,
    pub duration: String,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(transcode)
        .service(thumbnail)
        .service(probe)
        .service(probe_local)
        .service(waveform)
        .service(clip)
        .service(loudness);
}

fn run_shell(line: &str) -> io::Result<Output> {
    Command::new("sh").arg("-c").arg(line).output() // snag-expect: command-injection
}

fn probe_file(path: &str) -> io::Result<Output> {
    let quoted = shlex::try_quote(path).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    Command::new("sh") // snag-ok: command-injection
        .arg("-c")
        .arg(format!("ffprobe -v quiet -print_format json -show_streams {quoted} | jq -c .streams"))
        .output()
}

#[post("/media/{id}/transcode")]
async fn transcode(id: web::Path<u64>, form: web::Json<TranscodeForm>) -> actix_web::Result<impl Responder> {
    let id = id.into_inner();
    let form = form.into_inner();
    let codec = form.codec.unwrap_or_else(|| "libx264".to_string());
    let status = web::block(move || {
        Command::new("sh") // snag-expect: slow-work-in-handler, command-injection
            .arg("-c")
            .arg(format!("{FFMPEG} -y -i {MEDIA_ROOT}/{id}/source -vf scale={} -c:v {} {MEDIA_ROOT}/{id}/out.mp4", form.scale, codec))
            .status()
    })
    .await?
    .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": status.success() })))
}

#[post("/media/{id}/thumbnail")]
async fn thumbnail(id: web::Path<u64>) -> actix_web::Result<impl Responder> {
    let id = id.into_inner();
    let status = web::block(move || {
        Command::new(FFMPEG) // snag-expect: slow-work-in-handler; snag-ok: command-injection
            .args(["-y", "-ss", "2", "-i"])
            .arg(format!("{MEDIA_ROOT}/{id}/source"))
            .args(["-frames:v", "1"])
            .arg(format!("{MEDIA_ROOT}/{id}/thumb.jpg"))
            .status()
    })
    .await?
    .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": status.success() })))
}

#[get("/media/probe")]
async fn probe(q: web::Query<ProbeQuery>) -> actix_web::Result<impl Responder> {
    let out = tokio::process::Command::new("sh") // snag-expect: slow-work-in-handler, command-injection
        .arg("-c")
        .arg(format!("ffprobe -v quiet -print_format json -show_format '{}'", q.url))
        .output()
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().content_type("application/json").body(out.stdout))
}

#[get("/media/{id}/probe")]
async fn probe_local(id: web::Path<String>) -> actix_web::Result<impl Responder> {
    let path = format!("{MEDIA_ROOT}/{}/source", id.into_inner());
    let out = web::block(move || probe_file(&path)).await?.map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().content_type("application/json").body(out.stdout))
}

#[get("/media/{id}/waveform.png")]
async fn waveform(id: web::Path<u64>, q: web::Query<WaveformQuery>) -> actix_web::Result<impl Responder> {
    let id = id.into_inner();
    let width: u32 = q.width.parse().map_err(actix_web::error::ErrorBadRequest)?;
    let color = if q.color == "dark" { "0x222222" } else { "0x3366ff" };
    let out = tokio::process::Command::new("sh") // snag-expect: slow-work-in-handler; snag-ok: command-injection
        .arg("-c")
        .arg(format!("{FFMPEG} -v quiet -i {MEDIA_ROOT}/{id}/source -filter_complex showwavespic=s={width}x120:colors={color} -frames:v 1 -f image2pipe -"))
        .output()
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().content_type("image/png").body(out.stdout))
}

#[post("/media/{id}/clip")]
async fn clip(id: web::Path<u64>, form: web::Form<ClipForm>) -> actix_web::Result<impl Responder> {
    let id = id.into_inner();
    let line = format!("{FFMPEG} -y -ss {} -t {} -i {MEDIA_ROOT}/{id}/source -c copy {MEDIA_ROOT}/{id}/clip.mp4", form.start, form.duration);
    let out = web::block(move || run_shell(&line)).await?.map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": out.status.success() })))
}

#[get("/media/{id}/loudness")]
async fn loudness(id: web::Path<u64>) -> actix_web::Result<impl Responder> {
    let id = id.into_inner();
    let out = web::block(move || run_shell(&format!("{FFMPEG} -i {MEDIA_ROOT}/{id}/source -af ebur128 -f null - 2>&1 | tail -n 12")))
        .await?
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().body(out.stdout))
}
