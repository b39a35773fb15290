//! The three sources: a directory of CSV files, one JSON document, one
//! XLSX workbook. Each turns its tables into [`Table`]s through the same
//! [`TableParser`].

use crate::mapping::Mapping;
use crate::problem::{LoadError, Reason, SourceKind};
use crate::table::{Place, Table, TableKind, TableParser};
use crate::text::{decode, Encoding};
use crate::workbook_guard::workbook_problem;
use calamine::Reader;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::io::{Read as _, Seek as _};
use std::path::Path;
use std::sync::Arc;

/// The error for a data path that is a device, a FIFO or a socket.
pub(crate) fn not_a_file() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file")
}

fn io_error(path: &Path, source: std::io::Error) -> LoadError {
    LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads every table of a CSV directory, one thread per file.
pub(crate) fn read_dir(
    dir: &Path,
    encoding: Encoding,
    mapping: &Arc<Mapping>,
) -> Result<Vec<Table>, LoadError> {
    read_dir_then(dir, encoding, mapping, |mut tables, late| {
        tables.extend(late(TableKind::Enrollments)?);
        tables.extend(late(TableKind::Attendance)?);
        tables.sort_by_key(|t| t.kind);
        Ok(tables)
    })
}

/// What a table's reader thread returns.
type Read = Result<Table, LoadError>;

/// Waits for the tables of a kind that were still being parsed.
pub(crate) type Late<'a> = dyn FnMut(TableKind) -> Result<Vec<Table>, LoadError> + 'a;

/// Reads every table of a CSV directory, one thread per file (each reads
/// its file and parses it), and hands `then` every table but enrollments
/// and attendance as soon as those are parsed, with a function that waits
/// for either big one, so `then` can work while they are parsed.
pub(crate) fn read_dir_then<T>(
    dir: &Path,
    encoding: Encoding,
    mapping: &Arc<Mapping>,
    then: impl FnOnce(Vec<Table>, &mut Late<'_>) -> Result<T, LoadError>,
) -> Result<T, LoadError> {
    let mut files = Vec::new();
    for kind in TableKind::ALL {
        let name = format!("{}.csv", kind.stem());
        let path = dir.join(&name);
        let place = Place {
            source: SourceKind::Csv,
            file: name,
            sheet: None,
            mapping: Arc::clone(mapping),
        };
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        files.push((kind, place, path, size));
    }
    // The big files dominate; start them first so two cores share the work.
    files.sort_by_key(|(_, _, _, size)| std::cmp::Reverse(*size));
    std::thread::scope(|scope| {
        let mut small = Vec::new();
        let mut big = Vec::new();
        for (kind, place, path, size) in files {
            let fallback = (kind, place.clone());
            let handle =
                scope.spawn(
                    move || match read_file(kind, place.clone(), &path, size, encoding) {
                        Ok(table) => Ok(table),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                            Ok(TableParser::absent(kind, place))
                        }
                        Err(e) => Err(io_error(&path, e)),
                    },
                );
            if matches!(kind, TableKind::Enrollments | TableKind::Attendance) {
                big.push((fallback, handle));
            } else {
                small.push((fallback, handle));
            }
        }
        let join = |handles: Vec<((TableKind, Place), std::thread::ScopedJoinHandle<'_, Read>)>| {
            let mut tables: Vec<(TableKind, Read)> = handles
                .into_iter()
                .map(|((kind, place), handle)| {
                    let table = handle.join().unwrap_or_else(|_| {
                        Ok(TableParser::failed(
                            kind,
                            place,
                            0,
                            Reason::Malformed {
                                message: "the reader stopped unexpectedly".into(),
                            },
                        ))
                    });
                    (kind, table)
                })
                .collect();
            tables.sort_by_key(|(kind, _)| *kind);
            tables
        };
        let mut small = join(small);
        if small.iter().any(|(_, t)| t.is_err()) {
            // Report the unreadable file that comes first in table order,
            // as when files were read one after another.
            small.extend(join(big));
            small.sort_by_key(|(kind, _)| *kind);
            let tables = small
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Result<Vec<Table>, _>>()?;
            return then(tables, &mut |_| Ok(Vec::new()));
        }
        let tables = small
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Result<Vec<Table>, _>>()?;
        let mut big: Vec<_> = big.into_iter().map(Some).collect();
        let mut late = |kind: TableKind| {
            let mine: Vec<_> = big
                .iter_mut()
                .filter(|h| h.as_ref().is_some_and(|((k, _), _)| *k == kind))
                .filter_map(Option::take)
                .collect();
            join(mine)
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Result<Vec<Table>, _>>()
        };
        then(tables, &mut late)
    })
}

/// Parses one CSV file's bytes.
pub(crate) fn read_csv(kind: TableKind, place: Place, bytes: Vec<u8>, encoding: Encoding) -> Table {
    let text = match decode(bytes, encoding) {
        Ok(text) => text,
        Err(encoding) => {
            return TableParser::failed(kind, place, 0, Reason::Encoding { encoding });
        }
    };
    if text.trim().is_empty() {
        return empty_source(kind, place, "the file is empty; expected a header row");
    }
    if let Some(table) = read_plain(kind, &place, &text) {
        return table;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let header = match reader.read_byte_record(&mut record) {
        Ok(true) => (0..record.len())
            .map(|i| String::from_utf8_lossy(record.get(i).unwrap_or_default()).into_owned())
            .collect(),
        Ok(false) => Vec::new(),
        Err(e) => {
            return TableParser::failed(kind, place, 1, malformed(&e));
        }
    };
    let mut parser = TableParser::new(kind, place, header);
    if !parser.usable() {
        return parser.finish();
    }
    // The text is UTF-8, so every record is: a string record checks that
    // once per record rather than once per cell.
    let mut record = csv::StringRecord::from_byte_record_lossy(record);
    // Lines bound the rows from above (quoted fields may span lines).
    parser.reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count());
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = record.position().map_or(0, csv::Position::line);
                parser.row(line, &record);
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                parser.report(line, malformed(&e));
                break;
            }
        }
    }
    parser.finish()
}

