//! The SQL the compiler builds: a small typed tree, printed per dialect.
//!
//! Queries are built as trees and printed at the end, never concatenated
//! as strings: the printer parenthesises every operation (no precedence
//! surprises across engines), quotes identifiers the dialect's way, and
//! writes literals so each engine reads them as exact decimals, dates and
//! text. Why not `sqlparser`'s AST: see the crate documentation.

use crate::dialect::{AddMonths, Dialect, JoinTexts, Spine};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// A scalar expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `alias.column` (or a bare column).
    Col(Option<String>, String),
    /// `alias."column"`, quoted: a bureau's own column name.
    Quoted(String, String),
    /// `NULL`.
    Null,
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// An exact decimal (or integer) literal.
    Num(Decimal),
    /// A text literal.
    Str(String),
    /// `DATE 'YYYY-MM-DD'`.
    Date(NaiveDate),
    /// A binary operation.
    Bin(Op, Box<Expr>, Box<Expr>),
    /// `NOT x`.
    Not(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `x IS [NOT] NULL`.
    IsNull(Box<Expr>, bool),
    /// `CASE WHEN … THEN … [ELSE …] END`.
    Case(Vec<(Expr, Expr)>, Option<Box<Expr>>),
    /// A function call with the same spelling in every dialect.
    Func(&'static str, Vec<Expr>),
    /// `COUNT(*)`.
    CountStar,
    /// `CAST(x AS text)`.
    ToText(Box<Expr>),
    /// `CAST(x AS INTEGER)`.
    ToInt(Box<Expr>),
    /// `CAST(x AS DECIMAL(p, s))`.
    ToDecimal(Box<Expr>, u8, u8),
    /// A date plus a number of days.
    AddDays(Box<Expr>, Box<Expr>),
    /// A date plus a (constant) number of months, clamped to the month end.
    AddMonths(Box<Expr>, i64),
    /// A date plus a number of months computed per row (an integer
    /// expression), clamped to the month end.
    AddMonthsBy(Box<Expr>, Box<Expr>),
    /// The days from the first date to the second (an integer).
    DaysBetween(Box<Expr>, Box<Expr>),
    /// The quotient of two integers, for operands where truncating and
    /// flooring agree (non-negative, or an exact division).
    IntDiv(Box<Expr>, Box<Expr>),
    /// The integers `0 ..= x`, one row each: a set-returning item of a
    /// select list (`x` non-negative).
    Series(Box<Expr>),
    /// `EXTRACT(YEAR|MONTH|DAY FROM x)`.
    Extract(&'static str, Box<Expr>),
    /// Text concatenation.
    Concat(Vec<Expr>),
    /// `x [NOT] IN (a, b, …)`.
    InList(Box<Expr>, Vec<Expr>, bool),
    /// `x LIKE 'pattern'`.
    Like(Box<Expr>, String),
    /// `x` with any of `chars` trimmed from both ends.
    Trim(Box<Expr>, String),
    /// A scalar subquery.
    Subquery(Box<Query>),
    /// The texts of a group joined with `;` in their own (ascending)
    /// order, `NULL`s left out: an aggregate.
    JoinTexts(Box<Expr>),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `%`, the remainder of integers (every engine spells it so).
    Mod,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::And => "AND",
            Op::Or => "OR",
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Mod => "%",
        }
    }
}

/// Shorthands for building expressions.
impl Expr {
    /// `alias.column`.
    pub fn col(alias: &str, column: &str) -> Expr {
        Expr::Col(Some(alias.into()), column.into())
    }
    /// A bare column.
    pub fn name(column: &str) -> Expr {
        Expr::Col(None, column.into())
    }
    /// An integer literal.
    pub fn int(n: i64) -> Expr {
        Expr::Num(Decimal::from(n))
    }
    /// `self op other`.
    pub fn op(self, op: Op, other: Expr) -> Expr {
        Expr::Bin(op, Box::new(self), Box::new(other))
    }
    /// `self AND other`.
    pub fn and(self, other: Expr) -> Expr {
        self.op(Op::And, other)
    }
    /// `self OR other`.
    pub fn or(self, other: Expr) -> Expr {
        self.op(Op::Or, other)
    }
    /// `self = other`.
    pub fn eq(self, other: Expr) -> Expr {
        self.op(Op::Eq, other)
    }
    /// `self * other`.
    pub fn times(self, other: Expr) -> Expr {
        self.op(Op::Mul, other)
    }
    /// `self IS NULL`.
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self), false)
    }
    /// `self IS NOT NULL`.
    pub fn not_null(self) -> Expr {
        Expr::IsNull(Box::new(self), true)
    }
    /// `NOT self`.
    pub fn negated(self) -> Expr {
        Expr::Not(Box::new(self))
    }
    /// `CASE WHEN cond THEN then ELSE other END`.
    pub fn iff(cond: Expr, then: Expr, other: Expr) -> Expr {
        Expr::Case(vec![(cond, then)], Some(Box::new(other)))
    }
    /// `lo <= self AND self <= hi`.
    pub fn between(self, lo: Expr, hi: Expr) -> Expr {
        lo.op(Op::Le, self.clone()).and(self.op(Op::Le, hi))
    }
}

