//! Why a value is unknown: the reason the native evaluator gives
//! (`tenet::eval`, `Halt::Unknown`), as an SQL text expression.
//!
//! [`Ctx::why`] of an expression is read only where the expression's own
//! SQL is `NULL`; it follows the evaluator's order — the first part that
//! halts names the reason (a field's record before the field, the left
//! side of `+` before the right, an aggregate's anchor before its
//! members, its members before "no records"). Where the evaluator's reason
//! depends on which member of an aggregate it met first in the dataset's
//! order and the members' reasons differ, the reason is [`UNDETERMINED`]:
//! no table says the files' order.

use super::expr::{any, id_of, Key, V};
use super::{Ctx, Refuse};
use crate::ast::{Expr as S, From, Item, Op, Select};
use tenet::program::{Aggregate, Arith, Expr, ExprKind, Var};
use tenet::schema::{Entity, Field};
use tenet::syntax::ast::AggFn;

/// The reason of an unknown value the SQL cannot tell: which member of an
/// aggregate the evaluator met first, when the members' reasons differ.
pub const UNDETERMINED: &str = "<undetermined>";

/// The `ex` prefix of an unknown result's reasons.
pub const PREFIX: &str = "why:";

/// `CASE WHEN c1 THEN r1 … ELSE last END` over the parts whose condition
/// can hold (a record at hand as a row is never unknown).
fn first(parts: Vec<(Option<S>, S)>, last: S) -> S {
    let whens: Vec<(S, S)> = parts
        .into_iter()
        .filter_map(|(c, r)| c.map(|c| (c, r)))
        .collect();
    if whens.is_empty() {
        last
    } else {
        S::Case(whens, Some(Box::new(last)))
    }
}

/// Over a group of records, the one reason they give for being unknown
/// (the evaluator's, whichever it met first); [`UNDETERMINED`] when they
/// give several: which one it meets first depends on the files' order.
fn one_reason(reason: S) -> S {
    S::iff(
        S::Func("MIN", vec![reason.clone()]).op(Op::Ne, S::Func("MAX", vec![reason.clone()])),
        S::Str(UNDETERMINED.into()),
        S::Func("MAX", vec![reason]),
    )
}

/// When a compiled value is unknown; `None`: it never is.
pub(crate) fn unknown_of(v: &V) -> Option<S> {
    match v {
        V::Num(n, _) | V::Date(n) | V::Str(n) | V::Bool(n) => Some(n.clone().is_null()),
        V::Ent(_, Key::Id(id)) => Some(id.clone().is_null()),
        V::Elapsed(since, at) => Some(since.clone().is_null().or(at.clone().is_null())),
        V::Ent(..) | V::Window(..) | V::Dur(_) | V::List(_) => None,
    }
}

/// A reason made of literal text and SQL values, in order.
fn text(parts: Vec<S>) -> S {
    S::Concat(
        parts
            .into_iter()
            .map(|p| match p {
                S::Str(_) => p,
                p => S::ToText(Box::new(p)),
            })
            .collect(),
    )
}

/// The table `attr` reads for a record kind, as the evaluator names it.
fn table_name(kind: Entity) -> &'static str {
    match kind {
        Entity::District => "districts",
        Entity::School => "schools",
        Entity::Person => "people",
        _ => "activities",
    }
}

