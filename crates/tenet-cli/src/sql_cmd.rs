//! `tenet sql` (print the SQL, the schema, a load script; render rows an
//! engine wrote) and `tenet check --engine` (run the SQL where the data is).

use crate::{json_out, load_policies, output, verdict, write_json, BadInput, Format};
use std::path::PathBuf;
use std::process::ExitCode;
use tenet::report::Report;
use tenet::PolicySet;
use tenet_sql::{compile, rows, schema, Compiled, Dialect, Options};

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum DialectArg {
    Duckdb,
    Postgres,
    Spark,
}

impl DialectArg {
    pub(crate) fn dialect(self) -> Dialect {
        match self {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Spark => Dialect::Spark,
        }
    }
}

/// Engines `tenet check --engine` runs on.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EngineArg {
    /// Tenet's own evaluator (the default).
    Native,
    /// A DuckDB database file, through the `duckdb` shell (PyPI `duckdb-cli`).
    Duckdb,
    /// A PostgreSQL database (`postgres://user@host/db`).
    Postgres,
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct SqlArgs {
    #[command(subcommand)]
    what: Option<SqlWhat>,
    /// The engine the SQL is for.
    #[arg(long, value_enum, default_value = "duckdb")]
    dialect: DialectArg,
    /// A `.policy` file or a directory of them.
    #[arg(long)]
    policy: Vec<PathBuf>,
    /// Evaluation date (YYYY-MM-DD). Default: today.
    #[arg(long, value_parser = crate::parse_date)]
    as_of: Option<chrono::NaiveDate>,
}

#[derive(clap::Subcommand)]
enum SqlWhat {
    /// Print the CREATE TABLE statements of the dataset tables.
    Schema {
        #[arg(long, value_enum, default_value = "duckdb")]
        dialect: DialectArg,
    },
    /// Print a script that creates the tables and loads a CSV dataset
    /// directory (DuckDB: pipe into `duckdb FILE`; PostgreSQL: `psql -f`).
    Load {
        #[arg(long, value_enum, default_value = "duckdb")]
        dialect: DialectArg,
        /// The dataset directory.
        #[arg(long)]
        data: PathBuf,
    },
    /// Print the query that checks the tables before judging (`check
    /// --engine` runs it first; run it yourself on Spark).
    Checks {
        #[arg(long, value_enum, default_value = "duckdb")]
        dialect: DialectArg,
    },
    /// Render the rows an engine wrote (the Spark runner's CSV) as a report.
    Render {
        /// A `.policy` file or a directory of them (one policy).
        #[arg(long, required = true)]
        policy: Vec<PathBuf>,
        /// The rows, as CSV with a header.
        #[arg(long)]
        rows: PathBuf,
        /// The rows the checks' query (`tenet sql checks`) wrote on the same
        /// tables: a report is rendered only for tables that pass.
        #[arg(long)]
        checks: PathBuf,
        /// The dataset's `schools.csv` (id, name), for the per-school summary.
        #[arg(long)]
        schools: Option<PathBuf>,
        /// The evaluation date the SQL was made for.
        #[arg(long, value_parser = crate::parse_date)]
        as_of: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
}

fn compile_all(set: &PolicySet, opts: &Options) -> Result<Vec<Compiled>, BadInput> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for p in set.policies() {
        match compile(p, opts) {
            Ok(c) => out.push(c),
            Err(rs) => refused.extend(rs.into_iter().map(|r| {
                format!(
                    "error: policy `{}`, {r}\nhelp: run it with the native evaluator (`tenet check --data …`)",
                    r.policy
                )
            })),
        }
    }
    if refused.is_empty() {
        Ok(out)
    } else {
        Err(BadInput(refused.join("\n")))
    }
}

