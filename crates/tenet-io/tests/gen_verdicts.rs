//! What users try first: `tenet gen`, then `tenet check --policy policies`.
//! On a generated district every shipped rule has passing and failing
//! subjects, so the report shows what a real one would, not a wall of
//! failures.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;
use tenet::report::Status;
use tenet::PolicySet;
use tenet_io::gen::{generate, GenConfig};

/// Rules that cannot have both outcomes on one generated district, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    // One result per district, and a district is about 100 schools: a
    // generated district of 1,000 teachers has one district, so one outcome.
    ("binyang.trainer_ratio", "one district"),
    ("binyang.training_bases", "one district"),
    ("lvyuan.demo_schools", "one district"),
    ("lvyuan.group_leaders", "one district"),
    ("lvyuan.reserve_cadres", "one district"),
];

fn policies() -> PolicySet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let mut roots: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    roots.sort();
    PolicySet::load(&roots, |n| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    })
    .unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn every_shipped_rule_passes_somewhere_and_fails_somewhere() {
    let set = policies();
    let mut counts: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    for policy in set.policies() {
        let Some(eff) = policy.effective else {
            continue;
        };
        // A district whose years cover the policy's range (up to 5 years),
        // evaluated at its end: every window is closed.
        let start = chrono::Datelike::year(&eff.start);
        let end = chrono::Datelike::year(&eff.end).min(start + 4);
        let rows = generate(&GenConfig {
            teachers: 1000,
            years: (end - start + 1) as u32,
            seed: 11,
            start_year: start,
        });
        let (data, _) = tenet::model::Dataset::from_rows(rows).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(end, 12, 31)
            .unwrap()
            .min(eff.end);
        let report = set
            .evaluate(&data, as_of)
            .into_iter()
            .find(|r| r.policy == policy.id)
            .unwrap();
        for r in &report.results {
            let c = counts
                .entry(format!("{}.{}", policy.id, r.rule))
                .or_default();
            match r.status {
                Status::Pass => c.0 += 1,
                Status::Fail => c.1 += 1,
                Status::Unknown => c.2 += 1,
                _ => c.3 += 1,
            }
        }
        for rule in &policy.rules {
            counts
                .entry(format!("{}.{}", policy.id, rule.id))
                .or_default();
        }
    }
    let table: String = counts
        .iter()
        .map(|(rule, (p, f, u, o))| format!("{rule}: pass {p} fail {f} unknown {u} other {o}\n"))
        .collect();
    let bad: Vec<&String> = counts
        .iter()
        .filter(|(rule, (p, f, _, _))| {
            (*p == 0 || *f == 0) && !EXCEPTIONS.iter().any(|(r, _)| r == rule)
        })
        .map(|(rule, _)| rule)
        .collect();
    assert!(bad.is_empty(), "without both outcomes: {bad:?}\n{table}");
}
