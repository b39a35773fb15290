//! The generator's data has the shape the benches and policies rely on.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use tenet::model::{Actor, Kind, Org, Role};
use tenet_io::gen::{generate, GenConfig};

#[test]
fn generated_data_loads_cleanly_and_has_the_expected_shape() {
    let cfg = GenConfig {
        teachers: 1000,
        years: 2,
        seed: 5,
        start_year: 2021,
    };
    let rows = generate(&cfg);
    let (d, warnings) = tenet::model::Dataset::from_rows(rows.clone()).unwrap();
    let teacher_years = (cfg.teachers * cfg.years as usize) as f64;
    let per = |n: usize| n as f64 / teacher_years;
    assert!(
        (25.0..45.0).contains(&per(rows.enrollments.len())),
        "{}",
        per(rows.enrollments.len())
    );
    assert!(
        (20.0..40.0).contains(&per(rows.attendance.len())),
        "{}",
        per(rows.attendance.len())
    );
    // Some absences, some missing rows (warned), mostly present.
    let absent = d
        .attendance
        .iter()
        .filter(|a| a.status != tenet::model::Status::Present)
        .count();
    assert!(absent > 0 && absent * 10 < d.attendance.len());
    assert!(!warnings.is_empty());
    // Roles.
    let has = |role| d.people.iter().filter(|p| p.roles.contains(role)).count();
    assert!(has(Role::Teacher) >= cfg.teachers);
    assert!(has(Role::Principal) >= d.schools.len());
    assert!(has(Role::Trainer) > 0 && has(Role::Mentor) > 0 && has(Role::PsychTeacher) > 0);
    // Cadence activities per school; delivered lessons hosted by rural schools.
    let s0 = Actor::Org(Org::School(tenet::model::SchoolIx(0)));
    let kinds: Vec<Kind> = d
        .activities_organized_by(s0)
        .iter()
        .map(|a| d.activity(*a).kind)
        .collect();
    let count = |k| kinds.iter().filter(|x| **x == k).count();
    assert!(
        count(Kind::CollectivePrep) >= 60,
        "{}",
        count(Kind::CollectivePrep)
    );
    assert!(count(Kind::Seminar) >= 16);
    // Two semesters a year, plus the tail of the first autumn semester at a
    // school that keeps its cadence.
    assert!(
        (4..=5).contains(&count(Kind::Theme)),
        "{}",
        count(Kind::Theme)
    );
    for a in d
        .activities
        .iter()
        .filter(|a| a.kind == Kind::DeliveredLesson)
    {
        let Some(Org::School(s)) = a.host else {
            panic!("delivered lesson without a school host")
        };
        assert!(d.school(s).rural);
    }
    assert!(d.activities.iter().any(|a| a.kind == Kind::DeliveredLesson));
    // Mentor seminars every two weeks, organised by the mentor.
    let m = &d.mentorships[0];
    let seminars = d
        .activities_organized_by(Actor::Person(m.mentor))
        .iter()
        .filter(|a| d.activity(**a).kind == Kind::Seminar)
        .count();
    // A year of fortnights (26), a slipping mentor missing some.
    assert!(seminars >= 20, "{seminars}");
    assert!(d
        .mentorships
        .iter()
        .any(|m| m.program == "heping_principal_class"));
    // Finance: five items per org and year, a few missing.
    let orgs = d.schools.len() + d.districts.len();
    let expected = orgs * 5 * cfg.years as usize;
    assert!(d.finance.len() < expected && d.finance.len() * 100 > expected * 95);
    // The leading-school column.
    assert!(d.schools.iter().all(|s| s.attrs.contains_key("xuequ_lead")));
    assert!(d.schools.iter().any(|s| s.attrs["xuequ_lead"] == "true"));
    assert!(d.schools.iter().any(|s| s.rural) && d.schools.iter().any(|s| s.training_base));
}
