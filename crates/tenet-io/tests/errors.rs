//! One test per kind of validation problem, each snapshotting the message
//! a user sees.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{problems_after, render, write_with};
use insta::assert_snapshot;
use tenet_io::{load, LoadError, LoadOptions};

#[test]
fn base_dataset_loads_with_a_missing_attendance_warning() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let loaded = load(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.people.len(), 4);
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_snapshot!(warnings.join("\n"));
}

#[test]
fn invalid_date() {
    assert_snapshot!(problems_after("people.csv", |t| t
        .replace("1980-05-01", "2023-02-30")
        .replace("1975-03-12", "1975/03/12")));
}

#[test]
fn invalid_decimal() {
    assert_snapshot!(problems_after("activities.csv", |t| t
        .replace("2023-03-01,2\n", "2023-03-01,2,5\n")
        .replace("2023-04-10,3", "2023-04-10,\"3,0\"")
        .replace("2023-03-15,4", "2023-03-15,1e3")));
}

/// `是`/`否` are built-in names (mapping); `对` is not.
#[test]
fn invalid_bool() {
    assert_snapshot!(problems_after("schools.csv", |t| t.replace("d1,true,false", "d1,对,false")));
}

#[test]
fn invalid_year() {
    assert_snapshot!(problems_after("finance.csv", |t| t.replace("d1,2023", "d1,2023年")));
}

#[test]
fn unknown_enum_value() {
    assert_snapshot!(problems_after("activities.csv", |t| t
        .replace("collective_prep", "lecture")
        .replace(
            "district,delivered_lesson,offline",
            "county,delivered_lesson,offline"
        )));
}

#[test]
fn unknown_role() {
    assert_snapshot!(problems_after("people.csv", |t| t
        .replace("trainer;mentor", "trainer;coach")));
}

#[test]
fn unknown_status_and_finance_item() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "attendance.csv" => text.replace("p2,e1,absent", "p2,e1,late"),
            "finance.csv" => text.replace("principal_payroll", "payroll"),
            _ => text.to_string(),
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

#[test]
fn missing_required_column() {
    assert_snapshot!(problems_after("people.csv", |t| t
        .replace("id,name,org,roles,", "id,name,roles,")
        .replace(",s1,teacher", ",teacher")));
}

#[test]
fn missing_required_file() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        (name != "people.csv").then(|| text.to_string())
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

#[test]
fn optional_files_may_be_absent() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        matches!(name, "districts.csv" | "schools.csv" | "people.csv").then(|| text.to_string())
    });
    let loaded = load(dir.path(), &LoadOptions::default()).unwrap();
    assert!(loaded.dataset.activities.is_empty());
    assert_eq!(loaded.dataset.people.len(), 4);
}

#[test]
fn empty_files() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" | "finance.csv" => String::new(),
            _ => text.to_string(),
        })
    });
    // An empty optional file is an empty table; an empty required one is
    // one problem (and its rows are not echoed as unknown references).
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

#[test]
fn missing_required_value() {
    assert_snapshot!(problems_after("people.csv", |t| t.replace("p3,张敏,s2,teacher", "p3,,s2,")));
}

#[test]
fn wrong_field_count() {
    assert_snapshot!(problems_after("enrollments.csv", |t| t.replace("p2,a1", "p2,a1,extra")));
}

#[test]
fn duplicate_id() {
    assert_snapshot!(problems_after("people.csv", |t| format!(
        "{t}p1,王伟二,s2,teacher,,,,\n"
    )));
}

#[test]
fn unknown_reference() {
    assert_snapshot!(problems_after("enrollments.csv", |t| format!(
        "{t}p9,a1\np1,a9\n"
    )));
}

#[test]
fn attendance_without_enrollment() {
    assert_snapshot!(problems_after("attendance.csv", |t| format!(
        "{t}p3,e1,present\n"
    )));
}

