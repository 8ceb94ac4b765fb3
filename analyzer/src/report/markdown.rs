//! `--format markdown`: a pull-request comment (GitHub-flavoured Markdown).
//!
//! A heading and a sentence with the totals, a table of counts by rule and
//! severity, then each finding: where, what, the code, why it matters and what
//! to do, with the fix when there is one. Past [`COLLAPSE_OVER`] findings each
//! file's findings fold into a `<details>` block, so a long report does not
//! bury the conversation. GitHub refuses comments over 65,536 characters,
//! so past [`MAX_CHARACTERS`] the remaining findings are counted, not shown.

use std::fmt::Write as _;

use super::ReportContext;
use crate::engine::FileOutcome;
use crate::finding::{Finding, Fix, LineIndex, Range, Severity};
use crate::model::Language;

/// More findings than this and each file's details are collapsed.
pub const COLLAPSE_OVER: usize = 10;
/// The most characters of findings a comment holds (GitHub's limit is
/// 65,536; the rest is room for the closing lines).
pub const MAX_CHARACTERS: usize = 60_000;
/// Lines of a snippet shown at most; longer spans are cut with `…`.
const MAX_SNIPPET_LINES: usize = 12;

fn fence_language(language: Language) -> &'static str {
    match language {
        Language::Python => "python",
        Language::TypeScript => "typescript",
        Language::Tsx => "tsx",
        Language::JavaScript => "javascript",
        Language::Rust => "rust",
    }
}

