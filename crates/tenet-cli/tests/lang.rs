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
