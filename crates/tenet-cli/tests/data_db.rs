//! `tenet check --data` on a database gives the byte-identical report the
//! same CSV directory gives: every shipped example stored in SQLite
//! (always), DuckDB (when `TENET_DUCKDB_CLI` names its shell) and
//! PostgreSQL (when `TENET_PG_URL` is set; `.ci/db.sh` sets both), in the
//! tables `tenet sql schema` creates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use tenet_sql::{schema, Dialect};

mod server;

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .unwrap()
}

/// Each shipped example and the evaluation date its README uses.
const EXAMPLES: &[(&str, &str)] = &[
    ("lvyuan", "2024-03-01"),
    ("binyang", "2023-03-01"),
    ("xuhui", "2018-07-01"),
    ("heping", "2024-06-30"),
    ("daxing", "2023-09-15"),
];

/// Each CSV file of `dir`: table, header, records (empty cells `None`).
type Files = Vec<(&'static str, Vec<String>, Vec<Vec<Option<String>>>)>;

fn csv_files(dir: &Path) -> Files {
    let mut out = Vec::new();
    for t in &schema::TABLES {
        let Ok(mut reader) = csv::Reader::from_path(dir.join(format!("{}.csv", t.name))) else {
            continue;
        };
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let records = reader
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|c| (!c.is_empty()).then(|| c.to_string()))
                    .collect()
            })
            .collect();
        out.push((t.name, header, records));
    }
    out
}

fn ddl(stem: &str, header: &[String]) -> String {
    let t = schema::table(stem).unwrap();
    schema::create(t, Dialect::Postgres, &schema::extra_columns(t, header))
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_sqlite(files: &Files, at: &Path) -> String {
    let conn = rusqlite::Connection::open(at).unwrap();
    // One transaction: a commit per row would sync the file per row.
    conn.execute_batch("BEGIN").unwrap();
    for (stem, header, records) in files {
        conn.execute_batch(&ddl(stem, header)).unwrap();
        let marks: Vec<String> = (1..=header.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {stem} ({}) VALUES ({})",
            quoted(header),
            marks.join(", ")
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        for r in records {
            stmt.execute(rusqlite::params_from_iter(r.iter())).unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    format!("sqlite:{}", at.display())
}

/// Loads `files` into a fresh schema `name`; the `--data` URL reading it.
fn to_postgres(files: &Files, url: &str, name: &str) -> String {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; SET search_path TO {name}"
    ))
    .unwrap();
    for (stem, header, records) in files {
        c.batch_execute(&ddl(stem, header)).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in records {
            w.write_record(r.iter().map(|c| c.as_deref().unwrap_or_default()))
                .unwrap();
        }
        let mut copy = c
            .copy_in(&format!(
                "COPY {stem} ({}) FROM STDIN WITH (FORMAT csv)",
                quoted(header)
            ))
            .unwrap();
        std::io::Write::write_all(&mut copy, &w.into_inner().unwrap()).unwrap();
        copy.finish().unwrap();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{name}")
}

/// Loads `dir` into a DuckDB file with the shipped load script
/// (`tenet sql load --dialect duckdb`), through the DuckDB shell.
fn to_duckdb(shell: &str, dir: &Path, at: &Path) -> String {
    let script = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["sql", "load", "--dialect", "duckdb", "--data"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        script.status.success(),
        "{}",
        String::from_utf8_lossy(&script.stderr)
    );
    let mut child = Command::new(shell)
        .arg(at)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &script.stdout).unwrap();
    assert!(child.wait().unwrap().success());
    format!("duckdb:{}", at.display())
}

fn check(policy: &str, data: &str, as_of: &str, format: &str) -> (Option<i32>, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(root())
        .args([
            "check", "--policy", policy, "--data", data, "--as-of", as_of,
        ])
        .args(["--format", format])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), out.stdout, err)
}

