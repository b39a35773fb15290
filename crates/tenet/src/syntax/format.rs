//! The canonical layout of policy text (`tenet fmt`).
//!
//! The formatter parses the file, prints the tree in one fixed layout and
//! puts every `//` comment back: a comment on a line of its own stays in
//! front of the line printed for the construct that follows it, a comment
//! after code stays at the end of the line printed for the construct it
//! followed. Literals keep the spelling the author chose (`¥1,077万`,
//! `2.5%`, `1:100`, `90 h`); strings are re-escaped from their value.

use super::ast::*;
use super::keywords::{keyword, spell, Lang};
use super::{parse, Limits};
use crate::diagnostic::{Diagnostic, Sink, Span};
use std::fmt;
use unicode_width::UnicodeWidthStr;

/// Why a file could not be formatted: it does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The syntax diagnostics, as [`parse`] reports them.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.diagnostics.is_empty() {
            return write!(f, "the policy does not parse");
        }
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FormatError {}

/// Lines longer than this (in display columns) are broken after `and`/`or`.
const MAX_WIDTH: usize = 100;

/// Formats one policy file in the canonical layout.
///
/// The result parses to the same tree as `source` (up to spans), keeps
/// every comment, and formatting it again changes nothing.
///
/// ```
/// let src = "policy p \"示例\"{rule r{for person t where t has teacher\n\
///            require credited_hours( t )>=90 h // 每年\n}}";
/// let out = tenet::syntax::format(src).unwrap();
/// assert_eq!(
///     out,
///     "policy p \"示例\" {\n  rule r {\n    for person t where t has teacher\n    \
///      require credited_hours(t) >= 90 h // 每年\n  }\n}\n"
/// );
/// assert_eq!(tenet::syntax::format(&out).unwrap(), out);
/// assert!(tenet::syntax::format("policy {").is_err());
/// ```
pub fn format(source: &str) -> Result<String, FormatError> {
    format_named("<input>", source)
}

/// Like [`format`](fn@format), with the file name the diagnostics should carry.
pub fn format_named(file: &str, source: &str) -> Result<String, FormatError> {
    format_lang(file, source, None)
}

/// Formats one policy file, printing its keywords in `lang` (`None`: the
/// surface the file is written in, told by its `policy` keyword).
///
/// ```
/// use tenet::syntax::{format_lang, Lang};
/// let en = "policy p {\n  rule r {\n    for person t where t has teacher\n    each calendar_year\n    \
///           require credited_hours(t) >= 90 h\n  }\n}\n";
/// let zh = format_lang("p.policy", en, Some(Lang::Zh)).unwrap();
/// assert_eq!(
///     zh,
///     "政策 p {\n  规则 r {\n    对象 人员 t 其中 t 具有 teacher\n    每年\n    \
///      要求 认定学时(t) 不少于 90 学时\n  }\n}\n"
/// );
/// assert_eq!(format_lang("p.policy", &zh, Some(Lang::En)).unwrap(), en);
/// assert_eq!(format_lang("p.policy", &zh, None).unwrap(), zh);
/// ```
pub fn format_lang(file: &str, source: &str, lang: Option<Lang>) -> Result<String, FormatError> {
    let mut sink = Sink::new(file, source);
    let Some(tree) = parse(source, &mut sink, Limits::default()) else {
        return Err(FormatError {
            diagnostics: sink.diagnostics,
        });
    };
    let lexed = Lexed::new(source);
    let explicit = lang.is_some();
    let lang = lang.unwrap_or_else(|| surface(source, &tree));
    let mut printer = Printer {
        src: source,
        lexed: &lexed,
        lines: Vec::new(),
        lang,
        units: explicit,
    };
    printer.file(&tree);
    Ok(layout(&printer.lines, &lexed.comments))
}

/// The surface a parsed file is written in: the spelling of its `policy`
/// keyword.
pub fn surface(source: &str, tree: &File) -> Lang {
    let at = tree.policy.span.start as usize;
    let zh = keyword("policy").map_or(&[][..], |k| k.zh.as_slice());
    if zh
        .iter()
        .any(|w| source.get(at..).is_some_and(|s| s.starts_with(w)))
    {
        Lang::Zh
    } else {
        Lang::En
    }
}

// ---------------------------------------------------------------- lexing

