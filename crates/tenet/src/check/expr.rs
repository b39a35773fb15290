//! Typing expressions.

use super::Checker;
use crate::diagnostic::did_you_mean;
use crate::model::Role;
use crate::program::{Aggregate, Arith, Cmp, Expr, ExprKind};
use crate::schema::{self, EnumType, EnumValue, Field, Type};
use crate::syntax::ast::{self, AggFn, BinOp, Builtin, ExprKind as A, UnOp};
use crate::value::{Value, Q};

/// Folds a constant expression (literals and arithmetic on them).
pub(super) fn fold(e: &Expr) -> Option<Value> {
    let both = |a: &Expr, b: &Expr| match (fold(a)?, fold(b)?) {
        (Value::Num(x), Value::Num(y)) => Some((x, y)),
        _ => None,
    };
    match &e.kind {
        ExprKind::Const(v) => Some(v.clone()),
        ExprKind::Neg(x) => match fold(x)? {
            Value::Num(q) => Some(Value::Num(q.negate())),
            _ => None,
        },
        ExprKind::Of(a, b) => {
            let (x, y) = both(a, b)?;
            x.times(y).ok().map(Value::Num)
        }
        ExprKind::Arith(op, a, b) if e.ty.is_quantity() => {
            let (x, y) = both(a, b)?;
            let r = match op {
                Arith::Add => x.plus(y).ok()?,
                Arith::Sub => x.minus(y).ok()?,
                Arith::Mul => x.times(y).ok()?,
                Arith::Div => x.over(y).ok()??,
            };
            Some(Value::Num(r))
        }
        _ => None,
    }
}

fn num(q: Q, ty: Type, text: String) -> Expr {
    Expr {
        kind: ExprKind::Const(Value::Num(q)),
        ty,
        text: text.into(),
    }
}

