//! Tenet: a rule engine for training compliance in school systems.
#![deny(missing_docs)]

pub mod model;
