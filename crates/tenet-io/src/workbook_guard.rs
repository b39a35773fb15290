//! What a workbook is checked for before calamine reads it.
//!
//! Two things in a hostile `.xlsx` hurt calamine rather than being reported
//! by it: parts that expand a thousandfold (a zip bomb), and cell
//! references past Excel's last cell (`A99999999999`), whose row or column
//! overflows calamine's `u32` arithmetic — a panic in a debug build and a
//! silently wrong position in a release build. Both are caught in one pass
//! that expands every part into nothing and, for worksheets, scans the
//! `r`/`ref` attributes on the way.

use std::io::{Read, Write};
use std::path::Path;

/// Most bytes a workbook's parts may expand to. A workbook is a zip: 1.5
/// MB can expand to 1.5 GB (a zip bomb). The parts are expanded once,
/// into nothing, before the workbook is read; that costs a pass over the
/// data and bounds what reading it may hold.
pub const MAX_XLSX_EXPANDED: u64 = 512 << 20;

/// Excel's last column (XFD) and row; no spreadsheet program writes past
/// them, so a reference beyond is damage, not data.
const LAST_COLUMN: u64 = 16_384;
const LAST_ROW: u64 = 1_048_576;

/// Expands every part of the workbook at `path` into nothing, stopping past
/// [`MAX_XLSX_EXPANDED`] bytes or at the first out-of-range cell reference;
/// the message if either is found.
///
/// calamine reads the zip with another version of the `zip` crate, which
/// may accept what this one refuses: a workbook or worksheet this pass
/// cannot read is refused rather than handed on unchecked (found by
/// fuzzing: a damaged header on one part made the whole check stop while
/// calamine went on to read an out-of-range reference). Other parts that
/// cannot be read are skipped: calamine reads no cells from them.
pub(crate) fn workbook_problem(path: &Path) -> std::io::Result<Option<String>> {
    let file = std::fs::File::open(path)?;
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(zip) => zip,
        Err(zip::result::ZipError::Io(e)) => return Err(e),
        Err(e) => {
            return Ok(Some(format!(
                "not a readable workbook ({e}); open and save it again in a spreadsheet program, or export the sheets as CSV"
            )))
        }
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let name = zip
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let mut part = match zip.by_index(i) {
            Ok(part) => part,
            Err(e) if is_worksheet(&name) => {
                return Ok(Some(format!(
                    "worksheet `{name}` cannot be read ({e}); the workbook is damaged — open and save it again in a spreadsheet program, or export the sheets as CSV"
                )))
            }
            Err(_) => continue,
        };
        let left = MAX_XLSX_EXPANDED - total;
        let mut scan = RefScan::new(is_worksheet(&name));
        // A damaged part (bad CRC, truncated stream) still had its bytes
        // scanned up to the damage, and calamine would parse those same
        // bytes before noticing: a reference found there is reported.
        let copied = std::io::copy(&mut (&mut part).take(left + 1), &mut scan);
        if let Some(reference) = scan.found {
            return Ok(Some(format!(
                "cell reference `{reference}` in `{name}` lies beyond Excel's last cell XFD1048576; the workbook is damaged — open and save it again in a spreadsheet program, or export the sheets as CSV"
            )));
        }
        match copied {
            Ok(n) => total += n,
            Err(e) if is_worksheet(&name) => {
                return Ok(Some(format!(
                    "worksheet `{name}` cannot be read ({e}); the workbook is damaged — open and save it again in a spreadsheet program, or export the sheets as CSV"
                )))
            }
            Err(_) => {}
        }
        if total > MAX_XLSX_EXPANDED {
            return Ok(Some(format!(
                "the workbook expands to more than {} MiB (part `{name}`); a workbook this large is refused as a likely zip bomb — export the sheets as CSV",
                MAX_XLSX_EXPANDED >> 20,
            )));
        }
    }
    Ok(None)
}

fn is_worksheet(part: &str) -> bool {
    part.starts_with("xl/worksheets/") && part.ends_with(".xml")
}

/// Where a byte of XML falls, as far as attribute values go.
#[derive(Clone, Copy)]
enum At {
    Text,
    Tag,
    Value(u8),
}

/// A sink that scans XML for `r="…"` and `ref="…"` attribute values
/// naming a cell past [`LAST_COLUMN`]/[`LAST_ROW`], across write calls.
struct RefScan {
    active: bool,
    at: At,
    /// The attribute name being read, and whether a separator ended it.
    name: Vec<u8>,
    name_ended: bool,
    /// Whether the value being read belongs to `r` or `ref`.
    watched: bool,
    value: Vec<u8>,
    found: Option<String>,
}

/// Longer than any in-range reference (`$XFD$1048576:$XFD$1048576` is 25).
const MAX_VALUE: usize = 64;
const MAX_NAME: usize = 16;