/// Parses a text that [`PlainLines`] can split; `None` for any other.
fn read_plain(kind: TableKind, place: &Place, text: &str) -> Option<Table> {
    let rows = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let mut table = PlainTable::new(kind, place, rows);
    table.feed(&mut PlainLines::default(), text)?;
    Some(table.finish())
}

/// How much of a file [`read_plain_file`] reads at a time: small enough to
/// stay in the cache while it is split.
const PIECE: usize = 256 * 1024;

/// Reads and parses one CSV file. A quote-free UTF-8 file is read and
/// split a piece at a time ([`read_plain_file`]); any other is read whole,
/// decoded, and parsed by [`read_csv`].
fn read_file(
    kind: TableKind,
    place: Place,
    path: &Path,
    len: u64,
    encoding: Encoding,
) -> std::io::Result<Table> {
    // Checked before opening: a FIFO would block the open, `/dev/zero`
    // would never end.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_a_file());
    }
    let mut file = std::fs::File::open(path)?;
    if encoding != Encoding::Gbk {
        if let Some(table) = read_plain_file(kind, &place, &mut file, len, PIECE)? {
            return Ok(table);
        }
        file.seek(std::io::SeekFrom::Start(0))?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(read_csv(kind, place, bytes, encoding))
}

/// Parses a file `len` bytes long (to size the row tables) that
/// [`PlainLines`] can split, reading `piece` bytes at a time and
/// splitting what is read up to its last newline: the file's bytes are
/// never all in memory, which for the biggest file saves faulting in and
/// filling 79 MB of fresh pages, and a quarter of the peak memory. `None`
/// (after reading as far as it had to) for a file that is not UTF-8,
/// holds a quote or a lone carriage return, starts with a byte-order mark
/// or blank lines only, or is empty: [`read_csv`] reads those whole.
fn read_plain_file(
    kind: TableKind,
    place: &Place,
    file: &mut impl std::io::Read,
    len: u64,
    piece: usize,
) -> std::io::Result<Option<Table>> {
    let mut buf: Vec<u8> = Vec::with_capacity(piece * 2);
    let mut lines = PlainLines::default();
    let mut table: Option<PlainTable<'_>> = None;
    loop {
        let read = (&mut *file).take(piece as u64).read_to_end(&mut buf)?;
        let last = read < piece;
        let end = match memchr::memrchr(b'\n', &buf) {
            _ if last => buf.len(),
            Some(newline) => newline + 1,
            // A line longer than a piece: read on.
            None => continue,
        };
        let Ok(text) = std::str::from_utf8(buf.get(..end).unwrap_or_default()) else {
            return Ok(None);
        };
        let current = match &mut table {
            Some(current) => current,
            None => {
                if text.starts_with('\u{FEFF}') || text.trim().is_empty() {
                    return Ok(None);
                }
                // Rows by the first piece's line length, rounded up.
                let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64;
                // A record takes two bytes at least, with its newline.
                let rows = len.saturating_mul(newlines + 1) / (text.len() as u64).max(1);
                let rows = rows.min(len / 2);
                table.insert(PlainTable::new(kind, place, rows as usize + 1))
            }
        };
        if current.feed(&mut lines, text).is_none() {
            return Ok(None);
        }
        buf.drain(..end);
        if last {
            break;
        }
    }
    Ok(table.map(PlainTable::finish))
}

