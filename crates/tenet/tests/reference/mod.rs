//! A reference evaluator: small, slow and meant to be obviously correct.
//!
//! It implements `docs/language.md` and `docs/decisions.md` directly:
//! straight loops over the dataset's `Vec`s (no index accessors, no
//! caching), absent and scheduled hours recomputed from the attendance and
//! session rows, windows cut by walking the calendar one day at a time.
//! The differential test compares its reports with the optimised
//! evaluator's.
#![allow(dead_code)]

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use tenet::model::{
    Activity, ActivityIx, Actor, Dataset, DistrictIx, EnrollmentIx, MentorshipIx, Org, PersonIx,
    SchoolIx, SessionIx, Status as Mark,
};
use tenet::program::{
    Arith, Cadence, CheckedPolicy, Cmp, Expr, ExprKind, Param, Requirement, Rule, WindowSpec,
};
use tenet::report::{
    Counts, Explanation, Fact, Figure, Record, Report, RuleResult, RuleSummary, SchoolSummary,
    Status, Subject, Summary, WindowOut,
};
use tenet::schema::{Entity, EnumValue, Field, Type};
use tenet::syntax::ast::{AggFn, Duration, Period, PeriodUnit, RelKind, RelLink};
use tenet::value::{DateRange, EntityRef, Value, Q};

/// Missing data: the value cannot be known.
type R<T> = Result<T, String>;

const OVERFLOW: &str = "arithmetic overflow: a value is beyond the range of exact decimals";

fn no<T>(why: impl Into<String>) -> R<T> {
    Err(why.into())
}

// ---------------------------------------------------------------- dates

fn range(start: NaiveDate, end: NaiveDate) -> Option<DateRange> {
    (start <= end).then_some(DateRange { start, end })
}

fn next_day(d: NaiveDate) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(1))
}

/// `date + duration`: months first (calendar-wise), then days.
fn plus(date: NaiveDate, d: Duration) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(d.months))?
        .checked_add_days(Days::new(u64::from(d.days)))
}

fn minus(date: NaiveDate, d: Duration) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(d.months))?
        .checked_sub_days(Days::new(u64::from(d.days)))
}

/// Academic year a day belongs to (the year in which it started). The
/// year starts on the calendar's day, `02-29` falling back to `02-28` in
/// common years (decisions W10).
fn academic_year(day: NaiveDate, start: (u32, u32)) -> i32 {
    match calendar_day(day.year(), start.0, start.1) {
        Some(first) if day >= first => day.year(),
        _ => day.year() - 1,
    }
}

/// Which block of `n` units a day falls in, counted from `origin`.
fn block(unit: PeriodUnit, n: u32, origin: NaiveDate, day: NaiveDate, ys: (u32, u32)) -> i64 {
    let n = i64::from(n.max(1));
    let k = match unit {
        PeriodUnit::CalendarYear => i64::from(day.year() - origin.year()),
        PeriodUnit::AcademicYear => i64::from(academic_year(day, ys) - academic_year(origin, ys)),
        PeriodUnit::Month => {
            i64::from(day.year() - origin.year()) * 12 + i64::from(day.month())
                - i64::from(origin.month())
        }
        PeriodUnit::Week => (day - origin).num_days() / 7,
        PeriodUnit::Day | PeriodUnit::Semester => (day - origin).num_days(),
    };
    k.div_euclid(n)
}

fn calendar_day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).or_else(|| {
        if (m, d) == (2, 29) {
            NaiveDate::from_ymd_opt(y, 2, 28)
        } else {
            None
        }
    })
}

/// The periods cut from `r`, each with whether it was cut short at the end.
fn cut(period: Period, r: DateRange, policy: &CheckedPolicy) -> Vec<(DateRange, bool)> {
    let n = period.count.max(1);
    if period.unit == PeriodUnit::Semester {
        return semesters(n as usize, r, policy);
    }
    let ys = policy.calendar.year_start;
    let key = |d: NaiveDate| block(period.unit, n, r.start, d, ys);
    let mut out: Vec<(DateRange, bool)> = Vec::new();
    let mut start = r.start;
    let mut day = r.start;
    loop {
        let next = next_day(day);
        let last = day == r.end || next.is_none();
        let boundary = match next {
            Some(nx) => last || key(nx) != key(day),
            None => true,
        };
        if boundary {
            let cut_short = last && next.is_some_and(|nx| key(nx) == key(day));
            out.push((DateRange { start, end: day }, cut_short));
            if last {
                break;
            }
            start = next.unwrap_or(day);
        }
        match next {
            Some(nx) => day = nx,
            None => break,
        }
    }
    out
}

fn semesters(n: usize, r: DateRange, policy: &CheckedPolicy) -> Vec<(DateRange, bool)> {
    let mut all = Vec::new();
    for year in r.start.year() - 1..=r.end.year() + 1 {
        for (_, (sm, sd), (em, ed)) in &policy.calendar.semesters {
            let wraps = (*em, *ed) < (*sm, *sd);
            let s = calendar_day(year, *sm, *sd);
            let e = calendar_day(if wraps { year + 1 } else { year }, *em, *ed);
            if let (Some(s), Some(e)) = (s, e) {
                if s <= e {
                    all.push(DateRange { start: s, end: e });
                }
            }
        }
    }
    all.sort();
    let all: Vec<DateRange> = all.into_iter().filter(|s| s.end >= r.start).collect();
    let mut out = Vec::new();
    for group in all.chunks(n) {
        let first = group[0];
        let last = group[group.len() - 1];
        if first.start > r.end {
            break;
        }
        if let Some(c) = range(first.start.max(r.start), last.end.min(r.end)) {
            out.push((c, last.end > r.end));
        }
    }
    out
}

// ---------------------------------------------------------------- records

fn school_ix(data: &Dataset, s: SchoolIx) -> usize {
    let _ = data;
    s.0 as usize
}

fn org_entity(o: Org) -> EntityRef {
    match o {
        Org::District(d) => EntityRef::District(d),
        Org::School(s) => EntityRef::School(s),
    }
}

fn actor_entity(a: Actor) -> EntityRef {
    match a {
        Actor::Org(o) => org_entity(o),
        Actor::Person(p) => EntityRef::Person(p),
    }
}

fn id_of(data: &Dataset, r: EntityRef) -> String {
    match r {
        EntityRef::District(d) => data.districts[d.0 as usize].id.clone(),
        EntityRef::School(s) => data.schools[s.0 as usize].id.clone(),
        EntityRef::Person(p) => data.people[p.0 as usize].id.clone(),
        EntityRef::Activity(a) => data.activities[a.0 as usize].id.clone(),
        EntityRef::Session(s) => data.sessions[s.0 as usize].id.clone(),
        EntityRef::Enrollment(e) => {
            let e = &data.enrollments[e.0 as usize];
            format!(
                "{}/{}",
                data.people[e.person.0 as usize].id, data.activities[e.activity.0 as usize].id
            )
        }
        EntityRef::Mentorship(m) => {
            let m = &data.mentorships[m.0 as usize];
            format!(
                "{}/{}/{}",
                data.people[m.mentor.0 as usize].id,
                data.people[m.trainee.0 as usize].id,
                m.program
            )
        }
    }
}

