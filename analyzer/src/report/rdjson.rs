//! `--format rdjson`: reviewdog's Diagnostic Format (`DiagnosticResult` as
//! JSON), so `reviewdog -f=rdjson` can post findings as review comments, with
//! fixes as suggestions.
//!
//! reviewdog counts columns in UTF-8 bytes, not characters as our other
//! formats do, so positions are recomputed from the byte spans here; ends are
//! exclusive in both.

use serde::Serialize;

use super::ReportContext;
use crate::finding::{Finding, LineIndex, Range, Severity};
use crate::model::Span;

#[derive(Serialize)]
struct DiagnosticResult<'a> {
    source: Source,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    message: &'a str,
    location: Location<'a>,
    severity: &'static str,
    code: Code<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    range: RdRange,
}

#[derive(Serialize)]
struct RdRange {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct Code<'a> {
    value: &'a str,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    range: RdRange,
    text: &'a str,
}

#[derive(Serialize)]
struct RelatedLocation<'a> {
    message: &'a str,
    location: Location<'a>,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

/// Byte-column positions of a span; the character range when the source is
/// not at hand (it always is for files with findings).
fn byte_range(index: Option<&LineIndex<'_>>, span: Span, fallback: &Range) -> RdRange {
    let position = |offset: u32, fallback: crate::finding::Position| match index {
        Some(index) => {
            let line = index.line_of(offset);
            Position {
                line: line as u32 + 1,
                column: offset.saturating_sub(index.line_start(line)) + 1,
            }
        }
        None => Position {
            line: fallback.line,
            column: fallback.column,
        },
    };
    RdRange {
        start: position(span.start, fallback.start),
        end: position(span.end, fallback.end),
    }
}

fn diagnostic<'a>(finding: &'a Finding, index: Option<&LineIndex<'_>>) -> Diagnostic<'a> {
    Diagnostic {
        message: &finding.message,
        location: Location {
            path: &finding.path,
            range: byte_range(index, finding.span, &finding.range),
        },
        severity: severity(finding.severity),
        code: Code {
            value: finding.rule,
        },
        suggestions: match (&finding.fix, index) {
            (Some(fix), Some(index)) => vec![Suggestion {
                range: byte_range(Some(index), fix.span, &index.range(fix.span)),
                text: &fix.replacement,
            }],
            _ => Vec::new(),
        },
        related_locations: finding
            .related
            .iter()
            .map(|related| RelatedLocation {
                message: &related.message,
                location: Location {
                    path: &related.path,
                    range: byte_range(index, related.span, &related.range),
                },
            })
            .collect(),
    }
}

/// Renders the result, pretty-printed, ending in a newline.
pub fn render(context: &ReportContext<'_>) -> String {
    let mut diagnostics = Vec::new();
    for file in &context.outcome.files {
        let source = file.source.as_deref();
        let index = source.map(LineIndex::new);
        for finding in &file.findings {
            diagnostics.push(diagnostic(finding, index.as_ref()));
        }
    }
    let result = DiagnosticResult {
        source: Source { name: "snag" },
        diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&result).unwrap_or_else(|error| {
        format!("{{\"diagnostics\": [], \"error\": \"cannot serialize the report: {error}\"}}")
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{context_for, outcome_with};

    #[test]
    fn columns_count_bytes_and_fixes_become_suggestions() {
        let outcome = outcome_with(
            "db.py",
            "def f(name):\n    é = run(name)\n",
            "run(name)",
            "name",
            "message",
            Some("run(SQL, name)"),
        );
        let context = context_for(&outcome);
        let result: serde_json::Value = serde_json::from_str(&render(&context)).unwrap();
        let diagnostic = &result["diagnostics"][0];
        assert_eq!(result["source"]["name"], "snag");
        assert_eq!(diagnostic["severity"], "ERROR");
        assert_eq!(diagnostic["code"]["value"], "sql-injection");
        // `é` is one character but two bytes.
        let range = &diagnostic["location"]["range"];
        assert_eq!(range["start"], serde_json::json!({"line": 2, "column": 10}));
        assert_eq!(range["end"], serde_json::json!({"line": 2, "column": 19}));
        assert_eq!(diagnostic["suggestions"][0]["range"], *range);
        assert_eq!(diagnostic["suggestions"][0]["text"], "run(SQL, name)");
        assert_eq!(
            diagnostic["related_locations"][0]["location"]["range"]["start"],
            serde_json::json!({"line": 1, "column": 7})
        );
    }
}
