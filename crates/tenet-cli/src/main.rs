//! `tenet`: check training records against compliance policies.
//!
//! Exit codes: 0 when every required rule passes (or the command
//! succeeded), 1 when a required rule fails (or a policy test fails), 2 on
//! bad input (policy diagnostics, data problems, bad arguments).

mod explain;
mod messages;
mod policy_test;
mod read;
mod sanity;
mod schema_cmd;
mod sql_cmd;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tenet::report::{Report, Status, Verdict};
use tenet::value::EntityRef;
use tenet::{Detail, EvalOptions, PolicySet};
use tenet_cli::output;

#[derive(Parser)]
#[command(
    name = "tenet",
    version,
    about = "Check teacher-training records against compliance policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of diagnostics and errors: `en` or `zh` (default: `zh`
    /// when `LC_ALL`/`LC_MESSAGES`/`LANG` says so, else `en`). For `fmt`,
    /// also the keyword surface to print: `en` (rule, for, each …) or `zh`
    /// (规则, 对象, 每 …); without it `fmt` keeps the file's own.
    #[arg(long, global = true, value_parser = parse_lang)]
    lang: Option<tenet::syntax::Lang>,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate policies against a dataset and print a report.
    ///
    /// Exit code: 0 when every result of a required rule was decided and
    /// none failed (pass or not applicable); 1 when a required result
    /// fails; 3 when none fails but some are unknown or pending
    /// (undecided); 2 on bad input. Advisory rules never change it.
    Check(CheckArgs),
    /// Show how one rule came out for one subject: every record counted or left out, and why.
    Explain(ExplainArgs),
    /// Run the policy test cases under `<dir>/tests/<policy>/`.
    Test(TestArgs),
    /// Print the record model: entities, fields, relations and values a policy may use.
    Schema,
    /// Rewrite policy files in the canonical layout (comments kept).
    Fmt(FmtArgs),
    /// Write a synthetic dataset (deterministic for a seed).
    Gen(GenArgs),
    /// Compile policies to SQL for DuckDB, PostgreSQL or Spark; print the table schema or a load script; render rows an engine wrote.
    Sql(sql_cmd::SqlArgs),
    /// Serve the policies over HTTP (JSON API, OpenAPI, dashboard page).
    Serve(ServeArgs),
    /// Manage the bearer tokens of `tenet serve`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run the language server on stdin/stdout (for editors; see crates/tenet-lsp/README.md).
    Lsp,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The policy directory (watched; reloaded when a file changes).
    #[arg(long)]
    policies: PathBuf,
    /// A dataset to hold: a directory of CSV files, a `.json` document, an `.xlsx` workbook, or a database (`postgres://…`, `sqlite:FILE`, `duckdb:FILE`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// The tokens file (`tenet token add`); without it only loopback addresses are served.
    #[arg(long)]
    tokens: Option<PathBuf>,
    /// Directory of the decision log (one JSON line per decision, synced before each response).
    #[arg(long)]
    log: Option<PathBuf>,
    /// Rotate the decision log past this many MiB.
    #[arg(long, default_value_t = 64)]
    log_max_mib: u64,
    /// Largest request body, in MiB.
    #[arg(long, default_value_t = 32)]
    max_body_mib: usize,
    /// Largest size an upload may unpack to, in MiB.
    #[arg(long, default_value_t = 256)]
    max_unpacked_mib: u64,
    /// Longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Requests served at once (more get 503).
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// How often the policy directory and the tokens file are looked at, in milliseconds (SIGHUP reloads both at once).
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token, print it once, and append its hash to the file.
    Add {
        /// The tokens file (created if missing).
        #[arg(long)]
        file: PathBuf,
        /// Who the token is for (written to the decision log as the caller).
        #[arg(long)]
        name: String,
        /// Scopes, comma-separated: read, check, admin.
        #[arg(long, value_delimiter = ',', default_value = "read,check")]
        scopes: Vec<String>,
        /// Last day the token is valid (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        expires: Option<NaiveDate>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
    /// One self-contained page with charts (no network).
    Html,
}

/// The spellings `tenet_io::Encoding` accepts, so a hint's `--encoding
/// utf-8` works as typed.
#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(alias = "gb18030", alias = "gb2312", alias = "cp936")]
    Gbk,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Only {
    /// Failing results.
    Failing,
    /// Failing, pending and unknown results.
    Problems,
}

