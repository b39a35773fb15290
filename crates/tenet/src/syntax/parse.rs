use super::ast::*;
use super::keywords::{self, Lang};
use crate::diagnostic::{Sink, Span};
use chrono::NaiveDate;
use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/policy.pest"]
struct PolicyParser;

/// Size limits that keep parsing and checking bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Deepest bracket nesting (`(`, `[`, `{`).
    pub max_depth: usize,
    /// Most operators and operands in one expression.
    pub max_expr_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1 << 20,
            max_depth: 32,
            max_expr_nodes: 400,
        }
    }
}

/// Parses one file. Returns the tree when there is no syntax error; every
/// diagnostic found goes into `sink`.
///
/// ```
/// use tenet::diagnostic::Sink;
/// let src = r#"policy p "示例" { rule r { for person t require true } }"#;
/// let mut sink = Sink::new("p.policy", src);
/// let file = tenet::syntax::parse(src, &mut sink, tenet::syntax::Limits::default()).unwrap();
/// assert_eq!(file.policy.id.name, "p");
/// ```
pub fn parse(source: &str, sink: &mut Sink<'_>, limits: Limits) -> Option<File> {
    let file = parse_recovering(source, sink, limits);
    if sink.has_errors() {
        None
    } else {
        file
    }
}

/// [`parse`], but when only some rules are broken (their syntax errors
/// reported) it still returns the file without them, so the checker can
/// report the other rules' errors too. `None` when something other than a
/// rule is broken: a missing param or calendar would make every use of it
/// a second, wrong error. Callers must treat the file as failed when
/// `sink` has errors.
///
/// ```
/// use tenet::diagnostic::Sink;
/// let src = "policy p \"t\" {\n  rule a \"x\" {\n    for person t\n    require >= 1\n  }\n  rule b \"y\" {\n    for person t\n    require t.age >= 1\n  }\n}\n";
/// let mut sink = Sink::new("p.policy", src);
/// let file = tenet::syntax::parse_recovering(src, &mut sink, Default::default()).unwrap();
/// assert_eq!(sink.diagnostics.len(), 1);  // rule a's syntax error
/// assert_eq!(file.policy.items.len(), 1); // rule b, still to be checked
/// ```
pub fn parse_recovering(source: &str, sink: &mut Sink<'_>, limits: Limits) -> Option<File> {
    if source.len() > limits.max_bytes {
        sink.error(
            Span::new(0, 0),
            format!(
                "file is {} bytes, more than the limit of {}",
                source.len(),
                limits.max_bytes
            ),
        )
        .help("split the policy into several files and `import` the shared parts");
        return None;
    }
    if let Some(at) = too_deep(source, limits.max_depth) {
        sink.error(
            Span::new(at, at + 1),
            format!("brackets nest more than {} deep", limits.max_depth),
        )
        .help("remove parentheses that are not needed, or split the condition into several rules");
        return None;
    }
    if source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with("//"))
    {
        sink.error(Span::new(0, 0), "the file is empty").help(
            "a policy file starts with `policy ID \"title\" { … }` (or `政策`), after any `import` lines",
        );
        return None;
    }
    let mut text = std::borrow::Cow::Borrowed(source);
    let pairs = loop {
        match crate::stack::guard_parser(|| PolicyParser::parse(Rule::file, &text)) {
            Ok(pairs) => break pairs,
            Err(err) if matches!(text, std::borrow::Cow::Owned(_)) => {
                // Blanking the broken rules did not make the rest parse.
                drop(err);
                return None;
            }
            Err(err) => {
                // Report the first error of every broken item, not only the
                // file's first error; fall back to the latter when the items
                // all parse (the error is in the header or the imports).
                let broken = recover(source, sink);
                if broken.is_empty() {
                    syntax_error(err, sink);
                    return None;
                }
                // Parse the rest again with the broken rules blanked (same
                // byte offsets, same lines), so their neighbours are checked.
                let only_rules = broken.iter().all(|(start, end)| {
                    let word: String = source
                        .get(*start..*end)
                        .unwrap_or("")
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    crate::syntax::keywords::keyword("rule").is_some_and(|k| k.spelled(&word))
                });
                if !only_rules {
                    return None;
                }
                text = std::borrow::Cow::Owned(blank(source, &broken));
            }
        }
    };
    let reported = sink.diagnostics.len();
    let mut builder = Builder {
        sink,
        limits,
        nodes: 0,
    };
    let file = pairs.into_iter().next().and_then(|p| builder.file(p));
    // A bad literal (`2023-02-30`) is built as a placeholder: checking it
    // would only add wrong errors.
    if builder.sink.diagnostics.len() > reported {
        return None;
    }
    file
}

/// `source` with the byte ranges `cut` turned to spaces, newlines kept.
fn blank(source: &str, cut: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(source.len());
    for (i, c) in source.char_indices() {
        let inside = cut.iter().any(|(s, e)| (*s..*e).contains(&i));
        if !inside || c == '\n' {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    out
}

/// The brackets of `source` with their offsets, skipping strings and
/// comments (where a bracket is just text).
fn brackets(source: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_string = false;
    let mut chars = source.char_indices().peekable();
    std::iter::from_fn(move || {
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
                    for (_, c) in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '(' | '[' | '{' | ')' | ']' | '}' => return Some((i, c)),
                _ => {}
            }
        }
        None
    })
}

