//! The checked program: names resolved, types known, constants folded.
//! Built only by the checker, so the evaluator can trust it.

use crate::model::{FinanceItem, Kind, Role};
use crate::schema::{Entity, Field, Type};
use crate::syntax::ast::{AggFn, Duration, Period, RelKind, RelLink};
use crate::value::{DateRange, Value};
use chrono::NaiveDate;

/// A slot in the evaluation environment (scope variable, window, element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Var(pub u16);

/// Index of a parameter in [`CheckedPolicy::params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId(pub u16);

/// Required or advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failure is a violation.
    Required,
    /// A target (力争): a failure is reported but is not a violation.
    Advisory,
}

/// A citation of the source plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Citation {
    /// Clause, e.g. `三(二)2(3)`.
    pub clause: String,
    /// The original sentence.
    pub quote: Option<String>,
}

/// Academic calendar: when the academic year starts and the semesters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// (month, day) the academic year starts.
    pub year_start: (u32, u32),
    /// Semesters by name with (month, day) bounds; an end before its start
    /// wraps into the next calendar year.
    pub semesters: Vec<Semester>,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            year_start: (9, 1),
            semesters: vec![
                ("autumn".into(), (9, 1), (1, 31)),
                ("spring".into(), (2, 1), (8, 31)),
            ],
        }
    }
}

/// A named semester: (name, first (month, day), last (month, day)).
pub type Semester = (String, (u32, u32), (u32, u32));

/// A parameter with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name (shared by every result's facts).
    pub name: std::sync::Arc<str>,
    /// Type of every value.
    pub ty: Type,
    /// Values with the day each takes effect (`None`: from the start),
    /// in increasing order.
    pub history: Vec<(Option<NaiveDate>, Value)>,
    /// The unit its first value was written in (`90 h`, `5%`, `1:100`),
    /// for showing it as written.
    pub unit: crate::readable::Unit,
}

impl Param {
    /// The value in force on `day`: the last one whose date is on or
    /// before it, or the first value when none has started yet.
    pub fn at(&self, day: NaiveDate) -> Option<&Value> {
        let mut current = self.history.first().map(|(_, v)| v);
        for (since, value) in &self.history {
            match since {
                Some(d) if *d > day => break,
                _ => current = Some(value),
            }
        }
        current
    }
}

/// The credit block: credited hours per enrollment.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// The file that defined it.
    pub file: String,
    /// Citations.
    pub cites: Vec<Citation>,
    /// The enrollment variable.
    pub var: Var,
    /// Denial conditions with their reasons.
    pub denials: Vec<Denial>,
    /// Hours credited otherwise.
    pub otherwise: Expr,
    /// Environment size.
    pub slots: usize,
}

/// `no credit when cond "reason"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Denial {
    /// Condition.
    pub cond: Expr,
    /// Reason given by the author, or the condition's text.
    pub reason: String,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Citations.
    pub cites: Vec<Citation>,
    /// Message template.
    pub message: Option<String>,
    /// Subject kind.
    pub subject: Entity,
    /// Subject variable.
    pub var: Var,
    /// Scope filter.
    pub filter: Option<Expr>,
    /// Window.
    pub window: WindowSpec,
    /// What must hold.
    pub require: Requirement,
    /// Environment size.
    pub slots: usize,
}

impl Rule {
    /// Whether the scope filter depends on the window — it reads the
    /// window variable, counts time-bound records, or takes an age or
    /// tenure without a date — and so is decided
    /// per window rather than once per subject (decisions S4). Every
    /// evaluator of the program (native, SQL) asks this one question.
    pub fn filter_per_window(&self) -> bool {
        let (Some(filter), Some(bind)) = (&self.filter, self.window.bind()) else {
            return false;
        };
        filter.any(&|e| match &e.kind {
            ExprKind::Var(v) => *v == bind,
            // An age or tenure without a date is the window's (its end
            // capped at the evaluation date), in the filter as in
            // `require` (decisions P5).
            ExprKind::Credited { .. }
            | ExprKind::Age { at: None, .. }
            | ExprKind::Tenure { at: None, .. }
            | ExprKind::Finance { year: None, .. }
            | ExprKind::Field(_, Field::Credited) => true,
            ExprKind::Aggregate(agg) => !matches!(
                agg.relation,
                RelKind::People | RelKind::Schools | RelKind::Districts
            ),
            _ => false,
        })
    }
}

/// How a rule's windows are made.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowSpec {
    /// No window: a point-in-time check at the evaluation date.
    None,
    /// Consecutive periods across the effective range.
    Each {
        /// The period.
        period: Period,
        /// Where the window is bound.
        bind: Var,
    },
    /// One fixed range.
    Cycle {
        /// The range.
        range: DateRange,
        /// Where the window is bound.
        bind: Var,
    },
    /// `within length after anchor`.
    Within {
        /// Length.
        length: Duration,
        /// Anchor date.
        after: Expr,
        /// Where the window is bound.
        bind: Var,
    },
    /// `during m`.
    During {
        /// A mentorship or activity.
        of: Expr,
        /// Where the window is bound.
        bind: Var,
    },
}

impl WindowSpec {
    /// Whether the window is the subject's own (`within`, `during`) rather
    /// than cut from the policy's calendar or written as dates.
    pub fn is_relative(&self) -> bool {
        matches!(self, WindowSpec::Within { .. } | WindowSpec::During { .. })
    }

