//! `tenet fmt`: fixtures, round trips over every policy in the repository,
//! and a property test over generated expressions and rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tenet::diagnostic::{Sink, Span};
use tenet::syntax::ast::*;
use tenet::syntax::{format, format_lang, parse, Lang, Limits};

// ---------------------------------------------------------------- span erasure

fn z(s: &mut Span) {
    *s = Span::default();
}

fn z_ident(i: &mut Ident) {
    z(&mut i.span);
}

fn z_str(s: &mut Str) {
    z(&mut s.span);
}

fn z_dated(d: &mut Dated) {
    z(&mut d.span);
}

fn z_period(p: &mut Period) {
    z(&mut p.span);
}

fn z_cite(c: &mut Cite) {
    z_str(&mut c.clause);
    if let Some(q) = &mut c.quote {
        z_str(q);
    }
}

fn z_scope(s: &mut Scope) {
    z(&mut s.kind_span);
    z_ident(&mut s.var);
    if let Some(f) = &mut s.filter {
        z_expr(f);
    }
}

fn z_expr(e: &mut Expr) {
    z(&mut e.span);
    match &mut e.kind {
        ExprKind::Number(_)
        | ExprKind::Hours(_)
        | ExprKind::Money(_)
        | ExprKind::Percent(_)
        | ExprKind::Ratio(..)
        | ExprKind::Fraction(..)
        | ExprKind::Date(_)
        | ExprKind::Duration(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::Member => {}
        ExprKind::List(items) => items.iter_mut().for_each(z_expr),
        ExprKind::Field(b, n) => {
            z_expr(b);
            z_ident(n);
        }
        ExprKind::Method(b, n, args) => {
            z_expr(b);
            z_ident(n);
            args.iter_mut().for_each(z_expr);
        }
        ExprKind::Unary(_, x) => z_expr(x),
        ExprKind::Binary(_, l, r) | ExprKind::Of(l, r) => {
            z_expr(l);
            z_expr(r);
        }
        ExprKind::Has(x, role) => {
            if let Some(x) = x {
                z_expr(x);
            }
            z_ident(role);
        }
        ExprKind::In { value, list, .. } => {
            z_expr(value);
            list.iter_mut().for_each(z_expr);
        }
        ExprKind::Aggregate {
            value,
            relation,
            filter,
            ..
        } => {
            if let Some(v) = value {
                z_expr(v);
            }
            z(&mut relation.span);
            if let Some((_, a)) = &mut relation.link {
                z_expr(a);
            }
            if let Some(f) = filter {
                z_expr(f);
            }
        }
        ExprKind::Credited { person, filter } => {
            z_expr(person);
            if let Some(f) = filter {
                z_expr(f);
            }
        }
        ExprKind::Call {
            name_span, args, ..
        } => {
            z(name_span);
            args.iter_mut().for_each(z_expr);
        }
    }
}

/// The tree with every span zeroed.
fn strip_spans(mut file: File) -> File {
    file.imports.iter_mut().for_each(z_str);
    let p = &mut file.policy;
    z_ident(&mut p.id);
    if let Some(t) = &mut p.title {
        z_str(t);
    }
    z(&mut p.span);
    for item in &mut p.items {
        match item {
            Item::Source(s) => z_str(s),
            Item::Effective { start, end, span } => {
                z_dated(start);
                z_dated(end);
                z(span);
            }
            Item::Calendar(entries) => {
                for e in entries {
                    match e {
                        CalendarEntry::YearStart(md) => z(&mut md.span),
                        CalendarEntry::Semester { name, start, end } => {
                            z_ident(name);
                            z(&mut start.span);
                            z(&mut end.span);
                        }
                    }
                }
            }
            Item::Param(pd) => {
                z_ident(&mut pd.name);
                z(&mut pd.span);
                for (v, since) in &mut pd.values {
                    z_expr(v);
                    if let Some(d) = since {
                        z_dated(d);
                    }
                }
            }
            Item::Credit(c) => {
                z_ident(&mut c.name);
                if let Some(t) = &mut c.title {
                    z_str(t);
                }
                c.cites.iter_mut().for_each(z_cite);
                z_scope(&mut c.scope);
                for (cond, reason) in &mut c.denials {
                    z_expr(cond);
                    if let Some(r) = reason {
                        z_str(r);
                    }
                }
                z_expr(&mut c.otherwise);
                z(&mut c.span);
            }
            Item::Rule(r) => {
                z_ident(&mut r.id);
                if let Some(t) = &mut r.title {
                    z_str(t);
                }
                if let Some((_, s)) = &mut r.severity {
                    z(s);
                }
                r.cites.iter_mut().for_each(z_cite);
                r.messages.iter_mut().for_each(z_str);
                z_scope(&mut r.scope);
                if let Some(w) = &mut r.window {
                    match w {
                        WindowAst::Each { period, bind, span } => {
                            z_period(period);
                            if let Some(b) = bind {
                                z_ident(b);
                            }
                            z(span);
                        }
                        WindowAst::Cycle {
                            start,
                            end,
                            bind,
                            span,
                        } => {
                            z_dated(start);
                            z_dated(end);
                            if let Some(b) = bind {
                                z_ident(b);
                            }
                            z(span);
                        }
                        WindowAst::Within {
                            after, bind, span, ..
                        } => {
                            z_expr(after);
                            if let Some(b) = bind {
                                z_ident(b);
                            }
                            z(span);
                        }
                        WindowAst::During { of, bind, span } => {
                            z_expr(of);
                            if let Some(b) = bind {
                                z_ident(b);
                            }
                            z(span);
                        }
                    }
                }
                match &mut r.require {
                    Require::Check(e) => z_expr(e),
                    Require::Cadence(c) => {
                        z_ident(&mut c.kind);
                        z_expr(&mut c.by);
                        z_period(&mut c.every);
                        if let Some(f) = &mut c.filter {
                            z_expr(f);
                        }
                        z(&mut c.span);
                    }
                }
                z(&mut r.span);
            }
        }
    }
    file
}

fn parse_ok(src: &str) -> Option<File> {
    let mut sink = Sink::new("t.policy", src);
    parse(src, &mut sink, Limits::default())
}

/// The `//` comments of a source (outside strings), trailing blanks trimmed.
fn comments(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut in_string = false;
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek().map(|(_, c)| *c) == Some('/') => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                out.push(src[i..end].trim_end_matches([' ', '\t', '\r']).to_string());
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

/// Formats `src` and checks the round-trip properties; returns the output.
fn check_round_trip(src: &str) -> Result<String, String> {
    let before = parse_ok(src).ok_or("the input does not parse")?;
    let once = format(src).map_err(|e| format!("format failed: {e}"))?;
    let after = parse_ok(&once).ok_or_else(|| format!("the output does not parse:\n{once}"))?;
    if strip_spans(before) != strip_spans(after) {
        return Err(format!(
            "the output parses to another tree:\n{src}\n---\n{once}"
        ));
    }
    let twice = format(&once).map_err(|e| format!("second format failed: {e}"))?;
    if twice != once {
        return Err(format!(
            "not idempotent:\n--- input\n{src}\n--- once\n{once}\n--- twice\n{twice}"
        ));
    }
    let mut rest = once.as_str();
    for c in comments(src) {
        match rest.find(&c) {
            Some(at) => rest = &rest[at + c.len()..],
            None => {
                if !once.contains(&c) {
                    return Err(format!("comment `{c}` lost:\n{src}\n---\n{once}"));
                }
            }
        }
    }
    if comments(&once).len() != comments(src).len() {
        return Err(format!("comment count changed:\n{src}\n---\n{once}"));
    }
    Ok(once)
}

/// en → zh → en is the identity on formatted text, the Chinese text
/// parses to the same tree and keeps every comment.
fn check_translation(src: &str) -> Result<String, String> {
    let en = format_lang("g.policy", src, Some(Lang::En)).map_err(|e| e.to_string())?;
    let zh = format_lang("g.policy", &en, Some(Lang::Zh)).map_err(|e| e.to_string())?;
    let tree_en = parse_ok(&en).ok_or("the English text does not parse")?;
    let tree_zh = parse_ok(&zh).ok_or_else(|| format!("the Chinese text does not parse:\n{zh}"))?;
    if strip_spans(tree_en) != strip_spans(tree_zh) {
        return Err(format!(
            "the Chinese text parses to another tree:\n{en}\n---\n{zh}"
        ));
    }
    if comments(&zh) != comments(&en) {
        return Err(format!("comments changed:\n{en}\n---\n{zh}"));
    }
    if format_lang("g.policy", &zh, None).map_err(|e| e.to_string())? != zh {
        return Err(format!("the Chinese text is not a fixed point:\n{zh}"));
    }
    let back = format_lang("g.policy", &zh, Some(Lang::En)).map_err(|e| e.to_string())?;
    if back != en {
        return Err(format!(
            "en → zh → en changed the text:\n{en}\n---\n{zh}\n---\n{back}"
        ));
    }
    Ok(zh)
}

#[test]
fn every_policy_translates_and_back() {
    let mut files = policies_in(&root().join("crates/tenet/tests/seeds"));
    files.extend(policies_in(&root().join("policies")));
    files.extend(policies_in(&fixture_dir()));
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = check_translation(&src) {
            panic!("{}: {e}", path.display());
        }
    }
}

// ---------------------------------------------------------------- files

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn policies_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    out.sort();
    out
}

