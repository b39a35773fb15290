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
use chrono::{Datelike, Days, NaiveDate};
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
            V::Ent(Entity::Activity, Key::Via(a)) => Plan::PerRow(
                ctx.activity_column(&a, "start_date"),
                S::col(&a, "end_date"),
            ),
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
    let filter = ctx.with_member(cad.elem, Entity::Activity, &a, |c| {
        cad.filter.as_ref().map(|f| c.cond(f)).transpose()
    })?;
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
    let mut unknown = S::Func("MAX", vec![c("tenet_u")])
        .eq(S::int(1))
        .or(c("tenet_by").is_null());
    if let Plan::PerRow(..) = plan {
        // A window cut into more sub-windows than the evaluator counts is
        // `unknown` there too.
        unknown = unknown.or(S::Func("MAX", vec![c("tenet_over")]).eq(S::int(1)));
    }
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

/// Sub-windows of a window made per subject (`during m`, `within`), from
/// each row's own window, so that no bound is needed when compiling (a
/// policy with no `effective` range has none; decisions C1–C6).
///
/// Each row is repeated once per candidate sub-window, numbered `k` from
/// 0 by a series as long as that row needs: up to the last sub-window
/// starting by the window's end and by the evaluation date. Sub-window
/// `k` is `count` consecutive periods from the one holding the window's
/// first day (semesters: the first ending on or after it), as the
/// evaluator cuts them; the first is cut to the window (decisions C2).
/// A window making more than [`MAX_WINDOWS`] sub-windows gets none and
/// `tenet_over = 1` (the evaluator reports it `unknown`).
///
/// Returns the layer (with `tenet_k`, `tenet_over`), the sub-window's
/// first and last day, the table they join (one row; for semesters the
/// calendar's) and how: a candidate
/// that is not a required sub-window keeps `NULL`s, which the cadence's
/// sums and counts pass over.
fn per_row_pieces(
    ctx: &Ctx<'_>,
    every: Period,
    layer: Layer,
) -> Result<(Layer, S, S, From, S), Refuse> {
    let (cs, ce) = (c("tenet_cs"), c("tenet_ce"));
    let as_of = S::Date(ctx.as_of);
    let n = i64::from(every.count.max(1));
    let max = i64::try_from(MAX_WINDOWS).unwrap_or(i64::MAX);
    let k = c("tenet_k");
    let int = |e: S| S::ToInt(Box::new(e));
    let div = |a: S, b: i64| S::IntDiv(Box::new(a), Box::new(S::int(b)));
    let least = |a: S, b: S| S::Func("LEAST", vec![a, b]);
    let greatest = |a: S, b: S| S::Func("GREATEST", vec![a, b]);
    let days_before = |d: S| S::AddDays(Box::new(d), Box::new(S::int(-1)));
    // Per unit: the row's extra columns (what the sub-windows are counted
    // from), whether the window makes too many, the last `k`, and the
    // first period's start and the last period's end of sub-window `k`.
    // Semesters: the calendar's table the sub-window's bounds read, and
    // how a row of it is picked.
    let mut joined: Option<(From, S)> = None;
    let (extra, over, last_k, first_start, last_end): (Vec<Item>, S, S, S, S) = match every.unit {
        PeriodUnit::Week | PeriodUnit::Day => {
            // Runs of days from the window's first day.
            let days = n * if every.unit == PeriodUnit::Week { 7 } else { 1 };
            let span = S::DaysBetween(Box::new(cs.clone()), Box::new(ce.clone()));
            let upto = S::DaysBetween(Box::new(cs.clone()), Box::new(as_of.clone()));
            // `span / days + 1` sub-windows start in the window.
            let over = span.clone().op(Op::Ge, S::int(max.saturating_mul(days)));
            let last_k = div(greatest(least(span, upto), S::int(0)), days);
            let start = S::AddDays(
                Box::new(cs.clone()),
                Box::new(int(k.clone().times(S::int(days)))),
            );
            let end = S::AddDays(Box::new(start.clone()), Box::new(S::int(days - 1)));
            (Vec::new(), over, last_k, start, end)
        }
        PeriodUnit::Semester => {
            let sem = Semesters::of(ctx)?;
            let j0 = sem.first_ending_by(&cs);
            let je = sem.last_starting_by(&ce);
            let ja = sem.last_starting_by(&as_of);
            let over = je
                .clone()
                .op(Op::Sub, j0.clone())
                .op(Op::Ge, S::int(max.saturating_mul(n)));
            let last_k = div(
                greatest(least(je, ja).op(Op::Sub, j0.clone()), S::int(0)),
                n,
            );
            // The group's first and last semester: their place in the
            // year picks a row of the calendar's table (joined, not a
            // CASE, to keep the expression small), their number less
            // that place gives the year.
            let first = c("tenet_j0").op(Op::Add, k.clone().times(S::int(n)));
            let last = first.clone().op(Op::Add, S::int(n - 1));
            let (fi, fy) = sem.place(&first);
            let (li, ly) = sem.place(&last);
            let first_start = years_after(S::col("p", "fs"), fy);
            let last_end = years_after(S::col("p", "le"), ly.op(Op::Add, S::col("p", "lw")));
            joined = Some((
                sem.table(),
                S::col("p", "fi").eq(fi).and(S::col("p", "li").eq(li)),
            ));
            (
                vec![Item::Expr(j0, "tenet_j0".into())],
                over,
                last_k,
                first_start,
                last_end,
            )
        }
        unit => {
            // Months and years: the periods start at `base` plus a
            // multiple of `step` months, numbered from the one at `base`;
            // `index(d)` is the number of the one holding `d`.
            let (base, step) = match unit {
                PeriodUnit::AcademicYear => {
                    let (m, d) = ctx.policy.calendar.year_start;
                    (leap_day(ctx, m, d)?, 12)
                }
                PeriodUnit::CalendarYear => (BASE_DAY, 12),
                _ => (BASE_DAY, 1),
            };
            let at = |j: S| {
                S::AddMonthsBy(
                    Box::new(S::Date(base)),
                    Box::new(int(j.times(S::int(step)))),
                )
            };
            let year =
                |d: &S| S::Extract("YEAR", Box::new(d.clone())).op(Op::Sub, S::int(BASE_YEAR));
            let index = |d: &S| match unit {
                PeriodUnit::Month => year(d)
                    .times(S::int(12))
                    .op(Op::Add, S::Extract("MONTH", Box::new(d.clone())))
                    .op(Op::Sub, S::int(1)),
                PeriodUnit::AcademicYear => year(d).op(
                    Op::Sub,
                    S::iff(at(year(d)).op(Op::Gt, d.clone()), S::int(1), S::int(0)),
                ),
                _ => year(d),
            };
            let j0 = index(&cs);
            let (je, ja) = (index(&ce), index(&as_of));
            let over = je
                .clone()
                .op(Op::Sub, j0.clone())
                .op(Op::Ge, S::int(max.saturating_mul(n)));
            let last_k = div(
                greatest(least(je, ja).op(Op::Sub, j0.clone()), S::int(0)),
                n,
            );
            let g = c("tenet_j0").op(Op::Add, k.clone().times(S::int(n)));
            let first_start = at(g.clone());
            let last_end = days_before(at(g.op(Op::Add, S::int(n))));
            (
                vec![Item::Expr(j0, "tenet_j0".into())],
                over,
                last_k,
                first_start,
                last_end,
            )
        }
    };
    let over_flag = S::iff(over.clone(), S::int(1), S::int(0));
    let mut items = vec![Item::All("s".into())];
    items.extend(extra);
    items.push(Item::Expr(over_flag, "tenet_over".into()));
    items.push(Item::Expr(
        S::Series(Box::new(int(S::iff(over, S::int(0), last_k)))),
        "tenet_k".into(),
    ));
    let layer = Layer(Select::from(items, layer.from()));
    let start = greatest(first_start.clone(), cs);
    // Started by the window's end; whole to the window's end, or the
    // first one, cut to the window (decisions C2); started by the
    // evaluation date; the window not too long to count.
    let on = first_start
        .op(Op::Le, ce.clone())
        .and(last_end.clone().op(Op::Le, ce.clone()).or(k.eq(S::int(0))))
        .and(start.clone().op(Op::Le, as_of))
        .and(c("tenet_over").eq(S::int(0)));
    let (table, on, none) = match joined {
        Some((table, pick)) => (table, pick.and(on), S::col("p", "fi").is_null()),
        None => (
            From::Values(vec![vec![S::int(0)]], "p".into(), vec!["pz".into()]),
            on,
            S::col("p", "pz").is_null(),
        ),
    };
    Ok((
        layer,
        S::iff(none.clone(), S::Null, start),
        S::iff(none, S::Null, least(last_end, ce)),
        table,
        on,
    ))
}

