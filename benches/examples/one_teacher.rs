//! One teacher through a prepared evaluator, for instruction and
//! allocation counts (criterion's µs depend on the machine's load).
//!
//! ```text
//! cargo run --release -p tenet-benches --example one_teacher
//! valgrind --tool=callgrind --toggle-collect=one_teacher::calls \
//!     target/release/examples/one_teacher 1000     # instructions / 1000
//! valgrind --tool=callgrind --toggle-collect=one_teacher::one_shot_calls \
//!     target/release/examples/one_teacher 1000 --one-shot
//! valgrind --tool=callgrind --toggle-collect=one_teacher::district_run \
//!     target/release/examples/one_teacher 1 --district brief   # or full
//! ```
//!
//! Prints, for the second call of the same teacher (the first makes the
//! teacher's credit ledger and the record ids): the allocations of the
//! call, the heap blocks its results own, and the results.
#![allow(clippy::disallowed_methods, clippy::unwrap_used, clippy::expect_used)]

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;
use tenet::model::Dataset;
use tenet::value::EntityRef;
use tenet_benches::*;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// `n` one-shot calls, `PolicySet::evaluate_subject` (each computes the
/// teacher's credit afresh).
#[inline(never)]
fn one_shot_calls(set: &tenet::PolicySet, data: &Dataset, subject: EntityRef, n: usize) -> usize {
    let mut total = 0;
    for _ in 0..n {
        total += black_box(set.evaluate_subject(data, black_box(subject), as_of())).len();
    }
    total
}

/// The `annual_hours` rule over the whole district, one thread, at
/// `detail` (`--district full` or `--district brief`).
#[inline(never)]
fn district_run(set: &tenet::PolicySet, data: &Dataset, detail: tenet::Detail) -> usize {
    let opts = tenet::EvalOptions {
        rules: Some(vec!["annual_hours".to_string()]),
        detail,
        threads: 1,
        ..tenet::EvalOptions::default()
    };
    black_box(set.evaluate_with(data, as_of(), &opts)).len()
}

/// `n` prepared calls (the function callgrind collects).
#[inline(never)]
fn calls(evaluator: &tenet::Evaluator<'_>, subject: EntityRef, n: usize) -> usize {
    let mut total = 0;
    for _ in 0..n {
        total += black_box(evaluator.evaluate_subject(black_box(subject))).len();
    }
    total
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let data = district(2_000);
    let set = policies(&["lvyuan", "xuhui"]);
    let (subject, _) = one_teacher(&data);
    let evaluator = set.evaluator(&data, as_of());
    let first = evaluator.evaluate_subject(subject);
    let region = Region::new(GLOBAL);
    let second = evaluator.evaluate_subject(subject);
    let change = region.change();
    assert_eq!(first, second);
    println!(
        "second call: {} allocations, {} reallocations, {} bytes; results own {} blocks ({} results)",
        change.allocations,
        change.reallocations,
        change.bytes_allocated,
        owned_blocks(&second),
        second.len()
    );
    if std::env::var_os("SHOW").is_some() {
        for r in &second {
            let e = &r.explanation;
            println!(
                "{} {:?} {:?} counted {} excluded {} values {} params {} missing {} msg {}",
                r.rule,
                r.window,
                r.status,
                e.counted.len(),
                e.excluded.len(),
                e.values.len(),
                e.params.len(),
                e.missing.len(),
                e.message.is_some()
            );
        }
    }
    let detail = match std::env::args().nth(2).as_deref() {
        Some("--district") => match std::env::args().nth(3).as_deref() {
            Some("brief") => Some(tenet::Detail::Brief),
            _ => Some(tenet::Detail::Full),
        },
        _ => None,
    };
    if let Some(detail) = detail {
        for _ in 0..n {
            district_run(&set, &data, detail);
        }
    } else if n > 0 && std::env::args().nth(2).as_deref() == Some("--one-shot") {
        let region = Region::new(GLOBAL);
        let results = one_shot_calls(&set, &data, subject, n);
        let change = region.change();
        println!(
            "{results} results in {n} one-shot calls: {} allocations, {} reallocations",
            change.allocations, change.reallocations
        );
    } else if n > 0 {
        let region = Region::new(GLOBAL);
        let results = calls(&evaluator, subject, n);
        let change = region.change();
        println!(
            "{results} results in {n} calls: {} allocations, {} reallocations",
            change.allocations, change.reallocations
        );
    }
}