/// The offset of the first bracket nested deeper than `max`.
fn too_deep(source: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in brackets(source) {
        if matches!(c, '(' | '[' | '{') {
            depth += 1;
            if depth > max {
                return Some(i);
            }
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    None
}

/// Readable name of a grammar rule for "expected …" messages, in `lang`:
/// a keyword rule prints as its spelling in that language, read from the
/// grammar (`keywords`), so keyword text stays in `policy.pest`. `None`
/// when the rule is not named in English: a Chinese phrase (`至少`) whose
/// English is two keywords (`at least`) that the same position offers too.
///
/// The Chinese of a rule that is not a keyword is its English phrase,
/// translated by the diagnostic catalog; phrases that list keywords
/// (entities, relations, periods) are built here in both languages.
fn describe(rule: &Rule, lang: Lang) -> Option<String> {
    let name = format!("{rule:?}");
    let kw = |name: &str| keywords::spell(name, lang);
    let kws = |names: &[&str]| {
        let sep = match lang {
            Lang::En => ", ",
            Lang::Zh => "、",
        };
        names.iter().map(|n| kw(n)).collect::<Vec<_>>().join(sep)
    };
    let quoted = |names: &[&str]| {
        let or = match lang {
            Lang::En => " or ",
            Lang::Zh => "或",
        };
        names
            .iter()
            .map(|n| format!("`{}`", kw(n)))
            .collect::<Vec<_>>()
            .join(or)
    };
    let zh = lang == Lang::Zh;
    Some(match rule {
        Rule::EOI => "end of file".into(),
        Rule::ident | Rule::name => "a name".into(),
        Rule::string => "a string".into(),
        Rule::date => "a date (YYYY-MM-DD)".into(),
        Rule::month_day => "a month and day (MM-DD)".into(),
        Rule::count => "a whole number".into(),
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::of_expr
        | Rule::unary
        | Rule::postfix => "an expression".into(),
        Rule::cmp_op | Rule::compare => "a comparison".into(),
        Rule::add_op => "`+` or `-`".into(),
        Rule::mul_op => "`*` or `/`".into(),
        Rule::has_test => quoted(&["has"]),
        Rule::in_test => quoted(&["in"]),
        Rule::wan => "`万`".into(),
        Rule::binder => quoted(&["as"]),
        Rule::field | Rule::method => "`.`".into(),
        Rule::severity => quoted(&["required", "advisory"]),
        Rule::meta | Rule::cite | Rule::message => quoted(&["cite", "message"]),
        Rule::period | Rule::period_unit if zh => format!(
            "周期（{}、2{} …）",
            kws(&["calendar_year", "semester", "month"]),
            kw("weeks")
        ),
        Rule::period | Rule::period_unit => format!(
            "a period ({}, 2 {} …)",
            kws(&["calendar_year", "semester", "month"]),
            kw("weeks")
        ),
        Rule::duration | Rule::duration_unit if zh => {
            format!("时长（1{}、2{} …）", kw("year"), kw("weeks"))
        }
        Rule::duration | Rule::duration_unit => {
            format!("a duration (1 {}, 2 {} …)", kw("year"), kw("weeks"))
        }
        Rule::scope => quoted(&["for"]),
        Rule::require => quoted(&["require"]),
        Rule::entity_kind if zh => format!("对象类型（{}）", kws(&ENTITY_KINDS)),
        Rule::entity_kind => format!("an entity ({})", kws(&ENTITY_KINDS)),
        Rule::rel_kind if zh => format!("关系（{}）", kws(&RELATION_KINDS)),
        Rule::rel_kind => format!("a relation ({})", kws(&RELATION_KINDS)),
        _ => match name.strip_prefix("kw_").and_then(keywords::keyword) {
            Some(k) => format!("`{}`", keyword_in(k, lang)?),
            None => name.replace('_', " "),
        },
    })
}

/// A keyword's spelling in `lang` for an "expected" list. An English word
/// with no Chinese of its own (`at`, `no`, `hosted`) is named by the
/// Chinese phrase it begins (`at_least` 至少): the grammar offers both.
fn keyword_in(k: &keywords::Keyword, lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::En => k.en,
        Lang::Zh => k.zh.first().copied().or_else(|| {
            let phrase = keywords::keywords().iter().find(|p| {
                p.en.is_none()
                    && p.name
                        .strip_prefix(k.name)
                        .is_some_and(|rest| rest.starts_with('_'))
            });
            phrase.and_then(|p| p.zh.first().copied()).or(k.en)
        }),
    }
}

/// The entity keywords after `for`, by rule name.
const ENTITY_KINDS: [&str; 6] = [
    "person",
    "school",
    "district",
    "activity",
    "enrollment",
    "mentorship",
];

/// The relation keywords an "expected" message lists, by rule name.
const RELATION_KINDS: [&str; 6] = [
    "people",
    "schools",
    "activities",
    "enrollments",
    "sessions",
    "mentorships",
];

/// One item of an English "expected …" list (as the parser wrote it) in
/// `lang`: the same grammar rule described in that language. `None` for
/// an item that is not a rule's description (the catalog translates it).
pub(crate) fn expected_in(item: &str, lang: Lang) -> Option<String> {
    let rule = Rule::all_rules()
        .iter()
        .find(|r| describe(r, Lang::En).as_deref() == Some(item))?;
    describe(rule, lang)
}

/// Byte ranges of the policy's top-level items: each starts on a line,
/// directly inside the policy's braces, whose first word begins an item.
fn items(source: &str) -> Vec<(usize, usize)> {
    let mut depth_changes = brackets(source)
        .filter(|(_, c)| matches!(c, '{' | '}'))
        .peekable();
    let mut depth = 0usize;
    let mut starts = Vec::new();
    let mut body_end = source.len();
    let mut line_start = 0usize;
    for line in source.split_inclusive('\n') {
        while let Some((i, c)) = depth_changes.next_if(|(i, _)| *i < line_start) {
            if c == '{' {
                depth += 1;
            } else {
                depth = depth.saturating_sub(1);
                if depth == 0 && !starts.is_empty() && body_end == source.len() {
                    body_end = i;
                }
            }
        }
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}']);
        let first: String = trimmed
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let starts_item = !first.is_empty()
            && PolicyParser::parse(Rule::item_start, &first).is_ok_and(|p| p.as_str() == first);
        if depth == 1 && starts_item {
            starts.push(line_start + (line.len() - trimmed.len()));
        }
        line_start += line.len();
    }
    for (i, c) in depth_changes {
        if c == '{' {
            depth += 1;
        } else {
            depth = depth.saturating_sub(1);
            if depth == 0 && !starts.is_empty() && body_end == source.len() {
                body_end = i;
            }
        }
    }
    let mut out = Vec::new();
    for (k, start) in starts.iter().enumerate() {
        let end = starts
            .get(k + 1)
            .copied()
            .unwrap_or(body_end)
            .min(body_end)
            .max(*start);
        out.push((*start, end));
    }
    out
}

