//! What can go wrong while loading, as plain data, and its one-line rendering.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use tenet::diagnostic::Lang;
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
    /// A database named by `--data` could not be read: a bad URL, no
    /// connection, refused credentials, a failed query.
    #[error("cannot read database `{database}`: {message}")]
    Database {
        /// The database, shown without its password.
        database: String,
        /// What went wrong, and where (table, column) when known.
        message: String,
    },
    /// The data has problems; every one found is listed, in file order.
    #[error("{} problem(s) in the dataset:\n{}", count(.0.iter()), render_problems(.0, 20))]
    Invalid(Vec<Problem>),
}

/// How many problems the list stands for: those kept, and those only
/// counted ([`Reason::More`]).
fn count<'p>(problems: impl IntoIterator<Item = &'p Problem>) -> usize {
    problems
        .into_iter()
        .map(|p| match p.reason {
            Reason::More { count } => count,
            _ => 1,
        })
        .sum()
}

impl LoadError {
    /// The error in `lang`, as its `Display` writes it in English.
    ///
    /// ```
    /// use tenet::diagnostic::Lang;
    /// let e = tenet_io::LoadError::Unsupported { path: "x.txt".into() };
    /// assert_eq!(e.render_in(Lang::Zh), "无法加载 `x.txt`：应为一个存放 CSV 文件的目录、一个 `.json` 文件或一个 `.xlsx` 工作簿");
    /// ```
    pub fn render_in(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, LoadError::Io { path, source }) => {
                format!("无法访问 `{}`：{source}", path.display())
            }
            (Lang::Zh, LoadError::Unsupported { path }) => format!(
                "无法加载 `{}`：应为一个存放 CSV 文件的目录、一个 `.json` 文件或一个 `.xlsx` 工作簿",
                path.display()
            ),
            // The database's own message (from its driver) stays as written.
            (Lang::Zh, LoadError::Database { database, message }) => {
                format!("无法读取数据库 `{database}`：{message}")
            }
            (Lang::Zh, LoadError::Invalid(problems)) => format!(
                "数据中有{}处问题：\n{}",
                count(problems),
                render_problems_in(problems, 20, lang)
            ),
        }
    }

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
    /// A table of a database, read in key order as if exported to CSV
    /// (the header is line 1): `sqlite:data.db[people]:14:5`.
    Database,
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
                SourceKind::Csv | SourceKind::Xlsx | SourceKind::Database => {
                    out.push_str(&format!(":{}", self.line))
                }
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
        f.write_str(&self.render_in(Lang::En))
    }
}

impl Problem {
    /// The place, the column and why, in `lang`: the line `Display` writes
    /// in English, e.g. `people.csv:14:5 (birth_date): invalid date …`.
    ///
    /// ```
    /// use tenet::diagnostic::Lang;
    /// use tenet_io::{Problem, Reason, SourceKind};
    /// let p = Problem { file: "people.csv".into(), source: SourceKind::Csv, sheet: None, line: 14,
    ///     column: Some(5), field: Some("birth_date".into()), value: Some("2023-02-30".into()),
    ///     reason: Reason::BadDate { detail: "no such day" } };
    /// assert_eq!(p.render_in(Lang::Zh), "people.csv:14:5（第14行第5列，`birth_date` 列）：日期 `2023-02-30` 无效：没有这一天");
    /// ```
    pub fn render_in(&self, lang: Lang) -> String {
        let mut out = self.location();
        match lang {
            Lang::En => {
                if let Some(field) = &self.field {
                    out.push_str(&format!(" ({field})"));
                }
                out.push_str(": ");
            }
            Lang::Zh => {
                let mut place = Vec::new();
                if self.line > 0 {
                    let line = match self.source {
                        SourceKind::Json => format!("第{}条记录", self.line),
                        SourceKind::Csv | SourceKind::Xlsx | SourceKind::Database => {
                            format!("第{}行", self.line)
                        }
                    };
                    match self.column {
                        Some(c) => place.push(format!("{line}第{c}列")),
                        None => place.push(line),
                    }
                }
                if let Some(field) = &self.field {
                    place.push(format!("`{field}` 列"));
                }
                if !place.is_empty() {
                    out.push_str(&format!("（{}）", place.join("，")));
                }
                out.push('：');
            }
        }
        out.push_str(&self.reason_in(lang));
        out
    }