/// A table built from the records of a quote-free text, read a piece at a
/// time or whole. Records go to the parser in batches, so the big tables
/// can number their ids a batch at a time.
struct PlainTable<'p> {
    kind: TableKind,
    place: &'p Place,
    /// About how many rows to make room for once the header is read.
    rows: usize,
    /// Made from the first record, the header.
    parser: Option<TableParser>,
}

impl<'p> PlainTable<'p> {
    fn new(kind: TableKind, place: &'p Place, rows: usize) -> PlainTable<'p> {
        PlainTable {
            kind,
            place,
            rows,
            parser: None,
        }
    }

    /// Parses the records of the next piece of the text; `None` if the
    /// piece cannot be split (see [`PlainLines::feed`]).
    fn feed(&mut self, lines: &mut PlainLines, text: &str) -> Option<()> {
        const BATCH: usize = 128;
        let mut records: Vec<(u64, usize, usize)> = Vec::with_capacity(BATCH);
        let mut cells: Vec<&str> = Vec::new();
        let (kind, place, rows) = (self.kind, self.place, self.rows);
        let parser = &mut self.parser;
        lines.feed(text, |line, fields| match parser {
            Some(parser) => {
                let start = cells.len();
                cells.extend_from_slice(fields);
                records.push((line, start, cells.len()));
                if records.len() == BATCH {
                    parser.rows(&records, &cells);
                    records.clear();
                    cells.clear();
                }
            }
            None => {
                let header = fields.iter().map(|f| f.to_string()).collect();
                let mut header_parser = TableParser::new(kind, place.clone(), header);
                if header_parser.usable() {
                    header_parser.reserve(rows);
                }
                *parser = Some(header_parser);
            }
        })?;
        if let Some(parser) = parser {
            parser.rows(&records, &cells);
        }
        Some(())
    }

    fn finish(self) -> Table {
        let parser = self
            .parser
            .unwrap_or_else(|| TableParser::new(self.kind, self.place.clone(), Vec::new()));
        parser.finish()
    }
}

/// Reads the records of a CSV text that holds no quote, and no carriage
/// return but before a newline, so that every line is a record, giving
/// each the line number the `csv` crate would give; the text may come a
/// piece at a time. Any other text goes to the `csv` crate.
///
/// Such a text needs none of the `csv` crate's state machine, its copy of
/// every field into a record buffer, nor a second UTF-8 check per record:
/// the fields are slices of the text. Line numbers follow the `csv` crate
/// exactly, quirks included: `csv::Position::line` is the line where it
/// started reading the record, so blank lines before a record are not
/// counted, and the `\n` of a `\r\n` counts only from the record after
/// next (`plain_records_match_the_csv_crate` pins this).
#[derive(Debug, Default)]
struct PlainLines {
    /// The newlines the csv crate has consumed when it starts the next
    /// record.
    counted: u64,
    /// The newlines before the next piece.
    newlines: u64,
}

impl PlainLines {
    /// Calls `each` with the line and fields of every record of the next
    /// piece of the text: every piece but the last ends with a newline.
    /// `None` (without calling `each`) if the piece cannot be split.
    fn feed<'t>(&mut self, text: &'t str, mut each: impl FnMut(u64, &[&'t str])) -> Option<()> {
        let bytes = text.as_bytes();
        if memchr::memchr(b'"', bytes).is_some()
            || memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
        {
            return None;
        }
        let mut fields: Vec<&'t str> = Vec::new();
        let counted = &mut self.counted;
        let mut line_end =
            |fields: &mut Vec<&'t str>, last: &'t str, newlines: u64, ended: bool| {
                let crlf = last.ends_with('\r');
                let last = if crlf {
                    last.get(..last.len() - 1).unwrap_or_default()
                } else {
                    last
                };
                fields.push(last);
                if fields.len() > 1 || !last.is_empty() {
                    each(*counted + 1, fields);
                    // A `\n` ending a record is read with it; after a `\r` it is
                    // left for the next read, like blank lines.
                    *counted = if crlf || !ended {
                        newlines
                    } else {
                        newlines + 1
                    };
                }
                fields.clear();
            };
        let mut start = 0;
        for i in memchr::memchr2_iter(b',', b'\n', bytes) {
            let field = text.get(start..i).unwrap_or_default();
            if bytes.get(i) == Some(&b',') {
                fields.push(field);
            } else {
                line_end(&mut fields, field, self.newlines, true);
                self.newlines += 1;
            }
            start = i + 1;
        }
        if start < bytes.len() || !fields.is_empty() {
            let field = text.get(start..).unwrap_or_default();
            line_end(&mut fields, field, self.newlines, false);
        }
        Some(())
    }
}

/// A file or sheet with nothing in it: an empty table when the table is
/// optional, one problem when it is required.
fn empty_source(kind: TableKind, place: Place, message: &str) -> Table {
    if kind.required() {
        TableParser::failed(
            kind,
            place,
            0,
            Reason::Malformed {
                message: message.to_string(),
            },
        )
    } else {
        TableParser::empty(kind, place)
    }
}

fn malformed(e: &csv::Error) -> Reason {
    Reason::Malformed {
        message: e.to_string(),
    }
}

/// Reads a JSON document `{ "districts": [ {..}, .. ], .. }`.
pub(crate) fn read_json(
    path: &Path,
    encoding: Encoding,
    mapping: &Arc<Mapping>,
) -> Result<Vec<Table>, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    let file = file_name(path);
    let place = |sheet: Option<&str>| Place {
        source: SourceKind::Json,
        file: file.clone(),
        sheet: sheet.map(str::to_string),
        mapping: Arc::clone(mapping),
    };
    let whole_file_problem = |reason: Reason| {
        Ok(vec![TableParser::failed(
            TableKind::Districts,
            place(None),
            0,
            reason,
        )])
    };
    let text = match decode(bytes, encoding) {
        Ok(text) => text,
        Err(encoding) => return whole_file_problem(Reason::Encoding { encoding }),
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let seed = DocSeed { place: &place };
    let found = match seed
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|()| found))
    {
        Ok(found) => found,
        Err(e) => {
            return whole_file_problem(Reason::Malformed {
                message: e.to_string(),
            })
        }
    };
    let mut found: Vec<Option<Table>> = found.into_iter().map(Some).collect();
    let mut tables = Vec::new();
    for kind in TableKind::ALL {
        let table = found
            .iter_mut()
            .find(|t| t.as_ref().is_some_and(|t| t.kind == kind))
            .and_then(Option::take);
        tables.push(match table {
            Some(table) => table,
            None => TableParser::absent(kind, place(Some(kind.stem()))),
        });
    }
    Ok(tables)
}