/// Parses each item of a broken file alone and reports its first error;
/// returns the byte ranges of the items that failed. Positions stay those
/// of the file: the item is parsed inside a copy of the file with every
/// other byte blanked.
fn recover(source: &str, sink: &mut Sink<'_>) -> Vec<(usize, usize)> {
    let mut failed = Vec::new();
    for (start, end) in items(source) {
        let mut masked = vec![b' '; source.len()];
        let bytes = source.as_bytes();
        for i in start..end {
            if let (Some(slot), Some(b)) = (masked.get_mut(i), bytes.get(i)) {
                *slot = *b;
            }
        }
        let Ok(masked) = String::from_utf8(masked) else {
            continue;
        };
        if let Err(mut err) =
            crate::stack::guard_parser(|| PolicyParser::parse(Rule::item_entry, &masked))
        {
            failed.push((start, end));
            // The item's end is not the file's end: do not offer it.
            if let pest::error::ErrorVariant::ParsingError { positives, .. } = &mut err.variant {
                positives.retain(|r| *r != Rule::EOI);
            }
            syntax_error(err, sink);
        }
    }
    failed
}

fn syntax_error(err: pest::error::Error<Rule>, sink: &mut Sink<'_>) {
    use pest::error::{ErrorVariant, InputLocation};
    let at = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let source = sink_source(sink);
    let found = found_token(source, at);
    let end = at + found_len(source, at);
    let word = source.get(at..end).unwrap_or("");
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    // `40 %`: the percent sign belongs to the number.
    if word == "%" {
        let before = source.get(..at).unwrap_or("");
        let trimmed = before.trim_end_matches([' ', '\t']);
        let digits: String = trimmed
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if trimmed.len() < before.len() && !digits.is_empty() {
            let start = trimmed.len() - digits.len();
            sink.error(
                Span::new(start, end),
                format!("write `{digits}%` without a space"),
            )
            .help("a percentage is written with `%` right after the number");
            return;
        }
    }
    // A reserved word where a name or an expression was expected was
    // almost always meant as a name (`param share = 5%` … `share of …`).
    let wanted_name = positives.iter().any(|r| {
        matches!(
            r,
            Rule::ident | Rule::expr | Rule::or_expr | Rule::unary | Rule::postfix | Rule::primary
        )
    });
    if wanted_name && is_keyword(word) {
        sink.error(
            Span::new(at, end),
            format!("`{word}` is a reserved word and cannot be used as a name"),
        )
        .help(format!("choose another name, e.g. `{word}_value`"));
        return;
    }
    // The file ended inside a block: point at the `{` that is not closed
    // (the grammar's expected list cannot mention `}`).
    if word.is_empty() && source.get(at..).is_some_and(|r| r.trim().is_empty()) {
        if let Some(open) = unclosed_brace(source) {
            sink.error(
                Span::new(open, open + 1),
                "missing `}`: the file ends before this block is closed",
            )
            .label("this `{` is never closed")
            .help("add a `}` where the block ends");
            return;
        }
    }
    let mut wanted: Vec<String> = positives
        .iter()
        .filter_map(|r| describe(r, Lang::En))
        .collect();
    wanted.sort();
    wanted.dedup();
    let list = match wanted.len() {
        0 => String::new(),
        1 => wanted.join(""),
        _ => {
            let last = wanted.pop().unwrap_or_default();
            format!("{} or {last}", wanted.join(", "))
        }
    };
    let suggestion = if word.chars().next().is_some_and(char::is_alphabetic) {
        crate::diagnostic::did_you_mean(word, keywords_for(positives))
    } else {
        None
    };
    let many = list.matches(", ").count() >= 4;
    let message = match &err.variant {
        ErrorVariant::CustomError { message } => message.clone(),
        _ if list.is_empty() || (many && suggestion.is_none()) => format!("unexpected {found}"),
        _ => format!("expected {list}, found {found}"),
    };
    let d = sink.error(Span::new(at, end), message);
    if let Some(s) = suggestion {
        d.help(format!("did you mean `{s}`?"));
    } else if word == ";" && !list.contains("`;`") {
        d.help("remove the `;`: lines in a policy do not end with one");
    } else if positives.contains(&Rule::kw_require) && !word.is_empty() {
        d.help("a rule's condition starts with `require`, e.g. `require count(people of d where has trainer) >= 1`");
    } else if many {
        d.help(format!("expected {list}"));
    }
}

/// The keywords a grammar position accepts, for "did you mean": every
/// spelling, so a typo is matched in the surface it was typed in.
fn keywords_for(positives: &[Rule]) -> Vec<&'static str> {
    let mut names: Vec<&str> = Vec::new();
    for rule in positives {
        match rule {
            Rule::entity_kind => names.extend(ENTITY_KINDS),
            Rule::rel_kind => names.extend(RELATION_KINDS),
            Rule::period | Rule::period_unit => names.extend([
                "calendar_year",
                "academic_year",
                "semester",
                "month",
                "week",
                "day",
            ]),
            Rule::scope => names.push("for"),
            Rule::require => names.push("require"),
            Rule::severity => names.extend(["required", "advisory"]),
            other => {
                let name = format!("{other:?}");
                if let Some(kw) = name.strip_prefix("kw_") {
                    if let Some(k) = STATEMENT_KEYWORDS.iter().find(|k| **k == kw) {
                        names.push(k);
                    }
                }
            }
        }
    }
    names
        .iter()
        .filter_map(|n| keywords::keyword(n))
        .flat_map(|k| k.en.into_iter().chain(k.zh.iter().copied()))
        .collect()
}

