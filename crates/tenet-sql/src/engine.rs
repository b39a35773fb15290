//! Running compiled SQL on an engine and reading its rows back.

use crate::rows::Row;

/// An engine failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Could not connect.
    #[error("cannot connect to {url}: {why}")]
    Connect {
        /// Where.
        url: String,
        /// Why.
        why: String,
    },
    /// The query failed.
    #[error("the engine refused the query: {0}")]
    Query(String),
    /// This build has no client for the engine.
    #[error("this build of tenet has no {0} client (build with the `{0}` feature)")]
    Missing(&'static str),
}

/// Runs `sql` (one statement or several) on the PostgreSQL database at
/// `url` (`postgres://…`) and returns every row of every statement in
/// order, each column as text or `NULL`.
#[cfg(feature = "postgres")]
pub fn postgres_rows(url: &str, sql: &str) -> Result<Vec<Row>, EngineError> {
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).map_err(|e| EngineError::Connect {
            url: url.to_string(),
            why: e.to_string(),
        })?;
    let rows = client
        .simple_query(sql)
        .map_err(|e| EngineError::Query(e.to_string()))?;
    Ok(rows
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(String::from)).collect())
            }
            _ => None,
        })
        .collect())
}

/// Without the `postgres` feature: always [`EngineError::Missing`].
#[cfg(not(feature = "postgres"))]
pub fn postgres_rows(_url: &str, _sql: &str) -> Result<Vec<Row>, EngineError> {
    Err(EngineError::Missing("postgres"))
}

/// Runs `sql` on the DuckDB database file `db` through the `duckdb`
/// command-line shell (PyPI `duckdb-cli`, or `$TENET_DUCKDB_CLI`), which
/// links no C++ into tenet. `sql` is one statement or several; returns
/// every row of every statement in order, each column as text or `NULL`
/// (the shell writes `NULL` as an empty field).
pub fn duckdb_rows(db: &str, sql: &str) -> Result<Vec<Row>, EngineError> {
    use std::io::Write as _;
    let shell = std::env::var("TENET_DUCKDB_CLI").unwrap_or_else(|_| "duckdb".into());
    let mut child = std::process::Command::new(&shell)
        .args(["-csv", "-noheader", "-nullvalue", "", "-readonly", db])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| EngineError::Connect {
            url: db.to_string(),
            why: format!("cannot start `{shell}` ({e}); install it with `pip install duckdb-cli` or set TENET_DUCKDB_CLI"),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(sql.as_bytes())
            .map_err(|e| EngineError::Query(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| EngineError::Query(e.to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(EngineError::Query(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    crate::rows::parse_headless_csv(&text).map_err(|e| EngineError::Query(e.to_string()))
}

/// The schools (id, name) of the database, by id: the per-school summary's
/// order.
pub fn schools_query() -> &'static str {
    "SELECT id, name FROM schools ORDER BY id"
}
