//! Database backup worker: takes backup requests from the control plane's
//! channel, runs `pg_dump` for the tenant database, compresses and ships the
//! dump to object storage. Several tenants are backed up concurrently on the
//! same runtime, next to the worker's health endpoint.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::sync::mpsc;
use tracing::{info, warn};

#[derive(Debug, Clone)]
pub struct BackupRequest {
    pub tenant: String,
    pub database_url: String,
    pub attempt: u32,
}

pub struct BackupWorker {
    scratch: PathBuf,
    bucket: String,
}

impl BackupWorker {
    pub fn new(scratch: PathBuf, bucket: String) -> Self {
        Self { scratch, bucket }
    }

    pub async fn run(self: std::sync::Arc<Self>, mut requests: mpsc::Receiver<BackupRequest>) {
        while let Some(request) = requests.recv().await {
            let worker = self.clone();
            tokio::spawn(async move {
                if let Err(err) = worker.backup(&request).await {
                    warn!(tenant = %request.tenant, error = %err, "backup failed");
                    worker.retry_later(request).await;
                }
            });
        }
    }

    async fn backup(&self, request: &BackupRequest) -> Result<()> {
        self.wait_for_replica(&request.database_url).await?;
        let dump = self.scratch.join(format!("{}.dump", request.tenant));
        let output = Command::new("pg_dump") // snag-expect: blocking-in-async
            .arg("--format=custom")
            .arg("--file")
            .arg(&dump)
            .arg(&request.database_url)
            .stderr(Stdio::piped())
            .output()
            .context("spawning pg_dump")?;
        if !output.status.success() {
            bail!("pg_dump exited with {}: {}", output.status, String::from_utf8_lossy(&output.stderr));
        }
        self.verify(dump.clone()).await?;
        let compressed = self.compress(&dump).await?;
        self.ship(&compressed).await?;
        info!(tenant = %request.tenant, "backup shipped");
        Ok(())
    }

    async fn compress(&self, dump: &Path) -> Result<PathBuf> {
        let status = Command::new("zstd").args(["-q", "-19", "--rm"]).arg(dump).status()?; // snag-expect: blocking-in-async
        if !status.success() {
            bail!("zstd exited with {status}");
        }
        Ok(dump.with_extension("dump.zst"))
    }

    async fn ship(&self, file: &Path) -> Result<()> {
        let target = format!("s3://{}/{}", self.bucket, file.file_name().unwrap_or_default().to_string_lossy());
        let output = tokio::process::Command::new("aws") // snag-ok: blocking-in-async
            .args(["s3", "cp", "--only-show-errors"])
            .arg(file)
            .arg(&target)
            .output()
            .await?;
        if !output.status.success() {
            bail!("upload failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    async fn verify(&self, file: PathBuf) -> Result<()> {
        let status = tokio::task::spawn_blocking(move || {
            Command::new("pg_restore").arg("--list").arg(&file).stdout(Stdio::null()).status() // snag-ok: blocking-in-async
        })
        .await??;
        if !status.success() {
            bail!("pg_restore could not read the archive");
        }
        Ok(())
    }

    async fn retry_later(&self, mut request: BackupRequest) {
        if request.attempt >= 3 {
            warn!(tenant = %request.tenant, "giving up after 3 attempts");
            return;
        }
        thread::sleep(Duration::from_secs(30 * u64::from(request.attempt + 1))); // snag-expect: blocking-in-async
        request.attempt += 1;
        if let Err(err) = self.backup(&request).await {
            warn!(tenant = %request.tenant, error = %err, "retry failed");
        }
    }

    async fn wait_for_replica(&self, database_url: &str) -> Result<()> {
        let probe = Command::new("pg_isready").arg("-d").arg(database_url).status(); // snag-expect: blocking-in-async
        if !probe.map(|s| s.success()).unwrap_or(false) {
            tokio::time::sleep(Duration::from_secs(5)).await; // snag-ok: blocking-in-async
        }
        Ok(())
    }
}

/// Disk-space watchdog on its own OS thread; it never touches the runtime.
pub fn spawn_disk_watchdog(scratch: PathBuf) -> thread::JoinHandle<()> {
    thread::spawn(move || loop {
        match Command::new("df").arg("--output=pcent").arg(&scratch).output() { // snag-ok: blocking-in-async
            Ok(out) => info!(usage = %String::from_utf8_lossy(&out.stdout).trim(), "scratch usage"),
            Err(err) => warn!(error = %err, "df failed"),
        }
        thread::sleep(Duration::from_secs(60)); // snag-ok: blocking-in-async
    })
}

/// Heartbeat to the control plane, started from the synchronous setup code.
pub fn spawn_heartbeat(handle: &tokio::runtime::Handle, marker: PathBuf) {
    handle.spawn(async move {
        loop {
            std::fs::write(&marker, chrono::Utc::now().to_rfc3339()).ok(); // snag-expect: blocking-in-async
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    });
}
