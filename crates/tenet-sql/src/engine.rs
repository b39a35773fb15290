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

/// Runs `sql` on the PostgreSQL database at `url` (`postgres://…`) and
/// returns every row, each column as text or `NULL`.
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
