//! Datasets read from a database give what the same CSV files give: the
//! same rows, the same problems (table, column, value, kind). Each CSV
//! directory is stored in SQLite (always), DuckDB (when
//! `TENET_DUCKDB_CLI` names its shell) and PostgreSQL (when `TENET_PG_URL` names a server;
//! `.ci/db.sh` starts one), in the tables
//! `tenet sql schema` creates, or — for the hostile cases, whose values a
//! typed column would refuse on insert — in tables of text columns, as a
//! bureau's staging tables or views would hold them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tenet_io::{load, read_rows, LoadError, LoadOptions, Problem};
use tenet_sql::schema;
use tenet_sql::Dialect;

/// One CSV file: its table, header and records (empty cells as `None`).
struct Csv {
    stem: String,
    header: Vec<String>,
    records: Vec<Vec<Option<String>>>,
}

/// The CSV files of `dir` in table order; `None` when one cannot be a
/// table (not UTF-8, a NUL, a duplicated or empty header, a record of
/// another width): those cases are about the CSV syntax itself.
fn csv_files(dir: &Path) -> Option<Vec<Csv>> {
    let mut out = Vec::new();
    for t in &schema::TABLES {
        let path = dir.join(format!("{}.csv", t.name));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8(bytes).ok()?;
        if text.contains('\0') || text.contains('\u{feff}') || text.contains('\r') {
            return None;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header: Vec<String> = records.next()?.ok()?.iter().map(str::to_string).collect();
        let mut names = header.clone();
        names.sort();
        names.dedup();
        if names.len() != header.len() || header.iter().any(|h| h.trim().is_empty()) {
            return None;
        }
        let mut rows = Vec::new();
        for r in records {
            let r = r.ok()?;
            if r.len() != header.len() {
                return None;
            }
            rows.push(
                r.iter()
                    .map(|c| (!c.is_empty()).then(|| c.to_string()))
                    .collect(),
            );
        }
        out.push(Csv {
            stem: t.name.to_string(),
            header,
            records: rows,
        });
    }
    Some(out)
}

/// `CREATE TABLE` for a file: the interchange DDL (with its extra columns
/// as text), or every column as text with no constraint.
fn create(csv: &Csv, typed: bool) -> String {
    let q = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    if typed {
        let t = schema::table(&csv.stem).unwrap();
        schema::create(t, Dialect::Postgres, &schema::extra_columns(t, &csv.header))
    } else {
        let cols: Vec<String> = csv
            .header
            .iter()
            .map(|h| format!("{} TEXT", q(h)))
            .collect();
        format!("CREATE TABLE {} ({});", csv.stem, cols.join(", "))
    }
}

fn sqlite_of(files: &[Csv], typed: bool, at: &Path) -> String {
    let conn = rusqlite::Connection::open(at).unwrap();
    // One transaction: a commit per row would sync the file per row.
    conn.execute_batch("BEGIN").unwrap();
    for f in files {
        conn.execute_batch(&create(f, typed)).unwrap();
        let cols: Vec<String> = f.header.iter().map(|h| format!("\"{h}\"")).collect();
        let marks: Vec<String> = (1..=f.header.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            f.stem,
            cols.join(", "),
            marks.join(", ")
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        for r in &f.records {
            stmt.execute(rusqlite::params_from_iter(r.iter())).unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    format!("sqlite:{}", at.display())
}

/// The DuckDB shell named by `TENET_DUCKDB_CLI` (`.ci/db.sh` installs it
/// and sets it; each run of the shell costs about half a second, too
/// slow for the default test run).
fn duckdb_shell() -> Option<String> {
    let shell = std::env::var("TENET_DUCKDB_CLI").ok();
    if shell.is_none() {
        eprintln!("skipping DuckDB: TENET_DUCKDB_CLI is not set (.ci/db.sh sets it)");
    }
    shell
}

fn duckdb_of(files: &[Csv], typed: bool, shell: &str, at: &Path) -> String {
    let mut script = String::new();
    for f in files {
        let csv_path = at.with_extension(format!("{}.csv", f.stem));
        let mut w = csv::Writer::from_path(&csv_path).unwrap();
        w.write_record(&f.header).unwrap();
        for r in &f.records {
            w.write_record(r.iter().map(|c| c.as_deref().unwrap_or_default()))
                .unwrap();
        }
        w.flush().unwrap();
        let ddl = if typed {
            let t = schema::table(&f.stem).unwrap();
            schema::create(t, Dialect::DuckDb, &schema::extra_columns(t, &f.header))
        } else {
            create(f, false)
        };
        let cols: Vec<String> = f.header.iter().map(|h| format!("\"{h}\"")).collect();
        script.push_str(&format!(
            "{ddl}\nINSERT INTO {} ({}) SELECT * FROM read_csv('{}', header = true, auto_detect = false, columns = {{{}}});\n",
            f.stem,
            cols.join(", "),
            csv_path.display(),
            f.header
                .iter()
                .map(|h| format!("'{h}': 'VARCHAR'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut child = std::process::Command::new(shell)
        .arg(at)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "{script}");
    format!("duckdb:{}", at.display())
}

/// A PostgreSQL schema holding one dataset, dropped when done.
struct PgSchema {
    url: String,
    name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

impl PgSchema {
    /// The `--data` URL that reads this schema.
    fn data_url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{}", self.url, self.name)
    }
}

fn postgres_of(files: &[Csv], typed: bool, url: &str) -> PgSchema {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "tenet_io_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; SET search_path TO {name}"
    ))
    .unwrap();
    for f in files {
        c.batch_execute(&create(f, typed)).unwrap();
        let cols: Vec<String> = f.header.iter().map(|h| format!("\"{h}\"")).collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in &f.records {
            w.write_record(r.iter().map(|c| c.as_deref().unwrap_or_default()))
                .unwrap();
        }
        let body = w.into_inner().unwrap();
        let mut copy = c
            .copy_in(&format!(
                "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                f.stem,
                cols.join(", ")
            ))
            .unwrap();
        std::io::Write::write_all(&mut copy, &body).unwrap();
        copy.finish().unwrap();
    }
    PgSchema {
        url: url.to_string(),
        name,
    }
}

fn pg_url() -> Option<String> {
    let url = std::env::var("TENET_PG_URL").ok();
    if url.is_none() {
        eprintln!("skipping PostgreSQL: TENET_PG_URL is not set (.ci/db.sh sets it)");
    }
    url
}

/// Every database copy of `dir` that this run can make, by `--data` URL;
/// the guards keep them until dropped.
fn stored(dir: &Path, typed: bool, tmp: &Path) -> (Vec<String>, Vec<PgSchema>) {
    let files = csv_files(dir).unwrap_or_else(|| panic!("{} is not tables", dir.display()));
    let mut urls = vec![sqlite_of(&files, typed, &tmp.join("data.db"))];
    if let Some(shell) = duckdb_shell() {
        urls.push(duckdb_of(&files, typed, &shell, &tmp.join("data.duckdb")));
    }
    let mut guards = Vec::new();
    if let Some(url) = pg_url() {
        let s = postgres_of(&files, typed, &url);
        urls.push(s.data_url());
        guards.push(s);
    }
    (urls, guards)
}

/// Decimals by value: an engine's `DECIMAL(20, 2)` column cannot keep
/// the scale the CSV had (`2` and `2.00` both), so both sides are read at
/// their shortest; reports show figures normalized too.
fn by_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.contains('.') => {
            if let Ok(d) = s.parse::<rust_decimal::Decimal>() {
                *s = d.normalize().to_string();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(by_value),
        serde_json::Value::Object(map) => map.values_mut().for_each(by_value),
        _ => {}
    }
}

/// Rows in a canonical order: the database reads a table in key order,
/// a CSV file in its own.
fn sorted_rows(path: &Path) -> String {
    let rows = read_rows(path, &LoadOptions::default()).unwrap();
    let mut value = serde_json::to_value(&rows).unwrap();
    by_value(&mut value);
    let mut out = String::new();
    for (table, items) in value.as_object().unwrap() {
        let mut items: Vec<String> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        items.sort();
        out.push_str(&format!("{table}: {}\n", items.join("\n  ")));
    }
    out
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("people.csv").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_example_and_a_generated_district_read_the_same_from_a_database() {
    let gen = tempfile::tempdir().unwrap();
    let rows = tenet_io::gen::generate(&tenet_io::gen::GenConfig {
        teachers: 300,
        years: 2,
        seed: 11,
        start_year: 2022,
    });
    tenet_io::write_dir(&rows, gen.path()).unwrap();
    let mut dirs = examples();
    assert!(dirs.len() >= 5, "{dirs:?}");
    dirs.push(gen.path().to_path_buf());
    for dir in dirs {
        let expected = sorted_rows(&dir);
        let csv = load(&dir, &LoadOptions::default()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let (urls, _guards) = stored(&dir, true, tmp.path());
        for url in urls {
            let path = PathBuf::from(&url);
            assert_eq!(sorted_rows(&path), expected, "{} from {url}", dir.display());
            let db = load(&path, &LoadOptions::default()).unwrap();
            assert_eq!(db.dataset.people.len(), csv.dataset.people.len());
            let warnings = |l: &tenet_io::Loaded| {
                let mut w: Vec<String> = l.warnings.iter().map(|w| format!("{w:?}")).collect();
                w.sort();
                w
            };
            assert_eq!(
                warnings(&db),
                warnings(&csv),
                "{} from {url}",
                dir.display()
            );
        }
    }
}

/// What identifies a problem whatever the source: the table, the column,
/// the value and the kind of problem.
fn identity(p: &Problem) -> String {
    let table = p
        .sheet
        .clone()
        .unwrap_or_else(|| p.file.trim_end_matches(".csv").to_string());
    let reason = serde_json::to_value(&p.reason).unwrap();
    let kind = reason.get("kind").cloned().unwrap_or_default();
    format!(
        "{table} ({}) `{}`: {kind}",
        p.field.as_deref().unwrap_or("-"),
        p.value.as_deref().unwrap_or("")
    )
}

fn identities(result: Result<tenet_io::Loaded, LoadError>, what: &str) -> Vec<String> {
    let mut ids: Vec<String> = match result {
        Ok(_) => Vec::new(),
        Err(LoadError::Invalid(problems)) => problems.iter().map(identity).collect(),
        Err(other) => panic!("{what}: {other}"),
    };
    ids.sort();
    ids
}

/// Each bad-row kind of the CSV error tests, as (file, edit).
type Edit = (&'static str, fn(&str) -> String);

const EDITS: &[Edit] = &[
    ("people.csv", |t| {
        t.replace("1980-05-01", "2023-02-30")
            .replace("1975-03-12", "1975/03/12")
    }),
    ("activities.csv", |t| {
        t.replace("2023-04-10,3", "2023-04-10,3;0")
            .replace("2023-03-15,4", "2023-03-15,1e3")
    }),
    ("schools.csv", |t| t.replace("d1,true,false", "d1,对,false")),
    ("finance.csv", |t| t.replace("d1,2023", "d1,2023年")),
    ("activities.csv", |t| {
        t.replace("collective_prep", "lecture")
            .replace("district,delivered_lesson", "county,delivered_lesson")
    }),
    ("people.csv", |t| {
        t.replace("trainer;mentor", "trainer;coach")
    }),
    ("attendance.csv", |t| {
        t.replace("p2,e1,absent", "p2,e1,late")
    }),
    ("finance.csv", |t| t.replace("principal_payroll", "payroll")),
    ("people.csv", |t| {
        t.replace("id,name,org,roles,", "id,name,roles,")
            .replace(",s1,teacher", ",teacher")
            .replace(",s2,teacher", ",teacher")
            .replace(",d1,trainer", ",trainer")
    }),
    ("people.csv", |_| String::new()),
    ("finance.csv", |_| String::new()),
    ("people.csv", |t| t.replace("p3,张敏,s2,teacher", "p3,,s2,")),
    ("people.csv", |t| format!("{t}p1,王伟二,s2,teacher,,,,\n")),
    ("enrollments.csv", |t| format!("{t}p9,a1\np1,a9\n")),
    ("attendance.csv", |t| format!("{t}p3,e1,present\n")),
    ("mentorships.csv", |t| t.replace("2024-02-29", "2022-02-28")),
    ("activities.csv", |t| {
        t.replace("2023-04-10,3", "2023-04-10,-3")
    }),
    ("sessions.csv", |t| {
        t.replace("e3,a3,2023-03-01,2", "e3,a3,2023-03-01,0")
    }),
    ("enrollments.csv", |t| format!("{t}p2,a1\n")),
    ("sessions.csv", |t| {
        t.replace("e2,a2,2023-04-10", "e2,a2,2023-05-10")
    }),
    ("finance.csv", |t| {
        t.replace("10770000.00", "10770000.001")
            .replace("538500.00", "12345678901234567890123456789.5")
    }),
];

/// The problems of `dir` read as CSV and from each database, compared.
fn assert_same_problems(dir: &Path, what: &str) {
    let expected = identities(load(dir, &LoadOptions::default()), what);
    let tmp = tempfile::tempdir().unwrap();
    let (urls, _guards) = stored(dir, false, tmp.path());
    for url in urls {
        let got = identities(load(Path::new(&url), &LoadOptions::default()), what);
        assert_eq!(got, expected, "{what} from {url}");
    }
}

#[test]
fn every_bad_row_kind_gives_the_same_problem_from_a_database() {
    for (i, (file, edit)) in EDITS.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        common::write_with(dir.path(), |name, text| {
            let text = if name == *file {
                edit(text)
            } else {
                text.to_string()
            };
            // An empty file stands for a missing table.
            (!text.is_empty()).then_some(text)
        });
        let what = format!("edit {i} of {file}");
        assert_same_problems(dir.path(), &what);
    }
}

#[test]
fn hostile_cases_that_are_tables_give_the_same_problems_from_a_database() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut tried = Vec::new();
    for case in std::fs::read_dir(root).unwrap() {
        let case = case.unwrap().path();
        let dir = tempfile::tempdir().unwrap();
        common::write_base(dir.path());
        for f in std::fs::read_dir(&case).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "csv") {
                std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
            }
        }
        if csv_files(dir.path()).is_none() {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        assert_same_problems(dir.path(), &name);
        tried.push(name);
    }
    tried.sort();
    for case in [
        "amount-1e400",
        "amount-beyond-precision",
        "date-2023-02-30",
        "negative-hours",
    ] {
        assert!(tried.iter().any(|t| t == case), "{tried:?}");
    }
}

#[test]
fn problems_name_the_database_table_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    common::write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" => text.replace("1980-05-01", "2023-02-30"),
            _ => text.to_string(),
        })
    });
    let files = csv_files(dir.path()).unwrap();
    let db = dir.path().join("bad.db");
    let url = sqlite_of(&files, false, &db);
    let err = load(Path::new(&url), &LoadOptions::default()).unwrap_err();
    // p1 is the second row in id order (m1, p1, …): line 3 counting the header.
    assert_eq!(
        err.problems()[0].to_string(),
        format!(
            "sqlite:{}[people]:3:5 (birth_date): invalid date `2023-02-30`: no such day",
            db.display()
        ),
        "{err}"
    );
}

#[test]
fn a_missing_table_is_reported_like_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    common::write_with(dir.path(), |name, text| {
        (name != "people.csv").then(|| text.to_string())
    });
    let files = csv_files(dir.path()).unwrap();
    let url = sqlite_of(&files, true, &dir.path().join("d.db"));
    let err = load(Path::new(&url), &LoadOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("[people]: missing required table"), "{text}");
}

