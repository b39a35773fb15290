//! Figures as people read them: `¥7,200,617.10`, `4.88%`, `1` (person).
//!
//! A report keeps every figure as an exact decimal string (the JSON is for
//! tools). Messages, the text and Markdown reports and the HTML page show
//! the readable form instead. What a figure *is* — hours, money, a share, a
//! headcount — comes from the checked rule (the unit of the compared
//! expression), never from the look of the string.
//!
//! The forms, for the three figures of a result:
//!
//! | unit | actual | required | shortfall |
//! |---|---|---|---|
//! | money | `¥1,234.50`, half-up to the cent | the least cent amount that meets it (`>=`: rounded up; `<=`: down) | the required shown minus the actual |
//! | count | whole, `12,000` | the least whole number that meets it (`>= 0.38` → `1`) | the required shown minus the actual |
//! | percent | `4.88%`: two decimals of a percent, more when two would hide a difference from the requirement | the same | in percentage points, rounded away from zero |
//! | hours, number | grouped, two decimals at most, more when two would hide a difference | the same | rounded away from zero |
//!
//! ```
//! use tenet::readable::{money, Figures, Unit};
//! use tenet::program::Cmp;
//!
//! assert_eq!(money("7200617.1".parse().unwrap()), "¥7,200,617.10");
//! let share = Figures { unit: Unit::Percent, cmp: Cmp::Ge };
//! let r = share.show(Some("0.0487804878048780487804878049"), Some("0.05"), Some("0.0012195121951219512195121951"));
//! assert_eq!((r.actual.as_deref(), r.required.as_deref()), (Some("4.88%"), Some("5%")));
//! let heads = Figures { unit: Unit::Count, cmp: Cmp::Ge };
//! let r = heads.show(Some("0"), Some("0.38"), Some("0.38"));
//! assert_eq!((r.required.as_deref(), r.shortfall.as_deref()), (Some("1"), Some("1")));
//! ```

use crate::program::{Arith, CheckedPolicy, Cmp, Expr, ExprKind, Param, Requirement, Rule};
use crate::schema::Type;
use crate::syntax::ast::AggFn;
use rust_decimal::{Decimal, RoundingStrategy};

/// What a figure measures, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// 学时.
    Hours,
    /// CNY.
    Money,
    /// A share, shown as a percentage (`5%` written, or `share(…)`).
    Percent,
    /// A ratio written `1:100`.
    Ratio,
    /// A fraction written `1/4`.
    Fraction,
    /// A number of people, schools, activities or windows.
    Count,
    /// Any other number (an age, a plain literal).
    Number,
    /// Not a number (a date, a duration): shown as it stands.
    Other,
}

impl Unit {
    /// The unit a param's value was written in (`90 h`, `5%`, `1:100`).
    pub fn of_literal(literal: &crate::syntax::ast::ExprKind) -> Unit {
        use crate::syntax::ast::ExprKind as A;
        match literal {
            A::Hours(_) => Unit::Hours,
            A::Money(_) => Unit::Money,
            A::Percent(_) => Unit::Percent,
            A::Ratio(..) => Unit::Ratio,
            A::Fraction(..) => Unit::Fraction,
            A::Number(_) => Unit::Number,
            A::Unary(crate::syntax::ast::UnOp::Neg, inner) => Unit::of_literal(&inner.kind),
            _ => Unit::Other,
        }
    }

    fn of_type(ty: &Type) -> Unit {
        match ty {
            Type::Hours => Unit::Hours,
            Type::Money => Unit::Money,
            Type::Number => Unit::Number,
            _ => Unit::Other,
        }
    }
}

/// The unit of a checked expression's value.
pub fn unit_of(expr: &Expr, params: &[Param]) -> Unit {
    match &expr.kind {
        ExprKind::Param(id) => params
            .get(usize::from(id.0))
            .map_or_else(|| Unit::of_type(&expr.ty), |p| p.unit),
        ExprKind::Aggregate(a) => match a.func {
            AggFn::Count => Unit::Count,
            AggFn::Share => Unit::Percent,
            AggFn::Sum | AggFn::Min | AggFn::Max | AggFn::Avg => a
                .value
                .as_ref()
                .map_or(Unit::Number, |v| unit_of(v, params)),
        },
        ExprKind::Credited { .. } => Unit::Hours,
        ExprKind::Finance { .. } => Unit::Money,
        // A share of a budget is money, a ratio of a headcount a headcount.
        ExprKind::Of(_, whole) => unit_of(whole, params),
        ExprKind::Neg(inner) | ExprKind::Arith(Arith::Add | Arith::Sub, inner, _) => {
            unit_of(inner, params)
        }
        _ => Unit::of_type(&expr.ty),
    }
}

