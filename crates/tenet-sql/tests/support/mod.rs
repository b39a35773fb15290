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
    // At `brief` detail: the explanation the SQL rows can carry.
    let opts = tenet::EvalOptions {
        detail: tenet::Detail::Brief,
        ..tenet::EvalOptions::default()
    };
    case.set.evaluate_with(&loaded.dataset, case.as_of, &opts)
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

/// The fields compared, per result: rule, subject kind and id, window,
/// status, actual, required, shortfall, and the brief explanation's
/// `missing` and `more` where the SQL carries them (a `not_applicable`
/// result's reason; a cadence's short sub-windows and activities counted).
type Line = (
    String,
    String,
    String,
    Option<(NaiveDate, NaiveDate)>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<(Vec<String>, u64)>,
    Option<(Facts, Facts)>,
);

/// Facts as (expression, value).
type Facts = Vec<(String, String)>;

fn facts(f: &[tenet::report::Fact]) -> Facts {
    f.iter()
        .map(|f| (f.expr.to_string(), f.value.clone()))
        .collect()
}

/// Which rules' explanations the SQL carries, in part: cadences (short
/// sub-windows, activities counted) and comparisons whose values and
/// params the figures say ([`tenet_sql::rows::carries_facts`]).
pub struct Carried {
    cadences: Vec<String>,
    facts: Vec<String>,
    /// Unknown results whose reason the SQL cannot tell
    /// ([`tenet_sql::rows::undetermined`]).
    undetermined: std::collections::BTreeSet<Key>,
}

pub fn carried(policy: &tenet::program::CheckedPolicy) -> Carried {
    let ids = |keep: &dyn Fn(&tenet::program::Rule) -> bool| {
        policy
            .rules
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.id.clone())
            .collect()
    };
    Carried {
        cadences: ids(&|r| matches!(r.require, tenet::program::Requirement::Cadence(_))),
        facts: ids(&|r| tenet_sql::rows::carries_facts(r, policy)),
        undetermined: Default::default(),
    }
}

/// A result's key: rule, subject kind and id, window.
type Key = (String, String, String, Option<(NaiveDate, NaiveDate)>);

fn key_of(x: &tenet::report::RuleResult) -> Key {
    (
        x.rule.clone(),
        x.subject.kind.to_string(),
        x.subject.id.clone(),
        x.window.map(|w| (w.start, w.end)),
    )
}

