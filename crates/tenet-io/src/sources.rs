//! The three sources: a directory of CSV files, one JSON document, one
//! XLSX workbook. Each turns its tables into [`Table`]s through the same
//! [`TableParser`].

use crate::problem::{LoadError, Reason, SourceKind};
use crate::table::{Place, Table, TableKind, TableParser};
use crate::text::{decode, Encoding};
use calamine::{Data, Reader};
use indexmap::IndexMap;
use std::path::Path;

fn io_error(path: &Path, source: std::io::Error) -> LoadError {
    LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads every table of a CSV directory, one thread per file.
pub(crate) fn read_dir(dir: &Path, encoding: Encoding) -> Result<Vec<Table>, LoadError> {
    let mut files = Vec::new();
    for kind in TableKind::ALL {
        let name = format!("{}.csv", kind.stem());
        let path = dir.join(&name);
        let place = Place {
            source: SourceKind::Csv,
            file: name,
            sheet: None,
        };
        match std::fs::read(&path) {
            Ok(bytes) => files.push((kind, place, Some(bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => files.push((kind, place, None)),
            Err(e) => return Err(io_error(&path, e)),
        }
    }
    // The big files dominate; start them first so two cores share the work.
    files.sort_by_key(|(_, _, bytes)| std::cmp::Reverse(bytes.as_ref().map_or(0, Vec::len)));
    let mut tables: Vec<Table> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .into_iter()
            .map(|(kind, place, bytes)| {
                let fallback = (kind, place.clone());
                let handle = scope.spawn(move || match bytes {
                    Some(bytes) => read_csv(kind, place, bytes, encoding),
                    None if kind.required() => TableParser::missing(kind, place),
                    None => TableParser::empty(kind, place),
                });
                (fallback, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|((kind, place), handle)| {
                handle.join().unwrap_or_else(|_| {
                    TableParser::failed(
                        kind,
                        place,
                        0,
                        Reason::Malformed {
                            message: "the reader stopped unexpectedly".into(),
                        },
                    )
                })
            })
            .collect()
    });
    tables.sort_by_key(|t| t.kind);
    Ok(tables)
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
    // Lines bound the rows from above (quoted fields may span lines).
    parser.reserve(text.as_bytes().iter().filter(|b| **b == b'\n').count());
    loop {
        match reader.read_byte_record(&mut record) {
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
pub(crate) fn read_json(path: &Path, encoding: Encoding) -> Result<Vec<Table>, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    let file = file_name(path);
    let place = |sheet: Option<&str>| Place {
        source: SourceKind::Json,
        file: file.clone(),
        sheet: sheet.map(str::to_string),
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
    type Doc = IndexMap<String, serde_json::Value>;
    let mut doc: Doc = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => {
            return whole_file_problem(Reason::Malformed {
                message: e.to_string(),
            })
        }
    };
    let mut tables = Vec::new();
    for kind in TableKind::ALL {
        let place = place(Some(kind.stem()));
        let Some(value) = doc.shift_remove(kind.stem()) else {
            tables.push(if kind.required() {
                TableParser::missing(kind, place)
            } else {
                TableParser::empty(kind, place)
            });
            continue;
        };
        tables.push(json_table(kind, place, value));
    }
    Ok(tables)
}

fn json_table(kind: TableKind, place: Place, value: serde_json::Value) -> Table {
    let serde_json::Value::Array(items) = value else {
        return TableParser::failed(
            kind,
            place,
            0,
            Reason::Malformed {
                message: "expected an array of objects".into(),
            },
        );
    };
    // The header is the union of keys in first-seen order, so a key a
    // record leaves out is an absent cell rather than a missing column,
    // and the fixed columns are always present.
    let mut header: Vec<String> = kind.columns().iter().map(|(n, _)| n.to_string()).collect();
    for item in &items {
        if let serde_json::Value::Object(map) = item {
            for key in map.keys() {
                if !header.contains(key) {
                    header.push(key.clone());
                }
            }
        }
    }
    let mut parser = TableParser::new(kind, place, header.clone());
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64 + 1;
        let serde_json::Value::Object(mut map) = item else {
            parser.report(
                line,
                Reason::Malformed {
                    message: "expected an object".into(),
                },
            );
            continue;
        };
        let record: Vec<Option<String>> = header
            .iter()
            .map(|key| match map.remove(key) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(other) => Some(other.to_string()),
            })
            .collect();
        parser.row(line, &record);
    }
    parser.finish()
}

/// Reads an XLSX workbook with one sheet per file stem.
pub(crate) fn read_xlsx(path: &Path) -> Result<Vec<Table>, LoadError> {
    let file = file_name(path);
    let place = |sheet: Option<&str>| Place {
        source: SourceKind::Xlsx,
        file: file.clone(),
        sheet: sheet.map(str::to_string),
    };
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
            tables.push(if kind.required() {
                TableParser::missing(kind, place)
            } else {
                TableParser::empty(kind, place)
            });
            continue;
        };
        let place = place(Some(&sheet));
        let range = match workbook.worksheet_range(&sheet) {
            Ok(range) => range,
            Err(e) => {
                let message = e.to_string();
                tables.push(TableParser::failed(
                    kind,
                    place,
                    0,
                    Reason::Malformed { message },
                ));
                continue;
            }
        };
        tables.push(xlsx_table(kind, place, &range));
    }
    Ok(tables)
}

fn xlsx_table(kind: TableKind, place: Place, range: &calamine::Range<Data>) -> Table {
    if range.is_empty() {
        return empty_source(kind, place, "the sheet is empty; expected a header row");
    }
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows().enumerate();
    // Columns left of the used range are padded so column numbers in
    // messages match what Excel shows (A = 1).
    let pad = col0 as usize;
    let header = match rows.next() {
        Some((_, cells)) => std::iter::repeat_n(String::new(), pad)
            .chain(cells.iter().map(|c| cell_text(c).unwrap_or_default()))
            .collect(),
        None => Vec::new(),
    };
    let mut parser = TableParser::new(kind, place, header);
    for (i, cells) in rows {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let record: Vec<Option<String>> = std::iter::repeat_n(Some(String::new()), pad)
            .chain(cells.iter().map(cell_text))
            .collect();
        parser.row(u64::from(row0) + i as u64 + 1, &record);
    }
    parser.finish()
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> Option<String> {
    Some(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Excel stores numbers as binary floats; the shortest decimal that
        // reads back as the same float is what the author typed (2.5, 0.1).
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::Error(e) => format!("#{e:?}"),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
