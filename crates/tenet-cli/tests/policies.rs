//! The shipped policy set (`policies/`): its test cases pass, every quote is
//! verbatim, every rule id of DESIGN §5 is present, and each example
//! district's report matches its committed snapshot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use tenet::program::Severity;
use tenet::PolicySet;

/// The workspace root.
fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .unwrap()
}

fn tenet() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenet"));
    cmd.current_dir(root());
    cmd
}

/// Each shipped example and the evaluation date its README and snapshot use.
const EXAMPLES: &[(&str, &str)] = &[
    ("lvyuan", "2024-03-01"),
    ("binyang", "2023-03-01"),
    ("xuhui", "2018-07-01"),
    ("heping", "2024-06-30"),
    ("daxing", "2023-09-15"),
];

/// The rule ids DESIGN §5 fixes (daxing's is this policy set's own), with
/// the ones that must be advisory.
const RULES: &[(&str, &[&str], &[&str])] = &[
    (
        "lvyuan",
        &[
            "annual_hours",
            "new_teacher_hours",
            "school_training_funds",
            "principal_training_funds",
            "rural_delivered_lessons",
            "psych_teachers",
            "reserve_cadres",
            "demo_schools",
            "group_leaders",
        ],
        &[
            "psych_teachers",
            "reserve_cadres",
            "demo_schools",
            "group_leaders",
        ],
    ),
    (
        "binyang",
        &[
            "five_year_hours",
            "staff_payroll_funds",
            "trainer_ratio",
            "training_bases",
            "monthly_seminar",
            "weekly_collective_prep",
            "term_theme",
        ],
        &[],
    ),
    (
        "xuhui",
        &[
            "mentor_seminars",
            "mentor_reading",
            "trainee_forum",
            "micro_project",
            "salon_monthly",
            "newsletter_bimonthly",
            "summary_semester",
        ],
        &[],
    ),
    (
        "heping",
        &["trainee_eligibility", "class_size"],
        &["class_size"],
    ),
    ("daxing", &["summer_all_staff_training"], &[]),
];

#[test]
fn policy_test_cases_pass() {
    let out = tenet().args(["test", "policies"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "tenet test policies failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every rule has a passing and a failing case.
    let table = stdout.split("coverage").nth(1).expect("a coverage table");
    for line in table.lines().skip(2).take_while(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() == 4 {
            assert_eq!(
                (cols[2], cols[3]),
                ("yes", "yes"),
                "rule {} {} lacks a passing or failing case",
                cols[0],
                cols[1]
            );
        }
    }
}

fn load(file: &str) -> PolicySet {
    let path = root().join("policies").join(file);
    PolicySet::load(&[path.to_string_lossy().into_owned()], |name| {
        std::fs::read_to_string(name).map_err(|e| e.to_string())
    })
    .unwrap_or_else(|e| panic!("{file}: {}", e.render()))
}

#[test]
fn every_fixed_rule_id_is_present_with_its_severity() {
    for (stem, ids, advisory) in RULES {
        let set = load(&format!("{stem}.policy"));
        let policy = &set.policies()[0];
        let got: Vec<&str> = policy.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(&got, ids, "{stem}: rule ids");
        for rule in &policy.rules {
            let want = if advisory.contains(&rule.id.as_str()) {
                Severity::Advisory
            } else {
                Severity::Required
            };
            assert_eq!(rule.severity, want, "{stem}.{}: severity", rule.id);
            assert!(
                rule.cites.iter().any(|c| c.quote.is_some()),
                "{stem}.{}: no cite with a quote",
                rule.id
            );
            assert!(rule.message.is_some(), "{stem}.{}: no message", rule.id);
        }
        assert!(policy.source.is_some(), "{stem}: no source");
        assert!(policy.effective.is_some(), "{stem}: no effective range");
        assert_eq!(
            policy.credit.as_ref().map(|c| c.name.as_str()),
            Some("attendance_credit"),
            "{stem}: imports the shared credit block"
        );
    }
}

/// Reads a double-quoted string starting at `s[0] == '"'`; returns it and
/// the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// A `cite` line: line number, clause, quote.
type Cite = (usize, String, Option<String>);

/// `(clause, quote)` of every `cite` line, and the policy's `source`.
fn cites(text: &str) -> (Option<String>, Vec<Cite>) {
    let mut source = None;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("source ") {
            if source.is_none() {
                source = quoted(rest.trim_start()).map(|(s, _)| s);
            }
        }
        if let Some(rest) = line.strip_prefix("cite ") {
            let (clause, rest) = quoted(rest.trim_start())
                .unwrap_or_else(|| panic!("line {}: cannot read the cite", n + 1));
            let quote = quoted(rest.trim_start()).map(|(q, _)| q);
            out.push((n + 1, clause, quote));
        }
    }
    (source, out)
}

#[test]
fn every_quote_is_verbatim_from_its_source_plan() {
    let dir = root().join("policies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 6,
        "expected the five plans and common.policy"
    );
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (source, cites) = cites(&text);
        let source = source.unwrap_or_else(|| panic!("{name}: no `source`"));
        for (line, clause, quote) in cites {
            let quote = quote.unwrap_or_else(|| panic!("{name}:{line}: cite without a quote"));
            // A clause may name another plan: `cite "004_….txt 一(二)3" "…"`.
            let plan = clause
                .split_whitespace()
                .next()
                .filter(|w| w.ends_with(".txt"))
                .unwrap_or(&source);
            let plan_text =
                std::fs::read_to_string(dir.join("sources").join(plan)).unwrap_or_else(|e| {
                    panic!("{name}:{line}: cannot read policies/sources/{plan}: {e}")
                });
            assert!(
                plan_text.contains(&quote),
                "{name}:{line}: the quote is not in {plan}: {quote}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 26, "only {checked} quotes found");
}

#[test]
fn example_reports_match_their_snapshots() {
    for (plan, as_of) in EXAMPLES {
        let out = tenet()
            .args([
                "check",
                "--policy",
                &format!("policies/{plan}.policy"),
                "--data",
                &format!("examples/{plan}"),
                "--as-of",
                as_of,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{plan}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json = String::from_utf8(out.stdout).unwrap();
        insta::assert_snapshot!(format!("example_{plan}"), json);
    }
}

#[test]
fn shipped_policies_are_in_the_canonical_layout() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(root)
        .args(["fmt", "--check", "policies"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "run `tenet fmt policies`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
