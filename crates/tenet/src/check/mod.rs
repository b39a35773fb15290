//! Syntax tree → checked program.
//!
//! Resolves every name against the record schema, the policy's params and
//! the variables in scope; types every expression with its unit; checks
//! windows against `effective`. Every problem in a file is reported, and a
//! policy that checks cannot hit a type error at evaluation.
//!
//! Imported files contribute their calendar, params and credit block: the
//! checker walks their items first, in the importer's context, so all
//! names share one table.

mod expr;

use crate::diagnostic::{did_you_mean, Diagnostic, Sink, Span};
use crate::program::*;
use crate::schema::{Entity, Type};
use crate::syntax::ast::{self, Item, PeriodUnit, WindowAst};
use crate::value::{DateRange, Value};
use std::collections::HashMap;

/// One parsed file handed to the checker.
pub struct Unit<'a> {
    /// Name for diagnostics.
    pub name: &'a str,
    /// Source text.
    pub source: &'a str,
    /// Parsed tree.
    pub file: &'a ast::File,
}

/// Checks `root` with the items of `imports` (in import order, transitive
/// imports first) in scope. Diagnostics for every file go into the result.
pub fn check(root: &Unit<'_>, imports: &[Unit<'_>]) -> (Option<CheckedPolicy>, Vec<Diagnostic>) {
    let mut units: Vec<&Unit<'_>> = imports.iter().collect();
    units.push(root);
    let mut c = Checker {
        sinks: units.iter().map(|u| Sink::new(u.name, u.source)).collect(),
        sources: units.iter().map(|u| u.source).collect(),
        cur: 0,
        params: Vec::new(),
        param_index: HashMap::new(),
        param_used: Vec::new(),
        failed_params: Vec::new(),
        calendar: None,
        credit: None,
        credit_declared: None,
        effective: None,
        effective_broken: false,
        env: Env::default(),
    };
    let root_ix = units.len() - 1;
    // Declarations first (calendar, effective, params), so rules and the
    // credit block may use them regardless of order.
    for (i, unit) in units.iter().enumerate() {
        c.cur = i;
        c.declarations(unit.file, i == root_ix);
    }
    c.cur = root_ix;
    for import in &root.file.imports {
        let name = crate::resolve_import(root.name, &import.value);
        let rules = imports.iter().find(|u| u.name == name).map_or(0, |u| {
            u.file
                .policy
                .items
                .iter()
                .filter(|i| matches!(i, Item::Rule(_)))
                .count()
        });
        if rules > 0 {
            c.sink()
                .warning(import.span, format!("the {rules} rule(s) of `{name}` are not part of this policy"))
                .help("an import brings in its calendar, params and credit block; check that file itself to evaluate its rules");
        }
    }

    for (i, unit) in units.iter().enumerate() {
        c.cur = i;
        c.credits(unit.file);
    }
    c.cur = root_ix;
    let rules = c.rules(&root.file.policy);
    c.unused_params();
    let policy = CheckedPolicy {
        id: root.file.policy.id.name.clone(),
        title: root.file.policy.title.as_ref().map(|t| t.value.clone()),
        file: root.name.to_string(),
        source: root.file.policy.items.iter().find_map(|i| match i {
            Item::Source(s) => Some(s.value.clone()),
            _ => None,
        }),
        effective: c.effective.map(|(r, _)| r),
        calendar: c.calendar.take().map(|(cal, _)| cal).unwrap_or_default(),
        params: std::mem::take(&mut c.params),
        credit: c.credit.take(),
        rules,
    };
    let diagnostics: Vec<Diagnostic> = c
        .sinks
        .into_iter()
        .flat_map(|s| {
            let mut d = s.diagnostics;
            d.sort_by_key(|d| (d.span.start, d.span.end));
            d
        })
        .collect();
    let ok = !diagnostics
        .iter()
        .any(|d| d.level == crate::diagnostic::Level::Error);
    (ok.then_some(policy), diagnostics)
}

/// A name in scope.
#[derive(Debug, Clone)]
struct Binding {
    name: String,
    var: Var,
    ty: Type,
}

/// What is in scope while checking one rule or credit block.
#[derive(Debug, Default)]
struct Env {
    bindings: Vec<Binding>,
    /// The implicit member inside an aggregate filter or value.
    elem: Option<(Var, Entity)>,
    slots: u16,
    /// The rule's window, if any, and whether it is `each calendar_year`.
    window: Option<bool>,
    /// Whether a credit block is in scope.
    in_credit: bool,
    /// Whether this is the credit block itself.
    in_credit_block: bool,
}

