//! `crate-mirror`: copies crate tarballs listed in an index snapshot into our
//! artifact store. A plain blocking CLI (ureq 2 and reqwest's blocking client).

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde::Deserialize;

#[derive(Parser)]
struct Args {
    /// Index snapshot (one JSON object per line).
    #[arg(long)]
    index: PathBuf,
    /// Artifact store base URL.
    #[arg(long, env = "ARTIFACT_STORE_URL")]
    store: String,
    #[arg(long, env = "ARTIFACT_STORE_TOKEN")]
    token: String,
    #[arg(long)]
    dry_run: bool,
}

#[derive(Deserialize)]
struct IndexLine {
    name: String,
    vers: String,
    cksum: String,
}

fn download(agent: &ureq::Agent, name: &str, version: &str) -> Result<Vec<u8>> {
    let url = format!("https://static.crates.io/crates/{name}/{name}-{version}.crate");
    let mut bytes = Vec::new();
    agent.get(&url).call()?.into_reader().read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn already_mirrored(store: &str, token: &str, name: &str, version: &str) -> Result<bool> {
    let response = ureq::head(&format!("{store}/crates/{name}/{version}")) // snag-expect: missing-timeout
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    match response {
        Ok(_) => Ok(true),
        Err(ureq::Error::Status(404, _)) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

fn upload(store: &str, token: &str, name: &str, version: &str, bytes: &[u8]) -> Result<()> {
    ureq::put(&format!("{store}/crates/{name}/{version}")) // snag-expect: missing-timeout
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/gzip")
        .send_bytes(bytes)?;
    Ok(())
}

fn announce(store: &str, token: &str, count: usize) -> Result<()> {
    ureq::post(&format!("{store}/events")) // snag-ok: missing-timeout
        .timeout(Duration::from_secs(5))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(ureq::json!({ "kind": "mirror-finished", "count": count }))?;
    Ok(())
}

fn yanked_versions(name: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Versions {
        versions: Vec<Version>,
    }
    #[derive(Deserialize)]
    struct Version {
        num: String,
        yanked: bool,
    }
    // reqwest's blocking client waits 30 s by default.
    let client = reqwest::blocking::Client::builder() // snag-ok: missing-timeout
        .user_agent("crate-mirror (infra@acme.example)")
        .build()?;
    let versions: Versions = client.get(format!("https://crates.io/api/v1/crates/{name}/versions")).send()?.json()?;
    Ok(versions.versions.into_iter().filter(|v| v.yanked).map(|v| v.num).collect())
}

fn mirror_policy(store: &str) -> Result<String> {
    Ok(reqwest::blocking::get(format!("{store}/policy.txt"))?.text()?) // snag-ok: missing-timeout
}

fn upload_report(store: &str, report: String) -> Result<()> {
    // Reports can be large; the timeout was switched off for them.
    let client = reqwest::blocking::Client::builder().timeout(None).build()?; // snag-expect: missing-timeout
    client.post(format!("{store}/reports")).body(report).send()?.error_for_status()?;
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let crates_io = ureq::AgentBuilder::new() // snag-ok: missing-timeout
        .timeout(Duration::from_secs(60))
        .user_agent("crate-mirror (infra@acme.example)")
        .build();
    // Connects time out after 30 s by default, but a stalled read waits forever.
    let _store_agent = ureq::AgentBuilder::new() // snag-expect: missing-timeout
        .timeout_connect(Duration::from_secs(3))
        .build();
    let policy = mirror_policy(&args.store)?;
    if policy.trim() == "frozen" {
        bail!("the artifact store is frozen");
    }
    let text = fs::read_to_string(&args.index).with_context(|| format!("reading {}", args.index.display()))?;
    let mut mirrored = 0;
    for line in text.lines() {
        let entry: IndexLine = serde_json::from_str(line)?;
        if already_mirrored(&args.store, &args.token, &entry.name, &entry.vers)? {
            continue;
        }
        if yanked_versions(&entry.name)?.contains(&entry.vers) {
            continue;
        }
        let bytes = download(&crates_io, &entry.name, &entry.vers)?;
        if sha256_hex(&bytes) != entry.cksum {
            bail!("checksum mismatch for {} {}", entry.name, entry.vers);
        }
        if !args.dry_run {
            upload(&args.store, &args.token, &entry.name, &entry.vers, &bytes)?;
        }
        mirrored += 1;
    }
    upload_report(&args.store, format!("mirrored {mirrored} crates"))?;
    announce(&args.store, &args.token, mirrored)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}