/// Scheduled hours: the sum of the activity's session hours, or its
/// `hours` when it has none.
fn scheduled(data: &Dataset, a: ActivityIx) -> Decimal {
    let mut any = false;
    let mut sum = Decimal::ZERO;
    for s in &data.sessions {
        if s.activity == a {
            any = true;
            sum += s.hours;
        }
    }
    if any {
        sum
    } else {
        data.activities[a.0 as usize].hours
    }
}

/// Absent hours of a person in an activity: sessions where the person is
/// absent or excused, or has no attendance row at all.
fn absent(data: &Dataset, p: PersonIx, a: ActivityIx) -> Decimal {
    let mut sum = Decimal::ZERO;
    for (i, s) in data.sessions.iter().enumerate() {
        if s.activity != a {
            continue;
        }
        let mut present = false;
        for row in &data.attendance {
            if row.person == p && row.session == SessionIx(i as u32) && row.status == Mark::Present
            {
                present = true;
            }
        }
        if !present {
            sum += s.hours;
        }
    }
    sum
}

fn activity(data: &Dataset, a: ActivityIx) -> &Activity {
    &data.activities[a.0 as usize]
}

/// Activities with their index, by end date, ties in file order.
fn by_end_date(data: &Dataset) -> Vec<(usize, &Activity)> {
    let mut all: Vec<(usize, &Activity)> = data.activities.iter().enumerate().collect();
    all.sort_by_key(|(_, a)| a.end_date);
    all
}

// ---------------------------------------------------------------- values

fn num(d: Decimal) -> Value {
    Value::Num(Q::new(d))
}

fn int(i: i64) -> Value {
    num(Decimal::from(i))
}

/// A value as reports write it.
fn show(v: &Value, ty: &Type) -> String {
    match v {
        Value::Num(q) => {
            let mut d = q.to_decimal().normalize();
            if *ty == Type::Money && d.scale() < 2 {
                d.rescale(2);
            }
            if q.is_exact() {
                d.to_string()
            } else {
                format!("{d}…")
            }
        }
        Value::Date(d) => d.to_string(),
        Value::Duration(d) => match (d.months, d.days) {
            (m, 0) if m % 12 == 0 => format!("{} years", m / 12),
            (m, 0) => format!("{m} months"),
            (0, d) => format!("{d} days"),
            (m, d) => format!("{m} months {d} days"),
        },
        Value::Elapsed { since, at } => format!("since {since} (at {at})"),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => s.clone(),
        Value::Enum(e) => e.to_string(),
        Value::Entity(_) => "(record)".to_string(),
        Value::Window(w) => format!("{} .. {}", w.start, w.end),
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|i| show(i, &Type::Str)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn order(x: &Value, y: &Value) -> R<Option<Ordering>> {
    Ok(match (x, y) {
        (Value::Num(a), Value::Num(b)) => Some(a.compare(*b).map_err(|_| OVERFLOW)?),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Elapsed { since, at }, Value::Duration(d)) => {
            Some(at.cmp(&plus(*since, *d).ok_or("date out of range")?))
        }
        (Value::Duration(d), Value::Elapsed { since, at }) => {
            Some(plus(*since, *d).ok_or("date out of range")?.cmp(at))
        }
        _ => None,
    })
}

fn test(op: Cmp, x: &Value, y: &Value) -> R<bool> {
    match order(x, y)? {
        Some(o) => Ok(match op {
            Cmp::Eq => o.is_eq(),
            Cmp::Ne => o.is_ne(),
            Cmp::Lt => o.is_lt(),
            Cmp::Le => o.is_le(),
            Cmp::Gt => o.is_gt(),
            Cmp::Ge => o.is_ge(),
        }),
        None => Ok(match op {
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
            _ => false,
        }),
    }
}

/// The value in force on `day`: the last whose `since` is on or before
/// it; before every `since`, the first.
fn param_value(p: &Param, day: NaiveDate) -> Option<Value> {
    let mut chosen = None;
    for (since, v) in &p.history {
        if since.is_none_or(|s| s <= day) {
            chosen = Some(v.clone());
        }
    }
    chosen.or_else(|| p.history.first().map(|(_, v)| v.clone()))
}

// ---------------------------------------------------------------- expressions

struct Env<'a> {
    data: &'a Dataset,
    policy: &'a CheckedPolicy,
    as_of: NaiveDate,
    /// Dated records count when their date is in here.
    from: NaiveDate,
    to: NaiveDate,
    window: Option<DateRange>,
    param_day: NaiveDate,
    age_day: NaiveDate,
    vars: HashMap<u16, Value>,
    /// What the explanation lists so far.
    trace: Explanation,
}

