//! Results and reports. The JSON shape is fixed (DESIGN §4): other tools
//! read it. Every number is an exact decimal written as a string.

use crate::program::Severity;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

/// Outcome of one rule for one subject in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// The requirement does not hold in a closed window.
    Fail,
    /// The window is still open and the requirement is not yet met.
    Pending,
    /// The window does not overlap the policy's effective range.
    NotApplicable,
    /// Data needed to decide is missing; the explanation says what.
    Unknown,
}

impl Status {
    /// All statuses, in report order.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Pending,
        Status::NotApplicable,
        Status::Unknown,
    ];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Pending => "pending",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }
}

/// Who a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// `person`, `school`, `district`, `activity`, `enrollment`, `mentorship`.
    pub kind: Cow<'static, str>,
    /// Id as in the data files.
    pub id: String,
}

/// A window as written in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WindowOut {
    /// First day.
    pub start: chrono::NaiveDate,
    /// Last day.
    pub end: chrono::NaiveDate,
}

/// A named value used in a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The expression or param as written (shared with the program: every
    /// result of a rule names the same expressions).
    pub expr: Arc<str>,
    /// Its value.
    pub value: String,
}

/// A record that was counted or left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `enrollment`, `activity`, `person`, …
    pub kind: Cow<'static, str>,
    /// The record's id (for enrollments: the activity id), shared with
    /// every other record of the same entity in the run.
    pub id: Arc<str>,
    /// What it contributed (hours credited, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Figure>,
    /// Why it was left out or how it counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A figure in an explanation: an exact decimal, kept as a number until it
/// is written (formatting millions of them during evaluation would cost
/// more than the evaluation), or text such as a date. Written as a string.
#[derive(Debug, Clone)]
pub enum Figure {
    /// An exact decimal, written normalised (`12`, `2.5`).
    Number(rust_decimal::Decimal),
    /// Anything else, written as is.
    Text(String),
}

/// Figures are equal when they are written the same: a number read back
/// from a report is text, and still the same figure.
impl PartialEq for Figure {
    fn eq(&self, other: &Figure) -> bool {
        match (self, other) {
            (Figure::Number(a), Figure::Number(b)) => a.normalize() == b.normalize(),
            (Figure::Text(a), Figure::Text(b)) => a == b,
            (a, b) => a.to_string() == b.to_string(),
        }
    }
}

impl Eq for Figure {}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Figure::Number(d) => write!(f, "{}", d.normalize()),
            Figure::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read back as text: the string is what was written, so it writes
        // back identically.
        String::deserialize(d).map(Figure::Text)
    }
}

/// Why a result came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Explanation {
    /// The rendered message template, if the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Values computed on the way (aggregates, finance lines, ages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Fact>,
    /// Params in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Fact>,
    /// Records that counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counted: Vec<Record>,
    /// Records left out, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Record>,
    /// Missing data or missing sub-windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Records not listed to keep the explanation short.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Rule id.
    pub rule: String,
    /// Subject.
    pub subject: Subject,
    /// Window, or `null` for point-in-time rules.
    pub window: Option<WindowOut>,
    /// Outcome.
    pub status: Status,
    /// The value found (left side of the requirement).
    pub actual: Option<String>,
    /// The value required (right side).
    pub required: Option<String>,
    /// How far short (or over, for `<=` rules) when not passing.
    pub shortfall: Option<String>,
    /// Required or advisory.
    pub severity: Severity,
    /// Why.
    pub explanation: Explanation,
}

/// Counts per status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Passing.
    pub pass: u64,
    /// Failing.
    pub fail: u64,
    /// Pending.
    pub pending: u64,
    /// Not applicable.
    pub not_applicable: u64,
    /// Unknown.
    pub unknown: u64,
    /// `pass / (pass + fail)`, 4 decimals; `null` when nothing was decided.
    pub compliance_rate: Option<String>,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Pending => self.pending += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Unknown => self.unknown += 1,
        }
    }

    fn finish(&mut self) {
        let decided = self.pass + self.fail;
        self.compliance_rate = (decided > 0).then(|| {
            let rate =
                rust_decimal::Decimal::from(self.pass) / rust_decimal::Decimal::from(decided);
            rate.round_dp(4).to_string()
        });
    }
}

/// Per-rule line of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSummary {
    /// Rule id.
    pub rule: String,
    /// Title.
    pub title: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Per-school line of the summary: results about the school and its people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSummary {
    /// School id.
    pub school: String,
    /// School name.
    pub name: String,
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// The summary block.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Policy title.
    pub title: Option<String>,
    /// The source plan.
    pub source: Option<String>,
    /// All results by status.
    pub total: Counts,
    /// Failing results of required rules.
    pub violations: u64,
    /// Per rule, in policy order.
    pub rules: Vec<RuleSummary>,
    /// Per school, in data order.
    pub schools: Vec<SchoolSummary>,
}

/// A policy's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Policy id.
    pub policy: String,
    /// Evaluation date.
    pub as_of: chrono::NaiveDate,
    /// Results by rule, then subject, then window.
    pub results: Vec<RuleResult>,
    /// Counts and rates.
    pub summary: Summary,
}

