//! A rule's windows, and which of them are evaluated: the one place the
//! compiler decides window applicability.
//!
//! Every window row carries four dates: `tenet_rs .. tenet_re`, the window
//! as made (a calendar period, the cycle, `within`/`during` per subject),
//! and `tenet_cs .. tenet_ce`, the same clipped to the policy's
//! `effective` range (`tenet_cs > tenet_ce` when they do not meet). From
//! them alone, as the evaluator decides (decisions W1, W5):
//! - no overlap with `effective` and started by the evaluation date →
//!   `not_applicable`, reported with the window as made;
//! - no overlap and not started, or the clipped window starting after the
//!   evaluation date → left out of the report;
//! - otherwise evaluated over the clipped window, records counted up to
//!   `tenet_upto` = min(clipped end, evaluation date), open when the clipped
//!   window ends after the evaluation date.

use super::expr::{add_duration, id_of, Bound, Key, V};
use super::{Ctx, Layer, Out, Refuse, Shape};
use crate::ast::{Expr as S, From, Item, Join, Op, Query, Select};
use chrono::{Days, NaiveDate};
use tenet::figures::periods;
use tenet::program::{Cadence, CheckedPolicy, Rule, WindowSpec};
use tenet::schema::Entity;
use tenet::syntax::ast::{Period, PeriodUnit};
use tenet::value::DateRange;

/// Most windows or sub-windows one rule is cut into (as the evaluator).
const MAX_WINDOWS: usize = 100_000;

/// The first day of "all time" in SQL (every engine reads year 1; the
/// evaluator's `NaiveDate::MIN` is out of their range).
pub(crate) const FAR_PAST: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// How a rule's windows are made.
pub(crate) enum Plan {
    /// No window: a check at the evaluation date.
    None,
    /// The same windows for every subject, known when compiling.
    Fixed(Vec<DateRange>),
    /// One window per subject: first and last day as SQL over the
    /// subject's row (`NULL` when its anchor is unknown).
    PerRow(S, S),
}

/// The range records come from without a window (decisions W2).
pub(crate) fn default_range(policy: &CheckedPolicy, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    match policy.effective {
        None => (FAR_PAST, as_of),
        Some(e) => (e.start, e.end.min(as_of)),
    }
}

pub(crate) fn plan(ctx: &mut Ctx<'_>, rule: &Rule) -> Result<Plan, Refuse> {
    Ok(match &rule.window {
        WindowSpec::None => Plan::None,
        WindowSpec::Each { period, .. } => match ctx.policy.effective {
            Some(eff) => Plan::Fixed(
                periods(*period, eff, &ctx.policy.calendar, MAX_WINDOWS)
                    .into_iter()
                    .map(|p| p.range)
                    .collect(),
            ),
            None => Plan::Fixed(Vec::new()),
        },
        WindowSpec::Cycle { range, .. } => Plan::Fixed(vec![*range]),
        WindowSpec::Within { length, after, .. } => match ctx.expr(after)? {
            V::Date(d) => {
                let end = add_duration(d.clone(), *length, 1);
                Plan::PerRow(d, S::AddDays(Box::new(end), Box::new(S::int(-1))))
            }
            _ => return Err(Refuse::internal("within after a non-date".into())),
        },
        WindowSpec::During { of, .. } => match ctx.expr(of)? {
            V::Ent(Entity::Mentorship | Entity::Activity, Key::Row(a)) => {
                Plan::PerRow(S::col(&a, "start_date"), S::col(&a, "end_date"))
            }
            // `during e.activity`: the activity's dates are on the
            // enrollment's row.
            V::Ent(Entity::Activity, Key::Via(a)) => {
                Plan::PerRow(S::col(&a, "act_start_date"), S::col(&a, "end_date"))
            }
            _ => return Err(ctx.refuse("`during` of a record other than the subject".into())),
        },
    })
}

fn c(col: &str) -> S {
    S::col("s", col)
}

