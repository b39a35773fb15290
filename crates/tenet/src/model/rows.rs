//! Rows as they appear in the interchange format (DESIGN §2): typed values,
//! references still spelled as string ids. Loaders produce these; the
//! [`DatasetBuilder`](super::DatasetBuilder) resolves and validates them.

use super::build::FastMap;
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

/// Distinct ids in order of first appearance, numbered densely from 0. The
/// big tables ([`EnrollmentTable`], [`AttendanceTable`]) store these numbers
/// per row instead of owned strings: a loader numbers each cell from a
/// borrowed `&str`, and an id it has not seen before is appended to one
/// text buffer, not allocated on its own (hundreds of thousands of
/// activity and session ids would otherwise cost a `malloc` and a `free`
/// each). The builder also keys its id lookups by these tables.
#[derive(Debug, Clone, Default)]
pub struct IdTable {
    /// Every id, one after another.
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<usize>,
    /// Ids of at most 7 bytes, packed into an integer with their length,
    /// so a lookup hashes and compares one word and chases no pointer; the
    /// table stays small enough for the cache (person ids repeat at
    /// random through millions of rows).
    tiny: FastMap<u64, u32>,
    /// Ids of exactly 8 bytes (a common length for numbered ids), as
    /// their bytes: half the bucket of `short`.
    eight: FastMap<u64, u32>,
    /// Ids of 9 to 15 bytes, packed likewise.
    short: FastMap<u128, u32>,
    long: FastMap<String, u32>,
    /// The short id numbered last, packed, and its number: rows usually
    /// come activity by activity, so the same id repeats.
    last: Option<(u128, u32)>,
}

/// An id of at most 15 bytes as an integer: the bytes, then the length in
/// the top byte, so two ids pack equal exactly when they are equal.
fn pack(id: &str) -> Option<u128> {
    let bytes = id.as_bytes();
    let len = bytes.len();
    if len >= 16 {
        return None;
    }
    let (low, high) = bytes.split_at(len.min(8));
    let word = u128::from(word(low)) | u128::from(word(high)) << 64;
    Some(word | (len as u128) << 120)
}

/// Up to 8 bytes as a little-endian integer. Built from two overlapping
/// loads rather than a copy into a buffer: a lookup runs for every cell of
/// the big tables, and a `memcpy` call plus the wide reload of what it
/// stored cost as much as the hash itself.
fn word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    // The overlapping bytes of the two loads are equal, so or-ing is exact.
    if let (Some(low), Some(high)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*low))
            | u64::from(u32::from_le_bytes(*high)) << (8 * (len - 4))
    } else if let (Some(low), Some(high)) = (bytes.first_chunk::<2>(), bytes.last_chunk::<2>()) {
        u64::from(u16::from_le_bytes(*low))
            | u64::from(u16::from_le_bytes(*high)) << (8 * (len - 2))
    } else {
        bytes.first().map_or(0, |b| u64::from(*b))
    }
}

impl IdTable {
    /// The number of `id`, numbering it if it is new.
    pub fn number(&mut self, id: &str) -> u32 {
        let next = self.ends.len() as u32;
        let Some(key) = pack(id) else {
            if let Some(n) = self.long.get(id) {
                return *n;
            }
            self.long.insert(id.to_string(), next);
            self.push(id);
            return next;
        };
        if let Some((last, n)) = self.last {
            if last == key {
                return n;
            }
        }
        let n = match id.len() {
            ..8 => *self.tiny.entry(tiny(key)).or_insert(next),
            8 => *self.eight.entry(key as u64).or_insert(next),
            _ => *self.short.entry(key).or_insert(next),
        };
        if n == next {
            self.push(id);
        }
        self.last = Some((key, n));
        n
    }

    /// The number of `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<u32> {
        match pack(id) {
            Some(key) if id.len() < 8 => self.tiny.get(&tiny(key)).copied(),
            Some(key) if id.len() == 8 => self.eight.get(&(key as u64)).copied(),
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(id).copied(),
        }
    }

    /// The number of `id`, if it has one, trying the numbers `near` and
    /// `near + 1` first: ids are often looked up in about the order they
    /// were numbered (sessions activity by activity), and comparing with
    /// the text of an id next to the last one found is cheaper than a hash
    /// lookup that misses the cache in a table of 100,000 ids.
    pub fn find_near(&self, id: &str, near: u32) -> Option<u32> {
        [near, near.wrapping_add(1)]
            .into_iter()
            .find(|n| self.id(*n) == Some(id))
            .or_else(|| self.get(id))
    }

    fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// The id numbered `n`.
    pub fn id(&self, n: u32) -> Option<&str> {
        let n = n as usize;
        let end = *self.ends.get(n)?;
        let start = match n.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// Every id, in number order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|n| self.id(n).unwrap_or_default())
    }

    /// How many distinct ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no id was numbered.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// The key of an id of at most 7 bytes: the bytes are in the low word of
