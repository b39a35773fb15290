#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The boundaries of DESIGN §5 "Semantics", each pinned by a small dataset.

mod support;

use support::*;
use tenet::model::{FinanceItem, Kind, Level, Status as Mark};
use tenet::report::Status;

const ANNUAL: &str = r#"
import "common.policy"
policy p "年度学时" {
  effective 2021-01-01 .. 2023-12-31
  param annual_hours = 90 h
  rule annual_hours "每位教师每年不少于90学时" {
    for person t where t has teacher
    each calendar_year
    require credited_hours(t) >= annual_hours
    message "{subject}：{actual} 学时，差 {shortfall}"
  }
}
"#;

/// One 12-hour course in 2021 with four 3-hour sessions, of which the
/// teacher misses `absent`.
fn course_with_absences(absent: usize, mark: Mark) -> Data {
    let mut data = Data::new();
    data.teacher("t1").course("a1", "2021-03-01", "12");
    data.rows.activities[0].end_date = d("2021-03-04");
    data.enroll("t1", "a1");
    for i in 0..4 {
        let s = format!("s{i}");
        data.session(&s, "a1", &format!("2021-03-0{}", i + 1), "3");
        data.attend("t1", &s, if i < absent { mark } else { Mark::Present });
    }
    data
}

#[test]
fn exactly_a_quarter_absent_still_earns_credit() {
    let r = report(ANNUAL, &course_with_absences(1, Mark::Absent), "2024-06-01");
    let y2021 = &results(&r, "annual_hours", "t1")[0];
    assert_eq!(y2021.actual.as_deref(), Some("12"));
    assert_eq!(&*y2021.explanation.counted[0].id, "a1");
}

#[test]
fn more_than_a_quarter_absent_earns_nothing_and_says_why() {
    let r = report(ANNUAL, &course_with_absences(2, Mark::Absent), "2024-06-01");
    let y2021 = &results(&r, "annual_hours", "t1")[0];
    assert_eq!(y2021.actual.as_deref(), Some("0"));
    let denied = &y2021.explanation.excluded[0];
    assert_eq!(&*denied.id, "a1");
    assert_eq!(
        denied.reason.as_deref(),
        Some("缺课超过四分之一 (absent 6 of 12 scheduled hours)")
    );
}

#[test]
fn excused_leave_counts_as_absence() {
    let r = report(
        ANNUAL,
        &course_with_absences(2, Mark::Excused),
        "2024-06-01",
    );
    assert_eq!(
        results(&r, "annual_hours", "t1")[0].actual.as_deref(),
        Some("0")
    );
}

#[test]
fn a_missing_attendance_row_counts_as_absent() {
    let mut data = course_with_absences(1, Mark::Absent);
    data.rows.attendance.pop(); // now 2 of 4 sessions unaccounted for → 6 of 12 h
    let (_, warnings) = tenet::model::Dataset::from_rows(data.rows.clone()).unwrap();
    assert_eq!(warnings.len(), 1);
    let r = report(ANNUAL, &data, "2024-06-01");
    assert_eq!(
        results(&r, "annual_hours", "t1")[0].actual.as_deref(),
        Some("0")
    );
}

#[test]
fn exactly_the_minimum_passes_and_one_hour_less_fails() {
    let mut data = Data::new();
    data.teacher("t1").teacher("t2");
    data.course("big", "2021-05-01", "90")
        .course("small", "2021-05-01", "89.5");
    data.enroll("t1", "big").enroll("t2", "small");
    let r = report(ANNUAL, &data, "2024-06-01");
    let pass = &results(&r, "annual_hours", "t1")[0];
    assert_eq!(
        (pass.status, pass.shortfall.as_deref()),
        (Status::Pass, None)
    );
    let fail = &results(&r, "annual_hours", "t2")[0];
    assert_eq!(fail.status, Status::Fail);
    assert_eq!(fail.shortfall.as_deref(), Some("0.5"));
    assert_eq!(
        fail.explanation.message.as_deref(),
        Some("教师t2：89.5 学时，差 0.5")
    );
}

