//! Writes a synthetic dataset as CSV files (or JSON when OUT ends in `.json`).
//!
//! `cargo run --release -p tenet-io --example gen -- --teachers 20000 --years 5 --seed 1 --out /tmp/tenet-20k`

use std::path::PathBuf;
use tenet_io::gen::{generate, GenConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = GenConfig::default();
    let mut out = PathBuf::from("dataset");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("`{flag}` needs a value"))?;
        match flag.as_str() {
            "--teachers" => cfg.teachers = value.parse()?,
            "--years" => cfg.years = value.parse()?,
            "--seed" => cfg.seed = value.parse()?,
            "--start-year" => cfg.start_year = value.parse()?,
            "--out" => out = value.into(),
            other => return Err(format!("unknown flag `{other}`").into()),
        }
    }
    let rows = generate(&cfg);
    if out.extension().is_some_and(|e| e == "json") {
        tenet_io::write_json(&rows, &out)?;
    } else {
        tenet_io::write_dir(&rows, &out)?;
    }
    println!(
        "{} districts, {} schools, {} people, {} activities, {} sessions, {} enrollments, {} attendance, {} mentorships, {} finance rows -> {}",
        rows.districts.len(),
        rows.schools.len(),
        rows.people.len(),
        rows.activities.len(),
        rows.sessions.len(),
        rows.enrollments.len(),
        rows.attendance.len(),
        rows.mentorships.len(),
        rows.finance.len(),
        out.display()
    );
    Ok(())
}