/// The subjects of `layer` with their windows; and, for windows made per
/// subject, the subjects whose window cannot be made (its anchor is
/// unknown), reported `unknown` without a window.
pub(crate) fn attach(
    ctx: &Ctx<'_>,
    plan: &Plan,
    layer: Layer,
) -> Result<(Layer, Option<Layer>), Refuse> {
    let eff = ctx.policy.effective;
    let (made, unknown) = match plan {
        Plan::None => return Ok((layer, None)),
        Plan::Fixed(windows) => {
            let rows: Vec<Vec<S>> = windows
                .iter()
                .map(|w| {
                    let (cs, ce) = match eff.map_or(Some(*w), |e| w.intersect(e)) {
                        Some(cl) => (cl.start, cl.end),
                        // Apart: a clipped window that ends before it starts.
                        None => (
                            w.start,
                            w.start.checked_sub_days(Days::new(1)).unwrap_or(w.start),
                        ),
                    };
                    vec![S::Date(w.start), S::Date(w.end), S::Date(cs), S::Date(ce)]
                })
                .collect();
            if rows.is_empty() {
                // No window at all: no rows (VALUES cannot be empty).
                let none = vec![S::Date(FAR_PAST); 4];
                let s = Select::from(
                    vec![Item::All("s".into()), Item::All("w".into())],
                    layer.from(),
                );
                let mut s = s;
                s.from.push((values(vec![none]), Join::Cross));
                return Ok((Layer(s.and_where(S::Bool(false))), None));
            }
            let mut s = Select::from(
                vec![Item::All("s".into()), Item::All("w".into())],
                layer.from(),
            );
            s.from.push((values(rows), Join::Cross));
            (Layer(s), None)
        }
        Plan::PerRow(start, end) => {
            let raw = Layer(Select::from(
                vec![
                    Item::All("s".into()),
                    Item::Expr(start.clone(), "tenet_rs".into()),
                    Item::Expr(end.clone(), "tenet_re".into()),
                ],
                layer.from(),
            ));
            let unknown = Layer(
                Select::from(vec![Item::All("s".into())], raw.clone().from())
                    .and_where(c("tenet_rs").is_null()),
            );
            let (cs, ce) = match eff {
                Some(e) => (
                    S::Func("GREATEST", vec![c("tenet_rs"), S::Date(e.start)]),
                    S::Func("LEAST", vec![c("tenet_re"), S::Date(e.end)]),
                ),
                None => (c("tenet_rs"), c("tenet_re")),
            };
            let clipped = Select::from(
                vec![
                    Item::All("s".into()),
                    Item::Expr(cs, "tenet_cs".into()),
                    Item::Expr(ce, "tenet_ce".into()),
                ],
                raw.from(),
            )
            .and_where(c("tenet_rs").not_null());
            (Layer(clipped), Some(unknown))
        }
    };
    let with_upto = Select::from(
        vec![
            Item::All("s".into()),
            Item::Expr(
                S::Func("LEAST", vec![c("tenet_ce"), S::Date(ctx.as_of)]),
                "tenet_upto".into(),
            ),
        ],
        made.from(),
    );
    Ok((Layer(with_upto), unknown))
}

fn values(rows: Vec<Vec<S>>) -> From {
    From::Values(
        rows,
        "w".into(),
        ["tenet_rs", "tenet_re", "tenet_cs", "tenet_ce"]
            .map(String::from)
            .to_vec(),
    )
}

/// Windows not judged: apart from the `effective` range; or, for a
/// window of the subject's own (`within`, `during`), not wholly inside it
/// — it is not judged on the part inside (decisions W5, W13).
fn outside(plan: &Plan, effective: Option<DateRange>) -> S {
    match (plan, effective) {
        (Plan::PerRow(..), Some(e)) => c("tenet_rs")
            .op(Op::Lt, S::Date(e.start))
            .or(c("tenet_re").op(Op::Gt, S::Date(e.end))),
        (Plan::PerRow(..), None) => S::Bool(false),
        _ => c("tenet_cs").op(Op::Gt, c("tenet_ce")),
    }
}

