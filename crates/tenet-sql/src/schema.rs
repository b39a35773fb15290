//! The interchange tables of DESIGN §2 as SQL tables: same names, same
//! columns, exact types.
//!
//! ## Precision
//!
//! Hours are `DECIMAL(18, 4)` and amounts `DECIMAL(20, 2)`: a session or an
//! activity of up to 10^14 学时 with four decimals (the plans count whole
//! and half 学时), an amount of up to 10^18 CNY in fen. Data with more
//! decimals than that must not be loaded into these tables (the engines
//! would round on insert); `tenet check --data` on such a database reads
//! the values as stored. Every computed figure stays exact: the compiler
//! never divides (a quotient is carried as a numerator and a denominator
//! and compared by cross-multiplying), sums of `DECIMAL(18, 4)` are
//! `DECIMAL(38, 4)` (room for 10^20 maximal sessions), and a product adds
//! scales (`2.5%` of an amount is scale 5). An engine that cannot hold a
//! product exactly stops with an overflow error (DuckDB, PostgreSQL's
//! NUMERIC is unbounded, Spark with `spark.sql.decimalOperations.allowPrecisionLoss`
//! off — the runner sets it); none rounds silently.

use crate::dialect::Dialect;
use std::fmt::Write as _;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Text (ids, names, enums, `;`-separated roles).
    Text,
    /// A calendar date.
    Date,
    /// `true` / `false`.
    Bool,
    /// 学时: `DECIMAL(18, 4)`.
    Hours,
    /// CNY: `DECIMAL(20, 2)`.
    Money,
    /// A year number.
    Int,
}

impl ColType {
    /// The type as `dialect` spells it.
    pub fn sql(self, dialect: Dialect) -> &'static str {
        match self {
            ColType::Text => dialect.text_type(),
            ColType::Date => "DATE",
            ColType::Bool => "BOOLEAN",
            ColType::Hours => "DECIMAL(18, 4)",
            ColType::Money => "DECIMAL(20, 2)",
            ColType::Int => "INTEGER",
        }
    }
}

/// One interchange table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Table name (the CSV file's stem).
    pub name: &'static str,
    /// Columns in file order, with whether they may be empty.
    pub columns: &'static [(&'static str, ColType, bool)],
    /// The key (a primary key where the dialect has them).
    pub key: &'static [&'static str],
    /// Whether the file may be absent (an empty table).
    pub optional: bool,
}

use ColType::{Bool, Date, Hours, Int, Money, Text};

/// The tables of DESIGN §2, in dependency order.
pub const TABLES: [Table; 9] = [
    Table {
        name: "districts",
        columns: &[("id", Text, false), ("name", Text, false)],
        key: &["id"],
        optional: false,
    },
    Table {
        name: "schools",
        columns: &[
            ("id", Text, false),
            ("name", Text, false),
            ("district", Text, false),
            ("rural", Bool, false),
            ("training_base", Bool, false),
        ],
        key: &["id"],
        optional: false,
    },
    Table {
        name: "people",
        columns: &[
            ("id", Text, false),
            ("name", Text, false),
            ("org", Text, false),
            ("roles", Text, true),
            ("birth_date", Date, true),
            ("hire_date", Date, true),
            ("post_start_date", Date, true),
        ],
        key: &["id"],
        optional: false,
    },
    Table {
        name: "activities",
        columns: &[
            ("id", Text, false),
            ("title", Text, false),
            ("organizer", Text, false),
            ("host", Text, true),
            ("level", Text, false),
            ("kind", Text, false),
            ("mode", Text, false),
            ("start_date", Date, false),
            ("end_date", Date, false),
            ("hours", Hours, false),
        ],
        key: &["id"],
        optional: true,
    },
    Table {
        name: "sessions",
        columns: &[
            ("id", Text, false),
            ("activity", Text, false),
            ("date", Date, false),
            ("hours", Hours, false),
        ],
        key: &["id"],
        optional: true,
    },
    Table {
        name: "enrollments",
        columns: &[("person", Text, false), ("activity", Text, false)],
        key: &["person", "activity"],
        optional: true,
    },
    Table {
        name: "attendance",
        columns: &[
            ("person", Text, false),
            ("session", Text, false),
            ("status", Text, false),
        ],
        key: &["person", "session"],
        optional: true,
    },
    Table {
        name: "mentorships",
        columns: &[
            ("mentor", Text, false),
            ("trainee", Text, false),
            ("program", Text, false),
            ("start_date", Date, false),
            ("end_date", Date, false),
        ],
        key: &[],
        optional: true,
    },
    Table {
        name: "finance",
        columns: &[
            ("org", Text, false),
            ("year", Int, false),
            ("item", Text, false),
            ("amount", Money, false),
        ],
        key: &["org", "year", "item"],
        optional: true,
    },
];

/// The table named `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// `CREATE TABLE` statements for every interchange table.
///
/// ```
/// let ddl = tenet_sql::schema::ddl(tenet_sql::Dialect::Postgres);
/// assert!(ddl.contains("CREATE TABLE finance (\n  org TEXT NOT NULL,"));
/// assert!(ddl.contains("amount DECIMAL(20, 2) NOT NULL"));
/// ```
pub fn ddl(dialect: Dialect) -> String {
    let mut out = String::new();
    for t in &TABLES {
        out.push_str(&create(t, dialect, &[]));
        out.push('\n');
    }
    out
}