/// Streams the top-level object: each known array is parsed record by
/// record as it is read, so memory holds rows, not the whole document.
struct DocSeed<'p, F> {
    place: &'p F,
}

impl<'de, F: Fn(Option<&str>) -> Place> DeserializeSeed<'de> for DocSeed<'_, F> {
    type Value = Vec<Table>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Table>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: Fn(Option<&str>) -> Place> Visitor<'de> for DocSeed<'_, F> {
    type Value = Vec<Table>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object with an array of records per table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Table>, A::Error> {
        let mut tables: Vec<Table> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match TableKind::from_stem(&key) {
                Some(kind) if !tables.iter().any(|t| t.kind == kind) => {
                    let place = (self.place)(Some(&key));
                    tables.push(map.next_value_seed(TableSeed { kind, place })?);
                }
                // Other keys, and a table given twice, are not read.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(tables)
    }
}

/// One array of records, parsed as it streams by. The header starts as the
/// fixed columns and grows by each new key, so a key a record leaves out
/// is an absent cell, never a missing column.
struct TableSeed {
    kind: TableKind,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for TableSeed {
    type Value = Table;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Table, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TableSeed {
    type Value = Table;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Table, A::Error> {
        let header = self
            .kind
            .columns()
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        let mut parser = TableParser::new(self.kind, self.place, header);
        let mut line = 0u64;
        while let Some(item) = seq.next_element::<JsonRecord>()? {
            line += 1;
            let JsonRecord(Some(cells)) = item else {
                parser.report_row(
                    line,
                    Reason::Malformed {
                        message: "expected an object".into(),
                    },
                );
                continue;
            };
            let mut record: Vec<Option<String>> = vec![None; parser.width()];
            for (key, value) in cells {
                let i = parser.json_column(&key);
                if record.len() <= i {
                    record.resize(i + 1, None);
                }
                if let Some(slot) = record.get_mut(i) {
                    *slot = value;
                }
            }
            record.resize(parser.width(), None);
            parser.row(line, &record);
        }
        Ok(parser.finish())
    }
}

/// One element of a table's array: its keys and cells in order, or `None`
/// for an element that is not an object. A cell is its text: a string's
/// contents, a number exactly as written (never through `f64`: a
/// `1234567890123.123456789` stays that), `true`/`false`, other values as
/// their JSON text; `null` is an absent cell.
struct JsonRecord(Option<Vec<(String, Option<String>)>>);

impl<'de> serde::Deserialize<'de> for JsonRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JsonRecord, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = JsonRecord;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a record")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRecord, A::Error> {
                let mut cells = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let raw = map.next_value::<Box<serde_json::value::RawValue>>()?;
                    cells.push((key, json_cell(raw.get()).map_err(serde::de::Error::custom)?));
                }
                Ok(JsonRecord(Some(cells)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonRecord, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonRecord(None))
            }

            fn visit_bool<E>(self, _: bool) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }

            fn visit_i64<E>(self, _: i64) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }

            fn visit_u64<E>(self, _: u64) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }

            fn visit_f64<E>(self, _: f64) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }

            fn visit_str<E>(self, _: &str) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }

            fn visit_unit<E>(self) -> Result<JsonRecord, E> {
                Ok(JsonRecord(None))
            }
        }
        d.deserialize_any(RecordVisitor)
    }
}