impl<'a> Env<'a> {
    fn counts(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    fn bool(&mut self, e: &Expr) -> R<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            _ => no("not a bool"),
        }
    }

    fn q(&mut self, e: &Expr) -> R<Q> {
        match self.eval(e)? {
            Value::Num(q) => Ok(q),
            _ => no("not a number"),
        }
    }

    fn entity(&mut self, e: &Expr) -> R<EntityRef> {
        match self.eval(e)? {
            Value::Entity(r) => Ok(r),
            _ => no("not a record"),
        }
    }

    fn eval(&mut self, e: &Expr) -> R<Value> {
        let data = self.data;
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Param(id) => {
                let p = &self.policy.params[id.0 as usize];
                let v = param_value(p, self.param_day)
                    .ok_or_else(|| format!("param `{}` has no value", p.name))?;
                if !self.trace.params.iter().any(|f| f.expr == p.name) {
                    self.trace.params.push(Fact {
                        expr: p.name.clone(),
                        value: show(&v, &p.ty),
                    });
                }
                Ok(v)
            }
            ExprKind::Var(v) => self.vars.get(&v.0).cloned().ok_or_else(|| "unbound".into()),
            ExprKind::Field(base, f) => {
                let b = self.eval(base)?;
                self.field(b, *f)
            }
            ExprKind::Attr(base, col) => {
                let r = self.entity(base)?;
                let (attrs, entity, table) = match r {
                    EntityRef::District(d) => (
                        &data.districts[d.0 as usize].attrs,
                        Entity::District,
                        "districts",
                    ),
                    EntityRef::School(s) => {
                        (&data.schools[s.0 as usize].attrs, Entity::School, "schools")
                    }
                    EntityRef::Person(p) => {
                        (&data.people[p.0 as usize].attrs, Entity::Person, "people")
                    }
                    EntityRef::Activity(a) => (
                        &data.activities[a.0 as usize].attrs,
                        Entity::Activity,
                        "activities",
                    ),
                    _ => return no("no attrs"),
                };
                // A cell is read trimmed; a blank one (or none, on a table
                // that has the column) is "" (decisions R7).
                let has = data.extra_columns(entity).any(|c| c == col.as_str());
                match attrs.get(col) {
                    Some(v) => Ok(Value::Str(v.trim().to_string())),
                    None if has => Ok(Value::Str(String::new())),
                    None => {
                        let near = tenet::diagnostic::did_you_mean(col, data.extra_columns(entity));
                        no(match near {
                            Some(near) => format!(
                                "the `{table}` data has no `{col}` column (did you mean `{near}`?)"
                            ),
                            None => format!("the `{table}` data has no `{col}` column"),
                        })
                    }
                }
            }
            ExprKind::Neg(x) => Ok(Value::Num(self.q(x)?.negate())),
            ExprKind::Not(x) => Ok(Value::Bool(!self.bool(x)?)),
            // Left to right; a false left side decides an `and` (a true one
            // an `or`) and the right side is not looked at.
            ExprKind::And(a, b) => {
                let x = self.bool(a);
                if x == Ok(false) {
                    return Ok(Value::Bool(false));
                }
                let y = self.bool(b);
                match (x, y) {
                    (Ok(false), _) | (_, Ok(false)) => Ok(Value::Bool(false)),
                    (Ok(true), Ok(true)) => Ok(Value::Bool(true)),
                    (Err(w), _) | (_, Err(w)) => Err(w),
                }
            }
            ExprKind::Or(a, b) => {
                let x = self.bool(a);
                if x == Ok(true) {
                    return Ok(Value::Bool(true));
                }
                let y = self.bool(b);
                match (x, y) {
                    (Ok(true), _) | (_, Ok(true)) => Ok(Value::Bool(true)),
                    (Ok(false), Ok(false)) => Ok(Value::Bool(false)),
                    (Err(w), _) | (_, Err(w)) => Err(w),
                }
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                match (x, y) {
                    (Value::Num(x), Value::Num(y)) => {
                        let r = match op {
                            Arith::Add => x.plus(y),
                            Arith::Sub => x.minus(y),
                            Arith::Mul => x.times(y),
                            Arith::Div => match x.over(y) {
                                Ok(Some(q)) => Ok(q),
                                Ok(None) => return no("division by zero"),
                                Err(o) => Err(o),
                            },
                        };
                        r.map(Value::Num).map_err(|_| OVERFLOW.into())
                    }
                    (Value::Date(d), Value::Duration(dur)) => {
                        let moved = if *op == Arith::Add {
                            plus(d, dur)
                        } else {
                            minus(d, dur)
                        };
                        moved
                            .map(Value::Date)
                            .ok_or_else(|| "date out of range".into())
                    }
                    _ => no("bad arithmetic"),
                }
            }
            ExprKind::Of(a, b) => {
                let s = self.q(a)?;
                let q = self.q(b)?;
                s.times(q).map(Value::Num).map_err(|_| OVERFLOW.into())
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                Ok(Value::Bool(test(*op, &x, &y)?))
            }
            ExprKind::Has(p, role) => match self.entity(p)? {
                EntityRef::Person(p) => {
                    Ok(Value::Bool(data.people[p.0 as usize].roles.contains(*role)))
                }
                _ => no("has on a non-person"),
            },
            ExprKind::In {
                negated,
                value,
                list,
            } => {
                let v = self.eval(value)?;
                let mut found = false;
                for item in list {
                    let i = self.eval(item)?;
                    if test(Cmp::Eq, &v, &i)? {
                        found = true;
                    }
                }
                Ok(Value::Bool(found != *negated))
            }
            ExprKind::Aggregate(agg) => {
                let v = self.aggregate(agg)?;
                self.fact(&e.text, show(&v, &e.ty));
                Ok(v)
            }
            ExprKind::Credited {
                person,
                elem,
                filter,
            } => {
                let EntityRef::Person(p) = self.entity(person)? else {
                    return no("credited hours of a non-person");
                };
                let total = self.credited(p, *elem, filter.as_deref())?;
                self.fact(&e.text, show(&Value::Num(total), &Type::Hours));
                Ok(Value::Num(total))
            }
            ExprKind::Age { person, at } => {
                let EntityRef::Person(p) = self.entity(person)? else {
                    return no("age of a non-person");
                };
                let at = match at {
                    Some(e) => self.date(e)?,
                    None => self.age_day,
                };
                let who = &data.people[p.0 as usize];
                let Some(born) = who.birth_date else {
                    return no(format!("person `{}` has no birth_date", who.id));
                };
                // Completed years: count birthdays passed.
                let mut years = 0i64;
                while let Some(next) = born.checked_add_months(Months::new(12 * (years as u32 + 1)))
                {
                    // A 02-29 birthday is passed on 03-01 in a common year.
                    let birthday = if born.month() == 2 && born.day() == 29 && next.day() != 29 {
                        next.succ_opt().unwrap_or(next)
                    } else {
                        next
                    };
                    if birthday <= at {
                        years += 1;
                    } else {
                        break;
                    }
                }
                if at < born {
                    // Before birth: negative completed years, as a difference.
                    let mut y = i64::from(at.year()) - i64::from(born.year());
                    if (at.month(), at.day()) < (born.month(), born.day()) {
                        y -= 1;
                    }
                    years = y;
                }
                self.fact(&e.text, format!("{years} (born {born}, at {at})"));
                Ok(int(years))
            }
            ExprKind::Tenure { since, at } => {
                let since = self.date(since)?;
                let at = match at {
                    Some(e) => self.date(e)?,
                    None => self.age_day,
                };
                self.fact(&e.text, format!("since {since}, at {at}"));
                Ok(Value::Elapsed { since, at })
            }
            ExprKind::Finance { org, year, item } => {
                let org = match self.entity(org)? {
                    EntityRef::School(s) => Org::School(s),
                    EntityRef::District(d) => Org::District(d),
                    _ => return no("finance of a non-org"),
                };
                let year: i32 = match year {
                    None => self.window.map_or(self.as_of.year(), |w| w.start.year()),
                    Some(y) => match self.eval(y)? {
                        Value::Window(w) => w.start.year(),
                        Value::Num(q) => {
                            let d = q.to_decimal();
                            if d.fract().is_zero() && d.scale() == 0 {
                                i32::try_from(d.mantissa()).unwrap_or(0)
                            } else {
                                0
                            }
                        }
                        _ => 0,
                    },
                };
                for row in &data.finance {
                    if row.org == org && row.year == year && row.item == *item {
                        let v = num(row.amount);
                        self.fact(&e.text, show(&v, &Type::Money));
                        return Ok(v);
                    }
                }
                no(format!(
                    "no finance row for `{}` {year} `{item}`",
                    id_of(data, org_entity(org))
                ))
            }
            ExprKind::YearOf(x) => match self.eval(x)? {
                Value::Date(d) => Ok(int(d.year().into())),
                Value::Window(w) => Ok(int(w.start.year().into())),
                _ => no("year of a non-date"),
            },
        }
    }

    fn date(&mut self, e: &Expr) -> R<NaiveDate> {
        match self.eval(e)? {
            Value::Date(d) => Ok(d),
            _ => no("not a date"),
        }
    }

    fn field(&mut self, base: Value, f: Field) -> R<Value> {
        let data = self.data;
        let date = |d: Option<NaiveDate>, id: &str, what: &str| {
            d.map(Value::Date)
                .ok_or_else(|| format!("person `{id}` has no {what}"))
        };
        if let Value::Window(w) = base {
            return Ok(match f {
                Field::StartDate => Value::Date(w.start),
                Field::EndDate => Value::Date(w.end),
                Field::Year => int(w.start.year().into()),
                _ => return no("window field"),
            });
        }
        let Value::Entity(r) = base else {
            return no("field of a non-record");
        };
        if f == Field::Id {
            return Ok(Value::Str(id_of(data, r)));
        }
        Ok(match r {
            EntityRef::District(d) => match f {
                Field::Name => Value::Str(data.districts[d.0 as usize].name.clone()),
                _ => return no("district field"),
            },
            EntityRef::School(s) => {
                let s = &data.schools[s.0 as usize];
                match f {
                    Field::Name => Value::Str(s.name.clone()),
                    Field::District => Value::Entity(EntityRef::District(s.district)),
                    Field::Rural => Value::Bool(s.rural),
                    Field::TrainingBase => Value::Bool(s.training_base),
                    _ => return no("school field"),
                }
            }
            EntityRef::Person(p) => {
                let p = &data.people[p.0 as usize];
                match f {
                    Field::Name => Value::Str(p.name.clone()),
                    Field::Org => Value::Entity(org_entity(p.org)),
                    Field::BirthDate => date(p.birth_date, &p.id, "birth_date")?,
                    Field::HireDate => date(p.hire_date, &p.id, "hire_date")?,
                    Field::PostStartDate => date(p.post_start_date, &p.id, "post_start_date")?,
                    _ => return no("person field"),
                }
            }
            EntityRef::Activity(ix) => {
                let a = activity(data, ix);
                match f {
                    Field::Title => Value::Str(a.title.clone()),
                    Field::Organizer => Value::Entity(actor_entity(a.organizer)),
                    Field::Host => match a.host {
                        Some(h) => Value::Entity(org_entity(h)),
                        None => return no(format!("activity `{}` has no host", a.id)),
                    },
                    Field::Level => Value::Enum(EnumValue::Level(a.level)),
                    Field::Kind => Value::Enum(EnumValue::Kind(a.kind)),
                    Field::Mode => Value::Enum(EnumValue::Mode(a.mode)),
                    Field::StartDate => Value::Date(a.start_date),
                    Field::EndDate => Value::Date(a.end_date),
                    Field::Hours => num(a.hours),
                    Field::ScheduledHours => num(scheduled(data, ix)),
                    _ => return no("activity field"),
                }
            }
            EntityRef::Session(s) => {
                let s = &data.sessions[s.0 as usize];
                match f {
                    Field::Activity => Value::Entity(EntityRef::Activity(s.activity)),
                    Field::Date => Value::Date(s.date),
                    Field::Hours => num(s.hours),
                    _ => return no("session field"),
                }
            }
            EntityRef::Enrollment(ix) => {
                let e = &data.enrollments[ix.0 as usize];
                match f {
                    Field::Person => Value::Entity(EntityRef::Person(e.person)),
                    Field::Activity => Value::Entity(EntityRef::Activity(e.activity)),
                    Field::AbsentHours => num(absent(data, e.person, e.activity)),
                    Field::ScheduledHours => num(scheduled(data, e.activity)),
                    Field::Credited => Value::Num(credit(data, self.policy, self.as_of, ix)?),
                    _ => return no("enrollment field"),
                }
            }
            EntityRef::Mentorship(m) => {
                let m = &data.mentorships[m.0 as usize];
                match f {
                    Field::Mentor => Value::Entity(EntityRef::Person(m.mentor)),
                    Field::Trainee => Value::Entity(EntityRef::Person(m.trainee)),
                    Field::Program => Value::Str(m.program.clone()),
                    Field::StartDate => Value::Date(m.start_date),
                    Field::EndDate => Value::Date(m.end_date),
                    _ => return no("mentorship field"),
                }
            }
        })
    }

    /// Members of a relation, in data order, dated ones limited to the range.
    fn members(&mut self, agg: &tenet::program::Aggregate) -> R<Vec<EntityRef>> {
        let data = self.data;
        let anchor = match &agg.link {
            Some((how, e)) => Some((*how, self.entity(e)?)),
            None => None,
        };
        let mut out = Vec::new();
        match agg.relation {
            RelKind::People => {
                for (i, p) in data.people.iter().enumerate() {
                    let keep = match anchor {
                        None => true,
                        Some((_, EntityRef::School(s))) => p.org == Org::School(s),
                        Some((_, EntityRef::District(d))) => match p.org {
                            Org::District(x) => x == d,
                            Org::School(s) => data.schools[s.0 as usize].district == d,
                        },
                        Some(_) => false,
                    };
                    if keep {
                        out.push(EntityRef::Person(PersonIx(i as u32)));
                    }
                }
            }
            RelKind::Schools => {
                for (i, s) in data.schools.iter().enumerate() {
                    let keep = match anchor {
                        None => true,
                        Some((_, EntityRef::District(d))) => s.district == d,
                        Some(_) => false,
                    };
                    if keep {
                        out.push(EntityRef::School(SchoolIx(i as u32)));
                    }
                }
            }
            RelKind::Districts => {
                for i in 0..data.districts.len() {
                    out.push(EntityRef::District(DistrictIx(i as u32)));
                }
            }
            RelKind::Activities => {
                for (i, a) in data.activities.iter().enumerate() {
                    let keep = match anchor {
                        None => true,
                        Some((RelLink::HostedBy, r)) => a.host.map(org_entity) == Some(r),
                        Some((_, r)) => actor_entity(a.organizer) == r,
                    };
                    if keep && self.counts(a.end_date) {
                        out.push(EntityRef::Activity(ActivityIx(i as u32)));
                    }
                }
                // An organiser's or host's activities in end-date order.
                if anchor.is_some() {
                    out.sort_by_key(|r| match r {
                        EntityRef::Activity(a) => activity(data, *a).end_date,
                        _ => NaiveDate::MIN,
                    });
                }
            }
            RelKind::Enrollments => {
                for (i, e) in data.enrollments.iter().enumerate() {
                    let keep = match anchor {
                        Some((_, EntityRef::Person(p))) => e.person == p,
                        Some((_, EntityRef::Activity(a))) => e.activity == a,
                        _ => true,
                    };
                    if keep && self.counts(activity(data, e.activity).end_date) {
                        out.push(EntityRef::Enrollment(EnrollmentIx(i as u32)));
                    }
                }
                // A person's enrollments in their activities' end-date order.
                if let Some((_, EntityRef::Person(_))) = anchor {
                    out.sort_by_key(|r| match r {
                        EntityRef::Enrollment(e) => {
                            activity(data, data.enrollments[e.0 as usize].activity).end_date
                        }
                        _ => NaiveDate::MIN,
                    });
                }
            }
            RelKind::Sessions => {
                for (i, s) in data.sessions.iter().enumerate() {
                    let keep = match anchor {
                        Some((_, EntityRef::Activity(a))) => s.activity == a,
                        _ => true,
                    };
                    if keep && self.counts(s.date) {
                        out.push(EntityRef::Session(SessionIx(i as u32)));
                    }
                }
            }
            RelKind::Mentorships => {
                for (i, m) in data.mentorships.iter().enumerate() {
                    let keep = match anchor {
                        Some((_, EntityRef::Person(p))) => m.mentor == p,
                        _ => true,
                    };
                    if keep
                        && self.from <= self.to
                        && m.start_date <= self.to
                        && m.end_date >= self.from
                    {
                        out.push(EntityRef::Mentorship(MentorshipIx(i as u32)));
                    }
                }
            }
        }
        Ok(out)
    }

    fn aggregate(&mut self, agg: &tenet::program::Aggregate) -> R<Value> {
        let data = self.data;
        let members = self.members(agg)?;
        let kind = match agg.relation {
            RelKind::People => "person",
            RelKind::Schools => "school",
            RelKind::Districts => "district",
            RelKind::Activities => "activity",
            RelKind::Enrollments => "enrollment",
            RelKind::Sessions => "session",
            RelKind::Mentorships => "mentorship",
        };
        let mut matched = 0i64;
        let mut listed = 0;
        let mut sum = Q::ZERO;
        let mut best: Option<Value> = None;
        for m in &members {
            self.vars.insert(agg.elem.0, Value::Entity(*m));
            if let Some(f) = &agg.filter {
                if !self.bool(f)? {
                    continue;
                }
            }
            matched += 1;
            let v = match &agg.value {
                Some(e) => Some((self.eval(e)?, &e.ty)),
                None => None,
            };
            // Each member that passed the filter is listed, up to 20 per
            // aggregate; the rest are counted in `more`.
            if listed < 20 {
                listed += 1;
                self.trace.counted.push(Record {
                    kind: Cow::Borrowed(kind),
                    id: id_of(data, *m).into(),
                    value: v.as_ref().map(|(v, ty)| Figure::Text(show(v, ty))),
                    reason: None,
                });
            } else {
                self.trace.more += 1;
            }
            let Some((v, _)) = v else { continue };
            if let (AggFn::Sum | AggFn::Avg, Value::Num(q)) = (agg.func, &v) {
                sum = sum.plus(*q).map_err(|_| OVERFLOW)?;
            }
            if !matches!(agg.func, AggFn::Min | AggFn::Max) {
                continue;
            }
            let better = match &best {
                None => true,
                Some(b) => match order(&v, b)? {
                    Some(o) if agg.func == AggFn::Min => o.is_lt(),
                    Some(o) => o.is_gt(),
                    None => false,
                },
            };
            if better {
                best = Some(v);
            }
        }
        match agg.func {
            AggFn::Count => Ok(int(matched)),
            AggFn::Sum => Ok(Value::Num(sum)),
            AggFn::Share => {
                if members.is_empty() {
                    return no(format!("no {kind} records to take a share of"));
                }
                let q = Q::ratio(Decimal::from(matched), Decimal::from(members.len() as i64))
                    .ok_or("share of nothing")?;
                Ok(Value::Num(q))
            }
            AggFn::Avg => {
                if matched == 0 {
                    return no(format!("no {kind} records to average"));
                }
                match sum.over(Q::new(Decimal::from(matched))) {
                    Ok(Some(q)) => Ok(Value::Num(q)),
                    _ => no(OVERFLOW),
                }
            }
            AggFn::Min => best.ok_or_else(|| format!("no {kind} records to take the least of")),
            AggFn::Max => best.ok_or_else(|| format!("no {kind} records to take the greatest of")),
        }
    }

    /// `credited_hours(p [where …])`: the person's enrollments whose
    /// activity ends in the range, in end-date order, each listed as counted
    /// or excluded (with why).
    fn credited(&mut self, p: PersonIx, elem: tenet::program::Var, filter: Option<&Expr>) -> R<Q> {
        let data = self.data;
        let mut mine: Vec<EnrollmentIx> = Vec::new();
        for (i, en) in data.enrollments.iter().enumerate() {
            if en.person == p && self.counts(activity(data, en.activity).end_date) {
                mine.push(EnrollmentIx(i as u32));
            }
        }
        mine.sort_by_key(|ix| activity(data, data.enrollments[ix.0 as usize].activity).end_date);
        let mut total = Q::ZERO;
        for ix in mine {
            let en = &data.enrollments[ix.0 as usize];
            let act = activity(data, en.activity);
            let excluded = |reason: String| Record {
                kind: Cow::Borrowed("enrollment"),
                id: act.id.as_str().into(),
                value: Some(Figure::Text("0".into())),
                reason: Some(reason),
            };
            if let Some(f) = filter {
                self.vars
                    .insert(elem.0, Value::Entity(EntityRef::Enrollment(ix)));
                if !self.bool(f)? {
                    let why = format!("not counted by this rule: {}", f.text);
                    self.trace.excluded.push(excluded(why));
                    continue;
                }
            }
            let (hours, denied) = credit_with_reason(data, self.policy, self.as_of, ix)?;
            match denied {
                Some(reason) => {
                    let why = format!(
                        "{reason} (absent {} of {} scheduled hours)",
                        absent(data, en.person, en.activity).normalize(),
                        scheduled(data, en.activity).normalize()
                    );
                    self.trace.excluded.push(excluded(why));
                }
                None => self.trace.counted.push(Record {
                    kind: Cow::Borrowed("enrollment"),
                    id: act.id.as_str().into(),
                    value: Some(Figure::Text(show(&Value::Num(hours), &Type::Hours))),
                    reason: None,
                }),
            }
            total = total.plus(hours).map_err(|_| OVERFLOW)?;
        }
        Ok(total)
    }

    /// Notes a computed value, once per expression text (the first value).
    fn fact(&mut self, expr: &str, value: String) {
        if !expr.is_empty() && !self.trace.values.iter().any(|f| &*f.expr == expr) {
            self.trace.values.push(Fact {
                expr: expr.into(),
                value,
            });
        }
    }
}

