//! LSP positions ↔ byte offsets, in the negotiated position encoding.
//!
//! A position is a line and a character offset in that line, counted in
//! UTF-16 code units unless client and server agreed on UTF-8 (or UTF-32)
//! during `initialize`. Lines end at `\n`, `\r\n` or a lone `\r`, as the
//! protocol says. Positions past the end of a line or of the text are clamped,
//! and a position inside a character (half of a surrogate pair) moves to its
//! start: a client's stale or odd position never panics the server.

use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// The unit `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use given what the client offers: UTF-8 when offered
    /// (no conversion at all), else UTF-16, which every client supports.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or(&[]);
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.is_empty() || offered.contains(&PositionEncodingKind::UTF16) {
            Encoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, character: char) -> usize {
        match self {
            Encoding::Utf8 => character.len_utf8(),
            Encoding::Utf16 => character.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// The lines of one text, for converting positions.
pub(crate) struct Lines<'text> {
    text: &'text str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'text> Lines<'text> {
    pub(crate) fn new(text: &'text str, encoding: Encoding) -> Lines<'text> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // `\r\n` is one line ending: the line starts after the `\n`.
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(at + 1);
        }
        Lines {
            text,
            starts,
            encoding,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of a line without its line ending; the empty range at the
    /// end of the text past the last line.
    pub(crate) fn content(&self, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.starts.get(line) else {
            return self.text.len()..self.text.len();
        };
        let mut end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The line ending of a line (`""` for the last line when it has none).
    pub(crate) fn ending(&self, line: usize) -> &'text str {
        let content = self.content(line);
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text.get(content.end..next).unwrap_or("")
    }

    pub(crate) fn text(&self, line: usize) -> &'text str {
        self.text.get(self.content(line)).unwrap_or("")
    }

    /// The byte offset of a position.
    pub(crate) fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return self.text.len();
        }
        let content = self.content(line);
        let wanted = position.character as usize;
        if self.encoding == Encoding::Utf8 {
            let mut offset = (content.start + wanted).min(content.end);
            while !self.text.is_char_boundary(offset) {
                offset -= 1;
            }
            return offset;
        }
        let mut units = 0;
        for (at, character) in self.text[content.clone()].char_indices() {
            let next = units + self.encoding.units(character);
            if next > wanted {
                return content.start + at;
            }
            units = next;
        }
        content.end
    }

    /// The position of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|start| *start <= offset) - 1;
        let start = self.starts[line];
        let character = match self.encoding {
            Encoding::Utf8 => offset - start,
            encoding => self.text[start..offset]
                .chars()
                .map(|character| encoding.units(character))
                .sum(),
        };
        Position::new(line as u32, character as u32)
    }

    pub(crate) fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, encoding: Encoding, needle: &str, expected: Position) {
        let lines = Lines::new(text, encoding);
        let offset = text.find(needle).unwrap();
        assert_eq!(lines.position(offset), expected, "{encoding:?} {needle:?}");
        assert_eq!(lines.offset(expected), offset, "{encoding:?} {needle:?}");
    }

    #[test]
    fn characters_count_in_the_negotiated_unit() {
        // `é` is 2 bytes, 1 UTF-16 unit; `🎉` is 4 bytes, 2 UTF-16 units.
        let text = "x = 1\n\ts = 'é🎉' + q\n";
        round_trip(text, Encoding::Utf16, "q", Position::new(1, 13));
        round_trip(text, Encoding::Utf8, "q", Position::new(1, 16));
        round_trip(text, Encoding::Utf32, "q", Position::new(1, 12));
        round_trip(text, Encoding::Utf16, "\t", Position::new(1, 0));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let lines = Lines::new(text, Encoding::Utf16);
        assert_eq!(lines.count(), 4);
        round_trip(text, Encoding::Utf16, "b", Position::new(1, 0));
        round_trip(text, Encoding::Utf16, "c", Position::new(2, 0));
        round_trip(text, Encoding::Utf16, "d", Position::new(3, 0));
        assert_eq!(lines.ending(0), "\r\n");
        assert_eq!(lines.ending(1), "\r");
        assert_eq!(lines.ending(3), "");
        assert_eq!(lines.text(0), "a");
    }

    #[test]
    fn odd_positions_are_clamped() {
        let text = "ab🎉\r\nc";
        let lines = Lines::new(text, Encoding::Utf16);
        // Past the line's end: the end of its content, before `\r\n`.
        assert_eq!(lines.offset(Position::new(0, 99)), 6);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(lines.offset(Position::new(0, 3)), 2);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        let utf8 = Lines::new(text, Encoding::Utf8);
        assert_eq!(utf8.offset(Position::new(0, 3)), 2);
        assert_eq!(lines.position(999), Position::new(1, 1));
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf32
        );
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::new("utf-7")])),
            Encoding::Utf16
        );
    }
}
