//! Resolving rows into a [`Dataset`]: references, duplicates, date order,
//! and the indexes the evaluator needs. Every problem is collected.

use super::*;
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
    rows: Rows,
    origins: Origins,
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
        pub fn add_rows(&mut self, rows: Rows) {
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
        enrollment: enrollments, EnrollmentRow, "enrollments";
        attendance: attendance, AttendanceRow, "attendance";
        mentorship: mentorships, MentorshipRow, "mentorships";
        finance: finance, FinanceRow, "finance";
    }

    /// Resolves everything; returns the dataset and warnings, or every error.
    pub fn finish(self) -> Result<(Dataset, Vec<DataWarning>), Vec<DataError>> {
        let resolver = Resolver {
            files: self.origins.files.clone(),
            ..Resolver::default()
        };
        resolver.run(self.rows, self.origins)
    }
}

/// FxHash (as in rustc) with a final avalanche so the low bits hashbrown
/// uses for buckets depend on every input byte. Ids come from the user's
/// own files, so hash flooding is not a concern; speed is.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

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

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// Per-person lists in one allocation (compressed sparse rows).
#[derive(Debug)]
struct PersonLists<T> {
    offsets: Vec<usize>,
    items: Vec<T>,
}

impl<T> Default for PersonLists<T> {
    fn default() -> Self {
        PersonLists {
            offsets: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy> PersonLists<T> {
    /// Groups entries by person, keeping their order within each person.
    fn group(people: usize, entries: &[(PersonIx, T)], fill: T) -> PersonLists<T> {
        let mut offsets = vec![0usize; people + 1];
        for (p, _) in entries {
            if let Some(count) = offsets.get_mut(p.index() + 1) {
                *count += 1;
            }
        }
        let mut total = 0;
        for slot in &mut offsets {
            total += *slot;
            *slot = total;
        }
        let mut cursor = offsets.clone();
        let mut items = vec![fill; entries.len()];
        for (p, t) in entries {
            if let Some(c) = cursor.get_mut(p.index()) {
                if let Some(slot) = items.get_mut(*c) {
                    *slot = *t;
                }
                *c += 1;
            }
        }
        PersonLists { offsets, items }
    }

    fn range(&self, p: PersonIx) -> std::ops::Range<usize> {
        let start = self.offsets.get(p.index()).copied().unwrap_or(0);
        let end = self.offsets.get(p.index() + 1).copied().unwrap_or(start);
        start..end
    }

    fn of(&self, p: PersonIx) -> &[T] {
        self.items.get(self.range(p)).unwrap_or(&[])
    }

    fn sort_each_by_key<K: Ord>(&mut self, people: usize, key: impl Fn(&T) -> K) {
        for p in 0..people {
            let range = self.range(PersonIx(p as u32));
            if let Some(list) = self.items.get_mut(range) {
                list.sort_unstable_by_key(&key);
            }
        }
    }
}

const NONE: u32 = u32::MAX;

/// For rows keyed by (person, key), the first earlier row with the same key
/// (`NONE` when the row is the first). `keys[i]` is `None` for rows that
/// did not resolve.
fn first_of_duplicates(people: usize, keys: &[Option<(PersonIx, u32)>]) -> Vec<u32> {
    grouped_duplicates(people, keys).0
}

/// [`first_of_duplicates`], also returning each person's (key, row) pairs
/// sorted, for further person-by-person passes.
fn grouped_duplicates(
    people: usize,
    keys: &[Option<(PersonIx, u32)>],
) -> (Vec<u32>, PersonLists<(u32, u32)>) {
    let entries: Vec<(PersonIx, (u32, u32))> = keys
        .iter()
        .enumerate()
        .filter_map(|(row, k)| k.map(|(p, key)| (p, (key, row as u32))))
        .collect();
    let mut lists = PersonLists::group(people, &entries, (NONE, NONE));
    drop(entries);
    lists.sort_each_by_key(people, |e| *e);
    let mut first_of = vec![NONE; keys.len()];
    for p in 0..people {
        let list = lists.of(PersonIx(p as u32));
        let mut first: Option<(u32, u32)> = None;
        for (key, row) in list {
            match first {
                Some((k, r)) if k == *key => {
                    if let Some(slot) = first_of.get_mut(*row as usize) {
                        *slot = r;
                    }
                }
                _ => first = Some((*key, *row)),
            }
        }
    }
    (first_of, lists)
}

/// The last id looked up and its answer: rows usually come activity by
/// activity, so consecutive rows name the same activity or session and a
/// string comparison saves a hash lookup.
struct Memo<'a, T> {
    last: Option<(&'a str, Option<T>)>,
}

impl<T> Default for Memo<'_, T> {
    fn default() -> Self {
        Memo { last: None }
    }
}

impl<'a, T: Copy> Memo<'a, T> {
    fn get(&mut self, id: &'a str, lookup: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let Some((last, found)) = self.last {
            if last == id {
                return found;
            }
        }
        let found = lookup(id);
        self.last = Some((id, found));
        found
    }
}

/// Attendance rows' (person, session) resolved to indexes; for each row
/// the first earlier row with the same pair; and each person's
/// (session, row) pairs, sorted.
type ResolvedAttendance = (
    Vec<(Option<PersonIx>, Option<SessionIx>)>,
    Vec<u32>,
    PersonLists<(u32, u32)>,
);

/// The person each id names, `None` when it names no person.
fn person_ixs<'a>(
    actors: &FastMap<String, Actor>,
    ids: impl Iterator<Item = &'a str>,
) -> Vec<Option<PersonIx>> {
    ids.map(|id| match actors.get(id) {
        Some(Actor::Person(p)) => Some(*p),
        _ => None,
    })
    .collect()
}

