//! The checked program → one SQL query per policy.
//!
//! Each rule becomes a few `SELECT`s joined by `UNION ALL`, every one
//! writing the same result columns ([`crate::rows::COLUMNS`]). A rule's
//! rows are built in layers, each a derived table that keeps every column
//! of the one before (`SELECT s.*, … FROM (…) AS s`):
//!
//! 1. the subjects, with their id, name and school;
//! 2. the scope filter decided once per subject (unknown → one `unknown`
//!    row without a window);
//! 3. the windows of each subject — [`windows`] is the one place that
//!    decides which are evaluated, which are `not_applicable` and which are
//!    left out;
//! 4. a filter that depends on the window, per window;
//! 5. the requirement: a condition, or a cadence over sub-windows.
//!
//! A construct the compiler does not express is refused with a
//! [`Refusal`] naming the rule and the construct; it never writes SQL that
//! computes something else.

mod expr;
pub mod why;
mod windows;

use crate::ast::{Expr as S, From, Item, Join, Op, Query, Select};
use crate::dialect::Dialect;
use chrono::NaiveDate;
use expr::{id_of, Bound, Den, Key, V};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use tenet::program::{CheckedPolicy, Cmp, ExprKind, Requirement, Rule, Var};
use tenet::schema::{Entity, Type};

/// A construct the compiler refuses, and the rule it is in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule `{rule}`: {construct} is not compiled to SQL")]
pub struct Refusal {
    /// The policy.
    pub policy: String,
    /// The rule (or `credit` for the credit block).
    pub rule: String,
    /// What is refused.
    pub construct: String,
}

/// A refusal before the rule is known.
#[derive(Debug, Clone)]
pub(crate) struct Refuse {
    construct: String,
}

impl Refuse {
    pub(crate) fn internal(what: String) -> Refuse {
        Refuse {
            construct: format!("an unexpected program shape ({what})"),
        }
    }
}

/// What the compiler is told besides the program.
#[derive(Debug, Clone)]
pub struct Options {
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// The engine.
    pub dialect: Dialect,
    /// The extra columns each table has (`attr` of any other column is
    /// unknown, as for a CSV file without it); `None`: every column read
    /// by `attr` is taken to exist.
    pub columns: Option<BTreeMap<String, Vec<String>>>,
}

/// How the result rows of one rule are read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// One comparison of quantities or dates: `actual op required`.
    Compare {
        /// The operator (for the shortfall).
        op: Cmp,
        /// Type of the left side.
        actual: Type,
        /// Type of the right side.
        required: Type,
    },
    /// Any other condition: a status only.
    Condition,
    /// A cadence: satisfied and checked sub-windows.
    Cadence,
}

/// A compiled policy: the SQL and how to read its rows.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The query.
    pub sql: String,
    /// Per rule (by `rule_ix`), how its rows read.
    pub shapes: Vec<Shape>,
}

