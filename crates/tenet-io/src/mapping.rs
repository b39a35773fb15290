//! Column and value names as bureaus export them: `姓名` for `name`, `是`
//! for `true`, `专任教师` for `full_time_teacher`, `线下` for `offline`,
//! `区级` for `district`.
//!
//! A [`Mapping`] translates header names (per table) and cell values (per
//! column) to the interchange names before a row is parsed. It starts from
//! the built-in Chinese names (listed in the crate README) and takes more
//! from a TOML file the user writes:
//!
//! ```toml
//! # header name in the file = interchange column, per table
//! [columns.people]
//! "工号" = "id"
//! "所在学校" = "org"
//!
//! # cell value = interchange value, per column
//! [values.level]
//! "县级" = "district"
//! [values.roles]
//! "骨干教师" = "teacher"
//! ```
//!
//! A value that maps to nothing and is not an interchange value is
//! reported like any other bad cell (file, line, column, value).

use crate::table::TableKind;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tenet::model::{FinanceItem, Kind, Level, Mode, Role, Status};

/// Translations of header names and cell values to interchange names.
///
/// ```
/// use tenet_io::Mapping;
/// let m = Mapping::from_toml("[values.level]\n\"县级\" = \"district\"\n").unwrap();
/// assert_eq!(m.value("level", "县级"), Some("district"));
/// assert_eq!(m.value("level", "区级"), Some("district")); // built in
/// assert_eq!(m.value("rural", "是"), Some("true"));
/// assert_eq!(m.column("people", "姓名"), Some("name"));
/// assert!(Mapping::from_toml("[values.level]\n\"县级\" = \"county\"\n").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// (table stem, header as written) → interchange column.
    columns: HashMap<(&'static str, String), &'static str>,
    /// (interchange column, value as written) → interchange value.
    values: HashMap<(&'static str, String), String>,
}

impl MappingError {
    /// The error in `lang`, as its `Display` writes it in English. What the
    /// file says (`[columns.people] "工号" = "id"`) and the names it may
    /// use are quoted as written.
    ///
    /// ```
    /// use tenet::diagnostic::Lang;
    /// let e = tenet_io::Mapping::from_toml("[columns.teachers]\n\"工号\" = \"id\"\n").unwrap_err();
    /// assert!(e.render_in(Lang::Zh).contains("[columns.teachers]：没有这个表；应为以下之一：districts, schools, people"), "{}", e.render_in(Lang::Zh));
    /// ```
    pub fn render_in(&self, lang: tenet::diagnostic::Lang) -> String {
        use tenet::diagnostic::Lang;
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, MappingError::Io { path, source }) => {
                format!("无法读取映射文件 `{}`：{source}", path.display())
            }
            (Lang::Zh, MappingError::Syntax { path, message }) => {
                format!("{}：映射文件不是有效的 TOML：{message}", path.display())
            }
            (Lang::Zh, MappingError::Invalid { path, problems }) => {
                let lines: Vec<String> = problems.iter().map(|p| problem_zh(p)).collect();
                format!("{}：{}", path.display(), lines.join("\n"))
            }
        }
    }
}

/// The reasons of [`MappingError::Invalid`]'s lines, in Chinese.
const PROBLEMS_ZH: &[(&str, &str)] = &[
    ("no such table", "没有这个表"),
    ("`{}` has no column `{}`", "`{0}` 没有 `{1}` 列"),
    ("values of `{}` are not mapped", "`{0}` 列的取值不做映射"),
    ("`{}` is not a {} value", "`{0}` 不是{1}的取值"),
];

/// `[where]: reason; expected one of a, b` with the reason in Chinese.
fn problem_zh(line: &str) -> String {
    let Some((place, rest)) = line.rsplit_once(": ") else {
        return line.to_string();
    };
    let (reason, list) = match rest.split_once("; expected one of ") {
        Some((r, l)) => (r, Some(l)),
        None => (rest, None),
    };
    let reason =
        tenet::diagnostic::lookup(reason, PROBLEMS_ZH).unwrap_or_else(|| reason.to_string());
    match list {
        Some(l) => format!("{place}：{reason}；应为以下之一：{l}"),
        None => format!("{place}：{reason}"),
    }
}

impl Default for Mapping {
    /// The built-in Chinese names.
    fn default() -> Mapping {
        Mapping::builtin()
    }
}

/// A mapping file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The file cannot be read.
    #[error("cannot read the mapping file `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML of the documented shape.
    #[error("{}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// Entries that name no table, column or value; all of them.
    #[error("{}: {}", path.display(), problems.join("\n"))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// One line per bad entry.
        problems: Vec<String>,
    },
}