/// The text of one JSON value, as written (see [`JsonRecord`]).
fn json_cell(raw: &str) -> Result<Option<String>, serde_json::Error> {
    Ok(match raw.as_bytes().first() {
        Some(b'n') => None,
        Some(b'"') => Some(serde_json::from_str::<String>(raw)?),
        _ => Some(raw.to_string()),
    })
}

/// Reads an XLSX workbook with one sheet per file stem.
pub(crate) fn read_xlsx(path: &Path, mapping: &Arc<Mapping>) -> Result<Vec<Table>, LoadError> {
    let file = file_name(path);
    let place = |sheet: Option<&str>| Place {
        source: SourceKind::Xlsx,
        file: file.clone(),
        sheet: sheet.map(str::to_string),
        mapping: Arc::clone(mapping),
    };
    if let Some(message) = workbook_problem(path).map_err(|e| io_error(path, e))? {
        return Ok(vec![TableParser::failed(
            TableKind::Districts,
            place(None),
            0,
            Reason::Malformed { message },
        )]);
    }
    let mut workbook: calamine::Xlsx<_> = match calamine::open_workbook(path) {
        Ok(wb) => wb,
        Err(calamine::XlsxError::Io(e)) => return Err(io_error(path, e)),
        Err(e) => {
            return Ok(vec![TableParser::failed(
                TableKind::Districts,
                place(None),
                0,
                Reason::Malformed {
                    message: e.to_string(),
                },
            )]);
        }
    };
    let names = workbook.sheet_names();
    let mut tables = Vec::new();
    for kind in TableKind::ALL {
        let Some(sheet) = names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(kind.stem()))
            .cloned()
        else {
            let place = place(Some(kind.stem()));
            tables.push(TableParser::absent(kind, place));
            continue;
        };
        let place = place(Some(&sheet));
        let table = match workbook.worksheet_cells_reader(&sheet) {
            Ok(mut cells) => xlsx_table(kind, place, &mut cells),
            Err(e) => TableParser::failed(
                kind,
                place,
                0,
                Reason::Malformed {
                    message: e.to_string(),
                },
            ),
        };
        tables.push(table);
    }
    Ok(tables)
}

