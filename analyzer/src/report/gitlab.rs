//! `--format gitlab`: a GitLab Code Quality report (a subset of the Code
//! Climate issue format), for `artifacts:reports:codequality`.
//!
//! Severities map error → `critical`, warning → `major`, info → `info`: snag
//! has no level above `error`, so `blocker` stays free for tools that do, and
//! `minor` for style-level findings snag does not make. The fingerprint is
//! snag's own, which survives edits that move lines, so GitLab's comparison of
//! a merge request against its target branch sees a moved finding as the same.

use serde::Serialize;

use super::ReportContext;
use crate::finding::{Finding, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: String,
    categories: Vec<&'static str>,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// The Code Climate category of a pack.
fn category(pack: &str) -> &'static str {
    match pack {
        "perf" => "Performance",
        "security" => "Security",
        "resilience" => "Bug Risk",
        _ => "Style",
    }
}

fn issue(finding: &Finding) -> Issue<'_> {
    Issue {
        kind: "issue",
        check_name: finding.rule,
        description: format!("{}: {}", finding.rule, finding.message),
        categories: vec![category(finding.pack)],
        fingerprint: &finding.fingerprint,
        severity: severity(finding.severity),
        location: Location {
            path: &finding.path,
            lines: Lines {
                begin: finding.range.start.line,
                end: finding.range.end.line,
            },
        },
    }
}

/// A JSON array of issues, pretty-printed, ending in a newline.
pub fn render(context: &ReportContext<'_>) -> String {
    let issues: Vec<Issue<'_>> = context.outcome.findings().map(issue).collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|error| {
        format!("[{{\"description\": \"cannot serialize the report: {error}\"}}]")
    });
    text.push('\n');
    text
}
