//! Hostile datasets: each folder in `tests/hostile/` holds the files that
//! replace those of the small valid dataset in `common`, and
//! `expected.txt`, what loading it must report. Adding a case is adding a
//! folder; a folder without `expected.txt` fails. A file named `encoding`
//! holds the `--encoding` to load with (default: auto).
//!
//! Run with `TENET_BLESS=1` to write the expected files from the current
//! output (then review the diff).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tenet_io::{load, read_rows, render_problems, Encoding, LoadError, LoadOptions, Loaded};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// What a user sees: the problems, or what loaded.
fn outcome(result: Result<Loaded, LoadError>) -> String {
    match result {
        Ok(loaded) => {
            let d = &loaded.dataset;
            let mut out = format!(
                "loaded: {} people, {} activities, {} sessions, {} warning(s)\n",
                d.people.len(),
                d.activities.len(),
                d.sessions.len(),
                loaded.warnings.len()
            );
            for w in &loaded.warnings {
                out.push_str(&format!("  {w}\n"));
            }
            out
        }
        Err(LoadError::Invalid(problems)) => render_problems(&problems, 20) + "\n",
        Err(other) => format!("error: {other}\n"),
    }
}

/// Loads the base dataset with the case's files laid over it.
fn load_case(case: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let mut opts = LoadOptions::default();
    for entry in std::fs::read_dir(case).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        match name.as_str() {
            "expected.txt" => {}
            "encoding" => {
                let text = std::fs::read_to_string(&path).unwrap();
                opts.encoding = text.trim().parse::<Encoding>().unwrap();
            }
            _ => {
                std::fs::copy(&path, dir.path().join(&name)).unwrap();
            }
        }
    }
    outcome(load(dir.path(), &opts))
}

#[test]
fn every_hostile_dataset_gives_its_expected_report() {
    let bless = std::env::var_os("TENET_BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 13, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = load_case(case);
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == got => {}
            Ok(expected) => failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                case.display()
            )),
            Err(_) => failures.push(format!("{}: no expected.txt; got\n{got}", case.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each hostile case is reported as a problem (not a crash, not a silent
/// load) — except the two that are valid and must load: GBK detected
/// automatically, and old Mac line endings.
#[test]
fn hostile_datasets_are_refused_with_a_reason() {
    for case in std::fs::read_dir(cases_dir()).unwrap() {
        let case = case.unwrap().path();
        let name = case.file_name().unwrap().to_str().unwrap().to_string();
        let got = load_case(&case);
        let loads = matches!(name.as_str(), "gbk-detected" | "cr-line-endings");
        if !loads {
            assert!(!got.starts_with("loaded:"), "{name} loaded:\n{got}");
        }
    }
}

#[test]
fn a_ten_megabyte_cell_is_loaded_or_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let big = "长".repeat((10 << 20) / 3 + 1);
    assert!(big.len() >= 10 << 20);
    common::write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" => text.replace("王伟", &big),
            "sessions.csv" => text.replace(
                "e1,a1,2023-03-01,2",
                &format!("e1,a1,2023-03-01,2{}", "0".repeat(10 << 20)),
            ),
            _ => text.to_string(),
        })
    });
    let start = Instant::now();
    let got = outcome(load(dir.path(), &LoadOptions::default()));
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    // The name is free text and loads; the 10 MB number is refused, and
    // the message quotes a bounded part of it.
    assert!(
        got.contains("sessions.csv:2:4 (hours)"),
        "{}",
        &got[..got.len().min(2000)]
    );
    assert!(got.len() < 100_000, "report is {} bytes", got.len());
}

