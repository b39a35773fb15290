//! Resource limits: hostile policy text gets a clear diagnostic or
//! completes — never a stack overflow or an out-of-memory crash.
//!
//! Inputs that could recurse run on a thread with a 256 KiB stack (an
//! eighth of Rust's default for spawned threads), so a recursion that
//! grows with the input shows up here as a crash rather than passing on a
//! roomy main thread. `docs/reliability.md` lists the limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tenet::diagnostic::Sink;
use tenet::model::{Dataset, DistrictRow, PersonRow, RoleSet, Rows, SchoolRow};
use tenet::syntax::{format, parse, Limits};
use tenet::PolicySet;

const SMALL_STACK: usize = 256 * 1024;

/// Runs `f` on a thread with a 256 KiB stack and returns its result.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the thread panicked (or overflowed its stack)")
}

/// Parses, checks and formats `src` on a small stack; returns the rendered
/// errors of the check (empty when it compiled).
fn compile_small(src: String) -> String {
    on_small_stack(move || {
        let mut sink = Sink::new("big.policy", &src);
        let _ = parse(&src, &mut sink, Limits::default());
        let _ = format(&src);
        match PolicySet::from_sources(&[("big.policy", &src)]) {
            Ok(_) => String::new(),
            Err(e) => e.render(),
        }
    })
}

fn rule_with(require: &str) -> String {
    format!("policy p \"限\" {{\n  rule r {{\n    for person t\n    require {require}\n  }}\n}}\n")
}

fn assert_has(rendered: &str, needle: &str) {
    assert!(
        rendered.contains(needle),
        "expected `{needle}` in:\n{}",
        rendered.chars().take(2000).collect::<String>()
    );
}

