#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `--lang zh|en` and the locale: what the command line writes in each.

use assert_cmd::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const POLICY: &str = "crates/tenet-cli/tests/fixtures/lang/unknown_field.policy";

/// Runs `tenet` with `locale` as `LANG` (none when empty); returns exit code and stderr.
fn run(locale: &str, args: &[&str]) -> (i32, String) {
    let mut cmd = Command::cargo_bin("tenet").unwrap();
    cmd.current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    if !locale.is_empty() {
        cmd.env("LANG", locale);
    }
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn policy_diagnostics_follow_lang() {
    let args = ["check", "--policy", POLICY, "--data", "examples/lvyuan"];
    let (code, en) = run("", &args);
    assert_eq!(code, 2);
    insta::assert_snapshot!("policy_en", en);
    let zh_args = [
        "check",
        "--lang",
        "zh",
        "--policy",
        POLICY,
        "--data",
        "examples/lvyuan",
    ];
    let (code, zh) = run("", &zh_args);
    assert_eq!(code, 2);
    insta::assert_snapshot!("policy_zh", zh);
    // The locale alone asks for Chinese; `--lang` wins over it.
    assert_eq!(run("zh_CN.UTF-8", &args).1, zh);
    let en_args = [
        "--lang",
        "en",
        "check",
        "--policy",
        POLICY,
        "--data",
        "examples/lvyuan",
    ];
    assert_eq!(run("zh_CN.UTF-8", &en_args).1, en);
}

#[test]
fn cli_errors_follow_lang() {
    let args = [
        "check",
        "--policy",
        "no/such.policy",
        "--data",
        "examples/lvyuan",
    ];
    let (code, zh) = run("zh_CN.UTF-8", &args);
    assert_eq!(code, 2);
    insta::assert_snapshot!("missing_policy_zh", zh);
    let (_, en) = run("C", &args);
    assert!(
        en.starts_with("error: policy file `no/such.policy` does not exist"),
        "{en}"
    );
}

#[test]
fn data_problems_follow_lang() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(ROOT).join("examples/lvyuan");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "csv") {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    let people = dir.path().join("people.csv");
    let text = std::fs::read_to_string(&people).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "birth_date").unwrap();
    let mut row: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    row[col] = "1980-02-30".into();
    lines[1] = row.join(",");
    std::fs::write(&people, lines.join("\n") + "\n").unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, zh) = run(
        "",
        &[
            "check",
            "--lang",
            "zh",
            "--policy",
            "policies/lvyuan.policy",
            "--data",
            data,
        ],
    );
    assert_eq!(code, 2);
    let zh = zh.replace(data, "DATA");
    insta::assert_snapshot!("data_zh", zh);
}

/// clap's own errors (it has no translations) are said again in Chinese
/// under `--lang zh` or a Chinese locale; the exit code stays 2. In
/// English they are clap's, as before.
#[test]
fn argument_errors_follow_lang() {
    let cases: [(&str, &[&str], &[&str]); 6] = [
        (
            "unknown argument",
            &["check", "--polcy", "x.policy"],
            &[
                "错误：无法识别的参数 `--polcy`",
                "提示：是不是想写 `--policy`？",
                "用法：tenet check",
                "更多说明请运行 `tenet check --help`",
            ],
        ),
        (
            "missing value",
            &["check", "--policy"],
            &["错误：`--policy <POLICY>` 后面需要一个值"],
        ),
        (
            "invalid value",
            &["check", "--policy", "p.policy", "--format", "xml"],
            &[
                "错误：`xml` 不是 `--format <FORMAT>` 的有效取值",
                "提示：可用的取值有：text, json, markdown, html",
            ],
        ),
        (
            "invalid value from a value parser",
            &["check", "--policy", "p.policy", "--as-of", "2024-13-01"],
            &[
                "错误：`2024-13-01` 不是 `--as-of <AS_OF>` 的有效取值",
                "提示：`2024-13-01` 不是日期；请写成 YYYY-MM-DD，例如 2024-06-30",
            ],
        ),
        (
            "missing required argument",
            &["check", "--data", "examples/lvyuan"],
            &["错误：缺少必需的参数：`--policy <POLICY>`"],
        ),
        (
            "unknown command",
            &["chek"],
            &["错误：未知的子命令 `chek`", "提示：是不是想写 `check`？"],
        ),
    ];
    for (what, args, want) in cases {
        let zh_args: Vec<&str> = ["--lang", "zh"].iter().chain(args).copied().collect();
        for (locale, args) in [("", zh_args.as_slice()), ("zh_CN.UTF-8", args)] {
            let (code, err) = run(locale, args);
            assert_eq!(code, 2, "{what}: {err}");
            for line in want {
                assert!(err.contains(line), "{what}: no {line:?} in\n{err}");
            }
            assert!(!err.contains("error:"), "{what}: English left in\n{err}");
        }
        let (code, en) = run("", args);
        assert_eq!(code, 2, "{what}: {en}");
        assert!(en.starts_with("error: "), "{what}: {en}");
    }
    // Help is clap's, in English, exit 0 (see README: what is translated).
    let (code, _) = run("zh_CN.UTF-8", &["check", "--help"]);
    assert_eq!(code, 0);
}

