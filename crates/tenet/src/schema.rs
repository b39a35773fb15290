//! The record model as the checker sees it: types, entity fields and
//! relations. `tenet schema` prints this table for policy authors.

use crate::model::{FinanceItem, Kind, Level, Mode, Role, Status};
use crate::syntax::ast::{EntityKind, RelKind, RelLink};
use std::fmt;

/// Entities a value can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A district.
    District,
    /// A school.
    School,
    /// A school or a district (`person.org`, `activity.host`).
    Org,
    /// An org or a person (`activity.organizer`).
    Actor,
    /// A person.
    Person,
    /// An activity.
    Activity,
    /// A session.
    Session,
    /// An enrollment.
    Enrollment,
    /// A mentorship.
    Mentorship,
}

impl Entity {
    /// The name authors see.
    pub fn name(self) -> &'static str {
        match self {
            Entity::District => "district",
            Entity::School => "school",
            Entity::Org => "school or district",
            Entity::Actor => "school, district or person",
            Entity::Person => "person",
            Entity::Activity => "activity",
            Entity::Session => "session",
            Entity::Enrollment => "enrollment",
            Entity::Mentorship => "mentorship",
        }
    }

    /// Whether a value of `self` can stand where `want` is expected.
    pub fn fits(self, want: Entity) -> bool {
        self == want
            || matches!(
                (self, want),
                (Entity::District | Entity::School, Entity::Org)
                    | (
                        Entity::District | Entity::School | Entity::Org | Entity::Person,
                        Entity::Actor
                    )
            )
    }

    /// Whether two entity types can be compared for equality.
    pub fn comparable(self, other: Entity) -> bool {
        self.fits(other) || other.fits(self)
    }

    /// Whether records of this entity carry extra columns (`.attr("…")`).
    pub fn has_attrs(self) -> bool {
        matches!(
            self,
            Entity::District
                | Entity::School
                | Entity::Person
                | Entity::Activity
                | Entity::Org
                | Entity::Actor
        )
    }
}

impl From<EntityKind> for Entity {
    fn from(kind: EntityKind) -> Entity {
        match kind {
            EntityKind::Person => Entity::Person,
            EntityKind::School => Entity::School,
            EntityKind::District => Entity::District,
            EntityKind::Activity => Entity::Activity,
            EntityKind::Enrollment => Entity::Enrollment,
            EntityKind::Mentorship => Entity::Mentorship,
        }
    }
}

/// Closed enumerations a value can belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumType {
    /// [`Level`]
    Level,
    /// [`Kind`]
    Kind,
    /// [`Mode`]
    Mode,
    /// [`FinanceItem`]
    FinanceItem,
    /// [`Status`]
    Status,
    /// [`Role`]
    Role,
}

impl EnumType {
    /// The name authors see.
    pub fn name(self) -> &'static str {
        match self {
            EnumType::Level => "level",
            EnumType::Kind => "kind",
            EnumType::Mode => "mode",
            EnumType::FinanceItem => "finance item",
            EnumType::Status => "status",
            EnumType::Role => "role",
        }
    }

    /// All spellings.
    pub fn values(self) -> Vec<&'static str> {
        match self {
            EnumType::Level => Level::names(),
            EnumType::Kind => Kind::names(),
            EnumType::Mode => Mode::names(),
            EnumType::FinanceItem => FinanceItem::names(),
            EnumType::Status => Status::names(),
            EnumType::Role => Role::names(),
        }
    }

    /// Resolves a spelling.
    pub fn parse(self, text: &str) -> Option<EnumValue> {
        match self {
            EnumType::Level => Level::parse(text).map(EnumValue::Level),
            EnumType::Kind => Kind::parse(text).map(EnumValue::Kind),
            EnumType::Mode => Mode::parse(text).map(EnumValue::Mode),
            EnumType::FinanceItem => FinanceItem::parse(text).map(EnumValue::FinanceItem),
            EnumType::Status => Status::parse(text).map(EnumValue::Status),
            EnumType::Role => Role::parse(text).map(EnumValue::Role),
        }
    }
}