/// Compiles every rule of a policy. All refusals are returned at once.
///
/// ```
/// use tenet_sql::{compile, Dialect, Options};
/// let set = tenet::PolicySet::from_sources(&[("p.policy", r#"
/// policy p { effective 2021-01-01 .. 2021-12-31
///   rule trainers { for district d
///     require count(people of d where has trainer) >= 1:100 of count(people of d where has full_time_teacher) } }"#)]).map_err(|e| e.render())?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
/// let out = compile(&set.policies()[0], &Options { as_of, dialect: Dialect::DuckDb, columns: None })
///     .map_err(|e| format!("{e:?}"))?;
/// assert!(out.sql.contains("FROM districts AS s"));
/// # Ok::<(), String>(())
/// ```
pub fn compile(policy: &CheckedPolicy, opts: &Options) -> Result<Compiled, Vec<Refusal>> {
    let mut refusals = Vec::new();
    let mut query = Query::default();
    let refusal = |rule: &str, r: Refuse| Refusal {
        policy: policy.id.clone(),
        rule: rule.to_string(),
        construct: r.construct,
    };
    let base = Ctx::new(policy, opts);
    let mut credit_den = Den::One;
    let mut credit_failed = None;
    if policy.credit.is_some() {
        let mut ctx = base.clone();
        match ctx.credit() {
            Ok((q, den)) => {
                query.ctes.push(("tenet_credit".into(), q));
                credit_den = den;
            }
            Err(r) => credit_failed = Some(r),
        }
    }
    let mut shapes = Vec::new();
    for (ix, rule) in policy.rules.iter().enumerate() {
        if let (Some(r), true) = (&credit_failed, uses_credit(rule)) {
            refusals.push(refusal(&format!("{} (credit block)", rule.id), r.clone()));
            shapes.push(Shape::Condition);
            continue;
        }
        let mut ctx = base.clone();
        ctx.credit_den = credit_den.clone();
        ctx.rule = rule.id.clone();
        match ctx.rule_selects(ix, rule) {
            Ok((selects, shape)) => {
                query.body.extend(selects);
                shapes.push(shape);
            }
            Err(r) => {
                refusals.push(refusal(&rule.id, r));
                shapes.push(Shape::Condition);
            }
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    // The views go first; which activity columns the enrollment view
    // carries is known once every rule is compiled.
    let views = base_tables(&base.activity_reads.borrow());
    query
        .ctes
        .splice(0..0, views.into_iter().map(|(n, q)| (n.into(), q)));
    if query.body.is_empty() {
        // No rule: a query that returns no row, with the result columns.
        query.body.push(empty_select());
    }
    query.order_by = vec![S::name("rule_ix"), S::name("sid"), S::name("ws")];
    Ok(Compiled {
        sql: query.to_sql(opts.dialect),
        shapes,
    })
}

/// Whether a rule counts credited hours or reads the credit view (every
/// rule for each enrollment takes its subjects from it).
fn uses_credit(rule: &Rule) -> bool {
    if rule.subject == Entity::Enrollment {
        return true;
    }
    let credit = |e: &tenet::program::Expr| {
        matches!(
            e.kind,
            ExprKind::Credited { .. } | ExprKind::Field(_, tenet::schema::Field::Credited)
        ) || matches!(&e.kind, ExprKind::Aggregate(a) if a.relation == tenet::syntax::ast::RelKind::Enrollments)
    };
    let require = match &rule.require {
        Requirement::Check(e) => e.any(&credit),
        Requirement::Cadence(c) => {
            c.by.any(&credit) || c.filter.as_ref().is_some_and(|f| f.any(&credit))
        }
    };
    require || rule.filter.as_ref().is_some_and(|f| f.any(&credit))
}

/// The views every rule reads: people with their school and district,
/// activities with their scheduled hours, enrollments with their absent
/// hours (absent, excused, or no attendance row — decisions R5: every
/// session's hours but the present ones) and the
/// columns `activity_reads` of their activity. Only those: engines
/// materialise a view read several times (DuckDB does), and the enrollment
/// view is the largest.
fn base_tables(activity_reads: &BTreeSet<&'static str>) -> Vec<(&'static str, Query)> {
    let t = |name: &str, alias: &str| From::Table(name.into(), alias.into());
    let people = Select {
        items: vec![
            Item::All("p".into()),
            Item::Expr(S::col("sc", "id"), "tenet_school".into()),
            Item::Expr(
                S::Func(
                    "COALESCE",
                    vec![S::col("sc", "district"), S::col("p", "org")],
                ),
                "tenet_district".into(),
            ),
        ],
        from: vec![
            (t("people", "p"), Join::Cross),
            (
                t("schools", "sc"),
                Join::Left(S::col("sc", "id").eq(S::col("p", "org"))),
            ),
        ],
        ..Select::default()
    };
    let mut per_activity = Select::from(
        vec![
            Item::Expr(S::col("x", "activity"), "activity".into()),
            Item::Expr(S::Func("SUM", vec![S::col("x", "hours")]), "hours".into()),
        ],
        t("sessions", "x"),
    );
    per_activity.group_by = vec![S::col("x", "activity")];
    let activities = Select {
        items: vec![
            Item::All("a".into()),
            Item::Expr(
                S::Func("COALESCE", vec![S::col("h", "hours"), S::col("a", "hours")]),
                "tenet_scheduled".into(),
            ),
            Item::Expr(S::col("h", "hours"), "tenet_session_hours".into()),
        ],
        from: vec![
            (t("activities", "a"), Join::Cross),
            (
                From::Sub(Box::new(Query::select(per_activity)), "h".into()),
                Join::Left(S::col("h", "activity").eq(S::col("a", "id"))),
            ),
        ],
        ..Select::default()
    };
    // Absent hours are the scheduled session hours less the present ones:
    // the present rows joined to the small sessions table, not every
    // (enrollment, session) pair to every attendance row (at 2M teachers
    // that join is 350M rows on each side). The same sum when each
    // (person, session) has one attendance row and each row's person is
    // enrolled in its session's activity, which the checks guarantee
    // (crate::checks) before anything is judged.
    let mut present = Select {
        items: vec![
            Item::Expr(S::col("m", "person"), "person".into()),
            Item::Expr(S::col("x", "activity"), "activity".into()),
            Item::Expr(S::Func("SUM", vec![S::col("x", "hours")]), "hours".into()),
        ],
        from: vec![
            (t("attendance", "m"), Join::Cross),
            (
                t("sessions", "x"),
                Join::Inner(S::col("x", "id").eq(S::col("m", "session"))),
            ),
        ],
        ..Select::default()
    };
    present = present.and_where(S::col("m", "status").eq(S::Str("present".into())));
    present.group_by = vec![S::col("m", "person"), S::col("x", "activity")];
    let enrolled = Select {
        items: vec![
            Item::Expr(S::col("e", "person"), "person".into()),
            Item::Expr(S::col("e", "activity"), "activity".into()),
            Item::Expr(S::col("a", "end_date"), "end_date".into()),
            Item::Expr(S::col("a", "tenet_scheduled"), "tenet_scheduled".into()),
            Item::Expr(
                S::Func(
                    "COALESCE",
                    vec![S::col("a", "tenet_session_hours"), S::int(0)],
                )
                .op(
                    Op::Sub,
                    S::Func("COALESCE", vec![S::col("b", "hours"), S::int(0)]),
                ),
                "tenet_absent".into(),
            ),
        ]
        .into_iter()
        .chain(
            activity_reads
                .iter()
                .map(|c| Item::Expr(S::col("a", c), format!("act_{c}"))),
        )
        .collect(),
        from: vec![
            (t("enrollments", "e"), Join::Cross),
            (
                t("tenet_activities", "a"),
                Join::Inner(S::col("a", "id").eq(S::col("e", "activity"))),
            ),
            (
                From::Sub(Box::new(Query::select(present)), "b".into()),
                Join::Left(
                    S::col("b", "person")
                        .eq(S::col("e", "person"))
                        .and(S::col("b", "activity").eq(S::col("e", "activity"))),
                ),
            ),
        ],
        ..Select::default()
    };
    vec![
        ("tenet_people", Query::select(people)),
        ("tenet_activities", Query::select(activities)),
        ("tenet_enrolled", Query::select(enrolled)),
    ]
}

/// The result columns, in order. `an`/`ad` and `rn`/`rd`: the actual and
/// required figures as numerator and denominator; `ex`: what a brief
/// explanation needs that the figures do not say (a cadence's records
/// counted and its short sub-windows, [`crate::rows`] reads it).
pub const OUT: [&str; 13] = [
    "rule_ix", "kind", "sid", "sname", "school", "ws", "we", "status", "an", "ad", "rn", "rd", "ex",
];

fn empty_select() -> Select {
    let items = OUT
        .iter()
        .map(|c| {
            let v = if *c == "rule_ix" {
                S::int(0)
            } else {
                S::ToText(Box::new(S::Null))
            };
            Item::Expr(v, (*c).into())
        })
        .collect();
    Select::from(
        items,
        From::Values(vec![vec![S::int(0)]], "none".into(), vec!["x".into()]),
    )
    .and_where(S::Bool(false))
}

/// The compiler's state for one rule.
#[derive(Clone)]
pub(crate) struct Ctx<'a> {
    policy: &'a CheckedPolicy,
    as_of: NaiveDate,
    columns: Option<&'a BTreeMap<String, Vec<String>>>,
    rule: String,
    vars: HashMap<Var, Bound>,
    /// Records count when their date lies here.
    range: (S, S),
    /// The day params are read on.
    param_day: S,
    /// The day `age` and `tenure` default to.
    default_at: S,
    /// The rule's (clipped) window.
    window: Option<(S, S)>,
    /// The denominator of every enrollment's credit.
    credit_den: Den,
    next_alias: Rc<Cell<u32>>,
    /// The activity columns read from an enrollment's row (`act_…`), by
    /// every rule of the policy.
    activity_reads: Rc<RefCell<BTreeSet<&'static str>>>,
    /// The engine.
    pub(crate) dialect: Dialect,
    /// How many aggregates the expression being compiled is inside.
    pub(crate) depth: u32,
}

impl<'a> Ctx<'a> {
    fn new(policy: &'a CheckedPolicy, opts: &'a Options) -> Ctx<'a> {
        let as_of = S::Date(opts.as_of);
        let (start, end) = windows::default_range(policy, opts.as_of);
        Ctx {
            policy,
            as_of: opts.as_of,
            columns: opts.columns.as_ref(),
            rule: String::new(),
            vars: HashMap::new(),
            range: (S::Date(start), S::Date(end)),
            param_day: as_of.clone(),
            default_at: as_of,
            window: None,
            credit_den: Den::One,
            next_alias: Default::default(),
            activity_reads: Default::default(),
            dialect: opts.dialect,
            depth: 0,
        }
    }

    pub(crate) fn refuse(&self, construct: String) -> Refuse {
        Refuse { construct }
    }

    pub(crate) fn alias(&self) -> String {
        let n = self.next_alias.get() + 1;
        self.next_alias.set(n);
        format!("x{n}")
    }

    /// Column `column` of the activity of the enrollment on row `alias`
    /// (the enrollment view carries it).
    pub(crate) fn activity_column(&self, alias: &str, column: &'static str) -> S {
        self.activity_reads.borrow_mut().insert(column);
        S::col(alias, &format!("act_{column}"))
    }

    pub(crate) fn has_column(&self, table: &str, column: &str) -> bool {
        self.columns.is_none_or(|c| {
            c.get(table)
                .is_some_and(|cols| cols.iter().any(|x| x == column))
        })
    }

    /// The credit of every enrollment: `tenet_enrolled` with
    /// `tenet_credit_n`, the credited hours' numerator (`NULL` when the
    /// block cannot decide), over one denominator for all.
    fn credit(&mut self) -> Result<(Query, Den), Refuse> {
        let Some(credit) = &self.policy.credit else {
            return Err(Refuse::internal("no credit block".into()));
        };
        self.rule = "credit".into();
        let c = "c";
        self.vars.insert(
            credit.var,
            Bound::Ent(Entity::Enrollment, Key::Row(c.into())),
        );
        // The block reads params and default dates on the day the
        // activity ends (decisions P3), records up to the evaluation date.
        let end = S::col(c, "end_date");
        self.param_day = end.clone();
        self.default_at = end;
        self.range = (S::Date(windows::FAR_PAST), S::Date(self.as_of));
        // Each denial decided once per enrollment, in a layer of its own:
        // the credit and its reason both read it.
        let mut denials = Vec::new();
        for (i, d) in credit.denials.iter().enumerate() {
            denials.push((
                self.cond(&d.cond)?,
                self.why(&d.cond)?,
                format!("tenet_deny{i}"),
            ));
        }
        let (n, den) = self.num(&credit.otherwise)?;
        if !matches!(den, Den::One | Den::E(S::Num(_))) {
            return Err(self.refuse("a credit whose denominator differs per enrollment".into()));
        }
        let otherwise_why = self.why(&credit.otherwise)?;
        let mut whens = Vec::new();
        // Why the credit is unknown: the first denial not decided, else
        // what the credit itself is missing (the block's order).
        let mut whys = Vec::new();
        let mut items = vec![Item::All(c.into())];
        for (cond, why, name) in denials {
            items.push(Item::Expr(cond, name.clone()));
            let cond = S::col(c, &name);
            whens.push((cond.clone().is_null(), S::Null));
            whens.push((cond.clone(), S::int(0)));
            whys.push((cond.clone().is_null(), why));
            whys.push((cond, S::ToText(Box::new(S::Null))));
        }
        let decided = Select::from(items, From::Table("tenet_enrolled".into(), c.into()));
        let credit_why = if whys.is_empty() {
            otherwise_why
        } else {
            S::Case(whys, Some(Box::new(otherwise_why)))
        };
        let credit_n = if whens.is_empty() {
            n
        } else {
            S::Case(whens, Some(Box::new(n)))
        };
        let s = Select::from(
            vec![
                Item::All(c.into()),
                Item::Expr(credit_n, "tenet_credit_n".into()),
                Item::Expr(S::ToText(Box::new(credit_why)), "tenet_credit_why".into()),
            ],
            From::Sub(Box::new(Query::select(decided)), c.into()),
        );
        Ok((Query::select(s), den))
    }

    /// The selects of one rule, and how its rows read.
    fn rule_selects(&mut self, ix: usize, rule: &Rule) -> Result<(Vec<Select>, Shape), Refuse> {
        let subject = subjects(rule.subject)
            .ok_or_else(|| self.refuse(format!("a rule for each {}", rule.subject.name())))?;
        self.vars
            .insert(rule.var, Bound::Ent(rule.subject, Key::Row("s".into())));
        let per_window = rule.filter_per_window();
        let mut parts = Vec::new();
        let out = Out { ix };

        // Subjects passing the filter decided once per subject.
        let mut layer = subject;
        if let Some(filter) = rule.filter.as_ref().filter(|_| !per_window) {
            layer = self.filtered(layer, filter, out.unknown_no_window(), &mut parts)?;
        }

        // Windows.
        let plan = windows::plan(self, rule)?;
        let layer = match &plan {
            windows::Plan::None => layer,
            _ => {
                let (with_windows, unknown) = windows::attach(self, &plan, layer)?;
                if let Some(mut u) = unknown {
                    let mut items = out.unknown_no_window();
                    if let tenet::program::WindowSpec::Within { after, .. } = &rule.window {
                        // The anchor date is unknown: its reason.
                        u = u.with(vec![(self.why(after)?, "tenet_w")]);
                        Out::explain(&mut items, reasons(S::col("s", "tenet_w"), None));
                    }
                    parts.push(u.wrap(items));
                }
                parts.push(
                    with_windows
                        .clone()
                        .wrap(out.not_applicable())
                        .and_where(windows::na(&plan, self.policy.effective, self.as_of)),
                );
                with_windows.only(windows::evaluated(&plan, self.policy.effective, self.as_of))
            }
        };
        windows::bind(self, rule, &plan);

        // A filter that depends on the window.
        let layer = match rule.filter.as_ref().filter(|_| per_window) {
            Some(filter) => {
                self.filtered(layer, filter, out.unknown_in_window(&plan), &mut parts)?
            }
            None => layer,
        };

        // No obligation before the hire date (decisions W14).
        let layer = match windows::before_hire(rule.subject, &plan, self.as_of) {
            Some(hired_later) => {
                let mut items = out.result(&plan, S::Str("not_applicable".into()), Out::nulls());
                Out::explain(
                    &mut items,
                    S::Concat(vec![
                        S::Str("hired:".into()),
                        S::ToText(Box::new(S::col("s", "hire_date"))),
                    ]),
                );
                parts.push(layer.clone().wrap(items).and_where(hired_later.clone()));
                layer.only(hired_later.clone().is_null().or(hired_later.negated()))
            }
            None => layer,
        };

        let open = windows::open(&plan, self.as_of);
        let (select, shape) = match &rule.require {
            Requirement::Check(cond) => self.check(&out, &plan, layer, cond, open)?,
            Requirement::Cadence(c) => (
                windows::cadence(self, &out, &plan, layer, c)?,
                Shape::Cadence,
            ),
        };
        parts.push(select);
        Ok((parts, shape))
    }

    fn check(
        &mut self,
        out: &Out,
        plan: &windows::Plan,
        layer: Layer,
        cond: &tenet::program::Expr,
        open: S,
    ) -> Result<(Select, Shape), Refuse> {
        let decide = |holds: S| {
            S::Case(
                vec![
                    (holds.clone().is_null(), S::Str("unknown".into())),
                    (holds, S::Str("pass".into())),
                    (open.clone(), S::Str("pending".into())),
                ],
                Some(Box::new(S::Str("fail".into()))),
            )
        };
        if let ExprKind::Compare(op, a, b) = &cond.kind {
            if a.ty.is_quantity() || a.ty == Type::Date {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                // Each side computed once per row, in a layer of its own:
                // the status, the unknown test and the figures all read
                // it, and an engine does not share a subquery written
                // several times (Spark joins each one again).
                let mut columns = Vec::new();
                let x = once(x, "tenet_x", &mut columns);
                let y = once(y, "tenet_y", &mut columns);
                let layer = layer.with(columns);
                let holds = self.compare(*op, x.clone(), y.clone(), &cond.text)?;
                let known = |v: &V| match v {
                    V::Num(n, _) | V::Date(n) => Some(n.clone()),
                    _ => None,
                };
                let (Some(xn), Some(yn)) = (known(&x), known(&y)) else {
                    return Err(Refuse::internal("a comparison of non-quantities".into()));
                };
                let either_unknown = xn.clone().is_null().or(yn.clone().is_null());
                let status = S::iff(
                    either_unknown.clone(),
                    S::Str("unknown".into()),
                    decide(holds),
                );
                let parts = |v: &V| match v {
                    V::Num(n, d) => (n.clone(), d_expr(d)),
                    V::Date(n) => (n.clone(), S::Null),
                    _ => (S::Null, S::Null),
                };
                let (an, ad) = parts(&x);
                let (rn, rd) = parts(&y);
                let hide = |v: S| S::iff(either_unknown.clone(), S::Null, v);
                let figures = [hide(an), hide(ad), hide(rn), hide(rd)];
                let shape = Shape::Compare {
                    op: *op,
                    actual: a.ty.clone(),
                    required: b.ty.clone(),
                };
                // Both sides are looked at: each unknown one's reason, a
                // second one only when it differs (the evaluator's dedup).
                // Each computed once, where its side is unknown.
                let (wa, wb) = (self.why(a)?, self.why(b)?);
                let only_if = |unknown: S, why: S| match why {
                    S::Null => S::ToText(Box::new(S::Null)),
                    why => S::iff(unknown, why, S::Null),
                };
                let layer = layer.with(vec![
                    (only_if(xn.clone().is_null(), wa), "tenet_wa"),
                    (only_if(yn.clone().is_null(), wb), "tenet_wb"),
                ]);
                let (wa, wb) = (S::col("s", "tenet_wa"), S::col("s", "tenet_wb"));
                let second = S::iff(wa.clone().eq(wb.clone()), S::Str(String::new()), wb.clone());
                let ex = S::Case(
                    vec![
                        (
                            xn.clone().is_null().and(yn.clone().is_null()),
                            reasons(wa.clone(), Some(second)),
                        ),
                        (xn.is_null(), reasons(wa, None)),
                        (yn.is_null(), reasons(wb, None)),
                    ],
                    None,
                );
                let mut items = out.result(plan, status, figures);
                Out::explain(&mut items, ex);
                return Ok((layer.wrap(items), shape));
            }
        }
        let holds = self.cond(cond)?;
        let why = self.why(cond)?;
        // The condition computed once per row (the status and the reason
        // both read it), then its reason where it is unknown.
        let layer = layer.with(vec![(holds, "tenet_h")]);
        let holds = S::col("s", "tenet_h");
        let layer = layer.with(vec![(
            S::iff(holds.clone().is_null(), why, S::Null),
            "tenet_w",
        )]);
        let figures = [S::Null, S::Null, S::Null, S::Null];
        let mut items = out.result(plan, decide(holds.clone()), figures);
        Out::explain(
            &mut items,
            S::iff(
                holds.is_null(),
                reasons(S::col("s", "tenet_w"), None),
                S::Null,
            ),
        );
        Ok((layer.wrap(items), Shape::Condition))
    }
}

