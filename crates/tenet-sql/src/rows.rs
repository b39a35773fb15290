//! Result rows from an engine → the report the native evaluator writes.
//!
//! The engine returns one row per (rule, subject, window) with the figures
//! as exact numerators and denominators in text; this module writes them
//! as the evaluator does ([`tenet::figures`]), works out the shortfall,
//! fills the message template and builds the summary.

use crate::compile::{Compiled, Shape, OUT};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use tenet::program::{CheckedPolicy, Cmp};
use tenet::report::{Explanation, Report, RuleResult, Status, Subject, WindowOut};
use tenet::schema::Type;
use tenet::value::{DateRange, Q};

/// A row the engine gave that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("result row {row}: {what}")]
pub struct RowError {
    /// The row's position (from 1).
    pub row: usize,
    /// What is wrong.
    pub what: String,
}

/// One result row as the engine returns it: the columns of
/// [`OUT`], each as text or `NULL`.
pub type Row = Vec<Option<String>>;

/// Reads a decimal an engine wrote (`90.0000`, `-3`, `1E+2` is not
/// written by any of them); trailing zeros are dropped first so a long
/// exact product still fits a decimal.
pub fn decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.')
    } else {
        t
    };
    t.parse().ok()
}

fn date(text: &str) -> Option<NaiveDate> {
    text.trim().get(..10)?.parse().ok()
}

fn status(text: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.as_str() == text)
}

/// The report of `policy` from the rows of its compiled query, with the
/// schools (id, name) in the order the summary lists them.
pub fn report(
    policy: &CheckedPolicy,
    compiled: &Compiled,
    as_of: NaiveDate,
    rows: &[Row],
    schools: &[(String, String)],
) -> Result<Report, RowError> {
    let mut results = Vec::with_capacity(rows.len());
    let mut school_of = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let err = |what: String| RowError { row: i + 1, what };
        let get = |name: &str| -> Option<&str> {
            let k = OUT.iter().position(|c| *c == name)?;
            row.get(k)?.as_deref()
        };
        let need = |name: &str| get(name).ok_or_else(|| err(format!("no `{name}`")));
        let ix: usize = need("rule_ix")?
            .trim()
            .parse()
            .map_err(|_| err("a bad rule_ix".into()))?;
        let rule = policy
            .rules
            .get(ix)
            .ok_or_else(|| err(format!("no rule {ix}")))?;
        let shape = compiled.shapes.get(ix).cloned().unwrap_or(Shape::Condition);
        let status = status(need("status")?).ok_or_else(|| err("a bad status".into()))?;
        let window = match (get("ws"), get("we")) {
            (Some(s), Some(e)) => Some(
                date(s)
                    .zip(date(e))
                    .and_then(|(s, e)| DateRange::new(s, e))
                    .ok_or_else(|| err("a bad window".into()))?,
            ),
            // A rule without a window reports the range it ran over, as
            // natively (decisions W2).
            _ => match rule.window {
                tenet::program::WindowSpec::None => policy.effective,
                _ => None,
            },
        };
        let q = |n: &str, d: &str| -> Result<Option<Q>, RowError> {
            match (get(n), get(d)) {
                (Some(n), Some(d)) => {
                    let (n, d) = decimal(n)
                        .zip(decimal(d))
                        .ok_or_else(|| err(format!("a bad figure `{n}` / `{d}`")))?;
                    Ok(Q::ratio(n, d))
                }
                _ => Ok(None),
            }
        };
        let shown = |q: Option<Q>, ty: &Type| {
            q.and_then(|q| {
                let (n, d) = q.parts();
                tenet::figures::quantity(n, d, ty)
            })
        };
        let (actual, required, shortfall) = match &shape {
            Shape::Compare {
                op,
                actual: ta,
                required: tr,
            } => {
                if *ta == Type::Date {
                    (
                        get("an").map(String::from),
                        get("rn").map(String::from),
                        None,
                    )
                } else {
                    let (x, y) = (q("an", "ad")?, q("rn", "rd")?);
                    let short = match (x, y, status) {
                        (Some(x), Some(y), Status::Fail | Status::Pending) => match op {
                            Cmp::Ge | Cmp::Gt => y.minus(x).ok(),
                            Cmp::Le | Cmp::Lt => x.minus(y).ok(),
                            Cmp::Eq | Cmp::Ne => None,
                        },
                        _ => None,
                    };
                    (shown(x, ta), shown(y, tr), shown(short, ta))
                }
            }
            Shape::Condition => (None, None, None),
            Shape::Cadence => {
                let (x, y) = (q("an", "ad")?, q("rn", "rd")?);
                let short = match (x, y, status) {
                    (Some(x), Some(y), Status::Fail | Status::Pending) => y.minus(x).ok(),
                    _ => None,
                };
                (
                    shown(x, &Type::Number),
                    shown(y, &Type::Number),
                    shown(short, &Type::Number),
                )
            }
        };
        let kind = need("kind")?.to_string();
        let id = need("sid")?.to_string();
        let name = get("sname").unwrap_or(&id).to_string();
        let message = rule.message.as_deref().and_then(|t| {
            tenet::figures::message(
                t,
                status,
                [actual.clone(), required.clone(), shortfall.clone()],
                rule,
                policy,
                &name,
                window,
            )
        });
        school_of.push(get("school").and_then(|s| schools.iter().position(|(id, _)| id == s)));
        let explanation = {
            let param_day = match (&rule.window, window) {
                (tenet::program::WindowSpec::None, _) | (_, None) => as_of,
                (_, Some(w)) => w.start,
            };
            let (values, params) =
                facts(rule, policy, status, [&actual, &required], param_day).unwrap_or_default();
            Explanation {
                message,
                values,
                params,
                ..explained(rule, policy, get("ex"), window, as_of).map_err(err)?
            }
        };
        results.push(RuleResult {
            rule: rule.id.clone(),
            subject: Subject {
                kind: Cow::Owned(kind),
                id,
            },
            window: window.map(|w| WindowOut {
                start: w.start,
                end: w.end,
            }),
            status,
            actual,
            required,
            shortfall,
            severity: rule.severity,
            explanation,
        });
    }
    let rules: Vec<_> = policy
        .rules
        .iter()
        .map(|r| (r.id.clone(), r.title.clone(), r.severity))
        .collect();
    let summary = tenet::report::summarize(
        policy.title.clone(),
        policy.source.clone(),
        &rules,
        &results,
        schools,
        |i| school_of.get(i).copied().flatten(),
    );
    Ok(Report {
        policy: policy.id.clone(),
        as_of,
        results,
        summary,
    })
}

