//! What can go wrong while loading, as plain data, and its one-line rendering.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use tenet::model::DataErrorKind;

/// Why a load failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or directory could not be read or written.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path is neither a directory, a `.json` file nor an `.xlsx` file.
    #[error("cannot load `{}`: expected a directory of CSV files, a `.json` file or an `.xlsx` workbook", path.display())]
    Unsupported {
        /// The path.
        path: PathBuf,
    },
    /// The data has problems; every one found is listed, in file order.
    #[error("{} problem(s) in the dataset:\n{}", .0.len(), render_problems(.0, 20))]
    Invalid(Vec<Problem>),
}

impl LoadError {
    /// The problems, when the data itself is at fault.
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadError::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

/// The kind of source a problem was found in; decides how its place is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A CSV file: `people.csv:14:5`.
    Csv,
    /// A sheet of a workbook: `data.xlsx[people]:14:5`.
    Xlsx,
    /// An array of a JSON document: `data.json[people]#14` (record number).
    Json,
}

/// One problem in the data: where, which column, which value, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The kind of source.
    pub source: SourceKind,
    /// The file name (`people.csv`, `data.xlsx`, `data.json`).
    pub file: String,
    /// The sheet (XLSX) or array (JSON) name; `None` for CSV.
    pub sheet: Option<String>,
    /// 1-based line (the header is line 1), sheet row, or JSON record
    /// number; 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based column number, when known.
    pub column: Option<u32>,
    /// The column name, when the problem concerns one column.
    pub field: Option<String>,
    /// The offending value, as written.
    pub value: Option<String>,
    /// Why.
    pub reason: Reason,
}

/// Why a value, row or file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Not an ISO `YYYY-MM-DD` date, or no such day.
    BadDate {
        /// What is wrong with it.
        detail: &'static str,
    },
    /// Not a plain decimal such as `2.5`.
    BadDecimal,
    /// A plain decimal with more significant digits than an exact decimal
    /// holds (28); it is refused rather than rounded.
    DecimalPrecision,
    /// Not a whole number (years).
    BadInteger,
    /// Not `true` or `false`.
    BadBool,
    /// Not one of the allowed spellings of an enumeration.
    UnknownValue {
        /// What the value names (`kind`, `role`, …).
        what: &'static str,
        /// The unknown entry (for roles, one entry of the list).
        found: String,
        /// Every allowed spelling.
        allowed: Vec<&'static str>,
    },
    /// A required cell is empty.
    MissingValue,
    /// A required column is absent from the header.
    MissingColumn,
    /// The header is one cell that `found` separates into column names:
    /// the file is `;`- or tab-separated, not comma-separated.
    Separator {
        /// The separator the header uses.
        found: char,
    },
    /// The same column name appears twice in the header.
    DuplicateColumn,
    /// A required file (sheet, array) is absent.
    MissingFile,
    /// An optional file (sheet, array) is absent, but rows of another
    /// table refer to it (enrollments naming activities with no
    /// `activities.csv`): reported once, not once per row.
    MissingReferenced {
        /// How many references point into the missing table.
        count: usize,
        /// The tables whose rows refer to it, in the order found.
        from: Vec<String>,
    },
    /// A reference to an id that exists only with different surrounding
    /// spaces (`p1 ` for `p1`); ids are compared exactly.
    SpacedReference {
        /// What the reference should name (`person`, `activity`, …).
        expected: String,
        /// The id as the reference writes it.
        id: String,
        /// The id as its own table writes it.
        known: String,
    },
    /// A row has more or fewer fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The bytes are not valid in the file's encoding.
    Encoding {
        /// The encoding tried.
        encoding: &'static str,
    },
    /// The file cannot be parsed at all (broken CSV quoting, bad JSON, a
    /// corrupt workbook).
    Malformed {
        /// The parser's message.
        message: String,
    },
    /// The file had this many more problems, counted but not kept (past
    /// the first thousand).
    More {
        /// How many.
        count: usize,
    },
    /// A problem found while resolving rows against each other (duplicate
    /// id, unknown reference, end before start, hours out of range,
    /// attendance without enrollment, duplicate row). Serialized as the
    /// core's own tagged kind (`{"kind": "unknown_reference", ...}`).
    #[serde(untagged)]
    Data(DataErrorKind),
}