#[test]
fn hours_count_in_the_year_the_activity_ends() {
    let mut data = Data::new();
    data.teacher("t1");
    data.activity_full(
        "a1",
        "d1",
        "",
        Level::District,
        Kind::Course,
        "2021-12-20",
        "2022-01-05",
        "90",
    );
    data.enroll("t1", "a1");
    let r = report(ANNUAL, &data, "2024-06-01");
    let years: Vec<_> = results(&r, "annual_hours", "t1")
        .iter()
        .map(|r| (r.status, r.actual.clone()))
        .collect();
    assert_eq!(
        years,
        [
            (Status::Fail, Some("0".to_string())),
            (Status::Pass, Some("90".to_string())),
            (Status::Fail, Some("0".to_string()))
        ]
    );
}

#[test]
fn an_open_window_is_pending_with_the_shortfall_so_far_unless_met() {
    let mut data = Data::new();
    data.teacher("t1").teacher("t2");
    data.course("a", "2023-03-01", "40")
        .course("b", "2023-04-01", "95")
        .course("later", "2023-09-01", "60");
    data.enroll("t1", "a")
        .enroll("t1", "later")
        .enroll("t2", "b");
    let r = report(ANNUAL, &data, "2023-06-30");
    let open = results(&r, "annual_hours", "t1");
    assert_eq!(open.len(), 3, "2021, 2022 and the open 2023");
    let y2023 = open[2];
    assert_eq!(y2023.status, Status::Pending);
    // The September course is after the evaluation date: not counted yet.
    assert_eq!(
        (y2023.actual.as_deref(), y2023.shortfall.as_deref()),
        (Some("40"), Some("50"))
    );
    assert_eq!(results(&r, "annual_hours", "t2")[2].status, Status::Pass);
}

#[test]
fn windows_that_have_not_started_are_not_reported() {
    let mut data = Data::new();
    data.teacher("t1");
    let r = report(ANNUAL, &data, "2021-06-30");
    assert_eq!(results(&r, "annual_hours", "t1").len(), 1);
}

const NEW_TEACHER: &str = r#"
import "common.policy"
policy p {
  effective 2020-01-01 .. 2023-12-31
  rule new_teacher_hours {
    for person t where t has teacher
    within 1 year after t.hire_date
    require credited_hours(t where activity.level in [district, school]) >= 120 h
  }
}
"#;

#[test]
fn the_first_year_ends_the_day_before_the_anniversary() {
    let mut data = Data::new();
    data.person("t1", "s1", "teacher", "", "2021-09-01", "");
    data.course("inside", "2022-08-31", "120")
        .course("outside", "2022-09-01", "120");
    data.enroll("t1", "inside").enroll("t1", "outside");
    let r = report(NEW_TEACHER, &data, "2024-01-01");
    let res = one(&r, "new_teacher_hours", "t1");
    assert_eq!(
        res.window.map(|w| (w.start, w.end)),
        Some((d("2021-09-01"), d("2022-08-31")))
    );
    assert_eq!(
        (res.status, res.actual.as_deref()),
        (Status::Pass, Some("120"))
    );

    data.rows.enrollments.remove(0);
    let r = report(NEW_TEACHER, &data, "2024-01-01");
    assert_eq!(one(&r, "new_teacher_hours", "t1").status, Status::Fail);
}

#[test]
fn only_district_and_school_level_hours_count_for_new_teachers() {
    let mut data = Data::new();
    data.person("t1", "s1", "teacher", "", "2021-09-01", "");
    data.activity_full(
        "prov",
        "d1",
        "",
        Level::Provincial,
        Kind::Course,
        "2021-10-01",
        "2021-10-01",
        "100",
    );
    data.course("dist", "2021-11-01", "30");
    data.enroll("t1", "prov").enroll("t1", "dist");
    let r = report(NEW_TEACHER, &data, "2024-01-01");
    let res = one(&r, "new_teacher_hours", "t1");
    assert_eq!(
        (res.actual.as_deref(), res.shortfall.as_deref()),
        (Some("30"), Some("90"))
    );
    assert_eq!(&*res.explanation.excluded[0].id, "prov");
}

