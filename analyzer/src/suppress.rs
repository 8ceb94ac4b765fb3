//! Suppression comments.
//!
//! `# snag: ignore[rule, …]` (or `//` in TypeScript, JavaScript and Rust) at the
//! end of a finding's line, or alone on the line above it; `snag: ignore` with
//! no list silences every rule there. `snag: ignore-file[rule, …]` in the first
//! ten lines silences rules for the whole file. Every suppression remembers
//! whether it silenced anything, so unused ones can be reported.

use std::cell::Cell;

use memchr::memmem;

use crate::finding::LineIndex;
use crate::model::Span;

/// Lines a file-level suppression may appear in.
const FILE_LEVEL_LINES: usize = 10;

#[derive(Debug)]
pub struct Suppression {
    /// The directive's own span, for reporting it when unused.
    pub span: Span,
    /// 0-based line the suppression covers.
    target_line: usize,
    /// Rule ids; `None` silences all.
    pub rules: Option<Vec<String>>,
    pub file_level: bool,
    used: Cell<bool>,
}

impl Suppression {
    pub fn is_used(&self) -> bool {
        self.used.get()
    }
}

#[derive(Debug, Default)]
pub struct Suppressions {
    pub all: Vec<Suppression>,
}

impl Suppressions {
    /// Finds the suppression comments of a file.
    pub fn parse(source: &str, index: &LineIndex<'_>) -> Suppressions {
        let mut all = Vec::new();
        let finder = memmem::Finder::new("snag:");
        for at in finder.find_iter(source.as_bytes()) {
            let line = index.line_of(at as u32);
            let line_start = index.line_start(line) as usize;
            let before = &source[line_start..at];
            let Some(leader_at) = comment_leader(before) else {
                continue;
            };
            let code_before = before[..leader_at].trim();
            let rest = &source[at + "snag:".len()..];
            let rest = rest.split(['\n', '\r']).next().unwrap_or("");
            let directive = rest.trim_start();
            let (file_level, after) = if let Some(after) = directive.strip_prefix("ignore-file") {
                (true, after)
            } else if let Some(after) = directive.strip_prefix("ignore") {
                (false, after)
            } else {
                continue;
            };
            let rules = match after.trim_start().strip_prefix('[') {
                Some(list) => {
                    let Some((inside, _)) = list.split_once(']') else {
                        continue;
                    };
                    Some(
                        inside
                            .split(',')
                            .map(|rule| rule.trim().to_string())
                            .filter(|rule| !rule.is_empty())
                            .collect(),
                    )
                }
                None if after.is_empty() || after.starts_with(char::is_whitespace) => None,
                None => continue,
            };
            if file_level && line >= FILE_LEVEL_LINES {
                continue;
            }
            // Alone on its line, a suppression covers the next line.
            let target_line = if code_before.is_empty() && !file_level {
                line + 1
            } else {
                line
            };
            let directive_length = rest.len().min(
                rest.find(']')
                    .map_or(rest.trim_end().len(), |close| close + 1),
            );
            all.push(Suppression {
                span: Span::new(at, at + "snag:".len() + directive_length),
                target_line,
                rules,
                file_level,
                used: Cell::new(false),
            });
        }
        Suppressions { all }
    }

    /// Whether a finding of `rule` starting on 0-based `line` is suppressed;
    /// marks the suppression used.
    pub fn suppresses(&self, rule: &str, line: usize) -> bool {
        let mut suppressed = false;
        for suppression in &self.all {
            let covers_line = suppression.file_level || suppression.target_line == line;
            let covers_rule = suppression
                .rules
                .as_ref()
                .is_none_or(|rules| rules.iter().any(|each| each == rule));
            if covers_line && covers_rule {
                suppression.used.set(true);
                suppressed = true;
            }
        }
        suppressed
    }
}

/// The offset of the comment leader (`#` or `//`) directly before a directive.
fn comment_leader(before: &str) -> Option<usize> {
    let trimmed = before.trim_end();
    if let Some(stripped) = trimmed.strip_suffix("//") {
        return Some(stripped.len());
    }
    if let Some(stripped) = trimmed.strip_suffix('#') {
        return Some(stripped.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Suppressions {
        Suppressions::parse(source, &LineIndex::new(source))
    }

    #[test]
    fn trailing_comment_covers_its_own_line() {
        let suppressions = parse("a = 1\ncur.execute(q)  # snag: ignore[sql-injection]\n");
        assert!(suppressions.suppresses("sql-injection", 1));
        assert!(!suppressions.suppresses("select-star", 1));
        assert!(!suppressions.suppresses("sql-injection", 2));
    }

    #[test]
    fn comment_alone_covers_the_next_line() {
        let suppressions = parse("// snag: ignore[select-star, sql-injection]\npool.query(q)\n");
        assert!(suppressions.suppresses("select-star", 1));
        assert!(suppressions.suppresses("sql-injection", 1));
        assert!(!suppressions.suppresses("select-star", 0));
    }

    #[test]
    fn file_level_only_in_the_first_ten_lines() {
        let early = parse("# snag: ignore-file[select-star]\n\n\n\n\n\n\n\n\n\n\n\nx\n");
        assert!(early.suppresses("select-star", 12));
        let late = parse(&format!(
            "{}# snag: ignore-file[select-star]\nx\n",
            "\n".repeat(12)
        ));
        assert!(!late.suppresses("select-star", 13));
    }

    #[test]
    fn bare_ignore_covers_every_rule_and_usage_is_tracked() {
        let suppressions = parse("x()  # snag: ignore\ny()  # snag: ignore[n-plus-one]\n");
        assert!(suppressions.suppresses("anything", 0));
        assert!(suppressions.all[0].is_used());
        assert!(!suppressions.all[1].is_used());
    }

    #[test]
    fn text_outside_comments_is_not_a_directive() {
        let suppressions = parse("log(\"snag: ignore[select-star]\")\n");
        assert!(suppressions.all.is_empty());
    }
}