/// How many subqueries an expression holds, nested ones included: what
/// an engine that turns each into a join (Spark) plans for it.
impl Expr {
    pub(crate) fn subqueries(&self) -> usize {
        let all = |es: &[Expr]| es.iter().map(Expr::subqueries).sum::<usize>();
        match self {
            Expr::Col(..)
            | Expr::Quoted(..)
            | Expr::Null
            | Expr::Bool(_)
            | Expr::Num(_)
            | Expr::Str(_)
            | Expr::Date(_)
            | Expr::CountStar => 0,
            Expr::Bin(_, a, b)
            | Expr::AddDays(a, b)
            | Expr::AddMonthsBy(a, b)
            | Expr::DaysBetween(a, b)
            | Expr::IntDiv(a, b) => a.subqueries() + b.subqueries(),
            Expr::Not(x)
            | Expr::Neg(x)
            | Expr::IsNull(x, _)
            | Expr::ToText(x)
            | Expr::ToInt(x)
            | Expr::ToDecimal(x, ..)
            | Expr::AddMonths(x, _)
            | Expr::Series(x)
            | Expr::Extract(_, x)
            | Expr::Like(x, _)
            | Expr::Trim(x, _)
            | Expr::JoinTexts(x) => x.subqueries(),
            Expr::Case(whens, other) => {
                whens
                    .iter()
                    .map(|(c, r)| c.subqueries() + r.subqueries())
                    .sum::<usize>()
                    + other.as_ref().map_or(0, |o| o.subqueries())
            }
            Expr::Func(_, xs) | Expr::Concat(xs) => all(xs),
            Expr::InList(x, xs, _) => x.subqueries() + all(xs),
            Expr::Subquery(q) => 1 + q.subqueries(),
        }
    }
}

impl Query {
    fn subqueries(&self) -> usize {
        let ctes: usize = self.ctes.iter().map(|(_, q)| 1 + q.subqueries()).sum();
        let body: usize = self.body.iter().map(Select::subqueries).sum();
        ctes + body + self.order_by.iter().map(Expr::subqueries).sum::<usize>()
    }
}

impl Select {
    fn subqueries(&self) -> usize {
        let items: usize = self
            .items
            .iter()
            .map(|i| match i {
                Item::Expr(e, _) => e.subqueries(),
                Item::All(_) => 0,
            })
            .sum();
        let from: usize = self
            .from
            .iter()
            .map(|(f, j)| {
                let f = match f {
                    From::Sub(q, _) => 1 + q.subqueries(),
                    From::Values(rows, ..) => rows.iter().flatten().map(Expr::subqueries).sum(),
                    From::Table(..) | From::Spine(..) => 0,
                };
                let j = match j {
                    Join::Inner(c) | Join::Left(c) => c.subqueries(),
                    Join::Cross => 0,
                };
                f + j
            })
            .sum();
        items
            + from
            + self.filter.as_ref().map_or(0, Expr::subqueries)
            + self.group_by.iter().map(Expr::subqueries).sum::<usize>()
    }
}

/// One item of a select list.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `expr AS alias`.
    Expr(Expr, String),
    /// `alias.*`.
    All(String),
}

/// A table in a FROM clause.
#[derive(Debug, Clone, PartialEq)]
pub enum From {
    /// `name AS alias`.
    Table(String, String),
    /// `(query) AS alias`.
    Sub(Box<Query>, String),
    /// `(VALUES (…), …) AS alias(columns)`.
    Values(Vec<Vec<Expr>>, String, Vec<String>),
    /// The integers `0 .. n` as `alias(column)`.
    Spine(i64, String, String),
}

/// How a table joins the ones before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Join {
    /// The first table, or `CROSS JOIN`.
    Cross,
    /// `JOIN … ON cond`.
    Inner(Expr),
    /// `LEFT JOIN … ON cond`.
    Left(Expr),
}