fn lines(r: &Report, carried: &Carried) -> Vec<Line> {
    let cadences = &carried.cadences;
    let mut out: Vec<Line> = r
        .results
        .iter()
        .map(|x| {
            // What the SQL carries of the explanation: why a window is
            // not judged, and a cadence's short sub-windows and count.
            let judged = matches!(
                x.status,
                tenet::report::Status::Pass
                    | tenet::report::Status::Fail
                    | tenet::report::Status::Pending
            );
            let unknown = x.status == tenet::report::Status::Unknown;
            // An unknown result's reasons, except where the SQL cannot
            // tell them (a cadence's; which member of an aggregate the
            // evaluator met first); its `more` is not carried.
            let explained = match x.status {
                tenet::report::Status::NotApplicable => true,
                tenet::report::Status::Unknown => {
                    !cadences.contains(&x.rule) && !carried.undetermined.contains(&key_of(x))
                }
                _ => cadences.contains(&x.rule),
            };
            let more = if unknown { 0 } else { x.explanation.more };
            (
                x.rule.clone(),
                x.subject.kind.to_string(),
                x.subject.id.clone(),
                x.window.map(|w| (w.start, w.end)),
                x.status.as_str().to_string(),
                x.actual.clone(),
                x.required.clone(),
                x.shortfall.clone(),
                explained.then(|| (x.explanation.missing.clone(), more)),
                (judged && carried.facts.contains(&x.rule))
                    .then(|| (facts(&x.explanation.values), facts(&x.explanation.params))),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every difference between the native and the engine's report, each
/// naming the rule, subject and window.
pub fn differences(case: &str, carried: &Carried, native: &Report, sql: &Report) -> Vec<String> {
    let (a, b) = (lines(native, carried), lines(sql, carried));
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
                        (&x.4, &x.5, &x.6, &x.7, &x.8, &x.9),
                        (&y.4, &y.5, &y.6, &y.7, &y.8, &y.9)
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
    let (mut unknown_compared, mut unknown_all, mut undetermined) = (0usize, 0usize, 0usize);
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
                        let mut carried = carried(policy);
                        // One result per row, in the rows' order.
                        for (row, x) in rows.iter().zip(&sql.results) {
                            if rows::undetermined(row) {
                                carried.undetermined.insert(key_of(x));
                            }
                        }
                        let unknown = |x: &&tenet::report::RuleResult| {
                            x.status == tenet::report::Status::Unknown
                        };
                        let reasons = native
                            .results
                            .iter()
                            .filter(unknown)
                            .filter(|x| {
                                !carried.cadences.contains(&x.rule)
                                    && !carried.undetermined.contains(&key_of(x))
                            })
                            .count();
                        unknown_compared += reasons;
                        unknown_all += native.results.iter().filter(unknown).count();
                        undetermined += carried.undetermined.len();
                        problems.extend(differences(&name, &carried, native, &sql));
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
    println!(
        "{engine}: {unknown_all} unknown results, {unknown_compared} with `missing` compared \
         ({undetermined} undetermined: which aggregate member first; the rest cadences)"
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
/// `psql`, as the docs do) and runs every policy's SQL there: one `psql`
/// per case (load, every query with `\o` to its own CSV file, drop), so a
/// batch of hundreds of cases costs hundreds of process starts, not more.
pub fn run_postgres(url: &str, cases: &[Case]) -> Vec<Vec<Result<Vec<rows::Row>, String>>> {
    // Tests of one binary run at once: each batch gets schemas of its own.
    static BATCH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let batch = BATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pid = std::process::id();
    let dir = tempfile::tempdir().unwrap();
    cases
        .iter()
        .enumerate()
        .map(|(ci, case)| {
            let schema = format!("tenet_case_{pid}_{batch}_{ci}");
            let data = case.data.canonicalize().unwrap();
            let mut script = format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n{}\n\\pset format csv\n",
                schema::load_script(Dialect::Postgres, &data.to_string_lossy(), &headers(&data))
            );
            let outs: Vec<PathBuf> = compiled(case, Dialect::Postgres)
                .into_iter()
                .enumerate()
                .map(|(pi, c)| {
                    let out = dir.path().join(format!("c{ci}p{pi}.csv"));
                    script.push_str(&format!("\\o {}\n{}\n;\n\\o\n", out.display(), c.sql.trim_end().trim_end_matches(';')));
                    out
                })
                .collect();
            script.push_str(&format!("SET search_path TO public;\nDROP SCHEMA {schema} CASCADE;\n"));
            let file = dir.path().join(format!("c{ci}.sql"));
            std::fs::write(&file, script).unwrap();
            let run = std::process::Command::new("psql")
                .arg(url)
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
                .arg(&file)
                .output();
            let failed = match run {
                Err(e) => Some(e.to_string()),
                Ok(o) if !o.status.success() => Some(String::from_utf8_lossy(&o.stderr).into_owned()),
                Ok(_) => None,
            };
            if failed.is_some() {
                let drop = dir.path().join(format!("c{ci}.drop.sql"));
                std::fs::write(&drop, format!("DROP SCHEMA IF EXISTS {schema} CASCADE;")).unwrap();
                let _ = std::process::Command::new("psql")
                    .arg(url)
                    .args(["-X", "-q", "-f"])
                    .arg(&drop)
                    .output();
            }
            outs.into_iter()
                .map(|out| {
                    if let Some(e) = &failed {
                        return Err(e.clone());
                    }
                    let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
                    rows::from_csv(&text).map_err(|e| e.to_string())
                })
                .collect()
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

/// The property-test generators of the core's differential tests
/// (`crates/tenet/tests/gen`), shared by path so that the random policies
/// run here are the ones the reference evaluator is checked on.
#[path = "../../../tenet/tests/gen/mod.rs"]
pub mod gen;

/// `n` random (policy, dataset, date) cases from the core's generator,
/// written as CSV directories under `root`. A policy the compiler refuses
/// for one of `dialects` (a documented refusal) is not a case: it is
/// returned in the second list with the refusal, so the test can say how
/// many there were, and the next seed is drawn (at most `2 n` in all).
pub fn random_cases(n: u32, root: &Path, dialects: &[Dialect]) -> (Vec<Case>, Vec<String>) {
    let seed0: u32 = std::env::var("TENET_SQL_RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut cases = Vec::new();
    let mut refused = Vec::new();
    for k in 0..2 * n {
        if cases.len() >= n as usize {
            break;
        }
        let seed = seed0.wrapping_add(k);
        let text = gen::policy(choices(seed, 1, 200));
        let set = gen::compile(&text);
        if std::env::var_os("TENET_SQL_SHOW").is_some() {
            println!("--- random #{seed} ---\n{text}");
        }
        let scale = if seed % 8 == 7 { 4 } else { 1 };
        let rows = gen::dataset_sized(choices(seed, 2, 400), scale);
        let as_of = gen::as_of(&choices(seed, 3, 2));
        let dir = root.join(format!("r{seed}"));
        tenet_io::write_dir(&rows, &dir).unwrap();
        let name = format!("random #{seed} at {as_of}");
        let cols = columns(&dir);
        let why: Vec<String> = dialects
            .iter()
            .flat_map(|d| {
                let opts = Options {
                    as_of,
                    dialect: *d,
                    columns: Some(cols.clone()),
                };
                set.policies()
                    .iter()
                    .filter_map(move |p| compile(p, &opts).err())
                    .flatten()
                    .map(|r| format!("{r}"))
            })
            .collect();
        if why.is_empty() {
            cases.push(Case {
                name,
                set,
                data: dir,
                as_of,
            });
        } else {
            refused.push(format!("{name}: {}", why.join("; ")));
        }
    }
    (cases, refused)
}

/// A deterministic choice sequence for case `seed`, stream `k`.
fn choices(seed: u32, k: u64, len: usize) -> Vec<u32> {
    let mut x = (u64::from(seed) << 8 | k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..len)
        .map(|_| {
            // splitmix64
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u32
        })
        .collect()
}

/// How many compiled random policies a run checks: `TENET_SQL_RANDOM`, or 500.
pub fn random_count() -> u32 {
    std::env::var("TENET_SQL_RANDOM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Prints the refusals and fails if they are the majority or if fewer
/// than [`random_count`] cases are left to compare.
pub fn report_refusals(engine: &str, cases: &[Case], refused: &[String]) {
    report_refusals_of(engine, cases, refused, random_count() as usize);
}

/// [`report_refusals`] with the least number of cases to compare.
pub fn report_refusals_of(engine: &str, cases: &[Case], refused: &[String], min: usize) {
    println!(
        "{engine}: {} random policies compiled, {} refused by the compiler (documented refusals)",
        cases.len(),
        refused.len()
    );
    for r in refused.iter().take(10) {
        println!("  refused: {r}");
    }
    assert!(
        refused.len() < cases.len(),
        "most random policies are refused: {} of {}",
        refused.len(),
        refused.len() + cases.len()
    );
    assert!(
        cases.len() >= min,
        "only {} random policies compiled, fewer than {min}",
        cases.len()
    );
}

/// The hand-made dataset `tests/data/edge` with `tests/data/edge.policy`
/// (and the shipped `common.policy`): absences at exactly a quarter and
/// just over it, missing attendance rows, excused sessions, missing
/// finance rows, blank extra cells and a column the data lacks.
pub fn edge_case() -> Case {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let text = std::fs::read_to_string(here.join("edge.policy")).unwrap();
    let common = std::fs::read_to_string(root().join("policies/common.policy")).unwrap();
    let set = PolicySet::from_sources(&[("edge.policy", &text), ("common.policy", &common)])
        .map_err(|e| e.render())
        .unwrap();
    Case {
        name: "edge.policy on tests/data/edge at 2024-03-01".into(),
        set,
        data: here.join("edge"),
        as_of: date("2024-03-01"),
    }
}

/// What the native evaluator must say on [`edge_case`], so that the
/// engines are compared with a verdict known to be right: exactly a
/// quarter absent (absent, excused or no attendance row) is credited, just
/// over is not, and a missing finance row is unknown, never a pass.
pub fn assert_edge_native(case: &Case) {
    let report = native(case).remove(0);
    let got: Vec<(String, String, String, Option<String>)> = report
        .results
        .iter()
        .map(|r| {
            (
                r.rule.clone(),
                r.subject.id.clone(),
                r.status.as_str().to_string(),
                r.actual.clone(),
            )
        })
        .collect();
    let want = |rule: &str, id: &str, status: &str, actual: Option<&str>| {
        let row = got
            .iter()
            .find(|g| g.0 == rule && g.1 == id)
            .unwrap_or_else(|| panic!("no result for {rule} {id}: {got:?}"));
        assert_eq!(
            (row.2.as_str(), row.3.as_deref()),
            (status, actual),
            "{rule} {id}"
        );
    };
    // Exactly 2 of 8 hours absent: credited.
    want("credited", "ed-t1", "pass", Some("8"));
    // 2.5 of 9 hours absent, a quarter is 2.25: not credited.
    want("credited", "ed-t2", "fail", Some("0"));
    // No attendance rows for 4 of 8 hours: absent, not credited.
    want("credited", "ed-t3", "fail", Some("0"));
    // No attendance row for 2 of 8 hours: exactly a quarter, credited.
    want("credited", "ed-t4", "pass", Some("8"));
    // Excused for 2 of 8 hours counts as absent: exactly a quarter.
    want("credited", "ed-t5", "pass", Some("8"));
    // Excused 2 and absent 2 of 8 hours: over a quarter.
    want("credited", "ed-t6", "fail", Some("0"));
    want("funds", "ed-s1", "pass", Some("5000.00"));
    // No teacher_training_funds row, no finance rows at all: unknown.
    want("funds", "ed-s2", "unknown", None);
    want("funds", "ed-s3", "unknown", None);
    // Decisions R7: a blank `subject` (empty, spaces, an ideographic
    // space) is "", a padded one is trimmed.
    want("subject_given", "ed-t1", "pass", None);
    want("subject_given", "ed-t2", "fail", None);
    want("subject_given", "ed-t3", "fail", None);
    want("subject_given", "ed-t4", "pass", None);
    want("subject_given", "ed-t5", "pass", None);
    want("subject_given", "ed-t6", "fail", None);
    want("maths_teacher", "ed-s1", "pass", Some("1"));
    want("maths_teacher", "ed-s2", "fail", Some("0"));
    want("maths_teacher", "ed-s3", "pass", Some("1"));
    // Schools have no `xuequ_lead` column: unknown, saying so.
    for s in ["ed-s1", "ed-s2", "ed-s3"] {
        want("leading_unit", s, "unknown", None);
    }
    let why: Vec<&[String]> = report
        .results
        .iter()
        .filter(|r| r.rule == "leading_unit")
        .map(|r| r.explanation.missing.as_slice())
        .collect();
    let lacks = ["the `schools` data has no `xuequ_lead` column".to_string()];
    assert_eq!(why, [&lacks[..], &lacks[..], &lacks[..]]);
    // What an unknown result is missing, which the engines must say too:
    // one finance row; both sides' rows, left first; the left side before
    // a division by zero on the right.
    let missing = |rule: &str, id: &str| -> Vec<String> {
        report
            .results
            .iter()
            .find(|r| r.rule == rule && r.subject.id == id)
            .map(|r| r.explanation.missing.clone())
            .unwrap_or_default()
    };
    let row = |id: &str, item: &str| format!("no finance row for `{id}` 2023 `{item}`");
    assert_eq!(
        missing("funds", "ed-s2"),
        [row("ed-s2", "teacher_training_funds")]
    );
    assert_eq!(
        missing("funds", "ed-s3"),
        [
            row("ed-s3", "teacher_training_funds"),
            row("ed-s3", "public_funds_budget")
        ]
    );
    for s in ["ed-s1", "ed-s2"] {
        assert_eq!(missing("funds_per_head", s), ["division by zero"], "{s}");
    }
    assert_eq!(
        missing("funds_per_head", "ed-s3"),
        [row("ed-s3", "public_funds_budget")]
    );
}

/// The hand-made dataset `tests/data/cadence` with
/// `tests/data/cadence.policy`: cadences of several months, semesters and
/// years inside windows of each subject's own (starting mid-month, in a
/// semester break, sticking out of the effective range), and params with
/// a history in the credit block and in sums over members.
pub fn cadence_case() -> Case {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let text = std::fs::read_to_string(here.join("cadence.policy")).unwrap();
    let set = PolicySet::from_sources(&[("cadence.policy", &text)])
        .map_err(|e| e.render())
        .unwrap();
    Case {
        name: "cadence.policy on tests/data/cadence at 2024-03-01".into(),
        set,
        data: here.join("cadence"),
        as_of: date("2024-03-01"),
    }
}

/// `tests/data/open.policy` (no `effective` range) on the cadence data,
/// at the same evaluation date.
pub fn open_case() -> Case {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let text = std::fs::read_to_string(here.join("open.policy")).unwrap();
    let set = PolicySet::from_sources(&[("open.policy", &text)])
        .map_err(|e| e.render())
        .unwrap();
    Case {
        name: "open.policy on tests/data/cadence at 2024-03-01".into(),
        set,
        data: here.join("cadence"),
        as_of: date("2024-03-01"),
    }
}

/// What the native evaluator must say on [`cadence_case`] (worked out by
/// hand from the data), so the engines are compared with verdicts known
/// to be right.
pub fn assert_cadence_native(case: &Case) {
    let report = native(case).remove(0);
    let got: Vec<String> = report
        .results
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {}/{}",
                r.rule,
                r.subject.id,
                r.window
                    .map_or("-".into(), |w| format!("{}..{}", w.start, w.end)),
                r.status.as_str(),
                r.actual.as_deref().unwrap_or("-"),
                r.required.as_deref().unwrap_or("-"),
            )
        })
        .collect();
    for want in CADENCE_NATIVE {
        assert!(
            got.iter().any(|g| g == want),
            "no result `{want}` in:\n{}",
            got.join("\n")
        );
    }
}

/// What the native evaluator must say on [`open_case`] (the
/// sub-windows worked out by hand from the data).
pub fn assert_open_native(case: &Case) {
    let report = native(case).remove(0);
    let got: Vec<String> = report
        .results
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {}/{}",
                r.rule,
                r.subject.id,
                r.window
                    .map_or("-".into(), |w| format!("{}..{}", w.start, w.end)),
                r.status.as_str(),
                r.actual.as_deref().unwrap_or("-"),
                r.required.as_deref().unwrap_or("-"),
            )
        })
        .collect();
    if std::env::var("TENET_SQL_SHOW_OPEN").is_ok() {
        println!("{}", got.join("\n"));
    }
    for want in OPEN_NATIVE {
        assert!(
            got.iter().any(|g| g == want),
            "no result `{want}` in:\n{}",
            got.join("\n")
        );
    }
}

/// Results of [`assert_open_native`]: rule, subject, window, status,
/// actual / required sub-windows.
const OPEN_NATIVE: &[&str] = &[
    // 1800-01-01 .. 2099-12-31 is 109,573 days: more than the 100,000
    // periods a cadence counts.
    "daily cd-m4/cd-t9/长期 1800-01-01..2099-12-31 unknown -/-",
    // The same window in weeks: those started by 2024-03-01.
    "weekly_offline cd-m4/cd-t9/长期 1800-01-01..2099-12-31 fail 8/11697",
    // Two weeks from 05-05: one whole, 05-19 .. 05-20 cut and not owed.
    "fortnight cd-m2/cd-t5/新教师 2023-05-05..2023-05-20 pass 1/1",
    // Ten days from 01-25: three whole (the seminar of 02-01 in the
    // first), 02-24 .. 02-25 cut.
    "ten_days cd-m3/cd-t6/新教师 2021-01-25..2021-02-25 fail 1/3",
    // Feb–Jun and Jul–Nov 2021 (from the 10th), Dec–Apr cut.
    "five_months cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 pass 2/2",
    // From summer 2018 (from 10-17, no seminar) to winter 2022 (ending
    // 2023-02-28); short: summer 2018, summer 2020, winter 2021 and 2022.
    "one_semester cd-m4/cd-t8/长期 2018-10-17..2023-04-09 fail 6/10",
    // Three semesters from summer 2018: to 2019-10-31, to 2021-02-28, to
    // 2022-10-31; the fourth cut.
    "three_semesters cd-m4/cd-t8/长期 2018-10-17..2023-04-09 pass 3/3",
    // 2018 (from 10-17) to 2022, 2023 cut.
    "yearly cd-m4/cd-t8/长期 2018-10-17..2023-04-09 pass 5/5",
    // Two academic years from 2018-03-01: the first ends 2020-02-29 (the
    // seminar of that day counts), the third is cut.
    "two_academic cd-m4/cd-t8/长期 2018-10-17..2023-04-09 pass 2/2",
    // Quarters from 2022-11-01; Feb–Apr 2024 started by 2024-03-01.
    "first_years cd-p2 2022-11-30..2024-11-29 fail 2/6",
    "first_weeks cd-p1 2021-05-17..2021-06-15 fail 1/3",
    "first_years cd-p3 - unknown -/-",
];

/// Results of [`assert_cadence_native`]: rule, subject, window, status,
/// actual (sub-windows satisfied) / required (sub-windows checked).
const CADENCE_NATIVE: &[&str] = &[
    // Two-month runs from 2021-02-01: Feb–Mar (from the 10th), Apr–May,
    // Jun–Jul (none), Aug–Sep, Oct–Nov, Dec–Jan (none).
    "two_months cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 fail 4/6",
    // Up to the run of March–April 2024, still open at the evaluation date.
    "two_months cd-m1/cd-t2/新教师 2022-03-15..2024-06-30 fail 5/13",
    // Offline seminars only (2021-04-15 is online): Feb–Apr, Aug–Oct, Nov–Jan.
    "three_months cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 fail 3/4",
    // Starts in the break before spring: spring 2021 and autumn 2021.
    "one_semester cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 pass 2/2",
    // In the break only: no semester starts in it.
    "one_semester cd-m3/cd-t6/新教师 2021-01-25..2021-02-25 not_applicable 0/0",
    // Starts in the summer break; autumn is cut by the end but the first.
    "one_semester cd-m2/cd-t7/新教师 2022-07-20..2022-10-31 pass 1/1",
    // Spring and autumn 2021 as one sub-window, four seminars in it.
    "two_semesters cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 pass 1/1",
    "two_semesters cd-m2/cd-t7/新教师 2022-07-20..2022-10-31 fail 0/1",
    "two_years cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 pass 1/1",
    "academic cd-m1/cd-t1/新教师 2021-02-10..2022-01-31 pass 1/1",
    // Quarters from May 2021 (the last, cut short, is not required).
    "first_year cd-p1 2021-05-17..2022-05-16 fail 3/4",
    "first_year cd-p2 2022-11-30..2023-11-29 fail 2/4",
    "first_year cd-p3 - unknown -/-",
    // 1/4 of 9 h (the rate in force when the course ended, 2023-04-20)
    // against 2.5 h; p1 missed 3 of 9 hours; p3 has no row for 2 of 6.
    "credited cd-p2 2023-01-01..2023-12-31 fail 2.25/2.5",
    "credited cd-p1 2022-01-01..2022-12-31 fail 0/2.5",
    "credited cd-p3 2021-01-01..2021-12-31 fail 0/2",
    // 2.25 h + 2.5 h / 2 over a denominator of 12 and one of 2.
    "summed cd-p2 2023-01-01..2023-12-31 pass 3.5/3",
    // `during e.activity`: the course's own dates.
    "attended cd-p1/cd-c2 2023-04-01..2023-04-20 fail -/-",
    "attended cd-p2/cd-c2 2023-04-01..2023-04-20 pass -/-",
];