fn fixture_dir() -> PathBuf {
    root().join("crates/tenet/tests/cases/format")
}

#[test]
fn fixtures_format_to_their_expected_output() {
    let mut seen = 0;
    for path in policies_in(&fixture_dir()) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(stem) = name.strip_suffix(".in.policy") else {
            continue;
        };
        let input = std::fs::read_to_string(&path).unwrap();
        let expected_path = fixture_dir().join(format!("{stem}.out.policy"));
        let got = format(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        if std::env::var_os("TENET_BLESS").is_some() {
            std::fs::write(&expected_path, &got).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        assert_eq!(got, expected, "{name}");
        seen += 1;
    }
    assert!(
        seen >= 3,
        "expected fixtures in {}",
        fixture_dir().display()
    );
}

#[test]
fn every_policy_round_trips() {
    let mut files = policies_in(&root().join("crates/tenet/tests/seeds"));
    files.extend(policies_in(&root().join("policies")));
    files.extend(policies_in(&fixture_dir()));
    assert!(files.len() >= 10);
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = check_round_trip(&src) {
            panic!("{}: {e}", path.display());
        }
    }
}

/// Comments dropped at many places in real files: every `stride`-th
/// space becomes a trailing or whole-line comment.
#[test]
fn comments_anywhere_in_real_policies_round_trip() {
    let mut files = policies_in(&root().join("crates/tenet/tests/seeds"));
    files.extend(policies_in(&fixture_dir()));
    let mut checked = 0;
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        for stride in [2usize, 5, 11] {
            for offset in 0..stride {
                let mut out = String::new();
                let mut n = 0usize;
                let mut in_string = false;
                let mut escaped = false;
                for c in src.chars() {
                    if in_string {
                        in_string = escaped || c != '"';
                        escaped = !escaped && c == '\\';
                    } else if c == '"' {
                        in_string = true;
                    } else if c == ' ' {
                        n += 1;
                        if n % stride == offset {
                            if (n / stride) & 1 == 0 {
                                out.push_str(&format!(" // c{n}.\n"));
                            } else {
                                out.push_str(&format!("\n// c{n}.\n"));
                            }
                            continue;
                        }
                    }
                    out.push(c);
                }
                // Spaces inside literals (`90 h`) and strings are skipped.
                if parse_ok(&out).is_none() {
                    continue;
                }
                if let Err(e) = check_round_trip(&out) {
                    panic!("{} (stride {stride}, offset {offset}): {e}", path.display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} variants parsed");
}

#[test]
fn language_guide_examples_round_trip() {
    let guide = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let mut checked = 0;
    let mut rest = guide.as_str();
    while let Some(at) = rest.find("```policy\n") {
        rest = &rest[at + "```policy\n".len()..];
        let end = rest.find("```").unwrap();
        let block = &rest[..end];
        rest = &rest[end + 3..];
        // Fragments (a lone rule, `<placeholders>`) are not whole files.
        if parse_ok(block).is_none() {
            continue;
        }
        if let Err(e) = check_round_trip(block) {
            panic!("docs/language.md example: {e}");
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples parsed");
}

#[test]
fn canonical_files_are_fixed_points() {
    for path in policies_in(&fixture_dir()) {
        if path.to_str().unwrap().ends_with(".out.policy") {
            let src = std::fs::read_to_string(&path).unwrap();
            assert_eq!(format(&src).unwrap(), src, "{}", path.display());
        }
    }
}

#[test]
fn syntax_errors_are_reported() {
    let err = format("policy p {\n  rule r { for person t }\n}\n").unwrap_err();
    assert!(!err.diagnostics.is_empty());
    assert!(err.to_string().contains("expected"), "{err}");
}

// ---------------------------------------------------------------- generated

/// Where a separator goes; replaced by random whitespace or a comment.
const SEP: char = '\u{1}';

// Binding strengths, loosest first.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const OF: u8 = 7;
const UNARY: u8 = 8;
const POSTFIX: u8 = 9;
const ATOM: u8 = 10;

/// Expression text and how tightly it binds.
type Gen = (String, u8);

fn wrap(g: &Gen, min: u8) -> String {
    // `1/4.x` reads as `1 / 4.x`: a fraction before `.` needs parentheses.
    if g.1 < min || (min >= POSTFIX && g.0 == "1/4") {
        format!("({})", g.0)
    } else {
        g.0.clone()
    }
}

fn leaf() -> impl Strategy<Value = Gen> {
    let atoms = prop_oneof![
        Just("a"),
        Just("x"),
        Just("t"),
        Just("名字"),
        Just("_y2"),
        Just("1"),
        Just("2.5"),
        Just("1,000"),
        Just("007"),
        Just("90 h"),
        Just("90h"),
        Just("3.5 学时"),
        Just("¥1,077万"),
        Just("￥3万"),
        Just("5 CNY"),
        Just("10元"),
        Just("5%"),
        Just("2.5%"),
        Just("1:100"),
        Just("1/4"),
        Just("2020-01-01"),
        Just("1 year"),
        Just("2 weeks"),
        Just("3  days"),
        Just("6 months"),
        Just("true"),
        Just("false"),
        Just("it"),
        Just("has teacher"),
        Just("\"文本\""),
        Just("\"a\\\"b\\\\c\\td\\n\""),
        Just("\"　全角\""),
    ];
    atoms.prop_map(|s| (s.to_string(), ATOM))
}

fn expr() -> impl Strategy<Value = Gen> {
    leaf().prop_recursive(4, 48, 4, |inner| {
        let two = (inner.clone(), inner.clone());
        prop_oneof![
            (two.clone(), 0..12usize).prop_map(|((l, r), op)| {
                let (sym, level, lmin, rmin) = [
                    ("or", OR, OR, AND),
                    ("and", AND, AND, NOT),
                    ("=", CMP, ADD, ADD),
                    ("!=", CMP, ADD, ADD),
                    ("<", CMP, ADD, ADD),
                    ("<=", CMP, ADD, ADD),
                    (">", CMP, ADD, ADD),
                    (">=", CMP, ADD, ADD),
                    ("+", ADD, ADD, MUL),
                    ("-", ADD, ADD, MUL),
                    ("*", MUL, MUL, OF),
                    ("/", MUL, MUL, OF),
                ][op];
                (
                    format!("{}{SEP}{sym}{SEP}{}", wrap(&l, lmin), wrap(&r, rmin)),
                    level,
                )
            }),
            two.clone().prop_map(|(l, r)| (
                format!("{}{SEP}of{SEP}{}", wrap(&l, UNARY), wrap(&r, OF)),
                OF
            )),
            inner
                .clone()
                .prop_map(|x| (format!("not{SEP}{}", wrap(&x, NOT)), NOT)),
            inner
                .clone()
                .prop_map(|x| (format!("-{}", wrap(&x, UNARY)), UNARY)),
            inner.clone().prop_map(|x| (format!("({})", x.0), ATOM)),
            inner
                .clone()
                .prop_map(|x| (format!("{}{SEP}has role", wrap(&x, ADD)), CMP)),
            (
                inner.clone(),
                prop::collection::vec(inner.clone(), 0..3),
                any::<bool>()
            )
                .prop_map(|(x, items, neg)| {
                    let items: Vec<String> = items.into_iter().map(|i| i.0).collect();
                    let not = if neg { "not " } else { "" };
                    (
                        format!("{}{SEP}{not}in [{}]", wrap(&x, ADD), items.join(", ")),
                        CMP,
                    )
                }),
            inner
                .clone()
                .prop_map(|x| (format!("{}.level", wrap(&x, POSTFIX)), POSTFIX)),
            two.clone().prop_map(|(x, a)| (
                format!("{}.attr({}, \"k\")", wrap(&x, POSTFIX), a.0),
                POSTFIX
            )),
            (
                0..6usize,
                proptest::option::of(inner.clone()),
                0..7usize,
                proptest::option::of((0..3usize, inner.clone())),
                proptest::option::of(inner.clone())
            )
                .prop_map(|(f, value, rel, link, filter)| {
                    let f = ["count", "sum", "min", "max", "avg", "share"][f];
                    let rel = [
                        "people",
                        "schools",
                        "districts",
                        "activities",
                        "enrollments",
                        "sessions",
                        "mentorships",
                    ][rel];
                    let mut s = format!("{f}(");
                    if let Some(v) = value {
                        s.push_str(&v.0);
                        s.push_str(&format!("{SEP}in "));
                    }
                    s.push_str(rel);
                    if let Some((how, anchor)) = link {
                        let how = [" of ", " by ", " hosted  by "][how];
                        s.push_str(how);
                        s.push_str(&wrap(&anchor, UNARY));
                    }
                    if let Some(w) = filter {
                        s.push_str(&format!("{SEP}where{SEP}{}", w.0));
                    }
                    s.push(')');
                    (s, ATOM)
                }),
            (inner.clone(), proptest::option::of(inner.clone())).prop_map(|(p, w)| {
                let w = w.map(|w| format!(" where {}", w.0)).unwrap_or_default();
                (format!("credited_hours( {}{w} )", p.0), ATOM)
            }),
            (0..4usize, prop::collection::vec(inner.clone(), 1..3)).prop_map(|(f, args)| {
                let f = ["age", "tenure", "finance", "year_of"][f];
                let args: Vec<String> = args.into_iter().map(|a| a.0).collect();
                (format!("{f}({})", args.join(" , ")), ATOM)
            }),
            prop::collection::vec(inner, 0..3).prop_map(|items| {
                let items: Vec<String> = items.into_iter().map(|i| i.0).collect();
                (format!("[{}]", items.join(", ")), ATOM)
            }),
        ]
    })
}

fn window() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(format!("each{SEP}calendar_year")),
        Just("each 2 weeks as w".to_string()),
        Just("each 2weeks".to_string()),
        Just("cycle 2021-01-01..2025-12-31 as c".to_string()),
        expr().prop_map(|e| format!("within  1 year{SEP}after {}", e.0)),
        expr().prop_map(|e| format!("during {}{SEP}as w", e.0)),
    ]
}

/// A policy around generated expressions, still with separators.
fn policy_text() -> impl Strategy<Value = String> {
    let rule = (expr(), window(), expr(), 0..4usize, any::<bool>()).prop_map(
        |(filter, window, req, msg_at, cadence)| {
            let require = if cadence {
                format!(
                    "require at least 2 seminar hosted by {} every 2 weeks where {}",
                    wrap(&filter, UNARY),
                    req.0
                )
            } else {
                format!("require{SEP}{}", req.0)
            };
            let mut parts = vec![
                format!("for person t{SEP}where {}", filter.0),
                window,
                require,
            ];
            parts.insert(msg_at.min(parts.len()), "message \"消息\"".to_string());
            format!(
                "rule r{SEP}\"规则\" advisory {{{SEP}cite \"三(二)\"{SEP}{}{SEP}}}",
                parts.join(&SEP.to_string())
            )
        },
    );
    let param = (expr(), expr())
        .prop_map(|(a, b)| format!("param p ={SEP}{},{SEP}{} since 2022-01-01", a.0, b.0));
    let credit = (expr(), expr()).prop_map(|(a, b)| {
        format!(
            "credit c {{ for enrollment e{SEP}no credit when {} \"原因\"{SEP}otherwise {}{SEP}}}",
            a.0, b.0
        )
    });
    (
        prop::collection::vec(prop_oneof![rule, param, credit], 1..4),
        any::<bool>(),
    )
        .prop_map(|(items, calendar)| {
            let cal = if calendar {
                format!("calendar {{ academic_year starts 09-01;{SEP}semester s 09-01 .. 01-31 }}{SEP}")
            } else {
                String::new()
            };
            format!(
                "import \"common.policy\"{SEP}policy g \"生成\" {{{SEP}source \"s.txt\"{SEP}{cal}{}{SEP}}}{SEP}",
                items.join(&SEP.to_string())
            )
        })
}

/// Replaces each separator by one of several spacings, some with comments.
fn fill(text: &str, picks: &[u8]) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    for c in text.chars() {
        if c != SEP {
            out.push(c);
            continue;
        }
        let pick = picks.get(n % picks.len().max(1)).copied().unwrap_or(0);
        match pick % 8 {
            0 | 1 => out.push(' '),
            2 => out.push_str("  "),
            3 => out.push('\n'),
            4 => out.push_str("\n\n  "),
            5 => out.push_str(&format!(" // c{n}.\n")),
            6 => out.push_str(&format!("\n\n    // c{n}.\n  ")),
            _ => out.push_str("\t\u{3000}"),
        }
        n += 1;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_policies_round_trip(
        text in policy_text(),
        picks in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let src = fill(&text, &picks);
        prop_assume!(parse_ok(&src).is_some());
        if let Err(e) = check_round_trip(&src) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn generated_policies_translate(
        text in policy_text(),
        picks in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let src = fill(&text, &picks);
        prop_assume!(parse_ok(&src).is_some());
        if let Err(e) = check_translation(&src) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn generated_expressions_parse(text in policy_text()) {
        // The generator itself must produce policies that parse, so the
        // round-trip property above is not vacuous.
        let src = fill(&text, &[0]);
        let mut sink = Sink::new("g.policy", &src);
        let ok = parse(&src, &mut sink, Limits::default()).is_some();
        let msgs: Vec<String> = sink.diagnostics.iter().map(|d| d.to_string()).collect();
        prop_assert!(ok || msgs.iter().any(|m| m.contains("limit") || m.contains("deep")),
            "{}\n{:?}", src, msgs);
    }
}
