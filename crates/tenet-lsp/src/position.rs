//! Byte offsets ↔ LSP positions.
//!
//! The core speaks byte offsets ([`tenet::diagnostic::Span`]); LSP speaks a
//! line and a column counted in the *negotiated* unit: UTF-8 bytes when the
//! client offers `utf-8` (we prefer it), UTF-16 code units otherwise (the
//! protocol's default). A Chinese character is 3 bytes, 1 UTF-16 unit and 1
//! `char`, so mixing the units puts every squiggle after 规则 in the wrong
//! place; this module is the one place the conversion happens.

/// The unit a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the protocol's default.
    #[default]
    Utf16,
}

impl Encoding {
    /// Chooses from what the client offers (`general.positionEncodings`):
    /// UTF-8 when offered, else UTF-16, which every client must support.
    ///
    /// ```
    /// use tenet_lsp::position::Encoding;
    /// assert_eq!(Encoding::negotiate(&["utf-16", "utf-8"]), Encoding::Utf8);
    /// assert_eq!(Encoding::negotiate(&["utf-32"]), Encoding::Utf16);
    /// assert_eq!(Encoding::negotiate(&[]), Encoding::Utf16);
    /// ```
    pub fn negotiate(offered: &[&str]) -> Encoding {
        if offered.contains(&"utf-8") {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The name LSP uses.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// A zero-based line and column in some [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column in the encoding's units.
    pub character: u32,
}

/// Line starts of one text, for converting offsets both ways.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text` for positions in `encoding`.
    ///
    /// ```
    /// use tenet_lsp::position::{Encoding, LineIndex, Pos};
    /// let text = "规则 r\n  要求 x";
    /// let x = text.find('x').unwrap();
    /// let utf16 = LineIndex::new(text, Encoding::Utf16);
    /// assert_eq!(utf16.position(x), Pos { line: 1, character: 5 });
    /// let utf8 = LineIndex::new(text, Encoding::Utf8);
    /// assert_eq!(utf8.position(x), Pos { line: 1, character: 9 });
    /// assert_eq!(utf16.offset(Pos { line: 1, character: 5 }), x);
    /// ```
    pub fn new(text: &'a str, encoding: Encoding) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        Pos {
            line: line as u32,
            character,
        }
    }

    /// The byte offset of `pos`. A column past the end of its line means
    /// the line's end; a column inside a character (half a surrogate pair)
    /// means that character's start; a line past the end means the end.
    pub fn offset(&self, pos: Pos) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let line = self.text.get(start..).unwrap_or("");
        let line = line.split('\n').next().unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let w = self.encoding.width(c);
            if units + w > pos.character {
                return start + i;
            }
            units += w;
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "// 绿园区 𝕏 policy\n规则 r \"每位教师\" {\n  要求 认定学时(t) 不少于 annual_hourz\n}\n";

    #[test]
    fn cjk_before_the_span_in_both_encodings() {
        let at = TEXT.find("annual_hourz").unwrap_or(0);
        // `  要求 认定学时(t) 不少于 `: 2 + 2 + 1 + 4 + 3 + 1 + 3 + 1 characters.
        let u16 = LineIndex::new(TEXT, Encoding::Utf16).position(at);
        assert_eq!(
            u16,
            Pos {
                line: 2,
                character: 17
            }
        );
        let u8 = LineIndex::new(TEXT, Encoding::Utf8).position(at);
        assert_eq!(
            u8,
            Pos {
                line: 2,
                character: 2 + 6 + 1 + 12 + 3 + 1 + 9 + 1
            }
        );
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let index = LineIndex::new(TEXT, enc);
            assert_eq!(index.offset(index.position(at)), at, "{enc:?}");
        }
    }

    #[test]
    fn cjk_on_the_span_in_both_encodings() {
        let start = TEXT.find("认定学时").unwrap_or(0);
        let end = start + "认定学时".len();
        let u16 = LineIndex::new(TEXT, Encoding::Utf16);
        assert_eq!(
            u16.position(end).character - u16.position(start).character,
            4
        );
        let u8 = LineIndex::new(TEXT, Encoding::Utf8);
        assert_eq!(
            u8.position(end).character - u8.position(start).character,
            12
        );
        // A column inside a character (a byte in the middle of 认) snaps back.
        let p = u8.position(start);
        assert_eq!(
            u8.offset(Pos {
                line: p.line,
                character: p.character + 1
            }),
            start
        );
    }

    #[test]
    fn astral_characters_take_two_utf16_units() {
        let after = TEXT.find(" policy").unwrap_or(0);
        let u16 = LineIndex::new(TEXT, Encoding::Utf16);
        // `// 绿园区 𝕏`: 3 + 3 + 1 + 2 units.
        assert_eq!(
            u16.position(after),
            Pos {
                line: 0,
                character: 9
            }
        );
        // Half of the surrogate pair is the character's start.
        let x = TEXT.find('𝕏').unwrap_or(0);
        assert_eq!(
            u16.offset(Pos {
                line: 0,
                character: 8
            }),
            x
        );
        assert_eq!(u16.offset(u16.position(after)), after);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        assert_eq!(
            index.offset(Pos {
                line: 99,
                character: 0
            }),
            TEXT.len()
        );
        let line_end = TEXT.find('\n').unwrap_or(0);
        assert_eq!(
            index.offset(Pos {
                line: 0,
                character: 999
            }),
            line_end
        );
        assert_eq!(
            index.position(usize::MAX),
            Pos {
                line: 4,
                character: 0
            }
        );
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let text = "规则\r\nx";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(
            index.offset(Pos {
                line: 0,
                character: 99
            }),
            "规则".len()
        );
        assert_eq!(
            index.position(text.len()),
            Pos {
                line: 1,
                character: 1
            }
        );
    }
}
