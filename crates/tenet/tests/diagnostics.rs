#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]
//! What a policy author sees when a policy is wrong: one snapshot per file.
//!
//! Adding a test is adding a file. Every `cases/diagnostics/*.policy` is a
//! case: it is loaded as the root policy, and everything the checker says
//! about it — the errors, or the warnings when it compiles — is rendered
//! with `CompileError::render` / `PolicySet::render_warnings` and compared with
//! `snapshots/diagnostics__diagnostics@<case>.policy.snap`. Line 1 of each
//! case is a comment saying what it tests. A case must show something: one
//! that compiles without a single diagnostic fails the test.
//!
//! Imports resolve as follows, relative names only:
//! - `common.policy` is the shared seed file `tests/seeds/common.policy`
//!   (calendar and the `credit` block), as in the real policy set;
//! - a case that needs more files keeps them in a sibling directory named
//!   after it: `cases/diagnostics/<case>/<file>.policy` is importable from
//!   `<case>.policy` as `import "<file>.policy"`. Those files are not cases
//!   themselves (the glob does not descend into directories), and they may
//!   import the case back by its file name, e.g. to make an import cycle;
//! - any other name does not exist, so the import fails.
//!
//! A snapshot whose case is gone fails `every_snapshot_has_a_case`.
//!
//! To accept new or changed snapshots: `INSTA_UPDATE=always cargo test -p
//! tenet --test diagnostics` (or `cargo insta review`), then read every
//! `.snap` file that changed as the policy author would.

use std::path::Path;
use tenet::diagnostic::Lang;
use tenet::PolicySet;

/// Loads `path` as a root policy and renders what the author would see.
fn render_case(path: &Path) -> String {
    render_case_in(path, Lang::En)
}

/// [`render_case`] in `lang`; in Chinese every message, label and help
/// must come from the catalog.
fn render_case_in(path: &Path, lang: Lang) -> String {
    let root_name = path.file_name().unwrap().to_str().unwrap().to_string();
    let root_text = std::fs::read_to_string(path).unwrap();
    let siblings = path.with_extension("");
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
    let read = |name: &str| -> Result<String, String> {
        if name == root_name {
            return Ok(root_text.clone());
        }
        let sibling = siblings.join(name);
        if siblings.is_dir() && sibling.is_file() {
            return std::fs::read_to_string(sibling).map_err(|e| e.to_string());
        }
        if name == "common.policy" {
            return std::fs::read_to_string(seeds.join(name)).map_err(|e| e.to_string());
        }
        Err("no such file".to_string())
    };
    let untranslated = |ds: &[tenet::diagnostic::Diagnostic]| -> Vec<String> {
        ds.iter()
            .flat_map(|d| [Some(&d.message), d.label.as_ref(), d.help.as_ref()])
            .flatten()
            .filter(|t| !tenet::diagnostic::has_translation(t))
            .cloned()
            .collect()
    };
    match PolicySet::load(&[root_name.as_str()], read) {
        Err(err) => {
            let missing = untranslated(&err.diagnostics);
            assert!(
                missing.is_empty(),
                "{root_name}: no Chinese for {missing:#?}"
            );
            err.render_in(lang)
        }
        Ok(set) => {
            let missing = untranslated(set.warnings());
            assert!(
                missing.is_empty(),
                "{root_name}: no Chinese for {missing:#?}"
            );
            let warnings = set.render_warnings_in(lang);
            assert!(
                !warnings.trim().is_empty(),
                "{root_name} compiles without any diagnostic; every case must show one"
            );
            warnings
        }
    }
}

#[test]
fn diagnostics() {
    insta::glob!("cases/diagnostics/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.starts_with("//"),
            "{}: line 1 must be a comment saying what the case tests",
            path.display()
        );
        insta::assert_snapshot!(render_case(path));
    });
}

/// The same cases as the author reading Chinese sees them (`--lang zh`).
#[test]
fn diagnostics_zh() {
    insta::glob!("cases/diagnostics/*.policy", |path| {
        insta::assert_snapshot!(render_case_in(path, Lang::Zh));
    });
}

/// A snapshot whose case file was renamed or removed is an error, not
/// silent dead weight.
#[test]
fn every_snapshot_has_a_case() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let orphans: Vec<String> = std::fs::read_dir(here.join("snapshots"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|name| {
            let case = name
                .strip_prefix("diagnostics__diagnostics@")
                .or_else(|| name.strip_prefix("diagnostics__diagnostics_zh@"))?
                .strip_suffix(".snap")?
                .to_string();
            (!here.join("cases/diagnostics").join(&case).is_file()).then_some(name)
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots without a case (delete them): {orphans:?}"
    );
}

/// Full-width brackets typed by a Chinese input method are accepted:
/// `credited_hours（t）` checks as `credited_hours(t)` (issue #17).
#[test]
fn fullwidth_brackets_are_accepted() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds/common.policy");
    let common = std::fs::read_to_string(seeds).unwrap();
    let policy = |call: &str| {
        format!(
            "import \"common.policy\"\npolicy p \"年度学时\" {{\n  effective 2021-01-01 .. 2021-12-31\n  rule annual_hours \"每年不少于90学时\" {{\n    for person t where t has teacher\n    each calendar_year\n    require {call} >= 90 h\n  }}\n}}\n"
        )
    };
    for call in ["credited_hours（t）", "credited_hours(t)"] {
        let text = policy(call);
        let set = PolicySet::from_sources(&[
            ("p.policy", text.as_str()),
            ("common.policy", common.as_str()),
        ]);
        assert!(set.is_ok(), "{call}: {}", set.err().unwrap().render());
    }
}