/// `explanation.values` and `.params` of a judged comparison, where the
/// figures say them all: each side is a computed value (an aggregate,
/// `credited_hours`, a finance line — its value is the side's figure) that
/// reads no param and no other computed value, or arithmetic of params,
/// constants and plain fields (the evaluator reads every one of them for a
/// result it could judge). Any other shape: none (what it read depends on
/// the members, and the SQL does not say).
fn facts(
    rule: &tenet::program::Rule,
    policy: &CheckedPolicy,
    status: Status,
    figures: [&Option<String>; 2],
    param_day: NaiveDate,
) -> Option<(Vec<tenet::report::Fact>, Vec<tenet::report::Fact>)> {
    use tenet::program::{Expr, ExprKind as K, Requirement};
    let none = None;
    let judged = matches!(status, Status::Pass | Status::Fail | Status::Pending);
    let (true, Requirement::Check(cond)) = (judged, &rule.require) else {
        return none;
    };
    let K::Compare(_, a, b) = &cond.kind else {
        return none;
    };
    if !(a.ty.is_quantity() || a.ty == Type::Date) {
        return none;
    }
    fn computed(e: &Expr) -> bool {
        matches!(
            e.kind,
            K::Aggregate(_)
                | K::Credited { .. }
                | K::Finance { .. }
                | K::Age { .. }
                | K::Tenure { .. }
        )
    }
    fn read(e: &Expr) -> bool {
        matches!(e.kind, K::Param(_)) || computed(e)
    }
    // Params of arithmetic, in the evaluator's order; false if a param or
    // a computed value sits anywhere else.
    fn plain(
        e: &Expr,
        policy: &CheckedPolicy,
        day: NaiveDate,
        out: &mut Vec<tenet::report::Fact>,
    ) -> bool {
        match &e.kind {
            K::Param(id) => {
                let Some(f) = policy
                    .params
                    .get(usize::from(id.0))
                    .and_then(|p| tenet::figures::param_fact(p, day))
                else {
                    return false;
                };
                if !out.iter().any(|g| g.expr == f.expr) {
                    out.push(f);
                }
                true
            }
            K::Arith(_, x, y) | K::Of(x, y) => {
                plain(x, policy, day, out) && plain(y, policy, day, out)
            }
            K::Neg(x) => plain(x, policy, day, out),
            _ => !e.any(&read),
        }
    }
    let (mut values, mut params) = (Vec::new(), Vec::new());
    for (side, shown) in [a, b].into_iter().zip(figures) {
        if computed(side) {
            let inner = side.any(&|n| !std::ptr::eq(n, &**side) && read(n));
            let (false, false, Some(v)) = (
                inner,
                matches!(side.kind, K::Age { .. } | K::Tenure { .. }),
                shown,
            ) else {
                return none;
            };
            if !side.text.is_empty()
                && !values
                    .iter()
                    .any(|f: &tenet::report::Fact| *f.expr == *side.text)
            {
                values.push(tenet::report::Fact {
                    expr: side.text.clone(),
                    value: v.clone(),
                });
            }
        } else if !plain(side, policy, param_day, &mut params) {
            return none;
        }
    }
    Some((values, params))
}

