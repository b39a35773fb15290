//! The tables checked before a policy is judged on them.
//!
//! The native loader refuses a dataset whose rows contradict each other —
//! a repeated id or key, a reference to no row, an end before its start,
//! negative hours, a session outside its activity, attendance without an
//! enrollment, a required cell left empty, a value outside an
//! enumeration — and judges nothing (DESIGN §2). Tables in an engine come
//! from a bureau's own views, with no such guarantee, and the compiled SQL
//! would judge them anyway: a repeated enrollment counts its hours twice, a
//! dangling one drops out of a join, an unknown `kind` matches no filter.
//! [`checks_sql`] finds every such row, one statement per check; `tenet check
//! --engine` runs it first and judges only tables that pass, so the SQL
//! path refuses what the native one refuses.
//!
//! The checks are the loader's, on the raw rows: the loader also reports
//! the rows that refer to a row it rejected (an enrollment in an activity
//! whose dates are reversed); here that activity is named once, and the
//! enrollment is not. A dataset passes here exactly when it passes there.
//!
//! The query is fixed text per dialect (like the DDL of [`crate::schema`]):
//! nothing in it comes from a policy or from the data.
//!
//! ```
//! use tenet_sql::checks::{checks_sql, Found, TableProblem};
//! use tenet_sql::Dialect;
//! let sql = checks_sql(Dialect::Postgres);
//! assert!(sql.contains("FROM enrollments GROUP BY person, activity HAVING COUNT(*) > 1"));
//! // What a repeated enrollment reads as, once the engine has found it.
//! let p = TableProblem {
//!     table: "enrollments".into(),
//!     key: vec![("person", "t1".into()), ("activity", "a1".into())],
//!     column: "activity".into(),
//!     found: Found::Duplicate { rows: 2, with: None },
//! };
//! assert_eq!(p.to_string(), "enrollments (person `t1`, activity `a1`): 2 rows with the same key");
//! ```

use crate::dialect::Dialect;
use crate::rows::{Row, RowError};
use crate::schema::{ColType, TABLES};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;
use tenet::diagnostic::Lang;
use tenet::model::{DataErrorKind, FinanceItem, Kind, Level, Mode, Role, Status};

/// Rows listed per check; the rest are counted.
pub const SHOWN_PER_CHECK: u32 = 20;

/// What is wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// `rows` rows share the key (for ids shared by districts, schools and
    /// people: the tables they are in, `with` the other one's name).
    Duplicate {
        /// How many rows.
        rows: u64,
        /// The other table holding the id, when not the same.
        with: Option<String>,
    },
    /// A required cell is empty.
    MissingValue,
    /// A value outside its enumeration.
    UnknownValue {
        /// What the value is (`kind`, `role`, `finance item`).
        what: &'static str,
        /// The value.
        found: String,
        /// Every allowed spelling.
        allowed: Vec<&'static str>,
    },
    /// One of the loader's own findings, worded as it words them.
    Data(DataErrorKind),
}

/// A row that fails a check: its table, its key, the column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProblem {
    /// The table.
    pub table: String,
    /// The row's key, column by column.
    pub key: Vec<(&'static str, String)>,
    /// The column at fault.
    pub column: String,
    /// Why.
    pub found: Found,
}

/// What the checks found: the rows listed, and how many more there are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    /// Up to [`SHOWN_PER_CHECK`] rows per check, in check and key order.
    pub problems: Vec<TableProblem>,
    /// Rows found but not listed.
    pub more: u64,
}

impl Checked {
    /// Whether the tables passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.more == 0
    }

    /// What was found in the tables of `db`, in `lang`: a line saying
    /// nothing was judged, every problem listed, and the count of the rest.
    pub fn render_in(&self, db: &str, lang: Lang) -> String {
        let n = self.problems.len() as u64 + self.more;
        let head = match lang {
            Lang::Zh => format!("`{db}` 中有 {n} 行数据违反数据集的规则（读入文件时所做的检查），未作判定："),
            Lang::En => format!(
                "{n} row(s) of the tables in `{db}` break the dataset's rules (the checks made when loading files); nothing was judged:"
            ),
        };
        let mut out: Vec<String> = vec![head];
        out.extend(
            self.problems
                .iter()
                .map(|p| format!("  {}", p.render_in(lang))),
        );
        if self.more > 0 {
            out.push(match lang {
                Lang::Zh => format!("  …… 另有 {} 行", self.more),
                Lang::En => format!("  … and {} more", self.more),
            });
        }
        out.join("\n")
    }
}

