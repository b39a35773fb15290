//! Typed expressions of the program → SQL expressions.
//!
//! Unknown is SQL `NULL`: SQL's `AND`/`OR` are Kleene as the evaluator's
//! are, and a comparison with `NULL` is `NULL`. Quantities are exact
//! rationals as in the evaluator: a numerator and a positive denominator
//! (most denominators are one and written nowhere), compared by
//! cross-multiplying, so no engine ever divides or rounds.

use super::{Ctx, Refuse};
use crate::ast::{Expr as S, From, Item, Op, Query, Select};
use rust_decimal::Decimal;
use tenet::model::CELL_SPACE;
use tenet::program::{Aggregate, Arith, Cmp, Expr, ExprKind, Var};
use tenet::schema::{Entity, Field, Type};
use tenet::syntax::ast::{AggFn, Duration, RelKind, RelLink};
use tenet::value::Value;

/// A denominator.
#[derive(Debug, Clone, PartialEq)]
pub enum Den {
    /// One.
    One,
    /// A positive expression.
    E(S),
}

impl Den {
    fn expr(&self) -> S {
        match self {
            Den::One => S::int(1),
            Den::E(e) => e.clone(),
        }
    }
    /// Whether the denominator is a constant (sums may add numerators).
    fn constant(&self) -> bool {
        matches!(self, Den::One | Den::E(S::Num(_)))
    }
    fn times(&self, o: &Den) -> Den {
        match (self, o) {
            (Den::One, d) | (d, Den::One) => d.clone(),
            (Den::E(S::Num(a)), Den::E(S::Num(b))) => match a.checked_mul(*b) {
                Some(p) => Den::E(S::Num(p)),
                None => Den::E(S::Num(*a).times(S::Num(*b))),
            },
            (Den::E(a), Den::E(b)) => Den::E(a.clone().times(b.clone())),
        }
    }
}

/// `x * d`, leaving out a one.
fn scale(x: S, d: &Den) -> S {
    match d {
        Den::One => x,
        Den::E(e) => x.times(e.clone()),
    }
}

/// How a record is at hand.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// A row of its table under this alias.
    Row(String),
    /// Only its id.
    Id(S),
    /// The activity of the enrollment row under this alias: its columns
    /// are on that row (`act_…`), so no subquery nests in another (Spark
    /// does not decorrelate those).
    Via(String),
}

/// A compiled value.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// True, false or `NULL` (unknown).
    Bool(S),
    /// `n / d`; `n` is `NULL` when unknown.
    Num(S, Den),
    /// A date.
    Date(S),
    /// Text (strings and enum values).
    Str(S),
    /// A record.
    Ent(Entity, Key),
    /// A window: first and last day.
    Window(S, S),
    /// A constant duration.
    Dur(Duration),
    /// Time since a date, at a date.
    Elapsed(S, S),
    /// A constant list.
    List(Vec<V>),
}

/// What a variable is bound to.
#[derive(Debug, Clone)]
pub enum Bound {
    /// A record.
    Ent(Entity, Key),
    /// The rule's window.
    Window(S, S),
}

/// The table (or base view) the rows of an entity come from.
pub fn table_of(e: Entity) -> &'static str {
    match e {
        Entity::District => "districts",
        Entity::School => "schools",
        Entity::Person => "tenet_people",
        // The table itself: Spark cannot correlate a subquery through the
        // join that adds scheduled hours (read by lookup when needed).
        Entity::Activity => "activities",
        Entity::Session => "sessions",
        Entity::Enrollment => "tenet_credit",
        Entity::Mentorship => "mentorships",
        Entity::Org | Entity::Actor => "districts",
    }
}

/// The id of a record as reports and relations name it.
pub fn id_of(e: Entity, key: &Key) -> S {
    match key {
        Key::Id(x) => x.clone(),
        Key::Via(a) => S::col(a, "activity"),
        Key::Row(a) => match e {
            Entity::Enrollment => S::Concat(vec![
                S::col(a, "person"),
                S::Str("/".into()),
                S::col(a, "activity"),
            ]),
            Entity::Mentorship => S::Concat(vec![
                S::col(a, "mentor"),
                S::Str("/".into()),
                S::col(a, "trainee"),
                S::Str("/".into()),
                S::col(a, "program"),
            ]),
            _ => S::col(a, "id"),
        },
    }
}

/// `(SELECT x.column FROM table x WHERE x.id = id)`.
fn lookup(table: &str, column: S, id: S, alias: &str) -> S {
    let mut s = Select::from(
        vec![Item::Expr(column, "v".into())],
        From::Table(table.into(), alias.into()),
    );
    s = s.and_where(S::col(alias, "id").eq(id));
    S::Subquery(Box::new(Query::select(s)))
}

/// A scalar subquery of one select.
fn scalar(s: Select) -> S {
    S::Subquery(Box::new(Query::select(s)))
}

