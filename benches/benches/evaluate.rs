//! `cargo bench -p tenet-benches`: parse + check, one teacher, a whole
//! district (`TENET_BENCH_TEACHERS`, default 2,000), and the hand-written
//! annual-hours baseline on the same data in the same run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tenet::{Detail, EvalOptions, PolicySet};
use tenet_benches::*;

const ALL: [&str; 5] = ["lvyuan", "binyang", "xuhui", "heping", "daxing"];

fn parse_and_check(c: &mut Criterion) {
    let files: Vec<(String, String)> = ALL
        .iter()
        .chain(["common"].iter())
        .map(|n| {
            let path = format!("{ROOT}/policies/{n}.policy");
            (
                format!("{n}.policy"),
                std::fs::read_to_string(path).unwrap(),
            )
        })
        .collect();
    c.bench_function("parse_and_check_shipped_policies", |b| {
        b.iter(|| {
            let roots: Vec<String> = ALL.iter().map(|n| format!("{n}.policy")).collect();
            let set = PolicySet::load(&roots, |name| {
                files
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(|| "missing".to_string())
            })
            .unwrap();
            black_box(set.policies().len())
        })
    });
}

fn one_teacher(c: &mut Criterion) {
    let data = district(2_000);
    let set = policies(&["lvyuan", "xuhui"]);
    let (subject, _) = tenet_benches::one_teacher(&data);
    c.bench_function("one_teacher_lvyuan_xuhui", |b| {
        b.iter(|| black_box(set.evaluate_subject(&data, subject, as_of()).len()))
    });
    // A service's call: the evaluator is made once, and the teacher's
    // credit, computed on the first call, is kept for the next.
    let evaluator = set.evaluator(&data, as_of());
    c.bench_function("one_teacher_lvyuan_xuhui_prepared", |b| {
        b.iter(|| black_box(evaluator.evaluate_subject(subject).len()))
    });
}

fn whole_district(c: &mut Criterion) {
    let n = teachers();
    let data = district(n);
    let set = policies(&ALL);
    let annual = policies(&["lvyuan"]);
    let mut group = c.benchmark_group(format!("district_{n}_teachers"));
    group.sample_size(10);
    group.bench_function("baseline_annual_hours_hand_loop", |b| {
        b.iter(|| black_box(baseline_annual_hours(&data)))
    });
    let opts = |rules: Option<Vec<String>>, detail: Detail, threads: usize| EvalOptions {
        rules,
        detail,
        threads,
        ..EvalOptions::default()
    };
    let annual_only = || Some(vec!["annual_hours".to_string()]);
    // `full` lists every enrollment of every teacher-year; `brief` computes
    // the same results and counts the records instead (what the hand loop
    // computes, plus the results).
    for (name, detail) in [("full", Detail::Full), ("brief", Detail::Brief)] {
        let one = opts(annual_only(), detail, 1);
        group.bench_function(format!("tenet_annual_hours_{name}_1_thread"), |b| {
            b.iter(|| black_box(annual.evaluate_with(&data, as_of(), &one).len()))
        });
    }
    for (name, detail) in [
        ("full", Detail::Full),
        ("failures", Detail::Failures),
        ("brief", Detail::Brief),
    ] {
        let all = opts(None, detail, EvalOptions::default().threads);
        group.bench_function(format!("tenet_all_policies_{name}_all_threads"), |b| {
            b.iter(|| black_box(set.evaluate_with(&data, as_of(), &all).len()))
        });
    }
    let one_thread = opts(None, Detail::Full, 1);
    group.bench_function("tenet_all_policies_full_1_thread", |b| {
        b.iter(|| black_box(set.evaluate_with(&data, as_of(), &one_thread).len()))
    });
    group.finish();
}

/// A nested aggregate over the whole population, per teacher (issue #14):
/// evaluated as written it costs teachers × people × people (over 120 s at
/// 2,023 people); the inner count reads no outer member, so it is made
/// once per teacher and window (eval::hoist). The hoisted twin — the same
/// figure with the inner count written once — is the baseline.
fn nested_aggregate(c: &mut Criterion) {
    let data = district(2_000);
    let policy = |require: &str| {
        let text = format!(
            "policy nested {{\n  effective 2021-01-01 .. 2025-12-31\n  rule r {{\n    for person t where t has teacher\n    require {require}\n  }}\n}}\n"
        );
        PolicySet::from_sources(&[("nested.policy", text.as_str())]).unwrap()
    };
    let nested = policy("count(people where count(people where has teacher) >= 1) >= 1");
    let flat = policy("count(people where has teacher) >= 1");
    let opts = EvalOptions {
        detail: Detail::Brief,
        threads: 1,
        ..EvalOptions::default()
    };
    let mut group = c.benchmark_group(format!("nested_aggregate_{}_people", data.people.len()));
    group.sample_size(10);
    group.bench_function("flat_count_per_teacher", |b| {
        b.iter(|| black_box(flat.evaluate_with(&data, as_of(), &opts).len()))
    });
    group.bench_function("nested_count_per_teacher", |b| {
        b.iter(|| black_box(nested.evaluate_with(&data, as_of(), &opts).len()))
    });
    group.finish();
}

criterion_group!(
    benches,
    parse_and_check,
    one_teacher,
    whole_district,
    nested_aggregate
);
criterion_main!(benches);
