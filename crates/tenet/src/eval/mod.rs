//! Checked program + dataset + evaluation date → results.
//!
//! For each rule: every subject in scope, every window of that subject,
//! one [`RuleResult`]. Windows are clipped to the policy's `effective`
//! range; a window not yet started at the evaluation date is not reported;
//! a window still open is `pending` unless already satisfied; records dated
//! after the evaluation date are never counted.

mod credit;
mod expr;
mod hoist;
pub(crate) mod lower;
mod names;
pub(crate) mod windows;

use crate::model::{Actor, Dataset, Org};
use crate::policy_set::Detail;
use crate::program::{Cadence, CheckedPolicy, Cmp, ExprKind, Requirement, Rule, WindowSpec};
use crate::report::{self, Explanation, Record, Report, RuleResult, Status, Subject, WindowOut};
use crate::schema::{Entity, Type};
use crate::value::{add_duration, DateRange, EntityRef, Value, Q};
use chrono::NaiveDate;
pub(crate) use credit::CreditTable;
pub(crate) use expr::show;
use expr::{compare, ref_actor, Ctx, Halt};
pub(crate) use names::Names;
use std::borrow::Cow;
use std::sync::OnceLock;

use windows::MAX_WINDOWS;

/// What one evaluation run shares across rules, subjects and threads.
#[derive(Clone, Copy)]
struct Run<'a> {
    policy: &'a CheckedPolicy,
    data: &'a Dataset,
    as_of: NaiveDate,
    credits: Option<&'a CreditTable>,
    names: Option<&'a Names>,
    detail: Detail,
}

impl<'a> Run<'a> {
    /// A run with nothing made ahead (one subject): full detail, credits
    /// computed as they are counted.
    fn bare(policy: &'a CheckedPolicy, data: &'a Dataset, as_of: NaiveDate) -> Run<'a> {
        Run {
            policy,
            data,
            as_of,
            credits: None,
            names: None,
            detail: Detail::Full,
        }
    }
}

/// Buffers that evaluating a rule for a subject needs and does not return:
/// the variables, the windows, the periods they are cut from. One is kept
/// by whoever evaluates subject after subject (a run's piece of subjects,
/// a prepared evaluator between calls) and cleared, not reallocated, for
/// each rule, so a call allocates only what its results own.
#[derive(Default)]
pub(crate) struct Scratch {
    env: Vec<Option<Value>>,
    windows: Vec<Option<DateRange>>,
    pieces: Vec<windows::Piece>,
    /// How many results the last call gave: room for the next one's.
    pub last_len: usize,
}

/// What every policy of one evaluation run (or of a prepared evaluator)
/// shares: the record ids, and one credit table per distinct credit block
/// of the set (every shipped policy imports the same block from
/// `common.policy`), each made on first use.
pub(crate) struct Shared {
    pub names: Names,
    credits: Vec<OnceLock<Option<CreditTable>>>,
}

