//! Tenet's `annual_hours` against the hand-written loop, interleaved:
//! criterion times one after the other, and on a shared machine the
//! baseline alone moved between 6.6 and 16 ms from one run to the next
//! (the same code, the same data), so a ratio of two criterion estimates
//! says more about the minute than about the code. Here each round times
//! the loop and then Tenet (`brief`, one thread, as the criterion
//! benchmark `tenet_annual_hours_brief_1_thread`), and the medians are
//! compared.
//!
//! ```text
//! cargo run --release -p tenet-benches --example baseline_ratio [teachers] [rounds]
//! ```
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;
use tenet::{Detail, EvalOptions};
use tenet_benches::*;

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let teachers = args.next().map_or(2_000, |a| a.parse().unwrap());
    let rounds = args.next().map_or(41, |a| a.parse().unwrap());
    let data = district(teachers);
    let lvyuan = policies(&["lvyuan"]);
    let opts = EvalOptions {
        rules: Some(vec!["annual_hours".to_string()]),
        threads: 1,
        detail: Detail::Brief,
        ..EvalOptions::default()
    };
    let (mut baseline, mut tenet) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(baseline_annual_hours(&data));
        baseline.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let reports = lvyuan.evaluate_with(&data, as_of(), &opts);
        tenet.push(t.elapsed().as_secs_f64() * 1e3);
        drop(black_box(reports));
    }
    let (b, t) = (median(baseline), median(tenet));
    println!(
        "{teachers} teachers, {rounds} rounds: hand loop {b:.2} ms, Tenet annual_hours (brief, 1 thread) {t:.2} ms: {:.2}x",
        t / b
    );
}
