//! Resolving rows into a [`Dataset`]: references, duplicates, date order,
//! and the indexes the evaluator needs. Every problem is collected.

use super::*;
use crate::schema::Entity;
use std::fmt;

/// Where a row came from: the file stem (`people`) and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowRef {
    /// File stem or sheet name, e.g. `people`.
    pub file: String,
    /// 1-based line (header is line 1) or record number for JSON.
    pub line: u64,
}

impl RowRef {
    /// A row of a file.
    pub fn new(file: impl Into<String>, line: u64) -> RowRef {
        RowRef {
            file: file.into(),
            line,
        }
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataErrorKind {
    /// The id is already used by an earlier row.
    #[error("duplicate id `{id}` (first used on line {first_line} of `{first_file}`)")]
    DuplicateId {
        /// The id.
        id: String,
        /// The earlier row's file.
        first_file: String,
        /// The earlier row's line.
        first_line: u64,
    },
    /// A reference names no known row.
    #[error("unknown {expected} `{id}`")]
    UnknownReference {
        /// What was expected (`district`, `school or district`, …).
        expected: &'static str,
        /// The id.
        id: String,
    },
    /// An end date before its start date.
    #[error("end date {end} is before start date {start}")]
    EndBeforeStart {
        /// Start.
        start: NaiveDate,
        /// End.
        end: NaiveDate,
    },
    /// Hours or an amount that must not be negative (or zero).
    #[error("{what} must be {bound}, found `{value}`")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// `positive` or `zero or more`.
        bound: &'static str,
        /// The value.
        value: Decimal,
    },
    /// Attendance for a session of an activity the person is not enrolled in.
    #[error("`{person}` has attendance for session `{session}` but is not enrolled in activity `{activity}`")]
    AttendanceNotEnrolled {
        /// The person.
        person: String,
        /// The session.
        session: String,
        /// The session's activity.
        activity: String,
    },
    /// The same (person, activity) or (person, session) or finance key twice.
    #[error("duplicate row for {key} (first on line {first_line})")]
    DuplicateRow {
        /// The repeated key, readable.
        key: String,
        /// The earlier row's line.
        first_line: u64,
    },
    /// A session dated outside its activity.
    #[error("session date {date} is outside its activity ({start} .. {end})")]
    SessionOutsideActivity {
        /// Session date.
        date: NaiveDate,
        /// Activity start.
        start: NaiveDate,
        /// Activity end.
        end: NaiveDate,
    },
}

impl DataErrorKind {
    /// Why, in `lang` (the `Display` text in English). Each kind is
    /// spelled in both languages here, so a new one needs its Chinese to
    /// compile.
    pub fn message_in(&self, lang: crate::diagnostic::Lang) -> String {
        use crate::diagnostic::{translate, Lang};
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            DataErrorKind::DuplicateId {
                id,
                first_file,
                first_line,
            } => {
                format!("id `{id}` 重复（`{first_file}` 第{first_line}行已用过）")
            }
            DataErrorKind::UnknownReference { expected, id } => {
                format!("未知的{} `{id}`", translate(expected, lang))
            }
            DataErrorKind::EndBeforeStart { start, end } => {
                format!("结束日期 {end} 早于开始日期 {start}")
            }
            DataErrorKind::OutOfRange { what, bound, value } => {
                let bound = match *bound {
                    "positive" => "大于0",
                    "zero or more" => "不小于0",
                    other => other,
                };
                format!("`{what}` 必须{bound}，实际是 `{value}`")
            }
            DataErrorKind::AttendanceNotEnrolled {
                person,
                session,
                activity,
            } => format!("`{person}` 有课次 `{session}` 的考勤，但没有报名活动 `{activity}`"),
            DataErrorKind::DuplicateRow { key, first_line } => {
                format!("{key} 的记录重复（第{first_line}行已有）")
            }
            DataErrorKind::SessionOutsideActivity { date, start, end } => {
                format!("课次日期 {date} 不在所属活动的日期内（{start} .. {end}）")
            }
        }
    }
}

/// A rejected row: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataError {
    /// The row.
    pub at: RowRef,
    /// The column name.
    pub field: &'static str,
    /// Why.
    #[serde(flatten)]
    pub kind: DataErrorKind,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.csv:{}: column `{}`: {}",
            self.at.file, self.at.line, self.field, self.kind
        )
    }
}

impl std::error::Error for DataError {}

/// Something suspicious that does not stop the load.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataWarning {
    /// An enrolled person has no attendance row for some sessions; they
    /// count as absent.
    MissingAttendance {
        /// The person id.
        person: String,
        /// The activity id.
        activity: String,
        /// How many sessions have no row.
        sessions: u32,
    },
}

impl fmt::Display for DataWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataWarning::MissingAttendance { person, activity, sessions } => write!(
                f,
                "`{person}` is enrolled in `{activity}` but has no attendance row for {sessions} session(s); counted absent"
            ),
        }
    }
}

/// Builds a [`Dataset`] from rows added one at a time, so loaders can stream
/// and keep each row's origin for error messages.
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    /// Every table but the two big ones, which are kept numbered.
    rows: Rows,
    enrollments: EnrollmentTable,
    attendance: AttendanceTable,
    origins: Origins,
    /// Extra columns declared by the loader (a header).
    columns: super::columns::ExtraColumns,
}

/// A row's origin, compactly: an interned file name and a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    file: u32,
    line: u64,
}

/// Consecutive rows of one file on consecutive lines, stored as one run so
/// millions of rows cost a few words instead of a `RowRef` each.
#[derive(Debug, Clone, Copy)]
struct Run {
    first_row: usize,
    len: usize,
    file: u32,
    first_line: u64,
}

/// The origins of one table's rows.
#[derive(Debug, Default)]
struct Lines {
    runs: Vec<Run>,
}

impl Lines {
    fn rows(&self) -> usize {
        self.runs.last().map_or(0, |r| r.first_row + r.len)
    }

    fn push_run(&mut self, file: u32, first_line: u64, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.runs.last_mut() {
            if last.file == file && last.first_line + last.len as u64 == first_line {
                last.len += len;
                return;
            }
        }
        let first_row = self.rows();
        self.runs.push(Run {
            first_row,
            len,
            file,
            first_line,
        });
    }

    /// The origin of the `row`-th row (0-based).
    fn get(&self, row: usize) -> Origin {
        let k = self.runs.partition_point(|r| r.first_row + r.len <= row);
        match self.runs.get(k) {
            Some(r) if row >= r.first_row => Origin {
                file: r.file,
                line: r.first_line + (row - r.first_row) as u64,
            },
            _ => Origin {
                file: u32::MAX,
                line: 0,
            },
        }
    }
}

#[derive(Debug, Default)]
struct Origins {
    files: Vec<String>,
    districts: Lines,
    schools: Lines,
    people: Lines,
    activities: Lines,
    sessions: Lines,
    enrollments: Lines,
    attendance: Lines,
    mentorships: Lines,
    finance: Lines,
}

