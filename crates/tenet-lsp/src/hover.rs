//! Hover: what the name under the caret means (position + text → text).

use crate::context::{chain_before, contains, word_at, Context, ENTITIES};
use crate::words::{self, say, term};
use std::fmt::Write;
use tenet::diagnostic::Span;
use tenet::schema::{self, EnumType};
use tenet::syntax::ast::{self, Item};
use tenet::syntax::keywords::{self, Lang};

/// A hover's Markdown and the span it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverText {
    /// Markdown.
    pub markdown: String,
    /// The hovered text.
    pub span: Span,
}

const ENUMS: [(EnumType, &str); 6] = [
    (EnumType::Role, "roles"),
    (EnumType::Level, "level"),
    (EnumType::Kind, "kind"),
    (EnumType::Mode, "mode"),
    (EnumType::Status, "status"),
    (EnumType::FinanceItem, "item"),
];

/// What to show for the caret at byte `offset` of the document.
///
/// ```
/// use tenet_lsp::{context::Context, hover::hover};
/// let text = "policy p {\n  param annual = 90 h, 100 h since 2022-01-01\n  rule r { for person t require credited_hours(t) >= annual }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let at = text.rfind("annual").unwrap() + 2;
/// let h = hover(&ctx, at).unwrap();
/// assert!(h.markdown.contains("100 h"), "{}", h.markdown);
/// assert!(h.markdown.contains("2022-01-01"));
/// ```
pub fn hover(ctx: &Context, offset: usize) -> Option<HoverText> {
    hover_in(ctx, offset, Lang::En)
}

/// [`hover`] with its text in `reader`'s language (the client's locale);
/// names, values and code stay as written.
///
/// ```
/// use tenet::diagnostic::Lang;
/// use tenet_lsp::{context::Context, hover::hover_in};
/// let text = "policy p {\n  rule r { for person t require t.hire_date >= 2020-01-01 }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let h = hover_in(&ctx, text.find("hire_date").unwrap() + 1, Lang::Zh).unwrap();
/// assert!(h.markdown.contains("**字段** `hire_date`"), "{}", h.markdown);
/// assert!(h.markdown.contains("教师：日期 — 参加教育工作的日期"), "{}", h.markdown);
/// ```
pub fn hover_in(ctx: &Context, offset: usize, reader: Lang) -> Option<HoverText> {
    let text = &ctx.doc.text;
    let (word, start, end) = word_at(text, offset)?;
    let span = Span::new(start, end);
    let lang = ctx.lang();
    let declared_rule = ctx.rule_at(offset).filter(|r| contains(r.id.span, offset));
    let markdown = if let Some(chain) = chain_before(text, start) {
        field(ctx, &chain, word, start, reader)?
    } else if let Some(rule) = declared_rule {
        rule_text(rule, reader)
    } else if let Some((source, p)) = ctx.param(word) {
        param(source, p, &ctx.doc.name, reader)
    } else if let Some(rule) = rule_named(ctx, word, offset) {
        rule_text(rule, reader)
    } else if let Some(md) = enum_value(word, reader) {
        md
    } else {
        keyword(word, lang, reader)?
    };
    Some(HoverText { markdown, span })
}

fn param(source: &crate::context::Source, p: &ast::ParamDecl, doc: &str, reader: Lang) -> String {
    let mut md = format!(
        "**{}** `{}`\n\n| {} | {} |\n|---|---|\n",
        say(reader, "param", "参数"),
        p.name.name,
        say(reader, "value", "值"),
        say(reader, "since", "起始日期"),
    );
    for (value, since) in &p.values {
        let shown = source
            .text
            .get(value.span.start as usize..value.span.end as usize)
            .unwrap_or("");
        let since = since.map_or(say(reader, "the start", "起初").to_string(), |d| {
            d.date.to_string()
        });
        let _ = writeln!(md, "| `{shown}` | {since} |");
    }
    if source.name != doc {
        let _ = write!(
            md,
            "\n{} `{}`",
            say(reader, "declared in", "定义于"),
            short_name(&source.name)
        );
    }
    md
}