/// The `ex` of an unknown result: its first reason and a second one, as
/// `why:` + the first's length in characters + `:` + both (no text can
/// separate them: a record id may hold any character); [`rows`] reads it.
fn reasons(first: S, second: Option<S>) -> S {
    S::Concat(vec![
        S::Str(why::PREFIX.into()),
        S::ToText(Box::new(S::Func("LENGTH", vec![first.clone()]))),
        S::Str(":".into()),
        first,
        second.unwrap_or(S::Str(String::new())),
    ])
}

impl Ctx<'_> {
    /// The rows of `layer` that pass `filter`; those where it is unknown
    /// go to `parts` as results `unknown` (written with `items`) that say
    /// why.
    fn filtered(
        &mut self,
        layer: Layer,
        filter: &tenet::program::Expr,
        mut items: Vec<Item>,
        parts: &mut Vec<Select>,
    ) -> Result<Layer, Refuse> {
        let f = self.cond(filter)?;
        let (rows, why) = layer
            .clone()
            .unknown(f.clone().is_null(), self.cannot_tell(filter)?);
        Out::explain(&mut items, reasons(why, None));
        parts.push(rows.wrap(items));
        Ok(layer.only(f))
    }

    /// The reason of a result whose filter is unknown.
    fn cannot_tell(&mut self, filter: &tenet::program::Expr) -> Result<S, Refuse> {
        let why = self.why(filter)?;
        Ok(S::Concat(vec![
            S::Str("cannot tell whether the rule applies: ".into()),
            why,
        ]))
    }
}