impl RefScan {
    fn new(active: bool) -> Self {
        RefScan {
            active,
            at: At::Text,
            name: Vec::with_capacity(MAX_NAME),
            name_ended: false,
            watched: false,
            value: Vec::with_capacity(MAX_VALUE),
            found: None,
        }
    }

    fn byte(&mut self, b: u8) {
        match self.at {
            At::Text => {
                if b == b'<' {
                    self.at = At::Tag;
                    self.name.clear();
                    self.name_ended = false;
                }
            }
            At::Tag => match b {
                b'>' => self.at = At::Text,
                b'"' | b'\'' => {
                    // Unprefixed only: `xmlns:r` declares a namespace, and
                    // SpreadsheetML's own attributes carry no prefix.
                    self.watched = self.name == b"r" || self.name == b"ref";
                    self.value.clear();
                    self.at = At::Value(b);
                }
                b'=' | b' ' | b'\t' | b'\r' | b'\n' | b'/' => self.name_ended = true,
                _ => {
                    if self.name_ended {
                        self.name.clear();
                        self.name_ended = false;
                    }
                    if self.name.len() < MAX_NAME {
                        self.name.push(b);
                    }
                }
            },
            At::Value(quote) => {
                if b == quote {
                    self.at = At::Tag;
                    self.name.clear();
                    if self.watched && out_of_range(&self.value) {
                        self.found = Some(String::from_utf8_lossy(&self.value).into_owned());
                    }
                } else if self.watched && self.value.len() < MAX_VALUE {
                    // Past MAX_VALUE the bytes are dropped: what was kept
                    // names the cell, and its length alone flags it.
                    self.value.push(b);
                }
            }
        }
    }
}

impl Write for RefScan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.active && self.found.is_none() {
            for &b in buf {
                self.byte(b);
                if self.found.is_some() {
                    break;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `value` is a cell reference or range (`B7`, `$A$1:C9`) with a
/// part past Excel's last cell. Anything that is not a reference is left
/// alone: calamine reports it as malformed without harm.
fn out_of_range(value: &[u8]) -> bool {
    value.split(|&c| c == b':').any(|part| {
        let part: Vec<u8> = part.iter().copied().filter(|&c| c != b'$').collect();
        let letters = part.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let (col, row) = part.split_at(letters);
        if !row.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let col = col.iter().fold(0u64, |n, c| {
            n.saturating_mul(26)
                .saturating_add(u64::from(c.to_ascii_uppercase() - b'A') + 1)
        });
        let row = row.iter().fold(0u64, |n, c| {
            n.saturating_mul(10).saturating_add(u64::from(c - b'0'))
        });
        // A value truncated at MAX_VALUE is as long as no real reference.
        col > LAST_COLUMN || row > LAST_ROW || value.len() >= MAX_VALUE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, chunk: usize) -> Option<String> {
        let mut s = RefScan::new(true);
        for piece in xml.as_bytes().chunks(chunk) {
            s.write_all(piece).unwrap();
        }
        s.found
    }

    #[test]
    fn in_range_references_pass_and_far_ones_are_named_whatever_the_chunking() {
        let good = r#"<worksheet><dimension ref="A1:XFD1048576"/><row r="1"><c r="$B$7" t="s"><v>r="A99999999999"</v></c></row></worksheet>"#;
        for chunk in [1, 3, 7, 4096] {
            assert_eq!(scan(good, chunk), None, "chunk {chunk}");
        }
        let far_row = r#"<row r="2"><c r="A99999999999"><v>1</v></c></row>"#;
        let far_col = r#"<x:c  r = 'XFE1'/>"#;
        let declared = r#"<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#;
        assert_eq!(scan(declared, 4096), None);
        let far_range = r#"<dimension ref="A1:ZZZZZZZ9"/>"#;
        let far_row_element = r#"<row r="1048577"/>"#;
        for chunk in [1, 2, 5, 4096] {
            assert_eq!(scan(far_row, chunk).as_deref(), Some("A99999999999"));
            assert_eq!(scan(far_col, chunk).as_deref(), Some("XFE1"));
            assert_eq!(scan(far_range, chunk).as_deref(), Some("A1:ZZZZZZZ9"));
            assert_eq!(scan(far_row_element, chunk).as_deref(), Some("1048577"));
        }
    }

    #[test]
    fn a_reference_longer_than_any_real_one_is_flagged_not_buffered() {
        let xml = format!(r#"<c r="A{}"/>"#, "9".repeat(10_000));
        assert_eq!(scan(&xml, 100).map(|r| r.len()), Some(MAX_VALUE));
    }

    #[test]
    fn other_attributes_and_non_references_are_left_alone() {
        assert_eq!(scan(r#"<c s="A99999999999" r="Z9Z"/>"#, 4096), None);
        assert_eq!(scan(r#"<hyperlink id="rId99999999999"/>"#, 4096), None);
    }
}
