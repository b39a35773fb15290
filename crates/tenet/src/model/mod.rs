//! The typed record model (DESIGN §2): rows as loaded, and the resolved,
//! indexed [`Dataset`] the evaluator reads.
//!
//! Ids are strings in files and dense integer indexes inside, so joins are
//! array lookups. Districts, schools and people share one id namespace
//! because an activity's `organizer` may name any of them.

mod build;
mod columns;
mod enums;
mod hours;
mod lists;
mod rows;

pub use build::{DataError, DataErrorKind, DataWarning, DatasetBuilder, RowRef};
pub(crate) use columns::table_name;
pub use columns::CELL_SPACE;
pub use enums::{FinanceItem, Kind, Level, Mode, Role, RoleSet, Status};
pub use rows::{
    ActivityRow, AttendanceRow, AttendanceTable, Attrs, DistrictRow, EnrollmentRow,
    EnrollmentTable, FinanceRow, IdTable, MentorshipRow, PersonRow, Rows, SchoolRow, SessionRow,
};

use crate::schema::Entity;
use chrono::NaiveDate;
use columns::ExtraColumns;
use hours::PackedHours;
use lists::Lists;
use rust_decimal::Decimal;
use std::collections::HashMap;

macro_rules! index_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the dataset's table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Index of a district in [`Dataset::districts`].
    DistrictIx
);
index_type!(
    /// Index of a school in [`Dataset::schools`].
    SchoolIx
);
index_type!(
    /// Index of a person in [`Dataset::people`].
    PersonIx
);
index_type!(
    /// Index of an activity in [`Dataset::activities`].
    ActivityIx
);
index_type!(
    /// Index of a session in [`Dataset::sessions`].
    SessionIx
);
index_type!(
    /// Index of an enrollment in [`Dataset::enrollments`].
    EnrollmentIx
);
index_type!(
    /// Index of a mentorship in [`Dataset::mentorships`].
    MentorshipIx
);

/// An organisation: a school or a district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Org {
    /// A district (区县教育局 level).
    District(DistrictIx),
    /// A school.
    School(SchoolIx),
}

/// Whoever runs an activity: an organisation or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    /// An organisation.
    Org(Org),
    /// A person (a mentor running a seminar).
    Person(PersonIx),
}

/// A district.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Id as in the files.
    pub id: String,
    /// Name.
    pub name: String,
    /// Extra columns.
    pub attrs: Attrs,
}

/// A school.
#[derive(Debug, Clone, PartialEq)]
pub struct School {
    /// Id as in the files.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its district.
    pub district: DistrictIx,
    /// 农村学校.
    pub rural: bool,
    /// 培训基地.
    pub training_base: bool,
    /// Extra columns.
    pub attrs: Attrs,
}

/// A person.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Id as in the files.
    pub id: String,
    /// Name.
    pub name: String,
    /// The school or district the person belongs to.
    pub org: Org,
    /// Roles held.
    pub roles: RoleSet,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// 参加教育工作.
    pub hire_date: Option<NaiveDate>,
    /// 任现职.
    pub post_start_date: Option<NaiveDate>,
    /// Extra columns.
    pub attrs: Attrs,
}

/// An activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Id as in the files.
    pub id: String,
    /// Title.
    pub title: String,
    /// Who runs it.
    pub organizer: Actor,
    /// Where it takes place.
    pub host: Option<Org>,
    /// Level.
    pub level: Level,
    /// Kind.
    pub kind: Kind,
    /// Mode.
    pub mode: Mode,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// 学时.
    pub hours: Decimal,
    /// Sum of its sessions' hours, or `hours` when it has none (DESIGN §5).
    pub scheduled_hours: Decimal,
    /// Extra columns.
    pub attrs: Attrs,
}

/// A session of an activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Id as in the files.
    pub id: String,
    /// Its activity.
    pub activity: ActivityIx,
    /// Day.
    pub date: NaiveDate,
    /// 学时.
    pub hours: Decimal,
}

/// A person enrolled in an activity, with the attendance figures the credit
/// rule needs, computed once at load. 16 bytes: a province has tens of
/// millions.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrollment {
    /// The person.
    pub person: PersonIx,
    /// The activity.
    pub activity: ActivityIx,
    /// Hours of sessions marked absent or excused, or with no attendance
    /// row: read them with [`Dataset::absent_hours`]. (Compared and
    /// printed packed: hours kept aside show only as the mark here; the
    /// `Dataset` holds their value.)
    absent: PackedHours,
    /// Sessions of the activity with no attendance row for this person
    /// (counted absent, reported as a warning).
    pub missing_attendance: u32,
}

// A province's enrollments are counted in tens of millions.
const _: () = assert!(std::mem::size_of::<Enrollment>() == 16);

