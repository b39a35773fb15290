//! Shared generators for the fuzz targets: policy text built from grammar
//! fragments, and small datasets, both driven by the fuzzer's bytes
//! through `arbitrary::Unstructured`.
//!
//! Random bytes almost never get past the parser, so `check`, `format` and
//! `evaluate` build text from pieces of the grammar instead: every choice
//! (which construct, which literal, how deep) is a byte of the input, so
//! libFuzzer's mutations still steer the search.

use arbitrary::{Result, Unstructured};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tenet::model::{
    ActivityRow, AttendanceRow, DistrictRow, EnrollmentRow, FinanceItem, FinanceRow, Kind, Level,
    MentorshipRow, Mode, PersonRow, RoleSet, Rows, SchoolRow, SessionRow, Status,
};

/// The shipped shared definitions, so generated policies can import them.
pub const COMMON: &str = include_str!("../../policies/common.policy");

fn pick<'s>(u: &mut Unstructured<'_>, items: &[&'s str]) -> Result<&'s str> {
    u.choose(items).copied()
}

// ---------------------------------------------------------------- untyped

const ATOMS: &[&str] = &[
    "a",
    "x",
    "t",
    "s",
    "d",
    "e",
    "m",
    "y",
    "w",
    "it",
    "名字",
    "_y2",
    "p1",
    "annual_hours",
    "1",
    "0",
    "2.5",
    "1,000",
    "007",
    "0.0000000001",
    "99999999999999999999999999999",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "1e400",
    "90 h",
    "90h",
    "3.5 学时",
    "¥1,077万",
    "￥3万",
    "5 CNY",
    "10元",
    "5%",
    "2.5%",
    "100%",
    "1:100",
    "1:0",
    "1/4",
    "0/0",
    "3/0",
    "2020-01-01",
    "2023-02-30",
    "9999-12-31",
    "0000-01-01",
    "1 year",
    "2 weeks",
    "0 days",
    "6 months",
    "4294967296 days",
    "true",
    "false",
    "has teacher",
    "has mentor",
    "\"文本\"",
    "\"\"",
    "\"a\\\"b\\\\c\\td\\n\"",
    "teacher",
    "district",
    "school",
    "seminar",
    "offline",
    "present",
    "public_funds_budget",
    "teacher_training_funds",
    "kind",
    "level",
    "mode",
    "activity",
    "credited",
    "hours",
    "program",
];

const FIELDS: &[&str] = &[
    "level",
    "kind",
    "mode",
    "hours",
    "hire_date",
    "birth_date",
    "post_start_date",
    "org",
    "rural",
    "training_base",
    "activity",
    "person",
    "trainee",
    "mentor",
    "program",
    "start_date",
    "end_date",
    "absent_hours",
    "scheduled_hours",
    "credited",
    "district",
    "name",
    "id",
    "nope",
    "school",
];

const BINOPS: &[&str] = &[
    "or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "of",
];

const AGGS: &[&str] = &["count", "sum", "min", "max", "avg", "share"];
const RELS: &[&str] = &[
    "people",
    "schools",
    "districts",
    "activities",
    "enrollments",
    "sessions",
    "mentorships",
];
const BUILTINS: &[&str] = &["age", "tenure", "finance", "year_of"];

/// Any expression the grammar allows, well-typed or not, at most `depth`
/// levels deep. Always parenthesised where precedence could matter.
pub fn expr(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    if depth == 0 || u.is_empty() {
        return Ok(pick(u, ATOMS)?.to_string());
    }
    let d = depth - 1;
    Ok(match u.int_in_range(0..=13u8)? {
        0 | 1 => pick(u, ATOMS)?.to_string(),
        2 | 3 => {
            let op = pick(u, BINOPS)?;
            format!("({} {op} {})", expr(u, d)?, expr(u, d)?)
        }
        4 => format!("not ({})", expr(u, d)?),
        5 => format!("-({})", expr(u, d)?),
        6 => format!("({}).{}", expr(u, d)?, pick(u, FIELDS)?),
        7 => format!(
            "({}) has {}",
            expr(u, d)?,
            pick(u, &["teacher", "mentor", "role"])?
        ),
        8 => {
            let n = u.int_in_range(0..=3u8)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(expr(u, d)?);
            }
            let not = if u.arbitrary()? { "not " } else { "" };
            format!("({}) {not}in [{}]", expr(u, d)?, items.join(", "))
        }
        9 => {
            let f = pick(u, AGGS)?;
            let mut s = format!("{f}(");
            if u.arbitrary()? {
                s.push_str(&format!("{} in ", expr(u, d)?));
            }
            s.push_str(pick(u, RELS)?);
            match u.int_in_range(0..=3u8)? {
                0 => {}
                1 => s.push_str(&format!(" of {}", pick(u, ATOMS)?)),
                2 => s.push_str(&format!(" by {}", pick(u, ATOMS)?)),
                _ => s.push_str(&format!(" hosted by {}", pick(u, ATOMS)?)),
            }
            if u.arbitrary()? {
                s.push_str(&format!(" where {}", expr(u, d)?));
            }
            s.push(')');
            s
        }
        10 => {
            let w = if u.arbitrary()? {
                format!(" where {}", expr(u, d)?)
            } else {
                String::new()
            };
            format!("credited_hours({}{w})", expr(u, d)?)
        }
        11 => {
            let f = pick(u, BUILTINS)?;
            let n = u.int_in_range(0..=3u8)?;
            let mut args = Vec::new();
            for _ in 0..n {
                args.push(expr(u, d)?);
            }
            format!("{f}({})", args.join(", "))
        }
        12 => format!(
            "({}).attr({})",
            expr(u, d)?,
            pick(u, &["\"subject\"", "\"k\"", "1"])?
        ),
        _ => {
            let n = u.int_in_range(0..=3u8)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(expr(u, d)?);
            }
            format!("[{}]", items.join(", "))
        }
    })
}