impl Shared {
    /// Room for `blocks` credit tables (see [`credit_groups`]).
    pub fn new(blocks: usize) -> Shared {
        Shared {
            names: Names::default(),
            credits: (0..blocks).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The credit table of credit block `group`, made for `policy` (one of
    /// the policies using that block) on first use.
    pub fn credits(
        &self,
        group: Option<usize>,
        policy: &CheckedPolicy,
        data: &Dataset,
    ) -> Option<&CreditTable> {
        self.credits
            .get(group?)?
            .get_or_init(|| CreditTable::new(data, policy))
            .as_ref()
    }
}

/// For each policy, the index of its credit block among the distinct
/// blocks of `policies` (by [`credit_key`]); `None` without a block.
pub(crate) fn credit_groups(policies: &[CheckedPolicy]) -> Vec<Option<usize>> {
    let mut keys: Vec<String> = Vec::new();
    policies
        .iter()
        .map(|p| {
            let key = credit_key(p)?;
            Some(match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    keys.len() - 1
                }
            })
        })
        .collect()
}

/// What a policy's credit table depends on: its credit block (which names
/// the file that defines it) and the params the block reads. Two policies
/// with the same key credit every enrollment the same way.
fn credit_key(policy: &CheckedPolicy) -> Option<String> {
    use std::fmt::Write as _;
    let credit = policy.credit.as_ref()?;
    let mut key = format!("{credit:?}");
    for (i, p) in policy.params.iter().enumerate() {
        let id = crate::program::ParamId(u16::try_from(i).ok()?);
        let reads =
            |e: &crate::program::Expr| e.any(&|x| matches!(x.kind, ExprKind::Param(q) if q == id));
        if credit.denials.iter().any(|d| reads(&d.cond)) || reads(&credit.otherwise) {
            let _ = write!(key, "{p:?}");
        }
    }
    Some(key)
}

/// Evaluates every rule of a policy over the whole dataset, spreading the
/// subjects of each rule over `threads` threads. Each thread takes a
/// contiguous run of subjects and the runs are joined in order, so the
/// report is the same for any thread count.
/// `group` is the policy's credit block among the set's ([`credit_groups`]).
pub(crate) fn evaluate_policy(
    policy: &CheckedPolicy,
    group: Option<usize>,
    data: &Dataset,
    as_of: NaiveDate,
    opts: &crate::policy_set::EvalOptions,
    shared: &Shared,
) -> Report {
    let threads = opts.threads.max(1);
    let selected = |r: &&Rule| opts.selects_rule(policy, r);
    let credits = if policy.rules.iter().filter(selected).any(uses_credit) {
        shared.credits(group, policy, data)
    } else {
        None
    };
    let run = Run {
        policy,
        data,
        as_of,
        credits,
        names: Some(&shared.names),
        detail: opts.detail,
    };
    let mut results = Vec::new();
    let mut schools = Vec::new();
    for rule in policy.rules.iter().filter(selected) {
        let mut all = subjects(data, rule.subject);
        if let Some(only) = &opts.subjects {
            all.retain(|s| only.contains(s));
        }
        let mut add = |(r, s): (Vec<RuleResult>, Vec<Option<usize>>)| {
            if results.is_empty() {
                // The first run is taken as it is rather than copied.
                results = r;
                schools = s;
            } else {
                results.extend(r);
                schools.extend(s);
            }
        };
        if threads == 1 || all.len() < 64 {
            add(run_subjects(run, rule, &all));
        } else {
            in_pieces(&all, threads, |piece| run_subjects(run, rule, piece), add);
        }
    }
    let rules: Vec<_> = policy
        .rules
        .iter()
        .filter(selected)
        .map(|r| (r.id.clone(), r.title.clone(), r.severity))
        .collect();
    let school_list: Vec<(String, String)> = data
        .schools
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let summary = report::summarize(
        policy.title.clone(),
        policy.source.clone(),
        &rules,
        &results,
        &school_list,
        |i| schools.get(i).copied().flatten(),
    );
    Report {
        policy: policy.id.clone(),
        as_of,
        results,
        summary,
    }
}

/// `work` over `all` cut into pieces, on `threads` threads, each output
/// handed to `take` on the calling thread in the order of the pieces.
/// Pieces are small and handed out in turn, so a thread that finishes
/// early takes the next one instead of waiting for a slower half
/// (subjects differ in cost: the first rule to count a person's credit
/// makes the person's ledger). The outputs do not depend on the thread
/// count or on which thread took which piece.
///
/// `take` runs while the threads work on later pieces, as soon as a piece
/// and every piece before it are done: gathering a province's results
/// into one vector writes hundreds of megabytes of fresh memory, and done
/// after the last piece it was a second or more with one core busy.
fn in_pieces<T: Send>(
    all: &[EntityRef],
    threads: usize,
    work: impl Fn(&[EntityRef]) -> T + Sync,
    mut take: impl FnMut(T),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let pieces: Vec<&[EntityRef]> = all
        .chunks(all.len().div_ceil(threads * 16).max(16))
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let (next, pieces, work) = (&next, &pieces, &work);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(piece) = pieces.get(i) else {
                        return;
                    };
                    // The receiver only goes away if `take` panicked.
                    if tx.send((i, work(piece))).is_err() {
                        return;
                    }
                })
            })
            .collect();
        drop(tx);
        // Outputs arrive in any order; the loop ends when every thread has
        // stopped (a panicking one drops its sender too).
        let mut waiting: Vec<Option<T>> =
            std::iter::repeat_with(|| None).take(pieces.len()).collect();
        let mut due = 0;
        for (i, out) in rx {
            if let Some(slot) = waiting.get_mut(i) {
                *slot = Some(out);
            }
            while let Some(out) = waiting.get_mut(due).and_then(Option::take) {
                take(out);
                due += 1;
            }
        }
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// Results for a run of subjects, with the school each result counts toward.
fn run_subjects(
    run: Run<'_>,
    rule: &Rule,
    subjects: &[EntityRef],
) -> (Vec<RuleResult>, Vec<Option<usize>>) {
    let mut results = Vec::new();
    let mut schools = Vec::new();
    let mut scratch = Scratch::default();
    for (i, &subject) in subjects.iter().enumerate() {
        let before = results.len();
        evaluate_rule(run, rule, subject, &mut results, &mut scratch);
        if i == 0 {
            // Subjects of one rule mostly have as many windows as the
            // first (capped: a daily window over a province is not
            // reserved up front).
            results.reserve(results.len().saturating_mul(subjects.len()).min(1 << 20));
        }
        if run.detail == Detail::Failures
            && results
                .get(before..)
                .is_some_and(|r| r.iter().any(needs_records))
        {
            // Evaluated again with records, kept for the results that
            // need them: cheaper than listing every pass's records.
            results.truncate(before);
            evaluate_rule(
                Run {
                    detail: Detail::Full,
                    ..run
                },
                rule,
                subject,
                &mut results,
                &mut scratch,
            );
            for r in results
                .iter_mut()
                .skip(before)
                .filter(|r| !needs_records(r))
            {
                let e = &mut r.explanation;
                e.more += (e.counted.len() + e.excluded.len()) as u64;
                e.counted = Vec::new();
                e.excluded = Vec::new();
            }
        }
        schools.extend(std::iter::repeat_n(
            school_of(run.data, subject),
            results.len() - before,
        ));
    }
    (results, schools)
}