#[test]
fn a_missing_hire_date_is_unknown_not_a_pass() {
    let mut data = Data::new();
    data.person("t1", "s1", "teacher", "", "", "");
    let r = report(NEW_TEACHER, &data, "2024-01-01");
    let res = one(&r, "new_teacher_hours", "t1");
    assert_eq!(res.status, Status::Unknown);
    assert_eq!(res.explanation.missing, ["person `t1` has no hire_date"]);
}

#[test]
fn a_first_year_before_the_effective_range_is_not_applicable() {
    let mut data = Data::new();
    data.person("t1", "s1", "teacher", "", "2015-09-01", "");
    let r = report(NEW_TEACHER, &data, "2024-01-01");
    assert_eq!(
        one(&r, "new_teacher_hours", "t1").status,
        Status::NotApplicable
    );
}

const FUNDS: &str = r#"
policy p {
  effective 2021-01-01 .. 2021-12-31
  param training_share = 5%
  rule school_training_funds {
    for school s
    each calendar_year as y
    require finance(s, y, teacher_training_funds) >= training_share of finance(s, y, public_funds_budget)
  }
  rule principal_training_funds {
    for district d
    each calendar_year
    require finance(d, principal_training_funds) >= 2.5% of finance(d, principal_payroll)
  }
}
"#;

#[test]
fn a_cent_short_fails_and_the_exact_share_passes() {
    let mut data = Data::new();
    data.school("s2", false, false);
    data.finance("s1", 2021, FinanceItem::PublicFundsBudget, "10770000.00");
    data.finance("s1", 2021, FinanceItem::TeacherTrainingFunds, "538500.00");
    data.finance("s2", 2021, FinanceItem::PublicFundsBudget, "10770000.00");
    data.finance("s2", 2021, FinanceItem::TeacherTrainingFunds, "538499.99");
    data.finance("d1", 2021, FinanceItem::PrincipalPayroll, "4000000.00");
    data.finance("d1", 2021, FinanceItem::PrincipalTrainingFunds, "100000.00");
    let r = report(FUNDS, &data, "2022-03-01");
    let s1 = one(&r, "school_training_funds", "s1");
    assert_eq!(
        (s1.status, s1.required.as_deref()),
        (Status::Pass, Some("538500.00"))
    );
    let s2 = one(&r, "school_training_funds", "s2");
    assert_eq!(
        (s2.status, s2.shortfall.as_deref()),
        (Status::Fail, Some("0.01"))
    );
    let d1 = one(&r, "principal_training_funds", "d1");
    assert_eq!(
        (d1.status, d1.required.as_deref()),
        (Status::Pass, Some("100000.00"))
    );
    assert_eq!(&*s1.explanation.params[0].expr, "training_share");
    assert_eq!(s1.explanation.params[0].value, "0.05");
}

#[test]
fn a_missing_finance_row_is_unknown_and_names_the_item() {
    let mut data = Data::new();
    data.finance("s1", 2021, FinanceItem::TeacherTrainingFunds, "538500.00");
    data.finance("d1", 2021, FinanceItem::PrincipalPayroll, "4000000.00");
    let r = report(FUNDS, &data, "2022-03-01");
    let s1 = one(&r, "school_training_funds", "s1");
    assert_eq!(s1.status, Status::Unknown);
    assert_eq!(
        s1.explanation.missing,
        ["no finance row for `s1` 2021 `public_funds_budget`"]
    );
    let d1 = one(&r, "principal_training_funds", "d1");
    assert_eq!(
        d1.explanation.missing,
        ["no finance row for `d1` 2021 `principal_training_funds`"]
    );
}

const RATIO: &str = r#"
policy p {
  rule trainer_ratio {
    for district d
    require count(people of d where has trainer) >= 1:100 of count(people of d where has full_time_teacher)
  }
  rule training_bases {
    for district d
    require share(schools of d where training_base) >= 5%
  }
}
"#;