/// `v` read from columns `name_n` (and `name_d`) of the next layer, its
/// expressions added to `columns`; literals and columns stay as they are.
fn once(v: V, name: &str, columns: &mut Vec<(S, String)>) -> V {
    let mut keep = |e: S, part: &str| match e {
        e @ (S::Num(_) | S::Date(_) | S::Null | S::Col(..)) => e,
        e => {
            let col = format!("{name}_{part}");
            columns.push((e, col.clone()));
            S::col("s", &col)
        }
    };
    match v {
        V::Num(n, d) => {
            let n = keep(n, "n");
            let d = match d {
                Den::One => Den::One,
                Den::E(e) => Den::E(keep(e, "d")),
            };
            V::Num(n, d)
        }
        V::Date(n) => V::Date(keep(n, "n")),
        other => other,
    }
}

fn d_expr(d: &Den) -> S {
    match d {
        Den::One => S::int(1),
        Den::E(e) => e.clone(),
    }
}

/// A layer of a rule's rows: a select whose rows are subjects (and
/// windows), read by the next layer as `s`.
#[derive(Clone)]
pub(crate) struct Layer(Select);

impl Layer {
    /// This layer as the `FROM` of the next.
    fn from(self) -> From {
        From::Sub(Box::new(Query::select(self.0)), "s".into())
    }

