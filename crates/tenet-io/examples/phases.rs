//! Times the two phases of the `Rows` path separately: parsing files into
//! `Rows` (`read_rows`), and resolving them with `Dataset::from_rows`. This
//! is the path of callers holding `Rows`; `load` on a CSV directory instead
//! keeps the big tables' ids numbered and resolves while it parses, so time
//! it with the `load` example.
//!
//! `cargo run --release -p tenet-io --example phases -- /tmp/tenet-20k [parse]`

mod support;

use std::path::PathBuf;
use std::time::Instant;
use tenet::model::Dataset;
use tenet_io::{read_rows, LoadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = PathBuf::from(std::env::args().nth(1).ok_or("usage: phases PATH")?);
    let cpu0 = support::cpu_seconds();
    let start = Instant::now();
    let rows = read_rows(&path, &LoadOptions::default())?;
    let parsed = start.elapsed();
    let cpu1 = support::cpu_seconds();
    if std::env::args().nth(2).as_deref() == Some("parse") {
        println!(
            "parse {:.3} s ({:.2} s CPU)",
            parsed.as_secs_f64(),
            cpu1 - cpu0
        );
        return Ok(());
    }
    let start = Instant::now();
    let built = Dataset::from_rows(rows).map_err(|e| format!("{} errors", e.len()))?;
    let resolved = start.elapsed();
    let cpu2 = support::cpu_seconds();
    println!(
        "parse {:.3} s ({:.2} s CPU), resolve {:.3} s ({:.2} s CPU) ({} people)",
        parsed.as_secs_f64(),
        cpu1 - cpu0,
        resolved.as_secs_f64(),
        cpu2 - cpu1,
        built.0.people.len()
    );
    Ok(())
}