    /// Why, in `lang`. Every reason is spelled in both languages here, so a
    /// new one does not compile until it has its Chinese.
    fn reason_in(&self, lang: Lang) -> String {
        let value = shown(self.value.as_deref().unwrap_or(""));
        let field = self.field.as_deref().unwrap_or("");
        let zh = lang == Lang::Zh;
        let pick = |en: String, zh_text: String| if zh { zh_text } else { en };
        match &self.reason {
            Reason::BadDate { detail } => pick(
                format!("invalid date `{value}`: {detail}"),
                format!("日期 `{value}` 无效：{}", date_detail_zh(detail)),
            ),
            Reason::BadDecimal => pick(
                format!("invalid decimal `{value}`: expected a plain decimal such as `2.5` or `10770000.00`"),
                format!("数字 `{value}` 无效：应为普通小数，例如 `2.5` 或 `10770000.00`"),
            ),
            Reason::DecimalPrecision => pick(
                format!("decimal `{value}` has more digits than an exact decimal holds (28 significant digits); it is not rounded"),
                format!("数字 `{value}` 的位数超过了精确小数能保存的28位有效数字；不会做舍入"),
            ),
            Reason::BadInteger => pick(
                format!("invalid whole number `{value}`: expected digits such as `2023`"),
                format!("整数 `{value}` 无效：应为数字，例如 `2023`"),
            ),
            Reason::BadBool => pick(
                format!("invalid boolean `{value}`: expected `true` or `false`"),
                format!("是否值 `{value}` 无效：应为 `true` 或 `false`"),
            ),
            Reason::UnknownValue { what, found, allowed } => {
                let found = shown(found);
                let inside = if found == value {
                    String::new()
                } else if zh {
                    format!("（在 `{value}` 中）")
                } else {
                    format!(" in `{value}`")
                };
                pick(
                    format!("unknown {what} `{found}`{inside}: expected one of {}", allowed.join(", ")),
                    format!(
                        "未知的{} `{found}`{inside}：应为以下之一：{}",
                        tenet::diagnostic::translate(what, lang),
                        allowed.join(", ")
                    ),
                )
            }
            Reason::MissingValue => pick(
                format!("missing value: `{field}` is required"),
                format!("缺少值：`{field}` 必须填写"),
            ),
            Reason::MissingColumn => pick(
                format!("missing required column `{field}`"),
                format!("缺少必需的列 `{field}`"),
            ),
            Reason::DuplicateColumn => pick(
                format!("column `{field}` appears twice in the header"),
                format!("表头中 `{field}` 列出现了两次"),
            ),
            Reason::MissingFile => match self.source {
                SourceKind::Csv => pick("missing required file".into(), "缺少必需的文件".into()),
                SourceKind::Xlsx => pick("missing required sheet".into(), "缺少必需的工作表".into()),
                SourceKind::Json => pick("missing required array".into(), "缺少必需的数组".into()),
                SourceKind::Database => pick("missing required table".into(), "缺少必需的表".into()),
            },
            Reason::SpacedReference { expected, id, known } => pick(
                format!("unknown {expected} `{id}`: `{known}` exists but for spaces before or after it; ids are compared exactly — remove the spaces"),
                format!(
                    "未知的{} `{id}`：只有前后带空格的 `{known}`；id 按原样比较，请去掉空格",
                    tenet::diagnostic::translate(expected, lang)
                ),
            ),
            Reason::Separator { found } => {
                let (en, zh) = match found {
                    '\t' => ("tabs".to_string(), "制表符".to_string()),
                    c => (format!("`{c}`"), format!("`{c}`")),
                };
                pick(
                    format!("the columns are separated by {en}, not commas; save the file as CSV (comma-separated, 逗号分隔)"),
                    format!("各列之间用的是{zh}而不是逗号；请把文件另存为 CSV（逗号分隔）"),
                )
            }
            Reason::MissingReferenced { count, from } => {
                let (what, what_zh) = match self.source {
                    SourceKind::Csv => ("file", "文件"),
                    SourceKind::Xlsx => ("sheet", "工作表"),
                    SourceKind::Json => ("array", "数组"),
                    SourceKind::Database => ("table", "表"),
                };
                let from: Vec<String> = from.iter().map(|t| format!("`{t}`")).collect();
                pick(
                    format!(
                        "missing {what}, but {count} reference(s) in {} point into it; add it, or remove those rows",
                        from.join(", ")
                    ),
                    format!(
                        "缺少这个{what_zh}，但{}中有{count}处引用指向它；请补上它，或删掉那些行",
                        from.join("、")
                    ),
                )
            }
            Reason::FieldCount { expected, found } => pick(
                format!("row has {found} field(s) but the header has {expected}; the row is skipped"),
                format!("这一行有{found}个字段，但表头有{expected}个；这一行已跳过"),
            ),
            Reason::Encoding { encoding } => match *encoding {
                "UTF-8" => pick(
                    "the file is not valid UTF-8; a CSV saved by Chinese Excel is usually GBK (`--encoding gbk`)".into(),
                    "文件不是有效的 UTF-8；中文版 Excel 保存的 CSV 通常是 GBK 编码（请加 `--encoding gbk`）".into(),
                ),
                "GB18030/GBK" => pick(
                    "the file is not valid GB18030/GBK; try `--encoding utf-8` or `--encoding auto`".into(),
                    "文件不是有效的 GB18030/GBK；请试试 `--encoding utf-8` 或 `--encoding auto`".into(),
                ),
                "UTF-16 without a byte-order mark" => pick(
                    "the file looks like UTF-16 without a byte-order mark; save it as \"CSV UTF-8\" (in Excel: 另存为 → CSV UTF-8)".into(),
                    "文件看起来是没有字节顺序标记的 UTF-16；请另存为“CSV UTF-8”（Excel 中：另存为 → CSV UTF-8）".into(),
                ),
                other => pick(
                    format!("the file is not valid {other}; save it as UTF-8"),
                    format!("文件不是有效的 {other}；请另存为 UTF-8"),
                ),
            },
            Reason::Malformed { message } => pick(
                format!("cannot parse: {message}"),
                format!("无法解析：{message}"),
            ),
            Reason::More { count } => pick(
                format!("{count} more problem(s) in this file, not listed"),
                format!("此文件还有{count}处问题，未列出"),
            ),
            Reason::Data(kind) => kind.message_in(lang),
        }
    }
}

