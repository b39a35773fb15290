#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]
//! Differential test: on random well-typed policies and random datasets,
//! the optimised evaluator and the reference evaluator
//! (`tests/reference/mod.rs`) must give the same report.
//!
//! Compared per result: rule, subject, window, status, actual, required,
//! shortfall, severity and the rendered message; `explanation.missing` for
//! cadence results and for `not_applicable` results (the sub-windows and
//! the window that lies outside `effective`); and the whole summary. The
//! other explanation lists (values, params, counted, excluded) and the
//! reasons given for `unknown` are the optimised evaluator's own prose and
//! are not compared.

mod gen;
mod reference;

use gen::{build, compile, project};

use chrono::NaiveDate;
use proptest::prelude::*;
use tenet::program::CheckedPolicy;
use tenet::report::Report;
use tenet::PolicySet;

/// Generated (policy, dataset, date) cases per run; `TENET_DIFF_CASES`
/// overrides it for a longer soak (`TENET_DIFF_CASES=20000 cargo test
/// --release --test differential`).
const CASES: u32 = 2048;

fn cases() -> u32 {
    std::env::var("TENET_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

fn the_policy(set: &PolicySet) -> &CheckedPolicy {
    set.policies().iter().find(|p| p.id == "gen").unwrap()
}

pub fn compare(policy: &CheckedPolicy, fast: &Report, slow: &Report) -> Result<(), String> {
    let a: Vec<String> = fast.results.iter().map(|r| project(policy, r)).collect();
    let b: Vec<String> = slow.results.iter().map(|r| project(policy, r)).collect();
    if a != b {
        let mut diff = String::new();
        for i in 0..a.len().max(b.len()) {
            let x = a.get(i).map_or("(none)", String::as_str);
            let y = b.get(i).map_or("(none)", String::as_str);
            if x != y {
                diff.push_str(&format!("#{i}\n  optimised: {x}\n  reference: {y}\n"));
                if diff.len() > 4000 {
                    break;
                }
            }
        }
        return Err(format!("results differ:\n{diff}"));
    }
    if fast.summary != slow.summary {
        return Err(format!(
            "summaries differ:\noptimised: {:#?}\nreference: {:#?}",
            fast.summary, slow.summary
        ));
    }
    if fast.policy != slow.policy || fast.as_of != slow.as_of {
        return Err("policy id or as_of differ".into());
    }
    Ok(())
}

fn run(policy_seq: Vec<u32>, data_seq: Vec<u32>, date_seq: Vec<u32>) -> Result<(), TestCaseError> {
    let text = gen::policy(policy_seq);
    let set = compile(&text);
    let rows = gen::dataset(data_seq);
    let data = build(rows.clone());
    let as_of: NaiveDate = gen::as_of(&date_seq);
    let policy = the_policy(&set);
    let fast = set
        .evaluate_with_threads(&data, as_of, 1)
        .into_iter()
        .find(|r| r.policy == "gen")
        .unwrap();
    let slow = reference::evaluate(policy, &data, as_of);
    if let Err(why) = compare(policy, &fast, &slow) {
        let json = serde_json::to_string(&rows).unwrap();
        return Err(TestCaseError::fail(format!(
            "{why}\n--- policy (as_of {as_of}) ---\n{text}\n--- rows ---\n{json}"
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, .. ProptestConfig::default() })]

    #[test]
    fn optimised_and_reference_agree(
        policy in gen::choices(200),
        data in gen::choices(400),
        date in gen::choices(2),
    ) {
        run(policy, data, date)?;
    }
}

/// The seed policies, with the year their datasets start.
const SEEDS: &[(&str, &str, &str)] = &[
    ("lvyuan", include_str!("seeds/lvyuan.policy"), "2019-06-01"),
    (
        "binyang",
        include_str!("seeds/binyang.policy"),
        "2021-01-01",
    ),
    ("xuhui", include_str!("seeds/xuhui.policy"), "2016-09-01"),
    ("heping", include_str!("seeds/heping.policy"), "2022-06-01"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 4, max_shrink_iters: 2000, .. ProptestConfig::default() })]

    /// The shipped seed policies on random datasets placed in their years.
    #[test]
    fn seed_policies_agree(
        which in 0..SEEDS.len(),
        data in gen::choices(400),
        date in gen::choices(2),
    ) {
        let (id, text, base) = SEEDS[which];
        let set = PolicySet::from_sources(&[(&format!("{id}.policy"), text), ("common.policy", gen::COMMON)]).unwrap();
        let policy = set.policies().iter().find(|p| p.id == id).unwrap();
        let base = gen::date(base);
        let rows = gen::dataset_from(data, 1, base);
        let data = build(rows.clone());
        let as_of = base + chrono::Days::new(u64::from(date[0] % 2100));
        let fast = set.evaluate_with_threads(&data, as_of, 1).into_iter().find(|r| r.policy == id).unwrap();
        let slow = reference::evaluate(policy, &data, as_of);
        if let Err(why) = compare(policy, &fast, &slow) {
            let json = serde_json::to_string(&rows).unwrap();
            return Err(TestCaseError::fail(format!("{why}\n--- {id} as of {as_of} ---\n--- rows ---\n{json}")));
        }
    }
}

/// Every generated policy compiles (a failure is a generator bug).
#[test]
fn generated_policies_compile() {
    for seed in 0..300u32 {
        let seq: Vec<u32> = (0..200u32)
            .map(|i| {
                i.wrapping_mul(2_654_435_761)
                    .wrapping_add(seed.wrapping_mul(40_503))
                    ^ seed
            })
            .collect();
        compile(&gen::policy(seq));
    }
}

/// decisions W2 / language §5.6.6: a rule without a window, in a policy
/// without `effective`, counts records "from all time up to the evaluation
/// date". The optimised evaluator (`eval/mod.rs` `default_range`) uses the
/// single day `as_of` instead, so an activity that ended before `as_of`
/// does not count. The reference follows the documentation.
#[test]
fn no_effective_counts_records_up_to_the_evaluation_date() {
    let text = r#"
policy gen {
  rule r0 {
    for district d
    require count(activities by d) >= 1
  }
}
"#;
    let rows: tenet::model::Rows = serde_json::from_str(
        r#"{
  "districts": [{"id": "d0", "name": "区0"}],
  "schools": [],
  "people": [],
  "activities": [{"id": "a0", "title": "活动0", "organizer": "d0", "host": null,
    "level": "district", "kind": "course", "mode": "offline",
    "start_date": "2021-03-01", "end_date": "2021-03-01", "hours": "2"}]
}"#,
    )
    .unwrap();
    let set = compile(text);
    let data = build(rows);
    let as_of = gen::date("2022-01-01");
    let policy = the_policy(&set);
    let fast = set.evaluate_with_threads(&data, as_of, 1).remove(0);
    let slow = reference::evaluate(policy, &data, as_of);
    assert_eq!(slow.results[0].actual.as_deref(), Some("1"));
    assert_eq!(slow.results[0].status, tenet::report::Status::Pass);
    compare(policy, &fast, &slow).unwrap();
}
