//! The compiled SQL on DuckDB (through the PyPI `duckdb` module) against
//! the native evaluator. Needs `TENET_DUCKDB_PYTHON` (a Python with
//! `duckdb` installed); skipped with a message otherwise. `.ci/sql.sh`
//! sets it.
mod support;

fn python() -> Option<String> {
    let p = std::env::var("TENET_DUCKDB_PYTHON").ok();
    if p.is_none() {
        println!("skipped: TENET_DUCKDB_PYTHON is not set (a python3 with the duckdb module)");
    }
    p
}

#[test]
fn shipped_policies_on_examples_match_native() {
    let Some(py) = python() else { return };
    let cases = support::shipped_cases();
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}