/// Whether a result's explanation lists its records at [`Detail::Failures`].
fn needs_records(r: &RuleResult) -> bool {
    !matches!(r.status, Status::Pass | Status::NotApplicable)
}

/// Whether a rule counts credited hours (and so wants the credit table).
fn uses_credit(rule: &Rule) -> bool {
    use crate::program::ExprKind as K;
    let credit = |e: &crate::program::Expr| {
        matches!(
            e.kind,
            K::Credited { .. } | K::Field(_, crate::schema::Field::Credited)
        )
    };
    let require = match &rule.require {
        Requirement::Check(e) => e.any(&credit),
        Requirement::Cadence(c) => {
            c.by.any(&credit) || c.filter.as_ref().is_some_and(|f| f.any(&credit))
        }
    };
    require || rule.filter.as_ref().is_some_and(|f| f.any(&credit))
}

/// Evaluates one rule for every subject in its scope, or for one subject.
pub(crate) fn evaluate_one_rule(
    policy: &CheckedPolicy,
    rule: &Rule,
    data: &Dataset,
    subject: Option<EntityRef>,
    as_of: NaiveDate,
) -> Vec<RuleResult> {
    let mut out = Vec::new();
    let mut run = Run::bare(policy, data, as_of);
    let mut scratch = Scratch::default();
    match subject {
        Some(s) if subject_entity(s) == Some(rule.subject) => {
            let credits = CreditTable::for_subject(policy, s);
            run.credits = credits.as_ref();
            evaluate_rule(run, rule, s, &mut out, &mut scratch);
        }
        Some(_) => {}
        None => {
            let credits = CreditTable::new(data, policy);
            let names = Names::default();
            run.credits = credits.as_ref();
            run.names = Some(&names);
            for s in subjects(data, rule.subject) {
                evaluate_rule(run, rule, s, &mut out, &mut scratch);
            }
        }
    }
    out
}

/// Evaluates every rule of the policy whose subject kind matches.
/// `credits`, when given, is a credit table of a policy that credits as
/// this one does (the subject's credit is then computed once for all the
/// rules); `names`, the shared record ids of a longer-lived evaluator;
/// `scratch`, buffers kept between calls.
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate_subject(
    policy: &CheckedPolicy,
    data: &Dataset,
    subject: EntityRef,
    as_of: NaiveDate,
    credits: Option<&CreditTable>,
    names: Option<&Names>,
    out: &mut Vec<RuleResult>,
    scratch: &mut Scratch,
) {
    let run = Run {
        credits,
        names,
        ..Run::bare(policy, data, as_of)
    };
    for rule in &policy.rules {
        if subject_entity(subject) == Some(rule.subject) {
            evaluate_rule(run, rule, subject, out, scratch);
        }
    }
}

fn subject_entity(r: EntityRef) -> Option<Entity> {
    Some(match r {
        EntityRef::District(_) => Entity::District,
        EntityRef::School(_) => Entity::School,
        EntityRef::Person(_) => Entity::Person,
        EntityRef::Activity(_) => Entity::Activity,
        EntityRef::Enrollment(_) => Entity::Enrollment,
        EntityRef::Mentorship(_) => Entity::Mentorship,
        EntityRef::Session(_) => return None,
    })
}

fn subjects(data: &Dataset, kind: Entity) -> Vec<EntityRef> {
    use crate::model::*;
    let n = |len: usize| 0..len as u32;
    match kind {
        Entity::District => n(data.districts.len())
            .map(|i| EntityRef::District(DistrictIx(i)))
            .collect(),
        Entity::School => n(data.schools.len())
            .map(|i| EntityRef::School(SchoolIx(i)))
            .collect(),
        Entity::Person => n(data.people.len())
            .map(|i| EntityRef::Person(PersonIx(i)))
            .collect(),
        Entity::Activity => n(data.activities.len())
            .map(|i| EntityRef::Activity(ActivityIx(i)))
            .collect(),
        Entity::Enrollment => n(data.enrollments.len())
            .map(|i| EntityRef::Enrollment(EnrollmentIx(i)))
            .collect(),
        Entity::Mentorship => n(data.mentorships.len())
            .map(|i| EntityRef::Mentorship(MentorshipIx(i)))
            .collect(),
        Entity::Org | Entity::Actor | Entity::Session => Vec::new(),
    }
}

