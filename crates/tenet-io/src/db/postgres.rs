//! PostgreSQL: every table is exported with `COPY (SELECT …) TO STDOUT`
//! as CSV, each column cast to text by the server (exact: `NUMERIC` as
//! written, dates as ISO dates), and the CSV goes through the CSV reader.
//! All tables are read in one read-only, repeatable-read transaction, so
//! they come from one snapshot. No TLS: connect over loopback or a trusted
//! network (a URL asking for `sslmode=require` is refused by the client).

use super::{select_as_text, Source};
use crate::problem::Reason;
use crate::table::{Place, Table, TableKind, TableParser};
use crate::text::Encoding;
use std::io::Read as _;
use std::time::Duration;

/// How long to wait for the server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct Postgres {
    client: postgres::Client,
}

/// A column as the catalog describes it.
struct Column {
    name: String,
    /// `format_type`, e.g. `numeric(18,4)`, for messages.
    type_name: String,
    /// `pg_type.typname`, e.g. `numeric`, `float8`.
    base: String,
}

impl Postgres {
    /// Connects (password from the URL or `PGPASSWORD`) and starts the
    /// snapshot.
    pub(super) fn connect(url: &str) -> Result<Postgres, String> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_password().is_none() {
            if let Ok(password) = std::env::var("PGPASSWORD") {
                config.password(password);
            }
        }
        if config.get_application_name().is_none() {
            config.application_name("tenet");
        }
        let mut client = config
            .connect(postgres::NoTls)
            .map_err(|e| format!("cannot connect: {}", message(&e)))?;
        client
            .batch_execute(
                "SET client_encoding TO 'UTF8'; SET DateStyle TO ISO, YMD; \
                 START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY",
            )
            .map_err(|e| message(&e))?;
        Ok(Postgres { client })
    }

    fn columns(&mut self, table: &str) -> Result<Option<Vec<Column>>, String> {
        let found = self
            .client
            .query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&table])
            .map_err(|e| message(&e))?;
        if !found.get::<_, bool>(0) {
            return Ok(None);
        }
        let rows = self
            .client
            .query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), t.typname::text \
                 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
                 WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attnum",
                &[&table],
            )
            .map_err(|e| message(&e))?;
        Ok(Some(
            rows.iter()
                .map(|r| Column {
                    name: r.get(0),
                    type_name: r.get(1),
                    base: r.get(2),
                })
                .collect(),
        ))
    }
}

impl Source for Postgres {
    fn table(&mut self, kind: TableKind, place: Place) -> Result<Option<Table>, String> {
        let Some(columns) = self.columns(kind.stem())? else {
            return Ok(None);
        };
        let floats: Vec<String> = columns
            .iter()
            .filter(|c| matches!(c.base.as_str(), "float4" | "float8"))
            .map(|c| format!("`{}` ({})", c.name, c.type_name))
            .collect();
        if !floats.is_empty() {
            let header = columns.into_iter().map(|c| c.name).collect();
            let mut parser = TableParser::new(kind, place, header);
            parser.report(
                0,
                Reason::Malformed {
                    message: format!(
                        "column {} holds binary floats, which are not exact; store it as NUMERIC",
                        floats.join(", ")
                    ),
                },
            );
            return Ok(Some(parser.finish()));
        }
        let select = select_as_text(
            kind.stem(),
            columns
                .iter()
                .map(|c| (c.name.as_str(), c.base == "numeric")),
            |c| format!("{c}::text"),
            " COLLATE \"C\"",
        );
        let sql = format!("COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true)");
        let mut reader = self
            .client
            .copy_out(sql.as_str())
            .map_err(|e| message(&e))?;
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        Ok(Some(crate::sources::read_csv(
            kind,
            place,
            bytes,
            Encoding::Utf8,
        )))
    }
}

/// The server's own message when it sent one (authentication failed, no
/// such database), else the client's.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}