fn resolve_attendance(
    persons: &[Option<PersonIx>],
    session_ids: &FastMap<String, SessionIx>,
    people: usize,
    rows: &[AttendanceRow],
) -> ResolvedAttendance {
    let mut session = Memo::default();
    let resolved: Vec<(Option<PersonIx>, Option<SessionIx>)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let person = persons.get(i).copied().flatten();
            let s = session.get(&row.session, |id| session_ids.get(id).copied());
            (person, s)
        })
        .collect();
    let keys: Vec<Option<(PersonIx, u32)>> = resolved
        .iter()
        .map(|r| match r {
            (Some(p), Some(s)) => Some((*p, s.0)),
            _ => None,
        })
        .collect();
    let (first_of, by_person) = grouped_duplicates(people, &keys);
    (resolved, first_of, by_person)
}

#[derive(Default)]
struct Resolver {
    errors: Vec<DataError>,
    data: Dataset,
    files: Vec<String>,
    first_seen: FastMap<String, Origin>,
    /// Mirrors `data.index.ids` with a faster hash.
    actors: FastMap<String, Actor>,
    /// Mirrors `data.index.activity_ids` with a faster hash.
    activity_ids: FastMap<String, ActivityIx>,
    session_ids: FastMap<String, SessionIx>,
    /// Each person's attendance marks, sorted by session.
    marks: PersonLists<(SessionIx, Status)>,
}

impl Resolver {
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

    /// Registers an id in the shared namespace; false when it is a duplicate.
    fn claim(&mut self, id: &str, at: Origin, field: &'static str) -> bool {
        if let Some(first) = self.first_seen.get(id).copied() {
            self.duplicate_id(id, at, first, field);
            return false;
        }
        self.first_seen.insert(id.to_string(), at);
        true
    }

