//! Rows as they appear in the interchange format (DESIGN §2): typed values,
//! references still spelled as string ids. Loaders produce these; the
//! [`DatasetBuilder`](super::DatasetBuilder) resolves and validates them.

use super::enums::{FinanceItem, Kind, Level, Mode, RoleSet, Status};
use chrono::NaiveDate;
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Extra columns a bureau carries, kept as strings (`t.attr("subject")`).
pub type Attrs = IndexMap<String, String>;

/// `districts.csv`: `id,name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictRow {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Extra columns.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub attrs: Attrs,
}

/// `schools.csv`: `id,name,district,rural,training_base`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolRow {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The district id.
    pub district: String,
    /// A rural school (农村学校).
    pub rural: bool,
    /// A training base (培训基地).
    pub training_base: bool,
    /// Extra columns.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub attrs: Attrs,
}

/// `people.csv`: `id,name,org,roles,birth_date,hire_date,post_start_date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRow {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The school or district the person belongs to.
    pub org: String,
    /// Roles held.
    pub roles: RoleSet,
    /// Date of birth.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// 参加教育工作 date.
    #[serde(default)]
    pub hire_date: Option<NaiveDate>,
    /// 任现职 date.
    #[serde(default)]
    pub post_start_date: Option<NaiveDate>,
    /// Extra columns.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub attrs: Attrs,
}

/// `activities.csv`: `id,title,organizer,host,level,kind,mode,start_date,end_date,hours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// Unique id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Who runs it: an org or a person id.
    pub organizer: String,
    /// Where it takes place, when that matters (送教 to a rural school).
    #[serde(default)]
    pub host: Option<String>,
    /// Administrative level.
    pub level: Level,
    /// Sort of activity.
    pub kind: Kind,
    /// Delivery mode.
    pub mode: Mode,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day; credit counts in the window containing it.
    pub end_date: NaiveDate,
    /// 学时 the activity is worth.
    pub hours: Decimal,
    /// Extra columns.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub attrs: Attrs,
}

/// `sessions.csv`: `id,activity,date,hours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Unique id.
    pub id: String,
    /// The activity id.
    pub activity: String,
    /// The day it is held.
    pub date: NaiveDate,
    /// 学时 scheduled.
    pub hours: Decimal,
}

/// `enrollments.csv`: `person,activity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentRow {
    /// The person id.
    pub person: String,
    /// The activity id.
    pub activity: String,
}

/// `attendance.csv`: `person,session,status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceRow {
    /// The person id.
    pub person: String,
    /// The session id.
    pub session: String,
    /// Present, absent or excused.
    pub status: Status,
}

/// `mentorships.csv`: `mentor,trainee,program,start_date,end_date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentorshipRow {
    /// The mentor's person id.
    pub mentor: String,
    /// The trainee's person id.
    pub trainee: String,
    /// Programme name, free text.
    pub program: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
}

/// `finance.csv`: `org,year,item,amount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinanceRow {
    /// The school or district id.
    pub org: String,
    /// Calendar year.
    pub year: i32,
    /// Which line.
    pub item: FinanceItem,
    /// Amount in CNY, exact.
    pub amount: Decimal,
}

/// A whole dataset as rows; the JSON interchange document has this shape.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rows {
    /// `districts`
    #[serde(default)]
    pub districts: Vec<DistrictRow>,
    /// `schools`
    #[serde(default)]
    pub schools: Vec<SchoolRow>,
    /// `people`
    #[serde(default)]
    pub people: Vec<PersonRow>,
    /// `activities`
    #[serde(default)]
    pub activities: Vec<ActivityRow>,
    /// `sessions`
    #[serde(default)]
    pub sessions: Vec<SessionRow>,
    /// `enrollments`
    #[serde(default)]
    pub enrollments: Vec<EnrollmentRow>,
    /// `attendance`
    #[serde(default)]
    pub attendance: Vec<AttendanceRow>,
    /// `mentorships`
    #[serde(default)]
    pub mentorships: Vec<MentorshipRow>,
    /// `finance`
    #[serde(default)]
    pub finance: Vec<FinanceRow>,
}
