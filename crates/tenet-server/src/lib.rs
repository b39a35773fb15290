//! # tenet-server — Tenet over HTTP
//!
//! `tenet serve` runs this crate: a JSON API for systems that cannot link
//! Rust (check a dataset, evaluate one teacher, explain, lint, list
//! policies), with an OpenAPI document made from the same route list as
//! the router, and a dashboard page for people.
//!
//! | module | owns |
//! |---|---|
//! | [`app`] | the router, the OpenAPI document, the layers (ids, limits, tokens) |
//! | [`api`] | the handlers and their request and response types |
//! | [`bundle`] | policy bundles: loading a directory, the content-hash version, prepared evaluators |
//! | [`state`] | what a server holds, and reloading |
//! | [`decisions`] | the decision log (group-committed, synced before the response, rotated) |
//! | [`auth`] | bearer tokens stored hashed, scopes |
//! | [`upload`] | datasets sent with a request, with unpack limits |
//! | [`metrics`] | Prometheus text |
//! | [`error`] | the one error enum, mapped to status and JSON |
//! | [`page`] | the dashboard |
//! | [`serve`](mod@serve) | starting, watching, accepting |
//!
//! See the README for every route with a `curl` example.
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
