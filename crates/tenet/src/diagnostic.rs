//! One span type and one diagnostic type for every stage, as plain data.
//! [`Diagnostic::render`] draws the source line with the span underlined;
//! front ends may draw their own (colour, LSP ranges) from the same data.

use serde::Serialize;
use std::fmt::{self, Write};
use unicode_width::UnicodeWidthStr;

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
        let mut out = String::new();
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let _ = writeln!(out, "{level}: {}", self.message);
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
        let _ = writeln!(out, "{pad}--> {}:{}:{}", self.file, self.line, self.column);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {text}");
        let before = source.get(line_start..start).unwrap_or("");
        let end = (self.span.end as usize).clamp(start, line_end.max(start));
        let marked = source.get(start..end).unwrap_or("");
        let lead = " ".repeat(UnicodeWidthStr::width(before.replace('\t', " ").as_str()));
        let carets = "^".repeat(UnicodeWidthStr::width(marked).max(1));
        let label = self
            .label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{pad} | {lead}{carets}{label}");
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} = help: {help}");
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
