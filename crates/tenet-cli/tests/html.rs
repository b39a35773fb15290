#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The HTML report: escaping, the figures it shows, no network references,
//! determinism, and — when a `chromium` binary is on the PATH — what a real
//! browser shows after the page's script ran (sorting included).

use std::path::{Path, PathBuf};
use std::process::Command;
use tenet::model::{Dataset, Rows};
use tenet::program::CheckedPolicy;
use tenet::report::{Report, Status};
use tenet::PolicySet;
use tenet_cli::html;

/// A Chinese policy with an hours rule (per person, per year), a finance
/// rule that lacks data (unknown), and a title and message with markup.
const ZH_POLICY: &str = r#"
policy zh "绿园区<培训> & “双强”" {
  source "方案<2020>.txt"
  effective 2021-01-01 .. 2022-12-31
  param annual_hours = 90 h
  param funds_share = 5%

  credit plain "按学时计" {
    for enrollment e
    otherwise e.activity.hours
  }

  rule annual_hours "每位教师每年不少于90学时" {
    cite "三(二)2(3)" "每位教师每年不少于90学时"
    for person t where t has teacher
    each calendar_year
    require credited_hours(t) >= annual_hours
    message "{subject} <b>获得</b> {actual} 学时，差 {shortfall}"
  }

  rule school_funds "<script>alert(1)</script>经费" {
    for school s
    each calendar_year as y
    require finance(s, y, teacher_training_funds) >= funds_share of finance(s, y, public_funds_budget)
  }
}
"#;

/// The same shape with an English title: English labels.
const EN_POLICY: &str = r#"
policy en "Annual hours" {
  effective 2021-01-01 .. 2021-12-31
  credit plain {
    for enrollment e
    otherwise e.activity.hours
  }
  rule annual_hours "At least 90 hours a year" advisory {
    for person t where t has teacher
    each calendar_year
    require credited_hours(t) >= 90 h
  }
}
"#;

/// District `d1`, schools `s1` and `s2` (whose name needs escaping), five
/// teachers with 2021 hours 120, 90, 89.5, 40, 0 and 2022 hours 100, 0 …
fn rows() -> Rows {
    let mut json = serde_json::json!({
        "districts": [{"id": "d1", "name": "绿园区"}],
        "schools": [
            {"id": "s1", "name": "第一小学", "district": "d1", "rural": false, "training_base": false},
            {"id": "s2", "name": "<b>二中</b> & \"分校\"", "district": "d1", "rural": true, "training_base": false}
        ],
        "people": [],
        "activities": [],
        "enrollments": [],
        "finance": [
            {"org": "s1", "year": 2021, "item": "teacher_training_funds", "amount": "500.00"},
            {"org": "s1", "year": 2021, "item": "public_funds_budget", "amount": "10000.00"},
            {"org": "s2", "year": 2021, "item": "teacher_training_funds", "amount": "499.99"},
            {"org": "s2", "year": 2021, "item": "public_funds_budget", "amount": "10000.00"},
            {"org": "s1", "year": 2022, "item": "teacher_training_funds", "amount": "1.00"},
            {"org": "s1", "year": 2022, "item": "public_funds_budget", "amount": "10000.00"}
        ]
    });
    let teachers = [
        ("t1", "s1", "120", "100"),
        ("t2", "s1", "90", "95"),
        ("t3", "s2", "89.5", "0"),
        ("t4", "s2", "40", "90"),
        ("t5", "s2", "0", "91"),
    ];
    for (id, school, y2021, y2022) in teachers {
        json["people"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": id, "name": format!("教师{id}"), "org": school, "roles": "teacher",
                "hire_date": "2005-09-01"
            }));
        for (year, hours) in [("2021", y2021), ("2022", y2022)] {
            if hours == "0" {
                continue;
            }
            let activity = format!("a-{id}-{year}");
            json["activities"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": activity, "title": "课程", "organizer": "d1", "level": "district",
                    "kind": "course", "mode": "offline", "start_date": format!("{year}-05-01"),
                    "end_date": format!("{year}-05-01"), "hours": hours
                }));
            json["enrollments"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"person": id, "activity": activity}));
        }
    }
    serde_json::from_value(json).unwrap()
}