/// The year periods are numbered from: a leap year, so that a calendar day
/// 02-29 exists in it and adding whole years to it lands on 02-28 in a
/// common year, as the evaluator's calendar days fall back.
const BASE_YEAR: i64 = 2000;

/// The first day of [`BASE_YEAR`].
const BASE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A calendar day (month, day) in [`BASE_YEAR`].
fn leap_day(ctx: &Ctx<'_>, m: u32, d: u32) -> Result<NaiveDate, Refuse> {
    NaiveDate::from_ymd_opt(2000, m, d).ok_or_else(|| {
        ctx.refuse(format!(
            "a cadence over a calendar day {m:02}-{d:02} that no year has"
        ))
    })
}

/// The calendar's semesters as SQL over their numbers: semester `i` (in
/// the order they start in a year) of the year `BASE_YEAR + y` is number
/// `y * len + i`, so every year's semesters follow the last year's.
struct Semesters {
    /// Each semester's first and last day in [`BASE_YEAR`] (the last day
    /// in the next year when it wraps: `wraps`).
    days: Vec<(NaiveDate, NaiveDate, bool)>,
}

impl Semesters {
    /// The calendar's semesters; refused when two of them (in some year)
    /// meet or overlap: the evaluator's order of overlapping semesters,
    /// and which of them it cuts, are not a year-independent numbering.
    fn of(ctx: &Ctx<'_>) -> Result<Semesters, Refuse> {
        let mut days = Vec::new();
        for (_, (sm, sd), (em, ed)) in &ctx.policy.calendar.semesters {
            days.push((
                leap_day(ctx, *sm, *sd)?,
                leap_day(ctx, *em, *ed)?,
                (*em, *ed) < (*sm, *sd),
            ));
        }
        days.sort();
        // Laid out over common and leap years, each semester ends before
        // the next one starts.
        let mut laid = Vec::new();
        for y in 0..6 {
            for (s, e, w) in &days {
                let at = |d: NaiveDate, years: u32| {
                    d.checked_add_months(chrono::Months::new(12 * years))
                };
                laid.push((at(*s, y), at(*e, y + u32::from(*w))));
            }
        }
        let apart = !days.is_empty()
            && laid
                .windows(2)
                .all(|p| matches!(p, [(_, Some(e)), (Some(s), _)] if e < s));
        if !apart {
            return Err(ctx.refuse(
                "a cadence of semesters inside a window of the subject's own, with semesters that overlap".into(),
            ));
        }
        Ok(Semesters { days })
    }

