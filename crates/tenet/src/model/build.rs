//! Resolving rows into a [`Dataset`]: references, duplicates, date order,
//! and the indexes the evaluator needs. Every problem is collected.

use super::*;
use std::collections::hash_map::Entry;
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

#[derive(Debug, Default)]
struct Origins {
    districts: Vec<RowRef>,
    schools: Vec<RowRef>,
    people: Vec<RowRef>,
    activities: Vec<RowRef>,
    sessions: Vec<RowRef>,
    enrollments: Vec<RowRef>,
    attendance: Vec<RowRef>,
    mentorships: Vec<RowRef>,
    finance: Vec<RowRef>,
}

macro_rules! adders {
    ($($fn:ident: $field:ident, $row:ty, $stem:literal;)*) => {
        $(
            /// Adds a row with its origin.
            pub fn $fn(&mut self, row: $row, at: RowRef) {
                self.rows.$field.push(row);
                self.origins.$field.push(at);
            }
        )*

        /// Adds every row of a [`Rows`] document, numbering rows from 1 per
        /// array (as JSON record numbers).
        pub fn add_rows(&mut self, rows: Rows) {
            $(
                for (i, row) in rows.$field.into_iter().enumerate() {
                    self.$fn(row, RowRef::new($stem, i as u64 + 1));
                }
            )*
        }
    };
}

fn origin(list: &[RowRef], i: usize) -> RowRef {
    list.get(i).cloned().unwrap_or_else(|| RowRef::new("?", 0))
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
        Resolver::default().run(self.rows, self.origins)
    }
}

#[derive(Default)]
struct Resolver {
    errors: Vec<DataError>,
    data: Dataset,
    first_seen: HashMap<String, RowRef>,
    session_ids: HashMap<String, SessionIx>,
    /// (person, session) → attendance mark, for absent hours.
    marks: HashMap<(PersonIx, SessionIx), Status>,
}

impl Resolver {
    fn error(&mut self, at: RowRef, field: &'static str, kind: DataErrorKind) {
        self.errors.push(DataError { at, field, kind });
    }

    /// Registers an id in the shared namespace; false when it is a duplicate.
    fn claim(&mut self, id: &str, at: &RowRef, field: &'static str) -> bool {
        match self.first_seen.entry(id.to_string()) {
            Entry::Occupied(first) => {
                let first = first.get().clone();
                self.error(
                    at.clone(),
                    field,
                    DataErrorKind::DuplicateId {
                        id: id.to_string(),
                        first_file: first.file,
                        first_line: first.line,
                    },
                );
                false
            }
            Entry::Vacant(slot) => {
                slot.insert(at.clone());
                true
            }
        }
    }

    fn org(&mut self, id: &str, at: &RowRef, field: &'static str) -> Option<Org> {
        match self.data.index.ids.get(id) {
            Some(Actor::Org(org)) => Some(*org),
            _ => {
                self.error(
                    at.clone(),
                    field,
                    DataErrorKind::UnknownReference {
                        expected: "school or district",
                        id: id.into(),
                    },
                );
                None
            }
        }
    }

    fn person(&mut self, id: &str, at: &RowRef, field: &'static str) -> Option<PersonIx> {
        match self.data.index.ids.get(id) {
            Some(Actor::Person(p)) => Some(*p),
            _ => {
                self.error(
                    at.clone(),
                    field,
                    DataErrorKind::UnknownReference {
                        expected: "person",
                        id: id.into(),
                    },
                );
                None
            }
        }
    }

    fn dates(&mut self, start: NaiveDate, end: NaiveDate, at: &RowRef) -> bool {
        if end < start {
            self.error(
                at.clone(),
                "end_date",
                DataErrorKind::EndBeforeStart { start, end },
            );
            return false;
        }
        true
    }

