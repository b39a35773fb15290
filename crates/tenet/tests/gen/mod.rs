//! Generators for property tests: random small datasets (as `Rows`) and
//! random well-typed policies (as text), both drawn from a sequence of
//! random choices so that proptest can shrink them (a shorter sequence, or
//! smaller numbers, give a simpler dataset or policy).
#![allow(dead_code)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use tenet::model::{
    ActivityRow, AttendanceRow, DistrictRow, EnrollmentRow, FinanceItem, FinanceRow, Kind, Level,
    MentorshipRow, Mode, PersonRow, Role, RoleSet, Rows, SchoolRow, SessionRow, Status,
};

pub const COMMON: &str = include_str!("../seeds/common.policy");

/// A sequence of random choices; reading past its end wraps around.
pub struct Choices {
    seq: Vec<u32>,
    at: usize,
}

impl Choices {
    pub fn new(seq: Vec<u32>) -> Choices {
        let seq = if seq.is_empty() { vec![0] } else { seq };
        Choices { seq, at: 0 }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn pick(&mut self, n: usize) -> usize {
        let v = self.seq[self.at % self.seq.len()];
        self.at += 1;
        if n == 0 {
            0
        } else {
            v as usize % n
        }
    }

    /// True with the given chance in percent. A choice of 0 is "no", so
    /// shrinking toward zeros simplifies.
    pub fn chance(&mut self, percent: usize) -> bool {
        let v = self.pick(100);
        v != 0 && v <= percent
    }

    pub fn one<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.pick(items.len())].clone()
    }
}

/// Choice sequences for proptest.
pub fn choices(max: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 1..max)
}