impl Origins {
    fn intern(&mut self, file: &str) -> u32 {
        match self.files.iter().position(|f| f == file) {
            Some(i) => i as u32,
            None => {
                self.files.push(file.to_string());
                (self.files.len() - 1) as u32
            }
        }
    }
}

macro_rules! adders {
    ($($fn:ident: $field:ident, $row:ty, $stem:literal;)*) => {
        $(
            /// Adds a row with its origin.
            pub fn $fn(&mut self, row: $row, at: RowRef) {
                let file = self.origins.intern(&at.file);
                self.rows.$field.push(row);
                self.origins.$field.push_run(file, at.line, 1);
            }
        )*

        /// Adds every row of a [`Rows`] document, numbering rows from 1 per
        /// array (as JSON record numbers).
        pub fn add_rows(&mut self, mut rows: Rows) {
            let enrollments = std::mem::take(&mut rows.enrollments);
            self.enrollment_table(enrollments.into_iter().collect(), RowRef::new("enrollments", 1));
            let attendance = std::mem::take(&mut rows.attendance);
            self.attendance_table(attendance.into_iter().collect(), RowRef::new("attendance", 1));
            $(
                let file = self.origins.intern($stem);
                let len = rows.$field.len();
                if self.rows.$field.is_empty() {
                    self.rows.$field = rows.$field;
                } else {
                    self.rows.$field.extend(rows.$field);
                }
                self.origins.$field.push_run(file, 1, len);
            )*
        }
    };
}

impl DatasetBuilder {
    /// An empty builder.
    pub fn new() -> DatasetBuilder {
        DatasetBuilder::default()
    }

    adders! {
        district: districts, DistrictRow, "districts";
        school: schools, SchoolRow, "schools";
        person: people, PersonRow, "people";
        activity: activities, ActivityRow, "activities";
        session: sessions, SessionRow, "sessions";
        mentorship: mentorships, MentorshipRow, "mentorships";
        finance: finance, FinanceRow, "finance";
    }

    /// Declares extra columns of the table of `entity` (a header's cells
    /// beyond the table's own), so a column that is blank on every row is
    /// still a column: `attr` of it reads `""`, not unknown. Columns a row
    /// has a cell in are columns of its table without being declared.
    /// Entities without extra columns (sessions, enrollments, …) ignore
    /// this.
    ///
    /// ```
    /// use tenet::model::DatasetBuilder;
    /// use tenet::schema::Entity;
    /// let mut b = DatasetBuilder::new();
    /// b.declare_columns(Entity::Activity, ["topic"]);
    /// let (data, _) = b.finish().unwrap();
    /// assert!(data.has_column(Entity::Activity, "topic"));
    /// ```
    pub fn declare_columns<S: Into<String>>(
        &mut self,
        entity: crate::schema::Entity,
        names: impl IntoIterator<Item = S>,
    ) {
        if let Some(set) = self.columns.of_mut(entity) {
            set.extend(names.into_iter().map(Into::into));
        }
    }

    /// Adds an enrollment row with its origin.
    pub fn enrollment(&mut self, row: EnrollmentRow, at: RowRef) {
        let file = self.origins.intern(&at.file);
        self.enrollments.push(&row.person, &row.activity);
        self.origins.enrollments.push_run(file, at.line, 1);
    }

    /// Adds an attendance row with its origin.
    pub fn attendance(&mut self, row: AttendanceRow, at: RowRef) {
        let file = self.origins.intern(&at.file);
        self.attendance.push(&row.person, &row.session, row.status);
        self.origins.attendance.push_run(file, at.line, 1);
    }

    /// Adds a whole enrollments table whose rows have their ids already
    /// numbered, so a loader need not allocate two strings per row. Its
    /// rows come from consecutive lines of `at.file`, the first on
    /// `at.line`. Validation is the same as for rows added one by one.
    pub fn enrollment_table(&mut self, table: EnrollmentTable, at: RowRef) {
        let file = self.origins.intern(&at.file);
        let len = table.len();
        if self.enrollments.is_empty() {
            self.enrollments = table;
        } else {
            self.enrollments.append(&table);
        }
        self.origins.enrollments.push_run(file, at.line, len);
    }

    /// Adds a whole attendance table whose rows have their ids already
    /// numbered; see [`DatasetBuilder::enrollment_table`].
    pub fn attendance_table(&mut self, table: AttendanceTable, at: RowRef) {
        let file = self.origins.intern(&at.file);
        let len = table.len();
        if self.attendance.is_empty() {
            self.attendance = table;
        } else {
            self.attendance.append(&table);
        }
        self.origins.attendance.push_run(file, at.line, len);
    }

    /// Resolves everything; returns the dataset and warnings, or every error.
    pub fn finish(self) -> Result<(Dataset, Vec<DataWarning>), Vec<DataError>> {
        self.finish_with(EnrollmentTable::default, AttendanceTable::default)
    }

    /// Like [`finish`](DatasetBuilder::finish), but takes more rows of the
    /// two big tables late, so a loader can keep parsing them while the
    /// rest resolves: `enrollments` is called once districts, schools,
    /// people, activities and sessions are resolved, and `attendance` once
    /// enrollments are checked. The rows they return follow any added
    /// before and, like [`add_rows`](DatasetBuilder::add_rows), are
    /// numbered from 1 in `enrollments` and `attendance`.
    pub fn finish_with(
        self,
        enrollments: impl FnOnce() -> EnrollmentTable,
        attendance: impl FnOnce() -> AttendanceTable,
    ) -> Result<(Dataset, Vec<DataWarning>), Vec<DataError>> {
        let mut errors = Vec::new();
        self.finish_reporting(enrollments, attendance, &mut |e| errors.push(e))
            .map_err(|_| errors)
    }

    /// Like [`finish_with`](DatasetBuilder::finish_with), but hands each
    /// error to `on_error` as it is found instead of collecting them, and
    /// on failure returns how many there were. A loader that shows only
    /// the first errors of each file keeps its memory bounded by what it
    /// shows: a file of a million rows that each name an unknown person
    /// makes a million errors. They arrive in the order `finish_with`
    /// returns them.
    ///
    /// ```
    /// use tenet::model::{DatasetBuilder, EnrollmentRow, RowRef};
    ///
    /// let mut b = DatasetBuilder::new();
    /// for line in 2..5 {
    ///     let row = EnrollmentRow { person: "nobody".into(), activity: "a".into() };
    ///     b.enrollment(row, RowRef::new("enrollments.csv", line));
    /// }
    /// let mut first = None;
    /// let failed = b.finish_reporting(
    ///     Default::default,
    ///     Default::default,
    ///     &mut |e| { first.get_or_insert(e); },
    /// );
    /// assert_eq!(failed.err(), Some(6)); // an unknown person and activity per row
    /// assert_eq!(first.map(|e| e.at.line), Some(2));
    /// ```
    pub fn finish_reporting(
        mut self,
        enrollments: impl FnOnce() -> EnrollmentTable,
        attendance: impl FnOnce() -> AttendanceTable,
        on_error: &mut dyn FnMut(DataError),
    ) -> Result<(Dataset, Vec<DataWarning>), usize> {
        // The resolver copies the file names now: name the big tables' too.
        self.origins.intern("enrollments");
        self.origins.intern("attendance");
        let mut resolver = Resolver {
            files: self.origins.files.clone(),
            errors: Errors {
                count: 0,
                sink: Some(on_error),
            },
            ..Resolver::default()
        };
        resolver.data.columns = std::mem::take(&mut self.columns);
        let rows = std::mem::take(&mut self.rows);
        let rest = resolver.entities(rows, &self.origins);
        self.enrollment_table(enrollments(), RowRef::new("enrollments", 1));
        let enrollments = std::mem::take(&mut self.enrollments);
        let enrolled = resolver.enrollment_rows(&enrollments, &self.origins);
        drop(enrollments);
        self.attendance_table(attendance(), RowRef::new("attendance", 1));
        resolver.relations(rest, enrolled, self.attendance, &self.origins)
    }
}

