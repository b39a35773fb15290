//! # tenet-sql — Tenet policies run where the records live
//!
//! A checked policy ([`tenet::program::CheckedPolicy`], never the text)
//! compiles to one SQL query that DuckDB, PostgreSQL and Spark SQL run over
//! the interchange tables of DESIGN §2 ([`schema`]); the rows it returns
//! ([`rows`]) become the same report the native evaluator writes, verdict
//! for verdict.
//!
//! | stage | module | owns |
//! |---|---|---|
//! | tables | [`schema`] | DDL per dialect, exact decimal types, load scripts |
//! | program → SQL tree | `compile` | rules, windows (one place decides which apply), expressions, cadence, credit |
//! | SQL tree → text | [`ast`] | the printer; literals, quoting, dates per dialect |
//! | dialects | [`dialect`] | what each engine spells differently |
//! | rows → report | [`rows`] | figures, shortfall, messages, summary |
//! | tables checked | [`checks`] | the loader's checks as one query, run before judging |
//! | engines | [`engine`] | running the SQL on PostgreSQL (feature `postgres`) |
//!
//! The crate depends on the core's public program and nothing in the core
//! depends on it.
//!
//! ## Why a small SQL tree of its own, not `sqlparser`'s AST
//! The house style (PRQL's `prqlc`) builds `sqlparser` AST nodes and prints
//! them. Here the tree is this crate's own ([`ast`]), for two reasons:
//! `sqlparser`'s printer is dialect-blind (it prints one spelling for every
//! engine), so each difference this compiler has — `add_months` vs
//! `INTERVAL`, `explode(sequence(…))` vs `generate_series`, backtick
//! quoting — would need a node of its own there anyway; and its node types
//! gain fields every minor release (a `Select` has some twenty), so the
//! compiler would be mostly filler that breaks on upgrade. The principle is
//! kept: SQL is a typed tree until it is printed, never concatenated text.
//!
//! ## Example
//! ```
//! use tenet_sql::{compile, Dialect, Options};
//! let set = tenet::PolicySet::from_sources(&[("p.policy", r#"
//! policy p { effective 2021-01-01 .. 2021-12-31
//!   rule funds { for school s each calendar_year
//!     require finance(s, teacher_training_funds) >= 5% of finance(s, public_funds_budget) } }"#)])
//!     .map_err(|e| e.render())?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
//! let opts = Options { as_of, dialect: Dialect::Spark, columns: None };
//! let compiled = compile(&set.policies()[0], &opts).map_err(|e| format!("{e:?}"))?;
//! assert!(compiled.sql.contains("FROM finance AS"));
//! # Ok::<(), String>(())
//! ```

pub mod ast;
pub mod checks;
mod compile;
pub mod dialect;
pub mod engine;
pub mod rows;
pub mod schema;

pub use compile::{compile, Compiled, Options, Refusal, Shape, OUT};
pub use dialect::Dialect;
