//! `tenet test`: run policy test cases written without Rust.
//!
//! Layout, next to the policies:
//!
//! ```text
//! policies/lvyuan.policy
//! policies/tests/lvyuan/<case>/people.csv …   a small dataset (CSV, as loaded by `tenet check`)
//! policies/tests/lvyuan/<case>/expect.csv      what the report must say
//! ```
//!
//! `expect.csv` has a header; columns `as_of`, `rule`, `subject`, `status`
//! are required, `window`, `actual`, `required`, `shortfall` optional (an
//! empty cell is not checked). `window` is `START..END` or just `START`;
//! empty means the rule has one result for that subject.

use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use tenet::report::{Report, RuleResult, Status};
use tenet::PolicySet;

/// One line of `expect.csv`.
#[derive(Debug, Clone)]
struct Expectation {
    line: u64,
    as_of: chrono::NaiveDate,
    rule: String,
    subject: String,
    window: Option<(chrono::NaiveDate, Option<chrono::NaiveDate>)>,
    status: Status,
    actual: Option<String>,
    required: Option<String>,
    shortfall: Option<String>,
}

/// The outcome of a whole run.
pub struct Outcome {
    /// What to print.
    pub text: String,
    /// Expectations that did not (or cases that could not run).
    pub failed: usize,
}

fn status_from(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|st| st.as_str() == s)
}

fn parse_expectations(path: &Path) -> Result<Vec<Expectation>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let (Some(c_as_of), Some(c_rule), Some(c_subject), Some(c_status)) =
        (col("as_of"), col("rule"), col("subject"), col("status"))
    else {
        return Err(format!(
            "{}: the header must name as_of, rule, subject and status",
            path.display()
        ));
    };
    let (c_window, c_actual, c_required, c_short) = (
        col("window"),
        col("actual"),
        col("required"),
        col("shortfall"),
    );
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{}:{line}: {e}", path.display()));
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d");
        let as_of = match get(Some(c_as_of)).as_deref().map(date) {
            Some(Ok(d)) => d,
            _ => {
                problems.push(format!(
                    "{}:{line}: `as_of` must be a date YYYY-MM-DD",
                    path.display()
                ));
                continue;
            }
        };
        let status = match get(Some(c_status)).as_deref().and_then(status_from) {
            Some(s) => s,
            None => {
                problems.push(format!(
                    "{}:{line}: `status` must be one of pass, fail, pending, not_applicable, unknown",
                    path.display()
                ));
                continue;
            }
        };
        let window = match get(c_window) {
            None => None,
            Some(w) => {
                let (start, end) = match w.split_once("..") {
                    Some((s, e)) => (s.to_string(), Some(e.to_string())),
                    None => (w.clone(), None),
                };
                match (date(&start), end.as_deref().map(date).transpose()) {
                    (Ok(s), Ok(e)) => Some((s, e)),
                    _ => {
                        problems.push(format!(
                            "{}:{line}: `window` must be START..END or START, found `{w}`",
                            path.display()
                        ));
                        continue;
                    }
                }
            }
        };
        let (Some(rule), Some(subject)) = (get(Some(c_rule)), get(Some(c_subject))) else {
            problems.push(format!(
                "{}:{line}: `rule` and `subject` must not be empty",
                path.display()
            ));
            continue;
        };
        out.push(Expectation {
            line,
            as_of,
            rule,
            subject,
            window,
            status,
            actual: get(c_actual),
            required: get(c_required),
            shortfall: get(c_short),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.join("\n"))
    }
}

