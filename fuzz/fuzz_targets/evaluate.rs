//! Evaluation of a generated, well-typed policy on a small generated
//! dataset. Policies that do not compile and datasets the builder rejects
//! are skipped; everything else must evaluate, render and serialise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet::model::Dataset;
use tenet::PolicySet;

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(text) = tenet_fuzz::policy(&mut u, false) else {
        return;
    };
    let Ok(rows) = tenet_fuzz::rows(&mut u) else {
        return;
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(
        u.int_in_range(2019..=2026).unwrap_or(2024),
        u.int_in_range(1..=12).unwrap_or(1),
        u.int_in_range(1..=28).unwrap_or(1),
    )
    .unwrap_or_default();
    let Ok(set) =
        PolicySet::from_sources(&[("g.policy", &text), ("common.policy", tenet_fuzz::COMMON)])
    else {
        return;
    };
    let Ok((dataset, _warnings)) = Dataset::from_rows(rows) else {
        return;
    };
    for report in set.evaluate_with_threads(&dataset, as_of, 1) {
        let _ = report.to_json();
        if let Some(policy) = set.policies().iter().find(|p| p.id == report.policy) {
            let _ = tenet::render::text(&report, policy);
            let _ = tenet::render::markdown(&report, policy);
        }
    }
});
