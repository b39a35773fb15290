//! Loading speed against the floor: a plain `csv`-crate pass over the same
//! files that parses every record and does nothing else.
//!
//! `cargo bench -p tenet-io --bench load` generates a dataset of
//! `TENET_BENCH_TEACHERS` teachers (default 20,000) over
//! `TENET_BENCH_YEARS` years (default 5) into a temporary directory, then
//! times, on the same files in the same run:
//!
//! - `csv_floor`: every file read and split into records by the `csv`
//!   crate, one file after another, no validation (the floor);
//! - `read_rows`: files parsed into typed rows, every cell checked;
//! - `load`: the whole load, rows resolved by the core builder into an
//!   indexed `Dataset`.
//!
//! Figures are recorded in `docs/performance.md`.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark should stop loudly when its setup fails"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::time::Duration;
use tenet_io::gen::{generate, GenConfig};
use tenet_io::{load, read_rows, write_dir, LoadOptions};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The floor: the csv crate splitting every file into records.
fn csv_floor(dir: &Path) -> u64 {
    let mut records = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            records += record.len() as u64;
        }
    }
    records
}

fn bench(c: &mut Criterion) {
    // `cargo test --benches` runs each benchmark once as a smoke test
    // (without `--bench`): a small dataset keeps that quick.
    let measuring = std::env::args().any(|a| a == "--bench");
    let (teachers, years) = if measuring { (20_000, 5) } else { (300, 1) };
    let cfg = GenConfig {
        teachers: env_or("TENET_BENCH_TEACHERS", teachers) as usize,
        years: env_or("TENET_BENCH_YEARS", years) as u32,
        seed: 1,
        start_year: 2021,
    };
    let dir = tempfile::tempdir().unwrap();
    let rows = generate(&cfg);
    write_dir(&rows, dir.path()).unwrap();
    let total_rows = rows.districts.len()
        + rows.schools.len()
        + rows.people.len()
        + rows.activities.len()
        + rows.sessions.len()
        + rows.enrollments.len()
        + rows.attendance.len()
        + rows.mentorships.len()
        + rows.finance.len();
    let bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    eprintln!(
        "dataset: {} teachers x {} years: {} rows ({} attendance, {} enrollments), {:.1} MB of CSV",
        cfg.teachers,
        cfg.years,
        total_rows,
        rows.attendance.len(),
        rows.enrollments.len(),
        bytes as f64 / 1e6
    );
    drop(rows);
    let opts = LoadOptions::default();
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("csv_floor", |b| b.iter(|| csv_floor(dir.path())));
    group.bench_function("read_rows", |b| {
        b.iter(|| read_rows(dir.path(), &opts).unwrap())
    });
    group.bench_function("load", |b| b.iter(|| load(dir.path(), &opts).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