/// The school a result counts toward in the per-school summary.
fn school_of(data: &Dataset, subject: EntityRef) -> Option<usize> {
    let person_school = |p: crate::model::PersonIx| match data.person(p).org {
        Org::School(s) => Some(s.index()),
        Org::District(_) => None,
    };
    match subject {
        EntityRef::School(s) => Some(s.index()),
        EntityRef::Person(p) => person_school(p),
        EntityRef::Enrollment(e) => person_school(data.enrollment(e).person),
        EntityRef::Mentorship(m) => person_school(data.mentorship(m).trainee),
        EntityRef::Activity(a) => match data.activity(a).host.or(match data.activity(a).organizer {
            Actor::Org(o) => Some(o),
            Actor::Person(_) => None,
        }) {
            Some(Org::School(s)) => Some(s.index()),
            _ => None,
        },
        _ => None,
    }
}

/// A subject's kind and id as reports write them, and the name its
/// messages use (borrowed where the dataset spells them: each result
/// copies the id, and most render no message).
fn subject_out(data: &Dataset, r: EntityRef) -> (&'static str, Cow<'_, str>, Cow<'_, str>) {
    fn b(s: &str) -> Cow<'_, str> {
        Cow::Borrowed(s)
    }
    match r {
        EntityRef::District(d) => {
            let d = data.district(d);
            ("district", b(&d.id), b(&d.name))
        }
        EntityRef::School(s) => {
            let s = data.school(s);
            ("school", b(&s.id), b(&s.name))
        }
        EntityRef::Person(p) => {
            let p = data.person(p);
            ("person", b(&p.id), b(&p.name))
        }
        EntityRef::Activity(a) => {
            let a = data.activity(a);
            ("activity", b(&a.id), b(&a.title))
        }
        EntityRef::Session(s) => {
            let s = data.session(s);
            ("session", b(&s.id), b(&s.id))
        }
        EntityRef::Enrollment(e) => {
            let e = data.enrollment(e);
            let id = format!(
                "{}/{}",
                data.person(e.person).id,
                data.activity(e.activity).id
            );
            ("enrollment", Cow::Owned(id.clone()), Cow::Owned(id))
        }
        EntityRef::Mentorship(m) => {
            let m = data.mentorship(m);
            let name = format!(
                "{} → {}",
                data.person(m.mentor).name,
                data.person(m.trainee).name
            );
            ("mentorship", b(&m.id), Cow::Owned(name))
        }
    }
}

/// The range records are drawn from when a rule has no window.
fn default_range(policy: &CheckedPolicy, as_of: NaiveDate) -> DateRange {
    let all = DateRange {
        start: NaiveDate::MIN,
        end: as_of,
    };
    match policy.effective {
        // No effective range: all time up to the evaluation date.
        None => all,
        // Evaluated before the policy starts: an empty range (start > end),
        // so nothing counts.
        Some(e) => e.intersect(all).unwrap_or(DateRange {
            start: e.start,
            end: as_of,
        }),
    }
}

struct Outcome {
    status: Status,
    actual: Option<String>,
    required: Option<String>,
    shortfall: Option<String>,
}

fn evaluate_rule(
    run: Run<'_>,
    rule: &Rule,
    subject: EntityRef,
    out: &mut Vec<RuleResult>,
    scratch: &mut Scratch,
) {
    let Run {
        policy,
        data,
        as_of,
        credits,
        names,
        detail,
    } = run;
    let mut env = std::mem::take(&mut scratch.env);
    env.resize(rule.slots, None);
    let mut ctx = Ctx {
        data,
        policy,
        as_of,
        range: default_range(policy, as_of),
        window: None,
        param_day: as_of,
        default_at: as_of,
        env,
        trace: Explanation::default(),
        credits,
        scratch: None,
        names,
        lists: detail == Detail::Full,
        hoist: Default::default(),
    };
    rule_results(&mut ctx, run, rule, subject, out, scratch);
    let mut env = std::mem::take(&mut ctx.env);
    env.clear();
    scratch.env = env;
}