/// Whether the rows of `rule` carry the native `explanation.values` and
/// `.params` of its judged results (see [`report`]).
///
/// ```
/// let set = tenet::PolicySet::from_sources(&[("p.policy", r#"policy p {
///   param n = 2
///   rule a { for school s require count(people of s) >= n }
///   rule b { for school s require count(people of s where count(people) >= n) >= 1 } }"#)])
///     .map_err(|e| e.render())?;
/// let p = &set.policies()[0];
/// assert!(tenet_sql::rows::carries_facts(&p.rules[0], p));
/// assert!(!tenet_sql::rows::carries_facts(&p.rules[1], p));
/// # Ok::<(), String>(())
/// ```
pub fn carries_facts(rule: &tenet::program::Rule, policy: &CheckedPolicy) -> bool {
    let shown = Some(String::new());
    facts(rule, policy, Status::Pass, [&shown, &shown], NaiveDate::MIN).is_some()
}

/// What the `ex` column says of a result, as the evaluator writes it at
/// `brief` detail: why a window is not judged (`outside`: apart from the
/// effective range or cut by it; `hired:DATE`: a person hired late); for
/// a cadence, the activities of the satisfied sub-windows (`more`) and one
/// line per short sub-window (`missing`), written `more#start|end|found;…`.
fn explained(
    rule: &tenet::program::Rule,
    policy: &CheckedPolicy,
    ex: Option<&str>,
    window: Option<DateRange>,
    as_of: NaiveDate,
) -> Result<Explanation, String> {
    let Some(ex) = ex else {
        return Ok(Explanation::default());
    };
    let bad = || format!("a bad explanation `{ex}`");
    let why = |missing: Option<String>| {
        Ok(Explanation {
            missing: missing.into_iter().collect(),
            ..Explanation::default()
        })
    };
    if let Some(reasons_text) = ex.strip_prefix(crate::compile::why::PREFIX) {
        // An unknown result's reasons; none said when the SQL cannot tell
        // which member of an aggregate the evaluator met first.
        let missing = reasons(reasons_text).ok_or_else(bad)?;
        if missing
            .iter()
            .any(|m| m.contains(crate::compile::why::UNDETERMINED))
        {
            return Ok(Explanation::default());
        }
        return Ok(Explanation {
            missing,
            ..Explanation::default()
        });
    }
    if ex == "outside" {
        let (Some(w), Some(eff)) = (window, policy.effective) else {
            return Err(bad());
        };
        return why(Some(tenet::figures::not_judged(w, eff)));
    }
    if let Some(hired) = ex.strip_prefix("hired:") {
        let hired = date(hired).ok_or_else(bad)?;
        // A rule without a window reports the effective range but was
        // judged at the evaluation date.
        let judged = match rule.window {
            tenet::program::WindowSpec::None => None,
            _ => window,
        };
        return why(tenet::figures::hired_late(hired, judged, as_of));
    }
    let tenet::program::Requirement::Cadence(c) = &rule.require else {
        return Err(bad());
    };
    let (more, pieces) = ex.split_once('#').ok_or_else(bad)?;
    let more = more.trim().parse().map_err(|_| bad())?;
    let mut missing = Vec::new();
    for piece in pieces.split(';').filter(|p| !p.is_empty()) {
        let mut parts = piece.split('|');
        let (Some(s), Some(e), Some(n), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let range = date(s)
            .zip(date(e))
            .and_then(|(s, e)| DateRange::new(s, e))
            .ok_or_else(bad)?;
        let found = n.trim().parse().map_err(|_| bad())?;
        missing.push(tenet::figures::short_sub_window(range, found, c, as_of));
    }
    Ok(Explanation {
        missing,
        more,
        ..Explanation::default()
    })
}

/// An unknown result's reasons from its `ex` after the prefix: the first
/// one's length in characters, `:`, the first, then a second if any.
fn reasons(text: &str) -> Option<Vec<String>> {
    let (len, both) = text.split_once(':')?;
    let len: usize = len.parse().ok()?;
    let split = both.char_indices().nth(len).map_or(both.len(), |(i, _)| i);
    let (first, second) = both.split_at(split);
    if first.chars().count() != len {
        return None;
    }
    let second = (!second.is_empty()).then_some(second);
    Some(
        std::iter::once(first)
            .chain(second)
            .map(String::from)
            .collect(),
    )
}

/// Whether a result row is `unknown` for a reason the SQL cannot tell
/// (which member of an aggregate the evaluator met first): its
/// explanation's `missing` is empty where the native one names it.
pub fn undetermined(row: &Row) -> bool {
    let ex = OUT
        .iter()
        .position(|c| *c == "ex")
        .and_then(|k| row.get(k))
        .and_then(|v| v.as_deref());
    ex.and_then(|e| e.strip_prefix(crate::compile::why::PREFIX))
        .is_some_and(|r| r.contains(crate::compile::why::UNDETERMINED))
}

/// Rows from CSV text with a header naming the columns of [`OUT`] (what
/// the Spark runner writes); an empty field is `NULL`.
pub fn from_csv(text: &str) -> Result<Vec<Row>, RowError> {
    let (header, rows) = csv_table(text, true)?;
    let order: Vec<Option<usize>> = OUT
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            order
                .iter()
                .map(|k| k.and_then(|k| r.get(k).cloned().flatten()))
                .collect()
        })
        .collect())
}

