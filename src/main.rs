//! The `snag` command line: argument parsing and wiring, no analysis logic.
//!
//! Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use snag_analyzer::cache::Cache;
use snag_analyzer::config::{self, LoadedConfig};
use snag_analyzer::engine::{Engine, NoticeKind, RuleMeta, ScanOutcome, UNUSED_SUPPRESSION_META};
use snag_analyzer::finding::Confidence;
use snag_analyzer::model::Language;
use snag_analyzer::report::baseline::{self, Baseline};
use snag_analyzer::report::{self, ReportContext};
use snag_analyzer::source::git::{
    ChangeRequest, GitRepository, HookInstalled, HookOverwrite, HookRemoved, NewSide,
};
use snag_analyzer::source::{discover_files, ChangedLines};
use snag_rules::settings::Overrides;

mod review;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "snag",
    version,
    about = "Catches the performance and security anti-patterns of high-volume code"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files for findings.
    Check(CheckArgs),
    /// Record every current finding in `.snag-baseline.json`, which `check`
    /// (and `review`) then hide.
    Baseline(BaselineArgs),
    /// Review a pull request: post findings on its changed lines as one
    /// review, and update or resolve the bot's earlier comments (GitHub
    /// Actions).
    Review(review::ReviewArgs),
    /// List every rule.
    Rules,
    /// Print a rule's documentation.
    Rule {
        /// The rule id, e.g. `select-star`.
        id: String,
    },
    /// Serve the Language Server Protocol on standard input and output
    /// (diagnostics, hover and quick fixes in an editor).
    Lsp {
        /// Accepted for clients that pass it (vscode-languageclient does);
        /// standard input and output is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Manage the git pre-commit hook that runs `snag check --staged`.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
}