/// The Chinese of a date problem's detail.
fn date_detail_zh(detail: &str) -> String {
    match detail {
        "no such day" => "没有这一天".into(),
        "expected YYYY-MM-DD" => "应写成 YYYY-MM-DD".into(),
        other => tenet::diagnostic::translate(other, Lang::Zh).into_owned(),
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

/// Problems arriving one by one, of which only those [`capped`] could
/// show are kept: per file (or sheet), the first [`MAX_PROBLEMS`] in
/// report order (line, column, then arrival), and a count of the rest.
/// What `capped` makes of [`Kept::into_problems`] (with any other
/// problems) is what it would make of every problem kept, so a file of a
/// million bad rows costs the memory of the thousand that are shown.
#[derive(Default)]
pub(crate) struct Kept {
    groups: std::collections::BTreeMap<(String, Option<String>), Group>,
    arrived: u64,
}

#[derive(Default)]
struct Group {
    /// The greatest in report order on top, to be dropped first.
    best: std::collections::BinaryHeap<Ranked>,
    more: usize,
}

struct Ranked {
    rank: (u64, Option<u32>, u64),
    problem: Problem,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank.cmp(&other.rank)
    }
}

impl Kept {
    pub(crate) fn push(&mut self, problem: Problem) {
        self.arrived += 1;
        let rank = (problem.line, problem.column, self.arrived);
        let key = (problem.file.clone(), problem.sheet.clone());
        let group = self.groups.entry(key).or_default();
        if group.best.len() < MAX_PROBLEMS {
            group.best.push(Ranked { rank, problem });
            return;
        }
        group.more += 1;
        if group.best.peek().is_some_and(|worst| rank < worst.rank) {
            group.best.pop();
            group.best.push(Ranked { rank, problem });
        }
    }

    /// The problems kept, in the order they arrived, each file's count of
    /// the rest as a [`Reason::More`] after them.
    pub(crate) fn into_problems(self) -> Vec<Problem> {
        let mut ranked = Vec::new();
        let mut more = Vec::new();
        for (_, group) in self.groups {
            if let (Some(top), true) = (group.best.peek(), group.more > 0) {
                more.push(Problem {
                    line: 0,
                    column: None,
                    field: None,
                    value: None,
                    reason: Reason::More { count: group.more },
                    ..top.problem.clone()
                });
            }
            ranked.extend(group.best);
        }
        ranked.sort_by_key(|r| r.rank.2);
        ranked.into_iter().map(|r| r.problem).chain(more).collect()
    }
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
    render_problems_in(problems, cap, Lang::En)
}

/// [`render_problems`] in `lang`.
pub fn render_problems_in(problems: &[Problem], cap: usize, lang: Lang) -> String {
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
        let total = count(list.iter().copied());
        let noun = if total == 1 { "problem" } else { "problems" };
        out.push_str(&match lang {
            Lang::En => format!("{name}: {total} {noun}\n"),
            Lang::Zh => format!("{name}：{total}处问题\n"),
        });
        let listed = list
            .iter()
            .filter(|p| !matches!(p.reason, Reason::More { .. }));
        for p in listed.clone().take(cap) {
            out.push_str(&format!("  {}\n", p.render_in(lang)));
        }
        let shown = listed.count().min(cap);
        if total > shown {
            out.push_str(&match lang {
                Lang::En => format!("  and {} more\n", total - shown),
                Lang::Zh => format!("  另有{}处\n", total - shown),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    fn problem(file: u8, line: u64, column: Option<u32>, tag: usize) -> Problem {
        Problem {
            source: SourceKind::Csv,
            file: format!("f{file}.csv"),
            sheet: None,
            line,
            column,
            field: None,
            value: Some(tag.to_string()),
            reason: Reason::Data(DataErrorKind::DuplicateRow {
                key: String::new(),
                first_line: 0,
            }),
        }
    }

    /// What the loader does with every problem: sort by file, line and
    /// column (stably), then cap.
    fn report(mut problems: Vec<Problem>) -> Vec<Problem> {
        problems.sort_by_key(|p| {
            (
                p.file.clone(),
                matches!(p.reason, Reason::More { .. }),
                p.line,
                p.column,
            )
        });
        capped(problems)
    }

    proptest! {
        /// Keeping only what `capped` shows changes nothing it shows, nor
        /// the counts, in whatever order the problems arrive and however
        /// many share a line and column (up to 2,600 problems in two
        /// files: past the 1,000 kept in each).
        #[test]
        fn keeping_as_they_arrive_gives_the_report_of_keeping_everything(
            rows in proptest::collection::vec((0u8..2, 0u64..40, proptest::option::of(0u32..3)), 0..2600),
        ) {
            let all: Vec<Problem> = rows
                .iter()
                .enumerate()
                .map(|(i, &(f, line, column))| problem(f, line, column, i))
                .collect();
            let mut kept = Kept::default();
            for p in all.clone() {
                kept.push(p);
            }
            prop_assert_eq!(report(kept.into_problems()), report(all));
        }
    }
}