/// The results of one rule for one subject, in `ctx` (made for them).
fn rule_results(
    ctx: &mut Ctx<'_>,
    run: Run<'_>,
    rule: &Rule,
    subject: EntityRef,
    out: &mut Vec<RuleResult>,
    scratch: &mut Scratch,
) {
    let Run {
        policy,
        data,
        as_of,
        ..
    } = run;
    ctx.set(rule.var, Value::Entity(subject));
    let (kind, id, name) = subject_out(data, subject);
    let figures = crate::readable::Figures::of_rule(rule, policy);
    // A rule without a window reports the range it ran over: the policy's
    // `effective` range (decisions W2), or `null` when it has none.
    let whole = match rule.window {
        WindowSpec::None => policy.effective,
        _ => None,
    };
    let emit = |out: &mut Vec<RuleResult>,
                window: Option<DateRange>,
                o: Outcome,
                mut trace: Explanation| {
        let window = window.or(whole);
        // A message explains a shortfall; a pass, or a result whose data is
        // missing, says nothing through it ({actual} would be empty).
        if let Some(t) = rule
            .message
            .as_ref()
            .filter(|_| matches!(o.status, Status::Fail | Status::Pending))
        {
            trace.message = Some(render_message(t, &o, figures, &rule.id, &name, window));
        }
        out.push(RuleResult {
            rule: rule.id.clone(),
            subject: Subject {
                kind: Cow::Borrowed(kind),
                id: String::from(&*id),
            },
            window: window.map(|w| WindowOut {
                start: w.start,
                end: w.end,
            }),
            status: o.status,
            actual: o.actual,
            required: o.required,
            shortfall: o.shortfall,
            severity: rule.severity,
            explanation: trace,
        });
    };
    let unknown_outcome = || Outcome {
        status: Status::Unknown,
        actual: None,
        required: None,
        shortfall: None,
    };

    let per_window = rule.filter_per_window();
    if let Some(filter) = rule.filter.as_ref().filter(|_| !per_window) {
        match ctx.eval_bool(filter) {
            Ok(true) => {}
            Ok(false) => return,
            Err(Halt::Unknown(why)) => {
                let mut trace = std::mem::take(&mut ctx.trace);
                trace
                    .missing
                    .push(format!("cannot tell whether the rule applies: {why}"));
                emit(out, None, unknown_outcome(), trace);
                return;
            }
        }
    }
    ctx.trace = Explanation::default();

    let mut windows = std::mem::take(&mut scratch.windows);
    windows.clear();
    match &rule.window {
        WindowSpec::None => windows.push(None),
        WindowSpec::Each { period, .. } => {
            if let Some(eff) = policy.effective {
                let pieces = &mut scratch.pieces;
                windows::periods_into(*period, eff, &policy.calendar, MAX_WINDOWS, pieces);
                windows.extend(pieces.iter().map(|p| Some(p.range)));
            }
        }
        WindowSpec::Cycle { range, .. } => windows.push(Some(*range)),
        WindowSpec::Within { length, after, .. } => {
            let anchor = ctx.eval(after);
            let range = match anchor {
                Ok(Value::Date(d)) => match add_duration(d, *length).and_then(|e| e.pred_opt()) {
                    Some(e) => DateRange::new(d, e),
                    // Not a point-in-time check: the window has no end.
                    None => {
                        let mut trace = std::mem::take(&mut ctx.trace);
                        trace.missing.push(format!(
                            "date out of range: the window from {d} ends past the last date there is"
                        ));
                        emit(out, None, unknown_outcome(), trace);
                        scratch.windows = windows;
                        return;
                    }
                },
                Ok(_) => None,
                Err(Halt::Unknown(why)) => {
                    let mut trace = std::mem::take(&mut ctx.trace);
                    trace.missing.push(why);
                    emit(out, None, unknown_outcome(), trace);
                    scratch.windows = windows;
                    return;
                }
            };
            windows.push(range);
        }
        WindowSpec::During { of, .. } => {
            let range = match ctx.eval(of) {
                Ok(Value::Entity(EntityRef::Mentorship(m))) => {
                    let m = data.mentorship(m);
                    DateRange::new(m.start_date, m.end_date)
                }
                Ok(Value::Entity(EntityRef::Activity(a))) => {
                    let a = data.activity(a);
                    DateRange::new(a.start_date, a.end_date)
                }
                _ => None,
            };
            windows.push(range);
        }
    }

    for &window in &windows {
        let mut trace = Explanation::default();
        let clipped = match (window, policy.effective) {
            (Some(w), Some(eff)) => match w.intersect(eff) {
                // A window of the subject's own (`within`, `during`) that
                // sticks out of the effective range is not judged on the
                // part inside it (decisions W13).
                Some(c) if c != w && rule.window.is_relative() => {
                    if w.start <= as_of {
                        trace.missing.push(not_judged(w, eff));
                        emit(out, Some(w), not_applicable(), trace);
                    }
                    continue;
                }
                Some(c) => Some(c),
                None => {
                    if w.start <= as_of {
                        trace.missing.push(not_judged(w, eff));
                        emit(out, Some(w), not_applicable(), trace);
                    }
                    continue;
                }
            },
            (w, _) => w,
        };
        if clipped.is_some_and(|w| w.start > as_of) {
            continue;
        }
        if let (Some(w), Some(bind)) = (clipped, rule.window.bind()) {
            ctx.set(bind, Value::Window(w));
        }
        ctx.window = clipped;
        ctx.range = match clipped {
            Some(w) => DateRange {
                start: w.start,
                end: w.end.min(as_of),
            },
            None => default_range(policy, as_of),
        };
        ctx.param_day = clipped.map_or(as_of, |w| w.start);
        ctx.default_at = clipped.map_or(as_of, |w| w.end.min(as_of));
        ctx.trace = Explanation::default();
        if let Some(filter) = rule.filter.as_ref().filter(|_| per_window) {
            match ctx.eval_bool(filter) {
                Ok(true) => ctx.trace = Explanation::default(),
                Ok(false) => continue,
                Err(Halt::Unknown(why)) => {
                    let mut trace = std::mem::take(&mut ctx.trace);
                    trace
                        .missing
                        .push(format!("cannot tell whether the rule applies: {why}"));
                    emit(out, clipped, unknown_outcome(), trace);
                    continue;
                }
            }
        }
        if let Some(why) = before_hire(data, subject, clipped, as_of) {
            let mut trace = std::mem::take(&mut ctx.trace);
            trace.missing.push(why);
            emit(out, clipped, not_applicable(), trace);
            continue;
        }
        let open = clipped.is_some_and(|w| w.end > as_of);
        let outcome = match &rule.require {
            Requirement::Check(cond) => check(ctx, cond, open),
            Requirement::Cadence(c) => {
                let outer = clipped.or(policy.effective);
                cadence(ctx, c, outer)
            }
        };
        let trace = std::mem::take(&mut ctx.trace);
        emit(out, clipped, outcome, trace);
    }
    scratch.windows = windows;
}

