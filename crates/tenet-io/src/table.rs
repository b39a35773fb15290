//! The interchange schema (DESIGN §2) and the one row parser every source
//! feeds: a header plus records of text cells in, typed rows and
//! field-level problems out.

use crate::problem::{Problem, Reason, SourceKind, MAX_PROBLEMS};
use crate::text::{normalise, parse_bool, parse_date, parse_decimal, parse_int};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use tenet::model::{
    ActivityRow, AttendanceTable, Attrs, DataErrorKind, DistrictRow, EnrollmentTable, FinanceItem,
    FinanceRow, Kind, Level, MentorshipRow, Mode, PersonRow, Role, RoleSet, Rows, SchoolRow,
    SessionRow, Status, CELL_SPACE,
};

/// One file of the interchange format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TableKind {
    Districts,
    Schools,
    People,
    Activities,
    Sessions,
    Enrollments,
    Attendance,
    Mentorships,
    Finance,
}

/// A column: its name and whether the header must have it.
type Column = (&'static str, bool);

impl TableKind {
    pub(crate) const ALL: [TableKind; 9] = [
        TableKind::Districts,
        TableKind::Schools,
        TableKind::People,
        TableKind::Activities,
        TableKind::Sessions,
        TableKind::Enrollments,
        TableKind::Attendance,
        TableKind::Mentorships,
        TableKind::Finance,
    ];

    /// The file stem, sheet name or JSON key.
    pub(crate) fn stem(self) -> &'static str {
        match self {
            TableKind::Districts => "districts",
            TableKind::Schools => "schools",
            TableKind::People => "people",
            TableKind::Activities => "activities",
            TableKind::Sessions => "sessions",
            TableKind::Enrollments => "enrollments",
            TableKind::Attendance => "attendance",
            TableKind::Mentorships => "mentorships",
            TableKind::Finance => "finance",
        }
    }

    pub(crate) fn from_stem(stem: &str) -> Option<TableKind> {
        TableKind::ALL.into_iter().find(|k| k.stem() == stem)
    }

    /// Only these must be present; the others default to empty.
    pub(crate) fn required(self) -> bool {
        matches!(
            self,
            TableKind::Districts | TableKind::Schools | TableKind::People
        )
    }

    /// Whether extra columns are kept as attributes.
    pub(crate) fn has_attrs(self) -> bool {
        matches!(
            self,
            TableKind::Districts | TableKind::Schools | TableKind::People | TableKind::Activities
        )
    }

    /// The records of the table, when `attr` reads their extra columns.
    pub(crate) fn entity(self) -> Option<tenet::schema::Entity> {
        use tenet::schema::Entity;
        match self {
            TableKind::Districts => Some(Entity::District),
            TableKind::Schools => Some(Entity::School),
            TableKind::People => Some(Entity::Person),
            TableKind::Activities => Some(Entity::Activity),
            _ => None,
        }
    }

    /// The fixed columns in canonical order.
    pub(crate) fn columns(self) -> &'static [Column] {
        match self {
            TableKind::Districts => &[("id", true), ("name", true)],
            TableKind::Schools => &[
                ("id", true),
                ("name", true),
                ("district", true),
                ("rural", true),
                ("training_base", true),
            ],
            TableKind::People => &[
                ("id", true),
                ("name", true),
                ("org", true),
                ("roles", true),
                ("birth_date", false),
                ("hire_date", false),
                ("post_start_date", false),
            ],
            TableKind::Activities => &[
                ("id", true),
                ("title", true),
                ("organizer", true),
                ("host", false),
                ("level", true),
                ("kind", true),
                ("mode", true),
                ("start_date", true),
                ("end_date", true),
                ("hours", true),
            ],
            TableKind::Sessions => &[
                ("id", true),
                ("activity", true),
                ("date", true),
                ("hours", true),
            ],
            TableKind::Enrollments => &[("person", true), ("activity", true)],
            TableKind::Attendance => &[("person", true), ("session", true), ("status", true)],
            TableKind::Mentorships => &[
                ("mentor", true),
                ("trainee", true),
                ("program", true),
                ("start_date", true),
                ("end_date", true),
            ],
            TableKind::Finance => &[
                ("org", true),
                ("year", true),
                ("item", true),
                ("amount", true),
            ],
        }
    }
}

