//! `snag review --github`: the pull-request review bot, for a GitHub Actions
//! job on a `pull_request` event.
//!
//! It reads the pull request from the Actions environment, checks what the
//! pull request changed (`check --base` its base commit, findings on changed
//! lines, the baseline applied), and makes the pull request's comments match
//! the findings: new findings are posted as one review (all or nothing), the
//! bot's comments on findings still there are kept or updated, and those on
//! findings that are gone are resolved (see `plan`). Comments carry a hidden
//! marker with the finding's fingerprint, which is how a re-run recognises
//! its own and leaves everyone else's alone.

mod github;
mod plan;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use snag_analyzer::engine::FileOutcome;
use snag_analyzer::finding::Finding;
use snag_analyzer::report::markdown::{self, CommentPlace};
use snag_analyzer::source::git::GitRepository;

use self::github::{GitHub, NewComment, RetryPolicy};
use self::plan::{marker, Wanted};
use crate::{
    exit_code, hide_baselined, scan, BaselineUse, Lines, Mode, RuleArgs, Scan, ScanRequest,
};

#[derive(clap::Args)]
pub(crate) struct ReviewArgs {
    /// Review on GitHub, from a GitHub Actions job on a `pull_request` event
    /// (reads GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN and
    /// GITHUB_API_URL).
    #[arg(long, required = true)]
    github: bool,
    /// Print what would be posted, edited and deleted, and change nothing
    /// (the existing comments are still read).
    #[arg(long)]
    dry_run: bool,
    /// Exit 0 even when findings remain.
    #[arg(long)]
    exit_zero: bool,
    /// Seconds one GitHub API request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Retries of a failed request (network errors, timeouts, rate limits,
    /// server errors) before giving up with exit code 2.
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,
    /// The first wait before a retry, doubled each time (at most 30 s); a
    /// wait GitHub asks for is honoured up to 60 s.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    retry_delay: f64,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    baseline: BaselineUse,
}

/// The pull request under review, from the Actions environment.
#[derive(Debug)]
struct PullRequest {
    /// `owner/name`.
    repository: String,
    number: u64,
    base_sha: String,
    head_sha: String,
}

fn environment_variable(name: &str, what: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        _ => bail!("{name} is not set: snag review --github needs {what} (it runs in a GitHub Actions job on a pull_request event)"),
    }
}

fn read_pull_request() -> Result<PullRequest> {
    let repository = environment_variable("GITHUB_REPOSITORY", "the repository, `owner/name`")?;
    if repository
        .split('/')
        .filter(|part| !part.is_empty())
        .count()
        != 2
    {
        bail!("GITHUB_REPOSITORY is `{repository}`, not `owner/name`");
    }
    let event_path = PathBuf::from(environment_variable(
        "GITHUB_EVENT_PATH",
        "the event file of the workflow run",
    )?);
    let text = std::fs::read_to_string(&event_path)
        .with_context(|| format!("{}: cannot read the event file", event_path.display()))?;
    let event: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: the event file is not JSON", event_path.display()))?;
    let pull_request = &event["pull_request"];
    let not_a_pull_request = |what: &str| {
        anyhow::anyhow!(
            "{}: no {what} in the event: snag review runs on `pull_request` (or `pull_request_target`) events",
            event_path.display()
        )
    };
    let number = pull_request["number"]
        .as_u64()
        .ok_or_else(|| not_a_pull_request("`pull_request.number`"))?;
    let sha = |side: &str| -> Result<String> {
        let sha = pull_request[side]["sha"]
            .as_str()
            .ok_or_else(|| not_a_pull_request(&format!("`pull_request.{side}.sha`")))?;
        if sha.len() < 7 || !sha.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            bail!(
                "{}: `pull_request.{side}.sha` is `{sha}`, not a commit id",
                event_path.display()
            );
        }
        Ok(sha.to_string())
    };
    Ok(PullRequest {
        repository,
        number,
        base_sha: sha("base")?,
        head_sha: sha("head")?,
    })
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|duration| !duration.is_zero() || flag == "--retry-delay")
        .with_context(|| format!("{flag} {value}: not a number of seconds"))
}

