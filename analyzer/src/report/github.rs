//! `--format github`: GitHub Actions workflow commands, one line per finding,
//! which the runner turns into annotations on the pull request's diff:
//!
//! ```text
//! ::error file=app/db.py,line=5,col=5,endLine=5,endColumn=63,title=snag sql-injection::`name` …%0AKeep the SQL text constant…
//! ```
//!
//! Escaping follows the runner's own (`@actions/core`): in property values
//! `%`, `\r`, `\n`, `:` and `,`; in the message `%`, `\r` and `\n`.

use super::ReportContext;
use crate::finding::{Finding, Severity};

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a message (the text after `::`).
pub(crate) fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a property value (`file=…`, `title=…`).
pub(crate) fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            ':' if property => escaped.push_str("%3A"),
            ',' if property => escaped.push_str("%2C"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn annotation(finding: &Finding) -> String {
    let title = format!("snag {}", finding.rule);
    // The message, then what to do on a line of its own.
    let message = format!("{}\n{}", finding.message, finding.help);
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        command(finding.severity),
        escape_property(&finding.path),
        finding.range.start.line,
        finding.range.start.column,
        finding.range.end.line,
        finding.range.end.column,
        escape_property(&title),
        escape_data(&message),
    )
}

/// One workflow command per finding; nothing at all when there are none.
pub fn render(context: &ReportContext<'_>) -> String {
    context.outcome.findings().map(annotation).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{context_for, outcome_with};

    #[test]
    fn properties_and_messages_are_escaped() {
        assert_eq!(escape_property("a,b:c%d\r\ne"), "a%2Cb%3Ac%25d%0D%0Ae");
        assert_eq!(escape_data("a,b:c%d\r\ne"), "a,b:c%25d%0D%0Ae");
    }

    #[test]
    fn one_command_per_finding_with_its_range() {
        let outcome = outcome_with(
            "we,ird:100%.py",
            "def f(name):\n    run(name)\n",
            "run(name)",
            "name",
            "50% of `a:b,c`\nspans lines",
            None,
        );
        let context = context_for(&outcome);
        assert_eq!(
            render(&context),
            "::error file=we%2Cird%3A100%25.py,line=2,col=5,endLine=2,endColumn=14,title=snag sql-injection::50%25 of `a:b,c`%0Aspans lines%0APass values as query parameters.\n"
        );
    }
}