fn longest_run(text: &str, wanted: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for character in text.chars() {
        if character == wanted {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// `text` as an inline code span, whatever backticks it holds.
fn code_span(text: &str) -> String {
    let ticks = "`".repeat(longest_run(text, '`') + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

/// Prose from a rule (which writes code in backticks): angle brackets and
/// ampersands outside code spans are escaped so they cannot open HTML.
fn prose(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut open_ticks = 0;
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '`' {
            let mut run = 1;
            while characters.peek() == Some(&'`') {
                characters.next();
                run += 1;
            }
            if open_ticks == 0 {
                open_ticks = run;
            } else if open_ticks == run {
                open_ticks = 0;
            }
            escaped.push_str(&"`".repeat(run));
            continue;
        }
        match character {
            '<' if open_ticks == 0 => escaped.push_str("&lt;"),
            '>' if open_ticks == 0 => escaped.push_str("&gt;"),
            '&' if open_ticks == 0 => escaped.push_str("&amp;"),
            '\n' | '\r' => escaped.push(' '),
            other => escaped.push(other),
        }
    }
    escaped
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A fenced block of `text`, with a fence longer than any backtick run in it.
fn fenced(text: &str, language: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}{language}\n{text}\n{fence}\n")
}

/// The lines a finding spans, without their common indentation.
fn snippet(index: &LineIndex<'_>, finding: &Finding) -> String {
    let first = finding.range.start.line.saturating_sub(1) as usize;
    let last = (finding.range.end.line.saturating_sub(1) as usize)
        .max(first)
        .min(index.line_count().saturating_sub(1));
    let shown_last = last.min(first + MAX_SNIPPET_LINES - 1);
    let lines: Vec<&str> = (first..=shown_last)
        .map(|line| index.line_text(line))
        .collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut text: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or(line.trim_start()))
        .collect();
    if shown_last < last {
        text.push("…");
    }
    text.join("\n")
}

/// `path:line:column` of a range's start.
fn place(path: &str, range: &Range) -> String {
    format!("{path}:{}:{}", range.start.line, range.start.column)
}

fn render_finding(
    out: &mut String,
    file: &FileOutcome,
    index: Option<&LineIndex<'_>>,
    finding: &Finding,
) {
    let _ = writeln!(
        out,
        "#### {} {} ({}, {} confidence)\n",
        code_span(&place(&finding.path, &finding.range)),
        code_span(finding.rule),
        finding.severity,
        finding.confidence
    );
    let _ = writeln!(out, "{}\n", prose(&finding.message));
    if let Some(index) = index {
        out.push_str(&fenced(
            &snippet(index, finding),
            fence_language(file.language),
        ));
        out.push('\n');
    }
    let _ = writeln!(out, "- **Why:** {}", prose(&finding.why));
    let _ = writeln!(out, "- **What to do:** {}", prose(&finding.help));
    for related in &finding.related {
        let _ = writeln!(
            out,
            "- **See also** {}: {}",
            code_span(&place(&related.path, &related.range)),
            prose(&related.message)
        );
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(out, "- **Suggested fix:** {}\n", prose(&fix.description));
        out.push_str(&fenced(&fix.replacement, fence_language(file.language)));
    }
    out.push('\n');
}

/// The lines a fix rewrites (1-based, inclusive) and what they read after
/// it: the content of a GitHub `suggestion` block, which replaces whole lines.
pub fn fix_lines(source: &str, fix: &Fix) -> Option<(u32, u32, String)> {
    let start = fix.span.start as usize;
    let end = fix.span.end as usize;
    if start > end || end > source.len() {
        return None;
    }
    let index = LineIndex::new(source);
    let first = index.line_of(fix.span.start);
    let last = index.line_of(fix.span.end);
    let line_start = index.line_start(first) as usize;
    let last_text = index.line_text(last);
    let line_end = index.line_start(last) as usize + last_text.len();
    let before = source.get(line_start..start)?;
    let after = source.get(end..line_end.max(end))?;
    Some((
        first as u32 + 1,
        last as u32 + 1,
        format!("{before}{}{after}", fix.replacement),
    ))
}

/// Where a review comment sits relative to its finding.
pub enum CommentPlace<'a> {
    /// On the finding's own lines.
    OnFinding,
    /// On another changed line (the loop, the source of the data): the
    /// finding itself is on a line the pull request did not change.
    Elsewhere { path: &'a str, range: &'a Range },
}

/// The body of the review bot's inline comment on one finding: the rule,
/// the problem, why, what to do, related places, and the fix as a
/// `suggestion` block (which GitHub offers to commit) when there is one.
pub fn review_comment(
    finding: &Finding,
    place_of_comment: CommentPlace<'_>,
    suggestion: Option<&str>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**snag** {} ({}, {} confidence)\n",
        code_span(finding.rule),
        finding.severity,
        finding.confidence
    );
    if let CommentPlace::Elsewhere { path, range } = place_of_comment {
        let _ = writeln!(
            out,
            "The flagged code is at {}; this changed line is part of it.\n",
            code_span(&place(path, range))
        );
    }
    let _ = writeln!(out, "{}\n", prose(&finding.message));
    let _ = writeln!(out, "{}\n", prose(&finding.why));
    let _ = writeln!(out, "**What to do:** {}", prose(&finding.help));
    if !finding.related.is_empty() {
        out.push('\n');
    }
    for related in &finding.related {
        let _ = writeln!(
            out,
            "- {}: {}",
            code_span(&place(&related.path, &related.range)),
            prose(&related.message)
        );
    }
    if let (Some(fix), Some(suggestion)) = (&finding.fix, suggestion) {
        let _ = writeln!(out, "\n**Suggested fix:** {}\n", prose(&fix.description));
        out.push_str(&fenced(suggestion, "suggestion"));
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Renders the comment.
pub fn render(context: &ReportContext<'_>) -> String {
    let outcome = context.outcome;
    let files_checked = plural(outcome.files_scanned, "file", "files");
    let mut out = String::from("### snag\n\n");
    let total = outcome.findings().count();
    if total == 0 {
        let _ = writeln!(out, "No findings in {files_checked} checked.");
        return out;
    }

    // Counts by rule and severity: most severe first, then by rule id.
    let mut counts: Vec<(Severity, &str, usize)> = Vec::new();
    for finding in outcome.findings() {
        match counts
            .iter_mut()
            .find(|(severity, rule, _)| *severity == finding.severity && *rule == finding.rule)
        {
            Some((_, _, count)) => *count += 1,
            None => counts.push((finding.severity, finding.rule, 1)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut by_severity = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let count: usize = counts
            .iter()
            .filter(|(each, _, _)| *each == severity)
            .map(|(_, _, count)| count)
            .sum();
        if count > 0 {
            by_severity.push(format!("{count} {severity}"));
        }
    }
    let files_with_findings = outcome
        .files
        .iter()
        .filter(|file| !file.findings.is_empty())
        .count();
    let _ = writeln!(
        out,
        "Found {} ({}) in {} of {files_checked} checked.\n",
        plural(total, "finding", "findings"),
        by_severity.join(", "),
        files_with_findings
    );
    out.push_str("| Rule | Severity | Findings |\n| --- | --- | ---: |\n");
    for (severity, rule, count) in &counts {
        let _ = writeln!(out, "| {} | {severity} | {count} |", code_span(rule));
    }
    out.push('\n');

    let collapse = total > COLLAPSE_OVER;
    let mut shown = 0;
    'files: for file in &outcome.files {
        if file.findings.is_empty() {
            continue;
        }
        let index = file.source.as_deref().map(LineIndex::new);
        let mut section = String::new();
        if collapse {
            let _ = writeln!(
                section,
                "<details>\n<summary><code>{}</code>: {}</summary>\n",
                html_escape(&file.path),
                plural(file.findings.len(), "finding", "findings")
            );
        }
        for (shown_in_file, finding) in file.findings.iter().enumerate() {
            let mut one = String::new();
            render_finding(&mut one, file, index.as_ref(), finding);
            if out.len() + section.len() + one.len() > MAX_CHARACTERS {
                if shown_in_file > 0 {
                    out.push_str(&section);
                    if collapse {
                        out.push_str("</details>\n\n");
                    }
                }
                break 'files;
            }
            section.push_str(&one);
            shown += 1;
        }
        out.push_str(&section);
        if collapse {
            out.push_str("</details>\n\n");
        }
    }
    if shown < total {
        let _ = writeln!(
            out,
            "*{} not shown: the comment would be too long. Run `snag check` for the full report.*",
            plural(total - shown, "more finding", "more findings")
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_and_fences_outgrow_the_backticks_inside() {
        assert_eq!(code_span("a"), "`a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(fenced("x = ```", "python"), "````python\nx = ```\n````\n");
        assert_eq!(fenced("x", ""), "```\nx\n```\n");
    }

    #[test]
    fn a_fix_becomes_the_whole_lines_it_rewrites() {
        let source = "def f(name):\n    run(\"x\" + name)  # call\n    return 1\n";
        let start = source.find("run").unwrap();
        let end = source.find("  # call").unwrap();
        let fix = Fix {
            description: "Pass a parameter".to_string(),
            span: crate::model::Span::new(start, end),
            replacement: "run(\"x %s\",\n        (name,))".to_string(),
        };
        assert_eq!(
            fix_lines(source, &fix),
            Some((
                2,
                2,
                "    run(\"x %s\",\n        (name,))  # call".to_string()
            ))
        );
    }

    #[test]
    fn review_comments_carry_the_fix_as_a_suggestion() {
        let outcome = crate::report::tests::outcome_with(
            "db.py",
            "def f(name):\n    run(name)\n",
            "run(name)",
            "name",
            "`name` is spliced into <SQL>",
            Some("run(SQL, name)"),
        );
        let finding = outcome.findings().next().unwrap();
        let body = review_comment(finding, CommentPlace::OnFinding, Some("    run(SQL, name)"));
        assert_eq!(
            body,
            "**snag** `sql-injection` (error, medium confidence)\n\n\
             `name` is spliced into &lt;SQL&gt;\n\n\
             Whoever controls it can rewrite the query.\n\n\
             **What to do:** Pass values as query parameters.\n\n\
             - `db.py:1:7`: `name` comes from here\n\n\
             **Suggested fix:** Use a parameter\n\n\
             ```suggestion\n    run(SQL, name)\n```"
        );
        let elsewhere = review_comment(
            finding,
            CommentPlace::Elsewhere {
                path: "db.py",
                range: &finding.range,
            },
            None,
        );
        assert!(
            elsewhere.contains("The flagged code is at `db.py:2:5`"),
            "{elsewhere}"
        );
        assert!(!elsewhere.contains("suggestion"), "{elsewhere}");
    }

    #[test]
    fn prose_escapes_html_outside_code_only() {
        assert_eq!(prose("a <b> `<c>` & d"), "a &lt;b&gt; `<c>` &amp; d");
        assert_eq!(prose("``a ` <b>`` <c>"), "``a ` <b>`` &lt;c&gt;");
    }
}
