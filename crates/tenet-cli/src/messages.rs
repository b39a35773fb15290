//! The command line's own errors in the reader's language.
//!
//! Commands build an error as English text (`error: …` / `help: …` lines);
//! [`localize`] rewrites it at the edge. Policy diagnostics and data
//! problems arrive already drawn in the language (`render_in`); their lines
//! are left alone.

use tenet::diagnostic::{lookup, translate, Lang};

/// `(English template, Chinese template)`; holes as in
/// `tenet::diagnostic`'s catalog.
const MESSAGES: &[(&str, &str)] = &[
    (
        "cannot start the language server: {}",
        "无法启动语言服务器：{0}",
    ),
    ("cannot read directory `{}`: {}", "无法读取目录 `{0}`：{1}"),
    ("no `.policy` files in `{}`", "`{0}` 中没有 `.policy` 文件"),
    ("policy file `{}` does not exist", "政策文件 `{0}` 不存在"),
    (
        "pass a `.policy` file or a directory of them",
        "请给出一个 `.policy` 文件，或存放这些文件的目录",
    ),
    ("data `{}` does not exist", "数据 `{0}` 不存在"),
    (
        "pass a directory of CSV files, a `.json` file or an `.xlsx` workbook",
        "请给出一个存放 CSV 文件的目录、一个 `.json` 文件或一个 `.xlsx` 工作簿",
    ),
    (
        "no policy `{}` (in `--rule {}`)",
        "没有政策 `{0}`（见 `--rule {1}`）",
    ),
    ("no rule `{}` in the policies", "政策中没有规则 `{0}`"),
    ("did you mean `{}`?", "是不是想写 `{0}`？"),
    ("rules are: {}", "规则有：{0}"),
    ("policies are: {}", "政策有：{0}"),
    (
        "--engine runs on --db; leave out --data",
        "--engine 在 --db 上运行；请去掉 --data",
    ),
    (
        "--engine lists no records: its explanations are at --detail brief",
        "--engine 不列出记录：其说明只有 --detail brief 一级",
    ),
    (
        "--rule, --subject and --only are not supported with --engine yet",
        "--engine 暂不支持 --rule、--subject 和 --only",
    ),
    (
        "no district, school, person, activity or mentorship has id `{}`",
        "没有哪个区、学校、教师、活动或结对的 id 是 `{0}`",
    ),
    (
        "ids are as in the data files; a mentorship's id is `mentor/trainee/program`",
        "id 与数据文件中的一致；结对的 id 写成 `导师/学员/项目`",
    ),
    (
        "--data is required (or --engine duckdb|postgres with --db)",
        "必须给出 --data（或用 --engine duckdb|postgres 加 --db）",
    ),
    (
        "--engine needs --db (a DuckDB file or a postgres:// URL)",
        "--engine 需要 --db（一个 DuckDB 文件或 postgres:// 地址）",
    ),
    ("cannot write `{}`: {}", "无法写入 `{0}`：{1}"),
    ("cannot write {}: {}", "无法写入{0}：{1}"),
    ("`{}` is not a directory", "`{0}` 不是目录"),
    (
        "pass the directory holding the `.policy` files, e.g. `tenet test policies`",
        "请给出存放 `.policy` 文件的目录，例如 `tenet test policies`",
    ),
    (
        "pass the directory holding the `.policy` files",
        "请给出存放 `.policy` 文件的目录",
    ),
    ("cannot read `{}`: {}", "无法读取 `{0}`：{1}"),
    ("unknown scope `{}`", "未知的权限范围 `{0}`"),
    (
        "scopes are read, check, admin",
        "权限范围有：read、check、admin",
    ),
    (
        "{} data-quality warning(s) in `{}`:",
        "`{1}` 中有{0}条数据质量警告：",
    ),
    ("{} errors in policies", "政策中有{0}处错误"),
    ("{} error in policies", "政策中有{0}处错误"),
];

/// One line of the command line's text in `lang`.
fn line(text: &str, lang: Lang) -> String {
    lookup(text, MESSAGES).unwrap_or_else(|| translate(text, lang).into_owned())
}

/// `error: …`, `warning: …` and `help: …` lines of `text` in `lang`;
/// other lines (already drawn diagnostics, listed problems) unchanged.
pub fn localize(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    text.lines()
        .map(|l| {
            for (en, zh) in [
                ("error: ", "错误："),
                ("warning: ", "警告："),
                ("help: ", "提示："),
            ] {
                if let Some(rest) = l.strip_prefix(en) {
                    return format!("{zh}{}", line(rest, lang));
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error the command line spells out has Chinese: each literal
    /// `error: …` / `help: …` line of main.rs, holes filled.
    #[test]
    fn every_cli_error_has_chinese() {
        let source = include_str!("main.rs");
        let mut missing = Vec::new();
        for (i, _) in source.match_indices("\"error: ") {
            let body = source.get(i + 1..).unwrap_or("");
            let mut lit = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('n') => lit.push('\n'),
                        Some(n) => lit.push(n),
                        None => {}
                    },
                    '"' => break,
                    _ => lit.push(c),
                }
            }
            for l in lit.lines() {
                let Some((_, rest)) = l.split_once(": ") else {
                    continue;
                };
                if rest.starts_with('{') && rest.ends_with('}') {
                    continue; // a whole error passed on, rendered elsewhere
                }
                let sample = holes_to_x(rest);
                if lookup(&sample, MESSAGES).is_none()
                    && !tenet::diagnostic::has_translation(&sample)
                {
                    missing.push(sample);
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no Chinese in messages.rs for {missing:#?}"
        );
    }

    fn holes_to_x(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '{' {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                out.push('X');
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn errors_and_help_lines_are_translated() {
        let text = "error: policy file `x.policy` does not exist\nhelp: pass a `.policy` file or a directory of them";
        assert_eq!(
            localize(text, Lang::Zh),
            "错误：政策文件 `x.policy` 不存在\n提示：请给出一个 `.policy` 文件，或存放这些文件的目录"
        );
        assert_eq!(localize(text, Lang::En), text);
    }
}
