//! Differential harness: the native evaluator against an engine running
//! the compiled SQL, field by field.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use tenet::report::Report;
use tenet::PolicySet;
use tenet_sql::{compile, rows, schema, Dialect, Options};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A policy set from files under the repo.
pub fn policies(files: &[&str]) -> PolicySet {
    let r = root();
    let paths: Vec<String> = files
        .iter()
        .map(|f| r.join(f).to_string_lossy().into_owned())
        .collect();
    PolicySet::load(&paths, |p| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
    .map_err(|e| e.render())
    .unwrap()
}

/// One case: a policy set, a dataset directory, an evaluation date.
pub struct Case {
    pub name: String,
    pub set: PolicySet,
    pub data: PathBuf,
    pub as_of: NaiveDate,
}

/// The header of each CSV file of a dataset directory.
pub fn headers(dir: &Path) -> Vec<(String, Vec<String>)> {
    schema::TABLES
        .iter()
        .filter_map(|t| {
            let path = dir.join(format!("{}.csv", t.name));
            let text = std::fs::read_to_string(path).ok()?;
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let h = r.headers().ok()?.iter().map(String::from).collect();
            Some((t.name.to_string(), h))
        })
        .collect()
}

/// Which extra columns each table of the dataset has.
pub fn columns(dir: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    headers(dir)
        .into_iter()
        .filter_map(|(name, h)| {
            Some((
                name.clone(),
                schema::extra_columns(schema::table(&name)?, &h),
            ))
        })
        .collect()
}

pub fn native(case: &Case) -> Vec<Report> {
    let loaded = tenet_io::load(&case.data, &tenet_io::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
    case.set.evaluate(&loaded.dataset, case.as_of)
}

/// The schools (id, name) of a dataset, as the SQL side lists them.
pub fn schools(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("schools.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let (i, n) = (
        h.iter().position(|c| c == "id").unwrap(),
        h.iter().position(|c| c == "name").unwrap(),
    );
    let mut out: Vec<(String, String)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[i].to_string(), rec[n].to_string())
        })
        .collect();
    out.sort();
    out
}