fn not_applicable() -> Outcome {
    Outcome {
        status: Status::NotApplicable,
        actual: None,
        required: None,
        shortfall: None,
    }
}

/// Why a person owes nothing in `window` (`None`: a rule without one):
/// hired after it ends, after the evaluation date, or during it — a
/// person hired part way is not held to a whole window's requirement
/// (decisions W14). A person with no `hire_date` owes what everyone does.
fn before_hire(
    data: &Dataset,
    subject: EntityRef,
    window: Option<DateRange>,
    as_of: NaiveDate,
) -> Option<String> {
    let EntityRef::Person(p) = subject else {
        return None;
    };
    hired_late(data.person(p).hire_date?, window, as_of)
}

/// Why a window apart from the effective range, or one of the subject's
/// own cut short by it, is not judged (decisions W5, W13).
pub(crate) fn not_judged(w: DateRange, eff: DateRange) -> String {
    match w.intersect(eff) {
        Some(_) => format!(
            "window {w} is cut short by the effective range {eff}: \
             not held to the full requirement on a part of it"
        ),
        None => format!("window {w} lies outside the effective range {eff}"),
    }
}

/// Why a person hired on `hired` owes nothing in `window` (decisions W14).
pub(crate) fn hired_late(
    hired: NaiveDate,
    window: Option<DateRange>,
    as_of: NaiveDate,
) -> Option<String> {
    match window {
        Some(w) if hired > w.end => Some(format!(
            "hired {hired}, after the window ends: no obligation before the hire date"
        )),
        _ if hired > as_of => Some(format!("hired {hired}, after the evaluation date {as_of}")),
        Some(w) if hired > w.start => Some(format!(
            "hired {hired}, during the window: not held to a full window's requirement"
        )),
        _ => None,
    }
}

fn check(ctx: &mut Ctx<'_>, cond: &crate::program::Expr, open: bool) -> Outcome {
    let decide = |holds: bool| match (holds, open) {
        (true, _) => Status::Pass,
        (false, true) => Status::Pending,
        (false, false) => Status::Fail,
    };
    if let ExprKind::Compare(op, a, b) = &cond.kind {
        if a.ty.is_quantity() || a.ty == Type::Date {
            let x = ctx.eval(a);
            let y = ctx.eval(b);
            let (x, y) = match (x, y) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(Halt::Unknown(why)), Ok(_)) | (Ok(_), Err(Halt::Unknown(why))) => {
                    return unknown(ctx, why)
                }
                // Both sides were looked at: name what each is missing.
                (Err(Halt::Unknown(left)), Err(Halt::Unknown(right))) => {
                    let outcome = unknown(ctx, left);
                    unknown(ctx, right);
                    return outcome;
                }
            };
            let holds = match compare(*op, &x, &y) {
                Ok(h) => h,
                Err(Halt::Unknown(why)) => return unknown(ctx, why),
            };
            let status = decide(holds);
            let shortfall = match (&x, &y, status) {
                (Value::Num(x), Value::Num(y), Status::Fail | Status::Pending) => match op {
                    Cmp::Ge | Cmp::Gt => y.minus(*x).ok(),
                    Cmp::Le | Cmp::Lt => x.minus(*y).ok(),
                    Cmp::Eq | Cmp::Ne => None,
                }
                .map(|q| show(&Value::Num(q), &a.ty)),
                _ => None,
            };
            return Outcome {
                status,
                actual: Some(show(&x, &a.ty)),
                required: Some(show(&y, &b.ty)),
                shortfall,
            };
        }
    }
    match ctx.eval_bool(cond) {
        Ok(h) => Outcome {
            status: decide(h),
            actual: None,
            required: None,
            shortfall: None,
        },
        Err(Halt::Unknown(why)) => unknown(ctx, why),
    }
}

fn unknown(ctx: &mut Ctx<'_>, why: String) -> Outcome {
    if !ctx.trace.missing.contains(&why) {
        ctx.trace.missing.push(why);
    }
    Outcome {
        status: Status::Unknown,
        actual: None,
        required: None,
        shortfall: None,
    }
}

