//! Engine-free: every shipped policy compiles for every dialect, and a
//! construct the compiler does not express is refused by name.
mod support;

use tenet_sql::{compile, Dialect, Options};

#[test]
fn every_shipped_policy_compiles_for_every_dialect() {
    let set = support::policies(&[
        "policies/lvyuan.policy",
        "policies/binyang.policy",
        "policies/xuhui.policy",
        "policies/heping.policy",
        "policies/daxing.policy",
    ]);
    for dialect in Dialect::ALL {
        for p in set.policies() {
            let opts = Options {
                as_of: support::date("2024-03-01"),
                dialect,
                columns: None,
            };
            let c = compile(p, &opts).unwrap_or_else(|e| panic!("{} {dialect}: {e:?}", p.id));
            assert_eq!(c.shapes.len(), p.rules.len());
            assert!(c.sql.contains("ORDER BY rule_ix"), "{}", p.id);
            if dialect == Dialect::Spark && p.id == "xuhui" {
                // Weeks inside `during m` come from a spine of integers.
                assert!(c.sql.contains("explode(sequence(0, "), "{}", c.sql);
            }
        }
    }
}

#[test]
fn a_construct_not_compiled_is_refused_with_rule_and_construct() {
    let set = tenet::PolicySet::from_sources(&[(
        "p.policy",
        r#"policy p { effective 2021-01-01 .. 2022-12-31
  rule fine { for district d require avg(share(people of it where has teacher) in schools of d) >= 0 }
  rule bimonthly { for mentorship m during m require at least 1 seminar by m.mentor every 2 months }
  rule ratios { for district d require sum(hours / count(sessions of it) in activities by d) >= 1 h } }"#,
    )])
    .map_err(|e| e.render())
    .unwrap_or_else(|e| panic!("{e}"));
    let opts = Options {
        as_of: support::date("2022-06-01"),
        dialect: Dialect::Postgres,
        columns: None,
    };
    let refused = compile(&set.policies()[0], &opts).expect_err("refused");
    let rules: Vec<&str> = refused.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["fine", "ratios"], "{refused:?}");
    for r in &refused {
        let text = r.to_string();
        assert!(
            text.contains("denominators that differ") && text.contains("is not compiled to SQL"),
            "{text}"
        );
    }
}

/// Cadences of several months, semesters or years inside windows of each
/// subject's own, a param with a history of different denominators in
/// the credit block, and sums over members of a param or of a value
/// divided by a constant all compile for every dialect (they were
/// refused once; `tests/data/cadence` runs them on the engines).
#[test]
fn multi_period_cadences_and_one_denominator_compile_for_every_dialect() {
    let set = tenet::PolicySet::from_sources(&[(
        "p.policy",
        r#"policy p { effective 2021-01-01 .. 2022-12-31
  calendar { semester autumn 09-01 .. 01-20; semester spring 03-01 .. 07-15 }
  param rate = 1/3, 1/4 since 2022-01-01
  credit own { for enrollment e otherwise rate of e.scheduled_hours }
  rule bimonthly { for mentorship m during m require at least 1 seminar by m.mentor every 2 months }
  rule semesters { for mentorship m during m require at least 2 seminar by m.mentor every 2 semester }
  rule years { for person t within 2 years after t.hire_date require at least 1 course by t every 2 academic_year }
  rule thirds { for school s require sum(hours / 3 in activities by s) + sum(credited in enrollments) >= rate of 9 h } }"#,
    )])
    .map_err(|e| e.render())
    .unwrap_or_else(|e| panic!("{e}"));
    for dialect in Dialect::ALL {
        let opts = Options {
            as_of: support::date("2022-06-01"),
            dialect,
            columns: None,
        };
        let c = compile(&set.policies()[0], &opts).unwrap_or_else(|e| panic!("{dialect}: {e:?}"));
        // Sub-windows from each row's own window: a series per row, months
        // added per row.
        let (series, months) = match dialect {
            Dialect::Spark => ("explode(sequence(0, ", "add_months(DATE '2000-"),
            Dialect::DuckDb => ("unnest(generate_series(0, ", "to_months("),
            Dialect::Postgres => ("generate_series(0, ", "make_interval(months => "),
        };
        assert!(c.sql.contains(series), "{dialect}: {}", c.sql);
        assert!(c.sql.contains(months), "{dialect}: {}", c.sql);
    }
}

/// Spark resolves a subquery's outer columns one level out: an aggregate
/// over the window's records inside another aggregate is refused for
/// Spark only, naming the rule.
#[test]
fn a_windowed_aggregate_inside_another_is_refused_for_spark_only() {
    let set = tenet::PolicySet::from_sources(&[(
        "p.policy",
        r#"policy p { effective 2021-01-01 .. 2022-12-31
  rule nested { for school s each calendar_year
    require count(people where count(enrollments of it) >= count(districts)) >= 1 } }"#,
    )])
    .map_err(|e| e.render())
    .unwrap_or_else(|e| panic!("{e}"));
    for dialect in Dialect::ALL {
        let opts = Options {
            as_of: support::date("2022-06-01"),
            dialect,
            columns: None,
        };
        let got = compile(&set.policies()[0], &opts);
        match dialect {
            Dialect::Spark => {
                let refused = got.expect_err("refused for Spark");
                assert_eq!(refused[0].rule, "nested");
                assert!(
                    refused[0].to_string().contains("two levels deep"),
                    "{}",
                    refused[0]
                );
            }
            _ => assert!(got.is_ok(), "{dialect}: {got:?}"),
        }
    }
}

