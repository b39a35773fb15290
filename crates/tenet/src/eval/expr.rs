//! Evaluating typed expressions against a dataset.
//!
//! Missing data is not an error: it is [`Halt::Unknown`], which `and`/`or`
//! treat with three-valued logic (false wins an `and`, true wins an `or`),
//! so a rule never passes or fails on data it does not have.

use super::credit::{credit_ctx, credit_of, denial_reason, CreditTable, Entry};
use super::hoist::{Hoist, Kept, Offered};
use crate::model::{Actor, Dataset, EnrollmentIx, Org, PersonIx};
use crate::program::{Aggregate, Arith, CheckedPolicy, Cmp, Expr, ExprKind};
use crate::report::{Explanation, Fact, Figure, Record};
use crate::schema::{Entity, EnumValue, Field, Type};
use crate::syntax::ast::{AggFn, RelKind, RelLink};
use crate::value::{add_duration, DateRange, EntityRef, Overflow, Value, Q};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

/// Why evaluation stopped short of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Halt {
    /// Data needed is missing; says what.
    Unknown(String),
}

impl From<Overflow> for Halt {
    fn from(_: Overflow) -> Halt {
        Halt::Unknown("arithmetic overflow: a value is beyond the range of exact decimals".into())
    }
}

pub(crate) type R<T> = Result<T, Halt>;

/// How many records an aggregate lists in an explanation.
const LIST_CAP: usize = 20;

/// Evaluation state for one rule, subject and window.
pub(crate) struct Ctx<'a> {
    pub data: &'a Dataset,
    pub policy: &'a CheckedPolicy,
    pub as_of: NaiveDate,
    /// Records count when their date lies here (window ∩ effective ∩ ..as_of).
    pub range: DateRange,
    /// The rule's window, if it has one.
    pub window: Option<DateRange>,
    /// The day params and default ages are taken at.
    pub param_day: NaiveDate,
    pub default_at: NaiveDate,
    pub env: Vec<Option<Value>>,
    pub trace: Explanation,
    /// Credit of every enrollment, when computed ahead for a whole run.
    pub credits: Option<&'a CreditTable>,
    /// A context for the credit block when there is no table.
    pub scratch: Option<Box<Ctx<'a>>>,
    /// Shared record ids, when made ahead for a whole run.
    pub names: Option<&'a super::names::Names>,
    /// Whether explanations list the records counted and left out; when
    /// not, they only count them in `more`.
    pub lists: bool,
    /// Aggregates kept for reuse inside enclosing loops.
    pub hoist: Hoist,
}

fn unknown<T>(why: String) -> R<T> {
    Err(Halt::Unknown(why))
}

impl<'a> Ctx<'a> {
    pub fn set(&mut self, var: crate::program::Var, v: Value) {
        let i = usize::from(var.0);
        if self.env.len() <= i {
            self.env.resize(i + 1, None);
        }
        if let Some(slot) = self.env.get_mut(i) {
            *slot = Some(v);
        }
    }

    fn get(&self, var: crate::program::Var) -> R<Value> {
        match self.env.get(usize::from(var.0)) {
            Some(Some(v)) => Ok(v.clone()),
            _ => unknown("internal: unbound variable".into()),
        }
    }

    fn fact(&mut self, expr: &Arc<str>, value: String) {
        self.hoist.offer(|| {
            Offered::Fact(Fact {
                expr: Arc::clone(expr),
                value: value.clone(),
            })
        });
        if !expr.is_empty() && !self.trace.values.iter().any(|f| f.expr == *expr) {
            self.trace.values.push(Fact {
                expr: Arc::clone(expr),
                value,
            });
        }
    }

    fn param_fact(&mut self, fact: Fact) {
        if !self.trace.params.iter().any(|f| f.expr == fact.expr) {
            self.trace.params.push(fact);
        }
    }

