//! A prepared evaluator's call allocates what its results own and nothing
//! else (issue 7): the buffers a call needs are kept between calls.
//!
//! Counted with a counting global allocator, so this file holds a single
//! test: nothing else runs while a call is counted.
#![allow(clippy::disallowed_methods)]

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use tenet::model::{PersonIx, Role};
use tenet::value::EntityRef;
use tenet_benches::{as_of, district, owned_blocks, policies};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn a_prepared_call_allocates_only_what_its_results_own() {
    let data = district(100);
    let set = policies(&["lvyuan", "xuhui"]);
    let evaluator = set.evaluator(&data, as_of());
    let teachers: Vec<EntityRef> = (data.people.iter().enumerate())
        .filter(|(_, p)| p.roles.contains(Role::Teacher))
        .map(|(i, _)| EntityRef::Person(PersonIx(i as u32)))
        .take(25)
        .collect();
    assert_eq!(teachers.len(), 25);
    let mut listed = 0;
    for subject in teachers {
        // The first call makes the teacher's credit ledger (and, once, the
        // shared record ids); the second finds them made.
        let first = evaluator.evaluate_subject(subject);
        let region = Region::new(GLOBAL);
        let second = evaluator.evaluate_subject(subject);
        let change = region.change();
        assert_eq!(first, second);
        let owned = owned_blocks(&second);
        // Exactly: one block more (a buffer, a string made and dropped)
        // fails. Growing a result's own list reallocates it, and is not
        // counted here.
        assert_eq!(
            change.allocations,
            owned,
            "{subject:?}: allocations of a prepared call, against the blocks \
             its {} results own",
            second.len()
        );
        listed += second
            .iter()
            .map(|r| r.explanation.counted.len())
            .sum::<usize>();
    }
    // The calls listed records (their ids are shared, not allocated).
    assert!(listed > 100, "{listed}");
}