    fn hours(&mut self, value: Decimal, at: &RowRef, positive: bool) -> bool {
        let bad = if positive {
            value <= Decimal::ZERO
        } else {
            value < Decimal::ZERO
        };
        if bad {
            let bound = if positive { "positive" } else { "zero or more" };
            self.error(
                at.clone(),
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
        let n_districts = self.districts(rows.districts, &origins.districts);
        self.schools(rows.schools, &origins.schools, n_districts);
        self.people(rows.people, &origins.people);
        self.activities(rows.activities, &origins.activities);
        self.sessions(rows.sessions, &origins.sessions);
        let enrolled = self.enrollments(rows.enrollments, &origins.enrollments);
        self.attendance(rows.attendance, &origins.attendance, &enrolled);
        self.mentorships(rows.mentorships, &origins.mentorships);
        self.finance(rows.finance, &origins.finance);
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let warnings = self.derive();
        Ok((self.data, warnings))
    }

    fn districts(&mut self, rows: Vec<DistrictRow>, at: &[RowRef]) -> usize {
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            if !self.claim(&row.id, &at, "id") {
                continue;
            }
            let ix = DistrictIx(self.data.districts.len() as u32);
            self.data
                .index
                .ids
                .insert(row.id.clone(), Actor::Org(Org::District(ix)));
            self.data.districts.push(District {
                id: row.id,
                name: row.name,
                attrs: row.attrs,
            });
        }
        self.data.districts.len()
    }

    fn schools(&mut self, rows: Vec<SchoolRow>, at: &[RowRef], n_districts: usize) {
        self.data.index.schools_of_district = vec![Vec::new(); n_districts];
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let district = match self.data.index.ids.get(&row.district) {
                Some(Actor::Org(Org::District(d))) => Some(*d),
                _ => {
                    self.error(
                        at.clone(),
                        "district",
                        DataErrorKind::UnknownReference {
                            expected: "district",
                            id: row.district.clone(),
                        },
                    );
                    None
                }
            };
            if !self.claim(&row.id, &at, "id") {
                continue;
            }
            let Some(district) = district else { continue };
            let ix = SchoolIx(self.data.schools.len() as u32);
            self.data
                .index
                .ids
                .insert(row.id.clone(), Actor::Org(Org::School(ix)));
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

    fn people(&mut self, rows: Vec<PersonRow>, at: &[RowRef]) {
        self.data.index.people_of_district_office = vec![Vec::new(); self.data.districts.len()];
        self.data.index.people_of_school = vec![Vec::new(); self.data.schools.len()];
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let org = self.org(&row.org, &at, "org");
            if !self.claim(&row.id, &at, "id") {
                continue;
            }
            let Some(org) = org else { continue };
            let ix = PersonIx(self.data.people.len() as u32);
            self.data
                .index
                .ids
                .insert(row.id.clone(), Actor::Person(ix));
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

    fn activities(&mut self, rows: Vec<ActivityRow>, at: &[RowRef]) {
        let mut seen: HashMap<String, RowRef> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let organizer = match self.data.index.ids.get(&row.organizer) {
                Some(actor) => Some(*actor),
                None => {
                    self.error(
                        at.clone(),
                        "organizer",
                        DataErrorKind::UnknownReference {
                            expected: "organizer (school, district or person)",
                            id: row.organizer.clone(),
                        },
                    );
                    None
                }
            };
            let host = match row.host.as_deref().filter(|h| !h.is_empty()) {
                Some(h) => self.org(h, &at, "host").map(Some),
                None => Some(None),
            };
            let dates_ok = self.dates(row.start_date, row.end_date, &at);
            let hours_ok = self.hours(row.hours, &at, false);
            if let Some(first) = seen.get(&row.id) {
                let first = first.clone();
                self.error(
                    at.clone(),
                    "id",
                    DataErrorKind::DuplicateId {
                        id: row.id.clone(),
                        first_file: first.file,
                        first_line: first.line,
                    },
                );
                continue;
            }
            seen.insert(row.id.clone(), at);
            let (Some(organizer), Some(host), true, true) = (organizer, host, dates_ok, hours_ok)
            else {
                continue;
            };
            let ix = ActivityIx(self.data.activities.len() as u32);
            self.data.index.activity_ids.insert(row.id.clone(), ix);
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

    fn activity_ref(&mut self, id: &str, at: &RowRef) -> Option<ActivityIx> {
        let found = self.data.index.activity_ids.get(id).copied();
        if found.is_none() {
            self.error(
                at.clone(),
                "activity",
                DataErrorKind::UnknownReference {
                    expected: "activity",
                    id: id.into(),
                },
            );
        }
        found
    }

    fn sessions(&mut self, rows: Vec<SessionRow>, at: &[RowRef]) {
        self.data.index.sessions_of_activity = vec![Vec::new(); self.data.activities.len()];
        let mut seen: HashMap<String, RowRef> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let activity = self.activity_ref(&row.activity, &at);
            let hours_ok = self.hours(row.hours, &at, true);
            if let Some(first) = seen.get(&row.id) {
                let first = first.clone();
                self.error(
                    at.clone(),
                    "id",
                    DataErrorKind::DuplicateId {
                        id: row.id.clone(),
                        first_file: first.file,
                        first_line: first.line,
                    },
                );
                continue;
            }
            seen.insert(row.id.clone(), at.clone());
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

    fn enrollments(
        &mut self,
        rows: Vec<EnrollmentRow>,
        at: &[RowRef],
    ) -> HashMap<(PersonIx, ActivityIx), u64> {
        let mut seen: HashMap<(PersonIx, ActivityIx), u64> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let person = self.person(&row.person, &at, "person");
            let activity = self.activity_ref(&row.activity, &at);
            let (Some(person), Some(activity)) = (person, activity) else {
                continue;
            };
            if let Some(first_line) = seen.get(&(person, activity)) {
                let key = format!("person `{}` in activity `{}`", row.person, row.activity);
                self.error(
                    at,
                    "activity",
                    DataErrorKind::DuplicateRow {
                        key,
                        first_line: *first_line,
                    },
                );
                continue;
            }
            seen.insert((person, activity), at.line);
            self.data.enrollments.push(Enrollment {
                person,
                activity,
                absent_hours: Decimal::ZERO,
                missing_attendance: 0,
            });
        }
        seen
    }

    fn attendance(
        &mut self,
        rows: Vec<AttendanceRow>,
        at: &[RowRef],
        enrolled: &HashMap<(PersonIx, ActivityIx), u64>,
    ) {
        let mut seen: HashMap<(PersonIx, SessionIx), u64> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let person = self.person(&row.person, &at, "person");
            let session = self.session_ids.get(&row.session).copied();
            if session.is_none() {
                self.error(
                    at.clone(),
                    "session",
                    DataErrorKind::UnknownReference {
                        expected: "session",
                        id: row.session.clone(),
                    },
                );
            }
            let (Some(person), Some(session)) = (person, session) else {
                continue;
            };
            let activity = self.data.session(session).activity;
            if !enrolled.contains_key(&(person, activity)) {
                let activity = self.data.activity(activity).id.clone();
                self.error(
                    at,
                    "session",
                    DataErrorKind::AttendanceNotEnrolled {
                        person: row.person,
                        session: row.session,
                        activity,
                    },
                );
                continue;
            }
            if let Some(first_line) = seen.get(&(person, session)) {
                let key = format!("person `{}` at session `{}`", row.person, row.session);
                self.error(
                    at,
                    "session",
                    DataErrorKind::DuplicateRow {
                        key,
                        first_line: *first_line,
                    },
                );
                continue;
            }
            seen.insert((person, session), at.line);
            self.marks.insert((person, session), row.status);
            self.data.attendance.push(Attendance {
                person,
                session,
                status: row.status,
            });
        }
    }

    fn mentorships(&mut self, rows: Vec<MentorshipRow>, at: &[RowRef]) {
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let mentor = self.person(&row.mentor, &at, "mentor");
            let trainee = self.person(&row.trainee, &at, "trainee");
            let dates_ok = self.dates(row.start_date, row.end_date, &at);
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

    fn finance(&mut self, rows: Vec<FinanceRow>, at: &[RowRef]) {
        let mut seen: HashMap<(Org, i32, FinanceItem), u64> = HashMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let at = origin(at, i);
            let org = self.org(&row.org, &at, "org");
            if row.amount < Decimal::ZERO {
                self.error(
                    at.clone(),
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
                self.error(
                    at,
                    "item",
                    DataErrorKind::DuplicateRow {
                        key,
                        first_line: *first_line,
                    },
                );
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
        let mut warnings = Vec::new();
        for e in &mut data.enrollments {
            let sessions = data
                .index
                .sessions_of_activity
                .get(e.activity.index())
                .map_or(&[][..], Vec::as_slice);
            for s in sessions {
                let hours = data
                    .sessions
                    .get(s.index())
                    .map_or(Decimal::ZERO, |s| s.hours);
                match self.marks.get(&(e.person, *s)) {
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
                    person: data
                        .people
                        .get(e.person.index())
                        .map(|p| p.id.clone())
                        .unwrap_or_default(),
                    activity: data
                        .activities
                        .get(e.activity.index())
                        .map(|a| a.id.clone())
                        .unwrap_or_default(),
                    sessions: e.missing_attendance,
                });
            }
        }
        let end_of = |a: &ActivityIx| data.activities.get(a.index()).map(|a| a.end_date);
        let mut by_person = vec![Vec::new(); data.people.len()];
        for (i, e) in data.enrollments.iter().enumerate() {
            if let Some(list) = by_person.get_mut(e.person.index()) {
                list.push(EnrollmentIx(i as u32));
            }
        }
        for list in &mut by_person {
            list.sort_by_key(|e| {
                (
                    data.enrollments
                        .get(e.index())
                        .and_then(|e| end_of(&e.activity)),
                    *e,
                )
            });
        }
        data.index.enrollments_of_person = by_person;
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
            list.sort_by_key(|a| (end_of(a), *a));
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
