//! Policy text → syntax tree.
//!
//! The grammar is `policy.pest`; this module walks pest's parse tree into
//! [`ast`] nodes, turning literal text into values (dates are validated
//! here, so `2023-02-30` is a diagnostic, not a panic). Limits on file size
//! and bracket nesting are checked before pest runs so that hostile input
//! gets an error instead of a stack overflow.

pub mod ast;
mod format;
pub mod keywords;
mod parse;

pub use format::{format, format_lang, format_named, surface, FormatError};
pub use keywords::Lang;
pub(crate) use parse::expected_in;
pub use parse::{parse, parse_recovering, Limits};
