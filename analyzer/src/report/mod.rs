//! Reports: one module per output format. Serialization types live here, at
//! the edge, not on the model or the findings.

pub mod baseline;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod rdjson;
pub mod sarif;

use std::path::Path;

use crate::engine::{RuleMeta, ScanOutcome};

/// What every report needs besides the findings.
pub struct ReportContext<'a> {
    pub outcome: &'a ScanOutcome,
    pub tool_version: &'a str,
    /// Colour and styles (only for a terminal).
    pub styled: bool,
    /// Every rule that ran, in the order SARIF lists them. The caller passes
    /// them (the analyzer knows no concrete rule); a finding of a rule missing
    /// here still renders, with a bare description.
    pub rules: &'a [&'a RuleMeta],
    /// The directory finding paths are relative to.
    pub root: &'a Path,
}

/// The body of a `## Heading` section of a rule's documentation, trimmed.
pub(crate) fn doc_section<'d>(docs: &'d str, heading: &str) -> Option<&'d str> {
    let mut lines = docs.split_inclusive('\n');
    let mut start = 0;
    let mut offset = 0;
    let mut found = false;
    for line in lines.by_ref() {
        offset += line.len();
        if line.trim_end() == format!("## {heading}") {
            start = offset;
            found = true;
            break;
        }
    }
    if !found {
        return None;
    }
    let mut end = docs.len();
    for line in lines {
        if line.starts_with("## ") {
            end = offset;
            break;
        }
        offset += line.len();
    }
    let body = docs.get(start..end)?.trim();
    (!body.is_empty()).then_some(body)
}

/// Percent-encodes a relative `/`-separated path as a URI reference: every
/// byte but the unreserved characters and `/` (a `:` in a first segment would
/// read as a scheme).
pub(crate) fn uri_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The `file:` URI of a directory, ending in `/`.
pub(crate) fn directory_uri(directory: &Path) -> String {
    let absolute = std::path::absolute(directory).unwrap_or_else(|_| directory.to_path_buf());
    let text = absolute.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        // A Windows drive path, `C:/…`.
        uri.push('/');
    }
    // The path is absolute, so a drive letter's colon cannot read as a scheme.
    uri.push_str(&uri_path(&text).replace("%3A", ":"));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::FileOutcome;
    use crate::finding::{Confidence, Finding, Fix, LineIndex, RelatedLocation, Severity};
    use crate::model::{Language, Span};

    pub(crate) static SQL_INJECTION: RuleMeta = RuleMeta {
        id: "sql-injection",
        pack: "security",
        severity: Severity::Error,
        summary: "non-constant data spliced into SQL text that reaches a query sink",
        docs: "# sql-injection\n\n## What it does\nFlags SQL built from data.\n\n## Why is this bad?\nInjection.\n\n## Example\n```python\nx\n```\n\n## Use instead\ny\n\n## Known limits\nNone.\n",
    };

    /// A one-file outcome with one finding on `needle`, with a related span
    /// on `related` and an optional fix replacing the needle.
    pub(crate) fn outcome_with(
        path: &str,
        source: &str,
        needle: &str,
        related: &str,
        message: &str,
        fix: Option<&str>,
    ) -> ScanOutcome {
        let index = LineIndex::new(source);
        let start = source.find(needle).unwrap_or(0);
        let span = Span::new(start, start + needle.len());
        let related_start = source.find(related).unwrap_or(0);
        let related_span = Span::new(related_start, related_start + related.len());
        let finding = Finding {
            rule: "sql-injection",
            pack: "security",
            severity: Severity::Error,
            confidence: Confidence::Medium,
            path: path.to_string(),
            span,
            range: index.range(span),
            message: message.to_string(),
            why: "Whoever controls it can rewrite the query.".to_string(),
            help: "Pass values as query parameters.".to_string(),
            related: vec![RelatedLocation {
                path: path.to_string(),
                span: related_span,
                range: index.range(related_span),
                message: "`name` comes from here".to_string(),
            }],
            fix: fix.map(|replacement| Fix {
                description: "Use a parameter".to_string(),
                span,
                replacement: replacement.to_string(),
            }),
            fingerprint: "0123456789abcdef".to_string(),
        };
        ScanOutcome {
            files: vec![FileOutcome {
                path: path.to_string(),
                language: Language::Python,
                source: Some(Arc::from(source)),
                findings: vec![finding],
                notices: Vec::new(),
                parsed: true,
                cached: false,
                timings: Default::default(),
            }],
            files_scanned: 1,
        }
    }

    /// A plain context with no listed rules, rooted at `.`.
    pub(crate) fn context_for(outcome: &ScanOutcome) -> ReportContext<'_> {
        ReportContext {
            outcome,
            tool_version: "0.1.0",
            styled: false,
            rules: &[],
            root: Path::new("."),
        }
    }

    #[test]
    fn doc_sections_are_found_by_heading() {
        assert_eq!(
            doc_section(SQL_INJECTION.docs, "What it does"),
            Some("Flags SQL built from data.")
        );
        assert_eq!(
            doc_section(SQL_INJECTION.docs, "Known limits"),
            Some("None.")
        );
        assert_eq!(doc_section(SQL_INJECTION.docs, "Nope"), None);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("a b/c:d%e.py"), "a%20b/c%3Ad%25e.py");
        assert_eq!(uri_path("é.py"), "%C3%A9.py");
        let uri = directory_uri(Path::new("/tmp/a b"));
        assert_eq!(uri, "file:///tmp/a%20b/");
        assert_eq!(directory_uri(Path::new("/")), "file:///");
    }
}
