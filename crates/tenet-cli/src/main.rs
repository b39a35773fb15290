//! `tenet`: check training records against compliance policies.
//!
//! Exit codes: 0 when every required rule passes, 1 when a required rule
//! fails, 2 on bad input (policy diagnostics, data problems, bad arguments).

mod policy_test;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tenet::PolicySet;

#[derive(Parser)]
#[command(
    name = "tenet",
    version,
    about = "Check teacher-training records against compliance policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate policies against a dataset and print a report.
    Check(CheckArgs),
    /// Run the policy test cases under `<dir>/tests/<policy>/`.
    Test(TestArgs),
    /// Write a synthetic dataset (deterministic for a seed).
    Gen(GenArgs),
}

#[derive(clap::Args)]
struct TestArgs {
    /// The directory holding the `.policy` files and their `tests/` folder.
    dir: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    Auto,
    Utf8,
    Gbk,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// A `.policy` file or a directory of them.
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// A directory of CSV files, a `.json` document or an `.xlsx` workbook.
    #[arg(long)]
    data: PathBuf,
    /// Evaluation date (YYYY-MM-DD); windows ending after it are pending. Default: today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to a file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Text encoding of CSV/JSON files.
    #[arg(long, value_enum, default_value = "auto")]
    encoding: EncodingArg,
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

/// A failure that ends the command with exit code 2.
struct BadInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Test(args) => test(&args),
        Command::Gen(args) => gen(&args),
    };
    match result {
        Ok(code) => code,
        Err(BadInput(message)) => {
            eprintln!("{}", message.trim_end());
            ExitCode::from(2)
        }
    }
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
    let set = PolicySet::load(&roots, |name| {
        std::fs::read_to_string(name).map_err(|e| e.to_string())
    })
    .map_err(|e| BadInput(format!("{}\n{e}", e.render())))?;
    if !set.warnings().is_empty() {
        eprint!("{}", set.render_warnings());
    }
    Ok(set)
}

fn load_data(path: &Path, encoding: EncodingArg) -> Result<tenet::model::Dataset, BadInput> {
    let encoding = match encoding {
        EncodingArg::Auto => tenet_io::Encoding::Auto,
        EncodingArg::Utf8 => tenet_io::Encoding::Utf8,
        EncodingArg::Gbk => tenet_io::Encoding::Gbk,
    };
    let opts = tenet_io::LoadOptions { encoding };
    match tenet_io::load(path, &opts) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                eprintln!(
                    "warning: {} data-quality warning(s) in `{}`:",
                    loaded.warnings.len(),
                    path.display()
                );
                for w in loaded.warnings.iter().take(10) {
                    eprintln!("  {w}");
                }
                if loaded.warnings.len() > 10 {
                    eprintln!("  … and {} more", loaded.warnings.len() - 10);
                }
            }
            Ok(loaded.dataset)
        }
        Err(e) => Err(BadInput(format!("error: {e}"))),
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, BadInput> {
    let set = load_policies(&args.policy)?;
    let data = load_data(&args.data, args.encoding)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let reports = set.evaluate(&data, as_of);
    let policy_of = |id: &str| set.policies().iter().find(|p| p.id == id);
    let text = match args.format {
        Format::Json => {
            let json = match reports.as_slice() {
                [one] => serde_json::to_string_pretty(one),
                many => serde_json::to_string_pretty(many),
            };
            json.map_err(|e| BadInput(format!("error: cannot write JSON: {e}")))? + "\n"
        }
        Format::Text | Format::Markdown => reports
            .iter()
            .filter_map(|r| {
                let p = policy_of(&r.policy)?;
                Some(match args.format {
                    Format::Markdown => tenet::render::markdown(r, p),
                    _ => tenet::render::text(r, p),
                })
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| BadInput(format!("error: cannot write `{}`: {e}", path.display())))?,
        None => print!("{text}"),
    }
    let failing = reports.iter().any(|r| r.has_violations());
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn test(args: &TestArgs) -> Result<ExitCode, BadInput> {
    let outcome = policy_test::run(&args.dir).map_err(BadInput)?;
    print!("{}", outcome.text);
    let _ = outcome.passed;
    Ok(if outcome.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn gen(args: &GenArgs) -> Result<ExitCode, BadInput> {
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
    written.map_err(|e| BadInput(format!("error: {e}")))?;
    eprintln!(
        "wrote {} people, {} activities, {} enrollments, {} attendance rows to `{}`",
        rows.people.len(),
        rows.activities.len(),
        rows.enrollments.len(),
        rows.attendance.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
