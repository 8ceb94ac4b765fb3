//! A document kept across edits, for the language server: its text and the
//! syntax trees of its last parse.
//!
//! Each edit splices the text and is applied to the trees with `Tree::edit`.
//! A Python document is parsed in pieces (runs of top-level statements, see
//! `pieces.rs`): the next parse reparses the pieces an edit touched. Other
//! languages keep one tree, which tree-sitter reparses incrementally.
//! Parsing is lazy: a burst of edits costs one parse, and a document none of
//! whose bytes interest a rule is never parsed at all. What lowering gave is
//! kept too ([`LoweringMemo`]), so that the next lowering redoes only the
//! top-level statements an edit touched.

use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{InputEdit, Point};

use super::pieces::{point_at, Pieces};
use super::reuse::LoweringMemo;
use crate::model::{FileModel, Language, Span};

/// A document's text, and the trees of its last parse with every later edit
/// applied to them.
#[derive(Clone)]
pub struct Document {
    language: Language,
    text: String,
    /// Empty before the first parse and after a parse tree-sitter gave up on.
    pieces: Option<Pieces>,
    /// Whether `pieces` are a parse of `text` as it is now.
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
            .field("has_tree", &self.pieces.is_some())
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
            pieces: None,
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

    /// Whether the trees are a parse of the current text (the next analysis
    /// does not parse).
    pub fn is_parsed(&self) -> bool {
        self.parsed
    }