pub(crate) fn run(args: ReviewArgs) -> Result<ExitCode> {
    let pull_request = read_pull_request()?;
    let token = environment_variable(
        "GITHUB_TOKEN",
        "a token that may write pull-request comments (`env: GITHUB_TOKEN: ${{ github.token }}`)",
    )?;
    let api_url = std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_string());
    let policy = RetryPolicy {
        retries: args.retries,
        first_delay: seconds(args.retry_delay, "--retry-delay")?,
        timeout: seconds(args.timeout, "--timeout")?,
    };

    // Comments are placed by line numbers of the head commit: reviewing
    // anything else (the merge commit `actions/checkout` makes by default)
    // would put them on the wrong lines.
    let Some(repository) = GitRepository::from_current_dir()? else {
        bail!("snag review needs the pull request's git checkout, and the current directory is not in a git repository");
    };
    let head = repository.head_commit()?.unwrap_or_default();
    if !head.starts_with(&pull_request.head_sha) && !pull_request.head_sha.starts_with(&head) {
        bail!(
            "HEAD is {} but pull request #{} is at {}: check out the pull request's head commit \
             (actions/checkout with `ref: ${{{{ github.event.pull_request.head.sha }}}}` and \
             `fetch-depth: 0`), or the comments would land on the wrong lines",
            if head.is_empty() { "unborn" } else { &head },
            pull_request.number,
            pull_request.head_sha
        );
    }
    drop(repository);

    let mut scan = scan(&ScanRequest {
        paths: &[],
        mode: Mode::Changes {
            staged: false,
            base: Some(&pull_request.base_sha),
            lines: Lines::Changed,
        },
        rules: &args.rules,
    })?;
    let hidden = hide_baselined(&args.baseline, &mut scan)?;
    crate::say_hidden(hidden);
    let wanted = wanted_comments(&scan);

    let client = GitHub::new(&api_url, &pull_request.repository, &token, policy);
    let existing = client.review_comments(pull_request.number)?;
    let plan = plan::plan(wanted, &existing, &pull_request.head_sha);

    if args.dry_run {
        print_plan(&plan);
        return Ok(exit_code(&scan.outcome, args.exit_zero));
    }
    if !plan.create.is_empty() {
        let body = review_body(&plan.create);
        let existing_ids: Vec<u64> = existing.iter().map(|comment| comment.id).collect();
        let landed = || -> Result<bool> {
            let now = client.review_comments(pull_request.number)?;
            Ok(plan.create.iter().all(|wanted| {
                now.iter().any(|comment| {
                    !existing_ids.contains(&comment.id)
                        && comment.body.lines().next() == wanted.body.lines().next()
                })
            }))
        };
        client.create_review(
            pull_request.number,
            &pull_request.head_sha,
            &body,
            &plan.create,
            &landed,
        )?;
    }
    for (id, body) in plan.update.iter().chain(&plan.mark_resolved) {
        client.edit_comment(*id, body)?;
    }
    for id in &plan.delete {
        client.delete_comment(*id)?;
    }
    eprintln!(
        "snag: review of pull request #{}: {} new {} in one review, {} updated, {} resolved, {} unchanged",
        pull_request.number,
        plan.create.len(),
        if plan.create.len() == 1 { "comment" } else { "comments" },
        plan.update.len(),
        plan.mark_resolved.len() + plan.delete.len(),
        plan.unchanged
    );
    Ok(exit_code(&scan.outcome, args.exit_zero))
}

/// The review's own text: how many findings, by rule.
fn review_body(comments: &[NewComment]) -> String {
    let count = comments.len();
    format!(
        "<!-- snag:review -->\n**snag** found {count} new {} on the lines this pull request changes.",
        if count == 1 { "finding" } else { "findings" }
    )
}

fn print_plan(plan: &plan::Plan) {
    let mut out = String::new();
    for comment in &plan.create {
        let rule = comment.body.lines().nth(1).unwrap_or("");
        out.push_str(&format!(
            "would comment on {}:{}: {rule}\n",
            comment.path, comment.line
        ));
    }
    for (id, _) in &plan.update {
        out.push_str(&format!("would update comment {id}\n"));
    }
    for (id, _) in &plan.mark_resolved {
        out.push_str(&format!("would mark comment {id} resolved\n"));
    }
    for id in &plan.delete {
        out.push_str(&format!("would delete comment {id}\n"));
    }
    out.push_str(&format!("{} comments unchanged\n", plan.unchanged));
    print!("{out}");
}

/// One comment per finding, on lines the pull request changed (GitHub only
/// takes comments on lines of the diff).
fn wanted_comments(scan: &Scan) -> Vec<Wanted> {
    let mut wanted = Vec::new();
    for file in &scan.outcome.files {
        // `None`: every line of the file counts (a new file).
        let changed = scan.changed.get(&file.path).and_then(Option::as_ref);
        let is_changed = |line: u32| changed.is_none_or(|changed| changed.touches(line, line));
        for finding in &file.findings {
            match comment_on(file, finding, &is_changed) {
                Some(comment) => wanted.push(Wanted {
                    fingerprint: finding.fingerprint.clone(),
                    comment,
                }),
                None => eprintln!(
                    "snag: warning: {}:{}: no changed line to comment on for this `{}` finding",
                    finding.path, finding.range.start.line, finding.rule
                ),
            }
        }
    }
    wanted
}

/// The comment on one finding: on the fix's lines with a suggestion when
/// they all changed, else on the finding's lines (all of them when they all
/// changed, else the first changed one), else on the first changed line of
/// a related span (the loop, the source of the data).
fn comment_on(
    file: &FileOutcome,
    finding: &Finding,
    is_changed: &dyn Fn(u32) -> bool,
) -> Option<NewComment> {
    let all_changed = |first: u32, last: u32| (first..=last).all(is_changed);
    let first_changed = |first: u32, last: u32| (first..=last).find(|line| is_changed(*line));
    let source = file.source.as_deref();
    let fix_lines = finding
        .fix
        .as_ref()
        .zip(source)
        .and_then(|(fix, source)| markdown::fix_lines(source, fix))
        .filter(|(first, last, _)| all_changed(*first, *last));
    let (first, last) = (finding.range.start.line, finding.range.end.line);
    let (start_line, line, suggestion, place) = match fix_lines {
        Some((first, last, text)) => (first, last, Some(text), CommentPlace::OnFinding),
        None if all_changed(first, last) => (first, last, None, CommentPlace::OnFinding),
        None => match first_changed(first, last) {
            Some(line) => (line, line, None, CommentPlace::OnFinding),
            None => {
                let line = finding
                    .related
                    .iter()
                    .filter(|related| related.path == finding.path)
                    .find_map(|related| {
                        first_changed(related.range.start.line, related.range.end.line)
                    })?;
                (
                    line,
                    line,
                    None,
                    CommentPlace::Elsewhere {
                        path: &finding.path,
                        range: &finding.range,
                    },
                )
            }
        },
    };
    let text = markdown::review_comment(finding, place, suggestion.as_deref());
    Some(NewComment {
        path: finding.path.clone(),
        line,
        side: "RIGHT",
        start_line: (start_line < line).then_some(start_line),
        start_side: (start_line < line).then_some("RIGHT"),
        body: format!("{}\n{text}", marker(&finding.fingerprint)),
    })
}
