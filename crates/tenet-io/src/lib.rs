//! Dataset adapters for Tenet: a directory of CSV files, one JSON document,
//! or one XLSX workbook, loaded into the core crate's typed, indexed
//! [`Dataset`](tenet::model::Dataset).
//!
//! The pipeline, one module per stage:
//!
//! 1. **bytes → text** (`text`): UTF-8 with or without a byte-order mark,
//!    or GBK/GB18030, detected or chosen with [`Encoding`].
//! 2. **text → cells** (`sources`): the `csv` crate for directories (one
//!    thread per file), `serde_json` for `.json`, `calamine` for `.xlsx`.
//! 3. **cells → typed rows** (`table`): one parser for all three sources,
//!    reporting every field-level problem (bad dates, decimals, booleans,
//!    enum values; missing columns, files and values). Full-width digits
//!    and spaces in typed cells are normalised; extra columns become
//!    string attributes.
//! 4. **rows → dataset** (`load`): the core
//!    [`DatasetBuilder`](tenet::model::DatasetBuilder) resolves ids and
//!    checks rows against each other; its errors are mapped back to file,
//!    line and column.
//!
//! Writers ([`write_dir`], [`write_json`]) and a deterministic synthetic
//! data generator ([`gen`]) complete the crate.
//!
//! ```
//! use tenet_io::{load, write_dir, LoadOptions, LoadError, gen::{generate, GenConfig}};
//! let dir = std::env::temp_dir().join(format!("tenet-io-lib-{}", std::process::id()));
//! write_dir(&generate(&GenConfig { teachers: 50, years: 1, seed: 9, start_year: 2021 }), &dir)?;
//! let loaded = load(&dir, &LoadOptions::default())?;
//! println!("{} people, {} warnings", loaded.dataset.people.len(), loaded.warnings.len());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), LoadError>(())
//! ```
//!
//! See `README.md` in this crate for the format, the encodings policy and
//! the error messages.
#![deny(missing_docs)]

pub mod gen;
mod load;
mod problem;
mod sources;
mod table;
mod text;
mod write;

pub use load::{load, read_rows, LoadOptions, Loaded};
pub use problem::{render_problems, LoadError, Problem, Reason, SourceKind};
pub use text::Encoding;
pub use write::{write_dir, write_json};
