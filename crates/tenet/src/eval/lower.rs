//! The credit block lowered to straight-line code over one enrollment.
//!
//! The credit block runs once for every enrollment of a district (three
//! million of them for 20,000 teachers), and through the tree-walking
//! evaluator it cost about a thousand instructions an enrollment: a stack
//! check and a `Value` per node, and exact rational products compared by
//! cross-multiplying 96-bit decimals. Its usual shape is small: comparisons
//! of an enrollment's hours, constants and shares (`e.absent_hours > 1/4
//! of e.scheduled_hours`), then `otherwise e.activity.hours`. Such a block
//! is lowered when the policy is checked; a comparison of two scaled
//! fields is decided on 128-bit integers with constants folded ahead.
//!
//! Anything else (params, dates, enums, attributes, aggregates) is not
//! lowered, and the block runs in the evaluator as before. A lowered block
//! gives up on an enrollment (`None`) where the evaluator has something to
//! report — an overflow, a division by zero — and the evaluator then runs
//! that enrollment, so results and messages are the same either way.

use super::expr::holds;
use crate::model::{Dataset, EnrollmentIx};
use crate::program::{Arith, Cmp, Denial, Expr, ExprKind, Var};
use crate::schema::Field;
use crate::value::{Value, Q};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A lowered credit block.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    denials: Vec<Test>,
    otherwise: Num,
}

/// A number read off the enrollment being credited.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// `e.absent_hours`
    Absent,
    /// `e.scheduled_hours`, `e.activity.scheduled_hours`
    Scheduled,
    /// `e.activity.hours`
    Hours,
}

/// A numeric expression, computed with the evaluator's own operations so
/// that every figure is the same `Q`.
#[derive(Debug, Clone, PartialEq)]
enum Num {
    Const(Q),
    Read(Source),
    Neg(Box<Num>),
    /// `*` and `of`.
    Times(Box<Num>, Box<Num>),
    Over(Box<Num>, Box<Num>),
    Plus(Box<Num>, Box<Num>),
    Minus(Box<Num>, Box<Num>),
}

/// A condition.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    Const(bool),
    Compare {
        op: Cmp,
        left: Num,
        right: Num,
        /// Both sides as `constant × source`, the constants brought over a
        /// common denominator: compared without building a `Q`.
        scaled: Option<[Scaled; 2]>,
    },
    Not(Box<Test>),
    And(Box<Test>, Box<Test>),
    Or(Box<Test>, Box<Test>),
}

/// `k / 10^scale × source` (`source` absent: 1), a side of a comparison
/// taken apart ahead so that comparing costs two integer products.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scaled {
    k: i64,
    scale: u32,
    source: Option<Source>,
}

impl Scaled {
    fn new(k: Decimal, source: Option<Source>) -> Option<Scaled> {
        Some(Scaled {
            k: i64::try_from(k.mantissa()).ok()?,
            scale: k.scale(),
            source,
        })
    }

    /// The value as a mantissa and a scale; `None` when a read's mantissa
    /// is beyond 64 bits (hours never are).
    fn term(&self, r: &Reads) -> Option<(i128, u32)> {
        let k = i128::from(self.k);
        match self.source {
            None => Some((k, self.scale)),
            Some(s) => {
                let d = r.get(s);
                // 64 × 64 bits: no overflow in 128.
                let m = i128::from(i64::try_from(d.mantissa()).ok()?);
                Some((k * m, self.scale + d.scale()))
            }
        }
    }
}

/// Lowers a credit block over the enrollment variable `var`; `None` when
/// any part of it is outside the lowered forms.
pub fn lower(var: Var, denials: &[Denial], otherwise: &Expr) -> Option<Lowered> {
    Some(Lowered {
        denials: denials
            .iter()
            .map(|d| test(var, &d.cond))
            .collect::<Option<_>>()?,
        otherwise: num(var, otherwise)?,
    })
}

