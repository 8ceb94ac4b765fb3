//! A kept document's parse, cut into pieces: runs of top-level statements,
//! each parsed on its own (tree-sitter's included ranges, so positions are
//! the document's), so that an edit reparses the piece it falls in and not
//! the file.
//!
//! Why not one tree, edited and reparsed incrementally: tree-sitter-python
//! reuses little of the old tree after an edit at a statement's start (the
//! indentation scanner's tokens are not reusable in most parse states), so
//! typing one character near the top of a 5,000-line file reparses the rest
//! of it, slower than a fresh parse. A syntax error is kept local too: an
//! unfinished statement does not turn the statements after it into errors.
//!
//! What this gives equals one parse of the whole text when the text has no
//! syntax error: a top-level statement starting at column 0 after a complete
//! one parses the same alone, and a piece whose parse is broken at its start
//! (an indented first line, an `else:` of the statement before) or at its
//! end (an unclosed bracket or string, a decorator without its definition)
//! is parsed again together with its neighbours, twice as many each time,
//! until the break is inside it. The test
//! `pieces_parse_as_the_whole_text_does` checks it under random edits. A
//! break inside a piece stays there: its parse is the piece's, which may
//! differ from what recovery over the whole file would make of it.
//!
//! Other languages are one piece, the whole text, reparsed incrementally.

use std::ops::Range;

use tree_sitter::{InputEdit, Node, Point, Tree};

use super::{named_children, parse_range};
use crate::model::Language;

/// The trees of a document's pieces.
#[derive(Clone, Default)]
pub(super) struct Pieces {
    /// Trees, each parsed over one range of the text; several pieces may
    /// share one (a run of statements parsed together, then cut up).
    trees: Vec<Parsed>,
    /// Contiguous ranges covering the text, in order.
    pieces: Vec<Piece>,
}

#[derive(Clone)]
struct Parsed {
    tree: Tree,
    /// The range it was parsed over, moved with every edit since.
    range: Range<usize>,
}

#[derive(Clone, Debug)]
struct Piece {
    range: Range<usize>,
    /// Index in `trees`.
    tree: usize,
    /// An edit touched it since its tree was parsed.
    dirty: bool,
}

impl Pieces {
    /// Parses the whole text, then cuts it into pieces. `None` when
    /// tree-sitter gives up.
    pub fn parse(language: Language, text: &str) -> Option<Pieces> {
        let mut pieces = Pieces {
            trees: Vec::new(),
            pieces: vec![Piece {
                range: 0..text.len(),
                tree: usize::MAX,
                dirty: true,
            }],
        };
        pieces.reparse(language, text)?;
        Some(pieces)
    }

    /// Applies an edit (the text is already changed): the trees after it
    /// move, and the pieces it touched become one dirty piece.
    pub fn edit(&mut self, edit: &InputEdit, text_len: usize) {
        let (start, old_end, new_end) = (edit.start_byte, edit.old_end_byte, edit.new_end_byte);
        let moved = |at: usize| {
            if at <= start {
                at
            } else if at >= old_end {
                at - old_end + new_end
            } else {
                new_end
            }
        };
        for parsed in &mut self.trees {
            if parsed.range.end >= start {
                parsed.tree.edit(edit);
                parsed.range = moved(parsed.range.start)..moved(parsed.range.end);
            }
        }
        let Some(last) = self.pieces.len().checked_sub(1) else {
            return;
        };
        // The piece holding the first byte edited (the last piece for an
        // insertion at the end), through the one holding the last, and the
        // one starting where a deletion ends (its first line now continues
        // what is before it).
        let first = self
            .pieces
            .partition_point(|piece| piece.range.end <= start)
            .min(last);
        let mut end = first;
        while end < last && self.pieces[end + 1].range.start < old_end.max(start + 1) {
            end += 1;
        }
        if old_end > start && end < last && self.pieces[end + 1].range.start == old_end {
            end += 1;
        }
        let edited_end = moved(self.pieces[end].range.end);
        self.merge(first, end);
        self.pieces[first].range.end = edited_end;
        for piece in &mut self.pieces[first + 1..] {
            piece.range = moved(piece.range.start)..moved(piece.range.end);
        }
        if let Some(piece) = self.pieces.last_mut() {
            piece.range.end = text_len;
        }
    }

