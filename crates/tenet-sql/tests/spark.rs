//! The compiled SQL on Spark (local mode, PyPI `pyspark`) against the
//! native evaluator, every case in one Spark session. Needs
//! `TENET_SPARK_PYTHON` (a Python with pyspark, and Java 17); skipped with
//! a message otherwise. `.ci/sql.sh` sets it.
mod support;

#[test]
fn shipped_policies_on_examples_match_native() {
    let Ok(py) = std::env::var("TENET_SPARK_PYTHON") else {
        println!("skipped: TENET_SPARK_PYTHON is not set (a python3 with pyspark and Java 17)");
        return;
    };
    // The hand-made edge data (see `duckdb.rs`) rides in the same session.
    let edge = support::edge_case();
    support::assert_edge_native(&edge);
    let mut cases = support::own_cases();
    cases.push(edge);
    let rows = support::run_python(&py, "spark", &cases);
    support::check_all("spark", &cases, rows);
}