fn test(var: Var, e: &Expr) -> Option<Test> {
    Some(match &e.kind {
        ExprKind::Const(Value::Bool(b)) => Test::Const(*b),
        ExprKind::Not(x) => Test::Not(Box::new(test(var, x)?)),
        ExprKind::And(a, b) => Test::And(Box::new(test(var, a)?), Box::new(test(var, b)?)),
        ExprKind::Or(a, b) => Test::Or(Box::new(test(var, a)?), Box::new(test(var, b)?)),
        ExprKind::Compare(op, a, b) => {
            let (left, right) = (num(var, a)?, num(var, b)?);
            Test::Compare {
                op: *op,
                scaled: scaled_pair(&left, &right),
                left,
                right,
            }
        }
        _ => return None,
    })
}

fn num(var: Var, e: &Expr) -> Option<Num> {
    let pair = |a: &Expr, b: &Expr| Some((Box::new(num(var, a)?), Box::new(num(var, b)?)));
    Some(match &e.kind {
        ExprKind::Const(Value::Num(q)) => Num::Const(*q),
        ExprKind::Field(base, field) => Num::Read(source(var, base, *field)?),
        ExprKind::Neg(x) => Num::Neg(Box::new(num(var, x)?)),
        ExprKind::Of(a, b) | ExprKind::Arith(Arith::Mul, a, b) => {
            let (a, b) = pair(a, b)?;
            Num::Times(a, b)
        }
        ExprKind::Arith(op, a, b) => {
            let (a, b) = pair(a, b)?;
            match op {
                Arith::Add => Num::Plus(a, b),
                Arith::Sub => Num::Minus(a, b),
                Arith::Div => Num::Over(a, b),
                Arith::Mul => Num::Times(a, b),
            }
        }
        _ => return None,
    })
}

fn source(var: Var, base: &Expr, field: Field) -> Option<Source> {
    let is_var = |e: &Expr| matches!(e.kind, ExprKind::Var(v) if v == var);
    match (&base.kind, field) {
        (ExprKind::Var(v), Field::AbsentHours) if *v == var => Some(Source::Absent),
        (ExprKind::Var(v), Field::ScheduledHours) if *v == var => Some(Source::Scheduled),
        (ExprKind::Field(inner, Field::Activity), Field::Hours) if is_var(inner) => {
            Some(Source::Hours)
        }
        (ExprKind::Field(inner, Field::Activity), Field::ScheduledHours) if is_var(inner) => {
            Some(Source::Scheduled)
        }
        _ => None,
    }
}

/// `n` as `k × source` (`source` absent: `k` alone), with `k` a constant.
fn scaled(n: &Num) -> Option<(Q, Option<Source>)> {
    match n {
        Num::Const(q) => Some((*q, None)),
        Num::Read(s) => Some((Q::new(Decimal::ONE), Some(*s))),
        Num::Times(a, b) => match (scaled(a)?, scaled(b)?) {
            ((k, None), (j, s)) | ((k, s), (j, None)) => Some((k.times(j).ok()?, s)),
            _ => None,
        },
        Num::Over(a, b) => match (scaled(a)?, scaled(b)?) {
            ((k, s), (j, None)) => Some((k.over(j).ok()??, s)),
            _ => None,
        },
        Num::Neg(x) => scaled(x).map(|(k, s)| (k.negate(), s)),
        _ => None,
    }
}

/// `k·A ⋚ j·B` ⇔ `(k.n·j.d)·A ⋚ (j.n·k.d)·B`, denominators being positive.
fn scaled_pair(left: &Num, right: &Num) -> Option<[Scaled; 2]> {
    let (k, a) = scaled(left)?;
    let (j, b) = scaled(right)?;
    let ((kn, kd), (jn, jd)) = (k.parts(), j.parts());
    Some([
        Scaled::new(kn.checked_mul(jd)?, a)?,
        Scaled::new(jn.checked_mul(kd)?, b)?,
    ])
}