/// The columns whose values the mapping translates, with the interchange
/// values each takes.
fn value_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("rural", vec!["true", "false"]),
        ("training_base", vec!["true", "false"]),
        ("roles", Role::names()),
        ("level", Level::names()),
        ("kind", Kind::names()),
        ("mode", Mode::names()),
        ("status", Status::names()),
        ("item", FinanceItem::names()),
    ]
}

/// Built-in header names, per table (DESIGN §2 fields; docs/language.md).
const BUILTIN_COLUMNS: &[(&str, &[(&str, &str)])] = &[
    (
        "districts",
        &[
            ("编号", "id"),
            ("区县编号", "id"),
            ("代码", "id"),
            ("名称", "name"),
            ("区县", "name"),
            ("区县名称", "name"),
        ],
    ),
    (
        "schools",
        &[
            ("编号", "id"),
            ("学校编号", "id"),
            ("学校代码", "id"),
            ("名称", "name"),
            ("学校名称", "name"),
            ("学校", "name"),
            ("区县", "district"),
            ("所属区县", "district"),
            ("农村学校", "rural"),
            ("是否农村学校", "rural"),
            ("培训基地", "training_base"),
            ("是否培训基地", "training_base"),
        ],
    ),
    (
        "people",
        &[
            ("编号", "id"),
            ("教师编号", "id"),
            ("人员编号", "id"),
            ("工号", "id"),
            ("姓名", "name"),
            ("单位", "org"),
            ("所在单位", "org"),
            ("学校", "org"),
            ("角色", "roles"),
            ("身份", "roles"),
            ("出生日期", "birth_date"),
            ("参加教育工作时间", "hire_date"),
            ("参加工作时间", "hire_date"),
            ("入职日期", "hire_date"),
            ("任现职时间", "post_start_date"),
        ],
    ),
    (
        "activities",
        &[
            ("编号", "id"),
            ("活动编号", "id"),
            ("名称", "title"),
            ("活动名称", "title"),
            ("标题", "title"),
            ("组织者", "organizer"),
            ("主办单位", "organizer"),
            ("承办单位", "host"),
            ("承办学校", "host"),
            ("送教学校", "host"),
            ("级别", "level"),
            ("层级", "level"),
            ("类型", "kind"),
            ("活动类型", "kind"),
            ("形式", "mode"),
            ("培训形式", "mode"),
            ("开始日期", "start_date"),
            ("结束日期", "end_date"),
            ("学时", "hours"),
        ],
    ),
    (
        "sessions",
        &[
            ("编号", "id"),
            ("课次编号", "id"),
            ("活动", "activity"),
            ("活动编号", "activity"),
            ("日期", "date"),
            ("学时", "hours"),
        ],
    ),
    (
        "enrollments",
        &[
            ("人员", "person"),
            ("教师", "person"),
            ("教师编号", "person"),
            ("人员编号", "person"),
            ("活动", "activity"),
            ("活动编号", "activity"),
        ],
    ),
    (
        "attendance",
        &[
            ("人员", "person"),
            ("教师", "person"),
            ("教师编号", "person"),
            ("人员编号", "person"),
            ("课次", "session"),
            ("课次编号", "session"),
            ("出勤", "status"),
            ("考勤", "status"),
            ("状态", "status"),
        ],
    ),
    (
        "mentorships",
        &[
            ("导师", "mentor"),
            ("学员", "trainee"),
            ("项目", "program"),
            ("开始日期", "start_date"),
            ("结束日期", "end_date"),
        ],
    ),
    (
        "finance",
        &[
            ("单位", "org"),
            ("年度", "year"),
            ("年份", "year"),
            ("科目", "item"),
            ("经费科目", "item"),
            ("项目", "item"),
            ("金额", "amount"),
        ],
    ),
];

const BOOLS: &[(&str, &str)] = &[
    ("是", "true"),
    ("否", "false"),
    ("有", "true"),
    ("无", "false"),
    ("√", "true"),
    ("×", "false"),
];

