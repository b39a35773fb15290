//! Loads a dataset, prints what it holds, the wall and CPU time taken and
//! the peak resident memory (VmHWM), or the problems found. CPU time (user +
//! system, all threads) is what to compare on a busy machine.
//!
//! `cargo run --release -p tenet-io --example load -- /tmp/tenet-20k [--encoding gbk] [--floor]`
//!
//! With `--floor` it instead times a plain `csv`-crate pass over the files
//! of a CSV directory (every record split, nothing checked): the floor the
//! loader is compared with in `docs/performance.md`.

mod support;

use std::path::PathBuf;
use std::time::Instant;
use tenet_io::{load, render_problems, LoadError, LoadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = LoadOptions::default();
    let mut path = None;
    let mut floor = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--floor" {
            floor = true;
        } else if arg == "--encoding" {
            opts.encoding = args.next().ok_or("`--encoding` needs a value")?.parse()?;
        } else {
            path = Some(PathBuf::from(arg));
        }
    }
    let path = path.ok_or("usage: load PATH [--encoding auto|utf-8|gbk]")?;
    let cpu_before = support::cpu_seconds();
    let start = Instant::now();
    if floor {
        let mut fields = 0u64;
        for entry in std::fs::read_dir(&path)? {
            let mut reader = csv::Reader::from_path(entry?.path())?;
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record)? {
                fields += record.len() as u64;
            }
        }
        println!(
            "csv floor in {:.3} s wall, {:.2} s CPU: {fields} fields",
            start.elapsed().as_secs_f64(),
            support::cpu_seconds() - cpu_before
        );
        return Ok(());
    }
    match load(&path, &opts) {
        Ok(loaded) => {
            let elapsed = start.elapsed();
            let cpu = support::cpu_seconds() - cpu_before;
            let d = &loaded.dataset;
            println!(
                "loaded in {:.3} s wall, {:.2} s CPU: {} people, {} activities, {} sessions, {} enrollments, {} attendance; {} warnings",
                elapsed.as_secs_f64(),
                cpu,
                d.people.len(),
                d.activities.len(),
                d.sessions.len(),
                d.enrollments.len(),
                d.attendance.len(),
                loaded.warnings.len()
            );
        }
        Err(LoadError::Invalid(problems)) => {
            print!("{}", render_problems(&problems, 10));
        }
        Err(e) => return Err(e.into()),
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
            println!("{line}");
        }
    }
    Ok(())
}
