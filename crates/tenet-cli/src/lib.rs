//! Library half of the `tenet` command line: report renderers that live at
//! the edge, next to the IO, rather than in the pure core.
//!
//! - [`html`]: the self-contained HTML report (`tenet check --format html`).
//! - [`output`]: writing reports, a write error being a message, not a panic.
//! - [`names`]: names and titles next to the ids a report carries.
#![deny(missing_docs)]

pub mod html;
pub mod names;
pub mod output;