/// Built-in values, per column (docs/language.md's Chinese names, and the
/// short forms exports use).
const BUILTIN_VALUES: &[(&str, &[(&str, &str)])] = &[
    ("rural", BOOLS),
    ("training_base", BOOLS),
    (
        "roles",
        &[
            ("教师", "teacher"),
            ("专任教师", "full_time_teacher"),
            ("正职校长", "principal"),
            ("校长", "principal"),
            ("园长", "principal"),
            ("正职校长/园长", "principal"),
            ("副校长", "vice_principal"),
            ("副园长", "vice_principal"),
            ("班主任", "head_teacher"),
            ("培训者团队成员", "trainer"),
            ("培训者", "trainer"),
            ("导师", "mentor"),
            ("心理健康教师", "psych_teacher"),
            ("心理教师", "psych_teacher"),
            ("后备干部", "reserve_cadre"),
            ("教研组长", "group_leader"),
        ],
    ),
    (
        "level",
        &[
            ("国家级", "national"),
            ("省级", "provincial"),
            ("市级", "municipal"),
            ("区县级", "district"),
            ("区级", "district"),
            ("县级", "district"),
            ("校级", "school"),
            ("校本", "school"),
        ],
    ),
    (
        "kind",
        &[
            ("课程", "course"),
            ("研讨", "seminar"),
            ("沙龙", "salon"),
            ("论坛", "forum"),
            ("工作坊", "workshop"),
            ("读书", "reading"),
            ("微项目", "micro_project"),
            ("送教", "delivered_lesson"),
            ("集体备课", "collective_prep"),
            ("简报", "newsletter"),
            ("总结", "summary"),
            ("档案袋", "portfolio"),
            ("每期主题", "theme"),
        ],
    ),
    (
        "mode",
        &[
            ("线上", "online"),
            ("网络", "online"),
            ("线下", "offline"),
            ("面授", "offline"),
            ("混合", "blended"),
            ("线上线下混合", "blended"),
        ],
    ),
    (
        "status",
        &[
            ("出勤", "present"),
            ("到", "present"),
            ("缺勤", "absent"),
            ("缺席", "absent"),
            ("请假", "excused"),
        ],
    ),
    (
        "item",
        &[
            ("年度公用经费预算总额", "public_funds_budget"),
            ("公用经费预算", "public_funds_budget"),
            ("教师培训经费", "teacher_training_funds"),
            ("校长工资总额", "principal_payroll"),
            ("校长培训专项经费", "principal_training_funds"),
            ("教职工工资总额", "staff_payroll"),
        ],
    ),
];

/// The shape of a mapping file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    columns: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

fn column_of(kind: TableKind, name: &str) -> Option<&'static str> {
    kind.columns()
        .iter()
        .map(|(c, _)| *c)
        .find(|c| c.eq_ignore_ascii_case(name))
}