impl TableProblem {
    /// The problem in `lang`: `table (key) `column`: why`.
    pub fn render_in(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let key: Vec<String> = self.key.iter().map(|(c, v)| format!("{c} `{v}`")).collect();
        let at = format!("{} ({})", self.table, key.join(", "));
        let why = match &self.found {
            Found::Duplicate { rows, with } => {
                return match (with, zh) {
                    (Some(t), false) => format!("{at}: the id is used by {rows} rows, also in {t}"),
                    (Some(t), true) => format!("{at}：这个 id 有 {rows} 行使用，{t} 中也有"),
                    (None, false) => format!("{at}: {rows} rows with the same key"),
                    (None, true) => format!("{at}：{rows} 行的键相同"),
                };
            }
            Found::MissingValue if zh => format!("缺少值：`{}` 必须填写", self.column),
            Found::MissingValue => format!("missing value: `{}` is required", self.column),
            Found::UnknownValue {
                what,
                found,
                allowed,
            } if zh => format!(
                "未知的{} `{found}`：应为以下之一：{}",
                tenet::diagnostic::translate(what, lang),
                allowed.join(", ")
            ),
            Found::UnknownValue {
                what,
                found,
                allowed,
            } => format!(
                "unknown {what} `{found}`: expected one of {}",
                allowed.join(", ")
            ),
            Found::Data(kind) => kind.message_in(lang),
        };
        let sep = if zh { "：" } else { ": " };
        format!("{at} `{}`{sep}{why}", self.column)
    }
}

impl fmt::Display for TableProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_in(Lang::En))
    }
}

