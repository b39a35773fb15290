//! The untyped syntax tree: what the author wrote, with a span on every
//! node. The checker turns it into the typed program.

use crate::diagnostic::Span;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A name as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The text.
    pub value: String,
    /// Where (including quotes).
    pub span: Span,
}

/// One parsed file: its imports and its policy.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// `import "common.policy"` lines.
    pub imports: Vec<Str>,
    /// The policy.
    pub policy: Policy,
}

/// `policy id "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Policy id.
    pub id: Ident,
    /// Title.
    pub title: Option<Str>,
    /// Items in source order.
    pub items: Vec<Item>,
    /// Whole policy.
    pub span: Span,
}

/// A top-level item of a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `source "file.txt"`.
    Source(Str),
    /// `effective 2020-01-01 .. 2023-12-31`.
    Effective {
        /// First day.
        start: Dated,
        /// Last day.
        end: Dated,
        /// Whole item.
        span: Span,
    },
    /// `calendar { … }`.
    Calendar(Vec<CalendarEntry>),
    /// `param name = value [since date], …`.
    Param(ParamDecl),
    /// `credit name { … }`.
    Credit(Box<CreditDecl>),
    /// `rule id "title" { … }`.
    Rule(Box<RuleDecl>),
}

/// A date literal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dated {
    /// The date.
    pub date: NaiveDate,
    /// Where.
    pub span: Span,
}

/// A month and day, `09-01`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthDay {
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// Where.
    pub span: Span,
}

/// An entry of a `calendar` block.
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarEntry {
    /// `academic_year starts 09-01`.
    YearStart(MonthDay),
    /// `semester autumn 09-01 .. 01-31`.
    Semester {
        /// Semester name.
        name: Ident,
        /// First day.
        start: MonthDay,
        /// Last day (may wrap into the next calendar year).
        end: MonthDay,
    },
}

/// `param name = v1 [since d1], v2 since d2`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// Name.
    pub name: Ident,
    /// Values with the date each takes effect (`None`: from the start).
    pub values: Vec<(Expr, Option<Dated>)>,
    /// Whole item.
    pub span: Span,
}

/// `cite "clause" "quote"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cite {
    /// Clause reference, e.g. `三(二)2(3)` or a source file.
    pub clause: Str,
    /// The original sentence.
    pub quote: Option<Str>,
}

/// `credit name "title" { for enrollment e; no credit when …; otherwise … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditDecl {
    /// Name.
    pub name: Ident,
    /// Title.
    pub title: Option<Str>,
    /// Citations.
    pub cites: Vec<Cite>,
    /// The enrollment binder.
    pub scope: Scope,
    /// `no credit when cond ["reason"]`.
    pub denials: Vec<(Expr, Option<Str>)>,
    /// Hours credited otherwise.
    pub otherwise: Expr,
    /// Whole item.
    pub span: Span,
}

/// Whether a failing rule is a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityAst {
    /// A violation when it fails (default).
    Required,
    /// A target (力争/争取): reported, never a violation.
    Advisory,
}

/// `rule id "title" [advisory] { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    /// Rule id, stable across versions.
    pub id: Ident,
    /// Title.
    pub title: Option<Str>,
    /// Severity as written.
    pub severity: Option<(SeverityAst, Span)>,
    /// Citations.
    pub cites: Vec<Cite>,
    /// Message templates (the last one wins; more than one is an error).
    pub messages: Vec<Str>,
    /// `for kind x where …`.
    pub scope: Scope,
    /// The window clause.
    pub window: Option<WindowAst>,
    /// The requirement.
    pub require: Require,
    /// Whole item.
    pub span: Span,
}

/// The entity a scope ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// People.
    Person,
    /// Schools.
    School,
    /// Districts.
    District,
    /// Activities.
    Activity,
    /// Enrollments.
    Enrollment,
    /// Mentorships.
    Mentorship,
}