/// `COALESCE(MAX(CASE WHEN cond THEN 1 ELSE 0 END), 0) = 1`: whether any
/// row of a group makes `cond` true.
pub(crate) fn any(cond: S) -> S {
    S::Func(
        "COALESCE",
        vec![
            S::Func("MAX", vec![S::iff(cond, S::int(1), S::int(0))]),
            S::int(0),
        ],
    )
    .eq(S::int(1))
}

fn bool_of(v: V) -> Result<S, Refuse> {
    match v {
        V::Bool(b) => Ok(b),
        other => Err(Refuse::internal(format!(
            "expected a condition, found {other:?}"
        ))),
    }
}

impl Ctx<'_> {
    /// A condition.
    pub fn cond(&mut self, e: &Expr) -> Result<S, Refuse> {
        let v = self.expr(e)?;
        bool_of(v)
    }

    /// A quantity as `(n, d)`.
    pub fn num(&mut self, e: &Expr) -> Result<(S, Den), Refuse> {
        match self.expr(e)? {
            V::Num(n, d) => Ok((n, d)),
            other => Err(Refuse::internal(format!(
                "expected a number, found {other:?}"
            ))),
        }
    }

    fn constant(&self, v: &Value, ty: &Type, text: &str) -> Result<V, Refuse> {
        Ok(match v {
            Value::Num(q) => {
                let (n, d) = q.parts();
                if d == Decimal::ONE {
                    V::Num(S::Num(n), Den::One)
                } else {
                    V::Num(S::Num(n), Den::E(S::Num(d)))
                }
            }
            Value::Date(d) => V::Date(S::Date(*d)),
            Value::Bool(b) => V::Bool(S::Bool(*b)),
            Value::Str(s) => V::Str(S::Str(s.clone())),
            Value::Enum(e) => V::Str(S::Str(e.to_string())),
            Value::Duration(d) => V::Dur(*d),
            Value::List(items) => {
                let item_ty = match ty {
                    Type::List(t) => t.as_ref().clone(),
                    t => t.clone(),
                };
                V::List(
                    items
                        .iter()
                        .map(|i| self.constant(i, &item_ty, text))
                        .collect::<Result<_, _>>()?,
                )
            }
            Value::Entity(_) | Value::Window(_) | Value::Elapsed { .. } => {
                return Err(self.refuse(format!("the constant `{text}`")))
            }
        })
    }

    fn var(&self, v: Var) -> Result<V, Refuse> {
        match self.vars.get(&v) {
            Some(Bound::Ent(e, k)) => Ok(V::Ent(*e, k.clone())),
            Some(Bound::Window(s, e)) => Ok(V::Window(s.clone(), e.clone())),
            None => Err(Refuse::internal("an unbound variable".into())),
        }
    }

    /// An expression.
    pub fn expr(&mut self, e: &Expr) -> Result<V, Refuse> {
        match &e.kind {
            ExprKind::Const(v) => self.constant(v, &e.ty, &e.text),
            ExprKind::Param(id) => self.param(*id, &e.text),
            ExprKind::Var(v) => self.var(*v),
            ExprKind::Field(base, field) => {
                let b = self.expr(base)?;
                self.field(b, *field, &e.text)
            }
            ExprKind::Attr(base, column) => {
                let b = self.expr(base)?;
                let V::Ent(kind, key) = b else {
                    return Err(Refuse::internal("attr of a non-record".into()));
                };
                let table = match kind {
                    Entity::District => "districts",
                    Entity::School => "schools",
                    Entity::Person => "people",
                    Entity::Activity => "activities",
                    _ => {
                        return Err(
                            self.refuse(format!("`{}` (extra columns of this record)", e.text))
                        )
                    }
                };
                if !self.has_column(table, column) {
                    // The table has no such column: unknown for every
                    // record, as for a CSV file without it.
                    return Ok(V::Str(S::Null));
                }
                // A cell is read trimmed as natively; a blank one (NULL,
                // '' or spaces: engines load an empty cell as either) is
                // '' (decisions R7). Inside a lookup, so that a record that
                // is not there (no host) stays NULL.
                let cell = |a: &str| {
                    let raw = S::Quoted(a.to_string(), column.clone());
                    let trimmed = S::Trim(Box::new(raw), CELL_SPACE.iter().collect());
                    S::Func("COALESCE", vec![trimmed, S::Str(String::new())])
                };
                Ok(V::Str(match key {
                    Key::Row(a) => cell(&a),
                    Key::Via(a) => {
                        let x = self.alias();
                        let id = S::col(&a, "activity");
                        lookup(table_of(kind), cell(&x), id, &x)
                    }
                    Key::Id(id) => {
                        let x = self.alias();
                        lookup(table_of(kind), cell(&x), id, &x)
                    }
                }))
            }
            ExprKind::Neg(x) => {
                let (n, d) = self.num(x)?;
                Ok(V::Num(S::Neg(Box::new(n)), d))
            }
            ExprKind::Not(x) => Ok(V::Bool(self.cond(x)?.negated())),
            ExprKind::And(a, b) => Ok(V::Bool(self.cond(a)?.and(self.cond(b)?))),
            ExprKind::Or(a, b) => Ok(V::Bool(self.cond(a)?.or(self.cond(b)?))),
            ExprKind::Arith(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.arith(*op, x, y, &e.text)
            }
            ExprKind::Of(a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.arith(Arith::Mul, x, y, &e.text)
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                Ok(V::Bool(self.compare(*op, x, y, &e.text)?))
            }
            ExprKind::Has(p, role) => {
                let V::Ent(_, key) = self.expr(p)? else {
                    return Err(Refuse::internal("has on a non-record".into()));
                };
                let roles = match key {
                    Key::Row(a) => S::col(&a, "roles"),
                    Key::Via(_) => return Err(Refuse::internal("has on an activity".into())),
                    Key::Id(id) => {
                        let x = self.alias();
                        lookup("people", S::col(&x, "roles"), id, &x)
                    }
                };
                Ok(V::Bool(has_role(roles, role.as_str())))
            }
            ExprKind::In {
                negated,
                value,
                list,
            } => {
                let v = self.expr(value)?;
                let mut items = Vec::new();
                for item in list {
                    items.push(self.expr(item)?);
                }
                let flat: Vec<V> = items
                    .into_iter()
                    .flat_map(|i| match i {
                        V::List(l) => l,
                        other => vec![other],
                    })
                    .collect();
                let x = scalar_of(&v).ok_or_else(|| self.refuse(format!("`{}`", e.text)))?;
                let ys: Option<Vec<S>> = flat.iter().map(scalar_of).collect();
                let ys = ys.ok_or_else(|| self.refuse(format!("`{}`", e.text)))?;
                Ok(V::Bool(S::InList(Box::new(x), ys, *negated)))
            }
            ExprKind::Aggregate(agg) => self.aggregate(agg, &e.ty, &e.text),
            ExprKind::Credited {
                person,
                elem,
                filter,
            } => {
                let V::Ent(_, key) = self.expr(person)? else {
                    return Err(Refuse::internal("credited_hours of a non-record".into()));
                };
                let pid = id_of(Entity::Person, &key);
                self.credited(pid, *elem, filter.as_deref())
            }
            ExprKind::Age { person, at } => {
                let V::Ent(_, key) = self.expr(person)? else {
                    return Err(Refuse::internal("age of a non-record".into()));
                };
                let born = match self.field(V::Ent(Entity::Person, key), Field::BirthDate, "")? {
                    V::Date(d) => d,
                    _ => return Err(Refuse::internal("birth_date".into())),
                };
                let at = self.at(at.as_deref())?;
                Ok(V::Num(completed_years(born, at), Den::One))
            }
            ExprKind::Tenure { since, at } => {
                let V::Date(since) = self.expr(since)? else {
                    return Err(Refuse::internal("tenure of a non-date".into()));
                };
                let at = self.at(at.as_deref())?;
                Ok(V::Elapsed(since, at))
            }
            ExprKind::Finance { org, year, item } => {
                let V::Ent(kind, key) = self.expr(org)? else {
                    return Err(Refuse::internal("finance of a non-record".into()));
                };
                let id = id_of(kind, &key);
                let year = self.finance_year(year.as_deref(), &e.text)?;
                let x = self.alias();
                let s = Select::from(
                    vec![Item::Expr(S::col(&x, "amount"), "v".into())],
                    From::Table("finance".into(), x.clone()),
                )
                .and_where(S::col(&x, "org").eq(id))
                .and_where(S::col(&x, "year").eq(year))
                .and_where(S::col(&x, "item").eq(S::Str(item.as_str().into())));
                Ok(V::Num(scalar(s), Den::One))
            }
            ExprKind::YearOf(x) => match self.expr(x)? {
                V::Date(d) | V::Window(d, _) => {
                    Ok(V::Num(S::Extract("YEAR", Box::new(d)), Den::One))
                }
                _ => Err(Refuse::internal("year_of a non-date".into())),
            },
        }
    }

    /// The year a `finance(…)` line is read for.
    pub(crate) fn finance_year(&mut self, year: Option<&Expr>, text: &str) -> Result<S, Refuse> {
        Ok(match year {
            None => match &self.window {
                Some((start, _)) => S::Extract("YEAR", Box::new(start.clone())),
                None => S::int(i64::from(chrono::Datelike::year(&self.as_of))),
            },
            Some(y) => match self.expr(y)? {
                V::Window(start, _) => S::Extract("YEAR", Box::new(start)),
                V::Num(S::Num(n), Den::One) => {
                    // As the evaluator: a year that is not a whole
                    // number written without decimals is year 0.
                    let whole = n.fract().is_zero() && n.scale() == 0;
                    S::Num(if whole { n } else { Decimal::ZERO })
                }
                V::Num(n, Den::One) => n,
                _ => return Err(self.refuse(format!("`{}` (a computed fractional year)", text))),
            },
        })
    }

    fn at(&mut self, at: Option<&Expr>) -> Result<S, Refuse> {
        match at {
            None => Ok(self.default_at.clone()),
            Some(e) => match self.expr(e)? {
                V::Date(d) => Ok(d),
                _ => Err(Refuse::internal("expected a date".into())),
            },
        }
    }

    fn param(&mut self, id: tenet::program::ParamId, text: &str) -> Result<V, Refuse> {
        let p = self
            .policy
            .params
            .get(usize::from(id.0))
            .ok_or_else(|| Refuse::internal("unknown param".into()))?;
        let mut values = Vec::new();
        for (since, v) in &p.history {
            values.push((*since, self.constant(v, &p.ty, text)?));
        }
        let Some((_, first)) = values.first().cloned() else {
            return Ok(match p.ty {
                Type::Bool => V::Bool(S::Null),
                _ => V::Num(S::Null, Den::One),
            });
        };
        if values.len() == 1 {
            return Ok(first);
        }
        // Numbers over one denominator, whatever day the param is read
        // on: a credit, a sum over members, compare alike only then.
        let common = one_denominator(&mut values);
        // The value in force on the param day: the last one started by
        // then, or the first (Param::at).
        let day = self.param_day.clone();
        let pick = |part: &dyn Fn(&V) -> Option<S>| -> Option<S> {
            let mut whens = Vec::new();
            for (since, v) in values.iter().rev() {
                if let Some(d) = since {
                    whens.push((S::Date(*d).op(Op::Le, day.clone()), part(v)?));
                }
            }
            Some(S::Case(whens, Some(Box::new(part(&first)?))))
        };
        let none = || {
            self.refuse(format!(
                "the param `{}` with a history of this type",
                p.name
            ))
        };
        Ok(match &first {
            V::Num(..) => {
                let n = pick(&|v| match v {
                    V::Num(n, _) => Some(n.clone()),
                    _ => None,
                });
                let d = pick(&|v| match v {
                    V::Num(_, d) => Some(d.expr()),
                    _ => None,
                });
                match (n, d, common) {
                    (Some(n), _, Some(l)) if l == Decimal::ONE => V::Num(n, Den::One),
                    (Some(n), _, Some(l)) => V::Num(n, Den::E(S::Num(l))),
                    (Some(n), Some(d), None) => V::Num(n, Den::E(d)),
                    _ => return Err(none()),
                }
            }
            V::Date(_) => V::Date(
                pick(&|v| match v {
                    V::Date(d) => Some(d.clone()),
                    _ => None,
                })
                .ok_or_else(none)?,
            ),
            V::Bool(_) => V::Bool(
                pick(&|v| match v {
                    V::Bool(d) => Some(d.clone()),
                    _ => None,
                })
                .ok_or_else(none)?,
            ),
            V::Str(_) => V::Str(
                pick(&|v| match v {
                    V::Str(d) => Some(d.clone()),
                    _ => None,
                })
                .ok_or_else(none)?,
            ),
            _ => return Err(none()),
        })
    }

    fn field(&mut self, base: V, field: Field, text: &str) -> Result<V, Refuse> {
        let (kind, key) = match base {
            V::Window(s, e) => {
                return match field {
                    Field::StartDate => Ok(V::Date(s)),
                    Field::EndDate => Ok(V::Date(e)),
                    Field::Year => Ok(V::Num(S::Extract("YEAR", Box::new(s)), Den::One)),
                    _ => Err(Refuse::internal("no such window field".into())),
                }
            }
            V::Ent(k, key) => (k, key),
            _ => return Err(Refuse::internal("field of a non-record".into())),
        };
        if field == Field::Id {
            return Ok(V::Str(id_of(kind, &key)));
        }
        if let (Key::Row(a), Entity::Enrollment, Field::Activity) = (&key, kind, field) {
            return Ok(V::Ent(Entity::Activity, Key::Via(a.clone())));
        }
        if let (Key::Via(a), Some((column, ty))) = (&key, column_of(kind, field)) {
            let value = match column {
                "end_date" | "tenet_scheduled" => S::col(a, column),
                c => self.activity_column(a, c),
            };
            return Ok(match ty {
                Col::Date => V::Date(value),
                Col::Num | Col::Credit => V::Num(value, Den::One),
                Col::Bool => V::Bool(value),
                Col::Str => V::Str(value),
                Col::Ref(e) => V::Ent(e, Key::Id(value)),
            });
        }
        if (kind, field) == (Entity::Activity, Field::ScheduledHours) {
            let x = self.alias();
            let id = id_of(kind, &key);
            return Ok(V::Num(
                lookup("tenet_activities", S::col(&x, "tenet_scheduled"), id, &x),
                Den::One,
            ));
        }
        let (column, ty) =
            column_of(kind, field).ok_or_else(|| self.refuse(format!("the field `{text}`")))?;
        let value = match (&key, kind) {
            (Key::Row(a), _) => S::col(a, column),
            (Key::Via(_), _) => return Err(Refuse::internal("an activity field".into())),
            (Key::Id(id), Entity::Org | Entity::Actor) => {
                // An org or actor: a school, a district (or a person).
                let mut found = Vec::new();
                for table in ["schools", "districts", "people"] {
                    if kind == Entity::Org && table == "people" {
                        continue;
                    }
                    let x = self.alias();
                    found.push(lookup(table, S::col(&x, column), id.clone(), &x));
                }
                S::Func("COALESCE", found)
            }
            (Key::Id(id), _) => {
                let x = self.alias();
                lookup(table_of(kind), S::col(&x, column), id.clone(), &x)
            }
        };
        Ok(match ty {
            Col::Date => V::Date(value),
            Col::Num => V::Num(value, Den::One),
            Col::Credit => {
                let d = self.credit_den.clone();
                V::Num(value, d)
            }
            Col::Bool => V::Bool(value),
            Col::Str => V::Str(value),
            Col::Ref(e) => V::Ent(e, Key::Id(value)),
        })
    }

    fn arith(&mut self, op: Arith, x: V, y: V, text: &str) -> Result<V, Refuse> {
        match (x, y) {
            (V::Num(a, da), V::Num(b, db)) => Ok(match op {
                Arith::Add | Arith::Sub => {
                    let o = if op == Arith::Add { Op::Add } else { Op::Sub };
                    if da == db {
                        V::Num(a.op(o, b), da)
                    } else {
                        V::Num(scale(a, &db).op(o, scale(b, &da)), da.times(&db))
                    }
                }
                Arith::Mul => V::Num(a.times(b), da.times(&db)),
                Arith::Div if constant_divisor(&b).is_some() && da.constant() => {
                    // By a constant: a constant denominator, which sums
                    // and credits need (`x / 3`).
                    let k = constant_divisor(&b).unwrap_or(Decimal::ONE);
                    let num = scale(a, &db);
                    let num = if k.is_sign_negative() {
                        S::Neg(Box::new(num))
                    } else {
                        num
                    };
                    V::Num(num, da.times(&Den::E(S::Num(k.abs()))))
                }
                Arith::Div => {
                    // (a/da) / (b/db) = (a·db) / (da·b), the sign moved to
                    // the numerator; dividing by zero is unknown.
                    let num = scale(a, &db);
                    let den = scale(b.clone(), &da);
                    let n = S::Case(
                        vec![
                            (b.clone().eq(S::int(0)), S::Null),
                            (b.op(Op::Lt, S::int(0)), S::Neg(Box::new(num.clone()))),
                        ],
                        Some(Box::new(num)),
                    );
                    V::Num(n, Den::E(S::Func("ABS", vec![den])))
                }
            }),
            (V::Date(d), V::Dur(dur)) => {
                let sign = if op == Arith::Add { 1 } else { -1 };
                Ok(V::Date(add_duration(d, dur, sign)))
            }
            _ => Err(self.refuse(format!("the arithmetic `{text}`"))),
        }
    }

    /// A comparison, `NULL` when either side is unknown.
    pub fn compare(&mut self, op: Cmp, x: V, y: V, text: &str) -> Result<S, Refuse> {
        let sql_op = match op {
            Cmp::Eq => Op::Eq,
            Cmp::Ne => Op::Ne,
            Cmp::Lt => Op::Lt,
            Cmp::Le => Op::Le,
            Cmp::Gt => Op::Gt,
            Cmp::Ge => Op::Ge,
        };
        Ok(match (x, y) {
            (V::Num(a, da), V::Num(b, db)) => {
                if da == db {
                    a.op(sql_op, b)
                } else {
                    scale(a, &db).op(sql_op, scale(b, &da))
                }
            }
            (V::Date(a), V::Date(b)) => a.op(sql_op, b),
            (V::Elapsed(since, at), V::Dur(d)) => at.op(sql_op, add_duration(since, d, 1)),
            (V::Dur(d), V::Elapsed(since, at)) => add_duration(since, d, 1).op(sql_op, at),
            (x, y) => {
                let (a, b) = match (scalar_of(&x), scalar_of(&y)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => return Err(self.refuse(format!("the comparison `{text}`"))),
                };
                match op {
                    Cmp::Eq => a.eq(b),
                    Cmp::Ne => a.op(Op::Ne, b),
                    // Unordered values: never less or greater, but still
                    // unknown when a side is.
                    _ => S::iff(a.is_null().or(b.is_null()), S::Null, S::Bool(false)),
                }
            }
        })
    }

    pub(crate) fn members(&mut self, agg: &Aggregate, x: &str) -> Result<Select, Refuse> {
        let (entity, _) = tenet::schema::relation(agg.relation);
        let from = From::Table(table_of(entity).into(), x.into());
        let mut s = Select::from(Vec::new(), from);
        let anchor = match &agg.link {
            Some((how, e)) => match self.expr(e)? {
                V::Ent(kind, key) => Some((*how, kind, id_of(kind, &key))),
                _ => {
                    return Err(Refuse::internal(
                        "a relation anchored on a non-record".into(),
                    ))
                }
            },
            None => None,
        };
        let (rs, re) = self.range.clone();
        let in_range = |d: S| d.between(rs.clone(), re.clone());
        let c = |col: &str| S::col(x, col);
        s = match (agg.relation, anchor) {
            (RelKind::People, None) | (RelKind::Schools, None) | (RelKind::Districts, _) => s,
            (RelKind::People, Some((_, kind, id))) => match kind {
                Entity::School => s.and_where(c("org").eq(id)),
                Entity::District => s.and_where(c("tenet_district").eq(id)),
                _ => s.and_where(c("org").eq(id.clone()).or(c("tenet_district").eq(id))),
            },
            (RelKind::Schools, Some((_, _, id))) => s.and_where(c("district").eq(id)),
            (RelKind::Activities, link) => {
                let s = match link {
                    None => s,
                    Some((RelLink::HostedBy, _, id)) => s.and_where(c("host").eq(id)),
                    Some((_, _, id)) => s.and_where(c("organizer").eq(id)),
                };
                s.and_where(in_range(c("end_date")))
            }
            (RelKind::Enrollments, link) => {
                let s = match link {
                    Some((_, Entity::Person, id)) => s.and_where(c("person").eq(id)),
                    Some((_, Entity::Activity, id)) => s.and_where(c("activity").eq(id)),
                    _ => s,
                };
                s.and_where(in_range(c("end_date")))
            }
            (RelKind::Sessions, link) => {
                let s = match link {
                    Some((_, _, id)) => s.and_where(c("activity").eq(id)),
                    None => s,
                };
                s.and_where(in_range(c("date")))
            }
            (RelKind::Mentorships, link) => {
                let s = match link {
                    Some((_, _, id)) => s.and_where(c("mentor").eq(id)),
                    None => s,
                };
                s.and_where(
                    rs.clone()
                        .op(Op::Le, re.clone())
                        .and(c("start_date").op(Op::Le, re.clone()))
                        .and(c("end_date").op(Op::Ge, rs.clone())),
                )
            }
        };
        Ok(s)
    }

    fn aggregate(&mut self, agg: &Aggregate, ty: &Type, text: &str) -> Result<V, Refuse> {
        let (entity, _) = tenet::schema::relation(agg.relation);
        let x = self.alias();
        let ranged = !matches!(
            agg.relation,
            RelKind::People | RelKind::Schools | RelKind::Districts
        );
        self.deep_range(ranged, &agg_text(agg))?;
        let base = self.members(agg, &x)?;
        self.depth += 1;
        let (filter, value) = self.with_member(agg.elem, entity, &x, |c| {
            let filter = agg.filter.as_ref().map(|f| c.cond(f)).transpose()?;
            let value = agg.value.as_ref().map(|v| c.expr(v)).transpose()?;
            Ok((filter, value))
        })?;
        self.depth -= 1;
        let kept = filter.clone().unwrap_or(S::Bool(true));
        // Unknown when the filter is unknown for a member, or the value
        // is unknown for a member the filter keeps.
        let value_unknown = |v: S| kept.clone().and(v.is_null());
        let mut unknown = filter.clone().map(|f| f.is_null());
        let matched = S::Func(
            "COALESCE",
            vec![
                S::Func("SUM", vec![S::iff(kept.clone(), S::int(1), S::int(0))]),
                S::int(0),
            ],
        );
        let one = |s: &Select, item: S| {
            let mut s = s.clone();
            s.items = vec![Item::Expr(item, "v".into())];
            scalar(s)
        };
        let guard = |unknown: &Option<S>, v: S| match unknown {
            Some(u) => S::iff(any(u.clone()), S::Null, v),
            None => v,
        };
        let value_of = |v: &Option<V>| -> Option<(S, Den, bool)> {
            match v {
                Some(V::Num(n, d)) => Some((n.clone(), d.clone(), false)),
                Some(V::Date(d)) => Some((d.clone(), Den::One, true)),
                _ => None,
            }
        };
        Ok(match agg.func {
            AggFn::Count => V::Num(one(&base, guard(&unknown, matched)), Den::One),
            AggFn::Share => {
                let total = one(&base, S::CountStar);
                let n = guard(
                    &unknown,
                    S::iff(S::CountStar.eq(S::int(0)), S::Null, matched),
                );
                V::Num(one(&base, n), Den::E(total))
            }
            AggFn::Sum | AggFn::Avg | AggFn::Min | AggFn::Max => {
                let Some((v, d, date)) = value_of(&value) else {
                    return Err(self.refuse(format!("the aggregate `{text}` of this type")));
                };
                if !d.constant() {
                    return Err(self.refuse(format!(
                        "the aggregate `{text}` (its values have denominators that differ)"
                    )));
                }
                let u = value_unknown(v.clone());
                unknown = Some(match unknown {
                    Some(f) => f.or(u),
                    None => u,
                });
                let picked = S::Case(vec![(kept.clone(), v)], None);
                match agg.func {
                    AggFn::Sum => V::Num(
                        one(
                            &base,
                            guard(
                                &unknown,
                                S::Func("COALESCE", vec![S::Func("SUM", vec![picked]), S::int(0)]),
                            ),
                        ),
                        d,
                    ),
                    AggFn::Avg => {
                        let n = guard(&unknown, S::Func("SUM", vec![picked]));
                        let count = one(&base, matched);
                        V::Num(one(&base, n), Den::E(scale(count, &d)))
                    }
                    _ => {
                        let f = if agg.func == AggFn::Min { "MIN" } else { "MAX" };
                        let v = one(&base, guard(&unknown, S::Func(f, vec![picked])));
                        if date || *ty == Type::Date {
                            V::Date(v)
                        } else {
                            V::Num(v, d)
                        }
                    }
                }
            }
        })
    }

    /// Spark resolves a subquery's outer columns one level out only: an
    /// aggregate inside another that counts records in the rule's window
    /// (read from the rule's row, two levels out) is refused for it.
    fn deep_range(&self, ranged: bool, what: &str) -> Result<(), Refuse> {
        let window_row = !matches!(self.range, (S::Date(_), S::Date(_)));
        if self.dialect == crate::Dialect::Spark && self.depth > 0 && ranged && window_row {
            return Err(self.refuse(format!(
                "{what} inside another aggregate, over records in the rule's window (Spark does not correlate a subquery two levels deep)"
            )));
        }
        Ok(())
    }

    /// `f` with `var` bound to the row `alias` of `entity` (a member of an
    /// aggregate, a cadence's activity), the binding before restored after.
    pub(crate) fn with_member<T>(
        &mut self,
        var: Var,
        entity: Entity,
        alias: &str,
        f: impl FnOnce(&mut Self) -> Result<T, Refuse>,
    ) -> Result<T, Refuse> {
        let saved = self
            .vars
            .insert(var, Bound::Ent(entity, Key::Row(alias.into())));
        let out = f(self);
        match saved {
            Some(b) => {
                self.vars.insert(var, b);
            }
            None => {
                self.vars.remove(&var);
            }
        }
        out
    }

    fn credited(&mut self, person: S, elem: Var, filter: Option<&Expr>) -> Result<V, Refuse> {
        self.deep_range(true, "`credited_hours`")?;
        let x = self.alias();
        let (rs, re) = self.range.clone();
        self.depth += 1;
        let f = self.with_member(elem, Entity::Enrollment, &x, |c| {
            filter.map(|f| c.cond(f)).transpose()
        })?;
        self.depth -= 1;
        let credit = S::col(&x, "tenet_credit_n");
        let kept = f.clone().unwrap_or(S::Bool(true));
        let unknown = match &f {
            Some(f) => f
                .clone()
                .is_null()
                .or(f.clone().and(credit.clone().is_null())),
            None => credit.clone().is_null(),
        };
        let total = S::Func(
            "COALESCE",
            vec![
                S::Func("SUM", vec![S::Case(vec![(kept, credit)], None)]),
                S::int(0),
            ],
        );
        let s = Select::from(
            vec![Item::Expr(S::iff(any(unknown), S::Null, total), "v".into())],
            From::Table("tenet_credit".into(), x.clone()),
        )
        .and_where(S::col(&x, "person").eq(person))
        .and_where(S::col(&x, "end_date").between(rs, re));
        Ok(V::Num(scalar(s), self.credit_den.clone()))
    }
}

