//! Shared setup for the benchmarks: generated datasets, the shipped
//! policies, and the hand-written baseline they are compared with.
// Benchmark setup: failing loudly on broken fixtures is the point.
#![allow(clippy::disallowed_methods, clippy::panic)]

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use tenet::model::{Dataset, Role};
use tenet::PolicySet;

/// The repository root (benches run from `benches/`).
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Teachers in the district benchmark: `TENET_BENCH_TEACHERS`, default 2,000.
pub fn teachers() -> usize {
    std::env::var("TENET_BENCH_TEACHERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

/// Teachers in the end-to-end benchmarks (`district`, and the CLI's
/// `check`): `TENET_BENCH_DISTRICT`, default 20,000; 200 when `cargo test
/// --benches` runs each benchmark once as a smoke test (without `--bench`).
pub fn district_teachers() -> usize {
    let measuring = std::env::args().any(|a| a == "--bench");
    std::env::var("TENET_BENCH_DISTRICT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 20_000 } else { 200 })
}

/// The rows of a generated district over 2021–2025 (deterministic, seed 1).
fn district_rows(teachers: usize) -> tenet::model::Rows {
    tenet_io::gen::generate(&tenet_io::gen::GenConfig {
        teachers,
        years: 5,
        seed: 1,
        start_year: 2021,
    })
}

/// A generated district over 2021–2025 (deterministic, seed 1).
pub fn district(teachers: usize) -> Dataset {
    match Dataset::from_rows(district_rows(teachers)) {
        Ok((data, _)) => data,
        Err(e) => panic!("generated data is invalid: {e:?}"),
    }
}

/// The same district written as CSV files into `dir`, as `tenet gen` does.
pub fn write_district(teachers: usize, dir: &std::path::Path) {
    if let Err(e) = tenet_io::write_dir(&district_rows(teachers), dir) {
        panic!("cannot write the district to {}: {e}", dir.display());
    }
}

/// The shipped policies, or one of them.
pub fn policies(names: &[&str]) -> PolicySet {
    let roots: Vec<String> = names
        .iter()
        .map(|n| format!("{ROOT}/policies/{n}.policy"))
        .collect();
    match PolicySet::load(&roots, |p| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    }) {
        Ok(set) => set,
        Err(e) => panic!("{}", e.render()),
    }
}

/// The evaluation date used throughout.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
}

/// The annual-hours rule written by hand, straight from the loaded data:
/// per teacher and calendar year 2021–2025, the hours of enrollments whose
/// activity ends that year and whose absences are at most a quarter of the
/// scheduled hours. Returns how many teacher-years reach 90 hours.
pub fn baseline_annual_hours(data: &Dataset) -> usize {
    let mut passing = 0;
    let min = Decimal::from(90);
    for (i, person) in data.people.iter().enumerate() {
        if !person.roles.contains(Role::Teacher) {
            continue;
        }
        let mut per_year = [Decimal::ZERO; 5];
        for &e in data.enrollments_of(tenet::model::PersonIx(i as u32)) {
            let absent = data.absent_hours(e);
            let a = data.activity(data.enrollment(e).activity);
            let year = a.end_date.year() - 2021;
            if !(0..5).contains(&year) || absent * Decimal::from(4) > a.scheduled_hours {
                continue;
            }
            if let Some(slot) = per_year.get_mut(year as usize) {
                *slot += a.hours;
            }
        }
        passing += per_year.iter().filter(|h| **h >= min).count();
    }
    passing
}

/// The teacher the one-teacher benchmark evaluates (the first person with
/// the teacher role), and its id.
pub fn one_teacher(data: &Dataset) -> (tenet::value::EntityRef, String) {
    let Some(teacher) = data.people.iter().find(|p| p.roles.contains(Role::Teacher)) else {
        panic!("the generated district has no teacher");
    };
    match PolicySet::find_subject(data, &teacher.id) {
        Some(subject) => (subject, teacher.id.clone()),
        None => panic!("teacher `{}` not found", teacher.id),
    }
}

/// How many heap blocks `results` own: every `String` and `Vec` with room
/// allocated, and every shared id held by nothing but these results (an
/// id also held by the evaluator, for every call, is not theirs).
pub fn owned_blocks(results: &Vec<tenet::report::RuleResult>) -> usize {
    use std::borrow::Cow;
    use std::collections::HashMap;
    use std::sync::Arc;
    use tenet::report::{Fact, Figure, Record};
    let mut arcs: HashMap<*const u8, (usize, usize)> = HashMap::new();
    let mut arc = |a: &Arc<str>| {
        let e = arcs
            .entry(Arc::as_ptr(a).cast::<u8>())
            .or_insert((Arc::strong_count(a), 0));
        e.1 += 1;
    };
    let string = |s: &String| usize::from(s.capacity() > 0);
    let opt = |s: &Option<String>| s.as_ref().map_or(0, string);
    let cow = |c: &Cow<'static, str>| match c {
        Cow::Owned(s) => string(s),
        Cow::Borrowed(_) => 0,
    };
    let vec = |cap: usize| usize::from(cap > 0);
    let mut n = vec(results.capacity());
    for r in results {
        n += string(&r.rule) + cow(&r.subject.kind) + string(&r.subject.id);
        n += opt(&r.actual) + opt(&r.required) + opt(&r.shortfall);
        let e = &r.explanation;
        n += opt(&e.message);
        for facts in [&e.values, &e.params] {
            n += vec(facts.capacity());
            for Fact { expr, value } in facts {
                arc(expr);
                n += string(value);
            }
        }
        for records in [&e.counted, &e.excluded] {
            n += vec(records.capacity());
            for Record {
                kind,
                id,
                value,
                reason,
            } in records
            {
                arc(id);
                n += cow(kind) + opt(reason);
                if let Some(Figure::Text(t)) = value {
                    n += string(t);
                }
            }
        }
        n += vec(e.missing.capacity()) + e.missing.iter().map(string).sum::<usize>();
    }
    n + arcs
        .values()
        .filter(|(strong, held)| strong == held)
        .count()
}
