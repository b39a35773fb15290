//! Dispatching on the path, then resolving the parsed rows with the core
//! [`DatasetBuilder`] and mapping its errors back to files, lines and
//! columns.

use crate::mapping::Mapping;
use crate::problem::{LoadError, Problem, Reason};
use crate::sources;
use crate::sources::Late;
use crate::table::{Table, TableKind};
use crate::text::Encoding;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tenet::model::{
    AttendanceTable, DataError, DataErrorKind, DataWarning, Dataset, DatasetBuilder,
    EnrollmentTable, Rows,
};

/// How to read a dataset.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The text encoding of CSV and JSON files (XLSX has its own).
    pub encoding: Encoding,
    /// Header and value names to accept besides the interchange ones
    /// (default: the built-in Chinese names; see [`Mapping`]).
    pub mapping: std::sync::Arc<Mapping>,
}

/// A loaded, validated dataset and the warnings that did not stop it.
#[derive(Debug)]
pub struct Loaded {
    /// The typed dataset with interned ids and indexes.
    pub dataset: Dataset,
    /// Data-quality warnings, e.g. enrolled people with no attendance row
    /// for some sessions (counted absent).
    pub warnings: Vec<DataWarning>,
}

/// Loads and validates a dataset: a directory of CSV files, a `.json`
/// document, an `.xlsx` workbook with one sheet per file stem, or a
/// database whose tables are the files (`postgres://…`, `sqlite:FILE`;
/// see [`database_name`](crate::database_name)).
///
/// Every problem is reported, not the first: field-level problems (bad
/// dates, decimals, booleans, enum values, missing columns, files or
/// values) and cross-row problems (duplicate ids, unknown references, end
/// before start, hours out of range, attendance without enrollment,
/// duplicate rows), in file order.
///
/// ```
/// use tenet_io::{load, write_dir, LoadOptions, gen::{generate, GenConfig}};
/// let dir = std::env::temp_dir().join(format!("tenet-io-doc-{}", std::process::id()));
/// let rows = generate(&GenConfig { teachers: 60, years: 1, seed: 7, start_year: 2021 });
/// write_dir(&rows, &dir)?;
/// let loaded = load(&dir, &LoadOptions::default())?;
/// assert_eq!(loaded.dataset.people.len(), rows.people.len());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), tenet_io::LoadError>(())
/// ```
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    if let Some(db) = path.to_str().and_then(crate::db::Database::parse) {
        return build(
            crate::db::read(&db, &opts.mapping)?,
            &mut |_| Ok(Vec::new()),
        );
    }
    if path.is_dir() {
        // The builder resolves the small tables while the big files are
        // still being parsed.
        return sources::read_dir_then(path, opts.encoding, &opts.mapping, build);
    }
    let tables = read_tables(path, opts)?;
    build(tables, &mut |_| Ok(Vec::new()))
}

/// Reads and parses the rows of a dataset without resolving references;
/// field-level problems are still reported.
///
/// ```
/// use tenet_io::{read_rows, write_json, LoadOptions, gen::{generate, GenConfig}};
/// let path = std::env::temp_dir().join(format!("tenet-io-doc-{}.json", std::process::id()));
/// let rows = generate(&GenConfig { teachers: 30, years: 1, seed: 1, start_year: 2022 });
/// write_json(&rows, &path)?;
/// assert_eq!(read_rows(&path, &LoadOptions::default())?, rows);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), tenet_io::LoadError>(())
/// ```
pub fn read_rows(path: &Path, opts: &LoadOptions) -> Result<Rows, LoadError> {
    let tables = read_tables(path, opts)?;
    let problems: Vec<Problem> = tables
        .iter()
        .flat_map(|t| t.problems.iter().cloned())
        .collect();
    if !problems.is_empty() {
        return Err(LoadError::Invalid(problems));
    }
    let mut rows = Rows::default();
    for t in tables {
        merge(&mut rows, t.rows);
        rows.enrollments.extend(t.enrollments.rows());
        rows.attendance.extend(t.attendance.rows());
    }
    Ok(rows)
}

fn read_tables(path: &Path, opts: &LoadOptions) -> Result<Vec<Table>, LoadError> {
    if let Some(db) = path.to_str().and_then(crate::db::Database::parse) {
        return crate::db::read(&db, &opts.mapping);
    }
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return sources::read_dir(path, opts.encoding, &opts.mapping);
    }
    if !meta.is_file() {
        return Err(LoadError::Io {
            path: path.to_path_buf(),
            source: sources::not_a_file(),
        });
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => sources::read_json(path, opts.encoding, &opts.mapping),
        Some("xlsx" | "xlsm") => sources::read_xlsx(path, &opts.mapping),
        _ => Err(LoadError::Unsupported {
            path: path.to_path_buf(),
        }),
    }
}