#[test]
fn extra_columns_stay_available_as_attributes() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let files = csv_files(dir.path()).unwrap();
    let url = sqlite_of(&files, true, &dir.path().join("d.db"));
    let db = load(Path::new(&url), &LoadOptions::default()).unwrap();
    let csv = load(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(db.dataset.people.len(), csv.dataset.people.len());
    let rows = sorted_rows(Path::new(&url));
    assert!(
        rows.contains("语文") && rows.contains("xuequ_lead"),
        "{rows}"
    );
    assert_eq!(rows, sorted_rows(dir.path()));
}

/// SQLite keeps `2.5` in a DECIMAL column as a binary float; what reads
/// back exactly is used, what may not is reported, with its column.
#[test]
fn sqlite_floats_are_used_only_when_exact() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let files = csv_files(dir.path()).unwrap();
    let db = dir.path().join("d.db");
    let url = sqlite_of(&files, true, &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE sessions SET hours = '2.5' WHERE id = 'e1'", [])
        .unwrap();
    let stored: String = conn
        .query_row(
            "SELECT typeof(hours) FROM sessions WHERE id = 'e1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "real");
    let loaded = read_rows(Path::new(&url), &LoadOptions::default()).unwrap();
    let e1 = loaded.sessions.iter().find(|s| s.id == "e1").unwrap();
    assert_eq!(e1.hours.to_string(), "2.5");
    conn.execute("UPDATE sessions SET hours = 0.1 + 0.2 WHERE id = 'e1'", [])
        .unwrap();
    conn.execute("UPDATE people SET subject = x'00ff' WHERE id = 'p2'", [])
        .unwrap();
    let err = load(Path::new(&url), &LoadOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("[sessions]:2:4 (hours): ") && text.contains("0.30000000000000004"),
        "{text}"
    );
    assert!(
        text.contains("(subject): ") && text.contains("a BLOB"),
        "{text}"
    );
}

#[test]
fn unreadable_databases_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            format!("sqlite:{}", dir.path().join("absent.db").display()),
            "no database file",
        ),
        ("duckdb:x.duckdb".to_string(), "no database file"),
        ("postgres://u@127.0.0.1:1/db".to_string(), "cannot connect"),
        ("postgres://u@[bad/db".to_string(), "not a PostgreSQL URL"),
    ];
    let not_db = dir.path().join("text.db");
    std::fs::write(&not_db, "id,name\n".repeat(200)).unwrap();
    let mut cases = cases.to_vec();
    cases.push((format!("sqlite:{}", not_db.display()), "not a database"));
    for (url, expected) in cases {
        let err = load(Path::new(&url), &LoadOptions::default()).unwrap_err();
        assert!(matches!(err, LoadError::Database { .. }), "{url}: {err}");
        assert!(err.to_string().contains(expected), "{url}: {err}");
    }
}

