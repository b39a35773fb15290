//! Tenet: a rule engine for training compliance in school systems.
#![deny(missing_docs)]

pub mod diagnostic;
pub mod model;
pub mod syntax;
