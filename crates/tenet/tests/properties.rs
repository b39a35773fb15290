#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]
//! Properties of evaluation (the issue's list): more credited hours never
//! turn a pass into a fail; removing an absence never removes credit;
//! evaluation is deterministic across runs and thread counts; reports
//! survive a JSON round trip; results do not depend on row order.

mod gen;

use gen::{build, compile, project};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use tenet::model::{AttendanceRow, EnrollmentRow, Rows, Status as Mark};
use tenet::report::{Report, Status};

/// Cases per property.
const CASES: u32 = 192;

/// Rules that count credited hours in every kind of window.
const HOURS: &str = r#"
import "common.policy"
policy hours "学时" {
  effective 2020-01-01 .. 2024-12-31
  param annual_hours = 20 h, 30 h since 2022-01-01
  rule annual_hours { for person t where t has teacher each calendar_year require credited_hours(t) >= annual_hours }
  rule semester_hours { for person t each semester require credited_hours(t) > 5 h }
  rule local_hours { for person t each academic_year require credited_hours(t where activity.level in [district, school]) >= 10 h }
  rule five_year_hours { for person t cycle 2020-01-01 .. 2024-12-31 require credited_hours(t) >= 60 h }
  rule new_teacher_hours { for person t within 1 year after t.hire_date require credited_hours(t) >= 12 h }
  rule now_hours { for person t require credited_hours(t) >= 40 h }
}
"#;

fn report(text: &str, rows: &Rows, as_of: chrono::NaiveDate, threads: usize) -> Report {
    let set = compile(text);
    set.evaluate_with_threads(&build(rows.clone()), as_of, threads)
        .into_iter()
        .find(|r| r.policy != "common")
        .unwrap()
}

type Key = (String, String, Option<String>);

fn by_key(r: &Report) -> BTreeMap<Key, (Status, Option<String>)> {
    r.results
        .iter()
        .map(|x| {
            (
                (
                    x.rule.clone(),
                    x.subject.id.clone(),
                    x.window.map(|w| format!("{} .. {}", w.start, w.end)),
                ),
                (x.status, x.actual.clone()),
            )
        })
        .collect()
}