/// The grammar's `WHITESPACE`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A rough token: a string, a run of digits, a word, or one other char.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    end: usize,
    /// The text from `//`, trailing ASCII blanks removed.
    text: String,
    /// Nothing but whitespace before it on its line.
    own_line: bool,
    /// A blank line separates it from what comes before.
    blank_before: bool,
}

struct Lexed<'a> {
    src: &'a str,
    toks: Vec<Tok>,
    comments: Vec<Comment>,
}

impl<'a> Lexed<'a> {
    fn new(src: &'a str) -> Lexed<'a> {
        let mut toks = Vec::new();
        let mut comments = Vec::new();
        let mut chars = src.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_space(c) {
                continue;
            }
            let mut end = i + c.len_utf8();
            if c == '“' {
                for (j, d) in chars.by_ref() {
                    if d == '\n' {
                        end = j;
                        break;
                    }
                    end = j + d.len_utf8();
                    if d == '”' {
                        break;
                    }
                }
            } else if c == '"' {
                while let Some((j, d)) = chars.next() {
                    end = j + d.len_utf8();
                    match d {
                        '\\' => {
                            if let Some((k, e)) = chars.next() {
                                end = k + e.len_utf8();
                            }
                        }
                        '"' => break,
                        '\n' => {
                            end = j;
                            break;
                        }
                        _ => {}
                    }
                }
            } else if c == '/' && chars.peek().map(|(_, d)| *d) == Some('/') {
                while let Some((j, d)) = chars.peek().copied() {
                    if d == '\n' {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                comments.push(comment(src, i, end));
                continue;
            } else if c.is_ascii_digit() {
                while let Some((j, d)) = chars.peek().copied() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
            } else if is_word(c) {
                while let Some((j, d)) = chars.peek().copied() {
                    if !is_word(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
            }
            toks.push(Tok { start: i, end });
        }
        Lexed {
            src,
            toks,
            comments,
        }
    }

    fn text(&self, t: Tok) -> &'a str {
        self.src.get(t.start..t.end).unwrap_or("")
    }

    /// Start of the nearest token spelled as keyword `kw_<name>` (in
    /// either surface) that ends at or before `offset` (the keyword that
    /// opens a clause); `offset` if none.
    fn keyword_before(&self, offset: u32, names: &[&str]) -> usize {
        let offset = offset as usize;
        let n = self.toks.partition_point(|t| t.end <= offset);
        self.toks
            .get(..n)
            .unwrap_or(&[])
            .iter()
            .rev()
            .find(|t| {
                let text = self.text(**t);
                names
                    .iter()
                    .any(|name| keyword(name).is_some_and(|k| k.spelled(text)))
            })
            .map_or(offset, |t| t.start)
    }

    /// The first token starting at or after `offset`.
    fn token_at_or_after(&self, offset: usize) -> Option<(usize, Tok)> {
        let n = self.toks.partition_point(|t| t.start < offset);
        self.toks.get(n).map(|t| (n, *t))
    }

    /// The first token spelled `word` starting at or after `offset`.
    fn find_after(&self, offset: usize, word: &str) -> Option<Tok> {
        let n = self.toks.partition_point(|t| t.start < offset);
        self.toks
            .get(n..)
            .unwrap_or(&[])
            .iter()
            .find(|t| self.text(**t) == word)
            .copied()
    }
}

fn comment(src: &str, start: usize, end: usize) -> Comment {
    let before = src.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let own_line = before.get(line_start..).unwrap_or("").chars().all(is_space);
    let gap = before.len() - before.trim_end_matches(is_space).len();
    let newlines = before
        .get(before.len() - gap..)
        .unwrap_or("")
        .matches('\n')
        .count();
    let text = src
        .get(start..end)
        .unwrap_or("")
        .trim_end_matches([' ', '\t', '\r'])
        .to_string();
    Comment {
        start,
        end,
        text,
        own_line,
        blank_before: own_line && newlines >= 2,
    }
}

/// Literal text as written, whitespace runs collapsed to one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if is_space(c) {
            in_space = true;
        } else {
            if in_space && !out.is_empty() {
                out.push(' ');
            }
            in_space = false;
            out.push(c);
        }
    }
    out
}

/// A string literal for `value`.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------- lines