    fn register(&mut self, id: &str, actor: Actor) {
        self.data.index.ids.insert(id.to_string(), actor);
        self.actors.insert(id.to_string(), actor);
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
            Some(Actor::Org(org)) => Some(*org),
            _ => {
                self.unknown(at, field, "school or district", id);
                None
            }
        }
    }

    fn person_ix(&self, id: &str) -> Option<PersonIx> {
        match self.actors.get(id) {
            Some(Actor::Person(p)) => Some(*p),
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

    fn run(
        mut self,
        rows: Rows,
        origins: Origins,
    ) -> Result<(Dataset, Vec<DataWarning>), Vec<DataError>> {
        let Rows {
            districts,
            schools,
            people,
            activities,
            sessions,
            enrollments,
            attendance,
            mentorships,
            finance,
        } = rows;
        let n_districts = self.districts(districts, &origins.districts);
        self.schools(schools, &origins.schools, n_districts);
        self.people(people, &origins.people);
        // Every person is known now: the people named by the two big tables
        // are looked up on a second thread while activities and sessions
        // are resolved on this one.
        let actors = self.actors.clone();
        let lookup = || {
            (
                person_ixs(&actors, enrollments.iter().map(|r| r.person.as_str())),
                person_ixs(&actors, attendance.iter().map(|r| r.person.as_str())),
            )
        };
        let looked_up = std::thread::scope(|scope| {
            let handle = scope.spawn(lookup);
            self.activities(activities, &origins.activities);
            self.sessions(sessions, &origins.sessions);
            handle.join().ok()
        });
        let (enrollment_people, attendance_people) = looked_up.unwrap_or_else(lookup);
        // Then attendance sessions are resolved on the second thread while
        // enrollments are checked on this one.
        let session_ids = std::mem::take(&mut self.session_ids);
        let n_people = self.data.people.len();
        let resolve =
            || resolve_attendance(&attendance_people, &session_ids, n_people, &attendance);
        let (enrolled, resolved) = std::thread::scope(|scope| {
            let handle = scope.spawn(resolve);
            let enrolled = self.enrollments(&enrollments, &enrollment_people, &origins.enrollments);
            (enrolled, handle.join().ok())
        });
        drop(enrollment_people);
        let resolved = resolved.unwrap_or_else(resolve);
        self.session_ids = session_ids;
        self.attendance(&attendance, &origins.attendance, &enrolled, resolved);
        drop(enrolled);
        std::thread::scope(|scope| {
            // Freeing millions of id strings takes a while; do it aside.
            scope.spawn(move || drop((enrollments, attendance)));
            self.mentorships(mentorships, &origins.mentorships);
            self.finance(finance, &origins.finance);
            if !self.errors.is_empty() {
                return Err(std::mem::take(&mut self.errors));
            }
            let warnings = self.derive();
            Ok((std::mem::take(&mut self.data), warnings))
        })
    }

    fn districts(&mut self, rows: Vec<DistrictRow>, at: &Lines) -> usize {
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            if !self.claim(&row.id, at, "id") {
                continue;
            }
            let ix = DistrictIx(self.data.districts.len() as u32);
            self.register(&row.id, Actor::Org(Org::District(ix)));
            self.data.districts.push(District {
                id: row.id,
                name: row.name,
                attrs: row.attrs,
            });
        }
        self.data.districts.len()
    }

    fn schools(&mut self, rows: Vec<SchoolRow>, at: &Lines, n_districts: usize) {
        self.data.index.schools_of_district = vec![Vec::new(); n_districts];
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let district = match self.actors.get(&row.district) {
                Some(Actor::Org(Org::District(d))) => Some(*d),
                _ => {
                    self.unknown(at, "district", "district", &row.district);
                    None
                }
            };
            if !self.claim(&row.id, at, "id") {
                continue;
            }
            let Some(district) = district else { continue };
            let ix = SchoolIx(self.data.schools.len() as u32);
            self.register(&row.id, Actor::Org(Org::School(ix)));
            if let Some(list) = self
                .data
                .index
                .schools_of_district
                .get_mut(district.index())
            {
                list.push(ix);
            }
            self.data.schools.push(School {
                id: row.id,
                name: row.name,
                district,
                rural: row.rural,
                training_base: row.training_base,
                attrs: row.attrs,
            });
        }
    }

    fn people(&mut self, rows: Vec<PersonRow>, at: &Lines) {
        self.data.index.people_of_district_office = vec![Vec::new(); self.data.districts.len()];
        self.data.index.people_of_school = vec![Vec::new(); self.data.schools.len()];
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let org = self.org(&row.org, at, "org");
            if !self.claim(&row.id, at, "id") {
                continue;
            }
            let Some(org) = org else { continue };
            let ix = PersonIx(self.data.people.len() as u32);
            self.register(&row.id, Actor::Person(ix));
            let list = match org {
                Org::District(d) => self.data.index.people_of_district_office.get_mut(d.index()),
                Org::School(s) => self.data.index.people_of_school.get_mut(s.index()),
            };
            if let Some(list) = list {
                list.push(ix);
            }
            self.data.people.push(Person {
                id: row.id,
                name: row.name,
                org,
                roles: row.roles,
                birth_date: row.birth_date,
                hire_date: row.hire_date,
                post_start_date: row.post_start_date,
                attrs: row.attrs,
            });
        }
    }

    fn activities(&mut self, rows: Vec<ActivityRow>, at: &Lines) {
        let mut seen: FastMap<String, Origin> = FastMap::default();
        seen.reserve(rows.len());
        self.activity_ids.reserve(rows.len());
        self.data.index.activity_ids.reserve(rows.len());
        self.data.activities.reserve(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let organizer = match self.actors.get(&row.organizer) {
                Some(actor) => Some(*actor),
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
            if let Some(first) = seen.get(&row.id).copied() {
                self.duplicate_id(&row.id, at, first, "id");
                continue;
            }
            seen.insert(row.id.clone(), at);
            let (Some(organizer), Some(host), true, true) = (organizer, host, dates_ok, hours_ok)
            else {
                continue;
            };
            let ix = ActivityIx(self.data.activities.len() as u32);
            self.data.index.activity_ids.insert(row.id.clone(), ix);
            self.activity_ids.insert(row.id.clone(), ix);
            self.data.activities.push(Activity {
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
                attrs: row.attrs,
            });
        }
    }

    fn activity_ref(&mut self, id: &str, at: Origin) -> Option<ActivityIx> {
        let found = self.activity_ids.get(id).copied();
        if found.is_none() {
            self.unknown(at, "activity", "activity", id);
        }
        found
    }

    fn sessions(&mut self, rows: Vec<SessionRow>, at: &Lines) {
        self.data.index.sessions_of_activity = vec![Vec::new(); self.data.activities.len()];
        let mut seen: FastMap<String, Origin> = FastMap::default();
        seen.reserve(rows.len());
        self.data.sessions.reserve(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let activity = self.activity_ref(&row.activity, at);
            let hours_ok = self.hours(row.hours, at, true);
            if let Some(first) = seen.get(&row.id).copied() {
                self.duplicate_id(&row.id, at, first, "id");
                continue;
            }
            seen.insert(row.id.clone(), at);
            let Some(activity) = activity else { continue };
            let a = self.data.activity(activity);
            if row.date < a.start_date || row.date > a.end_date {
                let (start, end) = (a.start_date, a.end_date);
                self.error(
                    at,
                    "date",
                    DataErrorKind::SessionOutsideActivity {
                        date: row.date,
                        start,
                        end,
                    },
                );
                continue;
            }
            if !hours_ok {
                continue;
            }
            let ix = SessionIx(self.data.sessions.len() as u32);
            if let Some(list) = self
                .data
                .index
                .sessions_of_activity
                .get_mut(activity.index())
            {
                list.push(ix);
            }
            self.data.sessions.push(Session {
                id: row.id,
                activity,
                date: row.date,
                hours: row.hours,
            });
        }
        self.session_ids = self
            .data
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), SessionIx(i as u32)))
            .collect();
    }

    /// Returns each person's enrollments as (activity, enrollment), sorted
    /// by activity, for the attendance check.
    fn enrollments(
        &mut self,
        rows: &[EnrollmentRow],
        persons: &[Option<PersonIx>],
        at: &Lines,
    ) -> PersonLists<(ActivityIx, EnrollmentIx)> {
        let people = self.data.people.len();
        // Resolve first, so duplicates can be found by sorting per person
        // rather than through a hash map of millions of pairs.
        let mut activity = Memo::default();
        let resolved: Vec<(Option<PersonIx>, Option<ActivityIx>)> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                (
                    persons.get(i).copied().flatten(),
                    activity.get(&row.activity, |id| self.activity_ids.get(id).copied()),
                )
            })
            .collect();
        let keys: Vec<Option<(PersonIx, u32)>> = resolved
            .iter()
            .map(|r| match r {
                (Some(p), Some(a)) => Some((*p, a.0)),
                _ => None,
            })
            .collect();
        let first_of = first_of_duplicates(people, &keys);
        drop(keys);
        let mut kept: Vec<(PersonIx, (ActivityIx, EnrollmentIx))> = Vec::with_capacity(rows.len());
        self.data.enrollments.reserve(rows.len());
        for (i, (row, (person, activity))) in rows.iter().zip(resolved).enumerate() {
            let origin = at.get(i);
            if person.is_none() {
                self.unknown(origin, "person", "person", &row.person);
            }
            if activity.is_none() {
                self.unknown(origin, "activity", "activity", &row.activity);
            }
            let (Some(person), Some(activity)) = (person, activity) else {
                continue;
            };
            let first = first_of.get(i).copied().unwrap_or(NONE);
            if first != NONE {
                let key = format!("person `{}` in activity `{}`", row.person, row.activity);
                let first_line = at.get(first as usize).line;
                self.error(
                    origin,
                    "activity",
                    DataErrorKind::DuplicateRow { key, first_line },
                );
                continue;
            }
            let ix = EnrollmentIx(self.data.enrollments.len() as u32);
            kept.push((person, (activity, ix)));
            self.data.enrollments.push(Enrollment {
                person,
                activity,
                absent_hours: Decimal::ZERO,
                missing_attendance: 0,
            });
        }
        let mut lists = PersonLists::group(people, &kept, (ActivityIx(0), EnrollmentIx(0)));
        lists.sort_each_by_key(people, |(a, _)| *a);
        lists
    }

    fn attendance(
        &mut self,
        rows: &[AttendanceRow],
        at: &Lines,
        enrolled: &PersonLists<(ActivityIx, EnrollmentIx)>,
        (resolved, first_of, by_person): ResolvedAttendance,
    ) {
        // Whether each row's person is enrolled in its session's activity,
        // decided person by person so each person's enrollments stay in
        // cache (rows usually come activity by activity).
        let session_activity: Vec<ActivityIx> =
            self.data.sessions.iter().map(|s| s.activity).collect();
        let mut not_enrolled = vec![false; rows.len()];
        for p in 0..self.data.people.len() {
            let person = PersonIx(p as u32);
            let mine = enrolled.of(person);
            for (session, row) in by_person.of(person) {
                let Some(activity) = session_activity.get(*session as usize) else {
                    continue;
                };
                if mine.binary_search_by_key(activity, |(a, _)| *a).is_err() {
                    if let Some(flag) = not_enrolled.get_mut(*row as usize) {
                        *flag = true;
                    }
                }
            }
        }
        drop(by_person);
        let mut marks: Vec<(PersonIx, (SessionIx, Status))> = Vec::with_capacity(rows.len());
        self.data.attendance.reserve(rows.len());
        for (i, (row, (person, session))) in rows.iter().zip(resolved).enumerate() {
            let origin = at.get(i);
            if person.is_none() {
                self.unknown(origin, "person", "person", &row.person);
            }
            if session.is_none() {
                self.unknown(origin, "session", "session", &row.session);
            }
            let (Some(person), Some(session)) = (person, session) else {
                continue;
            };
            if not_enrolled.get(i).copied().unwrap_or(false) {
                let activity = self.data.session(session).activity;
                let activity = self.data.activity(activity).id.clone();
                self.error(
                    origin,
                    "session",
                    DataErrorKind::AttendanceNotEnrolled {
                        person: row.person.clone(),
                        session: row.session.clone(),
                        activity,
                    },
                );
                continue;
            }
            let first = first_of.get(i).copied().unwrap_or(NONE);
            if first != NONE {
                let key = format!("person `{}` at session `{}`", row.person, row.session);
                let first_line = at.get(first as usize).line;
                self.error(
                    origin,
                    "session",
                    DataErrorKind::DuplicateRow { key, first_line },
                );
                continue;
            }
            marks.push((person, (session, row.status)));
            self.data.attendance.push(Attendance {
                person,
                session,
                status: row.status,
            });
        }
        let people = self.data.people.len();
        let mut lists = PersonLists::group(people, &marks, (SessionIx(0), Status::Present));
        lists.sort_each_by_key(people, |(s, _)| *s);
        self.marks = lists;
    }

    fn mentorships(&mut self, rows: Vec<MentorshipRow>, at: &Lines) {
        for (i, row) in rows.into_iter().enumerate() {
            let at = at.get(i);
            let mentor = self.person(&row.mentor, at, "mentor");
            let trainee = self.person(&row.trainee, at, "trainee");
            let dates_ok = self.dates(row.start_date, row.end_date, at);
            let (Some(mentor), Some(trainee), true) = (mentor, trainee, dates_ok) else {
                continue;
            };
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
        for (a, sessions) in data
            .activities
            .iter_mut()
            .zip(&data.index.sessions_of_activity)
        {
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
        let (mut warnings, more) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| tables.absent_hours(right));
            (tables.absent_hours(left), handle.join().ok())
        });
        warnings.extend(more.unwrap_or_else(|| tables.absent_hours(right)));
        let end_of = |a: &ActivityIx| data.activities.get(a.index()).map(|a| a.end_date);
        // Sort keys are computed once per enrollment from a compact table
        // of end dates, not looked up twice per comparison.
        let activity_end: Vec<NaiveDate> = data.activities.iter().map(|a| a.end_date).collect();
        let mut by_person: Vec<Vec<(Option<NaiveDate>, EnrollmentIx)>> =
            vec![Vec::new(); data.people.len()];
        for (i, e) in data.enrollments.iter().enumerate() {
            if let Some(list) = by_person.get_mut(e.person.index()) {
                let end = activity_end.get(e.activity.index()).copied();
                list.push((end, EnrollmentIx(i as u32)));
            }
        }
        data.index.enrollments_of_person = by_person
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.into_iter().map(|(_, e)| e).collect()
            })
            .collect();
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

