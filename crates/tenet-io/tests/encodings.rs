//! Encodings and text quirks of real exports: GBK, byte-order marks, CRLF,
//! full-width digits.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{render, write_base, write_with, FILES};
use insta::assert_snapshot;
use tenet_io::{load, read_rows, Encoding, LoadOptions};

fn opts(encoding: Encoding) -> LoadOptions {
    LoadOptions {
        encoding,
        ..LoadOptions::default()
    }
}

/// The base dataset loaded as UTF-8, to compare others against.
fn reference() -> tenet::model::Rows {
    let dir = tempfile::tempdir().unwrap();
    write_base(dir.path());
    read_rows(dir.path(), &LoadOptions::default()).unwrap()
}

fn write_bytes(dir: &std::path::Path, encode: impl Fn(&str) -> Vec<u8>) {
    for (name, text) in FILES {
        std::fs::write(dir.join(name), encode(text)).unwrap();
    }
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn gbk_files_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    write_bytes(dir.path(), gbk);
    let rows = read_rows(dir.path(), &opts(Encoding::Auto)).unwrap();
    assert_eq!(rows, reference());
    assert_eq!(rows.districts[0].name, "绿园区");
}

#[test]
fn gbk_can_be_chosen_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    write_bytes(dir.path(), gbk);
    assert_eq!(
        read_rows(dir.path(), &opts(Encoding::Gbk)).unwrap(),
        reference()
    );
    assert_eq!("GBK".parse::<Encoding>(), Ok(Encoding::Gbk));
    assert_eq!("utf-8".parse::<Encoding>(), Ok(Encoding::Utf8));
    assert!("latin1".parse::<Encoding>().is_err());
}

#[test]
fn gbk_read_as_utf8_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_bytes(dir.path(), gbk);
    assert_snapshot!(render(load(dir.path(), &opts(Encoding::Utf8))));
}

#[test]
fn byte_order_marks_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write_bytes(dir.path(), |t| {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(t.as_bytes());
        bytes
    });
    assert_eq!(
        read_rows(dir.path(), &opts(Encoding::Auto)).unwrap(),
        reference()
    );
    // A BOM wins over a GBK choice: the file is certainly UTF-8.
    assert_eq!(
        read_rows(dir.path(), &opts(Encoding::Gbk)).unwrap(),
        reference()
    );
}

#[test]
fn crlf_line_ends_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write_bytes(dir.path(), |t| t.replace('\n', "\r\n").into_bytes());
    assert_eq!(
        read_rows(dir.path(), &opts(Encoding::Auto)).unwrap(),
        reference()
    );
}

#[test]
fn crlf_lines_are_numbered_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        let text = text.replace('\n', "\r\n");
        Some(if name == "people.csv" {
            text.replace("1975-03-12", "1975-02-30")
        } else {
            text
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

#[test]
fn full_width_digits_and_spaces_are_normalised() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(match name {
            "people.csv" => text.replace("1980-05-01", "１９８０－０５－０１"),
            "sessions.csv" => text.replace("e2,a2,2023-04-10,3", "e2,a2,2023-04-10,\u{3000}３ "),
            "finance.csv" => text
                .replace("10770000.00", "１０７７００００．００")
                .replace("s1,2023,public", "s1,２０２３,public"),
            "schools.csv" => text.replace("d1,false,true,true", "d1,ｆａｌｓｅ,true,true"),
            _ => text.to_string(),
        })
    });
    assert_eq!(
        read_rows(dir.path(), &LoadOptions::default()).unwrap(),
        reference()
    );
}

#[test]
fn full_width_text_in_ids_and_names_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(if name == "districts.csv" {
            text.replace("d1,绿园区", "d1,绿园区（１）")
        } else {
            text.to_string()
        })
    });
    let rows = read_rows(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(rows.districts[0].name, "绿园区（１）");
}

#[test]
fn a_full_width_value_that_is_still_wrong_shows_as_written() {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(if name == "people.csv" {
            text.replace("1980-05-01", "１９８０年５月１日")
        } else {
            text.to_string()
        })
    });
    assert_snapshot!(render(load(dir.path(), &LoadOptions::default())));
}

fn utf16(text: &str, little: bool, mark: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if mark {
        out.extend(if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
    }
    for unit in text.encode_utf16() {
        out.extend(if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// Excel's "Unicode text" is UTF-16 with a byte-order mark: read it in any
/// mode. Without the mark it is named, not called "not UTF-8 or GBK".
#[test]
fn utf16_with_a_mark_is_read_and_without_one_is_named() {
    for little in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        write_bytes(dir.path(), |t| utf16(t, little, true));
        for encoding in [Encoding::Auto, Encoding::Utf8, Encoding::Gbk] {
            assert_eq!(read_rows(dir.path(), &opts(encoding)).unwrap(), reference());
        }
        let dir = tempfile::tempdir().unwrap();
        write_bytes(dir.path(), |t| utf16(t, little, false));
        let got = render(load(dir.path(), &opts(Encoding::Auto)));
        assert!(
            got.contains("people.csv: the file looks like UTF-16 without a byte-order mark"),
            "{got}"
        );
        assert!(!got.contains("GB18030"), "{got}");
    }
}