/// What a check reports in the query's `kind` column.
#[derive(Clone, Copy)]
enum What {
    Duplicate,
    Missing,
    Value(&'static str, fn() -> Vec<&'static str>),
    Unknown(&'static str),
    EndBeforeStart,
    Range(&'static str),
    Outside,
    NotEnrolled,
}

impl What {
    fn code(self) -> &'static str {
        match self {
            What::Duplicate => "duplicate",
            What::Missing => "missing",
            What::Value(..) => "value",
            What::Unknown(_) => "unknown",
            What::EndBeforeStart => "end_before_start",
            What::Range(_) => "range",
            What::Outside => "outside",
            What::NotEnrolled => "not_enrolled",
        }
    }
}

/// One check: rows of `from` (aliased `x`) where `filter` holds.
struct Check {
    what: What,
    /// The table, or an expression naming it.
    table: String,
    column: &'static str,
    from: String,
    filter: String,
    /// The key columns' values (at most four).
    keys: Vec<String>,
    /// The value at fault, and two more the message needs.
    value: String,
    a: String,
    b: String,
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The key of each table's rows as the checks name them.
fn key_of(table: &str) -> &'static [&'static str] {
    match table {
        "enrollments" => &["person", "activity"],
        "attendance" => &["person", "session"],
        "mentorships" => &["mentor", "trainee", "program", "start_date"],
        "finance" => &["org", "year", "item"],
        _ => &["id"],
    }
}

/// The ids of districts, schools and people, with the table of each: one
/// namespace of ids.
const ACTORS: &str = "(SELECT id, 'districts' AS t FROM districts UNION ALL SELECT id, 'schools' AS t FROM schools UNION ALL SELECT id, 'people' AS t FROM people)";

fn row_check(what: What, table: &'static str, column: &'static str, filter: String) -> Check {
    let keys = key_of(table).iter().map(|k| format!("x.{k}")).collect();
    Check {
        what,
        table: quoted(table),
        column,
        from: format!("{table} AS x"),
        filter,
        keys,
        value: format!("x.{column}"),
        a: "NULL".into(),
        b: "NULL".into(),
    }
}

/// A reference from `table.column` that must name a row of `target`
/// (a subquery of ids).
fn reference(table: &'static str, column: &'static str, target: &str, noun: &'static str) -> Check {
    row_check(
        What::Unknown(noun),
        table,
        column,
        format!("x.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t.id = x.{column})"),
    )
}

fn duplicates(table: &'static str) -> Check {
    let key = key_of(table);
    let cols = key.join(", ");
    Check {
        what: What::Duplicate,
        table: quoted(table),
        column: key.last().copied().unwrap_or("id"),
        from: format!(
            "(SELECT {cols}, COUNT(*) AS n FROM {table} GROUP BY {cols} HAVING COUNT(*) > 1) AS x"
        ),
        filter: "TRUE".into(),
        keys: key.iter().map(|k| format!("x.{k}")).collect(),
        value: "NULL".into(),
        a: "x.n".into(),
        b: "NULL".into(),
    }
}

/// Every check, in the order problems are listed.
fn checks(dialect: Dialect) -> Vec<Check> {
    let trim = dialect.trim_function();
    let mut out = vec![
        // Districts, schools and people share one namespace of ids.
        Check {
            what: What::Duplicate,
            table: "x.t1".into(),
            column: "id",
            from: format!("(SELECT id, COUNT(*) AS n, MIN(t) AS t1, MAX(t) AS t2 FROM {ACTORS} AS a GROUP BY id HAVING COUNT(*) > 1) AS x"),
            filter: "TRUE".into(),
            keys: vec!["x.id".into()],
            value: "NULL".into(),
            a: "x.n".into(),
            b: "CASE WHEN x.t1 <> x.t2 THEN x.t2 END".into(),
        },
    ];
    out.extend(
        [
            "activities",
            "sessions",
            "enrollments",
            "attendance",
            "mentorships",
            "finance",
        ]
        .into_iter()
        .map(duplicates),
    );
    for t in &TABLES {
        for (column, ty, nullable) in t.columns {
            if *nullable {
                continue;
            }
            let filter = match ty {
                ColType::Text => format!("x.{column} IS NULL OR {trim}(x.{column}) = ''"),
                _ => format!("x.{column} IS NULL"),
            };
            out.push(row_check(What::Missing, t.name, column, filter));
        }
    }
    type Names = fn() -> Vec<&'static str>;
    let enumerations: [(&'static str, &'static str, &'static str, Names); 5] = [
        ("activities", "level", "level", Level::names),
        ("activities", "kind", "kind", Kind::names),
        ("activities", "mode", "mode", Mode::names),
        ("attendance", "status", "status", Status::names),
        ("finance", "item", "finance item", FinanceItem::names),
    ];
    for (table, column, what, names) in enumerations {
        let list: Vec<String> = names().iter().map(|n| quoted(n)).collect();
        out.push(row_check(
            What::Value(what, names),
            table,
            column,
            format!("x.{column} NOT IN ({})", list.join(", ")),
        ));
    }
    // Roles: each `;`-separated part (spaces and empty parts ignored, as
    // the loader and the compiled filters do) is a role. Separators are
    // doubled so that neighbouring roles are replaced one by one.
    let mut roles = "concat(';', REPLACE(REPLACE(x.roles, ' ', ''), ';', ';;'), ';')".to_string();
    for r in Role::names() {
        roles = format!("REPLACE({roles}, ';{r};', '')");
    }
    out.push(row_check(
        What::Value("role", Role::names),
        "people",
        "roles",
        format!("x.roles IS NOT NULL AND REPLACE({roles}, ';', '') <> ''"),
    ));
    let orgs = "(SELECT id FROM districts UNION ALL SELECT id FROM schools)";
    out.extend([
        reference("schools", "district", "districts", "district"),
        reference("people", "org", orgs, "school or district"),
        reference(
            "activities",
            "organizer",
            ACTORS,
            "organizer (school, district or person)",
        ),
        {
            let mut c = reference("activities", "host", orgs, "school or district");
            c.filter = format!("{trim}(x.host) <> '' AND {}", c.filter);
            c
        },
        reference("sessions", "activity", "activities", "activity"),
        reference("enrollments", "person", "people", "person"),
        reference("enrollments", "activity", "activities", "activity"),
        reference("attendance", "person", "people", "person"),
        reference("attendance", "session", "sessions", "session"),
        reference("mentorships", "mentor", "people", "person"),
        reference("mentorships", "trainee", "people", "person"),
        reference("finance", "org", orgs, "school or district"),
    ]);
    for table in ["activities", "mentorships"] {
        let mut c = row_check(
            What::EndBeforeStart,
            table,
            "end_date",
            "x.end_date < x.start_date".into(),
        );
        c.a = "x.start_date".into();
        c.b = "x.end_date".into();
        out.push(c);
    }
    out.extend([
        row_check(
            What::Range("zero or more"),
            "activities",
            "hours",
            "x.hours < 0".into(),
        ),
        row_check(
            What::Range("positive"),
            "sessions",
            "hours",
            "x.hours <= 0".into(),
        ),
        row_check(
            What::Range("zero or more"),
            "finance",
            "amount",
            "x.amount < 0".into(),
        ),
    ]);
    let mut outside = row_check(
        What::Outside,
        "sessions",
        "date",
        "x.date < a.start_date OR x.date > a.end_date".into(),
    );
    outside.from = "sessions AS x JOIN activities AS a ON (a.id = x.activity)".into();
    outside.a = "a.start_date".into();
    outside.b = "a.end_date".into();
    out.push(outside);
    let mut enrolled = row_check(
        What::NotEnrolled,
        "attendance",
        "session",
        "NOT EXISTS (SELECT 1 FROM enrollments AS e WHERE e.person = x.person AND e.activity = s.activity)".into(),
    );
    enrolled.from = "attendance AS x JOIN sessions AS s ON (s.id = x.session) JOIN people AS p ON (p.id = x.person)".into();
    enrolled.a = "s.activity".into();
    out.push(enrolled);
    out
}

/// The script that checks every table: one statement per check, each
/// ending in `;` on its own line, each returning the rows it found (up to
/// [`SHOWN_PER_CHECK`]) with the number its check found; columns `n, kind,
/// tbl, col, k1, k2, k3, k4, v, a, b, total`, all text.
///
/// One statement per check, not one query: as one `UNION ALL` an engine
/// may hold every check's hash tables at once (DuckDB at 2M teachers needs
/// more than 12 GB of memory and 40 GB of spill that way, and 12.6 GB as
/// separate statements; docs/performance.md).
pub fn checks_sql(dialect: Dialect) -> String {
    let text = dialect.text_type();
    let cast = |e: &str| {
        if e == "NULL" {
            format!("CAST(NULL AS {text})")
        } else {
            format!("CAST({e} AS {text})")
        }
    };
    let mut out = String::from("-- tenet: the tables checked before judging (tenet_sql::checks)\n");
    for (n, c) in checks(dialect).iter().enumerate() {
        let mut keys: Vec<String> = c.keys.iter().map(|k| cast(k)).collect();
        keys.resize(4, cast("NULL"));
        let keys: String = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} AS k{}, ", i + 1))
            .collect();
        let order: Vec<String> = (1..=c.keys.len()).map(|i| format!("k{i}")).collect();
        out.push_str(&format!(
            "SELECT CAST({n} AS {text}) AS n, '{kind}' AS kind, {table} AS tbl, '{col}' AS col, \
             {keys}{v} AS v, {a} AS a, {b} AS b, \
             CAST(COUNT(*) OVER () AS {text}) AS total\n  FROM {from}\n  WHERE {filter}\n  ORDER BY {order}\n  LIMIT {SHOWN_PER_CHECK};\n",
            kind = c.what.code(),
            table = c.table,
            col = c.column,
            v = cast(&c.value),
            a = cast(&c.a),
            b = cast(&c.b),
            from = c.from,
            filter = c.filter,
            order = order.join(", "),
        ));
    }
    out
}

/// Reads the rows that the statements of [`checks_sql`] returned, in any
/// order.
pub fn read(rows: &[Row]) -> Result<Checked, RowError> {
    let list = checks(Dialect::DuckDb);
    let mut found: Vec<(usize, Vec<String>, TableProblem)> = Vec::new();
    let mut totals = std::collections::BTreeMap::<usize, u64>::new();
    for (i, row) in rows.iter().enumerate() {
        let err = |what: String| RowError { row: i + 1, what };
        let cell = |k: usize| row.get(k).cloned().flatten();
        let text = |k: usize, name: &str| cell(k).ok_or_else(|| err(format!("no `{name}`")));
        let n: usize = text(0, "n")?
            .parse()
            .map_err(|_| err("`n` is not a check number".into()))?;
        let check = list
            .get(n)
            .ok_or_else(|| err(format!("no check number {n}")))?;
        let total: u64 = text(11, "total")?
            .parse()
            .map_err(|_| err("`total` is not a count".into()))?;
        totals.insert(n, total);
        let table = text(2, "tbl")?;
        let names = key_of(&table);
        let key: Vec<(&'static str, String)> = names
            .iter()
            .enumerate()
            .map(|(k, name)| (*name, cell(4 + k).unwrap_or_default()))
            .collect();
        let value = cell(8).unwrap_or_default();
        let date = |k: usize, name: &str| -> Result<NaiveDate, RowError> {
            text(k, name)?
                .parse()
                .map_err(|_| err(format!("`{name}` is not a date")))
        };
        let kind = match check.what {
            What::Duplicate => Found::Duplicate {
                rows: text(9, "a")?
                    .parse()
                    .map_err(|_| err("`a` is not a count".into()))?,
                with: cell(10),
            },
            What::Missing => Found::MissingValue,
            What::Value(what, names) => Found::UnknownValue {
                what,
                found: value,
                allowed: names(),
            },
            What::Unknown(expected) => Found::Data(DataErrorKind::UnknownReference {
                expected,
                id: value,
            }),
            What::EndBeforeStart => Found::Data(DataErrorKind::EndBeforeStart {
                start: date(9, "a")?,
                end: date(10, "b")?,
            }),
            What::Range(bound) => Found::Data(DataErrorKind::OutOfRange {
                what: check.column,
                bound,
                // As written in the data: engines print the column's scale.
                value: value
                    .parse::<Decimal>()
                    .map_err(|_| err("`v` is not a number".into()))?
                    .normalize(),
            }),
            What::Outside => Found::Data(DataErrorKind::SessionOutsideActivity {
                date: value.parse().map_err(|_| err("`v` is not a date".into()))?,
                start: date(9, "a")?,
                end: date(10, "b")?,
            }),
            What::NotEnrolled => Found::Data(DataErrorKind::AttendanceNotEnrolled {
                person: key.first().map(|k| k.1.clone()).unwrap_or_default(),
                session: key.get(1).map(|k| k.1.clone()).unwrap_or_default(),
                activity: text(9, "a")?,
            }),
        };
        let order = key.iter().map(|k| k.1.clone()).collect();
        found.push((
            n,
            order,
            TableProblem {
                table,
                key,
                column: check.column.to_string(),
                found: kind,
            },
        ));
    }
    // Checks in their order, rows by key, whatever order an engine (or a
    // runner joining the statements' rows) returned them in.
    found.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
    let shown = found.len() as u64;
    Ok(Checked {
        problems: found.into_iter().map(|(.., p)| p).collect(),
        more: totals.values().sum::<u64>().saturating_sub(shown),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_reads_back_its_own_number() {
        // The reader looks checks up by the number the query writes: the
        // same list in every dialect.
        for d in [Dialect::DuckDb, Dialect::Postgres, Dialect::Spark] {
            let sql = checks_sql(d);
            assert_eq!(
                sql.matches(";\n").count(),
                checks(Dialect::DuckDb).len(),
                "{d}"
            );
        }
    }

    #[test]
    fn a_missing_count_is_an_error_not_a_pass() {
        let row: Row = vec![Some("0".into()), Some("duplicate".into())];
        assert!(read(&[row]).is_err());
    }
}