#[test]
fn one_trainer_per_hundred_is_exactly_enough() {
    let mut data = Data::new();
    data.person("tr", "d1", "trainer", "", "", "");
    for i in 0..100 {
        data.person(
            &format!("f{i}"),
            "s1",
            "teacher;full_time_teacher",
            "",
            "",
            "",
        );
    }
    let r = report(RATIO, &data, "2024-01-01");
    let res = one(&r, "trainer_ratio", "d1");
    assert_eq!(
        (res.status, res.actual.as_deref(), res.required.as_deref()),
        (Status::Pass, Some("1"), Some("1"))
    );

    data.person("f100", "s1", "full_time_teacher", "", "", "");
    let r = report(RATIO, &data, "2024-01-01");
    let res = one(&r, "trainer_ratio", "d1");
    assert_eq!(
        (
            res.status,
            res.required.as_deref(),
            res.shortfall.as_deref()
        ),
        (Status::Fail, Some("1.01"), Some("0.01"))
    );
}

#[test]
fn training_base_share_counts_the_districts_schools() {
    let mut data = Data::new();
    for i in 0..19 {
        data.school(&format!("x{i}"), false, i == 0);
    }
    // 1 base in 20 schools = 5% exactly.
    let r = report(RATIO, &data, "2024-01-01");
    let res = one(&r, "training_bases", "d1");
    assert_eq!(
        (res.status, res.actual.as_deref()),
        (Status::Pass, Some("0.05"))
    );
}

const ELIGIBILITY: &str = r#"
policy p {
  effective 2023-11-15 .. 2026-12-31
  rule trainee_eligibility {
    for mentorship m where m.program = "heping"
    require (m.trainee has principal and tenure(m.trainee.post_start_date, m.start_date) <= 3 years)
         or (m.trainee has vice_principal and age(m.trainee, m.start_date) < 50)
  }
}
"#;

#[test]
fn turning_fifty_on_the_start_day_is_not_under_fifty() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("young", "s1", "vice_principal", "1973-11-16", "", "");
    data.person("fifty", "s1", "vice_principal", "1973-11-15", "", "");
    data.mentorship("m", "young", "heping", "2023-11-15", "2024-11-14");
    data.mentorship("m", "fifty", "heping", "2023-11-15", "2024-11-14");
    let r = report(ELIGIBILITY, &data, "2024-12-01");
    assert_eq!(
        one(&r, "trainee_eligibility", "m/young/heping").status,
        Status::Pass
    );
    assert_eq!(
        one(&r, "trainee_eligibility", "m/fifty/heping").status,
        Status::Fail
    );
}

#[test]
fn three_years_in_post_is_still_within_three_years() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("p3", "s1", "principal", "", "", "2020-11-15");
    data.person("p3b", "s1", "principal", "", "", "2020-11-14");
    data.person("nodate", "s1", "principal", "", "", "");
    data.mentorship("m", "p3", "heping", "2023-11-15", "2024-11-14");
    data.mentorship("m", "p3b", "heping", "2023-11-15", "2024-11-14");
    data.mentorship("m", "nodate", "heping", "2023-11-15", "2024-11-14");
    let r = report(ELIGIBILITY, &data, "2024-12-01");
    assert_eq!(
        one(&r, "trainee_eligibility", "m/p3/heping").status,
        Status::Pass
    );
    assert_eq!(
        one(&r, "trainee_eligibility", "m/p3b/heping").status,
        Status::Fail
    );
    // Missing post_start_date: neither branch can be decided → unknown.
    let res = one(&r, "trainee_eligibility", "m/nodate/heping");
    assert_eq!(res.status, Status::Unknown);
    assert_eq!(
        res.explanation.missing,
        ["person `nodate` has no post_start_date"]
    );
}

const MENTOR: &str = r#"
policy p {
  effective 2017-04-17 .. 2018-06-30
  rule mentor_seminars {
    for mentorship m
    during m
    require at least 1 seminar by m.mentor every 2 weeks
  }
}
"#;