pub(crate) fn sql(args: &SqlArgs) -> Result<ExitCode, BadInput> {
    let text = match &args.what {
        Some(SqlWhat::Schema { dialect }) => schema::ddl(dialect.dialect()),
        Some(SqlWhat::Checks { dialect }) => tenet_sql::checks::checks_sql(dialect.dialect()),
        Some(SqlWhat::Load { dialect, data }) => {
            let headers = headers(data)?;
            let dir = data
                .canonicalize()
                .unwrap_or_else(|_| data.clone())
                .to_string_lossy()
                .into_owned();
            schema::load_script(dialect.dialect(), &dir, &headers)
        }
        Some(SqlWhat::Render {
            policy,
            rows: path,
            checks,
            schools,
            as_of,
            format,
        }) => return render(policy, path, checks, schools.as_ref(), *as_of, *format),
        None => {
            if args.policy.is_empty() {
                return Err(BadInput(
                    "error: `tenet sql` needs --policy (or a subcommand: schema, load, checks, render)"
                        .into(),
                ));
            }
            let set = load_policies(&args.policy)?;
            let as_of = args
                .as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let opts = Options {
                as_of,
                dialect: args.dialect.dialect(),
                columns: None,
            };
            let compiled = compile_all(&set, &opts)?;
            set.policies()
                .iter()
                .zip(compiled)
                .map(|(p, c)| {
                    format!(
                        "-- policy {} as of {as_of} ({}); columns: {}\n{};\n",
                        p.id,
                        opts.dialect,
                        tenet_sql::OUT.join(", "),
                        c.sql.trim_end()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    output::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The header of each CSV file of a dataset directory.
fn headers(dir: &std::path::Path) -> Result<Vec<(String, Vec<String>)>, BadInput> {
    let mut out = Vec::new();
    for t in &schema::TABLES {
        let path = dir.join(format!("{}.csv", t.name));
        if !path.exists() {
            if t.optional {
                continue;
            }
            return Err(BadInput(format!("error: `{}` is missing", path.display())));
        }
        let mut r = csv::Reader::from_path(&path)
            .map_err(|e| BadInput(format!("error: cannot read `{}`: {e}", path.display())))?;
        let h = r
            .headers()
            .map_err(|e| BadInput(format!("error: cannot read `{}`: {e}", path.display())))?
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_string())
            .collect();
        out.push((t.name.to_string(), h));
    }
    Ok(out)
}

fn render(
    policy: &[PathBuf],
    path: &PathBuf,
    checks: &PathBuf,
    schools: Option<&PathBuf>,
    as_of: chrono::NaiveDate,
    format: Format,
) -> Result<ExitCode, BadInput> {
    let set = load_policies(policy)?;
    let [p] = set.policies() else {
        return Err(BadInput(
            "error: `tenet sql render` takes one policy".into(),
        ));
    };
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p)
            .map_err(|e| BadInput(format!("error: cannot read `{}`: {e}", p.display())))
    };
    let found = rows::parse_csv(&read(checks)?).map_err(|e| BadInput(format!("error: {e}")))?;
    passes(&found, &checks.display().to_string())?;
    let rows = rows::from_csv(&read(path)?).map_err(|e| BadInput(format!("error: {e}")))?;
    let schools = match schools {
        Some(s) => {
            two_columns(rows::parse_csv(&read(s)?).map_err(|e| BadInput(format!("error: {e}")))?)
        }
        None => Vec::new(),
    };
    let opts = Options {
        as_of,
        dialect: Dialect::Spark,
        columns: None,
    };
    let compiled = compile_all(&set, &opts)?;
    let Some(c) = compiled.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    let report =
        rows::report(p, c, as_of, &rows, &schools).map_err(|e| BadInput(format!("error: {e}")))?;
    emit(&set, vec![report], format, None)
}

/// Refuses tables whose checks (the rows of [`tenet_sql::checks::checks_sql`]
/// on `db`) found a problem, listing them.
fn passes(found: &[rows::Row], db: &str) -> Result<(), BadInput> {
    let checked = tenet_sql::checks::read(found).map_err(|e| BadInput(format!("error: {e}")))?;
    if checked.passed() {
        return Ok(());
    }
    Err(BadInput(format!(
        "error: {}",
        checked.render_in(db, crate::lang())
    )))
}

fn two_columns(rows: Vec<rows::Row>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .into_iter()
        .filter_map(|r| {
            let mut it = r.into_iter();
            Some((it.next()??, it.next().flatten().unwrap_or_default()))
        })
        .collect();
    out.sort();
    out
}

/// Runs one query on the engine.
type RunSql<'a> = dyn Fn(&str) -> Result<Vec<rows::Row>, tenet_sql::engine::EngineError> + 'a;

/// `tenet check --engine duckdb|postgres --db …`.
pub(crate) fn check_engine(
    engine: EngineArg,
    db: &str,
    policy: &[PathBuf],
    as_of_day: Option<chrono::NaiveDate>,
    format: Format,
    out: Option<&std::path::Path>,
) -> Result<ExitCode, BadInput> {
    let set = load_policies(policy)?;
    let as_of = as_of_day.unwrap_or_else(|| chrono::Local::now().date_naive());
    let (dialect, run): (Dialect, Box<RunSql<'_>>) = match engine {
        EngineArg::Duckdb => (
            Dialect::DuckDb,
            Box::new(|sql| tenet_sql::engine::duckdb_rows(db, sql)),
        ),
        EngineArg::Postgres => (
            Dialect::Postgres,
            Box::new(|sql| tenet_sql::engine::postgres_rows(db, sql)),
        ),
        EngineArg::Native => {
            return Err(BadInput(
                "error: --db is for --engine duckdb|postgres".into(),
            ))
        }
    };
    let engine_err = |e: tenet_sql::engine::EngineError| BadInput(format!("error: {e}"));
    // The tables first: what the native loader refuses is not judged here
    // either (a repeated enrollment would count twice).
    passes(
        &run(&tenet_sql::checks::checks_sql(dialect)).map_err(engine_err)?,
        db,
    )?;
    let columns_sql = "SELECT table_name, column_name FROM information_schema.columns ORDER BY table_name, ordinal_position";
    let mut columns = std::collections::BTreeMap::<String, Vec<String>>::new();
    for r in run(columns_sql).map_err(engine_err)? {
        if let (Some(Some(t)), Some(Some(c))) = (r.first(), r.get(1)) {
            if let Some(table) = schema::table(t) {
                if !table.columns.iter().any(|(own, ..)| own == c) {
                    columns.entry(t.clone()).or_default().push(c.clone());
                }
            } else {
                continue;
            }
        }
    }
    let schools = two_columns(run(tenet_sql::engine::schools_query()).map_err(engine_err)?);
    let opts = Options {
        as_of,
        dialect,
        columns: Some(columns),
    };
    let compiled = compile_all(&set, &opts)?;
    let mut reports = Vec::new();
    for (p, c) in set.policies().iter().zip(&compiled) {
        let rows = run(&c.sql).map_err(engine_err)?;
        reports.push(
            rows::report(p, c, as_of, &rows, &schools)
                .map_err(|e| BadInput(format!("error: {e}")))?,
        );
    }
    emit(&set, reports, format, out)
}

fn emit(
    set: &PolicySet,
    reports: Vec<Report>,
    format: Format,
    out: Option<&std::path::Path>,
) -> Result<ExitCode, BadInput> {
    let failing = reports.iter().any(Report::has_violations);
    let policy_of = |id: &str| set.policies().iter().find(|p| p.id == id);
    let text = match format {
        Format::Json => {
            let n = reports.len();
            write_json(json_out(out)?, reports.into_iter(), n)?;
            return Ok(verdict(failing));
        }
        Format::Html => {
            let pairs: Vec<_> = reports
                .iter()
                .filter_map(|r| Some((r, policy_of(&r.policy)?)))
                .collect();
            tenet_cli::html::render_with(&pairs, tenet_cli::names::Names::none())
        }
        Format::Markdown | Format::Text => reports
            .iter()
            .filter_map(|r| {
                let p = policy_of(&r.policy)?;
                Some(if format == Format::Markdown {
                    tenet::render::markdown(r, p)
                } else {
                    tenet::render::text(r, p)
                })
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    match out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| BadInput(format!("error: cannot write `{}`: {e}", path.display())))?,
        None => output::stdout(&text)?,
    }
    Ok(verdict(failing))
}