fn cadence(ctx: &mut Ctx<'_>, c: &Cadence, outer: Option<DateRange>) -> Outcome {
    let Some(outer) = outer else {
        return unknown(ctx, "the cadence has no range to run over".into());
    };
    let by = match ctx.eval(&c.by) {
        Ok(Value::Entity(r)) => r,
        Ok(_) => return unknown(ctx, "internal: cadence by a non-record".into()),
        Err(Halt::Unknown(why)) => return unknown(ctx, why),
    };
    let data = ctx.data;
    let as_of = ctx.as_of;
    let pool: Vec<crate::model::ActivityIx> = match (c.hosted, by) {
        (true, EntityRef::School(s)) => data.activities_hosted_by(Org::School(s)).to_vec(),
        (true, EntityRef::District(d)) => data.activities_hosted_by(Org::District(d)).to_vec(),
        (false, r) => ref_actor(r)
            .map(|a| data.activities_organized_by(a).to_vec())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let pool: Vec<_> = pool
        .into_iter()
        .filter(|a| data.activity(*a).kind == c.kind)
        .collect();
    let pieces = windows::periods(c.every, outer, &ctx.policy.calendar, MAX_WINDOWS + 1);
    if pieces.len() > MAX_WINDOWS {
        // A window from the data (`during m`) too long to count; the
        // checker refuses the same over the effective range.
        return unknown(
            ctx,
            format!("the cadence makes more than {MAX_WINDOWS} periods in {outer}"),
        );
    }
    let (mut required, mut satisfied, mut failed, mut waiting) = (0u64, 0u64, 0u64, 0u64);
    let mut listed = 0usize;
    for (i, piece) in pieces.into_iter().enumerate() {
        // A trailing sub-window cut short is not required, unless it is
        // the first: a range with no whole sub-window still owes one
        // (decisions C2).
        if (piece.cut_at_end && i > 0) || piece.range.start > as_of {
            continue;
        }
        required += 1;
        let upto = DateRange {
            start: piece.range.start,
            end: piece.range.end.min(as_of),
        };
        let mut found = Vec::new();
        for &a in &pool {
            if !upto.contains(data.activity(a).end_date) {
                continue;
            }
            if let Some(f) = &c.filter {
                ctx.set(c.elem, Value::Entity(EntityRef::Activity(a)));
                match ctx.eval_bool(f) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(Halt::Unknown(why)) => return unknown(ctx, why),
                }
            }
            found.push(a);
        }
        let ok = found.len() as u64 >= u64::from(c.at_least);
        if ok {
            satisfied += 1;
            for a in found {
                if ctx.lists && listed < 20 {
                    listed += 1;
                    let act = data.activity(a);
                    ctx.trace.counted.push(Record {
                        kind: Cow::Borrowed("activity"),
                        id: ctx.record_id(EntityRef::Activity(a)),
                        value: Some(crate::report::Figure::Text(act.end_date.to_string())),
                        reason: Some(format!("{} in {}", c.kind, piece.range)),
                    });
                } else {
                    ctx.trace.more += 1;
                }
            }
        } else {
            let open = piece.range.end > as_of;
            if open {
                waiting += 1;
            } else {
                failed += 1;
            }
            ctx.trace
                .missing
                .push(short_sub_window(piece.range, found.len(), c, as_of));
        }
    }
    let status = if required == 0 {
        Status::NotApplicable
    } else if failed > 0 {
        Status::Fail
    } else if waiting > 0 {
        Status::Pending
    } else {
        Status::Pass
    };
    let n = |v: u64| Some(show(&Value::Num(Q::new(v.into())), &Type::Number));
    let shortfall = matches!(status, Status::Fail | Status::Pending)
        .then(|| n(failed + waiting))
        .flatten();
    Outcome {
        status,
        actual: n(satisfied),
        required: n(required),
        shortfall,
    }
}

/// A cadence's sub-window with fewer activities than it needs, as
/// `explanation.missing` lists it.
pub(crate) fn short_sub_window(
    range: DateRange,
    found: usize,
    c: &Cadence,
    as_of: NaiveDate,
) -> String {
    let open = range.end > as_of;
    format!(
        "{range}: {found} of {} {}{}",
        c.at_least,
        c.kind,
        if open { " (window still open)" } else { "" }
    )
}

/// The message of a result whose figures were computed elsewhere (an
/// adapter that runs the program in a database), rendered as the
/// evaluator renders its own: only for `fail` and `pending`.
pub(crate) fn message_for(
    template: &str,
    status: Status,
    figures: [Option<String>; 3],
    rule: &Rule,
    policy: &CheckedPolicy,
    name: &str,
    window: Option<DateRange>,
) -> Option<String> {
    let readable = crate::readable::Figures::of_rule(rule, policy);
    let [actual, required, shortfall] = figures;
    let o = Outcome {
        status,
        actual,
        required,
        shortfall,
    };
    matches!(status, Status::Fail | Status::Pending)
        .then(|| render_message(template, &o, readable, &rule.id, name, window))
}