#[test]
fn cadence_lists_missing_fortnights_and_skips_a_cut_short_tail() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("t", "s1", "teacher", "", "", "");
    // 2017-06-07 .. 2017-07-10: fortnights from 06-07 and 06-21 are whole;
    // 07-05 .. 07-10 is cut short by the end and not required.
    data.mentorship("m", "t", "xuhui", "2017-06-07", "2017-07-10");
    data.event("e1", "m", Kind::Seminar, "2017-06-10");
    data.event("e2", "m", Kind::Reading, "2017-06-25");
    let r = report(MENTOR, &data, "2018-01-01");
    let res = one(&r, "mentor_seminars", "m/t/xuhui");
    assert_eq!(res.status, Status::Fail);
    assert_eq!(
        (
            res.actual.as_deref(),
            res.required.as_deref(),
            res.shortfall.as_deref()
        ),
        (Some("1"), Some("2"), Some("1"))
    );
    assert_eq!(
        res.explanation.missing,
        ["2017-06-21 .. 2017-07-04: 0 of 1 seminar"]
    );
}

#[test]
fn cadence_in_an_open_window_is_pending() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("t", "s1", "teacher", "", "", "");
    data.mentorship("m", "t", "xuhui", "2017-06-07", "2017-07-31");
    data.event("e1", "m", Kind::Seminar, "2017-06-10");
    let r = report(MENTOR, &data, "2017-06-25");
    let res = one(&r, "mentor_seminars", "m/t/xuhui");
    assert_eq!(res.status, Status::Pending);
    assert_eq!(
        res.explanation.missing,
        ["2017-06-21 .. 2017-07-04: 0 of 1 seminar (window still open)"]
    );
}

#[test]
fn rural_schools_must_host_a_delivered_lesson_in_the_cycle() {
    let policy = r#"
policy p {
  effective 2020-01-01 .. 2023-12-31
  rule rural_delivered_lessons {
    for school s where s.rural
    cycle 2020-01-01 .. 2023-12-31
    require count(activities hosted by s where kind = delivered_lesson) >= 1
  }
}
"#;
    let mut data = Data::new();
    data.school("r1", true, false).school("r2", true, false);
    data.activity_full(
        "sj",
        "s1",
        "r1",
        Level::District,
        Kind::DeliveredLesson,
        "2021-04-01",
        "2021-04-01",
        "2",
    );
    let r = report(policy, &data, "2024-02-01");
    assert_eq!(
        one(&r, "rural_delivered_lessons", "r1").status,
        Status::Pass
    );
    assert_eq!(
        one(&r, "rural_delivered_lessons", "r2").status,
        Status::Fail
    );
    assert!(
        results(&r, "rural_delivered_lessons", "s1").is_empty(),
        "s1 is not rural"
    );
}

#[test]
fn advisory_failures_are_not_violations() {
    let policy = r#"
policy p {
  rule psych_teachers advisory {
    for school s
    require count(people of s where has psych_teacher) >= 1
  }
}
"#;
    let r = report(policy, &Data::new(), "2024-01-01");
    assert_eq!(one(&r, "psych_teachers", "s1").status, Status::Fail);
    assert_eq!(r.summary.violations, 0);
    assert!(!r.has_violations());
}

#[test]
fn params_change_on_their_dates() {
    let policy = r#"
policy p {
  effective 2021-01-01 .. 2022-12-31
  param training_share = 5%, 6% since 2022-01-01
  rule funds {
    for school s
    each calendar_year as y
    require finance(s, y, teacher_training_funds) >= training_share of finance(s, y, public_funds_budget)
  }
}
"#;
    let mut data = Data::new();
    for y in [2021, 2022] {
        data.finance("s1", y, FinanceItem::PublicFundsBudget, "100.00");
        data.finance("s1", y, FinanceItem::TeacherTrainingFunds, "5.00");
    }
    let r = report(policy, &data, "2023-06-01");
    let years: Vec<_> = results(&r, "funds", "s1")
        .iter()
        .map(|r| (r.status, r.required.clone()))
        .collect();
    assert_eq!(
        years,
        [
            (Status::Pass, Some("5.00".into())),
            (Status::Fail, Some("6.00".into()))
        ]
    );
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let mut data = course_with_absences(2, Mark::Absent);
    data.teacher("t2")
        .course("c2", "2022-02-02", "100")
        .enroll("t2", "c2");
    let a = report(ANNUAL, &data, "2023-06-30").to_json();
    let b = report(ANNUAL, &data, "2023-06-30").to_json();
    assert_eq!(a, b);
    let back: tenet::report::Report = serde_json::from_str(&a).unwrap();
    assert_eq!(back.to_json(), a, "the JSON report survives a round trip");
}

