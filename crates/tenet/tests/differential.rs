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

use chrono::NaiveDate;
use proptest::prelude::*;
use tenet::model::{Dataset, Rows};
use tenet::program::{CheckedPolicy, Requirement};
use tenet::report::{Report, RuleResult, Status};
use tenet::PolicySet;

/// Generated (policy, dataset, date) cases per run.
const CASES: u32 = 256;

pub fn compile(text: &str) -> PolicySet {
    match PolicySet::from_sources(&[("gen.policy", text), ("common.policy", gen::COMMON)]) {
        Ok(set) => set,
        Err(e) => panic!(
            "generator bug: the policy does not compile\n{text}\n{}",
            e.render()
        ),
    }
}

fn the_policy(set: &PolicySet) -> &CheckedPolicy {
    set.policies().iter().find(|p| p.id == "gen").unwrap()
}

fn build(rows: Rows) -> Dataset {
    match Dataset::from_rows(rows.clone()) {
        Ok((data, _)) => data,
        Err(e) => panic!("generator bug: the dataset does not load: {e:?}\n{rows:#?}"),
    }
}

/// What is compared of one result.
fn project(policy: &CheckedPolicy, r: &RuleResult) -> String {
    let cadence = policy
        .rules
        .iter()
        .find(|x| x.id == r.rule)
        .is_some_and(|x| matches!(x.require, Requirement::Cadence(_)));
    let missing = if (cadence && r.status != Status::Unknown) || r.status == Status::NotApplicable {
        r.explanation.missing.clone()
    } else {
        Vec::new()
    };
    format!(
        "{} {}:{} {:?} {:?} actual={:?} required={:?} shortfall={:?} {:?} message={:?} missing={:?}",
        r.rule,
        r.subject.kind,
        r.subject.id,
        r.window.map(|w| format!("{} .. {}", w.start, w.end)),
        r.status,
        r.actual,
        r.required,
        r.shortfall,
        r.severity,
        r.explanation.message,
        missing
    )
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
    #![proptest_config(ProptestConfig { cases: CASES, max_shrink_iters: 2000, .. ProptestConfig::default() })]

    #[test]
    fn optimised_and_reference_agree(
        policy in gen::choices(200),
        data in gen::choices(400),
        date in gen::choices(2),
    ) {
        run(policy, data, date)?;
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