/// A rule's message with its placeholders filled; figures in their
/// readable form (`¥1,234.50`, `4.88%`, whole people).
fn render_message(
    template: &str,
    o: &Outcome,
    figures: crate::readable::Figures,
    rule: &str,
    name: &str,
    window: Option<DateRange>,
) -> String {
    use std::fmt::Write as _;
    // One pass over the template (a district run renders one message per
    // failing teacher-year); an unknown `{…}` is written as it stands.
    let plan = figures.plan(
        o.actual.as_deref(),
        o.required.as_deref(),
        o.shortfall.as_deref(),
    );
    let [plan_a, plan_r, plan_s] = plan;
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = from.find('}') else {
            rest = from;
            break;
        };
        let (field, after) = from.split_at(close + 1);
        if let Some(inner) = field.get(1..).and_then(|f| f.find('{')) {
            // `{{actual}`: the first brace is text.
            let (text, again) = from.split_at(inner + 1);
            out.push_str(text);
            rest = again;
            continue;
        }
        match field {
            "{actual}" => match &o.actual {
                Some(a) => figures.push(&mut out, a, plan_a),
                None => out.push('-'),
            },
            "{required}" => match &o.required {
                Some(r) => figures.push(&mut out, r, plan_r),
                None => out.push('-'),
            },
            "{shortfall}" => match &o.shortfall {
                Some(s) => figures.push(&mut out, s, plan_s),
                None => out.push('0'),
            },
            "{subject}" | "{name}" => out.push_str(name),
            "{window}" => match window {
                Some(w) => {
                    let _ = write!(out, "{w}");
                }
                None => out.push('-'),
            },
            "{rule}" => out.push_str(rule),
            other => out.push_str(other),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(n: u32) -> Vec<EntityRef> {
        (0..n)
            .map(|i| EntityRef::Person(crate::model::PersonIx(i)))
            .collect()
    }

    #[test]
    fn pieces_are_taken_in_order_whatever_the_threads() {
        let all = people(1000);
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            in_pieces(
                &all,
                threads,
                |piece| {
                    // Uneven work, so pieces finish out of order.
                    if let Some(EntityRef::Person(p)) = piece.first() {
                        if p.0 % 3 == 0 {
                            std::thread::sleep(std::time::Duration::from_millis(1));
                        }
                    }
                    piece.to_vec()
                },
                |out| seen.extend(out),
            );
            assert_eq!(seen, all, "{threads} threads");
        }
    }

    #[test]
    fn a_panic_in_a_piece_reaches_the_caller() {
        let all = people(1000);
        let caught = std::panic::catch_unwind(|| {
            in_pieces(
                &all,
                2,
                |piece| {
                    if piece.contains(&EntityRef::Person(crate::model::PersonIx(500))) {
                        panic!("piece 500");
                    }
                },
                |()| {},
            )
        });
        let message = caught.expect_err("the panic is re-raised");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"piece 500"));
    }

    fn as_they_stand() -> crate::readable::Figures {
        crate::readable::Figures {
            unit: crate::readable::Unit::Other,
            cmp: Cmp::Ge,
        }
    }

    #[test]
    fn messages_show_readable_figures() {
        let o = Outcome {
            status: Status::Fail,
            actual: Some("0".into()),
            required: Some("0.38".into()),
            shortfall: Some("0.38".into()),
        };
        let heads = crate::readable::Figures {
            unit: crate::readable::Unit::Count,
            cmp: Cmp::Ge,
        };
        assert_eq!(
            render_message(
                "{actual}人，应不少于{required}人，尚差{shortfall}人",
                &o,
                heads,
                "r",
                "n",
                None
            ),
            "0人，应不少于1人，尚差1人"
        );
    }

    fn outcome() -> Outcome {
        Outcome {
            status: Status::Fail,
            actual: Some("80".into()),
            required: Some("90".into()),
            shortfall: Some("10".into()),
        }
    }

    #[test]
    fn messages_fill_every_placeholder_once() {
        let w = DateRange::new(
            NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2021, 12, 31).unwrap_or_default(),
        );
        let m = render_message(
            "{subject}/{name} {window}: {actual} of {required}, short {shortfall} ({rule}) {other} {{actual} {",
            &outcome(),
            as_they_stand(),
            "annual_hours",
            "张三 {window}",
            w,
        );
        assert_eq!(
            m,
            "张三 {window}/张三 {window} 2021-01-01 .. 2021-12-31: 80 of 90, short 10 (annual_hours) {other} {80 {"
        );
    }

    #[test]
    fn messages_dash_missing_figures() {
        let o = Outcome {
            status: Status::Pending,
            actual: None,
            required: None,
            shortfall: None,
        };
        assert_eq!(
            render_message(
                "{actual}/{required}/{shortfall} {window}",
                &o,
                as_they_stand(),
                "r",
                "n",
                None
            ),
            "-/-/0 -"
        );
    }
}