/// An aggregate as a refusal names it.
fn agg_text(agg: &Aggregate) -> String {
    format!("an aggregate over {:?}", agg.relation).to_lowercase()
}

/// A divisor written as a non-zero constant.
fn constant_divisor(b: &S) -> Option<Decimal> {
    match b {
        S::Num(k) if !k.is_zero() => Some(*k),
        _ => None,
    }
}

/// Puts constant numbers over their least common denominator (each
/// numerator scaled, exactly) and returns it; `None`, leaving `values` as
/// they are, when one is not a constant number or the denominator would
/// not fit a decimal.
fn one_denominator(values: &mut [(Option<chrono::NaiveDate>, V)]) -> Option<Decimal> {
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let mut l: i128 = 1;
    let mut parts = Vec::with_capacity(values.len());
    for (_, v) in values.iter() {
        let (n, d) = match v {
            V::Num(S::Num(n), Den::One) => (*n, Decimal::ONE),
            V::Num(S::Num(n), Den::E(S::Num(d))) => (*n, *d),
            _ => return None,
        };
        if !d.fract().is_zero() || d <= Decimal::ZERO {
            return None;
        }
        let di = i128::try_from(d).ok()?;
        l = (l / gcd(l, di)).checked_mul(di)?;
        parts.push((n, d));
    }
    let l = Decimal::try_from_i128_with_scale(l, 0).ok()?;
    let scaled: Option<Vec<Decimal>> = parts
        .iter()
        .map(|(n, d)| n.checked_mul(l.checked_div(*d)?))
        .collect();
    for ((_, v), n) in values.iter_mut().zip(scaled?) {
        *v = V::Num(S::Num(n), Den::One);
    }
    Some(l)
}

