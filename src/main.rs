//! The `snag` command line: argument parsing and wiring, no analysis logic.
//!
//! Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use snag_analyzer::config::{self, LoadedConfig};
use snag_analyzer::engine::{Engine, NoticeKind, ScanOutcome};
use snag_analyzer::finding::Confidence;
use snag_analyzer::model::Language;
use snag_analyzer::report::{self, ReportContext};
use snag_analyzer::source::discover_files;
use snag_analyzer::source::git::{
    ChangeRequest, GitRepository, HookInstalled, HookOverwrite, HookRemoved, NewSide,
};
use snag_rules::settings::Overrides;

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
    /// Rules or packs to run (comma-separated); overrides the config's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,
    /// Rules or packs not to run (comma-separated), on top of the config's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Read the file from standard input, analysed as if it were at NAME.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
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
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
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

fn load_config(args: &CheckArgs, start: &Path) -> Result<LoadedConfig> {
    Ok(match &args.config {
        Some(path) => config::load(path)?,
        None => config::discover(start)?,
    })
}

/// Where a check's files come from.
enum Source {
    Stdin(PathBuf),
    /// Every file under these paths (`--all`, or outside a repository).
    Walk(Vec<PathBuf>),
    /// What git says changed.
    Git(GitRepository),
}

fn choose_source(args: &CheckArgs) -> Result<Source> {
    if let Some(name) = &args.stdin_filename {
        return Ok(Source::Stdin(name.clone()));
    }
    let walk = || {
        Source::Walk(if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        })
    };
    if args.all {
        return Ok(walk());
    }
    match GitRepository::from_current_dir()? {
        Some(repository) => Ok(Source::Git(repository)),
        None if args.staged || args.base.is_some() => {
            bail!(
                "{} needs a git repository, and the current directory is not in one",
                if args.staged { "--staged" } else { "--base" }
            )
        }
        None => {
            eprintln!(
                "snag: not inside a git repository: checking every file, all lines (as --all)"
            );
            Ok(walk())
        }
    }
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let source = choose_source(&args)?;
    let config_start = match (&args.stdin_filename, args.paths.first()) {
        (Some(name), _) => cwd.join(name),
        (None, Some(path)) => cwd.join(path),
        (None, None) => cwd.clone(),
    };
    let loaded = load_config(&args, &config_start)?;
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        min_confidence: args.min_confidence,
        report_unused_suppressions: args.report_unused_ignores,
    };
    // In git modes paths are relative to the repository's root.
    let root = match &source {
        Source::Git(repository) => repository.root().to_path_buf(),
        _ => cwd.clone(),
    };
    let settings = snag_rules::settings::from_config(&loaded, &overrides, root)?;
    let engine = Engine::new(settings);
    let exclusions = &engine.settings().exclusions;

    let outcome = match source {
        Source::Stdin(name) => check_stdin(&engine, &name)?,
        Source::Walk(paths) => {
            let (files, errors) = discover_files(&paths, exclusions);
            if !errors.is_empty() {
                for error in &errors {
                    eprintln!("snag: error: {error}");
                }
                return Ok(ExitCode::from(2));
            }
            let progress = Progress::new(files.len(), !args.no_progress);
            let outcome = engine.scan(files, &|done, total| progress.tick(done, total));
            progress.finish();
            outcome
        }
        Source::Git(repository) => {
            let request = ChangeRequest {
                new_side: if args.staged {
                    NewSide::Index
                } else {
                    NewSide::WorkTree
                },
                base: args.base.as_deref(),
                paths: &args.paths,
                cwd: &cwd,
                exclusions,
            };
            let mut changes = repository.changes(&request)?;
            for notice in &changes.notices {
                eprintln!("snag: warning: {notice}");
            }
            if args.lines == Lines::All {
                for file in &mut changes.files {
                    file.changed = None;
                }
            }
            let progress = Progress::new(changes.files.len(), !args.no_progress);
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

    let styled = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let context = ReportContext {
        outcome: &outcome,
        tool_version: VERSION,
        styled,
    };
    let text = match args.format {
        Format::Human => report::human::render(&context),
        Format::Json => report::json::render(&context),
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

    Ok(exit_code(&outcome, args.exit_zero))
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
