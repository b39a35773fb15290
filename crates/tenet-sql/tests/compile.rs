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
  rule fine { for mentorship m during m require at least 1 seminar by m.mentor every month }
  rule bimonthly { for mentorship m during m require at least 1 seminar by m.mentor every 2 months } }"#,
    )])
    .map_err(|e| e.render())
    .unwrap_or_else(|e| panic!("{e}"));
    let opts = Options {
        as_of: support::date("2022-06-01"),
        dialect: Dialect::Postgres,
        columns: None,
    };
    let refused = compile(&set.policies()[0], &opts).expect_err("refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].rule, "bimonthly");
    assert!(
        refused[0].to_string().contains("every 2 months")
            && refused[0].to_string().contains("is not compiled to SQL"),
        "{}",
        refused[0]
    );
}