/// Credited hours of one enrollment under the policy's credit block:
/// params and default ages at the activity's end date.
fn credit(data: &Dataset, policy: &CheckedPolicy, as_of: NaiveDate, ix: EnrollmentIx) -> R<Q> {
    credit_with_reason(data, policy, as_of, ix).map(|(hours, _)| hours)
}

/// [`credit`], with the reason of the first `no credit when` that holds.
fn credit_with_reason(
    data: &Dataset,
    policy: &CheckedPolicy,
    as_of: NaiveDate,
    ix: EnrollmentIx,
) -> R<(Q, Option<String>)> {
    let Some(c) = &policy.credit else {
        return no("no credit block");
    };
    let end = activity(data, data.enrollments[ix.0 as usize].activity).end_date;
    let mut env = Env {
        data,
        policy,
        as_of,
        from: NaiveDate::MIN,
        to: as_of,
        window: None,
        param_day: end,
        age_day: end,
        vars: HashMap::new(),
        trace: Explanation::default(),
    };
    env.vars
        .insert(c.var.0, Value::Entity(EntityRef::Enrollment(ix)));
    for d in &c.denials {
        if env.bool(&d.cond)? {
            return Ok((Q::ZERO, Some(d.reason.clone())));
        }
    }
    Ok((env.q(&c.otherwise)?, None))
}