/// One construct printed on its own line (possibly wrapped onto more).
#[derive(Debug)]
struct Line {
    /// Indentation level (two spaces each).
    indent: usize,
    /// Physical rows; the first is at `indent`, the rest carry their own
    /// extra indentation.
    rows: Vec<String>,
    /// Source offset of the construct's first token.
    src: usize,
    /// Indentation of comments placed in front of this line.
    comment_indent: usize,
    /// A blank line goes before this line (and its comments).
    blank_before: bool,
    /// The line opens a block.
    opens: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Blank,
    Opener,
    Other,
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Places the comments around the printed lines and joins them.
fn layout(lines: &[Line], comments: &[Comment]) -> String {
    let mut order: Vec<(usize, usize)> =
        lines.iter().enumerate().map(|(i, l)| (l.src, i)).collect();
    order.sort_unstable();
    let mut leading: Vec<Vec<&Comment>> = lines.iter().map(|_| Vec::new()).collect();
    let mut trailing: Vec<Vec<&Comment>> = lines.iter().map(|_| Vec::new()).collect();
    let mut after_all: Vec<&Comment> = Vec::new();
    for c in comments {
        if c.own_line {
            // The first construct starting after the comment.
            let n = order.partition_point(|(src, _)| *src < c.end);
            match order.get(n).and_then(|(_, i)| leading.get_mut(*i)) {
                Some(list) => list.push(c),
                None => after_all.push(c),
            }
        } else {
            // The construct whose line holds the code before the comment:
            // the last one starting at or before that code.
            let n = order.partition_point(|(src, _)| *src < c.start);
            let at = n.checked_sub(1).and_then(|k| order.get(k)).map(|(_, i)| *i);
            match at.and_then(|i| trailing.get_mut(i)) {
                Some(list) => list.push(c),
                None => after_all.push(c),
            }
        }
    }
    // A line holds one trailing comment; the others go in front of the
    // next line.
    for i in 0..lines.len() {
        let extra: Vec<&Comment> = match trailing.get_mut(i) {
            Some(list) if list.len() > 1 => list.drain(1..).collect(),
            _ => continue,
        };
        match leading.get_mut(i + 1) {
            Some(next) => next.extend(extra),
            None => after_all.extend(extra),
        }
    }
    for list in &mut leading {
        list.sort_by_key(|c| c.start);
    }
    after_all.sort_by_key(|c| c.start);

    let mut out = String::new();
    let mut last = Last::Nothing;
    let put_comment = |out: &mut String, last: &mut Last, c: &Comment, level: usize| {
        if c.blank_before && matches!(*last, Last::Other) {
            out.push('\n');
        }
        indent(out, level);
        out.push_str(&c.text);
        out.push('\n');
        *last = Last::Other;
    };
    for (i, line) in lines.iter().enumerate() {
        if line.blank_before && last == Last::Other {
            out.push('\n');
            last = Last::Blank;
        }
        for c in leading.get(i).map_or(&[][..], |v| v.as_slice()) {
            put_comment(&mut out, &mut last, c, line.comment_indent);
        }
        let count = line.rows.len();
        for (k, row) in line.rows.iter().enumerate() {
            indent(&mut out, line.indent);
            out.push_str(row);
            if k + 1 == count {
                if let Some(c) = trailing.get(i).and_then(|t| t.first()) {
                    out.push(' ');
                    out.push_str(&c.text);
                }
            }
            out.push('\n');
        }
        last = if line.opens {
            Last::Opener
        } else {
            Last::Other
        };
    }
    for c in after_all {
        put_comment(&mut out, &mut last, c, 0);
    }
    out
}

// ---------------------------------------------------------------- printing

struct Printer<'a, 'l> {
    src: &'a str,
    lexed: &'l Lexed<'a>,
    lines: Vec<Line>,
    lang: Lang,
    /// Respell units in literals (`90 h` ↔ `90 学时`): only when a surface
    /// is asked for; otherwise literals keep the author's spelling.
    units: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Header,
    Param,
}

fn group(item: &Item) -> Option<Group> {
    match item {
        Item::Source(_) | Item::Effective { .. } => Some(Group::Header),
        Item::Param(_) => Some(Group::Param),
        _ => None,
    }
}

// Binding strength, loosest first (docs/language.md §9).
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

fn strength(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => match op {
            BinOp::Or => OR,
            BinOp::And => AND,
            BinOp::Add | BinOp::Sub => ADD,
            BinOp::Mul | BinOp::Div => MUL,
            _ => CMP,
        },
        ExprKind::Unary(UnOp::Not, _) => NOT,
        ExprKind::Unary(UnOp::Neg, _) => UNARY,
        ExprKind::Has(Some(_), _) | ExprKind::In { .. } => CMP,
        ExprKind::Of(..) => OF,
        ExprKind::Field(..) | ExprKind::Method(..) => POSTFIX,
        _ => ATOM,
    }
}