#[test]
fn a_scope_filter_can_read_the_window() {
    let policy = r#"
import "common.policy"
policy p {
  effective 2021-01-01 .. 2023-12-31
  rule annual_hours {
    for person t where t has teacher and t.hire_date <= y.end
    each calendar_year as y
    require credited_hours(t) >= 90 h
  }
}
"#;
    let mut data = Data::new();
    data.person("new", "s1", "teacher", "1999-01-01", "2022-09-01", "");
    data.course("c", "2022-10-01", "90").enroll("new", "c");
    let r = report(policy, &data, "2024-03-01");
    let years: Vec<_> = results(&r, "annual_hours", "new")
        .iter()
        .map(|r| (r.window.unwrap().start, r.status))
        .collect();
    // 2021 is before the teacher was hired: not in scope that year; 2022
    // is the year of hiring, not judged (decisions W14).
    assert_eq!(
        years,
        [
            (d("2022-01-01"), Status::NotApplicable),
            (d("2023-01-01"), Status::Fail)
        ]
    );
}

/// Policies evaluated together share a credit table only when they use the
/// same credit block (one imported file): two look-alike blocks in two
/// files, whose params differ, give each policy its own credits.
#[test]
fn policies_with_different_credit_params_do_not_share_credits() {
    let policy = |id: &str, share: &str| {
        format!(
            r#"
policy {id} {{
  effective 2021-01-01 .. 2021-12-31
  param max_absent = {share}
  credit c {{
    for enrollment e
    no credit when e.absent_hours > max_absent of e.scheduled_hours "缺课过多"
    otherwise e.activity.hours
  }}
  rule hours {{ for person t each calendar_year require credited_hours(t) >= 1 h }}
}}
"#
        )
    };
    let (strict, lenient) = (policy("strict", "10%"), policy("lenient", "50%"));
    let set =
        tenet::PolicySet::from_sources(&[("strict.policy", &strict), ("lenient.policy", &lenient)])
            .unwrap();
    // A quarter absent: denied at 10%, credited at 50%.
    let data = course_with_absences(1, Mark::Absent).build();
    let together = set.evaluate(&data, d("2022-01-01"));
    let alone = |text: &str, name: &str| {
        tenet::PolicySet::from_sources(&[(name, text)])
            .unwrap()
            .evaluate(&data, d("2022-01-01"))
            .remove(0)
    };
    assert_eq!(together[0], alone(&strict, "strict.policy"));
    assert_eq!(together[1], alone(&lenient, "lenient.policy"));
    assert_eq!(together[0].results[0].actual.as_deref(), Some("0"));
    assert_eq!(together[1].results[0].actual.as_deref(), Some("12"));
}

// ---- decisions W13, W14, C2: no obligation before the hire date, no
// judgement on a window cut short, one sub-window owed at least.

fn statuses(r: &tenet::report::Report, rule: &str, subject: &str) -> Vec<(String, Status)> {
    results(r, rule, subject)
        .iter()
        .map(|x| {
            (
                x.window.map_or("-".into(), |w| w.start.to_string()),
                x.status,
            )
        })
        .collect()
}

