//! One span type and one diagnostic type for every stage, as plain data.
//! [`Diagnostic::render`] draws the source line with the span underlined;
//! front ends may draw their own (colour, LSP ranges) from the same data.
//!
//! ## Languages
//!
//! A diagnostic is built in English and drawn in the reader's language:
//! [`Diagnostic::render_in`], [`Diagnostic::message_in`],
//! [`Diagnostic::label_in`] and [`Diagnostic::help_in`] take a [`Lang`];
//! [`Lang::from_env`] reads the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
//! The Chinese lives in one catalog keyed by the English template, so the
//! data (and the JSON a server returns) stays the same in every language.
//!
//! ```
//! use tenet::diagnostic::{Lang, Sink, Span};
//! let src = "policy p \"t\" {\n  param x = 90 h\n}\n";
//! let mut sink = Sink::new("p.policy", src);
//! let at = src.find('x').unwrap();
//! sink.warning(Span::new(at, at + 1), "param `x` is never used")
//!     .help("use it in a rule or remove it");
//! let d = &sink.diagnostics[0];
//! assert_eq!(d.message_in(Lang::Zh), "参数 `x` 没有被使用");
//! assert_eq!(d.help_in(Lang::Zh).as_deref(), Some("在规则中使用它，或者删掉它"));
//! assert_eq!(d.message_in(Lang::En), "param `x` is never used");
//! assert!(d.render_in(src, Lang::Zh).starts_with("警告：参数 `x` 没有被使用\n --> p.policy:2:9（第2行第9列）\n"));
//! ```

mod catalog;

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::{self, Write};
use unicode_width::UnicodeWidthStr;

pub use crate::syntax::keywords::Lang;

impl Lang {
    /// The language the process locale asks for: the first of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` that is set and not empty; `None` when none is.
    pub fn from_env() -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.trim().is_empty())
            .and_then(|v| Lang::from_locale(&v))
    }
}

/// One line of diagnostic text (a message, label or help) in `lang`. Text
/// the catalog does not know is returned as it is.
///
/// ```
/// use tenet::diagnostic::{translate, Lang};
/// assert_eq!(translate("unknown field `hire_dat` on person", Lang::Zh), "教师没有字段 `hire_dat`");
/// assert_eq!(translate("unknown field `hire_dat` on person", Lang::En), "unknown field `hire_dat` on person");
/// ```
pub fn translate(text: &str, lang: Lang) -> Cow<'_, str> {
    match lang {
        Lang::En => Cow::Borrowed(text),
        Lang::Zh => lookup(text, catalog::MESSAGES)
            .or_else(|| clash(text))
            .or_else(|| {
                let w = word(text);
                (w != text).then_some(w)
            })
            .map_or(Cow::Borrowed(text), Cow::Owned),
    }
}

/// Whether the catalog has Chinese for `text` (an English message, label or help).
pub fn has_translation(text: &str) -> bool {
    lookup(text, catalog::MESSAGES).is_some() || clash(text).is_some()
}

/// Fills the Chinese of the first template of `table` that `text` matches.
/// Templates with more fixed text are tried first, so `{} {} {}` is the
/// last resort.
pub fn lookup(text: &str, table: &[(&str, &str)]) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for (en, zh) in table {
        let fixed = en.len() - 2 * en.matches("{}").count();
        if best.as_ref().is_some_and(|(b, _)| *b >= fixed) {
            continue;
        }
        if let Some(args) = matches(en, text) {
            best = Some((fixed, fill(zh, &args)));
        }
    }
    best.map(|(_, s)| s)
}

/// The arguments of `text` if it has the shape of `template`.
fn matches<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let (first, rest) = pieces.split_first()?;
    let mut at = text.strip_prefix(first)?;
    let mut args = Vec::new();
    for (k, piece) in rest.iter().enumerate() {
        let end = if k + 1 == rest.len() {
            if !at.ends_with(piece) {
                return None;
            }
            at.len() - piece.len()
        } else if piece.is_empty() {
            return None; // two holes in a row cannot be split
        } else {
            at.find(piece)?
        };
        args.push(at.get(..end)?);
        at = at.get(end + piece.len()..)?;
    }
    if rest.is_empty() && !at.is_empty() {
        return None;
    }
    Some(args)
}

/// The Chinese template with its holes filled; an argument the template
/// quotes in backticks is code and stays as written. A hole written
/// `{0:expected}` is what the grammar expects there: its keywords are
/// named by their Chinese spellings ([`expected_zh`]).
fn fill(zh: &str, args: &[&str]) -> String {
    let mut out = zh.to_string();
    for (k, arg) in args.iter().enumerate() {
        let expected = format!("{{{k}:expected}}");
        if out.contains(&expected) {
            out = out.replace(&expected, &expected_zh(arg));
            continue;
        }
        let hole = format!("{{{k}}}");
        let quoted = format!("`{hole}");
        let code = out.contains(&quoted) || out.contains(&format!(".{hole}"));
        let text = if code { (*arg).to_string() } else { word(arg) };
        out = out.replace(&hole, &text);
    }
    out
}