    /// Parses the dirty pieces again. `None` when tree-sitter gives up.
    pub fn reparse(&mut self, language: Language, text: &str) -> Option<()> {
        let mut index = 0;
        while index < self.pieces.len() {
            if self.pieces[index].dirty {
                index = self.reparse_piece(language, text, index)?;
            }
            index += 1;
        }
        // Trees no piece uses any more are dropped; the others keep their
        // order, and pieces their new indices.
        let mut new_index = vec![None; self.trees.len()];
        for piece in &self.pieces {
            new_index[piece.tree] = Some(0);
        }
        for (kept, slot) in new_index.iter_mut().flatten().enumerate() {
            *slot = kept;
        }
        let mut slots = new_index.iter();
        self.trees
            .retain(|_| slots.next().is_some_and(Option::is_some));
        for piece in &mut self.pieces {
            piece.tree = new_index[piece.tree].expect("a used tree is kept");
        }
        Some(())
    }

    /// Reparses piece `index`, with its neighbours when its parse is broken
    /// at an edge, then cuts it up. Returns the index of the last piece it
    /// became.
    fn reparse_piece(&mut self, language: Language, text: &str, mut index: usize) -> Option<usize> {
        let splits = language == Language::Python;
        let (mut behind, mut ahead) = (1, 1);
        let tree = loop {
            let piece = &self.pieces[index];
            // Its own tree, edited since, makes the parse incremental;
            // unless it holds an error: recovery from an error may keep
            // nodes a fresh parse makes otherwise (an unclosed string the
            // edit closes at the other end of the piece).
            let old = self
                .trees
                .get(piece.tree)
                .filter(|parsed| {
                    parsed.range == piece.range && !parsed.tree.root_node().has_error()
                })
                .map(|parsed| &parsed.tree);
            let tree = parse_range(language, text, piece.range.clone(), old)?;
            if !splits {
                break tree;
            }
            let (broken_start, broken_end) = broken_edges(&tree, text, &piece.range);
            // The text after an error first: recovery needs it to find
            // where the broken statement ends (without it, tree-sitter may
            // make one error of the whole piece, broken at both ends).
            if broken_end && index + 1 < self.pieces.len() {
                let to = (index + ahead).min(self.pieces.len() - 1);
                self.merge(index, to);
                ahead *= 2;
            } else if broken_start && index > 0 {
                let from = index.saturating_sub(behind);
                self.merge(from, index);
                index = from;
                behind *= 2;
            } else {
                break tree;
            }
        };
        let range = self.pieces[index].range.clone();
        let cuts = if splits {
            cuts(&tree, text, &range)
        } else {
            Vec::new()
        };
        self.trees.push(Parsed {
            tree,
            range: range.clone(),
        });
        let tree = self.trees.len() - 1;
        let starts = std::iter::once(range.start).chain(cuts.iter().copied());
        let ends = cuts.iter().copied().chain(std::iter::once(range.end));
        let pieces: Vec<Piece> = starts
            .zip(ends)
            .map(|(start, end)| Piece {
                range: start..end,
                tree,
                dirty: false,
            })
            .collect();
        let count = pieces.len();
        self.pieces.splice(index..=index, pieces);
        Some(index + count - 1)
    }

    /// Pieces `from..=to` become one, dirty.
    fn merge(&mut self, from: usize, to: usize) {
        let range = self.pieces[from].range.start..self.pieces[to].range.end;
        let tree = self.pieces[from].tree;
        self.pieces.splice(
            from..=to,
            [Piece {
                range,
                tree,
                dirty: true,
            }],
        );
    }

    /// The top-level statements (comments included), in order.
    pub fn statements(&self) -> Vec<Node<'_>> {
        // Each tree's statements, listed once: pieces cut from one run
        // share its tree.
        let mut listed: Vec<Option<Vec<Node<'_>>>> = vec![None; self.trees.len()];
        let mut statements = Vec::new();
        let last = self.pieces.len().saturating_sub(1);
        for (index, piece) in self.pieces.iter().enumerate() {
            let root = self.trees[piece.tree].tree.root_node();
            if root.kind() != "module" {
                // Nothing tree-sitter could make a module of: one statement.
                statements.push(root);
                continue;
            }
            let children = listed[piece.tree].get_or_insert_with(|| named_children(root));
            // A tree may hold other pieces' statements, and those of a piece
            // reparsed since, shrunk to nothing where an edit deleted them.
            let from = children.partition_point(|node| node.start_byte() < piece.range.start);
            let to = if index == last {
                children.partition_point(|node| node.start_byte() <= piece.range.end)
            } else {
                children.partition_point(|node| node.start_byte() < piece.range.end)
            };
            statements.extend_from_slice(&children[from..to.max(from)]);
        }
        statements
    }

    /// The tree when there is one piece (every language but Python).
    pub fn single(&self) -> Option<&Tree> {
        match self.pieces.as_slice() {
            [piece] => self.trees.get(piece.tree).map(|parsed| &parsed.tree),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pieces.len()
    }
}

