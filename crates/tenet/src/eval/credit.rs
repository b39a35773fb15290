//! The credit block, run once per enrollment per evaluation run.
//!
//! Credit is kept per person, as a *ledger* parallel to the person's
//! enrollments (`Dataset::enrollments_of`, ordered by end date): each entry
//! holds the activity's end date and the credit. A window of
//! `credited_hours` is then a contiguous run of one small array, found by
//! binary search on dates that sit next to the hours, instead of a walk
//! through the enrollment and activity tables and a credit table indexed
//! by enrollment (three cache misses an enrollment on a district).
//! A ledger is made the first time a rule counts its person's credit, so a
//! run that looks at some people pays only for them; every rule, policy
//! and thread of a run then shares it.

use super::expr::{Ctx, Halt, R};
use super::lower::{Lowered, Reads};
use crate::model::{Dataset, EnrollmentIx, PersonIx};
use crate::program::{CheckedPolicy, Credit};
use crate::report::Explanation;
use crate::value::{DateRange, EntityRef, Value, Q};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Credited in whole (decimal) hours that fit the entry.
const WHOLE: u16 = 0;
/// Credited, in hours kept aside: not a whole decimal, or too long a one.
const ASIDE: u16 = u16::MAX - 1;
/// The credit could not be decided (the reason is kept aside).
const UNKNOWN: u16 = u16::MAX;

/// How one enrollment fared under the credit block: 12 bytes, as a
/// province has tens of millions of enrollments.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The end date of the enrollment's activity: the day it counts on.
    pub end: NaiveDate,
    /// When `code` is [`WHOLE`], the hours are `mantissa / 10^scale`.
    mantissa: i32,
    /// [`WHOLE`], `i + 1` when denied by denial `i`, [`ASIDE`] or
    /// [`UNKNOWN`].
    code: u16,
    scale: u8,
}

impl Entry {
    /// An entry for whole hours or a denial (`code` as [`WHOLE`]); `None`
    /// when it does not fit (the hours are then kept aside).
    fn new(end: NaiveDate, hours: Decimal, code: usize) -> Option<Entry> {
        let code = u16::try_from(code).ok().filter(|c| *c < ASIDE)?;
        Some(Entry {
            end,
            mantissa: i32::try_from(hours.mantissa()).ok()?,
            code,
            scale: u8::try_from(hours.scale()).ok()?,
        })
    }

    /// [`whole`](Self::whole) as a mantissa and a scale: the hours are
    /// `mantissa / 10^scale`.
    #[inline]
    pub fn parts(&self) -> Option<(i128, u32)> {
        (self.code == WHOLE && self.scale <= 28)
            .then_some((i128::from(self.mantissa), u32::from(self.scale)))
    }

    /// The credited hours when they are a whole decimal kept here: the
    /// common case, summed without looking anything up.
    pub fn whole(&self) -> Option<Decimal> {
        (self.code == WHOLE)
            .then(|| Decimal::try_new(i64::from(self.mantissa), u32::from(self.scale)).ok())
            .flatten()
    }
}

/// The ledgers of a run: one per person of the dataset, or (for a call
/// about one subject) one for that person only.
enum Ledgers {
    All(Vec<OnceLock<Box<[Entry]>>>),
    One(PersonIx, OnceLock<Box<[Entry]>>),
}

/// The credit of enrollments, computed person by person on first use and
/// shared by every rule (and thread) that counts credited hours.
pub(crate) struct CreditTable {
    ledgers: Ledgers,
    /// Credits not kept in their entries (rare).
    aside: Mutex<HashMap<EnrollmentIx, Q>>,
    /// Why the credit of an enrollment is unknown (rare).
    unknown: Mutex<HashMap<EnrollmentIx, String>>,
    /// The credit block lowered for this run, when its shape allows: the
    /// evaluator's own form of the program's block, made here so the
    /// program depends on nothing in `eval`.
    lowered: Option<Box<Lowered>>,
}

impl CreditTable {
    /// A table for every person; `None` when the policy has no credit
    /// block.
    pub fn new(data: &Dataset, policy: &CheckedPolicy) -> Option<CreditTable> {
        policy.credit.as_ref()?;
        let all = std::iter::repeat_with(OnceLock::new)
            .take(data.people.len())
            .collect();
        Some(CreditTable::with(Ledgers::All(all), lowered(policy)))
    }

    /// A table for a call about one subject: it keeps the subject's
    /// credit when the subject is a person (other people's is computed when
    /// asked, not kept); `None` when there is nothing to keep.
    pub fn for_subject(policy: &CheckedPolicy, subject: EntityRef) -> Option<CreditTable> {
        policy.credit.as_ref()?;
        match subject {
            EntityRef::Person(p) => Some(CreditTable::with(
                Ledgers::One(p, OnceLock::new()),
                lowered(policy),
            )),
            _ => None,
        }
    }