// ---------------------------------------------------------------- rules

/// Whether the scope filter needs the window (decisions S4).
fn filter_per_window(rule: &Rule) -> bool {
    let (Some(f), Some(bind)) = (&rule.filter, rule.window.bind()) else {
        return false;
    };
    f.any(&|e| match &e.kind {
        ExprKind::Var(v) => *v == bind,
        ExprKind::Credited { .. } => true,
        ExprKind::Field(_, Field::Credited) => true,
        ExprKind::Finance { year: None, .. } => true,
        // decisions P5: an undated age or tenure is the window's.
        ExprKind::Age { at: None, .. } | ExprKind::Tenure { at: None, .. } => true,
        ExprKind::Aggregate(a) => matches!(
            a.relation,
            RelKind::Activities | RelKind::Enrollments | RelKind::Sessions | RelKind::Mentorships
        ),
        _ => false,
    })
}

struct Out {
    status: Status,
    actual: Option<String>,
    required: Option<String>,
    shortfall: Option<String>,
    missing: Vec<String>,
}

fn bare(status: Status) -> Out {
    Out {
        status,
        actual: None,
        required: None,
        shortfall: None,
        missing: Vec::new(),
    }
}

fn status_of(holds: bool, open: bool) -> Status {
    if holds {
        Status::Pass
    } else if open {
        Status::Pending
    } else {
        Status::Fail
    }
}