/// A sheet's table, read a cell at a time: only cells that are there take
/// memory, so a sheet declaring a far cell (`XFD1048576`) costs what it
/// holds, not the rectangle up to that cell. Columns left of the first
/// used one are padded so column numbers in messages match what Excel
/// shows (A = 1); cells right of the header's last column have no name
/// and are not read, as in a CSV export.
fn xlsx_table<RS: std::io::Read + std::io::Seek>(
    kind: TableKind,
    place: Place,
    cells: &mut calamine::XlsxCellReader<'_, RS>,
) -> Table {
    let mut parser: Option<TableParser> = None;
    let mut width = 0usize;
    let mut row: Vec<Option<String>> = Vec::new();
    let mut row_at: Option<u32> = None;
    let flush = |parser: &mut Option<TableParser>,
                 width: &mut usize,
                 row: &mut Vec<Option<String>>,
                 at: u32| {
        let line = u64::from(at) + 1;
        match parser {
            None => {
                let last = row
                    .iter()
                    .rposition(|c| c.as_deref().is_some_and(|c| !c.is_empty()));
                *width = last.map_or(0, |i| i + 1);
                let header = row
                    .drain(..)
                    .take(*width)
                    .map(Option::unwrap_or_default)
                    .collect();
                *parser = Some(TableParser::new(kind, place.clone(), header));
            }
            Some(p) => {
                if row
                    .iter()
                    .any(|c| c.as_deref().is_some_and(|c| !c.is_empty()))
                {
                    row.resize(*width, Some(String::new()));
                    p.row(line, row);
                }
            }
        }
        row.clear();
    };
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let table =
                    parser.get_or_insert_with(|| TableParser::new(kind, place.clone(), Vec::new()));
                table.report(
                    row_at.map_or(0, |r| u64::from(r) + 1),
                    Reason::Malformed {
                        message: e.to_string(),
                    },
                );
                return parser.map_or_else(
                    || TableParser::empty(kind, place.clone()),
                    TableParser::finish,
                );
            }
        };
        let (r, c) = cell.get_position();
        let text = dataref_text(cell.get_value());
        if text.is_empty() && parser.is_none() && row_at.is_none() {
            continue;
        }
        if row_at.is_some_and(|at| at != r) {
            if let Some(at) = row_at {
                flush(&mut parser, &mut width, &mut row, at);
            }
        }
        row_at = Some(r);
        let c = c as usize;
        // The header may reach any column; a data row only the header's.
        if parser.is_some() && c >= width {
            continue;
        }
        if c >= row.len() {
            row.resize(c + 1, Some(String::new()));
        }
        if let Some(slot) = row.get_mut(c) {
            *slot = Some(text);
        }
    }
    if let Some(at) = row_at {
        flush(&mut parser, &mut width, &mut row, at);
    }
    match parser {
        Some(p) => p.finish(),
        None => empty_source(kind, place, "the sheet is empty; expected a header row"),
    }
}

