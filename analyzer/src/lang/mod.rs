//! Front ends: one per language, each lowering a tree-sitter tree into the
//! semantic model in a single walk.
//!
//! Front ends know syntax and language conventions (what a decorator, an import,
//! a comprehension or `format!` is; which frameworks mark request handlers). They
//! know nothing of rules or catalogs: what a call *does* is decided later, from
//! its call path.

mod document;
mod javascript;
mod lowering;
mod pieces;
mod python;
#[doc(hidden)]
pub mod random_edits;
mod reuse;
mod rust;

use std::cell::RefCell;
use std::time::Instant;

use tree_sitter::{Node, ParseOptions, Parser, Tree};

use crate::model::{FileModel, Language, Span};

pub use document::Document;
pub use lowering::{SourceKind, SourceOracle};
pub use reuse::LoweringMemo;

/// Parses `source` and lowers it. Never fails: a file tree-sitter cannot parse
/// at all (it gave up, or was cancelled) comes back as an empty model with one
/// syntax error over the whole file.
pub fn lower(language: Language, source: &str) -> FileModel {
    lower_with(language, source, None)
}

/// [`lower`], with the engine's answer to which call paths carry untrusted
/// data.
pub fn lower_with(
    language: Language,
    source: &str,
    sources: Option<SourceOracle<'_>>,
) -> FileModel {
    match parse(language, source, None) {
        Some(tree) => lower_tree_with(language, &tree, source, sources),
        None => FileModel {
            syntax_errors: vec![Span::new(0, source.len())],
            ..FileModel::default()
        },
    }
}

/// Parses with this thread's parser for the language (parsers are reused: creating
/// one per file costs more than parsing a small file). `old_tree`, already
/// edited with `Tree::edit`, makes the parse incremental.
pub fn parse(language: Language, source: &str, old_tree: Option<&Tree>) -> Option<Tree> {
    parse_until(language, source, old_tree, None)
}

/// [`parse`], given up (`None`) once `deadline` has passed.
pub fn parse_until(
    language: Language,
    source: &str,
    old_tree: Option<&Tree>,
    deadline: Option<Instant>,
) -> Option<Tree> {
    with_parser(language, false, |parser| {
        let Some(deadline) = deadline else {
            return parser.parse(source, old_tree);
        };
        let bytes = source.as_bytes();
        let mut text = |offset: usize, _: tree_sitter::Point| bytes.get(offset..).unwrap_or(&[]);
        let mut past_deadline = |_: &tree_sitter::ParseState| Instant::now() > deadline;
        let tree = parser.parse_with_options(
            &mut text,
            old_tree,
            Some(ParseOptions::new().progress_callback(&mut past_deadline)),
        );
        if tree.is_none() {
            // A cancelled parse leaves state behind for resuming it; the
            // next file starts afresh.
            parser.reset();
        }
        tree
    })
}

/// Parses the bytes of `range` of `source` alone, positions counted in
/// `source` (tree-sitter's included ranges).
pub(crate) fn parse_range(
    language: Language,
    source: &str,
    range: std::ops::Range<usize>,
    old_tree: Option<&Tree>,
) -> Option<Tree> {
    if range == (0..source.len()) {
        return parse(language, source, old_tree);
    }
    let included = tree_sitter::Range {
        start_byte: range.start,
        end_byte: range.end,
        start_point: pieces::point_at(source, range.start),
        end_point: pieces::point_at(source, range.end),
    };
    // A parser of its own: one left with a range (should a parse panic)
    // never parses a whole text.
    with_parser(language, true, |parser| {
        parser.set_included_ranges(&[included]).ok()?;
        parser.parse(source, old_tree)
    })
}

/// Runs `work` with this thread's parser for the language, the one for
/// ranges or the one for whole texts.
fn with_parser<T>(
    language: Language,
    ranged: bool,
    work: impl FnOnce(&mut Parser) -> Option<T>,
) -> Option<T> {
    thread_local! {
        static PARSERS: RefCell<Vec<((Language, bool), Parser)>> = const { RefCell::new(Vec::new()) };
    }
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let index = match parsers
            .iter()
            .position(|(each, _)| *each == (language, ranged))
        {
            Some(index) => index,
            None => {
                let mut parser = Parser::new();
                parser.set_language(&grammar(language)).ok()?;
                parsers.push(((language, ranged), parser));
                parsers.len() - 1
            }
        };
        work(&mut parsers[index].1)
    })
}