/// How one rule's figures are shown: their unit and the comparison that
/// decides what "meets the requirement" means for rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// The unit of the compared values.
    pub unit: Unit,
    /// The comparison (`actual cmp required`).
    pub cmp: Cmp,
}

/// The readable figures of one result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    /// The value found.
    pub actual: Option<String>,
    /// The value required.
    pub required: Option<String>,
    /// How far short.
    pub shortfall: Option<String>,
}

impl Figures {
    /// The figures of a rule: cadences count sub-windows; a comparison
    /// takes the unit of its left side (or of its right side when the left
    /// is a plain number); any other requirement shows figures as they
    /// stand.
    pub fn of_rule(rule: &Rule, policy: &CheckedPolicy) -> Figures {
        Figures::of_requirement(&rule.require, &policy.params)
    }

    /// As [`Figures::of_rule`], from the requirement and the params.
    pub fn of_requirement(require: &Requirement, params: &[Param]) -> Figures {
        match require {
            Requirement::Cadence(_) => Figures {
                unit: Unit::Count,
                cmp: Cmp::Ge,
            },
            Requirement::Check(Expr {
                kind: ExprKind::Compare(cmp, a, b),
                ..
            }) => {
                let unit = match unit_of(a, params) {
                    Unit::Number => match unit_of(b, params) {
                        u @ (Unit::Percent | Unit::Count) => u,
                        _ => Unit::Number,
                    },
                    u => u,
                };
                Figures { unit, cmp: *cmp }
            }
            Requirement::Check(_) => Figures {
                unit: Unit::Other,
                cmp: Cmp::Eq,
            },
        }
    }

    /// The readable forms of a result's exact figures. A figure that does
    /// not read as a decimal (a date) is shown as it stands.
    pub fn show(
        &self,
        actual: Option<&str>,
        required: Option<&str>,
        shortfall: Option<&str>,
    ) -> Shown {
        let plan = self.plan(actual, required, shortfall);
        let one = |exact: Option<&str>, p: Option<(Decimal, u32)>| {
            exact.map(|e| {
                let mut out = String::new();
                self.push(&mut out, e, p);
                out
            })
        };
        let [a, r, s] = plan;
        Shown {
            actual: one(actual, a),
            required: one(required, r),
            shortfall: one(shortfall, s),
        }
    }

    /// The figures to write, each rounded with its number of decimals, or
    /// `None` for a figure shown as it stands. Computed without allocating:
    /// a district run fills a message per failing result.
    pub fn plan(
        &self,
        actual: Option<&str>,
        required: Option<&str>,
        shortfall: Option<&str>,
    ) -> [Option<(Decimal, u32)>; 3] {
        let (a, r, s) = (
            actual.and_then(exact),
            required.and_then(exact),
            shortfall.and_then(exact),
        );
        let step = match self.unit {
            Unit::Money => Some(Decimal::new(1, 2)),
            Unit::Count => Some(Decimal::ONE),
            Unit::Other => return [None; 3],
            _ => None,
        };
        if let Some(step) = step {
            let shown_r = r.map(|r| meeting(r, step, self.cmp));
            let shown_a = a.map(|a| to_step(a, step, RoundingStrategy::MidpointAwayFromZero));
            let gap = match (shown_a, shown_r, s) {
                // The gap between the figures shown, so that they add up.
                (Some(x), Some(y), Some(_)) if Some(x) == a => Some(match self.cmp {
                    Cmp::Le | Cmp::Lt => x - y,
                    _ => y - x,
                }),
                (_, _, s) => s.map(|s| to_step(s, step, RoundingStrategy::AwayFromZero)),
            };
            let dp = if self.unit == Unit::Money { 2 } else { 0 };
            return [shown_a, shown_r, gap].map(|d| d.map(|d| (d, dp)));
        }
        // Percent points are hundredths: two decimals of a percentage are
        // four of the share.
        let base = if self.unit == Unit::Percent { 2 } else { 0 };
        let mut dp = 2;
        if let (Some(a), Some(r)) = (a, r) {
            while dp < 6 && a != r && round(a, base + dp) == round(r, base + dp) {
                dp += 1;
            }
        }
        let mut sdp = dp;
        if let Some(s) = s {
            while sdp < 6 && !s.is_zero() && round(s, base + sdp).is_zero() {
                sdp += 1;
            }
        }
        [
            a.map(|d| (round(d, base + dp), dp)),
            r.map(|d| (round(d, base + dp), dp)),
            s.map(|d| {
                (
                    d.round_dp_with_strategy(base + sdp, RoundingStrategy::AwayFromZero),
                    sdp,
                )
            }),
        ]
    }

