//! Code lenses: each rule evaluated on the workspace's dataset, with its
//! pass / fail / pending / unknown / not-applicable counts.

use crate::context::Context;
use chrono::NaiveDate;
use tenet::diagnostic::Span;
use tenet::model::Dataset;
use tenet::report::Status;
use tenet::syntax::ast::Item;
use tenet::syntax::Lang;

/// A lens over one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    /// The rule's id.
    pub span: Span,
    /// What the lens says.
    pub title: String,
}

/// Result counts of one rule, in report order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Pass.
    pub pass: usize,
    /// Fail.
    pub fail: usize,
    /// Pending.
    pub pending: usize,
    /// Unknown.
    pub unknown: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

impl Counts {
    /// `120 pass · 3 fail`, or in Chinese `通过 120 · 未通过 3`; zero counts
    /// are left out.
    pub fn title(&self, lang: Lang) -> String {
        let parts = [
            (self.pass, "pass", "通过"),
            (self.fail, "fail", "未通过"),
            (self.pending, "pending", "待定"),
            (self.unknown, "unknown", "未知"),
            (self.not_applicable, "not applicable", "不适用"),
        ];
        let shown: Vec<String> = parts
            .iter()
            .filter(|p| p.0 > 0)
            .map(|(n, en, zh)| match lang {
                Lang::En => format!("{n} {en}"),
                Lang::Zh => format!("{zh} {n}"),
            })
            .collect();
        if shown.is_empty() {
            match lang {
                Lang::En => "no subjects".to_string(),
                Lang::Zh => "无评估对象".to_string(),
            }
        } else {
            shown.join(" · ")
        }
    }
}

/// One lens per rule of the document, evaluated on `data` as of `as_of`;
/// when the document does not check, each lens says so.
///
/// ```
/// use tenet_lsp::{context::Context, lens::lenses};
/// use tenet::model::{Dataset, Rows};
/// let text = "policy p { rule r { for person t require t has teacher } }";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let (data, _) = Dataset::from_rows(Rows::default()).unwrap();
/// let as_of = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// assert_eq!(lenses(&ctx, &data, as_of)[0].title, "no subjects");
/// ```
pub fn lenses(ctx: &Context, data: &Dataset, as_of: NaiveDate) -> Vec<Lens> {
    let lang = ctx.lang();
    let rules: Vec<(&str, Span)> = ctx
        .doc
        .items()
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some((r.id.name.as_str(), r.id.span)),
            _ => None,
        })
        .collect();
    let Some(set) = ctx.policy_set() else {
        let title = match lang {
            Lang::En => "cannot evaluate: the policy has errors",
            Lang::Zh => "无法评估：政策有错误",
        };
        return rules
            .into_iter()
            .map(|(_, span)| Lens {
                span,
                title: title.to_string(),
            })
            .collect();
    };
    let reports = set.evaluate(data, as_of);
    rules
        .into_iter()
        .map(|(id, span)| {
            let mut counts = Counts::default();
            for r in reports
                .iter()
                .flat_map(|r| &r.results)
                .filter(|r| r.rule == id)
            {
                match r.status {
                    Status::Pass => counts.pass += 1,
                    Status::Fail => counts.fail += 1,
                    Status::Pending => counts.pending += 1,
                    Status::Unknown => counts.unknown += 1,
                    Status::NotApplicable => counts.not_applicable += 1,
                }
            }
            Lens {
                span,
                title: counts.title(lang),
            }
        })
        .collect()
}