#[derive(clap::Args)]
struct DataArgs {
    /// A `.policy` file or a directory of them.
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// A directory of CSV files, a `.json` document, an `.xlsx` workbook, or a database (`postgres://…`, `sqlite:FILE`, `duckdb:FILE`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); windows ending after it are pending. Default: today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Text encoding of CSV/JSON files.
    #[arg(long, value_enum, default_value = "auto")]
    encoding: EncodingArg,
    /// A TOML file naming the dataset's own headers and values
    /// (`"工号" = "id"`, `"县级" = "district"`), added to the built-in
    /// Chinese names (crates/tenet-io/README.md).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    input: DataArgs,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to a file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Evaluate only these rules (ids; `policy.rule` when ids repeat).
    #[arg(long, num_args = 1..)]
    rule: Vec<String>,
    /// Evaluate only these subjects (district, school, person or activity ids).
    #[arg(long, num_args = 1..)]
    subject: Vec<String>,
    /// List only some results (the summary still counts every result).
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// Which results list the records they counted and left out
    /// (`explanation.counted`/`excluded`; the others count them in `more`).
    /// `auto`: `full` for JSON; the text, Markdown and HTML reports show no
    /// record lists, so they skip making them.
    #[arg(long, value_enum, default_value = "auto")]
    detail: DetailArg,
    /// Where the policies run: Tenet's evaluator on --data, or the SQL
    /// compiled for DuckDB or PostgreSQL on the database at --db.
    #[arg(long, value_enum, default_value = "native")]
    engine: sql_cmd::EngineArg,
    /// The database for --engine: a DuckDB file or a `postgres://` URL.
    #[arg(long)]
    db: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DetailArg {
    Auto,
    /// Every result lists its records.
    Full,
    /// Only results that are not a pass (or not applicable).
    Failures,
    /// No result lists records.
    Brief,
}

#[derive(clap::Args)]
struct ExplainArgs {
    #[command(flatten)]
    input: DataArgs,
    /// The rule id (`policy.rule` when ids repeat).
    #[arg(long)]
    rule: String,
    /// The subject id.
    #[arg(long)]
    subject: String,
    /// Only the window starting on this date.
    #[arg(long, value_parser = parse_date)]
    window: Option<NaiveDate>,
}

#[derive(clap::Args)]
struct TestArgs {
    /// The directory holding the `.policy` files and their `tests/` folder.
    dir: PathBuf,
}

#[derive(clap::Args)]
struct FmtArgs {
    /// `.policy` files or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not in the canonical layout.
    #[arg(long)]
    check: bool,
    /// Print the formatted text on stdout instead of rewriting the file.
    #[arg(long, conflicts_with = "check")]
    stdout: bool,
}

fn parse_lang(s: &str) -> Result<tenet::syntax::Lang, String> {
    tenet::syntax::Lang::parse(s)
        .ok_or_else(|| format!("`{s}` is not a language: use `en` or `zh`"))
}

#[derive(clap::Args)]
struct GenArgs {
    /// Number of school teachers.
    #[arg(long, default_value_t = 500)]
    teachers: usize,
    /// Number of calendar years of activity.
    #[arg(long, default_value_t = 2)]
    years: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First calendar year.
    #[arg(long, default_value_t = 2021)]
    start_year: i32,
    /// Output directory (CSV files) or `.json` file.
    #[arg(long)]
    out: PathBuf,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2024-06-30"))
}

/// A failure that ends the command with exit code 2; an empty message
/// (a closed pipe) is not printed.
struct BadInput(String);

impl From<output::WriteError> for BadInput {
    fn from(e: output::WriteError) -> BadInput {
        match e {
            output::WriteError::Closed => BadInput(String::new()),
            output::WriteError::Failed(message) => BadInput(message),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let _ = LANG.set(
        cli.lang
            .or_else(tenet::diagnostic::Lang::from_env)
            .unwrap_or_default(),
    );
    let surface = cli.lang;
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Explain(args) => explain_cmd(&args),
        Command::Test(args) => test(&args),
        Command::Schema => output::stdout(&schema_cmd::render())
            .map(|()| ExitCode::SUCCESS)
            .map_err(BadInput::from),
        Command::Fmt(args) => fmt(&args, surface),
        Command::Gen(args) => gen(&args),
        Command::Sql(args) => sql_cmd::sql(&args),
        Command::Serve(args) => serve(args),
        Command::Token(cmd) => token(cmd),
        Command::Lsp => tenet_lsp::run_stdio()
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| BadInput(format!("error: cannot start the language server: {e}"))),
    };
    match result {
        Ok(code) => code,
        Err(BadInput(message)) => {
            if !message.is_empty() {
                output::note(messages::localize(message.trim_end(), lang()).trim_end());
            }
            ExitCode::from(2)
        }
    }
}

/// Help and version as clap prints them; a command-line error in the
/// reader's language (`--lang` as typed, else the locale), exit code 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let lang = lang_in_args(std::env::args())
        .or_else(tenet::diagnostic::Lang::from_env)
        .unwrap_or_default();
    let help = matches!(
        e.kind(),
        clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !e.use_stderr() || help || lang == tenet::diagnostic::Lang::En {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    output::note(&messages::localize(&messages::clap_error(e), lang));
    ExitCode::from(2)
}

/// The `--lang` of a command line that did not parse.
fn lang_in_args(args: impl Iterator<Item = String>) -> Option<tenet::diagnostic::Lang> {
    let args: Vec<String> = args.collect();
    args.iter().enumerate().find_map(|(i, a)| {
        let value = match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1)?.as_str(),
            Some(v) => v.strip_prefix('=')?,
            None => return None,
        };
        tenet::syntax::Lang::parse(value)
    })
}

