//! Operator endpoints for the edge nodes (axum): connectivity checks, log search, cache purges.

use std::process::Stdio;

use axum::{
    extract::{Path, Query},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

const LOG_DIR: &str = "/var/log/edge";
const CACHE_DIR: &str = "/var/cache/edge";
const ZONES: &[&str] = &["eu-west", "us-east", "ap-south"];

#[derive(Debug, Deserialize)]
pub struct HostQuery {
    pub host: String,
    pub count: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    pub pattern: String,
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PurgeRequest {
    pub zone: String,
    pub prefix: String,
}

#[derive(Debug, Deserialize)]
pub struct RestartRequest {
    pub unit: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CommandOutput {
    pub ok: bool,
    pub stdout: String,
}

type ApiResult = Result<Json<CommandOutput>, (StatusCode, String)>;

fn internal(err: std::io::Error) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
}

fn to_output(out: std::process::Output) -> Json<CommandOutput> {
    Json(CommandOutput { ok: out.status.success(), stdout: String::from_utf8_lossy(&out.stdout).into_owned() })
}

pub fn routes() -> Router {
    Router::new()
        .route("/ops/ping", get(ping))
        .route("/ops/ping-safe", get(ping_safe))
        .route("/ops/traceroute", get(traceroute))
        .route("/ops/logs/search", get(search_logs))
        .route("/ops/logs/grep", get(grep_logs))
        .route("/ops/cache/purge", post(purge_cache))
        .route("/ops/cache/:zone/size", get(cache_size))
        .route("/ops/cache/:zone/warm", post(warm_cache))
        .route("/ops/services/restart", post(restart_service))
}

async fn ping(Query(q): Query<HostQuery>) -> ApiResult {
    let count = q.count.as_deref().unwrap_or("3");
    let out = Command::new("sh") // snag-expect: slow-work-in-handler, command-injection
        .arg("-c")
        .arg(format!("ping -c {} -W 2 {}", count, q.host))
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn ping_safe(Query(q): Query<HostQuery>) -> ApiResult {
    let count: u8 = q.count.as_deref().unwrap_or("3").parse().map_err(|_| (StatusCode::BAD_REQUEST, "count must be a number".to_string()))?;
    let out = Command::new("ping") // snag-expect: slow-work-in-handler; snag-ok: command-injection
        .args(["-c", &count.to_string(), "-W", "2"])
        .arg(&q.host)
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn traceroute(Query(q): Query<HostQuery>) -> ApiResult {
    let script = format!("traceroute -n -m 20 {} 2>&1 | tail -n +2", q.host);
    let out = Command::new("bash").args(["-c", &script]).output().await.map_err(internal)?; // snag-expect: slow-work-in-handler, command-injection
    Ok(to_output(out))
}

async fn search_logs(Query(q): Query<LogQuery>) -> ApiResult {
    let file = q.file.unwrap_or_else(|| "access.log".to_string());
    let mut cmd = String::from("zgrep -h -m 500 ");
    cmd.push_str(&q.pattern);
    cmd.push(' ');
    cmd.push_str(&format!("{LOG_DIR}/{file}*"));
    let out = Command::new("sh").arg("-c").arg(&cmd).output().await.map_err(internal)?; // snag-expect: slow-work-in-handler, command-injection
    Ok(to_output(out))
}

async fn grep_logs(Query(q): Query<LogQuery>) -> ApiResult {
    let out = Command::new("sh") // snag-expect: slow-work-in-handler; snag-ok: command-injection
        .arg("-c")
        .arg(r#"zgrep -h -m 500 -F -- "$1" /var/log/edge/access.log*"#)
        .arg("sh")
        .arg(&q.pattern)
        .stdout(Stdio::piped())
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn purge_cache(Json(req): Json<PurgeRequest>) -> ApiResult {
    if !ZONES.contains(&req.zone.as_str()) {
        return Err((StatusCode::BAD_REQUEST, format!("unknown zone {}", req.zone)));
    }
    let quoted = shlex::try_quote(&req.prefix).map_err(|_| (StatusCode::BAD_REQUEST, "bad prefix".to_string()))?;
    let out = Command::new("sh") // snag-expect: slow-work-in-handler; snag-ok: command-injection
        .arg("-c")
        .arg(format!("find {CACHE_DIR}/{} -path {}'*' -delete", req.zone, quoted))
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn cache_size(Path(zone): Path<String>) -> ApiResult {
    let out = Command::new("sh") // snag-expect: slow-work-in-handler, command-injection
        .arg("-c")
        .arg(format!("du -sh {CACHE_DIR}/{zone} | cut -f1"))
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn warm_cache(Path(zone): Path<String>) -> ApiResult {
    let zone = match zone.as_str() {
        "eu-west" => "eu-west",
        "us-east" => "us-east",
        "ap-south" => "ap-south",
        _ => return Err((StatusCode::NOT_FOUND, "unknown zone".to_string())),
    };
    let out = Command::new("sh") // snag-expect: slow-work-in-handler; snag-ok: command-injection
        .arg("-c")
        .arg(format!("xargs -a {CACHE_DIR}/{zone}/hot-urls.txt -P 8 -n 1 curl -s -o /dev/null"))
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}

async fn restart_service(Json(req): Json<RestartRequest>) -> ApiResult {
    let reason = req.reason.unwrap_or_default();
    let out = Command::new("/bin/sh") // snag-expect: slow-work-in-handler, command-injection
        .arg("-c")
        .arg(format!("logger -t edge-ops 'restart {}: {}' && systemctl restart {}", req.unit, reason, req.unit))
        .output()
        .await
        .map_err(internal)?;
    Ok(to_output(out))
}
