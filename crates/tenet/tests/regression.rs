#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]
//! Regression tests named after the disagreements the differential and
//! property tests found.

mod support;

use rust_decimal::Decimal;
use support::*;
use tenet::report::Status;
use tenet::value::Q;

fn q(n: i64, d: i64) -> Q {
    Q::ratio(Decimal::from(n), Decimal::from(d)).unwrap()
}

/// `Q::tidy` decides a rational is a whole decimal when `n / d`, rounded
/// to 28 digits, multiplied back by `d` rounds to `n` again. For 8/12 it
/// does (0.6666666666666666666666666667 × 12 rounds to 8), so 8/12 is
/// replaced by the rounded decimal: it no longer equals 2/3 and three of
/// it exceed 2.
#[test]
fn eight_twelfths_stay_two_thirds() {
    let x = q(8, 12).plus(Q::ZERO).unwrap();
    assert!(!x.is_exact());
    assert_eq!(x.compare(q(2, 3)), Ok(std::cmp::Ordering::Equal));
    assert_eq!(
        x.times(Q::new(Decimal::from(3)))
            .unwrap()
            .compare(Q::new(Decimal::from(2))),
        Ok(std::cmp::Ordering::Equal)
    );
}

/// The same through a policy: 8 teachers of 12 people is exactly two
/// thirds, so `share * 3 = 2` holds.
#[test]
fn eight_of_twelve_times_three_is_two() {
    let mut data = Data::new();
    for i in 0..12 {
        let roles = if i < 8 { "teacher" } else { "mentor" };
        data.person(&format!("p{i}"), "s1", roles, "", "", "");
    }
    let policy = r#"
policy p {
  effective 2021-01-01 .. 2021-12-31
  rule two_thirds {
    for school s
    require count(people of s where has teacher) / count(people of s) * 3 = 2
  }
}
"#;
    let report = report(policy, &data, "2021-06-01");
    let r = one(&report, "two_thirds", "s1");
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

/// decisions W10: `02-29` in a calendar falls back to `02-28` in common
/// years — so in a leap year the academic year starts on 02-29. The
/// optimised evaluator (`eval/windows.rs` `advance`) adds 12 months to the
/// previous start (2023-02-28) and starts the 2024 academic year on
/// 2024-02-28 instead.
#[test]
fn academic_year_starting_on_leap_day_starts_on_leap_day_in_leap_years() {
    let policy = r#"
policy p {
  effective 2023-01-01 .. 2024-12-31
  calendar { academic_year starts 02-29 }
  rule r { for school s each academic_year require s.rural = s.rural }
}
"#;
    let report = report(policy, &Data::new(), "2025-01-01");
    let windows: Vec<String> = results(&report, "r", "s1")
        .iter()
        .map(|r| {
            let w = r.window.unwrap();
            format!("{} .. {}", w.start, w.end)
        })
        .collect();
    assert_eq!(
        windows,
        [
            "2023-01-01 .. 2023-02-27",
            "2023-02-28 .. 2024-02-28",
            "2024-02-29 .. 2024-12-31"
        ]
    );
}
