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
        let mut child = tenet()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
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