    fn len(&self) -> i64 {
        i64::try_from(self.days.len()).unwrap_or(i64::MAX)
    }

    /// The table of the calendar's semesters for every pair of a
    /// group's first and last semester: their places `fi`, `li`, the
    /// first's first day `fs`, the last's last day `le` (in [`BASE_YEAR`],
    /// `lw` = 1 when it wraps into the next year).
    fn table(&self) -> From {
        let mut rows = Vec::new();
        for (fi, (fs, _, _)) in (0_i64..).zip(&self.days) {
            for (li, (_, le, lw)) in (0_i64..).zip(&self.days) {
                rows.push(vec![
                    S::int(fi),
                    S::Date(*fs),
                    S::int(li),
                    S::Date(*le),
                    S::int(i64::from(*lw)),
                ]);
            }
        }
        From::Values(
            rows,
            "p".into(),
            ["fi", "fs", "li", "le", "lw"].map(String::from).to_vec(),
        )
    }

    /// Semester number `j`'s place in its year and the year (less
    /// [`BASE_YEAR`]): the remainder taken non-negative (`%` keeps the
    /// dividend's sign), then an exact division.
    fn place(&self, j: &S) -> (S, S) {
        let len = S::int(self.len());
        let i = j
            .clone()
            .op(Op::Mod, len.clone())
            .op(Op::Add, len.clone())
            .op(Op::Mod, len);
        let y = S::IntDiv(
            Box::new(j.clone().op(Op::Sub, i.clone())),
            Box::new(S::int(self.len())),
        );
        (i, y)
    }

