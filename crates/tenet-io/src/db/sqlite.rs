//! SQLite: the file is opened read-only and every table read in one
//! transaction. SQLite keeps a value in whatever storage class its column
//! affinity chose, so each is turned to text here: integers and text as
//! they are; a REAL (what a `DECIMAL` column makes of `2.5`) as the
//! shortest decimal that reads back as the same binary float, which is
//! the text that was stored whenever that text had at most 15 significant
//! digits — a REAL whose shortest decimal has more (`0.30000000000000004`)
//! cannot be told apart from a rounded value and is reported, not used; a
//! BLOB is reported.

use super::{decimal_text, quoted, Source};
use crate::problem::Reason;
use crate::table::{Place, Table, TableKind, TableParser};
use rusqlite::types::ValueRef;
use std::path::Path;

pub(super) struct Sqlite {
    conn: rusqlite::Connection,
}

/// Significant digits every binary float (f64) keeps exactly.
const EXACT_DIGITS: usize = 15;

impl Sqlite {
    pub(super) fn open(file: &Path) -> Result<Sqlite, String> {
        // Opening read-only never creates the file; say so plainly first.
        if !file.is_file() {
            return Err(format!("no database file `{}`", file.display()));
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(file, flags).map_err(|e| e.to_string())?;
        // A file that is not a database fails here, not at the first table.
        conn.execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")
            .map_err(|e| e.to_string())?;
        Ok(Sqlite { conn })
    }

    /// The columns and declared types of a table or view; `None` if absent.
    fn columns(&self, table: &str) -> Result<Option<Vec<(String, String)>>, String> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(|e| e.to_string())?;
        let columns = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<(String, String)>, _>>())
            .map_err(|e| e.to_string())?;
        Ok((!columns.is_empty()).then_some(columns))
    }
}

impl Source for Sqlite {
    fn table(&mut self, kind: TableKind, place: Place) -> Result<Option<Table>, String> {
        let Some(columns) = self.columns(kind.stem())? else {
            return Ok(None);
        };
        // Ordered by each cell's text, as the PostgreSQL reader orders, so
        // both read a table in the same order.
        let order: Vec<String> = columns
            .iter()
            .map(|(name, _)| {
                let text = format!("CAST({} AS TEXT)", quoted(name));
                format!("coalesce({}, '') COLLATE BINARY", decimal_text(&text))
            })
            .collect();
        let select: Vec<String> = columns.iter().map(|(name, _)| quoted(name)).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            select.join(", "),
            quoted(kind.stem()),
            order.join(", ")
        );
        let header: Vec<String> = columns.into_iter().map(|(name, _)| name).collect();
        let width = header.len();
        let mut parser = TableParser::new(kind, place, header);
        if !parser.usable() {
            return Ok(Some(parser.finish()));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| e.to_string())?;
        let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
        let mut line = 1u64;
        let mut cells: Vec<Option<String>> = Vec::with_capacity(width);
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            line += 1;
            cells.clear();
            let mut bad = false;
            for c in 0..width {
                let value = row.get_ref(c).map_err(|e| e.to_string())?;
                match cell_text(value) {
                    Ok(text) => cells.push(Some(text)),
                    Err((shown, message)) => {
                        parser.report_cell(line, c, &shown, Reason::Malformed { message });
                        bad = true;
                    }
                }
            }
            if !bad {
                parser.row(line, &cells);
            }
        }
        Ok(Some(parser.finish()))
    }
}

/// A stored value as the text a CSV cell would hold; for a value with no
/// exact text, what to show and why.
fn cell_text(value: ValueRef<'_>) -> Result<String, (String, String)> {
    match value {
        ValueRef::Null => Ok(String::new()),
        ValueRef::Integer(i) => Ok(i.to_string()),
        ValueRef::Real(f) => real_text(f).ok_or_else(|| {
            (
                f.to_string(),
                format!(
                    "`{f}` is a binary float (REAL) with more than {EXACT_DIGITS} significant \
                     digits, which may not be the value written; store the column as TEXT"
                ),
            )
        }),
        ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec()).map_err(|_| {
            (
                String::from_utf8_lossy(bytes).into_owned(),
                "text that is not valid UTF-8".to_string(),
            )
        }),
        ValueRef::Blob(bytes) => Err((
            format!("<{} bytes>", bytes.len()),
            "a BLOB, not text".to_string(),
        )),
    }
}

/// The shortest decimal that reads back as `f`, when it has at most
/// [`EXACT_DIGITS`] significant digits (so it is the decimal that was
/// stored, if that had at most as many).
fn real_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    // Rust writes the shortest round-trip decimal, never with an exponent.
    let text = f.to_string();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    (significant <= EXACT_DIGITS).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_with_an_exact_short_decimal_read_as_that_decimal() {
        assert_eq!(real_text(2.5).as_deref(), Some("2.5"));
        assert_eq!(real_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(real_text(10770000.0).as_deref(), Some("10770000"));
        assert_eq!(real_text(-0.25).as_deref(), Some("-0.25"));
        assert_eq!(
            real_text(123456789012.345).as_deref(),
            Some("123456789012.345")
        );
        assert_eq!(real_text(0.1 + 0.2), None);
        assert_eq!(real_text(1.0 / 3.0), None);
        assert_eq!(real_text(f64::NAN), None);
        assert_eq!(real_text(f64::INFINITY), None);
    }
}