/// FxHash (as in rustc) with a final avalanche so the low bits hashbrown
/// uses for buckets depend on every input byte. Ids come from the user's
/// own files, so hash flooding is not a concern; speed is.
#[derive(Default, Clone, Copy)]
pub(super) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = 0u64;
        for (i, b) in chunks.remainder().iter().enumerate() {
            last |= u64::from(*b) << (8 * i);
        }
        self.add(last ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

const NONE: u32 = u32::MAX;

/// Each person's (key, row) pairs for the rows of a big table keyed by
/// (person, key), sorted; and the rows repeating an earlier row's key as
/// (row, first row), in row order. Rows whose person or key did not
/// resolve are left out.
type Keyed = (Lists<(u32, u32)>, Vec<(u32, u32)>);

/// Groups rows by person and finds duplicates by sorting each person's
/// (key, row) pairs, rather than through a hash map of millions of pairs.
fn keyed(people: usize, len: usize, key: impl Fn(usize) -> Option<(PersonIx, u32)>) -> Keyed {
    let mut lists = Lists::group_with(people, len, (NONE, NONE), |row| {
        key(row).map(|(p, k)| (p, (k, row as u32)))
    });
    lists.sort_each_by_key(people, |e| *e);
    let mut duplicates = Vec::new();
    for p in 0..people {
        let mut first: Option<(u32, u32)> = None;
        for &(key, row) in lists.of(PersonIx(p as u32)) {
            match first {
                Some((k, r)) if k == key => duplicates.push((row, r)),
                _ => first = Some((key, row)),
            }
        }
    }
    duplicates.sort_unstable();
    (lists, duplicates)
}

/// Walks a sorted list of (row, value) alongside rows in order: the value
/// for `row`, if listed.
fn listed<V: Copy>(
    list: &mut std::iter::Peekable<std::slice::Iter<'_, (u32, V)>>,
    row: usize,
) -> Option<V> {
    while let Some(&&(r, v)) = list.peek() {
        match (r as usize).cmp(&row) {
            std::cmp::Ordering::Less => {
                list.next();
            }
            std::cmp::Ordering::Equal => return Some(v),
            std::cmp::Ordering::Greater => return None,
        }
    }
    None
}

/// What each number of an [`IdTable`] names, `None` where it names nothing:
/// one lookup per distinct id, not one per row.
fn resolve_ids<T>(ids: &IdTable, lookup: impl Fn(&str) -> Option<T>) -> Vec<Option<T>> {
    ids.ids().map(lookup).collect()
}

/// What each number of an [`IdTable`] names in `index`. The ids are
/// numbered in order of first appearance in a big table, which follows the
/// order activities and sessions were listed in, so each is tried first
/// next to the one found before.
fn resolve_in_order<T: Copy>(ids: &IdTable, index: &IdIndex<T>) -> Vec<Option<T>> {
    let mut near = 0;
    ids.ids()
        .map(|id| {
            let (n, of) = index.get_near(id, near);
            if let Some(n) = n {
                near = n;
            }
            of
        })
        .collect()
}

/// The index number `n` resolved to, if any.
fn resolved<T: Copy>(ixs: &[Option<T>], n: u32) -> Option<T> {
    ixs.get(n as usize).copied().flatten()
}

fn resolve_attendance(
    table: &AttendanceTable,
    person_of: &[Option<PersonIx>],
    session_of: &[Option<SessionIx>],
    people: usize,
) -> Keyed {
    keyed(people, table.len(), |row| {
        let &(p, s, _) = table.numbers().get(row)?;
        Some((resolved(person_of, p)?, resolved(session_of, s)?.0))
    })
}

/// The dataset's attendance from the table's rows, once every row is
/// known to resolve (with any error there is no dataset). The rows are
/// rewritten where they lie: the marks are the largest table of a
/// province, and a copy would fault in as much fresh memory again.
fn attendance_rows(
    rows: Vec<(u32, u32, Status)>,
    (person_of, session_of): (&[Option<PersonIx>], &[Option<SessionIx>]),
) -> Vec<Attendance> {
    // `Vec`'s in-place collection reuses the allocation: both rows are
    // 12 bytes aligned to 4 (a unit test checks the reuse).
    rows.into_iter()
        .filter_map(|(p, s, status)| {
            Some(Attendance {
                person: resolved(person_of, p)?,
                session: resolved(session_of, s)?,
                status,
            })
        })
        .collect()
}

/// Numbers `id` in `index` if it is new, noting where it was first seen
/// in `first` (indexed by number); the first origin if it is not new.
fn first_use<T: Copy>(
    index: &mut IdIndex<T>,
    first: &mut Vec<Origin>,
    id: &str,
    at: Origin,
) -> Result<u32, Origin> {
    let n = index.number(id);
    match first.get(n as usize) {
        Some(origin) => Err(*origin),
        None => {
            first.push(at);
            Ok(n)
        }
    }
}

/// The rows of a table, each with its origin and what [`first_use`] gave
/// its id (`id` reads it). Every id is numbered in a loop of its own,
/// before the rows are checked: most ids are new, and each insertion into a
/// table of 150,000 ids misses the cache; without the checks in between,
/// the processor overlaps the misses of successive insertions. The rows
/// are moved, not copied, so they can be collected where they lie.
fn numbered<'a, R, T: Copy>(
    (index, first): (&mut IdIndex<T>, &mut Vec<Origin>),
    rows: Vec<R>,
    id: impl Fn(&R) -> &str,
    at: &'a Lines,
) -> impl Iterator<Item = (Origin, R, Result<u32, Origin>)> + 'a
where
    R: 'a,
{
    let numbers: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| first_use(index, first, id(row), at.get(i)))
        .collect();
    rows.into_iter()
        .zip(numbers)
        .enumerate()
        .map(move |(i, (row, n))| (at.get(i), row, n))
}