    fn with(ledgers: Ledgers, lowered: Option<Box<Lowered>>) -> CreditTable {
        CreditTable {
            ledgers,
            aside: Mutex::new(HashMap::new()),
            unknown: Mutex::new(HashMap::new()),
            lowered,
        }
    }

    /// The lowered credit block, when there is one.
    pub fn lowered(&self) -> Option<&Lowered> {
        self.lowered.as_deref()
    }

    /// Where the ledger of `p` goes, when this table keeps it.
    fn slot(&self, p: PersonIx) -> Option<&OnceLock<Box<[Entry]>>> {
        match &self.ledgers {
            Ledgers::All(all) => all.get(p.index()),
            Ledgers::One(only, slot) => (*only == p).then_some(slot),
        }
    }

    /// The ledger of `p` if it has been made.
    pub fn made(&self, p: PersonIx) -> Option<&[Entry]> {
        self.slot(p)?.get().map(|l| &**l)
    }

    /// The ledger of `p`, parallel to `data.enrollments_of(p)`, made with
    /// `ctx` (a credit-block context) the first time it is asked for;
    /// `None` when this table does not keep `p`'s credit.
    pub fn ledger(
        &self,
        data: &Dataset,
        policy: &CheckedPolicy,
        ctx: &mut Ctx<'_>,
        p: PersonIx,
    ) -> Option<&[Entry]> {
        let slot = self.slot(p)?;
        // Never re-entered: the checker rejects `credited` and
        // `credited_hours` inside a credit block, so computing one credit
        // never asks for another.
        Some(slot.get_or_init(|| self.make(data, policy, ctx, data.enrollments_of(p))))
    }

    /// The ledger of a person's enrollments `ixs`.
    fn make(
        &self,
        data: &Dataset,
        policy: &CheckedPolicy,
        ctx: &mut Ctx<'_>,
        ixs: &[EnrollmentIx],
    ) -> Box<[Entry]> {
        // A person's enrollments, and their activities, lie scattered over
        // tables far bigger than the cache. Reading them in two tight
        // passes first, before any credit is computed, lets the processor
        // overlap the cache misses; reading each as it is credited took
        // one miss after another.
        let enrollments: Vec<_> = ixs
            .iter()
            .map(|&ix| (data.enrollment(ix).activity, data.absent_hours(ix)))
            .collect();
        let reads: Vec<_> = enrollments
            .iter()
            .map(|&(a, absent)| {
                let a = data.activity(a);
                let reads = Reads {
                    absent,
                    scheduled: a.scheduled_hours,
                    hours: a.hours,
                };
                (a.end_date, reads)
            })
            .collect();
        let lowered = self.lowered.as_deref();
        reads
            .iter()
            .zip(ixs)
            .map(|(&(end, reads), &ix)| {
                if let Some(entry) = lowered
                    .and_then(|l| l.read_credit(&reads))
                    .and_then(|(hours, code)| Entry::new(end, hours, code))
                {
                    return entry;
                }
                let outcome = match lowered.and_then(|l| l.credit_of(&reads)) {
                    Some((hours, code)) => code_of(code).map(|code| (hours, code)),
                    // The lowered block gave up (or there is none): the
                    // evaluator runs it, without trying the lowered one again.
                    None => interpreted(ctx, policy, ix),
                };
                self.entry(end, ix, outcome)
            })
            .collect()
    }

    fn entry(&self, end: NaiveDate, ix: EnrollmentIx, outcome: R<(Q, u16)>) -> Entry {
        let marked = |code| Entry {
            end,
            mantissa: 0,
            code,
            scale: 0,
        };
        match outcome {
            Ok((q, WHOLE)) => match q.whole().and_then(|h| Entry::new(end, h, 0)) {
                Some(entry) => entry,
                None => {
                    if let Ok(mut map) = self.aside.lock() {
                        map.insert(ix, q);
                    }
                    marked(ASIDE)
                }
            },
            Ok((_, code)) => marked(code),
            Err(Halt::Unknown(why)) => {
                if let Ok(mut map) = self.unknown.lock() {
                    map.insert(ix, why);
                }
                marked(UNKNOWN)
            }
        }
    }

    /// The credited hours of the enrollment `entry` describes, and why
    /// credit is denied when it is.
    pub fn outcome<'p>(
        &self,
        policy: &'p CheckedPolicy,
        entry: Entry,
        ix: EnrollmentIx,
    ) -> R<(Q, Option<&'p str>)> {
        match entry.code {
            WHOLE => match entry.whole() {
                Some(hours) => Ok((Q::new(hours), None)),
                None => Err(Halt::Unknown("internal: bad credit entry".into())),
            },
            ASIDE => match self.aside.lock().ok().and_then(|m| m.get(&ix).copied()) {
                Some(q) => Ok((q, None)),
                None => Err(Halt::Unknown("internal: lost credit".into())),
            },
            UNKNOWN => Err(Halt::Unknown(
                self.unknown
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&ix).cloned())
                    .unwrap_or_default(),
            )),
            code => Ok((Q::ZERO, denial_reason(policy, usize::from(code) - 1))),
        }
    }
}