impl Checker<'_> {
    fn mk(&self, kind: ExprKind, ty: Type, span: crate::diagnostic::Span) -> Expr {
        Expr {
            kind,
            ty,
            text: self.text(span).into(),
        }
    }

    /// Whether a bare name resolves without a type hint.
    fn resolves(&self, e: &ast::Expr) -> bool {
        let A::Name(n) = &e.kind else { return true };
        self.elem_field(n).is_some()
            || self.env.lookup(n).is_some()
            || self.param_index.contains_key(n)
    }

    fn elem_field(&self, name: &str) -> Option<(Field, Type)> {
        let (_, entity) = self.env.elem?;
        schema::fields(entity)
            .into_iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, f, t, _)| (f, t))
    }

    /// Types an expression. `hint` is the type the context expects, used
    /// to resolve bare enum values such as `seminar` or `teacher_training_funds`.
    pub(super) fn expr(&mut self, e: &ast::Expr, hint: Option<&Type>) -> Option<Expr> {
        crate::stack::guard(|| self.expr_inner(e, hint))
    }

    fn expr_inner(&mut self, e: &ast::Expr, hint: Option<&Type>) -> Option<Expr> {
        let sp = e.span;
        let text = self.text(sp);
        match &e.kind {
            A::Number(d) => Some(num(Q::new(*d), Type::Number, text)),
            A::Hours(d) => Some(num(Q::new(*d), Type::Hours, text)),
            A::Money(d) => Some(num(Q::new(*d), Type::Money, text)),
            A::Percent(p) => Q::ratio(*p, 100.into()).map(|q| num(q, Type::Number, text)),
            A::Ratio(a, b) | A::Fraction(a, b) => {
                Q::ratio(*a, *b).map(|q| num(q, Type::Number, text))
            }
            A::Date(d) => Some(self.mk(ExprKind::Const(Value::Date(*d)), Type::Date, sp)),
            A::Duration(d) => {
                Some(self.mk(ExprKind::Const(Value::Duration(*d)), Type::Duration, sp))
            }
            A::Bool(b) => Some(self.mk(ExprKind::Const(Value::Bool(*b)), Type::Bool, sp)),
            A::Str(s) => Some(self.mk(ExprKind::Const(Value::Str(s.clone())), Type::Str, sp)),
            A::Name(n) => self.name(n, sp, hint),
            A::Member => match self.env.elem {
                Some((var, entity)) => Some(self.mk(ExprKind::Var(var), Type::Entity(entity), sp)),
                None => {
                    self.error(
                        sp,
                        "`it` only means something inside a filter or value of an aggregate",
                    )
                    .help("e.g. `count(people of s where it.attr(\"subject\") = \"数学\")`");
                    None
                }
            },
            A::List(items) => {
                let want = match hint {
                    Some(Type::List(t)) => Some(t.as_ref().clone()),
                    other => other.cloned(),
                };
                let mut out = Vec::new();
                let mut ty: Option<Type> = None;
                for item in items {
                    let hint = ty.clone().or_else(|| want.clone());
                    let checked = self.expr(item, hint.as_ref())?;
                    if let Some(t) = &ty {
                        if *t != checked.ty {
                            self.error(
                                item.span,
                                format!(
                                    "list items must have one type: this is {}, the first is {t}",
                                    checked.ty
                                ),
                            );
                            return None;
                        }
                    }
                    ty = Some(checked.ty.clone());
                    out.push(checked);
                }
                let Some(ty) = ty else {
                    self.error(sp, "an empty list matches nothing")
                        .help("list at least one value");
                    return None;
                };
                let values: Option<Vec<Value>> = out.iter().map(fold).collect();
                match values {
                    Some(vs) => Some(self.mk(
                        ExprKind::Const(Value::List(vs)),
                        Type::List(Box::new(ty)),
                        sp,
                    )),
                    None => {
                        self.error(sp, "list items must be constants")
                            .help("write values like `[district, school]`");
                        None
                    }
                }
            }
            A::Field(base, field) => self.field(base, field),
            A::Method(base, name, args) => self.method(base, name, args, sp),
            A::Unary(UnOp::Neg, x) => {
                let x = self.expr(x, hint)?;
                if !x.ty.is_quantity() {
                    self.error(sp, format!("cannot negate {}", x.ty));
                    return None;
                }
                let ty = x.ty.clone();
                Some(self.mk(ExprKind::Neg(Box::new(x)), ty, sp))
            }
            A::Unary(UnOp::Not, x) => {
                let x = self.expr(x, Some(&Type::Bool))?;
                if x.ty != Type::Bool {
                    self.error(sp, format!("`not` needs true or false, found {}", x.ty));
                    return None;
                }
                Some(self.mk(ExprKind::Not(Box::new(x)), Type::Bool, sp))
            }
            A::Binary(op, a, b) => self.binary(*op, a, b, sp),
            A::Of(share, qty) => {
                let s = self.expr(share, Some(&Type::Number));
                let q = self.expr(qty, None);
                let (s, q) = (s?, q?);
                if s.ty != Type::Number {
                    self.error(
                        share.span,
                        format!(
                            "the left side of `of` must be a share (5%, 1:100, 1/4), found {}",
                            s.ty
                        ),
                    )
                    .help("`x of y` multiplies a share by a quantity");
                    return None;
                }
                if !q.ty.is_quantity() {
                    self.error(
                        qty.span,
                        format!("the right side of `of` must be a quantity, found {}", q.ty),
                    );
                    return None;
                }
                let ty = q.ty.clone();
                Some(self.mk(ExprKind::Of(Box::new(s), Box::new(q)), ty, sp))
            }
            A::Has(subject, role) => {
                let subject = match subject {
                    Some(s) => self.expr(s, None)?,
                    None => match self.env.elem {
                        Some((var, schema::Entity::Person)) => Expr {
                            kind: ExprKind::Var(var),
                            ty: Type::Entity(schema::Entity::Person),
                            text: "it".into(),
                        },
                        _ => {
                            self.error(
                                sp,
                                "`has` without a subject only works on people in an aggregate",
                            )
                            .help("write `t has teacher`");
                            return None;
                        }
                    },
                };
                if subject.ty != Type::Entity(schema::Entity::Person) {
                    let d =
                        self.error(sp, format!("only a person has roles, found {}", subject.ty));
                    if matches!(&subject.ty, Type::Entity(e) if e.fits(schema::Entity::Org)) {
                        d.help(format!(
                            "to ask about its people, write `count(people of {} where has {}) >= 1`",
                            subject.text, role.name
                        ));
                    }
                    return None;
                }
                let role = self.role(role)?;
                Some(self.mk(ExprKind::Has(Box::new(subject), role), Type::Bool, sp))
            }
            A::In {
                negated,
                value,
                list,
            } => {
                let v = self.expr(value, None)?;
                let l = self.expr(
                    &ast::Expr {
                        kind: A::List(list.clone()),
                        span: sp,
                    },
                    Some(&v.ty),
                )?;
                if l.ty != Type::List(Box::new(v.ty.clone())) {
                    self.error(sp, format!("cannot look for {} in a {}", v.ty, l.ty));
                    return None;
                }
                let items = match l.kind {
                    ExprKind::Const(Value::List(vs)) => vs
                        .into_iter()
                        .map(|v| Expr {
                            kind: ExprKind::Const(v),
                            ty: l_item(&l.ty),
                            text: "".into(),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Some(self.mk(
                    ExprKind::In {
                        negated: *negated,
                        value: Box::new(v),
                        list: items,
                    },
                    Type::Bool,
                    sp,
                ))
            }
            A::Aggregate {
                func,
                value,
                relation,
                filter,
            } => self.aggregate(*func, value.as_deref(), relation, filter.as_deref(), sp),
            A::Credited { person, filter } => {
                if self.env.in_credit_block {
                    self.error(sp, "a credit block cannot count credited hours")
                        .help("it decides what each enrollment earns; base it on the enrollment's own fields, such as `e.absent_hours` and `e.activity.hours`");
                    return None;
                }
                if !self.env.in_credit {
                    self.error(sp, "`credited_hours` needs a credit block")
                        .help("add `import \"common.policy\"` at the top, or a `credit` block that says how enrollments earn hours");
                    return None;
                }
                let p = self.expr(person, None)?;
                if p.ty != Type::Entity(schema::Entity::Person) {
                    self.error(
                        person.span,
                        format!("`credited_hours` counts a person's hours, found {}", p.ty),
                    );
                    return None;
                }
                let elem = self.env.fresh();
                let filter = match filter {
                    Some(f) => {
                        let saved = self.env.elem.replace((elem, schema::Entity::Enrollment));
                        let r = self.bool_expr(f, "a `credited_hours` filter");
                        self.env.elem = saved;
                        Some(Box::new(r?))
                    }
                    None => None,
                };
                Some(self.mk(
                    ExprKind::Credited {
                        person: Box::new(p),
                        elem,
                        filter,
                    },
                    Type::Hours,
                    sp,
                ))
            }
            A::Call {
                func,
                name_span,
                args,
            } => self.call(*func, *name_span, args, sp),
        }
    }

    fn name(&mut self, n: &str, sp: crate::diagnostic::Span, hint: Option<&Type>) -> Option<Expr> {
        if let Some((field, ty)) = self.elem_field(n) {
            let (var, entity) = self.env.elem?;
            let base = Expr {
                kind: ExprKind::Var(var),
                ty: Type::Entity(entity),
                text: "it".into(),
            };
            return Some(self.mk(ExprKind::Field(Box::new(base), field), ty, sp));
        }
        if let Some(b) = self.env.lookup(n) {
            let (var, ty) = (b.var, b.ty.clone());
            return Some(self.mk(ExprKind::Var(var), ty, sp));
        }
        if self.failed_params.iter().any(|f| f == n) {
            return None; // its definition is already reported
        }
        if let Some((id, ..)) = self.param_index.get(n) {
            let id = *id;
            if let Some(used) = self.param_used.get_mut(id.0 as usize) {
                *used = true;
            }
            let ty = self.params.get(id.0 as usize).map(|p| p.ty.clone())?;
            return Some(self.mk(ExprKind::Param(id), ty, sp));
        }
        let enum_hint = match hint {
            Some(Type::Enum(e)) => Some(*e),
            Some(Type::List(t)) => match t.as_ref() {
                Type::Enum(e) => Some(*e),
                _ => None,
            },
            _ => None,
        };
        if let Some(et) = enum_hint {
            if let Some(v) = et.parse(n) {
                return Some(self.mk(ExprKind::Const(Value::Enum(v)), Type::Enum(et), sp));
            }
            let d = self.error(sp, format!("unknown {} `{n}`", et.name()));
            match did_you_mean(n, et.values()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "{} values are {}",
                    et.name(),
                    et.values().join(", ")
                )),
            };
            return None;
        }
        let mut candidates: Vec<String> = self
            .env
            .bindings
            .iter()
            .filter(|b| !b.name.is_empty())
            .map(|b| b.name.clone())
            .collect();
        candidates.extend(self.param_index.keys().cloned());
        if let Some((_, entity)) = self.env.elem {
            candidates.extend(
                schema::fields(entity)
                    .into_iter()
                    .map(|(n, ..)| n.to_string()),
            );
        }
        candidates.sort();
        let through_activity = matches!(self.env.elem, Some((_, schema::Entity::Enrollment)))
            && schema::fields(schema::Entity::Activity)
                .iter()
                .any(|(f, ..)| *f == n);
        let d = self.error(sp, format!("unknown name `{n}`"));
        if through_activity {
            d.help(format!(
                "in a `credited_hours(t where …)` filter the activity's fields are read through `activity`: write `activity.{n}`"
            ));
        } else if let Some(s) = did_you_mean(n, candidates.iter().map(String::as_str)) {
            d.help(format!("did you mean `{s}`?"));
        } else if let Some(et) = [
            EnumType::Kind,
            EnumType::Level,
            EnumType::Mode,
            EnumType::FinanceItem,
            EnumType::Role,
        ]
        .into_iter()
        .find(|et| et.parse(n).is_some())
        {
            d.help(format!(
                "`{n}` is a {} value; compare it with a {} field, e.g. `kind = seminar`",
                et.name(),
                et.name()
            ));
        } else if candidates.is_empty() {
            d.help("names in scope are the rule's `for` variable, its window, and params");
        } else {
            d.help(format!("names in scope: {}", candidates.join(", ")));
        }
        None
    }

    fn role(&mut self, role: &ast::Ident) -> Option<Role> {
        match Role::parse(&role.name) {
            Some(r) => Some(r),
            None => {
                let d = self.error(role.span, format!("unknown role `{}`", role.name));
                match did_you_mean(&role.name, Role::names()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("roles are {}", Role::names().join(", "))),
                };
                None
            }
        }
    }

    fn field(&mut self, base: &ast::Expr, field: &ast::Ident) -> Option<Expr> {
        let b = self.expr(base, None)?;
        let sp = base.span.to(field.span);
        let table = match &b.ty {
            Type::Entity(e) => schema::fields(*e),
            Type::Window => schema::window_fields(),
            other => {
                self.error(field.span, format!("{other} has no fields"));
                return None;
            }
        };
        let Some((_, f, ty, _)) = table.iter().find(|(n, ..)| *n == field.name) else {
            let owner = b.ty.to_string();
            let d = self.error(
                field.span,
                format!("unknown field `{}` on {owner}", field.name),
            );
            d.label("no such field");
            match did_you_mean(&field.name, table.iter().map(|(n, ..)| *n)) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "{owner} fields are {}",
                    table
                        .iter()
                        .map(|(n, ..)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            return None;
        };
        if *f == Field::Credited && self.env.in_credit_block {
            self.error(field.span, "a credit block cannot read `credited`")
                .help("it decides what `credited` is; base it on the enrollment's own fields, such as `e.absent_hours` and `e.activity.hours`");
            return None;
        }
        if *f == Field::Credited && !self.env.in_credit {
            self.error(field.span, "`credited` needs a credit block")
                .help("add `import \"common.policy\"` at the top, or a `credit` block");
            return None;
        }
        let (f, ty) = (*f, ty.clone());
        Some(self.mk(ExprKind::Field(Box::new(b), f), ty, sp))
    }

    fn method(
        &mut self,
        base: &ast::Expr,
        name: &ast::Ident,
        args: &[ast::Expr],
        sp: crate::diagnostic::Span,
    ) -> Option<Expr> {
        if name.name != "attr" {
            let d = self.error(name.span, format!("unknown method `{}`", name.name));
            if did_you_mean(&name.name, ["attr"]).is_some() {
                d.help("did you mean `attr`?");
            } else {
                d.help("the only method is `attr(\"column\")`, which reads an extra data column");
            }
            return None;
        }
        let b = self.expr(base, None)?;
        let has_attrs = matches!(&b.ty, Type::Entity(e) if e.has_attrs());
        if !has_attrs {
            self.error(sp, format!("{} has no extra columns", b.ty))
                .help("`attr` works on districts, schools, people and activities");
            return None;
        }
        let column = match args {
            [ast::Expr {
                kind: A::Str(s), ..
            }] => s.clone(),
            _ => {
                self.error(sp, "`attr` takes one column name in quotes")
                    .help("e.g. `s.attr(\"xuequ_lead\")`");
                return None;
            }
        };
        Some(self.mk(ExprKind::Attr(Box::new(b), column), Type::Str, sp))
    }

    /// Whether `e` is a bare name that only an enum value spells.
    fn is_enum_value(&self, e: &ast::Expr) -> bool {
        let A::Name(n) = &e.kind else {
            return false;
        };
        !self.env.bindings.iter().any(|b| &b.name == n)
            && !self.param_index.contains_key(n)
            && [
                EnumType::Kind,
                EnumType::Level,
                EnumType::Mode,
                EnumType::FinanceItem,
                EnumType::Role,
            ]
            .into_iter()
            .any(|et| et.parse(n).is_some())
    }

    fn binary(
        &mut self,
        op: BinOp,
        a: &ast::Expr,
        b: &ast::Expr,
        sp: crate::diagnostic::Span,
    ) -> Option<Expr> {
        if matches!(op, BinOp::And | BinOp::Or) {
            let what = if op == BinOp::And { "`and`" } else { "`or`" };
            let x = self.bool_expr(a, what);
            let y = self.bool_expr(b, what);
            let (x, y) = (Box::new(x?), Box::new(y?));
            let kind = if op == BinOp::And {
                ExprKind::And(x, y)
            } else {
                ExprKind::Or(x, y)
            };
            return Some(self.mk(kind, Type::Bool, sp));
        }
        // Type the side that resolves on its own first, so a bare enum value
        // on either side is read against the other side's type.
        // Both sides are always checked, so one mistake does not hide another.
        // A bare enum value on the left with a name on the right
        // (`district = level`) is the same as the other way round.
        let enum_left = self.is_enum_value(a) && !self.is_enum_value(b);
        let (x, y) = if (!self.resolves(a) && self.resolves(b)) || enum_left {
            let y = self.expr(b, None);
            if y.is_none() && enum_left {
                return None;
            }
            let x = self.expr(a, y.as_ref().map(|y| &y.ty));
            (x?, y?)
        } else {
            let x = self.expr(a, None);
            // A bare enum value against a side already reported wrong
            // (`level = district` with `level` unknown) has no type to be
            // read against: a second error about it would be wrong.
            if x.is_none() && self.is_enum_value(b) {
                return None;
            }
            let y = self.expr(b, x.as_ref().map(|x| &x.ty));
            (x?, y?)
        };
        let mismatch = |c: &mut Self, why: String| {
            c.error(sp, why)
                .label(format!("{} {} {}", x.ty, op.symbol(), y.ty));
            None::<Expr>
        };
        if op.is_comparison() {
            let cmp = match op {
                BinOp::Eq => Cmp::Eq,
                BinOp::Ne => Cmp::Ne,
                BinOp::Lt => Cmp::Lt,
                BinOp::Le => Cmp::Le,
                BinOp::Gt => Cmp::Gt,
                _ => Cmp::Ge,
            };
            let equality = matches!(cmp, Cmp::Eq | Cmp::Ne);
            let ok = match (&x.ty, &y.ty) {
                (Type::Elapsed, Type::Duration) | (Type::Duration, Type::Elapsed) => !equality,
                (Type::Entity(e), Type::Entity(f)) => equality && e.comparable(*f),
                (s, t) if s == t => match s {
                    Type::Number | Type::Hours | Type::Money | Type::Date => true,
                    Type::Str | Type::Bool | Type::Enum(_) => equality,
                    _ => false,
                },
                _ => false,
            };
            if !ok {
                let why = if x.ty.is_quantity() && y.ty.is_quantity() {
                    format!("cannot compare {} with {}: the units differ", x.ty, y.ty)
                } else if x.ty == y.ty
                    || matches!((&x.ty, &y.ty), (Type::Entity(_), Type::Entity(_)))
                {
                    format!("`{}` does not apply to {} and {}", op.symbol(), x.ty, y.ty)
                } else {
                    format!("cannot compare {} with {}", x.ty, y.ty)
                };
                let date_side = match (&x.ty, &y.ty) {
                    (Type::Date, t) if *t != Type::Date => Some(x.text.clone()),
                    (t, Type::Date) if *t != Type::Date => Some(y.text.clone()),
                    _ => None,
                };
                mismatch(self, why);
                if let Some(d) = date_side {
                    if let Some(last) = self.sink().diagnostics.last_mut() {
                        last.help(format!(
                            "compare `{d}` with a date such as `2020-09-01`; for the time since it, use `tenure({d}) <= 3 years`"
                        ));
                    }
                }
                return None;
            }
            return Some(self.mk(
                ExprKind::Compare(cmp, Box::new(x), Box::new(y)),
                Type::Bool,
                sp,
            ));
        }
        let arith = match op {
            BinOp::Add => Arith::Add,
            BinOp::Sub => Arith::Sub,
            BinOp::Mul => Arith::Mul,
            _ => Arith::Div,
        };
        let ty = match (arith, &x.ty, &y.ty) {
            (Arith::Add | Arith::Sub, Type::Date, Type::Duration) => Some(Type::Date),
            (Arith::Add | Arith::Sub, s, t) if s == t && s.is_quantity() => Some(s.clone()),
            (Arith::Mul, Type::Number, t) if t.is_quantity() => Some(t.clone()),
            (Arith::Mul, s, Type::Number) if s.is_quantity() => Some(s.clone()),
            (Arith::Div, s, Type::Number) if s.is_quantity() => Some(s.clone()),
            (Arith::Div, s, t) if s == t && s.is_quantity() => Some(Type::Number),
            _ => None,
        };
        let Some(ty) = ty else {
            let why = if x.ty.is_quantity() && y.ty.is_quantity() {
                format!(
                    "cannot {} {} and {}: the units differ",
                    verb(arith),
                    x.ty,
                    y.ty
                )
            } else {
                format!("cannot {} {} and {}", verb(arith), x.ty, y.ty)
            };
            return mismatch(self, why);
        };
        Some(self.mk(ExprKind::Arith(arith, Box::new(x), Box::new(y)), ty, sp))
    }

    fn aggregate(
        &mut self,
        func: AggFn,
        value: Option<&ast::Expr>,
        relation: &ast::Relation,
        filter: Option<&ast::Expr>,
        sp: crate::diagnostic::Span,
    ) -> Option<Expr> {
        let (entity, links) = schema::relation(relation.kind);
        let link = match &relation.link {
            None => None,
            Some((how, anchor)) => {
                let a = self.expr(anchor, None)?;
                let fits = links.iter().any(|(l, want, _)| {
                    l == how && matches!(&a.ty, Type::Entity(e) if e.fits(*want))
                });
                if !fits {
                    let how_text = how.name();
                    let kind_text = self.text(relation.span);
                    let kind_text = kind_text.split_whitespace().next().unwrap_or("");
                    let anchor_text = self.text(anchor.span);
                    let fitting: Vec<String> = links
                        .iter()
                        .filter(|(_, want, _)| matches!(&a.ty, Type::Entity(e) if e.fits(*want)))
                        .map(|(l, ..)| format!("`{kind_text} {} {anchor_text}`", l.name()))
                        .collect();
                    let d = self.error(
                        relation.span,
                        format!("no such relation: `{kind_text} {how_text}` a {}", a.ty),
                    );
                    if links.is_empty() {
                        d.help("this relation takes no anchor; it ranges over the whole dataset");
                    } else if !fitting.is_empty() {
                        d.help(format!("did you mean {}?", fitting.join(" or ")));
                    } else {
                        d.help(format!(
                            "this relation works as: {}",
                            links
                                .iter()
                                .map(|(_, _, what)| *what)
                                .collect::<Vec<_>>()
                                .join("; ")
                        ));
                    }
                    return None;
                }
                Some((*how, a))
            }
        };
        let elem = self.env.fresh();
        let saved = self.env.elem.replace((elem, entity));
        let filter_e = filter.map(|f| self.bool_expr(f, "an aggregate filter"));
        let value_e = value.map(|v| self.expr(v, None));
        self.env.elem = saved;
        let filter_e = match filter_e {
            Some(None) => return None,
            Some(Some(f)) => Some(f),
            None => None,
        };
        let value_e = match value_e {
            Some(None) => return None,
            Some(Some(v)) => Some(v),
            None => None,
        };
        let name = func.name();
        let ty = match (func, &value_e) {
            (AggFn::Count | AggFn::Share, None) => Type::Number,
            (AggFn::Count | AggFn::Share, Some(_)) => {
                let rel = self.text(relation.span);
                let value = value.map(|v| self.text(v.span)).unwrap_or_default();
                self.error(sp, format!("`{name}` counts members and takes no value"))
                    .help(format!(
                        "to count, write `{name}({rel})`; to add up `{value}`, write `sum({value} in {rel})`"
                    ));
                return None;
            }
            (_, None) => {
                let rel = self.text(relation.span);
                let example = schema::fields(entity)
                    .into_iter()
                    .find(|(_, _, t, _)| t.is_quantity())
                    .map_or("hours", |(n, ..)| n);
                self.error(sp, format!("`{name}` needs a value per member"))
                    .help(format!(
                        "say what to add up, e.g. `{name}({example} in {rel})`"
                    ));
                return None;
            }
            (AggFn::Sum | AggFn::Avg, Some(v)) if v.ty.is_quantity() => v.ty.clone(),
            (AggFn::Min | AggFn::Max, Some(v)) if v.ty.is_quantity() || v.ty == Type::Date => {
                v.ty.clone()
            }
            (_, Some(v)) => {
                self.error(sp, format!("cannot take the {name} of {}", v.ty));
                return None;
            }
        };
        if func == AggFn::Share && filter_e.is_none() {
            self.sink()
                .warning(sp, "`share` without `where` is always 100%")
                .help("add the condition members must meet");
        }
        let agg = Aggregate {
            func,
            value: value_e,
            relation: relation.kind,
            link,
            elem,
            filter: filter_e,
        };
        Some(self.mk(ExprKind::Aggregate(Box::new(agg)), ty, sp))
    }

    fn call(
        &mut self,
        func: Builtin,
        name_span: crate::diagnostic::Span,
        args: &[ast::Expr],
        sp: crate::diagnostic::Span,
    ) -> Option<Expr> {
        let name = func.name();
        let (arity, usage) = match func {
            Builtin::Age => (1..=2, "`age(t)` or `age(t, 2023-09-01)`"),
            Builtin::Tenure => (
                1..=2,
                "`tenure(t.post_start_date)` or `tenure(t.post_start_date, 2023-09-01)`",
            ),
            Builtin::Finance => (
                2..=3,
                "`finance(s, staff_payroll)` or `finance(s, 2021, staff_payroll)`",
            ),
            Builtin::YearOf => (1..=1, "`year_of(t.hire_date)`"),
        };
        if !arity.contains(&args.len()) {
            self.error(
                name_span,
                format!(
                    "`{name}` takes {} {}, found {}",
                    arity_text(&arity),
                    if *arity.end() == 1 {
                        "argument"
                    } else {
                        "arguments"
                    },
                    args.len()
                ),
            )
            .help(format!("write {usage}"));
            return None;
        }
        let mut checked = Vec::new();
        let last = args.len().saturating_sub(1);
        for (i, a) in args.iter().enumerate() {
            let hint = (func == Builtin::Finance && i == last)
                .then_some(Type::Enum(EnumType::FinanceItem));
            checked.push((self.expr(a, hint.as_ref())?, a.span));
        }
        let mut it = checked.into_iter();
        let bad = |c: &mut Self, span, what: &str, found: &Type| {
            c.error(span, format!("`{name}` needs {what} here, found {found}"))
                .help(format!("write {usage}"));
            None::<Expr>
        };
        match func {
            Builtin::Age => {
                let (p, psp) = it.next()?;
                if p.ty != Type::Entity(schema::Entity::Person) {
                    return bad(self, psp, "a person", &p.ty);
                }
                let at = self.date_arg(it.next(), name, usage)?;
                Some(self.mk(
                    ExprKind::Age {
                        person: Box::new(p),
                        at,
                    },
                    Type::Number,
                    sp,
                ))
            }
            Builtin::Tenure => {
                let (d, dsp) = it.next()?;
                if d.ty != Type::Date {
                    return bad(self, dsp, "a date", &d.ty);
                }
                let at = self.date_arg(it.next(), name, usage)?;
                Some(self.mk(
                    ExprKind::Tenure {
                        since: Box::new(d),
                        at,
                    },
                    Type::Elapsed,
                    sp,
                ))
            }
            Builtin::YearOf => {
                let (d, dsp) = it.next()?;
                if !matches!(d.ty, Type::Date | Type::Window) {
                    return bad(self, dsp, "a date or window", &d.ty);
                }
                Some(self.mk(ExprKind::YearOf(Box::new(d)), Type::Number, sp))
            }
            Builtin::Finance => {
                let (org, osp) = it.next()?;
                if !matches!(&org.ty, Type::Entity(e) if e.fits(schema::Entity::Org)) {
                    return bad(self, osp, "a school or district", &org.ty);
                }
                let rest: Vec<(Expr, crate::diagnostic::Span)> = it.collect();
                let (year, (item, isp)) = match rest.as_slice() {
                    [item] => (None, item.clone()),
                    [year, item] => (Some(year.clone()), item.clone()),
                    _ => return None,
                };
                if let Some((y, ysp)) = &year {
                    if !matches!(y.ty, Type::Number | Type::Window) {
                        return bad(self, *ysp, "a year or a window", &y.ty);
                    }
                    if let Some(Value::Num(q)) = fold(y) {
                        let d = q.to_decimal();
                        if !q.is_exact()
                            || !d.fract().is_zero()
                            || d < 1900.into()
                            || d > 2200.into()
                        {
                            self.error(*ysp, format!("`{}` is not a calendar year", y.text))
                                .help("write a whole year such as 2021, or bind the window with `each calendar_year as y`");
                            return None;
                        }
                    }
                } else if self.env.window != Some(true) {
                    let (org_text, item_text) = (org.text.clone(), item.text.clone());
                    self.error(sp, "`finance` without a year needs the rule to run `each calendar_year`")
                        .help(format!("add `each calendar_year`, or give the year: `finance({org_text}, 2021, {item_text})`"));
                    return None;
                }
                let item = match item.kind {
                    ExprKind::Const(Value::Enum(EnumValue::FinanceItem(i))) => i,
                    _ => {
                        return bad(self, isp, "a finance item", &item.ty);
                    }
                };
                let year = year.map(|(y, _)| Box::new(y));
                Some(self.mk(
                    ExprKind::Finance {
                        org: Box::new(org),
                        year,
                        item,
                    },
                    Type::Money,
                    sp,
                ))
            }
        }
    }

    fn date_arg(
        &mut self,
        arg: Option<(Expr, crate::diagnostic::Span)>,
        name: &str,
        usage: &str,
    ) -> Option<Option<Box<Expr>>> {
        match arg {
            None => Some(None),
            Some((d, _)) if d.ty == Type::Date => Some(Some(Box::new(d))),
            Some((d, span)) => {
                self.error(span, format!("`{name}` needs a date here, found {}", d.ty))
                    .help(format!("write {usage}"));
                None
            }
        }
    }
}

fn l_item(t: &Type) -> Type {
    match t {
        Type::List(inner) => inner.as_ref().clone(),
        other => other.clone(),
    }
}

fn verb(op: Arith) -> &'static str {
    match op {
        Arith::Add => "add",
        Arith::Sub => "subtract",
        Arith::Mul => "multiply",
        Arith::Div => "divide",
    }
}

fn arity_text(r: &std::ops::RangeInclusive<usize>) -> String {
    if r.start() == r.end() {
        r.start().to_string()
    } else {
        format!("{} or {}", r.start(), r.end())
    }
}
