//! Document symbols: the policy, its params, credit block and rules.

use crate::context::Context;
use tenet::diagnostic::Span;
use tenet::syntax::ast::Item;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The policy.
    Policy,
    /// A param.
    Param,
    /// The credit block.
    Credit,
    /// A rule.
    Rule,
}

/// One symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its id.
    pub name: String,
    /// Its title, if written.
    pub detail: Option<String>,
    /// What it is.
    pub kind: Kind,
    /// The whole declaration.
    pub span: Span,
    /// The name.
    pub name_span: Span,
    /// Symbols inside (the policy's items).
    pub children: Vec<Symbol>,
}

/// The document's outline; empty while it does not parse.
///
/// ```
/// use tenet_lsp::{context::Context, symbols::{symbols, Kind}};
/// let text = "政策 p {\n  参数 x = 1\n  规则 r \"每年\" { 对象 人员 t 要求 t 具有 teacher }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let outline = symbols(&ctx);
/// let kinds: Vec<Kind> = outline[0].children.iter().map(|s| s.kind).collect();
/// assert_eq!(kinds, [Kind::Param, Kind::Rule]);
/// ```
pub fn symbols(ctx: &Context) -> Vec<Symbol> {
    let Some(tree) = &ctx.doc.tree else {
        return Vec::new();
    };
    let p = &tree.policy;
    let children = p
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Param(d) => Some(Symbol {
                name: d.name.name.clone(),
                detail: None,
                kind: Kind::Param,
                span: d.span,
                name_span: d.name.span,
                children: Vec::new(),
            }),
            Item::Credit(c) => Some(Symbol {
                name: c.name.name.clone(),
                detail: c.title.as_ref().map(|t| t.value.clone()),
                kind: Kind::Credit,
                span: c.span,
                name_span: c.name.span,
                children: Vec::new(),
            }),
            Item::Rule(r) => Some(Symbol {
                name: r.id.name.clone(),
                detail: r.title.as_ref().map(|t| t.value.clone()),
                kind: Kind::Rule,
                span: r.span,
                name_span: r.id.span,
                children: Vec::new(),
            }),
            _ => None,
        })
        .collect();
    vec![Symbol {
        name: p.id.name.clone(),
        detail: p.title.as_ref().map(|t| t.value.clone()),
        kind: Kind::Policy,
        span: p.span,
        name_span: p.id.span,
        children,
    }]
}