/// A record of text cells. `None` is an absent cell (a JSON key not
/// given, or `null`); CSV and XLSX cells are always present, maybe empty.
pub(crate) trait Record {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> Option<&str>;
}

impl Record for csv::StringRecord {
    fn len(&self) -> usize {
        csv::StringRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&str> {
        csv::StringRecord::get(self, i)
    }
}

impl Record for &[&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn get(&self, i: usize) -> Option<&str> {
        <[&str]>::get(self, i).copied()
    }
}

impl Record for Vec<Option<String>> {
    fn len(&self) -> usize {
        <[Option<String>]>::len(self)
    }
    fn get(&self, i: usize) -> Option<&str> {
        <[Option<String>]>::get(self, i)?.as_deref()
    }
}

/// The file line of each parsed row, stored as runs of consecutive lines
/// (almost every row follows the previous one), so millions of rows cost a
/// few words.
#[derive(Debug, Default)]
pub(crate) struct RowLines {
    /// (first row, first line, rows in the run).
    runs: Vec<(usize, u64, usize)>,
}

impl RowLines {
    pub(crate) fn push(&mut self, line: u64) {
        let rows = self.len();
        if let Some((_, first_line, len)) = self.runs.last_mut() {
            if *first_line + *len as u64 == line {
                *len += 1;
                return;
            }
        }
        self.runs.push((rows, line, 1));
    }

    fn len(&self) -> usize {
        self.runs.last().map_or(0, |(first, _, len)| first + len)
    }

    /// The line of the `row`-th parsed row (0-based).
    pub(crate) fn get(&self, row: usize) -> Option<u64> {
        let k = self
            .runs
            .partition_point(|(first, _, len)| first + len <= row);
        let (first, line, _) = self.runs.get(k)?;
        (row >= *first).then(|| line + (row - first) as u64)
    }
}

/// Where a table came from, for problem messages.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub source: SourceKind,
    pub file: String,
    pub sheet: Option<String>,
    /// Header and value names to translate (crate::mapping).
    pub mapping: std::sync::Arc<crate::mapping::Mapping>,
}

impl Place {
    pub(crate) fn problem(
        &self,
        line: u64,
        column: Option<u32>,
        field: Option<&str>,
        value: Option<&str>,
        reason: Reason,
    ) -> Problem {
        Problem {
            source: self.source,
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            line,
            // JSON objects have no column order worth naming.
            column: column.filter(|_| self.source != SourceKind::Json),
            field: field.map(str::to_string),
            value: value.map(str::to_string),
            reason,
        }
    }
}

/// A parsed table: its rows (in the one matching field of `rows`), the
/// line of each row, the header (to name columns in later problems).
#[derive(Debug)]
pub(crate) struct Table {
    pub kind: TableKind,
    pub place: Place,
    pub header: Vec<String>,
    /// The file line of each row in `rows`.
    pub lines: RowLines,
    /// The rows of every table but the two big ones.
    pub rows: Rows,
    /// The rows of `enrollments`, ids numbered rather than owned per row.
    pub enrollments: EnrollmentTable,
    /// The rows of `attendance`, ids numbered rather than owned per row.
    pub attendance: AttendanceTable,
    pub problems: Vec<Problem>,
    /// Ids of rows rejected here, with their lines, so the builder's
    /// "unknown reference" errors that only echo them are not reported
    /// twice, and a rejected row's id is still checked for duplicates.
    pub rejected: Vec<(String, u64)>,
    /// False when the table is missing, unreadable or lacks a required
    /// column: references into it cannot be checked.
    pub complete: bool,
    /// True when an optional file (sheet, array) is not there at all.
    pub absent: bool,
    /// The extra columns of its header (or JSON keys), in order: columns
    /// of the table even where every cell is blank.
    pub extras: Vec<String>,
}