/// One attendance mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    /// The person.
    pub person: PersonIx,
    /// The session.
    pub session: SessionIx,
    /// The mark.
    pub status: Status,
}

/// A mentor–trainee pair in a programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Mentorship {
    /// `mentor/trainee/program`, used as the subject id in reports.
    pub id: String,
    /// The mentor.
    pub mentor: PersonIx,
    /// The trainee.
    pub trainee: PersonIx,
    /// Programme name.
    pub program: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
}

/// One finance line.
#[derive(Debug, Clone, PartialEq)]
pub struct Finance {
    /// The organisation.
    pub org: Org,
    /// Calendar year.
    pub year: i32,
    /// Which line.
    pub item: FinanceItem,
    /// CNY, exact.
    pub amount: Decimal,
}

/// A validated, indexed dataset. Build one with [`DatasetBuilder`] or
/// [`Dataset::from_rows`].
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Districts in file order.
    pub districts: Vec<District>,
    /// Schools in file order.
    pub schools: Vec<School>,
    /// People in file order.
    pub people: Vec<Person>,
    /// Activities in file order.
    pub activities: Vec<Activity>,
    /// Sessions in file order.
    pub sessions: Vec<Session>,
    /// Enrollments in file order.
    pub enrollments: Vec<Enrollment>,
    /// Attendance marks in file order.
    pub attendance: Vec<Attendance>,
    /// Mentorships in file order.
    pub mentorships: Vec<Mentorship>,
    /// Finance lines in file order.
    pub finance: Vec<Finance>,
    /// The extra columns of each table (read with [`Dataset::has_column`]).
    pub(crate) columns: ExtraColumns,
    pub(crate) index: Index,
}

/// Ids numbered by an [`IdTable`], each with what it names (`None` for an
/// id that was seen on a row that was not valid). Lookups hash the id
/// packed into an integer and compare no strings, and the ids are kept in
/// one buffer rather than one allocation each.
#[derive(Debug, Clone)]
pub(crate) struct IdIndex<T> {
    ids: IdTable,
    of: Vec<Option<T>>,
}

impl<T> Default for IdIndex<T> {
    fn default() -> Self {
        IdIndex {
            ids: IdTable::default(),
            of: Vec::new(),
        }
    }
}

impl<T: Copy> IdIndex<T> {
    /// What `id` names, if anything.
    pub(crate) fn get(&self, id: &str) -> Option<T> {
        let n = self.ids.get(id)?;
        self.of.get(n as usize).copied().flatten()
    }

    /// What `id` names, and its number, trying `near` and `near + 1`
    /// first (see [`IdTable::find_near`]).
    pub(crate) fn get_near(&self, id: &str, near: u32) -> (Option<u32>, Option<T>) {
        let n = self.ids.find_near(id, near);
        let of = n.and_then(|n| self.of.get(n as usize).copied().flatten());
        (n, of)
    }

    /// The number of `id`, numbering it (naming nothing yet) if it is new.
    pub(crate) fn number(&mut self, id: &str) -> u32 {
        let n = self.ids.number(id);
        if n as usize >= self.of.len() {
            self.of.push(None);
        }
        n
    }

    /// Makes the id numbered `n` name `value`.
    pub(crate) fn set(&mut self, n: u32, value: T) {
        if let Some(slot) = self.of.get_mut(n as usize) {
            *slot = Some(value);
        }
    }
}

/// Lookup structures built once; every list is in a deterministic order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub ids: IdIndex<Actor>,
    pub activity_ids: IdIndex<ActivityIx>,
    pub schools_of_district: Vec<Vec<SchoolIx>>,
    /// People whose org is the district itself.
    pub people_of_district_office: Vec<Vec<PersonIx>>,
    pub people_of_school: Vec<Vec<PersonIx>>,
    /// Enrollments per person, sorted by the activity's end date.
    pub enrollments_of_person: Lists<EnrollmentIx>,
    pub sessions_of_activity: Lists<SessionIx>,
    /// Activities per organizer, sorted by end date then file order.
    pub activities_by_organizer: HashMap<Actor, Vec<ActivityIx>>,
    /// Activities per host, sorted by end date then file order.
    pub activities_by_host: HashMap<Org, Vec<ActivityIx>>,
    pub mentorships_as_mentor: Vec<Vec<MentorshipIx>>,
    pub mentorships_as_trainee: Vec<Vec<MentorshipIx>>,
    pub finance: HashMap<(Org, i32, FinanceItem), Decimal>,
    /// Absent hours that did not fit their enrollment, by enrollment.
    pub absent_aside: Vec<(EnrollmentIx, Decimal)>,
}

