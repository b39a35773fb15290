//! Human-readable renderings of a [`Report`]: a text report (summary
//! first, then failures grouped by rule with the cited clause, lines
//! wrapped at 80 columns — never cut) and Markdown for pasting into
//! documents. Both show figures in their readable form
//! ([`crate::readable`]): `¥7,200,617.10`, `4.88%`, whole people.

use crate::program::{CheckedPolicy, Severity};
use crate::readable::{Figures, Shown};
use crate::report::{Counts, Report, RuleResult, Status};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// How many result lines each section lists per rule before "and N more".
pub const LINES_PER_RULE: usize = 30;

fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// Lines of at most `width` columns. A run of non-blank ASCII (a figure,
/// an id, a date) is kept whole unless it alone is wider than a line;
/// Chinese text breaks between any two characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    // `¥` and `%` belong to the figure next to them, and so does the
    // character right after it (a unit such as 次 or 人, or punctuation).
    let joins =
        |c: char| (c.is_ascii() && !c.is_ascii_whitespace()) || matches!(c, '¥' | '%' | '…');
    let mut tokens: Vec<String> = Vec::new();
    for c in text.chars() {
        match tokens.last_mut() {
            Some(t) if !c.is_whitespace() && t.chars().last().is_some_and(joins) => t.push(c),
            _ => tokens.push(c.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for token in tokens {
        let w = UnicodeWidthStr::width(token.as_str());
        let used = UnicodeWidthStr::width(line.as_str());
        if used + w > width && !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
            line = String::new();
            if token.trim().is_empty() {
                continue;
            }
        }
        if w > width {
            // Longer than a line on its own: break it where it must.
            for c in token.chars() {
                let cw = UnicodeWidthChar::width(c).unwrap_or(1);
                if UnicodeWidthStr::width(line.as_str()) + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
            continue;
        }
        line.push_str(&token);
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Writes `text` wrapped to `width` columns, each line after `indent`.
fn write_wrapped(out: &mut String, indent: &str, text: &str, width: usize) {
    for line in wrap(text, width) {
        let _ = writeln!(out, "{indent}{line}");
    }
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

/// A result's figures as read, from the rule's unit.
fn shown(r: &RuleResult, figures: Figures) -> Shown {
    figures.show(
        r.actual.as_deref(),
        r.required.as_deref(),
        r.shortfall.as_deref(),
    )
}

fn detail(r: &RuleResult, figures: Figures) -> String {
    let mut parts = Vec::new();
    let f = shown(r, figures);
    if let Some(a) = &f.actual {
        parts.push(format!("actual {a}"));
    }
    if let Some(q) = &f.required {
        parts.push(format!("required {q}"));
    }
    if let Some(s) = &f.shortfall {
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
            pad(&name, 30),
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
            let figures = Figures::of_rule(rule, policy);
            for c in &rule.cites {
                match &c.quote {
                    Some(q) => write_wrapped(&mut out, "   ", &format!("{} “{q}”", c.clause), 77),
                    None => {
                        let _ = writeln!(out, "   {}", c.clause);
                    }
                }
            }
            for r in hits.iter().take(LINES_PER_RULE) {
                let head = format!("{} {}", one_line(&r.subject.id), window(r));
                let detail = detail(r, figures);
                let detail = one_line(&detail);
                let line = format!("{head}  {detail}");
                if UnicodeWidthStr::width(line.trim()) <= 77 {
                    let _ = writeln!(out, "   {}", line.trim());
                } else {
                    write_wrapped(&mut out, "   ", head.trim(), 77);
                    write_wrapped(&mut out, "     ", &detail, 75);
                }
                if let Some(m) = &r.explanation.message {
                    write_wrapped(&mut out, "     ", &one_line(m), 75);
                }
            }
            if hits.len() > LINES_PER_RULE {
                let _ = writeln!(out, "   … and {} more", hits.len() - LINES_PER_RULE);
            }
        }
    }
    out
}

/// Data on one line: a line break, tab or other control character in a
/// name or id becomes a space, and bidirectional overrides are dropped, so
/// no record can start a line, a heading or a table row of its own, or
/// make text read backwards.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(|c| c.is_control() || bidi(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .filter(|&c| !bidi(c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

/// Text for a Markdown line or table cell: on one line, with every
/// character that Markdown or embedded HTML would act on escaped, so data
/// (`<script>`, `**`, `[link](…)`, `|`) shows as written.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
            let figures = Figures::of_rule(rule, policy);
            for r in hits.iter().take(LINES_PER_RULE * 10) {
                let f = shown(r, figures);
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
                    f.actual.as_deref().unwrap_or(""),
                    f.required.as_deref().unwrap_or(""),
                    f.shortfall.as_deref().unwrap_or(""),
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

#[cfg(test)]
mod tests {
    use super::{md_escape, one_line, wrap};

    #[test]
    fn data_cannot_break_a_report_line_or_inject_markdown() {
        let name = "一小\n# 标题 <script>alert(1)</script> | **粗** [x](y)\u{202E}";
        assert_eq!(
            one_line(name),
            "一小 # 标题 <script>alert(1)</script> | **粗** [x](y)"
        );
        assert_eq!(
            md_escape(name),
            "一小 \\# 标题 \\<script\\>alert(1)\\</script\\> \\| \\*\\*粗\\*\\* \\[x\\](y)"
        );
        // Figures and dates are left as they read.
        assert_eq!(
            md_escape("¥1,234.50 4.88% 2021-01-01 .. 2021-12-31"),
            "¥1,234.50 4.88% 2021-01-01 .. 2021-12-31"
        );
    }
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn wrapping_keeps_every_character_and_every_figure_whole() {
        let m = "绿园区第一实验小学2021-01-01 .. 2021-12-31教师培训经费¥7,200,617.10，应不少于年度公用经费预算总额的5%即¥37,037.04，尚差¥7,037.04";
        let lines = wrap(m, 30);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| UnicodeWidthStr::width(l.as_str()) <= 30),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), m.replace(' ', ""));
        for figure in ["¥7,200,617.10", "¥37,037.04", "2021-12-31"] {
            assert!(
                lines.iter().any(|l| l.contains(figure)),
                "{figure} split: {lines:?}"
            );
        }
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_not_dropped() {
        let long = "x".repeat(25);
        assert_eq!(wrap(&long, 10), ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
        assert_eq!(wrap("", 10), [""]);
    }
}