/// Each session's attendance marks, sorted by person, for absent hours:
/// rows usually come activity by activity, so the marks looked up next are
/// in cache. Rows that do not resolve are left out; the others are all
/// kept, since with any error the dataset is not built.
fn marks_by_session(
    table: &AttendanceTable,
    (person_of, session_of): (&[Option<PersonIx>], &[Option<SessionIx>]),
    sessions: usize,
) -> Lists<(PersonIx, Status)> {
    let mut marks = Lists::group_by(
        sessions,
        table.len(),
        (PersonIx(0), Status::Present),
        |row| {
            let &(p, s, status) = table.numbers().get(row)?;
            let session = resolved(session_of, s)?;
            Some((session.index(), (resolved(person_of, p)?, status)))
        },
    );
    marks.sort_each_by_key(sessions, |(p, _)| *p);
    marks
}

/// Where the resolver's errors go: to the caller's sink as they are found
/// (see [`DatasetBuilder::finish_reporting`]), counted.
#[derive(Default)]
struct Errors<'s> {
    count: usize,
    sink: Option<&'s mut dyn FnMut(DataError)>,
}

impl Errors<'_> {
    fn push(&mut self, e: DataError) {
        self.count += 1;
        if let Some(sink) = self.sink.as_mut() {
            sink(e);
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[derive(Default)]
struct Resolver<'s> {
    errors: Errors<'s>,
    data: Dataset,
    files: Vec<String>,
    /// Every district, school and person id claimed, and what it names
    /// when its row was valid; moved into `data.index` at the end.
    actors: IdIndex<Actor>,
    /// Where each id of `actors` was first seen, by its number.
    actors_first: Vec<Origin>,
    /// Every activity id seen, and its index when the row was valid.
    activity_ids: IdIndex<ActivityIx>,
    activities_first: Vec<Origin>,
    /// Every session id seen, and its index when the row was valid.
    session_ids: IdIndex<SessionIx>,
    sessions_first: Vec<Origin>,
    /// Each session's attendance marks, sorted by person.
    marks: Lists<(PersonIx, Status)>,
}

impl Resolver<'_> {
    /// A row's extra cells as `attr` reads them, its columns noted on its
    /// table.
    fn cells(&mut self, entity: Entity, attrs: Attrs) -> Attrs {
        match self.data.columns.of_mut(entity) {
            Some(columns) => super::columns::cells(attrs, columns),
            None => attrs,
        }
    }

    fn row_ref(&self, o: Origin) -> RowRef {
        RowRef {
            file: self
                .files
                .get(o.file as usize)
                .cloned()
                .unwrap_or_else(|| "?".to_string()),
            line: o.line,
        }
    }

    fn error(&mut self, at: Origin, field: &'static str, kind: DataErrorKind) {
        let at = self.row_ref(at);
        self.errors.push(DataError { at, field, kind });
    }

    fn duplicate_id(&mut self, id: &str, at: Origin, first: Origin, field: &'static str) {
        let first = self.row_ref(first);
        self.error(
            at,
            field,
            DataErrorKind::DuplicateId {
                id: id.to_string(),
                first_file: first.file,
                first_line: first.line,
            },
        );
    }

    /// The number [`first_use`] gave `id`, or `None` (with the error) when
    /// the id was seen before.
    fn new_id(
        &mut self,
        n: Result<u32, Origin>,
        id: &str,
        at: Origin,
        field: &'static str,
    ) -> Option<u32> {
        n.map_err(|first| self.duplicate_id(id, at, first, field))
            .ok()
    }

    /// Registers an id in the shared namespace; its number, or `None`
    /// when it is a duplicate.
    fn claim(&mut self, id: &str, at: Origin, field: &'static str) -> Option<u32> {
        let n = first_use(&mut self.actors, &mut self.actors_first, id, at);
        self.new_id(n, id, at, field)
    }

    fn unknown(&mut self, at: Origin, field: &'static str, expected: &'static str, id: &str) {
        self.error(
            at,
            field,
            DataErrorKind::UnknownReference {
                expected,
                id: id.into(),
            },
        );
    }

    fn org(&mut self, id: &str, at: Origin, field: &'static str) -> Option<Org> {
        match self.actors.get(id) {
            Some(Actor::Org(org)) => Some(org),
            _ => {
                self.unknown(at, field, "school or district", id);
                None
            }
        }
    }

    fn person_ix(&self, id: &str) -> Option<PersonIx> {
        match self.actors.get(id) {
            Some(Actor::Person(p)) => Some(p),
            _ => None,
        }
    }

    fn person(&mut self, id: &str, at: Origin, field: &'static str) -> Option<PersonIx> {
        let found = self.person_ix(id);
        if found.is_none() {
            self.unknown(at, field, "person", id);
        }
        found
    }

    fn dates(&mut self, start: NaiveDate, end: NaiveDate, at: Origin) -> bool {
        if end < start {
            self.error(at, "end_date", DataErrorKind::EndBeforeStart { start, end });
            return false;
        }
        true
    }

    fn hours(&mut self, value: Decimal, at: Origin, positive: bool) -> bool {
        let bad = if positive {
            value <= Decimal::ZERO
        } else {
            value < Decimal::ZERO
        };
        if bad {
            let bound = if positive { "positive" } else { "zero or more" };
            self.error(
                at,
                "hours",
                DataErrorKind::OutOfRange {
                    what: "hours",
                    bound,
                    value,
                },
            );
        }
        !bad
    }

    /// Resolves the tables everything else refers to; returns the rest.
    fn entities(&mut self, rows: Rows, origins: &Origins) -> (Vec<MentorshipRow>, Vec<FinanceRow>) {
        let Rows {
            districts,
            schools,
            people,
            activities,
            sessions,
            mentorships,
            finance,
            ..
        } = rows;
        let n_districts = self.districts(districts, &origins.districts);
        self.schools(schools, &origins.schools, n_districts);
        self.people(people, &origins.people);
        self.activities(activities, &origins.activities);
        self.sessions(sessions, &origins.sessions);
        (mentorships, finance)
    }

    /// Resolves the tables that relate entities, once those are resolved.
    /// Checks the enrollments; returns each person's (activity, row)
    /// pairs, sorted, for the attendance check.
    fn enrollment_rows(
        &mut self,
        enrollments: &EnrollmentTable,
        origins: &Origins,
    ) -> Lists<(u32, u32)> {
        // The big tables name each distinct id by a number: resolve the
        // numbers once, then rows are array lookups.
        let people = resolve_ids(enrollments.people(), |id| self.person_ix(id));
        let activities = resolve_in_order(enrollments.activities(), &self.activity_ids);
        self.enrollments(enrollments, (&people, &activities), &origins.enrollments)
    }

    /// Resolves attendance, mentorships and finance once enrollments are
    /// checked, then derives the indexes.
    fn relations(
        mut self,
        (mentorships, finance): (Vec<MentorshipRow>, Vec<FinanceRow>),
        enrolled: Lists<(u32, u32)>,
        attendance: AttendanceTable,
        origins: &Origins,
    ) -> Result<(Dataset, Vec<DataWarning>), usize> {
        let attendance_people = resolve_ids(attendance.people(), |id| self.person_ix(id));
        let attendance_sessions = resolve_in_order(attendance.sessions(), &self.session_ids);
        let people = self.data.people.len();
        let sessions = self.data.sessions.len();
        let ids = (&attendance_people[..], &attendance_sessions[..]);
        // Grouping the marks by session, and each person's enrollments by
        // end date, do not depend on checking attendance (which does not
        // read the enrollments), and once the big files are parsed the
        // second core is idle: each gets a thread of its own, so the three
        // share both cores. (On one thread after the other, the second
        // left a core idle for a second and a half at 200k teachers.)
        let enrollments = std::mem::take(&mut self.data.enrollments);
        let activity_end: Vec<NaiveDate> =
            self.data.activities.iter().map(|a| a.end_date).collect();
        let marks_of = || marks_by_session(&attendance, ids, sessions);
        let by_end_of = || enrollments_by_end(people, &enrollments, &activity_end);
        let (marks, by_end) = std::thread::scope(|scope| {
            let marks = scope.spawn(marks_of);
            let by_end = scope.spawn(by_end_of);
            let keyed = resolve_attendance(&attendance, ids.0, ids.1, people);
            self.attendance(&attendance, ids, &origins.attendance, &enrolled, keyed);
            (
                marks.join().unwrap_or_else(|_| marks_of()),
                by_end.join().unwrap_or_else(|_| by_end_of()),
            )
        });
        self.data.enrollments = enrollments;
        self.marks = marks;
        self.data.index.enrollments_of_person = by_end;
        if self.errors.is_empty() {
            self.data.attendance = attendance_rows(attendance.into_numbers(), ids);
        }
        self.mentorships(mentorships, &origins.mentorships);
        self.finance(finance, &origins.finance);
        if !self.errors.is_empty() {
            return Err(self.errors.count);
        }
        drop(enrolled);
        self.data.index.ids = std::mem::take(&mut self.actors);
        self.data.index.activity_ids = std::mem::take(&mut self.activity_ids);
        let warnings = self.derive();
        Ok((std::mem::take(&mut self.data), warnings))
    }

    fn districts(&mut self, rows: Vec<DistrictRow>, at: &Lines) -> usize {
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let Some(n) = self.claim(&row.id, at, "id") else {
                continue;
            };
            let ix = DistrictIx(self.data.districts.len() as u32);
            self.actors.set(n, Actor::Org(Org::District(ix)));
            let attrs = self.cells(Entity::District, row.attrs);
            self.data.districts.push(District {
                id: row.id,
                name: row.name,
                attrs,
            });
        }
        self.data.districts.len()
    }

    fn schools(&mut self, rows: Vec<SchoolRow>, at: &Lines, n_districts: usize) {
        self.data.index.schools_of_district = vec![Vec::new(); n_districts];
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let district = match self.actors.get(&row.district) {
                Some(Actor::Org(Org::District(d))) => Some(d),
                _ => {
                    self.unknown(at, "district", "district", &row.district);
                    None
                }
            };
            let Some(n) = self.claim(&row.id, at, "id") else {
                continue;
            };
            let Some(district) = district else { continue };
            let ix = SchoolIx(self.data.schools.len() as u32);
            self.actors.set(n, Actor::Org(Org::School(ix)));
            if let Some(list) = self
                .data
                .index
                .schools_of_district
                .get_mut(district.index())
            {
                list.push(ix);
            }
            let attrs = self.cells(Entity::School, row.attrs);
            self.data.schools.push(School {
                id: row.id,
                name: row.name,
                district,
                rural: row.rural,
                training_base: row.training_base,
                attrs,
            });
        }
    }

    fn people(&mut self, rows: Vec<PersonRow>, at: &Lines) {
        self.data.index.people_of_district_office = vec![Vec::new(); self.data.districts.len()];
        self.data.index.people_of_school = vec![Vec::new(); self.data.schools.len()];
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let org = self.org(&row.org, at, "org");
            let Some(n) = self.claim(&row.id, at, "id") else {
                continue;
            };
            let Some(org) = org else { continue };
            let ix = PersonIx(self.data.people.len() as u32);
            self.actors.set(n, Actor::Person(ix));
            let list = match org {
                Org::District(d) => self.data.index.people_of_district_office.get_mut(d.index()),
                Org::School(s) => self.data.index.people_of_school.get_mut(s.index()),
            };
            if let Some(list) = list {
                list.push(ix);
            }
            let attrs = self.cells(Entity::Person, row.attrs);
            self.data.people.push(Person {
                id: row.id,
                name: row.name,
                org,
                roles: row.roles,
                birth_date: row.birth_date,
                hire_date: row.hire_date,
                post_start_date: row.post_start_date,
                attrs,
            });
        }
    }

    fn activities(&mut self, rows: Vec<ActivityRow>, at: &Lines) {
        let ids = (&mut self.activity_ids, &mut self.activities_first);
        let mut kept = 0;
        // Collected where the rows lie (see `attendance_rows`): a
        // province lists millions of activities.
        let activities = numbered(ids, rows, |row| &row.id, at)
            .filter_map(|(at, row, n)| {
                let organizer = match self.actors.get(&row.organizer) {
                    Some(actor) => Some(actor),
                    None => {
                        self.unknown(
                            at,
                            "organizer",
                            "organizer (school, district or person)",
                            &row.organizer,
                        );
                        None
                    }
                };
                let host = match row.host.as_deref().filter(|h| !h.is_empty()) {
                    Some(h) => self.org(h, at, "host").map(Some),
                    None => Some(None),
                };
                let dates_ok = self.dates(row.start_date, row.end_date, at);
                let hours_ok = self.hours(row.hours, at, false);
                let n = self.new_id(n, &row.id, at, "id")?;
                let (Some(organizer), Some(host), true, true) =
                    (organizer, host, dates_ok, hours_ok)
                else {
                    return None;
                };
                self.activity_ids.set(n, ActivityIx(kept));
                kept += 1;
                Some(Activity {
                    id: row.id,
                    title: row.title,
                    organizer,
                    host,
                    level: row.level,
                    kind: row.kind,
                    mode: row.mode,
                    start_date: row.start_date,
                    end_date: row.end_date,
                    hours: row.hours,
                    scheduled_hours: row.hours,
                    attrs: self.cells(Entity::Activity, row.attrs),
                })
            })
            .collect();
        self.data.activities = activities;
    }

    /// The activity `id` names; `near` is the number of the activity found
    /// last, updated (sessions come activity by activity).
    fn activity_ref(&mut self, id: &str, at: Origin, near: &mut u32) -> Option<ActivityIx> {
        let (n, found) = self.activity_ids.get_near(id, *near);
        if let Some(n) = n {
            *near = n;
        }
        if found.is_none() {
            self.unknown(at, "activity", "activity", id);
        }
        found
    }

    fn sessions(&mut self, rows: Vec<SessionRow>, at: &Lines) {
        let ids = (&mut self.session_ids, &mut self.sessions_first);
        let mut near = 0;
        let mut kept = 0;
        // Collected where the rows lie, as activities are.
        let sessions = numbered(ids, rows, |row| &row.id, at)
            .filter_map(|(at, row, n)| {
                let activity = self.activity_ref(&row.activity, at, &mut near);
                let hours_ok = self.hours(row.hours, at, true);
                let n = self.new_id(n, &row.id, at, "id")?;
                let outside = activity
                    .map(|a| self.data.activity(a))
                    .filter(|a| row.date < a.start_date || row.date > a.end_date)
                    .map(|a| (a.start_date, a.end_date));
                let valid = activity.is_some() && outside.is_none() && hours_ok;
                let ix = valid.then_some(SessionIx(kept));
                if let Some(ix) = ix {
                    self.session_ids.set(n, ix);
                }
                let activity = activity?;
                if let Some((start, end)) = outside {
                    self.error(
                        at,
                        "date",
                        DataErrorKind::SessionOutsideActivity {
                            date: row.date,
                            start,
                            end,
                        },
                    );
                    return None;
                }
                ix?;
                kept += 1;
                Some(Session {
                    id: row.id,
                    activity,
                    date: row.date,
                    hours: row.hours,
                })
            })
            .collect();
        self.data.sessions = sessions;
        let sessions = &self.data.sessions;
        self.data.index.sessions_of_activity = Lists::group_by(
            self.data.activities.len(),
            sessions.len(),
            SessionIx(0),
            |i| {
                sessions
                    .get(i)
                    .map(|s| (s.activity.index(), SessionIx(i as u32)))
            },
        );
    }

    /// Makes the dataset's enrollments and checks them; returns each
    /// person's enrollments as (activity, row), sorted, for the attendance
    /// check.
    fn enrollments(
        &mut self,
        table: &EnrollmentTable,
        (person_of, activity_of): (&[Option<PersonIx>], &[Option<ActivityIx>]),
        at: &Lines,
    ) -> Lists<(u32, u32)> {
        let resolve = |[p, a]: [u32; 2]| (resolved(person_of, p), resolved(activity_of, a));
        // Every row that resolves becomes an enrollment, on a thread of its
        // own while the rows are grouped and checked here: the table is
        // written into fresh memory (500 MB at 200k teachers), and the page
        // faults took a second on one core. A row repeating another is
        // kept too: it is an error, and with an error there is no dataset.
        let make = || {
            let mut made = Vec::with_capacity(table.len());
            made.extend(
                table
                    .numbers()
                    .iter()
                    .filter_map(|row| match resolve(*row) {
                        (Some(person), Some(activity)) => Some(Enrollment {
                            person,
                            activity,
                            absent: PackedHours::default(),
                            missing_attendance: 0,
                        }),
                        _ => None,
                    }),
            );
            made
        };
        let (lists, made) = std::thread::scope(|scope| {
            let made = scope.spawn(make);
            let lists = self.check_enrollments(table, resolve, at);
            (lists, made.join())
        });
        self.data.enrollments = made.unwrap_or_else(|_| make());
        lists
    }

    /// The errors of the enrollment rows (unknown people and activities,
    /// repeated rows), in row order; each person's (activity, row), sorted.
    fn check_enrollments(
        &mut self,
        table: &EnrollmentTable,
        resolve: impl Fn([u32; 2]) -> (Option<PersonIx>, Option<ActivityIx>),
        at: &Lines,
    ) -> Lists<(u32, u32)> {
        let people = self.data.people.len();
        let (lists, duplicates) = keyed(people, table.len(), |row| {
            match resolve(*table.numbers().get(row)?) {
                (Some(p), Some(a)) => Some((p, a.0)),
                _ => None,
            }
        });
        let mut duplicates = duplicates.iter().peekable();
        let ids = |[p, a]: [u32; 2]| {
            (
                table.people().id(p).unwrap_or_default(),
                table.activities().id(a).unwrap_or_default(),
            )
        };
        for (i, row) in table.numbers().iter().enumerate() {
            let (person, activity) = resolve(*row);
            if person.is_none() || activity.is_none() {
                let origin = at.get(i);
                let (person_id, activity_id) = ids(*row);
                if person.is_none() {
                    self.unknown(origin, "person", "person", person_id);
                }
                if activity.is_none() {
                    self.unknown(origin, "activity", "activity", activity_id);
                }
                continue;
            }
            if let Some(first) = listed(&mut duplicates, i) {
                let (person_id, activity_id) = ids(*row);
                let key = format!("person `{person_id}` in activity `{activity_id}`");
                let first_line = at.get(first as usize).line;
                self.error(
                    at.get(i),
                    "activity",
                    DataErrorKind::DuplicateRow { key, first_line },
                );
            }
        }
        lists
    }

    /// Checks the attendance rows: each names a known person and session,
    /// the person is enrolled in the session's activity, and no row
    /// repeats another's person and session.
    fn attendance(
        &mut self,
        table: &AttendanceTable,
        (person_of, session_of): (&[Option<PersonIx>], &[Option<SessionIx>]),
        at: &Lines,
        enrolled: &Lists<(u32, u32)>,
        (by_person, duplicates): Keyed,
    ) {
        // The rows whose person is not enrolled in their session's
        // activity, found person by person so each person's enrollments
        // stay in cache.
        let session_activity: Vec<u32> = self.data.sessions.iter().map(|s| s.activity.0).collect();
        let people = self.data.people.len();
        let mut not_enrolled: Vec<(u32, ())> = Vec::new();
        for p in 0..people {
            let person = PersonIx(p as u32);
            let mine = enrolled.of(person);
            // Sessions usually follow their activities' order, so the
            // enrollment found last, or the next, is tried before a search.
            let mut last = 0;
            for (session, row) in by_person.of(person) {
                let Some(activity) = session_activity.get(*session as usize) else {
                    continue;
                };
                let is = |k: usize| mine.get(k).is_some_and(|(a, _)| a == activity);
                if is(last) {
                    continue;
                }
                if is(last + 1) {
                    last += 1;
                    continue;
                }
                match mine.binary_search_by_key(activity, |(a, _)| *a) {
                    Ok(k) => last = k,
                    Err(_) => not_enrolled.push((*row, ())),
                }
            }
        }
        not_enrolled.sort_unstable();
        let mut not_enrolled = not_enrolled.iter().peekable();
        let mut duplicates = duplicates.iter().peekable();
        let ids = |p: u32, s: u32| {
            (
                table.people().id(p).unwrap_or_default(),
                table.sessions().id(s).unwrap_or_default(),
            )
        };
        for (i, &(p, s, _)) in table.numbers().iter().enumerate() {
            let (person, session) = (resolved(person_of, p), resolved(session_of, s));
            let (Some(_), Some(session)) = (person, session) else {
                let origin = at.get(i);
                let (person_id, session_id) = ids(p, s);
                if person.is_none() {
                    self.unknown(origin, "person", "person", person_id);
                }
                if session.is_none() {
                    self.unknown(origin, "session", "session", session_id);
                }
                continue;
            };
            if listed(&mut not_enrolled, i).is_some() {
                let activity = self.data.session(session).activity;
                let activity = self.data.activity(activity).id.clone();
                let (person_id, session_id) = ids(p, s);
                self.error(
                    at.get(i),
                    "session",
                    DataErrorKind::AttendanceNotEnrolled {
                        person: person_id.to_string(),
                        session: session_id.to_string(),
                        activity,
                    },
                );
                continue;
            }
            if let Some(first) = listed(&mut duplicates, i) {
                let (person_id, session_id) = ids(p, s);
                let key = format!("person `{person_id}` at session `{session_id}`");
                let first_line = at.get(first as usize).line;
                self.error(
                    at.get(i),
                    "session",
                    DataErrorKind::DuplicateRow { key, first_line },
                );
            }
        }
    }

    fn mentorships(&mut self, rows: Vec<MentorshipRow>, at: &Lines) {
        // A second row for the same mentor, trainee and programme starting
        // the same day is the same mentorship, and would be counted twice.
        let mut seen: HashMap<(String, String, String, NaiveDate), u64> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let mentor = self.person(&row.mentor, at, "mentor");
            let trainee = self.person(&row.trainee, at, "trainee");
            let dates_ok = self.dates(row.start_date, row.end_date, at);
            let (Some(mentor), Some(trainee), true) = (mentor, trainee, dates_ok) else {
                continue;
            };
            let key = (
                row.mentor.clone(),
                row.trainee.clone(),
                row.program.clone(),
                row.start_date,
            );
            if let Some(&first_line) = seen.get(&key) {
                let key = format!(
                    "mentor `{}`, trainee `{}`, programme `{}` from {}",
                    row.mentor, row.trainee, row.program, row.start_date
                );
                self.error(
                    at,
                    "start_date",
                    DataErrorKind::DuplicateRow { key, first_line },
                );
                continue;
            }
            seen.insert(key, at.line);
            self.data.mentorships.push(Mentorship {
                id: format!("{}/{}/{}", row.mentor, row.trainee, row.program),
                mentor,
                trainee,
                program: row.program,
                start_date: row.start_date,
                end_date: row.end_date,
            });
        }
    }

    fn finance(&mut self, rows: Vec<FinanceRow>, at: &Lines) {
        let mut seen: HashMap<(Org, i32, FinanceItem), u64> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let org = self.org(&row.org, at, "org");
            if row.amount < Decimal::ZERO {
                self.error(
                    at,
                    "amount",
                    DataErrorKind::OutOfRange {
                        what: "amount",
                        bound: "zero or more",
                        value: row.amount,
                    },
                );
                continue;
            }
            let Some(org) = org else { continue };
            let key = (org, row.year, row.item);
            if let Some(first_line) = seen.get(&key) {
                let key = format!("`{}` {} `{}`", row.org, row.year, row.item);
                let first_line = *first_line;
                self.error(at, "item", DataErrorKind::DuplicateRow { key, first_line });
                continue;
            }
            seen.insert(key, at.line);
            self.data.index.finance.insert(key, row.amount);
            self.data.finance.push(Finance {
                org,
                year: row.year,
                item: row.item,
                amount: row.amount,
            });
        }
    }

    /// Computes the derived figures and indexes once everything resolved.
    fn derive(&mut self) -> Vec<DataWarning> {
        let data = &mut self.data;
        for (i, a) in data.activities.iter_mut().enumerate() {
            let sessions = data.index.sessions_of_activity.at(i);
            if !sessions.is_empty() {
                a.scheduled_hours = sessions
                    .iter()
                    .filter_map(|s| data.sessions.get(s.index()))
                    .map(|s| s.hours)
                    .sum();
            }
        }
        let marks = &self.marks;
        let mid = data.enrollments.len() / 2;
        let (left, right) = data.enrollments.split_at_mut(mid);
        let tables = Tables {
            sessions_of_activity: &data.index.sessions_of_activity,
            sessions: &data.sessions,
            people: &data.people,
            activities: &data.activities,
            marks,
        };
        let ((mut warnings, mut aside), more) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| tables.absent_hours((mid, &mut *right)));
            (tables.absent_hours((0, left)), handle.join().ok())
        });
        let (more, more_aside) = more.unwrap_or_else(|| tables.absent_hours((mid, right)));
        warnings.extend(more);
        aside.extend(more_aside);
        data.index.absent_aside = aside;
        let end_of = |a: &ActivityIx| data.activities.get(a.index()).map(|a| a.end_date);
        for (i, a) in data.activities.iter().enumerate() {
            let ix = ActivityIx(i as u32);
            data.index
                .activities_by_organizer
                .entry(a.organizer)
                .or_default()
                .push(ix);
            if let Some(host) = a.host {
                data.index
                    .activities_by_host
                    .entry(host)
                    .or_default()
                    .push(ix);
            }
        }
        for list in data
            .index
            .activities_by_organizer
            .values_mut()
            .chain(data.index.activities_by_host.values_mut())
        {
            list.sort_unstable_by_key(|a| (end_of(a), *a));
        }
        data.index.mentorships_as_mentor = vec![Vec::new(); data.people.len()];
        data.index.mentorships_as_trainee = vec![Vec::new(); data.people.len()];
        for (i, m) in data.mentorships.iter().enumerate() {
            let ix = MentorshipIx(i as u32);
            if let Some(list) = data.index.mentorships_as_mentor.get_mut(m.mentor.index()) {
                list.push(ix);
            }
            if let Some(list) = data.index.mentorships_as_trainee.get_mut(m.trainee.index()) {
                list.push(ix);
            }
        }
        warnings
    }
}