    /// The number of the first semester ending on or after `d`: one of
    /// those of `d`'s year, the year before or the year after (a semester
    /// ends within a year of its start), tried in order. Compared as
    /// (year, month·100 + day): a last day 02-29 that falls back to 02-28
    /// in a common year compares the same, as no day there is 02-29.
    fn first_ending_by(&self, d: &S) -> S {
        let (year, md) = year_and_day(d);
        let mut whens = Vec::new();
        for dy in [-1_i64, 0, 1] {
            for (i, (_, e, w)) in (0_i64..).zip(&self.days) {
                let number = year
                    .clone()
                    .op(Op::Add, S::int(dy))
                    .times(S::int(self.len()))
                    .op(Op::Add, S::int(i));
                // It ends in the year `dy + w` after `d`'s.
                let hit = match (dy + i64::from(*w)).signum() {
                    1 => S::Bool(true),
                    0 => S::int(month_day(*e)).op(Op::Ge, md.clone()),
                    _ => continue,
                };
                whens.push((hit, number));
            }
        }
        S::Case(whens, None)
    }

    /// The number of the last semester starting on or before `d`: one of
    /// those of `d`'s year or the year before, tried from the last. A
    /// first day 02-29 is 02-28 in a common year: `d` on 02-28 is then
    /// on it (02-28 is the month's last day).
    fn last_starting_by(&self, d: &S) -> S {
        let (year, md) = year_and_day(d);
        let mut whens = Vec::new();
        for dy in [0_i64, -1] {
            for (i, (s, _, _)) in (0_i64..)
                .zip(&self.days)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                let number = year
                    .clone()
                    .op(Op::Add, S::int(dy))
                    .times(S::int(self.len()))
                    .op(Op::Add, S::int(i));
                let hit = if dy < 0 {
                    S::Bool(true)
                } else if month_day(*s) == 229 {
                    let common_feb_end = md.clone().eq(S::int(228)).and(
                        S::Extract(
                            "DAY",
                            Box::new(S::AddDays(Box::new(d.clone()), Box::new(S::int(1)))),
                        )
                        .eq(S::int(1)),
                    );
                    md.clone().op(Op::Ge, S::int(229)).or(common_feb_end)
                } else {
                    S::int(month_day(*s)).op(Op::Le, md.clone())
                };
                whens.push((hit, number));
            }
        }
        S::Case(whens, None)
    }
}

/// `d` plus `years` (an integer expression) years, clamped to the month
/// end.
fn years_after(d: S, years: S) -> S {
    S::AddMonthsBy(
        Box::new(d),
        Box::new(S::ToInt(Box::new(years.times(S::int(12))))),
    )
}

/// A date's year less [`BASE_YEAR`], and its month·100 + day.
fn year_and_day(d: &S) -> (S, S) {
    let year = S::Extract("YEAR", Box::new(d.clone())).op(Op::Sub, S::int(BASE_YEAR));
    let md = S::Extract("MONTH", Box::new(d.clone()))
        .times(S::int(100))
        .op(Op::Add, S::Extract("DAY", Box::new(d.clone())));
    (year, md)
}

/// A day's month·100 + day.
fn month_day(d: NaiveDate) -> i64 {
    i64::from(d.month() * 100 + d.day())
}