    pub fn eval_bool(&mut self, e: &Expr) -> R<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            _ => unknown("internal: expected true or false".into()),
        }
    }

    pub fn eval_num(&mut self, e: &Expr) -> R<Q> {
        if let Some(q) = self.quick_num(e) {
            return Ok(q);
        }
        match self.eval(e)? {
            Value::Num(q) => Ok(q),
            _ => unknown("internal: expected a number".into()),
        }
    }

    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        match e.kind {
            // Leaves do not recurse: no stack check (it was a tenth of
            // the time spent crediting enrollments).
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::Param(_) => self.eval_inner(e),
            _ => crate::stack::guard(|| self.eval_inner(e)),
        }
    }

    fn eval_inner(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Param(id) => {
                let p = self
                    .policy
                    .params
                    .get(usize::from(id.0))
                    .ok_or_else(|| Halt::Unknown("internal: unknown param".into()))?;
                let v = p
                    .at(self.param_day)
                    .cloned()
                    .ok_or_else(|| Halt::Unknown(format!("param `{}` has no value", p.name)))?;
                let fact = || Fact {
                    expr: Arc::clone(&p.name),
                    value: show(&v, &p.ty),
                };
                self.hoist.offer(|| Offered::Param(fact()));
                self.param_fact(fact());
                Ok(v)
            }
            ExprKind::Var(v) => self.get(*v),
            ExprKind::Field(base, field) => {
                let b = self.eval(base)?;
                self.field(b, *field)
            }
            ExprKind::Attr(base, column) => {
                let b = self.eval(base)?;
                let (attrs, entity) = match b {
                    Value::Entity(EntityRef::District(d)) => {
                        (&self.data.district(d).attrs, Entity::District)
                    }
                    Value::Entity(EntityRef::School(s)) => {
                        (&self.data.school(s).attrs, Entity::School)
                    }
                    Value::Entity(EntityRef::Person(p)) => {
                        (&self.data.person(p).attrs, Entity::Person)
                    }
                    Value::Entity(EntityRef::Activity(a)) => {
                        (&self.data.activity(a).attrs, Entity::Activity)
                    }
                    _ => return unknown("internal: no extra columns".into()),
                };
                match attrs.get(column) {
                    Some(v) => Ok(Value::Str(v.clone())),
                    // A blank cell of a column the table has: nothing
                    // recorded, a known "" (decisions R7).
                    None if self.data.has_column(entity, column) => Ok(Value::Str(String::new())),
                    None => unknown(no_column(self.data, entity, column)),
                }
            }
            ExprKind::Neg(x) => Ok(Value::Num(self.eval_num(x)?.negate())),
            ExprKind::Not(x) => Ok(Value::Bool(!self.eval_bool(x)?)),
            ExprKind::And(a, b) => {
                let x = self.eval_bool(a);
                if x == Ok(false) {
                    return Ok(Value::Bool(false));
                }
                let y = self.eval_bool(b);
                match (x, y) {
                    (_, Ok(false)) => Ok(Value::Bool(false)),
                    (Ok(true), Ok(true)) => Ok(Value::Bool(true)),
                    (Err(h), _) | (_, Err(h)) => Err(h),
                    _ => Ok(Value::Bool(false)),
                }
            }
            ExprKind::Or(a, b) => {
                let x = self.eval_bool(a);
                if x == Ok(true) {
                    return Ok(Value::Bool(true));
                }
                let y = self.eval_bool(b);
                match (x, y) {
                    (_, Ok(true)) => Ok(Value::Bool(true)),
                    (Ok(false), Ok(false)) => Ok(Value::Bool(false)),
                    (Err(h), _) | (_, Err(h)) => Err(h),
                    _ => Ok(Value::Bool(true)),
                }
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                arith(*op, x, y)
            }
            ExprKind::Of(a, b) => {
                let s = self.eval_num(a)?;
                let q = self.eval_num(b)?;
                Ok(Value::Num(s.times(q)?))
            }
            ExprKind::Compare(op, a, b) => {
                if let (Some(x), Some(y)) = (self.quick_num(a), self.quick_num(b)) {
                    if let Ok(o) = x.compare(y) {
                        return Ok(Value::Bool(holds(*op, o)));
                    }
                }
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                Ok(Value::Bool(compare(*op, &x, &y)?))
            }
            ExprKind::Has(p, role) => match self.eval(p)? {
                Value::Entity(EntityRef::Person(p)) => {
                    Ok(Value::Bool(self.data.person(p).roles.contains(*role)))
                }
                _ => unknown("internal: `has` on a non-person".into()),
            },
            ExprKind::In {
                negated,
                value,
                list,
            } => {
                let v = self.eval(value)?;
                let mut found = false;
                for item in list {
                    if compare(Cmp::Eq, &v, &self.eval(item)?)? {
                        found = true;
                        break;
                    }
                }
                Ok(Value::Bool(found != *negated))
            }
            ExprKind::Aggregate(agg) => {
                let v = if self.hoist.hoistable(agg) {
                    self.hoisted(agg, &e.ty)?
                } else {
                    self.aggregate(agg, &e.ty)?
                };
                self.fact(&e.text, show(&v, &e.ty));
                Ok(v)
            }
            ExprKind::Credited {
                person,
                elem,
                filter,
            } => {
                let p = match self.eval(person)? {
                    Value::Entity(EntityRef::Person(p)) => p,
                    _ => return unknown("internal: credited_hours of a non-person".into()),
                };
                let total = self.credited(p, *elem, filter.as_deref())?;
                self.fact(&e.text, show(&Value::Num(total), &Type::Hours));
                Ok(Value::Num(total))
            }
            ExprKind::Age { person, at } => {
                let p = match self.eval(person)? {
                    Value::Entity(EntityRef::Person(p)) => p,
                    _ => return unknown("internal: age of a non-person".into()),
                };
                let at = self.at(at.as_deref())?;
                let person = self.data.person(p);
                let Some(born) = person.birth_date else {
                    return unknown(format!("person `{}` has no birth_date", person.id));
                };
                let age = completed_years(born, at);
                self.fact(&e.text, format!("{age} (born {born}, at {at})"));
                Ok(Value::Num(Q::new(age.into())))
            }
            ExprKind::Tenure { since, at } => {
                let since = match self.eval(since)? {
                    Value::Date(d) => d,
                    _ => return unknown("internal: tenure of a non-date".into()),
                };
                let at = self.at(at.as_deref())?;
                self.fact(&e.text, format!("since {since}, at {at}"));
                Ok(Value::Elapsed { since, at })
            }
            ExprKind::Finance { org, year, item } => {
                let org = match self.eval(org)? {
                    Value::Entity(EntityRef::School(s)) => Org::School(s),
                    Value::Entity(EntityRef::District(d)) => Org::District(d),
                    _ => return unknown("internal: finance of a non-org".into()),
                };
                let year = match year {
                    Some(y) => match self.eval(y)? {
                        Value::Window(w) => w.start.year(),
                        Value::Num(q) => {
                            let d = q.to_decimal();
                            i32::try_from(d.trunc().mantissa())
                                .ok()
                                .filter(|_| d.fract().is_zero() && d.scale() == 0)
                                .unwrap_or(0)
                        }
                        _ => 0,
                    },
                    None => self.window.map_or(self.as_of.year(), |w| w.start.year()),
                };
                let id = self.data.org_id(org).to_string();
                match self.data.finance_amount(org, year, *item) {
                    Some(amount) => {
                        let v = Value::Num(Q::new(amount));
                        self.fact(&e.text, show(&v, &Type::Money));
                        Ok(v)
                    }
                    // The reason travels with the `unknown`: only a result
                    // it decides lists it (an `or` the other side decides
                    // lists nothing).
                    None => unknown(format!("no finance row for `{id}` {year} `{item}`")),
                }
            }
            ExprKind::YearOf(x) => match self.eval(x)? {
                Value::Date(d) => Ok(Value::Num(Q::new(d.year().into()))),
                Value::Window(w) => Ok(Value::Num(Q::new(w.start.year().into()))),
                _ => unknown("internal: year_of a non-date".into()),
            },
        }
    }

    fn at(&mut self, at: Option<&Expr>) -> R<NaiveDate> {
        match at {
            None => Ok(self.default_at),
            Some(e) => match self.eval(e)? {
                Value::Date(d) => Ok(d),
                _ => unknown("internal: expected a date".into()),
            },
        }
    }

    /// A quantity made only of constants, numeric fields of bound records
    /// and `of` — the shape of a credit block, which runs once per
    /// enrollment — computed without building `Value`s. `None` for any other
    /// shape, or when the general evaluator has something to report (an
    /// overflow, a trace entry), which then computes it the usual way.
    fn quick_num(&self, e: &Expr) -> Option<Q> {
        let data = self.data;
        match &e.kind {
            ExprKind::Const(Value::Num(q)) => Some(*q),
            ExprKind::Of(a, b) => self.quick_num(a)?.times(self.quick_num(b)?).ok(),
            ExprKind::Field(base, field) => {
                let d = match (self.quick_record(base)?, field) {
                    (EntityRef::Enrollment(ix), Field::AbsentHours) => data.absent_hours(ix),
                    (EntityRef::Enrollment(ix), Field::ScheduledHours) => {
                        data.activity(data.enrollment(ix).activity).scheduled_hours
                    }
                    (EntityRef::Activity(a), Field::Hours) => data.activity(a).hours,
                    (EntityRef::Activity(a), Field::ScheduledHours) => {
                        data.activity(a).scheduled_hours
                    }
                    (EntityRef::Session(s), Field::Hours) => data.session(s).hours,
                    _ => return None,
                };
                Some(Q::new(d))
            }
            _ => None,
        }
    }

    /// The record a variable, or a variable's enrollment's activity or
    /// session's activity, is bound to.
    fn quick_record(&self, e: &Expr) -> Option<EntityRef> {
        match &e.kind {
            ExprKind::Var(v) => match self.env.get(usize::from(v.0))? {
                Some(Value::Entity(r)) => Some(*r),
                _ => None,
            },
            ExprKind::Field(base, Field::Activity) => match self.quick_record(base)? {
                EntityRef::Enrollment(ix) => {
                    Some(EntityRef::Activity(self.data.enrollment(ix).activity))
                }
                EntityRef::Session(s) => Some(EntityRef::Activity(self.data.session(s).activity)),
                _ => None,
            },
            _ => None,
        }
    }

    /// A record's id for an explanation: the run's shared copy when there
    /// is one.
    pub fn record_id(&self, r: EntityRef) -> Arc<str> {
        match self.names.and_then(|n| n.get(self.data, r)) {
            Some(id) => Arc::clone(id),
            None => Arc::from(self.id_of(Some(r)).as_ref()),
        }
    }

    pub fn entity_id(&self, r: Option<EntityRef>) -> String {
        self.id_of(r).into_owned()
    }

    /// A record's id, borrowed from the dataset where it is spelled there.
    fn id_of(&self, r: Option<EntityRef>) -> Cow<'a, str> {
        let data = self.data;
        Cow::Borrowed(match r {
            Some(EntityRef::District(d)) => &data.district(d).id,
            Some(EntityRef::School(s)) => &data.school(s).id,
            Some(EntityRef::Person(p)) => &data.person(p).id,
            Some(EntityRef::Activity(a)) => &data.activity(a).id,
            Some(EntityRef::Session(s)) => &data.session(s).id,
            Some(EntityRef::Mentorship(m)) => &data.mentorship(m).id,
            Some(EntityRef::Enrollment(e)) => {
                let e = data.enrollment(e);
                return Cow::Owned(format!(
                    "{}/{}",
                    data.person(e.person).id,
                    data.activity(e.activity).id
                ));
            }
            None => "?",
        })
    }

    fn field(&mut self, base: Value, field: Field) -> R<Value> {
        let data = self.data;
        let missing =
            |what: &str, id: &str, kind: &str| unknown(format!("{kind} `{id}` has no {what}"));
        let date = |d: Option<NaiveDate>, what: &str, id: &str| match d {
            Some(d) => Ok(Value::Date(d)),
            None => missing(what, id, "person"),
        };
        let actor = |a: Actor| match a {
            Actor::Person(p) => EntityRef::Person(p),
            Actor::Org(o) => org_ref(o),
        };
        let v = match (base, field) {
            (Value::Window(w), Field::StartDate) => Value::Date(w.start),
            (Value::Window(w), Field::EndDate) => Value::Date(w.end),
            (Value::Window(w), Field::Year) => Value::Num(Q::new(w.start.year().into())),
            (Value::Entity(r), Field::Id) => Value::Str(self.entity_id(Some(r))),
            (Value::Entity(EntityRef::District(d)), Field::Name) => {
                Value::Str(data.district(d).name.clone())
            }
            (Value::Entity(EntityRef::School(s)), f) => {
                let s = data.school(s);
                match f {
                    Field::Name => Value::Str(s.name.clone()),
                    Field::District => Value::Entity(EntityRef::District(s.district)),
                    Field::Rural => Value::Bool(s.rural),
                    Field::TrainingBase => Value::Bool(s.training_base),
                    _ => return unknown("internal: no such school field".into()),
                }
            }
            (Value::Entity(EntityRef::Person(p)), f) => {
                let p = data.person(p);
                match f {
                    Field::Name => Value::Str(p.name.clone()),
                    Field::Org => Value::Entity(org_ref(p.org)),
                    Field::BirthDate => date(p.birth_date, "birth_date", &p.id)?,
                    Field::HireDate => date(p.hire_date, "hire_date", &p.id)?,
                    Field::PostStartDate => date(p.post_start_date, "post_start_date", &p.id)?,
                    _ => return unknown("internal: no such person field".into()),
                }
            }
            (Value::Entity(EntityRef::Activity(a)), f) => {
                let a = data.activity(a);
                match f {
                    Field::Title => Value::Str(a.title.clone()),
                    Field::Organizer => Value::Entity(actor(a.organizer)),
                    Field::Host => match a.host {
                        Some(h) => Value::Entity(org_ref(h)),
                        None => return missing("host", &a.id, "activity"),
                    },
                    Field::Level => Value::Enum(EnumValue::Level(a.level)),
                    Field::Kind => Value::Enum(EnumValue::Kind(a.kind)),
                    Field::Mode => Value::Enum(EnumValue::Mode(a.mode)),
                    Field::StartDate => Value::Date(a.start_date),
                    Field::EndDate => Value::Date(a.end_date),
                    Field::Hours => Value::Num(Q::new(a.hours)),
                    Field::ScheduledHours => Value::Num(Q::new(a.scheduled_hours)),
                    _ => return unknown("internal: no such activity field".into()),
                }
            }
            (Value::Entity(EntityRef::Session(s)), f) => {
                let s = data.session(s);
                match f {
                    Field::Activity => Value::Entity(EntityRef::Activity(s.activity)),
                    Field::Date => Value::Date(s.date),
                    Field::Hours => Value::Num(Q::new(s.hours)),
                    _ => return unknown("internal: no such session field".into()),
                }
            }
            (Value::Entity(EntityRef::Enrollment(ix)), f) => {
                let e = data.enrollment(ix);
                match f {
                    Field::Person => Value::Entity(EntityRef::Person(e.person)),
                    Field::Activity => Value::Entity(EntityRef::Activity(e.activity)),
                    Field::AbsentHours => Value::Num(Q::new(data.absent_hours(ix))),
                    Field::ScheduledHours => {
                        Value::Num(Q::new(data.activity(e.activity).scheduled_hours))
                    }
                    Field::Credited => Value::Num(self.credit(ix)?.0),
                    _ => return unknown("internal: no such enrollment field".into()),
                }
            }
            (Value::Entity(EntityRef::Mentorship(m)), f) => {
                let m = data.mentorship(m);
                match f {
                    Field::Mentor => Value::Entity(EntityRef::Person(m.mentor)),
                    Field::Trainee => Value::Entity(EntityRef::Person(m.trainee)),
                    Field::Program => Value::Str(m.program.clone()),
                    Field::StartDate => Value::Date(m.start_date),
                    Field::EndDate => Value::Date(m.end_date),
                    _ => return unknown("internal: no such mentorship field".into()),
                }
            }
            _ => return unknown("internal: field of a non-record".into()),
        };
        Ok(v)
    }

    /// The members of a relation, in data order, limited to `self.range`
    /// for dated records.
    fn members(&mut self, agg: &Aggregate) -> R<Vec<EntityRef>> {
        let data = self.data;
        let range = self.range;
        let anchor = match &agg.link {
            Some((how, e)) => Some((*how, self.eval(e)?)),
            None => None,
        };
        let anchor_ref = anchor.as_ref().and_then(|(how, v)| match v {
            Value::Entity(r) => Some((*how, *r)),
            _ => None,
        });
        let out: Vec<EntityRef> = match (agg.relation, anchor_ref) {
            (RelKind::People, None) => (0..data.people.len())
                .map(|i| EntityRef::Person(PersonIx(i as u32)))
                .collect(),
            (RelKind::People, Some((_, EntityRef::School(s)))) => data
                .people_at(Org::School(s))
                .iter()
                .map(|p| EntityRef::Person(*p))
                .collect(),
            (RelKind::People, Some((_, EntityRef::District(d)))) => {
                let mut people: Vec<PersonIx> = data.people_at(Org::District(d)).to_vec();
                for s in data.schools_of(d) {
                    people.extend_from_slice(data.people_at(Org::School(*s)));
                }
                people.sort();
                people.into_iter().map(EntityRef::Person).collect()
            }
            (RelKind::Schools, None) => (0..data.schools.len())
                .map(|i| EntityRef::School(crate::model::SchoolIx(i as u32)))
                .collect(),
            (RelKind::Schools, Some((_, EntityRef::District(d)))) => data
                .schools_of(d)
                .iter()
                .map(|s| EntityRef::School(*s))
                .collect(),
            (RelKind::Districts, _) => (0..data.districts.len())
                .map(|i| EntityRef::District(crate::model::DistrictIx(i as u32)))
                .collect(),
            (RelKind::Activities, link) => {
                let list: Vec<crate::model::ActivityIx> = match link {
                    None => (0..data.activities.len())
                        .map(|i| crate::model::ActivityIx(i as u32))
                        .collect(),
                    Some((RelLink::HostedBy, r)) => match ref_org(r) {
                        Some(o) => data.activities_hosted_by(o).to_vec(),
                        None => Vec::new(),
                    },
                    Some((_, r)) => match ref_actor(r) {
                        Some(a) => data.activities_organized_by(a).to_vec(),
                        None => Vec::new(),
                    },
                };
                list.into_iter()
                    .filter(|a| range.contains(data.activity(*a).end_date))
                    .map(EntityRef::Activity)
                    .collect()
            }
            (RelKind::Enrollments, link) => {
                let list: Vec<EnrollmentIx> = match link {
                    Some((_, EntityRef::Person(p))) => {
                        // A ledger already made has the dates at hand; one
                        // is not made just for them.
                        let ledger = self.credits.and_then(|t| t.made(p));
                        let run = self.counted_run(p, ledger);
                        let all = data.enrollments_of(p);
                        return Ok(all
                            .get(run)
                            .unwrap_or(&[])
                            .iter()
                            .map(|e| EntityRef::Enrollment(*e))
                            .collect());
                    }
                    Some((_, EntityRef::Activity(a))) => (0..data.enrollments.len())
                        .map(|i| EnrollmentIx(i as u32))
                        .filter(|e| data.enrollment(*e).activity == a)
                        .collect(),
                    _ => (0..data.enrollments.len())
                        .map(|i| EnrollmentIx(i as u32))
                        .collect(),
                };
                list.into_iter()
                    .filter(|e| {
                        range.contains(data.activity(data.enrollment(*e).activity).end_date)
                    })
                    .map(EntityRef::Enrollment)
                    .collect()
            }
            (RelKind::Sessions, link) => {
                let list: Vec<crate::model::SessionIx> = match link {
                    Some((_, EntityRef::Activity(a))) => data.sessions_of(a).to_vec(),
                    _ => (0..data.sessions.len())
                        .map(|i| crate::model::SessionIx(i as u32))
                        .collect(),
                };
                list.into_iter()
                    .filter(|s| range.contains(data.session(*s).date))
                    .map(EntityRef::Session)
                    .collect()
            }
            (RelKind::Mentorships, link) => {
                let list: Vec<crate::model::MentorshipIx> = match link {
                    Some((_, EntityRef::Person(p))) => data.mentorships_as_mentor(p).to_vec(),
                    _ => (0..data.mentorships.len())
                        .map(|i| crate::model::MentorshipIx(i as u32))
                        .collect(),
                };
                list.into_iter()
                    .filter(|m| {
                        let m = data.mentorship(*m);
                        range.start <= range.end
                            && m.start_date <= range.end
                            && m.end_date >= range.start
                    })
                    .map(EntityRef::Mentorship)
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(out)
    }

    /// An aggregate that reads no variable of the loops around it: its
    /// first evaluation here is kept, and reused with its effect on the
    /// trace replayed (eval::hoist).
    fn hoisted(&mut self, agg: &Aggregate, ty: &Type) -> R<Value> {
        let at = (self.range, self.window, self.param_day, self.default_at);
        let inputs: Vec<Option<Value>> = self
            .hoist
            .free(agg)
            .iter()
            .map(|v| self.env.get(usize::from(v.0)).cloned().flatten())
            .collect();
        if let Some(k) = self.hoist.kept(agg, at, &inputs) {
            let offered = k.offered.clone();
            let result = k.result.clone();
            self.trace.counted.extend(k.counted.iter().cloned());
            self.trace.excluded.extend(k.excluded.iter().cloned());
            self.trace.more += k.more;
            for o in offered {
                match o {
                    Offered::Fact(f) => self.fact(&f.expr, f.value),
                    Offered::Param(f) => {
                        self.hoist.offer(|| Offered::Param(f.clone()));
                        self.param_fact(f);
                    }
                }
            }
            return result;
        }
        let mark = self.hoist.start(
            self.trace.counted.len(),
            self.trace.excluded.len(),
            self.trace.more,
        );
        let result = self.aggregate(agg, ty);
        let offered = self.hoist.stop(&mark);
        let kept = Kept {
            inputs,
            result: result.clone(),
            offered,
            counted: self
                .trace
                .counted
                .get(mark.counted..)
                .unwrap_or_default()
                .to_vec(),
            excluded: self
                .trace
                .excluded
                .get(mark.excluded..)
                .unwrap_or_default()
                .to_vec(),
            more: self.trace.more.saturating_sub(mark.more),
        };
        self.hoist.keep(agg, at, kept);
        result
    }

    fn aggregate(&mut self, agg: &Aggregate, ty: &Type) -> R<Value> {
        self.hoist.iterating.push(agg.elem);
        let result = self.aggregate_members(agg, ty);
        self.hoist.iterating.pop();
        result
    }

    fn aggregate_members(&mut self, agg: &Aggregate, ty: &Type) -> R<Value> {
        let members = self.members(agg)?;
        let total = members.len();
        let mut matched = 0usize;
        let mut acc: Option<Value> = None;
        let mut sum = Q::ZERO;
        let mut listed = 0usize;
        let kind = agg.relation.member();
        for m in members {
            self.set(agg.elem, Value::Entity(m));
            if let Some(f) = &agg.filter {
                if !self.eval_bool(f)? {
                    continue;
                }
            }
            matched += 1;
            let v = match &agg.value {
                Some(v) => Some(self.eval(v)?),
                None => None,
            };
            if self.lists && listed < LIST_CAP {
                listed += 1;
                let value = v
                    .as_ref()
                    .zip(agg.value.as_ref())
                    .map(|(v, e)| Figure::Text(show(v, &e.ty)));
                self.trace.counted.push(Record {
                    kind: Cow::Borrowed(kind),
                    id: self.record_id(m),
                    value,
                    reason: None,
                });
            } else {
                self.trace.more += 1;
            }
            if let Some(v) = v {
                match agg.func {
                    AggFn::Sum | AggFn::Avg => {
                        if let Value::Num(q) = v {
                            sum = sum.plus(q)?;
                        }
                    }
                    AggFn::Min | AggFn::Max => {
                        let replace = match &acc {
                            None => true,
                            Some(cur) => {
                                let better = if agg.func == AggFn::Min {
                                    Cmp::Lt
                                } else {
                                    Cmp::Gt
                                };
                                compare(better, &v, cur)?
                            }
                        };
                        if replace {
                            acc = Some(v);
                        }
                    }
                    _ => {}
                }
            }
        }
        let count = Q::new(rust_decimal::Decimal::from(matched as u64));
        match agg.func {
            AggFn::Count => Ok(Value::Num(count)),
            AggFn::Sum => Ok(Value::Num(sum)),
            AggFn::Share => {
                if total == 0 {
                    return unknown(format!("no {kind} records to take a share of"));
                }
                let all = Q::new(rust_decimal::Decimal::from(total as u64));
                Ok(Value::Num(count.over(all)?.unwrap_or(Q::ZERO)))
            }
            AggFn::Avg => match sum.over(count)? {
                Some(q) => Ok(Value::Num(q)),
                None => unknown(format!("no {kind} records to average")),
            },
            AggFn::Min | AggFn::Max => acc.ok_or_else(|| {
                let _ = ty;
                Halt::Unknown(format!(
                    "no {kind} records to take the {} of",
                    if agg.func == AggFn::Min {
                        "least"
                    } else {
                        "greatest"
                    }
                ))
            }),
        }
    }

    /// Where the enrollments of `p` that count in the current range lie in
    /// `data.enrollments_of(p)` (and in `ledger`, parallel to it).
    /// Enrollments are sorted by their activity's end date, so they are one
    /// contiguous run, found by binary search — on the ledger's dates when
    /// there is one, which sit together in memory.
    fn counted_run(&self, p: PersonIx, ledger: Option<&[Entry]>) -> std::ops::Range<usize> {
        let data = self.data;
        let (start, end) = (self.range.start, self.range.end);
        let (from, to) = match ledger {
            Some(l) => (
                l.partition_point(|x| x.end < start),
                l.partition_point(|x| x.end <= end),
            ),
            None => {
                let all = data.enrollments_of(p);
                let end_of =
                    |ix: &EnrollmentIx| data.activity(data.enrollment(*ix).activity).end_date;
                (
                    all.partition_point(|ix| end_of(ix) < start),
                    all.partition_point(|ix| end_of(ix) <= end),
                )
            }
        };
        from..to.max(from)
    }

    fn credited(&mut self, p: PersonIx, elem: crate::program::Var, filter: Option<&Expr>) -> R<Q> {
        if filter.is_none() {
            return self.credited_in(p, elem, None);
        }
        self.hoist.iterating.push(elem);
        let result = self.credited_in(p, elem, filter);
        self.hoist.iterating.pop();
        result
    }

    fn credited_in(
        &mut self,
        p: PersonIx,
        elem: crate::program::Var,
        filter: Option<&Expr>,
    ) -> R<Q> {
        let data = self.data;
        let all = data.enrollments_of(p);
        let ledger = self.ledger(p);
        let run = self.counted_run(p, ledger);
        let (from, to) = (run.start, run.end);
        if !self.lists && filter.is_none() {
            if let Some(entries) = ledger.and_then(|l| l.get(from..to)) {
                // The common case, counted straight off the ledger: no
                // records, nothing to look up for a whole-hour credit.
                let ixs = all.get(from..to).unwrap_or(&[]);
                let mut counted = 0;
                let total = self.sum_ledger(entries, ixs, &mut counted);
                self.trace.more += counted;
                return total;
            }
        }
        if self.lists && filter.is_none() {
            if let (Some(entries), Some(names)) = (ledger.and_then(|l| l.get(from..to)), self.names)
            {
                // Every enrollment listed, straight off the ledger.
                let ixs = all.get(from..to).unwrap_or(&[]);
                return self.list_ledger(entries, ixs, names.activities(data));
            }
        }
        let mut total = Q::ZERO;
        // Whole-hour credit is summed as an integer (`total` is taken up
        // from it at the first credit that is not, or does not fit).
        let mut sum = Some(WholeSum::ZERO);
        if self.lists {
            self.trace.counted.reserve(to - from);
        }
        for k in from..to {
            let Some(&ix) = all.get(k) else { break };
            let kept = match filter {
                Some(f) => {
                    self.set(elem, Value::Entity(EntityRef::Enrollment(ix)));
                    self.eval_bool(f)?
                }
                None => true,
            };
            let entry = ledger.and_then(|l| l.get(k));
            // Whole-hour credit (the common case) is summed and shown as the
            // decimal it is, with no rational arithmetic.
            let whole = entry.filter(|_| kept).and_then(Entry::whole);
            let (hours, denied) = match (kept, entry, whole) {
                (false, _, _) => (Q::ZERO, None),
                // What the ledger's outcome gives for whole hours.
                (true, Some(_), Some(h)) => (Q::new(h), None),
                (true, Some(entry), None) => self.ledger_credit(*entry, ix)?,
                (true, None, _) => self.credit(ix)?,
            };
            if !self.lists {
                // Nothing is listed: the record is only counted, with no
                // per-record explanation work.
                self.trace.more += 1;
            } else {
                let id = self.record_id(EntityRef::Activity(data.enrollment(ix).activity));
                match kept {
                    false => self.trace.excluded.push(Record {
                        kind: Cow::Borrowed("enrollment"),
                        id,
                        value: Some(Figure::Number(rust_decimal::Decimal::ZERO)),
                        reason: Some(format!(
                            "not counted by this rule: {}",
                            filter.map_or("", |f| &*f.text)
                        )),
                    }),
                    true => self.list_credit(ix, id, hours, whole, denied),
                }
            }
            if kept {
                add_credit(&mut sum, &mut total, whole.or_else(|| hours.whole()), hours)?;
            }
        }
        Ok(sum.map_or(total, WholeSum::total))
    }

    /// [`credited`](Self::credited) of a run of a ledger, every enrollment
    /// listed: the run of a window with no filter, at full detail. `ids`
    /// are the shared activity ids.
    fn list_ledger(&mut self, entries: &[Entry], ixs: &[EnrollmentIx], ids: &[Arc<str>]) -> R<Q> {
        let data = self.data;
        self.trace.counted.reserve(entries.len());
        let mut sum = Some(WholeSum::ZERO);
        let mut total = Q::ZERO;
        for (entry, &ix) in entries.iter().zip(ixs) {
            let activity = data.enrollment(ix).activity;
            let id = match ids.get(activity.index()) {
                Some(id) => Arc::clone(id),
                None => self.record_id(EntityRef::Activity(activity)),
            };
            let (whole, hours) = match entry.whole() {
                Some(h) => {
                    self.trace.counted.push(Record {
                        kind: Cow::Borrowed("enrollment"),
                        id,
                        value: Some(Figure::Number(h)),
                        reason: None,
                    });
                    if let (Some((m, s)), Some(whole_sum)) = (entry.parts(), sum.as_mut()) {
                        if whole_sum.add_parts(m, s) {
                            continue;
                        }
                    }
                    (Some(h), Q::new(h))
                }
                None => {
                    let (hours, denied) = self.ledger_credit(*entry, ix)?;
                    self.list_credit(ix, id, hours, None, denied);
                    (hours.whole(), hours)
                }
            };
            add_credit(&mut sum, &mut total, whole, hours)?;
        }
        Ok(sum.map_or(total, WholeSum::total))
    }

    /// Lists enrollment `ix` (its activity's id `id`) as counted with
    /// `hours` (`whole`, when known whole), or left out when `denied`.
    fn list_credit(
        &mut self,
        ix: EnrollmentIx,
        id: Arc<str>,
        hours: Q,
        whole: Option<rust_decimal::Decimal>,
        denied: Option<&str>,
    ) {
        let Some(reason) = denied else {
            self.trace.counted.push(Record {
                kind: Cow::Borrowed("enrollment"),
                id,
                value: Some(Figure::Number(whole.unwrap_or_else(|| hours.to_decimal()))),
                reason: None,
            });
            return;
        };
        let data = self.data;
        let e = data.enrollment(ix);
        let a = data.activity(e.activity);
        // `{reason} (absent {absent} of {scheduled} scheduled hours)`,
        // sized ahead (`format!` guesses from the literal text and grows
        // the string once the reason is in).
        let mut text = String::with_capacity(reason.len() + 64);
        text.push_str(reason);
        text.push_str(" (absent ");
        crate::value::push_decimal(&mut text, data.absent_hours(ix).normalize());
        text.push_str(" of ");
        crate::value::push_decimal(&mut text, a.scheduled_hours.normalize());
        text.push_str(" scheduled hours)");
        self.trace.excluded.push(Record {
            kind: Cow::Borrowed("enrollment"),
            id,
            value: Some(Figure::Number(rust_decimal::Decimal::ZERO)),
            reason: Some(text),
        });
    }
}

/// Adds an enrollment's credit, `hours` (`whole` when it is a whole
/// decimal), to a window's total: to `sum` while whole credits come and
/// fit, then (from `sum`'s total) to `total`. A denied credit is a whole
/// zero; adding whole values is what `Q::plus` of them does.
fn add_credit(
    sum: &mut Option<WholeSum>,
    total: &mut Q,
    whole: Option<rust_decimal::Decimal>,
    hours: Q,
) -> R<()> {
    if let (Some(h), Some(whole_sum)) = (whole, sum.as_mut()) {
        if whole_sum.add(h) {
            return Ok(());
        }
    }
    if let Some(whole_sum) = sum.take() {
        *total = whole_sum.total();
    }
    *total = match whole {
        Some(h) => total.plus_whole(h)?,
        None => total.plus(hours)?,
    };
    Ok(())
}

impl<'a> Ctx<'a> {
    /// The credit ledger of `p`, when the run keeps one for `p`.
    fn ledger(&mut self, p: PersonIx) -> Option<&'a [Entry]> {
        let table = self.credits?;
        if let Some(ledger) = table.made(p) {
            // Made by an earlier rule: no credit-block context needed.
            return Some(ledger);
        }
        let mut inner = self.scratch_ctx();
        let ledger = table.ledger(self.data, self.policy, &mut inner, p);
        self.scratch = Some(inner);
        ledger
    }

    /// The credited hours of a run of a ledger, counting in `counted` the
    /// enrollments whose credit was known (as the general loop counts
    /// them before it stops at an unknown one).
    fn sum_ledger(&self, entries: &[Entry], ixs: &[EnrollmentIx], counted: &mut u64) -> R<Q> {
        // Whole hours (denied credit is a whole zero) are summed as an
        // integer while they fit; `total` takes over from there.
        let mut sum = Some(WholeSum::ZERO);
        let mut total = Q::ZERO;
        for (entry, &ix) in entries.iter().zip(ixs) {
            if let (Some((m, s)), Some(whole_sum)) = (entry.parts(), sum.as_mut()) {
                if whole_sum.add_parts(m, s) {
                    *counted += 1;
                    continue;
                }
            }
            let (whole, hours) = match entry.whole() {
                Some(h) => (Some(h), Q::new(h)),
                None => {
                    let (q, _) = self.ledger_credit(*entry, ix)?;
                    (q.whole(), q)
                }
            };
            *counted += 1;
            add_credit(&mut sum, &mut total, whole, hours)?;
        }
        Ok(sum.map_or(total, WholeSum::total))
    }

    /// The credit an entry of a ledger records for enrollment `ix`.
    fn ledger_credit(&self, entry: Entry, ix: EnrollmentIx) -> R<(Q, Option<&'a str>)> {
        match self.credits {
            Some(table) => table.outcome(self.policy, entry, ix),
            None => unknown("internal: a ledger without a credit table".into()),
        }
    }

    /// The context the credit block runs in, made once per context.
    fn scratch_ctx(&mut self) -> Box<Ctx<'a>> {
        let (data, policy, as_of) = (self.data, self.policy, self.as_of);
        self.scratch
            .take()
            .unwrap_or_else(|| Box::new(credit_ctx(data, policy, as_of)))
    }

    /// Credited hours of one enrollment and, when credit is denied, why:
    /// from its person's ledger when the run keeps one, else computed.
    fn credit(&mut self, ix: EnrollmentIx) -> R<(Q, Option<&'a str>)> {
        let data = self.data;
        let p = data.enrollment(ix).person;
        if let Some(ledger) = self.ledger(p) {
            // Among the person's enrollments that end on the same day.
            let end = data.activity(data.enrollment(ix).activity).end_date;
            let from = ledger.partition_point(|x| x.end < end);
            let same_day = ledger
                .get(from..)
                .unwrap_or(&[])
                .iter()
                .take_while(|x| x.end == end);
            let all = data.enrollments_of(p).get(from..).unwrap_or(&[]);
            if let Some((entry, _)) = same_day.zip(all).find(|(_, e)| **e == ix) {
                return self.ledger_credit(*entry, ix);
            }
        }
        let mut inner = self.scratch_ctx();
        let lowered = self.credits.and_then(CreditTable::lowered);
        let outcome = credit_of(&mut inner, self.policy, ix, lowered);
        self.scratch = Some(inner);
        let (hours, code) = outcome?;
        Ok(match code {
            0 => (hours, None),
            code => (Q::ZERO, denial_reason(self.policy, usize::from(code) - 1)),
        })
    }
}