/// Whether a `;`-separated roles text holds `role` (spaces around parts
/// are ignored, as the loader ignores them).
pub fn has_role(roles: S, role: &str) -> S {
    let cleaned = S::Func(
        "REPLACE",
        vec![
            S::Func("COALESCE", vec![roles, S::Str(String::new())]),
            S::Str(" ".into()),
            S::Str(String::new()),
        ],
    );
    S::Like(
        Box::new(S::Concat(vec![
            S::Str(";".into()),
            cleaned,
            S::Str(";".into()),
        ])),
        format!("%;{role};%"),
    )
}

/// A value that SQL compares with `=` as it stands.
fn scalar_of(v: &V) -> Option<S> {
    match v {
        V::Bool(x) | V::Date(x) | V::Str(x) => Some(x.clone()),
        V::Num(x, Den::One) => Some(x.clone()),
        V::Ent(kind, key) => Some(id_of(*kind, key)),
        _ => None,
    }
}

/// `d + duration` (months first, clamped to the month's end, then days),
/// or minus it with `sign` −1.
pub fn add_duration(d: S, dur: Duration, sign: i64) -> S {
    let mut out = d;
    if dur.months != 0 {
        out = S::AddMonths(Box::new(out), sign * i64::from(dur.months));
    }
    if dur.days != 0 {
        out = S::AddDays(Box::new(out), Box::new(S::int(sign * i64::from(dur.days))));
    }
    out
}

