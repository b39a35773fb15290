//! Data as bureaus export it: Chinese headers and values (`姓名`, `是/否`,
//! `专任教师`, `线下`, `区级`) through the built-in names and a mapping
//! file, from a CSV directory and an XLSX workbook.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tenet::model::{Level, Mode, Role, Rows};
use tenet_io::{load, read_rows, LoadError, LoadOptions, Mapping};

fn export() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/zh-export")
}

/// A copy of the export with one file's text changed.
fn edited(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(export()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn check_rows(rows: &Rows) {
    let s2 = rows.schools.iter().find(|s| s.id == "lv-s2").unwrap();
    assert!(s2.rural && !s2.training_base);
    let s1 = rows.schools.iter().find(|s| s.id == "lv-s1").unwrap();
    assert!(!s1.rural && s1.training_base);
    let t1 = rows.people.iter().find(|p| p.id == "lv-t1").unwrap();
    assert_eq!(t1.name, "张丽");
    assert!(t1.roles.contains(Role::FullTimeTeacher) && t1.roles.contains(Role::Teacher));
    // `学科` is not a known header: kept as an attribute under its own name.
    assert_eq!(t1.attrs.get("学科").map(String::as_str), Some("语文"));
    let t2 = rows.people.iter().find(|p| p.id == "lv-t2").unwrap();
    assert!(t2.roles.contains(Role::HeadTeacher), "教师、班主任");
    let t3 = rows.people.iter().find(|p| p.id == "lv-t3").unwrap();
    assert!(t3.roles.contains(Role::Principal));
    assert!(t3.post_start_date.is_some());
    let a1 = rows.activities.iter().find(|a| a.id == "lv-a1").unwrap();
    assert_eq!((a1.level, a1.mode), (Level::District, Mode::Offline));
    let levels: Vec<Level> = rows.activities.iter().map(|a| a.level).collect();
    assert_eq!(
        levels,
        [
            Level::District,
            Level::Provincial,
            Level::District,
            Level::School
        ]
    );
    assert_eq!(rows.attendance.len(), 4);
    assert_eq!(rows.finance.len(), 2);
}

#[test]
fn a_chinese_export_loads_through_the_builtin_names() {
    let rows = read_rows(&export(), &LoadOptions::default()).unwrap();
    check_rows(&rows);
    let loaded = load(&export(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.people.len(), 4);
}

#[test]
fn a_value_that_maps_to_nothing_is_a_problem_with_its_place() {
    let dir = edited("activities.csv", |t| t.replace("校本,研讨", "镇级,研讨"));
    let Err(LoadError::Invalid(problems)) = load(dir.path(), &LoadOptions::default()) else {
        panic!("loaded");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!(
        (p.file.as_str(), p.line, p.column),
        ("activities.csv", 5, Some(5))
    );
    assert_eq!(p.value.as_deref(), Some("镇级"));
    assert_eq!(p.field.as_deref(), Some("level"));
    let text = p.to_string();
    assert!(
        text.contains("镇级") && text.contains("activities.csv"),
        "{text}"
    );
}

#[test]
fn a_mapping_file_adds_headers_and_values() {
    let dir = edited("activities.csv", |t| {
        t.replace("校本,研讨", "镇级,研讨")
            .replace("活动名称", "培训项目名称")
    });
    let mapping = Mapping::from_toml(
        "[columns.activities]\n\"培训项目名称\" = \"title\"\n[values.level]\n\"镇级\" = \"school\"\n",
    )
    .unwrap();
    let opts = LoadOptions {
        mapping: Arc::new(mapping),
        ..LoadOptions::default()
    };
    let rows = read_rows(dir.path(), &opts).unwrap();
    check_rows(&rows);
    // Without the file, the header is unknown: `title` is missing.
    let Err(LoadError::Invalid(problems)) = load(dir.path(), &LoadOptions::default()) else {
        panic!("loaded");
    };
    assert!(
        problems.iter().any(|p| p.field.as_deref() == Some("title")),
        "{problems:?}"
    );
}

#[test]
fn a_chinese_workbook_loads_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(export())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for file in names {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(file.file_stem().unwrap().to_string_lossy())
            .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        for (r, line) in text.lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    // Hours, amounts and years as numbers, as Excel keeps them.
                    Ok(n) if r > 0 && !cell.contains('-') => sheet.write_number(r, c, n),
                    _ => sheet.write_string(r, c, cell),
                }
                .unwrap();
            }
        }
    }
    workbook.save(&path).unwrap();
    let rows = read_rows(&path, &LoadOptions::default()).unwrap();
    check_rows(&rows);
}