/// `for kind var [where cond]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The entity kind.
    pub kind: EntityKind,
    /// Where the kind is written.
    pub kind_span: Span,
    /// The binder.
    pub var: Ident,
    /// The filter.
    pub filter: Option<Expr>,
}

/// A period unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    /// January–December.
    CalendarYear,
    /// From the calendar's `academic_year starts`.
    AcademicYear,
    /// The calendar's semesters.
    Semester,
    /// Calendar months.
    Month,
    /// Weeks of seven days.
    Week,
    /// Days.
    Day,
}

/// `2 weeks`, `month`, `semester`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    /// How many units (1 when not written).
    pub count: u32,
    /// The unit.
    pub unit: PeriodUnit,
    /// Where.
    pub span: Span,
}

/// A window clause.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowAst {
    /// `each calendar_year [as y]`.
    Each {
        /// The period.
        period: Period,
        /// Binder.
        bind: Option<Ident>,
        /// Whole clause.
        span: Span,
    },
    /// `cycle 2021-01-01 .. 2025-12-31 [as c]`.
    Cycle {
        /// First day.
        start: Dated,
        /// Last day.
        end: Dated,
        /// Binder.
        bind: Option<Ident>,
        /// Whole clause.
        span: Span,
    },
    /// `within 1 year after t.hire_date [as w]`.
    Within {
        /// Length.
        length: Duration,
        /// Anchor date.
        after: Expr,
        /// Binder.
        bind: Option<Ident>,
        /// Whole clause.
        span: Span,
    },
    /// `during m [as w]`.
    During {
        /// A mentorship or activity.
        of: Expr,
        /// Binder.
        bind: Option<Ident>,
        /// Whole clause.
        span: Span,
    },
}

/// `require …`.
#[derive(Debug, Clone, PartialEq)]
pub enum Require {
    /// A condition.
    Check(Expr),
    /// `at least N kind [hosted] by x every period [where cond]`.
    Cadence(Cadence),
}

/// A cadence requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Cadence {
    /// Minimum per sub-window.
    pub at_least: u32,
    /// Activity kind.
    pub kind: Ident,
    /// `hosted by` rather than `by` (organizer).
    pub hosted: bool,
    /// The organizer or host.
    pub by: Expr,
    /// Sub-window length.
    pub every: Period,
    /// Extra filter on the activities.
    pub filter: Option<Expr>,
    /// Whole clause.
    pub span: Span,
}

/// Length of time: months and days, so `1 year` adds a calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    /// Whole months (a year is 12).
    pub months: u32,
    /// Days (a week is 7).
    pub days: u32,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// Whether it compares.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFn {
    /// Number of members.
    Count,
    /// Sum of a value.
    Sum,
    /// Least value.
    Min,
    /// Greatest value.
    Max,
    /// Mean value.
    Avg,
    /// Fraction of members satisfying the filter.
    Share,
}

impl AggFn {
    /// The function as written.
    pub fn name(self) -> &'static str {
        match self {
            AggFn::Count => "count",
            AggFn::Sum => "sum",
            AggFn::Min => "min",
            AggFn::Max => "max",
            AggFn::Avg => "avg",
            AggFn::Share => "share",
        }
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `age(person [, date])`: completed years.
    Age,
    /// `tenure(date [, at])`: time elapsed since a date.
    Tenure,
    /// `finance(org, [year,] item)`.
    Finance,
    /// `year_of(date)`.
    YearOf,
}

impl Builtin {
    /// The function as written.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Age => "age",
            Builtin::Tenure => "tenure",
            Builtin::Finance => "finance",
            Builtin::YearOf => "year_of",
        }
    }
}

/// Relations an aggregate ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelKind {
    /// `people`
    People,
    /// `schools`
    Schools,
    /// `districts`
    Districts,
    /// `activities`
    Activities,
    /// `enrollments`
    Enrollments,
    /// `sessions`
    Sessions,
    /// `mentorships`
    Mentorships,
}