#[test]
fn read_rows_reports_the_same_problems_as_load() {
    let case = cases_dir().join("date-2023-02-30");
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    std::fs::copy(
        case.join("activities.csv"),
        dir.path().join("activities.csv"),
    )
    .unwrap();
    match read_rows(dir.path(), &LoadOptions::default()) {
        Err(LoadError::Invalid(problems)) => {
            let text = render_problems(&problems, 20);
            assert!(
                text.contains("invalid date `2023-02-30`: no such day"),
                "{text}"
            );
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

/// The base dataset as one JSON document, with `finance` given as `json`.
fn json_with_finance(finance: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let rows = read_rows(dir.path(), &LoadOptions::default()).unwrap();
    let path = dir.path().join("base.json");
    tenet_io::write_json(&rows, &path).unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["finance"] = serde_json::Value::Null;
    let text = serde_json::to_string(&doc).unwrap();
    text.replace("\"finance\":null", &format!("\"finance\":{finance}"))
}

fn load_json(text: &str) -> Result<Loaded, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    std::fs::write(&path, text).unwrap();
    load(&path, &LoadOptions::default())
}

#[test]
fn json_numbers_are_read_exactly_as_written() {
    let text = json_with_finance(
        r#"[{"org":"s1","year":2023,"item":"public_funds_budget","amount":1234567890123.123456789},
            {"org":"s1","year":2023,"item":"teacher_training_funds","amount":0.1}]"#,
    );
    let loaded = load_json(&text).unwrap();
    let amounts: Vec<String> = loaded
        .dataset
        .finance
        .iter()
        .map(|f| f.amount.to_string())
        .collect();
    assert_eq!(amounts, ["1234567890123.123456789", "0.1"]);
}

#[test]
fn json_numbers_beyond_exact_decimals_are_refused_not_rounded() {
    let text = json_with_finance(
        r#"[{"org":"s1","year":2023,"item":"public_funds_budget","amount":47999.99999999999999999999999999},
            {"org":"s1","year":2023,"item":"teacher_training_funds","amount":1e5}]"#,
    );
    let got = outcome(load_json(&text));
    assert!(
        got.contains("decimal `47999.99999999999999999999999999` has more digits than an exact decimal holds"),
        "{got}"
    );
    assert!(got.contains("invalid decimal `1e5`"), "{got}");
}

#[test]
fn a_file_of_garbage_keeps_a_bounded_number_of_problems_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let mut text = String::from("person,activity\n");
    for i in 0..200_000 {
        text.push_str(&format!("p{i},\n"));
    }
    std::fs::write(dir.path().join("enrollments.csv"), text).unwrap();
    let Err(LoadError::Invalid(problems)) = load(dir.path(), &LoadOptions::default()) else {
        panic!("loaded");
    };
    let kept = problems
        .iter()
        .filter(|p| p.file == "enrollments.csv")
        .count();
    assert!(kept <= 1001, "{kept} problems kept");
    let text = render_problems(&problems, 10);
    assert!(
        text.contains("enrollments.csv: 200000 problems\n"),
        "{text}"
    );
    assert!(text.contains("  and 199990 more\n"), "{text}");
}

/// The same bound for problems found across rows (an unknown person is
/// only known once every file is read): the builder hands each to the
/// loader as it finds it, and the loader keeps what the report shows.
#[test]
fn a_file_of_rows_naming_unknown_records_keeps_a_bounded_number_of_problems() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let mut text = String::from("person,activity\n");
    for i in 0..200_000 {
        text.push_str(&format!("nobody-{i},nothing\n"));
    }
    std::fs::write(dir.path().join("enrollments.csv"), text).unwrap();
    let err = load(dir.path(), &LoadOptions::default()).err().unwrap();
    let LoadError::Invalid(problems) = &err else {
        panic!("{err}");
    };
    let kept = problems
        .iter()
        .filter(|p| p.file == "enrollments.csv")
        .count();
    assert!(kept <= 1001, "{kept} problems kept");
    let text = err.to_string();
    assert!(
        text.contains("\nenrollments.csv: 400000 problems\n"),
        "{text}"
    );
    assert!(
        text.contains("enrollments.csv:2:1 (person): unknown person `nobody-0`\n"),
        "{text}"
    );
    assert!(text.contains("  and 399980 more\n"), "{text}");
}

#[test]
fn wide_headers_and_json_records_with_many_keys_load_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let columns: Vec<String> = (0..80_000).map(|i| format!("c{i}")).collect();
    let people = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    let mut lines = people.lines();
    let mut text = format!("{},{}\n", lines.next().unwrap(), columns.join(","));
    for line in lines {
        text.push_str(&format!("{line}{}\n", ",".repeat(columns.len())));
    }
    std::fs::write(dir.path().join("people.csv"), text).unwrap();
    let start = Instant::now();
    let got = outcome(load(dir.path(), &LoadOptions::default()));
    assert!(
        got.starts_with("loaded: 4 people"),
        "{}",
        &got[..got.len().min(500)]
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );

    let keys: String = (0..40_000).map(|i| format!(",\"k{i}\":\"v\"")).collect();
    let finance =
        format!(r#"[{{"org":"s1","year":2023,"item":"public_funds_budget","amount":1{keys}}}]"#);
    let start = Instant::now();
    let got = outcome(load_json(&json_with_finance(&finance)));
    assert!(got.starts_with("loaded:"), "{}", &got[..got.len().min(500)]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}
