//! Round trips between the formats, extra columns, and the generator's
//! determinism.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::fmt::Write;
use std::path::Path;
use tenet::model::Dataset;
use tenet_io::gen::{generate, GenConfig};
use tenet_io::{load, read_rows, write_dir, write_json, LoadOptions};

/// Everything public a dataset holds, as text, for comparing loads.
fn canonical(d: &Dataset) -> String {
    let mut out = String::new();
    writeln!(out, "{:?}", d.districts).unwrap();
    writeln!(out, "{:?}", d.schools).unwrap();
    writeln!(out, "{:?}", d.people).unwrap();
    writeln!(out, "{:?}", d.activities).unwrap();
    writeln!(out, "{:?}", d.sessions).unwrap();
    writeln!(out, "{:?}", d.enrollments).unwrap();
    writeln!(out, "{:?}", d.attendance).unwrap();
    writeln!(out, "{:?}", d.mentorships).unwrap();
    writeln!(out, "{:?}", d.finance).unwrap();
    out
}

fn small() -> GenConfig {
    GenConfig {
        teachers: 240,
        years: 2,
        seed: 11,
        start_year: 2021,
    }
}

#[test]
fn csv_to_json_and_back_gives_the_same_dataset() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let opts = LoadOptions::default();
    let from_csv = load(dir.path(), &opts).unwrap();
    let rows = read_rows(dir.path(), &opts).unwrap();
    let json = dir.path().join("data.json");
    write_json(&rows, &json).unwrap();
    let from_json = load(&json, &opts).unwrap();
    assert_eq!(canonical(&from_csv.dataset), canonical(&from_json.dataset));
    assert_eq!(from_csv.warnings, from_json.warnings);
    assert_eq!(read_rows(&json, &opts).unwrap(), rows);
}

#[test]
fn generated_rows_survive_csv_and_json_exactly() {
    let rows = generate(&small());
    let dir = tempfile::tempdir().unwrap();
    let opts = LoadOptions::default();
    write_dir(&rows, &dir.path().join("csv")).unwrap();
    assert_eq!(read_rows(&dir.path().join("csv"), &opts).unwrap(), rows);
    let json = dir.path().join("data.json");
    write_json(&rows, &json).unwrap();
    assert_eq!(read_rows(&json, &opts).unwrap(), rows);
    let a = load(&dir.path().join("csv"), &opts).unwrap();
    let b = load(&json, &opts).unwrap();
    assert_eq!(canonical(&a.dataset), canonical(&b.dataset));
    assert_eq!(a.warnings, b.warnings);
}

#[test]
fn csv_written_back_is_byte_identical() {
    let rows = generate(&small());
    let dir = tempfile::tempdir().unwrap();
    write_dir(&rows, &dir.path().join("a")).unwrap();
    let again = read_rows(&dir.path().join("a"), &LoadOptions::default()).unwrap();
    write_dir(&again, &dir.path().join("b")).unwrap();
    assert_same_files(&dir.path().join("a"), &dir.path().join("b"));
}

#[test]
fn extra_columns_become_attributes() {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    let loaded = load(dir.path(), &LoadOptions::default()).unwrap();
    let d = &loaded.dataset;
    assert_eq!(
        d.schools[0].attrs.get("xuequ_lead").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        d.people[0].attrs.get("subject").map(String::as_str),
        Some("语文")
    );
    // An empty cell is no attribute.
    assert_eq!(d.people[3].attrs.get("subject"), None);
    assert_eq!(d.people[2].birth_date, None);
    assert_eq!(d.activities[0].host, None);
}