/// A running total of whole decimals (credited hours) as an integer
/// mantissa and a scale: the decimal `Q::plus_whole` would reach step by
/// step from zero, mantissa and scale alike, computed without `Decimal`
/// arithmetic. [`WholeSum::add`] refuses a step that a decimal could not
/// take exactly (beyond its 96 bits); the caller then goes on from
/// [`WholeSum::total`] with `Q`.
#[derive(Debug, Clone, Copy)]
struct WholeSum {
    mantissa: i128,
    scale: u32,
}

impl WholeSum {
    const ZERO: WholeSum = WholeSum {
        mantissa: 0,
        scale: 0,
    };

    /// Adds `d`; `false`, leaving the sum as it was, when the exact sum
    /// or an operand at the common scale needs more than 96 bits.
    fn add(&mut self, d: rust_decimal::Decimal) -> bool {
        self.add_parts(d.mantissa(), d.scale())
    }

    /// [`add`](Self::add) of the decimal `m / 10^s` (`|m| < 2^96`, `s`
    /// at most 28).
    #[inline(always)]
    fn add_parts(&mut self, m: i128, s: u32) -> bool {
        if s == self.scale && m != 0 && self.mantissa != 0 {
            // The usual step: same scale, no rescaling. Both sides are
            // below 2^96, so the sum cannot overflow an i128.
            let sum = self.mantissa + m;
            if sum.unsigned_abs() < Self::LIMIT {
                self.mantissa = sum;
                return true;
            }
            return false;
        }
        self.add_other(m, s)
    }

