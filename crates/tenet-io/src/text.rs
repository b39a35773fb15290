//! Bytes to text (encodings) and text cells to typed values.

use crate::problem::Reason;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::str::FromStr;

/// The text encoding of CSV and JSON files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when the bytes are valid UTF-8 (with or without a byte-order
    /// mark), otherwise GB18030 (a superset of GBK, what Chinese Excel
    /// writes for "CSV").
    #[default]
    Auto,
    /// UTF-8, with or without a byte-order mark; anything else is an error.
    Utf8,
    /// GBK, decoded as GB18030 (its superset). A UTF-8 byte-order mark
    /// still wins, since a file that carries one is certainly UTF-8.
    Gbk,
}

impl FromStr for Encoding {
    type Err = String;

    /// Parses `auto`, `utf-8`/`utf8`, `gbk`/`gb18030`/`gb2312` (any case).
    fn from_str(s: &str) -> Result<Encoding, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Ok(Encoding::Gbk),
            other => Err(format!(
                "unknown encoding `{other}`: expected one of auto, utf-8, gbk"
            )),
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a whole file. UTF-8 input is returned without copying; on
/// failure returns the encoding that was tried.
pub(crate) fn decode(bytes: Vec<u8>, encoding: Encoding) -> Result<String, &'static str> {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return String::from_utf8(rest.to_vec()).map_err(|_| "UTF-8");
    }
    // Excel's "Unicode text" is UTF-16 with a byte-order mark: as certain
    // as UTF-8's, so it wins over the encoding asked for.
    for (mark, utf16) in [
        (b"\xFF\xFE", encoding_rs::UTF_16LE),
        (b"\xFE\xFF", encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(mark) {
            let (text, had_errors) = utf16.decode_without_bom_handling(rest);
            return if had_errors {
                Err("UTF-16")
            } else {
                Ok(text.into_owned())
            };
        }
    }
    if looks_like_utf16(&bytes) {
        return Err("UTF-16 without a byte-order mark");
    }
    match encoding {
        Encoding::Utf8 => String::from_utf8(bytes).map_err(|_| "UTF-8"),
        Encoding::Gbk => decode_gb18030(&bytes),
        Encoding::Auto => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(e) => decode_gb18030(e.as_bytes()).map_err(|_| "UTF-8 or GB18030/GBK"),
        },
    }
}

/// ASCII text in UTF-16 has a zero byte in every other place; no UTF-8
/// or GBK text has zero bytes at all.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(512)).unwrap_or_default();
    head.len() >= 4
        && [0, 1].into_iter().any(|parity| {
            head.iter()
                .skip(parity)
                .step_by(2)
                .filter(|&&b| b == 0)
                .count()
                * 4
                >= head.len()
        })
}

fn decode_gb18030(bytes: &[u8]) -> Result<String, &'static str> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        Err("GB18030/GBK")
    } else {
        Ok(text.into_owned())
    }
}

/// Normalises a typed (non-string) cell: full-width ASCII forms
/// (`２０２３－０９－０１`, `２．５`) become ASCII, the ideographic space
/// becomes a space, and surrounding whitespace is trimmed.
pub(crate) fn normalise(cell: &str) -> Cow<'_, str> {
    if cell.is_ascii() {
        return Cow::Borrowed(cell.trim());
    }
    let mapped: String = cell
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    Cow::Owned(mapped.trim().to_string())
}

fn digits(bytes: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// Parses an ISO `YYYY-MM-DD` date (already normalised).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, Reason> {
    let b = text.as_bytes();
    let parts = match b {
        [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] => (
            digits(&[*y0, *y1, *y2, *y3]),
            digits(&[*m0, *m1]),
            digits(&[*d0, *d1]),
        ),
        _ => {
            return Err(Reason::BadDate {
                detail: "expected YYYY-MM-DD",
            })
        }
    };
    let (Some(y), Some(m), Some(d)) = parts else {
        return Err(Reason::BadDate {
            detail: "expected YYYY-MM-DD",
        });
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(Reason::BadDate {
        detail: "no such day",
    })
}

/// Parses a plain decimal: optional `-`, digits, optional `.` and digits.
/// No exponents, no thousands separators, no `+`.
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, Reason> {
    let b = text.as_bytes();
    let body = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match body.iter().position(|c| *c == b'.') {
        Some(dot) => (body.get(..dot), body.get(dot + 1..)),
        None => (Some(body), None),
    };
    let plain = |part: Option<&[u8]>| {
        part.is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
    };
    let ok = plain(int) && (frac.is_none() || plain(frac));
    if !ok {
        return Err(Reason::BadDecimal);
    }
    tenet::value::exact_decimal(text).ok_or(Reason::DecimalPrecision)
}

/// Parses a whole number such as a year.
pub(crate) fn parse_int(text: &str) -> Result<i32, Reason> {
    let b = text.as_bytes();
    let body = b.strip_prefix(b"-").unwrap_or(b);
    if body.is_empty() || body.len() > 9 || !body.iter().all(u8::is_ascii_digit) {
        return Err(Reason::BadInteger);
    }
    text.parse().map_err(|_| Reason::BadInteger)
}

/// Parses `true` / `false` in any case.
pub(crate) fn parse_bool(text: &str) -> Result<bool, Reason> {
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(Reason::BadBool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain() {
        assert_eq!(parse_decimal("2.5"), Ok(Decimal::new(25, 1)));
        assert_eq!(parse_decimal("-3"), Ok(Decimal::new(-3, 0)));
        assert_eq!(
            parse_decimal("10770000.00"),
            Ok(Decimal::new(1_077_000_000, 2))
        );
        for bad in ["", "1e5", "1,000", "+1", "1.", ".5", "1_000", "abc", "-"] {
            assert_eq!(parse_decimal(bad), Err(Reason::BadDecimal), "{bad}");
        }
        for long in [
            "47999.99999999999999999999999999",
            "123456789012345678901234567890",
            "0.00000000000000000000000000001",
        ] {
            assert_eq!(parse_decimal(long), Err(Reason::DecimalPrecision), "{long}");
        }
    }

    #[test]
    fn dates_are_iso() {
        assert!(parse_date("2023-02-28").is_ok());
        assert_eq!(
            parse_date("2023-02-30"),
            Err(Reason::BadDate {
                detail: "no such day"
            })
        );
        assert!(parse_date("2023/02/28").is_err());
        assert!(parse_date("2023-2-28").is_err());
    }

    #[test]
    fn full_width_forms_are_normalised() {
        assert_eq!(normalise("２０２３－０９－０１"), "2023-09-01");
        assert_eq!(normalise("\u{3000}２．５ "), "2.5");
        assert_eq!(normalise(" 2.5 "), "2.5");
    }

    #[test]
    fn encodings_are_detected() {
        let (gbk, _, _) = encoding_rs::GBK.encode("绿园区");
        assert_eq!(decode(gbk.to_vec(), Encoding::Auto).unwrap(), "绿园区");
        assert_eq!(decode(gbk.to_vec(), Encoding::Utf8), Err("UTF-8"));
        let mut bom = BOM.to_vec();
        bom.extend_from_slice("绿园区".as_bytes());
        assert_eq!(decode(bom, Encoding::Gbk).unwrap(), "绿园区");
    }
}