/// A cadence inside a window of the subject's own compiles with no
/// `effective` range (the sub-windows are cut from each row's window,
/// not from a list sized by the range), for every unit and dialect; the
/// one case still refused is semesters that overlap, named.
#[test]
fn a_cadence_in_a_subjects_window_compiles_without_an_effective_range() {
    let policy = |calendar: &str| {
        tenet::PolicySet::from_sources(&[(
            "p.policy",
            format!(
                r#"policy p {{ calendar {{ {calendar} }}
  rule weeks {{ for mentorship m during m require at least 1 seminar by m.mentor every 2 weeks }}
  rule days {{ for person t within 30 days after t.hire_date require at least 1 course by t every 10 days }}
  rule months {{ for mentorship m during m require at least 1 seminar by m.mentor every 3 months }}
  rule semesters {{ for mentorship m during m require at least 1 seminar by m.mentor every 2 semester }}
  rule years {{ for person t within 3 years after t.hire_date require at least 1 course by t every calendar_year }}
  rule academic {{ for mentorship m during m require at least 1 seminar by m.mentor every 2 academic_year }} }}"#
            )
            .as_str(),
        )])
        .map_err(|e| e.render())
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let apart = policy("semester winter 11-01 .. 02-29; semester summer 03-01 .. 10-31");
    let overlapping = policy("semester autumn 09-01 .. 01-31; semester spring 01-15 .. 07-15");
    for dialect in Dialect::ALL {
        let opts = Options {
            as_of: support::date("2024-03-01"),
            dialect,
            columns: None,
        };
        let p = &apart.policies()[0];
        assert!(p.effective.is_none());
        let c = compile(p, &opts).unwrap_or_else(|e| panic!("{dialect}: {e:?}"));
        assert_eq!(c.shapes.len(), 6);
        // The evaluator's cap on sub-windows, reported `unknown`.
        assert!(c.sql.contains("100000"), "{dialect}: {}", c.sql);
        let refused = compile(&overlapping.policies()[0], &opts).expect_err("refused");
        let rules: Vec<&str> = refused.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(rules, ["semesters"], "{dialect}: {refused:?}");
        assert!(
            refused[0].to_string().contains("semesters that overlap"),
            "{}",
            refused[0]
        );
    }
}

/// An unknown result's reason is computed once per row, in a column of its
/// own, however often `ex` reads it; a reason needing more subqueries than
/// the dialect's budget is `<undetermined>` (Spark's is 16, DuckDB's 64);
/// and the enrollment view carries only the activity columns the policy
/// reads.
#[test]
fn reasons_are_computed_once_and_bounded_per_dialect() {
    let sql = |rule: &str, dialect| {
        let text = format!(
            "policy p {{ effective 2021-01-01 .. 2021-12-31
  credit c {{ for enrollment e
    no credit when e.absent_hours > 1/4 of e.scheduled_hours
    otherwise e.activity.hours }}
  rule r {{ for person t where t has teacher require {rule} }} }}"
        );
        let set = tenet::PolicySet::from_sources(&[("p.policy", text.as_str())])
            .map_err(|e| e.render())
            .unwrap_or_else(|e| panic!("{e}"));
        let opts = Options {
            as_of: support::date("2022-01-01"),
            dialect,
            columns: None,
        };
        compile(&set.policies()[0], &opts)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .sql
    };
    let undetermined = "THEN '<undetermined>' ELSE NULL END AS tenet_wa";
    for dialect in [Dialect::DuckDb, Dialect::Spark] {
        let once = sql("credited_hours(t) >= 8 h", dialect);
        // Over the credit view: the credited hours (the left side), and
        // its reason once, in its own column (`ex` reads it three times).
        assert_eq!(once.matches("FROM tenet_credit AS").count(), 2, "{once}");
        assert_eq!(once.matches("AS tenet_wa").count(), 1, "{once}");
        assert!(!once.contains(undetermined), "{once}");
        // The denial is decided once per enrollment, and read by name.
        assert_eq!(once.matches("AS tenet_deny0").count(), 1, "{once}");
        assert!(
            once.contains("act_hours") && !once.contains("act_title"),
            "{once}"
        );
    }
    // Sums of credited hours: the reason tests each part's value before
    // its reason. Three parts (8 subqueries) are told in every dialect;
    // five are within DuckDB's budget and past Spark's (16).
    let sum = |n: usize| format!("{} >= 8 h", vec!["credited_hours(t)"; n].join(" + "));
    let spark = sql(&sum(3), Dialect::Spark);
    assert!(!spark.contains(undetermined), "{spark}");
    let duck = sql(&sum(5), Dialect::DuckDb);
    assert!(!duck.contains(undetermined), "{duck}");
    let spark = sql(&sum(5), Dialect::Spark);
    assert!(spark.contains(undetermined), "{spark}");
}
