//! `cargo xtask release`: build, tag and ship the gateway.
//!
//! Run by CI on the release branch (CI_COMMIT_TITLE comes from the merged pull request)
//! and by hand for hotfixes.

use std::env;
use std::io::{self, BufRead, Write};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::Parser;

const TARGET: &str = "x86_64-unknown-linux-musl";
const REGISTRY: &str = "registry.internal.example.com/gateway";

#[derive(Debug, Parser)]
struct Args {
    /// staging or production
    #[arg(long, default_value = "staging")]
    env: String,
    /// git ref to release
    #[arg(long, default_value = "main")]
    git_ref: String,
    #[arg(long, default_value_t = 3)]
    replicas: u32,
    /// ask for release notes on stdin
    #[arg(long)]
    notes: bool,
}

fn shell(line: &str) -> Result<()> {
    println!("$ {line}");
    let status = if cfg!(windows) {
        Command::new("cmd").args(["/C", line]).status() // snag-ok: command-injection
    } else {
        Command::new("sh").args(["-c", line]).status() // snag-ok: command-injection
    }
    .with_context(|| format!("failed to spawn `{line}`"))?;
    if !status.success() {
        bail!("`{line}` exited with {status}");
    }
    Ok(())
}

fn namespace_for(env: &str) -> Result<&'static str> {
    match env {
        "staging" => Ok("gateway-staging"),
        "production" => Ok("gateway-prod"),
        other => bail!("unknown environment {other}"),
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let namespace = namespace_for(&args.env)?;

    let status = Command::new("sh") // snag-expect: command-injection
        .arg("-c")
        .arg(format!("git fetch --tags origin && git checkout {}", args.git_ref))
        .status()?;
    if !status.success() {
        bail!("checkout failed");
    }

    shell(&format!("cargo build --release --locked --target {TARGET}"))?;
    shell("cargo test --release --locked -- --test-threads=2")?;

    let sha = String::from_utf8(Command::new("git").args(["rev-parse", "--short", "HEAD"]).output()?.stdout)?; // snag-ok: command-injection
    let image = format!("{REGISTRY}:{}", sha.trim());
    Command::new("docker").args(["build", "-t", &image, "."]).status()?; // snag-ok: command-injection
    Command::new("docker").arg("push").arg(&image).status()?; // snag-ok: command-injection

    shell(&format!("kubectl -n {namespace} set image deploy/gateway gateway={image}"))?;
    shell(&format!("kubectl -n {namespace} scale deploy/gateway --replicas={}", args.replicas))?;

    let title = env::var("CI_COMMIT_TITLE").unwrap_or_else(|_| "manual release".to_string());
    if cfg!(windows) {
        Command::new("cmd").args(["/C", &format!("echo Released: {title} >> %GITHUB_STEP_SUMMARY%")]).status()?; // snag-expect: command-injection
    } else {
        Command::new("sh").arg("-c").arg(format!("echo \"Released: {title}\" >> \"$GITHUB_STEP_SUMMARY\"")).status()?; // snag-expect: command-injection
    }

    if args.notes {
        print!("release notes: ");
        io::stdout().flush()?;
        let mut note = String::new();
        io::stdin().lock().read_line(&mut note)?;
        let tag = format!("v{}", chrono::Utc::now().format("%Y.%m.%d"));
        Command::new("bash") // snag-expect: command-injection
            .args(["-c", &format!("git tag -a {tag} -m '{}' && git push origin {tag}", note.trim())])
            .status()?;
    }
    Ok(())
}