fn hours(s: &Option<String>) -> Option<Decimal> {
    s.as_deref().map(|s| Decimal::from_str(s).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, .. ProptestConfig::default() })]

    /// An extra enrollment with full attendance only adds credited hours:
    /// no pass becomes anything else, and no hours total goes down.
    #[test]
    fn more_credited_hours_never_turn_a_pass_into_a_fail(
        data in gen::choices(400),
        pick in gen::choices(3),
        date in gen::choices(2),
    ) {
        let rows = gen::dataset(data);
        prop_assume!(!rows.activities.is_empty());
        let person = rows.people[pick[0] as usize % rows.people.len()].id.clone();
        let activity = rows.activities[pick[pick.len() - 1] as usize % rows.activities.len()].id.clone();
        prop_assume!(!rows.enrollments.iter().any(|e| e.person == person && e.activity == activity));
        let mut more = rows.clone();
        more.enrollments.push(EnrollmentRow { person: person.clone(), activity: activity.clone() });
        for s in rows.sessions.iter().filter(|s| s.activity == activity) {
            more.attendance.push(AttendanceRow { person: person.clone(), session: s.id.clone(), status: Mark::Present });
        }
        let as_of = gen::as_of(&date);
        let before = by_key(&report(HOURS, &rows, as_of, 1));
        let after = by_key(&report(HOURS, &more, as_of, 1));
        prop_assert_eq!(before.len(), after.len());
        for (key, (status, actual)) in &before {
            let (now, now_actual) = &after[key];
            if *status == Status::Pass {
                prop_assert_eq!(*now, Status::Pass, "{:?} passed with {} but not after adding {}/{}", key, person, activity, now_actual.clone().unwrap_or_default());
            }
            if let (Some(a), Some(b)) = (hours(actual), hours(now_actual)) {
                prop_assert!(b >= a, "{:?}: {} h became {} h", key, a, b);
            }
        }
    }

    /// Marking an absence present (or adding a missing attendance row as
    /// present) never lowers anyone's credited hours.
    #[test]
    fn removing_an_absence_never_removes_credit(
        data in gen::choices(400),
        pick in gen::choices(2),
        date in gen::choices(2),
    ) {
        let rows = gen::dataset(data);
        // Every (person, session) an enrollment asks for, with its mark.
        let mut slots: Vec<(String, String, Option<usize>)> = Vec::new();
        for e in &rows.enrollments {
            for s in rows.sessions.iter().filter(|s| s.activity == e.activity) {
                let row = rows.attendance.iter().position(|a| a.person == e.person && a.session == s.id);
                let absent = row.is_none_or(|i| rows.attendance[i].status != Mark::Present);
                if absent {
                    slots.push((e.person.clone(), s.id.clone(), row));
                }
            }
        }
        prop_assume!(!slots.is_empty());
        let (person, session, row) = slots[pick[0] as usize % slots.len()].clone();
        let mut fewer = rows.clone();
        match row {
            Some(i) => fewer.attendance[i].status = Mark::Present,
            None => fewer.attendance.push(AttendanceRow { person, session, status: Mark::Present }),
        }
        let as_of = gen::as_of(&date);
        let before = by_key(&report(HOURS, &rows, as_of, 1));
        let after = by_key(&report(HOURS, &fewer, as_of, 1));
        for (key, (status, actual)) in &before {
            let (now, now_actual) = &after[key];
            if let (Some(a), Some(b)) = (hours(actual), hours(now_actual)) {
                prop_assert!(b >= a, "{:?}: {} h became {} h", key, a, b);
            }
            if *status == Status::Pass {
                prop_assert_eq!(*now, Status::Pass, "{:?}", key);
            }
        }
    }

    /// The same inputs give byte-identical JSON, run after run and for 1,
    /// 2 and 4 threads (datasets large enough for rules to be split).
    #[test]
    fn evaluation_is_deterministic_across_runs_and_threads(
        policy in gen::choices(200),
        data in gen::choices(600),
        date in gen::choices(2),
    ) {
        let text = gen::policy(policy);
        let rows = gen::dataset_sized(data, 6);
        let as_of = gen::as_of(&date);
        let set = compile(&text);
        let data = build(rows);
        let json = |threads: usize| serde_json::to_string(&set.evaluate_with_threads(&data, as_of, threads)).unwrap();
        let one = json(1);
        prop_assert_eq!(&one, &json(1));
        prop_assert_eq!(&one, &json(2));
        prop_assert_eq!(&one, &json(4));
        prop_assert_eq!(&one, &serde_json::to_string(&set.evaluate(&data, as_of)).unwrap());
    }

    /// A report read back from its JSON writes the same JSON again.
    #[test]
    fn reports_survive_a_json_round_trip(
        policy in gen::choices(200),
        data in gen::choices(400),
        date in gen::choices(2),
    ) {
        let text = gen::policy(policy);
        let rows = gen::dataset(data);
        let report = report(&text, &rows, gen::as_of(&date), 1);
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &report);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let pretty = report.to_json();
        let back: Report = serde_json::from_str(&pretty).unwrap();
        prop_assert_eq!(back.to_json(), pretty);
    }

    /// Shuffling every input file's rows changes only the order of
    /// subjects (and of per-school summary lines), never a result.
    #[test]
    fn results_do_not_depend_on_row_order(
        policy in gen::choices(200),
        data in gen::choices(400),
        order in gen::choices(300),
        date in gen::choices(2),
    ) {
        let text = gen::policy(policy);
        let rows = gen::dataset(data);
        let shuffled = gen::shuffle(&rows, order);
        let as_of = gen::as_of(&date);
        let set = compile(&text);
        let policy = set.policies().iter().find(|p| p.id == "gen").unwrap();
        let a = report(&text, &rows, as_of, 1);
        let b = report(&text, &shuffled, as_of, 1);
        let sorted = |r: &Report| {
            let mut v: Vec<String> = r.results.iter().map(|x| project(policy, x)).collect();
            v.sort();
            v
        };
        prop_assert_eq!(sorted(&a), sorted(&b));
        let schools = |r: &Report| {
            let mut v: Vec<String> = r.summary.schools.iter().map(|s| format!("{s:?}")).collect();
            v.sort();
            v
        };
        prop_assert_eq!(schools(&a), schools(&b));
        prop_assert_eq!(&a.summary.total, &b.summary.total);
        prop_assert_eq!(&a.summary.rules, &b.summary.rules);
        prop_assert_eq!(a.summary.violations, b.summary.violations);
    }
}

