//! Hover texts and completions at a caret (`‸` in the test text), on the
//! shipped 绿园 policy in both surfaces with its import; insta snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use tenet_lsp::context::Context;
use tenet_lsp::{complete, definition, hover};

const CARET: &str = "‸";

fn policies() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies"))
}

/// The shipped policy (`en` or `zh`) and the offset of the caret in the
/// `nth` occurrence of `marked` (text with `‸` where the caret is).
fn at(surface: &str, marked: &str, nth: usize) -> (Context, usize) {
    let dir = match surface {
        "zh" => policies().join("zh"),
        _ => policies().to_path_buf(),
    };
    let text = std::fs::read_to_string(dir.join("lvyuan.policy")).unwrap_or_default();
    let caret = marked
        .find(CARET)
        .unwrap_or_else(|| panic!("no caret in `{marked}`"));
    let needle = marked.replacen(CARET, "", 1);
    let found = text.match_indices(&needle).nth(nth).map(|(i, _)| i);
    let offset = caret + found.unwrap_or_else(|| panic!("`{needle}` not in the {surface} policy"));
    let name = dir.join("lvyuan.policy").to_string_lossy().into_owned();
    let ctx = Context::new(&name, &text, |n: &str| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    });
    (ctx, offset)
}

fn hover_at(surface: &str, before: &str, nth: usize) -> String {
    let (ctx, offset) = at(surface, before, nth);
    hover::hover(&ctx, offset).map_or_else(|| "(none)".to_string(), |h| h.markdown)
}

fn labels(surface: &str, before: &str, nth: usize) -> String {
    let (ctx, offset) = at(surface, before, nth);
    complete::complete(&ctx, offset)
        .iter()
        .map(|i| format!("{} — {}", i.label, i.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn hover_on_a_param_shows_its_values() {
    insta::assert_snapshot!(hover_at("zh", "不少于 annual_h‸ours\n", 0));
}

#[test]
fn hover_on_a_rule_shows_its_citation() {
    insta::assert_snapshot!(hover_at("zh", "规则 ‸annual_hours", 0));
}

#[test]
fn hover_on_a_field_and_an_enum_value() {
    insta::assert_snapshot!(hover_at("zh", "t.hi‸re_date", 0));
    insta::assert_snapshot!(hover_at("en", "activity.‸level in", 0));
    insta::assert_snapshot!(hover_at("zh", "[dis‸trict, school]", 0));
    insta::assert_snapshot!(hover_at("zh", "具有 ‸teacher", 0));
}

#[test]
fn hover_on_a_keyword_gives_the_other_surface() {
    assert_eq!(
        hover_at("zh", "‸不少于 annual", 0),
        "**keyword** `不少于` = `>=`"
    );
    assert_eq!(
        hover_at("en", "require cred‸ited_hours", 0),
        "**keyword** `credited_hours` = `认定学时`"
    );
    assert_eq!(
        hover_at("zh", "\n    每‸年\n", 0),
        "**keyword** `每年` = `each calendar_year`"
    );
}

#[test]
fn the_same_hover_in_both_surfaces() {
    assert_eq!(
        hover_at("zh", "t.hi‸re_date", 0),
        hover_at("en", "t.hi‸re_date", 0)
    );
    assert_eq!(
        hover_at("zh", "规则 ‸annual_hours", 0),
        hover_at("en", "rule ‸annual_hours", 0)
    );
}

#[test]
fn completions() {
    // After `t.`: the person's fields only.
    insta::assert_snapshot!("fields_after_t_dot", labels("zh", "t.‸hire_date", 0));
    // After `具有 `: the roles, with their Chinese names.
    insta::assert_snapshot!("roles_after_has", labels("zh", "具有 ‸teacher", 0));
    // After `activity.level 属于 [`: the levels.
    insta::assert_snapshot!(
        "levels_in_a_list",
        labels("zh", "属于 [‸district, school]", 0)
    );
}

#[test]
fn periods_and_params_are_offered_in_the_documents_surface() {
    let zh = labels("zh", "    ‸要求 认定学时(t) 不少于 annual_hours", 0);
    assert!(zh.contains("每学年 — each academic_year"), "{zh}");
    assert!(zh.contains("annual_hours — param = 90 学时"), "{zh}");
    assert!(zh.lines().any(|l| l.starts_with("对象 — for")), "{zh}");
    let en = labels("en", "    ‸require credited_hours(t) >= annual_hours", 0);
    assert!(en.contains("each academic_year — 每 学年"), "{en}");
    assert!(en.contains("annual_hours — param = 90 h"), "{en}");
}

#[test]
fn definitions_reach_into_the_import() {
    let (ctx, offset) = at("zh", "认定‸学时(t)", 0);
    let target = definition::definition(&ctx, offset).unwrap_or_else(|| panic!("no definition"));
    assert!(target.file.ends_with("zh/common.policy"), "{}", target.file);
    let common = std::fs::read_to_string(&target.file).unwrap_or_default();
    assert_eq!(
        &common[target.span.start as usize..target.span.end as usize],
        "attendance_credit"
    );
    // The import line itself goes to the file.
    let (ctx, offset) = at("zh", "\"com‸mon.policy\"", 0);
    let target = definition::definition(&ctx, offset).unwrap_or_else(|| panic!("no definition"));
    assert!(target.file.ends_with("zh/common.policy"));
    // `学期` goes to the calendar's first semester.
    let text = "引用 \"common.policy\"\n政策 p {\n  规则 r {\n    对象 人员 t\n    每学期\n    要求 t 具有 teacher\n  }\n}\n";
    let name = policies()
        .join("zh/p.policy")
        .to_string_lossy()
        .into_owned();
    let ctx = Context::new(&name, text, |n: &str| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    });
    let offset = text.find("学期").unwrap_or(0);
    let target = definition::definition(&ctx, offset).unwrap_or_else(|| panic!("no definition"));
    let common = std::fs::read_to_string(&target.file).unwrap_or_default();
    let line = common[..target.span.start as usize]
        .rsplit('\n')
        .next()
        .unwrap_or("");
    assert!(line.trim_start().starts_with("学期"), "{line}");
}

#[test]
fn diagnostics_are_the_checkers_with_cjk_ranges() {
    let text = "政策 p {\n  规则 r “每年” {\n    对象 人员 t\n    要求 t.hire_dat 不少于 2020-01-01\n  }\n}\n";
    let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
    let diags = ctx.diagnostics();
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(
        &text[d.span.start as usize..d.span.end as usize],
        "hire_dat"
    );
    let index = tenet_lsp::position::LineIndex::new(text, tenet_lsp::position::Encoding::Utf16);
    let p = index.position(d.span.start as usize);
    assert_eq!((p.line, p.character), (3, 9));
}
