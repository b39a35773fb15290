//! `tenet explain`: the full derivation of one rule for one subject, with
//! names and titles next to ids, figures in their readable form and params
//! in the unit they were written in (`param annual_hours = 90 h`).

use std::fmt::Write;
use tenet::program::{CheckedPolicy, Rule, Severity};
use tenet::readable::{self, Figures, Unit};
use tenet::report::{Record, RuleResult};
use tenet_cli::names::Names;

/// The title of a record (an enrollment's or activity's: its activity).
fn record_title<'d>(r: &Record, names: Names<'d>) -> Option<&'d str> {
    match &*r.kind {
        "enrollment" | "activity" => names.activity(&r.id),
        _ => names.actor(&r.id),
    }
}

fn records(out: &mut String, heading: &str, list: &[Record], names: Names<'_>) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {heading}:");
    for r in list {
        let value = r
            .value
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let reason = r
            .reason
            .as_deref()
            .map(|x| format!("  {x}"))
            .unwrap_or_default();
        let title = record_title(r, names)
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        let _ = writeln!(out, "    {} {}{title}  {value}{reason}", r.kind, r.id);
    }
}

/// Renders the derivation of each result (one per window).
pub fn render(
    policy: &CheckedPolicy,
    rule: &Rule,
    subject: &str,
    results: &[RuleResult],
    names: Names<'_>,
) -> String {
    let mut out = String::new();
    let severity = match rule.severity {
        Severity::Required => "required",
        Severity::Advisory => "advisory",
    };
    let title = rule
        .title
        .as_deref()
        .map(|t| format!(" — {t}"))
        .unwrap_or_default();
    let _ = writeln!(out, "rule {}{title}  ({}, {severity})", rule.id, policy.id);
    for c in &rule.cites {
        let quote = c
            .quote
            .as_deref()
            .map(|q| format!(" “{q}”"))
            .unwrap_or_default();
        let _ = writeln!(out, "  cite {}{quote}", c.clause);
    }
    if let Some(src) = &policy.source {
        let _ = writeln!(out, "  source {src}");
    }
    let kind = results.first().map_or("", |r| &*r.subject.kind);
    match names
        .subject(kind, subject)
        .or_else(|| names.actor(subject).map(String::from))
    {
        Some(name) if name != subject => {
            let _ = writeln!(out, "subject {subject} {name}");
        }
        _ => {
            let _ = writeln!(out, "subject {subject}");
        }
    }
    let figures = Figures::of_rule(rule, policy);
    let unit = if figures.unit == Unit::Hours {
        " h"
    } else {
        ""
    };
    if results.is_empty() {
        let _ = writeln!(
            out,
            "\nno result: the subject is outside the rule's scope, or no window has started"
        );
    }
    for r in results {
        let window = r.window.map_or_else(
            || String::from("(no window)"),
            |w| format!("{} .. {}", w.start, w.end),
        );
        let mut line = format!("\n{window}  {}", r.status.as_str().to_uppercase());
        let shown = figures.show(
            r.actual.as_deref(),
            r.required.as_deref(),
            r.shortfall.as_deref(),
        );
        for (name, v) in [
            ("actual", &shown.actual),
            ("required", &shown.required),
            ("shortfall", &shown.shortfall),
        ] {
            if let Some(v) = v {
                let _ = write!(line, "  {name} {v}{unit}");
            }
        }
        let _ = writeln!(out, "{line}");
        let e = &r.explanation;
        if let Some(m) = &e.message {
            let _ = writeln!(out, "  message: {m}");
        }
        for p in &e.params {
            let shown = readable::param(readable::param_unit(policy, &p.expr), &p.value);
            let _ = writeln!(out, "  param {} = {shown}", p.expr);
        }
        for v in &e.values {
            let _ = writeln!(out, "  {} = {}", v.expr, v.value);
        }
        records(&mut out, "counted", &e.counted, names);
        records(&mut out, "excluded", &e.excluded, names);
        if e.more > 0 {
            let _ = writeln!(out, "  … and {} more records", e.more);
        }
        for m in &e.missing {
            let _ = writeln!(out, "  missing: {m}");
        }
    }
    out
}
