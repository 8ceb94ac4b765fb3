//! jobctl: query and patch the job scheduler's state from a terminal.
//!
//!     jobctl list --where 'job.retries > 3'
//!     jobctl patch < fix.rhai
//!     JOBCTL_INIT='const TEAM = "payments";' jobctl list --where 'job.team == TEAM'

use std::io::{self, Read};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use rhai::{Dynamic, Engine, Scope};
use serde::Deserialize;

const BUILTIN_HELPERS: &str = include_str!("../scripts/helpers.rhai");

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// List jobs, optionally filtered by a Rhai expression over `job`
    List {
        #[arg(long = "where")]
        filter: Option<String>,
    },
    /// Run a Rhai patch script read from stdin against every job
    Patch,
    /// Evaluate an arithmetic expression (used by the on-call runbook)
    Calc { expr: String },
    /// Import jobs from JSON on stdin
    Import,
}

#[derive(Debug, Clone, Deserialize)]
struct Job {
    id: u64,
    team: String,
    retries: i64,
}

fn load_jobs() -> Result<Vec<Job>> {
    let raw = std::fs::read_to_string("/var/lib/jobctl/jobs.json").context("reading job state")?;
    Ok(serde_json::from_str(&raw)?)
}

fn job_map(job: &Job) -> rhai::Map {
    let mut map = rhai::Map::new();
    map.insert("id".into(), Dynamic::from(job.id as i64));
    map.insert("team".into(), job.team.clone().into());
    map.insert("retries".into(), job.retries.into());
    map
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let engine = Engine::new();
    let mut base = Scope::new();
    engine.run_with_scope(&mut base, BUILTIN_HELPERS).map_err(|e| anyhow::anyhow!("{e}"))?; // snag-ok: code-injection
    if let Ok(init) = std::env::var("JOBCTL_INIT") {
        engine.run_with_scope(&mut base, &init).map_err(|e| anyhow::anyhow!("JOBCTL_INIT: {e}"))?; // snag-expect: code-injection
    }

    match cli.command {
        Cmd::List { filter } => {
            for job in load_jobs()? {
                let keep = match &filter {
                    Some(expr) => {
                        let mut scope = base.clone();
                        scope.push("job", job_map(&job));
                        engine.eval_with_scope::<bool>(&mut scope, expr).map_err(|e| anyhow::anyhow!("{e}"))? // snag-expect: code-injection
                    }
                    None => true,
                };
                if keep {
                    println!("{}\t{}\t{}", job.id, job.team, job.retries);
                }
            }
        }
        Cmd::Patch => {
            let mut script = String::new();
            io::stdin().read_to_string(&mut script)?;
            for job in load_jobs()? {
                let mut scope = base.clone();
                scope.push("job", job_map(&job));
                engine.run_with_scope(&mut scope, &script).map_err(|e| anyhow::anyhow!("job {}: {e}", job.id))?; // snag-expect: code-injection
            }
        }
        Cmd::Calc { expr } => {
            println!("{}", meval::eval_str(&expr)?); // snag-ok: code-injection
        }
        Cmd::Import => {
            let jobs: Vec<Job> = serde_json::from_reader(io::stdin().lock())?; // snag-ok: code-injection
            println!("read {} jobs", jobs.len());
        }
    }
    Ok(())
}