/// A struct of a grammar's field ids, looked up once (`Fields::of`):
/// `child_by_field_name` compares the name with every field name of the
/// grammar on each call, where `child_by_field_id` indexes. A field the
/// grammar lacks is 0, which finds no child.
macro_rules! grammar_fields {
    // One grammar per front end: the ids are looked up once per process
    // (the grammar is linked in), into `static $fields`.
    ($(#[$meta:meta])* $name:ident in static $fields:ident for $language:expr,
        { $($field:ident: $text:literal,)* }) => {
        $crate::lang::grammar_fields! { $(#[$meta])* $name { $($field: $text,)* } }

        static $fields: std::sync::LazyLock<$name> =
            std::sync::LazyLock::new(|| $name::of(&$crate::lang::grammar($language)));
    };
    ($(#[$meta:meta])* $name:ident { $($field:ident: $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        struct $name {
            $($field: u16,)*
        }

        impl $name {
            fn of(language: &tree_sitter::Language) -> $name {
                let id = |name: &str| language.field_id_for_name(name).map_or(0, |id| id.get());
                $name {
                    $($field: id($text),)*
                }
            }

            /// The names the grammar has no field for.
            #[cfg(test)]
            fn missing(&self) -> Vec<&'static str> {
                [$(($text, self.$field),)*]
                    .into_iter()
                    .filter(|(_, id)| *id == 0)
                    .map(|(text, _)| text)
                    .collect()
            }
        }
    };
}
pub(crate) use grammar_fields;

/// The tree-sitter grammar for a language.
pub fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::Rust => tree_sitter_rust::LANGUAGE.into(),
    }
}

/// Lowers an already parsed tree (the language server keeps trees and reparses
/// incrementally).
pub fn lower_tree(language: Language, tree: &Tree, source: &str) -> FileModel {
    lower_tree_with(language, tree, source, None)
}

/// [`lower_tree`], with the engine's answer to which call paths carry
/// untrusted data.
pub fn lower_tree_with(
    language: Language,
    tree: &Tree,
    source: &str,
    sources: Option<SourceOracle<'_>>,
) -> FileModel {
    let mut model = match language {
        Language::Python => python::lower(tree, source, sources),
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            javascript::lower(tree, source, language, sources)
        }
        Language::Rust => rust::lower(tree, source, sources),
    };
    let root = tree.root_node();
    if root.has_error() {
        collect_syntax_errors(root, &mut model.syntax_errors);
    }
    model.syntax_errors.sort();
    model.syntax_errors.dedup();
    model
}

/// Lowers a kept Python document's top-level statements (see
/// [`python::lower_kept`]): the model, with what the next lowering of the
/// same document may reuse, reusing `previous` where it holds. `oracle_key`
/// names the answers `sources` gives: a memo made with other answers is not
/// reused.
pub(crate) fn lower_statements_kept(
    statements: &[Node<'_>],
    source: &str,
    sources: Option<SourceOracle<'_>>,
    previous: Option<LoweringMemo>,
    oracle_key: u64,
) -> LoweringMemo {
    let (mut model, segments) =
        python::lower_kept(statements, source, sources, previous, oracle_key);
    for &statement in statements {
        if statement.has_error() || statement.is_error() || statement.is_missing() {
            collect_syntax_errors(statement, &mut model.syntax_errors);
        }
    }
    model.syntax_errors.sort();
    model.syntax_errors.dedup();
    let mut memo = LoweringMemo::whole(source, oracle_key, model);
    if let Some((segments, reused)) = segments {
        memo.segments = segments;
        memo.reused = reused;
    }
    memo
}

/// ERROR and MISSING nodes, outermost only, descending only into subtrees that
/// hold one (so a broken file costs a walk of its broken parts, not of all of it).
fn collect_syntax_errors(root: Node<'_>, errors: &mut Vec<Span>) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let descend = if node.is_error() || node.is_missing() {
            errors.push(span(node));
            false
        } else {
            node.has_error()
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The span of a node.
pub(crate) fn span(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// The text of a node.
pub(crate) fn node_text<'src>(node: Node<'_>, source: &'src str) -> &'src str {
    source.get(node.byte_range()).unwrap_or("")
}

/// A node's named children, in order (through a cursor: indexing children one
/// by one is linear per index in tree-sitter).
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// A node's children, named or not, in order.
pub(crate) fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// Decodes the escapes of a quoted literal's body that matter for SQL and shell
/// text. Unknown escapes are kept as written.
pub(crate) fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut text = String::with_capacity(body.len());
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            text.push(character);
            continue;
        }
        match characters.next() {
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some('r') => text.push('\r'),
            Some('0') => text.push('\0'),
            Some('\n') => {}
            Some(other @ ('\\' | '\'' | '"' | '`' | '$' | '{' | '}')) => text.push(other),
            Some(other) => {
                text.push('\\');
                text.push(other);
            }
            None => text.push('\\'),
        }
    }
    text
}