/// `SELECT … FROM … WHERE … GROUP BY …`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    /// The select list.
    pub items: Vec<Item>,
    /// Tables, each with how it joins.
    pub from: Vec<(From, Join)>,
    /// `WHERE`.
    pub filter: Option<Expr>,
    /// `GROUP BY`.
    pub group_by: Vec<Expr>,
}

impl Select {
    /// `SELECT items FROM table` with nothing else yet.
    pub fn from(items: Vec<Item>, table: From) -> Select {
        Select {
            items,
            from: vec![(table, Join::Cross)],
            ..Select::default()
        }
    }

    /// Adds a `WHERE` condition (ANDed with any already there).
    pub fn and_where(mut self, cond: Expr) -> Select {
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(cond),
            None => cond,
        });
        self
    }
}

/// `WITH ctes body [UNION ALL body…] ORDER BY …`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// Named subqueries.
    pub ctes: Vec<(String, Query)>,
    /// Selects joined by `UNION ALL`.
    pub body: Vec<Select>,
    /// `ORDER BY` (ascending, NULLs first).
    pub order_by: Vec<Expr>,
}

impl Query {
    /// A query of one select.
    pub fn select(s: Select) -> Query {
        Query {
            body: vec![s],
            ..Query::default()
        }
    }

    /// The query as `dialect` reads it.
    pub fn to_sql(&self, dialect: Dialect) -> String {
        let mut p = Printer {
            d: dialect,
            out: String::new(),
            indent: 0,
        };
        p.query(self);
        p.out.push('\n');
        p.out
    }
}

/// `CREATE TABLE` and friends are printed by [`crate::schema`]; this
/// printer owns queries.
struct Printer {
    d: Dialect,
    out: String,
    indent: usize,
}

