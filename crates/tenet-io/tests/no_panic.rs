//! Loading never panics, whatever the files hold (DESIGN §7: no panics on
//! any input). Arbitrary bytes and arbitrary text are written into one file
//! of an otherwise valid dataset, or a JSON or XLSX path.
// Tests may unwrap, index and panic (STYLE: no-panic lints apply to library code).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use proptest::prelude::*;
use tenet_io::gen::{generate, GenConfig};
use tenet_io::{load, Encoding, LoadOptions};

const NAMES: &[&str] = &[
    "districts.csv",
    "schools.csv",
    "people.csv",
    "activities.csv",
    "sessions.csv",
    "enrollments.csv",
    "attendance.csv",
    "mentorships.csv",
    "finance.csv",
];

fn load_with(file: usize, bytes: &[u8], encoding: Encoding) {
    let dir = tempfile::tempdir().unwrap();
    common::write_base(dir.path());
    std::fs::write(dir.path().join(NAMES[file % NAMES.len()]), bytes).unwrap();
    let _ = load(
        dir.path(),
        &LoadOptions {
            encoding,
            ..LoadOptions::default()
        },
    );
    for ext in ["data.json", "data.xlsx"] {
        let path = dir.path().join(ext);
        std::fs::write(&path, bytes).unwrap();
        let _ = load(
            &path,
            &LoadOptions {
                encoding,
                ..LoadOptions::default()
            },
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(file in 0usize..9, bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        load_with(file, &bytes, Encoding::Auto);
        load_with(file, &bytes, Encoding::Gbk);
    }

    #[test]
    fn arbitrary_csv_like_text_never_panics(
        file in 0usize..9,
        text in "([a-z0-9_;,.\\-\"\r\n\u{FF10}-\u{FF19}\u{3000}]|true|false|2023-02-30|p1|a1|e1|s1|d1){0,80}",
    ) {
        let header = common::FILES[file % 9].1.lines().next().unwrap();
        load_with(file, format!("{header}\n{text}").as_bytes(), Encoding::Auto);
    }

    #[test]
    fn generator_configs_never_panic(teachers in 0usize..120, years in 0u32..3, seed in any::<u64>()) {
        let rows = generate(&GenConfig { teachers, years, seed, start_year: 2021 });
        prop_assert!(tenet::model::Dataset::from_rows(rows).is_ok());
    }
}