impl Dataset {
    /// Resolves and validates rows; every problem is returned, not the first.
    ///
    /// ```
    /// use tenet::model::{Dataset, Rows, DistrictRow};
    /// let rows = Rows {
    ///     districts: vec![DistrictRow { id: "d1".into(), name: "绿园区".into(), attrs: Default::default() }],
    ///     ..Rows::default()
    /// };
    /// let (data, warnings) = Dataset::from_rows(rows).unwrap();
    /// assert_eq!(data.districts.len(), 1);
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_rows(rows: Rows) -> Result<(Dataset, Vec<DataWarning>), Vec<DataError>> {
        let mut b = DatasetBuilder::new();
        b.add_rows(rows);
        b.finish()
    }

    /// Whether the table of `entity` has the extra column `name`: a loader
    /// declared it (a CSV or XLSX header cell, a JSON key of any record, a
    /// database column), or some row has a cell in it. On a table that has
    /// it, `x.attr(name)` reads `""` where the record's cell is blank; on
    /// one that does not, it is unknown. Only districts, schools, people
    /// and activities have extra columns.
    ///
    /// ```
    /// use tenet::model::{Attrs, Dataset, DistrictRow, Rows};
    /// use tenet::schema::Entity;
    /// let district = |id: &str, topic: &str| DistrictRow {
    ///     id: id.into(),
    ///     name: id.into(),
    ///     attrs: Attrs::from([("topic".to_string(), topic.to_string())]),
    /// };
    /// let rows = Rows { districts: vec![district("d1", "安全"), district("d2", " ")], ..Rows::default() };
    /// let (data, _) = Dataset::from_rows(rows).unwrap();
    /// assert!(data.has_column(Entity::District, "topic"));
    /// assert!(!data.has_column(Entity::District, "subject"));
    /// assert!(!data.has_column(Entity::School, "topic"));
    /// // A blank cell is not stored on its row.
    /// assert!(data.districts[1].attrs.is_empty());
    /// ```
    pub fn has_column(&self, entity: Entity, name: &str) -> bool {
        self.columns.has(entity, name)
    }

    /// The extra columns of the table of `entity`, in order of first
    /// appearance (none for the tables without extra columns).
    ///
    /// ```
    /// use tenet::model::{Dataset, DatasetBuilder};
    /// use tenet::schema::Entity;
    /// let mut b = DatasetBuilder::new();
    /// b.declare_columns(Entity::Person, ["subject", "grade"]);
    /// let (data, _) = b.finish().unwrap();
    /// assert_eq!(data.extra_columns(Entity::Person).collect::<Vec<_>>(), ["subject", "grade"]);
    /// assert_eq!(data.extra_columns(Entity::Session).count(), 0);
    /// ```
    pub fn extra_columns(&self, entity: Entity) -> impl Iterator<Item = &str> {
        self.columns.names(entity)
    }

    /// Looks up a district, school or person by its file id.
    pub fn actor(&self, id: &str) -> Option<Actor> {
        self.index.ids.get(id)
    }

    /// Looks up an activity by its file id.
    pub fn activity_ix(&self, id: &str) -> Option<ActivityIx> {
        self.index.activity_ids.get(id)
    }

    /// The file id of an actor.
    pub fn actor_id(&self, actor: Actor) -> &str {
        match actor {
            Actor::Person(p) => self.person(p).id.as_str(),
            Actor::Org(org) => self.org_id(org),
        }
    }

    /// The file id of an organisation.
    pub fn org_id(&self, org: Org) -> &str {
        match org {
            Org::District(d) => self.district(d).id.as_str(),
            Org::School(s) => self.school(s).id.as_str(),
        }
    }

    /// The district an organisation belongs to.
    pub fn district_of(&self, org: Org) -> DistrictIx {
        match org {
            Org::District(d) => d,
            Org::School(s) => self.school(s).district,
        }
    }