#[test]
fn every_example_reports_the_same_from_a_database() {
    let pg = std::env::var("TENET_PG_URL").ok();
    if pg.is_none() {
        eprintln!("skipping PostgreSQL: TENET_PG_URL is not set (.ci/db.sh sets it)");
    }
    let tmp = tempfile::tempdir().unwrap();
    for (name, as_of) in EXAMPLES {
        let mut files = csv_files(&root().join("examples").join(name));
        // A database is read in key order (the byte order of each row's
        // cells); the CSV the database is compared with is in that order too.
        for (_, _, records) in &mut files {
            records.sort_by(|a, b| {
                let key = |r: &Vec<Option<String>>| -> Vec<String> {
                    r.iter().map(|c| c.clone().unwrap_or_default()).collect()
                };
                key(a).cmp(&key(b))
            });
        }
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        for (stem, header, records) in &files {
            let mut w = csv::Writer::from_path(dir.join(format!("{stem}.csv"))).unwrap();
            w.write_record(header).unwrap();
            for r in records {
                w.write_record(r.iter().map(|c| c.as_deref().unwrap_or_default()))
                    .unwrap();
            }
            w.flush().unwrap();
        }
        let mut urls = vec![to_sqlite(&files, &tmp.path().join(format!("{name}.db")))];
        if let Ok(shell) = std::env::var("TENET_DUCKDB_CLI") {
            urls.push(to_duckdb(
                &shell,
                &dir,
                &tmp.path().join(format!("{name}.duckdb")),
            ));
        }
        let schema_name = format!("tenet_cli_test_{}_{name}", std::process::id());
        if let Some(url) = &pg {
            urls.push(to_postgres(&files, url, &schema_name));
        }
        let policy = format!("policies/{name}.policy");
        for format in ["json", "text"] {
            let (code, expected, err) = check(&policy, dir.to_str().unwrap(), as_of, format);
            assert!(matches!(code, Some(0 | 1)), "{name}: {err}");
            for url in &urls {
                let (got_code, got, err) = check(&policy, url, as_of, format);
                assert_eq!(got_code, code, "{name} from {url}: {err}");
                if got != expected {
                    let (got, expected) = (
                        String::from_utf8_lossy(&got).into_owned(),
                        String::from_utf8_lossy(&expected).into_owned(),
                    );
                    let at = got
                        .lines()
                        .zip(expected.lines())
                        .position(|(g, e)| g != e)
                        .unwrap_or(0);
                    let near = |t: &str| {
                        t.lines()
                            .skip(at.saturating_sub(3))
                            .take(8)
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    panic!(
                        "{name} from {url} ({format}) differs at line {}:\n{}\n--- CSV gives:\n{}",
                        at + 1,
                        near(&got),
                        near(&expected)
                    );
                }
            }
        }
        if let Some(url) = &pg {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("DROP SCHEMA {schema_name} CASCADE"))
                .unwrap();
        }
    }
}

#[test]
fn a_database_that_cannot_be_read_exits_2_with_its_name() {
    let (code, _, err) = check(
        "policies/lvyuan.policy",
        "postgres://bureau:hunter2@127.0.0.1:1/records",
        "2024-03-01",
        "text",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("postgres://bureau@127.0.0.1:1/records"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let (code, _, err) = check(
        "policies/lvyuan.policy",
        "sqlite:/nonexistent/x.db",
        "2024-03-01",
        "text",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no database file"), "{err}");
}

/// `tenet serve --data sqlite:…` serves the dataset it read from the
/// database: `/v1/check` gives the results the CLI gives over the same
/// database.
#[test]
fn tenet_serve_reads_its_dataset_from_a_database() {
    let tmp = tempfile::tempdir().unwrap();
    let files = csv_files(&root().join("examples/lvyuan"));
    let url = to_sqlite(&files, &tmp.path().join("lvyuan.db"));
    let tokens = tmp.path().join("tokens");
    let token = server::add_token(&tokens, "read,check");
    let srv = server::start_with_data(
        &root().join("policies"),
        std::ffi::OsStr::new(&url),
        &["--tokens", tokens.to_str().unwrap()],
    );
    let response = server::post(
        &srv.addr,
        &token,
        "/v1/check",
        r#"{"policies":["lvyuan"],"as_of":"2024-03-01"}"#,
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let served = server::body(&response);
    let (_, cli, err) = check("policies/lvyuan.policy", &url, "2024-03-01", "json");
    let cli: serde_json::Value =
        serde_json::from_slice(&cli).unwrap_or_else(|e| panic!("{e}: {err}"));
    let cli = if cli.is_array() { cli[0].clone() } else { cli };
    let served = served["reports"][0].clone();
    assert_eq!(served["summary"], cli["summary"]);
    assert_eq!(served["results"], cli["results"]);
    assert!(!served["results"].as_array().unwrap().is_empty());
}
