//! The HTML report: one self-contained page (no network, no external
//! script or style) with a summary, a compliance chart per rule and per
//! school, the distribution of credited hours against the minimum, a
//! sortable table of failures and the results that lack data.
//!
//! Design decisions:
//!
//! - **Charts are inline SVG drawn here**, not by a script: the page reads
//!   the same with scripts off, prints, and needs no chart library. The only
//!   script sorts the failures table when a header is clicked (or on load,
//!   when the address ends in `#sort=shortfall` or `#sort=-shortfall`).
//! - **Figures are read from the report's exact strings.** Rates are shown
//!   as percentages by moving the decimal point (`0.6922` → `69.22%`);
//!   actual, required and shortfall in their readable form
//!   ([`tenet::readable`]: `¥499.99`, `4.88%`, whole people), with the exact
//!   decimal kept in `data-sort` for sorting. Chart geometry is computed
//!   with [`Decimal`] and written rounded; no report number goes through
//!   `f64`.
//! - **Names next to ids**: [`render_with`] shows a teacher's or school's
//!   name, an activity's title, beside the subject id.
//! - **Charts fit the page**: the school chart is drawn in blocks of
//!   [`SCHOOLS_PER_BLOCK`] (no scroll box; a printout breaks between
//!   blocks); histogram ticks are round numbers (whole ones for whole
//!   data), the open-ended last bar is labelled on the page, and the
//!   minimum's label turns left of its line rather than run off the edge.
//! - **All user text is escaped** (policy titles, ids, messages, school
//!   names); a Content-Security-Policy forbids every fetch.
//! - **Deterministic**: no clock, no hash-map order; the same reports give
//!   byte-identical pages.
//! - **Labels follow the policy**: Chinese (合规率, 未通过, 学时分布 …) when
//!   its title contains CJK ideographs, English otherwise.
//!
//! ```
//! let set = tenet::PolicySet::from_sources(&[("p.policy", r#"
//!     policy p "年度学时" { rule r { for person t require t has teacher } }"#)]).unwrap();
//! let rows: tenet::model::Rows = Default::default();
//! let (data, _) = tenet::model::Dataset::from_rows(rows).unwrap();
//! let reports = set.evaluate(&data, "2024-01-01".parse().unwrap());
//! let page = tenet_cli::html::render(&[(&reports[0], &set.policies()[0])]);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("合规率"));
//! ```

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fmt::Write;
use tenet::program::{CheckedPolicy, ExprKind, Requirement, Rule, Severity};
use tenet::readable::{grouped, Figures};
use tenet::report::{Counts, Report, RuleResult, Status};
use tenet::schema::{Entity, Type};

use crate::names::Names;

/// How many failing results each rule lists before "and N more".
pub const FAILURES_PER_RULE: usize = 1000;

/// How many unknown results each rule lists before "and N more".
pub const UNKNOWN_PER_RULE: usize = 200;

/// How many schools the per-school chart draws (lowest rates first).
pub const MAX_SCHOOLS: usize = 500;

/// How many schools one block of the per-school chart draws.
pub const SCHOOLS_PER_BLOCK: usize = 25;

/// Renders several reports, each with the policy it came from, as one page.
///
/// Pairs are shown in the order given; a single pair gets the policy's title
/// as the page heading, several get a table of contents. Subjects are shown
/// by id; [`render_with`] puts names next to them.
pub fn render(reports: &[(&Report, &CheckedPolicy)]) -> String {
    render_with(reports, Names::none())
}

