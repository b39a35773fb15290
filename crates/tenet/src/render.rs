//! Human-readable renderings of a [`Report`]: a terminal text report
//! (80 columns, summary first, then failures grouped by rule with the cited
//! clause) and Markdown for pasting into documents.

use crate::program::{CheckedPolicy, Severity};
use crate::report::{Counts, Report, RuleResult, Status};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// How many result lines each section lists per rule before "and N more".
pub const LINES_PER_RULE: usize = 30;

fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn clip(text: &str, width: usize) -> String {
    if UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if UnicodeWidthStr::width(out.as_str())
            + unicode_width::UnicodeWidthChar::width(c).unwrap_or(1)
            > width.saturating_sub(1)
        {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn rate(c: &Counts) -> String {
    c.compliance_rate
        .as_deref()
        .and_then(|r| r.parse::<rust_decimal::Decimal>().ok())
        .map_or_else(
            || String::from("-"),
            |r| format!("{}%", (r * rust_decimal::Decimal::from(100)).round_dp(1)),
        )
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Required => "required",
        Severity::Advisory => "advisory",
    }
}

fn window(r: &RuleResult) -> String {
    r.window
        .map_or_else(String::new, |w| format!("{} .. {}", w.start, w.end))
}

fn detail(r: &RuleResult) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &r.actual {
        parts.push(format!("actual {a}"));
    }
    if let Some(q) = &r.required {
        parts.push(format!("required {q}"));
    }
    if let Some(s) = &r.shortfall {
        parts.push(format!("short {s}"));
    }
    if r.status == Status::Unknown {
        parts.extend(r.explanation.missing.iter().cloned());
    }
    if r.status == Status::Fail && r.actual.is_none() {
        parts.extend(r.explanation.missing.iter().take(3).cloned());
    }
    parts.join("  ")
}

/// Results of a status grouped by rule, in policy order, rules with none
/// left out.
fn sections<'r, 'p>(
    report: &'r Report,
    policy: &'p CheckedPolicy,
    status: Status,
) -> Vec<(&'p crate::program::Rule, Vec<&'r RuleResult>)> {
    policy
        .rules
        .iter()
        .map(|rule| (rule, of_rule(report, &rule.id, status)))
        .filter(|(_, hits)| !hits.is_empty())
        .collect()
}

/// The results of one rule with a given status, in report order.
fn of_rule<'r>(report: &'r Report, rule: &str, status: Status) -> Vec<&'r RuleResult> {
    report
        .results
        .iter()
        .filter(|r| r.rule == rule && r.status == status)
        .collect()
}

