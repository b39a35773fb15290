#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every subcommand and every exit code, run as a user would.

use assert_cmd::Command;
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn tenet() -> Command {
    let mut cmd = Command::cargo_bin("tenet").unwrap();
    cmd.current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
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
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const LVYUAN: [&str; 7] = [
    "check",
    "--policy",
    "policies/lvyuan.policy",
    "--data",
    "examples/lvyuan",
    "--as-of",
    "2024-03-01",
];

fn lvyuan(extra: &[&str]) -> Run {
    let mut args = LVYUAN.to_vec();
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn check_exits_1_when_a_required_rule_fails_and_prints_the_text_report() {
    let r = lvyuan(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}'), "no colour outside a terminal");
    insta::assert_snapshot!("check_text", r.stdout);
}

#[test]
fn check_exits_0_when_the_selected_rules_pass() {
    let r = lvyuan(&["--rule", "new_teacher_hours"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no required rule fails"));
}

#[test]
fn check_exits_3_when_nothing_fails_but_a_required_result_is_unknown() {
    // lv-s4 has no 2022 teacher_training_funds row; its other years pass.
    let args = ["--rule", "school_training_funds", "--subject", "lv-s4"];
    let r = lvyuan(&args);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    assert_eq!(lvyuan(&json).code, 3, "every format exits alike");
    // With lv-s3's failing 2021 in the run, the failure decides: 1.
    assert_eq!(lvyuan(&["--rule", "school_training_funds"]).code, 1);
}

#[test]
fn check_exits_3_when_nothing_fails_but_a_required_window_is_pending() {
    // lv-n2's first year (2020-02-01 .. 2021-01-31) is still open.
    let r = run(&[
        "check",
        "--policy",
        "policies/lvyuan.policy",
        "--data",
        "examples/lvyuan",
        "--as-of",
        "2020-06-01",
        "--rule",
        "new_teacher_hours",
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("pending"), "{}", r.stdout);
}

#[test]
fn check_exits_0_when_only_advisory_rules_fail() {
    let r = lvyuan(&["--rule", "psych_teachers"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("fail"), "{}", r.stdout);
}

#[test]
fn check_help_states_the_exit_codes() {
    let r = run(&["check", "--help"]);
    assert_eq!(r.code, 0);
    for code in ["0 when", "1 when", "3 when", "2 on bad input"] {
        assert!(r.stdout.contains(code), "{code}: {}", r.stdout);
    }
}

#[test]
fn check_writes_the_fixed_json_shape() {
    let r = lvyuan(&["--format", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["policy", "as_of", "results", "summary"]);
    let first = &v["results"][0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "rule",
            "subject",
            "window",
            "status",
            "actual",
            "required",
            "shortfall",
            "severity",
            "explanation"
        ]
    );
    assert_eq!(
        first["subject"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["kind", "id"]
    );
}

#[test]
fn check_filters_rules_subjects_and_failing_results() {
    let r = lvyuan(&[
        "--rule",
        "annual_hours",
        "--only",
        "failing",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|x| x["rule"] == "annual_hours" && x["status"] == "fail"));
    // The summary still counts every annual_hours result.
    assert!(v["summary"]["total"]["pass"].as_u64().unwrap() > 0);

    let r = lvyuan(&["--subject", "lv-t05", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["subject"]["id"] == "lv-t05"));
}

#[test]
fn check_detail_lists_records_only_where_asked() {
    let json = |detail: &str| -> serde_json::Value {
        let r = lvyuan(&[
            "--rule",
            "annual_hours",
            "--format",
            "json",
            "--detail",
            detail,
        ]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    let listed = |v: &serde_json::Value, status: &str| -> (usize, u64) {
        let mut n = (0, 0);
        for x in v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["status"] == status)
        {
            let e = &x["explanation"];
            n.0 += e["counted"].as_array().map_or(0, Vec::len)
                + e["excluded"].as_array().map_or(0, Vec::len);
            n.1 += e["more"].as_u64().unwrap_or(0);
        }
        n
    };
    let full = json("full");
    let (pass_records, _) = listed(&full, "pass");
    let (fail_records, _) = listed(&full, "fail");
    assert!(pass_records > 0 && fail_records > 0);
    // `failures`: failing results keep their lists, passes only count theirs.
    let failures = json("failures");
    assert_eq!(listed(&failures, "fail"), (fail_records, 0));
    assert_eq!(listed(&failures, "pass"), (0, pass_records as u64));
    // `brief`: nothing listed, everything counted; the summary is the same.
    let brief = json("brief");
    assert_eq!(listed(&brief, "fail"), (0, fail_records as u64));
    assert_eq!(brief["summary"], full["summary"]);
    // The text report shows no record lists, so `auto` (brief) and `full`
    // print the same report.
    assert_eq!(lvyuan(&[]).stdout, lvyuan(&["--detail", "full"]).stdout);
}

#[test]
fn check_writes_markdown_and_html_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("r.md");
    let r = lvyuan(&["--format", "markdown", "--out", md.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# 绿园区"), "{text}");
    assert!(text.contains("| `annual_hours` |"));

    let html = dir.path().join("r.html");
    lvyuan(&["--format", "html", "--out", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"),
        "{}",
        &page[..40]
    );
}

#[test]
fn bad_input_exits_2_with_a_one_line_fix() {
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "check",
                "--policy",
                "policies/nope.policy",
                "--data",
                "examples/lvyuan",
            ],
            "policy file `policies/nope.policy` does not exist",
        ),
        (
            &[
                "check",
                "--policy",
                "policies/lvyuan.policy",
                "--data",
                "examples/nope",
            ],
            "data `examples/nope` does not exist",
        ),
        (
            &[
                "check",
                "--policy",
                "policies/lvyuan.policy",
                "--data",
                "examples/lvyuan",
                "--as-of",
                "2024-02-30",
            ],
            "`2024-02-30` is not a date",
        ),
        (
            &[
                "check",
                "--policy",
                "policies/lvyuan.policy",
                "--data",
                "examples/lvyuan",
                "--rule",
                "anual_hours",
            ],
            "did you mean `annual_hours`?",
        ),
        (
            &[
                "check",
                "--policy",
                "policies/lvyuan.policy",
                "--data",
                "examples/lvyuan",
                "--subject",
                "nobody",
            ],
            "no district, school, person, activity or mentorship has id `nobody`",
        ),
        (&["test", "policies/lvyuan.policy"], "is not a directory"),
    ];
    for (args, want) in cases {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_policy_error_exits_2_with_every_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("bad.policy");
    std::fs::write(&policy, "policy bad {\n  rule a { for person t where t has teachr require true }\n  rule b { for school s require s.rurl }\n}\n").unwrap();
    let r = run(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        "--data",
        "examples/lvyuan",
    ]);
    assert_eq!(r.code, 2);
    let stderr = r.stderr.replace(policy.to_str().unwrap(), "bad.policy");
    insta::assert_snapshot!("policy_errors", stderr);
}

#[test]
fn a_data_error_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["districts.csv", "schools.csv"] {
        std::fs::copy(
            Path::new(ROOT).join("examples/lvyuan").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("people.csv"),
        "id,name,org,roles,birth_date,hire_date,post_start_date\nt1,张三,nowhere,teacher,1980-02-30,,\n",
    )
    .unwrap();
    let r = run(&[
        "check",
        "--policy",
        "policies/lvyuan.policy",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("people.csv:2:5"), "{}", r.stderr);
    assert!(r.stderr.contains("1980-02-30"), "{}", r.stderr);
}

#[test]
fn explain_shows_the_derivation() {
    let r = run(&[
        "explain",
        "--policy",
        "policies/lvyuan.policy",
        "--data",
        "examples/lvyuan",
        "--as-of",
        "2024-03-01",
        "--rule",
        "annual_hours",
        "--subject",
        "lv-t05",
        "--window",
        "2022-01-01",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("explain", r.stdout);
}

#[test]
fn explain_shows_money_and_shares_as_written() {
    let r = run(&[
        "explain",
        "--policy",
        "policies/lvyuan.policy",
        "--data",
        "examples/lvyuan",
        "--as-of",
        "2024-03-01",
        "--rule",
        "school_training_funds",
        "--subject",
        "lv-s3",
        "--window",
        "2021-01-01",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("subject lv-s3 城西乡中心小学"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("param school_training_share = 5%"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("FAIL  actual ¥25,500.00  required ¥26,000.00  shortfall ¥500.00"),
        "{}",
        r.stdout
    );
}

#[test]
fn schema_lists_what_a_policy_may_use() {
    let r = run(&["schema"]);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("schema", r.stdout);
}

#[test]
fn test_exits_0_when_every_expectation_holds_and_1_otherwise() {
    let r = run(&["test", "policies"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.trim_end().ends_with("0 failed"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(ROOT).join("policies/lvyuan.policy"),
        dir.path().join("lvyuan.policy"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(ROOT).join("policies/common.policy"),
        dir.path().join("common.policy"),
    )
    .unwrap();
    let case = dir.path().join("tests/lvyuan/wrong");
    std::fs::create_dir_all(&case).unwrap();
    for file in ["districts.csv", "schools.csv", "people.csv"] {
        std::fs::copy(
            Path::new(ROOT).join("examples/lvyuan").join(file),
            case.join(file),
        )
        .unwrap();
    }
    std::fs::write(
        case.join("expect.csv"),
        "as_of,rule,subject,status\n2024-03-01,annual_hours,lv-t01,pass\n",
    )
    .unwrap();
    let r = run(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FAIL  wrong"), "{}", r.stdout);
    assert!(
        r.stdout.contains("give the window's start date"),
        "{}",
        r.stdout
    );
}

#[test]
fn fmt_rewrites_checks_and_rejects_bad_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.policy");
    std::fs::write(
        &file,
        "policy p {rule r {for person t   require t has teacher}}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(run(&["fmt", "--check", path]).code, 1);
    assert_eq!(run(&["fmt", path]).code, 0);
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(
        formatted.contains("\n    require t has teacher\n"),
        "{formatted}"
    );
    assert_eq!(run(&["fmt", "--check", path]).code, 0);

    std::fs::write(&file, "policy p { rule r { for persn t require true } }\n").unwrap();
    let r = run(&["fmt", path]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("persn"), "{}", r.stderr);
}

#[test]
fn gen_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let r = run(&[
            "gen",
            "--teachers",
            "20",
            "--years",
            "1",
            "--seed",
            "9",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for file in [
        "people.csv",
        "activities.csv",
        "attendance.csv",
        "finance.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    // And the generated dataset checks.
    let r = run(&[
        "check",
        "--policy",
        "policies",
        "--data",
        a.to_str().unwrap(),
        "--as-of",
        "2021-12-31",
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

/// A copy of the Chinese-header export with `镇级` for one level.
fn zh_export_with_town_level() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(ROOT).join("crates/tenet-io/tests/zh-export");
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace("校本,研讨", "镇级,研讨");
        std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
    }
    dir
}

#[test]
fn check_reads_chinese_headers_and_values_and_a_mapping_file() {
    let zh = ["--data", "crates/tenet-io/tests/zh-export"];
    let base = [
        "check",
        "--policy",
        "policies/lvyuan.policy",
        "--as-of",
        "2023-01-31",
        "--subject",
        "lv-t1",
    ];
    let r = run(&[&base[..], &zh[..]].concat());
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(r.stdout.contains("annual_hours"), "{}", r.stdout);

    let dir = zh_export_with_town_level();
    let data = dir.path().to_str().unwrap();
    let r = run(&[&base[..], &["--data", data][..]].concat());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("activities.csv:5:5"), "{}", r.stderr);
    assert!(r.stderr.contains("镇级"), "{}", r.stderr);

    let mapping = dir.path().join("mapping.toml");
    std::fs::write(&mapping, "[values.level]\n\"镇级\" = \"school\"\n").unwrap();
    let m = mapping.to_str().unwrap();
    let r = run(&[&base[..], &["--data", data, "--mapping", m][..]].concat());
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);

    std::fs::write(&mapping, "[values.level]\n\"镇级\" = \"town\"\n").unwrap();
    let r = run(&[&base[..], &["--data", data, "--mapping", m][..]].concat());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("mapping.toml"), "{}", r.stderr);
    assert!(
        r.stderr.contains("`town` is not a level value"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_shows_shares_as_percentages_and_headcounts_in_whole_people() {
    // The binyang example with no training base and its one trainer made a
    // plain teacher: both district rules fail.
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(ROOT).join("examples/binyang");
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "csv") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if name == "schools.csv" {
            text = text.replace(",true\n", ",false\n");
        }
        if name == "people.csv" {
            text = text.replace("by-tr1,廖平,by,trainer", "by-tr1,廖平,by,teacher");
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let r = run(&[
        "check",
        "--policy",
        "policies/binyang.policy",
        "--data",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2023-03-01",
    ]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stdout.contains("占学校数0%，要求不低于5%"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("应不少于1人，尚差1人"), "{}", r.stdout);
    assert!(
        r.stdout.contains("actual 0  required 1  short 1"),
        "{}",
        r.stdout
    );
}

/// The SQL lists no records, so `--engine` refuses a detail level that
/// would (before touching the database: the file named need not exist).
#[test]
fn engine_refuses_a_detail_that_lists_records() {
    for detail in ["full", "failures"] {
        let r = run(&[
            "check",
            "--engine",
            "duckdb",
            "--db",
            "no-such.duckdb",
            "--policy",
            "policies/lvyuan.policy",
            "--detail",
            detail,
        ]);
        assert_eq!(r.code, 2, "{detail}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("--engine lists no records"),
            "{detail}: {}",
            r.stderr
        );
    }
}