/// As [`render`], with each subject's name (teacher, school, activity
/// title) next to its id in the tables.
pub fn render_with(reports: &[(&Report, &CheckedPolicy)], names: Names<'_>) -> String {
    let chinese = reports.iter().any(|(r, p)| is_chinese(r, p));
    let page = if chinese { &ZH } else { &EN };
    let heading = match reports {
        [(report, policy)] => title_of(report, policy).to_string(),
        _ => page.page_title.to_string(),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"tenet\">\n<title>{}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<header>\n<h1>{}</h1>\n",
        page.lang,
        esc(&heading),
        esc(&heading)
    );
    match reports {
        [] => {
            let _ = writeln!(out, "<p>{}</p>", page.nothing);
        }
        [(report, policy)] => {
            meta_line(&mut out, report, policy, labels(report, policy));
        }
        many => contents(&mut out, many, page),
    }
    out.push_str("</header>\n<main>\n");
    for (report, policy) in reports {
        section(&mut out, report, policy, reports.len() > 1, names);
    }
    let _ = write!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

/// Renders one report.
pub fn render_one(report: &Report, policy: &CheckedPolicy) -> String {
    render(&[(report, policy)])
}

// ---------------------------------------------------------------- labels

/// Every word the page shows, in one language.
struct Labels {
    lang: &'static str,
    page_title: &'static str,
    nothing: &'static str,
    contents: &'static str,
    policy: &'static str,
    as_of: &'static str,
    source: &'static str,
    results: &'static str,
    pass: &'static str,
    fail: &'static str,
    pending: &'static str,
    not_applicable: &'static str,
    unknown: &'static str,
    violations: &'static str,
    rate: &'static str,
    summary: &'static str,
    per_rule: &'static str,
    per_school: &'static str,
    rate_note: &'static str,
    schools_note: &'static str,
    no_rate_schools: &'static str,
    schools_cut: &'static str,
    distribution: &'static str,
    distribution_note: &'static str,
    overflow: &'static str,
    required: &'static str,
    actual: &'static str,
    shortfall: &'static str,
    subject: &'static str,
    rule: &'static str,
    title: &'static str,
    severity: &'static str,
    sev_required: &'static str,
    sev_advisory: &'static str,
    cites: &'static str,
    window: &'static str,
    message: &'static str,
    failures: &'static str,
    sort_hint: &'static str,
    no_failures: &'static str,
    unknowns: &'static str,
    missing: &'static str,
    more: &'static str,
    hours: &'static str,
    count: &'static str,
    no_decided: &'static str,
    sep: &'static str,
}

const EN: Labels = Labels {
    lang: "en",
    page_title: "Compliance report",
    nothing: "No policy with rules was evaluated.",
    contents: "Policies",
    policy: "policy",
    as_of: "as of",
    source: "source",
    results: "results",
    pass: "pass",
    fail: "fail",
    pending: "pending",
    not_applicable: "not applicable",
    unknown: "missing data",
    violations: "violations",
    rate: "compliance rate",
    summary: "Summary by rule",
    per_rule: "Compliance rate per rule",
    per_school: "Compliance rate per school",
    rate_note:
        "rate = pass / (pass + fail); pending, not applicable and missing data are not counted",
    schools_note: "results about each school and its people, lowest rate first",
    no_rate_schools: "{n} schools have no decided result and are not drawn",
    schools_cut: "only the {n} lowest rates are drawn",
    distribution: "Distribution of credited hours",
    distribution_note:
        "one bar per range of credited hours, stacked by status; the line is the minimum",
    overflow: "and above",
    required: "required",
    actual: "actual",
    shortfall: "shortfall",
    subject: "subject",
    rule: "rule",
    title: "title",
    severity: "severity",
    sev_required: "required",
    sev_advisory: "advisory",
    cites: "clause",
    window: "window",
    message: "message",
    failures: "Failures",
    sort_hint: "click a column header to sort",
    no_failures: "No failing results.",
    unknowns: "Missing data",
    missing: "missing",
    more: "… and {n} more not listed (see the JSON report)",
    hours: "h",
    count: "results",
    no_decided: "no decided results",
    sep: "; ",
};

const ZH: Labels = Labels {
    lang: "zh-CN",
    page_title: "合规报告",
    nothing: "没有可评估的政策规则。",
    contents: "政策",
    policy: "政策",
    as_of: "评估日期",
    source: "依据文件",
    results: "结果",
    pass: "通过",
    fail: "未通过",
    pending: "待定",
    not_applicable: "不适用",
    unknown: "缺失数据",
    violations: "必须项未通过",
    rate: "合规率",
    summary: "各规则汇总",
    per_rule: "各规则合规率",
    per_school: "各学校合规率",
    rate_note: "合规率 = 通过 / (通过 + 未通过)；待定、不适用和缺失数据不计入",
    schools_note: "含学校本身及其人员的结果，按合规率从低到高排列",
    no_rate_schools: "{n} 所学校没有已判定的结果，未画出",
    schools_cut: "只画出合规率最低的 {n} 所学校",
    distribution: "学时分布",
    distribution_note: "每个柱表示一个学时区间的结果数，按状态分色；竖线为最低要求",
    overflow: "及以上",
    required: "要求",
    actual: "实际",
    shortfall: "差额",
    subject: "对象",
    rule: "规则",
    title: "标题",
    severity: "类别",
    sev_required: "必须",
    sev_advisory: "力争",
    cites: "条款",
    window: "周期",
    message: "说明",
    failures: "未通过明细",
    sort_hint: "点击表头排序",
    no_failures: "没有未通过的结果。",
    unknowns: "缺失数据明细",
    missing: "缺失",
    more: "… 另有 {n} 条未列出（见 JSON 报告）",
    hours: "学时",
    count: "条结果",
    no_decided: "无已判定结果",
    sep: "；",
};

/// CJK Unified Ideographs (and extension A, compatibility ideographs).
fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c,
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
    })
}

fn is_chinese(report: &Report, policy: &CheckedPolicy) -> bool {
    has_cjk(title_of(report, policy))
}

fn labels(report: &Report, policy: &CheckedPolicy) -> &'static Labels {
    if is_chinese(report, policy) {
        &ZH
    } else {
        &EN
    }
}

fn title_of<'a>(report: &'a Report, policy: &'a CheckedPolicy) -> &'a str {
    policy
        .title
        .as_deref()
        .or(report.summary.title.as_deref())
        .unwrap_or(&policy.id)
}

fn severity_label(l: &Labels, s: Severity) -> &'static str {
    match s {
        Severity::Required => l.sev_required,
        Severity::Advisory => l.sev_advisory,
    }
}

// ---------------------------------------------------------------- text helpers

/// Escapes text for HTML content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Display width in half-width units: ideographs and full-width forms are 2.
fn char_width(c: char) -> usize {
    if matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
    {
        2
    } else {
        1
    }
}