/// The fields compared, per result.
type Line = (
    String,
    String,
    String,
    Option<(NaiveDate, NaiveDate)>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn lines(r: &Report) -> Vec<Line> {
    let mut out: Vec<Line> = r
        .results
        .iter()
        .map(|x| {
            (
                x.rule.clone(),
                x.subject.kind.to_string(),
                x.subject.id.clone(),
                x.window.map(|w| (w.start, w.end)),
                x.status.as_str().to_string(),
                x.actual.clone(),
                x.required.clone(),
                x.shortfall.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every difference between the native and the engine's report, each
/// naming the rule, subject and window.
pub fn differences(case: &str, native: &Report, sql: &Report) -> Vec<String> {
    let (a, b) = (lines(native), lines(sql));
    let key = |l: &Line| (l.0.clone(), l.1.clone(), l.2.clone(), l.3);
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if key(x) == key(y) => {
                if x != y {
                    out.push(format!(
                        "{case}: rule {} {} {} window {:?}: native {:?} sql {:?}",
                        x.0,
                        x.1,
                        x.2,
                        x.3,
                        (&x.4, &x.5, &x.6, &x.7),
                        (&y.4, &y.5, &y.6, &y.7)
                    ));
                }
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| key(x) < key(y)) => {
                out.push(format!(
                    "{case}: rule {} {} {} window {:?}: native {:?}, missing from sql",
                    x.0,
                    x.1,
                    x.2,
                    x.3,
                    (&x.4, &x.5, &x.6, &x.7)
                ));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(format!(
                    "{case}: rule {} {} {} window {:?}: sql {:?}, not in native",
                    y.0,
                    y.1,
                    y.2,
                    y.3,
                    (&y.4, &y.5, &y.6, &y.7)
                ));
                j += 1;
            }
            _ => break,
        }
    }
    if native.summary.total != sql.summary.total {
        out.push(format!(
            "{case}: totals differ: native {:?} sql {:?}",
            native.summary.total, sql.summary.total
        ));
    }
    out
}

/// The SQL of every policy of a case.
pub fn compiled(case: &Case, dialect: Dialect) -> Vec<tenet_sql::Compiled> {
    let opts = Options {
        as_of: case.as_of,
        dialect,
        columns: Some(columns(&case.data)),
    };
    case.set
        .policies()
        .iter()
        .map(|p| compile(p, &opts).unwrap_or_else(|e| panic!("{}: {e:?}", case.name)))
        .collect()
}

/// Runs a batch of (case, compiled) through the Python runner on `engine`
/// (`duckdb` or `spark`) and returns each policy's rows.
pub fn run_python(
    python: &str,
    engine: &str,
    cases: &[Case],
) -> Vec<Vec<Result<Vec<rows::Row>, String>>> {
    let dir = tempfile::tempdir().unwrap();
    let dialect = if engine == "spark" {
        Dialect::Spark
    } else {
        Dialect::DuckDb
    };
    let mut manifest = Vec::new();
    let mut outs = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        let data = case.data.canonicalize().unwrap();
        let setup = dir.path().join(format!("c{ci}.load.sql"));
        std::fs::write(
            &setup,
            schema::load_script(dialect, &data.to_string_lossy(), &headers(&data)),
        )
        .unwrap();
        let mut mine = Vec::new();
        for (pi, c) in compiled(case, dialect).into_iter().enumerate() {
            let sql = dir.path().join(format!("c{ci}p{pi}.sql"));
            std::fs::write(&sql, &c.sql).unwrap();
            let out = dir.path().join(format!("c{ci}p{pi}.csv"));
            manifest.push(serde_json::json!({
                "data": data, "sql": sql, "setup": setup, "out": out,
            }));
            mine.push(out);
        }
        outs.push(mine);
    }
    let m = dir.path().join("manifest.json");
    std::fs::write(&m, serde_json::to_string(&manifest).unwrap()).unwrap();
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("runner/tenet_sql_run.py");
    let status = std::process::Command::new(python)
        .arg(runner)
        .args(["--engine", engine])
        .arg(&m)
        .status()
        .unwrap();
    let _ = status;
    let out = outs
        .into_iter()
        .map(|mine| {
            mine.into_iter()
                .map(|out| {
                    let err = out.with_extension("csv.error");
                    if let Ok(e) = std::fs::read_to_string(&err) {
                        return Err(e);
                    }
                    let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
                    rows::from_csv(&text).map_err(|e| e.to_string())
                })
                .collect()
        })
        .collect();
    drop(dir);
    out
}

/// Compares every policy of every case; panics listing all differences.
pub fn check_all(engine: &str, cases: &[Case], rows: Vec<Vec<Result<Vec<rows::Row>, String>>>) {
    let mut problems = Vec::new();
    let dialect = match engine {
        "spark" => Dialect::Spark,
        "postgres" => Dialect::Postgres,
        _ => Dialect::DuckDb,
    };
    let mut compared = 0usize;
    for (case, per_policy) in cases.iter().zip(rows) {
        let native = native(case);
        let compiled = compiled(case, dialect);
        let schools = schools(&case.data);
        for (((policy, c), rows), native) in case
            .set
            .policies()
            .iter()
            .zip(&compiled)
            .zip(per_policy)
            .zip(&native)
        {
            let name = format!("{} [{}]", case.name, policy.id);
            match rows {
                Err(e) => problems.push(format!("{name}: the engine failed: {e}")),
                Ok(rows) => match rows::report(policy, c, case.as_of, &rows, &schools) {
                    Err(e) => problems.push(format!("{name}: {e}")),
                    Ok(sql) => {
                        compared += sql.results.len();
                        problems.extend(differences(&name, native, &sql));
                    }
                },
            }
        }
    }
    println!(
        "{engine}: {} cases, {compared} results compared, {} differences",
        cases.len(),
        problems.len()
    );
    let listing = std::env::temp_dir().join(format!("tenet-sql-{engine}-differences.txt"));
    let _ = std::fs::remove_file(&listing);
    if !problems.is_empty() {
        let shown: Vec<_> = problems.iter().take(60).cloned().collect();
        let _ = std::fs::write(
            std::env::temp_dir().join(format!("tenet-sql-{engine}-differences.txt")),
            problems.join("\n"),
        );
        panic!("{} differences:\n{}", problems.len(), shown.join("\n"));
    }
}

/// Every shipped policy on every example dataset at two dates (after the
/// plans end, and inside them: open windows).
pub fn shipped_cases() -> Vec<Case> {
    let policies = ["lvyuan", "binyang", "xuhui", "heping", "daxing"];
    let datasets = [
        "lvyuan",
        "binyang",
        "xuhui",
        "heping",
        "daxing",
        "generated-district",
    ];
    let only = std::env::var("TENET_SQL_CASES").unwrap_or_default();
    let mut out = Vec::new();
    for p in policies {
        for d in datasets {
            if !only.is_empty() && !format!("{p} on {d}").contains(&only) {
                continue;
            }
            for as_of in ["2024-03-01", "2022-06-30", "2017-11-20"] {
                out.push(Case {
                    name: format!("{p} on {d} at {as_of}"),
                    set: policies_of(p),
                    data: root().join("examples").join(d),
                    as_of: date(as_of),
                });
            }
        }
    }
    out
}

fn policies_of(p: &str) -> PolicySet {
    policies(&[&format!("policies/{p}.policy")])
}

/// Loads each case into a schema of its own on PostgreSQL at `url` (with
/// `psql`, as the docs do) and runs every policy's SQL there.
pub fn run_postgres(url: &str, cases: &[Case]) -> Vec<Vec<Result<Vec<rows::Row>, String>>> {
    let dir = tempfile::tempdir().unwrap();
    let psql = |schema: &str, file: &Path, csv: bool| -> Result<String, String> {
        let mut cmd = std::process::Command::new("psql");
        cmd.arg(url)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(file);
        if csv {
            cmd.arg("--csv");
        }
        cmd.env("PGOPTIONS", format!("-c search_path={schema}"));
        let out = cmd.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    cases
        .iter()
        .enumerate()
        .map(|(ci, case)| {
            let schema = format!("tenet_case_{ci}");
            let data = case.data.canonicalize().unwrap();
            let setup = dir.path().join(format!("c{ci}.sql"));
            let script = format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n{}",
                schema::load_script(Dialect::Postgres, &data.to_string_lossy(), &headers(&data))
            );
            std::fs::write(&setup, script).unwrap();
            let loaded = psql("public", &setup, false);
            let out = compiled(case, Dialect::Postgres)
                .into_iter()
                .enumerate()
                .map(|(pi, c)| {
                    loaded.clone()?;
                    let q = dir.path().join(format!("c{ci}p{pi}.sql"));
                    std::fs::write(&q, &c.sql).unwrap();
                    let text = psql(&schema, &q, true)?;
                    rows::from_csv(&text).map_err(|e| e.to_string())
                })
                .collect();
            let drop = dir.path().join(format!("c{ci}.drop.sql"));
            std::fs::write(&drop, format!("DROP SCHEMA IF EXISTS {schema} CASCADE;")).unwrap();
            let _ = psql("public", &drop, false);
            out
        })
        .collect()
}

/// Each shipped policy on its own example at two dates (the Spark lane:
/// every query is a Spark job, so the batch is kept small).
pub fn own_cases() -> Vec<Case> {
    let only = std::env::var("TENET_SQL_CASES").unwrap_or_default();
    let mut out = Vec::new();
    for p in ["lvyuan", "binyang", "xuhui", "heping", "daxing"] {
        if !only.is_empty() && !p.contains(&only) {
            continue;
        }
        for as_of in ["2024-03-01", "2022-06-30"] {
            out.push(Case {
                name: format!("{p} on {p} at {as_of}"),
                set: policies_of(p),
                data: root().join("examples").join(p),
                as_of: date(as_of),
            });
        }
    }
    out
}