/// Parses one table's records into rows.
pub(crate) struct TableParser {
    table: Table,
    /// For each canonical column, its index in the header.
    cols: Vec<Option<usize>>,
    extras: Vec<(usize, String)>,
    /// False when a required column is missing: rows are not parsed.
    usable: bool,
    line: u64,
    /// Problems found past [`MAX_PROBLEMS`], counted, not kept.
    more: usize,
    /// The first column of each name, as written and case folded.
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl TableParser {
    /// Starts a table from its header, reporting missing and duplicate columns.
    pub(crate) fn new(kind: TableKind, place: Place, header: Vec<String>) -> TableParser {
        let header: Vec<String> = header
            .into_iter()
            .map(|h| {
                let h = h.trim_start_matches('\u{FEFF}').trim();
                // A bureau's header (`姓名`) read as the interchange column.
                place
                    .mapping
                    .header(kind, h)
                    .map_or_else(|| h.to_string(), str::to_string)
            })
            .collect();
        let mut problems = Vec::new();
        let mut cols = Vec::new();
        let mut usable = true;
        // A `;`- or tab-separated file read as CSV has one header cell
        // holding every column name: one problem naming the separator,
        // not one per "missing" column.
        let separator = match header.as_slice() {
            [only] => [';', '\t', '|'].into_iter().find(|&sep| {
                only.split(sep).any(|h| {
                    let h = place.mapping.header(kind, h.trim()).unwrap_or(h.trim());
                    kind.columns()
                        .iter()
                        .any(|(name, _)| name.eq_ignore_ascii_case(h))
                })
            }),
            _ => None,
        };
        if let Some(found) = separator {
            problems.push(place.problem(1, None, None, None, Reason::Separator { found }));
            usable = false;
        }
        for (name, required) in kind.columns() {
            let at = header.iter().position(|h| h.eq_ignore_ascii_case(name));
            if at.is_none() && *required && separator.is_none() {
                usable = false;
                problems.push(place.problem(1, None, Some(name), None, Reason::MissingColumn));
            }
            cols.push(at);
        }
        let mut extras = Vec::new();
        // Column names by letter case folded, for duplicates and JSON keys:
        // a linear scan per column was quadratic (80,000 columns, 15 s).
        let mut folded: HashMap<String, usize> = HashMap::with_capacity(header.len());
        let mut exact: HashMap<String, usize> = HashMap::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            exact.entry(h.clone()).or_insert(i);
            let seen_before = match folded.entry(h.to_ascii_lowercase()) {
                Entry::Occupied(_) => true,
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    false
                }
            };
            if seen_before && !h.is_empty() {
                problems.push(place.problem(
                    1,
                    Some(i as u32 + 1),
                    Some(h),
                    None,
                    Reason::DuplicateColumn,
                ));
                usable = false;
                continue;
            }
            let known = kind
                .columns()
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(h));
            if !known && !h.is_empty() && kind.has_attrs() {
                extras.push((i, h.clone()));
            }
        }
        TableParser {
            table: Table {
                kind,
                place,
                header,
                lines: RowLines::default(),
                rows: Rows::default(),
                enrollments: EnrollmentTable::default(),
                attendance: AttendanceTable::default(),
                problems,
                rejected: Vec::new(),
                complete: true,
                absent: false,
                extras: Vec::new(),
            },
            cols,
            extras,
            usable,
            line: 0,
            more: 0,
            exact,
            folded,
        }
    }

    /// An optional table that is absent: no rows, no problems.
    pub(crate) fn empty(kind: TableKind, place: Place) -> Table {
        Table {
            kind,
            place,
            header: Vec::new(),
            lines: RowLines::default(),
            rows: Rows::default(),
            enrollments: EnrollmentTable::default(),
            attendance: AttendanceTable::default(),
            problems: Vec::new(),
            rejected: Vec::new(),
            complete: true,
            absent: false,
            extras: Vec::new(),
        }
    }

    /// A table that could not be read at all (bad encoding, broken
    /// syntax, an unreadable sheet): one problem, no rows.
    pub(crate) fn failed(kind: TableKind, place: Place, line: u64, reason: Reason) -> Table {
        let problem = place.problem(line, None, None, None, reason);
        Table {
            kind,
            place,
            header: Vec::new(),
            lines: RowLines::default(),
            rows: Rows::default(),
            enrollments: EnrollmentTable::default(),
            attendance: AttendanceTable::default(),
            problems: vec![problem],
            rejected: Vec::new(),
            complete: false,
            absent: false,
            extras: Vec::new(),
        }
    }

    /// A table that must exist but does not.
    pub(crate) fn missing(kind: TableKind, place: Place) -> Table {
        Self::failed(kind, place, 0, Reason::MissingFile)
    }

    /// A table whose file (sheet, array) is not there: an error when the
    /// table is required; otherwise no rows, and references into it are
    /// reported once as the missing file (in `load`), not row by row.
    pub(crate) fn absent(kind: TableKind, place: Place) -> Table {
        if kind.required() {
            return Self::missing(kind, place);
        }
        let mut table = Self::empty(kind, place);
        table.complete = false;
        table.absent = true;
        table
    }

    /// Records a problem that is not about one cell (a CSV syntax error).
    pub(crate) fn report(&mut self, line: u64, reason: Reason) {
        if !matches!(reason, Reason::FieldCount { .. }) {
            // A syntax or encoding error: rows after it are not read.
            self.table.complete = false;
        }
        let p = self.table.place.problem(line, None, None, None, reason);
        self.keep(p);
    }

    /// Keeps a problem, or only counts it past [`MAX_PROBLEMS`]: a 10 MB
    /// file of garbage would otherwise hold millions of them to print ten.
    fn keep(&mut self, p: Problem) {
        if self.table.problems.len() < MAX_PROBLEMS {
            self.table.problems.push(p);
        } else {
            self.more += 1;
        }
    }

    /// Reserves room for about `rows` rows, so the row vector is
    /// allocated once instead of growing by doubling.
    pub(crate) fn reserve(&mut self, rows: usize) {
        let r = &mut self.table.rows;
        match self.table.kind {
            TableKind::Districts => r.districts.reserve(rows),
            TableKind::Schools => r.schools.reserve(rows),
            TableKind::People => r.people.reserve(rows),
            TableKind::Activities => r.activities.reserve(rows),
            TableKind::Sessions => r.sessions.reserve(rows),
            TableKind::Enrollments => self.table.enrollments.reserve(rows),
            TableKind::Attendance => self.table.attendance.reserve(rows),
            TableKind::Mentorships => r.mentorships.reserve(rows),
            TableKind::Finance => r.finance.reserve(rows),
        }
    }

    /// Records a problem with one row (not the whole file).
    pub(crate) fn report_row(&mut self, line: u64, reason: Reason) {
        let p = self.table.place.problem(line, None, None, None, reason);
        self.keep(p);
    }

    /// Records a problem with one cell of the header's column `column`
    /// (0-based), for a value a database holds that has no exact text
    /// (a binary float, a blob); the row is not parsed.
    pub(crate) fn report_cell(&mut self, line: u64, column: usize, value: &str, reason: Reason) {
        let field = self.table.header.get(column).cloned();
        let p = self.table.place.problem(
            line,
            Some(column as u32 + 1),
            field.as_deref(),
            Some(value),
            reason,
        );
        self.keep(p);
    }

    /// The number of columns in the header so far.
    pub(crate) fn width(&self) -> usize {
        self.table.header.len()
    }

    /// The column of a JSON key: a fixed column (in any letter case) or an
    /// extra one, added to the header the first time it is seen.
    pub(crate) fn json_column(&mut self, key: &str) -> usize {
        if let Some(i) = self.exact.get(key) {
            return *i;
        }
        let lower = key.to_ascii_lowercase();
        if let Some(i) = self.folded.get(&lower) {
            return *i;
        }
        let i = self.table.header.len();
        self.table.header.push(key.to_string());
        self.exact.insert(key.to_string(), i);
        self.folded.insert(lower, i);
        if self.table.kind.has_attrs() && !key.is_empty() {
            self.extras.push((i, key.to_string()));
        }
        i
    }

    /// Whether rows will be parsed (the header is complete).
    pub(crate) fn usable(&self) -> bool {
        self.usable
    }

    /// Starts a record at `line`: false (after reporting why) when its
    /// width disagrees with the header's.
    fn fits<R: Record>(&mut self, line: u64, r: &R) -> bool {
        self.line = line;
        let width = self.table.header.len();
        if r.len() != width && r.len() > 0 {
            // JSON records are built to the header's width, so only CSV and
            // XLSX rows can disagree.
            self.report(
                line,
                Reason::FieldCount {
                    expected: width,
                    found: r.len(),
                },
            );
            self.reject_id(r);
            return false;
        }
        true
    }

    /// Parses records of text cells, each `(line, first cell, end)` in
    /// `cells`, as [`row`](TableParser::row) would one by one; the rows of
    /// the two big tables have their ids numbered together
    /// ([`AttendanceTable::push_all`]), which is faster.
    pub(crate) fn rows(&mut self, records: &[(u64, usize, usize)], cells: &[&str]) {
        if !self.usable {
            return;
        }
        let record = |&(line, start, end): &(u64, usize, usize)| {
            (line, cells.get(start..end).unwrap_or_default())
        };
        match self.table.kind {
            TableKind::Enrollments => {
                let mut rows = Vec::with_capacity(records.len());
                for (line, r) in records.iter().map(record) {
                    if !self.fits(line, &r) {
                        continue;
                    }
                    // Both cells are checked, so both can report a problem.
                    let ok = self.id(&r, 0).is_some() & self.id(&r, 1).is_some();
                    if ok {
                        rows.push((self.field(r, 0), self.field(r, 1)));
                        self.table.lines.push(line);
                    }
                }
                self.table.enrollments.push_all(&rows);
            }
            TableKind::Attendance => {
                let mut rows = Vec::with_capacity(records.len());
                for (line, r) in records.iter().map(record) {
                    if !self.fits(line, &r) {
                        continue;
                    }
                    let ok = self.id(&r, 0).is_some() & self.id(&r, 1).is_some();
                    let status = self.choice(&r, 2, "status", Status::parse, Status::names);
                    if let (true, Some(status)) = (ok, status) {
                        rows.push((self.field(r, 0), self.field(r, 1), status));
                        self.table.lines.push(line);
                    }
                }
                self.table.attendance.push_all(&rows);
            }
            _ => {
                for (line, r) in records.iter().map(record) {
                    self.row(line, &r);
                }
            }
        }
    }

    /// A cell of a CSV record, borrowed from the text (empty if absent).
    fn field<'t>(&self, r: &[&'t str], c: usize) -> &'t str {
        let i = self.cols.get(c).copied().flatten();
        i.and_then(|i| r.get(i)).copied().unwrap_or_default()
    }

    /// Parses one record at `line`.
    pub(crate) fn row<R: Record>(&mut self, line: u64, r: &R) {
        if !self.usable || !self.fits(line, r) {
            return;
        }
        let pushed = match self.table.kind {
            TableKind::Districts => self
                .district(r)
                .map(|row| self.table.rows.districts.push(row)),
            TableKind::Schools => self.school(r).map(|row| self.table.rows.schools.push(row)),
            TableKind::People => self.person(r).map(|row| self.table.rows.people.push(row)),
            TableKind::Activities => self
                .activity(r)
                .map(|row| self.table.rows.activities.push(row)),
            TableKind::Sessions => self
                .session(r)
                .map(|row| self.table.rows.sessions.push(row)),
            TableKind::Enrollments => self.enrollment(r),
            TableKind::Attendance => self.attendance(r),
            TableKind::Mentorships => self
                .mentorship(r)
                .map(|row| self.table.rows.mentorships.push(row)),
            TableKind::Finance => self.finance(r).map(|row| self.table.rows.finance.push(row)),
        };
        if pushed.is_some() {
            self.table.lines.push(line);
        } else {
            self.reject_id(r);
        }
    }

    /// The parsed table.
    pub(crate) fn finish(mut self) -> Table {
        if !self.usable {
            self.table.complete = false;
        }
        self.table.extras = self.extras.iter().map(|(_, name)| name.clone()).collect();
        for p in self.duplicates_of_rejected() {
            self.keep(p);
        }
        if self.more > 0 {
            let count = self.more;
            let p = self
                .table
                .place
                .problem(0, None, None, None, Reason::More { count });
            self.table.problems.push(p);
        }
        self.table
    }

    /// Duplicate ids where one of the rows was rejected for a bad cell:
    /// the builder never sees that row, so it cannot tell. Reported at
    /// the later row, naming the earlier, as the builder does.
    fn duplicates_of_rejected(&self) -> Vec<Problem> {
        if self.table.rejected.is_empty() {
            return Vec::new();
        }
        let rows = &self.table.rows;
        let ids: Vec<&str> = match self.table.kind {
            TableKind::Districts => rows.districts.iter().map(|r| r.id.as_str()).collect(),
            TableKind::Schools => rows.schools.iter().map(|r| r.id.as_str()).collect(),
            TableKind::People => rows.people.iter().map(|r| r.id.as_str()).collect(),
            TableKind::Activities => rows.activities.iter().map(|r| r.id.as_str()).collect(),
            TableKind::Sessions => rows.sessions.iter().map(|r| r.id.as_str()).collect(),
            _ => return Vec::new(),
        };
        let mut first: HashMap<&str, u64> = HashMap::with_capacity(ids.len());
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(line) = self.table.lines.get(i) {
                first.entry(id).or_insert(line);
            }
        }
        let place = &self.table.place;
        let file = match &place.sheet {
            Some(sheet) => format!("{}[{sheet}]", place.file),
            None => place.file.clone(),
        };
        let column = self.cols.first().copied().flatten().map(|i| i as u32 + 1);
        let mut problems = Vec::new();
        for (id, line) in &self.table.rejected {
            let earlier = match first.entry(id.as_str()) {
                Entry::Occupied(seen) => *seen.get(),
                Entry::Vacant(slot) => {
                    slot.insert(*line);
                    continue;
                }
            };
            let (first_line, line) = (earlier.min(*line), earlier.max(*line));
            problems.push(place.problem(
                line,
                column,
                Some("id"),
                Some(id),
                Reason::Data(DataErrorKind::DuplicateId {
                    id: id.clone(),
                    first_file: file.clone(),
                    first_line,
                }),
            ));
        }
        problems
    }

    fn reject_id<R: Record>(&mut self, r: &R) {
        if matches!(
            self.table.kind,
            TableKind::Districts
                | TableKind::Schools
                | TableKind::People
                | TableKind::Activities
                | TableKind::Sessions
        ) {
            if let Some(id) = self.cell(r, 0).filter(|id| !id.is_empty()) {
                self.table.rejected.push((id.to_string(), self.line));
            }
        }
    }

    fn problem(&mut self, c: usize, value: Option<&str>, reason: Reason) {
        let at = self.cols.get(c).copied().flatten();
        let name = self.table.kind.columns().get(c).map(|(n, _)| *n);
        let p = self
            .table
            .place
            .problem(self.line, at.map(|i| i as u32 + 1), name, value, reason);
        self.keep(p);
    }

    fn cell<'r, R: Record>(&self, r: &'r R, c: usize) -> Option<&'r str> {
        let i = self.cols.get(c).copied().flatten()?;
        r.get(i)
    }

    /// A required cell, as text.
    fn text<R: Record>(&mut self, r: &R, c: usize) -> Option<String> {
        self.id(r, c).map(str::to_string)
    }

    /// A required cell, borrowed.
    fn id<'r, R: Record>(&mut self, r: &'r R, c: usize) -> Option<&'r str> {
        // Most cells start with a letter or digit: no need to trim them.
        let blank = |v: &str| match v.as_bytes().first() {
            Some(b) if b.is_ascii_alphanumeric() => false,
            _ => v.trim().is_empty(),
        };
        match self.cell(r, c) {
            Some(v) if !blank(v) => Some(v),
            other => {
                self.problem(c, other, Reason::MissingValue);
                None
            }
        }
    }

    /// A required typed cell, normalised and parsed.
    fn typed<R: Record, T>(
        &mut self,
        r: &R,
        c: usize,
        parse: impl Fn(&str) -> Result<T, Reason>,
    ) -> Option<T> {
        let Some(raw) = self.cell(r, c) else {
            self.problem(c, None, Reason::MissingValue);
            return None;
        };
        let value = normalise(raw);
        if value.is_empty() {
            self.problem(c, Some(raw), Reason::MissingValue);
            return None;
        }
        match parse(&value) {
            Ok(v) => Some(v),
            Err(reason) => {
                // Looked up only when the value is not an interchange one,
                // so canonical data pays nothing for the mapping.
                if let Some(v) = self.mapped(c, &value).and_then(|m| parse(m).ok()) {
                    return Some(v);
                }
                self.problem(c, Some(raw), reason);
                None
            }
        }
    }

    /// What the mapping says a value of column `c` stands for.
    fn mapped(&self, c: usize, value: &str) -> Option<&str> {
        let (column, _) = self.table.kind.columns().get(c)?;
        self.table.place.mapping.cell(column, value)
    }

    /// An optional date: empty or absent is `None`; `Err` after a problem.
    fn opt_date<R: Record>(&mut self, r: &R, c: usize) -> Result<Option<NaiveDate>, ()> {
        let Some(raw) = self.cell(r, c) else {
            return Ok(None);
        };
        let value = normalise(raw);
        if value.is_empty() {
            return Ok(None);
        }
        match parse_date(&value) {
            Ok(d) => Ok(Some(d)),
            Err(reason) => {
                self.problem(c, Some(raw), reason);
                Err(())
            }
        }
    }

    fn date<R: Record>(&mut self, r: &R, c: usize) -> Option<NaiveDate> {
        self.typed(r, c, parse_date)
    }

    fn decimal<R: Record>(&mut self, r: &R, c: usize) -> Option<Decimal> {
        self.typed(r, c, parse_decimal)
    }

    fn boolean<R: Record>(&mut self, r: &R, c: usize) -> Option<bool> {
        self.typed(r, c, parse_bool)
    }

    fn choice<R: Record, E>(
        &mut self,
        r: &R,
        c: usize,
        what: &'static str,
        parse: fn(&str) -> Option<E>,
        names: fn() -> Vec<&'static str>,
    ) -> Option<E> {
        self.typed(r, c, |v| {
            parse(v).ok_or_else(|| Reason::UnknownValue {
                what,
                found: v.to_string(),
                allowed: names(),
            })
        })
    }

    fn roles<R: Record>(&mut self, r: &R, c: usize) -> Option<RoleSet> {
        let Some(raw) = self.cell(r, c) else {
            self.problem(c, None, Reason::MissingValue);
            return None;
        };
        let value = normalise(raw);
        // Full-width semicolons are common in Chinese spreadsheets.
        let value = value.replace('\u{FF1B}', ";");
        let parsed = RoleSet::parse(&value).or_else(|_| {
            // Mapped one by one (`教师、专任教师`): exports list roles
            // with Chinese separators.
            let parts: Vec<&str> = value
                .split([';', '、', '，', '/'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| self.mapped(c, p).unwrap_or(p))
                .collect();
            let whole = self.mapped(c, value.trim());
            RoleSet::parse(whole.unwrap_or(&parts.join(";")))
        });
        match parsed {
            Ok(set) => Some(set),
            Err(bad) => {
                self.problem(
                    c,
                    Some(raw),
                    Reason::UnknownValue {
                        what: "role",
                        found: bad,
                        allowed: Role::names(),
                    },
                );
                None
            }
        }
    }

    fn attrs<R: Record>(&self, r: &R) -> Attrs {
        let mut attrs = Attrs::with_capacity(self.extras.len());
        for (i, name) in &self.extras {
            // A blank cell (empty, spaces only, JSON `null` or no key, SQL
            // NULL) is not stored: the table's column list (`extras`) says
            // `attr` reads it as "" (decisions R7). Kept cells are trimmed.
            let cell = r.get(*i).map(|v| v.trim_matches(CELL_SPACE));
            if let Some(v) = cell.filter(|v| !v.is_empty()) {
                attrs.insert(name.clone(), v.to_string());
            }
        }
        attrs
    }

    fn district<R: Record>(&mut self, r: &R) -> Option<DistrictRow> {
        let id = self.text(r, 0);
        let name = self.text(r, 1);
        Some(DistrictRow {
            id: id?,
            name: name?,
            attrs: self.attrs(r),
        })
    }

    fn school<R: Record>(&mut self, r: &R) -> Option<SchoolRow> {
        let id = self.text(r, 0);
        let name = self.text(r, 1);
        let district = self.text(r, 2);
        let rural = self.boolean(r, 3);
        let training_base = self.boolean(r, 4);
        Some(SchoolRow {
            id: id?,
            name: name?,
            district: district?,
            rural: rural?,
            training_base: training_base?,
            attrs: self.attrs(r),
        })
    }

    fn person<R: Record>(&mut self, r: &R) -> Option<PersonRow> {
        let id = self.text(r, 0);
        let name = self.text(r, 1);
        let org = self.text(r, 2);
        let roles = self.roles(r, 3);
        let birth_date = self.opt_date(r, 4);
        let hire_date = self.opt_date(r, 5);
        let post_start_date = self.opt_date(r, 6);
        Some(PersonRow {
            id: id?,
            name: name?,
            org: org?,
            roles: roles?,
            birth_date: birth_date.ok()?,
            hire_date: hire_date.ok()?,
            post_start_date: post_start_date.ok()?,
            attrs: self.attrs(r),
        })
    }

    fn activity<R: Record>(&mut self, r: &R) -> Option<ActivityRow> {
        let id = self.text(r, 0);
        let title = self.text(r, 1);
        let organizer = self.text(r, 2);
        let host = self
            .cell(r, 3)
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string);
        let level = self.choice(r, 4, "level", Level::parse, Level::names);
        let kind = self.choice(r, 5, "kind", Kind::parse, Kind::names);
        let mode = self.choice(r, 6, "mode", Mode::parse, Mode::names);
        let start_date = self.date(r, 7);
        let end_date = self.date(r, 8);
        let hours = self.decimal(r, 9);
        Some(ActivityRow {
            id: id?,
            title: title?,
            organizer: organizer?,
            host,
            level: level?,
            kind: kind?,
            mode: mode?,
            start_date: start_date?,
            end_date: end_date?,
            hours: hours?,
            attrs: self.attrs(r),
        })
    }

    fn session<R: Record>(&mut self, r: &R) -> Option<SessionRow> {
        let id = self.text(r, 0);
        let activity = self.text(r, 1);
        let date = self.date(r, 2);
        let hours = self.decimal(r, 3);
        Some(SessionRow {
            id: id?,
            activity: activity?,
            date: date?,
            hours: hours?,
        })
    }

    /// Checks an enrollment and adds it to the table, ids numbered from
    /// the borrowed cells (no string per row).
    fn enrollment<R: Record>(&mut self, r: &R) -> Option<()> {
        let person = self.id(r, 0);
        let activity = self.id(r, 1);
        self.table.enrollments.push(person?, activity?);
        Some(())
    }

    /// Checks an attendance row and adds it to the table, ids numbered
    /// from the borrowed cells (no string per row).
    fn attendance<R: Record>(&mut self, r: &R) -> Option<()> {
        let person = self.id(r, 0);
        let session = self.id(r, 1);
        let status = self.choice(r, 2, "status", Status::parse, Status::names);
        self.table.attendance.push(person?, session?, status?);
        Some(())
    }

    fn mentorship<R: Record>(&mut self, r: &R) -> Option<MentorshipRow> {
        let mentor = self.text(r, 0);
        let trainee = self.text(r, 1);
        let program = self.text(r, 2);
        let start_date = self.date(r, 3);
        let end_date = self.date(r, 4);
        Some(MentorshipRow {
            mentor: mentor?,
            trainee: trainee?,
            program: program?,
            start_date: start_date?,
            end_date: end_date?,
        })
    }

    fn finance<R: Record>(&mut self, r: &R) -> Option<FinanceRow> {
        let org = self.text(r, 0);
        let year = self.typed(r, 1, parse_int);
        let item = self.choice(r, 2, "finance item", FinanceItem::parse, FinanceItem::names);
        let amount = self.decimal(r, 3);
        Some(FinanceRow {
            org: org?,
            year: year?,
            item: item?,
            amount: amount?,
        })
    }
}
