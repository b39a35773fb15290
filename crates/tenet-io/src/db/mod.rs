//! Datasets read from a database (`--data postgres://…`, `sqlite:FILE`,
//! `duckdb:FILE`):
//! each interchange table's header and rows become text cells for the
//! same [`TableParser`] a CSV file goes through, so validation, problem
//! messages and extra columns (`attr`) are the same code. A table has no
//! file order, so rows are read in key order: by the byte order of their
//! cells' text, all columns in table order, an empty cell (NULL) first —
//! the same order from every engine. A problem's line is the line it would
//! have in a CSV export in that order (the header is line 1), and reports
//! list subjects in that order.

use crate::mapping::Mapping;
use crate::problem::{LoadError, SourceKind};
use crate::table::{Place, Table, TableKind, TableParser};
use std::path::PathBuf;
use std::sync::Arc;

mod duckdb;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

/// A database named by a `--data` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Database {
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
    /// `sqlite:FILE`.
    Sqlite(PathBuf),
    /// `duckdb:FILE`, read through the DuckDB shell.
    DuckDb(PathBuf),
}

impl Database {
    /// The database a `--data` argument names; `None` for a file path.
    pub(crate) fn parse(text: &str) -> Option<Database> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Some(Database::Postgres(text.to_string()))
        } else if let Some(file) = text.strip_prefix("sqlite:") {
            Some(Database::Sqlite(file.into()))
        } else {
            text.strip_prefix("duckdb:")
                .map(|file| Database::DuckDb(file.into()))
        }
    }

    /// How problems and errors name the database: a URL without its
    /// password or query (which may hold one).
    pub(crate) fn name(&self) -> String {
        match self {
            Database::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                let rest = rest.split('?').next().unwrap_or_default();
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let authority = match authority.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or_default();
                        format!("{user}@{host}")
                    }
                    None => authority.to_string(),
                };
                let path = if path.is_empty() {
                    String::new()
                } else {
                    format!("/{path}")
                };
                format!("{scheme}://{authority}{path}")
            }
            Database::Sqlite(file) => format!("sqlite:{}", file.display()),
            Database::DuckDb(file) => format!("duckdb:{}", file.display()),
        }
    }
}

/// The name to show for a `--data` argument that names a database (its
/// password left out); `None` for a file or directory path.
///
/// ```
/// assert_eq!(
///     tenet_io::database_name("postgres://bureau:secret@10.0.0.5/records").as_deref(),
///     Some("postgres://bureau@10.0.0.5/records"),
/// );
/// assert_eq!(tenet_io::database_name("examples/lvyuan"), None);
/// ```
pub fn database_name(data: &str) -> Option<String> {
    Database::parse(data).map(|db| db.name())
}

/// One database's tables, read through its client.
trait Source {
    /// The table `kind`, parsed; `None` when the database has no table
    /// (or view) of that name. `Err` is the client's message.
    fn table(&mut self, kind: TableKind, place: Place) -> Result<Option<Table>, String>;
}

/// Reads every interchange table of `db`.
pub(crate) fn read(db: &Database, mapping: &Arc<Mapping>) -> Result<Vec<Table>, LoadError> {
    let name = db.name();
    let fail = |message: String| LoadError::Database {
        database: name.clone(),
        message,
    };
    let mut source: Box<dyn Source> =
        match db {
            #[cfg(feature = "postgres")]
            Database::Postgres(url) => Box::new(postgres::Postgres::connect(url).map_err(fail)?),
            #[cfg(feature = "sqlite")]
            Database::Sqlite(file) => Box::new(sqlite::Sqlite::open(file).map_err(fail)?),
            Database::DuckDb(file) => Box::new(duckdb::DuckDb::open(file).map_err(fail)?),
            #[allow(unreachable_patterns)]
            _ => return Err(fail(
                "this build has no client for this database (cargo features `postgres`, `sqlite`)"
                    .into(),
            )),
        };
    let mut tables = Vec::new();
    for kind in TableKind::ALL {
        let place = Place {
            source: SourceKind::Database,
            file: name.clone(),
            sheet: Some(kind.stem().to_string()),
            mapping: Arc::clone(mapping),
        };
        let table = source
            .table(kind, place.clone())
            .map_err(|e| fail(format!("table `{}`: {e}", kind.stem())))?;
        tables.push(table.unwrap_or_else(|| {
            if kind.required() {
                TableParser::missing(kind, place)
            } else {
                TableParser::empty(kind, place)
            }
        }));
    }
    Ok(tables)
}

/// `name` as an SQL identifier (both dialects quote with `"`).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `SELECT … FROM table ORDER BY …` reading every `(name, is_decimal)`
/// column as text — `cast` writes one as text in the dialect, decimals
/// lose the padding of their scale — ordered by the cells' bytes with an
/// empty cell (NULL) first; `collate` follows each order key (PostgreSQL
/// needs `COLLATE "C"` for byte order, DuckDB orders by bytes already).
fn select_as_text<'c>(
    table: &str,
    columns: impl Iterator<Item = (&'c str, bool)>,
    cast: impl Fn(&str) -> String,
    collate: &str,
) -> String {
    let mut select = Vec::new();
    let mut order = Vec::new();
    for (name, is_decimal) in columns {
        let text = cast(&quoted(name));
        let text = if is_decimal {
            decimal_text(&text)
        } else {
            text
        };
        order.push(format!("coalesce({text}, ''){collate}"));
        select.push(format!("{text} AS {}", quoted(name)));
    }
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        select.join(", "),
        quoted(table),
        order.join(", ")
    )
}

/// SQL that turns an exact decimal column to its shortest text: an engine
/// pads `2.5` in a `DECIMAL(18, 4)` column to `2.5000`, a CSV holds `2.5`.
fn decimal_text(text: &str) -> String {
    format!("CASE WHEN {text} LIKE '%.%' THEN rtrim(rtrim({text}, '0'), '.') ELSE {text} END")
}