/// Windows reported `not_applicable`: not judged, and started by the
/// evaluation date (else left out).
pub(crate) fn na(plan: &Plan, effective: Option<DateRange>, as_of: NaiveDate) -> S {
    outside(plan, effective).and(c("tenet_rs").op(Op::Le, S::Date(as_of)))
}

/// Windows evaluated: judged, and started by the evaluation date.
pub(crate) fn evaluated(plan: &Plan, effective: Option<DateRange>, as_of: NaiveDate) -> S {
    outside(plan, effective)
        .negated()
        .and(c("tenet_cs").op(Op::Le, S::Date(as_of)))
}

/// The window as made.
pub(crate) fn raw() -> (S, S) {
    (c("tenet_rs"), c("tenet_re"))
}

/// The window a result reports.
pub(crate) fn shown(plan: &Plan) -> Option<(S, S)> {
    match plan {
        Plan::None => None,
        _ => Some((c("tenet_cs"), c("tenet_ce"))),
    }
}

/// For a person subject with a `hire_date`: whether they were hired after
/// the (clipped) window's first day, or, without a window, after the
/// evaluation date — the window is then `not_applicable` (decisions W14;
/// hired after the window ends or after the evaluation date both imply
/// it, as an evaluated window starts by the evaluation date). `NULL` for
/// a person with no hire date, who owes the whole window.
pub(crate) fn before_hire(subject: Entity, plan: &Plan, as_of: NaiveDate) -> Option<S> {
    if subject != Entity::Person {
        return None;
    }
    let first_day = match plan {
        Plan::None => S::Date(as_of),
        _ => c("tenet_cs"),
    };
    Some(c("hire_date").op(Op::Gt, first_day))
}

/// Whether the window is still open.
pub(crate) fn open(plan: &Plan, as_of: NaiveDate) -> S {
    match plan {
        Plan::None => S::Bool(false),
        _ => c("tenet_ce").op(Op::Gt, S::Date(as_of)),
    }
}

/// Binds the window for what the rule evaluates inside it: the window
/// variable, the range records count in, the param and default days
/// (decisions W3, P1, P5).
pub(crate) fn bind(ctx: &mut Ctx<'_>, rule: &Rule, plan: &Plan) {
    if let Plan::None = plan {
        return;
    }
    let (cs, ce) = (c("tenet_cs"), c("tenet_ce"));
    if let Some(v) = rule.window.bind() {
        ctx.vars.insert(v, Bound::Window(cs.clone(), ce.clone()));
    }
    ctx.window = Some((cs.clone(), ce));
    ctx.range = (cs.clone(), c("tenet_upto"));
    ctx.param_day = cs;
    ctx.default_at = c("tenet_upto");
}