/// Renders the text report.
pub fn text(report: &Report, policy: &CheckedPolicy) -> String {
    let mut out = String::new();
    let title = policy.title.as_deref().unwrap_or(&policy.id);
    let _ = writeln!(out, "{title}  [{}]", policy.id);
    let mut sub = format!("as of {}", report.as_of);
    if let Some(src) = &policy.source {
        let _ = write!(sub, " · source {src}");
    }
    let _ = writeln!(out, "{sub}\n");
    let t = &report.summary.total;
    let total = t.pass + t.fail + t.pending + t.not_applicable + t.unknown;
    let _ = writeln!(
        out,
        "{total} results: {} pass, {} fail, {} pending, {} not applicable, {} unknown",
        t.pass, t.fail, t.pending, t.not_applicable, t.unknown
    );
    let verdict = if report.summary.violations == 0 {
        String::from("no required rule fails")
    } else {
        format!(
            "{} failing results of required rules",
            report.summary.violations
        )
    };
    let _ = writeln!(out, "{verdict}\n");
    let _ = writeln!(
        out,
        "{}  {:>6} {:>6} {:>6} {:>6} {:>6} {:>7}",
        pad("rule", 30),
        "pass",
        "fail",
        "pend",
        "n/a",
        "unkn",
        "rate"
    );
    for r in &report.summary.rules {
        let name = if r.severity == Severity::Advisory {
            format!("{} (advisory)", r.rule)
        } else {
            r.rule.clone()
        };
        let c = &r.counts;
        let _ = writeln!(
            out,
            "{}  {:>6} {:>6} {:>6} {:>6} {:>6} {:>7}",
            pad(&clip(&name, 30), 30),
            c.pass,
            c.fail,
            c.pending,
            c.not_applicable,
            c.unknown,
            rate(c)
        );
    }
    for (status, heading) in [
        (Status::Fail, "Failures"),
        (Status::Unknown, "Unknown (missing data)"),
        (Status::Pending, "Pending (window still open)"),
    ] {
        let groups = sections(report, policy, status);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for (rule, hits) in groups {
            let title = rule.title.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "\n── {} {} ({}, {})",
                rule.id,
                title,
                severity(rule.severity),
                hits.len()
            );
            for c in &rule.cites {
                match &c.quote {
                    Some(q) => {
                        let _ = writeln!(out, "   {} “{}”", c.clause, clip(q, 60));
                    }
                    None => {
                        let _ = writeln!(out, "   {}", c.clause);
                    }
                }
            }
            for r in hits.iter().take(LINES_PER_RULE) {
                let head = format!("{} {}", r.subject.id, window(r));
                let line = format!("{head}  {}", detail(r));
                if UnicodeWidthStr::width(line.trim()) <= 76 {
                    let _ = writeln!(out, "   {}", line.trim());
                } else {
                    let _ = writeln!(out, "   {}", clip(head.trim(), 76));
                    let _ = writeln!(out, "     {}", clip(&detail(r), 74));
                }
                if let Some(m) = &r.explanation.message {
                    let _ = writeln!(out, "     {}", clip(m, 74));
                }
            }
            if hits.len() > LINES_PER_RULE {
                let _ = writeln!(out, "   … and {} more", hits.len() - LINES_PER_RULE);
            }
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Renders the Markdown report.
pub fn markdown(report: &Report, policy: &CheckedPolicy) -> String {
    let mut out = String::new();
    let title = policy.title.as_deref().unwrap_or(&policy.id);
    let _ = writeln!(out, "# {}\n", md_escape(title));
    let _ = writeln!(out, "- policy: `{}`", policy.id);
    let _ = writeln!(out, "- as of: {}", report.as_of);
    if let Some(src) = &policy.source {
        let _ = writeln!(out, "- source: {}", md_escape(src));
    }
    let _ = writeln!(
        out,
        "- failing results of required rules: **{}**\n",
        report.summary.violations
    );
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| rule | title | severity | pass | fail | pending | n/a | unknown | rate |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---:|---:|");
    for r in &report.summary.rules {
        let c = &r.counts;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.rule,
            md_escape(r.title.as_deref().unwrap_or("")),
            severity(r.severity),
            c.pass,
            c.fail,
            c.pending,
            c.not_applicable,
            c.unknown,
            rate(c)
        );
    }
    for (status, heading) in [
        (Status::Fail, "Failures"),
        (Status::Unknown, "Unknown (missing data)"),
    ] {
        let groups = sections(report, policy, status);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {heading}");
        for (rule, hits) in groups {
            let _ = writeln!(
                out,
                "\n### `{}` {}\n",
                rule.id,
                md_escape(rule.title.as_deref().unwrap_or(""))
            );
            for c in &rule.cites {
                let quote = c
                    .quote
                    .as_deref()
                    .map(|q| format!(" “{}”", md_escape(q)))
                    .unwrap_or_default();
                let _ = writeln!(out, "> {}{}\n", md_escape(&c.clause), quote);
            }
            let _ = writeln!(
                out,
                "| subject | window | actual | required | shortfall | note |"
            );
            let _ = writeln!(out, "|---|---|---:|---:|---:|---|");
            for r in hits.iter().take(LINES_PER_RULE * 10) {
                let note = r
                    .explanation
                    .message
                    .clone()
                    .unwrap_or_else(|| r.explanation.missing.join("; "));
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_escape(&r.subject.id),
                    window(r),
                    r.actual.as_deref().unwrap_or(""),
                    r.required.as_deref().unwrap_or(""),
                    r.shortfall.as_deref().unwrap_or(""),
                    md_escape(&note)
                );
            }
            if hits.len() > LINES_PER_RULE * 10 {
                let _ = writeln!(out, "\n… and {} more", hits.len() - LINES_PER_RULE * 10);
            }
        }
    }
    out
}
