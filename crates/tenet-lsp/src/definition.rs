//! Go to definition: where the name under the caret is declared
//! (position + text → file and span).

use crate::context::{contains, word_at, Context};
use tenet::diagnostic::Span;
use tenet::resolve_import;
use tenet::syntax::ast::{CalendarEntry, Item};
use tenet::syntax::keywords;

/// A place in some file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The file's name (the document's, or an import's resolved name).
    pub file: String,
    /// Where (empty at the file's start for an import).
    pub span: Span,
}

/// Where the thing at byte `offset` is declared: a param, an imported
/// file, the credit block behind `credited_hours`, a calendar semester or
/// the academic year's start, a rule's or credit block's binder.
///
/// ```
/// use tenet_lsp::{context::Context, definition::definition};
/// let text = "policy p {\n  param annual = 90 h\n  rule r { for person t require credited_hours(t) >= annual }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let t = definition(&ctx, text.rfind("annual").unwrap()).unwrap();
/// assert_eq!(&text[t.span.start as usize..t.span.end as usize], "annual");
/// assert_eq!(t.span.start as usize, text.find("annual").unwrap());
/// ```
pub fn definition(ctx: &Context, offset: usize) -> Option<Target> {
    if let Some(tree) = &ctx.doc.tree {
        if let Some(import) = tree.imports.iter().find(|i| contains(i.span, offset)) {
            return Some(Target {
                file: resolve_import(&ctx.doc.name, &import.value),
                span: Span::default(),
            });
        }
    }
    let (word, _, _) = word_at(&ctx.doc.text, offset)?;
    if let Some((source, p)) = ctx.param(word) {
        return Some(Target {
            file: source.name.clone(),
            span: p.name.span,
        });
    }
    let period = crate::context::each_period(word);
    let is = |name: &str| {
        period == Some(name) || keywords::keyword(name).is_some_and(|k| k.spelled(word))
    };
    if is("credited_hours") {
        return ctx.sources().find_map(|s| {
            s.items().iter().find_map(|i| match i {
                Item::Credit(c) => Some(Target {
                    file: s.name.clone(),
                    span: c.name.span,
                }),
                _ => None,
            })
        });
    }
    if is("semester") || is("academic_year") {
        let semester = is("semester");
        return ctx.sources().find_map(|s| {
            s.items()
                .iter()
                .find_map(|i| match i {
                    Item::Calendar(entries) => entries.iter().find_map(|e| match e {
                        CalendarEntry::Semester { name, .. } if semester => Some(name.span),
                        CalendarEntry::YearStart(md) if !semester => Some(md.span),
                        _ => None,
                    }),
                    _ => None,
                })
                .map(|span| Target {
                    file: s.name.clone(),
                    span,
                })
        });
    }
    let scope = ctx.scope_at(offset)?;
    (scope.var.name == word).then(|| Target {
        file: ctx.doc.name.clone(),
        span: scope.var.span,
    })
}
