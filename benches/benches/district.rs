//! `cargo bench -p tenet-benches --bench district`: a whole district end
//! to end, from CSV files to results, the work `tenet check` does for a
//! text report (issue 7, items 3 and 4).
//!
//! Generates `TENET_BENCH_DISTRICT` teachers (default 20,000; 200000 for
//! the province-scale run) over 5 years with `tenet gen`'s generator,
//! writes them as CSV into a temporary directory, and times in one run:
//!
//! - `baseline_load_then_hand_loop`: load the directory, then the
//!   annual-hours rule written by hand (`baseline_annual_hours`);
//! - `tenet_load_then_annual_hours`: load, then Tenet's `annual_hours`
//!   rule alone (`brief`, every core);
//! - `tenet_load_then_all_policies`: load, then every shipped policy
//!   (`brief`, every core), as `tenet check` does for a text report.
//!
//! The dataset is freed outside the timed part (the CLI leaves that to the
//! operating system). Peak memory is not measured here: across iterations
//! the allocator keeps freed memory resident, so this process's peak is not
//! one run's. `/usr/bin/time -v tenet check …` gives it (docs/performance.md,
//! "End to end and scaling").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use tenet::model::Dataset;
use tenet::report::Report;
use tenet::{Detail, EvalOptions};
use tenet_benches::*;
use tenet_io::{load, LoadOptions};

const ALL: [&str; 5] = ["lvyuan", "binyang", "xuhui", "heping", "daxing"];

fn end_to_end(c: &mut Criterion) {
    let teachers = district_teachers();
    let dir = std::env::temp_dir().join(format!("tenet-bench-district-{}", std::process::id()));
    write_district(teachers, &dir);
    let opts = LoadOptions::default();
    let loaded = |dir: &Path| load(dir, &opts).unwrap().dataset;
    let set = policies(&ALL);
    let annual = policies(&["lvyuan"]);
    let brief = |rules: Option<Vec<String>>| EvalOptions {
        rules,
        detail: Detail::Brief,
        ..EvalOptions::default()
    };
    let annual_only = brief(Some(vec!["annual_hours".to_string()]));
    let every_policy = brief(None);

    let mut group = c.benchmark_group(format!("district_{teachers}_teachers_from_csv"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    // One iteration a batch: what an iteration made is freed, untimed,
    // before the next starts.
    let mut time = |name: &str, work: &dyn Fn(&Dataset) -> Vec<Report>| {
        group.bench_function(name, |b| {
            b.iter_batched(
                || (),
                |()| {
                    let data = loaded(&dir);
                    let reports = work(&data);
                    (data, reports)
                },
                BatchSize::PerIteration,
            )
        });
    };
    time("baseline_load_then_hand_loop", &|data| {
        black_box(baseline_annual_hours(data));
        Vec::new()
    });
    time("tenet_load_then_annual_hours", &|data| {
        annual.evaluate_with(data, as_of(), &annual_only)
    });
    time("tenet_load_then_all_policies", &|data| {
        set.evaluate_with(data, as_of(), &every_policy)
    });
    group.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