impl Mapping {
    /// The built-in Chinese names of the interchange `value` of `column`,
    /// most common first (the language server shows them on hover).
    ///
    /// ```
    /// use tenet_io::Mapping;
    /// assert_eq!(Mapping::builtin_names("level", "district"), ["区县级", "区级", "县级"]);
    /// assert!(Mapping::builtin_names("level", "county").is_empty());
    /// ```
    pub fn builtin_names(column: &str, value: &str) -> Vec<&'static str> {
        BUILTIN_VALUES
            .iter()
            .filter(|(c, _)| *c == column)
            .flat_map(|(_, pairs)| pairs.iter())
            .filter(|(_, v)| *v == value)
            .map(|(name, _)| *name)
            .collect()
    }

    /// The built-in Chinese names only.
    pub fn builtin() -> Mapping {
        let mut m = Mapping {
            columns: HashMap::new(),
            values: HashMap::new(),
        };
        for (stem, pairs) in BUILTIN_COLUMNS {
            let Some(kind) = TableKind::from_stem(stem) else {
                continue;
            };
            for (alias, column) in *pairs {
                if let Some(c) = column_of(kind, column) {
                    m.columns.insert((kind.stem(), (*alias).to_string()), c);
                }
            }
        }
        let columns = value_columns();
        for (column, pairs) in BUILTIN_VALUES {
            let Some((c, _)) = columns.iter().find(|(c, _)| c == column) else {
                continue;
            };
            for (alias, value) in *pairs {
                m.values
                    .insert((c, (*alias).to_string()), (*value).to_string());
            }
        }
        m
    }

    /// The built-in names and those of a TOML mapping file (which win).
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Mapping::parse(&text, path)
    }

    /// As [`Mapping::load`], from the text of a mapping file.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        Mapping::parse(text, Path::new("mapping.toml"))
    }

    fn parse(text: &str, path: &Path) -> Result<Mapping, MappingError> {
        let file: File = toml::from_str(text).map_err(|e| MappingError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut m = Mapping::builtin();
        let mut problems = Vec::new();
        for (stem, pairs) in file.columns {
            let Some(kind) = TableKind::from_stem(&stem) else {
                let stems: Vec<_> = TableKind::ALL.iter().map(|k| k.stem()).collect();
                problems.push(format!(
                    "[columns.{stem}]: no such table; expected one of {}",
                    stems.join(", ")
                ));
                continue;
            };
            for (alias, column) in pairs {
                match column_of(kind, &column) {
                    Some(c) => {
                        m.columns.insert((kind.stem(), alias), c);
                    }
                    None => problems.push(format!(
                        "[columns.{stem}] \"{alias}\" = \"{column}\": `{stem}` has no column `{column}`; expected one of {}",
                        kind.columns().iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
        let columns = value_columns();
        for (field, pairs) in file.values {
            let Some((c, allowed)) = columns.iter().find(|(c, _)| *c == field) else {
                problems.push(format!(
                    "[values.{field}]: values of `{field}` are not mapped; expected one of {}",
                    columns
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            for (alias, value) in pairs {
                if allowed.contains(&value.as_str()) {
                    m.values.insert((c, alias), value);
                } else {
                    problems.push(format!(
                        "[values.{field}] \"{alias}\" = \"{value}\": `{value}` is not a {field} value; expected one of {}",
                        allowed.join(", ")
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(MappingError::Invalid {
                path: path.to_path_buf(),
                problems,
            })
        }
    }

    /// The interchange column a header names in a table (`people`), if the
    /// mapping knows the header.
    pub fn column(&self, table: &str, header: &str) -> Option<&'static str> {
        let kind = TableKind::from_stem(table)?;
        self.columns
            .get(&(kind.stem(), header.to_string()))
            .copied()
    }

    /// The interchange value a cell of a column (`level`) stands for, if
    /// the mapping knows the value.
    pub fn value(&self, column: &str, value: &str) -> Option<&str> {
        let (c, _) = value_columns().into_iter().find(|(c, _)| *c == column)?;
        self.values.get(&(c, value.to_string())).map(String::as_str)
    }

    /// As [`Mapping::column`], for the parser.
    pub(crate) fn header(&self, kind: TableKind, header: &str) -> Option<&'static str> {
        self.columns
            .get(&(kind.stem(), header.to_string()))
            .copied()
    }

    /// As [`Mapping::value`] for a column the parser knows by name.
    pub(crate) fn cell(&self, column: &'static str, value: &str) -> Option<&str> {
        if self.values.is_empty() {
            return None;
        }
        self.values
            .get(&(column, value.to_string()))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_name_maps_to_an_interchange_name() {
        // A typo in a built-in table would be dropped silently by
        // `builtin()`; count what it keeps.
        let m = Mapping::builtin();
        let columns: usize = BUILTIN_COLUMNS.iter().map(|(_, p)| p.len()).sum();
        let values: usize = BUILTIN_VALUES.iter().map(|(_, p)| p.len()).sum();
        assert_eq!(m.columns.len(), columns);
        assert_eq!(m.values.len(), values);
        let allowed = value_columns();
        for ((column, alias), value) in &m.values {
            let ok = allowed
                .iter()
                .find(|(c, _)| c == column)
                .map(|(_, ok)| ok.as_slice())
                .unwrap_or_default();
            assert!(ok.contains(&value.as_str()), "{column}: {alias} → {value}");
        }
    }

    #[test]
    fn a_file_adds_to_the_builtin_names_and_wins() {
        let m = Mapping::from_toml(
            "[columns.people]\n\"工号\" = \"ID\"\n\"单位\" = \"org\"\n[values.mode]\n\"线下\" = \"blended\"\n",
        );
        let m = match m {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(m.column("people", "工号"), Some("id"));
        assert_eq!(m.value("mode", "线下"), Some("blended"));
        assert_eq!(m.value("mode", "线上"), Some("online"));
    }

    #[test]
    fn every_bad_entry_is_named() {
        let text = "[columns.teachers]\n\"工号\" = \"id\"\n[columns.people]\n\"x\" = \"nom\"\n[values.level]\n\"县级\" = \"county\"\n[values.colour]\n\"红\" = \"red\"\n";
        let Err(MappingError::Invalid { problems, .. }) = Mapping::from_toml(text) else {
            panic!("accepted");
        };
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("[columns.teachers]")));
        assert!(problems.iter().any(|p| p.contains("has no column `nom`")));
        assert!(problems
            .iter()
            .any(|p| p.contains("`county` is not a level value")));
        assert!(problems.iter().any(|p| p.contains("[values.colour]")));
        // In Chinese every reason is Chinese; what the file says is not.
        let zh = Mapping::from_toml(text)
            .unwrap_err()
            .render_in(tenet::diagnostic::Lang::Zh);
        assert!(
            !zh.contains("expected one of") && !zh.contains(" is not "),
            "{zh}"
        );
        assert!(
            zh.contains(
                "[values.level] \"县级\" = \"county\"：`county` 不是级别的取值；应为以下之一："
            ),
            "{zh}"
        );
        assert!(zh.contains("`people` 没有 `nom` 列"), "{zh}");
    }

    #[test]
    fn syntax_errors_say_where() {
        let Err(e) = Mapping::from_toml("[values.level\n") else {
            panic!("accepted");
        };
        assert!(e.to_string().contains("line 1"), "{e}");
        let Err(e) = Mapping::from_toml("[value]\n") else {
            panic!("accepted");
        };
        assert!(e.to_string().contains("value"), "{e}");
    }
}