/// A value of one of the enumerations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumValue {
    /// A level.
    Level(Level),
    /// A kind.
    Kind(Kind),
    /// A mode.
    Mode(Mode),
    /// A finance item.
    FinanceItem(FinanceItem),
    /// An attendance status.
    Status(Status),
    /// A role.
    Role(Role),
}

impl fmt::Display for EnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnumValue::Level(v) => v.as_str(),
            EnumValue::Kind(v) => v.as_str(),
            EnumValue::Mode(v) => v.as_str(),
            EnumValue::FinanceItem(v) => v.as_str(),
            EnumValue::Status(v) => v.as_str(),
            EnumValue::Role(v) => v.as_str(),
        })
    }
}

/// Static types of policy expressions. Quantities carry their unit, so
/// hours are never compared with money.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// A plain number, percentage, ratio or fraction.
    Number,
    /// 学时.
    Hours,
    /// CNY.
    Money,
    /// A calendar date.
    Date,
    /// A length of time (`3 years`).
    Duration,
    /// Time elapsed since a date (`tenure(…)`), compared with a duration.
    Elapsed,
    /// True or false.
    Bool,
    /// Text.
    Str,
    /// An enumeration value.
    Enum(EnumType),
    /// A record.
    Entity(Entity),
    /// A window bound with `as`.
    Window,
    /// A list literal.
    List(Box<Type>),
}

impl Type {
    /// Whether the type is a quantity that adds and compares.
    pub fn is_quantity(&self) -> bool {
        matches!(self, Type::Number | Type::Hours | Type::Money)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Number => f.write_str("number"),
            Type::Hours => f.write_str("hours"),
            Type::Money => f.write_str("money"),
            Type::Date => f.write_str("date"),
            Type::Duration => f.write_str("duration"),
            Type::Elapsed => f.write_str("time since a date"),
            Type::Bool => f.write_str("true/false"),
            Type::Str => f.write_str("text"),
            Type::Enum(e) => f.write_str(e.name()),
            Type::Entity(e) => f.write_str(e.name()),
            Type::Window => f.write_str("window"),
            Type::List(t) => write!(f, "list of {t}"),
        }
    }
}

/// A field of an entity, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Field {
    Id,
    Name,
    District,
    Rural,
    TrainingBase,
    Org,
    BirthDate,
    HireDate,
    PostStartDate,
    Title,
    Organizer,
    Host,
    Level,
    Kind,
    Mode,
    StartDate,
    EndDate,
    Hours,
    ScheduledHours,
    Activity,
    Date,
    Person,
    AbsentHours,
    Credited,
    Mentor,
    Trainee,
    Program,
    Year,
}