/// its packed form, and the length goes in the top byte.
fn tiny(key: u128) -> u64 {
    (key as u64) | (((key >> 120) as u64) << 56)
}

/// `enrollments.csv` with its ids numbered: two `u32`s a row instead of an
/// [`EnrollmentRow`]'s two strings. Rows keep their order.
#[derive(Debug, Clone, Default)]
pub struct EnrollmentTable {
    people: IdTable,
    activities: IdTable,
    rows: Vec<[u32; 2]>,
}

impl EnrollmentTable {
    /// An empty table with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> EnrollmentTable {
        EnrollmentTable {
            rows: Vec::with_capacity(rows),
            ..EnrollmentTable::default()
        }
    }

    /// Makes room for `additional` more rows.
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
    }

    /// Appends a row.
    pub fn push(&mut self, person: &str, activity: &str) {
        let row = [self.people.number(person), self.activities.number(activity)];
        self.rows.push(row);
    }

    /// Appends rows, numbering all their person ids before their activity
    /// ids. Person ids come in random order, so nearly every lookup misses
    /// the cache; in a loop of their own the lookups do not depend on each
    /// other and the processor overlaps their misses, where interleaved
    /// with the rest of each row they are waited for one at a time.
    pub fn push_all(&mut self, rows: &[(&str, &str)]) {
        let start = self.rows.len();
        self.rows.extend(
            rows.iter()
                .map(|(person, _)| [self.people.number(person), 0]),
        );
        let added = self.rows.get_mut(start..).unwrap_or_default();
        for (row, (_, activity)) in added.iter_mut().zip(rows) {
            row[1] = self.activities.number(activity);
        }
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &EnrollmentTable) {
        self.rows.reserve(other.rows.len());
        for row in other.rows() {
            self.push(&row.person, &row.activity);
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The person ids rows name.
    pub fn people(&self) -> &IdTable {
        &self.people
    }

    /// The activity ids rows name.
    pub fn activities(&self) -> &IdTable {
        &self.activities
    }

    /// Each row as (person number, activity number).
    pub fn numbers(&self) -> &[[u32; 2]] {
        &self.rows
    }

    /// The rows with their ids spelled out again.
    pub fn rows(&self) -> impl Iterator<Item = EnrollmentRow> + '_ {
        self.rows.iter().map(|[p, a]| EnrollmentRow {
            person: self.people.id(*p).unwrap_or_default().to_string(),
            activity: self.activities.id(*a).unwrap_or_default().to_string(),
        })
    }
}

impl FromIterator<EnrollmentRow> for EnrollmentTable {
    fn from_iter<I: IntoIterator<Item = EnrollmentRow>>(iter: I) -> EnrollmentTable {
        let iter = iter.into_iter();
        let mut table = EnrollmentTable::with_capacity(iter.size_hint().0);
        for row in iter {
            table.push(&row.person, &row.activity);
        }
        table
    }
}

/// `attendance.csv` with its ids numbered: two `u32`s and a status a row
/// instead of an [`AttendanceRow`]'s two strings. Rows keep their order.
#[derive(Debug, Clone, Default)]
pub struct AttendanceTable {
    people: IdTable,
    sessions: IdTable,
    rows: Vec<(u32, u32, Status)>,
}

impl AttendanceTable {
    /// An empty table with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> AttendanceTable {
        AttendanceTable {
            rows: Vec::with_capacity(rows),
            ..AttendanceTable::default()
        }
    }

    /// Makes room for `additional` more rows.
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
    }

    /// Appends a row.
    pub fn push(&mut self, person: &str, session: &str, status: Status) {
        let row = (
            self.people.number(person),
            self.sessions.number(session),
            status,
        );
        self.rows.push(row);
    }

    /// Appends rows, numbering all their person ids before their session
    /// ids; see [`EnrollmentTable::push_all`].
    pub fn push_all(&mut self, rows: &[(&str, &str, Status)]) {
        let start = self.rows.len();
        self.rows.extend(
            rows.iter()
                .map(|(person, _, status)| (self.people.number(person), 0, *status)),
        );
        let added = self.rows.get_mut(start..).unwrap_or_default();
        for (row, (_, session, _)) in added.iter_mut().zip(rows) {
            row.1 = self.sessions.number(session);
        }
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &AttendanceTable) {
        self.rows.reserve(other.rows.len());
        for row in other.rows() {
            self.push(&row.person, &row.session, row.status);
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The person ids rows name.
    pub fn people(&self) -> &IdTable {
        &self.people
    }

    /// The session ids rows name.
    pub fn sessions(&self) -> &IdTable {
        &self.sessions
    }

    /// Each row as (person number, session number, status).
    pub fn numbers(&self) -> &[(u32, u32, Status)] {
        &self.rows
    }

    /// The rows as (person number, session number, status), giving up
    /// the ids: the builder turns them into the dataset's attendance in
    /// their own allocation rather than copying them.
    pub fn into_numbers(self) -> Vec<(u32, u32, Status)> {
        self.rows
    }

    /// The rows with their ids spelled out again.
    pub fn rows(&self) -> impl Iterator<Item = AttendanceRow> + '_ {
        self.rows.iter().map(|(p, s, status)| AttendanceRow {
            person: self.people.id(*p).unwrap_or_default().to_string(),
            session: self.sessions.id(*s).unwrap_or_default().to_string(),
            status: *status,
        })
    }
}