fn day(base: NaiveDate, offset: usize) -> NaiveDate {
    base.checked_add_days(Days::new(offset as u64)).unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn hours(c: &mut Choices, max: usize) -> Decimal {
    let whole = 1 + c.pick(max);
    if c.chance(20) {
        dec(&format!("{whole}.5"))
    } else {
        Decimal::from(whole as u64)
    }
}

/// A random dataset that `Dataset::from_rows` accepts: 1–2 districts,
/// 2–3 schools, 3–15 people, activities over 2020–2024 with sessions,
/// enrollments, attendance with missing rows, mentorships and finance
/// lines with gaps.
pub fn dataset(seq: Vec<u32>) -> Rows {
    dataset_sized(seq, 1)
}

/// [`dataset`] with about `scale` times as many people, activities and
/// enrollments (the optimised evaluator only splits a rule's subjects over
/// threads when there are 64 or more).
pub fn dataset_sized(seq: Vec<u32>, scale: usize) -> Rows {
    dataset_from(seq, scale, date("2020-01-01"))
}

/// [`dataset_sized`] with activities and mentorships over the five years
/// from `base`.
pub fn dataset_from(seq: Vec<u32>, scale: usize, base: NaiveDate) -> Rows {
    let scale = scale.max(1);
    let mut c = Choices::new(seq);
    let mut rows = Rows::default();
    // Extra cells as bureaus leave them: a value (maybe padded with
    // spaces), a blank, or no cell; a table with no cells at all lacks the
    // column, so `attr` of it is unknown (decisions R7).
    let cell = |c: &mut Choices, values: &[&str]| -> Option<String> {
        match c.pick(6) {
            0 => None,
            1 => Some(c.one(&["", " ", "\u{3000}"]).to_string()),
            2 => Some(format!(" {} ", c.one(values))),
            _ => Some(c.one(values).to_string()),
        }
    };
    let topics = c.chance(50);
    let nd = 1 + c.pick(2);
    for i in 0..nd {
        let mut attrs = indexmap::IndexMap::new();
        if topics {
            if let Some(v) = cell(&mut c, &["安全", "师德"]) {
                attrs.insert("topic".to_string(), v);
            }
        }
        rows.districts.push(DistrictRow {
            id: format!("d{i}"),
            name: format!("区{i}"),
            attrs,
        });
    }
    let ns = 2 + c.pick(2);
    for i in 0..ns {
        let mut attrs = indexmap::IndexMap::new();
        if let Some(lead) = cell(&mut c, &["true", "false"]) {
            attrs.insert("xuequ_lead".to_string(), lead);
        }
        rows.schools.push(SchoolRow {
            id: format!("s{i}"),
            name: format!("学校{i}"),
            district: format!("d{}", c.pick(nd)),
            rural: c.chance(40),
            training_base: c.chance(30),
            attrs,
        });
    }
    let orgs: Vec<String> = (0..nd)
        .map(|i| format!("d{i}"))
        .chain((0..ns).map(|i| format!("s{i}")))
        .collect();
    let np = 3 + c.pick(13 * scale);
    let role_odds = [
        (Role::Teacher, 70),
        (Role::FullTimeTeacher, 50),
        (Role::Principal, 15),
        (Role::VicePrincipal, 15),
        (Role::HeadTeacher, 10),
        (Role::Trainer, 20),
        (Role::Mentor, 20),
        (Role::PsychTeacher, 15),
        (Role::ReserveCadre, 10),
        (Role::GroupLeader, 10),
    ];
    for i in 0..np {
        let org = if c.chance(75) {
            format!("s{}", c.pick(ns))
        } else {
            format!("d{}", c.pick(nd))
        };
        let roles: RoleSet = role_odds
            .iter()
            .filter(|(_, odds)| c.chance(*odds))
            .map(|(r, _)| *r)
            .collect();
        let birth = c
            .chance(85)
            .then(|| day(date("1960-01-01"), c.pick(40 * 365)));
        let hire = c
            .chance(80)
            .then(|| day(date("2000-01-01"), c.pick(25 * 365)));
        let post = c
            .chance(70)
            .then(|| day(date("2012-01-01"), c.pick(13 * 365)));
        let mut attrs = indexmap::IndexMap::new();
        if let Some(subject) = cell(&mut c, &["数学", "语文"]) {
            attrs.insert("subject".to_string(), subject);
        }
        rows.people.push(PersonRow {
            id: format!("p{i}"),
            name: format!("教师{i}"),
            org,
            roles,
            birth_date: birth,
            hire_date: hire,
            post_start_date: post,
            attrs,
        });
    }
    let actors: Vec<String> = orgs
        .iter()
        .cloned()
        .chain((0..np).map(|i| format!("p{i}")))
        .collect();
    let na = c.pick(14 * scale);
    let kinds = [
        Kind::Course,
        Kind::Course,
        Kind::Seminar,
        Kind::Reading,
        Kind::Forum,
        Kind::DeliveredLesson,
        Kind::CollectivePrep,
        Kind::MicroProject,
    ];
    let mut session_no = 0;
    let mut sessions_of: Vec<Vec<String>> = Vec::new();
    for i in 0..na {
        let start = day(base, c.pick(1827));
        let end = if c.chance(50) {
            day(start, c.pick(60))
        } else {
            start
        };
        let host = c.chance(40).then(|| c.one(&orgs));
        rows.activities.push(ActivityRow {
            id: format!("a{i}"),
            title: format!("活动{i}"),
            organizer: c.one(&actors),
            host,
            level: c.one(Level::ALL),
            kind: c.one(&kinds),
            mode: c.one(Mode::ALL),
            start_date: start,
            end_date: end,
            hours: hours(&mut c, 40),
            attrs: match topics.then(|| cell(&mut c, &["安全", "师德"])).flatten() {
                Some(v) => [("topic".to_string(), v)].into_iter().collect(),
                None => Default::default(),
            },
        });
        let mut mine = Vec::new();
        for _ in 0..c.pick(4) {
            let span = (end - start).num_days() as usize + 1;
            let id = format!("x{session_no}");
            session_no += 1;
            rows.sessions.push(SessionRow {
                id: id.clone(),
                activity: format!("a{i}"),
                date: day(start, c.pick(span)),
                hours: hours(&mut c, 6),
            });
            mine.push(id);
        }
        sessions_of.push(mine);
    }
    if na > 0 {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..c.pick(30 * scale) {
            let p = c.pick(np);
            let a = c.pick(na);
            if !seen.insert((p, a)) {
                continue;
            }
            rows.enrollments.push(EnrollmentRow {
                person: format!("p{p}"),
                activity: format!("a{a}"),
            });
            for s in &sessions_of[a] {
                let status = match c.pick(10) {
                    0..=5 => Some(Status::Present),
                    6 => Some(Status::Absent),
                    7 => Some(Status::Excused),
                    _ => None,
                };
                if let Some(status) = status {
                    rows.attendance.push(AttendanceRow {
                        person: format!("p{p}"),
                        session: s.clone(),
                        status,
                    });
                }
            }
        }
    }
    for _ in 0..c.pick(4) {
        let mentor = c.pick(np);
        let trainee = (mentor + 1 + c.pick(np - 1)) % np;
        let start = day(base, c.pick(1827));
        let row = MentorshipRow {
            mentor: format!("p{mentor}"),
            trainee: format!("p{trainee}"),
            program: c.one(&["p1", "p2", "heping_principal_class"]).to_string(),
            start_date: start,
            end_date: day(start, 20 + c.pick(400)),
        };
        // The same mentorship twice is refused by the loader.
        let same = |m: &MentorshipRow| {
            (&m.mentor, &m.trainee, &m.program, m.start_date)
                == (&row.mentor, &row.trainee, &row.program, row.start_date)
        };
        if !rows.mentorships.iter().any(same) {
            rows.mentorships.push(row);
        }
    }
    for org in &orgs {
        for year in 2019..=2025 {
            for item in FinanceItem::ALL {
                if c.chance(40) {
                    let scale = [1u64, 100, 10_000, 1_000_000][c.pick(4)];
                    let mut amount = Decimal::from((1 + c.pick(100)) as u64 * scale);
                    if c.chance(20) {
                        amount += dec("0.50");
                    }
                    rows.finance.push(FinanceRow {
                        org: org.clone(),
                        year,
                        item: *item,
                        amount,
                    });
                }
            }
        }
    }
    rows
}

/// A random evaluation date, 2019-10 .. 2025-07.
pub fn as_of(seq: &[u32]) -> NaiveDate {
    let v = seq.first().copied().unwrap_or(0) as usize;
    day(date("2019-10-01"), v % 2100)
}

// ---------------------------------------------------------------- policies

#[derive(Clone, Copy, PartialEq, Eq)]
enum T {
    Hours,
    Num,
    Money,
    Date,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Subj {
    Person,
    School,
    District,
    Activity,
    Enrollment,
    Mentorship,
}

struct RuleCtx {
    subj: Subj,
    v: &'static str,
    /// The window is bound as `w`.
    window: bool,
    /// `each calendar_year`: `finance` may omit the year.
    calendar_year: bool,
}

fn quantities(r: &RuleCtx, t: T) -> Vec<String> {
    let v = r.v;
    let mut out: Vec<String> = Vec::new();
    let mut add = |list: &[&str]| out.extend(list.iter().map(|s| s.replace('$', v)));
    match (r.subj, t) {
        (Subj::Person, T::Hours) => add(&[
            "credited_hours($)",
            "credited_hours($ where activity.level in [district, school])",
            "credited_hours($ where activity.mode != online and absent_hours <= 2 h)",
            "sum(hours in activities by $)",
            "sum(credited in enrollments of $)",
            "sum(absent_hours in enrollments of $ where activity.kind = course)",
        ]),
        (Subj::Person, T::Num) => add(&[
            "count(enrollments of $)",
            "count(activities by $ where kind in [seminar, reading])",
            "count(mentorships of $)",
            "age($)",
            "count(people of $.org where has teacher)",
            "count(activities hosted by $.org)",
        ]),
        (Subj::Person, T::Money) => add(&["finance($.org, 2022, staff_payroll)"]),
        (Subj::Person, T::Date) => add(&["$.hire_date", "max(end_date in activities by $)"]),
        (Subj::School, T::Num) => add(&[
            "count(people of $ where has teacher)",
            "count(activities hosted by $ where kind = delivered_lesson)",
            "share(people of $ where has teacher)",
            "count(activities by $)",
        ]),
        (Subj::School, T::Hours) => add(&[
            "sum(hours in activities by $ where mode != online)",
            "avg(hours in activities hosted by $)",
            "max(hours in activities by $)",
        ]),
        (Subj::School, T::Date) => add(&["min(end_date in activities by $)"]),
        (Subj::District, T::Num) => add(&[
            "count(people of $ where has trainer)",
            "count(people of $ where has full_time_teacher)",
            "share(schools of $ where training_base)",
            "count(schools of $ where rural)",
        ]),
        (Subj::District, T::Hours) => add(&["sum(hours in activities by $)"]),
        (Subj::Activity, T::Num) => add(&["count(enrollments of $)", "count(sessions of $)"]),
        (Subj::Activity, T::Hours) => add(&[
            "$.hours",
            "$.scheduled_hours",
            "sum(hours in sessions of $)",
            "sum(credited in enrollments of $)",
        ]),
        (Subj::Activity, T::Date) => add(&["$.end_date", "$.start_date"]),
        (Subj::Enrollment, T::Hours) => add(&[
            "$.credited",
            "$.absent_hours",
            "$.scheduled_hours",
            "$.activity.hours",
        ]),
        (Subj::Enrollment, T::Num) => add(&["count(sessions of $.activity)"]),
        (Subj::Mentorship, T::Num) => add(&[
            "count(activities by $.trainee where kind = micro_project)",
            "count(activities by $.mentor where kind in [seminar, forum])",
            "age($.trainee, $.start_date)",
        ]),
        (Subj::Mentorship, T::Hours) => add(&["credited_hours($.trainee)"]),
        (Subj::Mentorship, T::Date) => add(&["$.start_date", "$.trainee.post_start_date"]),
        _ => {}
    }
    if matches!(r.subj, Subj::School | Subj::District) && t == T::Money {
        let items = [
            "public_funds_budget",
            "teacher_training_funds",
            "principal_payroll",
            "principal_training_funds",
            "staff_payroll",
        ];
        for item in items {
            out.push(format!("finance({v}, 2021, {item})"));
            if r.window {
                out.push(format!("finance({v}, w, {item})"));
                out.push(format!("finance({v}, year_of(w), {item})"));
            }
            if r.calendar_year {
                out.push(format!("finance({v}, {item})"));
            }
        }
    }
    match t {
        T::Num => {
            out.push("count(districts)".into());
            out.push("count(mentorships)".into());
            out.push("count(activities where kind = course)".into());
            out.push("count(enrollments)".into());
            out.push("count(sessions)".into());
            out.push("count(people where has teacher)".into());
            out.push("count(schools where rural)".into());
            // Nested: an inner aggregate that does not read the outer
            // member (kept and reused, eval::hoist) and one that does.
            out.push("count(schools where count(people where has teacher) >= 2)".into());
            out.push("count(people where count(enrollments of it) >= count(districts))".into());
            if r.window {
                out.push("w.year".into());
                out.push("year_of(w)".into());
            }
        }
        T::Hours => {
            out.push("sum(hours in activities where level = district)".into());
            out.push("sum(hours in sessions)".into());
        }
        T::Date if r.window => {
            out.push("w.start".into());
            out.push("w.end".into());
        }
        _ => {}
    }
    out
}

fn constant(c: &mut Choices, t: T) -> String {
    match t {
        T::Hours => {
            let n = c.pick(120);
            if c.chance(20) {
                format!("{n}.5 h")
            } else {
                format!("{n} h")
            }
        }
        T::Num => c.pick(6).to_string(),
        T::Money => c
            .one(&["¥1,077万", "10770000 CNY", "100 元", "¥538,500.00", "0 CNY"])
            .into(),
        T::Date => day(date("2019-01-01"), c.pick(2400)).to_string(),
    }
}

fn share(c: &mut Choices) -> String {
    c.one(&[
        "5%", "2.5%", "1:100", "1:3", "1/4", "3/4", "share_p", "100%",
    ])
    .into()
}

fn right_side(c: &mut Choices, r: &RuleCtx, t: T) -> String {
    let others = quantities(r, t);
    match c.pick(5) {
        1 if t == T::Hours => "hours_p".into(),
        1 if t == T::Num => "count_p".into(),
        1 if t == T::Money => "money_p".into(),
        2 if t != T::Date && !others.is_empty() => {
            format!("{} of {}", share(c), c.one(&others))
        }
        3 if t != T::Date && !others.is_empty() => {
            let k = constant(c, t);
            format!("{} + {k}", c.one(&others))
        }
        3 if t == T::Date && !others.is_empty() => {
            format!(
                "{} + {}",
                c.one(&others),
                c.one(&["1 year", "6 months", "2 weeks"])
            )
        }
        4 if t != T::Date && !others.is_empty() => {
            let x = c.one(&others);
            match c.pick(3) {
                0 => format!("{x} * 2"),
                1 => format!("{x} / 3"),
                _ => format!("-{x} + {}", constant(c, t)),
            }
        }
        4 if t == T::Date && !others.is_empty() => {
            format!(
                "{} - {}",
                c.one(&others),
                c.one(&["1 month", "30 days", "1 year"])
            )
        }
        _ => constant(c, t),
    }
}

fn comparison(c: &mut Choices, r: &RuleCtx) -> Option<String> {
    let t = c.one(&[T::Hours, T::Num, T::Money, T::Date, T::Hours, T::Num]);
    let lefts = quantities(r, t);
    if lefts.is_empty() {
        return None;
    }
    let left = c.one(&lefts);
    let op = c.one(&[">=", ">=", "<=", ">", "<", "=", "!="]);
    Some(format!("{left} {op} {}", right_side(c, r, t)))
}

fn truth(c: &mut Choices, r: &RuleCtx) -> String {
    let v = r.v;
    let list: Vec<String> = match r.subj {
        Subj::Person => vec![
            format!("{v} has teacher"),
            format!("tenure({v}.hire_date) <= 5 years"),
            format!("tenure({v}.post_start_date, 2022-09-01) > 3 years"),
            format!("{v}.attr(\"subject\") = \"数学\""),
        ],
        Subj::School => vec![
            format!("{v}.rural"),
            format!("{v}.attr(\"xuequ_lead\") = \"true\""),
            format!("{v}.district.name != \"区1\""),
        ],
        Subj::District => vec![
            format!("{v}.id = \"d0\""),
            format!("{v}.attr(\"topic\") = \"\""),
        ],
        Subj::Activity => vec![
            format!("{v}.kind not in [course, seminar]"),
            format!("{v}.attr(\"topic\") = \"安全\""),
            format!("{v}.host = {v}.organizer"),
            format!("{v}.mode = online"),
        ],
        Subj::Enrollment => vec![
            format!("{v}.person has mentor"),
            format!("{v}.activity.level = school"),
        ],
        Subj::Mentorship => vec![
            format!(
                "({v}.trainee has principal and tenure({v}.trainee.post_start_date, {v}.start_date) <= 3 years)"
            ),
            format!("({v}.trainee has vice_principal and age({v}.trainee, {v}.start_date) < 50)"),
            format!("{v}.program = \"p1\""),
        ],
    };
    c.one(&list)
}

fn condition(c: &mut Choices, r: &RuleCtx, depth: usize) -> String {
    let simple = |c: &mut Choices| -> String {
        if c.chance(70) {
            if let Some(cmp) = comparison(c, r) {
                return cmp;
            }
        }
        truth(c, r)
    };
    if depth == 0 {
        return simple(c);
    }
    match c.pick(6) {
        3 => format!(
            "({}) and ({})",
            condition(c, r, depth - 1),
            condition(c, r, depth - 1)
        ),
        4 => format!(
            "({}) or ({})",
            condition(c, r, depth - 1),
            condition(c, r, depth - 1)
        ),
        5 => format!("not ({})", condition(c, r, depth - 1)),
        _ => simple(c),
    }
}

fn scope_filter(c: &mut Choices, r: &RuleCtx) -> Option<String> {
    if !c.chance(60) {
        return None;
    }
    let v = r.v;
    let mut list: Vec<String> = match r.subj {
        Subj::Person => vec![
            format!("{v} has teacher"),
            format!("not {v} has principal"),
            format!("age({v}) < 45"),
            format!("{v}.hire_date >= 2010-01-01"),
            format!("{v}.attr(\"subject\") = \"数学\""),
            format!("credited_hours({v}) > 0 h"),
        ],
        Subj::School => vec![
            format!("{v}.rural"),
            format!("not {v}.training_base"),
            format!("{v}.attr(\"xuequ_lead\") = \"true\""),
            format!("count(people of {v}) >= 2"),
            format!("count(activities by {v}) >= 1"),
        ],
        Subj::District => vec![
            format!("count(schools of {v}) >= 2"),
            format!("{v}.name != \"区1\""),
            format!("{v}.attr(\"topic\") = \"安全\""),
        ],
        Subj::Activity => vec![
            format!("{v}.level in [district, school]"),
            format!("{v}.kind = course"),
            format!("{v}.hours > 5 h"),
            format!("{v}.mode != online"),
            format!("count(enrollments of {v}) >= 1"),
        ],
        Subj::Enrollment => vec![
            format!("{v}.activity.kind = course"),
            format!("{v}.absent_hours <= 2 h"),
            format!("{v}.person has teacher"),
            format!("{v}.credited > 0 h"),
        ],
        Subj::Mentorship => vec![
            format!("{v}.program = \"p1\""),
            format!("{v}.trainee has principal or {v}.trainee has vice_principal"),
        ],
    };
    if r.window {
        match r.subj {
            Subj::Person => list.push(format!("{v}.hire_date <= w.end")),
            Subj::School | Subj::District if r.calendar_year => {
                list.push(format!("finance({v}, staff_payroll) > 0 CNY"))
            }
            _ => list.push("w.year >= 2021".into()),
        }
    }
    Some(c.one(&list))
}

fn period(c: &mut Choices, short_ok: bool) -> String {
    let mut list = vec![
        "calendar_year",
        "academic_year",
        "semester",
        "2 semester",
        "month",
        "3 months",
        "2 calendar_year",
    ];
    if short_ok {
        list.extend(["2 weeks", "week", "10 days"]);
    }
    c.one(&list).into()
}

fn history(c: &mut Choices, values: &[&str]) -> String {
    let mut parts = Vec::new();
    let mut when = day(date("2019-06-01"), c.pick(400));
    let first = c.one(values);
    if c.chance(30) {
        parts.push(format!("{first} since {when}"));
    } else {
        parts.push(first.to_string());
    }
    for _ in 0..c.pick(3) {
        when = day(when, 1 + c.pick(700));
        parts.push(format!("{} since {when}", c.one(values)));
    }
    parts.join(", ")
}

/// Chance (percent) that a policy whose rules allow it has no `effective`
/// range. 0 while the optimised evaluator reads a window-less rule of such
/// a policy as the single day `as_of` (see `differential.rs`).
pub const NO_EFFECTIVE_PERCENT: usize = 15;

/// A random policy `gen` (importing `common.policy` or with its own credit
/// block) with 1–4 rules.
pub fn policy(seq: Vec<u32>) -> String {
    let mut c = Choices::new(seq);
    let eff_start = day(date("2020-01-01"), c.pick(730));
    let eff_end = day(eff_start, 120 + c.pick(1300));
    let short_ok = (eff_end - eff_start).num_days() < 500;
    let mut rules = Vec::new();
    let mut needs_effective = false;
    for i in 0..1 + c.pick(4) {
        let subj = c.one(&[
            Subj::Person,
            Subj::Person,
            Subj::School,
            Subj::District,
            Subj::Activity,
            Subj::Enrollment,
            Subj::Mentorship,
        ]);
        let (kw, v) = match subj {
            Subj::Person => ("person", "t"),
            Subj::School => ("school", "s"),
            Subj::District => ("district", "d"),
            Subj::Activity => ("activity", "a"),
            Subj::Enrollment => ("enrollment", "e"),
            Subj::Mentorship => ("mentorship", "m"),
        };
        let mut windows = vec!["none", "each", "each", "cycle"];
        match subj {
            Subj::Person => windows.extend(["within", "within"]),
            Subj::Mentorship | Subj::Activity | Subj::Enrollment => {
                windows.extend(["during", "during"])
            }
            _ => {}
        }
        let which = c.one(&windows);
        let mut calendar_year = false;
        let window = match which {
            "each" => {
                needs_effective = true;
                let p = period(&mut c, short_ok);
                calendar_year = p == "calendar_year";
                format!("each {p} as w")
            }
            "cycle" => {
                let span = (eff_end - eff_start).num_days() as usize;
                let a = day(eff_start, c.pick(span + 1));
                let b = day(a, c.pick(800));
                format!("cycle {a} .. {b} as w")
            }
            "within" => format!(
                "within {} after {v}.{} as w",
                c.one(&["1 year", "6 months", "2 years", "90 days"]),
                c.one(&["hire_date", "post_start_date"])
            ),
            "during" => match subj {
                Subj::Enrollment => "during e.activity as w".to_string(),
                _ => format!("during {v} as w"),
            },
            _ => String::new(),
        };
        let r = RuleCtx {
            subj,
            v,
            window: !window.is_empty(),
            calendar_year,
        };
        let filter = scope_filter(&mut c, &r);
        let cadence_by: Vec<(String, bool)> = match subj {
            Subj::School | Subj::District => vec![(v.into(), false), (v.into(), true)],
            Subj::Person => vec![(v.into(), false)],
            Subj::Mentorship => vec![("m.mentor".into(), false), ("m.trainee".into(), false)],
            _ => vec![],
        };
        let require = if !cadence_by.is_empty() && c.chance(30) {
            if window.is_empty() {
                needs_effective = true;
            }
            let (by, hosted) = c.one(&cadence_by);
            let kind = c.one(&[
                "seminar",
                "course",
                "reading",
                "collective_prep",
                "delivered_lesson",
                "forum",
            ]);
            let mut everies = vec![
                "month",
                "2 weeks",
                "semester",
                "3 months",
                "calendar_year",
                "academic_year",
                "2 semester",
                "2 calendar_year",
            ];
            if short_ok || matches!(which, "within" | "during") {
                everies.extend(["week", "10 days"]);
            }
            let every = c.one(&everies);
            let filter = c.one(&[
                "",
                " where mode = offline",
                " where level in [district, school]",
                " where hours >= 2 h",
            ]);
            format!(
                "at least {} {kind}{} by {by} every {every}{filter}",
                1 + c.pick(2),
                if hosted { " hosted" } else { "" }
            )
        } else {
            let depth = c.pick(3);
            condition(&mut c, &r, depth)
        };
        let severity = if c.chance(25) { " advisory" } else { "" };
        let message = if c.chance(40) {
            "\n    message \"{subject} {window}: {actual} / {required}, 差 {shortfall} ({rule})\""
        } else {
            ""
        };
        rules.push(format!(
            "  rule r{i} \"规则{i}\"{severity} {{\n    for {kw} {v}{}\n    {window}\n    require {require}{message}\n  }}\n",
            filter.map(|f| format!(" where {f}")).unwrap_or_default(),
        ));
    }
    let mut text = String::new();
    let own_credit = c.chance(40);
    if !own_credit {
        text.push_str("import \"common.policy\"\n");
    }
    text.push_str("policy gen \"生成的政策\" {\n  source \"gen.txt\"\n");
    // A policy without `effective` is generated only when
    // `NO_EFFECTIVE_PERCENT` allows it: see `differential.rs`
    // `no_effective_counts_records_up_to_the_evaluation_date` (a known bug).
    if needs_effective || !c.chance(NO_EFFECTIVE_PERCENT) {
        text.push_str(&format!("  effective {eff_start} .. {eff_end}\n"));
    }
    if c.chance(40) {
        let calendar = c.one(&[
            "academic_year starts 08-15; semester autumn 09-01 .. 01-20; semester spring 03-01 .. 07-15",
            "academic_year starts 09-15",
            "academic_year starts 03-01; semester winter 11-01 .. 02-29; semester summer 03-01 .. 10-31",
            "academic_year starts 02-29",
            "semester autumn 08-20 .. 02-10; semester spring 02-20 .. 07-05",
        ]);
        text.push_str(&format!("  calendar {{ {calendar} }}\n"));
    }
    text.push_str(&format!(
        "  param hours_p = {}\n",
        history(&mut c, &["0 h", "10 h", "20.5 h", "90 h"])
    ));
    text.push_str(&format!(
        "  param count_p = {}\n",
        history(&mut c, &["0", "1", "2", "3"])
    ));
    text.push_str(&format!(
        "  param share_p = {}\n",
        history(&mut c, &["5%", "2.5%", "1:100", "1/4"])
    ));
    text.push_str(&format!(
        "  param money_p = {}\n",
        history(&mut c, &["¥1万", "100 CNY", "0 CNY"])
    ));
    if own_credit {
        text.push_str(&format!(
            "  param credit_p = {}\n",
            history(&mut c, &["1 h", "4 h", "8.5 h"])
        ));
        let limit = c.one(&["1/4", "1/3", "50%", "0%", "share_p"]);
        let otherwise = c.one(&[
            "e.activity.hours",
            "e.scheduled_hours - e.absent_hours",
            "credit_p",
            "sum(hours in sessions of e.activity)",
            "min(hours in sessions of e.activity)",
        ]);
        let extra = c.one(&[
            "",
            "",
            "\n    no credit when e.activity.mode = online and e.absent_hours > 0 h",
            "\n    no credit when age(e.person) >= 60",
            "\n    no credit when tenure(e.person.hire_date) < 1 year",
        ]);
        text.push_str(&format!(
            "  credit own \"自定学分\" {{\n    for enrollment e\n    no credit when e.absent_hours > {limit} of e.scheduled_hours \"缺课\"{extra}\n    otherwise {otherwise}\n  }}\n"
        ));
    }
    for r in rules {
        text.push_str(&r);
    }
    text.push_str("}\n");
    text
}

/// Shuffles every vector of `rows` (ids are strings, so references stay
/// valid) by Fisher–Yates driven by the choices.
pub fn shuffle(rows: &Rows, seq: Vec<u32>) -> Rows {
    fn mix<T: Clone>(c: &mut Choices, v: &[T]) -> Vec<T> {
        let mut out = v.to_vec();
        for i in (1..out.len()).rev() {
            let j = c.pick(i + 1);
            out.swap(i, j);
        }
        out
    }
    let mut c = Choices::new(seq);
    Rows {
        districts: mix(&mut c, &rows.districts),
        schools: mix(&mut c, &rows.schools),
        people: mix(&mut c, &rows.people),
        activities: mix(&mut c, &rows.activities),
        sessions: mix(&mut c, &rows.sessions),
        enrollments: mix(&mut c, &rows.enrollments),
        attendance: mix(&mut c, &rows.attendance),
        mentorships: mix(&mut c, &rows.mentorships),
        finance: mix(&mut c, &rows.finance),
    }
}

/// The part of a result two evaluators (or two runs) must agree on: rule,
/// subject, window, status, actual, required, shortfall, severity, the
/// rendered message, and `explanation.missing` for cadence results and
/// `not_applicable` results. Other explanation lists and the reasons of
/// `unknown` results are prose that may name whichever record was met
/// first, so they are left out.
pub fn project(policy: &tenet::program::CheckedPolicy, r: &tenet::report::RuleResult) -> String {
    use tenet::program::Requirement;
    use tenet::report::Status as S;
    let cadence = policy
        .rules
        .iter()
        .find(|x| x.id == r.rule)
        .is_some_and(|x| matches!(x.require, Requirement::Cadence(_)));
    let missing = if (cadence && r.status != S::Unknown) || r.status == S::NotApplicable {
        r.explanation.missing.clone()
    } else {
        Vec::new()
    };
    format!(
        "{} {}:{} {:?} {:?} actual={:?} required={:?} shortfall={:?} {:?} message={:?} missing={:?}",
        r.rule,
        r.subject.kind,
        r.subject.id,
        r.window.map(|w| format!("{} .. {}", w.start, w.end)),
        r.status,
        r.actual.as_deref().map(inexact),
        r.required.as_deref().map(inexact),
        r.shortfall.as_deref().map(inexact),
        r.severity,
        r.explanation.message.as_deref().map(|m| m
            .split(' ')
            .map(|word| match word.strip_suffix(',') {
                Some(w) => format!("{},", inexact(w)),
                None => inexact(word),
            })
            .collect::<Vec<_>>()
            .join(" ")),
        missing
    )
}

/// Works around a known bug (`tests/regression.rs`
/// `eight_twelfths_stay_two_thirds`): `Q` sometimes takes a repeating
/// fraction for a 28-digit decimal, depending on how the same rational is
/// represented, and shows it without the `…` mark. A number shown with
/// more than 10 decimal places is such a fraction: show it rounded to 10
/// places with `…`, as `Q` does when it notices.
pub fn inexact(shown: &str) -> String {
    match Decimal::from_str(shown) {
        Ok(d) if d.scale() > 10 => format!("{}…", d.round_dp(10).normalize()),
        _ => shown.to_string(),
    }
}

/// Compiles generated policy text next to `common.policy`.
pub fn compile(text: &str) -> tenet::PolicySet {
    match tenet::PolicySet::from_sources(&[("gen.policy", text), ("common.policy", COMMON)]) {
        Ok(set) => set,
        Err(e) => panic!(
            "generator bug: the policy does not compile\n{text}\n{}",
            e.render()
        ),
    }
}

/// Loads generated rows.
pub fn build(rows: Rows) -> tenet::model::Dataset {
    match tenet::model::Dataset::from_rows(rows.clone()) {
        Ok((data, _)) => data,
        Err(e) => panic!("generator bug: the dataset does not load: {e:?}\n{rows:#?}"),
    }
}