impl Env {
    fn fresh(&mut self) -> Var {
        let v = Var(self.slots);
        self.slots = self.slots.saturating_add(1);
        v
    }

    fn bind(&mut self, name: &str, ty: Type) -> Var {
        let var = self.fresh();
        self.bindings.push(Binding {
            name: name.to_string(),
            var,
            ty,
        });
        var
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().rev().find(|b| b.name == name)
    }
}

struct Checker<'a> {
    sinks: Vec<Sink<'a>>,
    sources: Vec<&'a str>,
    cur: usize,
    params: Vec<Param>,
    param_index: HashMap<String, (ParamId, usize, Span)>,
    param_used: Vec<bool>,
    /// Params whose definition has an error: uses of them are not
    /// reported again as unknown names.
    failed_params: Vec<String>,
    calendar: Option<(Calendar, usize)>,
    credit: Option<Credit>,
    credit_declared: Option<(String, usize, Span)>,
    effective: Option<(DateRange, Span)>,
    /// The policy's `effective` range is written but wrong (already
    /// reported): what needs it stays quiet rather than add a second error.
    effective_broken: bool,
    env: Env,
}

impl<'a> Checker<'a> {
    fn sink(&mut self) -> &mut Sink<'a> {
        let i = self.cur.min(self.sinks.len().saturating_sub(1));
        #[expect(
            clippy::indexing_slicing,
            reason = "clamped above; there is always one sink"
        )]
        &mut self.sinks[i]
    }

    fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.sink().error(span, message)
    }

    fn line_of(&self, file: usize, span: Span) -> u32 {
        crate::diagnostic::line_column(
            self.sources.get(file).copied().unwrap_or(""),
            span.start as usize,
        )
        .0
    }

    fn text(&self, span: Span) -> String {
        let src = self.sources.get(self.cur).copied().unwrap_or("");
        let text = src
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        // One line in explanations, however the author wrapped it.
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn declarations(&mut self, file: &ast::File, is_root: bool) {
        for item in &file.policy.items {
            match item {
                Item::Effective { start, end, span } => {
                    if !is_root {
                        continue;
                    }
                    if let Some((_, first)) = self.effective {
                        let line = self.line_of(self.cur, first);
                        self.error(*span, "`effective` is given twice")
                            .label("second range")
                            .help(format!("keep one range; the first is at line {line}"));
                        continue;
                    }
                    match DateRange::new(start.date, end.date) {
                        Some(range) => self.effective = Some((range, *span)),
                        None => {
                            self.effective_broken = true;
                            self.error(
                                *span,
                                format!(
                                    "effective range ends (`{}`) before it starts (`{}`)",
                                    end.date, start.date
                                ),
                            )
                            .help("swap the two dates: the range is written `START .. END`");
                        }
                    }
                }
                Item::Calendar(entries) => self.calendar_decl(entries, file.policy.span),
                Item::Param(p) => self.param(p),
                Item::Source(_) | Item::Credit(_) | Item::Rule(_) => {}
            }
        }
    }

    fn calendar_decl(&mut self, entries: &[ast::CalendarEntry], span: Span) {
        if let Some((_, file)) = &self.calendar {
            if *file == self.cur {
                self.error(span, "more than one `calendar` block")
                    .help("merge them into one");
                return;
            }
        }
        let mut cal = Calendar {
            year_start: (9, 1),
            semesters: Vec::new(),
        };
        for entry in entries {
            match entry {
                ast::CalendarEntry::YearStart(md) => cal.year_start = (md.month, md.day),
                ast::CalendarEntry::Semester { name, start, end } => {
                    if cal.semesters.iter().any(|(n, _, _)| *n == name.name) {
                        self.error(
                            name.span,
                            format!("semester `{}` is defined twice", name.name),
                        );
                        continue;
                    }
                    cal.semesters.push((
                        name.name.clone(),
                        (start.month, start.day),
                        (end.month, end.day),
                    ));
                }
            }
        }
        if cal.semesters.is_empty() {
            cal.semesters = Calendar::default().semesters;
        }
        // A later file (the importer) overrides an imported calendar.
        self.calendar = Some((cal, self.cur));
    }

    fn param(&mut self, p: &ast::ParamDecl) {
        if let Some((_, file, first)) = self.param_index.get(&p.name.name) {
            let same_file = *file == self.cur;
            let line = self.line_of(*file, *first);
            let d = self.error(
                p.name.span,
                format!("param `{}` is defined twice", p.name.name),
            );
            d.label("second definition");
            if same_file {
                d.help(format!(
                    "the first definition is at line {line}; give one of them another name"
                ));
            } else {
                d.help("an imported file already defines it; rename one of them");
            }
            return;
        }
        let mut history: Vec<(Option<chrono::NaiveDate>, Value)> = Vec::new();
        let mut ty: Option<Type> = None;
        let mut ok = true;
        for (i, (value, since)) in p.values.iter().enumerate() {
            self.env = Env::default();
            let Some(e) = self.expr(value, None) else {
                ok = false;
                continue;
            };
            let Some(v) = expr::fold(&e) else {
                self.error(value.span, "a param's value must be a constant")
                    .help("write a literal such as `90 h`, `5%` or `¥1,077万`");
                ok = false;
                continue;
            };
            if let Some(t) = &ty {
                if *t != e.ty {
                    self.error(
                        value.span,
                        format!(
                            "this value is {} but the param's first value is {}",
                            e.ty, t
                        ),
                    )
                    .help(format!(
                        "all values of a param have one unit; write this one in {t} too"
                    ));
                    ok = false;
                }
            } else {
                ty = Some(e.ty.clone());
            }
            if since.is_none() && i > 0 {
                self.error(value.span, "every value after the first needs `since DATE`");
                ok = false;
            }
            if let (Some(s), Some((Some(prev), _))) = (since, history.last()) {
                if s.date <= *prev {
                    self.error(
                        s.span,
                        format!(
                            "`since {}` is not after the previous change (`{prev}`)",
                            s.date
                        ),
                    )
                    .help("list a param's values in date order");
                    ok = false;
                }
            }
            history.push((since.map(|s| s.date), v));
        }
        let (Some(ty), true) = (ty, ok) else {
            self.failed_params.push(p.name.name.clone());
            return;
        };
        let id = ParamId(self.params.len() as u16);
        self.param_index
            .insert(p.name.name.clone(), (id, self.cur, p.name.span));
        self.param_used.push(!self.is_root());
        self.params.push(Param {
            name: p.name.name.as_str().into(),
            ty,
            history,
            unit: p
                .values
                .first()
                .map_or(crate::readable::Unit::Other, |(v, _)| {
                    crate::readable::Unit::of_literal(&v.kind)
                }),
        });
    }

    fn is_root(&self) -> bool {
        self.cur + 1 == self.sinks.len()
    }

    fn unused_params(&mut self) {
        // With errors in the file, an unused param is most often a use
        // that failed to check; the warning would only add noise.
        if self.sink().has_errors() {
            return;
        }
        let unused: Vec<(String, Span)> = self
            .param_index
            .iter()
            .filter(|(_, (id, file, _))| {
                *file + 1 == self.sinks.len()
                    && !self.param_used.get(id.0 as usize).copied().unwrap_or(true)
            })
            .map(|(name, (_, _, span))| (name.clone(), *span))
            .collect();
        let mut unused = unused;
        unused.sort_by_key(|(_, s)| s.start);
        for (name, span) in unused {
            self.sink()
                .warning(span, format!("param `{name}` is never used"))
                .help("use it in a rule or remove it");
        }
    }

    fn cites(&mut self, cites: &[ast::Cite]) -> Vec<Citation> {
        cites
            .iter()
            .map(|c| Citation {
                clause: c.clause.value.clone(),
                quote: c.quote.as_ref().map(|q| q.value.clone()),
            })
            .collect()
    }

    fn credits(&mut self, file: &ast::File) {
        for item in &file.policy.items {
            let Item::Credit(decl) = item else { continue };
            if let Some((name, other_file, _)) = &self.credit_declared {
                let where_ = if *other_file == self.cur {
                    "in this file"
                } else {
                    "in an imported file"
                };
                let msg = format!(
                    "a second credit block `{}`; `{name}` is already defined {where_}",
                    decl.name.name
                );
                self.error(decl.name.span, msg)
                    .help("a policy has one credit block: keep one, or stop importing the other");
                continue;
            }
            self.credit_declared = Some((decl.name.name.clone(), self.cur, decl.name.span));
            self.credit = self.credit_block(decl);
        }
    }

    fn credit_block(&mut self, decl: &ast::CreditDecl) -> Option<Credit> {
        self.env = Env {
            in_credit_block: true,
            ..Env::default()
        };
        if decl.scope.kind != ast::EntityKind::Enrollment {
            self.error(
                decl.scope.kind_span,
                "a credit block ranges over enrollments",
            )
            .help("write `for enrollment e`");
            return None;
        }
        if let Some(f) = &decl.scope.filter {
            self.error(f.span, "a credit block takes no `where` filter")
                .help("write the condition as `no credit when …`");
        }
        let var = self
            .env
            .bind(&decl.scope.var.name, Type::Entity(Entity::Enrollment));
        let mut denials = Vec::new();
        for (cond, reason) in &decl.denials {
            if let Some(e) = self.bool_expr(cond, "a `no credit when` condition") {
                let reason = reason
                    .as_ref()
                    .map_or_else(|| e.text.to_string(), |r| r.value.clone());
                denials.push(Denial { cond: e, reason });
            }
        }
        let otherwise = self.expr(&decl.otherwise, None);
        if let Some(o) = &otherwise {
            if o.ty != Type::Hours {
                self.error(
                    decl.otherwise.span,
                    format!("credited hours must be hours, found {}", o.ty),
                )
                .help("write e.g. `otherwise e.activity.hours` or `otherwise 2 h`");
                return None;
            }
        }
        let otherwise = otherwise?;
        Some(Credit {
            name: decl.name.name.clone(),
            title: decl.title.as_ref().map(|t| t.value.clone()),
            file: self.sink_name(),
            cites: self.cites(&decl.cites),
            var,
            denials,
            otherwise,
            slots: usize::from(self.env.slots),
        })
    }

    fn sink_name(&self) -> String {
        self.sinks
            .get(self.cur)
            .map(|s| s.file().to_string())
            .unwrap_or_default()
    }

    fn rules(&mut self, policy: &ast::Policy) -> Vec<Rule> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &policy.items {
            let Item::Rule(decl) = item else { continue };
            let rule = self.rule(decl);
            if let Some(first) = seen.get(&decl.id.name) {
                let line = self.line_of(self.cur, *first);
                self.error(
                    decl.id.span,
                    format!("rule id `{}` is used twice", decl.id.name),
                )
                .label("second rule with this id")
                .help(format!(
                    "rule ids must be unique in a policy; the first is at line {line}"
                ));
                continue;
            }
            seen.insert(decl.id.name.clone(), decl.id.span);
            out.extend(rule);
        }
        out
    }

    fn rule(&mut self, decl: &ast::RuleDecl) -> Option<Rule> {
        self.env = Env {
            in_credit: self.credit_declared.is_some(),
            ..Env::default()
        };
        let subject = Entity::from(decl.scope.kind);
        let var = self.env.bind(&decl.scope.var.name, Type::Entity(subject));
        // The window is bound before the filter, so a filter may read it
        // (`where t.hire_date <= y.end`).
        let window = self.window(decl);
        let filter = decl
            .scope
            .filter
            .as_ref()
            .map(|f| self.bool_expr(f, "a `where` filter"));
        let require = match &decl.require {
            ast::Require::Check(e) => self.bool_expr(e, "`require`").map(Requirement::Check),
            ast::Require::Cadence(c) => self.cadence(c, decl.window.is_some()),
        };
        if decl.messages.len() > 1 {
            if let Some(m) = decl.messages.get(1) {
                self.error(m.span, "a rule has at most one `message`");
            }
        }
        let message = decl.messages.first().and_then(|m| self.template(m));
        let cites = self.cites(&decl.cites);
        let severity = match decl.severity {
            Some((ast::SeverityAst::Advisory, _)) => Severity::Advisory,
            _ => Severity::Required,
        };
        let filter = match filter {
            Some(None) => return None,
            Some(Some(f)) => Some(f),
            None => None,
        };
        Some(Rule {
            id: decl.id.name.clone(),
            title: decl.title.as_ref().map(|t| t.value.clone()),
            severity,
            cites,
            message,
            subject,
            var,
            filter,
            window: window?,
            require: require?,
            slots: usize::from(self.env.slots),
        })
    }

    fn template(&mut self, m: &ast::Str) -> Option<String> {
        const KNOWN: [&str; 7] = [
            "actual",
            "required",
            "shortfall",
            "subject",
            "name",
            "window",
            "rule",
        ];
        let mut rest = m.value.as_str();
        let mut ok = true;
        while let Some(open) = rest.find('{') {
            let after = rest.get(open + 1..).unwrap_or("");
            let Some(close) = after.find('}') else {
                self.error(m.span, "unclosed `{` in message")
                    .help("placeholders look like `{actual}`");
                return None;
            };
            let name = after.get(..close).unwrap_or("");
            if !KNOWN.contains(&name) {
                let at = self.placeholder_span(m.span, name);
                let d = self.error(at, format!("unknown placeholder `{{{name}}}` in message"));
                match did_you_mean(name, KNOWN) {
                    Some(s) => d.help(format!("did you mean `{{{s}}}`?")),
                    None => d.help(format!(
                        "placeholders are {}",
                        KNOWN.map(|k| format!("{{{k}}}")).join(", ")
                    )),
                };
                ok = false;
            }
            rest = after.get(close + 1..).unwrap_or("");
        }
        ok.then(|| m.value.clone())
    }

    /// The span of `{name}` inside a message string, or the whole string
    /// when it cannot be found in the source text (e.g. written with escapes).
    fn placeholder_span(&self, string: Span, name: &str) -> Span {
        let src = self.sources.get(self.cur).copied().unwrap_or("");
        let needle = format!("{{{name}}}");
        src.get(string.start as usize..string.end as usize)
            .and_then(|raw| raw.find(&needle))
            .map_or(string, |i| {
                let start = string.start as usize + i;
                Span::new(start, start + needle.len())
            })
    }

    fn need_effective(&mut self, span: Span, what: &str) -> bool {
        if self.effective.is_some() {
            return true;
        }
        if self.effective_broken {
            return false;
        }
        self.error(span, format!("{what} needs the policy's `effective` range"))
            .help("add `effective 2020-01-01 .. 2023-12-31` to the policy");
        false
    }

    /// Whether `period` cuts the effective range into at most
    /// [`MAX_WINDOWS`](crate::eval::windows::MAX_WINDOWS) pieces; an
    /// error if not. Past the limit a report would be cut short.
    fn few_periods(&mut self, period: ast::Period, span: Span) -> bool {
        use crate::eval::windows::{periods, MAX_WINDOWS};
        let Some((eff, _)) = self.effective else {
            return true;
        };
        let calendar = self
            .calendar
            .as_ref()
            .map(|(c, _)| c.clone())
            .unwrap_or_default();
        if periods(period, eff, &calendar, MAX_WINDOWS + 1).len() <= MAX_WINDOWS {
            return true;
        }
        self.error(
            span,
            format!(
                "`{}` cuts the effective range `{eff}` into more than {MAX_WINDOWS} periods",
                self.text(span)
            ),
        )
        .help("use a longer period, or a shorter `effective` range");
        false
    }

    fn window(&mut self, decl: &ast::RuleDecl) -> Option<WindowSpec> {
        let Some(w) = &decl.window else {
            return Some(WindowSpec::None);
        };
        let bind_name =
            |b: &Option<ast::Ident>| b.as_ref().map_or(String::new(), |b| b.name.clone());
        Some(match w {
            WindowAst::Each { period, bind, span } => {
                if !self.need_effective(*span, "`each`") || !self.few_periods(*period, period.span)
                {
                    return None;
                }
                self.env.window =
                    Some(period.unit == PeriodUnit::CalendarYear && period.count == 1);
                let bind = self.env.bind(&bind_name(bind), Type::Window);
                WindowSpec::Each {
                    period: *period,
                    bind,
                }
            }
            WindowAst::Cycle {
                start,
                end,
                bind,
                span,
            } => {
                let Some(range) = DateRange::new(start.date, end.date) else {
                    self.error(
                        *span,
                        format!(
                            "cycle ends (`{}`) before it starts (`{}`)",
                            end.date, start.date
                        ),
                    );
                    return None;
                };
                if let Some((eff, _)) = self.effective {
                    match range.intersect(eff) {
                        None => {
                            self.error(
                                *span,
                                format!(
                                    "cycle `{range}` lies outside the policy's effective range `{eff}`"
                                ),
                            )
                            .help("correct the dates, or widen `effective`");
                            return None;
                        }
                        Some(clipped) if clipped != range => {
                            self.sink()
                                .warning(
                                    *span,
                                    format!(
                                        "cycle `{range}` extends past the effective range `{eff}`"
                                    ),
                                )
                                .help(format!("it is evaluated as `{clipped}`"));
                        }
                        Some(_) => {}
                    }
                }
                self.env.window = Some(false);
                let bind = self.env.bind(&bind_name(bind), Type::Window);
                WindowSpec::Cycle { range, bind }
            }
            WindowAst::Within {
                length,
                after,
                bind,
                span,
            } => {
                if length.months == 0 && length.days == 0 {
                    self.error(*span, "a window must be at least one day long");
                }
                let after_e = self.expr(after, None);
                if let Some(a) = &after_e {
                    if a.ty != Type::Date {
                        self.error(
                            after.span,
                            format!("`within … after` needs a date, found {}", a.ty),
                        )
                        .help("e.g. `within 1 year after t.hire_date`");
                        return None;
                    }
                }
                self.env.window = Some(false);
                let bind = self.env.bind(&bind_name(bind), Type::Window);
                WindowSpec::Within {
                    length: *length,
                    after: after_e?,
                    bind,
                }
            }
            WindowAst::During { of, bind, .. } => {
                let of_e = self.expr(of, None)?;
                if !matches!(of_e.ty, Type::Entity(Entity::Mentorship | Entity::Activity)) {
                    self.error(
                        of.span,
                        format!(
                            "`during` needs a mentorship or an activity, found {}",
                            of_e.ty
                        ),
                    )
                    .help("write `during m` in a rule `for mentorship m`, or `during a` in a rule `for activity a`");
                    return None;
                }
                self.env.window = Some(false);
                let bind = self.env.bind(&bind_name(bind), Type::Window);
                WindowSpec::During { of: of_e, bind }
            }
        })
    }

    fn cadence(&mut self, c: &ast::Cadence, has_window: bool) -> Option<Requirement> {
        if !has_window && !self.need_effective(c.span, "a cadence without a window") {
            return None;
        }
        let few = self.few_periods(c.every, c.every.span);
        let kind = match crate::model::Kind::parse(&c.kind.name) {
            Some(k) => Some(k),
            None => {
                let d = self.error(
                    c.kind.span,
                    format!("unknown activity kind `{}`", c.kind.name),
                );
                match did_you_mean(&c.kind.name, crate::model::Kind::names()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "kinds are {}",
                        crate::model::Kind::names().join(", ")
                    )),
                };
                None
            }
        };
        let by = self.expr(&c.by, None);
        if let Some(b) = &by {
            let want = if c.hosted { Entity::Org } else { Entity::Actor };
            let fits = matches!(&b.ty, Type::Entity(e) if e.fits(want));
            if !fits {
                self.error(
                    c.by.span,
                    format!(
                        "`{}by` needs a {}, found {}",
                        if c.hosted { "hosted " } else { "" },
                        want.name(),
                        b.ty
                    ),
                )
                .help(format!(
                    "name who runs the activities, e.g. `by s` in a rule `for school s`{}",
                    match &b.ty {
                        Type::Entity(Entity::Activity) => format!(", or `by {}.organizer`", b.text),
                        Type::Entity(Entity::Mentorship) => format!(", or `by {}.mentor`", b.text),
                        _ => String::new(),
                    }
                ));
                return None;
            }
        }
        let elem = self.env.fresh();
        let filter = match &c.filter {
            Some(f) => {
                let saved = self.env.elem.replace((elem, Entity::Activity));
                let e = self.bool_expr(f, "a cadence filter");
                self.env.elem = saved;
                Some(e?)
            }
            None => None,
        };
        if !few {
            return None;
        }
        Some(Requirement::Cadence(Cadence {
            at_least: c.at_least,
            kind: kind?,
            hosted: c.hosted,
            by: by?,
            every: c.every,
            filter,
            elem,
        }))
    }

    fn bool_expr(&mut self, e: &ast::Expr, what: &str) -> Option<Expr> {
        let checked = self.expr(e, Some(&Type::Bool))?;
        if checked.ty != Type::Bool {
            self.error(
                e.span,
                format!("{what} must be true or false, found {}", checked.ty),
            )
            .help("compare it, e.g. `credited_hours(t) >= 90 h`");
            return None;
        }
        Some(checked)
    }
}