#[test]
fn no_hours_are_owed_before_the_hire_date_nor_in_the_year_of_hiring() {
    let mut data = Data::new();
    data.person("new", "s1", "teacher", "1999-01-01", "2022-09-01", "");
    let r = report(ANNUAL, &data, "2024-06-01");
    assert_eq!(
        statuses(&r, "annual_hours", "new"),
        [
            ("2021-01-01".into(), Status::NotApplicable),
            ("2022-01-01".into(), Status::NotApplicable),
            ("2023-01-01".into(), Status::Fail),
        ]
    );
    let years = results(&r, "annual_hours", "new");
    assert_eq!(
        years[0].explanation.missing,
        ["hired 2022-09-01, after the window ends: no obligation before the hire date"]
    );
    assert_eq!(
        years[1].explanation.missing,
        ["hired 2022-09-01, during the window: not held to a full window's requirement"]
    );
    assert_eq!(years[1].actual, None);
    assert_eq!(years[1].explanation.message, None);
}

#[test]
fn hired_on_the_first_day_of_a_window_owes_the_whole_of_it() {
    let mut data = Data::new();
    data.person("jan", "s1", "teacher", "1999-01-01", "2022-01-01", "");
    data.person("none", "s1", "teacher", "1999-01-01", "", "");
    let r = report(ANNUAL, &data, "2024-06-01");
    let jan = statuses(&r, "annual_hours", "jan");
    assert_eq!(jan[1], ("2022-01-01".into(), Status::Fail));
    // No hire_date: judged in every year, as before.
    assert!(statuses(&r, "annual_hours", "none")
        .iter()
        .all(|(_, s)| *s == Status::Fail));
}

#[test]
fn hired_after_the_evaluation_date_owes_nothing_yet() {
    let mut data = Data::new();
    data.person("future", "s1", "teacher", "1999-01-01", "2021-09-01", "");
    let r = report(ANNUAL, &data, "2021-06-30");
    let res = one(&r, "annual_hours", "future");
    assert_eq!(res.status, Status::NotApplicable);
    assert_eq!(
        res.explanation.missing,
        ["hired 2021-09-01, after the evaluation date 2021-06-30"]
    );

    // A point-in-time rule likewise.
    let policy = r#"
policy p {
  effective 2021-01-01 .. 2023-12-31
  rule mentors_have_trainees {
    for person p where p has teacher
    require count(mentorships of p) >= 1
  }
}
"#;
    let r = report(policy, &data, "2021-06-30");
    assert_eq!(
        one(&r, "mentors_have_trainees", "future").status,
        Status::NotApplicable
    );
    let r = report(policy, &data, "2021-10-01");
    assert_eq!(
        one(&r, "mentors_have_trainees", "future").status,
        Status::Fail
    );
}

#[test]
fn a_first_year_cut_short_by_the_plan_is_not_judged_on_the_part_inside() {
    let mut data = Data::new();
    // 2019-06-01 .. 2020-05-31 starts before the plan; 2023-06-01 ..
    // 2024-05-31 ends after it; 2022-06-01 .. 2023-05-31 lies inside.
    data.person("early", "s1", "teacher", "", "2019-06-01", "");
    data.person("late", "s1", "teacher", "", "2023-06-01", "");
    data.person("inside", "s1", "teacher", "", "2022-06-01", "");
    data.course("c", "2020-03-01", "120").enroll("early", "c");
    let r = report(NEW_TEACHER, &data, "2025-01-01");
    let early = one(&r, "new_teacher_hours", "early");
    assert_eq!(early.status, Status::NotApplicable);
    assert_eq!(
        early.window.map(|w| (w.start, w.end)),
        Some((d("2019-06-01"), d("2020-05-31")))
    );
    assert_eq!(
        early.explanation.missing,
        [
            "window 2019-06-01 .. 2020-05-31 is cut short by the effective range \
          2020-01-01 .. 2023-12-31: not held to the full requirement on a part of it"
        ]
    );
    assert_eq!(early.actual, None);
    assert_eq!(
        one(&r, "new_teacher_hours", "late").status,
        Status::NotApplicable
    );
    assert_eq!(one(&r, "new_teacher_hours", "inside").status, Status::Fail);
}