/// `(name, field, type, meaning)` rows per entity.
pub fn fields(entity: Entity) -> Vec<(&'static str, Field, Type, &'static str)> {
    use Entity as E;
    let mut rows = vec![("id", Field::Id, Type::Str, "id as in the data files")];
    match entity {
        E::District => rows.push(("name", Field::Name, Type::Str, "name")),
        E::School => rows.extend([
            ("name", Field::Name, Type::Str, "name"),
            (
                "district",
                Field::District,
                Type::Entity(E::District),
                "its district",
            ),
            ("rural", Field::Rural, Type::Bool, "农村学校"),
            ("training_base", Field::TrainingBase, Type::Bool, "培训基地"),
        ]),
        E::Org | E::Actor => rows.push(("name", Field::Name, Type::Str, "name")),
        E::Person => rows.extend([
            ("name", Field::Name, Type::Str, "name"),
            (
                "org",
                Field::Org,
                Type::Entity(E::Org),
                "school or district the person belongs to",
            ),
            (
                "birth_date",
                Field::BirthDate,
                Type::Date,
                "date of birth (may be missing)",
            ),
            (
                "hire_date",
                Field::HireDate,
                Type::Date,
                "参加教育工作 (may be missing)",
            ),
            (
                "post_start_date",
                Field::PostStartDate,
                Type::Date,
                "任现职 (may be missing)",
            ),
        ]),
        E::Activity => rows.extend([
            ("title", Field::Title, Type::Str, "title"),
            (
                "organizer",
                Field::Organizer,
                Type::Entity(E::Actor),
                "who runs it",
            ),
            (
                "host",
                Field::Host,
                Type::Entity(E::Org),
                "where it takes place (may be missing)",
            ),
            (
                "level",
                Field::Level,
                Type::Enum(EnumType::Level),
                "administrative level",
            ),
            (
                "kind",
                Field::Kind,
                Type::Enum(EnumType::Kind),
                "sort of activity",
            ),
            (
                "mode",
                Field::Mode,
                Type::Enum(EnumType::Mode),
                "online, offline or blended",
            ),
            ("start_date", Field::StartDate, Type::Date, "first day"),
            ("end_date", Field::EndDate, Type::Date, "last day"),
            (
                "hours",
                Field::Hours,
                Type::Hours,
                "学时 the activity is worth",
            ),
            (
                "scheduled_hours",
                Field::ScheduledHours,
                Type::Hours,
                "sum of its sessions' hours",
            ),
        ]),
        E::Session => rows.extend([
            (
                "activity",
                Field::Activity,
                Type::Entity(E::Activity),
                "its activity",
            ),
            ("date", Field::Date, Type::Date, "the day"),
            ("hours", Field::Hours, Type::Hours, "学时 scheduled"),
        ]),
        E::Enrollment => {
            rows.clear();
            rows.extend([
                (
                    "person",
                    Field::Person,
                    Type::Entity(E::Person),
                    "who is enrolled",
                ),
                (
                    "activity",
                    Field::Activity,
                    Type::Entity(E::Activity),
                    "in what",
                ),
                (
                    "absent_hours",
                    Field::AbsentHours,
                    Type::Hours,
                    "hours of sessions absent or excused (缺课)",
                ),
                (
                    "scheduled_hours",
                    Field::ScheduledHours,
                    Type::Hours,
                    "hours of the activity's sessions",
                ),
                (
                    "credited",
                    Field::Credited,
                    Type::Hours,
                    "hours credited by the credit block",
                ),
            ]);
        }
        E::Mentorship => rows.extend([
            (
                "mentor",
                Field::Mentor,
                Type::Entity(E::Person),
                "the mentor (导师)",
            ),
            (
                "trainee",
                Field::Trainee,
                Type::Entity(E::Person),
                "the trainee (学员)",
            ),
            ("program", Field::Program, Type::Str, "programme name"),
            ("start_date", Field::StartDate, Type::Date, "first day"),
            ("end_date", Field::EndDate, Type::Date, "last day"),
        ]),
    }
    rows
}

/// Fields of a bound window.
pub fn window_fields() -> Vec<(&'static str, Field, Type, &'static str)> {
    vec![
        ("start", Field::StartDate, Type::Date, "first day"),
        ("end", Field::EndDate, Type::Date, "last day"),
        (
            "year",
            Field::Year,
            Type::Number,
            "calendar year of the first day",
        ),
    ]
}

/// The element entity of a relation, and the anchors it accepts.
pub fn relation(kind: RelKind) -> (Entity, Vec<(RelLink, Entity, &'static str)>) {
    use Entity as E;
    match kind {
        RelKind::People => (
            E::Person,
            vec![(
                RelLink::Of,
                E::Org,
                "people of a school, or of a district (its office and all its schools)",
            )],
        ),
        RelKind::Schools => (
            E::School,
            vec![(RelLink::Of, E::District, "schools of a district")],
        ),
        RelKind::Districts => (E::District, vec![]),
        RelKind::Activities => (
            E::Activity,
            vec![
                (
                    RelLink::By,
                    E::Actor,
                    "activities organized by a person or organisation",
                ),
                (
                    RelLink::HostedBy,
                    E::Org,
                    "activities hosted by a school or district",
                ),
            ],
        ),
        RelKind::Enrollments => (
            E::Enrollment,
            vec![
                (RelLink::Of, E::Person, "enrollments of a person"),
                (RelLink::Of, E::Activity, "enrollments in an activity"),
            ],
        ),
        RelKind::Sessions => (
            E::Session,
            vec![(RelLink::Of, E::Activity, "sessions of an activity")],
        ),
        RelKind::Mentorships => (
            E::Mentorship,
            vec![(
                RelLink::Of,
                E::Person,
                "mentorships in which a person is the mentor",
            )],
        ),
    }
}