    /// A district by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn district(&self, ix: DistrictIx) -> &District {
        &self.districts[ix.index()]
    }

    /// A school by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn school(&self, ix: SchoolIx) -> &School {
        &self.schools[ix.index()]
    }

    /// A person by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn person(&self, ix: PersonIx) -> &Person {
        &self.people[ix.index()]
    }

    /// An activity by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn activity(&self, ix: ActivityIx) -> &Activity {
        &self.activities[ix.index()]
    }

    /// A session by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn session(&self, ix: SessionIx) -> &Session {
        &self.sessions[ix.index()]
    }

    /// An enrollment by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn enrollment(&self, ix: EnrollmentIx) -> &Enrollment {
        &self.enrollments[ix.index()]
    }

    /// Hours of the sessions of enrollment `ix`'s activity that its person
    /// missed: marked absent or excused, or with no attendance row.
    ///
    /// ```
    /// use tenet::model::{Dataset, EnrollmentIx};
    /// use rust_decimal::Decimal;
    /// # use tenet::model::*;
    /// # let d = |s: &str| s.parse().unwrap();
    /// # let rows = Rows {
    /// #     districts: vec![DistrictRow { id: "d".into(), name: "D".into(), attrs: Attrs::default() }],
    /// #     people: vec![PersonRow { id: "t".into(), name: "T".into(), org: "d".into(),
    /// #         roles: RoleSet::default(), birth_date: None, hire_date: None, post_start_date: None,
    /// #         attrs: Attrs::default() }],
    /// #     activities: vec![ActivityRow { id: "a".into(), title: "A".into(), organizer: "d".into(),
    /// #         host: None, level: Level::District, kind: Kind::Course, mode: Mode::Offline,
    /// #         start_date: d("2024-03-01"), end_date: d("2024-03-02"), hours: Decimal::from(6),
    /// #         attrs: Attrs::default() }],
    /// #     sessions: vec![
    /// #         SessionRow { id: "s1".into(), activity: "a".into(), date: d("2024-03-01"), hours: "3.5".parse().unwrap() },
    /// #         SessionRow { id: "s2".into(), activity: "a".into(), date: d("2024-03-02"), hours: "2.5".parse().unwrap() }],
    /// #     enrollments: vec![EnrollmentRow { person: "t".into(), activity: "a".into() }],
    /// #     attendance: vec![
    /// #         AttendanceRow { person: "t".into(), session: "s1".into(), status: Status::Present },
    /// #         AttendanceRow { person: "t".into(), session: "s2".into(), status: Status::Absent }],
    /// #     ..Rows::default()
    /// # };
    /// // One enrollment: present at a 3.5-hour session, absent from a 2.5-hour one.
    /// let (data, _) = Dataset::from_rows(rows).unwrap();
    /// assert_eq!(data.absent_hours(EnrollmentIx(0)).to_string(), "2.5");
    /// ```
    pub fn absent_hours(&self, ix: EnrollmentIx) -> Decimal {
        let packed = self.enrollments.get(ix.index()).map(|e| e.absent);
        packed.and_then(PackedHours::get).unwrap_or_else(|| {
            let aside = &self.index.absent_aside;
            aside
                .binary_search_by_key(&ix, |(i, _)| *i)
                .ok()
                .and_then(|k| aside.get(k))
                .map_or(Decimal::ZERO, |(_, hours)| *hours)
        })
    }

    /// A mentorship by index.
    #[expect(
        clippy::indexing_slicing,
        reason = "indexes are only made by the builder"
    )]
    pub fn mentorship(&self, ix: MentorshipIx) -> &Mentorship {
        &self.mentorships[ix.index()]
    }

    /// Schools of a district, in file order.
    pub fn schools_of(&self, d: DistrictIx) -> &[SchoolIx] {
        self.index
            .schools_of_district
            .get(d.index())
            .map_or(&[], Vec::as_slice)
    }

    /// People whose org is exactly this organisation (for a district: its
    /// office staff, not its schools' staff).
    pub fn people_at(&self, org: Org) -> &[PersonIx] {
        let list = match org {
            Org::District(d) => self.index.people_of_district_office.get(d.index()),
            Org::School(s) => self.index.people_of_school.get(s.index()),
        };
        list.map_or(&[], Vec::as_slice)
    }

    /// A person's enrollments, sorted by the activity's end date.
    pub fn enrollments_of(&self, p: PersonIx) -> &[EnrollmentIx] {
        self.index.enrollments_of_person.of(p)
    }

    /// An activity's sessions, in file order.
    pub fn sessions_of(&self, a: ActivityIx) -> &[SessionIx] {
        self.index.sessions_of_activity.at(a.index())
    }

    /// Activities an actor organizes, sorted by end date.
    pub fn activities_organized_by(&self, actor: Actor) -> &[ActivityIx] {
        self.index
            .activities_by_organizer
            .get(&actor)
            .map_or(&[], Vec::as_slice)
    }

    /// Activities hosted at an organisation, sorted by end date.
    pub fn activities_hosted_by(&self, org: Org) -> &[ActivityIx] {
        self.index
            .activities_by_host
            .get(&org)
            .map_or(&[], Vec::as_slice)
    }

    /// Mentorships in which the person is the mentor.
    pub fn mentorships_as_mentor(&self, p: PersonIx) -> &[MentorshipIx] {
        self.index
            .mentorships_as_mentor
            .get(p.index())
            .map_or(&[], Vec::as_slice)
    }

    /// Mentorships in which the person is the trainee.
    pub fn mentorships_as_trainee(&self, p: PersonIx) -> &[MentorshipIx] {
        self.index
            .mentorships_as_trainee
            .get(p.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The finance amount for (org, year, item), if the row exists.
    pub fn finance_amount(&self, org: Org, year: i32, item: FinanceItem) -> Option<Decimal> {
        self.index.finance.get(&(org, year, item)).copied()
    }
}