#[derive(Subcommand)]
enum HookAction {
    /// Write the pre-commit hook (in `core.hooksPath` when set).
    Install {
        /// Replace a pre-commit hook that snag did not write.
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook, if snag wrote it.
    Uninstall,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check. With --all the default is the current
    /// directory; in diff modes PATHS narrow the diff (default: the whole
    /// repository).
    paths: Vec<PathBuf>,
    /// Check every file under PATHS, all lines, whatever git says changed.
    #[arg(long, conflicts_with_all = ["staged", "base"])]
    all: bool,
    /// Check what is staged for commit: the index's content, not the work tree's.
    #[arg(long, conflicts_with = "stdin_filename")]
    staged: bool,
    /// Check the changes since the merge base of REV and HEAD (committed and
    /// not), e.g. the target branch of a pull request.
    #[arg(long, value_name = "REV", conflicts_with = "stdin_filename")]
    base: Option<String>,
    /// In diff modes, which findings of a changed file to report: those
    /// touching a changed line, or all.
    #[arg(long, value_enum, default_value_t = Lines::Changed)]
    lines: Lines,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print on stderr where the time went (discover, read, parse, lower,
    /// rules, report) and the slowest files.
    #[arg(long)]
    timings: bool,
    /// Read the file from standard input, analysed as if it were at NAME.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    baseline: BaselineUse,
}

/// Which rules run and how findings are filtered: shared by `check`,
/// `baseline` and `review`.
#[derive(clap::Args)]
struct RuleArgs {
    /// Rules or packs to run (comma-separated); overrides the config's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,
    /// Rules or packs not to run (comma-separated), on top of the config's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Report suppression comments that silence nothing.
    #[arg(long)]
    report_unused_ignores: bool,
    /// Lowest confidence to report (default: medium, or the config's).
    #[arg(long, value_name = "LEVEL")]
    min_confidence: Option<Confidence>,
    /// Use this config file instead of searching for one.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Give up on the rest of a file's analysis after this many seconds, with
    /// a warning naming it.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_budget)]
    file_budget: f64,
    /// Analyse every file, without reading or writing the result cache.
    #[arg(long)]
    no_cache: bool,
    /// Where the result cache lives (default: `.snag_cache` next to the
    /// config, else at the repository root, else in the current directory).
    #[arg(long, value_name = "DIR", env = "SNAG_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// Which baseline hides findings: shared by `check` and `review`.
#[derive(clap::Args)]
struct BaselineUse {
    /// Hide the findings recorded in this baseline (default:
    /// `.snag-baseline.json` at the repository root, when it exists).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    baseline: Option<PathBuf>,
    /// Report every finding, even those recorded in the baseline.
    #[arg(long)]
    no_baseline: bool,
}

/// `snag baseline`: every finding under PATHS, all lines, recorded.
#[derive(clap::Args)]
struct BaselineArgs {
    /// Files or directories whose findings to record (default: the whole
    /// repository, or the current directory outside one). Entries of other
    /// paths in an existing baseline are kept.
    paths: Vec<PathBuf>,
    /// Write the baseline to FILE instead of `.snag-baseline.json` at the
    /// repository root (or the current directory outside one).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lines {
    /// Findings whose span (or a related span) touches a changed line.
    Changed,
    /// Every finding in the changed files.
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Diagnostics with snippets, for a terminal.
    Human,
    /// snag's JSON report (the documented contract).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDEs).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the diff.
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// reviewdog's diagnostic format (`reviewdog -f=rdjson`).
    Rdjson,
    /// A pull-request comment in Markdown.
    Markdown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Baseline(args) => baseline(args),
        Command::Review(args) => review::run(args),
        Command::Rules => list_rules(),
        Command::Rule { id } => show_rule(&id),
        Command::Lsp { stdio: _ } => snag_lsp::run_stdio()
            .map(|()| ExitCode::SUCCESS)
            .context("the language server stopped"),
        Command::Hook { action } => hook(action),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("snag: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn list_rules() -> Result<ExitCode> {
    let mut out = String::new();
    for rule in snag_rules::all_rules() {
        let meta = rule.meta();
        out.push_str(&format!(
            "{:<22} {:<10} {:<8} {}\n",
            meta.id, meta.pack, meta.severity, meta.summary
        ));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn show_rule(id: &str) -> Result<ExitCode> {
    match snag_rules::rule(id) {
        Some(rule) => {
            let meta = rule.meta();
            println!(
                "{}\n\npack: {}  default severity: {}",
                meta.docs.trim_end(),
                meta.pack,
                meta.severity
            );
            Ok(ExitCode::SUCCESS)
        }
        None => bail!("no rule `{id}` (see `snag rules`)"),
    }
}

fn load_config(rule_args: &RuleArgs, start: &Path) -> Result<LoadedConfig> {
    Ok(match &rule_args.config {
        Some(path) => config::load(path)?,
        None => config::discover(start)?,
    })
}

/// Which files a scan reads, and which of their lines count.
enum Mode<'a> {
    /// One file from standard input, analysed as if it were at this path.
    Stdin(&'a Path),
    /// Every file under PATHS, all lines; paths relative to the current
    /// directory (`--all`) or to the repository root (`snag baseline`).
    Walk { relative_to_repository: bool },
    /// What git says changed: in a repository, the diff modes; outside one,
    /// the same as `Walk` (said once), unless `staged` or `base` insists.
    Changes {
        staged: bool,
        base: Option<&'a str>,
        lines: Lines,
    },
}

/// A scan: which files and lines, which rules.
struct ScanRequest<'a> {
    paths: &'a [PathBuf],
    mode: Mode<'a>,
    rules: &'a RuleArgs,
}

/// What a scan found, and what reports and the baseline need to know of it.
struct Scan {
    outcome: ScanOutcome,
    /// Finding paths are relative to this directory.
    root: PathBuf,
    /// The repository root, or the current directory outside a repository:
    /// where `.snag-baseline.json` lives.
    baseline_dir: PathBuf,
    /// The rules that ran (and `unused-suppression` when reported).
    rules: Vec<&'static RuleMeta>,
    /// In the diff modes, each changed file's changed lines (`None` when
    /// every line counts).
    changed: HashMap<String, Option<ChangedLines>>,
    /// Wall time finding the files, and analysing them.
    discover_time: Duration,
    analyse_time: Duration,
    /// Files whose results came from the cache.
    cache_hits: usize,
}

/// Where a scan's files come from.
enum Source {
    Stdin(PathBuf),
    /// Every file under these paths.
    Walk(Vec<PathBuf>),
    /// What git says changed.
    Git(GitRepository),
}

fn choose_source(request: &ScanRequest<'_>, repository: Option<GitRepository>) -> Result<Source> {
    let walk = |default: PathBuf| {
        Source::Walk(if request.paths.is_empty() {
            vec![default]
        } else {
            request.paths.to_vec()
        })
    };
    match &request.mode {
        Mode::Stdin(name) => Ok(Source::Stdin(name.to_path_buf())),
        Mode::Walk {
            relative_to_repository: true,
        } => Ok(walk(match &repository {
            Some(repository) => repository.root().to_path_buf(),
            None => PathBuf::from("."),
        })),
        Mode::Walk { .. } => Ok(walk(PathBuf::from("."))),
        Mode::Changes { staged, base, .. } => match repository {
            Some(repository) => Ok(Source::Git(repository)),
            None if *staged || base.is_some() => {
                bail!(
                    "{} needs a git repository, and the current directory is not in one",
                    if *staged { "--staged" } else { "--base" }
                )
            }
            None => {
                eprintln!(
                    "snag: not inside a git repository: checking every file, all lines (as --all)"
                );
                Ok(walk(PathBuf::from(".")))
            }
        },
    }
}

/// Runs a scan and prints its notices on stderr.
fn scan(request: &ScanRequest<'_>) -> Result<Scan> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // The repository, if any, roots fingerprints and the baseline in every
    // mode; only the diff modes insist on one (a broken one is their error).
    let repository = match request.mode {
        Mode::Changes { .. } => GitRepository::from_current_dir()?,
        _ => GitRepository::from_current_dir().ok().flatten(),
    };
    let repository_root = repository
        .as_ref()
        .map(|repository| repository.root().to_path_buf());
    let source = choose_source(request, repository)?;
    let config_start = match (&request.mode, request.paths.first()) {
        (Mode::Stdin(name), _) => cwd.join(name),
        (_, Some(path)) => cwd.join(path),
        (_, None) => cwd.clone(),
    };
    let rule_args = request.rules;
    let loaded = load_config(rule_args, &config_start)?;
    let overrides = Overrides {
        select: rule_args.select.clone(),
        ignore: rule_args.ignore.clone(),
        min_confidence: rule_args.min_confidence,
        report_unused_suppressions: rule_args.report_unused_ignores,
        file_budget: Some(Duration::from_secs_f64(rule_args.file_budget)),
    };
    // In git modes, and for the baseline, paths are relative to the
    // repository's root; otherwise to the current directory.
    let root = match (&source, &request.mode) {
        (Source::Git(repository), _) => repository.root().to_path_buf(),
        (
            _,
            Mode::Walk {
                relative_to_repository: true,
            },
        ) => repository_root.clone().unwrap_or_else(|| cwd.clone()),
        _ => cwd.clone(),
    };
    let settings = snag_rules::settings::from_config(
        &loaded,
        &overrides,
        root.clone(),
        repository_root.clone(),
    )?;
    let mut rule_metas: Vec<&'static RuleMeta> =
        settings.rules.iter().map(|rule| rule.meta()).collect();
    if rule_args.report_unused_ignores {
        rule_metas.push(&UNUSED_SUPPRESSION_META);
    }
    let exclusions = settings.exclusions.clone();
    let engine = Engine::new(settings);

    let mut changed = HashMap::new();
    let mut discover_time = Duration::ZERO;
    let mut cache_hits = 0;
    let analysis_started = Instant::now();
    let outcome = match source {
        Source::Stdin(name) => check_stdin(&engine, &name)?,
        Source::Walk(paths) => {
            let started = Instant::now();
            let (files, errors) = discover_files(&paths, &exclusions);
            discover_time = started.elapsed();
            if let Some(first) = errors.first() {
                for error in &errors[1..] {
                    eprintln!("snag: error: {error}");
                }
                bail!("{first}");
            }
            let cache = (!rule_args.no_cache).then(|| {
                let project = loaded
                    .base_dir()
                    .map(Path::to_path_buf)
                    .or_else(|| repository_root.clone())
                    .unwrap_or_else(|| cwd.clone());
                let directory = rule_args
                    .cache_dir
                    .clone()
                    .unwrap_or_else(|| project.join(".snag_cache"))
                    .join(env!("CARGO_PKG_VERSION"));
                let key = cache_key(&loaded, &overrides, &root, repository_root.as_deref());
                (Cache::open(&directory, &key), directory)
            });
            let progress = Progress::new(files.len(), !rule_args.no_progress);
            let outcome = engine.scan(
                files,
                cache.as_ref().map(|(cache, _)| cache),
                &|done, total| progress.tick(done, total),
            );
            progress.finish();
            if let Some((cache, directory)) = cache {
                cache_hits = cache.hits();
                if let Err(error) = cache.save() {
                    eprintln!(
                        "snag: warning: cannot write the result cache in {}: {error}",
                        directory.display()
                    );
                }
            }
            outcome
        }
        Source::Git(repository) => {
            let Mode::Changes {
                staged,
                base,
                lines,
            } = request.mode
            else {
                bail!("internal error: a git source outside the diff modes");
            };
            let change_request = ChangeRequest {
                new_side: if staged {
                    NewSide::Index
                } else {
                    NewSide::WorkTree
                },
                base,
                paths: request.paths,
                cwd: &cwd,
                exclusions: &exclusions,
            };
            let mut changes = repository.changes(&change_request)?;
            for notice in &changes.notices {
                eprintln!("snag: warning: {notice}");
            }
            if lines == Lines::All {
                for file in &mut changes.files {
                    file.changed = None;
                }
            }
            changed = changes
                .files
                .iter()
                .map(|file| (file.path.clone(), file.changed.clone()))
                .collect();
            let progress = Progress::new(changes.files.len(), !rule_args.no_progress);
            let outcome =
                engine.scan_in_memory(changes.files, &|done, total| progress.tick(done, total));
            progress.finish();
            outcome
        }
    };

    for notice in outcome.notices() {
        let prefix = match notice.kind {
            NoticeKind::Internal => "error",
            _ => "warning",
        };
        eprintln!("snag: {prefix}: {}: {}", notice.path, notice.message);
    }
    let analyse_time = analysis_started.elapsed().saturating_sub(discover_time);
    Ok(Scan {
        outcome,
        root,
        baseline_dir: repository_root.unwrap_or(cwd),
        rules: rule_metas,
        changed,
        discover_time,
        cache_hits,
        analyse_time,
    })
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let mode = match (&args.stdin_filename, args.all) {
        (Some(name), _) => Mode::Stdin(name),
        (None, true) => Mode::Walk {
            relative_to_repository: false,
        },
        (None, false) => Mode::Changes {
            staged: args.staged,
            base: args.base.as_deref(),
            lines: args.lines,
        },
    };
    let started = Instant::now();
    let mut scan = scan(&ScanRequest {
        paths: &args.paths,
        mode,
        rules: &args.rules,
    })?;
    let hidden = hide_baselined(&args.baseline, &mut scan)?;
    let report_started = Instant::now();

    let styled = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let context = ReportContext {
        outcome: &scan.outcome,
        tool_version: VERSION,
        styled,
        rules: &scan.rules,
        root: &scan.root,
    };
    let text = match args.format {
        Format::Human => report::human::render(&context),
        Format::Json => report::json::render(&context),
        Format::Sarif => report::sarif::render(&context),
        Format::Github => report::github::render(&context),
        Format::Gitlab => report::gitlab::render(&context),
        Format::Rdjson => report::rdjson::render(&context),
        Format::Markdown => report::markdown::render(&context),
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`snag check | head`) is not an error worth a panic.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
    }
    say_hidden(hidden);
    if args.timings {
        let report_time = report_started.elapsed();
        eprint!("{}", timings_text(&scan, report_time, started.elapsed()));
    }
    Ok(exit_code(&scan.outcome, args.exit_zero))
}

fn parse_budget(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 1e6 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 1000000"
        )),
    }
}

/// The cache key: everything that decides a file's findings besides its
/// bytes. snag's own build is identified by its executable's size and
/// modification time, so a rebuilt snag never reads an older build's results.
fn cache_key(
    loaded: &LoadedConfig,
    overrides: &Overrides,
    root: &Path,
    fingerprint_root: Option<&Path>,
) -> String {
    let executable = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|metadata| {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            format!("{} {}", metadata.len(), modified.as_nanos())
        })
        .unwrap_or_default();
    let config_path = loaded
        .path
        .as_ref()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let config_bytes = loaded
        .path
        .as_ref()
        .and_then(|path| std::fs::read(path).ok())
        .unwrap_or_default();
    let overrides = format!("{overrides:?}");
    let root = root.display().to_string();
    let fingerprint_root = fingerprint_root
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    snag_analyzer::cache::key(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        executable.as_bytes(),
        config_path.as_bytes(),
        &config_bytes,
        overrides.as_bytes(),
        root.as_bytes(),
        fingerprint_root.as_bytes(),
    ])
}