/// `CREATE TABLE` for `t`, with `extra` text columns after its own (a
/// bureau's columns, read by `attr`).
pub fn create(t: &Table, dialect: Dialect, extra: &[String]) -> String {
    create_table(t, dialect, extra, dialect.keys())
}

fn create_table(t: &Table, dialect: Dialect, extra: &[String], keys: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "CREATE TABLE {} (", t.name);
    let mut lines: Vec<String> = t
        .columns
        .iter()
        .map(|(name, ty, nullable)| {
            let null = if *nullable || dialect == Dialect::Spark {
                ""
            } else {
                " NOT NULL"
            };
            format!("  {name} {}{null}", ty.sql(dialect))
        })
        .collect();
    let q = dialect.quote();
    lines.extend(extra.iter().map(|c| {
        format!(
            "  {q}{}{q} {}",
            c.replace(q, &format!("{q}{q}")),
            dialect.text_type()
        )
    }));
    if keys && !t.key.is_empty() {
        lines.push(format!("  PRIMARY KEY ({})", t.key.join(", ")));
    }
    out.push_str(&lines.join(",\n"));
    out.push_str("\n)");
    if dialect == Dialect::Spark {
        out.push_str(" USING parquet");
    }
    out.push_str(";\n");
    out
}

/// The header of a CSV file: its columns beyond the table's own are the
/// extra columns.
pub fn extra_columns(t: &Table, header: &[String]) -> Vec<String> {
    header
        .iter()
        .filter(|h| !t.columns.iter().any(|(c, ..)| c == h))
        .cloned()
        .collect()
}

/// A script that creates the tables and loads a dataset directory into
/// them: DuckDB's `read_csv`, PostgreSQL's `\copy` (run it with `psql`).
/// DuckDB's tables are made without their keys (checked before judging
/// instead, [`crate::checks`]); PostgreSQL's keep them, and get the indexes
/// its plans use.
///
/// ```
/// use tenet_sql::{schema::load_script, Dialect};
/// let headers = [("enrollments".to_string(), vec!["person".to_string(), "activity".to_string()])];
/// assert!(!load_script(Dialect::DuckDb, "d", &headers).contains("PRIMARY KEY"));
/// assert!(load_script(Dialect::Postgres, "d", &headers).contains("PRIMARY KEY (person, activity)"));
/// ```
/// `headers` gives each present file's header (the table's stem and its
/// columns); absent optional files leave their table empty. Spark loads
/// through the runner (`runner/tenet_sql_run.py`), which reads the same
/// files with `spark.read.csv`.
pub fn load_script(dialect: Dialect, dir: &str, headers: &[(String, Vec<String>)]) -> String {
    let mut out = String::new();
    for t in &TABLES {
        let header = headers.iter().find(|(n, _)| n == t.name).map(|(_, h)| h);
        let extra = header.map(|h| extra_columns(t, h)).unwrap_or_default();
        // DuckDB builds a key's index row by row as it loads, in memory:
        // three quarters of the load's time (18 s against 4.9 s without
        // keys at 20,000 teachers). The keys are checked before judging
        // anyway (`crate::checks`), so its tables are loaded without them.
        let keys = dialect.keys() && dialect != Dialect::DuckDb;
        out.push_str(&create_table(t, dialect, &extra, keys));
        let Some(header) = header else { continue };
        let path = format!("{}/{}.csv", dir.trim_end_matches('/'), t.name);
        let q = dialect.quote();
        let cols: Vec<String> = header
            .iter()
            .map(|h| format!("{q}{}{q}", h.replace(q, &format!("{q}{q}"))))
            .collect();
        match dialect {
            Dialect::DuckDb => {
                let _ = writeln!(
                    out,
                    "INSERT INTO {} ({}) SELECT {} FROM read_csv('{}', header = true, all_varchar = true, quote = '\"', escape = '\"');",
                    t.name,
                    cols.join(", "),
                    cols.join(", "),
                    path.replace('\'', "''")
                );
            }
            Dialect::Postgres => {
                let _ = writeln!(
                    out,
                    "\\copy {} ({}) FROM '{}' WITH (FORMAT csv, HEADER true)",
                    t.name,
                    cols.join(", "),
                    path.replace('\'', "''")
                );
            }
            Dialect::Spark => {}
        }
    }
    if dialect == Dialect::Postgres {
        // The lookups every compiled rule makes (the keys are indexed
        // already); then statistics for the planner.
        for (table, cols) in INDEXES {
            let _ = writeln!(out, "CREATE INDEX ON {table} ({cols});");
        }
        out.push_str("ANALYZE;\n");
    }
    out
}

/// Indexes for the compiled queries' lookups (PostgreSQL runs correlated
/// subqueries row by row; DuckDB and Spark decorrelate them).
pub const INDEXES: [(&str, &str); 6] = [
    ("people", "org"),
    ("schools", "district"),
    ("activities", "organizer, kind"),
    ("activities", "host, kind"),
    ("sessions", "activity"),
    ("mentorships", "mentor"),
];