/// Each person's enrollments ordered by their activity's end date, then
/// by index: one stable counting sort of every enrollment by end date,
/// then each person's list filled in that order.
fn enrollments_by_end(
    people: usize,
    enrollments: &[Enrollment],
    activity_end: &[NaiveDate],
) -> Lists<EnrollmentIx> {
    let mut dates = activity_end.to_vec();
    dates.sort_unstable();
    dates.dedup();
    let rank: Vec<usize> = activity_end
        .iter()
        .map(|d| dates.binary_search(d).unwrap_or(0))
        .collect();
    let rank_of = |a: ActivityIx| rank.get(a.index()).copied().unwrap_or(0);
    let mut starts = vec![0usize; dates.len() + 1];
    let mut counts = vec![0usize; people];
    for Enrollment {
        person: p,
        activity: a,
        ..
    } in enrollments
    {
        if let Some(n) = starts.get_mut(rank_of(*a) + 1) {
            *n += 1;
        }
        if let Some(n) = counts.get_mut(p.index()) {
            *n += 1;
        }
    }
    let mut total = 0;
    for slot in &mut starts {
        total += *slot;
        *slot = total;
    }
    let mut order = vec![0u32; enrollments.len()];
    for (i, e) in enrollments.iter().enumerate() {
        if let Some(start) = starts.get_mut(rank_of(e.activity)) {
            if let Some(slot) = order.get_mut(*start) {
                *slot = i as u32;
            }
            *start += 1;
        }
    }
    // Grouped by person, each person's in the order just made.
    Lists::group_counted(counts, order.len(), EnrollmentIx(0), |k| {
        let e = *order.get(k)?;
        Some((enrollments.get(e as usize)?.person.index(), EnrollmentIx(e)))
    })
}