/// Whether a piece's parse is broken at its start (its first statement is
/// indented, or an error starts it) or at its end (an error or a missing
/// node reaches its last statement's end, or a bracket or string is still
/// open there: text after the piece may close it).
fn broken_edges(tree: &Tree, text: &str, range: &Range<usize>) -> (bool, bool) {
    let root = tree.root_node();
    if root.kind() != "module" {
        return (true, true);
    }
    let statements: Vec<Node<'_>> = named_children(root)
        .into_iter()
        .filter(|statement| statement.kind() != "comment")
        .collect();
    let (Some(first), Some(last)) = (statements.first(), statements.last()) else {
        return (false, false);
    };
    let indented = first.start_position().column != 0;
    if !root.has_error() {
        return (indented, false);
    }
    let mut errors = Vec::new();
    super::collect_syntax_errors(root, &mut errors);
    let error_first = errors
        .first()
        .is_some_and(|error| error.start as usize <= first.start_byte());
    let error_last = errors
        .iter()
        .any(|error| error.end as usize >= last.end_byte());
    let (open, _) = scan(text.as_bytes(), range, &[]);
    (indented || error_first, error_last || open)
}

/// Where a parsed run of statements may be cut into pieces: before each
/// statement at column 0 without an error whose previous statement is one
/// too (comments go with the statement before them), and, when the
/// run holds an error, where no bracket or string is open.
fn cuts(tree: &Tree, text: &str, range: &Range<usize>) -> Vec<usize> {
    let root = tree.root_node();
    if root.kind() != "module" {
        return Vec::new();
    }
    let mut cuts = Vec::new();
    let mut previous_sound = false;
    for statement in named_children(root) {
        if statement.kind() == "comment" {
            continue;
        }
        let sound = !statement.has_error()
            && !statement.is_missing()
            && statement.start_position().column == 0;
        let start = statement.start_byte();
        if sound && previous_sound && start > range.start && start < range.end {
            cuts.push(start);
        }
        previous_sound = sound;
    }
    if root.has_error() {
        let (_, closed) = scan(text.as_bytes(), range, &cuts);
        let mut closed = closed.into_iter();
        cuts.retain(|_| closed.next().unwrap_or(false));
    }
    cuts
}

/// Python's brackets and strings over `range` of `text`, from none open at
/// its start: whether one is open at its end (or the last line continues
/// with a backslash), and whether none is open at each of `checkpoints`
/// (ascending offsets inside the range).
fn scan(text: &[u8], range: &Range<usize>, checkpoints: &[usize]) -> (bool, Vec<bool>) {
    let mut closed_at = Vec::with_capacity(checkpoints.len());
    let mut checkpoints = checkpoints.iter().peekable();
    let mut depth = 0_i64;
    // The quote and whether it is tripled.
    let mut string: Option<(u8, bool)> = None;
    let mut continued = false;
    let mut at = range.start;
    let end = range.end.min(text.len());
    while at < end {
        while checkpoints
            .next_if(|&&checkpoint| checkpoint <= at)
            .is_some()
        {
            closed_at.push(depth == 0 && string.is_none());
        }
        let byte = text[at];
        if let Some((quote, tripled)) = string {
            match byte {
                b'\\' => at += 1,
                b'\n' if !tripled => string = None,
                _ if byte == quote => {
                    if !tripled {
                        string = None;
                    } else if text[at..end].starts_with(&[quote; 3]) {
                        string = None;
                        at += 2;
                    }
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        if !byte.is_ascii_whitespace() {
            continued = byte == b'\\';
        }
        match byte {
            b'#' => {
                at = memchr::memchr(b'\n', &text[at..end]).map_or(end, |newline| at + newline);
                continue;
            }
            b'\'' | b'"' => {
                let tripled = text[at..end].starts_with(&[byte; 3]);
                string = Some((byte, tripled));
                if tripled {
                    at += 2;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        at += 1;
    }
    closed_at.extend(checkpoints.map(|_| depth == 0 && string.is_none()));
    (depth > 0 || string.is_some() || continued, closed_at)
}

/// The tree-sitter point (row, byte column) of a byte offset.
pub(super) fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
    Point {
        row,
        column: offset - line_start,
    }
}