impl FromIterator<AttendanceRow> for AttendanceTable {
    fn from_iter<I: IntoIterator<Item = AttendanceRow>>(iter: I) -> AttendanceTable {
        let iter = iter.into_iter();
        let mut table = AttendanceTable::with_capacity(iter.size_hint().0);
        for row in iter {
            table.push(&row.person, &row.session, row.status);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_pack_equal_exactly_when_equal() {
        let mut ids: Vec<String> = Vec::new();
        for len in 0..20 {
            ids.push("t".repeat(len));
            ids.push(
                "0123456789abcdefghij"
                    .get(..len)
                    .unwrap_or_default()
                    .to_string(),
            );
            ids.push(format!("{}\0", "x".repeat(len)));
        }
        ids.extend(["教师", "教师1", "a\0", "a", "\0a", "é", "ée"].map(String::from));
        for a in &ids {
            for b in &ids {
                let (pa, pb) = (pack(a), pack(b));
                assert_eq!(pa.is_some(), a.len() < 16);
                if let (Some(pa), Some(pb)) = (pa, pb) {
                    assert_eq!(pa == pb, a == b, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn words_read_little_endian() {
        let bytes = [1u8, 2, 3, 4, 5, 6, 7, 8];
        for len in 0..=8 {
            let mut buf = [0u8; 8];
            buf[..len].copy_from_slice(&bytes[..len]);
            assert_eq!(word(&bytes[..len]), u64::from_le_bytes(buf));
        }
    }

    #[test]
    fn rows_pushed_together_number_as_rows_pushed_one_by_one() {
        let rows = [("t2", "e1"), ("t1", "e1"), ("t2", "e2"), ("t3", "e2")];
        let (mut one, mut all) = (EnrollmentTable::default(), EnrollmentTable::default());
        for (p, a) in rows {
            one.push(p, a);
        }
        all.push_all(&rows[..1]);
        all.push_all(&rows[1..]);
        assert_eq!(one.numbers(), all.numbers());
        assert_eq!(
            one.rows().collect::<Vec<_>>(),
            all.rows().collect::<Vec<_>>()
        );
        let rows = rows.map(|(p, s)| (p, s, Status::Absent));
        let (mut one, mut all) = (AttendanceTable::default(), AttendanceTable::default());
        for (p, s, status) in rows {
            one.push(p, s, status);
        }
        all.push_all(&rows);
        assert_eq!(one.numbers(), all.numbers());
    }

    #[test]
    fn numbers_are_dense_in_order_of_first_appearance() {
        let mut t = IdTable::default();
        let ids = [
            "t1",
            "a-much-longer-person-id",
            "t2",
            "t1",
            "教师编号0001",
            "t2",
        ];
        let numbers: Vec<u32> = ids.iter().map(|id| t.number(id)).collect();
        assert_eq!(numbers, [0, 1, 2, 0, 3, 2]);
        assert_eq!(
            t.ids().collect::<Vec<_>>(),
            ["t1", "a-much-longer-person-id", "t2", "教师编号0001"]
        );
        for (id, n) in ids.iter().zip(&numbers) {
            assert_eq!(t.get(id), Some(*n));
            assert_eq!(t.id(*n), Some(*id));
        }
        assert_eq!(t.get("t3"), None);
        assert_eq!(t.find_near("t2", 1), Some(2));
        assert_eq!(t.find_near("t2", 0), Some(2));
        assert_eq!(t.find_near("t2", u32::MAX), Some(2));
        assert_eq!(t.find_near("t3", 2), None);
        let mut eight = IdTable::default();
        assert_eq!(eight.number("a0000001"), 0);
        assert_eq!(eight.number("a000001"), 1);
        assert_eq!(eight.number("a00000001"), 2);
        assert_eq!(eight.get("a0000001"), Some(0));
        assert_eq!(t.id(4), None);
    }
}