impl RelKind {
    /// Every relation, in the order `tenet schema` lists them.
    pub const ALL: [RelKind; 7] = [
        RelKind::People,
        RelKind::Schools,
        RelKind::Districts,
        RelKind::Activities,
        RelKind::Enrollments,
        RelKind::Sessions,
        RelKind::Mentorships,
    ];

    /// One member of the relation, as the evaluator's messages name it
    /// (`no person records to average`).
    ///
    /// ```
    /// use tenet::syntax::ast::RelKind;
    /// assert_eq!(RelKind::Activities.member(), "activity");
    /// ```
    pub fn member(self) -> &'static str {
        match self {
            RelKind::People => "person",
            RelKind::Schools => "school",
            RelKind::Districts => "district",
            RelKind::Activities => "activity",
            RelKind::Enrollments => "enrollment",
            RelKind::Sessions => "session",
            RelKind::Mentorships => "mentorship",
        }
    }

    /// The relation as written.
    pub fn name(self) -> &'static str {
        match self {
            RelKind::People => "people",
            RelKind::Schools => "schools",
            RelKind::Districts => "districts",
            RelKind::Activities => "activities",
            RelKind::Enrollments => "enrollments",
            RelKind::Sessions => "sessions",
            RelKind::Mentorships => "mentorships",
        }
    }
}

/// How a relation is tied to its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelLink {
    /// `of x`
    Of,
    /// `by x` (organizer)
    By,
    /// `hosted by x`
    HostedBy,
}

impl RelLink {
    /// The link as written.
    pub fn name(self) -> &'static str {
        match self {
            RelLink::Of => "of",
            RelLink::By => "by",
            RelLink::HostedBy => "hosted by",
        }
    }
}

/// `people of d`, `activities hosted by s`, `enrollments of t`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// What is ranged over.
    pub kind: RelKind,
    /// The anchor, if any.
    pub link: Option<(RelLink, Box<Expr>)>,
    /// Where.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A plain decimal.
    Number(Decimal),
    /// `90 h`.
    Hours(Decimal),
    /// `¥1,077万`, `10770000 CNY`.
    Money(Decimal),
    /// `5%`, as the percentage written (5).
    Percent(Decimal),
    /// `1:100`.
    Ratio(Decimal, Decimal),
    /// `1/4`.
    Fraction(Decimal, Decimal),
    /// `2020-01-01`.
    Date(NaiveDate),
    /// `2 weeks`.
    Duration(Duration),
    /// `true` / `false`.
    Bool(bool),
    /// `"text"`.
    Str(String),
    /// A bare name.
    Name(String),
    /// `it`: the member inside an aggregate, cadence or `credited_hours` filter.
    Member,
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `x.field`.
    Field(Box<Expr>, Ident),
    /// `x.method(args)`.
    Method(Box<Expr>, Ident, Vec<Expr>),
    /// `-x`, `not x`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `share of quantity`.
    Of(Box<Expr>, Box<Expr>),
    /// `x has role`, or `has role` on the implicit element.
    Has(Option<Box<Expr>>, Ident),
    /// `x [not] in [..]`.
    In {
        /// `not in`.
        negated: bool,
        /// The value tested.
        value: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `count(people of d where …)`, `sum(hours in …)`.
    Aggregate {
        /// Function.
        func: AggFn,
        /// The value per member (sum/min/max/avg).
        value: Option<Box<Expr>>,
        /// Members.
        relation: Relation,
        /// Filter.
        filter: Option<Box<Expr>>,
    },
    /// `credited_hours(t [where cond])`.
    Credited {
        /// The person.
        person: Box<Expr>,
        /// Filter on enrollments.
        filter: Option<Box<Expr>>,
    },
    /// `age(t)`, `finance(s, item)` …
    Call {
        /// Which.
        func: Builtin,
        /// Where the name is.
        name_span: Span,
        /// Arguments.
        args: Vec<Expr>,
    },
}