impl Problem {
    /// The place, e.g. `people.csv:14:5` or `data.xlsx[people]:14:5`.
    pub fn location(&self) -> String {
        let mut out = self.file.clone();
        if let Some(sheet) = &self.sheet {
            out.push('[');
            out.push_str(sheet);
            out.push(']');
        }
        if self.line > 0 {
            match self.source {
                SourceKind::Json => out.push_str(&format!("#{}", self.line)),
                SourceKind::Csv | SourceKind::Xlsx => out.push_str(&format!(":{}", self.line)),
            }
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out
    }

    /// The group this problem is listed under in [`render_problems`].
    fn group(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}[{sheet}]", self.file),
            None => self.file.clone(),
        }
    }
}

/// Longest value quoted in a message, in characters.
const MAX_SHOWN_CHARS: usize = 60;

/// A cell as quoted in a message: invisible characters (NUL, a stray
/// byte-order mark, other controls) escaped so the reader sees them, and a
/// long cell (a 10 MB paste) cut short with its length.
fn shown(value: &str) -> String {
    let escape = |c: char| c.is_control() || c == '\u{feff}';
    let mut out = String::new();
    let mut count = 0usize;
    for c in value.chars() {
        count += 1;
        if count > MAX_SHOWN_CHARS {
            continue;
        }
        if escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if count > MAX_SHOWN_CHARS {
        out.push_str(&format!("… ({count} characters)"));
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location())?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        f.write_str(": ")?;
        let value = shown(self.value.as_deref().unwrap_or(""));
        let field = self.field.as_deref().unwrap_or("");
        match &self.reason {
            Reason::BadDate { detail } => write!(f, "invalid date `{value}`: {detail}"),
            Reason::BadDecimal => write!(
                f,
                "invalid decimal `{value}`: expected a plain decimal such as `2.5` or `10770000.00`"
            ),
            Reason::DecimalPrecision => write!(
                f,
                "decimal `{value}` has more digits than an exact decimal holds (28 significant digits); it is not rounded"
            ),
            Reason::BadInteger => write!(
                f,
                "invalid whole number `{value}`: expected digits such as `2023`"
            ),
            Reason::BadBool => write!(f, "invalid boolean `{value}`: expected `true` or `false`"),
            Reason::UnknownValue {
                what,
                found,
                allowed,
            } => {
                let found = shown(found);
                write!(f, "unknown {what} `{found}`")?;
                if found != value {
                    write!(f, " in `{value}`")?;
                }
                write!(f, ": expected one of {}", allowed.join(", "))
            }
            Reason::MissingValue => write!(f, "missing value: `{field}` is required"),
            Reason::MissingColumn => write!(f, "missing required column `{field}`"),
            Reason::DuplicateColumn => write!(f, "column `{field}` appears twice in the header"),
            Reason::MissingFile => match self.source {
                SourceKind::Csv => write!(f, "missing required file"),
                SourceKind::Xlsx => write!(f, "missing required sheet"),
                SourceKind::Json => write!(f, "missing required array"),
            },
            Reason::SpacedReference {
                expected,
                id,
                known,
            } => write!(
                f,
                "unknown {expected} `{id}`: `{known}` exists but for spaces before or after it; ids are compared exactly — remove the spaces"
            ),
            Reason::Separator { found } => {
                let found = match found {
                    '\t' => "tabs".to_string(),
                    c => format!("`{c}`"),
                };
                write!(
                    f,
                    "the columns are separated by {found}, not commas; save the file as CSV (comma-separated, 逗号分隔)"
                )
            }
            Reason::MissingReferenced { count, from } => {
                let what = match self.source {
                    SourceKind::Csv => "file",
                    SourceKind::Xlsx => "sheet",
                    SourceKind::Json => "array",
                };
                let from: Vec<String> = from.iter().map(|t| format!("`{t}`")).collect();
                write!(
                    f,
                    "missing {what}, but {count} reference(s) in {} point into it; add it, or remove those rows",
                    from.join(", ")
                )
            }
            Reason::FieldCount { expected, found } => write!(
                f,
                "row has {found} field(s) but the header has {expected}; the row is skipped"
            ),
            Reason::Encoding { encoding } => match *encoding {
                "UTF-8" => write!(
                    f,
                    "the file is not valid UTF-8; a CSV saved by Chinese Excel is usually GBK (`--encoding gbk`)"
                ),
                "GB18030/GBK" => write!(
                    f,
                    "the file is not valid GB18030/GBK; try `--encoding utf-8` or `--encoding auto`"
                ),
                "UTF-16 without a byte-order mark" => write!(
                    f,
                    "the file looks like UTF-16 without a byte-order mark; save it as \"CSV UTF-8\" (in Excel: 另存为 → CSV UTF-8)"
                ),
                other => write!(f, "the file is not valid {other}; save it as UTF-8"),
            },
            Reason::Malformed { message } => write!(f, "cannot parse: {message}"),
            Reason::More { count } => write!(f, "{count} more problem(s) in this file, not listed"),
            Reason::Data(kind) => write!(f, "{kind}"),
        }
    }
}