/// A result with its record lists folded into `more`, as
/// [`Detail::Brief`] writes every result.
fn folded(r: &tenet::report::RuleResult) -> tenet::report::RuleResult {
    let mut r = r.clone();
    let e = &mut r.explanation;
    e.more += (e.counted.len() + e.excluded.len()) as u64;
    e.counted.clear();
    e.excluded.clear();
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, .. ProptestConfig::default() })]

    /// The detail levels change only which records are listed: `Brief`
    /// is `Full` with every list folded into `more`; `Failures` is `Full`
    /// for results that are not a pass (or not applicable) and `Brief`
    /// for the others. Summaries are identical.
    #[test]
    fn detail_levels_differ_only_in_listed_records(
        policy in gen::choices(200),
        data in gen::choices(600),
        date in gen::choices(2),
    ) {
        use tenet::report::Status as S;
        use tenet::{Detail, EvalOptions};
        let text = gen::policy(policy);
        let set = compile(&text);
        let data = build(gen::dataset_sized(data, 6));
        let as_of = gen::as_of(&date);
        let run = |detail: Detail, threads: usize| {
            set.evaluate_with(&data, as_of, &EvalOptions { detail, threads, ..EvalOptions::default() })
        };
        let full = run(Detail::Full, 1);
        let brief = run(Detail::Brief, 2);
        let failures = run(Detail::Failures, 2);
        prop_assert_eq!(full.len(), brief.len());
        prop_assert_eq!(full.len(), failures.len());
        for ((f, b), x) in full.iter().zip(&brief).zip(&failures) {
            prop_assert_eq!(&f.summary, &b.summary);
            prop_assert_eq!(&f.summary, &x.summary);
            let folded_all: Vec<_> = f.results.iter().map(folded).collect();
            prop_assert_eq!(&folded_all, &b.results);
            let expected: Vec<_> = f
                .results
                .iter()
                .map(|r| if matches!(r.status, S::Pass | S::NotApplicable) { folded(r) } else { r.clone() })
                .collect();
            prop_assert_eq!(&expected, &x.results);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, .. ProptestConfig::default() })]

    /// The per-subject and per-rule entry points give exactly the results
    /// the whole-dataset report has for that subject or rule.
    #[test]
    fn one_subject_and_one_rule_match_the_whole_report(
        policy in gen::choices(200),
        data in gen::choices(400),
        date in gen::choices(2),
    ) {
        let text = gen::policy(policy);
        let set = compile(&text);
        let data = build(gen::dataset(data));
        let as_of = gen::as_of(&date);
        let whole = set
            .evaluate_with_threads(&data, as_of, 1)
            .into_iter()
            .find(|r| r.policy == "gen")
            .unwrap();
        let ids = data
            .districts
            .iter()
            .map(|d| d.id.clone())
            .chain(data.schools.iter().map(|s| s.id.clone()))
            .chain(data.people.iter().map(|p| p.id.clone()))
            .chain(data.activities.iter().map(|a| a.id.clone()));
        // A prepared evaluator gives the same results, asked in reverse
        // order so that what it keeps from one call serves the next.
        let evaluator = set.evaluator(&data, as_of);
        let ids: Vec<String> = ids.collect();
        for id in ids.iter().rev() {
            let subject = tenet::PolicySet::find_subject(&data, id).unwrap();
            prop_assert_eq!(
                evaluator.evaluate_subject(subject),
                set.evaluate_subject(&data, subject, as_of),
                "evaluator, subject {}", id
            );
        }
        for id in ids {
            let subject = tenet::PolicySet::find_subject(&data, &id).unwrap();
            let one = set.evaluate_subject(&data, subject, as_of);
            let expected: Vec<_> = whole
                .results
                .iter()
                .filter(|r| r.subject.id == id && r.subject.kind != "enrollment" && r.subject.kind != "mentorship")
                .cloned()
                .collect();
            prop_assert_eq!(one, expected, "subject {}", id);
        }
        let policy = set.policies().iter().find(|p| p.id == "gen").unwrap();
        for rule in &policy.rules {
            let got = set.evaluate_rule(&data, &format!("gen.{}", rule.id), None, as_of).unwrap();
            let expected: Vec<_> = whole.results.iter().filter(|r| r.rule == rule.id).cloned().collect();
            prop_assert_eq!(got, expected, "rule {}", rule.id);
        }
    }
}