fn dataset() -> Dataset {
    match Dataset::from_rows(rows()) {
        Ok((data, _)) => data,
        Err(e) => panic!("invalid test dataset: {e:?}"),
    }
}

fn compile(sources: &[(&str, &str)]) -> PolicySet {
    match PolicySet::from_sources(sources) {
        Ok(set) => set,
        Err(e) => panic!("policy does not compile:\n{}", e.render()),
    }
}

/// Evaluates every policy of `set` and renders the page.
fn page(set: &PolicySet, data: &Dataset, as_of: &str) -> (Vec<Report>, String) {
    let reports = set.evaluate(data, as_of.parse().unwrap());
    let pairs: Vec<(&Report, &CheckedPolicy)> = reports
        .iter()
        .map(|r| {
            let p = set.policies().iter().find(|p| p.id == r.policy).unwrap();
            (r, p)
        })
        .collect();
    let html = html::render_with(&pairs, tenet_cli::names::Names::of(data));
    (reports, html)
}

fn small() -> (Vec<Report>, String) {
    page(
        &compile(&[("zh.policy", ZH_POLICY)]),
        &dataset(),
        "2022-06-30",
    )
}

/// The text of the first element after `marker`, up to the next `<`.
fn after<'h>(html: &'h str, marker: &str) -> &'h str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not in page"));
    let rest = &html[at + marker.len()..];
    &rest[..rest.find('<').unwrap_or(rest.len())]
}

#[test]
fn the_small_report_is_what_the_page_is_built_from() {
    let (reports, _) = small();
    let r = &reports[0];
    let t = &r.summary.total;
    // 2021: t1, t2 pass; t3, t4, t5 fail. 2022 (open): t1, t2, t4, t5 have
    // met the minimum already and pass, t3 is pending.
    // Funds: s1 2021 pass, s2 2021 fail, s1 2022 pending, s2 2022 unknown.
    assert_eq!((t.pass, t.fail, t.pending, t.unknown), (7, 4, 2, 1));
    assert_eq!(t.compliance_rate.as_deref(), Some("0.6364"));
    assert_eq!(r.summary.violations, 4);
}

#[test]
fn the_page_shows_the_summary_figures() {
    let (reports, html) = small();
    let r = &reports[0];
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        after(&html, "data-figure=\"results\"><span class=\"v\">"),
        "14"
    );
    assert_eq!(after(&html, "data-figure=\"pass\"><span class=\"v\">"), "7");
    assert_eq!(after(&html, "data-figure=\"fail\"><span class=\"v\">"), "4");
    assert_eq!(
        after(&html, "data-figure=\"pending\"><span class=\"v\">"),
        "2"
    );
    assert_eq!(
        after(&html, "data-figure=\"unknown\"><span class=\"v\">"),
        "1"
    );
    assert_eq!(
        after(&html, "data-figure=\"violations\"><span class=\"v\">"),
        "4"
    );
    assert_eq!(
        after(&html, "data-figure=\"rate\"><span class=\"v\">"),
        "63.64%"
    );
    // Per rule: the exact rate string, and the percentage it is shown as.
    let hours = &r.summary.rules[0].counts;
    assert_eq!(hours.compliance_rate.as_deref(), Some("0.6667"));
    assert!(html.contains("data-rate=\"0.6667\">66.67%</td>"));
    assert!(html.contains("66.67% <tspan class=\"of\">6/9</tspan>"));
    // Per school: s1 has 5 pass of 5 decided, s2 has 2 pass of 6 decided.
    let s2 = &r.summary.schools[1].counts;
    assert_eq!(s2.compliance_rate.as_deref(), Some("0.3333"));
    assert!(html.contains("33.33% <tspan class=\"of\">2/6</tspan>"));
    assert!(html.contains("100% <tspan class=\"of\">5/5</tspan>"));
    // Lowest rate first.
    assert!(html.find("data-key=\"s2\"").unwrap() < html.find("data-key=\"s1\"").unwrap());
}

