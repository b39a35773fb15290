//! The command line's own errors in the reader's language.
//!
//! Commands build an error as English text (`error: …` / `help: …` lines);
//! [`localize`] rewrites it at the edge. Policy diagnostics and data
//! problems arrive already drawn in the language (`render_in`); their lines
//! are left alone. A known reason at the end of a message (a system error,
//! another crate's detail) is translated too ([`reason`]).
//!
//! Also here: clap's errors said again from their kind and context
//! ([`clap_error`]; clap has no translations), progress lines ([`status`])
//! and `tenet test`'s output ([`test_report`]). The tests fail when a
//! literal `error:`/`warning:`/`help:` line of any file of `src/`, or a
//! line `tenet test` writes, has no Chinese.

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
    ("  … and {} more", "  …… 另有{0}条"),
    (
        "  `{}` is enrolled in `{}` but has no attendance row for {} session(s); counted absent",
        "  `{0}` 参加了 `{1}`，但有{2}次课没有考勤记录；按缺勤计",
    ),
    ("formatted {}", "已格式化 {0}"),
    (
        "{}: not in the canonical layout (run `tenet fmt {}`)",
        "{0}：不是规范格式（请运行 `tenet fmt {1}`）",
    ),
    (
        "wrote {} people, {} activities, {} enrollments, {} attendance rows to `{}`",
        "已写出{0}名人员、{1}项活动、{2}条参训记录、{3}条考勤记录到 `{4}`",
    ),
    (
        "added token `{}` to `{}`; it is shown only now — store it safely",
        "已把令牌 `{0}` 加入 `{1}`；令牌只显示这一次，请妥善保存",
    ),
    ("cannot write standard output: {}", "无法写入标准输出：{0}"),
    // sanity.rs
    ("`--teachers {}` is out of range", "`--teachers {0}` 超出范围"),
    ("`--years {}` is out of range", "`--years {0}` 超出范围"),
    ("give 1 to {}", "请给出1到{0}之间的数"),
    (
        "`--start-year {}` with `--years {}` writes years outside 1900..9999, which a dataset cannot hold",
        "`--start-year {0}` 加 `--years {1}` 会写出1900..9999以外的年份，数据集存不下",
    ),
    ("give a first year from 1900 to {}", "请给出1900到{0}之间的起始年份"),
    (
        "the policies given have no rules, so nothing would be checked",
        "给出的政策中没有规则，没有什么可检查的",
    ),
    (
        "pass the policy that holds the rules, not only the files it imports",
        "请给出写有规则的政策文件，而不只是它引入的文件",
    ),
    (
        "`{}` is a {}, and no selected rule is about a {}",
        "`{0}` 是{1}，而选中的规则都不针对{2}",
    ),
    ("the selected rules are about: {}", "选中的规则针对的是：{0}"),
    (
        "the dataset holds no people, activities or mentorships; most rules have nothing to check",
        "数据集中没有人员、活动或结对记录；大多数规则没有可检查的对象",
    ),
    (
        "the evaluation date {} is before every policy's effective range (the first starts {}); no window has begun",
        "评估日期 {0} 早于所有政策的有效期（最早的从 {1} 开始）；还没有任何统计周期开始",
    ),
    ("pass `--as-of` on or after {}", "请给出不早于 {0} 的 `--as-of`"),
    // sql_cmd.rs
    ("policy `{}`, {}", "政策 `{0}`，{1}"),
    (
        "rule `{}`: {} is not compiled to SQL",
        "规则 `{0}`：{1} 暂不能编译为 SQL",
    ),
    (
        "run it with the native evaluator (`tenet check --data …`)",
        "请用内置评估器运行（`tenet check --data …`）",
    ),
    (
        "`tenet sql` needs --policy (or a subcommand: schema, load, checks, render)",
        "`tenet sql` 需要 --policy（或一个子命令：schema、load、checks、render）",
    ),
    ("`{}` is missing", "缺少 `{0}`"),
    ("`tenet sql render` takes one policy", "`tenet sql render` 只接受一个政策"),
    (
        "--db is for --engine duckdb|postgres",
        "--db 只用于 --engine duckdb|postgres",
    ),
    // tenet-sql's errors (engine.rs, rows.rs)
    ("cannot connect to {}: {}", "无法连接 {0}：{1}"),
    ("the engine refused the query: {}", "数据库引擎拒绝了查询：{0}"),
    (
        "this build of tenet has no {} client (build with the `{}` feature)",
        "这个 tenet 版本没有 {0} 客户端（请启用 `{1}` 特性重新构建）",
    ),
    ("result row {}: {}", "结果第{0}行：{1}"),
    // tenet-server's start errors and tokens
    (
        "refusing to serve `{}` without `--tokens`: without tokens anyone can call the server, so it listens only on a loopback address (127.0.0.1)",
        "拒绝在 `{0}` 上提供服务：没有 `--tokens` 时任何人都能调用服务器，所以只监听本机回环地址（127.0.0.1）",
    ),
    ("cannot access `{}`: {}", "无法访问 `{0}`：{1}"),
    ("unknown token", "未知的令牌"),
    ("token `{}` expired on {}", "令牌 `{0}` 已于 {1} 过期"),
    // clap: the command line's own arguments (see `clap_error`)
    ("unexpected argument `{}`", "无法识别的参数 `{0}`"),
    ("unknown command `{}`", "未知的子命令 `{0}`"),
    ("commands are: {}", "子命令有：{0}"),
    ("`{}` needs a value", "`{0}` 后面需要一个值"),
    ("`{}` is not a valid value for `{}`", "`{0}` 不是 `{1}` 的有效取值"),
    ("`{}` is not a valid value for `{}`: {}", "`{0}` 不是 `{1}` 的有效取值：{2}"),
    ("values are: {}", "可用的取值有：{0}"),
    ("missing required argument: {}", "缺少必需的参数：{0}"),
    ("`{}` cannot be used with `{}`", "`{0}` 不能和 `{1}` 一起使用"),
    ("`{}` takes one value, given more than once", "`{0}` 只能给一次"),
    ("too many values for `{}`: `{}`", "`{0}` 的值太多：`{1}`"),
    ("`{}` needs a command", "`{0}` 后面需要一个子命令"),
    (
        "`{}` is not a language: use `en` or `zh`",
        "`{0}` 不是可用的语言：请用 `en` 或 `zh`",
    ),
    (
        "`{}` is not a date; write YYYY-MM-DD, e.g. 2024-06-30",
        "`{0}` 不是日期；请写成 YYYY-MM-DD，例如 2024-06-30",
    ),
    ("for more, run `{}`", "更多说明请运行 `{0}`"),
    ("the command line is not valid", "命令行参数有误"),
];

