#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Hostile use of the command line: outputs that cannot be written,
//! arguments out of bounds, inputs that are not files. Each failure is a
//! message and a non-zero exit, never a panic (exit 101) nor a silent pass.

use std::path::Path;
use std::process::{Command, Stdio};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn tenet() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenet"));
    cmd.current_dir(ROOT).env("NO_COLOR", "1").env_remove("CI");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = tenet().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const CHECK: [&str; 7] = [
    "check",
    "--policy",
    "policies/lvyuan.policy",
    "--data",
    "examples/lvyuan",
    "--as-of",
    "2024-03-01",
];

/// Every command that writes to standard output, with its arguments.
fn writers() -> Vec<Vec<&'static str>> {
    let mut out = Vec::new();
    for format in ["text", "markdown", "html", "json"] {
        let mut args = CHECK.to_vec();
        args.extend(["--format", format]);
        out.push(args);
    }
    let mut explain = CHECK.to_vec();
    explain[0] = "explain";
    explain.extend(["--rule", "annual_hours", "--subject", "lv-t01"]);
    out.push(explain);
    out.push(vec!["schema"]);
    out.push(vec!["test", "policies"]);
    out
}

#[test]
fn a_full_disk_is_a_message_and_exit_2_on_every_output_path() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    for args in writers() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = tenet().args(&args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: cannot write standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_2_on_every_output_path() {
    for args in writers() {
        // The reader is closed before the child starts: closing it after
        // `spawn` raced a quick command, which could fill the pipe's buffer
        // and exit 0 before the reader went away.
        #[allow(clippy::incompatible_msrv)] // a test-only use; the CLI itself needs no 1.87
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = tenet()
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_disk_under_out_is_a_message_and_exit_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for format in ["text", "markdown", "html", "json"] {
        let mut args = CHECK.to_vec();
        args.extend(["--format", format, "--out", "/dev/full"]);
        let r = run(&args);
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(
            r.stderr.contains("cannot write `/dev/full`"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

fn check_with(policy: &Path, data: &Path) -> Run {
    run(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2024-03-01",
    ])
}

fn examples() -> std::path::PathBuf {
    Path::new(ROOT).join("examples/lvyuan")
}

fn policy() -> std::path::PathBuf {
    Path::new(ROOT).join("policies/lvyuan.policy")
}

#[cfg(unix)]
#[test]
fn a_policy_or_data_path_that_is_not_a_regular_file_is_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero.policy");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.path().join("fifo.policy");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut policies = vec![zero.clone()];
    if made.is_ok_and(|s| s.success()) {
        policies.push(fifo);
    }
    for p in &policies {
        let r = check_with(p, &examples());
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    }
    // The same for an imported file.
    let importer = dir.path().join("importer.policy");
    std::fs::write(&importer, "import \"zero.policy\"\npolicy p \"x\" {\n}\n").unwrap();
    let r = check_with(&importer, &examples());
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    // Data: a CSV file, a JSON document.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in std::fs::read_dir(examples()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, data.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::remove_file(data.join("people.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", data.join("people.csv")).unwrap();
    let json = dir.path().join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &json).unwrap();
    for d in [&data, &json] {
        let r = check_with(&policy(), d);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    }
}

#[test]
fn a_policy_over_the_size_limit_is_refused_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.policy");
    std::fs::write(&big, "// padding\n".repeat(300_000)).unwrap();
    let r = check_with(&big, &examples());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("larger than 1048576 bytes, the limit for a policy file"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_import_may_not_leave_the_policy_directory_nor_name_a_non_policy() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(dir.path().join("outside.policy"), "policy o \"o\" {\n}\n").unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:SECRET-LINE\n").unwrap();
    for import in [
        "../outside.policy".to_string(),
        secret.to_str().unwrap().to_string(),
        "/etc/passwd".to_string(),
    ] {
        let p = inner.join("p.policy");
        std::fs::write(&p, format!("import \"{import}\"\npolicy p \"x\" {{\n}}\n")).unwrap();
        let r = check_with(&p, &examples());
        assert_eq!(r.code, 2, "{import}: {}", r.stderr);
        assert!(
            r.stderr.contains("cannot read imported file"),
            "{import}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("SECRET-LINE"), "{}", r.stderr);
        assert!(!r.stderr.contains("root:"), "{}", r.stderr);
    }
    // Inside the directory (or below it), imports work.
    std::fs::create_dir(inner.join("lib")).unwrap();
    std::fs::write(inner.join("lib/common.policy"), "policy c \"c\" {\n}\n").unwrap();
    let p = inner.join("p.policy");
    std::fs::write(&p, "import \"lib/common.policy\"\npolicy p \"x\" {\n}\n").unwrap();
    let r = check_with(&p, &examples());
    assert!(
        !r.stderr.contains("cannot read imported file"),
        "{}",
        r.stderr
    );
}

fn lvyuan(extra: &[&str]) -> Run {
    let mut args = CHECK.to_vec();
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn rule_and_subject_arguments_that_select_nothing_are_errors() {
    // The policy part of `policy.rule` is checked, and used.
    let r = lvyuan(&["--rule", "nope.annual_hours"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no policy `nope`"), "{}", r.stderr);
    let r = run(&[
        "check",
        "--policy",
        "policies",
        "--data",
        "examples/lvyuan",
        "--as-of",
        "2024-03-01",
        "--rule",
        "lvyuan.annual_hours",
        "--format",
        "json",
    ]);
    let reports: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let policy = reports["policy"].as_str().map(str::to_string);
    assert_eq!(
        policy.as_deref(),
        Some("lvyuan"),
        "one report, lvyuan's: {}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    // A subject of a kind no selected rule is about.
    let r = lvyuan(&["--rule", "annual_hours", "--subject", "lv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`lv` is a district, and no selected rule is about a district"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_rules_an_empty_dataset_and_an_early_as_of_are_said() {
    let r = run(&[
        "check",
        "--policy",
        "policies/common.policy",
        "--data",
        "examples/lvyuan",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("the policies given have no rules"),
        "{}",
        r.stderr
    );

    let mut args = CHECK.to_vec();
    args[6] = "2000-01-01";
    let r = run(&args);
    assert!(
        r.stderr.contains(
            "warning: the evaluation date 2000-01-01 is before every policy's effective range"
        ),
        "{}",
        r.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(examples()).unwrap() {
        let f = f.unwrap().path();
        let text = std::fs::read_to_string(&f).unwrap();
        let header = text.lines().next().unwrap_or_default();
        std::fs::write(
            dir.path().join(f.file_name().unwrap()),
            format!("{header}\n"),
        )
        .unwrap();
    }
    let r = check_with(&policy(), dir.path());
    assert!(
        r.stderr
            .contains("warning: the dataset holds no people, activities or mentorships"),
        "{}",
        r.stderr
    );
}

#[test]
fn gen_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let out = out.to_str().unwrap();
    for (args, want) in [
        (vec!["--teachers", "0"], "`--teachers 0` is out of range"),
        (vec!["--teachers", "100000000000"], "out of range"),
        (
            vec!["--years", "100000"],
            "`--years 100000` is out of range",
        ),
        (
            vec!["--start-year", "9999", "--years", "2"],
            "writes years outside 1900..9999",
        ),
        (vec!["--start-year=-5"], "writes years outside 1900..9999"),
    ] {
        let mut all = vec!["gen", "--out", out];
        all.extend(args.iter().copied());
        let r = run(&all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        assert!(!Path::new(out).exists(), "{args:?} wrote data");
    }
}
