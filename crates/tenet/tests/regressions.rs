//! One test per crash or hang found by the fuzzers and the limit tests,
//! named after what went wrong. `docs/reliability.md` lists them with the
//! fix. A fuzzer crash is added here with its input as a string literal
//! (or, for a large input, the code that builds it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::time::{Duration, Instant};
use tenet::diagnostic::Sink;
use tenet::syntax::{parse, Limits};
use tenet::PolicySet;

/// Runs `f` on a thread with a 256 KiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the thread panicked (or overflowed its stack)")
}

fn rule_with(require: &str) -> String {
    format!(
        "policy p \"回归\" {{\n  rule r {{\n    for person t\n    require {require}\n  }}\n}}\n"
    )
}

fn render(src: String) -> String {
    on_small_stack(
        move || match PolicySet::from_sources(&[("p.policy", &src)]) {
            Ok(_) => String::new(),
            Err(e) => e.render(),
        },
    )
}

/// `------…1` (a million `-`, under the 1 MiB file limit) built a Unary
/// chain a million deep before the node budget was checked; dropping it
/// overflowed even the 8 MiB main stack. Fixed in `syntax/parse.rs`: the
/// loops that wrap `-`, `not` and `.field` stop at the budget.
#[test]
fn million_prefix_minus_signs_overflowed_the_stack_when_dropped() {
    let out = render(rule_with(&format!("{}1 > 0", "-".repeat(1_000_000))));
    assert!(out.contains("more than the limit of 400"), "{out:.300}");
    let out = render(rule_with(&format!("{}true", "not ".repeat(200_000))));
    assert!(out.contains("more than the limit of 400"), "{out:.300}");
    let out = render(rule_with(&format!("t{}", ".org".repeat(200_000))));
    assert!(out.contains("more than the limit of 400"), "{out:.300}");
}

/// 30 nested parentheses (32 brackets with the policy's and the rule's
/// braces: exactly the limit) overflowed a 2 MiB thread in a debug build:
/// the builder recursed ~11 times per bracket with large frames, after
/// pest's own stack probe had let it through. Fixed by `stack::guard` in
/// the parser, formatter, checker and evaluator.
#[test]
fn nesting_at_the_limit_overflowed_a_two_megabyte_thread() {
    let src = rule_with(&format!("{}true{}", "(".repeat(30), ")".repeat(30)));
    assert_eq!(render(src.clone()), "");
    let formatted = on_small_stack(move || tenet::syntax::format(&src).map_err(|e| e.to_string()));
    assert!(formatted.is_ok());
}

/// A sum of 199 terms (399 parts, within the limit of 400) overflowed a
/// 2 MiB thread in the checker of a debug build. Fixed with the same guard.
#[test]
fn largest_allowed_sum_overflowed_the_checker() {
    let terms = vec!["1 h"; 199].join(" + ");
    assert_eq!(render(rule_with(&format!("{terms} >= 199 h"))), "");
}

/// A misspelt 100,000-character name took over a minute: `did_you_mean`
/// computed a quadratic edit distance against every candidate. Fixed in
/// `diagnostic.rs`: no suggestion past 100 characters, and candidates whose
/// length alone puts them past the cap are skipped.
#[test]
fn long_misspelt_name_stalled_did_you_mean() {
    let name = "x".repeat(100_000);
    let src = format!(
        "policy p \"长\" {{\n  param {name} = 90 h\n  rule r {{\n    for person t\n    require 1 h >= {name}y\n  }}\n}}\n"
    );
    let start = Instant::now();
    let out = render(src);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(out.contains("unknown name"), "{out:.300}");
}

/// A chain of 2,000 files, each importing the next, overflowed a 256 KiB
/// stack: the import-order walk recursed once per link. Fixed in
/// `policy_set.rs` with `stack::guard` around the recursive call.
#[test]
fn long_import_chain_overflowed_the_stack() {
    let out = on_small_stack(|| {
        let read = |name: &str| {
            let i: usize = name
                .trim_start_matches('f')
                .trim_end_matches(".policy")
                .parse()
                .map_err(|_| "no such file".to_string())?;
            let import = if i + 1 < 2_000 {
                format!("import \"f{}.policy\"\n", i + 1)
            } else {
                String::new()
            };
            Ok(format!(
                "{import}policy f{i} \"链\" {{ param q{i} = 1 h }}\n"
            ))
        };
        PolicySet::load(&["f0.policy"], read).map(|s| s.policies().len())
    });
    assert_eq!(out.map_err(|e| e.render()), Ok(1));
}

/// The parser's own entry point on a small stack, for the record: the
/// grammar runs on a segment of its own, so this is no longer "stack limit
/// reached".
#[test]
fn grammar_at_the_nesting_limit_parses_on_a_small_stack() {
    let src = rule_with(&format!("{}true{}", "(".repeat(30), ")".repeat(30)));
    let errors = on_small_stack(move || {
        let mut sink = Sink::new("p.policy", &src);
        let tree = parse(&src, &mut sink, Limits::default());
        (tree.is_some(), sink.diagnostics.len())
    });
    assert_eq!(errors, (true, 0));
}