fn rule_named<'a>(ctx: &'a Context, word: &str, offset: usize) -> Option<&'a ast::RuleDecl> {
    ctx.doc.items().iter().find_map(|item| match item {
        Item::Rule(r)
            if r.id.name == word
                || (contains(r.span, offset)
                    && keywords::keyword("rule").is_some_and(|k| k.spelled(word))
                    && offset <= r.id.span.end as usize) =>
        {
            Some(&**r)
        }
        _ => None,
    })
}

fn rule_text(rule: &ast::RuleDecl, reader: Lang) -> String {
    let mut md = format!("**{}** `{}`", say(reader, "rule", "规则"), rule.id.name);
    if let Some(title) = &rule.title {
        let _ = write!(md, " — {}", title.value);
    }
    if matches!(rule.severity, Some((ast::SeverityAst::Advisory, _))) {
        md.push_str(say(reader, " (advisory)", "（建议性）"));
    }
    md.push('\n');
    for cite in &rule.cites {
        let _ = write!(md, "\n**{}**", cite.clause.value);
        if let Some(q) = &cite.quote {
            let _ = write!(md, ": “{}”", q.value);
        }
        md.push('\n');
    }
    md
}

fn field(ctx: &Context, chain: &[&str], word: &str, offset: usize, reader: Lang) -> Option<String> {
    let row = |entity: &str, ty: String, meaning: &'static str| {
        (
            term(entity, reader),
            term(&ty, reader),
            words::meaning(meaning, reader).to_string(),
        )
    };
    let rows: Vec<(String, String, String)> = match ctx.receiver(chain, offset) {
        Some(r) => r
            .fields()
            .into_iter()
            .filter(|f| f.0 == word)
            .map(|(_, ty, meaning)| row(r.name(), ty.to_string(), meaning))
            .collect(),
        None => ENTITIES
            .iter()
            .flat_map(|e| {
                schema::fields(*e)
                    .into_iter()
                    .filter(|f| f.0 == word)
                    .map(|(_, _, ty, meaning)| row(e.name(), ty.to_string(), meaning))
            })
            .collect(),
    };
    let mut md = format!("**{}** `{word}`\n", say(reader, "field", "字段"));
    for (entity, ty, meaning) in rows.iter().take(8) {
        match reader {
            Lang::En => {
                let _ = write!(md, "\n- on {entity}: {ty} — {meaning}");
            }
            Lang::Zh => {
                let _ = write!(md, "\n- {entity}：{ty} — {meaning}");
            }
        }
    }
    (!rows.is_empty()).then_some(md)
}

fn enum_value(word: &str, reader: Lang) -> Option<String> {
    let mut md = String::new();
    for (ty, column) in ENUMS {
        if ty.parse(word).is_some() {
            let names = tenet_io::Mapping::builtin_names(column, word);
            let _ = write!(md, "**{}** `{word}`", term(ty.name(), reader));
            if let Some((first, rest)) = names.split_first() {
                let _ = write!(md, " — {first}");
                if !rest.is_empty() {
                    let also = rest.join("、");
                    let _ = match reader {
                        Lang::En => write!(md, " (also {also})"),
                        Lang::Zh => write!(md, "（又作 {also}）"),
                    };
                }
            }
            md.push_str("\n\n");
        }
    }
    (!md.is_empty()).then(|| md.trim_end().to_string())
}

fn keyword(word: &str, lang: Lang, reader: Lang) -> Option<String> {
    let heading = say(reader, "keyword", "关键字");
    if let Some(period) = crate::context::each_period(word) {
        let each = keywords::spell("each", Lang::En);
        return Some(format!(
            "**{heading}** `{word}` = `{each} {}`",
            keywords::spell(period, Lang::En)
        ));
    }
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    let mut spellings: Vec<&str> = keywords::keywords()
        .iter()
        .filter(|k| k.spelled(word))
        .map(|k| k.spelling(other))
        .collect();
    spellings.dedup();
    let list: Vec<String> = spellings.iter().map(|s| format!("`{s}`")).collect();
    (!list.is_empty()).then(|| format!("**{heading}** `{word}` = {}", list.join(" / ")))
}

fn short_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
