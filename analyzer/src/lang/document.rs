//! A document kept across edits, for the language server: its text and the
//! syntax tree of its last parse.
//!
//! Each edit splices the text and is applied to the tree with `Tree::edit`, so
//! the next parse hands tree-sitter the old tree and it reparses only the
//! regions an edit touched. Parsing is lazy: a burst of edits costs one parse,
//! and a document none of whose bytes interest a rule is never parsed at all.
//! What lowering gave is kept too ([`LoweringMemo`]), so that the next
//! lowering redoes only the top-level statements an edit touched.

use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{InputEdit, Point, Tree};

use super::reuse::LoweringMemo;
use crate::model::{FileModel, Language, Span};

/// A document's text, and the tree of its last parse with every later edit
/// applied to it.
#[derive(Clone)]
pub struct Document {
    language: Language,
    text: String,
    tree: Option<Tree>,
    /// Whether `tree` is a parse of `text` as it is now.
    parsed: bool,
    /// What the last kept lowering recorded (shared: the language server
    /// analyses a copy of the document).
    pub(super) memo: Option<Arc<LoweringMemo>>,
    /// Whether `memo` holds the model of `text` as it is now.
    kept_current: bool,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("language", &self.language)
            .field("bytes", &self.text.len())
            .field("has_tree", &self.tree.is_some())
            .field("parsed", &self.parsed)
            .field("has_memo", &self.memo.is_some())
            .finish()
    }
}

impl Document {
    pub fn new(language: Language, text: String) -> Document {
        Document {
            language,
            text,
            tree: None,
            parsed: false,
            memo: None,
            kept_current: false,
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the tree is a parse of the current text (the next analysis
    /// does not parse).
    pub fn is_parsed(&self) -> bool {
        self.parsed
    }

    /// Whether a previous parse is kept, so the next parse is incremental.
    pub fn has_tree(&self) -> bool {
        self.tree.is_some()
    }

    /// Replaces the bytes of `range` with `new_text`. The range is clamped to
    /// the text, and an end inside a character moves to that character's
    /// start, so an edit never splits a character.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let mut start = range.start.min(self.text.len());
        let mut old_end = range.end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while !self.text.is_char_boundary(old_end) {
            old_end -= 1;
        }
        if let Some(tree) = &mut self.tree {
            let start_position = point_at(&self.text, start);
            let old_end_position = point_at(&self.text, old_end);
            let new_end_position = advance(start_position, new_text);
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: start + new_text.len(),
                start_position,
                old_end_position,
                new_end_position,
            });
        }
        self.text.replace_range(start..old_end, new_text);
        self.parsed = false;
        self.kept_current = false;
    }

    /// Replaces the whole text; the next parse and lowering start from
    /// scratch.
    pub fn replace(&mut self, text: String) {
        self.text = text;
        self.tree = None;
        self.parsed = false;
        self.memo = None;
        self.kept_current = false;
    }

    /// Parses the text if it changed since the last parse, reusing the old
    /// tree. A parse tree-sitter gives up on leaves no tree, and the next
    /// parse starts from scratch.
    pub fn parse(&mut self) {
        if self.parsed {
            return;
        }
        // Taken first: should the parser panic, the document is left
        // without a tree rather than with one that disagrees with its text.
        let old_tree = self.tree.take();
        self.tree = super::parse(self.language, &self.text, old_tree.as_ref());
        self.parsed = true;
    }

    /// The model of the current text, lowered from the tree when it is a
    /// parse of the text (after [`Document::parse`]), else parsed afresh.
    pub fn lower(&self) -> FileModel {
        self.lower_with(None)
    }

    /// [`Document::lower`], with the engine's answer to which call paths
    /// carry untrusted data.
    pub fn lower_with(&self, sources: Option<super::SourceOracle<'_>>) -> FileModel {
        match (&self.tree, self.parsed) {
            (Some(tree), true) => super::lower_tree_with(self.language, tree, &self.text, sources),
            (None, true) => FileModel {
                syntax_errors: vec![Span::new(0, self.text.len())],
                ..FileModel::default()
            },
            (_, false) => super::lower_with(self.language, &self.text, sources),
        }
    }

    /// Lowers the current text as [`Document::lower_with`] does, keeping
    /// the model ([`Document::kept_model`]) and what the next lowering may
    /// reuse, and reusing what the last one kept when it was made with the
    /// same `oracle_key` (which names the answers `sources` gives).
    pub fn lower_kept(&mut self, sources: Option<super::SourceOracle<'_>>, oracle_key: u64) {
        // Owned, its entries are moved into the new model; shared (a copy
        // of the document still holds it), it is copied first.
        let previous = self
            .memo
            .take()
            .map(|memo| Arc::try_unwrap(memo).unwrap_or_else(|shared| (*shared).clone()));
        let memo = match (&self.tree, self.parsed) {
            (Some(tree), true) => super::lower_tree_kept(
                self.language,
                tree,
                &self.text,
                sources,
                previous,
                oracle_key,
            ),
            _ => LoweringMemo::whole(&self.text, oracle_key, self.lower_with(sources)),
        };
        self.memo = Some(Arc::new(memo));
        self.kept_current = true;
    }