impl Printer {
    fn nl(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    fn query(&mut self, q: &Query) {
        if !q.ctes.is_empty() {
            self.out.push_str("WITH ");
            for (i, (name, cte)) in q.ctes.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                    self.nl();
                }
                self.out.push_str(name);
                self.out.push_str(" AS (");
                self.indent += 1;
                self.nl();
                self.query(cte);
                self.indent -= 1;
                self.nl();
                self.out.push(')');
            }
            self.nl();
        }
        for (i, s) in q.body.iter().enumerate() {
            if i > 0 {
                self.nl();
                self.out.push_str("UNION ALL");
                self.nl();
            }
            self.select(s);
        }
        if !q.order_by.is_empty() {
            self.nl();
            self.out.push_str("ORDER BY ");
            for (i, e) in q.order_by.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.expr(e);
                self.out.push_str(" ASC NULLS FIRST");
            }
        }
    }

    fn select(&mut self, s: &Select) {
        self.out.push_str("SELECT ");
        for (i, item) in s.items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match item {
                Item::Expr(e, alias) => {
                    self.expr(e);
                    self.out.push_str(" AS ");
                    self.out.push_str(alias);
                }
                Item::All(alias) => {
                    self.out.push_str(alias);
                    self.out.push_str(".*");
                }
            }
        }
        for (i, (table, join)) in s.from.iter().enumerate() {
            self.nl();
            match (i, join) {
                (0, _) => self.out.push_str("FROM "),
                (_, Join::Cross) => self.out.push_str("CROSS JOIN "),
                (_, Join::Inner(_)) => self.out.push_str("JOIN "),
                (_, Join::Left(_)) => self.out.push_str("LEFT JOIN "),
            }
            self.table(table);
            if let (Join::Inner(on) | Join::Left(on), true) = (join, i > 0) {
                self.out.push_str(" ON ");
                self.expr(on);
            }
        }
        if let Some(f) = &s.filter {
            self.nl();
            self.out.push_str("WHERE ");
            self.expr(f);
        }
        if !s.group_by.is_empty() {
            self.nl();
            self.out.push_str("GROUP BY ");
            for (i, e) in s.group_by.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.expr(e);
            }
        }
    }

    fn table(&mut self, t: &From) {
        match t {
            From::Table(name, alias) => {
                let _ = write!(self.out, "{name} AS {alias}");
            }
            From::Sub(q, alias) => self.sub(q, alias),
            From::Values(rows, alias, cols) => {
                self.out.push_str("(VALUES ");
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push('(');
                    for (j, e) in row.iter().enumerate() {
                        if j > 0 {
                            self.out.push_str(", ");
                        }
                        self.expr(e);
                    }
                    self.out.push(')');
                }
                let _ = write!(self.out, ") AS {alias}({})", cols.join(", "));
            }
            From::Spine(n, alias, col) => {
                let last = n - 1;
                match self.d.spine() {
                    Spine::Range => {
                        let _ = write!(self.out, "range(0, {n}) AS {alias}({col})");
                    }
                    Spine::GenerateSeries => {
                        let _ = write!(self.out, "generate_series(0, {last}) AS {alias}({col})");
                    }
                    Spine::ExplodeSequence => {
                        let _ = write!(
                            self.out,
                            "(SELECT explode(sequence(0, {last})) AS {col}) AS {alias}"
                        );
                    }
                }
            }
        }
    }

    fn sub(&mut self, q: &Query, alias: &str) {
        self.out.push('(');
        self.indent += 1;
        self.nl();
        self.query(q);
        self.indent -= 1;
        self.nl();
        let _ = write!(self.out, ") AS {alias}");
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Col(alias, col) => {
                if let Some(a) = alias {
                    self.out.push_str(a);
                    self.out.push('.');
                }
                self.out.push_str(col);
            }
            Expr::Quoted(alias, col) => {
                let q = self.d.quote();
                let doubled: String = col
                    .chars()
                    .flat_map(|c| if c == q { vec![c, c] } else { vec![c] })
                    .collect();
                let _ = write!(self.out, "{alias}.{q}{doubled}{q}");
            }
            Expr::Null => self.out.push_str("NULL"),
            Expr::Bool(b) => self.out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Expr::Num(d) => {
                // A negative literal in parentheses: `x - -1` reads badly
                // and `--` starts a comment.
                if d.is_sign_negative() && !d.is_zero() {
                    let _ = write!(self.out, "(-{})", d.abs());
                } else {
                    let _ = write!(self.out, "{d}");
                }
            }
            Expr::Str(s) => self.string(s),
            Expr::Date(d) => {
                let _ = write!(self.out, "DATE '{}'", d.format("%Y-%m-%d"));
            }
            Expr::Bin(op, a, b) => {
                self.out.push('(');
                self.expr(a);
                let _ = write!(self.out, " {} ", op.text());
                self.expr(b);
                self.out.push(')');
            }
            Expr::Not(x) => {
                self.out.push_str("(NOT ");
                self.expr(x);
                self.out.push(')');
            }
            Expr::Neg(x) => {
                self.out.push_str("(- ");
                self.expr(x);
                self.out.push(')');
            }
            Expr::IsNull(x, negated) => {
                self.out.push('(');
                self.expr(x);
                self.out.push_str(if *negated {
                    " IS NOT NULL)"
                } else {
                    " IS NULL)"
                });
            }
            Expr::Case(whens, other) => {
                self.out.push_str("CASE");
                for (cond, then) in whens {
                    self.out.push_str(" WHEN ");
                    self.expr(cond);
                    self.out.push_str(" THEN ");
                    self.expr(then);
                }
                if let Some(o) = other {
                    self.out.push_str(" ELSE ");
                    self.expr(o);
                }
                self.out.push_str(" END");
            }
            Expr::Func(name, args) => {
                self.out.push_str(name);
                self.out.push('(');
                self.list(args);
                self.out.push(')');
            }
            Expr::CountStar => self.out.push_str("COUNT(*)"),
            Expr::ToText(x) => {
                self.out.push_str("CAST(");
                self.expr(x);
                let _ = write!(self.out, " AS {})", self.d.text_type());
            }
            Expr::ToInt(x) => {
                self.out.push_str("CAST(");
                self.expr(x);
                self.out.push_str(" AS INTEGER)");
            }
            Expr::ToDecimal(x, p, s) => {
                self.out.push_str("CAST(");
                self.expr(x);
                let _ = write!(self.out, " AS DECIMAL({p}, {s}))");
            }
            Expr::AddDays(d, n) => {
                if self.d.date_plus_integer() {
                    self.out.push_str("CAST((");
                    self.expr(d);
                    self.out.push_str(" + ");
                    self.expr(n);
                    self.out.push_str(") AS DATE)");
                } else {
                    self.out.push_str("date_add(");
                    self.expr(d);
                    self.out.push_str(", ");
                    self.expr(n);
                    self.out.push(')');
                }
            }
            Expr::AddMonths(d, n) => match self.d.add_months() {
                AddMonths::Function => {
                    self.out.push_str("add_months(");
                    self.expr(d);
                    let _ = write!(self.out, ", {n})");
                }
                AddMonths::IntervalMonth => {
                    self.out.push_str("CAST((");
                    self.expr(d);
                    let _ = write!(self.out, " + INTERVAL ({n}) MONTH) AS DATE)");
                }
                AddMonths::IntervalString => {
                    self.out.push_str("CAST((");
                    self.expr(d);
                    let _ = write!(self.out, " + INTERVAL '{n} months') AS DATE)");
                }
            },
            Expr::AddMonthsBy(d, n) => match self.d.add_months() {
                AddMonths::Function => {
                    self.out.push_str("add_months(");
                    self.expr(d);
                    self.out.push_str(", ");
                    self.expr(n);
                    self.out.push(')');
                }
                AddMonths::IntervalMonth => {
                    self.out.push_str("CAST((");
                    self.expr(d);
                    self.out.push_str(" + to_months(");
                    self.expr(n);
                    self.out.push_str(")) AS DATE)");
                }
                AddMonths::IntervalString => {
                    self.out.push_str("CAST((");
                    self.expr(d);
                    self.out.push_str(" + make_interval(months => ");
                    self.expr(n);
                    self.out.push_str(")) AS DATE)");
                }
            },
            Expr::DaysBetween(a, b) => {
                if self.d.date_plus_integer() {
                    self.out.push('(');
                    self.expr(b);
                    self.out.push_str(" - ");
                    self.expr(a);
                    self.out.push(')');
                } else {
                    self.out.push_str("datediff(");
                    self.expr(b);
                    self.out.push_str(", ");
                    self.expr(a);
                    self.out.push(')');
                }
            }
            Expr::IntDiv(a, b) => {
                self.out.push('(');
                self.expr(a);
                let _ = write!(self.out, " {} ", self.d.int_div());
                self.expr(b);
                self.out.push(')');
            }
            Expr::Series(x) => match self.d.spine() {
                Spine::Range => {
                    self.out.push_str("unnest(generate_series(0, ");
                    self.expr(x);
                    self.out.push_str("))");
                }
                // Through an array: PostgreSQL estimates a
                // `generate_series` with bounds from a row at 1,000 rows
                // (an array's `unnest` at far fewer), and the cost that
                // multiplies into is past `jit_above_cost`: compiling the
                // query's expressions then takes seconds.
                Spine::GenerateSeries => {
                    self.out.push_str("unnest(ARRAY(SELECT generate_series(0, ");
                    self.expr(x);
                    self.out.push_str(")))");
                }
                Spine::ExplodeSequence => {
                    self.out.push_str("explode(sequence(0, ");
                    self.expr(x);
                    self.out.push_str("))");
                }
            },
            Expr::Extract(part, x) => {
                let _ = write!(self.out, "CAST(EXTRACT({part} FROM ");
                self.expr(x);
                self.out.push_str(") AS INTEGER)");
            }
            Expr::Concat(parts) => {
                if self.d.concat_operator() {
                    self.out.push('(');
                    for (i, p) in parts.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(" || ");
                        }
                        self.expr(p);
                    }
                    self.out.push(')');
                } else {
                    self.out.push_str("concat(");
                    self.list(parts);
                    self.out.push(')');
                }
            }
            Expr::InList(x, items, negated) => {
                self.out.push('(');
                self.expr(x);
                self.out
                    .push_str(if *negated { " NOT IN (" } else { " IN (" });
                self.list(items);
                self.out.push_str("))");
            }
            Expr::Trim(x, chars) => {
                let _ = write!(self.out, "{}(", self.d.trim_function());
                self.expr(x);
                self.out.push_str(", ");
                self.char_set(chars);
                self.out.push(')');
            }
            Expr::Like(x, pattern) => {
                self.out.push('(');
                self.expr(x);
                self.out.push_str(" LIKE ");
                self.string(pattern);
                self.out.push(')');
            }
            Expr::JoinTexts(x) => match self.d.join_texts() {
                JoinTexts::StringAgg => {
                    self.out.push_str("string_agg(");
                    self.expr(x);
                    self.out.push_str(", ';' ORDER BY ");
                    self.expr(x);
                    self.out.push(')');
                }
                JoinTexts::SortedList => {
                    self.out.push_str("array_join(array_sort(collect_list(");
                    self.expr(x);
                    self.out.push_str(")), ';')");
                }
            },
            Expr::Subquery(q) => {
                self.out.push('(');
                self.indent += 1;
                self.nl();
                self.query(q);
                self.indent -= 1;
                self.nl();
                self.out.push(')');
            }
        }
    }

    /// A text of the characters `chars`, each spelled by its code point
    /// (they are mostly invisible, and a raw line break in a literal would
    /// not survive a change of line ends).
    fn char_set(&mut self, chars: &str) {
        if self.d.unicode_escapes() {
            self.out.push('\'');
            for c in chars.chars() {
                let _ = write!(self.out, "\\u{:04X}", u32::from(c));
            }
            self.out.push('\'');
        } else {
            let codes: Vec<String> = chars
                .chars()
                .map(|c| format!("chr({})", u32::from(c)))
                .collect();
            let _ = write!(self.out, "({})", codes.join(" || "));
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('\'');
        for c in s.chars() {
            match c {
                '\'' => self.out.push_str("''"),
                // Spark reads backslash escapes in literals.
                '\\' if self.d == Dialect::Spark => self.out.push_str("\\\\"),
                c => self.out.push(c),
            }
        }
        self.out.push('\'');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_spines_follow_the_dialect() {
        let q = Query::select(Select::from(
            vec![
                Item::Expr(
                    Expr::AddMonths(Box::new(Expr::name("d")), 12),
                    "next".into(),
                ),
                Item::Expr(Expr::Str("it's".into()), "s".into()),
            ],
            From::Spine(3, "k".into(), "n".into()),
        ));
        assert_eq!(
            q.to_sql(Dialect::Spark),
            "SELECT add_months(d, 12) AS next, 'it''s' AS s\nFROM (SELECT explode(sequence(0, 2)) AS n) AS k\n"
        );
        assert_eq!(
            q.to_sql(Dialect::Postgres),
            "SELECT CAST((d + INTERVAL '12 months') AS DATE) AS next, 'it''s' AS s\nFROM generate_series(0, 2) AS k(n)\n"
        );
        assert_eq!(
            q.to_sql(Dialect::DuckDb),
            "SELECT CAST((d + INTERVAL (12) MONTH) AS DATE) AS next, 'it''s' AS s\nFROM range(0, 3) AS k(n)\n"
        );
    }

    #[test]
    fn subqueries_are_counted_wherever_they_nest() {
        let sub = |e: Expr| {
            Expr::Subquery(Box::new(Query::select(Select::from(
                vec![Item::Expr(e, "v".into())],
                From::Table("t".into(), "t".into()),
            ))))
        };
        // One in a CASE arm holding another, one in its ELSE, none in a
        // column: three.
        let e = Expr::Case(
            vec![(Expr::name("c").is_null(), sub(sub(Expr::name("x"))))],
            Some(Box::new(Expr::Concat(vec![
                Expr::Str("a".into()),
                sub(Expr::name("y")),
            ]))),
        );
        assert_eq!(e.subqueries(), 3);
        assert_eq!(Expr::name("c").is_null().subqueries(), 0);
        // In a derived table, a join condition and a filter, as an engine
        // plans them.
        let q = Query::select(
            Select::from(
                vec![Item::All("s".into())],
                From::Sub(
                    Box::new(Query::select(Select::from(
                        vec![Item::Expr(sub(Expr::name("z")), "v".into())],
                        From::Table("t".into(), "t".into()),
                    ))),
                    "s".into(),
                ),
            )
            .and_where(sub(Expr::name("w")).is_null()),
        );
        assert_eq!(sub(Expr::name("q")).subqueries(), 1);
        assert_eq!(Expr::Subquery(Box::new(q)).subqueries(), 1 + 1 + 1 + 1);
    }

    #[test]
    fn trimmed_characters_are_spelled_by_code_point() {
        let trim = Expr::Trim(Box::new(Expr::name("c")), " \t\u{3000}".into());
        let q = Query::select(Select::from(
            vec![Item::Expr(trim, "v".into())],
            From::Table("t".into(), "t".into()),
        ));
        assert_eq!(
            q.to_sql(Dialect::DuckDb),
            "SELECT trim(c, (chr(32) || chr(9) || chr(12288))) AS v\nFROM t AS t\n"
        );
        assert_eq!(
            q.to_sql(Dialect::Postgres),
            "SELECT btrim(c, (chr(32) || chr(9) || chr(12288))) AS v\nFROM t AS t\n"
        );
        assert_eq!(
            q.to_sql(Dialect::Spark),
            "SELECT btrim(c, '\\u0020\\u0009\\u3000') AS v\nFROM t AS t\n"
        );
    }
}