#[test]
fn the_page_has_chinese_labels_for_a_chinese_title() {
    let (_, html) = small();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    for label in [
        "合规率",
        "未通过",
        "通过",
        "待定",
        "缺失数据",
        "学时分布",
        "差额",
    ] {
        assert!(html.contains(label), "missing label {label}");
    }
    assert!(!html.contains(">compliance rate<"));
}

#[test]
fn the_page_has_english_labels_for_an_english_title() {
    let (_, html) = page(
        &compile(&[("en.policy", EN_POLICY)]),
        &dataset(),
        "2022-06-30",
    );
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>Annual hours</h1>"));
    for label in [
        "compliance rate",
        "Failures",
        "Distribution of credited hours",
    ] {
        assert!(html.contains(label), "missing label {label}");
    }
    assert!(!html.contains("合规率"));
    // Advisory rules are marked.
    assert!(html.contains("<span class=\"adv\">advisory</span>"));
}

#[test]
fn user_text_is_escaped() {
    let (_, html) = small();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;经费"));
    assert!(html.contains("<h1>绿园区&lt;培训&gt; &amp; “双强”</h1>"));
    assert!(html.contains("方案&lt;2020&gt;.txt"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;b&gt;获得&lt;/b&gt;"));
    assert!(html.contains("&lt;b&gt;二中&lt;/b&gt; &amp; &quot;分校&quot;"));
    // The only script is ours.
    assert_eq!(html.matches("<script>").count(), 1);
}

#[test]
fn the_page_references_nothing_on_the_network() {
    let (_, html) = small();
    assert!(!html.contains("http://"));
    assert!(!html.contains("https://"));
    assert!(!html.contains(" src="));
    assert!(!html.contains("<link"));
    assert!(html.contains("default-src 'none'"));
}

#[test]
fn the_page_is_deterministic() {
    let (_, one) = small();
    let (_, two) = small();
    assert_eq!(one, two);
}

#[test]
fn failures_and_missing_data_are_listed() {
    let (_, html) = small();
    let table = &html[html.find("<table class=\"sortable failures\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + 4);
    for shortfall in [
        "<td class=\"num\" data-sort=\"0.5\">0.5</td>",
        "<td class=\"num\" data-sort=\"50\">50</td>",
        "<td class=\"num\" data-sort=\"90\">90</td>",
        "<td class=\"num\" data-sort=\"0.01\">¥0.01</td>",
    ] {
        assert!(table.contains(shortfall), "no {shortfall}");
    }
    // Readable figures shown, exact decimals kept to sort by.
    assert!(table.contains(
        "<td class=\"num\" data-sort=\"89.5\">89.5</td><td class=\"num\" data-sort=\"90\">90</td>"
    ));
    assert!(table.contains(
        "<td class=\"num\" data-sort=\"499.99\">¥499.99</td><td class=\"num\" data-sort=\"500.00\">¥500.00</td>"
    ));
    // Names next to ids: a teacher's, and a school's (escaped).
    assert!(table.contains(">教师t3 <code>t3</code></td>"));
    assert!(table.contains(">&lt;b&gt;二中&lt;/b&gt; &amp; &quot;分校&quot; <code>s2</code></td>"));
    let unknown = &html[html.find("<table class=\"unknowns\">").unwrap()..];
    assert!(unknown.contains("<li>no finance row for `s2` 2022 `teacher_training_funds`</li>"));
}

#[test]
fn hours_rules_get_a_histogram_with_the_minimum() {
    let (reports, html) = small();
    assert_eq!(html.matches("<figure class=\"hours\"").count(), 1);
    assert!(html.contains("<figure class=\"hours\" data-rule=\"annual_hours\">"));
    assert!(html.contains("<g class=\"minimum\" data-required=\"90\">"));
    // Every result with credited hours is in one bin.
    let with_hours = reports[0]
        .results
        .iter()
        .filter(|r| r.rule == "annual_hours" && r.status != Status::NotApplicable)
        .count();
    let binned: usize = html
        .split("data-count=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
        .sum();
    assert_eq!(binned, with_hours);
    // 89.5 and 90 fall on either side of the line: bins start at multiples of 5.
    assert!(html.contains("data-from=\"85\" data-count=\"1\""));
    assert!(html.contains("data-from=\"90\" data-count=\"3\""));
}

#[test]
fn several_policies_share_a_page_with_contents() {
    let set = compile(&[("zh.policy", ZH_POLICY), ("en.policy", EN_POLICY)]);
    let (reports, html) = page(&set, &dataset(), "2022-06-30");
    assert_eq!(reports.len(), 2);
    assert!(html.contains("<h1>合规报告</h1>"));
    assert!(html.contains("<a href=\"#policy-zh\">"));
    assert!(html.contains("<a href=\"#policy-en\">"));
    assert!(html.contains("<section class=\"policy\" id=\"policy-en\" lang=\"en\""));
    assert!(html.contains("<section class=\"policy\" id=\"policy-zh\" lang=\"zh-CN\""));
    assert_eq!(
        html.matches("<table class=\"sortable failures\">").count(),
        2
    );
}

#[test]
fn an_empty_list_of_reports_is_still_a_page() {
    let html = html::render(&[]);
    assert!(html.contains("<h1>Compliance report</h1>"));
    assert!(html.ends_with("</html>\n"));
}

// ------------------------------------------------------------ the seed policies

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed policies on a generated district (200 teachers, 3 years).
fn district() -> (Vec<Report>, String) {
    let dir = workspace().join("policies");
    let mut roots: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    roots.sort();
    let set = match PolicySet::load(&roots, |n| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    }) {
        Ok(set) => set,
        Err(e) => panic!("{}", e.render()),
    };
    let rows = tenet_io::gen::generate(&tenet_io::gen::GenConfig {
        teachers: 200,
        years: 3,
        seed: 5,
        start_year: 2021,
    });
    let (data, _) = Dataset::from_rows(rows).unwrap();
    page(&set, &data, "2023-06-30")
}

#[test]
fn the_seed_policies_render_on_a_generated_district() {
    let (reports, html) = district();
    assert!(reports.len() > 1);
    for r in &reports {
        let section = &html[html.find(&format!("data-policy=\"{}\"", r.policy)).unwrap()..];
        let t = &r.summary.total;
        let total = t.pass + t.fail + t.pending + t.not_applicable + t.unknown;
        assert_eq!(
            after(section, "data-figure=\"results\"><span class=\"v\">"),
            total.to_string()
        );
        assert_eq!(
            after(section, "data-figure=\"violations\"><span class=\"v\">"),
            r.summary.violations.to_string()
        );
        for rule in &r.summary.rules {
            if let Some(rate) = &rule.counts.compliance_rate {
                assert!(
                    section.contains(&format!("data-rate=\"{rate}\"")),
                    "{} {rate}",
                    rule.rule
                );
            }
        }
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    if let Ok(dir) = std::env::var("TENET_HTML_OUT") {
        std::fs::write(Path::new(&dir).join("district.html"), &html).unwrap();
    }
}

// ------------------------------------------------------------ in a browser

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// The DOM after scripts ran, for `file` with `fragment` appended.
fn dump_dom(browser: &Path, file: &Path, fragment: &str, profile: &Path) -> String {
    let url = format!("file://{}{fragment}", file.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The cells of column `col` in the failures table of a dumped DOM.
fn column(dom: &str, col: usize) -> Vec<String> {
    let table = &dom[dom.find("<table class=\"sortable failures\">").unwrap()..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td").nth(col + 1).unwrap();
            let text = &cell[cell.find('>').unwrap() + 1..];
            text[..text.find("</td>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn chromium_renders_the_figures_and_sorts_the_failures() {
    let Some(browser) = chromium() else {
        eprintln!("note: no `chromium` on the PATH; skipping the browser test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let (_, html) = small();
    std::fs::write(&file, &html).unwrap();
    let profile = dir.path().join("profile");

    let dom = dump_dom(&browser, &file, "", &profile);
    assert_eq!(after(&dom, "data-figure=\"pass\"><span class=\"v\">"), "7");
    assert_eq!(
        after(&dom, "data-figure=\"rate\"><span class=\"v\">"),
        "63.64%"
    );
    assert!(dom.contains("66.67% <tspan class=\"of\">6/9</tspan>"));
    assert!(dom.contains("<g class=\"minimum\" data-required=\"90\">"));
    // The script ran: headers became focusable, nothing is sorted yet.
    assert!(dom.contains("<th data-key=\"shortfall\" class=\"num\" tabindex=\"0\">"));
    assert!(!dom.contains("aria-sort=\""));
    assert_eq!(
        column(&dom, 5),
        ["0.5", "50", "90", "¥0.01"].map(String::from)
    );

    let dom = dump_dom(&browser, &file, "#sort=-shortfall", &profile);
    assert!(dom.contains("aria-sort=\"descending\""));
    assert_eq!(
        column(&dom, 5),
        ["90", "50", "0.5", "¥0.01"].map(String::from)
    );

    // Sorted by the exact figure, not the text shown (¥499.99).
    let dom = dump_dom(&browser, &file, "#sort=actual", &profile);
    assert!(dom.contains("aria-sort=\"ascending\""));
    assert_eq!(
        column(&dom, 3),
        ["0", "40", "89.5", "¥499.99"].map(String::from)
    );

    let dom = dump_dom(&browser, &file, "#sort=-subject", &profile);
    let subjects: Vec<String> = column(&dom, 0)
        .iter()
        .map(|c| c[c.find("<code>").unwrap() + 6..c.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(subjects, ["t5", "t4", "t3", "s2"].map(String::from));
}

// ------------------------------------------------------------ snapshot

/// The whole small page, so any change to what users see shows in review.
#[test]
fn the_small_page_snapshot() {
    let (_, html) = small();
    insta::with_settings!({snapshot_path => "fixtures/html", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("small_page", html);
    });
}

// ------------------------------------------------------------ layout in a browser

/// A 360 h minimum over a year, 30 schools of 2 teachers with whole hours
/// below the minimum (the line sits at the right edge) and, with
/// `outlier`, one teacher far above it (an open-ended last bar).
fn layout_page(outlier: bool) -> String {
    let policy = r#"
policy layout "五年不少于360学时" {
  effective 2021-01-01 .. 2021-12-31
  credit plain { for enrollment e otherwise e.activity.hours }
  rule hours "每位教师不少于360学时" {
    for person t where t has teacher
    each calendar_year
    require credited_hours(t) >= 360 h
  }
}
"#;
    let mut json = serde_json::json!({
        "districts": [{"id": "d1", "name": "宾阳县"}],
        "schools": [], "people": [], "activities": [], "enrollments": []
    });
    for s in 0..30 {
        json["schools"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": format!("s{s:02}"), "name": format!("宾阳县第{s}小学"), "district": "d1",
                "rural": false, "training_base": false
            }));
        for t in 0..2 {
            let id = format!("t{s:02}{t}");
            let hours = if outlier && s == 0 && t == 0 {
                2000
            } else {
                // Below the minimum, but for some passing teachers with an
                // outlier page (the edge page's line is its right end).
                (s * 2 + t) * 5
                    + if outlier && t == 1 && s % 3 == 0 {
                        360
                    } else {
                        0
                    }
            };
            json["people"].as_array_mut().unwrap().push(serde_json::json!({
                "id": id, "name": format!("教师{id}"), "org": format!("s{s:02}"), "roles": "teacher"
            }));
            json["activities"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": format!("a{id}"), "title": "课程", "organizer": "d1", "level": "district",
                    "kind": "course", "mode": "offline", "start_date": "2021-05-01",
                    "end_date": "2021-05-01", "hours": hours.to_string()
                }));
            json["enrollments"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"person": id, "activity": format!("a{id}")}));
        }
    }
    let (data, _) = Dataset::from_rows(serde_json::from_value(json).unwrap()).unwrap();
    page(&compile(&[("layout.policy", policy)]), &data, "2022-01-31").1
}

/// Measures, in the browser, what a reader sees: whether the minimum's
/// label and the open bar's label lie inside their chart, the tick labels,
/// and whether any ancestor of the school chart clips it.
const MEASURE: &str = r#"<pre id="measured"></pre><script>
(function(){
var h=document.querySelector("svg.histogram"),w=h.viewBox.baseVal.width;
function inside(t){if(!t)return null;var b=t.getBBox();return b.x>=0&&b.x+b.width<=w;}
var clipped=false;
Array.prototype.forEach.call(document.querySelectorAll("svg.chart.schools"),function(s){
 for(var e=s.parentElement;e&&e!==document.body;e=e.parentElement){
  var o=getComputedStyle(e).overflowY;if((o==="auto"||o==="scroll"||o==="hidden")&&e.scrollHeight>e.clientHeight)clipped=true;}
});
var m={label_inside:inside(h.querySelector(".minimum text")),label:h.querySelector(".minimum text").textContent,
 overflow_inside:inside(h.querySelector("text.overflow")),overflow:(h.querySelector("text.overflow")||{}).textContent||null,
 ticks:Array.prototype.map.call(h.querySelectorAll("text.tick[text-anchor=middle]"),function(t){return t.textContent;}),
 school_bars:document.querySelectorAll("svg.chart.schools g.bar").length,schools_clipped:clipped};
document.getElementById("measured").textContent=JSON.stringify(m);
})();
</script>"#;

fn screenshot(browser: &Path, file: &Path, png: &Path, profile: &Path) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--hide-scrollbars",
            "--window-size=1200,2600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::metadata(png).unwrap().len() > 10_000,
        "empty screenshot"
    );
}

#[test]
fn chromium_shows_labels_ticks_and_every_school_unclipped() {
    let Some(browser) = chromium() else {
        eprintln!("note: no `chromium` on the PATH; skipping the browser test");
        return;
    };
    // Screenshots go where TENET_HTML_OUT says (to look at), else a temp dir.
    let tmp = tempfile::tempdir().unwrap();
    let out_dir =
        std::env::var_os("TENET_HTML_OUT").map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    for (name, outlier) in [("edge", false), ("overflow", true)] {
        let html = layout_page(outlier);
        let file = out_dir.join(format!("layout-{name}.html"));
        std::fs::write(&file, &html).unwrap();
        let profile = tmp.path().join(format!("profile-{name}"));
        screenshot(
            &browser,
            &file,
            &out_dir.join(format!("layout-{name}.png")),
            &profile,
        );
        let measured = out_dir.join(format!("layout-{name}-measured.html"));
        std::fs::write(
            &measured,
            html.replace("</body>", &format!("{MEASURE}</body>")),
        )
        .unwrap();
        let dom = dump_dom(&browser, &measured, "", &profile);
        let m: serde_json::Value =
            serde_json::from_str(&after(&dom, "<pre id=\"measured\">").replace("&amp;", "&"))
                .unwrap();
        assert_eq!(m["label_inside"], true, "{name}: {m}");
        assert_eq!(m["label"], "要求 360 学时", "{name}");
        assert_eq!(m["school_bars"], 30, "{name}: every school is drawn");
        assert_eq!(m["schools_clipped"], false, "{name}: no scroll box");
        let ticks: Vec<&str> = m["ticks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(ticks.len() >= 4, "{name}: {ticks:?}");
        for t in &ticks {
            let v: u32 = t
                .replace(',', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: tick {t}"));
            assert!(
                v.is_multiple_of(5) || v < 10,
                "{name}: tick {t} is not round"
            );
        }
        if outlier {
            assert_eq!(m["overflow_inside"], true, "{name}: {m}");
            assert!(m["overflow"].as_str().unwrap().starts_with("≥ "), "{m}");
        } else {
            assert_eq!(m["overflow"], serde_json::Value::Null);
        }
    }
}