/// Any CSV result with a header, every column in order.
pub fn parse_csv(text: &str) -> Result<Vec<Row>, RowError> {
    csv_table(text, true).map(|(_, rows)| rows)
}

/// Rows of CSV text with no header line: the rows of one statement or of
/// several one after the other, as an engine's shell prints them with its
/// headers off.
pub fn parse_headless_csv(text: &str) -> Result<Vec<Row>, RowError> {
    csv_table(text, false).map(|(_, rows)| rows)
}

fn csv_table(text: &str, has_headers: bool) -> Result<(Vec<String>, Vec<Row>), RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(!has_headers)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| RowError {
            row: 0,
            what: e.to_string(),
        })?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| RowError {
            row: i + 1,
            what: e.to_string(),
        })?;
        rows.push(
            rec.iter()
                .map(|v| (!v.is_empty()).then(|| v.to_string()))
                .collect(),
        );
    }
    Ok((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headless_rows_keep_the_first_row_and_join_statements() {
        // Two statements' rows one after the other, the second with a
        // NULL and a quoted comma: no row is taken for a header.
        let rows = parse_headless_csv("0,duplicate\n5,\n7,\"a,b\"\n").expect("rows");
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            rows,
            vec![
                vec![s("0"), s("duplicate")],
                vec![s("5"), None],
                vec![s("7"), s("a,b")]
            ]
        );
        assert_eq!(parse_headless_csv("").expect("no rows"), Vec::<Row>::new());
    }

    #[test]
    fn engine_decimals_read_exactly() {
        assert_eq!(decimal("90.0000"), Some(Decimal::from(90)));
        assert_eq!(decimal("538500.00000"), Some(Decimal::from(538_500)));
        assert_eq!(decimal("-2.50"), Some(Decimal::new(-25, 1)));
        assert_eq!(decimal("12"), Some(Decimal::from(12)));
        assert_eq!(
            decimal("1.0000000000000000000000000000000000"),
            Some(Decimal::ONE)
        );
        assert_eq!(decimal("x"), None);
    }

    #[test]
    fn reasons_are_split_by_length_whatever_the_ids_hold() {
        let a = "person `a\t:b` has no birth_date";
        let b = "param `p` has no value";
        let one = format!("{}:{a}", a.chars().count());
        assert_eq!(reasons(&one), Some(vec![a.to_string()]));
        let two = format!("{}:{a}{b}", a.chars().count());
        assert_eq!(reasons(&two), Some(vec![a.to_string(), b.to_string()]));
        let cjk = "no finance row for `学校` 2024 `培训经费`";
        let text = format!("{}:{cjk}", cjk.chars().count());
        assert_eq!(reasons(&text), Some(vec![cjk.to_string()]));
        assert_eq!(reasons("99:short"), None);
        assert_eq!(reasons("x:short"), None);
        assert_eq!(reasons("short"), None);
    }
}