/// An "expected …" list of a syntax error (`` `for`, `where` or an
/// expression ``) in Chinese: each item is the same grammar rule described
/// in Chinese, so keywords read as the Chinese surface spells them
/// (`对象`、`其中`或表达式); other items go through [`word`].
fn expected_zh(list: &str) -> String {
    let mut items: Vec<String> = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    let mut i = 0;
    while let Some(c) = list.get(i..).and_then(|r| r.chars().next()) {
        let rest = list.get(i..).unwrap_or("");
        let sep = [", ", " or "].into_iter().find(|s| rest.starts_with(s));
        match c {
            '`' => quoted = !quoted,
            '(' | '（' if !quoted => depth += 1,
            ')' | '）' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        if let (Some(sep), false, 0) = (sep, quoted, depth) {
            items.push(list.get(start..i).unwrap_or("").to_string());
            i += sep.len();
            start = i;
            continue;
        }
        i += c.len_utf8();
    }
    items.push(list.get(start..).unwrap_or("").to_string());
    let mut zh: Vec<String> = items
        .iter()
        .map(|t| word(&crate::syntax::expected_in(t, Lang::Zh).unwrap_or_else(|| t.clone())))
        .collect();
    zh.dedup();
    match zh.pop() {
        Some(last) if !zh.is_empty() => format!("{}或{last}", zh.join("、")),
        Some(last) => last,
        None => String::new(),
    }
}

/// Splits `a, b or c` at separators outside backticks.
fn list_items(text: &str) -> Option<(Vec<&str>, Option<&str>)> {
    let mut items = Vec::new();
    let mut last = None;
    let mut start = 0;
    let mut quoted = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'`') {
            quoted = !quoted;
        } else if !quoted {
            if text.get(i..).is_some_and(|r| r.starts_with(", ")) {
                items.push(text.get(start..i)?);
                start = i + 2;
                i += 2;
                continue;
            }
            if text.get(i..).is_some_and(|r| r.starts_with(" or ")) {
                items.push(text.get(start..i)?);
                last = Some(text.get(i + 4..)?);
                break;
            }
        }
        i += 1;
    }
    if items.is_empty() {
        return None;
    }
    if last.is_none() {
        items.push(text.get(start..)?);
    }
    Some((items, last))
}

/// An argument in Chinese: a known phrase, or a list of them
/// (`a, b or c`); anything else (names, numbers, code in backticks)
/// unchanged.
fn word(arg: &str) -> String {
    if let Some((_, zh)) = catalog::WORDS.iter().find(|(en, _)| *en == arg) {
        return (*zh).to_string();
    }
    if let Some(inner) = arg.strip_prefix("list of ") {
        return format!("{}列表", word(inner));
    }
    let Some((items, last)) = list_items(arg) else {
        return arg.to_string();
    };
    let known = |t: &str| t.starts_with('`') || catalog::WORDS.iter().any(|(en, _)| *en == t);
    if !items.iter().copied().chain(last).all(known) {
        return arg.to_string(); // a plain list of values: keep its commas
    }
    let mut out = items.iter().map(|t| word(t)).collect::<Vec<_>>().join("、");
    if let Some(l) = last {
        out.push('或');
        out.push_str(&word(l));
    }
    out
}

/// A type clash label such as `hours >= money`, in Chinese.
fn clash(text: &str) -> Option<String> {
    let mut parts = text.splitn(3, ' ');
    let (a, op, b) = (parts.next()?, parts.next()?, parts.next()?);
    let symbol = ["=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"];
    let known =
        |t: &str| catalog::WORDS.iter().any(|(en, _)| *en == t) || t.starts_with("list of ");
    (symbol.contains(&op) && known(a) && known(b)).then(|| format!("{} {op} {}", word(a), word(b)))
}

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The policy cannot be used.
    Error,
    /// Suspicious but usable.
    Warning,
}