/// A cadence: each sub-window of the (clipped) window needs `at_least`
/// activities (decisions C1–C6).
pub(crate) fn cadence(
    ctx: &mut Ctx<'_>,
    out: &Out,
    plan: &Plan,
    layer: Layer,
    cad: &Cadence,
) -> Result<Select, Refuse> {
    let as_of = ctx.as_of;
    let cal = &ctx.policy.calendar;
    // Sub-windows: (key, start, end) rows, required ones only (not cut
    // short at the end unless it is the first, decisions C2; started by
    // the evaluation date).
    let required = |outer: DateRange| {
        periods(cad.every, outer, cal, MAX_WINDOWS)
            .into_iter()
            .enumerate()
            .filter(|(i, p)| (!p.cut_at_end || *i == 0) && p.range.start <= as_of)
            .map(|(_, p)| p)
            .map(move |p| (outer.start, p.range.start, p.range.end))
    };
    let (layer, ps, pe, table, on) = match plan {
        Plan::None | Plan::Fixed(_) => {
            let outers: Vec<DateRange> = match plan {
                Plan::Fixed(ws) => ws
                    .iter()
                    .filter_map(|w| ctx.policy.effective.map_or(Some(*w), |e| w.intersect(e)))
                    .collect(),
                _ => match ctx.policy.effective {
                    Some(e) => vec![e],
                    None => return Err(ctx.refuse("a cadence with no range to run over".into())),
                },
            };
            let mut rows: Vec<Vec<S>> = outers
                .into_iter()
                .flat_map(required)
                .map(|(k, s, e)| vec![S::Date(k), S::Date(s), S::Date(e)])
                .collect();
            if rows.is_empty() {
                rows.push(vec![S::Date(FAR_PAST); 3]);
            }
            let key = match plan {
                Plan::None => S::Date(ctx.policy.effective.map_or(FAR_PAST, |e| e.start)),
                _ => c("tenet_cs"),
            };
            (
                layer,
                S::col("p", "ps"),
                S::col("p", "pe"),
                From::Values(
                    rows,
                    "p".into(),
                    ["pk", "ps", "pe"].map(String::from).to_vec(),
                ),
                S::col("p", "pk").eq(key),
            )
        }
        Plan::PerRow(..) => per_row_pieces(ctx, cad.every, layer)?,
    };
    let mut pieces = Select::from(
        vec![
            Item::All("s".into()),
            Item::Expr(ps, "tenet_ps".into()),
            Item::Expr(pe.clone(), "tenet_pe".into()),
            Item::Expr(
                S::Func("LEAST", vec![pe, S::Date(as_of)]),
                "tenet_pu".into(),
            ),
        ],
        layer.from(),
    );
    pieces.from.push((table, Join::Left(on)));

    // Activities of the kind by (or hosted by) the owner, per sub-window.
    let by = match ctx.expr(&cad.by)? {
        V::Ent(kind, key) => id_of(kind, &key),
        _ => return Err(super::Refuse::internal("a cadence by a non-record".into())),
    };
    let a = ctx.alias();
    let saved = ctx
        .vars
        .insert(cad.elem, Bound::Ent(Entity::Activity, Key::Row(a.clone())));
    let filter = match &cad.filter {
        Some(f) => Some(ctx.cond(f)?),
        None => None,
    };
    match saved {
        Some(b) => {
            ctx.vars.insert(cad.elem, b);
        }
        None => {
            ctx.vars.remove(&cad.elem);
        }
    }
    let col = |x: &str| S::col(&a, x);
    let owner = if cad.hosted { "host" } else { "organizer" };
    let found = |item: S| {
        let s = Select::from(
            vec![Item::Expr(item, "v".into())],
            From::Table("activities".into(), a.clone()),
        )
        .and_where(col("kind").eq(S::Str(cad.kind.as_str().into())))
        .and_where(col(owner).eq(by.clone()))
        .and_where(col("end_date").between(c("tenet_ps"), c("tenet_pu")));
        S::Subquery(Box::new(Query::select(s)))
    };
    let kept = filter.clone().unwrap_or(S::Bool(true));
    let n = found(S::Func(
        "COALESCE",
        vec![
            S::Func("SUM", vec![S::iff(kept, S::int(1), S::int(0))]),
            S::int(0),
        ],
    ));
    let mut counted_items = vec![
        Item::All("s".into()),
        Item::Expr(by.clone(), "tenet_by".into()),
        Item::Expr(n, "tenet_n".into()),
    ];
    let unknown_piece = filter.map(|f| {
        found(S::Func(
            "COALESCE",
            vec![
                S::Func("MAX", vec![S::iff(f.is_null(), S::int(1), S::int(0))]),
                S::int(0),
            ],
        ))
    });
    counted_items.push(Item::Expr(
        unknown_piece.unwrap_or(S::int(0)),
        "tenet_u".into(),
    ));
    let counted = Layer(Select::from(counted_items, Layer(pieces).from()));

    // One row per subject and window.
    let at_least = S::int(i64::from(cad.at_least));
    let piece = c("tenet_ps").not_null();
    let sum_if = |cond: S| {
        S::Func(
            "COALESCE",
            vec![
                S::Func("SUM", vec![S::iff(cond, S::int(1), S::int(0))]),
                S::int(0),
            ],
        )
    };
    let checked = S::Func("COUNT", vec![c("tenet_ps")]);
    let enough = piece.clone().and(c("tenet_n").op(Op::Ge, at_least.clone()));
    let satisfied = sum_if(enough.clone());
    let short = piece.and(c("tenet_n").op(Op::Lt, at_least));
    // For the explanation: the activities of the satisfied sub-windows
    // (what a brief one counts, not lists), and each short sub-window
    // with what it had, `start|end|found`.
    let listed = S::Func(
        "COALESCE",
        vec![
            S::Func("SUM", vec![S::iff(enough, c("tenet_n"), S::int(0))]),
            S::int(0),
        ],
    );
    let text = |e: S| S::ToText(Box::new(e));
    let short_piece = S::Case(
        vec![(
            short.clone(),
            S::Concat(vec![
                text(c("tenet_ps")),
                S::Str("|".into()),
                text(c("tenet_pe")),
                S::Str("|".into()),
                text(c("tenet_n")),
            ]),
        )],
        None,
    );
    let ex = S::Concat(vec![
        text(listed),
        S::Str("#".into()),
        S::Func(
            "COALESCE",
            vec![S::JoinTexts(Box::new(short_piece)), S::Str(String::new())],
        ),
    ]);
    let failed = sum_if(short.clone().and(c("tenet_pe").op(Op::Le, S::Date(as_of))));
    let waiting = sum_if(short.and(c("tenet_pe").op(Op::Gt, S::Date(as_of))));
    let unknown = S::Func("MAX", vec![c("tenet_u")])
        .eq(S::int(1))
        .or(c("tenet_by").is_null());
    let status = S::Case(
        vec![
            (unknown.clone(), S::Str("unknown".into())),
            (
                checked.clone().eq(S::int(0)),
                S::Str("not_applicable".into()),
            ),
            (failed.op(Op::Gt, S::int(0)), S::Str("fail".into())),
            (waiting.op(Op::Gt, S::int(0)), S::Str("pending".into())),
        ],
        Some(Box::new(S::Str("pass".into()))),
    );
    let hide = |v: S| S::iff(unknown.clone(), S::Null, v);
    let figures = [
        hide(satisfied),
        hide(S::int(1)),
        hide(checked),
        hide(S::int(1)),
    ];
    let mut items = out.result(plan, status, figures);
    Out::explain(&mut items, hide(ex));
    let mut grouped = counted.wrap(items);
    grouped.group_by = [
        "tenet_kind",
        "tenet_sid",
        "tenet_sname",
        "tenet_sschool",
        "tenet_by",
    ]
    .iter()
    .map(|x| c(x))
    .collect();
    if shown(plan).is_some() {
        grouped.group_by.extend([c("tenet_cs"), c("tenet_ce")]);
    }
    let _ = Shape::Cadence;
    Ok(grouped)
}