/// Statement keywords worth suggesting when one is misspelled (rule names).
const STATEMENT_KEYWORDS: [&str; 19] = [
    "import",
    "policy",
    "source",
    "effective",
    "calendar",
    "param",
    "credit",
    "rule",
    "cite",
    "message",
    "for",
    "where",
    "each",
    "cycle",
    "within",
    "during",
    "require",
    "otherwise",
    "since",
];

/// The `{` most likely left open: the innermost one whose `}` sits at a
/// smaller indentation than the line that opened it, else the outermost
/// one never closed. `None` when every `{` is closed.
fn unclosed_brace(source: &str) -> Option<usize> {
    let indent_at = |i: usize| {
        let line_start = source
            .get(..i)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |n| n + 1);
        let line = source.get(line_start..).unwrap_or("");
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        (indent, line_start + indent == i)
    };
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut suspect = None;
    for (i, c) in brackets(source) {
        match c {
            '{' => stack.push((i, indent_at(i).0)),
            '}' => {
                if let Some((open, open_indent)) = stack.pop() {
                    let (indent, first_on_line) = indent_at(i);
                    if suspect.is_none() && first_on_line && indent < open_indent {
                        suspect = Some(open);
                    }
                }
            }
            _ => {}
        }
    }
    let outermost = stack.first().map(|(open, _)| *open)?;
    Some(suspect.unwrap_or(outermost))
}

fn is_keyword(word: &str) -> bool {
    !word.is_empty() && PolicyParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

fn sink_source<'a>(sink: &Sink<'a>) -> &'a str {
    sink.source()
}

fn found_len(source: &str, at: usize) -> usize {
    let rest = source.get(at..).unwrap_or("");
    let word: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    }
}

fn found_token(source: &str, at: usize) -> String {
    let rest = source.get(at..).unwrap_or("");
    let len = found_len(source, at);
    match rest.get(..len) {
        None | Some("") => "end of file".into(),
        Some(tok) if tok.trim().is_empty() => "whitespace".into(),
        Some(tok) => format!("`{tok}`"),
    }
}

