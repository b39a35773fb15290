//! XLSX workbooks (written here with rust_xlsxwriter, typed cells as Excel
//! would store them) and JSON documents.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{render, write_base, FILES};
use insta::assert_snapshot;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;
use tenet_io::{load, read_rows, LoadOptions};

const NUMERIC: &[&str] = &["hours", "amount", "year"];

/// Writes the base dataset as a workbook, one sheet per file stem, with
/// dates as Excel dates, numbers as numbers and booleans as booleans.
/// `edit` may change a CSV text first.
fn write_workbook(path: &Path, edit: impl Fn(&str, &str) -> String) {
    write_workbook_at(path, (0, 0), edit);
}

/// [`write_workbook`] with every table's top-left cell at `origin`.
fn write_workbook_at(path: &Path, origin: (u32, u16), edit: impl Fn(&str, &str) -> String) {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (name, text) in FILES {
        let text = edit(name, text);
        let sheet = workbook.add_worksheet();
        sheet.set_name(name.trim_end_matches(".csv")).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut header: Vec<String> = Vec::new();
        for (r, record) in reader.records().enumerate() {
            let record = record.unwrap();
            for (c, cell) in record.iter().enumerate() {
                let (row, col) = (origin.0 + r as u32, origin.1 + c as u16);
                if r == 0 {
                    header.push(cell.to_string());
                    sheet.write_string(row, col, cell).unwrap();
                    continue;
                }
                let column = header[c].as_str();
                if cell.is_empty() {
                    continue;
                } else if let Ok(date) = ExcelDateTime::parse_from_str(cell) {
                    if cell.len() == 10 && cell.as_bytes()[4] == b'-' {
                        sheet
                            .write_datetime_with_format(row, col, &date, &date_format)
                            .unwrap();
                        continue;
                    }
                    sheet.write_string(row, col, cell).unwrap();
                } else if cell == "true" || cell == "false" {
                    sheet.write_boolean(row, col, cell == "true").unwrap();
                } else if NUMERIC.contains(&column) && cell.parse::<f64>().is_ok() {
                    sheet
                        .write_number(row, col, cell.parse::<f64>().unwrap())
                        .unwrap();
                } else {
                    sheet.write_string(row, col, cell).unwrap();
                }
            }
        }
    }
    workbook.save(path).unwrap();
}

fn reference() -> tenet::model::Rows {
    let dir = tempfile::tempdir().unwrap();
    write_base(dir.path());
    read_rows(dir.path(), &LoadOptions::default()).unwrap()
}

#[test]
fn a_workbook_loads_like_the_csv_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    write_workbook(&path, |_, t| t.to_string());
    let rows = read_rows(&path, &LoadOptions::default()).unwrap();
    assert_eq!(rows, reference());
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.people.len(), 4);
    assert_eq!(loaded.warnings.len(), 1);
}

#[test]
fn workbook_problems_name_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    write_workbook(&path, |name, t| match name {
        "people.csv" => t.replace("1980-05-01", "1980-5-1"),
        "activities.csv" => t.replace("collective_prep", "lecture"),
        "enrollments.csv" => format!("{t}p9,a1\n"),
        _ => t.to_string(),
    });
    assert_snapshot!(render(load(&path, &LoadOptions::default())));
}

#[test]
fn tables_placed_away_from_a1_keep_excel_row_and_column_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    write_workbook_at(&path, (2, 1), |name, t| match name {
        "people.csv" => t.replace("1980-05-01", "1980-5-1"),
        _ => t.to_string(),
    });
    // Data from B3: p1 is on row 4, birth_date in column F (6).
    assert_snapshot!(render(load(&path, &LoadOptions::default())));
}

#[test]
fn a_workbook_without_a_required_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("districts").unwrap();
    sheet.write_string(0, 0, "id").unwrap();
    sheet.write_string(0, 1, "name").unwrap();
    workbook.save(&path).unwrap();
    assert_snapshot!(render(load(&path, &LoadOptions::default())));
}

#[test]
fn a_file_that_is_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    std::fs::write(&path, "id,name\n").unwrap();
    let problems = render(load(&path, &LoadOptions::default()));
    assert!(
        problems.starts_with("data.xlsx: 1 problem\n  data.xlsx: cannot parse:"),
        "{problems}"
    );
}

#[test]
fn json_problems_name_the_array_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    let mut doc: serde_json::Value = serde_json::to_value(reference()).unwrap();
    doc["people"][0]["birth_date"] = "2023-02-30".into();
    doc["people"][1]["roles"] = serde_json::Value::Null;
    doc["activities"][2]["hours"] = serde_json::json!(-4);
    doc["enrollments"][0]["person"] = "p9".into();
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    assert_snapshot!(render(load(&path, &LoadOptions::default())));
}

#[test]
fn json_accepts_numbers_and_booleans_as_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    let mut doc: serde_json::Value = serde_json::to_value(reference()).unwrap();
    doc["activities"][0]["hours"] = serde_json::json!(2);
    doc["finance"][0]["amount"] = serde_json::json!(10770000);
    doc["sessions"][0]["hours"] = serde_json::json!(2.0);
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    assert_eq!(
        read_rows(&path, &LoadOptions::default()).unwrap(),
        reference()
    );
}

#[test]
fn malformed_json_is_one_clear_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    std::fs::write(&path, "{\"districts\": [ {\"id\": \"d1\", }]}").unwrap();
    assert_snapshot!(render(load(&path, &LoadOptions::default())));
}

#[test]
fn unsupported_paths_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.txt");
    std::fs::write(&path, "").unwrap();
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    assert!(err
        .to_string()
        .contains("expected a directory of CSV files"));
    let missing = load(&dir.path().join("nope"), &LoadOptions::default()).unwrap_err();
    assert!(matches!(missing, tenet_io::LoadError::Io { .. }));
}