/// A command-line error of clap's (an unknown argument, a missing or bad
/// value, a missing required argument) as the `error:`/`help:` lines
/// [`localize`] translates, and a `usage:` line. clap has no translations
/// of its own: its error kind and context (the argument, the value, the
/// valid values, its suggestion) are read and said again here.
pub fn clap_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind as K, ContextValue as V, ErrorKind};
    let text = |k: K| match e.get(k) {
        Some(V::String(s)) => Some(s.clone()),
        Some(V::Strings(v)) if !v.is_empty() => Some(v.join("`, `")),
        Some(V::StyledStr(s)) => Some(s.to_string()),
        Some(V::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let list = |k: K| match e.get(k) {
        Some(V::Strings(v)) => v.clone(),
        Some(V::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let arg = text(K::InvalidArg).unwrap_or_default();
    let value = text(K::InvalidValue).unwrap_or_default();
    // clap orders its suggestions by confidence, the best last.
    let suggestion = [K::SuggestedArg, K::SuggestedSubcommand, K::SuggestedValue]
        .into_iter()
        .find_map(|k| list(k).pop());
    let did_you_mean = suggestion.map(|s| format!("did you mean `{s}`?"));
    let (message, help) = match e.kind() {
        ErrorKind::UnknownArgument => (format!("unexpected argument `{arg}`"), did_you_mean),
        ErrorKind::InvalidSubcommand => {
            let command = text(K::InvalidSubcommand).unwrap_or_default();
            let help = did_you_mean.or_else(|| {
                let valid = list(K::ValidSubcommand);
                (!valid.is_empty()).then(|| format!("commands are: {}", valid.join(", ")))
            });
            (format!("unknown command `{command}`"), help)
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals if value.is_empty() => (
            format!("`{arg}` needs a value"),
            values_help(&list(K::ValidValue)),
        ),
        ErrorKind::InvalidValue => (
            format!("`{value}` is not a valid value for `{arg}`"),
            values_help(&list(K::ValidValue)).or(did_you_mean),
        ),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(ToString::to_string);
            (format!("`{value}` is not a valid value for `{arg}`"), why)
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = list(K::InvalidArg)
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            (format!("missing required argument: {missing}"), None)
        }
        ErrorKind::MissingSubcommand => {
            let parent = text(K::InvalidSubcommand).unwrap_or_default();
            let valid = list(K::ValidSubcommand);
            let help = (!valid.is_empty()).then(|| format!("commands are: {}", valid.join(", ")));
            (format!("`{parent}` needs a command"), help)
        }
        ErrorKind::ArgumentConflict => {
            let prior = text(K::PriorArg).unwrap_or_default();
            (format!("`{arg}` cannot be used with `{prior}`"), None)
        }
        ErrorKind::TooManyValues => (format!("too many values for `{arg}`: `{value}`"), None),
        _ => (
            "the command line is not valid".to_string(),
            e.to_string()
                .lines()
                .next()
                .map(|l| l.trim_start_matches("error: ").to_string()),
        ),
    };
    let mut out = format!("error: {message}");
    if let Some(h) = help {
        out.push_str(&format!("\nhelp: {h}"));
    }
    if let Some(usage) = text(K::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim().to_string();
        let command: Vec<&str> = usage
            .split(' ')
            .take_while(|w| !w.starts_with(['[', '-', '<']))
            .collect();
        out.push_str(&format!("\nusage: {usage}"));
        out.push_str(&format!("\nfor more, run `{} --help`", command.join(" ")));
    }
    out
}

fn values_help(valid: &[String]) -> Option<String> {
    (!valid.is_empty()).then(|| format!("values are: {}", valid.join(", ")))
}

/// The lines of `tenet test`'s output (policy_test.rs): `(English,
/// Chinese)`; a line matching none (a problem in its own words, the
/// coverage table) stays as written.
const TEST_LINES: &[(&str, &str)] = &[
    ("  ok    {} ({} expectations)", "  通过  {0}（{1}条预期）"),
    (
        "  FAIL  {} ({} of {} expectations hold)",
        "  未通过  {0}（{2}条预期中{1}条成立）",
    ),
    (
        "  FAIL  {}: the case's data does not load",
        "  未通过  {0}：用例的数据无法加载",
    ),
    ("  FAIL  {}", "  未通过  {0}"),
    ("  no cases in `{}`", "  `{0}` 中没有测试用例"),
    (
        "coverage (a passing and a failing case per rule):",
        "覆盖情况（每条规则各有一个通过和一个未通过的用例）：",
    ),
    ("{} passed, {} failed", "{0}条通过，{1}条未通过"),
    ("        {}: cannot read: {}", "        {0}：无法读取：{1}"),
    (
        "        {}: the header must name as_of, rule, subject and status",
        "        {0}：表头必须包含 as_of、rule、subject 和 status",
    ),
    (
        "        {}: `as_of` must be a date YYYY-MM-DD",
        "        {0}：`as_of` 必须是日期 YYYY-MM-DD",
    ),
    (
        "        {}: `status` must be one of pass, fail, pending, not_applicable, unknown",
        "        {0}：`status` 必须是 pass、fail、pending、not_applicable、unknown 之一",
    ),
    (
        "        {}: `window` must be START..END or START, found `{}`",
        "        {0}：`window` 必须写成 START..END 或 START，实际是 `{1}`",
    ),
    (
        "        {}: `rule` and `subject` must not be empty",
        "        {0}：`rule` 和 `subject` 不能为空",
    ),
    (
        "        expect.csv:{}: policy `{}` has no rule `{}`",
        "        expect.csv:{0}：政策 `{1}` 没有规则 `{2}`",
    ),
];

/// `tenet test`'s output in `lang`, line by line.
pub fn test_report(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .map(|l| {
            let (body, end) = match l.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (l, ""),
            };
            match lookup(body, TEST_LINES) {
                Some(zh) => format!("{zh}{end}"),
                None => l.to_string(),
            }
        })
        .collect()
}

/// The reasons the system gives for a file that cannot be read or
/// written (`std::io::Error`'s text), and the reasons of `read.rs`, in
/// Chinese: they fill the last hole of a message (`cannot read `x`: …`).
const REASONS: &[(&str, &str)] = &[
    ("No such file or directory (os error 2)", "文件或目录不存在"),
    ("Permission denied (os error 13)", "没有访问权限"),
    ("Is a directory (os error 21)", "这是一个目录"),
    ("Not a directory (os error 20)", "路径中有一段不是目录"),
    ("File exists (os error 17)", "文件已存在"),
    ("No space left on device (os error 28)", "磁盘空间不足"),
    ("Read-only file system (os error 30)", "文件系统是只读的"),
    ("stream did not contain valid UTF-8", "内容不是有效的 UTF-8 文本"),
    ("not a regular file", "不是普通文件"),
    // tenet-sql's RowError: a row an engine wrote that cannot be read
    ("no `{}`", "没有 `{0}` 列"),
    ("no rule {}", "没有第{0}条规则"),
    ("a bad rule_ix", "rule_ix 无效"),
    ("a bad status", "status 无效"),
    ("a bad window", "window 无效"),
    ("a bad figure `{}` / `{}`", "数值 `{0}` / `{1}` 无效"),
    ("invalid digit found in string", "含有无效的数字"),
    ("invalid socket address syntax", "地址格式无效"),
    ("number too large to fit in target type", "数字太大"),
    (
        "an import must name a `.policy` file",
        "import 必须指向一个 `.policy` 文件",
    ),
    (
        "an import must stay inside the directory of the policy files given (or below it)",
        "import 必须在给出的政策文件所在的目录（或其子目录）之内",
    ),
    (
        "the file is larger than {} bytes, the limit for a policy file; split it and `import` the parts",
        "文件超过了{0}字节，这是政策文件的上限；请拆开后用 `import` 引入各部分",
    ),
];

/// A reason (the end of a message) in `lang`; unknown reasons unchanged.
pub fn reason(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Zh => lookup(text, REASONS).unwrap_or_else(|| text.to_string()),
    }
}

/// `text` (already in Chinese) with its last part, after the last `：`,
/// in Chinese when it is a known reason: a message whose last argument is
/// a system error or another crate's detail.
fn with_reasons(text: String) -> String {
    let Some((head, tail)) = text.rsplit_once('：') else {
        return text;
    };
    match lookup(tail, REASONS) {
        Some(zh) => format!("{head}：{zh}"),
        None => text,
    }
}

/// One line of the command line's text in `lang`.
fn line(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    with_reasons(
        lookup(text, MESSAGES)
            .or_else(|| lookup(text, REASONS))
            .unwrap_or_else(|| translate(text, lang).into_owned()),
    )
}

/// A line the command prints about its progress (`formatted x.policy`),
/// not prefixed by `error:`, in `lang`.
pub fn status(text: &str, lang: Lang) -> String {
    if text.starts_with("error: ") || text.starts_with("warning: ") {
        return localize(text, lang);
    }
    text.lines()
        .map(|l| line(l, lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` (one line, holes filled) has Chinese here or in the
/// diagnostic catalog.
#[cfg(test)]
fn has_chinese(text: &str) -> bool {
    lookup(text, MESSAGES).is_some()
        || lookup(text, REASONS).is_some()
        || tenet::diagnostic::has_translation(text)
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
            // A usage line is the command as typed: not translated.
            if let Some(rest) = l.strip_prefix("usage: ") {
                return format!("用法：{rest}");
            }
            if l.starts_with("for more, run `") {
                return line(l, lang);
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every source file of the command line, by name.
    const SOURCES: &[(&str, &str)] = &[
        ("explain.rs", include_str!("explain.rs")),
        ("html.rs", include_str!("html.rs")),
        ("lib.rs", include_str!("lib.rs")),
        ("main.rs", include_str!("main.rs")),
        ("messages.rs", include_str!("messages.rs")),
        ("names.rs", include_str!("names.rs")),
        ("output.rs", include_str!("output.rs")),
        ("policy_test.rs", include_str!("policy_test.rs")),
        ("read.rs", include_str!("read.rs")),
        ("sanity.rs", include_str!("sanity.rs")),
        ("schema_cmd.rs", include_str!("schema_cmd.rs")),
        ("sql_cmd.rs", include_str!("sql_cmd.rs")),
    ];

    /// A new file in `src/` is scanned too: it must be listed above.
    #[test]
    fn every_source_file_is_scanned() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".rs"))
            .collect();
        files.sort();
        let listed: Vec<&str> = SOURCES.iter().map(|(n, _)| *n).collect();
        assert_eq!(files, listed, "list every file of src/ in SOURCES");
    }

    /// The string literal starting at `body` (just after its `"`), escapes
    /// read.
    fn literal(body: &str) -> String {
        let mut lit = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => lit.push('\n'),
                    Some('\n') => {
                        // a continued line: leading blanks are not text
                        while chars.clone().next().is_some_and(char::is_whitespace) {
                            chars.next();
                        }
                    }
                    Some(n) => lit.push(n),
                    None => {}
                },
                '"' => break,
                _ => lit.push(c),
            }
        }
        lit
    }

    /// Every error and warning the command line spells out has Chinese:
    /// each literal `error: …` / `warning: …` / `help: …` line of every file
    /// of `src/`, holes filled; and every reason `read.rs` gives.
    #[test]
    fn every_cli_error_has_chinese() {
        let mut missing = Vec::new();
        let mut checked = 0;
        for (file, source) in SOURCES {
            let starts = ["\"error: ", "\"warning: ", "\"help: "];
            let mut at: Vec<usize> = starts
                .iter()
                .flat_map(|s| source.match_indices(s).map(|(i, _)| i))
                .collect();
            if *file == "read.rs" {
                // Its reasons end a message: `Err("…".into())`, `format!("…"`.
                at.extend(source.match_indices("Err(\"").map(|(i, _)| i + 4));
                at.extend(
                    source
                        .match_indices("format!(\n            \"")
                        .map(|(i, l)| i + l.len() - 1),
                );
                at.extend(
                    source
                        .match_indices("Err(\n                \"")
                        .map(|(i, l)| i + l.len() - 1),
                );
            }
            for i in at {
                let lit = literal(source.get(i + 1..).unwrap_or(""));
                for l in lit.lines() {
                    let rest = match l.split_once(": ") {
                        Some((head, rest)) if ["error", "warning", "help"].contains(&head) => rest,
                        _ if *file == "read.rs" => l,
                        _ => continue,
                    };
                    if rest.trim().is_empty() {
                        continue; // a prefix as code matches it
                    }
                    if rest.starts_with('{')
                        && rest.ends_with('}')
                        && rest.matches('{').count() == 1
                    {
                        continue; // a whole error passed on, rendered elsewhere
                    }
                    let sample = holes_to_x(rest);
                    checked += 1;
                    if !has_chinese(&sample) {
                        missing.push(format!("{file}: {sample}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no Chinese in messages.rs for {missing:#?}"
        );
        assert!(
            checked > 50,
            "only {checked} messages found: is the scan broken?"
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

    /// Every string literal of `source` (char literals `'"'` skipped).
    fn all_literals(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = source.chars().peekable();
        let mut prev = ' ';
        while let Some(c) = chars.next() {
            if c == '"' && prev != '\'' {
                let mut lit = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                lit.push(if e == 'n' { '\n' } else { e });
                            }
                        }
                        '"' => break,
                        _ => lit.push(d),
                    }
                }
                out.push(lit);
                prev = '"';
                continue;
            }
            prev = c;
        }
        out
    }

    /// Every line `tenet test` writes in words (policy_test.rs), and
    /// every problem it finds in an `expect.csv`, has Chinese.
    #[test]
    fn test_report_lines_are_translated() {
        let source = include_str!("policy_test.rs");
        let mut samples = Vec::new();
        for lit in all_literals(source) {
            for l in lit.lines() {
                let words = l.starts_with("  ok")
                    || l.starts_with("  FAIL")
                    || l.starts_with("  no cases")
                    || l.starts_with("coverage")
                    || l.contains(" passed, ")
                    || l.contains(" must ")
                    || l.contains(" has no rule ")
                    || l.contains("cannot read: ");
                if words {
                    let indent = if l.starts_with("  ")
                        || l.contains(" passed, ")
                        || l.starts_with("coverage")
                    {
                        ""
                    } else {
                        "        " // a problem, listed under its case
                    };
                    samples.push(format!("{indent}{}", holes_to_x(l)));
                }
            }
        }
        assert!(samples.len() >= 12, "{samples:#?}");
        let missing: Vec<&String> = samples
            .iter()
            .filter(|l| lookup(l, TEST_LINES).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "no Chinese in TEST_LINES for {missing:#?}"
        );
    }

    #[test]
    fn reasons_after_a_message_are_translated() {
        assert_eq!(
            localize(
                "error: cannot read `x.policy`: No such file or directory (os error 2)",
                Lang::Zh
            ),
            "错误：无法读取 `x.policy`：文件或目录不存在"
        );
        assert_eq!(
            localize("error: result row 3: a bad status", Lang::Zh),
            "错误：结果第3行：status 无效"
        );
        assert_eq!(reason("not a regular file", Lang::Zh), "不是普通文件");
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