// ---------------------------------------------------------------- typed

/// Entity kinds a rule or credit block ranges over, with a variable.
const SCOPES: &[(&str, &str)] = &[
    ("person", "t"),
    ("school", "s"),
    ("district", "d"),
    ("activity", "a"),
    ("enrollment", "e"),
    ("mentorship", "m"),
];

fn date(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => pick(u, &["2023-02-30", "0000-01-01", "9999-12-31", "2024-02-29"])?.to_string(),
        _ => format!(
            "{:04}-{:02}-{:02}",
            u.int_in_range(2018..=2025u32)?,
            u.int_in_range(1..=12u32)?,
            u.int_in_range(1..=28u32)?
        ),
    })
}

fn hours(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(pick(
        u,
        &[
            "0 h",
            "1 h",
            "2 h",
            "90 h",
            "120 h",
            "3.5 学时",
            "0.5h",
            "annual_hours",
        ],
    )?
    .to_string())
}

fn small(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=5u8)? {
        0 => pick(u, &["0", "99999999999999999999999999", "4294967295"])?.to_string(),
        _ => u.int_in_range(0..=5u32)?.to_string(),
    })
}

/// A boolean condition that is likely to type-check for a subject of
/// `kind` bound to `v`.
fn cond(u: &mut Unstructured<'_>, kind: &str, v: &str, depth: u32) -> Result<String> {
    if depth > 0 && u.ratio(1, 4)? {
        let op = pick(u, &["and", "or"])?;
        return Ok(format!(
            "({} {op} {})",
            cond(u, kind, v, depth - 1)?,
            cond(u, kind, v, depth - 1)?
        ));
    }
    if depth > 0 && u.ratio(1, 8)? {
        return Ok(format!("not ({})", cond(u, kind, v, depth - 1)?));
    }
    let cmp = pick(u, &[">=", "<=", ">", "<", "=", "!="])?;
    Ok(match kind {
        "person" => match u.int_in_range(0..=7u8)? {
            0 => format!(
                "{v} has {}",
                pick(u, &["teacher", "principal", "mentor", "trainer", "full_time_teacher"])?
            ),
            1 => format!("{v}.hire_date {cmp} {}", date(u)?),
            2 => format!("age({v}) {cmp} {}", small(u)?),
            3 => format!("tenure({v}.post_start_date) <= {} years", small(u)?),
            4 => format!("credited_hours({v}) {cmp} {}", hours(u)?),
            5 => format!(
                "credited_hours({v} where activity.level in [district, school]) {cmp} {}",
                hours(u)?
            ),
            6 => format!("{v}.attr(\"subject\") = \"语文\""),
            _ => format!("count(enrollments of {v}) {cmp} {}", small(u)?),
        },
        "school" => match u.int_in_range(0..=6u8)? {
            0 => format!("{v}.rural"),
            1 => format!("{v}.training_base"),
            2 => format!(
                "count(people of {v} where has {}) {cmp} {}",
                pick(u, &["teacher", "psych_teacher"])?,
                small(u)?
            ),
            3 => format!(
                "finance({v}, teacher_training_funds) {cmp} {} of finance({v}, public_funds_budget)",
                pick(u, &["5%", "1:100", "1/4", "0%", "100%"])?
            ),
            4 => format!(
                "count(activities hosted by {v} where kind = delivered_lesson) {cmp} {}",
                small(u)?
            ),
            5 => format!("avg(hours in activities hosted by {v}) {cmp} {}", hours(u)?),
            _ => format!("{v}.attr(\"xuequ_lead\") = \"true\""),
        },
        "district" => match u.int_in_range(0..=3u8)? {
            0 => format!("count(schools of {v} where training_base) {cmp} {}", small(u)?),
            1 => format!(
                "count(people of {v} where has trainer) {cmp} 1:100 of count(people of {v} where has full_time_teacher)"
            ),
            2 => format!(
                "finance({v}, principal_training_funds) {cmp} 2.5% of finance({v}, principal_payroll)"
            ),
            _ => format!("count(people of {v} where has reserve_cadre) {cmp} {}", small(u)?),
        },
        "activity" => match u.int_in_range(0..=3u8)? {
            0 => format!("{v}.level = {}", pick(u, &["district", "school", "national"])?),
            1 => format!("count(enrollments of {v}) {cmp} {}", small(u)?),
            2 => format!("{v}.hours {cmp} {}", hours(u)?),
            _ => format!("{v}.kind in [course, seminar]"),
        },
        "enrollment" => match u.int_in_range(0..=2u8)? {
            0 => format!("{v}.credited >= {v}.activity.hours"),
            1 => format!("{v}.absent_hours > 1/4 of {v}.scheduled_hours"),
            _ => format!("{v}.activity.kind = course"),
        },
        _ => match u.int_in_range(0..=2u8)? {
            0 => format!("{v}.trainee has principal"),
            1 => format!(
                "count(activities by {v}.trainee where kind = micro_project) {cmp} {}",
                small(u)?
            ),
            _ => format!("{v}.program = \"qinglan_2023\""),
        },
    })
}

