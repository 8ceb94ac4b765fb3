//! `--format human`: rustc-like diagnostics with the snippet, the primary span
//! and related spans labelled, why it matters and what to do, then a summary.

use annotate_snippets::{Level, Renderer, Snippet};

use super::ReportContext;
use crate::finding::{Finding, Severity};

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

fn render_finding(renderer: &Renderer, source: &str, finding: &Finding) -> String {
    let title = format!("{} [{} confidence]", finding.message, finding.confidence);
    let primary_label = match finding.rule {
        "unused-suppression" => "unused",
        _ => "here",
    };
    let clamp = |span: crate::model::Span| {
        let start = (span.start as usize).min(source.len());
        let end = (span.end as usize).clamp(start, source.len());
        start..end
    };
    let mut snippet = Snippet::source(source)
        .line_start(1)
        .origin(&finding.path)
        .fold(true)
        // annotate-snippets underlines with `^` only at error level; the
        // primary span gets `^` whatever the severity, as in rustc.
        .annotation(Level::Error.span(clamp(finding.span)).label(primary_label));
    for related in &finding.related {
        snippet = snippet.annotation(
            Level::Info
                .span(clamp(related.span))
                .label(&related.message),
        );
    }
    let message = level(finding.severity)
        .title(&title)
        .id(finding.rule)
        .snippet(snippet)
        .footer(Level::Note.title(&finding.why))
        .footer(Level::Help.title(&finding.help));
    let rendered = renderer.render(message).to_string();
    rendered
}

/// Renders every finding and a summary line.
pub fn render(context: &ReportContext<'_>) -> String {
    let renderer = if context.styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut text = String::new();
    let mut counts = [0usize; 3];
    for file in &context.outcome.files {
        let source = file.source.as_deref().unwrap_or("");
        for finding in &file.findings {
            counts[finding.severity as usize] += 1;
            text.push_str(&render_finding(&renderer, source, finding));
            text.push_str("\n\n");
        }
    }
    let total: usize = counts.iter().sum();
    let files = context.outcome.files_scanned;
    let files_word = if files == 1 { "file" } else { "files" };
    if total == 0 {
        text.push_str(&format!("No findings in {files} {files_word}.\n"));
    } else {
        let mut parts = Vec::new();
        for (severity, name) in [(2, "error"), (1, "warning"), (0, "info")] {
            if counts[severity] > 0 {
                parts.push(format!("{} {name}", counts[severity]));
            }
        }
        let findings_word = if total == 1 { "finding" } else { "findings" };
        text.push_str(&format!(
            "Found {total} {findings_word} ({}) in {files} {files_word}.\n",
            parts.join(", ")
        ));
    }
    text
}
