//! Aggregates evaluated once per context instead of once per member of an
//! enclosing aggregate.
//!
//! `count(people where count(people where has teacher) >= 1)` names the
//! inner count once per outer member; evaluated as written, a rule over
//! every teacher costs teachers × people × people (over 120 s at 2,023
//! people). An aggregate that reads no variable the enclosing loops are
//! binding has the same value for every member, so its first evaluation
//! is kept and reused while the context's range and dates are the same.
//!
//! What the explanation shows must not change: the evaluation's effect on
//! the trace is recorded (records counted and left out, the `more`
//! count, and every fact and param it *offered*, before de-duplication)
//! and replayed on reuse, which is what evaluating it again would do. An
//! aggregate that reads an enclosing member (`count(people where p.org =
//! q.org)`) is evaluated as written: its cost is the product of the two
//! relations (docs/language.md, "What a rule costs").

use super::expr::R;
use crate::program::{Aggregate, Expr, ExprKind, Var};
use crate::report::{Fact, Record};
use crate::value::{DateRange, Value};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Per-context state: the variables enclosing loops are binding, the
/// kept evaluations, and the log of facts offered while one is recorded.
#[derive(Default)]
pub(crate) struct Hoist {
    /// Element variables of the aggregates (and credit filters) being
    /// iterated, innermost last.
    pub iterating: Vec<Var>,
    /// Free variables of each aggregate, by its address in the program.
    free: HashMap<usize, Vec<Var>>,
    kept: HashMap<Key, Kept>,
    /// Facts and params offered while `recording > 0`, in order.
    log: Vec<Offered>,
    recording: u32,
}

/// What an aggregate's value depends on besides its free variables.
#[derive(PartialEq, Eq, Hash)]
struct Key {
    agg: usize,
    range: DateRange,
    window: Option<DateRange>,
    param_day: NaiveDate,
    default_at: NaiveDate,
}

/// A fact or param offered to the trace.
#[derive(Clone)]
pub(crate) enum Offered {
    Fact(Fact),
    Param(Fact),
}

/// One evaluation and its effect on the trace.
pub(crate) struct Kept {
    /// The values of the aggregate's free variables it was made with: a
    /// loop this module does not see (the credit block's enrollment, a
    /// cadence's activity) may rebind one, and then it is made again.
    pub inputs: Vec<Option<Value>>,
    pub result: R<Value>,
    pub offered: Vec<Offered>,
    pub counted: Vec<Record>,
    pub excluded: Vec<Record>,
    pub more: u64,
}

/// Where the trace stood when a recording started.
pub(crate) struct Mark {
    log: usize,
    pub counted: usize,
    pub excluded: usize,
    pub more: u64,
}

impl Hoist {
    /// Whether `agg` may be kept: some loop encloses it and it reads none
    /// of the variables the loops bind.
    pub fn hoistable(&mut self, agg: &Aggregate) -> bool {
        if self.iterating.is_empty() {
            return false;
        }
        let free = self
            .free
            .entry(agg as *const Aggregate as usize)
            .or_insert_with(|| free_vars(agg));
        !free.iter().any(|v| self.iterating.contains(v))
    }

    /// The free variables of an aggregate [`Hoist::hoistable`] has seen.
    pub fn free(&self, agg: &Aggregate) -> &[Var] {
        self.free
            .get(&(agg as *const Aggregate as usize))
            .map_or(&[], Vec::as_slice)
    }

    fn key(agg: &Aggregate, at: (DateRange, Option<DateRange>, NaiveDate, NaiveDate)) -> Key {
        Key {
            agg: agg as *const Aggregate as usize,
            range: at.0,
            window: at.1,
            param_day: at.2,
            default_at: at.3,
        }
    }

    /// The evaluation kept for `agg` at `at`, if made with `inputs`.
    pub fn kept(
        &self,
        agg: &Aggregate,
        at: (DateRange, Option<DateRange>, NaiveDate, NaiveDate),
        inputs: &[Option<Value>],
    ) -> Option<&Kept> {
        self.kept
            .get(&Self::key(agg, at))
            .filter(|k| k.inputs == inputs)
    }

    pub fn keep(
        &mut self,
        agg: &Aggregate,
        at: (DateRange, Option<DateRange>, NaiveDate, NaiveDate),
        kept: Kept,
    ) {
        self.kept.insert(Self::key(agg, at), kept);
    }

    /// Starts recording what is offered to the trace.
    pub fn start(&mut self, counted: usize, excluded: usize, more: u64) -> Mark {
        self.recording += 1;
        Mark {
            log: self.log.len(),
            counted,
            excluded,
            more,
        }
    }

    /// Stops the recording started at `mark`; what was offered since.
    pub fn stop(&mut self, mark: &Mark) -> Vec<Offered> {
        self.recording = self.recording.saturating_sub(1);
        let offered = self.log.get(mark.log..).unwrap_or_default().to_vec();
        if self.recording == 0 {
            self.log.clear();
        }
        offered
    }

    /// Notes a fact or param offered to the trace, while recording.
    pub fn offer(&mut self, o: impl FnOnce() -> Offered) {
        if self.recording > 0 {
            self.log.push(o());
        }
    }
}

/// The variables `agg` reads that it does not bind itself.
fn free_vars(agg: &Aggregate) -> Vec<Var> {
    let mut read = Vec::new();
    let mut bound = Vec::new();
    walk_agg(agg, &mut read, &mut bound);
    read.retain(|v| !bound.contains(v));
    read.sort_by_key(|v| v.0);
    read.dedup();
    read
}

fn walk_agg(agg: &Aggregate, read: &mut Vec<Var>, bound: &mut Vec<Var>) {
    bound.push(agg.elem);
    for e in [&agg.value, &agg.filter].into_iter().flatten() {
        walk(e, read, bound);
    }
    if let Some((_, e)) = &agg.link {
        walk(e, read, bound);
    }
}

fn walk(e: &Expr, read: &mut Vec<Var>, bound: &mut Vec<Var>) {
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Param(_) => {}
        ExprKind::Var(v) => read.push(*v),
        ExprKind::Field(x, _)
        | ExprKind::Attr(x, _)
        | ExprKind::Neg(x)
        | ExprKind::Not(x)
        | ExprKind::Has(x, _)
        | ExprKind::YearOf(x) => walk(x, read, bound),
        ExprKind::Arith(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Of(a, b) => {
            walk(a, read, bound);
            walk(b, read, bound);
        }
        ExprKind::In { value, list, .. } => {
            walk(value, read, bound);
            for x in list {
                walk(x, read, bound);
            }
        }
        ExprKind::Aggregate(inner) => walk_agg(inner, read, bound),
        ExprKind::Credited {
            person,
            elem,
            filter,
        } => {
            bound.push(*elem);
            walk(person, read, bound);
            if let Some(f) = filter {
                walk(f, read, bound);
            }
        }
        ExprKind::Age { person: x, at } | ExprKind::Tenure { since: x, at } => {
            walk(x, read, bound);
            if let Some(at) = at {
                walk(at, read, bound);
            }
        }
        ExprKind::Finance { org, year, .. } => {
            walk(org, read, bound);
            if let Some(y) = year {
                walk(y, read, bound);
            }
        }
    }
}