struct Builder<'s, 'a> {
    sink: &'s mut Sink<'a>,
    limits: Limits,
    nodes: usize,
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

impl Builder<'_, '_> {
    fn file(&mut self, pair: Pair<'_, Rule>) -> Option<File> {
        let mut imports = Vec::new();
        let mut policy = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::import => imports.extend(
                    p.into_inner()
                        .find(|p| p.as_rule() == Rule::string)
                        .map(|s| self.string(s)),
                ),
                Rule::policy => policy = self.policy(p),
                _ => {}
            }
        }
        Some(File {
            imports,
            policy: policy?,
        })
    }

    fn ident(&mut self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: span(&pair),
        }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> Str {
        let sp = span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Str {
                value: String::new(),
                span: sp,
            };
        };
        let raw = inner.as_str();
        if inner.as_rule() == Rule::string_cn {
            // “…” text has no escapes.
            return Str {
                value: raw.to_string(),
                span: sp,
            };
        }
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some(other) => value.push(other),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Str { value, span: sp }
    }

    fn date(&mut self, pair: Pair<'_, Rule>) -> Dated {
        let sp = span(&pair);
        let date = match NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                self.sink
                    .error(
                        sp,
                        format!("`{}` is not a date in the calendar", pair.as_str()),
                    )
                    .help("dates are written YYYY-MM-DD and must exist, e.g. 2023-02-28");
                NaiveDate::MIN
            }
        };
        Dated { date, span: sp }
    }

    fn month_day(&mut self, pair: Pair<'_, Rule>) -> MonthDay {
        let sp = span(&pair);
        let text = pair.as_str();
        let month = text.get(..2).and_then(|m| m.parse().ok()).unwrap_or(0);
        let day = text.get(3..).and_then(|d| d.parse().ok()).unwrap_or(0);
        // 2000 is a leap year, so 02-29 is accepted as a month-day.
        if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
            self.sink
                .error(sp, format!("`{text}` is not a month and day"))
                .help("write MM-DD, e.g. 09-01");
        }
        MonthDay {
            month,
            day,
            span: sp,
        }
    }

    fn count(&mut self, pair: Pair<'_, Rule>) -> u32 {
        match pair.as_str().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                self.sink.error(
                    span(&pair),
                    format!("`{}` is too large a count", pair.as_str()),
                );
                0
            }
        }
    }

    fn decimal(&mut self, pair: &Pair<'_, Rule>) -> Decimal {
        let text: String = pair.as_str().chars().filter(|c| *c != ',').collect();
        match crate::value::exact_decimal(&text) {
            Some(d) => d,
            None => {
                self.sink
                    .error(
                        span(pair),
                        format!("`{}` is out of range for an exact decimal", pair.as_str()),
                    )
                    .help("numbers may have at most 28 significant digits; none is rounded");
                Decimal::ZERO
            }
        }
    }

    fn policy(&mut self, pair: Pair<'_, Rule>) -> Option<Policy> {
        let sp = span(&pair);
        let mut id = None;
        let mut title = None;
        let mut items = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => id = Some(self.ident(p)),
                Rule::string => title = Some(self.string(p)),
                Rule::source_decl => {
                    if let Some(s) = p.into_inner().find(|p| p.as_rule() == Rule::string) {
                        let s = self.string(s);
                        items.push(Item::Source(s));
                    }
                }
                Rule::effective_decl => {
                    let isp = span(&p);
                    let dates: Vec<Dated> = p
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::date)
                        .map(|d| self.date(d))
                        .collect();
                    if let [start, end] = dates.as_slice() {
                        items.push(Item::Effective {
                            start: *start,
                            end: *end,
                            span: isp,
                        });
                    }
                }
                Rule::calendar_decl => {
                    let entries = p
                        .into_inner()
                        .filter_map(|e| self.calendar_entry(e))
                        .collect();
                    items.push(Item::Calendar(entries));
                }
                Rule::param_decl => items.extend(self.param(p).map(Item::Param)),
                Rule::credit_decl => {
                    items.extend(self.credit(p).map(|c| Item::Credit(Box::new(c))))
                }
                Rule::rule_decl => items.extend(self.rule(p).map(|r| Item::Rule(Box::new(r)))),
                _ => {}
            }
        }
        Some(Policy {
            id: id?,
            title,
            items,
            span: sp,
        })
    }

    fn calendar_entry(&mut self, pair: Pair<'_, Rule>) -> Option<CalendarEntry> {
        match pair.as_rule() {
            Rule::year_start => {
                let md = pair.into_inner().find(|p| p.as_rule() == Rule::month_day)?;
                Some(CalendarEntry::YearStart(self.month_day(md)))
            }
            Rule::semester_def => {
                let mut name = None;
                let mut days = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => name = Some(self.ident(p)),
                        Rule::month_day => days.push(self.month_day(p)),
                        _ => {}
                    }
                }
                let [start, end] = days.as_slice() else {
                    return None;
                };
                Some(CalendarEntry::Semester {
                    name: name?,
                    start: *start,
                    end: *end,
                })
            }
            _ => None,
        }
    }

    fn param(&mut self, pair: Pair<'_, Rule>) -> Option<ParamDecl> {
        let sp = span(&pair);
        let mut name = None;
        let mut values = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param_value => {
                    let mut value = None;
                    let mut since = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => value = self.expr_root(q),
                            Rule::date => since = Some(self.date(q)),
                            _ => {}
                        }
                    }
                    values.push((value?, since));
                }
                _ => {}
            }
        }
        Some(ParamDecl {
            name: name?,
            values,
            span: sp,
        })
    }

    fn cite(&mut self, pair: Pair<'_, Rule>) -> Option<Cite> {
        let mut strings = pair.into_inner().filter(|p| p.as_rule() == Rule::string);
        let clause = self.string(strings.next()?);
        let quote = strings.next().map(|q| self.string(q));
        Some(Cite { clause, quote })
    }

    fn scope(&mut self, pair: Pair<'_, Rule>) -> Option<Scope> {
        let mut kind = None;
        let mut var = None;
        let mut filter = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::entity_kind => {
                    let sp = span(&p);
                    let k = match p.into_inner().next()?.as_rule() {
                        Rule::kw_person => EntityKind::Person,
                        Rule::kw_school => EntityKind::School,
                        Rule::kw_district => EntityKind::District,
                        Rule::kw_activity => EntityKind::Activity,
                        Rule::kw_enrollment => EntityKind::Enrollment,
                        _ => EntityKind::Mentorship,
                    };
                    kind = Some((k, sp));
                }
                Rule::ident => var = Some(self.ident(p)),
                Rule::expr => filter = self.expr_root(p),
                _ => {}
            }
        }
        let (kind, kind_span) = kind?;
        Some(Scope {
            kind,
            kind_span,
            var: var?,
            filter,
        })
    }

    fn credit(&mut self, pair: Pair<'_, Rule>) -> Option<CreditDecl> {
        let sp = span(&pair);
        let (mut name, mut title, mut scope, mut otherwise) = (None, None, None, None);
        let mut cites = Vec::new();
        let mut denials = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::string => title = Some(self.string(p)),
                Rule::cite => cites.extend(self.cite(p)),
                Rule::message => {
                    self.sink
                        .error(span(&p), "a credit block has no message")
                        .help("put messages on rules");
                }
                Rule::scope => scope = self.scope(p),
                Rule::no_credit => {
                    let mut cond = None;
                    let mut reason = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => cond = self.expr_root(q),
                            Rule::string => reason = Some(self.string(q)),
                            _ => {}
                        }
                    }
                    denials.extend(cond.map(|c| (c, reason)));
                }
                Rule::otherwise => {
                    otherwise = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::expr)
                        .and_then(|q| self.expr_root(q))
                }
                _ => {}
            }
        }
        Some(CreditDecl {
            name: name?,
            title,
            cites,
            scope: scope?,
            denials,
            otherwise: otherwise?,
            span: sp,
        })
    }

    fn rule(&mut self, pair: Pair<'_, Rule>) -> Option<RuleDecl> {
        let sp = span(&pair);
        let (mut id, mut title, mut severity, mut scope, mut window, mut require) =
            (None, None, None, None, None, None);
        let mut cites = Vec::new();
        let mut messages = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => id = Some(self.ident(p)),
                Rule::string => title = Some(self.string(p)),
                Rule::severity => {
                    let s = span(&p);
                    let level = match p.into_inner().next().map(|q| q.as_rule()) {
                        Some(Rule::kw_advisory) => SeverityAst::Advisory,
                        _ => SeverityAst::Required,
                    };
                    severity = Some((level, s));
                }
                Rule::cite => cites.extend(self.cite(p)),
                Rule::message => messages.extend(
                    p.into_inner()
                        .find(|q| q.as_rule() == Rule::string)
                        .map(|q| self.string(q)),
                ),
                Rule::scope => scope = self.scope(p),
                Rule::each_window
                | Rule::cycle_window
                | Rule::within_window
                | Rule::during_window => window = self.window(p),
                Rule::require => require = self.require(p),
                _ => {}
            }
        }
        Some(RuleDecl {
            id: id?,
            title,
            severity,
            cites,
            messages,
            scope: scope?,
            window,
            require: require?,
            span: sp,
        })
    }

    fn period(&mut self, pair: Pair<'_, Rule>) -> Option<Period> {
        let sp = span(&pair);
        let mut count = 1;
        let mut unit = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::count => count = self.count(p),
                Rule::period_unit => {
                    unit = Some(match p.into_inner().next()?.as_rule() {
                        Rule::kw_calendar_year => PeriodUnit::CalendarYear,
                        Rule::kw_academic_year => PeriodUnit::AcademicYear,
                        Rule::kw_semester => PeriodUnit::Semester,
                        Rule::kw_months | Rule::kw_month => PeriodUnit::Month,
                        Rule::kw_weeks | Rule::kw_week => PeriodUnit::Week,
                        _ => PeriodUnit::Day,
                    })
                }
                _ => {}
            }
        }
        if count == 0 {
            self.sink
                .error(sp, "a period must be at least one unit long");
        }
        Some(Period {
            count: count.max(1),
            unit: unit?,
            span: sp,
        })
    }

    fn duration(&mut self, pair: Pair<'_, Rule>) -> Option<Duration> {
        let mut n = 0u32;
        let mut unit = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::count => n = self.count(p),
                Rule::duration_unit => unit = p.into_inner().next().map(|u| u.as_rule()),
                _ => {}
            }
        }
        Some(match unit? {
            Rule::kw_years | Rule::kw_year => Duration {
                months: n.saturating_mul(12),
                days: 0,
            },
            Rule::kw_months | Rule::kw_month => Duration { months: n, days: 0 },
            Rule::kw_weeks | Rule::kw_week => Duration {
                months: 0,
                days: n.saturating_mul(7),
            },
            _ => Duration { months: 0, days: n },
        })
    }

    fn binder(&mut self, pair: Pair<'_, Rule>) -> Option<Ident> {
        pair.into_inner()
            .find(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(p))
    }

    fn window(&mut self, pair: Pair<'_, Rule>) -> Option<WindowAst> {
        let sp = span(&pair);
        let rule = pair.as_rule();
        let mut bind = None;
        let mut period = None;
        let mut dates = Vec::new();
        let mut length = None;
        let mut expr = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::binder => bind = self.binder(p),
                Rule::period => period = self.period(p),
                Rule::date => dates.push(self.date(p)),
                Rule::duration => length = self.duration(p),
                Rule::expr => expr = self.expr_root(p),
                _ => {}
            }
        }
        Some(match rule {
            Rule::each_window => WindowAst::Each {
                period: period?,
                bind,
                span: sp,
            },
            Rule::cycle_window => {
                let [start, end] = dates.as_slice() else {
                    return None;
                };
                WindowAst::Cycle {
                    start: *start,
                    end: *end,
                    bind,
                    span: sp,
                }
            }
            Rule::within_window => WindowAst::Within {
                length: length?,
                after: expr?,
                bind,
                span: sp,
            },
            _ => WindowAst::During {
                of: expr?,
                bind,
                span: sp,
            },
        })
    }

    fn require(&mut self, pair: Pair<'_, Rule>) -> Option<Require> {
        let inner = pair
            .into_inner()
            .find(|p| matches!(p.as_rule(), Rule::expr | Rule::cadence))?;
        if inner.as_rule() == Rule::expr {
            return self.expr_root(inner).map(Require::Check);
        }
        let sp = span(&inner);
        let (mut at_least, mut kind, mut by, mut every, mut filter) =
            (None, None, None, None, None);
        let mut hosted = false;
        for p in inner.into_inner() {
            match p.as_rule() {
                Rule::count => at_least = Some(self.count(p)),
                Rule::ident => kind = Some(self.ident(p)),
                Rule::hosted_by => hosted = true,
                Rule::unary => {
                    self.nodes = 0;
                    by = self.expr(p);
                }
                Rule::period => every = self.period(p),
                Rule::expr => filter = self.expr_root(p),
                _ => {}
            }
        }
        Some(Require::Cadence(Cadence {
            at_least: at_least?,
            kind: kind?,
            hosted,
            by: by?,
            every: every?,
            filter,
            span: sp,
        }))
    }

    /// An expression at the top of a clause: resets the node budget.
    fn expr_root(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        self.nodes = 0;
        let sp = span(&pair);
        let e = self.expr(pair);
        if self.nodes > self.limits.max_expr_nodes {
            self.sink
                .error(
                    sp,
                    format!(
                        "expression has {} parts, more than the limit of {}",
                        self.nodes, self.limits.max_expr_nodes
                    ),
                )
                .help("split the condition into several rules");
            return None;
        }
        e
    }

    fn node(&mut self, kind: ExprKind, span: Span) -> Expr {
        self.nodes += 1;
        Expr { kind, span }
    }

    fn binary_chain(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let mut inner = pair.into_inner();
        let mut acc = self.expr(inner.next()?)?;
        while let Some(op) = inner.next() {
            let op = match op.as_rule() {
                Rule::kw_or => BinOp::Or,
                Rule::kw_and => BinOp::And,
                Rule::add_op if op.as_str() == "+" => BinOp::Add,
                Rule::add_op => BinOp::Sub,
                Rule::mul_op if op.as_str() == "*" => BinOp::Mul,
                _ => BinOp::Div,
            };
            let rhs = self.expr(inner.next()?)?;
            let sp = acc.span.to(rhs.span);
            acc = self.node(ExprKind::Binary(op, Box::new(acc), Box::new(rhs)), sp);
        }
        Some(acc)
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        crate::stack::guard(|| self.expr_inner(pair))
    }

    /// True once the expression has used up its node budget: loops that
    /// wrap a node around the last one stop there, so no tree deeper than
    /// the budget is built (and dropped recursively).
    fn over_budget(&self) -> bool {
        self.nodes > self.limits.max_expr_nodes
    }

    fn expr_inner(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        if self.nodes > self.limits.max_expr_nodes {
            return None;
        }
        let sp = span(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::paren => self.expr(pair.into_inner().next()?),
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                self.binary_chain(pair)
            }
            Rule::not_expr => self.prefixed(pair, Rule::not_op, UnOp::Not),
            Rule::cmp_expr => {
                let mut inner = pair.into_inner();
                let lhs = self.expr(inner.next()?)?;
                let Some(tail) = inner.next() else {
                    return Some(lhs);
                };
                match tail.as_rule() {
                    Rule::compare => {
                        let mut t = tail.into_inner();
                        let op = match t.next()?.into_inner().next()?.as_rule() {
                            Rule::kw_ge => BinOp::Ge,
                            Rule::kw_le => BinOp::Le,
                            Rule::kw_ne => BinOp::Ne,
                            Rule::kw_eq => BinOp::Eq,
                            Rule::kw_gt => BinOp::Gt,
                            _ => BinOp::Lt,
                        };
                        let rhs = self.expr(t.next()?)?;
                        Some(self.node(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), sp))
                    }
                    Rule::has_test => {
                        let role =
                            self.ident(tail.into_inner().find(|p| p.as_rule() == Rule::ident)?);
                        Some(self.node(ExprKind::Has(Some(Box::new(lhs)), role), sp))
                    }
                    _ => {
                        let mut negated = false;
                        let mut list = Vec::new();
                        for p in tail.into_inner() {
                            match p.as_rule() {
                                Rule::not_op | Rule::not_in => negated = true,
                                Rule::list => {
                                    for item in p.into_inner() {
                                        list.push(self.expr(item)?);
                                    }
                                }
                                _ => {}
                            }
                        }
                        Some(self.node(
                            ExprKind::In {
                                negated,
                                value: Box::new(lhs),
                                list,
                            },
                            sp,
                        ))
                    }
                }
            }
            Rule::of_expr => {
                // `a of b of c` groups to the right: a of (b of c).
                let mut parts = Vec::new();
                for p in pair.into_inner() {
                    if p.as_rule() != Rule::kw_of {
                        parts.push(self.expr(p)?);
                    }
                }
                let mut acc = parts.pop()?;
                while let Some(lhs) = parts.pop() {
                    let s = lhs.span.to(acc.span);
                    acc = self.node(ExprKind::Of(Box::new(lhs), Box::new(acc)), s);
                }
                Some(acc)
            }
            Rule::unary => self.prefixed(pair, Rule::neg, UnOp::Neg),
            Rule::postfix => {
                let mut inner = pair.into_inner();
                let mut acc = self.expr(inner.next()?)?;
                for p in inner {
                    if self.over_budget() {
                        return None;
                    }
                    let psp = acc.span.to(span(&p));
                    let is_method = p.as_rule() == Rule::method;
                    let mut parts = p.into_inner();
                    let name = self.ident(parts.next()?);
                    acc = if is_method {
                        let mut args = Vec::new();
                        for a in parts {
                            args.push(self.expr(a)?);
                        }
                        self.node(ExprKind::Method(Box::new(acc), name, args), psp)
                    } else {
                        self.node(ExprKind::Field(Box::new(acc), name), psp)
                    };
                }
                Some(acc)
            }
            Rule::implicit_has => {
                let role = self.ident(pair.into_inner().find(|p| p.as_rule() == Rule::ident)?);
                Some(self.node(ExprKind::Has(None, role), sp))
            }
            Rule::list => {
                let mut items = Vec::new();
                for p in pair.into_inner() {
                    items.push(self.expr(p)?);
                }
                Some(self.node(ExprKind::List(items), sp))
            }
            Rule::ident => Some(self.node(ExprKind::Name(pair.as_str().to_string()), sp)),
            Rule::member => Some(self.node(ExprKind::Member, sp)),
            Rule::aggregate => self.aggregate(pair),
            Rule::credited => {
                let mut args = pair.into_inner().filter(|p| p.as_rule() == Rule::expr);
                let person = self.expr(args.next()?)?;
                let filter = match args.next() {
                    Some(f) => Some(Box::new(self.expr(f)?)),
                    None => None,
                };
                Some(self.node(
                    ExprKind::Credited {
                        person: Box::new(person),
                        filter,
                    },
                    sp,
                ))
            }
            Rule::builtin_call => {
                let mut inner = pair.into_inner();
                let b = inner.next()?;
                let name_span = span(&b);
                let func = match b.into_inner().next()?.as_rule() {
                    Rule::kw_age => Builtin::Age,
                    Rule::kw_tenure => Builtin::Tenure,
                    Rule::kw_finance => Builtin::Finance,
                    _ => Builtin::YearOf,
                };
                let mut args = Vec::new();
                for a in inner {
                    args.push(self.expr(a)?);
                }
                Some(self.node(
                    ExprKind::Call {
                        func,
                        name_span,
                        args,
                    },
                    sp,
                ))
            }
            _ => self.literal(pair),
        }
    }

    /// `not not x`, `- - x`: an operand after any number of prefix
    /// operators, applied innermost first.
    fn prefixed(&mut self, pair: Pair<'_, Rule>, prefix: Rule, op: UnOp) -> Option<Expr> {
        let sp = span(&pair);
        let mut count = 0;
        let mut operand = None;
        for p in pair.into_inner() {
            if p.as_rule() == prefix {
                count += 1;
            } else {
                operand = self.expr(p);
            }
        }
        let mut e = operand?;
        for _ in 0..count {
            // A million `-` fit in a file: stop at the size limit rather
            // than build (and later free) a tree that deep.
            if self.over_budget() {
                return None;
            }
            e = self.node(ExprKind::Unary(op, Box::new(e)), sp);
        }
        Some(e)
    }

    fn aggregate(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let mut func = AggFn::Count;
        let mut value = None;
        let mut relation = None;
        let mut filter = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::agg_fn => {
                    func = match p.into_inner().next()?.as_rule() {
                        Rule::kw_count => AggFn::Count,
                        Rule::kw_sum => AggFn::Sum,
                        Rule::kw_min => AggFn::Min,
                        Rule::kw_max => AggFn::Max,
                        Rule::kw_avg => AggFn::Avg,
                        _ => AggFn::Share,
                    }
                }
                Rule::expr if relation.is_none() => value = Some(Box::new(self.expr(p)?)),
                Rule::expr => filter = Some(Box::new(self.expr(p)?)),
                Rule::relation => relation = Some(self.relation(p)?),
                _ => {}
            }
        }
        Some(self.node(
            ExprKind::Aggregate {
                func,
                value,
                relation: relation?,
                filter,
            },
            sp,
        ))
    }

    fn relation(&mut self, pair: Pair<'_, Rule>) -> Option<Relation> {
        let sp = span(&pair);
        let mut kind = None;
        let mut link = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::rel_kind => {
                    kind = Some(match p.into_inner().next()?.as_rule() {
                        Rule::kw_people => RelKind::People,
                        Rule::kw_schools => RelKind::Schools,
                        Rule::kw_districts => RelKind::Districts,
                        Rule::kw_activities => RelKind::Activities,
                        Rule::kw_enrollments => RelKind::Enrollments,
                        Rule::kw_sessions => RelKind::Sessions,
                        _ => RelKind::Mentorships,
                    })
                }
                Rule::rel_link => {
                    let mut inner = p.into_inner();
                    let how = match inner.next()?.as_rule() {
                        Rule::kw_of => RelLink::Of,
                        Rule::hosted_by => RelLink::HostedBy,
                        _ => RelLink::By,
                    };
                    let anchor = self.expr(inner.next()?)?;
                    link = Some((how, Box::new(anchor)));
                }
                _ => {}
            }
        }
        Some(Relation {
            kind: kind?,
            link,
            span: sp,
        })
    }

    fn literal(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::number => ExprKind::Number(self.decimal(&pair)),
            Rule::hours => ExprKind::Hours(self.first_decimal(pair)?),
            Rule::percent => ExprKind::Percent(self.first_decimal(pair)?),
            Rule::money => {
                let wan = pair.clone().into_inner().any(|p| p.as_rule() == Rule::wan);
                let amount = self.first_decimal(pair)?;
                let amount = if wan {
                    amount.checked_mul(Decimal::from(10_000))
                } else {
                    Some(amount)
                };
                match amount {
                    Some(a) => ExprKind::Money(a),
                    None => {
                        self.sink
                            .error(sp, "amount is out of range for an exact decimal");
                        return None;
                    }
                }
            }
            Rule::ratio | Rule::fraction => {
                let nums: Vec<Decimal> = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::count)
                    .map(|p| self.decimal(&p))
                    .collect();
                let [a, b] = nums.as_slice() else { return None };
                if b.is_zero() {
                    self.sink.error(
                        sp,
                        "the second number of a ratio or fraction must not be zero",
                    );
                }
                if rule == Rule::ratio {
                    ExprKind::Ratio(*a, *b)
                } else {
                    ExprKind::Fraction(*a, *b)
                }
            }
            Rule::date => ExprKind::Date(self.date(pair).date),
            Rule::duration => ExprKind::Duration(self.duration(pair)?),
            Rule::boolean => ExprKind::Bool(pair.into_inner().next()?.as_rule() == Rule::kw_true),
            Rule::string => ExprKind::Str(self.string(pair).value),
            _ => return None,
        };
        Some(self.node(kind, sp))
    }

    fn first_decimal(&mut self, pair: Pair<'_, Rule>) -> Option<Decimal> {
        let p = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::number_part)?;
        Some(self.decimal(&p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keywords in an "expected" list are spelled as the grammar spells
    /// them in the language of the message.
    #[test]
    fn expected_keywords_follow_the_language() {
        let en = |r: Rule| describe(&r, Lang::En);
        let zh = |r: Rule| describe(&r, Lang::Zh);
        assert_eq!(en(Rule::kw_require).as_deref(), Some("`require`"));
        assert_eq!(zh(Rule::kw_require).as_deref(), Some("`要求`"));
        assert_eq!(en(Rule::kw_to).as_deref(), Some("`..`"));
        assert_eq!(zh(Rule::kw_to).as_deref(), Some("`至`"));
        // `at` has no Chinese of its own: the phrase it begins names it.
        assert_eq!(zh(Rule::kw_at).as_deref(), Some("`至少`"));
        assert_eq!(zh(Rule::kw_hosted).as_deref(), Some("`承办方`"));
        // A Chinese phrase has no English: the pair is offered instead.
        assert_eq!(en(Rule::kw_at_least), None);
        assert_eq!(
            zh(Rule::entity_kind).as_deref(),
            Some("对象类型（人员、学校、区县、活动、参训、结对）")
        );
        assert_eq!(expected_in("`for`", Lang::Zh).as_deref(), Some("`对象`"));
        assert_eq!(expected_in("`x`", Lang::Zh), None);
    }

    /// A typo is matched against both spellings of the keywords expected.
    #[test]
    fn did_you_mean_in_either_surface() {
        let cands = keywords_for(&[Rule::kw_require]);
        assert!(cands.contains(&"require") && cands.contains(&"要求"));
    }
}
