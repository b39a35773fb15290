//! The table checks (`tenet_sql::checks`) on real engines against the
//! native loader: each corruption of a shipped dataset is refused by the
//! loader and found by the checks' query, naming the table and column;
//! the clean dataset passes both. The tables are made without keys or
//! `NOT NULL` (as a bureau's views are), so the corruption reaches them.
//! DuckDB needs `TENET_DUCKDB_CLI`, PostgreSQL `TENET_PG_URL` (and `psql`);
//! each is skipped with a message otherwise. `.ci/sql.sh` sets both.
// The helpers below are test code outside `#[test]` functions.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod support;

use std::path::Path;
use tenet_sql::checks::{self, Checked, Found};
use tenet_sql::{rows, schema, Dialect};

/// A corruption: file, text replaced (or `""` to append `with`), and the
/// table and column the checks must name first.
struct Bad {
    name: &'static str,
    file: &'static str,
    replace: &'static str,
    with: &'static str,
    table: &'static str,
    column: &'static str,
}

const BAD: &[Bad] = &[
    Bad {
        name: "repeated enrollment",
        file: "enrollments",
        replace: "",
        with: "lv-t01,lv-2020-online",
        table: "enrollments",
        column: "activity",
    },
    Bad {
        name: "enrollment in no activity",
        file: "enrollments",
        replace: "",
        with: "lv-t01,lv-nowhere",
        table: "enrollments",
        column: "activity",
    },
    Bad {
        name: "person in no org",
        file: "people",
        replace: ",lv-s1,principal",
        with: ",lv-s9,principal",
        table: "people",
        column: "org",
    },
    Bad {
        name: "school with a person's id",
        file: "schools",
        replace: "",
        with: "lv-t01,某校,lv,false,false",
        table: "people",
        column: "id",
    },
    Bad {
        name: "unknown host",
        file: "activities",
        replace: ",lv,,district,course,online,2020-03-01",
        with: ",lv,lv-zz,district,course,online,2020-03-01",
        table: "activities",
        column: "host",
    },
    Bad {
        name: "reversed activity dates",
        file: "activities",
        replace: "2020-07-10,2020-07-13",
        with: "2020-07-13,2020-07-10",
        table: "activities",
        column: "end_date",
    },
    Bad {
        name: "session of no hours",
        file: "sessions",
        replace: "lv-2020-online-s1,lv-2020-online,2020-03-01,15",
        with: "lv-2020-online-s1,lv-2020-online,2020-03-01,0",
        table: "sessions",
        column: "hours",
    },
    Bad {
        name: "session outside its activity",
        file: "sessions",
        replace: "lv-2020-online-s2,lv-2020-online,2020-05-31",
        with: "lv-2020-online-s2,lv-2020-online,2021-05-31",
        table: "sessions",
        column: "date",
    },
    Bad {
        name: "attendance without enrollment",
        file: "attendance",
        replace: "",
        with: "lv-k1,lv-2020-online-s1,present",
        table: "attendance",
        column: "session",
    },
    Bad {
        name: "unknown attendance status",
        file: "attendance",
        replace: "lv-t01,lv-2020-online-s1,present",
        with: "lv-t01,lv-2020-online-s1,here",
        table: "attendance",
        column: "status",
    },
    Bad {
        name: "unknown activity kind",
        file: "activities",
        replace: ",district,course,offline,2020-07-10",
        with: ",district,lecture,offline,2020-07-10",
        table: "activities",
        column: "kind",
    },
    Bad {
        name: "unknown role",
        file: "people",
        replace: "principal;reserve_cadre",
        with: "principal;boss",
        table: "people",
        column: "roles",
    },
    Bad {
        name: "empty name",
        file: "people",
        replace: "lv-k1,杜艳,",
        with: "lv-k1, ,",
        table: "people",
        column: "name",
    },
    Bad {
        name: "negative amount",
        file: "finance",
        replace: "lv-s1,2020,teacher_training_funds,48000.00",
        with: "lv-s1,2020,teacher_training_funds,-1.00",
        table: "finance",
        column: "amount",
    },
    Bad {
        name: "repeated finance line",
        file: "finance",
        replace: "",
        with: "lv-s1,2020,public_funds_budget,1.00",
        table: "finance",
        column: "item",
    },
];