/// The base workbook with one more part: `size` bytes of zeros, which
/// deflate shrinks a thousandfold (a zip bomb's trick).
fn with_padding(path: &Path, size: usize) {
    use std::io::Write;
    let original = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..archive.len() {
        writer
            .raw_copy_file(archive.by_index_raw(i).unwrap())
            .unwrap();
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    writer.start_file("xl/media/padding.bin", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..size / zeros.len() {
        writer.write_all(&zeros).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_workbook_expanding_past_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    write_workbook(&path, |_, t| t.to_string());
    with_padding(&path, (tenet_io::MAX_XLSX_EXPANDED as usize) + (16 << 20));
    assert!(std::fs::metadata(&path).unwrap().len() < 4 << 20);
    let got = render(load(&path, &LoadOptions::default()));
    assert!(
        got.contains("the workbook expands to more than 512 MiB (part `xl/media/padding.bin`)"),
        "{got}"
    );
    // Under the limit it loads.
    write_workbook(&path, |_, t| t.to_string());
    with_padding(&path, 8 << 20);
    assert!(load(&path, &LoadOptions::default()).is_ok());
}

#[test]
fn a_far_cell_costs_what_the_sheet_holds_not_the_rectangle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    write_workbook(&path, |_, t| t.to_string());
    // The same workbook with a value in XFD1048576 of every sheet: the
    // rectangle up to it is 17 billion cells.
    let mut workbook = Workbook::new();
    let rows = read_rows(&path, &LoadOptions::default()).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    tenet_io::write_dir(&rows, dir2.path()).unwrap();
    for (name, _) in FILES {
        let text = std::fs::read_to_string(dir2.path().join(name)).unwrap_or_default();
        let sheet = workbook.add_worksheet();
        sheet.set_name(name.trim_end_matches(".csv")).unwrap();
        for (r, line) in text.lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
    }
    workbook.save(&path).unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.people.len(), rows.people.len());
}

/// The base workbook with its first worksheet's XML passed through `edit`.
fn with_first_sheet(path: &Path, edit: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let original = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..archive.len() {
        if archive.by_index(i).unwrap().name().unwrap() != "xl/worksheets/sheet1.xml" {
            writer
                .raw_copy_file(archive.by_index_raw(i).unwrap())
                .unwrap();
            continue;
        }
        let mut xml = String::new();
        archive
            .by_index(i)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer
            .start_file("xl/worksheets/sheet1.xml", options)
            .unwrap();
        writer.write_all(edit(&xml).as_bytes()).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_cell_reference_past_excels_last_cell_is_refused_by_name() {
    // Found by fuzzing: calamine's arithmetic on such a reference
    // overflows (a panic in a debug build, a wrong cell in a release one).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    for (from, to) in [
        (r#"r="A2""#, r#"r="A99999999999""#),
        (r#"r="B1""#, r#"r="ZZZZZZZZ1""#),
    ] {
        write_workbook(&path, |_, t| t.to_string());
        with_first_sheet(&path, |xml| {
            assert!(xml.contains(from), "{xml}");
            xml.replacen(from, to, 1)
        });
        let got = render(load(&path, &LoadOptions::default()));
        let reference = &to[3..to.len() - 1];
        assert!(
            got.contains(&format!(
                "cell reference `{reference}` in `xl/worksheets/sheet1.xml` lies beyond Excel's last cell XFD1048576"
            )),
            "{got}"
        );
    }
}

/// Found by fuzzing after the check above: one part with a damaged local
/// header stopped the check, and calamine (reading the zip with another
/// version of the `zip` crate) went on to the far reference. Now the
/// damaged part is skipped and the worksheets are still checked.
#[test]
fn a_damaged_part_does_not_stop_the_reference_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.xlsx");
    std::fs::write(
        &path,
        include_bytes!("../../../fuzz/corpus/load_xlsx/damaged-header-past-last-cell.xlsx"),
    )
    .unwrap();
    let got = render(load(&path, &LoadOptions::default()));
    assert!(
        got.contains("cell reference `A99999999999` in `xl/worksheets/sheet1.xml`"),
        "{got}"
    );
}

/// Decisions R7 in a workbook: an empty cell (none written) and a cell of
/// spaces of a column the sheet has read as `""`.
#[test]
fn an_empty_workbook_cell_is_empty_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    write_workbook(&path, common::with_topics);
    let d = load(&path, &LoadOptions::default()).unwrap().dataset;
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = """#),
        ["a1 fail", "a2 pass", "a3 pass"]
    );
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = "安全""#),
        ["a1 pass", "a2 fail", "a3 fail"]
    );
}

/// Decisions R7 in JSON: a key of any record of an array is a column of
/// the table; `null` or no key in a record is a blank cell.
#[test]
fn a_json_null_or_absent_key_is_empty_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    let mut doc: serde_json::Value = serde_json::to_value(reference()).unwrap();
    doc["activities"][0]["topic"] = " 安全".into();
    doc["activities"][1]["topic"] = serde_json::Value::Null;
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let d = load(&path, &LoadOptions::default()).unwrap().dataset;
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = """#),
        ["a1 fail", "a2 pass", "a3 pass"]
    );
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = "安全""#),
        ["a1 pass", "a2 fail", "a3 fail"]
    );
    // `null` in every record still names the column.
    doc["activities"][0]["topic"] = serde_json::Value::Null;
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let d = load(&path, &LoadOptions::default()).unwrap().dataset;
    assert_eq!(
        common::attr_verdicts(&d, "activity", r#"x.attr("topic") = """#),
        ["a1 pass", "a2 pass", "a3 pass"]
    );
}