/// Most problems kept per file (or sheet); the rest are counted.
pub(crate) const MAX_PROBLEMS: usize = 1000;

/// Keeps the first [`MAX_PROBLEMS`] problems of each file of a sorted
/// list, and counts the rest in one [`Reason::More`] at the end of the
/// file (merged with the count the parser made).
pub(crate) fn capped(problems: Vec<Problem>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let mut kept = 0usize;
    let mut more = 0usize;
    let mut group: Option<(String, Option<String>)> = None;
    let mut last: Option<Problem> = None;
    let close = |out: &mut Vec<Problem>, last: &Option<Problem>, more: usize| {
        if let (Some(p), true) = (last, more > 0) {
            out.push(Problem {
                line: 0,
                column: None,
                field: None,
                value: None,
                reason: Reason::More { count: more },
                ..p.clone()
            });
        }
    };
    for p in problems {
        let key = (p.file.clone(), p.sheet.clone());
        if group.as_ref() != Some(&key) {
            close(&mut out, &last, more);
            group = Some(key);
            kept = 0;
            more = 0;
        }
        match p.reason {
            Reason::More { count } => more += count,
            _ if kept < MAX_PROBLEMS => {
                kept += 1;
                out.push(p.clone());
            }
            _ => more += 1,
        }
        last = Some(p);
    }
    close(&mut out, &last, more);
    out
}

/// Renders problems grouped by file (or sheet), each group headed by its
/// count and showing at most `cap` problems followed by `and N more`.
///
/// ```
/// use tenet_io::{render_problems, Problem, Reason, SourceKind};
/// let p = Problem {
///     source: SourceKind::Csv,
///     file: "people.csv".into(),
///     sheet: None,
///     line: 14,
///     column: Some(5),
///     field: Some("birth_date".into()),
///     value: Some("2023-02-30".into()),
///     reason: Reason::BadDate { detail: "no such day" },
/// };
/// let text = render_problems(&[p.clone(), p], 1);
/// assert_eq!(
///     text,
///     "people.csv: 2 problems\n  people.csv:14:5 (birth_date): invalid date `2023-02-30`: no such day\n  and 1 more\n"
/// );
/// ```
pub fn render_problems(problems: &[Problem], cap: usize) -> String {
    let mut groups: Vec<(String, Vec<&Problem>)> = Vec::new();
    for p in problems {
        let name = p.group();
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, list)) => list.push(p),
            None => groups.push((name, vec![p])),
        }
    }
    let mut out = String::new();
    for (name, list) in groups {
        let more: usize = list
            .iter()
            .map(|p| match p.reason {
                Reason::More { count } => count.saturating_sub(1),
                _ => 0,
            })
            .sum();
        let total = list.len() + more;
        let noun = if total == 1 { "problem" } else { "problems" };
        out.push_str(&format!("{name}: {total} {noun}\n"));
        let listed = list
            .iter()
            .filter(|p| !matches!(p.reason, Reason::More { .. }));
        for p in listed.clone().take(cap) {
            out.push_str(&format!("  {p}\n"));
        }
        let shown = listed.count().min(cap);
        if total > shown {
            out.push_str(&format!("  and {} more\n", total - shown));
        }
    }
    out
}