    /// Whether a previous parse is kept, so the next parse is incremental.
    pub fn has_tree(&self) -> bool {
        self.pieces.is_some()
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
        let edit = self.pieces.as_ref().map(|_| {
            let start_position = point_at(&self.text, start);
            InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: start + new_text.len(),
                start_position,
                old_end_position: point_at(&self.text, old_end),
                new_end_position: advance(start_position, new_text),
            }
        });
        self.text.replace_range(start..old_end, new_text);
        if let (Some(pieces), Some(edit)) = (&mut self.pieces, edit) {
            pieces.edit(&edit, self.text.len());
        }
        self.parsed = false;
        self.kept_current = false;
    }

    /// Replaces the whole text; the next parse and lowering start from
    /// scratch.
    pub fn replace(&mut self, text: String) {
        self.text = text;
        self.pieces = None;
        self.parsed = false;
        self.memo = None;
        self.kept_current = false;
    }

    /// Parses the text if it changed since the last parse, reparsing what
    /// the edits touched. A parse tree-sitter gives up on leaves no trees,
    /// and the next parse starts from scratch.
    pub fn parse(&mut self) {
        if self.parsed {
            return;
        }
        // Taken first: should the parser panic, the document is left
        // without trees rather than with some that disagree with its text.
        self.pieces = match self.pieces.take() {
            Some(mut pieces) => pieces.reparse(self.language, &self.text).map(|()| pieces),
            None => Pieces::parse(self.language, &self.text),
        };
        self.parsed = true;
    }

    /// The model of the current text, lowered from the trees when they are
    /// a parse of the text (after [`Document::parse`]), else parsed afresh.
    pub fn lower(&self) -> FileModel {
        self.lower_with(None)
    }

    /// [`Document::lower`], with the engine's answer to which call paths
    /// carry untrusted data.
    pub fn lower_with(&self, sources: Option<super::SourceOracle<'_>>) -> FileModel {
        if !self.parsed {
            return super::lower_with(self.language, &self.text, sources);
        }
        self.lower_parsed(sources, None, 0).model
    }

    /// Lowers the parsed text, reusing `previous`.
    fn lower_parsed(
        &self,
        sources: Option<super::SourceOracle<'_>>,
        previous: Option<LoweringMemo>,
        oracle_key: u64,
    ) -> LoweringMemo {
        let model = match &self.pieces {
            Some(pieces) if self.language == Language::Python => {
                return super::lower_statements_kept(
                    &pieces.statements(),
                    &self.text,
                    sources,
                    previous,
                    oracle_key,
                );
            }
            Some(pieces) => match pieces.single() {
                Some(tree) => super::lower_tree_with(self.language, tree, &self.text, sources),
                None => super::lower_with(self.language, &self.text, sources),
            },
            None => FileModel {
                syntax_errors: vec![Span::new(0, self.text.len())],
                ..FileModel::default()
            },
        };
        LoweringMemo::whole(&self.text, oracle_key, model)
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
        let memo = if self.parsed {
            self.lower_parsed(sources, previous, oracle_key)
        } else {
            LoweringMemo::whole(&self.text, oracle_key, self.lower_with(sources))
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

    /// The S-expression and the byte range of each top-level statement of
    /// the current parse, when parsed.
    #[cfg(test)]
    fn statement_dump(&self) -> Option<Vec<(String, Range<usize>)>> {
        let pieces = self.pieces.as_ref().filter(|_| self.parsed)?;
        let statements = match (self.language, pieces.single()) {
            (Language::Python, _) | (_, None) => pieces.statements(),
            (_, Some(tree)) => vec![tree.root_node()],
        };
        Some(
            statements
                .iter()
                .map(|statement| (statement.to_sexp(), statement.byte_range()))
                .collect(),
        )
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

    use crate::lang::random_edits::{corpus_files, random_edit, Random};
    use crate::lang::{lower, named_children};

    fn is_broken(sexp: &str) -> bool {
        sexp.contains("ERROR") || sexp.contains("MISSING")
    }

    /// What [`Document::statement_dump`] gives, of a fresh parse of the
    /// whole text; and whether that parse holds a syntax error.
    fn fresh_dump(language: Language, text: &str) -> (Vec<(String, Range<usize>)>, bool) {
        let tree = super::super::parse(language, text, None).unwrap();
        let root = tree.root_node();
        let statements = match language {
            Language::Python if root.kind() == "module" => named_children(root),
            _ => vec![root],
        };
        let dump: Vec<(String, Range<usize>)> = statements
            .iter()
            .map(|statement| (statement.to_sexp(), statement.byte_range()))
            .collect();
        // Not `root.has_error()`: tree-sitter may flag a root none of whose
        // nodes is an error (a text ending in a statement at column 4).
        let has_error = dump.iter().any(|(sexp, _)| is_broken(sexp));
        (dump, has_error)
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
        let (expected, _) = fresh_dump(Language::Python, document.text());
        assert_eq!(
            document.statement_dump().unwrap(),
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
    /// Parses `text`, applies each edit (a text to find, and what to put in
    /// its place) and checks the pieces against a fresh parse after each.
    fn edited(text: &str, edits: &[(&str, &str)]) -> Document {
        let mut document = Document::new(Language::Python, text.to_string());
        document.parse();
        for (find, replace) in edits {
            let at = document
                .text()
                .find(find)
                .unwrap_or_else(|| panic!("{find:?} in {}", document.text()));
            document.edit(at..at + find.len(), replace);
            document.parse();
            let (expected, _) = fresh_dump(Language::Python, document.text());
            assert_eq!(
                document.statement_dump().unwrap(),
                expected,
                "after {find:?} -> {replace:?}:\n{}",
                document.text()
            );
        }
        document
    }

    const SERVICES: &str = "import db\n\n\nclass Orders:\n    def recent(self):\n        return db.all()\n\n\ndef helper(x):\n    return x\n\n\n# tail\nif db:\n    pass\n\n\ndef last():\n    return db.one()\n";

    #[test]
    fn a_python_document_is_cut_at_its_top_level_statements() {
        let document = edited(SERVICES, &[]);
        // `import`, `class`, `def helper` (with the comment after it),
        // `if`, `def last`.
        assert_eq!(document.pieces.as_ref().unwrap().len(), 5);
        // An edit inside a function reparses its piece alone.
        let document = edited(SERVICES, &[("return x", "return x + 1")]);
        assert_eq!(document.pieces.as_ref().unwrap().len(), 5);
    }

    #[test]
    fn edits_that_join_statements_parse_as_the_whole_text_does() {
        edited(
            SERVICES,
            &[
                // Indented into the class above, then out again.
                ("def helper", "    def helper"),
                ("    def helper", "def helper"),
                // A decorator typed above a definition, in the piece before.
                ("# tail\n", "# tail\n@db.cached\n"),
                ("@db.cached\n", ""),
                // An `else` of the `if` above it.
                ("\n\ndef last", "\nelse:\n    x = 1\n\ndef last"),
                // The newline before a statement deleted, then typed back.
                ("db\n\n\nclass", "dbclass"),
                ("dbclass", "db\nclass"),
                // A string opened in one statement, closed three later.
                ("return db.all()", "return '''db.all()"),
                ("return db.one()", "return db.one()'''"),
                ("'''db.all()", "db.all()"),
                ("db.one()'''", "db.one()"),
                // A bracket opened and closed far apart.
                ("def helper(x)", "def helper((x)"),
                ("return db.one()", "return db.one())"),
            ],
        );
    }

    #[test]
    fn a_syntax_error_stays_in_its_statement() {
        let document = edited(SERVICES, &[("def recent", "xdef recent")]);
        let dump = document.statement_dump().unwrap();
        // The whole text's parse (checked equal above) and the pieces hold
        // the error in the class: the functions after it are whole.
        assert!(dump.iter().any(|(sexp, _)| sexp.contains("ERROR")));
        assert!(dump
            .iter()
            .any(|(sexp, _)| sexp.starts_with("(function_definition")));
    }

    /// The pieces' parse is the whole text's whenever it holds no error,
    /// and holds one whenever the whole text's does: random edits to every
    /// Python corpus file; most of those that break the text are undone (so
    /// that it is often whole again), some after another parse. The pieces
    /// may hold an error where the whole text's parse has none: where the
    /// text is not Python (`import EmailMessa    ge`) and tree-sitter's
    /// recovery, seeing more text after it, makes a statement of the rest
    /// without an error. That is rare (counted).
    #[test]
    fn pieces_parse_as_the_whole_text_does() {
        let (mut sound, mut broken, mut stricter) = (0, 0, 0);
        let mut check = |document: &mut Document, path: &std::path::Path| {
            document.parse();
            let (expected, whole_broken) = fresh_dump(Language::Python, document.text());
            let dump = document.statement_dump().unwrap();
            let pieces_broken = dump.iter().any(|(sexp, _)| is_broken(sexp));
            match (whole_broken, pieces_broken) {
                (true, true) => broken += 1,
                (true, false) => panic!(
                    "{}: the whole text has a syntax error, the pieces none\n{}",
                    path.display(),
                    document.text()
                ),
                (false, true) => {
                    stricter += 1;
                }
                (false, false) => {
                    sound += 1;
                    if dump != expected {
                        let first = dump.iter().zip(&expected).position(|(a, b)| a != b);
                        panic!(
                            "{}: the pieces' parse differs from the whole text's at statement \
                             {first:?}:\npieces: {:?}\nwhole: {:?}\n{}",
                            path.display(),
                            first.and_then(|at| dump.get(at)),
                            first.and_then(|at| expected.get(at)),
                            document.text()
                        );
                    }
                    assert_eq!(document.lower(), lower(Language::Python, document.text()));
                }
            }
            whole_broken
        };
        for (index, path) in corpus_files("python", &["py"]).iter().enumerate() {
            let text = std::fs::read_to_string(path).unwrap();
            let mut document = Document::new(Language::Python, text);
            let mut random = Random(0x5eed_0000 + index as u64 * 2 + 1);
            for _ in 0..30 {
                let (range, inserted) = random_edit(&mut random, document.text());
                let removed = document.text()[range.clone()].to_string();
                let undo = |document: &mut Document| {
                    document.edit(range.start..range.start + inserted.len(), &removed)
                };
                document.edit(range.clone(), &inserted);
                if random.below(4) == 0 {
                    // Undone before any parse.
                    undo(&mut document);
                }
                if check(&mut document, path) && random.below(8) != 0 {
                    undo(&mut document);
                    check(&mut document, path);
                }
            }
        }
        assert!(
            sound > 1_000 && broken > 1_000 && stricter * 20 < sound,
            "{sound} sound, {broken} broken, {stricter} broken in pieces alone"
        );
    }
}
