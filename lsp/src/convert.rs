//! Findings as LSP diagnostics, and what hover shows of them.

use serde::{Deserialize, Serialize};
use snag_analyzer::engine::UNUSED_SUPPRESSION;
use snag_analyzer::finding::{Finding, Severity};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Hover, HoverContents, Location, MarkupContent, MarkupKind, NumberOrString, Position, Range,
    Uri,
};

use crate::positions::Lines;
use crate::server::{Options, SOURCE};

/// A rule's fix as carried in a diagnostic's `data`, so a code action
/// needs nothing but the diagnostic the client sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FixData {
    pub(crate) title: String,
    pub(crate) range: Range,
    pub(crate) new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DiagnosticData {
    pub(crate) fix: Option<FixData>,
}

/// What was published for one document, for hover.
#[derive(Debug, Default)]
pub(crate) struct Published {
    findings: Vec<PublishedFinding>,
}

#[derive(Debug)]
struct PublishedFinding {
    range: Range,
    rule: &'static str,
    severity: Severity,
    message: String,
    why: String,
    help: String,
}

/// The diagnostics of a document's findings, and what hover needs of them.
pub(crate) fn diagnostics(
    uri: &Uri,
    findings: &[Finding],
    lines: &Lines<'_>,
    options: &Options,
) -> (Vec<Diagnostic>, Published) {
    let mut diagnostics = Vec::with_capacity(findings.len());
    let mut published = Published::default();
    for finding in findings {
        let range = lines.range(finding.span.start as usize, finding.span.end as usize);
        let related = finding
            .related
            .iter()
            .map(|related| DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: lines.range(related.span.start as usize, related.span.end as usize),
                },
                message: related.message.clone(),
            })
            .collect::<Vec<_>>();
        let fix = finding.fix.as_ref().map(|fix| FixData {
            title: fix.description.clone(),
            range: lines.range(fix.span.start as usize, fix.span.end as usize),
            new_text: fix.replacement.clone(),
        });
        let code_description = options
            .rule_docs_url
            .as_ref()
            .and_then(|template| template.replace("{rule}", finding.rule).parse().ok())
            .map(|href| CodeDescription { href });
        diagnostics.push(Diagnostic {
            range,
            severity: Some(match finding.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(finding.rule.to_string())),
            code_description,
            source: Some(SOURCE.to_string()),
            message: if finding.help.is_empty() {
                finding.message.clone()
            } else {
                format!("{}\n{}", finding.message, finding.help)
            },
            related_information: (!related.is_empty()).then_some(related),
            tags: (finding.rule == UNUSED_SUPPRESSION).then(|| vec![DiagnosticTag::UNNECESSARY]),
            data: fix.and_then(|fix| serde_json::to_value(DiagnosticData { fix: Some(fix) }).ok()),
        });
        published.findings.push(PublishedFinding {
            range,
            rule: finding.rule,
            severity: finding.severity,
            message: finding.message.clone(),
            why: finding.why.clone(),
            help: finding.help.clone(),
        });
    }
    (diagnostics, published)
}

fn contains(range: &Range, position: Position) -> bool {
    range.start <= position && position <= range.end
}

impl Published {
    /// The findings under `position`, each with its rule's documentation.
    pub(crate) fn hover(&self, position: Position) -> Option<Hover> {
        let under: Vec<&PublishedFinding> = self
            .findings
            .iter()
            .filter(|finding| contains(&finding.range, position))
            .collect();
        let first = under.first()?;
        let mut range = first.range;
        let mut sections = Vec::new();
        for finding in &under {
            range.start = range.start.min(finding.range.start);
            range.end = range.end.max(finding.range.end);
            let mut section = format!(
                "**snag `{}`** ({})\n\n{}\n\n{}\n\n{}",
                finding.rule, finding.severity, finding.message, finding.why, finding.help
            );
            if let Some(rule) = snag_rules::rule(finding.rule) {
                section.push_str("\n\n---\n\n");
                section.push_str(rule.meta().docs.trim_end());
            }
            sections.push(section);
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: sections.join("\n\n---\n\n"),
            }),
            range: Some(range),
        })
    }
}