    /// Mantissas stay below this (a decimal's 96 bits).
    const LIMIT: u128 = 1 << 96;

    /// [`add_parts`](Self::add_parts) when a side is zero or the scales
    /// differ.
    #[cold]
    #[inline(never)]
    fn add_other(&mut self, m: i128, s: u32) -> bool {
        const LIMIT: u128 = WholeSum::LIMIT;
        // As `Decimal` adds: one side zero gives the other, scale and all.
        if self.mantissa == 0 {
            (self.mantissa, self.scale) = (m, s);
            return true;
        }
        if m == 0 {
            return true;
        }
        let scale = self.scale.max(s);
        let up = |x: i128, from: u32| match scale - from {
            0 => Some(x),
            by => x.checked_mul(10i128.checked_pow(by)?),
        };
        let (Some(a), Some(b)) = (up(self.mantissa, self.scale), up(m, s)) else {
            return false;
        };
        match a.checked_add(b) {
            Some(sum)
                if a.unsigned_abs() < LIMIT
                    && b.unsigned_abs() < LIMIT
                    && sum.unsigned_abs() < LIMIT =>
            {
                (self.mantissa, self.scale) = (sum, scale);
                true
            }
            _ => false,
        }
    }

    fn total(self) -> Q {
        Q::new(rust_decimal::Decimal::from_i128_with_scale(
            self.mantissa,
            self.scale,
        ))
    }
}

