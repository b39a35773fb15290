//! Loads a dataset, prints what it holds, the time taken and the peak
//! resident memory (VmHWM), or the problems found.
//!
//! `cargo run --release -p tenet-io --example load -- /tmp/tenet-20k [--encoding gbk]`

use std::path::PathBuf;
use std::time::Instant;
use tenet_io::{load, render_problems, LoadError, LoadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = LoadOptions::default();
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--encoding" {
            opts.encoding = args.next().ok_or("`--encoding` needs a value")?.parse()?;
        } else {
            path = Some(PathBuf::from(arg));
        }
    }
    let path = path.ok_or("usage: load PATH [--encoding auto|utf-8|gbk]")?;
    let start = Instant::now();
    match load(&path, &opts) {
        Ok(loaded) => {
            let elapsed = start.elapsed();
            let d = &loaded.dataset;
            println!(
                "loaded in {:.3} s: {} people, {} activities, {} sessions, {} enrollments, {} attendance; {} warnings",
                elapsed.as_secs_f64(),
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