#[test]
fn end_before_start() {
    assert_snapshot!(problems_after("mentorships.csv", |t| t.replace("2024-02-29", "2022-02-28")));
}

#[test]
fn negative_or_zero_hours() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "activities.csv" => text.replace("2023-04-10,3", "2023-04-10,-3"),
            "sessions.csv" => text.replace("e3,a3,2023-03-01,2", "e3,a3,2023-03-01,0"),
            _ => text.to_string(),
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

#[test]
fn duplicate_row() {
    assert_snapshot!(problems_after("enrollments.csv", |t| format!("{t}p2,a1\n")));
}

#[test]
fn session_outside_its_activity() {
    assert_snapshot!(problems_after("sessions.csv", |t| t
        .replace("e2,a2,2023-04-10", "e2,a2,2023-05-10")));
}

#[test]
fn every_problem_is_reported_and_the_list_is_capped() {
    let many: String = (0..15).map(|i| format!("x{i},a1\n")).collect();
    let text = problems_after("enrollments.csv", |t| format!("{t}{many}"));
    assert!(text.contains("enrollments.csv: 15 problems"));
    assert_snapshot!(text);
}

#[test]
fn rejected_rows_do_not_cascade_into_unknown_references() {
    // p1's row is rejected for its date; its enrollments, attendance and
    // mentorship must not also be reported as naming an unknown person.
    assert_snapshot!(problems_after("people.csv", |t| t.replace("1980-05-01", "1980-13-01")));
}

#[test]
fn problems_serialize_to_json() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "activities.csv" => text.replace("collective_prep", "seminar_x"),
            "enrollments.csv" => format!("{text}p9,a2\n"),
            _ => text.to_string(),
        })
    });
    let Err(LoadError::Invalid(problems)) = load(dir.path(), &LoadOptions::default()) else {
        panic!("expected problems");
    };
    assert_snapshot!(serde_json::to_string_pretty(&problems).unwrap());
}

/// A duplicate id is a problem even when one of the two rows is also
/// rejected for a bad cell (the builder never sees that row), in either
/// order.
#[test]
fn duplicate_id_with_a_bad_row() {
    assert_snapshot!(problems_after("people.csv", |t| format!(
        "{t}p1,王伟二,s2,teacher,1980-13-01,,,\n"
    )));
    let bad_first = problems_after("people.csv", |t| {
        t.replace(
            "p1,王伟,s1,teacher;full_time_teacher,1980-05-01",
            "p1,王伟,s1,teacher;full_time_teacher,1980-05-41",
        ) + "p1,王伟二,s2,teacher,,,,\n"
    });
    assert!(
        bad_first.contains("people.csv:6:1") && bad_first.contains("duplicate"),
        "{bad_first}"
    );
}

/// An optional file that rows refer to is named once, not echoed as one
/// unknown reference per row.
#[test]
fn missing_optional_file_that_rows_refer_to() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        (name != "activities.csv").then(|| text.to_string())
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

/// A `;`- or tab-separated export is named as such, once per file, not as
/// every required column missing.
#[test]
fn semicolon_and_tab_separated_files() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" => text.replace(',', ";"),
            "schools.csv" => text.replace(',', "\t"),
            _ => text.to_string(),
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

/// Duplicate mentorship rows would count a mentorship twice; like
/// duplicate enrollment, attendance and finance rows they are refused.
#[test]
fn duplicate_mentorship_row() {
    assert_snapshot!(problems_after("mentorships.csv", |t| format!(
        "{t}m1,p1,qinglan_2023,2023-03-01,2024-02-29\n"
    )));
}

/// An id that differs from a known one only by spaces gets a hint, both
/// ways round (the reference or the definition has the space).
#[test]
fn ids_with_surrounding_spaces() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "enrollments.csv" => text.replacen("p2,a1", "p2 ,a1", 1),
            "people.csv" => text.replace("p3,张敏", "p3 ,张敏"),
            _ => text.to_string(),
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}