/// Errors raised outside main.rs (sanity checks, `tenet sql`, reading a
/// file) are in Chinese too.
#[test]
fn errors_outside_main_follow_lang() {
    let (code, err) = run(
        "zh_CN.UTF-8",
        &["gen", "--teachers", "0", "--out", "/tmp/never"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "错误：`--teachers 0` 超出范围\n提示：请给出1到1000000之间的数"
    );
    let (code, err) = run("zh_CN.UTF-8", &["sql"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "错误：`tenet sql` 需要 --policy（或一个子命令：schema、load、checks、render）"
    );
    let (code, err) = run("zh_CN.UTF-8", &["fmt", "--stdout", "/"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("错误："), "{err}");
    let (code, err) = run(
        "zh_CN.UTF-8",
        &["sql", "load", "--data", "crates/tenet-cli/tests/fixtures"],
    );
    assert_eq!(code, 2);
    assert!(err.starts_with("错误：缺少 `"), "{err}");
    // `tenet serve` that cannot start: its policies do not check.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.policy"),
        "policy p \"t\" {\n  rule r {\n    for persn t\n    require true\n  }\n}\n",
    )
    .unwrap();
    let policies = dir.path().to_str().unwrap();
    let serve = ["serve", "--policies", policies, "--addr", "127.0.0.1:0"];
    let (code, err) = run("zh_CN.UTF-8", &serve);
    assert_eq!(code, 2);
    assert!(err.starts_with("错误：此处应为对象类型（人员、"), "{err}");
    let (code, err) = run("", &serve);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: expected an entity (person, "),
        "{err}"
    );
}

/// `tenet test`'s lines and the problems of an `expect.csv` in Chinese.
#[test]
fn policy_tests_follow_lang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.policy"),
        "policy p \"t\" {\n  rule r \"r\" {\n    for person t\n    require t.hire_date >= 2020-01-01\n  }\n}\n",
    )
    .unwrap();
    let case = dir.path().join("tests/p/bad");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::write(
        case.join("expect.csv"),
        "as_of,rule,subject,status\nnot-a-date,r,x,pass\n2024-01-01,r,x,maybe\n",
    )
    .unwrap();
    let args = ["test", dir.path().to_str().unwrap()];
    let out = |locale: &str| {
        let mut cmd = Command::cargo_bin("tenet").unwrap();
        cmd.env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", locale);
        let out = cmd.args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let zh = out("zh_CN.UTF-8");
    assert!(zh.contains("  未通过  bad\n"), "{zh}");
    assert!(
        zh.contains("expect.csv:2：`as_of` 必须是日期 YYYY-MM-DD\n"),
        "{zh}"
    );
    assert!(
        zh.contains("expect.csv:3：`status` 必须是 pass、fail"),
        "{zh}"
    );
    assert!(zh.contains("0条通过，1条未通过"), "{zh}");
    let en = out("C");
    assert!(
        en.contains("  FAIL  bad\n") && en.contains("0 passed, 1 failed"),
        "{en}"
    );
}