/// The numbers of one enrollment the lowered forms read.
#[derive(Debug, Clone, Copy)]
pub struct Reads {
    /// `e.absent_hours`
    pub absent: Decimal,
    /// `e.scheduled_hours`
    pub scheduled: Decimal,
    /// `e.activity.hours`
    pub hours: Decimal,
}

impl Reads {
    fn get(&self, s: Source) -> Decimal {
        match s {
            Source::Absent => self.absent,
            Source::Scheduled => self.scheduled,
            Source::Hours => self.hours,
        }
    }
}

impl Lowered {
    /// The credit of one enrollment as the credit block gives it — the
    /// hours and 0, or zero and `i + 1` when denial `i` holds — or `None`
    /// when the evaluator must run it (it has something to report).
    pub fn credit(&self, data: &Dataset, ix: EnrollmentIx) -> Option<(Q, usize)> {
        let e = data.enrollment(ix);
        let a = data.activity(e.activity);
        self.credit_of(&Reads {
            absent: data.absent_hours(ix),
            scheduled: a.scheduled_hours,
            hours: a.hours,
        })
    }

    /// [`Lowered::credit`] from numbers already read.
    pub fn credit_of(&self, reads: &Reads) -> Option<(Q, usize)> {
        match self.denied(reads)? {
            0 => Some((self.otherwise.value(reads)?, 0)),
            code => Some((Q::ZERO, code)),
        }
    }

    /// [`Lowered::credit_of`] when the credit is a plain read (`otherwise
    /// e.activity.hours`, the usual block): the decimal itself and the code
    /// (the hours are zero when denied), with no rational built.
    pub fn read_credit(&self, reads: &Reads) -> Option<(Decimal, usize)> {
        let Num::Read(source) = self.otherwise else {
            return None;
        };
        match self.denied(reads)? {
            0 => Some((reads.get(source), 0)),
            code => Some((Decimal::ZERO, code)),
        }
    }

    /// 0, or `i + 1` for the first denial `i` that holds.
    fn denied(&self, reads: &Reads) -> Option<usize> {
        for (i, d) in self.denials.iter().enumerate() {
            if d.holds(reads)? {
                return Some(i + 1);
            }
        }
        Some(0)
    }
}

impl Test {
    fn holds(&self, r: &Reads) -> Option<bool> {
        Some(match self {
            Test::Const(b) => *b,
            Test::Not(x) => !x.holds(r)?,
            Test::And(a, b) => a.holds(r)? && b.holds(r)?,
            Test::Or(a, b) => a.holds(r)? || b.holds(r)?,
            Test::Compare {
                op,
                left,
                right,
                scaled,
            } => {
                let fast = scaled
                    .as_ref()
                    .and_then(|[x, y]| compare_terms(x.term(r)?, y.term(r)?));
                let o = match fast {
                    Some(o) => o,
                    None => left.value(r)?.compare(right.value(r)?).ok()?,
                };
                holds(*op, o)
            }
        })
    }
}

impl Num {
    fn value(&self, r: &Reads) -> Option<Q> {
        match self {
            Num::Const(q) => Some(*q),
            Num::Read(s) => Some(Q::new(r.get(*s))),
            Num::Neg(x) => Some(x.value(r)?.negate()),
            Num::Times(a, b) => a.value(r)?.times(b.value(r)?).ok(),
            Num::Over(a, b) => a.value(r)?.over(b.value(r)?).ok().flatten(),
            Num::Plus(a, b) => a.value(r)?.plus(b.value(r)?).ok(),
            Num::Minus(a, b) => a.value(r)?.minus(b.value(r)?).ok(),
        }
    }
}