/// The policy's credit block lowered, when its shape allows.
fn lowered(policy: &CheckedPolicy) -> Option<Box<Lowered>> {
    let c = policy.credit.as_ref()?;
    super::lower::lower(c.var, &c.denials, &c.otherwise).map(Box::new)
}

/// Runs the credit block for one enrollment: the hours, with code 0, or
/// zero and `i + 1` when denial `i` holds.
/// `lowered` is the run's lowered block (see [`CreditTable::lowered`]).
pub(crate) fn credit_of(
    ctx: &mut Ctx<'_>,
    policy: &CheckedPolicy,
    ix: EnrollmentIx,
    lowered: Option<&Lowered>,
) -> R<(Q, u16)> {
    match lowered.and_then(|l| l.credit(ctx.data, ix)) {
        Some((hours, code)) => code_of(code).map(|code| (hours, code)),
        None => interpreted(ctx, policy, ix),
    }
}

/// [`credit_of`] through the evaluator alone.
fn interpreted(ctx: &mut Ctx<'_>, policy: &CheckedPolicy, ix: EnrollmentIx) -> R<(Q, u16)> {
    match &policy.credit {
        Some(credit) => credit_in(ctx, credit, ix),
        None => Err(Halt::Unknown("internal: no credit block".into())),
    }
}

/// Why denial `i` of the policy's credit block denies credit.
pub(crate) fn denial_reason(policy: &CheckedPolicy, i: usize) -> Option<&str> {
    policy
        .credit
        .as_ref()
        .and_then(|c| c.denials.get(i))
        .map(|d| d.reason.as_str())
}

/// A context for running the credit block.
pub(crate) fn credit_ctx<'a>(
    data: &'a Dataset,
    policy: &'a CheckedPolicy,
    as_of: NaiveDate,
) -> Ctx<'a> {
    Ctx {
        data,
        policy,
        as_of,
        range: DateRange {
            start: NaiveDate::MIN,
            end: as_of,
        },
        window: None,
        param_day: as_of,
        default_at: as_of,
        env: vec![None; policy.credit.as_ref().map_or(0, |c| c.slots)],
        trace: Explanation::default(),
        credits: None,
        scratch: None,
        names: None,
        lists: false,
        hoist: Default::default(),
    }
}

/// Runs the credit block for one enrollment; params and default dates are
/// taken on the day its activity ends.
fn credit_in(ctx: &mut Ctx<'_>, credit: &Credit, ix: EnrollmentIx) -> R<(Q, u16)> {
    let end = ctx.data.activity(ctx.data.enrollment(ix).activity).end_date;
    ctx.param_day = end;
    ctx.default_at = end;
    ctx.set(credit.var, Value::Entity(EntityRef::Enrollment(ix)));
    for (i, d) in credit.denials.iter().enumerate() {
        if ctx.eval_bool(&d.cond)? {
            return code_of(i + 1).map(|code| (Q::ZERO, code));
        }
    }
    let hours = ctx.eval_num(&credit.otherwise)?;
    Ok((hours, WHOLE))
}

/// The code of an outcome: 0, or `i + 1` for denial `i`. Codes above the
/// last denial mark other outcomes.
fn code_of(code: usize) -> R<u16> {
    u16::try_from(code)
        .ok()
        .filter(|c| *c < ASIDE)
        .ok_or_else(|| Halt::Unknown("internal: too many denials".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_small_and_keep_any_credit_exactly() {
        assert_eq!(std::mem::size_of::<Entry>(), 12);
        let set = crate::PolicySet::from_sources(&[("p.policy", "policy p \"t\" { }")])
            .expect("compiles");
        let policy = set.policies().first().expect("a policy");
        let table = CreditTable::with(Ledgers::All(Vec::new()), None);
        let day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
        let third = Q::ratio(Decimal::ONE, Decimal::from(3)).expect("a ratio");
        for (i, hours) in [
            Q::new(Decimal::new(25, 1)),
            Q::new(Decimal::new(-3, 0)),
            Q::new(Decimal::new(12_345_678_901_234, 2)),
            Q::new(Decimal::new(1, 28)),
            third,
        ]
        .into_iter()
        .enumerate()
        {
            let ix = EnrollmentIx(u32::try_from(i).expect("small"));
            let entry = table.entry(day, ix, Ok((hours, WHOLE)));
            let (back, denied) = table.outcome(policy, entry, ix).expect("known");
            assert_eq!(denied, None);
            assert_eq!(back.parts(), hours.parts(), "{hours:?}");
            assert_eq!(back.to_decimal().scale(), hours.to_decimal().scale());
        }
    }
}
