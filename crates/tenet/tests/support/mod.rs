//! Hand-built datasets and a one-call evaluator for integration tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use tenet::model::*;
use tenet::report::{Report, RuleResult};
use tenet::PolicySet;

pub const COMMON: &str = include_str!("../seeds/common.policy");

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn opt(s: &str) -> Option<NaiveDate> {
    (!s.is_empty()).then(|| d(s))
}

/// A dataset under construction: district `d1` with school `s1`.
pub struct Data {
    pub rows: Rows,
}

impl Data {
    pub fn new() -> Data {
        let mut rows = Rows::default();
        rows.districts.push(DistrictRow {
            id: "d1".into(),
            name: "绿园区".into(),
            attrs: Default::default(),
        });
        rows.schools.push(SchoolRow {
            id: "s1".into(),
            name: "第一小学".into(),
            district: "d1".into(),
            rural: false,
            training_base: false,
            attrs: Default::default(),
        });
        Data { rows }
    }

    pub fn school(&mut self, id: &str, rural: bool, base: bool) -> &mut Self {
        self.rows.schools.push(SchoolRow {
            id: id.into(),
            name: format!("学校{id}"),
            district: "d1".into(),
            rural,
            training_base: base,
            attrs: Default::default(),
        });
        self
    }

    /// `roles` like `teacher;mentor`; dates may be "".
    pub fn person(
        &mut self,
        id: &str,
        org: &str,
        roles: &str,
        birth: &str,
        hire: &str,
        post: &str,
    ) -> &mut Self {
        self.rows.people.push(PersonRow {
            id: id.into(),
            name: format!("教师{id}"),
            org: org.into(),
            roles: RoleSet::parse(roles).unwrap(),
            birth_date: opt(birth),
            hire_date: opt(hire),
            post_start_date: opt(post),
            attrs: Default::default(),
        });
        self
    }

    pub fn teacher(&mut self, id: &str) -> &mut Self {
        self.person(id, "s1", "teacher", "1980-01-01", "2005-09-01", "")
    }

    #[allow(clippy::too_many_arguments)]
    pub fn activity_full(
        &mut self,
        id: &str,
        organizer: &str,
        host: &str,
        level: Level,
        kind: Kind,
        start: &str,
        end: &str,
        hours: &str,
    ) -> &mut Self {
        self.rows.activities.push(ActivityRow {
            id: id.into(),
            title: format!("活动{id}"),
            organizer: organizer.into(),
            host: (!host.is_empty()).then(|| host.to_string()),
            level,
            kind,
            mode: Mode::Offline,
            start_date: d(start),
            end_date: d(end),
            hours: dec(hours),
            attrs: Default::default(),
        });
        self
    }

    /// A district-level course run by `d1` on one day.
    pub fn course(&mut self, id: &str, day: &str, hours: &str) -> &mut Self {
        self.activity_full(id, "d1", "", Level::District, Kind::Course, day, day, hours)
    }

    /// An activity of `kind` organized by `by` on one day.
    pub fn event(&mut self, id: &str, by: &str, kind: Kind, day: &str) -> &mut Self {
        self.activity_full(id, by, "", Level::School, kind, day, day, "1")
    }

    pub fn session(&mut self, id: &str, activity: &str, date: &str, hours: &str) -> &mut Self {
        self.rows.sessions.push(SessionRow {
            id: id.into(),
            activity: activity.into(),
            date: d(date),
            hours: dec(hours),
        });
        self
    }

    pub fn enroll(&mut self, person: &str, activity: &str) -> &mut Self {
        self.rows.enrollments.push(EnrollmentRow {
            person: person.into(),
            activity: activity.into(),
        });
        self
    }

    pub fn attend(&mut self, person: &str, session: &str, status: Status) -> &mut Self {
        self.rows.attendance.push(AttendanceRow {
            person: person.into(),
            session: session.into(),
            status,
        });
        self
    }

    pub fn finance(&mut self, org: &str, year: i32, item: FinanceItem, amount: &str) -> &mut Self {
        self.rows.finance.push(FinanceRow {
            org: org.into(),
            year,
            item,
            amount: dec(amount),
        });
        self
    }

    pub fn mentorship(
        &mut self,
        mentor: &str,
        trainee: &str,
        program: &str,
        start: &str,
        end: &str,
    ) -> &mut Self {
        self.rows.mentorships.push(MentorshipRow {
            mentor: mentor.into(),
            trainee: trainee.into(),
            program: program.into(),
            start_date: d(start),
            end_date: d(end),
        });
        self
    }

    pub fn build(&self) -> Dataset {
        match Dataset::from_rows(self.rows.clone()) {
            Ok((data, _)) => data,
            Err(errors) => panic!("test dataset is invalid: {errors:?}"),
        }
    }
}

/// Compiles `policy` (with `common.policy` available to import).
pub fn compile(policy: &str) -> PolicySet {
    match PolicySet::load(&["test.policy"], |name| match name {
        "test.policy" => Ok(policy.to_string()),
        "common.policy" => Ok(COMMON.to_string()),
        other => Err(format!("no file {other}")),
    }) {
        Ok(set) => set,
        Err(e) => panic!("policy does not compile:\n{}", e.render()),
    }
}

/// Evaluates `policy` on `data` and returns its one report.
pub fn report(policy: &str, data: &Data, as_of: &str) -> Report {
    let set = compile(policy);
    let mut reports = set.evaluate(&data.build(), d(as_of));
    assert_eq!(reports.len(), 1, "expected one policy with rules");
    reports.remove(0)
}

/// The results of one rule for one subject.
pub fn results<'r>(report: &'r Report, rule: &str, subject: &str) -> Vec<&'r RuleResult> {
    report
        .results
        .iter()
        .filter(|r| r.rule == rule && r.subject.id == subject)
        .collect()
}

/// The single result of a rule for a subject.
pub fn one<'r>(report: &'r Report, rule: &str, subject: &str) -> &'r RuleResult {
    let found = results(report, rule, subject);
    assert_eq!(
        found.len(),
        1,
        "expected one result for {rule}/{subject}, got {found:#?}"
    );
    found[0]
}