    /// The variable the window is bound to.
    pub fn bind(&self) -> Option<Var> {
        match self {
            WindowSpec::None => None,
            WindowSpec::Each { bind, .. }
            | WindowSpec::Cycle { bind, .. }
            | WindowSpec::Within { bind, .. }
            | WindowSpec::During { bind, .. } => Some(*bind),
        }
    }
}

/// What a rule requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// A condition.
    Check(Expr),
    /// At least `at_least` activities of `kind` per sub-window.
    Cadence(Cadence),
}

/// A checked cadence.
#[derive(Debug, Clone, PartialEq)]
pub struct Cadence {
    /// Minimum per sub-window.
    pub at_least: u32,
    /// Activity kind.
    pub kind: Kind,
    /// `hosted by` rather than organizer.
    pub hosted: bool,
    /// Organizer or host.
    pub by: Expr,
    /// Sub-window length.
    pub every: Period,
    /// Extra filter, with the activity bound to `elem`.
    pub filter: Option<Expr>,
    /// The activity variable.
    pub elem: Var,
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Its source text, for explanations (shared by every result's facts).
    pub text: std::sync::Arc<str>,
}

impl Expr {
    /// Whether `pred` holds for this expression or any part of it.
    pub fn any(&self, pred: &dyn Fn(&Expr) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        use ExprKind as K;
        match &self.kind {
            K::Const(_) | K::Param(_) | K::Var(_) => false,
            K::Field(x, _)
            | K::Attr(x, _)
            | K::Neg(x)
            | K::Not(x)
            | K::Has(x, _)
            | K::YearOf(x) => x.any(pred),
            K::Arith(_, a, b) | K::Compare(_, a, b) | K::And(a, b) | K::Or(a, b) | K::Of(a, b) => {
                a.any(pred) || b.any(pred)
            }
            K::In { value, list, .. } => value.any(pred) || list.iter().any(|e| e.any(pred)),
            K::Aggregate(agg) => {
                agg.value.as_ref().is_some_and(|e| e.any(pred))
                    || agg.filter.as_ref().is_some_and(|e| e.any(pred))
                    || agg.link.as_ref().is_some_and(|(_, e)| e.any(pred))
            }
            K::Credited { person, filter, .. } => {
                person.any(pred) || filter.as_deref().is_some_and(|e| e.any(pred))
            }
            K::Age { person, at } => person.any(pred) || at.as_deref().is_some_and(|e| e.any(pred)),
            K::Tenure { since, at } => {
                since.any(pred) || at.as_deref().is_some_and(|e| e.any(pred))
            }
            K::Finance { org, year, .. } => {
                // A finance lookup without a year reads the window.
                org.any(pred) || year.as_deref().is_some_and(|e| e.any(pred))
            }
        }
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
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
}

/// Typed expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// A parameter, looked up at the window's date.
    Param(ParamId),
    /// A variable.
    Var(Var),
    /// A field of a record or window.
    Field(Box<Expr>, Field),
    /// `x.attr("name")`.
    Attr(Box<Expr>, String),
    /// `-x`.
    Neg(Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// Arithmetic (Date ± Duration included).
    Arith(Arith, Box<Expr>, Box<Expr>),
    /// Comparison.
    Compare(Cmp, Box<Expr>, Box<Expr>),
    /// `and` (Kleene: false wins over unknown).
    And(Box<Expr>, Box<Expr>),
    /// `or` (Kleene: true wins over unknown).
    Or(Box<Expr>, Box<Expr>),
    /// `share of quantity`.
    Of(Box<Expr>, Box<Expr>),
    /// `person has role`.
    Has(Box<Expr>, Role),
    /// `x [not] in [..]`.
    In {
        /// `not in`.
        negated: bool,
        /// Tested value.
        value: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
    },
    /// An aggregate over a relation.
    Aggregate(Box<Aggregate>),
    /// `credited_hours(person [where …])` in the current window.
    Credited {
        /// The person.
        person: Box<Expr>,
        /// The enrollment variable for the filter.
        elem: Var,
        /// Filter on enrollments.
        filter: Option<Box<Expr>>,
    },
    /// `age(person [, at])`: completed years.
    Age {
        /// The person.
        person: Box<Expr>,
        /// The day (default: end of the window, or the evaluation date).
        at: Option<Box<Expr>>,
    },
    /// `tenure(since [, at])`.
    Tenure {
        /// The start date.
        since: Box<Expr>,
        /// The day (default as for `age`).
        at: Option<Box<Expr>>,
    },
    /// `finance(org, [year,] item)`.
    Finance {
        /// The organisation.
        org: Box<Expr>,
        /// A year number or window; `None`: the current window's year.
        year: Option<Box<Expr>>,
        /// The line.
        item: FinanceItem,
    },
    /// `year_of(date | window)`.
    YearOf(Box<Expr>),
}

/// An aggregate over a relation.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Function.
    pub func: AggFn,
    /// Per-member value (sum/min/max/avg).
    pub value: Option<Expr>,
    /// Members.
    pub relation: RelKind,
    /// Anchor.
    pub link: Option<(RelLink, Expr)>,
    /// The member variable.
    pub elem: Var,
    /// Filter.
    pub filter: Option<Expr>,
}

/// A policy after checking: self-contained (imports merged).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPolicy {
    /// Policy id.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// The file it came from.
    pub file: String,
    /// The source plan, as written in `source`.
    pub source: Option<String>,
    /// The effective range.
    pub effective: Option<DateRange>,
    /// The academic calendar.
    pub calendar: Calendar,
    /// Parameters (own and imported).
    pub params: Vec<Param>,
    /// The credit block (own or imported).
    pub credit: Option<Credit>,
    /// Rules, in file order.
    pub rules: Vec<Rule>,
}