/// Moves one table's rows into the whole; each table fills one field, so
/// this moves vectors rather than copying rows.
fn merge(into: &mut Rows, from: Rows) {
    fn take<T>(into: &mut Vec<T>, from: Vec<T>) {
        if into.is_empty() {
            *into = from;
        } else {
            into.extend(from);
        }
    }
    take(&mut into.districts, from.districts);
    take(&mut into.schools, from.schools);
    take(&mut into.people, from.people);
    take(&mut into.activities, from.activities);
    take(&mut into.sessions, from.sessions);
    take(&mut into.enrollments, from.enrollments);
    take(&mut into.attendance, from.attendance);
    take(&mut into.mentorships, from.mentorships);
    take(&mut into.finance, from.finance);
}

/// What is kept of a table once its rows go to the builder.
struct Meta {
    kind: TableKind,
    place: crate::table::Place,
    header: Vec<String>,
    lines: crate::table::RowLines,
}

impl Meta {
    /// The file line of the builder's 1-based record number.
    fn line(&self, record: u64) -> u64 {
        record
            .checked_sub(1)
            .and_then(|i| self.lines.get(usize::try_from(i).ok()?))
            .unwrap_or(record)
    }

    fn display(&self) -> String {
        match &self.place.sheet {
            Some(sheet) => format!("{}[{sheet}]", self.place.file),
            None => self.place.file.clone(),
        }
    }
}

/// What the parsed tables hold, gathered for the builder and for
/// mapping its errors back to files.
#[derive(Default)]
struct Gathered {
    rows: Rows,
    enrollments: EnrollmentTable,
    attendance: AttendanceTable,
    problems: Vec<Problem>,
    rejected: HashSet<String>,
    incomplete: Vec<TableKind>,
    absent: Vec<TableKind>,
    metas: Vec<Meta>,
    /// Each table's extra columns, for the builder.
    extras: Vec<(TableKind, Vec<String>)>,
}

impl Gathered {
    fn add(&mut self, t: Table) {
        self.problems.extend(t.problems);
        self.rejected
            .extend(t.rejected.into_iter().map(|(id, _)| id));
        if !t.complete {
            self.incomplete.push(t.kind);
        }
        if t.absent {
            self.absent.push(t.kind);
        }
        if !t.extras.is_empty() {
            self.extras.push((t.kind, t.extras));
        }
        merge(&mut self.rows, t.rows);
        if self.enrollments.is_empty() {
            self.enrollments = t.enrollments;
        } else {
            self.enrollments.append(&t.enrollments);
        }
        if self.attendance.is_empty() {
            self.attendance = t.attendance;
        } else {
            self.attendance.append(&t.attendance);
        }
        self.metas.push(Meta {
            kind: t.kind,
            place: t.place,
            header: t.header,
            lines: t.lines,
        });
    }
}

/// Resolves the tables with the core builder. `late` waits for the tables
/// of a kind still being parsed (a CSV directory's enrollments and
/// attendance): the builder resolves the others meanwhile.
fn build(tables: Vec<Table>, late: &mut Late<'_>) -> Result<Loaded, LoadError> {
    let mut g = Gathered::default();
    for t in tables {
        g.add(t);
    }
    let rows = std::mem::take(&mut g.rows);
    let ids = RowIds::of(&rows);
    let mut builder = DatasetBuilder::new();
    builder.add_rows(rows);
    for (kind, names) in std::mem::take(&mut g.extras) {
        if let Some(entity) = kind.entity() {
            builder.declare_columns(entity, names);
        }
    }
    // The big tables go to the builder as they are, ids numbered; their
    // rows are numbered from 1 like the rows of a `Rows` document.
    let g = RefCell::new(g);
    let failed: RefCell<Option<LoadError>> = RefCell::new(None);
    let late = RefCell::new(late);
    let wait = |kind: TableKind| match (late.borrow_mut())(kind) {
        Ok(tables) => tables.into_iter().for_each(|t| g.borrow_mut().add(t)),
        Err(e) => {
            failed.borrow_mut().get_or_insert(e);
        }
    };
    let spaced = Spaced::new(&ids);
    let mut triage = Triage::default();
    let result = builder.finish_reporting(
        || {
            wait(TableKind::Enrollments);
            std::mem::take(&mut g.borrow_mut().enrollments)
        },
        || {
            wait(TableKind::Attendance);
            std::mem::take(&mut g.borrow_mut().attendance)
        },
        &mut |e| triage.error(e, &mut g.borrow_mut(), &ids, &spaced),
    );
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    let Gathered {
        mut problems,
        mut metas,
        ..
    } = g.into_inner();
    metas.sort_by_key(|m| m.kind);
    match result {
        Ok((dataset, warnings)) if problems.is_empty() => Ok(Loaded { dataset, warnings }),
        Ok(_) => Err(LoadError::Invalid(sorted(problems, &metas))),
        Err(_) => {
            problems.extend(triage.kept.into_problems());
            // References into a file that is not there: one problem on the
            // missing file, with how many rows (from where) refer to it.
            for (kind, count, from) in triage.into_absent {
                if let Some(m) = metas.iter().find(|m| m.kind == kind) {
                    let from = from
                        .into_iter()
                        .map(|stem| {
                            TableKind::from_stem(&stem)
                                .and_then(|k| metas.iter().find(|m| m.kind == k))
                                .map_or(stem, Meta::display)
                        })
                        .collect();
                    let reason = Reason::MissingReferenced { count, from };
                    problems.push(m.place.problem(0, None, None, None, reason));
                }
            }
            Err(LoadError::Invalid(sorted(problems, &metas)))
        }
    }
}

