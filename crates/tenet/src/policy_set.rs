//! Loading a set of policies: parse, follow imports, check.
//!
//! The core reads no files: callers pass a reader that returns a file's
//! text by name (`tenet-io` and the CLI read from disk; tests use a map).

use crate::check::{self, Unit};
use crate::diagnostic::{Diagnostic, Lang, Level, Sink, Span};
use crate::eval;
use crate::model::{Actor, Dataset, Org};
use crate::program::CheckedPolicy;
use crate::report::{Report, RuleResult};
use crate::syntax::{self, ast, Limits};
use crate::value::EntityRef;
use chrono::NaiveDate;
use indexmap::IndexMap;
use std::fmt;
use std::sync::Mutex;

/// Policies that parsed and checked, ready to evaluate.
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub(crate) policies: Vec<CheckedPolicy>,
    /// For each policy, which of the set's distinct credit blocks it uses
    /// (policies importing the same block credit every enrollment alike).
    credit_groups: Vec<Option<usize>>,
    warnings: Vec<Diagnostic>,
    sources: IndexMap<String, String>,
}

/// What [`PolicySet::evaluate_with`] evaluates, and how.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Only these rule ids (`None`: every rule).
    pub rules: Option<Vec<String>>,
    /// Only these subjects (`None`: every subject in scope).
    pub subjects: Option<Vec<EntityRef>>,
    /// Threads to spread subjects over; results do not depend on it.
    pub threads: usize,
    /// How much each result's explanation lists.
    pub detail: Detail,
}

/// How much an explanation lists. Every level keeps the status, figures,
/// message, values, params and missing data of every result; the levels
/// differ only in whether the records counted and left out are listed
/// one by one or only counted in `explanation.more`.
///
/// A district run lists millions of records (every enrollment of every
/// teacher-year); an analyst who reads the failures needs them only there.
///
/// ```
/// use tenet::{Detail, EvalOptions};
/// let opts = EvalOptions { detail: Detail::Failures, ..EvalOptions::default() };
/// assert_eq!(opts.detail, Detail::Failures);
/// assert_eq!(EvalOptions::default().detail, Detail::Full);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every record, for every result (the default).
    #[default]
    Full,
    /// Records only for results that are not a pass or not applicable;
    /// a passing result counts its records in `more`.
    Failures,
    /// No records: every result counts them in `more`.
    Brief,
}

impl EvalOptions {
    /// Whether the options select a rule of `policy`: by its id, or by
    /// `policy.rule` (which selects it in that policy only).
    pub fn selects_rule(&self, policy: &CheckedPolicy, rule: &crate::program::Rule) -> bool {
        self.rules.as_ref().is_none_or(|ids| {
            ids.iter().any(|id| match id.split_once('.') {
                Some((p, r)) => p == policy.id && r == rule.id,
                None => *id == rule.id,
            })
        })
    }

    /// Whether a policy has a selected rule, and so gives a report.
    ///
    /// ```
    /// use tenet::{EvalOptions, PolicySet};
    /// let set = PolicySet::from_sources(&[("p.policy", "policy p { rule r { for school s require true } }")])
    ///     .map_err(|e| e.render())?;
    /// let policy = &set.policies()[0];
    /// assert!(EvalOptions::default().selects(policy));
    /// let other = EvalOptions { rules: Some(vec!["q".into()]), ..EvalOptions::default() };
    /// assert!(!other.selects(policy));
    /// # Ok::<(), String>(())
    /// ```
    pub fn selects(&self, policy: &CheckedPolicy) -> bool {
        policy.rules.iter().any(|r| self.selects_rule(policy, r))
    }
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            rules: None,
            subjects: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            detail: Detail::Full,
        }
    }
}

/// Why a policy set could not be built: every diagnostic, with the sources
/// needed to render them.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// Errors and warnings, in file and position order.
    pub diagnostics: Vec<Diagnostic>,
    /// Each file's text by name.
    pub sources: IndexMap<String, String>,
}

