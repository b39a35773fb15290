//! Writing rows in the interchange format: a CSV directory or one JSON
//! document. Output is deterministic: rows in order, attribute columns in
//! first-seen order.

use crate::problem::LoadError;
use crate::table::TableKind;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use tenet::model::{Attrs, Rows};

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> LoadError + '_ {
    move |e| LoadError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// Writes rows as a directory of CSV files (created if needed), one file
/// per table, each with its header, even when empty. Extra attributes
/// become extra columns after the fixed ones; a row lacking one gets an
/// empty cell.
///
/// ```
/// use tenet_io::{write_dir, gen::{generate, GenConfig}};
/// let dir = std::env::temp_dir().join(format!("tenet-io-write-{}", std::process::id()));
/// write_dir(&generate(&GenConfig { teachers: 20, years: 1, seed: 3, start_year: 2021 }), &dir)?;
/// assert!(dir.join("attendance.csv").exists());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), tenet_io::LoadError>(())
/// ```
pub fn write_dir(rows: &Rows, dir: &Path) -> Result<(), LoadError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    for kind in TableKind::ALL {
        let path = dir.join(format!("{}.csv", kind.stem()));
        let file = File::create(&path).map_err(io_error(&path))?;
        let mut w = csv::WriterBuilder::new()
            .buffer_capacity(1 << 16)
            .from_writer(file);
        write_table(&mut w, kind, rows).map_err(csv_error(&path))?;
        w.flush().map_err(io_error(&path))?;
    }
    Ok(())
}

fn attr_names<'a>(all: impl Iterator<Item = &'a Attrs>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for attrs in all {
        for key in attrs.keys() {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
    }
    names
}

fn write_table<W: Write>(w: &mut csv::Writer<W>, kind: TableKind, rows: &Rows) -> csv::Result<()> {
    let extras = match kind {
        TableKind::Districts => attr_names(rows.districts.iter().map(|r| &r.attrs)),
        TableKind::Schools => attr_names(rows.schools.iter().map(|r| &r.attrs)),
        TableKind::People => attr_names(rows.people.iter().map(|r| &r.attrs)),
        TableKind::Activities => attr_names(rows.activities.iter().map(|r| &r.attrs)),
        _ => Vec::new(),
    };
    let header = kind
        .columns()
        .iter()
        .map(|(n, _)| *n)
        .chain(extras.iter().map(String::as_str));
    w.write_record(header)?;
    let attrs = |a: &Attrs| -> Vec<String> {
        extras
            .iter()
            .map(|k| a.get(k).cloned().unwrap_or_default())
            .collect()
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match kind {
        TableKind::Districts => {
            for r in &rows.districts {
                w.write_field(&r.id)?;
                w.write_field(&r.name)?;
                for a in attrs(&r.attrs) {
                    w.write_field(a)?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::Schools => {
            for r in &rows.schools {
                w.write_field(&r.id)?;
                w.write_field(&r.name)?;
                w.write_field(&r.district)?;
                w.write_field(bool_text(r.rural))?;
                w.write_field(bool_text(r.training_base))?;
                for a in attrs(&r.attrs) {
                    w.write_field(a)?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::People => {
            for r in &rows.people {
                w.write_field(&r.id)?;
                w.write_field(&r.name)?;
                w.write_field(&r.org)?;
                w.write_field(r.roles.to_string())?;
                w.write_field(date(r.birth_date))?;
                w.write_field(date(r.hire_date))?;
                w.write_field(date(r.post_start_date))?;
                for a in attrs(&r.attrs) {
                    w.write_field(a)?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::Activities => {
            for r in &rows.activities {
                w.write_field(&r.id)?;
                w.write_field(&r.title)?;
                w.write_field(&r.organizer)?;
                w.write_field(r.host.as_deref().unwrap_or(""))?;
                w.write_field(r.level.as_str())?;
                w.write_field(r.kind.as_str())?;
                w.write_field(r.mode.as_str())?;
                w.write_field(r.start_date.to_string())?;
                w.write_field(r.end_date.to_string())?;
                w.write_field(r.hours.to_string())?;
                for a in attrs(&r.attrs) {
                    w.write_field(a)?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::Sessions => {
            for r in &rows.sessions {
                w.write_field(&r.id)?;
                w.write_field(&r.activity)?;
                w.write_field(r.date.to_string())?;
                w.write_field(r.hours.to_string())?;
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::Enrollments => {
            for r in &rows.enrollments {
                w.write_record([r.person.as_str(), r.activity.as_str()])?;
            }
        }
        TableKind::Attendance => {
            for r in &rows.attendance {
                w.write_record([r.person.as_str(), r.session.as_str(), r.status.as_str()])?;
            }
        }
        TableKind::Mentorships => {
            for r in &rows.mentorships {
                w.write_field(&r.mentor)?;
                w.write_field(&r.trainee)?;
                w.write_field(&r.program)?;
                w.write_field(r.start_date.to_string())?;
                w.write_field(r.end_date.to_string())?;
                w.write_record(None::<&[u8]>)?;
            }
        }
        TableKind::Finance => {
            for r in &rows.finance {
                w.write_field(&r.org)?;
                w.write_field(r.year.to_string())?;
                w.write_field(r.item.as_str())?;
                w.write_field(r.amount.to_string())?;
                w.write_record(None::<&[u8]>)?;
            }
        }
    }
    Ok(())
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Writes rows as one JSON document with an array per file stem (the
/// [`Rows`] shape: decimals as strings, dates as `YYYY-MM-DD`, roles as
/// `teacher;mentor`, attributes as extra keys).
///
/// ```
/// use tenet_io::{write_json, gen::{generate, GenConfig}};
/// let path = std::env::temp_dir().join(format!("tenet-io-write-{}.json", std::process::id()));
/// write_json(&generate(&GenConfig { teachers: 20, years: 1, seed: 3, start_year: 2021 }), &path)?;
/// assert!(std::fs::read_to_string(&path)?.starts_with("{\"districts\":["));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_json(rows: &Rows, path: &Path) -> Result<(), LoadError> {
    let file = File::create(path).map_err(io_error(path))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    serde_json::to_writer(&mut w, rows).map_err(|e| LoadError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    w.flush().map_err(io_error(path))
}
