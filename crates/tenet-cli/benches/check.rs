//! `cargo bench -p tenet-cli --bench check`: `tenet check` as an analyst
//! runs it, a new process each time, on a generated district written as
//! CSV (`TENET_BENCH_DISTRICT` teachers, default 20,000; 200 as a smoke
//! test under `cargo test --benches`): load, every shipped policy, and the
//! text report written to a file.
//!
//! Unlike an in-process benchmark, every run starts with no memory of its
//! own, as a command does: nothing freed by one run is reused by the next.
//! Issue 7's end-to-end target (20,000 teachers under a second) and its
//! scaling (200,000) are about this.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::process::{Command, Stdio};
use std::time::Duration;

fn check(c: &mut Criterion) {
    let teachers = tenet_benches::district_teachers();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tenet_benches::write_district(teachers, &data);
    let policies = format!("{}/policies", tenet_benches::ROOT);
    let report = dir.path().join("report.txt");
    let mut group = c.benchmark_group(format!("tenet_check_{teachers}_teachers"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("text_report_every_policy", |b| {
        b.iter(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_tenet"))
                .args(["check", "--policy", &policies, "--as-of", "2025-12-31"])
                .arg("--data")
                .arg(&data)
                .arg("--out")
                .arg(&report)
                // The district's data-quality warnings.
                .stderr(Stdio::null())
                .status()
                .unwrap();
            // 1: some rule failed, as on any generated district.
            assert!(matches!(status.code(), Some(0 | 1)), "{status}");
        })
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