fn window(u: &mut Unstructured<'_>, kind: &str, v: &str) -> Result<String> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => String::new(),
        1 => format!(
            "each {}",
            pick(
                u,
                &[
                    "calendar_year",
                    "academic_year",
                    "semester",
                    "month",
                    "week",
                    "2 weeks",
                    "3 days",
                    "0 days",
                    "calendar_year as y"
                ]
            )?
        ),
        2 => format!("cycle {} .. {}", date(u)?, date(u)?),
        3 if kind == "person" => format!(
            "within {} after {v}.hire_date",
            pick(u, &["1 year", "2 weeks", "0 days", "100 years"])?
        ),
        4 if kind == "mentorship" => format!("during {v}"),
        _ => "each calendar_year".to_string(),
    })
}

fn require(u: &mut Unstructured<'_>, kind: &str, v: &str) -> Result<String> {
    if matches!(kind, "school" | "person" | "mentorship") && u.ratio(1, 5)? {
        let by = match kind {
            "school" => v.to_string(),
            "person" => v.to_string(),
            _ => format!("{v}.mentor"),
        };
        let hosted = if kind == "school" && u.arbitrary()? {
            "hosted "
        } else {
            ""
        };
        let filter = if u.arbitrary()? {
            " where mode = offline"
        } else {
            ""
        };
        return Ok(format!(
            "at least {} {} {hosted}by {by} every {}{filter}",
            small(u)?,
            pick(
                u,
                &["seminar", "collective_prep", "salon", "forum", "reading"]
            )?,
            pick(u, &["week", "month", "2 weeks", "semester", "2 months"])?
        ));
    }
    cond(u, kind, v, 2)
}