fn find<'r>(report: &'r Report, e: &Expectation) -> Result<&'r RuleResult, String> {
    let candidates: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| r.rule == e.rule && r.subject.id == e.subject)
        .filter(|r| match (&e.window, &r.window) {
            (None, _) => true,
            (Some((s, end)), Some(w)) => w.start == *s && end.is_none_or(|end| w.end == end),
            (Some(_), None) => false,
        })
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no result for rule `{}`, subject `{}`{}",
            e.rule,
            e.subject,
            window_text(e)
        )),
        many => Err(format!(
            "{} results for rule `{}`, subject `{}`; give the window's start date (one of {})",
            many.len(),
            e.rule,
            e.subject,
            many.iter()
                .filter_map(|r| r.window.map(|w| w.start.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn window_text(e: &Expectation) -> String {
    match &e.window {
        None => String::new(),
        Some((s, None)) => format!(", window starting {s}"),
        Some((s, Some(end))) => format!(", window {s}..{end}"),
    }
}

fn compare(e: &Expectation, r: &RuleResult) -> Vec<String> {
    let mut wrong = Vec::new();
    if r.status != e.status {
        let mut why = format!(
            "status is {}, expected {}",
            r.status.as_str(),
            e.status.as_str()
        );
        if let Some(a) = &r.actual {
            let _ = write!(why, " (actual {a}");
            if let Some(q) = &r.required {
                let _ = write!(why, ", required {q}");
            }
            why.push(')');
        }
        if let Some(m) = r.explanation.missing.first() {
            let _ = write!(why, " — {m}");
        }
        wrong.push(why);
    }
    for (name, want, got) in [
        ("actual", &e.actual, &r.actual),
        ("required", &e.required, &r.required),
        ("shortfall", &e.shortfall, &r.shortfall),
    ] {
        if let Some(want) = want {
            if !same_number(want, got.as_deref()) {
                wrong.push(format!(
                    "{name} is {}, expected {want}",
                    got.as_deref().unwrap_or("empty")
                ));
            }
        }
    }
    wrong
}

/// Decimal strings compare by value (`90` = `90.00`); others as text.
fn same_number(want: &str, got: Option<&str>) -> bool {
    let Some(got) = got else { return false };
    match (
        want.parse::<rust_decimal::Decimal>(),
        got.parse::<rust_decimal::Decimal>(),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => want == got,
    }
}

/// Runs every case under `dir/tests/<policy>/` for every `.policy` in `dir`;
/// diagnostics and data problems are drawn in `lang`.
pub fn run(dir: &Path, lang: tenet::diagnostic::Lang) -> Result<Outcome, String> {
    let mut policies: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("error: cannot read directory `{}`: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .collect();
    policies.sort();
    let roots: Vec<String> = policies
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let set = PolicySet::load(&roots, crate::read::policies(&roots, lang))
        .map_err(|e| format!("{}\n{}", e.render_in(lang), e.summary_in(lang)))?;
    let mut text = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    // rule → (has a passing case, has a failing case), per policy
    let mut coverage: IndexMap<(String, String), (bool, bool)> = IndexMap::new();
    for policy in set.policies().iter().filter(|p| !p.rules.is_empty()) {
        for rule in &policy.rules {
            coverage.insert((policy.id.clone(), rule.id.clone()), (false, false));
        }
        let stem = Path::new(&policy.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cases_dir = dir.join("tests").join(&stem);
        let _ = writeln!(text, "{}", policy.file);
        let mut cases: Vec<PathBuf> = match std::fs::read_dir(&cases_dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => Vec::new(),
        };
        cases.sort();
        if cases.is_empty() {
            let _ = writeln!(text, "  no cases in `{}`", cases_dir.display());
        }
        for case in cases {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let expect_path = case.join("expect.csv");
            let expectations = match parse_expectations(&expect_path) {
                Ok(e) => e,
                Err(why) => {
                    failed += 1;
                    let _ = writeln!(text, "  FAIL  {name}\n{}", indent(&why));
                    continue;
                }
            };
            let data = match tenet_io::load(&case, &tenet_io::LoadOptions::default()) {
                Ok(loaded) => loaded.dataset,
                Err(e) => {
                    failed += 1;
                    let _ = writeln!(
                        text,
                        "  FAIL  {name}: the case's data does not load\n{}",
                        indent(&e.render_in(lang))
                    );
                    continue;
                }
            };
            let mut reports: BTreeMap<chrono::NaiveDate, Report> = BTreeMap::new();
            let mut problems = Vec::new();
            let mut ok = 0usize;
            for e in &expectations {
                let report = reports.entry(e.as_of).or_insert_with(|| {
                    let mut one = set.evaluate(&data, e.as_of);
                    let ix = one.iter().position(|r| r.policy == policy.id).unwrap_or(0);
                    if ix < one.len() {
                        one.swap_remove(ix)
                    } else {
                        Report {
                            policy: policy.id.clone(),
                            as_of: e.as_of,
                            results: Vec::new(),
                            summary: Default::default(),
                        }
                    }
                });
                if !policy.rules.iter().any(|r| r.id == e.rule) {
                    problems.push(format!(
                        "expect.csv:{}: policy `{}` has no rule `{}`",
                        e.line, policy.id, e.rule
                    ));
                    continue;
                }
                let wrong = match find(report, e) {
                    Ok(r) => compare(e, r),
                    Err(why) => vec![why],
                };
                if wrong.is_empty() {
                    ok += 1;
                    if let Some(c) = coverage.get_mut(&(policy.id.clone(), e.rule.clone())) {
                        match e.status {
                            Status::Pass => c.0 = true,
                            Status::Fail => c.1 = true,
                            _ => {}
                        }
                    }
                } else {
                    let at = format!(
                        "expect.csv:{}: {} {}{}",
                        e.line,
                        e.rule,
                        e.subject,
                        window_text(e)
                    );
                    problems.push(format!("{at}: {}", wrong.join("; ")));
                }
            }
            passed += ok;
            failed += problems.len();
            if problems.is_empty() {
                let _ = writeln!(text, "  ok    {name} ({ok} expectations)");
            } else {
                let _ = writeln!(
                    text,
                    "  FAIL  {name} ({ok} of {} expectations hold)",
                    expectations.len()
                );
                for p in problems {
                    let _ = writeln!(text, "        {p}");
                }
            }
        }
    }
    let _ = writeln!(text, "\ncoverage (a passing and a failing case per rule):");
    let _ = writeln!(
        text,
        "  {:<12} {:<28} {:<5} {:<5}",
        "policy", "rule", "pass", "fail"
    );
    for ((policy, rule), (p, f)) in &coverage {
        let mark = |b: bool| if b { "yes" } else { "-" };
        let _ = writeln!(
            text,
            "  {policy:<12} {rule:<28} {:<5} {:<5}",
            mark(*p),
            mark(*f)
        );
    }
    let _ = writeln!(text, "\n{passed} passed, {failed} failed");
    Ok(Outcome { text, failed })
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