#[test]
fn a_mentorship_sticking_out_of_the_plan_is_not_judged() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("t", "s1", "teacher", "", "", "");
    data.mentorship("m", "t", "xuhui", "2017-03-01", "2017-07-10");
    let r = report(MENTOR, &data, "2018-01-01");
    let res = one(&r, "mentor_seminars", "m/t/xuhui");
    assert_eq!(res.status, Status::NotApplicable);
    assert_eq!(res.required, None);
}

const FORUM: &str = r#"
policy p {
  effective 2017-04-17 .. 2018-06-30
  rule trainee_forum {
    for mentorship m
    during m
    require at least 1 forum by m.trainee every semester
  }
}
"#;

#[test]
fn a_range_shorter_than_one_sub_window_still_owes_one() {
    let mut data = Data::new();
    data.person("m", "d1", "mentor", "", "", "");
    data.person("t", "s1", "teacher", "", "", "");
    // Two months inside the autumn semester 2017-09-01 .. 2018-01-31.
    data.mentorship("m", "t", "xuhui", "2017-10-01", "2017-11-30");
    let r = report(FORUM, &data, "2018-03-01");
    let res = one(&r, "trainee_forum", "m/t/xuhui");
    assert_eq!(
        (
            res.status,
            res.required.as_deref(),
            res.shortfall.as_deref()
        ),
        (Status::Fail, Some("1"), Some("1"))
    );
    assert_eq!(
        res.explanation.missing,
        ["2017-10-01 .. 2017-11-30: 0 of 1 forum"]
    );
    data.event("f", "t", Kind::Forum, "2017-11-20");
    let r = report(FORUM, &data, "2018-03-01");
    assert_eq!(one(&r, "trainee_forum", "m/t/xuhui").status, Status::Pass);
    // Still open: pending.
    let r = report(FORUM, &data, "2017-11-01");
    assert_eq!(
        one(&r, "trainee_forum", "m/t/xuhui").status,
        Status::Pending
    );
}

/// decisions P5: `age(t)` in `for … where` is taken where the same
/// `age(t)` in `require` is — at the window's end, capped at the
/// evaluation date — not at the evaluation date for every window.
#[test]
fn an_undated_age_in_the_scope_filter_is_the_windows() {
    let policy = r#"
import "common.policy"
policy p {
  effective 2021-01-01 .. 2023-12-31
  rule under_fifty_hours {
    for person t where t has teacher and age(t) < 50
    each calendar_year
    require credited_hours(t) >= 0 h
  }
}
"#;
    let mut data = Data::new();
    // 50 on 2022-06-01: under 50 at the end of 2021, not at the end of 2022.
    data.person("t", "s1", "teacher", "1972-06-01", "2000-09-01", "");
    let r = report(policy, &data, "2024-03-01");
    assert_eq!(
        statuses(&r, "under_fifty_hours", "t"),
        [("2021-01-01".into(), Status::Pass)]
    );
}

/// decisions W2 / C1 (issue #13 item 5): a rule without a window reports
/// the range it ran over — the `effective` range — for a count and for a
/// cadence; with no `effective`, `null`.
#[test]
fn a_rule_without_a_window_reports_the_effective_range() {
    let with = r#"
import "common.policy"
policy p {
  effective 2021-01-01 .. 2023-12-31
  rule hours { for person t require credited_hours(t) >= 1 h }
  rule forums { for school s require at least 1 forum by s every calendar_year }
}
"#;
    let mut data = Data::new();
    data.teacher("t1").course("a1", "2021-03-01", "12");
    data.enroll("t1", "a1");
    let r = report(with, &data, "2024-06-01");
    for rule in ["hours", "forums"] {
        for x in r.results.iter().filter(|x| x.rule == rule) {
            let w = x.window.as_ref().expect("a window");
            assert_eq!(
                (w.start, w.end),
                (d("2021-01-01"), d("2023-12-31")),
                "{rule}"
            );
        }
    }
    assert!(r.results.iter().any(|x| x.rule == "forums"));
    let without = r#"
import "common.policy"
policy p {
  rule hours { for person t require credited_hours(t) >= 1 h }
}
"#;
    let r = report(without, &data, "2024-06-01");
    assert!(r.results[0].window.is_none());
}
