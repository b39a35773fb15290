#![doc = include_str!("../README.md")]
//!
//! ## Modules
//!
//! | module | owns |
//! |---|---|
//! | [`app`] | the router, the OpenAPI document, the layers (ids, limits, tokens) |
//! | [`api`] | the handlers and their request and response types |
//! | [`bundle`] | policy bundles: loading a directory, the content-hash version, prepared evaluators |
//! | [`state`] | what a server holds, and reloading |
//! | [`decisions`] | the decision log (group-committed, synced before the response, rotated) |
//! | [`auth`] | bearer tokens stored hashed, scopes, the tokens file read again on reload |
//! | [`upload`] | datasets sent with a request, with unpack limits |
//! | [`metrics`] | Prometheus text |
//! | [`error`] | the one error enum, mapped to status and JSON |
//! | [`page`] | the dashboard |
//! | [`serve`](mod@serve) | starting, watching, accepting |
#![deny(missing_docs)]

pub mod api;
pub mod app;
pub mod auth;
pub mod bundle;
pub mod decisions;
pub mod error;
pub mod metrics;
pub mod page;
pub mod serve;
pub mod state;
pub mod upload;

pub use app::{openapi, router};
pub use serve::{serve, Config, StartError};
pub use state::{AppState, Limits};