/// What a report (or a run of reports) says about its required rules as
/// a whole; `tenet check` exits with it. Ordered so that the worse of two
/// is the greater: a run's verdict is the `max` of its reports'.
///
/// ```
/// use tenet::report::Verdict;
/// let run = [Verdict::Passed, Verdict::Undecided, Verdict::Passed];
/// assert_eq!(run.into_iter().max(), Some(Verdict::Undecided));
/// assert!(Verdict::Failed > Verdict::Undecided);
/// assert_eq!(Verdict::Undecided.exit_code(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Every required result was decided, and none failed (`pass` or
    /// `not_applicable`).
    Passed,
    /// No required result failed, but some are `unknown` or `pending`.
    Undecided,
    /// A required result failed.
    Failed,
}

impl Verdict {
    /// The process exit code: 0, 3 (undecided) or 1 (failed); 2 is left
    /// for bad input.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Undecided => 3,
        }
    }
}

impl Report {
    /// Whether any required rule failed.
    pub fn has_violations(&self) -> bool {
        self.summary.violations > 0
    }

    /// The verdict on the report's required rules, from the summary (so
    /// it holds after `results` has been filtered).
    pub fn verdict(&self) -> Verdict {
        let required = || {
            self.summary
                .rules
                .iter()
                .filter(|r| r.severity == Severity::Required)
        };
        if self.has_violations() {
            Verdict::Failed
        } else if required().any(|r| r.counts.pending + r.counts.unknown > 0) {
            Verdict::Undecided
        } else {
            Verdict::Passed
        }
    }

    /// The report as pretty JSON (stable key order, exact decimals).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Builds the summary. `school_of` maps a result's position to the index
/// of the school it counts toward (for people: their school), if any.
/// Public for adapters that compute results elsewhere (`tenet-sql`).
pub fn summarize(
    title: Option<String>,
    source: Option<String>,
    rules: &[(String, Option<String>, Severity)],
    results: &[RuleResult],
    schools: &[(String, String)],
    school_of: impl Fn(usize) -> Option<usize>,
) -> Summary {
    let mut total = Counts::default();
    let mut per_rule: IndexMap<&str, Counts> = rules
        .iter()
        .map(|(id, ..)| (id.as_str(), Counts::default()))
        .collect();
    let mut per_school: Vec<Counts> = vec![Counts::default(); schools.len()];
    let mut violations = 0;
    // Results come rule by rule: the rule of the result before is compared
    // first, so millions of results do not each hash their rule's id.
    let mut last: Option<(&str, usize)> = None;
    for (i, r) in results.iter().enumerate() {
        total.add(r.status);
        let rule = match last {
            Some((id, k)) if id == r.rule => Some(k),
            _ => per_rule.get_index_of(r.rule.as_str()),
        };
        if let Some(k) = rule {
            last = Some((r.rule.as_str(), k));
            if let Some((_, c)) = per_rule.get_index_mut(k) {
                c.add(r.status);
            }
        }
        if let Some(c) = school_of(i).and_then(|s| per_school.get_mut(s)) {
            c.add(r.status);
        }
        if r.status == Status::Fail && r.severity == Severity::Required {
            violations += 1;
        }
    }
    total.finish();
    let rules = rules
        .iter()
        .map(|(id, title, severity)| {
            let mut counts = per_rule.get(id.as_str()).cloned().unwrap_or_default();
            counts.finish();
            RuleSummary {
                rule: id.clone(),
                title: title.clone(),
                severity: *severity,
                counts,
            }
        })
        .collect();
    let schools = schools
        .iter()
        .zip(per_school)
        .map(|((id, name), mut counts)| {
            counts.finish();
            SchoolSummary {
                school: id.clone(),
                name: name.clone(),
                counts,
            }
        })
        .collect();
    Summary {
        title,
        source,
        total,
        violations,
        rules,
        schools,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(rule: &str, status: Status) -> RuleResult {
        RuleResult {
            rule: rule.into(),
            subject: Subject {
                kind: Cow::Borrowed("person"),
                id: "t1".into(),
            },
            window: None,
            status,
            actual: None,
            required: None,
            shortfall: None,
            severity: Severity::Required,
            explanation: Explanation::default(),
        }
    }

    #[test]
    fn results_count_toward_their_own_rule_whatever_their_order() {
        let rules: Vec<_> = ["a", "b"]
            .map(|id| (id.to_string(), None, Severity::Required))
            .into();
        let results = [
            result("a", Status::Pass),
            result("a", Status::Fail),
            result("b", Status::Fail),
            result("a", Status::Pass),
            result("c", Status::Fail),
            result("b", Status::Unknown),
        ];
        let summary = summarize(None, None, &rules, &results, &[], |_| None);
        let counts: Vec<_> = summary
            .rules
            .iter()
            .map(|r| {
                (
                    r.rule.as_str(),
                    r.counts.pass,
                    r.counts.fail,
                    r.counts.unknown,
                )
            })
            .collect();
        assert_eq!(counts, [("a", 2, 1, 0), ("b", 0, 1, 1)]);
        assert_eq!((summary.total.fail, summary.violations), (3, 3));
    }
}