/// A problem in a policy file: where, why, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// The file's name as given by the caller.
    pub file: String,
    /// Where in the file.
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: u32,
    /// 1-based column (in characters) of `span.start`.
    pub column: u32,
    /// One line, lowercase, no final period.
    pub message: String,
    /// What the underline says, if anything beyond the message.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Draws the diagnostic with its source line, rustc-style:
    ///
    /// ```text
    /// error: unknown field `hire_dat` on person
    ///  --> lvyuan.policy:12:32
    ///    |
    /// 12 |     within 1 year after t.hire_dat
    ///    |                           ^^^^^^^^ no such field
    ///    = help: did you mean `hire_date`?
    /// ```
    pub fn render(&self, source: &str) -> String {
        self.render_in(source, Lang::En)
    }

    /// The message in `lang`.
    pub fn message_in(&self, lang: Lang) -> Cow<'_, str> {
        translate(&self.message, lang)
    }

    /// The underline's label in `lang`.
    pub fn label_in(&self, lang: Lang) -> Option<Cow<'_, str>> {
        self.label.as_deref().map(|l| translate(l, lang))
    }

    /// The help line in `lang`.
    pub fn help_in(&self, lang: Lang) -> Option<Cow<'_, str>> {
        self.help.as_deref().map(|h| translate(h, lang))
    }

    /// The same diagnostic with its message, label and help in `lang`.
    pub fn in_lang(&self, lang: Lang) -> Diagnostic {
        Diagnostic {
            message: self.message_in(lang).into_owned(),
            label: self.label_in(lang).map(Cow::into_owned),
            help: self.help_in(lang).map(Cow::into_owned),
            ..self.clone()
        }
    }

    /// `file:line:column: message` in `lang`.
    pub fn display_in(&self, lang: Lang) -> String {
        let message = self.message_in(lang);
        match lang {
            Lang::En => format!("{}:{}:{}: {message}", self.file, self.line, self.column),
            Lang::Zh => format!(
                "{}:{}:{}（第{}行第{}列）：{message}",
                self.file, self.line, self.column, self.line, self.column
            ),
        }
    }

    /// [`Diagnostic::render`] in `lang`: in Chinese the level reads
    /// 错误/警告, the place also reads 第N行第M列, and help reads 提示.
    pub fn render_in(&self, source: &str, lang: Lang) -> String {
        let mut out = String::new();
        let (level, help_word, sep) = match (lang, self.level) {
            (Lang::En, Level::Error) => ("error", "help", ": "),
            (Lang::En, Level::Warning) => ("warning", "help", ": "),
            (Lang::Zh, Level::Error) => ("错误", "提示", "："),
            (Lang::Zh, Level::Warning) => ("警告", "提示", "："),
        };
        let _ = writeln!(out, "{level}{sep}{}", self.message_in(lang));
        let start = (self.span.start as usize).min(source.len());
        let line_start = source
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = source
            .get(start..)
            .and_then(|s| s.find('\n'))
            .map_or(source.len(), |i| start + i);
        let text = source
            .get(line_start..line_end)
            .unwrap_or("")
            .trim_end_matches('\r');
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let place = match lang {
            Lang::En => String::new(),
            Lang::Zh => format!("（第{}行第{}列）", self.line, self.column),
        };
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}{place}",
            self.file, self.line, self.column
        );
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {text}");
        let before = source.get(line_start..start).unwrap_or("");
        let end = (self.span.end as usize).clamp(start, line_end.max(start));
        let marked = source.get(start..end).unwrap_or("");
        let lead = " ".repeat(UnicodeWidthStr::width(before.replace('\t', " ").as_str()));
        let carets = "^".repeat(UnicodeWidthStr::width(marked).max(1));
        let label = self
            .label_in(lang)
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{pad} | {lead}{carets}{label}");
        if let Some(help) = self.help_in(lang) {
            let _ = writeln!(out, "{pad} = {help_word}{sep}{help}");
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Collects diagnostics for one file, turning spans into line and column.
#[derive(Debug)]
pub struct Sink<'a> {
    file: &'a str,
    source: &'a str,
    /// What has been reported so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// A sink for one file.
    pub fn new(file: &'a str, source: &'a str) -> Sink<'a> {
        Sink {
            file,
            source,
            diagnostics: Vec::new(),
        }
    }

    /// Reports an error; returns a handle to add a label or help.
    pub fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Level::Error, span, message.into())
    }

    /// Reports a warning.
    pub fn warning(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Level::Warning, span, message.into())
    }

    fn push(&mut self, level: Level, span: Span, message: String) -> &mut Diagnostic {
        let (line, column) = line_column(self.source, span.start as usize);
        self.diagnostics.push(Diagnostic {
            level,
            file: self.file.to_string(),
            span,
            line,
            column,
            message,
            label: None,
            help: None,
        });
        let last = self.diagnostics.len() - 1;
        #[expect(clippy::indexing_slicing, reason = "just pushed")]
        &mut self.diagnostics[last]
    }

    /// The file name diagnostics carry.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// The source text the spans point into.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }
}

impl Diagnostic {
    /// Sets the underline's label.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line as u32, column as u32)
}

/// Names longer than this get no suggestion: the edit distance is
/// quadratic, and a 100,000-character name must not stall the checker.
const MAX_SUGGEST_CHARS: usize = 100;