#[test]
fn a_two_megabyte_policy_is_refused_by_size() {
    let mut src = String::from("policy p \"大\" {\n");
    while src.len() < 2 << 20 {
        src.push_str("  // 填充注释 padding comment to make the file large\n");
    }
    src.push_str("}\n");
    let start = Instant::now();
    let out = compile_small(src.clone());
    assert_has(
        &out,
        &format!(
            "file is {} bytes, more than the limit of 1048576",
            src.len()
        ),
    );
    assert_has(&out, "split the policy into several files");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn ten_thousand_nested_parentheses_give_a_nesting_error() {
    let src = rule_with(&format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000)));
    let out = compile_small(src);
    assert_has(&out, "brackets nest more than 32 deep");
    // Unbalanced: only openers.
    let out = compile_small(rule_with(&"(".repeat(10_000)));
    assert_has(&out, "brackets nest more than 32 deep");
    // Lists and aggregates nest too.
    let out = compile_small(rule_with(&format!(
        "{}1{}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    )));
    assert_has(&out, "brackets nest more than 32 deep");
}

#[test]
fn nesting_at_the_limit_is_accepted() {
    // 32 brackets deep in total, counting the policy's and the rule's `{`.
    let src = rule_with(&format!("{}true{}", "(".repeat(30), ")".repeat(30)));
    // Regression (found by this test): in a debug build this overflowed a
    // 2 MiB thread; the walks now grow their stack when it runs low.
    let out = on_small_stack(move || {
        let formatted = format(&src).unwrap();
        let set = PolicySet::from_sources(&[("p.policy", &src)]).map_err(|e| e.render());
        let reports = set
            .unwrap()
            .evaluate_with_threads(&small_dataset(), date(2023, 6, 1), 1);
        (formatted.len(), reports.len())
    });
    assert_eq!(out.1, 1);
}

#[test]
fn the_largest_expression_evaluates_on_a_small_stack() {
    // 199 terms, 198 additions, a comparison and its right side: 399 parts,
    // just under the limit of 400, a tree 199 deep to check and evaluate.
    let terms = vec!["1 h"; 199].join(" + ");
    let src = rule_with(&format!("{terms} >= 199 h"));
    let (n, status) = on_small_stack(move || {
        let set = PolicySet::from_sources(&[("p.policy", &src)])
            .map_err(|e| e.render())
            .unwrap();
        let reports = set.evaluate_with_threads(&small_dataset(), date(2023, 6, 1), 1);
        (reports[0].results.len(), reports[0].results[0].status)
    });
    assert_eq!(n, 3);
    assert_eq!(status, tenet::report::Status::Pass);
}

#[test]
fn prefix_operators_repeated_ten_thousand_times_give_a_size_error() {
    // No brackets, so the nesting pre-check does not see these: the
    // expression budget must stop them before a deep tree is built.
    for (what, text) in [
        ("minus", format!("{}1 > 0", "-".repeat(10_000))),
        ("not", format!("{}true", "not ".repeat(10_000))),
        ("field", format!("t{}", ".hire_date".repeat(10_000))),
        ("method", format!("t{}", ".attr(\"k\")".repeat(10_000))),
        ("of", format!("{}1", "5% of ".repeat(10_000))),
    ] {
        let out = compile_small(rule_with(&text));
        assert!(
            out.contains("more than the limit of 400"),
            "{what}: expected the expression limit, got:\n{}",
            out.chars().take(1000).collect::<String>()
        );
    }
}

#[test]
fn a_hundred_thousand_prefix_minus_signs_do_not_overflow_the_main_stack() {
    // Under the 1 MiB file limit a tree 1,000,000 deep would be possible if
    // the budget were only checked after building it.
    let src = rule_with(&format!("{}1 > 0", "-".repeat(1_000_000)));
    assert!(src.len() < 1 << 20);
    let out = compile_small(src);
    assert_has(&out, "more than the limit of 400");
}

#[test]
fn a_hundred_thousand_character_identifier_is_accepted() {
    let name = "标".repeat(10) + &"x".repeat(100_000);
    let src = format!(
        "policy p \"长\" {{\n  param {name} = 90 h\n  rule r {{\n    for person t\n    require credited_hours(t) >= {name}\n  }}\n}}\n"
    );
    let out = compile_small(src.clone());
    // Compiles (a warning-free policy with no credit block is an error
    // only because credited_hours needs one).
    assert!(!out.contains("panicked"));
    // And a misspelt long name gets a diagnostic without a quadratic
    // edit-distance blow-up.
    let wrong = src.replacen(&format!("= {name}"), &format!("= {name}y"), 1);
    let wrong = wrong.replacen(&format!(">= {name}"), &format!(">= {name}y"), 1);
    let start = Instant::now();
    let out = compile_small(wrong);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert!(!out.is_empty());
}

#[test]
fn numbers_beyond_decimal_range_are_diagnosed() {
    let forty = "1234567890".repeat(4);
    let out = compile_small(rule_with(&format!("{forty} > 1")));
    assert_has(
        &out,
        &format!("`{forty}` is out of range for an exact decimal"),
    );
    assert_has(&out, "at most 28 significant digits");

    let out = compile_small(rule_with(&format!("{forty} h > 1 h")));
    assert_has(&out, "is out of range for an exact decimal");

    let out = compile_small(rule_with(&format!("¥{forty}万 > ¥1")));
    assert_has(&out, "is out of range for an exact decimal");

    // A fraction longer than an exact decimal holds is refused, not
    // rounded (`rust_decimal` alone would read 48000).
    let out = compile_small(rule_with(&format!("0.{forty} > 0")));
    assert_has(
        &out,
        &format!("`0.{forty}` is out of range for an exact decimal"),
    );
    for long in [
        "47999.99999999999999999999999999",
        "¥47999.99999999999999999999999999",
        "1.00000000000000000000000000001 h",
    ] {
        let out = compile_small(rule_with(&format!("{long} > 0")));
        assert_has(&out, "is out of range for an exact decimal");
    }
    // Trailing zeros lose nothing and are accepted.
    let out = compile_small(rule_with("1.500000000000000000000000000000000 > 0"));
    assert_eq!(out, "");

    // Exponent notation is not part of the language.
    let out = compile_small(rule_with("1e400 > 1"));
    assert!(out.starts_with("error"), "{out}");
    println!("{out}");
}

#[test]
fn arithmetic_that_overflows_decimal_is_not_a_panic() {
    // 79228162514264337593543950335 is Decimal::MAX.
    let max = "79228162514264337593543950335";
    let src = format!(
        "policy p \"溢出\" {{\n  effective 2023-01-01 .. 2023-12-31\n  rule r {{\n    for person t\n    require count(people of t.org) * {max} * {max} + {max} >= {max} / 0.0000000000000000000000000001\n  }}\n}}\n"
    );
    let set = PolicySet::from_sources(&[("p.policy", &src)]);
    if let Ok(set) = set {
        let data = small_dataset();
        let _ = set.evaluate_with_threads(&data, date(2023, 6, 1), 1);
    }
}

#[test]
fn ten_thousand_plus_terms_give_an_expression_size_error() {
    let terms = vec!["1 h"; 10_000].join(" + ");
    let out = compile_small(rule_with(&format!("{terms} > 0 h")));
    assert_has(&out, "more than the limit of 400");
    assert_has(&out, "split the condition into several rules");
    // 400 parts is the limit: 200 terms (199 additions) fit.
    let terms = vec!["1 h"; 150].join(" + ");
    let out = compile_small(rule_with(&format!("{terms} > 0 h")));
    assert!(!out.contains("more than the limit"), "{out}");
}

fn minimal_rule(i: usize) -> String {
    format!("  rule r{i} {{ for person t require true }}\n")
}

#[test]
fn as_many_rules_as_fit_in_one_file_complete() {
    // Each rule is ~45 bytes, so ~22,000 fit under the 1 MiB limit;
    // 100,000 rules in one file is refused by size.
    let mut src = String::from("policy p \"多\" {\n");
    let mut n = 0;
    while src.len() + minimal_rule(n).len() + 2 < 1 << 20 {
        src.push_str(&minimal_rule(n));
        n += 1;
    }
    src.push_str("}\n");
    assert!(n > 20_000, "{n} rules");
    let start = Instant::now();
    let set = PolicySet::from_sources(&[("many.policy", &src)]).map_err(|e| e.render());
    let set = set.unwrap();
    assert_eq!(set.policies()[0].rules.len(), n);
    let reports = set.evaluate_with_threads(&small_dataset(), date(2023, 6, 1), 1);
    assert_eq!(reports[0].results.len(), n * 3);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );

    let mut big = String::from("policy p \"多\" {\n");
    for i in 0..100_000 {
        big.push_str(&minimal_rule(i));
    }
    big.push_str("}\n");
    let out = compile_small(big);
    assert_has(&out, "more than the limit of 1048576");
}

#[test]
fn a_hundred_thousand_rules_across_many_files_complete() {
    let files: Vec<(String, String)> = (0..100)
        .map(|f| {
            let mut src = format!("policy p{f} \"多\" {{\n");
            for i in 0..1_000 {
                src.push_str(&minimal_rule(i));
            }
            src.push_str("}\n");
            (format!("p{f}.policy"), src)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let start = Instant::now();
    let set = PolicySet::from_sources(&refs)
        .map_err(|e| e.render())
        .unwrap();
    let rules: usize = set.policies().iter().map(|p| p.rules.len()).sum();
    assert_eq!(rules, 100_000);
    assert!(
        start.elapsed() < Duration::from_secs(120),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn long_param_and_import_chains_do_not_recurse_per_link() {
    // 5,000 params, each defined from the one before.
    let mut src = String::from("policy p \"链\" {\n  param p0 = 1 h\n");
    for i in 1..5_000 {
        writeln!(src, "  param p{i} = p{}", i - 1).unwrap();
    }
    src.push_str("  rule r { for person t require 1 h <= p4999 }\n}\n");
    let _ = compile_small(src);

    // 2,000 files, each importing the next.
    let files: Vec<(String, String)> = (0..2_000)
        .map(|i| {
            let import = if i + 1 < 2_000 {
                format!("import \"f{}.policy\"\n", i + 1)
            } else {
                String::new()
            };
            (
                format!("f{i}.policy"),
                format!("{import}policy f{i} \"链\" {{ param q{i} = 1 h }}\n"),
            )
        })
        .collect();
    let out = on_small_stack(move || {
        let read = |name: &str| {
            files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| "no such file".to_string())
        };
        PolicySet::load(&["f0.policy"], read)
            .err()
            .map(|e| e.render())
    });
    // f0 has no rules of its own; whatever is reported, it is not a crash.
    let _ = out;
}

#[test]
fn huge_counts_are_diagnosed_or_evaluated() {
    let over = "99999999999999999999";
    for (what, window, require) in [
        ("each", format!("each {over} weeks"), "true".to_string()),
        (
            "within",
            format!("within {over} years after t.hire_date"),
            "true".to_string(),
        ),
        (
            "cadence",
            String::new(),
            format!("at least {over} seminar by t every week"),
        ),
        (
            "cadence period",
            String::new(),
            format!("at least 1 seminar by t every {over} days"),
        ),
    ] {
        let src = format!(
            "policy p \"大数\" {{\n  effective 2023-01-01 .. 2023-12-31\n  rule r {{\n    for person t\n    {window}\n    require {require}\n  }}\n}}\n"
        );
        let out = compile_small(src);
        assert!(
            out.contains(&format!("`{over}` is too large a count")),
            "{what}: {out}"
        );
    }
    // The largest accepted counts evaluate without overflow.
    let max = u32::MAX;
    for (what, window, require) in [
        ("each days", format!("each {max} days"), "true".to_string()),
        (
            "each weeks",
            format!("each {max} weeks"),
            "true".to_string(),
        ),
        (
            "each months",
            format!("each {max} months"),
            "true".to_string(),
        ),
        (
            "within years",
            format!("within {max} years after t.hire_date"),
            "true".to_string(),
        ),
        (
            "within days",
            format!("within {max} days after t.hire_date"),
            "true".to_string(),
        ),
        (
            "cadence",
            String::new(),
            format!("at least {max} seminar by t every {max} weeks"),
        ),
        (
            "duration",
            String::new(),
            format!("tenure(t) <= {max} years and age(t) < {max}"),
        ),
    ] {
        let src = format!(
            "policy p \"大数\" {{\n  effective 2023-01-01 .. 2023-12-31\n  rule r {{\n    for person t\n    {window}\n    require {require}\n  }}\n}}\n"
        );
        let data = small_dataset();
        let result = on_small_stack(
            move || match PolicySet::from_sources(&[("p.policy", &src)]) {
                Ok(set) => {
                    let reports = set.evaluate_with_threads(&data, date(2023, 6, 1), 1);
                    format!("evaluated {} report(s)", reports.len())
                }
                Err(e) => e.render(),
            },
        );
        assert!(!result.is_empty(), "{what}");
    }
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn small_dataset() -> Dataset {
    let rows = Rows {
        districts: vec![DistrictRow {
            id: "d1".into(),
            name: "区".into(),
            attrs: Default::default(),
        }],
        schools: vec![SchoolRow {
            id: "s1".into(),
            name: "校".into(),
            district: "d1".into(),
            rural: false,
            training_base: false,
            attrs: Default::default(),
        }],
        people: (1..=3)
            .map(|i| PersonRow {
                id: format!("p{i}"),
                name: "人".into(),
                org: "s1".into(),
                roles: RoleSet::parse("teacher").unwrap(),
                birth_date: Some(date(1980, 1, 1)),
                hire_date: Some(date(2000 + i, 9, 1)),
                post_start_date: Some(date(2020, 9, 1)),
                attrs: Default::default(),
            })
            .collect(),
        ..Rows::default()
    };
    Dataset::from_rows(rows)
        .map_err(|e| format!("{e:?}"))
        .unwrap()
        .0
}

fn policy_with(effective: &str, window: &str, require: &str) -> String {
    format!(
        "policy p \"窗\" {{\n  effective {effective}\n  rule r {{\n    for person t\n    {window}\n    require {require}\n  }}\n}}\n"
    )
}

/// Every result of evaluating `src` on the small dataset, as
/// `subject window status missing`.
fn results_of(src: &str) -> Vec<String> {
    let set =
        PolicySet::from_sources(&[("p.policy", src)]).unwrap_or_else(|e| panic!("{}", e.render()));
    let reports = set.evaluate_with_threads(&small_dataset(), date(2300, 1, 1), 1);
    reports
        .iter()
        .flat_map(|r| &r.results)
        .map(|x| {
            format!(
                "{} {:?} {:?} {:?}",
                x.subject.id,
                x.window.map(|w| format!("{} .. {}", w.start, w.end)),
                x.status,
                x.explanation.missing
            )
        })
        .collect()
}

#[test]
fn more_windows_than_the_cap_are_a_checker_error_not_a_cut_report() {
    // 1800..2100 daily: about 110,000 windows, past the 100,000 cap.
    let long = "1800-01-01 .. 2100-12-31";
    let out = compile_small(policy_with(long, "each day as d", "true"));
    assert_has(
        &out,
        "`day` cuts the effective range `1800-01-01 .. 2100-12-31` into more than 100000 periods",
    );
    let out = compile_small(policy_with(long, "", "at least 1 seminar by t every day"));
    assert_has(&out, "into more than 100000 periods");
    // Under the cap, all of them are evaluated.
    let out = compile_small(policy_with(
        "1900-01-01 .. 2100-12-31",
        "each week as w",
        "true",
    ));
    assert_eq!(out, "");
}

#[test]
fn a_period_longer_than_the_calendar_is_one_window_not_none() {
    let src = policy_with(
        "2020-01-01 .. 2023-12-31",
        "each 262143 calendar_year as y",
        "false",
    );
    let got = results_of(&src);
    assert_eq!(got.len(), 3, "{got:?}");
    for r in got {
        assert!(r.contains("Some(\"2020-01-01 .. 2023-12-31\") Fail"), "{r}");
    }
}

#[test]
fn a_window_ending_past_the_last_date_is_unknown_not_a_pass() {
    for length in ["300000 years", "4294967295 days", "4294967295 months"] {
        let src = policy_with(
            "2020-01-01 .. 2023-12-31",
            &format!("within {length} after t.hire_date"),
            "true",
        );
        let got = results_of(&src);
        assert_eq!(got.len(), 3, "{got:?}");
        for r in got {
            assert!(r.contains("Unknown"), "{length}: {r}");
            assert!(r.contains("date out of range"), "{length}: {r}");
        }
    }
}