/// The shipped lvyuan dataset with `bad` applied, in a new directory.
fn corrupted(bad: Option<&Bad>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let from = support::root().join("examples/lvyuan");
    for e in std::fs::read_dir(&from).expect("examples/lvyuan") {
        let path = e.expect("an entry").path();
        let name = path.file_name().expect("a name").to_owned();
        let mut text = std::fs::read_to_string(&path).expect("a CSV file");
        if let Some(b) = bad.filter(|b| name == format!("{}.csv", b.file).as_str()) {
            if b.replace.is_empty() {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(b.with);
                text.push('\n');
            } else {
                assert!(
                    text.contains(b.replace),
                    "{}: `{}` not in the file",
                    b.name,
                    b.replace
                );
                text = text.replacen(b.replace, b.with, 1);
            }
        }
        std::fs::write(dir.path().join(name), text).expect("written");
    }
    dir
}

/// The load script without keys or `NOT NULL`: tables as loose as views.
fn loose_load(dialect: Dialect, dir: &Path) -> String {
    let script = schema::load_script(dialect, &dir.to_string_lossy(), &support::headers(dir));
    let mut out = String::new();
    for line in script.lines() {
        if line.trim_start().starts_with("PRIMARY KEY") {
            // the column before it ends with a comma
            if out.ends_with(",\n") {
                out.truncate(out.len() - 2);
                out.push('\n');
            }
            continue;
        }
        out.push_str(&line.replace(" NOT NULL", ""));
        out.push('\n');
    }
    out
}

fn native_refuses(dir: &Path) -> bool {
    tenet_io::load(dir, &tenet_io::LoadOptions::default()).is_err()
}

fn duckdb(dir: &Path) -> Option<Checked> {
    let shell = std::env::var("TENET_DUCKDB_CLI").ok()?;
    let db = dir.join("t.duckdb");
    let script = loose_load(Dialect::DuckDb, dir);
    // `-init /dev/null`: not the user's ~/.duckdbrc (which the shell
    // announces on stderr, which `run` requires empty).
    run(
        &shell,
        &["-init", "/dev/null", db.to_string_lossy().as_ref()],
        &script,
    );
    let rows =
        tenet_sql::engine::duckdb_rows(&db.to_string_lossy(), &checks::checks_sql(Dialect::DuckDb))
            .expect("the checks run on DuckDB");
    Some(checks::read(&rows).expect("the checks' rows read"))
}

fn postgres(dir: &Path, n: usize) -> Option<Checked> {
    let url = std::env::var("TENET_PG_URL").ok()?;
    let schema = format!("tenet_checks_{}_{n}", std::process::id());
    let out = dir.join("checks.csv");
    let script = format!(
        "SET client_min_messages = warning;\nDROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n{}\n\\pset format csv\n\\pset tuples_only on\n\\o {}\n{}\n\\o\nDROP SCHEMA {schema} CASCADE;\n",
        loose_load(Dialect::Postgres, dir),
        out.display(),
        checks::checks_sql(Dialect::Postgres).trim_end()
    );
    run(
        "psql",
        &[url.as_str(), "-X", "-q", "-v", "ON_ERROR_STOP=1"],
        &script,
    );
    let text = std::fs::read_to_string(&out).expect("the checks' rows");
    let rows = rows::parse_headless_csv(&text).expect("CSV rows");
    Some(checks::read(&rows).expect("the checks' rows read"))
}

