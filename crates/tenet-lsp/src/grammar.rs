//! The TextMate grammar of `editors/vscode/`, generated from the keyword
//! table ([`tenet::syntax::keywords`], read from `policy.pest`) so that a
//! keyword added to the grammar file is highlighted in both surfaces
//! without a second edit. `tests/grammar.rs` fails when the committed
//! file is stale (`TENET_BLESS=1` rewrites it).

use serde_json::{json, Value};
use tenet::syntax::keywords::{self, Keyword};

/// The TextMate scope of a keyword rule, by its name.
fn scope(name: &str) -> &'static str {
    match name {
        "person" | "school" | "district" | "activity" | "enrollment" | "mentorship" => {
            "storage.type.entity.tenet"
        }
        "people" | "schools" | "districts" | "activities" | "enrollments" | "sessions"
        | "mentorships" => "support.type.relation.tenet",
        "count" | "sum" | "min" | "max" | "avg" | "share" | "credited_hours" | "age" | "tenure"
        | "finance" | "year_of" => "support.function.tenet",
        "true" | "false" => "constant.language.boolean.tenet",
        "it" => "variable.language.tenet",
        "calendar_year" | "academic_year" | "semester" | "month" | "months" | "week" | "weeks"
        | "day" | "days" | "year" | "years" | "h" | "cny" => "keyword.other.unit.tenet",
        "and" | "or" | "not" | "has" | "in" | "not_in" | "of" | "ge" | "le" | "ne" | "eq"
        | "gt" | "lt" | "to" => "keyword.operator.tenet",
        _ => "keyword.control.tenet",
    }
}

/// One pattern matching every spelling in `words`: whole words, longest
/// first, so `不少于` wins over a shorter keyword it starts with.
fn alternation(words: &mut Vec<&str>, boundaries: bool) -> String {
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    let body: Vec<String> = words.iter().map(|w| escape(w)).collect();
    if boundaries {
        format!("(?<![\\w])(?:{})(?![\\w])", body.join("|"))
    } else {
        format!("(?:{})", body.join("|"))
    }
}

/// `word` as a literal in an Oniguruma pattern.
///
/// ```
/// assert_eq!(tenet_lsp::grammar::escape(".."), "\\.\\.");
/// assert_eq!(tenet_lsp::grammar::escape(">="), ">=");
/// ```
pub fn escape(word: &str) -> String {
    word.chars()
        .map(|c| {
            if ".^$|?*+()[]{}\\/".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The grammar as pretty JSON (scope `source.tenet`), keyword patterns
/// grouped by scope, each group listing the English and Chinese spellings.
///
/// ```
/// let g: serde_json::Value = serde_json::from_str(&tenet_lsp::grammar::textmate()).unwrap();
/// assert_eq!(g["scopeName"], "source.tenet");
/// assert!(g.to_string().contains("不少于"));
/// ```
pub fn textmate() -> String {
    let mut groups: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> = Vec::new();
    for k in keywords::keywords() {
        let scope = scope(k.name);
        let (words, symbols) = spellings(k);
        match groups.iter_mut().find(|g| g.0 == scope) {
            Some(g) => {
                g.1.extend(words);
                g.2.extend(symbols);
            }
            None => groups.push((scope, words, symbols)),
        }
    }
    groups.sort_by_key(|g| g.0);
    let mut keyword_patterns = Vec::new();
    for (scope, mut words, mut symbols) in groups {
        if !words.is_empty() {
            keyword_patterns.push(json!({"name": scope, "match": alternation(&mut words, true)}));
        }
        if !symbols.is_empty() {
            keyword_patterns
                .push(json!({"name": scope, "match": alternation(&mut symbols, false)}));
        }
    }
    // `每年`, `每学期`: the Chinese `each` runs into its period.
    let each = keywords::keyword("each").map_or(Vec::new(), |k| k.zh.clone());
    let mut units: Vec<&str> = keywords::keywords()
        .iter()
        .filter(|k| scope(k.name) == "keyword.other.unit.tenet" && !matches!(k.name, "h" | "cny"))
        .flat_map(|k| k.zh.iter().copied())
        .collect();
    let mut each = each;
    let period = json!({
        "match": format!("{}({})(?![\\w])", alternation(&mut each, false), alternation(&mut units, false)),
        "captures": {"0": {"name": "keyword.control.tenet"}, "1": {"name": "keyword.other.unit.tenet"}},
    });
    let grammar: Value = json!({
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Tenet policy",
        "scopeName": "source.tenet",
        "fileTypes": ["policy"],
        "comment": "Generated from crates/tenet/src/syntax/policy.pest by crates/tenet-lsp (TENET_BLESS=1 cargo test -p tenet-lsp --test grammar); do not edit.",
        "patterns": [
            {"include": "#comment"},
            {"include": "#string"},
            {"include": "#date"},
            {"include": "#number"},
            {"include": "#period"},
            {"include": "#keyword"},
            {"include": "#field"},
            {"include": "#punctuation"},
        ],
        "repository": {
            "comment": {"name": "comment.line.double-slash.tenet", "match": "//.*$"},
            "string": {"patterns": [
                {
                    "name": "string.quoted.double.tenet",
                    "begin": "\"", "end": "\"|$",
                    "patterns": [{"name": "constant.character.escape.tenet", "match": "\\\\[\"\\\\nt]"}],
                },
                {"name": "string.quoted.other.chinese.tenet", "begin": "“", "end": "”|$"},
            ]},
            "date": {"name": "constant.numeric.date.tenet", "match": "\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{2}-\\d{2}\\b"},
            "number": {"name": "constant.numeric.tenet", "match": "(?<![\\w])[¥￥]?\\d+(?:,\\d{3})*(?:\\.\\d+)?(?:万)?%?"},
            "period": period,
            "keyword": {"patterns": keyword_patterns},
            "field": {"match": "(\\.)([\\w]+)", "captures": {
                "1": {"name": "punctuation.accessor.tenet"},
                "2": {"name": "variable.other.property.tenet"},
            }},
            "punctuation": {"patterns": [
                {"name": "punctuation.section.braces.tenet", "match": "[{}]"},
                {"name": "punctuation.section.parens.tenet", "match": "[()（）]"},
                {"name": "punctuation.section.brackets.tenet", "match": "[\\[\\]]"},
                {"name": "punctuation.separator.tenet", "match": "[,，:：]"},
            ]},
        },
    });
    let mut out = serde_json::to_string_pretty(&sorted(grammar)).unwrap_or_default();
    out.push('\n');
    out
}

/// `value` with every object's keys in sorted order: serde_json keeps
/// insertion order when another crate of the workspace turns on its
/// `preserve_order` feature, and the generated file must not depend on
/// what else is built with it.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A keyword's spellings, split into words (need word boundaries) and
/// symbols (`>=`, `..`, `≥`).
fn spellings(k: &Keyword) -> (Vec<&'static str>, Vec<&'static str>) {
    let all = k.en.into_iter().chain(k.zh.iter().copied());
    all.partition(|s| s.chars().all(|c| c.is_alphanumeric() || c == '_'))
}