/// One item of a policy body: a rule (most often), a param, a credit
/// block, a calendar or an effective range. `wild` mixes in untyped
/// expressions from [`expr`].
fn item(u: &mut Unstructured<'_>, n: usize, wild: bool) -> Result<String> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => format!(
            "param p{n} = {}{}",
            if wild { expr(u, 3)? } else { hours(u)? },
            if u.arbitrary()? {
                format!(", {} since {}", hours(u)?, date(u)?)
            } else {
                String::new()
            }
        ),
        1 => format!(
            "credit c{n} {{\n    for enrollment e\n    no credit when {} \"原因\"\n    otherwise {}\n  }}",
            if wild { expr(u, 3)? } else { cond(u, "enrollment", "e", 1)? },
            pick(u, &["e.activity.hours", "e.scheduled_hours", "0 h", "1 h"])?
        ),
        2 => format!(
            "calendar {{ academic_year starts {}; semester s{n} {} .. {} }}",
            pick(u, &["09-01", "02-30", "13-01", "00-00"])?,
            pick(u, &["09-01", "02-01"])?,
            pick(u, &["01-31", "08-31", "02-29"])?
        ),
        _ => {
            let (kind, v) = *u.choose(SCOPES)?;
            let filter = if u.arbitrary()? {
                format!(" where {}", if wild { expr(u, 3)? } else { cond(u, kind, v, 1)? })
            } else {
                String::new()
            };
            let body = if wild && u.ratio(1, 3)? {
                expr(u, 5)?
            } else {
                require(u, kind, v)?
            };
            format!(
                "rule r{n} \"规则{n}\"{} {{\n    cite \"一(二)\" \"原文\"\n    message \"{}\"\n    for {kind} {v}{filter}\n    {}\n    require {body}\n  }}",
                pick(u, &["", " advisory", " required"])?,
                pick(
                    u,
                    &[
                        "{subject}在{window}获认定{actual}学时，要求{required}，差{shortfall}",
                        "{nope}",
                        "{",
                        "",
                    ]
                )?,
                window(u, kind, v)?
            )
        }
    })
}

/// A whole policy file that may import `common.policy`.
pub fn policy(u: &mut Unstructured<'_>, wild: bool) -> Result<String> {
    let mut out = String::new();
    if u.arbitrary()? {
        out.push_str("import \"common.policy\"\n");
    }
    out.push_str("policy g \"生成\" {\n  source \"s.txt\"\n");
    if u.ratio(3, 4)? {
        out.push_str(&format!("  effective {} .. {}\n", date(u)?, date(u)?));
    }
    let n = u.int_in_range(1..=5usize)?;
    for i in 0..n {
        out.push_str("  ");
        out.push_str(&item(u, i, wild)?);
        out.push('\n');
    }
    out.push_str("}\n");
    Ok(out)
}

// ---------------------------------------------------------------- data

fn id(u: &mut Unstructured<'_>, prefix: &str) -> Result<String> {
    Ok(format!("{prefix}{}", u.int_in_range(1..=3u8)?))
}