    /// The model [`Document::lower_kept`] made of the current text.
    pub fn kept_model(&self) -> Option<&FileModel> {
        self.memo
            .as_deref()
            .filter(|_| self.kept_current)
            .map(LoweringMemo::model)
    }

    /// Takes what the last kept lowering recorded (the language server
    /// analyses a copy of the document: the copy then owns it alone).
    pub fn take_kept(&mut self) -> Option<Arc<LoweringMemo>> {
        self.kept_current = false;
        self.memo.take()
    }

    /// Gives back what [`Document::take_kept`] took, unless the document
    /// has a lowering of its own by now. Any text may reuse it: it is
    /// matched against the text it was made from.
    pub fn restore_kept(&mut self, memo: Option<Arc<LoweringMemo>>) {
        if self.memo.is_none() {
            self.memo = memo;
            self.kept_current = false;
        }
    }

    /// The tree of the current text, when parsed; for tests and tools.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref().filter(|_| self.parsed)
    }
}

/// The tree-sitter point (row, byte column) of a byte offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
    Point {
        row,
        column: offset - line_start,
    }
}

/// Where the end of `inserted` lands when it is inserted at `start`.
fn advance(start: Point, inserted: &str) -> Point {
    let bytes = inserted.as_bytes();
    match memchr::memrchr(b'\n', bytes) {
        Some(last_newline) => Point {
            row: start.row + memchr::memchr_iter(b'\n', bytes).count(),
            column: bytes.len() - last_newline - 1,
        },
        None => Point {
            row: start.row,
            column: start.column + bytes.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The S-expression of a fresh parse, to compare incremental parses with.
    fn fresh_sexp(language: Language, text: &str) -> String {
        super::super::parse(language, text, None)
            .unwrap()
            .root_node()
            .to_sexp()
    }

    #[test]
    fn incremental_edits_give_the_tree_of_a_fresh_parse() {
        let mut document = Document::new(
            Language::Python,
            "def f(conn):\n    cur = conn.cursor()\n    cur.execute(\"SELECT id FROM t\")\n"
                .to_string(),
        );
        document.parse();
        assert!(document.has_tree());
        // Insert, delete and replace, across lines and multi-byte characters.
        let at = document.text().find("id").unwrap();
        document.edit(at..at + 2, "*");
        document.edit(0..0, "# é 🎉\n");
        let cursor = document.text().find("cursor").unwrap();
        document.edit(
            cursor..cursor + "cursor()".len(),
            "cursor(\n        name='x')",
        );
        assert!(!document.is_parsed());
        document.parse();
        assert!(document.is_parsed());
        let expected = fresh_sexp(Language::Python, document.text());
        assert_eq!(
            document.tree().unwrap().root_node().to_sexp(),
            expected,
            "{}",
            document.text()
        );
        assert_eq!(
            document.text(),
            "# é 🎉\ndef f(conn):\n    cur = conn.cursor(\n        name='x')\n    cur.execute(\"SELECT * FROM t\")\n"
        );
    }

    #[test]
    fn edits_inside_a_character_keep_it_whole() {
        let mut document = Document::new(Language::Rust, "let s = \"é\";".to_string());
        let inside = document.text().find('é').unwrap() + 1;
        document.edit(inside..inside, "x");
        assert_eq!(document.text(), "let s = \"xé\";");
        document.edit(100..200, "// end");
        assert_eq!(document.text(), "let s = \"xé\";// end");
    }

    #[test]
    fn points_count_bytes_from_the_line_start() {
        let text = "ab\ncdé\nf";
        assert_eq!(point_at(text, 0), Point { row: 0, column: 0 });
        assert_eq!(point_at(text, 6), Point { row: 1, column: 3 });
        assert_eq!(point_at(text, text.len()), Point { row: 2, column: 1 });
        assert_eq!(
            advance(Point { row: 4, column: 2 }, "x\nyz"),
            Point { row: 5, column: 2 }
        );
        assert_eq!(
            advance(Point { row: 4, column: 2 }, "xy"),
            Point { row: 4, column: 4 }
        );
    }

    #[test]
    fn lowering_an_unparsed_document_parses_it() {
        let document = Document::new(
            Language::Python,
            "def f(cur):\n    cur.execute('SELECT 1')\n".to_string(),
        );
        let model = document.lower();
        assert_eq!(model.functions.len(), 1);
    }
}
