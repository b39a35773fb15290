//! Tenet: a rule engine for training compliance in school systems.
#![deny(missing_docs)]

pub mod check;
pub mod diagnostic;
mod eval;
pub mod model;
mod policy_set;
pub mod program;
pub mod render;
pub mod report;
pub mod schema;
pub mod syntax;
pub mod value;

pub use policy_set::{resolve_import, CompileError, PolicySet};
