//! `tenet explain`: the full derivation of one rule for one subject.

use std::fmt::Write;
use tenet::program::{CheckedPolicy, Rule, Severity};
use tenet::report::{Record, RuleResult};

fn records(out: &mut String, heading: &str, list: &[Record]) {
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
        let _ = writeln!(out, "    {} {}  {value}{reason}", r.kind, r.id);
    }
}

/// Renders the derivation of each result (one per window).
pub fn render(
    policy: &CheckedPolicy,
    rule: &Rule,
    subject: &str,
    results: &[RuleResult],
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
    let _ = writeln!(out, "subject {subject}");
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
        for (name, v) in [
            ("actual", &r.actual),
            ("required", &r.required),
            ("shortfall", &r.shortfall),
        ] {
            if let Some(v) = v {
                let _ = write!(line, "  {name} {v}");
            }
        }
        let _ = writeln!(out, "{line}");
        let e = &r.explanation;
        if let Some(m) = &e.message {
            let _ = writeln!(out, "  message: {m}");
        }
        for p in &e.params {
            let _ = writeln!(out, "  param {} = {}", p.expr, p.value);
        }
        for v in &e.values {
            let _ = writeln!(out, "  {} = {}", v.expr, v.value);
        }
        records(&mut out, "counted", &e.counted);
        records(&mut out, "excluded", &e.excluded);
        if e.more > 0 {
            let _ = writeln!(out, "  … and {} more records", e.more);
        }
        for m in &e.missing {
            let _ = writeln!(out, "  missing: {m}");
        }
    }
    out
}