impl CompileError {
    /// All diagnostics drawn with their source lines.
    pub fn render(&self) -> String {
        self.render_in(Lang::En)
    }

    /// All diagnostics drawn in `lang` ([`Diagnostic::render_in`]).
    pub fn render_in(&self, lang: Lang) -> String {
        render_all(&self.diagnostics, &self.sources, lang)
    }

    /// The one-line summary (`2 errors in policies`) in `lang`.
    pub fn summary_in(&self, lang: Lang) -> String {
        let n = self.errors().count();
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => format!("政策中有{n}处错误"),
        }
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == Level::Error)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        write!(f, "{n} error{} in policies", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for CompileError {}

fn render_all(
    diagnostics: &[Diagnostic],
    sources: &IndexMap<String, String>,
    lang: Lang,
) -> String {
    diagnostics
        .iter()
        .map(|d| d.render_in(sources.get(&d.file).map_or("", String::as_str), lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Joins an import path to the importing file's directory, resolving `.`
/// and `..` textually (no file system access).
pub fn resolve_import(importer: &str, path: &str) -> String {
    let mut parts: Vec<&str> = match importer.rfind('/') {
        Some(i) if !path.starts_with('/') => importer.get(..i).unwrap_or("").split('/').collect(),
        _ => Vec::new(),
    };
    if path.starts_with('/') {
        parts.push("");
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

struct Loaded {
    source: String,
    file: Option<ast::File>,
    /// Resolved names of its imports, with the import's span.
    imports: Vec<(String, Span)>,
}

impl PolicySet {
    /// Loads `roots` and everything they import through `read`, then checks
    /// each root. All diagnostics of all files come back at once.
    ///
    /// ```
    /// use tenet::PolicySet;
    /// let files = [
    ///     ("common.policy", "policy common { param minimum = 90 h }"),
    ///     ("a.policy", r#"import "common.policy"
    ///        policy a { rule r { for person t require t has teacher } }"#),
    /// ];
    /// let read = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.to_string())
    ///     .ok_or_else(|| "not found".to_string());
    /// let set = PolicySet::load(&["a.policy"], read).unwrap();
    /// assert_eq!(set.policies()[0].id, "a");
    /// ```
    pub fn load<S: AsRef<str>>(
        roots: &[S],
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<PolicySet, CompileError> {
        let mut files: IndexMap<String, Loaded> = IndexMap::new();
        let mut diagnostics = Vec::new();
        let mut broken: Vec<String> = Vec::new();
        let mut pending: Vec<(String, Option<(String, Span)>)> = roots
            .iter()
            .rev()
            .map(|r| (r.as_ref().to_string(), None))
            .collect();
        while let Some((name, from)) = pending.pop() {
            if files.contains_key(&name) {
                continue;
            }
            let source = match read(&name) {
                Ok(s) => s,
                Err(why) => {
                    match &from {
                        Some((importer, span)) => {
                            let src = files.get(importer).map_or("", |l| l.source.as_str());
                            let mut sink = Sink::new(importer, src);
                            sink.error(*span, format!("cannot read imported file `{name}`: {why}"))
                                .help("import paths are relative to the importing file");
                            diagnostics.extend(sink.diagnostics);
                        }
                        None => {
                            let mut sink = Sink::new(&name, "");
                            sink.error(Span::default(), format!("cannot read `{name}`: {why}"));
                            diagnostics.extend(sink.diagnostics);
                        }
                    }
                    continue;
                }
            };
            let mut sink = Sink::new(&name, &source);
            let file = syntax::parse_recovering(&source, &mut sink, Limits::default());
            if sink.has_errors() {
                broken.push(name.clone());
            }
            diagnostics.extend(sink.diagnostics);
            let imports: Vec<(String, Span)> = file
                .as_ref()
                .map(|f| {
                    f.imports
                        .iter()
                        .map(|i| (resolve_import(&name, &i.value), i.span))
                        .collect()
                })
                .unwrap_or_default();
            for (imp, span) in imports.iter().rev() {
                pending.push((imp.clone(), Some((name.clone(), *span))));
            }
            files.insert(
                name,
                Loaded {
                    source,
                    file,
                    imports,
                },
            );
        }

        let mut policies = Vec::new();
        for root in roots {
            let root = root.as_ref();
            let Some(order) = import_order(root, &files, &mut diagnostics) else {
                continue;
            };
            let Some(loaded) = files.get(root) else {
                continue;
            };
            let Some(file) = &loaded.file else { continue };
            let imports: Vec<Unit<'_>> = order
                .iter()
                .filter_map(|n| {
                    let l = files.get(n)?;
                    Some(Unit {
                        name: n.as_str(),
                        source: l.source.as_str(),
                        file: l.file.as_ref()?,
                    })
                })
                .collect();
            if imports.len() != order.len() {
                continue; // an imported file failed to parse; its errors are reported
            }
            let unit = Unit {
                name: root,
                source: &loaded.source,
                file,
            };
            let (policy, diags) = check::check(&unit, &imports);
            // A file checked without its broken rules: a warning such as
            // "param never used" may only be a consequence of that.
            diagnostics.extend(
                diags
                    .into_iter()
                    .filter(|d| d.level == Level::Error || !broken.contains(&d.file)),
            );
            policies.extend(policy);
        }
        let mut seen_ids: IndexMap<String, String> = IndexMap::new();
        for p in &policies {
            if let Some(first) = seen_ids.insert(p.id.clone(), p.file.clone()) {
                let src = files.get(&p.file).map_or("", |l| l.source.as_str());
                let span = files
                    .get(&p.file)
                    .and_then(|l| l.file.as_ref())
                    .map_or(Span::default(), |f| f.policy.id.span);
                let mut sink = Sink::new(&p.file, src);
                sink.error(
                    span,
                    format!("policy id `{}` is also used by `{first}`", p.id),
                )
                .help("reports are keyed by policy id; give each policy its own");
                diagnostics.extend(sink.diagnostics);
            }
        }
        dedup(&mut diagnostics);
        let sources: IndexMap<String, String> =
            files.into_iter().map(|(n, l)| (n, l.source)).collect();
        if diagnostics.iter().any(|d| d.level == Level::Error) {
            return Err(CompileError {
                diagnostics,
                sources,
            });
        }
        Ok(PolicySet {
            credit_groups: eval::credit_groups(&policies),
            policies,
            warnings: diagnostics,
            sources,
        })
    }

    /// Builds a set from in-memory sources; every source is a root, and
    /// imports resolve among the given names.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<PolicySet, CompileError> {
        let roots: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
        PolicySet::load(&roots, |name| {
            sources
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| "no such source".to_string())
        })
    }

    /// The checked policies, in root order.
    pub fn policies(&self) -> &[CheckedPolicy] {
        &self.policies
    }

    /// Warnings found while checking.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Warnings drawn with their source lines.
    pub fn render_warnings(&self) -> String {
        self.render_warnings_in(Lang::En)
    }

    /// The warnings drawn in `lang`.
    pub fn render_warnings_in(&self, lang: Lang) -> String {
        render_all(&self.warnings, &self.sources, lang)
    }

    /// Each file's text by name.
    pub fn sources(&self) -> &IndexMap<String, String> {
        &self.sources
    }

    /// Evaluates every policy that has rules against a dataset, as of a
    /// date, on all available cores. Deterministic: the same inputs give
    /// the same reports, whatever the thread count.
    pub fn evaluate(&self, data: &Dataset, as_of: NaiveDate) -> Vec<Report> {
        self.evaluate_with(data, as_of, &EvalOptions::default())
    }

    /// [`evaluate`](Self::evaluate) on a given number of threads.
    pub fn evaluate_with_threads(
        &self,
        data: &Dataset,
        as_of: NaiveDate,
        threads: usize,
    ) -> Vec<Report> {
        self.evaluate_with(
            data,
            as_of,
            &EvalOptions {
                threads,
                ..EvalOptions::default()
            },
        )
    }

    /// Evaluates with options: only some rules, only some subjects, a
    /// thread count. Policies with no selected rule give no report.
    pub fn evaluate_with(
        &self,
        data: &Dataset,
        as_of: NaiveDate,
        opts: &EvalOptions,
    ) -> Vec<Report> {
        let mut reports = Vec::new();
        self.evaluate_each(data, as_of, opts, |r| reports.push(r));
        reports
    }

    /// [`evaluate_with`](Self::evaluate_with), handing each policy's report
    /// to `each` as soon as it is made, in the same order: a caller that
    /// writes reports out one by one need not hold them all (a province's
    /// reports run to a gigabyte). What the policies share — credit,
    /// record ids — is still computed once.
    ///
    /// ```
    /// use tenet::{model::Dataset, EvalOptions, PolicySet};
    /// let set = PolicySet::from_sources(&[("p.policy", "policy p { rule r { for school s require true } }")])
    ///     .map_err(|e| e.render())?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// let mut policies = Vec::new();
    /// set.evaluate_each(&Dataset::default(), as_of, &EvalOptions::default(), |report| {
    ///     policies.push(report.policy); // write it out, then let it go
    /// });
    /// assert_eq!(policies, ["p"]);
    /// # Ok::<(), String>(())
    /// ```
    pub fn evaluate_each(
        &self,
        data: &Dataset,
        as_of: NaiveDate,
        opts: &EvalOptions,
        mut each: impl FnMut(Report),
    ) {
        // Shared once for every policy of the run (explanations list the
        // same records over and over).
        let shared = eval::Shared::new(self.credit_blocks());
        for (p, group) in self.policies.iter().zip(&self.credit_groups) {
            if opts.selects(p) {
                each(eval::evaluate_policy(p, *group, data, as_of, opts, &shared));
            }
        }
    }

    /// Evaluates one subject (a teacher, a school …) against every rule of
    /// every policy that ranges over its kind — the per-request call for
    /// services. Results come in policy order, then rule order.
    pub fn evaluate_subject(
        &self,
        data: &Dataset,
        subject: EntityRef,
        as_of: NaiveDate,
    ) -> Vec<RuleResult> {
        let mut out = Vec::new();
        let mut scratch = eval::Scratch::default();
        // The subject's credit, computed once for every policy that
        // credits the same way (one table per credit block, made on use).
        let mut tables: Vec<Option<eval::CreditTable>> =
            (0..self.credit_blocks()).map(|_| None).collect();
        for (p, group) in self.policies.iter().zip(&self.credit_groups) {
            let slot = group.and_then(|g| tables.get_mut(g));
            let credits = match slot {
                Some(slot) => {
                    if slot.is_none() {
                        *slot = eval::CreditTable::for_subject(p, subject);
                    }
                    slot.as_ref()
                }
                None => None,
            };
            eval::evaluate_subject(
                p,
                data,
                subject,
                as_of,
                credits,
                None,
                &mut out,
                &mut scratch,
            );
        }
        out
    }

    /// An evaluator for one dataset and evaluation date that keeps what a
    /// call computes — each person's credit, the shared record ids — for
    /// the calls after it: for a service that checks one subject per
    /// request against a dataset it holds. Results are the same as
    /// [`evaluate_subject`](Self::evaluate_subject)'s.
    ///
    /// ```
    /// use tenet::model::{Dataset, DistrictRow, FinanceItem, FinanceRow, Rows, SchoolRow};
    /// use tenet::{report::Status, PolicySet};
    ///
    /// let set = PolicySet::from_sources(&[(
    ///     "funds.policy",
    ///     r#"policy funds "培训经费" {
    ///       effective 2021-01-01 .. 2021-12-31
    ///       rule school_training_funds "按年度公用经费预算总额的5%安排教师培训经费" {
    ///         for school s
    ///         each calendar_year
    ///         require finance(s, teacher_training_funds) >= 5% of finance(s, public_funds_budget)
    ///       }
    ///     }"#,
    /// )])
    /// .map_err(|e| e.render())?;
    /// let amount = |item, a: &str| FinanceRow { org: "s1".into(), year: 2021, item, amount: a.parse().unwrap() };
    /// let rows = Rows {
    ///     districts: vec![DistrictRow { id: "d1".into(), name: "绿园区".into(), attrs: Default::default() }],
    ///     schools: vec![SchoolRow { id: "s1".into(), name: "第一小学".into(), district: "d1".into(),
    ///                               rural: false, training_base: false, attrs: Default::default() }],
    ///     finance: vec![amount(FinanceItem::PublicFundsBudget, "10770000.00"),
    ///                   amount(FinanceItem::TeacherTrainingFunds, "538500.00")],
    ///     ..Rows::default()
    /// };
    /// let (data, _warnings) = Dataset::from_rows(rows).map_err(|e| format!("{e:?}"))?;
    ///
    /// // Made once, when the service loads its data; `Sync`, so request
    /// // threads can share it.
    /// let evaluator = set.evaluator(&data, chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap());
    /// // Then one call per request.
    /// let school = PolicySet::find_subject(&data, "s1").ok_or("no such school")?;
    /// let results = evaluator.evaluate_subject(school);
    /// assert_eq!(results[0].status, Status::Pass);
    /// # Ok::<(), String>(())
    /// ```
    pub fn evaluator<'a>(&'a self, data: &'a Dataset, as_of: NaiveDate) -> Evaluator<'a> {
        Evaluator {
            set: self,
            data,
            as_of,
            shared: eval::Shared::new(self.credit_blocks()),
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// How many distinct credit blocks the policies use.
    fn credit_blocks(&self) -> usize {
        self.credit_groups
            .iter()
            .flatten()
            .max()
            .map_or(0, |g| g + 1)
    }

    /// Evaluates one rule (by id, in any policy of the set; `policy.rule`
    /// to pick one when ids repeat across policies) for every subject in
    /// its scope, or only for `subject`. `None` when no rule has that id.
    pub fn evaluate_rule(
        &self,
        data: &Dataset,
        rule: &str,
        subject: Option<EntityRef>,
        as_of: NaiveDate,
    ) -> Option<Vec<RuleResult>> {
        let (policy_id, rule_id) = match rule.split_once('.') {
            Some((p, r)) => (Some(p), r),
            None => (None, rule),
        };
        let (policy, r) = self
            .policies
            .iter()
            .filter(|p| policy_id.is_none_or(|id| p.id == id))
            .find_map(|p| p.rules.iter().find(|r| r.id == rule_id).map(|r| (p, r)))?;
        Some(eval::evaluate_one_rule(policy, r, data, subject, as_of))
    }

    /// Finds a subject by its file id: a district, school or person id, an
    /// activity id, or `mentor/trainee/program` for a mentorship.
    pub fn find_subject(data: &Dataset, id: &str) -> Option<EntityRef> {
        if let Some(actor) = data.actor(id) {
            return Some(match actor {
                Actor::Person(p) => EntityRef::Person(p),
                Actor::Org(Org::School(s)) => EntityRef::School(s),
                Actor::Org(Org::District(d)) => EntityRef::District(d),
            });
        }
        if let Some(a) = data.activity_ix(id) {
            return Some(EntityRef::Activity(a));
        }
        data.mentorships
            .iter()
            .position(|m| m.id == id)
            .map(|i| EntityRef::Mentorship(crate::model::MentorshipIx(i as u32)))
    }
}

/// Transitive imports of `root`, dependencies first; `None` on a cycle.
fn import_order(
    root: &str,
    files: &IndexMap<String, Loaded>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    fn visit(
        name: &str,
        files: &IndexMap<String, Loaded>,
        stack: &mut Vec<String>,
        done: &mut Vec<String>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let Some(loaded) = files.get(name) else {
            return true;
        };
        stack.push(name.to_string());
        for (imp, span) in &loaded.imports {
            if stack.iter().any(|s| s == imp) {
                let mut sink = Sink::new(name, &loaded.source);
                let mut chain = stack.clone();
                chain.push(imp.clone());
                sink.error(*span, format!("import cycle: {}", chain.join(" → ")))
                    .help("move the shared definitions into a file that imports nothing");
                diagnostics.extend(sink.diagnostics);
                return false;
            }
            if !files.contains_key(imp) {
                // Unreadable: already reported; checking without it would
                // only add errors caused by its absence.
                return false;
            }
            if done.iter().any(|d| d == imp) {
                continue;
            }
            // One level per link of an import chain: grow the stack as needed.
            if !crate::stack::guard(|| visit(imp, files, stack, done, diagnostics)) {
                return false;
            }
            if files.contains_key(imp) && !done.iter().any(|d| d == imp) {
                done.push(imp.clone());
            }
        }
        stack.pop();
        true
    }
    let mut done = Vec::new();
    let mut stack = Vec::new();
    visit(root, files, &mut stack, &mut done, diagnostics).then_some(done)
}

fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert((d.file.clone(), d.span, d.message.clone())));
}

/// A [`PolicySet`] prepared for one dataset and evaluation date
/// ([`PolicySet::evaluator`]).
pub struct Evaluator<'a> {
    set: &'a PolicySet,
    data: &'a Dataset,
    as_of: NaiveDate,
    /// Record ids and credit tables, kept between calls; each person's
    /// ledger is made the first time it is counted.
    shared: eval::Shared,
    /// Buffers for calls, one per call running at once, kept between
    /// calls: a call allocates only what its results own.
    scratch: Mutex<Vec<eval::Scratch>>,
}

impl Evaluator<'_> {
    /// Evaluates one subject against every rule of every policy that
    /// ranges over its kind, as [`PolicySet::evaluate_subject`] does.
    pub fn evaluate_subject(&self, subject: EntityRef) -> Vec<RuleResult> {
        let mut scratch = self
            .scratch
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        // Room for as many results as the last call gave (the same
        // subject, or one much like it).
        let mut out = Vec::with_capacity(scratch.last_len);
        for (p, group) in self.set.policies.iter().zip(&self.set.credit_groups) {
            eval::evaluate_subject(
                p,
                self.data,
                subject,
                self.as_of,
                self.shared.credits(*group, p, self.data),
                Some(&self.shared.names),
                &mut out,
                &mut scratch,
            );
        }
        scratch.last_len = out.len();
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(scratch);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_resolve_relative_to_the_importer() {
        assert_eq!(
            resolve_import("policies/lvyuan.policy", "common.policy"),
            "policies/common.policy"
        );
        assert_eq!(
            resolve_import("lvyuan.policy", "common.policy"),
            "common.policy"
        );
        assert_eq!(
            resolve_import("a/b/c.policy", "../shared/x.policy"),
            "a/shared/x.policy"
        );
        assert_eq!(
            resolve_import("a/c.policy", "/etc/x.policy"),
            "/etc/x.policy"
        );
    }

    #[test]
    fn an_import_cycle_is_an_error_not_a_hang() {
        let err = PolicySet::from_sources(&[
            ("a.policy", "import \"b.policy\"\npolicy a { }"),
            ("b.policy", "import \"a.policy\"\npolicy b { }"),
        ])
        .unwrap_err();
        assert!(
            err.render()
                .contains("import cycle: a.policy → b.policy → a.policy"),
            "{}",
            err.render()
        );
    }
}