/// Cuts `text` to `width` half-width units, ending in `…` when cut.
fn clip(text: &str, width: usize) -> String {
    if text.chars().map(char_width).sum::<usize>() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += char_width(c);
        if used + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn more(l: &Labels, n: usize) -> String {
    l.more.replace("{n}", &n.to_string())
}

fn window(r: &RuleResult) -> String {
    r.window
        .map_or_else(String::new, |w| format!("{} .. {}", w.start, w.end))
}

/// `0.6922` → `69.22%`: the decimal point moved, nothing rounded.
fn percent(rate: &str) -> Option<String> {
    let r: Decimal = rate.parse().ok()?;
    let p = r.checked_mul(Decimal::ONE_HUNDRED)?.normalize();
    Some(format!("{p}%"))
}

fn rate_text(c: &Counts) -> String {
    c.compliance_rate
        .as_deref()
        .and_then(percent)
        .unwrap_or_else(|| String::from("—"))
}

/// A coordinate written with at most one decimal.
fn px(d: Decimal) -> String {
    d.round_dp(1).normalize().to_string()
}

fn dec(n: u64) -> Decimal {
    Decimal::from(n)
}

fn total(c: &Counts) -> u64 {
    c.pass + c.fail + c.pending + c.not_applicable + c.unknown
}

// ---------------------------------------------------------------- page parts

fn meta_line(out: &mut String, report: &Report, policy: &CheckedPolicy, l: &Labels) {
    let _ = write!(
        out,
        "<p class=\"meta\"><span>{} <code>{}</code></span> <span>{} <time datetime=\"{}\">{}</time></span>",
        l.policy,
        esc(&policy.id),
        l.as_of,
        report.as_of,
        report.as_of
    );
    let source = policy.source.as_ref().or(report.summary.source.as_ref());
    if let Some(src) = source {
        let _ = write!(out, " <span>{} {}</span>", l.source, esc(src));
    }
    out.push_str("</p>\n");
}

fn anchor(policy: &CheckedPolicy) -> String {
    let id: String = policy
        .id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("policy-{id}")
}

fn contents(out: &mut String, reports: &[(&Report, &CheckedPolicy)], l: &Labels) {
    let _ = writeln!(
        out,
        "<nav><table class=\"contents\"><caption>{}</caption><thead><tr><th>{}</th><th>{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead><tbody>",
        l.contents, l.policy, l.as_of, l.results, l.fail, l.violations, l.rate
    );
    for (report, policy) in reports {
        let t = &report.summary.total;
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a> <code>{}</code></td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&anchor(policy)),
            esc(title_of(report, policy)),
            esc(&policy.id),
            report.as_of,
            total(t),
            t.fail,
            report.summary.violations,
            rate_text(t)
        );
    }
    out.push_str("</tbody></table></nav>\n");
}

fn section(
    out: &mut String,
    report: &Report,
    policy: &CheckedPolicy,
    heading: bool,
    names: Names<'_>,
) {
    let l = labels(report, policy);
    let _ = writeln!(
        out,
        "<section class=\"policy\" id=\"{}\" lang=\"{}\" data-policy=\"{}\">",
        esc(&anchor(policy)),
        l.lang,
        esc(&policy.id)
    );
    if heading {
        let _ = writeln!(out, "<h2>{}</h2>", esc(title_of(report, policy)));
        meta_line(out, report, policy, l);
    }
    cards(out, report, l);
    rule_table(out, report, policy, l);
    rule_chart(out, report, l);
    school_chart(out, report, l);
    for rule in policy.rules.iter().filter(|r| is_hours_rule(r)) {
        histogram(out, report, rule, l);
    }
    failures(out, report, policy, l, names);
    unknowns(out, report, policy, l, names);
    out.push_str("</section>\n");
}

fn cards(out: &mut String, report: &Report, l: &Labels) {
    let t = &report.summary.total;
    out.push_str("<div class=\"cards\">\n");
    let figures: [(&str, &str, String); 8] = [
        ("results", l.results, total(t).to_string()),
        ("pass", l.pass, t.pass.to_string()),
        ("fail", l.fail, t.fail.to_string()),
        ("pending", l.pending, t.pending.to_string()),
        (
            "not_applicable",
            l.not_applicable,
            t.not_applicable.to_string(),
        ),
        ("unknown", l.unknown, t.unknown.to_string()),
        (
            "violations",
            l.violations,
            report.summary.violations.to_string(),
        ),
        ("rate", l.rate, rate_text(t)),
    ];
    for (key, label, value) in figures {
        let _ = writeln!(
            out,
            "<div class=\"card {key}\" data-figure=\"{key}\"><span class=\"v\">{}</span><span class=\"k\">{label}</span></div>",
            esc(&value)
        );
    }
    out.push_str("</div>\n");
}