    /// A select of `items` over this layer.
    fn wrap(self, items: Vec<Item>) -> Select {
        Select::from(items, self.from())
    }

    /// The rows of this layer where `cond` holds.
    fn only(self, cond: S) -> Layer {
        Layer(Select::from(vec![Item::All("s".into())], self.from()).and_where(cond))
    }

    /// This layer with `columns` added: each computed once per row, however
    /// often the next layer reads it (an engine does not share a subquery
    /// written several times; Spark joins each one again).
    fn with<N: Into<String>>(self, columns: Vec<(S, N)>) -> Layer {
        let mut items = vec![Item::All("s".into())];
        items.extend(
            columns
                .into_iter()
                .map(|(e, name)| Item::Expr(e, name.into())),
        );
        Layer(Select::from(items, self.from()))
    }

    /// The rows of this layer where `unknown` holds, with their reason
    /// `why` as a column (which [`reasons`] reads twice).
    fn unknown(self, unknown: S, why: S) -> (Layer, S) {
        let rows = Layer(
            Select::from(
                vec![Item::All("s".into()), Item::Expr(why, "tenet_w".into())],
                self.from(),
            )
            .and_where(unknown),
        );
        (rows, S::col("s", "tenet_w"))
    }
}

/// The subjects of a rule: every row of the subject's table, with its id,
/// name and the school its results count toward (decisions S8).
fn subjects(entity: Entity) -> Option<Layer> {
    let s = "s";
    let t = |name: &str| From::Table(name.into(), s.into());
    let school_of_person = |person: S| {
        let x = "p";
        let q = Select::from(
            vec![Item::Expr(S::col(x, "tenet_school"), "v".into())],
            From::Table("tenet_people".into(), x.into()),
        )
        .and_where(S::col(x, "id").eq(person));
        S::Subquery(Box::new(Query::select(q)))
    };
    let school_id = |id: S| {
        let q = Select::from(
            vec![Item::Expr(S::col("k", "id"), "v".into())],
            From::Table("schools".into(), "k".into()),
        )
        .and_where(S::col("k", "id").eq(id));
        S::Subquery(Box::new(Query::select(q)))
    };
    let name_of = |person: S| {
        let q = Select::from(
            vec![Item::Expr(S::col("n", "name"), "v".into())],
            From::Table("people".into(), "n".into()),
        )
        .and_where(S::col("n", "id").eq(person));
        S::Subquery(Box::new(Query::select(q)))
    };
    let c = |col: &str| S::col(s, col);
    let (from, kind, name, school) = match entity {
        Entity::District => (
            t("districts"),
            "district",
            c("name"),
            S::ToText(Box::new(S::Null)),
        ),
        Entity::School => (t("schools"), "school", c("name"), c("id")),
        Entity::Person => (t("tenet_people"), "person", c("name"), c("tenet_school")),
        Entity::Activity => (
            t("tenet_activities"),
            "activity",
            c("title"),
            S::iff(
                c("host").not_null(),
                school_id(c("host")),
                school_id(c("organizer")),
            ),
        ),
        Entity::Enrollment => (
            t("tenet_credit"),
            "enrollment",
            id_of(Entity::Enrollment, &Key::Row(s.into())),
            school_of_person(c("person")),
        ),
        Entity::Mentorship => (
            t("mentorships"),
            "mentorship",
            S::Concat(vec![
                name_of(c("mentor")),
                S::Str(" → ".into()),
                name_of(c("trainee")),
            ]),
            school_of_person(c("trainee")),
        ),
        Entity::Org | Entity::Actor | Entity::Session => return None,
    };
    let id = id_of(entity, &Key::Row(s.into()));
    Some(Layer(Select::from(
        vec![
            Item::All(s.into()),
            Item::Expr(S::Str(kind.into()), "tenet_kind".into()),
            Item::Expr(id, "tenet_sid".into()),
            Item::Expr(name, "tenet_sname".into()),
            Item::Expr(school, "tenet_sschool".into()),
        ],
        from,
    )))
}

