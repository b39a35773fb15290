//! # Tenet — training-compliance rules as readable policies
//!
//! Tenet turns a published training plan ("每位教师每年不少于90学时") into a
//! `.policy` file and evaluates it against training records with exact
//! decimal arithmetic. This crate is the pure core: it reads no files and
//! knows no clock — callers pass policy text (through a reader function),
//! a [`model::Dataset`] and the evaluation date. File loading lives in
//! `tenet-io`, the command line in `tenet-cli`.
//!
//! ## The pipeline
//!
//! | stage | module | owns |
//! |---|---|---|
//! | text → tree | [`syntax`] | the pest grammar (every keyword), the spanned AST, size limits |
//! | tree → program | [`check`] | names, types and units against [`schema`]; imports; all errors at once |
//! | program | [`program`] | the typed IR the evaluator trusts |
//! | rows → dataset | [`model`] | record types, validation, indexes |
//! | program + dataset → report | `eval` (via [`PolicySet`]) | windows, credit, aggregates, cadence, unknowns |
//! | report → text | [`report`], [`render`] | the fixed JSON shape, text and Markdown |
//! | problems | [`diagnostic`] | one span type, one diagnostic type, rendered at the edge |
//! | numbers | [`value`] | exact rationals over `rust_decimal` |
//!
//! ## Example
//!
//! ```
//! use tenet::model::{Dataset, Rows, DistrictRow, SchoolRow, FinanceRow, FinanceItem};
//! use tenet::report::Status;
//! use tenet::PolicySet;
//!
//! let policy = r#"
//! policy funds "培训经费" {
//!   effective 2021-01-01 .. 2021-12-31
//!   rule school_training_funds "按年度公用经费预算总额的5%安排教师培训经费" {
//!     cite "四(二)" "按照学校年度公用经费预算总额的5%安排教师培训经费"
//!     for school s
//!     each calendar_year
//!     require finance(s, teacher_training_funds) >= 5% of finance(s, public_funds_budget)
//!   }
//! }"#;
//! let set = PolicySet::from_sources(&[("funds.policy", policy)]).map_err(|e| e.render())?;
//!
//! let amount = |item, a: &str| FinanceRow { org: "s1".into(), year: 2021, item, amount: a.parse().unwrap() };
//! let rows = Rows {
//!     districts: vec![DistrictRow { id: "d1".into(), name: "绿园区".into(), attrs: Default::default() }],
//!     schools: vec![SchoolRow { id: "s1".into(), name: "第一小学".into(), district: "d1".into(),
//!                               rural: false, training_base: false, attrs: Default::default() }],
//!     finance: vec![amount(FinanceItem::PublicFundsBudget, "10770000.00"),
//!                   amount(FinanceItem::TeacherTrainingFunds, "538500.00")],
//!     ..Rows::default()
//! };
//! let (data, _warnings) = Dataset::from_rows(rows).map_err(|e| format!("{e:?}"))?;
//!
//! let as_of = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
//! let report = &set.evaluate(&data, as_of)[0];
//! let result = &report.results[0];
//! assert_eq!(result.status, Status::Pass);               // 5% of 10,770,000.00 is exactly 538,500.00
//! assert_eq!(result.required.as_deref(), Some("538500.00"));
//! # Ok::<(), String>(())
//! ```
//!
//! For one subject (a service checking one teacher per request) use
//! [`PolicySet::evaluate_subject`] with [`PolicySet::find_subject`].
#![deny(missing_docs)]

pub mod check;
pub mod diagnostic;
mod eval;
pub mod model;
mod policy_set;
pub mod program;
pub mod readable;
pub mod render;
pub mod report;
pub mod schema;
mod stack;
pub mod syntax;
pub mod value;

/// What the evaluator decides and writes that an adapter computing the same
/// results elsewhere (`tenet-sql`, in a database) must decide and write the
/// same way: the windows a period cuts, figures as reports spell them,
/// messages. The program ([`program`]) says *what* to compute; this module
/// is the evaluator's own spelling of the pieces, shared so they cannot drift.
pub mod figures {
    pub use crate::eval::windows::{periods, Piece};
    use crate::report::Status;
    use crate::schema::Type;
    use crate::value::{DateRange, Value, Q};
    use rust_decimal::Decimal;

    /// The rational `n / d` as reports write a value of type `ty`
    /// (normalised, money with cents, `…` after an inexact quotient);
    /// `None` when `d` is zero.
    ///
    /// ```
    /// use tenet::figures::quantity;
    /// use tenet::schema::Type;
    /// assert_eq!(quantity(538500.into(), 1.into(), &Type::Money).as_deref(), Some("538500.00"));
    /// assert_eq!(quantity(2.into(), 4.into(), &Type::Number).as_deref(), Some("0.5"));
    /// ```
    pub fn quantity(n: Decimal, d: Decimal, ty: &Type) -> Option<String> {
        Q::ratio(n, d).map(|q| crate::eval::show(&Value::Num(q), ty))
    }

    /// A rule's message template filled as the evaluator fills it, for a
    /// result with `status` and figures `[actual, required, shortfall]`;
    /// `None` for statuses that carry no message.
    pub fn message(
        template: &str,
        status: Status,
        figures: [Option<String>; 3],
        rule: &crate::program::Rule,
        policy: &crate::program::CheckedPolicy,
        name: &str,
        window: Option<DateRange>,
    ) -> Option<String> {
        crate::eval::message_for(template, status, figures, rule, policy, name, window)
    }

    /// Why `window` is `not_applicable` when it lies outside the effective
    /// range, or is a window of the subject's own cut short by it.
    ///
    /// ```
    /// use tenet::value::DateRange;
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let eff = DateRange::new(d("2021-01-01"), d("2021-12-31")).unwrap();
    /// let w = DateRange::new(d("2020-01-01"), d("2020-12-31")).unwrap();
    /// assert!(tenet::figures::not_judged(w, eff).contains("lies outside"));
    /// ```
    pub fn not_judged(window: DateRange, effective: DateRange) -> String {
        crate::eval::not_judged(window, effective)
    }

    /// Why a person hired on `hired` owes nothing in `window` (or, without
    /// one, at `as_of`); `None` when they owe it.
    ///
    /// ```
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let why = tenet::figures::hired_late(d("2024-05-01"), None, d("2024-03-01"));
    /// assert_eq!(why.as_deref(), Some("hired 2024-05-01, after the evaluation date 2024-03-01"));
    /// ```
    pub fn hired_late(
        hired: chrono::NaiveDate,
        window: Option<DateRange>,
        as_of: chrono::NaiveDate,
    ) -> Option<String> {
        crate::eval::hired_late(hired, window, as_of)
    }

    /// The param as `explanation.params` lists it when read on `day`
    /// (its value in force then, written as the evaluator writes it).
    pub fn param_fact(
        param: &crate::program::Param,
        day: chrono::NaiveDate,
    ) -> Option<crate::report::Fact> {
        let v = param.at(day)?;
        Some(crate::report::Fact {
            expr: std::sync::Arc::clone(&param.name),
            value: crate::eval::show(v, &param.ty),
        })
    }

    /// A cadence's sub-window `range` with `found` activities, fewer than
    /// it needs, as `explanation.missing` lists it.
    pub fn short_sub_window(
        range: DateRange,
        found: usize,
        cadence: &crate::program::Cadence,
        as_of: chrono::NaiveDate,
    ) -> String {
        crate::eval::short_sub_window(range, found, cadence, as_of)
    }
}

pub use policy_set::{resolve_import, CompileError, Detail, EvalOptions, Evaluator, PolicySet};
