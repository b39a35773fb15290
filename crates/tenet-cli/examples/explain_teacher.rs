//! Embedding Tenet in a Rust service: load one policy, load a dataset,
//! evaluate one teacher against every rule and print why each result came
//! out as it did.
//!
//! ```text
//! cargo run -p tenet-cli --example explain_teacher -- [teacher-id] [as-of]
//! ```
//!
//! Defaults: teacher `lv-t05` (who falls short of the 90 学时 in 2022 because
//! an absence cost her a course's credit) and evaluation date 2024-03-01.

use std::path::Path;
use std::process::ExitCode;
use tenet::report::{Fact, Record};
use tenet::PolicySet;

const DEFAULT_TEACHER: &str = "lv-t05";
const DEFAULT_AS_OF: &str = "2024-03-01";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let teacher = args.next().unwrap_or_else(|| DEFAULT_TEACHER.to_string());
    let as_of = args.next().unwrap_or_else(|| DEFAULT_AS_OF.to_string());
    let as_of = chrono::NaiveDate::parse_from_str(&as_of, "%Y-%m-%d")
        .map_err(|_| format!("`{as_of}` is not a date (YYYY-MM-DD)"))?;

    // Paths relative to the workspace root, wherever cargo runs us from.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policy = root.join("policies/lvyuan.policy");
    let data_dir = root.join("examples/lvyuan");

    // 1. Policies: the core reads no files; we hand it a reader. Imports
    //    (`common.policy`) are resolved relative to the importing file.
    let set = PolicySet::load(&[policy.to_string_lossy()], |name| {
        std::fs::read_to_string(name).map_err(|e| e.to_string())
    })
    .map_err(|e| format!("{}\n{e}", e.render()))?;

    // 2. Data: a directory of CSV files, typed and validated.
    let loaded =
        tenet_io::load(&data_dir, &tenet_io::LoadOptions::default()).map_err(|e| e.to_string())?;
    let data = loaded.dataset;

    // 3. One subject, every rule that ranges over people.
    let subject = PolicySet::find_subject(&data, &teacher)
        .ok_or_else(|| format!("no person, school or district `{teacher}` in examples/lvyuan"))?;
    let results = set.evaluate_subject(&data, subject, as_of);

    println!(
        "{teacher} — lvyuan.policy as of {as_of}: {} result(s)",
        results.len()
    );
    for r in &results {
        let window = r
            .window
            .map_or("-".to_string(), |w| format!("{} .. {}", w.start, w.end));
        println!();
        println!(
            "{} [{}] {}  {}",
            r.rule,
            window,
            r.status.as_str(),
            numbers(
                r.actual.as_deref(),
                r.required.as_deref(),
                r.shortfall.as_deref()
            )
        );
        let e = &r.explanation;
        if let Some(m) = &e.message {
            println!("  {m}");
        }
        print_facts("values", &e.values);
        print_facts("params", &e.params);
        print_records("counted", &e.counted);
        print_records("excluded", &e.excluded);
        for m in &e.missing {
            println!("  missing: {m}");
        }
        if e.more > 0 {
            println!("  … and {} more record(s)", e.more);
        }
    }
    Ok(())
}

fn numbers(actual: Option<&str>, required: Option<&str>, shortfall: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(a) = actual {
        parts.push(format!("actual {a}"));
    }
    if let Some(q) = required {
        parts.push(format!("required {q}"));
    }
    if let Some(s) = shortfall {
        parts.push(format!("short {s}"));
    }
    parts.join(", ")
}

fn print_facts(label: &str, facts: &[Fact]) {
    for f in facts {
        println!("  {label}: {} = {}", f.expr, f.value);
    }
}

fn print_records(label: &str, records: &[Record]) {
    for r in records {
        let mut line = format!("  {label}: {} {}", r.kind, r.id);
        if let Some(v) = &r.value {
            line.push_str(&format!(" ({v})"));
        }
        if let Some(why) = &r.reason {
            line.push_str(&format!(" — {why}"));
        }
        println!("{line}");
    }
}