/// `--timings`: wall time by phase, the analysis split by what each file
/// cost (summed over threads), and the slowest files.
fn timings_text(scan: &Scan, report_time: Duration, wall: Duration) -> String {
    let seconds = |duration: Duration| format!("{:.3} s", duration.as_secs_f64());
    let mut sum = snag_analyzer::engine::FileTimings::default();
    for file in &scan.outcome.files {
        sum.read += file.timings.read;
        sum.parse += file.timings.parse;
        sum.lower += file.timings.lower;
        sum.rules += file.timings.rules;
    }
    let parsed = scan.outcome.files.iter().filter(|file| file.parsed).count();
    let mut text = format!(
        "snag: timings ({} files, {parsed} parsed, {} from the cache; wall {})\n  setup     {}  (config, rules, catalogs)\n  discover  {}\n  analyse   {}  (summed over threads: read {}, parse {}, lower {}, rules {})\n  report    {}\n",
        scan.outcome.files.len(),
        scan.cache_hits,
        seconds(wall),
        seconds(
            wall.saturating_sub(scan.discover_time + scan.analyse_time + report_time)
        ),
        seconds(scan.discover_time),
        seconds(scan.analyse_time),
        seconds(sum.read),
        seconds(sum.parse),
        seconds(sum.lower),
        seconds(sum.rules),
        seconds(report_time),
    );
    let mut slowest: Vec<_> = scan
        .outcome
        .files
        .iter()
        .filter(|file| !file.cached && !file.timings.total().is_zero())
        .collect();
    slowest.sort_by_key(|file| std::cmp::Reverse(file.timings.total()));
    if !slowest.is_empty() {
        text.push_str("  slowest files:\n");
    }
    for file in slowest.iter().take(10) {
        let timings = file.timings;
        text.push_str(&format!(
            "    {}  {}  (parse {}, lower {}, rules {})\n",
            seconds(timings.total()),
            file.path,
            seconds(timings.parse),
            seconds(timings.lower),
            seconds(timings.rules),
        ));
    }
    text
}

