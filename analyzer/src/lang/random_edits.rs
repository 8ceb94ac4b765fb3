//! Random edits of a source text, for the tests that check a document kept
//! across edits against a fresh analysis of the same text (the lowering's
//! reuse and the pieces' parse here, the engine's findings in `snag-rules`),
//! and the corpus files they edit. Not for use outside tests.

use std::path::{Path, PathBuf};

/// The corpus files of a language directory (`python`, `typescript`…)
/// with one of `extensions`, over every rule, sorted.
pub fn corpus_files(language: &str, extensions: &[&str]) -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut files = Vec::new();
    for rule in std::fs::read_dir(&corpus).expect("the corpus") {
        let directory = rule.expect("a corpus entry").path().join(language);
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if extensions.contains(&extension) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A small deterministic generator (xorshift), so a failure replays.
pub struct Random(pub u64);

impl Random {
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }
}

/// One random edit: typing or deleting a character or a few, breaking
/// or mending syntax, or copying a line of the file elsewhere (which
/// defines names, adds calls and functions, changes what is returned).
pub fn random_edit(random: &mut Random, text: &str) -> (std::ops::Range<usize>, String) {
    let at = random.below(text.len() + 1);
    let line_start = text[..floor(text, at)]
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    match random.below(12) {
        9..=11 => {
            // A word (a name, a number, a keyword) replaced by another:
            // values, origins and summaries change, the syntax mostly not.
            let bytes = text.as_bytes();
            let is_word = |index: usize| {
                bytes
                    .get(index)
                    .is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
            };
            let (mut start, mut end) = (floor(text, at), floor(text, at));
            while start > 0 && is_word(start - 1) {
                start -= 1;
            }
            while is_word(end) {
                end += 1;
            }
            let words = [
                "1",
                "\"x\"",
                "request.args",
                "q",
                "None",
                "self",
                "f\"{q}\"",
                "sql",
                "os",
            ];
            let word = if random.below(2) == 0 {
                words[random.below(words.len())].to_string()
            } else {
                // A word of the file.
                let from = floor(text, random.below(text.len() + 1));
                let mut from_end = from;
                while is_word(from_end) {
                    from_end += 1;
                }
                text[from..from_end].to_string()
            };
            (start..end, word)
        }
        0 => (at..at, "x".to_string()),
        1 => (
            at..at,
            ["(", ")", ":", "\"", "'", "{", "}", ";", "#"][random.below(9)].to_string(),
        ),
        2 => (at..at + 1 + random.below(12), String::new()),
        3 => (line_start..line_start, "x".to_string()),
        4 => (at..at, "\n".to_string()),
        5 | 6 => {
            // A whole line from elsewhere, inserted at a line start.
            let from = random.below(text.len() + 1);
            let from_start = text[..floor(text, from)]
                .rfind('\n')
                .map_or(0, |newline| newline + 1);
            let from_end = text[from_start..]
                .find('\n')
                .map_or(text.len(), |newline| from_start + newline + 1);
            (
                line_start..line_start,
                text[from_start..from_end].to_string(),
            )
        }
        7 => {
            // A line deleted.
            let line_end = text[line_start..]
                .find('\n')
                .map_or(text.len(), |newline| line_start + newline + 1);
            (line_start..line_end, String::new())
        }
        _ => (at..at, "    ".to_string()),
    }
}

pub fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