fn check(env: &mut Env<'_>, cond: &Expr, open: bool) -> Out {
    if let ExprKind::Compare(op, a, b) = &cond.kind {
        if a.ty.is_quantity() || a.ty == Type::Date {
            let (x, y) = match (env.eval(a), env.eval(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(w), Ok(_)) | (Ok(_), Err(w)) => return unknown(w),
                // Both sides are looked at: both missing data are named.
                (Err(w), Err(v)) => {
                    let mut o = unknown(w);
                    if !o.missing.contains(&v) {
                        o.missing.push(v);
                    }
                    return o;
                }
            };
            let holds = match test(*op, &x, &y) {
                Ok(h) => h,
                Err(w) => return unknown(w),
            };
            let status = status_of(holds, open);
            let mut shortfall = None;
            if let (Value::Num(xq), Value::Num(yq)) = (&x, &y) {
                if status != Status::Pass {
                    let gap = match op {
                        Cmp::Ge | Cmp::Gt => yq.minus(*xq).ok(),
                        Cmp::Le | Cmp::Lt => xq.minus(*yq).ok(),
                        Cmp::Eq | Cmp::Ne => None,
                    };
                    shortfall = gap.map(|g| show(&Value::Num(g), &a.ty));
                }
            }
            return Out {
                status,
                actual: Some(show(&x, &a.ty)),
                required: Some(show(&y, &b.ty)),
                shortfall,
                missing: Vec::new(),
            };
        }
    }
    match env.bool(cond) {
        Ok(h) => bare(status_of(h, open)),
        Err(w) => unknown(w),
    }
}

fn unknown(why: String) -> Out {
    let mut o = bare(Status::Unknown);
    o.missing.push(why);
    o
}

fn cadence(env: &mut Env<'_>, c: &Cadence, outer: Option<DateRange>) -> Out {
    let data = env.data;
    let as_of = env.as_of;
    let Some(outer) = outer else {
        return unknown("the cadence has no range to run over".into());
    };
    let by = match env.entity(&c.by) {
        Ok(r) => r,
        Err(w) => return unknown(w),
    };
    let (mut required, mut satisfied, mut failed, mut waiting) = (0i64, 0i64, 0i64, 0i64);
    let mut missing = Vec::new();
    let mut listed = 0;
    for (i, (piece, cut_short)) in cut(c.every, outer, env.policy).into_iter().enumerate() {
        // decisions C2: a cut-short tail is not required, unless the range
        // has no whole sub-window at all; then its first one is.
        if (cut_short && i > 0) || piece.start > as_of {
            continue;
        }
        required += 1;
        let mut found: Vec<&Activity> = Vec::new();
        for (i, a) in by_end_date(data) {
            let who = if c.hosted {
                a.host.map(org_entity)
            } else {
                Some(actor_entity(a.organizer))
            };
            if who != Some(by) || a.kind != c.kind {
                continue;
            }
            if a.end_date < piece.start || a.end_date > piece.end || a.end_date > as_of {
                continue;
            }
            if let Some(f) = &c.filter {
                env.vars.insert(
                    c.elem.0,
                    Value::Entity(EntityRef::Activity(ActivityIx(i as u32))),
                );
                match env.bool(f) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(w) => {
                        // What was found so far stays listed.
                        missing.push(w);
                        let mut o = bare(Status::Unknown);
                        o.missing = missing;
                        return o;
                    }
                }
            }
            found.push(a);
        }
        if found.len() >= c.at_least as usize {
            satisfied += 1;
            // The activities of satisfied sub-windows, up to 20 in all.
            for a in found {
                if listed < 20 {
                    listed += 1;
                    env.trace.counted.push(Record {
                        kind: Cow::Borrowed("activity"),
                        id: a.id.as_str().into(),
                        value: Some(Figure::Text(a.end_date.to_string())),
                        reason: Some(format!("{} in {} .. {}", c.kind, piece.start, piece.end)),
                    });
                } else {
                    env.trace.more += 1;
                }
            }
        } else {
            let open = piece.end > as_of;
            if open {
                waiting += 1;
            } else {
                failed += 1;
            }
            missing.push(format!(
                "{} .. {}: {} of {} {}{}",
                piece.start,
                piece.end,
                found.len(),
                c.at_least,
                c.kind,
                if open { " (window still open)" } else { "" }
            ));
        }
    }
    let status = if required == 0 {
        Status::NotApplicable
    } else if failed > 0 {
        Status::Fail
    } else if waiting > 0 {
        Status::Pending
    } else {
        Status::Pass
    };
    Out {
        status,
        actual: Some(satisfied.to_string()),
        required: Some(required.to_string()),
        shortfall: matches!(status, Status::Fail | Status::Pending)
            .then(|| (failed + waiting).to_string()),
        missing,
    }
}

