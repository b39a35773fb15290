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