fn rule_table(out: &mut String, report: &Report, policy: &CheckedPolicy, l: &Labels) {
    let with_cites = policy.rules.iter().any(|r| !r.cites.is_empty());
    let _ = write!(
        out,
        "<h3>{}</h3>\n<div class=\"wide\"><table class=\"rules\"><thead><tr><th>{}</th><th>{}</th><th>{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th>{}</tr></thead><tbody>\n",
        l.summary,
        l.rule,
        l.title,
        l.severity,
        l.pass,
        l.fail,
        l.pending,
        l.not_applicable,
        l.unknown,
        l.rate,
        if with_cites {
            format!("<th>{}</th>", l.cites)
        } else {
            String::new()
        }
    );
    for r in &report.summary.rules {
        let c = &r.counts;
        let cites = policy
            .rules
            .iter()
            .find(|p| p.id == r.rule)
            .map(|p| {
                p.cites
                    .iter()
                    .map(|c| match &c.quote {
                        Some(q) => format!("{} <q>{}</q>", esc(&c.clause), esc(q)),
                        None => esc(&c.clause),
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .unwrap_or_default();
        let cites = if with_cites {
            format!("<td class=\"cite\">{cites}</td>")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr data-rule=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\" data-rate=\"{}\">{}</td>{}</tr>",
            esc(&r.rule),
            esc(&r.rule),
            esc(r.title.as_deref().unwrap_or("")),
            severity_label(l, r.severity),
            c.pass,
            c.fail,
            c.pending,
            c.not_applicable,
            c.unknown,
            esc(c.compliance_rate.as_deref().unwrap_or("")),
            esc(&rate_text(c)),
            cites
        );
    }
    out.push_str("</tbody></table></div>\n");
}

// ---------------------------------------------------------------- bar charts

/// One bar: a label, its tooltip and the counts it shows.
struct Bar<'a> {
    key: &'a str,
    label: String,
    tooltip: String,
    counts: &'a Counts,
}

const CHART_W: u32 = 720;
const LABEL_W: u32 = 250;
const BAR_W: u32 = 330;
const ROW_H: u32 = 24;

/// Horizontal bars of compliance rate, 0–100%, with the rate and
/// `pass/decided` written after each bar.
fn bar_chart(out: &mut String, class: &str, bars: &[Bar<'_>], l: &Labels) {
    let top = 22;
    let height = top + ROW_H * u32::try_from(bars.len()).unwrap_or(u32::MAX / ROW_H / 2) + 6;
    let _ = writeln!(
        out,
        "<svg class=\"chart {class}\" viewBox=\"0 0 {CHART_W} {height}\" width=\"{CHART_W}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        l.rate
    );
    // Grid at 0, 25, 50, 75, 100%.
    for q in 0..=4u32 {
        let x = LABEL_W + BAR_W * q / 4;
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}%</text>",
            top - 4,
            height - 4,
            top - 8,
            q * 25
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + ROW_H * u32::try_from(i).unwrap_or(0);
        let c = bar.counts;
        let decided = c.pass + c.fail;
        let _ = write!(
            out,
            "<g class=\"bar\" data-key=\"{}\" data-rate=\"{}\"><title>{}</title>\
             <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            esc(bar.key),
            esc(c.compliance_rate.as_deref().unwrap_or("")),
            esc(&bar.tooltip),
            LABEL_W - 8,
            y + 16,
            esc(&bar.label)
        );
        let rate = c
            .compliance_rate
            .as_deref()
            .and_then(|r| r.parse::<Decimal>().ok());
        match rate {
            Some(rate) if decided > 0 => {
                let w = rate
                    .max(Decimal::ZERO)
                    .min(Decimal::ONE)
                    .checked_mul(Decimal::from(BAR_W))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<rect class=\"track\" x=\"{LABEL_W}\" y=\"{}\" width=\"{BAR_W}\" height=\"16\"/>\
                     <rect class=\"fill\" x=\"{LABEL_W}\" y=\"{}\" width=\"{}\" height=\"16\"/>\
                     <text class=\"value\" x=\"{}\" y=\"{}\">{} <tspan class=\"of\">{}/{}</tspan></text>",
                    y + 4,
                    y + 4,
                    px(w),
                    LABEL_W + BAR_W + 8,
                    y + 16,
                    esc(&rate_text(c)),
                    c.pass,
                    decided
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "<rect class=\"none\" x=\"{LABEL_W}\" y=\"{}\" width=\"{BAR_W}\" height=\"16\"/>\
                     <text class=\"value\" x=\"{}\" y=\"{}\">— <tspan class=\"of\">{}</tspan></text>",
                    y + 4,
                    LABEL_W + BAR_W + 8,
                    y + 16,
                    l.no_decided
                );
            }
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
}

fn rule_chart(out: &mut String, report: &Report, l: &Labels) {
    let bars: Vec<Bar<'_>> = report
        .summary
        .rules
        .iter()
        .map(|r| {
            let mut label = r.title.clone().unwrap_or_else(|| r.rule.clone());
            if r.severity == Severity::Advisory {
                label = format!("{label}（{}）", l.sev_advisory);
            }
            let c = &r.counts;
            Bar {
                key: &r.rule,
                label: clip(&label, 38),
                tooltip: format!(
                    "{} {}: {} {}, {} {}, {} {}, {} {}, {} {}",
                    r.rule,
                    r.title.as_deref().unwrap_or(""),
                    l.pass,
                    c.pass,
                    l.fail,
                    c.fail,
                    l.pending,
                    c.pending,
                    l.not_applicable,
                    c.not_applicable,
                    l.unknown,
                    c.unknown
                ),
                counts: c,
            }
        })
        .collect();
    if bars.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<figure class=\"per-rule\"><figcaption><h3>{}</h3><p class=\"note\">{}</p></figcaption>",
        l.per_rule, l.rate_note
    );
    bar_chart(out, "rules", &bars, l);
    out.push_str("</figure>\n");
}

fn school_chart(out: &mut String, report: &Report, l: &Labels) {
    let schools = &report.summary.schools;
    if schools.is_empty() {
        return;
    }
    let mut rated: Vec<(Decimal, usize)> = schools
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let rate = s
                .counts
                .compliance_rate
                .as_deref()?
                .parse::<Decimal>()
                .ok()?;
            Some((rate, i))
        })
        .collect();
    // Lowest rate first; ties keep data order.
    rated.sort();
    let unrated = schools.len() - rated.len();
    let cut = rated.len().saturating_sub(MAX_SCHOOLS);
    rated.truncate(MAX_SCHOOLS);
    let bars: Vec<Bar<'_>> = rated
        .iter()
        .filter_map(|(_, i)| schools.get(*i))
        .map(|s| {
            let c = &s.counts;
            Bar {
                key: &s.school,
                label: clip(&s.name, 38),
                tooltip: format!(
                    "{} {}: {} {}, {} {}, {} {}, {} {}",
                    s.school,
                    s.name,
                    l.pass,
                    c.pass,
                    l.fail,
                    c.fail,
                    l.pending,
                    c.pending,
                    l.unknown,
                    c.unknown
                ),
                counts: c,
            }
        })
        .collect();
    let _ = write!(
        out,
        "<figure class=\"per-school\"><figcaption><h3>{}</h3><p class=\"note\">{}",
        l.per_school, l.schools_note
    );
    if unrated > 0 {
        let _ = write!(
            out,
            "{}{}",
            l.sep,
            l.no_rate_schools.replace("{n}", &unrated.to_string())
        );
    }
    if cut > 0 {
        let _ = write!(
            out,
            "{}{}",
            l.sep,
            l.schools_cut.replace("{n}", &MAX_SCHOOLS.to_string())
        );
    }
    out.push_str("</p></figcaption>\n");
    if bars.is_empty() {
        out.push_str("</figure>\n");
        return;
    }
    // Blocks of SCHOOLS_PER_BLOCK bars, each its own chart with its own
    // scale: a page shows every school (no scroll box), and a printout
    // breaks between blocks, not through a bar.
    for block in bars.chunks(SCHOOLS_PER_BLOCK) {
        bar_chart(out, "schools", block, l);
    }
    out.push_str("</figure>\n");
}

// ---------------------------------------------------------------- histogram

/// A rule about people whose requirement compares an hours quantity: its
/// results have credited hours as `actual` and the minimum as `required`.
fn is_hours_rule(rule: &Rule) -> bool {
    rule.subject == Entity::Person
        && matches!(&rule.require, Requirement::Check(e)
            if matches!(&e.kind, ExprKind::Compare(_, a, b) if a.ty == Type::Hours || b.ty == Type::Hours))
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw` (k ≥ 0 for whole
/// data, so no bin or tick is a fraction of an hour nobody recorded; else
/// k ≥ -2).
fn nice_width(raw: Decimal, whole: bool) -> Option<Decimal> {
    let mut unit = if whole {
        Decimal::ONE
    } else {
        Decimal::new(1, 2)
    };
    for _ in 0..24 {
        for m in [1u32, 2, 5] {
            let w = unit.checked_mul(Decimal::from(m))?;
            if w >= raw {
                return Some(w);
            }
        }
        unit = unit.checked_mul(Decimal::TEN)?;
    }
    None
}

/// A bin width of at least `raw` that divides the minimum `q` into whole
/// bins, so no bar straddles the line: `q / k` for the largest `k` that
/// gives a round width (a multiple of 5, or 1 to 4), else one with at most
/// one decimal — a whole one for whole data (90 h → 15 h bins, 360 h →
/// 45 h bins).
fn aligned_width(q: Decimal, raw: Decimal, whole: bool) -> Option<Decimal> {
    if q <= Decimal::ZERO || raw <= Decimal::ZERO {
        return None;
    }
    let most = q.checked_div(raw)?.floor().to_u32()?.min(HIST_BINS);
    let width = |k: u32| {
        q.checked_div(Decimal::from(k))
            .map(|w| w.normalize())
            .filter(|w| *w >= raw)
    };
    let five = Decimal::from(5);
    let round = |w: &Decimal| w.fract().is_zero() && (w < &five || (w % five).is_zero());
    (most.div_ceil(2).max(1)..=most)
        .rev()
        .find_map(|k| width(k).filter(round))
        .or_else(|| {
            (1..=most)
                .rev()
                .find_map(|k| width(k).filter(|w| w.scale() <= u32::from(!whole)))
        })
}

const HIST_LEFT: u32 = 48;
const HIST_PLOT_W: u32 = 640;
const HIST_TOP: u32 = 40;
const HIST_PLOT_H: u32 = 170;
const HIST_BINS: u32 = 24;
const HIST_RIGHT: u32 = 24;

/// About how wide `text` is drawn at the charts' 12px, in px: 6.5 a
/// half-width character (labels are kept inside the chart with it).
fn text_px(text: &str) -> Decimal {
    Decimal::from(text.chars().map(char_width).sum::<usize>()) * Decimal::new(65, 1)
}

/// Per bin: pass, fail, pending.
#[derive(Default, Clone, Copy)]
struct Bin {
    pass: u64,
    fail: u64,
    pending: u64,
}

impl Bin {
    fn total(self) -> u64 {
        self.pass + self.fail + self.pending
    }
}

fn histogram(out: &mut String, report: &Report, rule: &Rule, l: &Labels) {
    let mut values: Vec<(Decimal, Status)> = Vec::new();
    // Distinct minimums, each with the report's own spelling.
    let mut minimums: Vec<(Decimal, &str)> = Vec::new();
    for r in report.results.iter().filter(|r| r.rule == rule.id) {
        if !matches!(r.status, Status::Pass | Status::Fail | Status::Pending) {
            continue;
        }
        let (Some(actual), Some(required)) = (r.actual.as_deref(), r.required.as_deref()) else {
            continue;
        };
        let (Ok(a), Ok(q)) = (actual.parse::<Decimal>(), required.parse::<Decimal>()) else {
            continue;
        };
        values.push((a.max(Decimal::ZERO), r.status));
        if !minimums.iter().any(|(m, _)| *m == q) {
            minimums.push((q, required));
        }
    }
    if values.is_empty() {
        return;
    }
    minimums.sort();
    let max_actual = values.iter().map(|(v, _)| *v).max().unwrap_or_default();
    let max_req = minimums
        .last()
        .map_or(Decimal::ZERO, |(m, _)| *m)
        .max(Decimal::ZERO);
    // Outliers beyond three times the minimum go into the last bar.
    let hi = if max_req > Decimal::ZERO {
        let cap = max_req.checked_mul(Decimal::from(3)).unwrap_or(max_req);
        max_actual.min(cap).max(max_req)
    } else {
        max_actual
    }
    .max(Decimal::ONE);
    let Some(raw) = hi.checked_div(Decimal::from(HIST_BINS)) else {
        return;
    };
    let whole = values.iter().all(|(v, _)| v.fract().is_zero())
        && minimums.iter().all(|(m, _)| m.fract().is_zero());
    let aligned = match minimums.as_slice() {
        [(q, _)] => aligned_width(*q, raw, whole),
        _ => None,
    };
    let Some(width) = aligned.or_else(|| nice_width(raw, whole)) else {
        return;
    };
    let nbins = hi
        .checked_div(width)
        .and_then(|n| n.floor().to_u32())
        .unwrap_or(0)
        .saturating_add(1)
        .min(HIST_BINS + 2);
    let mut bins = vec![Bin::default(); usize::try_from(nbins).unwrap_or(1)];
    let mut overflow = false;
    for (v, status) in &values {
        let ix = v
            .checked_div(width)
            .and_then(|n| n.floor().to_u32())
            .unwrap_or(u32::MAX);
        if ix >= nbins {
            overflow = true;
        }
        let ix = usize::try_from(ix.min(nbins.saturating_sub(1))).unwrap_or(0);
        if let Some(bin) = bins.get_mut(ix) {
            match status {
                Status::Pass => bin.pass += 1,
                Status::Fail => bin.fail += 1,
                _ => bin.pending += 1,
            }
        }
    }
    let edge = |k: u32| {
        width
            .checked_mul(Decimal::from(k))
            .unwrap_or_default()
            .normalize()
    };
    let bin_w = HIST_PLOT_W / nbins.max(1);
    let plot_w = bin_w * nbins;
    let max_count = bins.iter().map(|b| b.total()).max().unwrap_or(1).max(1);
    let height = HIST_TOP + HIST_PLOT_H + 40;
    let chart_w = HIST_LEFT + plot_w + HIST_RIGHT;
    let base = HIST_TOP + HIST_PLOT_H;

    let (mut pass, mut fail, mut pending) = (0u64, 0u64, 0u64);
    for (_, s) in &values {
        match s {
            Status::Pass => pass += 1,
            Status::Fail => fail += 1,
            _ => pending += 1,
        }
    }
    let title = rule.title.as_deref().unwrap_or(&rule.id);
    let _ = writeln!(
        out,
        "<figure class=\"hours\" data-rule=\"{}\"><figcaption><h3>{} · {} <code>{}</code></h3>\
         <p class=\"note\">{}{}{} {}: <span class=\"sw pass\"></span>{} {}, <span class=\"sw fail\"></span>{} {}, \
         <span class=\"sw pending\"></span>{} {}</p></figcaption>",
        esc(&rule.id),
        l.distribution,
        esc(title),
        esc(&rule.id),
        l.distribution_note,
        l.sep,
        values.len(),
        l.count,
        l.pass,
        pass,
        l.fail,
        fail,
        l.pending,
        pending
    );
    let _ = writeln!(
        out,
        "<svg class=\"chart histogram\" viewBox=\"0 0 {chart_w} {height}\" width=\"{chart_w}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        l.distribution
    );
    // Y axis: 0, half (when whole), max.
    let mut ticks = vec![0, max_count];
    if max_count % 2 == 0 && max_count > 2 {
        ticks.insert(1, max_count / 2);
    }
    for t in ticks {
        let y = Decimal::from(base) - Decimal::from(HIST_PLOT_H) * dec(t) / dec(max_count);
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{HIST_LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>\
             <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{t}</text>",
            HIST_LEFT + plot_w,
            HIST_LEFT - 6,
            px(y + Decimal::from(4)),
            y = px(y)
        );
    }
    // Bars, stacked fail (bottom), pending, pass.
    for (k, bin) in (0u32..).zip(bins.iter()) {
        let x = HIST_LEFT + k * bin_w;
        let last = k + 1 == nbins;
        let range = if last && overflow {
            format!("{} {} {}", edge(k), l.hours, l.overflow)
        } else {
            format!("{} – {} {}", edge(k), edge(k + 1), l.hours)
        };
        let _ = write!(
            out,
            "<g class=\"bin\" data-from=\"{}\" data-count=\"{}\"><title>{}: {} {} ({} {}, {} {}, {} {})</title>",
            edge(k),
            bin.total(),
            esc(&range),
            bin.total(),
            l.count,
            l.pass,
            bin.pass,
            l.fail,
            bin.fail,
            l.pending,
            bin.pending
        );
        let mut y = Decimal::from(base);
        for (class, n) in [
            ("fail", bin.fail),
            ("pending", bin.pending),
            ("pass", bin.pass),
        ] {
            if n == 0 {
                continue;
            }
            let h = Decimal::from(HIST_PLOT_H) * dec(n) / dec(max_count);
            y -= h;
            let _ = write!(
                out,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                x + 1,
                px(y),
                bin_w.saturating_sub(2).max(1),
                px(h)
            );
        }
        if last && overflow {
            // The open-ended bar says what it holds, on the page, not only
            // in its tooltip; ended at the bar's right edge to stay inside.
            let _ = write!(
                out,
                "<text class=\"overflow\" x=\"{}\" y=\"{}\" text-anchor=\"end\">≥ {} {}</text>",
                x + bin_w,
                px((y - Decimal::from(4)).max(Decimal::from(HIST_TOP + 10))),
                esc(&grouped(edge(k), 2)),
                l.hours
            );
        }
        out.push_str("</g>\n");
    }
    // X axis: round ticks (1, 2, 5 × 10^k apart, about eight of them) at
    // their place on the scale, whatever the bin width; none past the start
    // of an open-ended last bar, which carries its own label.
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{HIST_LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>",
        HIST_LEFT + plot_w
    );
    let span = width
        .checked_mul(Decimal::from(nbins))
        .unwrap_or(Decimal::ONE);
    let last_tick = if overflow {
        edge(nbins.saturating_sub(1))
    } else {
        span
    };
    if let Some(spacing) = span
        .checked_div(Decimal::from(8))
        .and_then(|raw| nice_width(raw, whole))
    {
        let mut v = Decimal::ZERO;
        while v <= last_tick {
            let x = Decimal::from(HIST_LEFT)
                + v.checked_div(span).unwrap_or_default() * Decimal::from(plot_w);
            let _ = writeln!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                px(x),
                base + 16,
                esc(&grouped(v, 2))
            );
            v += spacing;
        }
    }
    let _ = writeln!(
        out,
        "<text class=\"unit\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        HIST_LEFT + plot_w,
        base + 34,
        l.hours
    );
    // The minimum(s); a label that would run past the right edge is
    // written to the left of its line.
    for (i, (q, spelled)) in (0u32..).zip(minimums.iter()) {
        let frac = q.checked_div(span).unwrap_or_default().min(Decimal::ONE);
        let x = Decimal::from(HIST_LEFT) + frac * Decimal::from(plot_w);
        let label = format!("{} {} {}", l.required, grouped(*q, 6), l.hours);
        let fits = x + Decimal::from(4) + text_px(&label) <= Decimal::from(chart_w);
        let (lx, anchor) = if fits {
            (x + Decimal::from(4), "start")
        } else {
            (x - Decimal::from(4), "end")
        };
        let _ = writeln!(
            out,
            "<g class=\"minimum\" data-required=\"{}\"><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{base}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text></g>",
            esc(spelled),
            HIST_TOP - 26,
            px(lx),
            HIST_TOP - 10 - 13 * (i % 2),
            esc(&label),
            x = px(x)
        );
    }
    out.push_str("</svg></figure>\n");
}

// ---------------------------------------------------------------- tables

/// The note for a result: the rule's message, else what is missing, else
/// the values computed.
fn note(r: &RuleResult) -> String {
    let e = &r.explanation;
    if let Some(m) = &e.message {
        return m.clone();
    }
    if !e.missing.is_empty() {
        return e
            .missing
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
    }
    e.values
        .iter()
        .map(|f| format!("{} = {}", f.expr, f.value))
        .collect::<Vec<_>>()
        .join("; ")
}

fn rule_cell(policy: &CheckedPolicy, id: &str, l: &Labels) -> String {
    match policy.rules.iter().find(|r| r.id == id) {
        Some(rule) => {
            let adv = if rule.severity == Severity::Advisory {
                format!(" <span class=\"adv\">{}</span>", l.sev_advisory)
            } else {
                String::new()
            };
            match &rule.title {
                Some(t) => format!("{} <code>{}</code>{adv}", esc(t), esc(id)),
                None => format!("<code>{}</code>{adv}", esc(id)),
            }
        }
        None => format!("<code>{}</code>", esc(id)),
    }
}

/// The subject cell: the name (when known) and the id.
fn subject_cell(r: &RuleResult, names: Names<'_>) -> String {
    let id = esc(&r.subject.id);
    let name = names.subject(&r.subject.kind, &r.subject.id);
    match name {
        Some(n) if n != r.subject.id => format!(
            "<td class=\"subject\" title=\"{}\" data-sort=\"{id}\">{} <code>{id}</code></td>",
            esc(&r.subject.kind),
            esc(&n)
        ),
        _ => format!(
            "<td class=\"subject\" title=\"{}\" data-sort=\"{id}\"><code>{id}</code></td>",
            esc(&r.subject.kind)
        ),
    }
}

/// A figure cell: the readable form shown, the exact decimal to sort by.
fn figure_cell(exact: Option<&str>, shown: Option<&str>) -> String {
    format!(
        "<td class=\"num\" data-sort=\"{}\">{}</td>",
        esc(exact.map_or("", |e| e.trim_end_matches('…'))),
        esc(shown.unwrap_or(""))
    )
}

fn failures(
    out: &mut String,
    report: &Report,
    policy: &CheckedPolicy,
    l: &Labels,
    names: Names<'_>,
) {
    let _ = writeln!(out, "<h3>{}</h3>", l.failures);
    let fails: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    if fails.is_empty() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", l.no_failures);
        return;
    }
    let _ = write!(
        out,
        "<p class=\"note no-print\">{}</p>\n<div class=\"wide\"><table class=\"sortable failures\"><thead><tr>\
         <th data-key=\"subject\">{}</th><th data-key=\"rule\">{}</th><th data-key=\"window\">{}</th>\
         <th data-key=\"actual\" class=\"num\">{}</th><th data-key=\"required\" class=\"num\">{}</th>\
         <th data-key=\"shortfall\" class=\"num\">{}</th><th data-key=\"message\">{}</th></tr></thead><tbody>\n",
        l.sort_hint,
        l.subject,
        l.rule,
        l.window,
        l.actual,
        l.required,
        l.shortfall,
        l.message
    );
    let mut left_out: usize = 0;
    for rule in &policy.rules {
        let hits: Vec<&&RuleResult> = fails.iter().filter(|r| r.rule == rule.id).collect();
        left_out += hits.len().saturating_sub(FAILURES_PER_RULE);
        let figures = Figures::of_rule(rule, policy);
        for r in hits.into_iter().take(FAILURES_PER_RULE) {
            let f = figures.show(
                r.actual.as_deref(),
                r.required.as_deref(),
                r.shortfall.as_deref(),
            );
            let _ = writeln!(
                out,
                "<tr>{}<td>{}</td><td class=\"win\">{}</td>{}{}{}<td>{}</td></tr>",
                subject_cell(r, names),
                rule_cell(policy, &r.rule, l),
                window(r),
                figure_cell(r.actual.as_deref(), f.actual.as_deref()),
                figure_cell(r.required.as_deref(), f.required.as_deref()),
                figure_cell(r.shortfall.as_deref(), f.shortfall.as_deref()),
                esc(&note(r))
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
    if left_out > 0 {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&more(l, left_out)));
    }
}

fn unknowns(
    out: &mut String,
    report: &Report,
    policy: &CheckedPolicy,
    l: &Labels,
    names: Names<'_>,
) {
    let hits: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Unknown)
        .collect();
    if hits.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h3>{} ({})</h3>\n<div class=\"wide\"><table class=\"unknowns\"><thead><tr><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th></tr></thead><tbody>\n",
        l.unknowns,
        hits.len(),
        l.subject,
        l.rule,
        l.window,
        l.missing
    );
    let mut left_out: usize = 0;
    for rule in &policy.rules {
        let of_rule: Vec<&&RuleResult> = hits.iter().filter(|r| r.rule == rule.id).collect();
        left_out += of_rule.len().saturating_sub(UNKNOWN_PER_RULE);
        for r in of_rule.into_iter().take(UNKNOWN_PER_RULE) {
            let missing = r
                .explanation
                .missing
                .iter()
                .map(|m| format!("<li>{}</li>", esc(m)))
                .collect::<String>();
            let _ = writeln!(
                out,
                "<tr>{}<td>{}</td><td class=\"win\">{}</td><td><ul>{}</ul></td></tr>",
                subject_cell(r, names),
                rule_cell(policy, &r.rule, l),
                window(r),
                missing
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
    if left_out > 0 {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&more(l, left_out)));
    }
}

// ---------------------------------------------------------------- assets

const CSS: &str = r#"
:root{--pass:#2e7d32;--fail:#c62828;--pending:#f9a825;--na:#9e9e9e;--unknown:#6a1b9a;--ink:#1d1d1f;--muted:#666;--line:#ddd}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:16px 24px;line-height:1.45}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.35em;border-bottom:2px solid var(--ink);padding-bottom:.2em;margin-top:2em}h3{font-size:1.1em;margin:1.4em 0 .4em}
figcaption h3{margin-bottom:.1em}
.meta{color:var(--muted);margin:.2em 0 1em}.meta span{margin-right:1.2em}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;color:#444}
.note{color:var(--muted);font-size:.9em;margin:.2em 0 .6em}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:1em 0}
.card{border:1px solid var(--line);border-left:6px solid var(--ink);border-radius:6px;padding:8px 14px;min-width:96px;display:flex;flex-direction:column}
.card .v{font-size:1.6em;font-weight:600;font-variant-numeric:tabular-nums}.card .k{color:var(--muted);font-size:.9em}
.card.pass{border-left-color:var(--pass)}.card.fail,.card.violations{border-left-color:var(--fail)}.card.pending{border-left-color:var(--pending)}
.card.not_applicable{border-left-color:var(--na)}.card.unknown{border-left-color:var(--unknown)}.card.rate{border-left-color:#1565c0}
table{border-collapse:collapse;font-size:.9em;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f6;white-space:nowrap}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.cite{font-size:.85em;color:#444}td.win{white-space:nowrap}td ul{margin:0;padding-left:1.1em}
.wide{overflow-x:auto}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th::after{content:" ↕";color:#aaa}
table.sortable th[aria-sort=ascending]::after{content:" ▲";color:var(--ink)}
table.sortable th[aria-sort=descending]::after{content:" ▼";color:var(--ink)}
.adv{font-size:.8em;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 3px}
caption{text-align:left;font-weight:600;padding:4px 0}
figure{margin:1em 0}
svg.chart{max-width:100%;height:auto;font-size:12px;display:block}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}
svg .tick,svg .unit,svg .of{fill:var(--muted);font-size:11px}
svg .label{fill:var(--ink)}svg .value{fill:var(--ink);font-weight:600}
svg .track{fill:#f2c4c4}svg .fill{fill:var(--pass)}svg .none{fill:#eee}
svg rect.pass{fill:var(--pass)}svg rect.fail{fill:var(--fail)}svg rect.pending{fill:var(--pending)}
svg .minimum line{stroke:var(--ink);stroke-width:2;stroke-dasharray:5 3}svg .minimum text{fill:var(--ink);font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg g.bar:hover .label,svg g.bin:hover rect{opacity:.8}
.sw{display:inline-block;width:.8em;height:.8em;margin:0 .25em 0 .1em;vertical-align:-.05em}
.sw.pass{background:var(--pass)}.sw.fail{background:var(--fail)}.sw.pending{background:var(--pending)}
svg.chart.schools+svg.chart.schools{margin-top:4px}svg .overflow{fill:var(--ink);font-size:11px;font-weight:600}
@media print{body{max-width:none;padding:0}.no-print{display:none}svg.chart{break-inside:avoid}
 section.policy+section.policy{break-before:page}tr,figure{break-inside:avoid}table.sortable th::after{content:""}.wide{overflow:visible}}
"#;

/// Sorts `table.sortable` when a header is clicked (again: reversed), and on
/// load when the address ends in `#sort=<column>` or `#sort=-<column>`, by
/// clicking the header once or twice — so a browser test of the address
/// exercises the click handler too.
const SCRIPT: &str = r#"
(function(){
function val(td,num){var t=td?(td.hasAttribute("data-sort")?td.getAttribute("data-sort"):td.textContent.trim()):"";if(!num)return t;var v=parseFloat(t);return isNaN(v)?null:v;}
function sortBy(table,col,desc){
 var ths=table.tHead.rows[0].cells,num=ths[col].classList.contains("num"),body=table.tBodies[0];
 var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=val(a.cells[col],num),y=val(b.cells[col],num);
  if(x===null||y===null)return x===y?0:(x===null?1:-1);
  var c=num?x-y:x.localeCompare(y,"zh-CN");return desc?-c:c;});
 rows.forEach(function(r){body.appendChild(r);});
 for(var i=0;i<ths.length;i++)ths[i].removeAttribute("aria-sort");
 ths[col].setAttribute("aria-sort",desc?"descending":"ascending");
}
var tables=document.querySelectorAll("table.sortable");
Array.prototype.forEach.call(tables,function(t){
 Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){
  th.tabIndex=0;
  var go=function(){sortBy(t,i,th.getAttribute("aria-sort")==="ascending");};
  th.addEventListener("click",go);
  th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();go();}});
 });
});
var m=/[#&]sort=(-?)([a-z_]+)/.exec(location.hash);
if(m)Array.prototype.forEach.call(tables,function(t){
 var ths=t.tHead.rows[0].cells;
 for(var i=0;i<ths.length;i++)if(ths[i].getAttribute("data-key")===m[2]){ths[i].click();if(m[1]==="-")ths[i].click();}
});
})();
"#;