#[test]
fn passwords_are_not_shown() {
    let err = load(
        Path::new("postgres://bureau:hunter2@127.0.0.1:1/records?password=hunter2"),
        &LoadOptions::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("`postgres://bureau@127.0.0.1:1/records`"),
        "{text}"
    );
}

#[test]
fn postgres_errors_name_the_table_and_column() {
    let Some(url) = pg_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let files = csv_files(dir.path()).unwrap();
    let s = postgres_of(&files, true, &url);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "ALTER TABLE {}.sessions ALTER COLUMN hours TYPE double precision",
        s.name
    ))
    .unwrap();
    let err = load(Path::new(&s.data_url()), &LoadOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("[sessions]: ") && text.contains("`hours` (double precision)"),
        "{text}"
    );
    let bad_db = format!(
        "{}/no_such_database_{}",
        url.rsplit_once('/').unwrap().0,
        std::process::id()
    );
    let err = load(Path::new(&bad_db), &LoadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}

/// Decisions R7 in a database (SQLite; DuckDB and PostgreSQL when this
/// run has them): SQL NULL and a text of spaces in a column the table has
/// read as `""`; a column it lacks is unknown.
#[test]
fn a_null_database_cell_is_empty_text() {
    let dir = tempfile::tempdir().unwrap();
    // m1's subject is an empty CSV cell, stored as NULL; p3's is spaces.
    common::write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" => text.replace(",英语\n", ",  \n"),
            _ => text.to_string(),
        })
    });
    let (urls, _guards) = stored(dir.path(), true, dir.path());
    for url in urls {
        let d = load(Path::new(&url), &LoadOptions::default())
            .unwrap()
            .dataset;
        // A database's rows come in key order.
        assert_eq!(
            common::attr_verdicts(&d, "person", r#"x.attr("subject") = """#),
            ["m1 pass", "p1 fail", "p2 fail", "p3 pass"],
            "{url}"
        );
        assert_eq!(
            common::attr_verdicts(&d, "district", r#"x.attr("subject") = """#),
            ["d1 unknown: the `districts` data has no `subject` column"],
            "{url}"
        );
    }
}