/// Writes result rows of rule `ix`.
pub(crate) struct Out {
    ix: usize,
}

impl Out {
    fn head(&self) -> Vec<Item> {
        let c = |col: &str| S::col("s", col);
        vec![
            Item::Expr(S::int(self.ix as i64), "rule_ix".into()),
            Item::Expr(c("tenet_kind"), "kind".into()),
            Item::Expr(c("tenet_sid"), "sid".into()),
            Item::Expr(c("tenet_sname"), "sname".into()),
            Item::Expr(c("tenet_sschool"), "school".into()),
        ]
    }

    fn row(&self, window: Option<(S, S)>, status: S, figures: [S; 4]) -> Vec<Item> {
        let mut items = self.head();
        let text = |e: S| match e {
            S::Null => S::ToText(Box::new(S::Null)),
            e => S::ToText(Box::new(e)),
        };
        let (ws, we) = window.unwrap_or((S::Null, S::Null));
        items.push(Item::Expr(text(ws), "ws".into()));
        items.push(Item::Expr(text(we), "we".into()));
        items.push(Item::Expr(status, "status".into()));
        for (f, name) in figures.into_iter().zip(["an", "ad", "rn", "rd"]) {
            items.push(Item::Expr(text(f), name.into()));
        }
        items.push(Item::Expr(text(S::Null), "ex".into()));
        items
    }

    fn nulls() -> [S; 4] {
        [S::Null, S::Null, S::Null, S::Null]
    }

    pub(crate) fn unknown_no_window(&self) -> Vec<Item> {
        self.row(None, S::Str("unknown".into()), Out::nulls())
    }

    fn not_applicable(&self) -> Vec<Item> {
        let mut items = self.row(
            Some(windows::raw()),
            S::Str("not_applicable".into()),
            Out::nulls(),
        );
        Out::explain(&mut items, S::Str("outside".into()));
        items
    }

    /// Sets the `ex` column of a row (the last).
    pub(crate) fn explain(items: &mut [Item], ex: S) {
        if let Some(last) = items.last_mut() {
            *last = Item::Expr(ex, "ex".into());
        }
    }

    fn unknown_in_window(&self, plan: &windows::Plan) -> Vec<Item> {
        self.row(windows::shown(plan), S::Str("unknown".into()), Out::nulls())
    }

    pub(crate) fn result(&self, plan: &windows::Plan, status: S, figures: [S; 4]) -> Vec<Item> {
        self.row(windows::shown(plan), status, figures)
    }
}