/// How many findings a baseline hid, and which baseline.
struct Hidden {
    count: usize,
    path: PathBuf,
}

/// Hides the findings of the baseline in force: `--baseline FILE`, else
/// `.snag-baseline.json` at the repository root (or the current directory
/// outside one) when it exists.
fn hide_baselined(baseline_use: &BaselineUse, scan: &mut Scan) -> Result<Option<Hidden>> {
    if baseline_use.no_baseline {
        return Ok(None);
    }
    let path = match &baseline_use.baseline {
        Some(path) => path.clone(),
        None => {
            let default = scan.baseline_dir.join(baseline::FILE_NAME);
            if !default.is_file() {
                return Ok(None);
            }
            default
        }
    };
    let count = Baseline::load(&path)?.hide(&mut scan.outcome);
    Ok(Some(Hidden { count, path }))
}

fn say_hidden(hidden: Option<Hidden>) {
    let Some(Hidden { count, path }) = hidden else {
        return;
    };
    if count == 0 {
        return;
    }
    eprintln!(
        "snag: {count} {} hidden by the baseline {} (--no-baseline shows them)",
        if count == 1 { "finding" } else { "findings" },
        shown_path(&path).display()
    );
}

/// A path as the user would type it: relative to the current directory
/// when it is under it.
fn shown_path(path: &Path) -> &Path {
    match std::env::current_dir() {
        Ok(cwd) => path.strip_prefix(&cwd).unwrap_or(path),
        Err(_) => path,
    }
}