/// What becomes of the builder's errors, one at a time as they are found:
/// an error that only echoes a row already rejected is dropped, a
/// reference into a missing file is counted for that file, and the rest
/// are kept as problems, only as many of each file as the report shows.
#[derive(Default)]
struct Triage {
    kept: crate::problem::Kept,
    /// For each missing table, how many rows refer to it, from which files.
    into_absent: Vec<(TableKind, usize, Vec<String>)>,
}

impl Triage {
    /// The builder reports tables in dependency order, so a row it rejects
    /// is known before the rows that refer to it.
    fn error(&mut self, e: DataError, g: &mut Gathered, ids: &RowIds, spaced: &Spaced<'_>) {
        let echo = match &e.kind {
            DataErrorKind::UnknownReference { expected, id } => {
                if let Some(kind) = refers_to(expected).find(|k| g.absent.contains(k)) {
                    match self.into_absent.iter_mut().find(|(k, _, _)| *k == kind) {
                        Some((_, count, from)) => {
                            *count += 1;
                            if !from.contains(&e.at.file) {
                                from.push(e.at.file.clone());
                            }
                        }
                        None => self.into_absent.push((kind, 1, vec![e.at.file.clone()])),
                    }
                }
                g.rejected.contains(id) || refers_to(expected).any(|k| g.incomplete.contains(&k))
            }
            DataErrorKind::AttendanceNotEnrolled { .. } => {
                g.incomplete.contains(&TableKind::Enrollments)
            }
            _ => false,
        };
        if !matches!(e.kind, DataErrorKind::DuplicateId { .. }) {
            if let Some(id) = ids.of_row(&e.at.file, e.at.line) {
                g.rejected.insert(id.to_string());
            }
        }
        if echo {
            return;
        }
        let near = match &e.kind {
            DataErrorKind::UnknownReference { expected, id } => spaced
                .near(id)
                .map(|known| (expected.to_string(), id.clone(), known.to_string())),
            _ => None,
        };
        let mut problem = data_problem(e, &g.metas);
        if let Some((expected, id, known)) = near {
            problem.reason = Reason::SpacedReference {
                expected,
                id,
                known,
            };
        }
        self.kept.push(problem);
    }
}

/// The tables an "unknown reference" error's `expected` text points into.
fn refers_to(expected: &str) -> impl Iterator<Item = TableKind> + '_ {
    [
        ("person", TableKind::People),
        ("school", TableKind::Schools),
        ("district", TableKind::Districts),
        ("activity", TableKind::Activities),
        ("session", TableKind::Sessions),
    ]
    .into_iter()
    .filter(move |(word, _)| expected.contains(word))
    .map(|(_, kind)| kind)
}

/// The ids of rows in tables that have them, by builder record number, so
/// rows the builder rejects can be named. Each table's ids are copied into
/// one buffer: a `String` per row would be 300,000 allocations for a
/// district's activities and sessions, made before the builder can start.
struct RowIds {
    /// Per table: its stem, its ids one after another, where each ends.
    tables: Vec<(&'static str, String, Vec<usize>)>,
}

impl RowIds {
    fn of(rows: &Rows) -> RowIds {
        fn table<'r>(
            stem: &'static str,
            ids: impl Iterator<Item = &'r String>,
        ) -> (&'static str, String, Vec<usize>) {
            let mut text = String::new();
            let mut ends = Vec::new();
            for id in ids {
                text.push_str(id);
                ends.push(text.len());
            }
            (stem, text, ends)
        }
        RowIds {
            tables: vec![
                table("districts", rows.districts.iter().map(|r| &r.id)),
                table("schools", rows.schools.iter().map(|r| &r.id)),
                table("people", rows.people.iter().map(|r| &r.id)),
                table("activities", rows.activities.iter().map(|r| &r.id)),
                table("sessions", rows.sessions.iter().map(|r| &r.id)),
            ],
        }
    }

