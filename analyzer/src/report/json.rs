//! `--format json`: the public contract of DESIGN.md, exactly.

use serde::Serialize;

use super::ReportContext;
use crate::finding::{Finding, Range};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    pack: &'a str,
    severity: &'a str,
    confidence: &'a str,
    path: &'a str,
    range: JsonRange,
    message: &'a str,
    related: Vec<JsonRelated<'a>>,
    fix: Option<JsonFix<'a>>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    range: JsonRange,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    range: JsonRange,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
}

fn range(range: &Range) -> JsonRange {
    JsonRange {
        start: JsonPosition {
            line: range.start.line,
            column: range.start.column,
        },
        end: JsonPosition {
            line: range.end.line,
            column: range.end.column,
        },
    }
}

fn finding(finding: &Finding, fix_range: Option<Range>) -> JsonFinding<'_> {
    JsonFinding {
        rule: finding.rule,
        pack: finding.pack,
        severity: finding.severity.as_str(),
        confidence: finding.confidence.as_str(),
        path: &finding.path,
        range: range(&finding.range),
        message: &finding.message,
        related: finding
            .related
            .iter()
            .map(|related| JsonRelated {
                path: &related.path,
                range: range(&related.range),
                message: &related.message,
            })
            .collect(),
        fix: finding
            .fix
            .as_ref()
            .zip(fix_range)
            .map(|(fix, fix_range)| JsonFix {
                description: &fix.description,
                range: range(&fix_range),
                replacement: &fix.replacement,
            }),
        fingerprint: &finding.fingerprint,
    }
}

/// Renders the report, pretty-printed, ending in a newline.
pub fn render(context: &ReportContext<'_>) -> String {
    let mut findings = Vec::new();
    for file in &context.outcome.files {
        let index = file.source.as_deref().map(crate::finding::LineIndex::new);
        for each in &file.findings {
            let fix_range = each
                .fix
                .as_ref()
                .zip(index.as_ref())
                .map(|(fix, index)| index.range(fix.span));
            findings.push(finding(each, fix_range));
        }
    }
    let report = Report {
        version: 1,
        tool: Tool {
            name: "snag",
            version: context.tool_version,
        },
        summary: Summary {
            files: context.outcome.files_scanned,
            findings: findings.len(),
        },
        findings,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialize the report: {error}\"}}"));
    text.push('\n');
    text
}