impl Ctx<'_> {
    /// The reason `e` is unknown, where its SQL is `NULL` (`NULL` text when
    /// the evaluator would not halt on it); [`UNDETERMINED`] when telling
    /// it would take more subqueries than the dialect's
    /// [`reason_budget`](crate::Dialect::reason_budget).
    pub(crate) fn why(&mut self, e: &Expr) -> Result<S, Refuse> {
        let why = self.why_of(e)?;
        Ok(if why.subqueries() > self.dialect.reason_budget() {
            S::Str(UNDETERMINED.into())
        } else {
            why
        })
    }

    /// A part of `e`: its value, and when it is unknown with its reason
    /// (as [`first`] takes them).
    fn part(&mut self, x: &Expr) -> Result<(V, (Option<S>, S)), Refuse> {
        let v = self.expr(x)?;
        let unknown = unknown_of(&v);
        Ok((v, (unknown, self.why(x)?)))
    }

    fn why_of(&mut self, e: &Expr) -> Result<S, Refuse> {
        Ok(match &e.kind {
            ExprKind::Const(_) | ExprKind::Var(_) => S::Null,
            ExprKind::Param(id) => match self.policy.params.get(usize::from(id.0)) {
                Some(p) if p.history.is_empty() => {
                    S::Str(format!("param `{}` has no value", p.name))
                }
                _ => S::Null,
            },
            ExprKind::Field(base, field) => {
                let (b, before) = self.part(base)?;
                let name = match field {
                    Field::BirthDate => Some("birth_date"),
                    Field::HireDate => Some("hire_date"),
                    Field::PostStartDate => Some("post_start_date"),
                    _ => None,
                };
                let own = match (&b, name, field) {
                    (V::Ent(Entity::Person, key), Some(name), _) => text(vec![
                        S::Str("person `".into()),
                        id_of(Entity::Person, key),
                        S::Str(format!("` has no {name}")),
                    ]),
                    // The credit block's reason, computed with the credit.
                    (V::Ent(Entity::Enrollment, Key::Row(a)), _, Field::Credited) => {
                        S::col(a, "tenet_credit_why")
                    }
                    (V::Ent(Entity::Activity, key), _, Field::Host) => text(vec![
                        S::Str("activity `".into()),
                        id_of(Entity::Activity, key),
                        S::Str("` has no host".into()),
                    ]),
                    _ => S::Null,
                };
                first(vec![before], own)
            }
            ExprKind::Attr(base, column) => {
                let (b, before) = self.part(base)?;
                let own = match &b {
                    V::Ent(kind, _) if !self.has_column(table_name(*kind), column) => {
                        S::Str(self.no_column(table_name(*kind), column))
                    }
                    _ => S::Null,
                };
                first(vec![before], own)
            }
            ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::YearOf(x) => self.why(x)?,
            ExprKind::Has(p, _) => self.why(p)?,
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // The left side's reason when it is unknown (the right
                // one did not decide), else the right side's.
                let x = self.cond(a)?;
                let wa = self.why(a)?;
                let wb = self.why(b)?;
                first(vec![(Some(x.is_null()), wa)], wb)
            }
            ExprKind::Arith(_, a, b) | ExprKind::Of(a, b) | ExprKind::Compare(_, a, b) => {
                let (_, wa) = self.part(a)?;
                let (_, wb) = self.part(b)?;
                let own = match &e.kind {
                    ExprKind::Arith(Arith::Div, ..) => S::Str("division by zero".into()),
                    _ => S::Null,
                };
                first(vec![wa, wb], own)
            }
            ExprKind::In { value, list, .. } => {
                let mut parts = Vec::new();
                for x in std::iter::once(&**value).chain(list.iter()) {
                    parts.push(self.part(x)?.1);
                }
                first(parts, S::Null)
            }
            ExprKind::Aggregate(agg) => self.why_aggregate(agg)?,
            ExprKind::Credited {
                person,
                elem,
                filter,
            } => {
                let (p, w) = self.part(person)?;
                let V::Ent(_, key) = &p else {
                    return Err(Refuse::internal("credited_hours of a non-record".into()));
                };
                let pid = id_of(Entity::Person, key);
                let own = self.why_credited(pid, *elem, filter.as_deref())?;
                first(vec![w], own)
            }
            ExprKind::Age { person, at } => {
                let (p, wp) = self.part(person)?;
                let mut parts = vec![wp];
                if let Some(at) = at {
                    parts.push(self.part(at)?.1);
                }
                let own = match &p {
                    V::Ent(_, key) => text(vec![
                        S::Str("person `".into()),
                        id_of(Entity::Person, key),
                        S::Str("` has no birth_date".into()),
                    ]),
                    _ => S::Null,
                };
                first(parts, own)
            }
            ExprKind::Tenure { since, at } => {
                let mut parts = vec![self.part(since)?.1];
                if let Some(at) = at {
                    parts.push(self.part(at)?.1);
                }
                first(parts, S::Null)
            }
            ExprKind::Finance { org, year, item } => {
                let (o, wo) = self.part(org)?;
                let mut parts = vec![wo];
                let y = self.finance_year(year.as_deref(), &e.text)?;
                if let Some(year) = year {
                    parts.push(self.part(year)?.1);
                }
                let own = match &o {
                    V::Ent(kind, key) => text(vec![
                        S::Str("no finance row for `".into()),
                        id_of(*kind, key),
                        S::Str("` ".into()),
                        y,
                        S::Str(format!(" `{}`", item.as_str())),
                    ]),
                    _ => S::Null,
                };
                first(parts, own)
            }
        })
    }

    /// `credited_hours`' reason: the first enrollment counted whose
    /// filter, or credit when kept, is unknown (as for an aggregate's
    /// members).
    fn why_credited(&mut self, person: S, elem: Var, filter: Option<&Expr>) -> Result<S, Refuse> {
        let x = self.alias();
        let (rs, re) = self.range.clone();
        self.depth += 1;
        let f = self.with_member(elem, Entity::Enrollment, &x, |c| match filter {
            Some(f) => Ok(Some((c.cond(f)?, c.why(f)?))),
            None => Ok(None),
        })?;
        self.depth -= 1;
        let credit = S::col(&x, "tenet_credit_n");
        let kept = f.as_ref().map_or(S::Bool(true), |(c, _)| c.clone());
        let mut whens = Vec::new();
        if let Some((c, w)) = &f {
            whens.push((c.clone().is_null(), w.clone()));
        }
        whens.push((kept.and(credit.is_null()), S::col(&x, "tenet_credit_why")));
        let member_unknown = whens
            .iter()
            .map(|(c, _)| c.clone())
            .reduce(S::or)
            .unwrap_or(S::Bool(false));
        let s = Select::from(
            vec![Item::Expr(
                S::iff(
                    any(member_unknown),
                    one_reason(S::Case(whens, None)),
                    S::Null,
                ),
                "v".into(),
            )],
            From::Table("tenet_credit".into(), x.clone()),
        )
        .and_where(S::col(&x, "person").eq(person))
        .and_where(S::col(&x, "end_date").between(rs, re));
        Ok(S::Subquery(Box::new(crate::ast::Query::select(s))))
    }

    /// The evaluator's reason for `attr` of a column the table lacks,
    /// with the near miss among its extra columns.
    fn no_column(&self, table: &str, column: &str) -> String {
        let known = self
            .columns
            .and_then(|c| c.get(table))
            .map(|c| c.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        match tenet::diagnostic::did_you_mean(column, known) {
            Some(near) => {
                format!("the `{table}` data has no `{column}` column (did you mean `{near}`?)")
            }
            None => format!("the `{table}` data has no `{column}` column"),
        }
    }

    /// An aggregate's reason: its anchor's; else the first unknown
    /// member's (the filter's reason, or the value's for a member kept);
    /// else that there are no members to take a share of, average, or
    /// take the least or greatest of.
    fn why_aggregate(&mut self, agg: &Aggregate) -> Result<S, Refuse> {
        let (entity, _) = tenet::schema::relation(agg.relation);
        let anchor = match &agg.link {
            Some((_, e)) => Some(self.part(e)?.1),
            None => None,
        };
        let x = self.alias();
        let base = self.members(agg, &x)?;
        self.depth += 1;
        let (filter, value) = self.with_member(agg.elem, entity, &x, |c| {
            let filter = match &agg.filter {
                Some(f) => Some((c.cond(f)?, c.why(f)?)),
                None => None,
            };
            let value = match &agg.value {
                Some(v) => Some((c.expr(v)?, c.why(v)?)),
                None => None,
            };
            Ok((filter, value))
        })?;
        self.depth -= 1;
        let kept = filter.as_ref().map_or(S::Bool(true), |(f, _)| f.clone());
        let mut whens = Vec::new();
        if let Some((f, w)) = &filter {
            whens.push((f.clone().is_null(), w.clone()));
        }
        if let Some((v, w)) = &value {
            if let Some(u) = unknown_of(v) {
                whens.push((kept.clone().and(u), w.clone()));
            }
        }
        let member_unknown = match whens.iter().map(|(c, _)| c.clone()).reduce(S::or) {
            Some(u) => u,
            None => S::Bool(false),
        };
        let reason = if whens.is_empty() {
            S::Null
        } else {
            S::Case(whens, None)
        };
        // One reason for every unknown member: the evaluator's, whichever
        // it met first; several: which one depends on the files' order.
        let member = one_reason(reason);
        let kind = agg.relation.member();
        let matched = S::Func(
            "COALESCE",
            vec![
                S::Func("SUM", vec![S::iff(kept, S::int(1), S::int(0))]),
                S::int(0),
            ],
        );
        let empty = match agg.func {
            AggFn::Share => Some((
                S::CountStar.eq(S::int(0)),
                format!("no {kind} records to take a share of"),
            )),
            AggFn::Avg => Some((
                matched.eq(S::int(0)),
                format!("no {kind} records to average"),
            )),
            AggFn::Min => Some((
                matched.eq(S::int(0)),
                format!("no {kind} records to take the least of"),
            )),
            AggFn::Max => Some((
                matched.eq(S::int(0)),
                format!("no {kind} records to take the greatest of"),
            )),
            AggFn::Count | AggFn::Sum => None,
        };
        let mut whens = vec![(any(member_unknown), member)];
        if let Some((none, why)) = empty {
            whens.push((none, S::Str(why)));
        }
        let mut s = base;
        s.items = vec![Item::Expr(S::Case(whens, None), "v".into())];
        let members = S::Subquery(Box::new(crate::ast::Query::select(s)));
        Ok(match anchor {
            Some(anchor) => first(vec![anchor], members),
            None => members,
        })
    }
}