    /// Every id of every table.
    fn all(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().flat_map(|(_, text, ends)| {
            ends.iter().scan(0, move |start, &end| {
                let id = text.get(*start..end).unwrap_or_default();
                *start = end;
                Some(id)
            })
        })
    }

    fn of_row(&self, stem: &str, record: u64) -> Option<&str> {
        let (_, text, ends) = self.tables.iter().find(|(s, _, _)| *s == stem)?;
        let row = usize::try_from(record.checked_sub(1)?).ok()?;
        let end = *ends.get(row)?;
        let start = match row.checked_sub(1) {
            Some(before) => *ends.get(before)?,
            None => 0,
        };
        text.get(start..end)
    }
}

/// Ids that differ from another only by surrounding spaces (`p1 ` for
/// `p1`): a reference that misses for that reason gets a hint instead of
/// a bare "unknown person". Built only when the builder has errors.
struct Spaced<'r> {
    /// Every id, trimmed, to what it is as written.
    trimmed: HashMap<&'r str, &'r str>,
}

impl<'r> Spaced<'r> {
    fn new(ids: &'r RowIds) -> Spaced<'r> {
        let mut trimmed = HashMap::new();
        for id in ids.all() {
            trimmed.entry(id.trim()).or_insert(id);
        }
        Spaced { trimmed }
    }

    /// The id as written that `id` names but for surrounding spaces.
    fn near(&self, id: &str) -> Option<&'r str> {
        self.trimmed
            .get(id.trim())
            .copied()
            .filter(|known| *known != id)
    }
}

fn sorted(mut problems: Vec<Problem>, metas: &[Meta]) -> Vec<Problem> {
    let order = |p: &Problem| {
        metas
            .iter()
            .position(|m| m.place.file == p.file && m.place.sheet == p.sheet)
            .unwrap_or(usize::MAX)
    };
    // The count of problems not kept comes last in its file.
    let more = |p: &Problem| matches!(p.reason, Reason::More { .. });
    problems.sort_by_cached_key(|p| (order(p), more(p), p.line, p.column));
    crate::problem::capped(problems)
}

fn data_problem(e: DataError, metas: &[Meta]) -> Problem {
    let meta_of =
        |stem: &str| TableKind::from_stem(stem).and_then(|k| metas.iter().find(|m| m.kind == k));
    let meta = meta_of(&e.at.file);
    let line = meta.map_or(e.at.line, |m| m.line(e.at.line));
    let kind = match e.kind {
        DataErrorKind::DuplicateId {
            id,
            first_file,
            first_line,
        } => {
            let first = meta_of(&first_file);
            DataErrorKind::DuplicateId {
                id,
                first_file: first.map_or(first_file, Meta::display),
                first_line: first.map_or(first_line, |m| m.line(first_line)),
            }
        }
        DataErrorKind::DuplicateRow { key, first_line } => DataErrorKind::DuplicateRow {
            key,
            first_line: meta.map_or(first_line, |m| m.line(first_line)),
        },
        other => other,
    };
    let value = match &kind {
        DataErrorKind::DuplicateId { id, .. } | DataErrorKind::UnknownReference { id, .. } => {
            Some(id.clone())
        }
        DataErrorKind::EndBeforeStart { end, .. } => Some(end.to_string()),
        DataErrorKind::OutOfRange { value, .. } => Some(value.to_string()),
        DataErrorKind::AttendanceNotEnrolled { session, .. } => Some(session.clone()),
        DataErrorKind::SessionOutsideActivity { date, .. } => Some(date.to_string()),
        DataErrorKind::DuplicateRow { .. } => None,
    };
    let column = meta.and_then(|m| {
        m.header
            .iter()
            .position(|h| h == e.field)
            .map(|i| i as u32 + 1)
    });
    match meta {
        Some(m) => m.place.problem(
            line,
            column,
            Some(e.field),
            value.as_deref(),
            Reason::Data(kind),
        ),
        None => Problem {
            source: crate::problem::SourceKind::Csv,
            file: e.at.file,
            sheet: None,
            line,
            column,
            field: Some(e.field.to_string()),
            value,
            reason: Reason::Data(kind),
        },
    }
}