fn org_ref(o: Org) -> EntityRef {
    match o {
        Org::District(d) => EntityRef::District(d),
        Org::School(s) => EntityRef::School(s),
    }
}

fn ref_org(r: EntityRef) -> Option<Org> {
    match r {
        EntityRef::District(d) => Some(Org::District(d)),
        EntityRef::School(s) => Some(Org::School(s)),
        _ => None,
    }
}

pub(crate) fn ref_actor(r: EntityRef) -> Option<Actor> {
    match r {
        EntityRef::Person(p) => Some(Actor::Person(p)),
        other => ref_org(other).map(Actor::Org),
    }
}

/// Why `attr(column)` is unknown on every record of `entity`'s table: the
/// table has no such column (a near miss among its columns is named).
fn no_column(data: &Dataset, entity: Entity, column: &str) -> String {
    let table = crate::model::table_name(entity);
    let near = crate::diagnostic::did_you_mean(column, data.extra_columns(entity));
    match near {
        Some(near) => {
            format!("the `{table}` data has no `{column}` column (did you mean `{near}`?)")
        }
        None => format!("the `{table}` data has no `{column}` column"),
    }
}

/// Completed years from `born` to `at` (an age).
pub(crate) fn completed_years(born: NaiveDate, at: NaiveDate) -> i64 {
    let mut years = i64::from(at.year()) - i64::from(born.year());
    if (at.month(), at.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

fn arith(op: Arith, x: Value, y: Value) -> R<Value> {
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => Ok(Value::Num(match op {
            Arith::Add => a.plus(b)?,
            Arith::Sub => a.minus(b)?,
            Arith::Mul => a.times(b)?,
            Arith::Div => match a.over(b)? {
                Some(q) => q,
                None => return unknown("division by zero".into()),
            },
        })),
        (Value::Date(d), Value::Duration(dur)) => {
            let moved = if op == Arith::Add {
                add_duration(d, dur)
            } else {
                d.checked_sub_months(chrono::Months::new(dur.months))
                    .and_then(|d| d.checked_sub_days(chrono::Days::new(u64::from(dur.days))))
            };
            moved
                .map(Value::Date)
                .ok_or_else(|| Halt::Unknown("date out of range".into()))
        }
        _ => unknown("internal: bad arithmetic".into()),
    }
}

/// Whether an ordering satisfies a comparison.
pub(crate) fn holds(op: Cmp, o: Ordering) -> bool {
    match op {
        Cmp::Eq => o == Ordering::Equal,
        Cmp::Ne => o != Ordering::Equal,
        Cmp::Lt => o == Ordering::Less,
        Cmp::Le => o != Ordering::Greater,
        Cmp::Gt => o == Ordering::Greater,
        Cmp::Ge => o != Ordering::Less,
    }
}

/// Compares two values of compatible types.
pub(crate) fn compare(op: Cmp, x: &Value, y: &Value) -> R<bool> {
    let o = match (x, y) {
        (Value::Num(a), Value::Num(b)) => a.compare(*b)?,
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        // elapsed ⋚ duration  ⇔  at ⋚ since + duration
        (Value::Elapsed { since, at }, Value::Duration(d)) => {
            let limit = add_duration(*since, *d)
                .ok_or_else(|| Halt::Unknown("date out of range".into()))?;
            at.cmp(&limit)
        }
        (Value::Duration(d), Value::Elapsed { since, at }) => {
            let limit = add_duration(*since, *d)
                .ok_or_else(|| Halt::Unknown("date out of range".into()))?;
            limit.cmp(at)
        }
        (a, b) => {
            let eq = a == b;
            return Ok(match op {
                Cmp::Eq => eq,
                Cmp::Ne => !eq,
                _ => false,
            });
        }
    };
    Ok(holds(op, o))
}

/// A value as reports write it: exact decimals, money with cents.
pub(crate) fn show(v: &Value, ty: &Type) -> String {
    match v {
        Value::Num(q) => {
            // A whole decimal (nearly every figure) needs no reduction.
            let (exact, d) = match q.whole() {
                Some(d) => (true, d),
                None => (q.is_exact(), q.to_decimal()),
            };
            let mut d = d.normalize();
            if *ty == Type::Money && d.scale() < 2 {
                d.rescale(2);
            }
            let mut out = String::with_capacity(24);
            crate::value::push_decimal(&mut out, d);
            if !exact {
                out.push('…');
            }
            out
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
        Value::Entity(_) => String::from("(record)"),
        Value::Window(w) => w.to_string(),
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| show(i, &Type::Str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(completed_years(d("1973-11-15"), d("2023-11-14")), 49);
        assert_eq!(completed_years(d("1973-11-15"), d("2023-11-15")), 50);
        assert_eq!(completed_years(d("2000-02-29"), d("2023-02-28")), 22);
        assert_eq!(completed_years(d("2000-02-29"), d("2023-03-01")), 23);
    }

    #[test]
    fn tenure_within_three_years_includes_the_anniversary() {
        let three = Value::Duration(crate::syntax::ast::Duration {
            months: 36,
            days: 0,
        });
        let on_day = Value::Elapsed {
            since: d("2020-11-15"),
            at: d("2023-11-15"),
        };
        let day_after = Value::Elapsed {
            since: d("2020-11-15"),
            at: d("2023-11-16"),
        };
        assert!(compare(Cmp::Le, &on_day, &three).unwrap());
        assert!(!compare(Cmp::Le, &day_after, &three).unwrap());
    }

    #[test]
    fn whole_sums_are_the_decimal_sums_bit_for_bit() {
        use rust_decimal::Decimal;
        let cases: Vec<Vec<Decimal>> = vec![
            vec![Decimal::new(12, 0), Decimal::new(25, 1), Decimal::new(3, 0)],
            vec![Decimal::new(0, 2), Decimal::new(7, 0), Decimal::new(0, 3)],
            vec![Decimal::new(-3, 0), Decimal::new(3, 0), Decimal::new(15, 1)],
            vec![Decimal::new(i64::from(i32::MAX), 0); 40],
            vec![
                Decimal::new(i64::from(i32::MAX), 28),
                Decimal::new(i64::from(i32::MAX), 0),
            ],
            vec![Decimal::new(1, 28), Decimal::new(i64::from(i32::MIN), 0)],
            vec![Decimal::new(5, 1), Decimal::new(-5, 1), Decimal::new(2, 0)],
        ];
        for case in cases {
            let mut exact = Q::ZERO;
            let mut sum = WholeSum::ZERO;
            let mut summing = true;
            let mut total = Q::ZERO;
            for d in case.iter().copied() {
                exact = exact.plus_whole(d).unwrap();
                if summing && !sum.add(d) {
                    summing = false;
                    total = sum.total();
                }
                if !summing {
                    total = total.plus_whole(d).unwrap();
                }
            }
            let got = if summing { sum.total() } else { total };
            let (a, b) = (got.whole().unwrap(), exact.whole().unwrap());
            assert_eq!(
                (
                    a.mantissa(),
                    a.scale(),
                    a.is_sign_negative() && !a.is_zero()
                ),
                (
                    b.mantissa(),
                    b.scale(),
                    b.is_sign_negative() && !b.is_zero()
                ),
                "{case:?}"
            );
        }
    }

    #[test]
    fn money_is_shown_with_cents() {
        assert_eq!(
            show(&Value::Num(Q::new(538500.into())), &Type::Money),
            "538500.00"
        );
        assert_eq!(show(&Value::Num(Q::new(90.into())), &Type::Hours), "90");
    }
}