fn entity_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "person",
        EntityKind::School => "school",
        EntityKind::District => "district",
        EntityKind::Activity => "activity",
        EntityKind::Enrollment => "enrollment",
        EntityKind::Mentorship => "mentorship",
    }
}

impl Printer<'_, '_> {
    /// Keyword `kw_<name>` in the output surface.
    fn kw(&self, name: &str) -> &'static str {
        spell(name, self.lang)
    }

    /// `at least`, `no credit`, `hosted by`, `not in`: two English
    /// keywords, one Chinese phrase.
    fn phrase(&self, first: &str, second: &str, zh: &str) -> String {
        match self.lang {
            Lang::En => format!("{} {}", self.kw(first), self.kw(second)),
            Lang::Zh => self.kw(zh).to_string(),
        }
    }

    fn entity(&self, kind: EntityKind) -> &'static str {
        self.kw(entity_name(kind))
    }

    fn op(&self, op: BinOp) -> &'static str {
        let name = match op {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Lt => "lt",
            BinOp::Le => "le",
            BinOp::Gt => "gt",
            BinOp::Ge => "ge",
            other => return other.symbol(),
        };
        self.kw(name)
    }

    /// `calendar_year`, `2 weeks`; in Chinese `年`, `2周` (printed right
    /// after 每).
    fn period(&self, p: &Period) -> String {
        let (one, many) = match p.unit {
            PeriodUnit::CalendarYear => ("calendar_year", "calendar_year"),
            PeriodUnit::AcademicYear => ("academic_year", "academic_year"),
            PeriodUnit::Semester => ("semester", "semester"),
            PeriodUnit::Month => ("month", "months"),
            PeriodUnit::Week => ("week", "weeks"),
            PeriodUnit::Day => ("day", "days"),
        };
        match (p.count, self.lang) {
            (1, Lang::Zh) => keyword(one)
                .and_then(|k| k.zh.iter().min_by_key(|w| w.chars().count()).copied())
                .unwrap_or(one)
                .to_string(),
            (1, Lang::En) => self.kw(one).to_string(),
            (n, Lang::Zh) => format!("{n}{}", self.kw(many)),
            (n, Lang::En) => format!("{n} {}", self.kw(many)),
        }
    }

    /// `each <period>` / `every <period>`: 每 joins the period in Chinese.
    fn every(&self, name: &str, p: &Period) -> String {
        match self.lang {
            Lang::En => format!("{} {}", self.kw(name), self.period(p)),
            Lang::Zh => format!("{}{}", self.kw(name), self.period(p)),
        }
    }

    /// A literal whose spelling holds a unit keyword (`90 h`, `100 CNY`,
    /// `1 year`): the spelling as written, the unit in the output surface.
    /// Durations take the singular unit for 1 and the plural otherwise.
    fn unit_literal(&self, text: &str, units: &[(&str, &str)]) -> String {
        let text = collapse(text);
        if !self.units {
            return text;
        }
        let split = text
            .char_indices()
            .rev()
            .take_while(|(_, c)| !c.is_ascii_digit() && *c != ' ' && *c != '万')
            .last()
            .map_or(text.len(), |(i, _)| i);
        let (head, word) = text.split_at(split);
        let count: String = head.chars().filter(char::is_ascii_digit).collect();
        for (one, many) in units {
            let spelled = |name: &str| keyword(name).is_some_and(|k| k.spelled(word));
            if spelled(one) || spelled(many) {
                let name = if count == "1" || one == many {
                    one
                } else {
                    many
                };
                return format!("{head}{}", self.kw(name));
            }
        }
        text
    }

    fn push(&mut self, indent: usize, text: String, src: usize) {
        self.lines.push(Line {
            indent,
            rows: vec![text],
            src,
            comment_indent: indent,
            blank_before: false,
            opens: false,
        });
    }

    fn open(&mut self, indent: usize, text: String, src: usize, blank_before: bool) {
        self.lines.push(Line {
            indent,
            rows: vec![text],
            src,
            comment_indent: indent,
            blank_before,
            opens: true,
        });
    }

    fn close(&mut self, indent: usize, src: usize) {
        self.lines.push(Line {
            indent,
            rows: vec!["}".to_string()],
            src,
            comment_indent: indent + 1,
            blank_before: false,
            opens: false,
        });
    }

    fn text(&self, span: Span) -> &str {
        self.src
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn literal(&self, span: Span) -> String {
        collapse(self.text(span))
    }

    fn file(&mut self, file: &File) {
        for import in &file.imports {
            let src = self.lexed.keyword_before(import.span.start, &["import"]);
            self.push(
                0,
                format!("{} {}", self.kw("import"), quote(&import.value)),
                src,
            );
        }
        let policy = &file.policy;
        let mut head = format!("{} {}", self.kw("policy"), policy.id.name);
        let mut after_head = policy.id.span.end as usize;
        if let Some(title) = &policy.title {
            head.push(' ');
            head.push_str(&quote(&title.value));
            after_head = title.span.end as usize;
        }
        head.push_str(" {");
        self.open(
            0,
            head,
            policy.span.start as usize,
            !file.imports.is_empty(),
        );
        let mut prev_end = self
            .lexed
            .find_after(after_head, "{")
            .map_or(after_head, |t| t.end);
        let mut prev_group: Option<Option<Group>> = None;
        for item in &policy.items {
            let start = self
                .lexed
                .token_at_or_after(prev_end)
                .map_or(prev_end, |(_, t)| t.start);
            let g = group(item);
            let blank = match prev_group {
                None => false,
                Some(p) => p.is_none() || p != g,
            };
            prev_group = Some(g);
            let first = self.lines.len();
            prev_end = self.item(item, start);
            if let Some(line) = self.lines.get_mut(first) {
                line.blank_before = blank;
            }
        }
        self.close(0, (policy.span.end as usize).saturating_sub(1));
    }

    /// Prints one item; returns where it ends in the source.
    fn item(&mut self, item: &Item, start: usize) -> usize {
        match item {
            Item::Source(s) => {
                self.push(
                    1,
                    format!("{} {}", self.kw("source"), quote(&s.value)),
                    start,
                );
                s.span.end as usize
            }
            Item::Effective {
                start: from,
                end: to,
                span,
            } => {
                let text = format!(
                    "{} {} {} {}",
                    self.kw("effective"),
                    self.text(from.span),
                    self.kw("to"),
                    self.text(to.span)
                );
                self.push(1, text, start);
                span.end as usize
            }
            Item::Calendar(entries) => {
                self.open(1, format!("{} {{", self.kw("calendar")), start, false);
                for entry in entries {
                    match entry {
                        CalendarEntry::YearStart(md) => {
                            let src = self.lexed.keyword_before(md.span.start, &["academic_year"]);
                            let text = format!(
                                "{} {} {}",
                                self.kw("academic_year"),
                                self.kw("starts"),
                                self.text(md.span)
                            );
                            self.push(2, text, src);
                        }
                        CalendarEntry::Semester { name, start, end } => {
                            let src = self.lexed.keyword_before(name.span.start, &["semester"]);
                            let text = format!(
                                "{} {} {} {} {}",
                                self.kw("semester"),
                                name.name,
                                self.text(start.span),
                                self.kw("to"),
                                self.text(end.span)
                            );
                            self.push(2, text, src);
                        }
                    }
                }
                let close = self.lexed.find_after(start, "}");
                let (at, end) = close.map_or((start, start), |t| (t.start, t.end));
                self.close(1, at);
                end
            }
            Item::Param(p) => {
                let values: Vec<String> = p
                    .values
                    .iter()
                    .map(|(v, since)| match since {
                        Some(d) => format!(
                            "{} {} {}",
                            self.expr(v, 0),
                            self.kw("since"),
                            self.text(d.span)
                        ),
                        None => self.expr(v, 0),
                    })
                    .collect();
                let text = format!(
                    "{} {} = {}",
                    self.kw("param"),
                    p.name.name,
                    values.join(", ")
                );
                self.push(1, text, p.span.start as usize);
                p.span.end as usize
            }
            Item::Credit(c) => {
                self.credit(c);
                c.span.end as usize
            }
            Item::Rule(r) => {
                self.rule(r);
                r.span.end as usize
            }
        }
    }

    fn header(&self, keyword: &str, name: &Ident, title: Option<&Str>) -> String {
        let mut head = format!("{} {}", self.kw(keyword), name.name);
        if let Some(t) = title {
            head.push(' ');
            head.push_str(&quote(&t.value));
        }
        head
    }

    fn cite(&mut self, c: &Cite) {
        let src = self.lexed.keyword_before(c.clause.span.start, &["cite"]);
        let mut text = format!("{} {}", self.kw("cite"), quote(&c.clause.value));
        if let Some(q) = &c.quote {
            text.push(' ');
            text.push_str(&quote(&q.value));
        }
        self.push(2, text, src);
    }

    fn scope(&mut self, s: &Scope) {
        let src = self.lexed.keyword_before(s.kind_span.start, &["for"]);
        let mut text = format!("{} {} {}", self.kw("for"), self.entity(s.kind), s.var.name);
        if let Some(f) = &s.filter {
            text.push(' ');
            text.push_str(self.kw("where"));
            text.push(' ');
            text.push_str(&self.expr(f, 0));
        }
        self.push(2, text, src);
    }

    fn credit(&mut self, c: &CreditDecl) {
        let mut head = self.header("credit", &c.name, c.title.as_ref());
        head.push_str(" {");
        self.open(1, head, c.span.start as usize, false);
        for cite in &c.cites {
            self.cite(cite);
        }
        self.scope(&c.scope);
        for (cond, reason) in &c.denials {
            let src = self
                .lexed
                .keyword_before(cond.span.start, &["no", "no_credit"]);
            let reason = reason
                .as_ref()
                .map(|r| format!(" {}", quote(&r.value)))
                .unwrap_or_default();
            let prefix = format!(
                "{} {} ",
                self.phrase("no", "credit", "no_credit"),
                self.kw("when")
            );
            self.push_wrapped(2, &prefix, cond, &reason, src);
        }
        let src = self
            .lexed
            .keyword_before(c.otherwise.span.start, &["otherwise"]);
        let prefix = format!("{} ", self.kw("otherwise"));
        self.push_wrapped(2, &prefix, &c.otherwise, "", src);
        self.close(1, (c.span.end as usize).saturating_sub(1));
    }

    fn rule(&mut self, r: &RuleDecl) {
        let mut head = self.header("rule", &r.id, r.title.as_ref());
        match r.severity {
            Some((SeverityAst::Advisory, _)) => {
                head.push(' ');
                head.push_str(self.kw("advisory"));
            }
            Some((SeverityAst::Required, _)) => {
                head.push(' ');
                head.push_str(self.kw("required"));
            }
            None => {}
        }
        head.push_str(" {");
        self.open(1, head, r.span.start as usize, false);
        for cite in &r.cites {
            self.cite(cite);
        }
        for m in &r.messages {
            let src = self.lexed.keyword_before(m.span.start, &["message"]);
            self.push(
                2,
                format!("{} {}", self.kw("message"), quote(&m.value)),
                src,
            );
        }
        self.scope(&r.scope);
        if let Some(w) = &r.window {
            self.window(w);
        }
        match &r.require {
            Require::Check(e) => {
                let src = self.lexed.keyword_before(e.span.start, &["require"]);
                let prefix = format!("{} ", self.kw("require"));
                self.push_wrapped(2, &prefix, e, "", src);
            }
            Require::Cadence(c) => {
                let src = self.lexed.keyword_before(c.span.start, &["require"]);
                let by = if c.hosted {
                    self.phrase("hosted", "by", "hosted_by")
                } else {
                    self.kw("by").to_string()
                };
                let mut text = format!(
                    "{} {} {} {} {by} {} {}",
                    self.kw("require"),
                    self.phrase("at", "least", "at_least"),
                    c.at_least,
                    c.kind.name,
                    self.expr(&c.by, UNARY),
                    self.every("every", &c.every)
                );
                if let Some(f) = &c.filter {
                    text.push(' ');
                    text.push_str(self.kw("where"));
                    text.push(' ');
                    text.push_str(&self.expr(f, 0));
                }
                self.push(2, text, src);
            }
        }
        self.close(1, (r.span.end as usize).saturating_sub(1));
    }

    fn window(&mut self, w: &WindowAst) {
        let (mut text, bind, span) = match w {
            WindowAst::Each { period, bind, span } => (self.every("each", period), bind, span),
            WindowAst::Cycle {
                start,
                end,
                bind,
                span,
            } => (
                format!(
                    "{} {} {} {}",
                    self.kw("cycle"),
                    self.text(start.span),
                    self.kw("to"),
                    self.text(end.span)
                ),
                bind,
                span,
            ),
            WindowAst::Within {
                after, bind, span, ..
            } => {
                // The duration keeps its spelling: the two tokens after
                // `within` (a count and a unit, with no comment between).
                let length = self
                    .lexed
                    .token_at_or_after(span.start as usize)
                    .and_then(|(i, _)| {
                        let count = self.lexed.toks.get(i + 1)?;
                        let unit = self.lexed.toks.get(i + 2)?;
                        Some(self.unit_literal(self.src.get(count.start..unit.end)?, DURATION))
                    })
                    .unwrap_or_default();
                (
                    format!(
                        "{} {length} {} {}",
                        self.kw("within"),
                        self.kw("after"),
                        self.expr(after, 0)
                    ),
                    bind,
                    span,
                )
            }
            WindowAst::During { of, bind, span } => (
                format!("{} {}", self.kw("during"), self.expr(of, 0)),
                bind,
                span,
            ),
        };
        if let Some(b) = bind {
            text.push(' ');
            text.push_str(self.kw("as"));
            text.push(' ');
            text.push_str(&b.name);
        }
        self.push(2, text, span.start as usize);
    }

    /// Pushes `prefix expr suffix`, breaking it after the top-level
    /// `and`/`or` of `expr` when the line is wider than [`MAX_WIDTH`].
    fn push_wrapped(&mut self, indent: usize, prefix: &str, e: &Expr, suffix: &str, src: usize) {
        let flat = format!("{prefix}{}{suffix}", self.expr(e, 0));
        if width(&flat) + 2 * indent <= MAX_WIDTH {
            self.push(indent, flat, src);
            return;
        }
        let ExprKind::Binary(op @ (BinOp::Or | BinOp::And), ..) = &e.kind else {
            self.push(indent, flat, src);
            return;
        };
        let (first_min, rest_min) = if *op == BinOp::Or {
            (OR, AND)
        } else {
            (AND, NOT)
        };
        // a op b op c groups to the left: ((a op b) op c).
        let mut operands = Vec::new();
        let mut at = e;
        while let ExprKind::Binary(o, l, r) = &at.kind {
            if o != op {
                break;
            }
            operands.push(if *op == BinOp::Or {
                self.or_operand(r, rest_min)
            } else {
                self.expr(r, rest_min)
            });
            at = l;
        }
        operands.push(if *op == BinOp::Or {
            self.or_operand(at, first_min)
        } else {
            self.expr(at, first_min)
        });
        operands.reverse();
        let count = operands.len();
        let rows = operands
            .into_iter()
            .enumerate()
            .map(|(i, operand)| {
                let lead = if i == 0 {
                    prefix.to_string()
                } else {
                    "  ".to_string()
                };
                let tail = if i + 1 == count {
                    suffix.to_string()
                } else {
                    format!(" {}", self.op(*op))
                };
                format!("{lead}{operand}{tail}")
            })
            .collect();
        self.lines.push(Line {
            indent,
            rows,
            src,
            comment_indent: indent,
            blank_before: false,
            opens: false,
        });
    }

    // ------------------------------------------------------------ expressions

    /// Prints `e` where the context binds at least as tight as `min`,
    /// adding parentheses when `e` binds looser.
    fn expr(&self, e: &Expr, min: u8) -> String {
        let inner = crate::stack::guard(|| self.expr_bare(e));
        if strength(e) < min {
            format!("({inner})")
        } else {
            inner
        }
    }

    /// An operand of `or`: an `and` keeps its parentheses although
    /// precedence does not need them — `(a and b) or (c and d)` is how
    /// authors read mixed conditions.
    fn or_operand(&self, e: &Expr, min: u8) -> String {
        if matches!(e.kind, ExprKind::Binary(BinOp::And, ..)) {
            format!("({})", self.expr_bare(e))
        } else {
            self.expr(e, min)
        }
    }

    fn list(&self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|i| self.expr(i, 0)).collect();
        format!("[{}]", parts.join(", "))
    }

    fn args(&self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|i| self.expr(i, 0)).collect();
        format!("({})", parts.join(", "))
    }

    fn expr_bare(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Ratio(..)
            | ExprKind::Fraction(..)
            | ExprKind::Date(_) => self.literal(e.span),
            ExprKind::Hours(_) => self.unit_literal(self.text(e.span), &[("h", "h")]),
            ExprKind::Money(_) => self.unit_literal(self.text(e.span), &[("cny", "cny")]),
            ExprKind::Duration(_) => self.unit_literal(self.text(e.span), DURATION),
            ExprKind::Bool(b) => self.kw(if *b { "true" } else { "false" }).to_string(),
            ExprKind::Str(s) => quote(s),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Member => self.kw("it").to_string(),
            ExprKind::List(items) => self.list(items),
            ExprKind::Field(base, name) => format!("{}.{}", self.base(base), name.name),
            ExprKind::Method(base, name, args) => {
                format!("{}.{}{}", self.base(base), name.name, self.args(args))
            }
            ExprKind::Unary(UnOp::Neg, x) => format!("-{}", self.expr(x, UNARY)),
            ExprKind::Unary(UnOp::Not, x) => format!("{} {}", self.kw("not"), self.expr(x, NOT)),
            ExprKind::Binary(op, l, r) => {
                let (lmin, rmin) = match op {
                    BinOp::Or => (OR, AND),
                    BinOp::And => (AND, NOT),
                    BinOp::Add | BinOp::Sub => (ADD, MUL),
                    BinOp::Mul | BinOp::Div => (MUL, OF),
                    _ => (ADD, ADD),
                };
                let (left, right) = if *op == BinOp::Or {
                    (self.or_operand(l, lmin), self.or_operand(r, rmin))
                } else {
                    (self.expr(l, lmin), self.expr(r, rmin))
                };
                format!("{left} {} {right}", self.op(*op))
            }
            ExprKind::Of(l, r) => format!(
                "{} {} {}",
                self.expr(l, UNARY),
                self.kw("of"),
                self.expr(r, OF)
            ),
            ExprKind::Has(Some(x), role) => {
                format!("{} {} {}", self.expr(x, ADD), self.kw("has"), role.name)
            }
            ExprKind::Has(None, role) => format!("{} {}", self.kw("has"), role.name),
            ExprKind::In {
                negated,
                value,
                list,
            } => format!(
                "{} {} {}",
                self.expr(value, ADD),
                if *negated {
                    self.phrase("not", "in", "not_in")
                } else {
                    self.kw("in").to_string()
                },
                self.list(list)
            ),
            ExprKind::Aggregate {
                func,
                value,
                relation,
                filter,
            } => {
                let mut out = format!("{}(", self.kw(func.name()));
                if let Some(v) = value {
                    out.push_str(&self.expr(v, 0));
                    out.push(' ');
                    out.push_str(self.kw("in"));
                    out.push(' ');
                }
                out.push_str(self.kw(relation.kind.name()));
                if let Some((link, anchor)) = &relation.link {
                    let link = match link {
                        RelLink::Of => self.kw("of").to_string(),
                        RelLink::By => self.kw("by").to_string(),
                        RelLink::HostedBy => self.phrase("hosted", "by", "hosted_by"),
                    };
                    out.push_str(&format!(" {link} "));
                    out.push_str(&self.expr(anchor, UNARY));
                }
                if let Some(f) = filter {
                    out.push(' ');
                    out.push_str(self.kw("where"));
                    out.push(' ');
                    out.push_str(&self.expr(f, 0));
                }
                out.push(')');
                out
            }
            ExprKind::Credited { person, filter } => {
                let mut out = format!("{}({}", self.kw("credited_hours"), self.expr(person, 0));
                if let Some(f) = filter {
                    out.push(' ');
                    out.push_str(self.kw("where"));
                    out.push(' ');
                    out.push_str(&self.expr(f, 0));
                }
                out.push(')');
                out
            }
            ExprKind::Call { func, args, .. } => {
                format!("{}{}", self.kw(func.name()), self.args(args))
            }
        }
    }

    /// The receiver of `.field` / `.method()`. A fraction needs
    /// parentheses: `1/4.x` would read as `1 / 4.x`.
    fn base(&self, e: &Expr) -> String {
        match e.kind {
            ExprKind::Fraction(..) => format!("({})", self.expr_bare(e)),
            _ => self.expr(e, POSTFIX),
        }
    }
}

/// Duration units, singular and plural.
const DURATION: &[(&str, &str)] = &[
    ("year", "years"),
    ("month", "months"),
    ("week", "weeks"),
    ("day", "days"),
];

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}