/// The language diagnostics and errors are written in (`--lang`, else the locale).
static LANG: std::sync::OnceLock<tenet::diagnostic::Lang> = std::sync::OnceLock::new();

fn lang() -> tenet::diagnostic::Lang {
    LANG.get().copied().unwrap_or_default()
}

/// A line to standard error (a warning, what was done) in the reader's language.
fn say(text: &str) {
    output::note(&messages::status(text, lang()));
}

/// Colour only on a terminal, never with `NO_COLOR` set.
fn colour_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A spinner on long steps, only when a person is watching a terminal.
fn spinner(message: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// The `.policy` files named: files as given, directories expanded (sorted).
fn policy_files(paths: &[PathBuf]) -> Result<Vec<String>, BadInput> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| {
                BadInput(format!(
                    "error: cannot read directory `{}`: {e}",
                    path.display()
                ))
            })?;
            let mut files: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "policy"))
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(BadInput(format!(
                    "error: no `.policy` files in `{}`",
                    path.display()
                )));
            }
            out.extend(files);
        } else if path.exists() {
            out.push(path.to_string_lossy().into_owned());
        } else {
            return Err(BadInput(format!(
                "error: policy file `{}` does not exist\nhelp: pass a `.policy` file or a directory of them",
                path.display()
            )));
        }
    }
    Ok(out)
}

fn load_policies(paths: &[PathBuf]) -> Result<PolicySet, BadInput> {
    let roots = policy_files(paths)?;
    let set = PolicySet::load(&roots, read::policies(&roots, lang()))
        .map_err(|e| BadInput(format!("{}\n{}", e.render_in(lang()), e.summary_in(lang()))))?;
    if !set.warnings().is_empty() {
        output::note(set.render_warnings_in(lang()).trim_end());
    }
    Ok(set)
}

fn load_data(
    path: &Path,
    encoding: EncodingArg,
    mapping: Option<&Path>,
) -> Result<tenet::model::Dataset, BadInput> {
    let database = path.to_str().and_then(tenet_io::database_name);
    if database.is_none() && !path.exists() {
        return Err(BadInput(format!(
            "error: data `{}` does not exist\nhelp: pass a directory of CSV files, a `.json` file or an `.xlsx` workbook",
            path.display()
        )));
    }
    let encoding = match encoding {
        EncodingArg::Auto => tenet_io::Encoding::Auto,
        EncodingArg::Utf8 => tenet_io::Encoding::Utf8,
        EncodingArg::Gbk => tenet_io::Encoding::Gbk,
    };
    let mapping = match mapping {
        Some(file) => tenet_io::Mapping::load(file)
            .map_err(|e| BadInput(format!("error: {}", e.render_in(lang()))))?,
        None => tenet_io::Mapping::builtin(),
    };
    let opts = tenet_io::LoadOptions {
        encoding,
        mapping: std::sync::Arc::new(mapping),
    };
    // A database URL is shown without its password.
    let shown = database.unwrap_or_else(|| path.display().to_string());
    let bar = spinner(&format!("loading {shown}"));
    let loaded = tenet_io::load(path, &opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match loaded {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                say(&format!(
                    "warning: {} data-quality warning(s) in `{shown}`:",
                    loaded.warnings.len(),
                ));
                for w in loaded.warnings.iter().take(10) {
                    say(&format!("  {w}"));
                }
                if loaded.warnings.len() > 10 {
                    say(&format!("  … and {} more", loaded.warnings.len() - 10));
                }
            }
            Ok(loaded.dataset)
        }
        Err(e) => Err(BadInput(format!("error: {}", e.render_in(lang())))),
    }
}