/// Two numbers given as mantissa and scale (`m / 10^s`), compared exactly
/// on 128-bit integers by bringing them to one scale; `None` when that
/// would overflow.
fn compare_terms((x, sx): (i128, u32), (y, sy): (i128, u32)) -> Option<Ordering> {
    let (x, y) = match sx.cmp(&sy) {
        Ordering::Less => (x.checked_mul(10i128.checked_pow(sy - sx)?)?, y),
        Ordering::Greater => (x, y.checked_mul(10i128.checked_pow(sx - sy)?)?),
        Ordering::Equal => (x, y),
    };
    Some(x.cmp(&y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(m: i64, s: u32) -> Decimal {
        Decimal::new(m, s)
    }

    /// `k·a` against `j·b` through [`Scaled::term`], `a` and `b` read as
    /// an enrollment's absent and scheduled hours.
    fn products(k: Decimal, a: Decimal, j: Decimal, b: Decimal) -> Option<Ordering> {
        let reads = Reads {
            absent: a,
            scheduled: b,
            hours: Decimal::ZERO,
        };
        let x = Scaled::new(k, Some(Source::Absent))?.term(&reads)?;
        let y = Scaled::new(j, Some(Source::Scheduled))?.term(&reads)?;
        compare_terms(x, y)
    }

    proptest! {
        /// The integer comparison agrees with the exact `Q` comparison
        /// whenever it gives an answer.
        #[test]
        fn products_compare_as_rationals(
            k in (any::<i32>(), 0u32..8), a in (any::<i64>(), 0u32..12),
            j in (any::<i32>(), 0u32..8), b in (any::<i64>(), 0u32..12),
        ) {
            let (k, a, j, b) = (dec(k.0.into(), k.1), dec(a.0, a.1), dec(j.0.into(), j.1), dec(b.0, b.1));
            let exact = Q::new(k).times(Q::new(a)).and_then(|x| x.compare(Q::new(j).times(Q::new(b))?));
            if let (Some(fast), Ok(exact)) = (products(k, a, j, b), exact) {
                prop_assert_eq!(fast, exact);
            }
        }
    }

    fn lowered(credit: &str) -> Option<Lowered> {
        let text = format!(
            "policy p \"t\" {{\n  param limit = 1/4\n  credit c \"c\" {{\n    for enrollment e\n    {credit}\n  }}\n}}\n"
        );
        let set = crate::PolicySet::from_sources(&[("p.policy", &text)]).expect("compiles");
        let policy = set.policies().first().expect("one policy");
        policy
            .credit
            .as_ref()
            .and_then(|c| lower(c.var, &c.denials, &c.otherwise))
    }

    #[test]
    fn the_shipped_shape_is_lowered_with_a_scaled_comparison() {
        let l = lowered(
            "no credit when e.absent_hours > 1/4 of e.scheduled_hours\n    otherwise e.activity.hours",
        )
        .expect("lowered");
        assert_eq!(l.otherwise, Num::Read(Source::Hours));
        let [Test::Compare { scaled, .. }] = l.denials.as_slice() else {
            panic!("one comparison: {l:?}");
        };
        // 4 × absent > 1 × scheduled.
        assert_eq!(
            *scaled,
            Some([
                Scaled {
                    k: 4,
                    scale: 0,
                    source: Some(Source::Absent)
                },
                Scaled {
                    k: 1,
                    scale: 0,
                    source: Some(Source::Scheduled)
                }
            ])
        );
    }

    #[test]
    fn blocks_reading_anything_else_are_not_lowered() {
        for credit in [
            "no credit when e.absent_hours > limit of e.scheduled_hours\n    otherwise e.activity.hours",
            "no credit when e.activity.mode = online\n    otherwise e.activity.hours",
            "otherwise sum(hours in sessions of e.activity)",
        ] {
            assert_eq!(lowered(credit), None, "{credit}");
        }
        assert!(lowered("otherwise e.scheduled_hours - e.absent_hours").is_some());
    }

    #[test]
    fn products_compare_across_scales() {
        // 4 × 2.50 = 10.00 against 1 × 10: equal despite the scales.
        assert_eq!(
            products(dec(4, 0), dec(250, 2), dec(1, 0), dec(10, 0)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            products(dec(4, 0), dec(251, 2), dec(1, 0), dec(10, 0)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            products(dec(-1, 0), dec(1, 28), dec(0, 0), dec(1, 0)),
            Some(Ordering::Less)
        );
    }
}