    /// Writes one figure of a [`Figures::plan`]: its readable form, or
    /// `exact` as it stands when the plan has none.
    pub fn push(&self, out: &mut String, exact: &str, planned: Option<(Decimal, u32)>) {
        match (planned, self.unit) {
            (None, _) => out.push_str(exact),
            (Some((d, _)), Unit::Money) => push_money(out, d),
            (Some((d, dp)), Unit::Percent) => {
                push_grouped(out, d * Decimal::ONE_HUNDRED, dp);
                out.push('%');
            }
            (Some((d, dp)), _) => push_grouped(out, d, dp),
        }
    }
}

/// An exact figure as written in a report (an inexact quotient ends in `…`).
fn exact(s: &str) -> Option<Decimal> {
    s.trim_end_matches('…').parse().ok()
}

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn to_step(d: Decimal, step: Decimal, how: RoundingStrategy) -> Decimal {
    (d / step).round_dp_with_strategy(0, how) * step
}

/// The figure nearest to `r`, on the step, that meets `actual cmp r`.
fn meeting(r: Decimal, step: Decimal, cmp: Cmp) -> Decimal {
    let up = to_step(r, step, RoundingStrategy::ToPositiveInfinity);
    let down = to_step(r, step, RoundingStrategy::ToNegativeInfinity);
    match cmp {
        Cmp::Ge => up,
        Cmp::Gt if up == r => r + step,
        Cmp::Gt => up,
        Cmp::Le => down,
        Cmp::Lt if down == r => r - step,
        Cmp::Lt => down,
        Cmp::Eq | Cmp::Ne => to_step(r, step, RoundingStrategy::MidpointAwayFromZero),
    }
}

/// A decimal with thousands separators and at most `dp` decimals (trailing
/// zeros dropped).
pub fn grouped(d: Decimal, dp: u32) -> String {
    let mut out = String::new();
    push_grouped(&mut out, d, dp);
    out
}

fn push_grouped(out: &mut String, d: Decimal, dp: u32) {
    push_digits(out, round(d, dp).normalize());
}

/// Writes `d` with thousands separators in its whole part, in place (the
/// digits are written by `Display`, which does not allocate).
fn push_digits(out: &mut String, d: Decimal) {
    use std::fmt::Write as _;
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    let start = out.len();
    let _ = write!(out, "{}", d.abs());
    let int_end = out
        .get(start..)
        .and_then(|t| t.find('.'))
        .map_or(out.len(), |i| start + i);
    let mut at = int_end;
    while at > start + 3 {
        at -= 3;
        out.insert(at, ',');
    }
}

/// Money: `¥`, thousands separators, two decimals (half-up to the cent).
pub fn money(d: Decimal) -> String {
    let mut out = String::new();
    push_money(&mut out, d);
    out
}

fn push_money(out: &mut String, d: Decimal) {
    let mut d = round(d, 2);
    d.rescale(2);
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    out.push('¥');
    push_digits(out, d.abs());
}

/// A param's value in the unit it was written in: `90 h`, `5%`, `1:100`,
/// `¥1,077,000.00`, `3 years`. `exact` is the value as a report writes it.
pub fn param(unit: Unit, exact_value: &str) -> String {
    let Some(d) = exact(exact_value) else {
        return exact_value.to_string();
    };
    let one_in = || {
        (!d.is_zero())
            .then(|| Decimal::ONE.checked_div(d))
            .flatten()
            .filter(|n| n.fract().is_zero())
    };
    match unit {
        Unit::Hours => format!("{} h", grouped(d, 6)),
        Unit::Money => money(d),
        Unit::Percent => format!("{}%", grouped(d * Decimal::ONE_HUNDRED, 6)),
        Unit::Ratio => one_in().map_or_else(|| grouped(d, 6), |n| format!("1:{}", n.normalize())),
        Unit::Fraction => {
            one_in().map_or_else(|| grouped(d, 6), |n| format!("1/{}", n.normalize()))
        }
        Unit::Count | Unit::Number => grouped(d, 6),
        Unit::Other => exact_value.to_string(),
    }
}