/// What computing absent hours reads, shared by the threads that split the
/// enrollments between them.
#[derive(Clone, Copy)]
struct Tables<'a> {
    sessions_of_activity: &'a [Vec<SessionIx>],
    sessions: &'a [Session],
    people: &'a [Person],
    activities: &'a [Activity],
    marks: &'a PersonLists<(SessionIx, Status)>,
}

impl Tables<'_> {
    /// Absent hours and missing marks per enrollment (DESIGN §5), and a
    /// warning per enrollment with missing marks, in order.
    fn absent_hours(&self, enrollments: &mut [Enrollment]) -> Vec<DataWarning> {
        let mut warnings = Vec::new();
        for e in enrollments {
            e.absent_hours = Decimal::ZERO;
            e.missing_attendance = 0;
            let sessions = self
                .sessions_of_activity
                .get(e.activity.index())
                .map_or(&[][..], Vec::as_slice);
            for s in sessions {
                let hours = self
                    .sessions
                    .get(s.index())
                    .map_or(Decimal::ZERO, |s| s.hours);
                let marks = self.marks.of(e.person);
                let mark = marks
                    .binary_search_by_key(s, |(session, _)| *session)
                    .ok()
                    .and_then(|k| marks.get(k))
                    .map(|(_, status)| status);
                match mark {
                    Some(Status::Present) => {}
                    Some(Status::Absent | Status::Excused) => e.absent_hours += hours,
                    None => {
                        e.absent_hours += hours;
                        e.missing_attendance += 1;
                    }
                }
            }
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
        warnings
    }
}