/// A cell as the text a CSV export would hold.
fn dataref_text(cell: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        // Excel stores numbers as binary floats; the shortest decimal that
        // reads back as the same float is what the author typed (2.5, 0.1).
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the `csv` crate, set up as `read_csv` sets it up, reads.
    fn csv_records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while reader.read_record(&mut record).unwrap() {
            let line = record.position().map_or(0, csv::Position::line);
            out.push((line, record.iter().map(str::to_string).collect()));
        }
        out
    }

    fn plain_records<'t>(text: &'t str, each: impl FnMut(u64, &[&'t str])) -> Option<()> {
        PlainLines::default().feed(text, each)
    }

    fn plain(text: &str) -> Option<Vec<(u64, Vec<String>)>> {
        let mut out = Vec::new();
        plain_records(text, |line, fields| {
            out.push((line, fields.iter().map(|f| f.to_string()).collect()));
        })?;
        Some(out)
    }

    #[test]
    fn plain_records_match_the_csv_crate_on_known_quirks() {
        for text in [
            "a,b\nc,d\ne,f\n",
            "a,b\r\nc,d\r\ne,f\r\n",
            "a,b\n\nc,d\n\n\ne,f",
            "a,b\r\n\r\nc,d\r\n\r\n\r\ne,f",
            "\n\na,b\nc,d\n",
            "a,b,\n,\n,,\n",
            " \n  ,\nx\n",
            "x",
            "a,\r\n,\r\n",
            "教师,é\n\n工号,\n",
        ] {
            assert_eq!(plain(text), Some(csv_records(text)), "{text:?}");
        }
    }

    #[test]
    fn quotes_and_lone_carriage_returns_go_to_the_csv_crate() {
        for text in ["a,\"b\"\n", "a,b\rc\n", "a\r", "\"", "a\n\r\r\n"] {
            assert_eq!(plain(text), None, "{text:?}");
        }
    }

    /// The records of `text` fed to [`PlainLines`] in pieces cut after
    /// the newlines at `cuts` (positions taken modulo the text's length).
    fn plain_in_pieces(text: &str, cuts: &[usize]) -> Option<Vec<(u64, Vec<String>)>> {
        let mut ends: Vec<usize> = cuts
            .iter()
            .filter_map(|c| {
                let at = c % (text.len() + 1);
                text.get(at..)?.find('\n').map(|i| at + i + 1)
            })
            .collect();
        ends.push(text.len());
        ends.sort_unstable();
        ends.dedup();
        let mut lines = PlainLines::default();
        let mut out = Vec::new();
        let mut start = 0;
        for end in ends {
            lines.feed(&text[start..end], |line, fields| {
                out.push((line, fields.iter().map(|f| f.to_string()).collect()));
            })?;
            start = end;
        }
        Some(out)
    }

    /// A table read a few bytes at a time is the table read whole; how
    /// many of the piece sizes tried read it in pieces.
    fn assert_read_alike(kind: TableKind, bytes: &[u8]) -> usize {
        let place = Place {
            source: SourceKind::Csv,
            file: "t.csv".into(),
            sheet: None,
            mapping: Arc::default(),
        };
        let whole = format!(
            "{:?}",
            read_csv(kind, place.clone(), bytes.to_vec(), Encoding::Auto)
        );
        let mut in_pieces = 0;
        for piece in [1, 2, 3, 7, 64, 4096] {
            let mut file = bytes;
            let len = bytes.len() as u64;
            if let Some(table) = read_plain_file(kind, &place, &mut file, len, piece).unwrap() {
                assert_eq!(
                    format!("{table:?}"),
                    whole,
                    "{piece} {:?}",
                    String::from_utf8_lossy(bytes)
                );
                in_pieces += 1;
            }
        }
        in_pieces
    }

    #[test]
    fn tables_read_in_pieces_are_tables_read_whole() {
        let attendance = "person,session,status\nt1,e1,present\nt2,e1,absent\n\nt1,e2,maybe\n,e2,present\nt3\nt1,e3,excused,x\r\nt9,e9,present";
        let enrollments = "person,activity\r\nt1,a1\r\n\r\nt2,\r\nt1,a2\r\n";
        let people = "id,name,org,roles,birth_date,hire_date,post_start_date,subject\n\
            t1,张三,s1,teacher,1980-01-02,,2020-09-01,数学\nt2,李四,s1,nobody,1980-13-02,,,\n";
        let plain = [
            (TableKind::Attendance, attendance),
            (TableKind::Enrollments, enrollments),
            (TableKind::People, people),
            (TableKind::Attendance, "person,session\nt1,e1\n"),
        ];
        for (kind, text) in plain {
            assert!(assert_read_alike(kind, text.as_bytes()) > 0, "{text:?}");
        }
        // Blank lines first: read whole when the first piece holds nothing else.
        let blank_first = "\n\nperson,session,status\nt1,e1,present\n";
        assert_read_alike(TableKind::Attendance, blank_first.as_bytes());
        // Read whole: a quote, a byte-order mark, nothing.
        let whole = [
            (
                TableKind::Sessions,
                "id,activity,date,hours\ne1,a1,\"2021-01-01\",2\n",
            ),
            (
                TableKind::Sessions,
                "\u{FEFF}id,activity,date,hours\ne1,a1,2021-01-01,2\n",
            ),
            (TableKind::Sessions, ""),
            (TableKind::Sessions, " \n"),
        ];
        for (kind, text) in whole {
            assert_eq!(assert_read_alike(kind, text.as_bytes()), 0, "{text:?}");
        }
        // Not UTF-8 (GBK): read whole and decoded.
        let (gbk, _, _) = encoding_rs::GBK.encode("person,activity\n张三,a1\n");
        assert_eq!(assert_read_alike(TableKind::Enrollments, &gbk), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn plain_records_in_pieces_match_the_csv_crate(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("bc"), Just(","), Just("\n"), Just("\r\n"), Just(" "),
                ],
                0..40,
            ),
            cuts in proptest::collection::vec(0usize..100, 0..6),
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(plain_in_pieces(&text, &cuts), Some(csv_records(&text)));
        }

        #[test]
        fn plain_records_match_the_csv_crate(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("bc"), Just(","), Just("\n"), Just("\r\n"),
                    Just(" "), Just("é"), Just("\r"), Just("\""),
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            match plain(&text) {
                Some(records) => prop_assert_eq!(records, csv_records(&text)),
                None => prop_assert!(
                    text.contains('"') || text.replace("\r\n", "").contains('\r')
                ),
            }
        }
    }
}