/// What computing absent hours reads, shared by the threads that split the
/// enrollments between them.
#[derive(Clone, Copy)]
struct Tables<'a> {
    sessions_of_activity: &'a Lists<SessionIx>,
    sessions: &'a [Session],
    people: &'a [Person],
    activities: &'a [Activity],
    marks: &'a Lists<(PersonIx, Status)>,
}

impl Tables<'_> {
    /// Absent hours and missing marks per enrollment (DESIGN §5) of the
    /// enrollments numbered from `first`; a warning per enrollment with
    /// missing marks, in order, and the absent hours that do not fit their
    /// enrollment.
    fn absent_hours(
        &self,
        (first, enrollments): (usize, &mut [Enrollment]),
    ) -> (Vec<DataWarning>, Vec<(EnrollmentIx, Decimal)>) {
        let mut warnings = Vec::new();
        let mut aside = Vec::new();
        for (i, e) in enrollments.iter_mut().enumerate() {
            let mut absent = Decimal::ZERO;
            e.missing_attendance = 0;
            let sessions = self.sessions_of_activity.at(e.activity.index());
            for s in sessions {
                let hours = self
                    .sessions
                    .get(s.index())
                    .map_or(Decimal::ZERO, |s| s.hours);
                let marks = self.marks.at(s.index());
                let mark = marks
                    .binary_search_by_key(&e.person, |(person, _)| *person)
                    .ok()
                    .and_then(|k| marks.get(k))
                    .map(|(_, status)| status);
                match mark {
                    Some(Status::Present) => {}
                    Some(Status::Absent | Status::Excused) => absent += hours,
                    None => {
                        absent += hours;
                        e.missing_attendance += 1;
                    }
                }
            }
            e.absent = PackedHours::new(absent).unwrap_or_else(|| {
                aside.push((EnrollmentIx((first + i) as u32), absent));
                PackedHours::aside()
            });
            if e.missing_attendance > 0 {
                warnings.push(DataWarning::MissingAttendance {
                    person: self
                        .people
                        .get(e.person.index())
                        .map(|p| p.id.clone())
                        .unwrap_or_default(),
                    activity: self
                        .activities
                        .get(e.activity.index())
                        .map(|a| a.id.clone())
                        .unwrap_or_default(),
                    sessions: e.missing_attendance,
                });
            }
        }
        (warnings, aside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-hour course on `date`, organised by district `d`.
    fn one_day_course(id: &str, date: NaiveDate) -> ActivityRow {
        ActivityRow {
            id: id.into(),
            title: id.into(),
            organizer: "d".into(),
            host: None,
            level: Level::District,
            kind: Kind::Course,
            mode: Mode::Offline,
            start_date: date,
            end_date: date,
            hours: Decimal::ONE,
            attrs: Attrs::default(),
        }
    }

    #[test]
    fn absent_hours_too_long_to_pack_are_kept_exactly() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rows = Rows {
            districts: vec![DistrictRow {
                id: "d".into(),
                name: "D".into(),
                attrs: Attrs::default(),
            }],
            ..Rows::default()
        };
        // Three people, each absent from one session of their own
        // activity: the first fits an enrollment, the others do not, and
        // they fall on both sides of the split between threads.
        for (i, hours) in ["1.5", "0.1234567890123", "67108864"].iter().enumerate() {
            let (person, activity) = (format!("t{i}"), format!("a{i}"));
            rows.people.push(PersonRow {
                id: person.clone(),
                name: person.clone(),
                org: "d".into(),
                roles: RoleSet::default(),
                birth_date: None,
                hire_date: None,
                post_start_date: None,
                attrs: Attrs::default(),
            });
            rows.activities.push(one_day_course(&activity, date));
            rows.sessions.push(SessionRow {
                id: format!("s{i}"),
                activity: activity.clone(),
                date,
                hours: hours.parse().unwrap(),
            });
            rows.enrollments.push(EnrollmentRow {
                person: person.clone(),
                activity,
            });
            rows.attendance.push(AttendanceRow {
                person,
                session: format!("s{i}"),
                status: Status::Absent,
            });
        }
        let (data, _) = Dataset::from_rows(rows).unwrap();
        let absent: Vec<String> = (0..3)
            .map(|i| data.absent_hours(EnrollmentIx(i)).to_string())
            .collect();
        assert_eq!(absent, ["1.5", "0.1234567890123", "67108864"]);
        assert_eq!(data.index.absent_aside.len(), 2);
    }

    #[test]
    fn activity_and_session_rows_become_records_in_their_own_allocation() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut builder = DatasetBuilder::new();
        builder.add_rows(Rows {
            districts: vec![DistrictRow {
                id: "d".into(),
                name: "D".into(),
                attrs: Attrs::default(),
            }],
            ..Rows::default()
        });
        let mut resolver = Resolver::default();
        resolver.entities(builder.rows, &builder.origins);
        let activities: Vec<ActivityRow> = (0..3)
            .map(|i| one_day_course(&format!("a{i}"), date))
            .collect();
        let sessions: Vec<SessionRow> = (0..3)
            .map(|i| SessionRow {
                id: format!("s{i}"),
                activity: format!("a{i}"),
                date,
                hours: Decimal::ONE,
            })
            .collect();
        let (a, s) = (activities.as_ptr() as usize, sessions.as_ptr() as usize);
        let lines = Lines::default();
        resolver.activities(activities, &lines);
        resolver.sessions(sessions, &lines);
        assert!(resolver.errors.is_empty());
        assert_eq!(resolver.data.activities.as_ptr() as usize, a);
        assert_eq!(resolver.data.sessions.as_ptr() as usize, s);
        assert_eq!(resolver.data.sessions.len(), 3);
        assert_eq!(resolver.data.sessions_of(ActivityIx(2)), [SessionIx(2)]);
    }

    #[test]
    fn attendance_rows_are_rewritten_in_their_own_allocation() {
        let rows = vec![(1, 0, Status::Absent), (0, 1, Status::Present)];
        let at = rows.as_ptr() as usize;
        let people = [Some(PersonIx(7)), Some(PersonIx(8))];
        let sessions = [Some(SessionIx(3)), Some(SessionIx(4))];
        let marks = attendance_rows(rows, (&people, &sessions));
        assert_eq!(marks.as_ptr() as usize, at);
        assert_eq!(
            marks,
            [
                Attendance {
                    person: PersonIx(8),
                    session: SessionIx(3),
                    status: Status::Absent
                },
                Attendance {
                    person: PersonIx(7),
                    session: SessionIx(4),
                    status: Status::Present
                },
            ]
        );
    }
}