fn subject_name(data: &Dataset, r: EntityRef) -> (&'static str, String, String) {
    let id = id_of(data, r);
    match r {
        EntityRef::District(d) => ("district", id, data.districts[d.0 as usize].name.clone()),
        EntityRef::School(s) => ("school", id, data.schools[s.0 as usize].name.clone()),
        EntityRef::Person(p) => ("person", id, data.people[p.0 as usize].name.clone()),
        EntityRef::Activity(a) => ("activity", id, activity(data, a).title.clone()),
        EntityRef::Enrollment(_) => ("enrollment", id.clone(), id),
        EntityRef::Mentorship(m) => {
            let m = &data.mentorships[m.0 as usize];
            let name = format!(
                "{} → {}",
                data.people[m.mentor.0 as usize].name, data.people[m.trainee.0 as usize].name
            );
            ("mentorship", id, name)
        }
        EntityRef::Session(_) => ("session", id.clone(), id),
    }
}

fn subjects(data: &Dataset, rule: &Rule) -> Vec<EntityRef> {
    use tenet::schema::Entity as E;
    let n = |len: usize| 0..len as u32;
    match rule.subject {
        E::District => n(data.districts.len())
            .map(|i| EntityRef::District(DistrictIx(i)))
            .collect(),
        E::School => n(data.schools.len())
            .map(|i| EntityRef::School(SchoolIx(i)))
            .collect(),
        E::Person => n(data.people.len())
            .map(|i| EntityRef::Person(PersonIx(i)))
            .collect(),
        E::Activity => n(data.activities.len())
            .map(|i| EntityRef::Activity(ActivityIx(i)))
            .collect(),
        E::Enrollment => n(data.enrollments.len())
            .map(|i| EntityRef::Enrollment(EnrollmentIx(i)))
            .collect(),
        E::Mentorship => n(data.mentorships.len())
            .map(|i| EntityRef::Mentorship(MentorshipIx(i)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The school a subject counts toward in the summary (decisions S8).
fn school_of(data: &Dataset, r: EntityRef) -> Option<usize> {
    let of_person = |p: PersonIx| match data.people[p.0 as usize].org {
        Org::School(s) => Some(school_ix(data, s)),
        Org::District(_) => None,
    };
    match r {
        EntityRef::School(s) => Some(s.0 as usize),
        EntityRef::Person(p) => of_person(p),
        EntityRef::Enrollment(e) => of_person(data.enrollments[e.0 as usize].person),
        EntityRef::Mentorship(m) => of_person(data.mentorships[m.0 as usize].trainee),
        EntityRef::Activity(a) => {
            let a = activity(data, a);
            let place = match (a.host, a.organizer) {
                (Some(h), _) => Some(h),
                (None, Actor::Org(o)) => Some(o),
                (None, Actor::Person(_)) => None,
            };
            match place {
                Some(Org::School(s)) => Some(s.0 as usize),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Records of a rule without a window come from effective ∩ (.. as_of];
/// with no effective from all time up to as_of; before effective starts,
/// none (an empty range, decisions W2).
fn point_in_time(policy: &CheckedPolicy, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    match policy.effective {
        None => (NaiveDate::MIN, as_of),
        Some(e) => match range(e.start, e.end.min(as_of)) {
            Some(r) => (r.start, r.end),
            None => (e.start, as_of),
        },
    }
}

/// Figures in messages are shown by the library's presentation module
/// (`tenet::readable`): how a figure reads is not part of the semantics
/// this evaluator checks; the exact figures it fills in are.
fn render(
    template: &str,
    o: &Out,
    figures: tenet::readable::Figures,
    rule: &str,
    name: &str,
    w: Option<DateRange>,
) -> String {
    let window = w.map_or("-".to_string(), |w| format!("{} .. {}", w.start, w.end));
    let shown = figures.show(
        o.actual.as_deref(),
        o.required.as_deref(),
        o.shortfall.as_deref(),
    );
    template
        .replace("{actual}", shown.actual.as_deref().unwrap_or("-"))
        .replace("{required}", shown.required.as_deref().unwrap_or("-"))
        .replace("{shortfall}", shown.shortfall.as_deref().unwrap_or("0"))
        .replace("{subject}", name)
        .replace("{name}", name)
        .replace("{window}", &window)
        .replace("{rule}", rule)
}

fn rule_results(
    policy: &CheckedPolicy,
    rule: &Rule,
    data: &Dataset,
    subject: EntityRef,
    as_of: NaiveDate,
    out: &mut Vec<(RuleResult, Option<usize>)>,
) {
    let (kind, id, name) = subject_name(data, subject);
    let school = school_of(data, subject);
    let figures = tenet::readable::Figures::of_rule(rule, policy);
    // decisions W2: a window-less rule reports the `effective` range.
    let whole = match rule.window {
        WindowSpec::None => policy.effective,
        _ => None,
    };
    let mut push = |w: Option<DateRange>, mut o: Out, mut explanation: Explanation| {
        let w = w.or(whole);
        // What is missing, each reason once, after anything found before.
        for why in std::mem::take(&mut o.missing) {
            if !explanation.missing.contains(&why) {
                explanation.missing.push(why);
            }
        }
        let message = rule
            .message
            .as_ref()
            .filter(|_| matches!(o.status, Status::Fail | Status::Pending))
            .map(|t| render(t, &o, figures, &rule.id, &name, w));
        out.push((
            RuleResult {
                rule: rule.id.clone(),
                subject: Subject {
                    kind: Cow::Borrowed(kind),
                    id: id.clone(),
                },
                window: w.map(|w| WindowOut {
                    start: w.start,
                    end: w.end,
                }),
                status: o.status,
                actual: o.actual,
                required: o.required,
                shortfall: o.shortfall,
                severity: rule.severity,
                explanation: Explanation {
                    message,
                    ..explanation
                },
            },
            school,
        ));
    };
    let (from, to) = point_in_time(policy, as_of);
    let mut env = Env {
        data,
        policy,
        as_of,
        from,
        to,
        window: None,
        param_day: as_of,
        age_day: as_of,
        vars: HashMap::new(),
        trace: Explanation::default(),
    };
    env.vars.insert(rule.var.0, Value::Entity(subject));
    let per_window = filter_per_window(rule);
    if let (Some(f), false) = (&rule.filter, per_window) {
        match env.bool(f) {
            Ok(true) => {}
            Ok(false) => return,
            Err(w) => {
                push(
                    None,
                    unknown(format!("cannot tell whether the rule applies: {w}")),
                    std::mem::take(&mut env.trace),
                );
                return;
            }
        }
    }
    // What the scope filter computed is not part of the explanation.
    env.trace = Explanation::default();
    let windows: Vec<Option<DateRange>> = match &rule.window {
        WindowSpec::None => vec![None],
        WindowSpec::Each { period, .. } => match policy.effective {
            Some(eff) => cut(*period, eff, policy)
                .into_iter()
                .map(|(r, _)| Some(r))
                .collect(),
            None => vec![],
        },
        WindowSpec::Cycle { range, .. } => vec![Some(*range)],
        WindowSpec::Within { length, after, .. } => match env.date(after) {
            Ok(d) => vec![plus(d, *length)
                .and_then(|e| e.pred_opt())
                .and_then(|e| range(d, e))],
            Err(w) => {
                push(None, unknown(w), std::mem::take(&mut env.trace));
                return;
            }
        },
        WindowSpec::During { of, .. } => {
            let r = match env.entity(of) {
                Ok(EntityRef::Mentorship(m)) => {
                    let m = &data.mentorships[m.0 as usize];
                    range(m.start_date, m.end_date)
                }
                Ok(EntityRef::Activity(a)) => {
                    let a = activity(data, a);
                    range(a.start_date, a.end_date)
                }
                _ => None,
            };
            vec![r]
        }
    };
    for w in windows {
        let clipped = match (w, policy.effective) {
            (Some(w), Some(eff)) => match range(w.start.max(eff.start), w.end.min(eff.end)) {
                // decisions W13: the subject's own window sticking out of
                // effective is not judged on a part.
                Some(c)
                    if c != w
                        && matches!(
                            rule.window,
                            WindowSpec::Within { .. } | WindowSpec::During { .. }
                        ) =>
                {
                    if w.start <= as_of {
                        let mut o = bare(Status::NotApplicable);
                        o.missing.push(format!(
                            "window {} .. {} is cut short by the effective range {} .. {}: \
                             not held to the full requirement on a part of it",
                            w.start, w.end, eff.start, eff.end
                        ));
                        push(Some(w), o, Explanation::default());
                    }
                    continue;
                }
                Some(c) => Some(c),
                None => {
                    if w.start <= as_of {
                        let mut o = bare(Status::NotApplicable);
                        o.missing.push(format!(
                            "window {} .. {} lies outside the effective range {} .. {}",
                            w.start, w.end, eff.start, eff.end
                        ));
                        push(Some(w), o, Explanation::default());
                    }
                    continue;
                }
            },
            (w, _) => w,
        };
        if let Some(c) = clipped {
            if c.start > as_of {
                continue;
            }
            if let Some(b) = rule.window.bind() {
                env.vars.insert(b.0, Value::Window(c));
            }
        }
        env.window = clipped;
        (env.from, env.to) = match clipped {
            Some(c) => (c.start, c.end.min(as_of)),
            None => point_in_time(policy, as_of),
        };
        env.param_day = clipped.map_or(as_of, |c| c.start);
        env.age_day = clipped.map_or(as_of, |c| c.end.min(as_of));
        env.trace = Explanation::default();
        if let (Some(f), true) = (&rule.filter, per_window) {
            match env.bool(f) {
                Ok(true) => env.trace = Explanation::default(),
                Ok(false) => continue,
                Err(why) => {
                    push(
                        clipped,
                        unknown(format!("cannot tell whether the rule applies: {why}")),
                        std::mem::take(&mut env.trace),
                    );
                    continue;
                }
            }
        }
        // decisions W14: nothing is owed before the hire date, nor for a
        // window the person joined part way through.
        if let EntityRef::Person(p) = subject {
            if let Some(hired) = data.people[p.0 as usize].hire_date {
                let why = match clipped {
                    Some(c) if hired > c.end => Some(format!(
                        "hired {hired}, after the window ends: no obligation before the hire date"
                    )),
                    _ if hired > as_of => {
                        Some(format!("hired {hired}, after the evaluation date {as_of}"))
                    }
                    Some(c) if hired > c.start => Some(format!(
                        "hired {hired}, during the window: not held to a full window's requirement"
                    )),
                    _ => None,
                };
                if let Some(why) = why {
                    let mut o = bare(Status::NotApplicable);
                    o.missing.push(why);
                    push(clipped, o, std::mem::take(&mut env.trace));
                    continue;
                }
            }
        }
        let open = clipped.is_some_and(|c| c.end > as_of);
        let o = match &rule.require {
            Requirement::Check(cond) => check(&mut env, cond, open),
            Requirement::Cadence(c) => cadence(&mut env, c, clipped.or(policy.effective)),
        };
        push(clipped, o, std::mem::take(&mut env.trace));
    }
}

fn counts<'r>(results: impl Iterator<Item = &'r RuleResult>) -> Counts {
    let mut c = Counts::default();
    for r in results {
        match r.status {
            Status::Pass => c.pass += 1,
            Status::Fail => c.fail += 1,
            Status::Pending => c.pending += 1,
            Status::NotApplicable => c.not_applicable += 1,
            Status::Unknown => c.unknown += 1,
        }
    }
    if c.pass + c.fail > 0 {
        let rate = Decimal::from(c.pass) / Decimal::from(c.pass + c.fail);
        c.compliance_rate = Some(rate.round_dp(4).to_string());
    }
    c
}

/// Evaluates one policy, the slow and simple way.
pub fn evaluate(policy: &CheckedPolicy, data: &Dataset, as_of: NaiveDate) -> Report {
    let mut all: Vec<(RuleResult, Option<usize>)> = Vec::new();
    for rule in &policy.rules {
        for subject in subjects(data, rule) {
            rule_results(policy, rule, data, subject, as_of, &mut all);
        }
    }
    let results: Vec<RuleResult> = all.iter().map(|(r, _)| r.clone()).collect();
    let rules = policy
        .rules
        .iter()
        .map(|rule| RuleSummary {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            counts: counts(results.iter().filter(|r| r.rule == rule.id)),
        })
        .collect();
    let schools = data
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| SchoolSummary {
            school: s.id.clone(),
            name: s.name.clone(),
            counts: counts(all.iter().filter(|(_, sc)| *sc == Some(i)).map(|(r, _)| r)),
        })
        .collect();
    let violations = results
        .iter()
        .filter(|r| r.status == Status::Fail && r.severity == tenet::program::Severity::Required)
        .count() as u64;
    Report {
        policy: policy.id.clone(),
        as_of,
        summary: Summary {
            title: policy.title.clone(),
            source: policy.source.clone(),
            total: counts(results.iter()),
            violations,
            rules,
            schools,
        },
        results,
    }
}
