#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod db;
pub mod gen;
mod load;
mod mapping;
mod problem;
mod sources;
mod table;
mod text;
mod workbook_guard;
mod write;

pub use db::database_name;
pub use load::{load, read_rows, LoadOptions, Loaded};
pub use mapping::{Mapping, MappingError};
pub use problem::{render_problems, render_problems_in, LoadError, Problem, Reason, SourceKind};
pub use text::Encoding;
pub use workbook_guard::MAX_XLSX_EXPANDED;
pub use write::{write_dir, write_json};