fn run(program: &str, args: &[&str], stdin: &str) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("script written");
    let out = child.wait_with_output().expect("it ran");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The clean dataset passes, every corruption is found (the first problem
/// names its table and column), and the loader refuses each too.
fn check_engine(engine: &str, on: &dyn Fn(&Path, usize) -> Option<Checked>) {
    let clean = corrupted(None);
    assert!(!native_refuses(clean.path()), "the shipped dataset loads");
    let Some(found) = on(clean.path(), 0) else {
        println!("skipped: {engine} is not configured");
        return;
    };
    assert!(
        found.passed(),
        "{engine}: the shipped dataset fails:\n{}",
        found.render_in("t", tenet::diagnostic::Lang::En)
    );
    for (i, bad) in BAD.iter().enumerate() {
        let dir = corrupted(Some(bad));
        assert!(
            native_refuses(dir.path()),
            "{}: the native loader accepts it",
            bad.name
        );
        let found = on(dir.path(), i + 1).expect("configured");
        let text = found.render_in("t", tenet::diagnostic::Lang::En);
        assert!(
            found
                .problems
                .iter()
                .any(|p| p.table == bad.table && p.column == bad.column),
            "{engine}, {}: no problem in {}.{}; found:\n{text}",
            bad.name,
            bad.table,
            bad.column
        );
        println!("{engine}, {}:\n{text}", bad.name);
    }
}

#[test]
fn duckdb_finds_what_the_loader_refuses() {
    check_engine("duckdb", &|d, _| duckdb(d));
}

#[test]
fn postgres_finds_what_the_loader_refuses() {
    check_engine("postgres", &postgres);
}

/// Past [`checks::SHOWN_PER_CHECK`] rows a check lists that many and
/// counts the rest: nothing found is dropped from the total.
#[test]
fn many_problems_are_counted_not_lost() {
    let dir = corrupted(None);
    let path = dir.path().join("enrollments.csv");
    let mut text = std::fs::read_to_string(&path).expect("enrollments");
    for k in 0..50 {
        text.push_str(&format!("lv-t01,lv-none-{k:02}\n"));
    }
    std::fs::write(&path, text).expect("written");
    let Some(found) = duckdb(dir.path()) else {
        println!("skipped: TENET_DUCKDB_CLI is not set");
        return;
    };
    let unknown: Vec<_> = found
        .problems
        .iter()
        .filter(|p| matches!(p.found, Found::Data(_)) && p.table == "enrollments")
        .collect();
    assert_eq!(unknown.len(), checks::SHOWN_PER_CHECK as usize);
    assert_eq!(found.more, 50 - u64::from(checks::SHOWN_PER_CHECK));
    // Listed in key order: the first 20 activities by id.
    assert_eq!(unknown[0].key[1].1, "lv-none-00");
    assert!(found
        .render_in("t", tenet::diagnostic::Lang::Zh)
        .contains("另有 30 行"));
}

/// Corruptions whose checks Spark spells its own way (roles through
/// `concat`, anti-joins, the session's activity joined): the Spark test
/// runs these, as each case costs it seconds.
const ON_SPARK: [&str; 5] = [
    "repeated enrollment",
    "unknown role",
    "enrollment in no activity",
    "session outside its activity",
    "attendance without enrollment",
];

/// On Spark (the runner, one session for every case): the clean dataset
/// passes and each corruption of [`ON_SPARK`] is found. Needs
/// `TENET_SPARK_PYTHON`.
#[test]
fn spark_finds_what_the_loader_refuses() {
    let Ok(python) = std::env::var("TENET_SPARK_PYTHON") else {
        println!("skipped: TENET_SPARK_PYTHON is not set (a python3 with pyspark)");
        return;
    };
    let work = tempfile::tempdir().expect("a temp dir");
    let sql = work.path().join("checks.sql");
    std::fs::write(&sql, checks::checks_sql(Dialect::Spark)).expect("written");
    let cases: Vec<(Option<&Bad>, tempfile::TempDir)> = std::iter::once(None)
        .chain(BAD.iter().filter(|b| ON_SPARK.contains(&b.name)).map(Some))
        .map(|b| (b, corrupted(b)))
        .collect();
    let manifest: Vec<serde_json::Value> = cases
        .iter()
        .map(|(_, dir)| {
            serde_json::json!({"data": dir.path(), "sql": sql, "out": dir.path().join("checks.csv")})
        })
        .collect();
    let m = work.path().join("manifest.json");
    std::fs::write(&m, serde_json::Value::Array(manifest).to_string()).expect("written");
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("runner/tenet_sql_run.py");
    let status = std::process::Command::new(python)
        .arg(runner)
        .args(["--engine", "spark"])
        .arg(&m)
        .status()
        .expect("the runner starts");
    for (bad, dir) in &cases {
        let out = dir.path().join("checks.csv");
        let text = std::fs::read_to_string(&out).unwrap_or_else(|_| {
            let error =
                std::fs::read_to_string(out.with_extension("csv.error")).unwrap_or_default();
            panic!(
                "spark: no rows for {:?} ({status}): {error}",
                bad.map(|b| b.name)
            )
        });
        let found = checks::read(&rows::parse_csv(&text).expect("CSV rows"))
            .expect("the checks' rows read");
        let shown = found.render_in("t", tenet::diagnostic::Lang::En);
        match bad {
            None => assert!(found.passed(), "spark: the shipped dataset fails:\n{shown}"),
            Some(b) => assert!(
                found
                    .problems
                    .iter()
                    .any(|p| p.table == b.table && p.column == b.column),
                "spark, {}: no problem in {}.{}; found:\n{shown}",
                b.name,
                b.table,
                b.column
            ),
        }
    }
}