/// Completed years from `born` to `at`.
fn completed_years(born: S, at: S) -> S {
    let y = |d: &S| S::Extract("YEAR", Box::new(d.clone()));
    let md = |d: &S| {
        S::Extract("MONTH", Box::new(d.clone()))
            .times(S::int(100))
            .op(Op::Add, S::Extract("DAY", Box::new(d.clone())))
    };
    y(&at).op(Op::Sub, y(&born)).op(
        Op::Sub,
        S::iff(md(&at).op(Op::Lt, md(&born)), S::int(1), S::int(0)),
    )
}

/// How a field's column reads.
enum Col {
    Date,
    Num,
    Credit,
    Bool,
    Str,
    Ref(Entity),
}

fn column_of(kind: Entity, field: Field) -> Option<(&'static str, Col)> {
    use Entity as E;
    use Field as F;
    Some(match (kind, field) {
        (_, F::Name) => ("name", Col::Str),
        (E::School, F::District) => ("district", Col::Ref(E::District)),
        (E::School, F::Rural) => ("rural", Col::Bool),
        (E::School, F::TrainingBase) => ("training_base", Col::Bool),
        (E::Person, F::Org) => ("org", Col::Ref(E::Org)),
        (E::Person, F::BirthDate) => ("birth_date", Col::Date),
        (E::Person, F::HireDate) => ("hire_date", Col::Date),
        (E::Person, F::PostStartDate) => ("post_start_date", Col::Date),
        (E::Activity, F::Title) => ("title", Col::Str),
        (E::Activity, F::Organizer) => ("organizer", Col::Ref(E::Actor)),
        (E::Activity, F::Host) => ("host", Col::Ref(E::Org)),
        (E::Activity, F::Level) => ("level", Col::Str),
        (E::Activity, F::Kind) => ("kind", Col::Str),
        (E::Activity, F::Mode) => ("mode", Col::Str),
        (E::Activity | E::Mentorship, F::StartDate) => ("start_date", Col::Date),
        (E::Activity | E::Mentorship, F::EndDate) => ("end_date", Col::Date),
        (E::Activity | E::Session, F::Hours) => ("hours", Col::Num),
        (E::Activity | E::Enrollment, F::ScheduledHours) => ("tenet_scheduled", Col::Num),
        (E::Session, F::Activity) | (E::Enrollment, F::Activity) => {
            ("activity", Col::Ref(E::Activity))
        }
        (E::Session, F::Date) => ("date", Col::Date),
        (E::Enrollment, F::Person) => ("person", Col::Ref(E::Person)),
        (E::Enrollment, F::AbsentHours) => ("tenet_absent", Col::Num),
        (E::Enrollment, F::Credited) => ("tenet_credit_n", Col::Credit),
        (E::Mentorship, F::Mentor) => ("mentor", Col::Ref(E::Person)),
        (E::Mentorship, F::Trainee) => ("trainee", Col::Ref(E::Person)),
        (E::Mentorship, F::Program) => ("program", Col::Str),
        _ => return None,
    })
}
