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

/// Every shipped policy at once on generated districts of several sizes
/// and seeds (absences, missing attendance rows, missing finance lines
/// come from the generator), inside the plans and after them.
#[test]
fn shipped_policies_on_generated_districts_match_native() {
    let Some(py) = python() else { return };
    let dirs: Vec<tempfile::TempDir> = [(40, 2, 1, 2021), (120, 3, 7, 2020), (300, 2, 2026, 2017)]
        .into_iter()
        .map(|(teachers, years, seed, start_year)| {
            let dir = tempfile::tempdir().expect("a temp dir");
            let rows = tenet_io::gen::generate(&tenet_io::gen::GenConfig {
                teachers,
                years,
                seed,
                start_year,
            });
            tenet_io::write_dir(&rows, dir.path()).expect("written");
            dir
        })
        .collect();
    let all = [
        "policies/lvyuan.policy",
        "policies/binyang.policy",
        "policies/xuhui.policy",
        "policies/heping.policy",
        "policies/daxing.policy",
    ];
    let mut cases = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        for as_of in ["2024-03-01", "2021-10-15", "2018-02-10"] {
            cases.push(support::Case {
                name: format!("generated #{i} at {as_of}"),
                set: support::policies(&all),
                data: dir.path().to_path_buf(),
                as_of: support::date(as_of),
            });
        }
    }
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}

/// At least 500 random policies with random datasets from the core's
/// property-test generator (`crates/tenet/tests/gen`), all in one DuckDB
/// process, field by field against the native evaluator.
/// `TENET_SQL_RANDOM=N` changes the count, `TENET_SQL_RANDOM_SEED` the
/// first seed.
#[test]
fn random_policies_match_native() {
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().expect("a temp dir");
    let (cases, refused) = support::random_cases(
        support::random_count(),
        root.path(),
        &[tenet_sql::Dialect::DuckDb],
    );
    support::report_refusals("duckdb", &cases, &refused);
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}

/// Hand-made edge data (`tests/data/edge`): absences at exactly a quarter
/// and just over, missing attendance rows, missing finance rows — the
/// native verdicts pinned, DuckDB's equal to them.
#[test]
fn edge_data_matches_native() {
    let case = support::edge_case();
    support::assert_edge_native(&case);
    let Some(py) = python() else { return };
    let cases = vec![case];
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}

/// Hand-made cadence data (`tests/data/cadence`): cadences of several
/// months, semesters and years inside windows of each subject's own, and
/// params with a history in the credit block — the native verdicts
/// pinned, DuckDB's equal to them.
#[test]
fn cadence_data_matches_native() {
    let case = support::cadence_case();
    support::assert_cadence_native(&case);
    let Some(py) = python() else { return };
    let cases = vec![case];
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}

/// `tests/data/open.policy`: cadences inside windows of each subject's
/// own with no `effective` range (weeks, days, months, semesters, years;
/// a window of three centuries cut into more days than the evaluator
/// counts) — the native verdicts pinned, DuckDB's equal to them.
#[test]
fn open_cadence_data_matches_native() {
    let case = support::open_case();
    support::assert_open_native(&case);
    let Some(py) = python() else { return };
    let cases = vec![case];
    let rows = support::run_python(&py, "duckdb", &cases);
    support::check_all("duckdb", &cases, rows);
}
