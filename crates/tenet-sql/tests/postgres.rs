//! The compiled SQL on a real PostgreSQL against the native evaluator.
//! Needs `TENET_PG_URL` (and `psql`); skipped with a message otherwise.
//! `.ci/sql.sh` starts a server on loopback and sets it.
mod support;

#[test]
fn shipped_policies_on_examples_match_native() {
    let Ok(url) = std::env::var("TENET_PG_URL") else {
        println!("skipped: TENET_PG_URL is not set (a PostgreSQL to load the examples into)");
        return;
    };
    let cases = support::shipped_cases();
    let rows = support::run_postgres(&url, &cases);
    support::check_all("postgres", &cases, rows);
}

/// At least 500 random policies with random datasets from the core's
/// property-test generator, field by field against the native evaluator
/// (see `duckdb.rs` for the knobs).
#[test]
fn random_policies_match_native() {
    let Ok(url) = std::env::var("TENET_PG_URL") else {
        println!(
            "skipped: TENET_PG_URL is not set (a PostgreSQL to load the random datasets into)"
        );
        return;
    };
    let root = tempfile::tempdir().expect("a temp dir");
    let (cases, refused) = support::random_cases(
        support::random_count(),
        root.path(),
        &[tenet_sql::Dialect::Postgres],
    );
    support::report_refusals("postgres", &cases, &refused);
    let rows = support::run_postgres(&url, &cases);
    support::check_all("postgres", &cases, rows);
}

/// Hand-made edge data (see `duckdb.rs`) on PostgreSQL.
#[test]
fn edge_data_matches_native() {
    let case = support::edge_case();
    support::assert_edge_native(&case);
    let Ok(url) = std::env::var("TENET_PG_URL") else {
        println!("skipped: TENET_PG_URL is not set");
        return;
    };
    let cases = vec![case];
    let rows = support::run_postgres(&url, &cases);
    support::check_all("postgres", &cases, rows);
}

/// Hand-made cadence data (see `duckdb.rs`) on PostgreSQL.
#[test]
fn cadence_data_matches_native() {
    let case = support::cadence_case();
    support::assert_cadence_native(&case);
    let Ok(url) = std::env::var("TENET_PG_URL") else {
        println!("skipped: TENET_PG_URL is not set");
        return;
    };
    let cases = vec![case];
    let rows = support::run_postgres(&url, &cases);
    support::check_all("postgres", &cases, rows);
}

/// `tests/data/open.policy` (see `duckdb.rs`) on PostgreSQL.
#[test]
fn open_cadence_data_matches_native() {
    let case = support::open_case();
    support::assert_open_native(&case);
    let Ok(url) = std::env::var("TENET_PG_URL") else {
        println!("skipped: TENET_PG_URL is not set");
        return;
    };
    let cases = vec![case];
    let rows = support::run_postgres(&url, &cases);
    support::check_all("postgres", &cases, rows);
}
