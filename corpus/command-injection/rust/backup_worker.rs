//! Backup worker: pops jobs from Redis and runs pg_dump / restore / upload for each.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use chrono::Utc;
use redis::AsyncCommands;
use serde::Deserialize;
use tokio::process::Command;

const BACKUP_DIR: &str = "/var/backups/pg";
const QUEUE: &str = "jobs:backup";

#[derive(Debug, Deserialize)]
pub struct BackupJob {
    pub database: String,
    pub bucket: String,
    pub retention_days: u32,
    pub restore_into: Option<String>,
}

async fn check(status: std::io::Result<std::process::ExitStatus>, what: &str) -> Result<()> {
    let status = status?;
    if !status.success() {
        bail!("{what} failed with {status}");
    }
    Ok(())
}

pub async fn dump(job: &BackupJob) -> Result<PathBuf> {
    let file = PathBuf::from(format!("{BACKUP_DIR}/{}-{}.sql.gz", job.database, Utc::now().format("%Y%m%dT%H%M")));
    let status = Command::new("sh") // snag-expect: command-injection
        .arg("-c")
        .arg(format!("pg_dump --no-owner {} | gzip -6 > {}", job.database, file.display()))
        .status()
        .await;
    check(status, "pg_dump").await?;
    Ok(file)
}

pub async fn verify(file: &Path) -> Result<()> {
    let status = Command::new("gunzip").arg("-t").arg(file).status().await; // snag-ok: command-injection
    check(status, "gunzip -t").await
}

pub async fn upload(job: &BackupJob, file: &Path) -> Result<()> {
    let status = Command::new("aws") // snag-ok: command-injection
        .args(["s3", "cp", "--only-show-errors"])
        .arg(file)
        .arg(format!("s3://{}/pg/", job.bucket))
        .status()
        .await;
    check(status, "upload").await
}

pub async fn mirror(job: &BackupJob) -> Result<()> {
    let status = Command::new("sh") // snag-expect: command-injection
        .arg("-c")
        .arg(format!("aws s3 sync {BACKUP_DIR} s3://{}/pg-mirror --delete --only-show-errors", job.bucket))
        .status()
        .await;
    check(status, "mirror").await
}

pub async fn prune(job: &BackupJob) -> Result<()> {
    let status = Command::new("sh") // snag-ok: command-injection
        .arg("-c")
        .arg(format!("find {BACKUP_DIR} -name '*.sql.gz' -mtime +{} -delete", job.retention_days))
        .status()
        .await;
    check(status, "prune").await
}

pub async fn restore(file: &Path, target_db: &str) -> Result<()> {
    let line = format!("gunzip -c {} | psql --single-transaction {}", file.display(), target_db);
    let status = Command::new("bash").arg("-c").arg(&line).status().await; // snag-expect: command-injection
    check(status, "restore").await
}

pub async fn restore_quoted(file: &Path, target_db: &str) -> Result<()> {
    let file = file.to_string_lossy();
    let line = format!("gunzip -c {} | psql --single-transaction {}", shell_escape::escape(file), shell_escape::escape(target_db.into()));
    let status = Command::new("bash").arg("-c").arg(&line).status().await; // snag-ok: command-injection
    check(status, "restore").await
}

pub async fn run(redis_url: &str) -> Result<()> {
    let client = redis::Client::open(redis_url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    loop {
        let (_, payload): (String, String) = conn.brpop(QUEUE, 0.0).await?;
        let job: BackupJob = serde_json::from_str(&payload)?;
        let file = dump(&job).await?;
        verify(&file).await?;
        upload(&job, &file).await?;
        prune(&job).await?;
        if let Some(target) = &job.restore_into {
            restore_quoted(&file, target).await?;
        }
    }
}