/// The closest candidate within a small edit distance, for "did you mean".
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let len = name.chars().count();
    if len > MAX_SUGGEST_CHARS {
        return None;
    }
    let cap = (len / 3).clamp(1, 3);
    candidates
        .into_iter()
        // The distance is at least the difference in length.
        .filter(|c| c.chars().count().abs_diff(len) <= cap)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= cap)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = row.get(j).copied().unwrap_or(0) + 1;
            row.push(sub.min(del).min(ins));
        }
        prev = row;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_lists_name_chinese_keywords() {
        let d = "expected `cite`, `where` or an expression, found `requre`";
        assert_eq!(
            translate(d, Lang::Zh),
            "此处应为`依据`、`其中`或表达式，实际是`requre`"
        );
        // What was found is what the author wrote: never respelled.
        assert_eq!(
            translate("expected `where`, found `for`", Lang::Zh),
            "此处应为`其中`，实际是`for`"
        );
        assert_eq!(translate(d, Lang::En), d);
    }

    /// The first string literal after each `.error(`, `.warning(`,
    /// `.label(` and `.help(` in `source`, as a sample message (holes
    /// filled with `X`); calls whose message is a variable are skipped
    /// (the zh diagnostics snapshots cover those).
    fn literal_messages(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for call in [".error(", ".warning(", ".label(", ".help("] {
            for (i, _) in source.match_indices(call) {
                let tail = source.get(i + call.len()..).unwrap_or("");
                let Some(q) = tail.find('"') else { continue };
                let before = tail.get(..q).unwrap_or("");
                if before.contains([';', '{', ')']) && !before.trim_end().ends_with("format!(") {
                    continue;
                }
                let body = tail.get(q + 1..).unwrap_or("");
                let mut lit = String::new();
                let mut chars = body.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                lit.push(n);
                            }
                        }
                        '"' => break,
                        _ => lit.push(c),
                    }
                }
                // Holes become `X`; `{{` and `}}` are braces.
                let mut sample = String::new();
                let mut it = lit.chars().peekable();
                while let Some(c) = it.next() {
                    match (c, it.peek()) {
                        ('{', Some('{')) | ('}', Some('}')) => {
                            it.next();
                            sample.push(c);
                        }
                        ('{', _) if before.contains("format!") => {
                            for d in it.by_ref() {
                                if d == '}' {
                                    break;
                                }
                            }
                            sample.push('X');
                        }
                        _ => sample.push(c),
                    }
                }
                if sample.chars().any(|c| c.is_alphabetic() && c != 'X') {
                    out.push(sample);
                }
            }
        }
        out
    }

    /// Every message the parser and checker spell out has Chinese.
    #[test]
    fn every_reported_message_has_chinese() {
        let sources = [
            include_str!("syntax/parse.rs"),
            include_str!("check/mod.rs"),
            include_str!("check/expr.rs"),
            include_str!("policy_set.rs"),
        ];
        let missing: Vec<String> = sources
            .iter()
            .flat_map(|s| literal_messages(s))
            .filter(|m| !has_translation(m))
            .collect();
        assert!(
            missing.is_empty(),
            "no Chinese in diagnostic/catalog.rs for {missing:#?}"
        );
        assert!(literal_messages(sources[1]).len() > 50);
    }

    #[test]
    fn arguments_are_translated_but_code_is_not() {
        assert_eq!(
            translate("expected `for` or a name, found `x`", Lang::Zh),
            "此处应为`对象`或名称，实际是`x`"
        );
        assert_eq!(
            translate("did you mean `person`?", Lang::Zh),
            "是不是想写 `person`？"
        );
        assert_eq!(translate("hours >= money", Lang::Zh), "学时 >= 金额");
        assert_eq!(
            translate("kinds are course, seminar", Lang::Zh),
            "活动类型有：course, seminar"
        );
        assert_eq!(
            translate("not in the catalog", Lang::Zh),
            "not in the catalog"
        );
    }

    #[test]
    fn suggestions_respect_the_distance_cap() {
        let fields = ["hire_date", "birth_date", "post_start_date"];
        assert_eq!(did_you_mean("hire_dat", fields), Some("hire_date"));
        assert_eq!(did_you_mean("brith_date", fields), Some("birth_date"));
        assert_eq!(did_you_mean("salary", fields), None);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "// 中文\nrule x";
        assert_eq!(line_column(src, src.find("rule").unwrap()), (2, 1));
        assert_eq!(line_column(src, src.find('文').unwrap()), (1, 5));
    }

    #[test]
    fn underline_accounts_for_wide_characters() {
        let src = "cite \"三(二)\" bad";
        let mut sink = Sink::new("a.policy", src);
        let at = src.find("bad").unwrap();
        sink.error(Span::new(at, at + 3), "oops").label("here");
        let text = sink.diagnostics[0].render(src);
        assert!(text.contains("\n  |               ^^^ here\n"), "{text}");
    }
}