/// Checks that every `--rule` names a rule of the set.
fn known_rules(set: &PolicySet, wanted: &[String]) -> Result<(), BadInput> {
    for w in wanted {
        // `policy.rule` looks in that policy only, which must exist.
        let (policy, id) = match w.split_once('.') {
            Some((p, r)) => (Some(p), r),
            None => (None, w.as_str()),
        };
        if let Some(p) = policy.filter(|p| !set.policies().iter().any(|x| x.id == *p)) {
            let ids = set.policies().iter().map(|x| x.id.as_str());
            let hint = tenet::diagnostic::did_you_mean(p, ids.clone()).map_or_else(
                || format!("policies are: {}", ids.collect::<Vec<_>>().join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            return Err(BadInput(format!(
                "error: no policy `{p}` (in `--rule {w}`)\nhelp: {hint}"
            )));
        }
        let ids: Vec<String> = set
            .policies()
            .iter()
            .filter(|p| policy.is_none_or(|id| p.id == id))
            .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
            .collect();
        if !ids.iter().any(|i| i == id) {
            let hint = tenet::diagnostic::did_you_mean(id, ids.iter().map(String::as_str))
                .map_or_else(
                    || format!("rules are: {}", ids.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
            return Err(BadInput(format!(
                "error: no rule `{w}` in the policies\nhelp: {hint}"
            )));
        }
    }
    Ok(())
}

fn find_subject(data: &tenet::model::Dataset, id: &str) -> Result<EntityRef, BadInput> {
    PolicySet::find_subject(data, id).ok_or_else(|| {
        BadInput(format!(
            "error: no district, school, person, activity or mentorship has id `{id}`\nhelp: ids are as in the data files; a mentorship's id is `mentor/trainee/program`"
        ))
    })
}

fn as_of(input: &DataArgs) -> NaiveDate {
    input
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The `--data` path, which every native run needs.
fn data_path(input: &DataArgs) -> Result<&Path, BadInput> {
    input.data.as_deref().ok_or_else(|| {
        BadInput("error: --data is required (or --engine duckdb|postgres with --db)".into())
    })
}

fn check(args: &CheckArgs) -> Result<ExitCode, BadInput> {
    if args.engine != sql_cmd::EngineArg::Native {
        let db = args.db.as_deref().ok_or_else(|| {
            BadInput("error: --engine needs --db (a DuckDB file or a postgres:// URL)".into())
        })?;
        if args.input.data.is_some() {
            return Err(BadInput(
                "error: --engine runs on --db; leave out --data".into(),
            ));
        }
        if !args.rule.is_empty() || !args.subject.is_empty() || args.only.is_some() {
            return Err(BadInput(
                "error: --rule, --subject and --only are not supported with --engine yet".into(),
            ));
        }
        // The SQL lists no records: its explanations are `brief` ones.
        if matches!(args.detail, DetailArg::Full | DetailArg::Failures) {
            return Err(BadInput(
                "error: --engine lists no records: its explanations are at --detail brief".into(),
            ));
        }
        return sql_cmd::check_engine(
            args.engine,
            db,
            &args.input.policy,
            args.input.as_of,
            args.format,
            args.out.as_deref(),
        );
    }
    let set = load_policies(&args.input.policy)?;
    sanity::has_rules(&set).map_err(BadInput)?;
    known_rules(&set, &args.rule)?;
    let data = load_data(
        data_path(&args.input)?,
        args.input.encoding,
        args.input.mapping.as_deref(),
    )?;
    let subjects = if args.subject.is_empty() {
        None
    } else {
        Some(
            args.subject
                .iter()
                .map(|s| find_subject(&data, s))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let rules = (!args.rule.is_empty()).then(|| args.rule.clone());
    let detail = match (args.detail, args.format) {
        (DetailArg::Full, _) | (DetailArg::Auto, Format::Json) => Detail::Full,
        (DetailArg::Failures, _) => Detail::Failures,
        (DetailArg::Brief, _) | (DetailArg::Auto, _) => Detail::Brief,
    };
    let opts = EvalOptions {
        rules,
        subjects,
        detail,
        ..EvalOptions::default()
    };
    if let Some(subjects) = &opts.subjects {
        let named: Vec<_> = args
            .subject
            .iter()
            .cloned()
            .zip(subjects.iter().copied())
            .collect();
        sanity::subjects_fit(&set, &opts, &named).map_err(BadInput)?;
    }
    for warning in sanity::warnings(&set, &data, as_of(&args.input)) {
        say(&warning);
    }
    let bar = spinner("evaluating");
    let policy_of = |id: &str| set.policies().iter().find(|p| p.id == id);
    let keep = |s: Status| match args.only {
        None => true,
        Some(Only::Failing) => s == Status::Fail,
        Some(Only::Problems) => matches!(s, Status::Fail | Status::Pending | Status::Unknown),
    };
    let as_of = as_of(&args.input);
    if args.format == Format::Json {
        // Each policy's report is written as soon as it is made, and let
        // go: a province's reports would otherwise all sit in memory
        // beside the dataset. Evaluation runs on its own thread and hands
        // reports over one at a time.
        let selected = set.policies().iter().filter(|p| opts.selects(p)).count();
        // Opened first: a path that cannot be written is an error before
        // any evaluation.
        let out = json_out(args.out.as_deref())?;
        let mut worst = Verdict::Passed;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let (set, data, opts, keep) = (&set, &data, &opts, &keep);
            scope.spawn(move || {
                set.evaluate_each(data, as_of, opts, |mut r| {
                    let v = r.verdict();
                    r.results.retain(|x| keep(x.status));
                    // A closed channel means writing failed; that error is
                    // reported below.
                    let _ = tx.send((v, r));
                })
            });
            let reports = rx.iter().map(|(v, r)| {
                worst = worst.max(v);
                r
            });
            write_json(out, reports, selected)
        })?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        std::mem::forget(data);
        return Ok(ExitCode::from(worst.exit_code()));
    }
    // Text and Markdown reports are rendered as each policy's report is
    // made and the report is let go (as JSON ones are written, above).
    // HTML takes them all.
    let rendered = matches!(args.format, Format::Text | Format::Markdown);
    let mut worst = Verdict::Passed;
    let mut reports = Vec::new();
    let mut texts = Vec::new();
    set.evaluate_each(&data, as_of, &opts, |mut r| {
        worst = worst.max(r.verdict());
        r.results.retain(|x| keep(x.status));
        if !rendered {
            reports.push(r);
        } else if let Some(p) = policy_of(&r.policy) {
            texts.push(match args.format {
                Format::Markdown => tenet::render::markdown(&r, p),
                _ => tenet::render::text(&r, p),
            });
            // Freed on a thread of its own: a report is hundreds of
            // thousands of small allocations, and the next policy need not
            // wait for them.
            std::thread::spawn(move || drop(r));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let text = match args.format {
        Format::Json => None,
        Format::Html => {
            let pairs: Vec<_> = reports
                .iter()
                .filter_map(|r| Some((r, policy_of(&r.policy)?)))
                .collect();
            Some(tenet_cli::html::render_with(
                &pairs,
                tenet_cli::names::Names::of(&data),
            ))
        }
        Format::Text | Format::Markdown => Some(texts.join("\n")),
    };
    match (&args.out, text) {
        (_, None) => {}
        (Some(path), Some(text)) => std::fs::write(path, text)
            .map_err(|e| BadInput(format!("error: cannot write `{}`: {e}", path.display())))?,
        (None, Some(text)) if args.format == Format::Text && colour_stdout() => {
            output::stdout(&colourise(&text))?
        }
        (None, Some(text)) => output::stdout(&text)?,
    }
    // The process ends here: freeing millions of records one by one
    // (0.1 s for 20,000 teachers, a second for 200,000) is left to the
    // operating system, which takes the whole heap back at once.
    std::mem::forget(reports);
    std::mem::forget(data);
    Ok(ExitCode::from(worst.exit_code()))
}

/// Exit code 1 when something failed, else 0.
fn verdict(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Where a JSON report goes: `out`, or standard output, buffered; and
/// how to say that writing there failed.
fn json_out(out: Option<&Path>) -> Result<(Box<dyn std::io::Write>, String), BadInput> {
    let place = out.map_or_else(
        || "standard output".to_string(),
        |p| format!("`{}`", p.display()),
    );
    let w: Box<dyn std::io::Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path)
                .map_err(|e| BadInput(format!("error: cannot write {place}: {e}")))?,
        )),
        None => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout().lock(),
        )),
    };
    Ok((w, place))
}

/// Writes the JSON report as it is serialised, report by report as
/// `reports` yields them: one report is written as an object, any other
/// number as an array (the same bytes as serialising them all at once).
/// A province's report runs to a gigabyte; neither it nor the reports
/// behind it are held whole.
fn write_json(
    (mut w, place): (Box<dyn std::io::Write>, String),
    mut reports: impl Iterator<Item = Report>,
    count: usize,
) -> Result<(), BadInput> {
    use serde::ser::{SerializeSeq, Serializer};
    use serde::Serialize;
    let cannot = |e: std::io::Error| BadInput::from(output::WriteError::of(&place, &e));
    // Each report is freed on a thread of its own once written (see the
    // text reports): hundreds of thousands of small allocations.
    let let_go = |r: Report| drop(std::thread::spawn(move || drop(r)));
    let mut json = serde_json::Serializer::pretty(&mut w);
    match (count, reports.next()) {
        (1, Some(one)) => {
            let written = one.serialize(&mut json);
            let_go(one);
            written
        }
        (_, first) => (|| {
            let mut seq = (&mut json).serialize_seq(None)?;
            for r in first.into_iter().chain(reports) {
                seq.serialize_element(&r)?;
                let_go(r);
            }
            seq.end()
        })(),
    }
    .map_err(|e| cannot(e.into()))?;
    w.write_all(b"\n").map_err(cannot)?;
    w.flush().map_err(cannot)
}

/// Colours the section headings of the text report.
fn colourise(text: &str) -> String {
    let paint = |line: &str, code: &str| format!("\x1b[{code}m{line}\x1b[0m");
    text.lines()
        .map(|line| match line {
            "Failures" => paint(line, "1;31"),
            "Unknown (missing data)" => paint(line, "1;33"),
            "Pending (window still open)" => paint(line, "1;36"),
            l if l.starts_with("── ") => paint(l, "1"),
            l => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn explain_cmd(args: &ExplainArgs) -> Result<ExitCode, BadInput> {
    let set = load_policies(&args.input.policy)?;
    known_rules(&set, std::slice::from_ref(&args.rule))?;
    let data = load_data(
        data_path(&args.input)?,
        args.input.encoding,
        args.input.mapping.as_deref(),
    )?;
    let subject = find_subject(&data, &args.subject)?;
    let (policy_id, rule_id) = match args.rule.split_once('.') {
        Some((p, r)) => (Some(p), r),
        None => (None, args.rule.as_str()),
    };
    let found = set
        .policies()
        .iter()
        .filter(|p| policy_id.is_none_or(|id| p.id == id))
        .find_map(|p| p.rules.iter().find(|r| r.id == rule_id).map(|r| (p, r)));
    let Some((policy, rule)) = found else {
        return Err(BadInput(format!(
            "error: no rule `{}` in the policies",
            args.rule
        )));
    };
    let qualified = format!("{}.{}", policy.id, rule.id);
    let mut results = set
        .evaluate_rule(&data, &qualified, Some(subject), as_of(&args.input))
        .unwrap_or_default();
    if let Some(start) = args.window {
        results.retain(|r| r.window.is_some_and(|w| w.start == start));
    }
    let names = tenet_cli::names::Names::of(&data);
    output::stdout(&explain::render(
        policy,
        rule,
        &args.subject,
        &results,
        names,
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn test(args: &TestArgs) -> Result<ExitCode, BadInput> {
    if !args.dir.is_dir() {
        return Err(BadInput(format!(
            "error: `{}` is not a directory\nhelp: pass the directory holding the `.policy` files, e.g. `tenet test policies`",
            args.dir.display()
        )));
    }
    let outcome = policy_test::run(&args.dir, lang()).map_err(BadInput)?;
    output::stdout(&messages::test_report(&outcome.text, lang()))?;
    Ok(verdict(outcome.failed > 0))
}

fn fmt(args: &FmtArgs, surface: Option<tenet::syntax::Lang>) -> Result<ExitCode, BadInput> {
    let files = policy_files(&args.paths)?;
    let mut errors = Vec::new();
    let mut unformatted = Vec::new();
    for file in &files {
        let source = read::policy_file(file).map_err(|e| {
            BadInput(format!(
                "error: cannot read `{file}`: {}",
                messages::reason(&e, lang())
            ))
        })?;
        match tenet::syntax::format_lang(file, &source, surface) {
            Ok(formatted) if args.stdout => output::stdout(&formatted)?,
            Ok(formatted) if formatted == source => {}
            Ok(_) if args.check => unformatted.push(file.clone()),
            Ok(formatted) => {
                std::fs::write(file, formatted)
                    .map_err(|e| BadInput(format!("error: cannot write `{file}`: {e}")))?;
                say(&format!("formatted {file}"));
            }
            Err(e) => errors.extend(e.diagnostics.iter().map(|d| d.render_in(&source, lang()))),
        }
    }
    if !errors.is_empty() {
        return Err(BadInput(errors.join("\n")));
    }
    let listed: String = unformatted
        .iter()
        .map(|file| {
            let line = format!("{file}: not in the canonical layout (run `tenet fmt {file}`)");
            messages::status(&line, lang()) + "\n"
        })
        .collect();
    output::stdout(&listed)?;
    Ok(verdict(!unformatted.is_empty()))
}

fn gen(args: &GenArgs) -> Result<ExitCode, BadInput> {
    sanity::gen_args(args.teachers, args.years, args.start_year).map_err(BadInput)?;
    let cfg = tenet_io::gen::GenConfig {
        teachers: args.teachers,
        years: args.years,
        seed: args.seed,
        start_year: args.start_year,
    };
    let rows = tenet_io::gen::generate(&cfg);
    let written = if args.out.extension().is_some_and(|x| x == "json") {
        tenet_io::write_json(&rows, &args.out)
    } else {
        tenet_io::write_dir(&rows, &args.out)
    };
    written.map_err(|e| BadInput(format!("error: {}", e.render_in(lang()))))?;
    say(&format!(
        "wrote {} people, {} activities, {} enrollments, {} attendance rows to `{}`",
        rows.people.len(),
        rows.activities.len(),
        rows.enrollments.len(),
        rows.attendance.len(),
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> Result<ExitCode, BadInput> {
    if !args.policies.is_dir() {
        return Err(BadInput(format!(
            "error: `{}` is not a directory\nhelp: pass the directory holding the `.policy` files",
            args.policies.display()
        )));
    }
    let limits = tenet_server::Limits {
        body_bytes: args.max_body_mib << 20,
        unpacked_bytes: args.max_unpacked_mib << 20,
        timeout: std::time::Duration::from_secs(args.timeout),
        concurrency: args.concurrency.max(1),
        ..tenet_server::Limits::default()
    };
    let config = tenet_server::Config {
        policies: args.policies,
        data: args.data,
        addr: args.addr,
        tokens: args.tokens,
        log: args.log,
        log_max_bytes: args.log_max_mib << 20,
        poll: std::time::Duration::from_millis(args.poll_ms.max(50)),
        limits,
    };
    tenet_server::serve(config, Some(tenet_cli::html::render))
        .map_err(|e| BadInput(e.render_in(lang())))?;
    Ok(ExitCode::SUCCESS)
}

fn token(cmd: TokenCommand) -> Result<ExitCode, BadInput> {
    let TokenCommand::Add {
        file,
        name,
        scopes,
        expires,
    } = cmd;
    let scopes = scopes
        .iter()
        .map(|s| {
            tenet_server::auth::Scope::parse(s).ok_or_else(|| {
                BadInput(format!(
                    "error: unknown scope `{s}`\nhelp: scopes are read, check, admin"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let token = tenet_server::auth::add_token(&file, &name, &scopes, expires)
        .map_err(|e| BadInput(format!("error: {e}")))?;
    println!("{token}");
    say(&format!(
        "added token `{name}` to `{}`; it is shown only now — store it safely",
        file.display()
    ));
    Ok(ExitCode::SUCCESS)
}