/// `snag baseline`: records the fingerprints of every finding under PATHS.
fn baseline(args: BaselineArgs) -> Result<ExitCode> {
    let scan = scan(&ScanRequest {
        paths: &args.paths,
        mode: Mode::Walk {
            relative_to_repository: true,
        },
        rules: &args.rules,
    })?;
    if scan.outcome.has_internal_errors() {
        bail!("internal errors during the scan (above): the baseline was not written, as it would miss findings");
    }
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| scan.baseline_dir.join(baseline::FILE_NAME));
    let mut recorded = Baseline::of_findings(&scan.outcome);
    let count = recorded.len();
    if !args.paths.is_empty() && path.is_file() {
        let previous = Baseline::load(&path)?;
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let scopes: Vec<String> = args
            .paths
            .iter()
            .map(|scope| {
                let absolute = std::path::absolute(cwd.join(scope)).unwrap_or(cwd.join(scope));
                let relative = absolute.strip_prefix(&scan.root).unwrap_or(&absolute);
                relative.to_string_lossy().replace('\\', "/")
            })
            .collect();
        recorded.keep_outside(&previous, &scopes);
    }
    write_atomically(&path, recorded.render(VERSION).as_bytes())?;
    let kept = recorded.len().saturating_sub(count);
    eprintln!(
        "snag: recorded {count} {} in {}{}",
        if count == 1 { "finding" } else { "findings" },
        shown_path(&path).display(),
        if kept > 0 {
            format!(" (and kept {kept} of other paths)")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn exit_code(outcome: &ScanOutcome, exit_zero: bool) -> ExitCode {
    if outcome.has_internal_errors() {
        return ExitCode::from(2);
    }
    if outcome.findings().next().is_some() && !exit_zero {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn check_stdin(engine: &Engine, name: &Path) -> Result<ScanOutcome> {
    let Some(language) = Language::from_path(name) else {
        bail!(
            "--stdin-filename {}: cannot tell the language from the extension (.py, .ts, .tsx, .js, .jsx, .mjs, .cjs, .rs)",
            name.display()
        );
    };
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let display = engine.display_path(name);
    let outcome = engine.check_bytes(&display, language, bytes);
    Ok(ScanOutcome {
        files: vec![outcome],
        files_scanned: 1,
    })
}

fn hook(action: HookAction) -> Result<ExitCode> {
    let Some(repository) = GitRepository::from_current_dir()? else {
        bail!("not inside a git repository: there is no hook to manage here");
    };
    match action {
        HookAction::Install { force } => {
            let overwrite = if force {
                HookOverwrite::Replace
            } else {
                HookOverwrite::Refuse
            };
            match repository.install_hook(overwrite)? {
                HookInstalled::Created(path) => {
                    eprintln!("snag: installed the pre-commit hook at {}", path.display())
                }
                HookInstalled::Updated(path) => {
                    eprintln!("snag: updated the pre-commit hook at {}", path.display())
                }
                HookInstalled::Replaced(path) => eprintln!(
                    "snag: replaced the existing pre-commit hook at {} (--force)",
                    path.display()
                ),
            }
        }
        HookAction::Uninstall => match repository.uninstall_hook()? {
            HookRemoved::Removed(path) => {
                eprintln!("snag: removed the pre-commit hook at {}", path.display())
            }
            HookRemoved::Absent(path) => {
                eprintln!(
                    "snag: no pre-commit hook at {}; nothing to remove",
                    path.display()
                )
            }
            HookRemoved::Foreign(path) => bail!(
                "{}: this pre-commit hook was not written by snag; left in place",
                path.display()
            ),
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a report so a reader never sees half of it: a regular file is
/// replaced through a temporary file beside it (through a symlink, its
/// target), while a device or a pipe such as `/dev/null` or `/dev/stdout` is
/// written in place, because renaming over it would replace the device itself.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let in_place = std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file());
    if in_place {
        return std::fs::write(path, bytes)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot resolve the link {}", path.display()))?,
        _ => path.to_path_buf(),
    };
    let directory = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .with_context(|| format!("--output {}: not a file name", path.display()))?;
    let temporary = directory.join(format!(
        ".{}.snag-tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, &target).with_context(|| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}", path.display())
    })?;
    Ok(())
}

/// A progress bar on stderr, shown only on a terminal and only once a scan has
/// run for a second.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new(total: usize, enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    fn tick(&self, done: usize, _total: usize) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(done as u64);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