#[test]
fn column_names_match_in_any_case_and_order() {
    let dir = tempfile::tempdir().unwrap();
    common::write_with(dir.path(), |name, text| {
        Some(if name == "districts.csv" {
            "Name,ID\n绿园区,d1\n".to_string()
        } else {
            text.to_string()
        })
    });
    let rows = read_rows(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(rows.districts[0].id, "d1");
    assert_eq!(rows.districts[0].name, "绿园区");
    assert!(rows.districts[0].attrs.is_empty());
}

fn assert_same_files(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9);
    for name in names {
        let left = std::fs::read(a.join(&name)).unwrap();
        let right = std::fs::read(b.join(&name)).unwrap();
        assert!(left == right, "{name:?} differs");
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    write_dir(&generate(&small()), &dir.path().join("a")).unwrap();
    write_dir(&generate(&small()), &dir.path().join("b")).unwrap();
    assert_same_files(&dir.path().join("a"), &dir.path().join("b"));
    write_json(&generate(&small()), &dir.path().join("a.json")).unwrap();
    write_json(&generate(&small()), &dir.path().join("b.json")).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("a.json")).unwrap(),
        std::fs::read(dir.path().join("b.json")).unwrap()
    );
}

#[test]
fn a_different_seed_gives_different_data() {
    let dir = tempfile::tempdir().unwrap();
    let other = GenConfig {
        seed: 12,
        ..small()
    };
    write_dir(&generate(&small()), &dir.path().join("a")).unwrap();
    write_dir(&generate(&other), &dir.path().join("b")).unwrap();
    for name in ["people.csv", "attendance.csv", "finance.csv"] {
        assert_ne!(
            std::fs::read(dir.path().join("a").join(name)).unwrap(),
            std::fs::read(dir.path().join("b").join(name)).unwrap(),
            "{name}"
        );
    }
}

/// Decisions R7: a blank cell (empty or spaces only) of a column the file
/// has reads as `""`; a cell is trimmed; a column the file lacks is
/// unknown, naming the table.
#[test]
fn a_blank_csv_cell_is_empty_text_and_a_missing_column_unknown() {
    let dir = tempfile::tempdir().unwrap();
    common::write_with(dir.path(), |name, text| {
        Some(common::with_topics(name, text))
    });
    let d = load(dir.path(), &LoadOptions::default()).unwrap().dataset;
    let topic = |i: usize| d.activities[i].attrs.get("topic").map(String::as_str);
    assert_eq!([topic(0), topic(1), topic(2)], [Some("安全"), None, None]);
    assert!(d.has_column(tenet::schema::Entity::Activity, "topic"));
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = "安全""#),
        ["a1 pass", "a2 fail", "a3 fail"]
    );
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = """#),
        ["a1 fail", "a2 pass", "a3 pass"]
    );
    let why = "the `activities` data has no `topics` column (did you mean `topic`?)";
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topics") = "安全""#),
        [
            format!("a1 unknown: {why}"),
            format!("a2 unknown: {why}"),
            format!("a3 unknown: {why}")
        ]
    );
    // The base data's `subject` is blank for m1 only.
    assert_eq!(
        common::attr_verdicts(&d, "person", r#"x.attr("subject") = """#),
        ["p1 fail", "p2 fail", "p3 fail", "m1 pass"]
    );
}

/// A column whose cells are all blank is still a column of the table.
#[test]
fn a_csv_column_blank_on_every_row_is_a_column() {
    let dir = tempfile::tempdir().unwrap();
    common::write_with(dir.path(), |name, text| {
        Some(match name {
            "districts.csv" => "id,name,topic\nd1,绿园区,\n".to_string(),
            _ => text.to_string(),
        })
    });
    let d = load(dir.path(), &LoadOptions::default()).unwrap().dataset;
    assert!(d.districts[0].attrs.is_empty());
    assert_eq!(
        common::attr_verdicts(&d, "district", r#"x.attr("topic") = """#),
        ["d1 pass"]
    );
    assert_eq!(
        common::attr_verdicts(&d, "school", r#"x.attr("topic") = """#),
        [
            "s1 unknown: the `schools` data has no `topic` column",
            "s2 unknown: the `schools` data has no `topic` column"
        ]
    );
}