fn data_date(u: &mut Unstructured<'_>) -> Result<NaiveDate> {
    let y = u.int_in_range(2019..=2024)?;
    let m = u.int_in_range(1..=12)?;
    let d = u.int_in_range(1..=28)?;
    Ok(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
}

fn amount(u: &mut Unstructured<'_>) -> Result<Decimal> {
    Ok(match u.int_in_range(0..=7u8)? {
        0 => Decimal::MAX,
        1 => Decimal::MIN,
        2 => Decimal::new(1, 28),
        3 => Decimal::ZERO,
        _ => Decimal::new(
            u.int_in_range(-10_000i64..=100_000_000)?,
            u.int_in_range(0..=2)?,
        ),
    })
}

fn choose_name<'s>(u: &mut Unstructured<'_>, names: &[&'s str]) -> Result<&'s str> {
    u.choose(names).copied()
}

/// A small dataset: a few of each row kind with ids drawn from tiny pools
/// (so references mostly resolve), enum values from their real names,
/// and amounts and hours that include the extremes of `Decimal`.
pub fn rows(u: &mut Unstructured<'_>) -> Result<Rows> {
    let mut rows = Rows::default();
    let small = |u: &mut Unstructured<'_>| u.int_in_range(0..=3usize);
    for _ in 0..=small(u)?.min(1) {
        rows.districts.push(DistrictRow {
            id: id(u, "d")?,
            name: "区".into(),
            attrs: Default::default(),
        });
    }
    for _ in 0..small(u)? {
        rows.schools.push(SchoolRow {
            id: id(u, "s")?,
            name: "校".into(),
            district: id(u, "d")?,
            rural: u.arbitrary()?,
            training_base: u.arbitrary()?,
            attrs: Default::default(),
        });
    }
    let roles = Role::names();
    for _ in 0..small(u)? {
        let mut set = Vec::new();
        for _ in 0..u.int_in_range(0..=3u8)? {
            set.push(choose_name(u, &roles)?);
        }
        let org = if u.arbitrary()? {
            id(u, "s")?
        } else {
            id(u, "d")?
        };
        rows.people.push(PersonRow {
            id: id(u, "p")?,
            name: "人".into(),
            org,
            roles: RoleSet::parse(&set.join(";")).unwrap_or_default(),
            birth_date: if u.arbitrary()? {
                Some(data_date(u)?)
            } else {
                None
            },
            hire_date: if u.arbitrary()? {
                Some(data_date(u)?)
            } else {
                None
            },
            post_start_date: if u.arbitrary()? {
                Some(data_date(u)?)
            } else {
                None
            },
            attrs: Default::default(),
        });
    }
    let (levels, kinds, modes) = (Level::names(), Kind::names(), Mode::names());
    for _ in 0..small(u)? {
        let start = data_date(u)?;
        let end = if u.ratio(7, 8)? {
            start + chrono::Days::new(u.int_in_range(0..=60)?)
        } else {
            data_date(u)?
        };
        rows.activities.push(ActivityRow {
            id: id(u, "a")?,
            title: "活动".into(),
            organizer: pick(u, &["s1", "s2", "d1", "p1", "p2"])?.into(),
            host: if u.arbitrary()? {
                Some(id(u, "s")?)
            } else {
                None
            },
            level: Level::parse(choose_name(u, &levels)?).unwrap_or(Level::School),
            kind: Kind::parse(choose_name(u, &kinds)?).unwrap_or(Kind::Course),
            mode: Mode::parse(choose_name(u, &modes)?).unwrap_or(Mode::Offline),
            start_date: start,
            end_date: end,
            hours: amount(u)?,
            attrs: Default::default(),
        });
    }
    for _ in 0..small(u)? {
        rows.sessions.push(SessionRow {
            id: id(u, "e")?,
            activity: id(u, "a")?,
            date: data_date(u)?,
            hours: amount(u)?,
        });
    }
    for _ in 0..small(u)? {
        rows.enrollments.push(EnrollmentRow {
            person: id(u, "p")?,
            activity: id(u, "a")?,
        });
    }
    let statuses = Status::names();
    for _ in 0..small(u)? {
        rows.attendance.push(AttendanceRow {
            person: id(u, "p")?,
            session: id(u, "e")?,
            status: Status::parse(choose_name(u, &statuses)?).unwrap_or(Status::Present),
        });
    }
    for _ in 0..small(u)? {
        rows.mentorships.push(MentorshipRow {
            mentor: id(u, "p")?,
            trainee: id(u, "p")?,
            program: "qinglan_2023".into(),
            start_date: data_date(u)?,
            end_date: data_date(u)?,
        });
    }
    let items = FinanceItem::names();
    for _ in 0..small(u)? {
        rows.finance.push(FinanceRow {
            org: pick(u, &["s1", "s2", "d1"])?.into(),
            year: u.int_in_range(2019..=2024)?,
            item: FinanceItem::parse(choose_name(u, &items)?)
                .unwrap_or(FinanceItem::PublicFundsBudget),
            amount: amount(u)?,
        });
    }
    Ok(rows)
}

use tenet::model::Role;

/// Deletes span positions from a `Debug` rendering of a tree, so trees
/// parsed from differently laid-out text compare equal.
pub fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