/// The unit of a param's value as it appears in an explanation.
pub fn param_unit(policy: &CheckedPolicy, name: &str) -> Unit {
    policy
        .params
        .iter()
        .find(|p| &*p.name == name)
        .map_or(Unit::Other, |p| p.unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(unit: Unit, cmp: Cmp) -> Figures {
        Figures { unit, cmp }
    }

    fn show(fig: Figures, a: &str, r: &str, s: &str) -> (String, String, String) {
        let x = fig.show(Some(a), Some(r), Some(s));
        (
            x.actual.unwrap_or_default(),
            x.required.unwrap_or_default(),
            x.shortfall.unwrap_or_default(),
        )
    }

    fn t(a: &str, r: &str, s: &str) -> (String, String, String) {
        (a.into(), r.into(), s.into())
    }

    #[test]
    fn money_is_grouped_to_the_cent() {
        assert_eq!(money(Decimal::new(720061710, 2)), "¥7,200,617.10");
        assert_eq!(money(Decimal::new(5, 0)), "¥5.00");
        assert_eq!(money(Decimal::new(-123456, 1)), "-¥12,345.60");
        assert_eq!(money(Decimal::new(999, 0)), "¥999.00");
        assert_eq!(money(Decimal::new(1000, 0)), "¥1,000.00");
    }

    #[test]
    fn a_share_of_a_budget_is_required_to_the_next_cent() {
        // 37037.0367 is met by ¥37,037.04, not by ¥37,037.03.
        assert_eq!(
            show(
                f(Unit::Money, Cmp::Ge),
                "30000.00",
                "37037.0367",
                "7037.0367"
            ),
            t("¥30,000.00", "¥37,037.04", "¥7,037.04")
        );
        // A ceiling is met by the cent below it.
        assert_eq!(
            show(f(Unit::Money, Cmp::Le), "40000", "37037.0367", "2962.9633"),
            t("¥40,000.00", "¥37,037.03", "¥2,962.97")
        );
    }

    #[test]
    fn headcounts_are_whole_people() {
        assert_eq!(
            show(f(Unit::Count, Cmp::Ge), "0", "0.38", "0.38"),
            t("0", "1", "1")
        );
        assert_eq!(
            show(f(Unit::Count, Cmp::Ge), "3", "12.01", "9.01"),
            t("3", "13", "10")
        );
        assert_eq!(
            show(f(Unit::Count, Cmp::Gt), "5", "5", "0"),
            t("5", "6", "1")
        );
        assert_eq!(
            show(f(Unit::Count, Cmp::Le), "15", "13", "2"),
            t("15", "13", "2")
        );
        assert_eq!(
            show(f(Unit::Count, Cmp::Ge), "12000", "12500", "500"),
            t("12,000", "12,500", "500")
        );
    }

    #[test]
    fn shares_are_percentages() {
        assert_eq!(
            show(
                f(Unit::Percent, Cmp::Ge),
                "0.0487804878048780487804878049",
                "0.05",
                "0.0012195121951219512195121951"
            ),
            t("4.88%", "5%", "0.13%")
        );
        // Two decimals would show 5% against 5%: show more.
        assert_eq!(
            show(f(Unit::Percent, Cmp::Ge), "0.049999", "0.05", "0.000001"),
            t("4.9999%", "5%", "0.0001%")
        );
    }

    #[test]
    fn hours_keep_what_tells_them_apart() {
        assert_eq!(
            show(f(Unit::Hours, Cmp::Ge), "89.5", "90", "0.5"),
            t("89.5", "90", "0.5")
        );
        assert_eq!(
            show(f(Unit::Hours, Cmp::Ge), "89.999", "90", "0.001"),
            t("89.999", "90", "0.001")
        );
        assert_eq!(
            show(
                f(Unit::Hours, Cmp::Ge),
                "12.3333333333",
                "1200",
                "1187.6666666667"
            ),
            t("12.33", "1,200", "1,187.67")
        );
    }

    #[test]
    fn other_figures_stand_as_written() {
        assert_eq!(
            show(f(Unit::Other, Cmp::Le), "2021-01-01", "2020-12-31", ""),
            t("2021-01-01", "2020-12-31", "")
        );
        let missing = f(Unit::Money, Cmp::Ge).show(None, None, None);
        assert_eq!(missing, Shown::default());
    }

    #[test]
    fn params_show_their_written_unit() {
        assert_eq!(param(Unit::Hours, "72"), "72 h");
        assert_eq!(param(Unit::Percent, "0.025"), "2.5%");
        assert_eq!(param(Unit::Ratio, "0.01"), "1:100");
        assert_eq!(param(Unit::Fraction, "0.25"), "1/4");
        assert_eq!(param(Unit::Money, "10770000"), "¥10,770,000.00");
        assert_eq!(param(Unit::Other, "3 years"), "3 years");
        assert_eq!(param(Unit::Number, "13"), "13");
    }
}
