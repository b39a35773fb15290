//! The compiled SQL on Spark (local mode, PyPI `pyspark`) against the
//! native evaluator, every case in one Spark session (a session takes
//! ~25 s to start). Needs `TENET_SPARK_PYTHON` (a Python with pyspark,
//! and Java 17); skipped with a message otherwise. `.ci/sql.sh` sets it.
mod support;

/// Each shipped policy on its own example, the hand-made edge and cadence
/// data (with and without an `effective` range), and a batch of random policies from the core's generator
/// (`TENET_SQL_SPARK_RANDOM`, default 100; `TENET_SQL_RANDOM_SEED` the
/// first seed), all in one session, field by field against the native
/// evaluator.
#[test]
fn every_case_matches_native_in_one_session() {
    let Ok(py) = std::env::var("TENET_SPARK_PYTHON") else {
        println!("skipped: TENET_SPARK_PYTHON is not set (a python3 with pyspark and Java 17)");
        return;
    };
    let edge = support::edge_case();
    support::assert_edge_native(&edge);
    let cadence = support::cadence_case();
    support::assert_cadence_native(&cadence);
    let open = support::open_case();
    support::assert_open_native(&open);
    let mut cases = support::own_cases();
    cases.push(edge);
    cases.push(cadence);
    cases.push(open);
    let root = tempfile::tempdir().expect("a temp dir");
    let n = std::env::var("TENET_SQL_SPARK_RANDOM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let (random, refused) = support::random_cases(n, root.path(), &[tenet_sql::Dialect::Spark]);
    support::report_refusals_of("spark", &random, &refused, n as usize);
    cases.extend(random);
    let started = std::time::Instant::now();
    let rows = support::run_python(&py, "spark", &cases);
    println!(
        "spark: {} cases in one session in {:.0} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    support::check_all("spark", &cases, rows);
}