/// Sub-windows of a window made per subject (`during m`, `within`):
/// runs of weeks or days from a spine of integers, runs of calendar
/// periods from a numbered list made when compiling. Returns the layer
/// (with what the sub-windows need of each row), their first and last
/// day, the table they come from and how it joins.
fn per_row_pieces(
    ctx: &Ctx<'_>,
    every: Period,
    layer: Layer,
) -> Result<(Layer, S, S, From, S), Refuse> {
    let Some(eff) = ctx.policy.effective else {
        return Err(
            ctx.refuse("a cadence inside a per-subject window without an `effective` range".into())
        );
    };
    let (cs, ce) = (c("tenet_cs"), c("tenet_ce"));
    let as_of = S::Date(ctx.as_of);
    match every.unit {
        PeriodUnit::Week | PeriodUnit::Day => {
            let days =
                i64::from(every.count.max(1)) * if every.unit == PeriodUnit::Week { 7 } else { 1 };
            let span = (eff.end - eff.start).num_days() + 1;
            let n = span / days + 2;
            let k = S::ToInt(Box::new(S::col("p", "k").times(S::int(days))));
            let start = S::AddDays(Box::new(cs.clone()), Box::new(k));
            let last = S::AddDays(Box::new(start.clone()), Box::new(S::int(days - 1)));
            // Not cut short by the window's end unless it is the first
            // (decisions C2, then cut to the window), started by the
            // evaluation date.
            let on = last
                .clone()
                .op(Op::Le, ce.clone())
                .or(S::col("p", "k")
                    .eq(S::int(0))
                    .and(start.clone().op(Op::Le, ce.clone())))
                .and(start.clone().op(Op::Le, as_of));
            let end = S::Func("LEAST", vec![last, ce]);
            Ok((
                layer,
                start,
                end,
                From::Spine(n, "p".into(), "k".into()),
                on,
            ))
        }
        unit => {
            // Each sub-window is `count` consecutive calendar periods
            // from the one holding the window's first day (semesters: the
            // first that ends on or after it), as the evaluator cuts them.
            // The periods of one unit over the effective range (widened
            // by a year each side) are listed when compiling, numbered;
            // a row finds the number of its first period, and every
            // `count`-th period from there starts a sub-window that ends
            // where the period `count - 1` further on ends.
            let widened = DateRange::new(
                eff.start
                    .checked_sub_days(Days::new(400))
                    .unwrap_or(eff.start),
                eff.end.checked_add_days(Days::new(400)).unwrap_or(eff.end),
            )
            .unwrap_or(eff);
            let one = Period { count: 1, ..every };
            let units: Vec<DateRange> = periods(one, widened, &ctx.policy.calendar, MAX_WINDOWS)
                .into_iter()
                .map(|p| p.range)
                .collect();
            let (Some(last), Ok(n)) = (units.last(), usize::try_from(every.count.max(1))) else {
                let name = match unit {
                    PeriodUnit::Semester => "semester",
                    _ => "period",
                };
                return Err(ctx.refuse(format!("a cadence with no {name} in the calendar")));
            };
            let rows: Vec<Vec<S>> = units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    // Past the list: the sub-window runs past the
                    // widened range, so past every window's end.
                    let group_end = i
                        .checked_add(n - 1)
                        .and_then(|j| units.get(j))
                        .unwrap_or(last);
                    vec![
                        S::int(i as i64),
                        S::Date(u.start),
                        S::Date(u.end),
                        S::Date(group_end.end),
                    ]
                })
                .collect();
            let list = |alias: &str| {
                From::Values(
                    rows.clone(),
                    alias.into(),
                    ["pi", "ps", "pe", "pg"].map(String::from).to_vec(),
                )
            };
            let first = Select::from(
                vec![Item::Expr(
                    S::Func("MIN", vec![S::col("q", "pi")]),
                    "v".into(),
                )],
                list("q"),
            )
            .and_where(S::col("q", "pe").op(Op::Ge, cs.clone()));
            let layer = Layer(Select::from(
                vec![
                    Item::All("s".into()),
                    Item::Expr(
                        S::Subquery(Box::new(Query::select(first))),
                        "tenet_i0".into(),
                    ),
                ],
                layer.from(),
            ));
            let (pi, ps, pg) = (S::col("p", "pi"), S::col("p", "ps"), S::col("p", "pg"));
            let i0 = c("tenet_i0");
            let start = S::Func("GREATEST", vec![ps.clone(), cs]);
            let mut on = pi.clone().op(Op::Ge, i0.clone());
            if n > 1 {
                on = on.and(
                    pi.clone()
                        .op(Op::Sub, i0.clone())
                        .op(Op::Mod, S::int(n as i64))
                        .eq(S::int(0)),
                );
            }
            // Started by the window's end; whole to the window's end, or
            // the first one, cut to the window (decisions C2); started by
            // the evaluation date.
            let on = on
                .and(ps.op(Op::Le, ce.clone()))
                .and(pg.clone().op(Op::Le, ce.clone()).or(pi.eq(i0)))
                .and(start.clone().op(Op::Le, as_of));
            // A row with no sub-window keeps `NULL`s (GREATEST and LEAST
            // pass over a `NULL`).
            let none = S::col("p", "pi").is_null();
            Ok((
                layer,
                S::iff(none.clone(), S::Null, start),
                S::iff(none, S::Null, S::Func("LEAST", vec![pg, ce])),
                list("p"),
                on,
            ))
        }
    }
}
