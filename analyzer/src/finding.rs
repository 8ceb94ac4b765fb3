//! Findings: what rules report, and where, in the terms users read (1-based
//! lines and columns counted in Unicode characters).

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::model::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a rule is that a finding is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Confidence {
    type Err = String;
    fn from_str(text: &str) -> Result<Confidence, String> {
        match text {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!("`{other}` is not a confidence (low, medium, high)")),
        }
    }
}

/// A 1-based position; `column` counts Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// A span elsewhere that explains a finding: the loop, the source of the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// A suggested edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub span: Span,
    pub replacement: String,
}

/// What a rule reports, in byte spans of the file it checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub confidence: Confidence,
    /// The offending expression.
    pub span: Span,
    /// The problem, specific enough to stand alone.
    pub message: String,
    /// Why it matters, in one sentence.
    pub why: String,
    /// What to do instead, in one sentence.
    pub help: String,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

/// A diagnostic placed in its file, after suppressions and configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub pack: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Relative to the scan root, with `/` separators.
    pub path: String,
    pub span: Span,
    pub range: Range,
    pub message: String,
    pub why: String,
    pub help: String,
    pub related: Vec<RelatedLocation>,
    pub fix: Option<Fix>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLocation {
    pub path: String,
    pub span: Span,
    pub range: Range,
    pub message: String,
}

/// Byte offsets to lines and character columns, for one file.
pub struct LineIndex<'src> {
    source: &'src str,
    /// Byte offset of the start of each line.
    line_starts: Vec<u32>,
}

impl<'src> LineIndex<'src> {
    pub fn new(source: &'src str) -> LineIndex<'src> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|at| at as u32 + 1));
        LineIndex {
            source,
            line_starts,
        }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(self.source.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.source[start..end].chars().count() as u32 + 1;
        Position {
            line: line as u32 + 1,
            column,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// The text of a 0-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &'src str {
        let Some(start) = self.line_starts.get(line).map(|start| *start as usize) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.source.len(), |next| *next as usize);
        self.source
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.source.len() as u32)
    }
}

/// A stable 64-bit hash (FNV-1a): fingerprints must not change between builds
/// or platforms, which `std`'s hasher does not promise.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let source = "é = 1\n  x = \"ü\" + y\n";
        let index = LineIndex::new(source);
        let y = source.find('y').unwrap() as u32;
        assert_eq!(
            index.position(y),
            Position {
                line: 2,
                column: 13
            }
        );
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.line_text(1), "  x = \"ü\" + y");
    }

    #[test]
    fn crlf_lines_are_trimmed() {
        let index = LineIndex::new("a\r\nbc\r\n");
        assert_eq!(index.line_text(0), "a");
        assert_eq!(index.position(3), Position { line: 2, column: 1 });
    }
}
