//! Completion: what may be written at the caret (position + text → items),
//! offered in the document's keyword surface.

use crate::context::{chain_before, floor_boundary, is_name_char, Context, ENTITIES};
use crate::words;
use tenet::schema::{self, EnumType, Type};
use tenet::syntax::keywords::{self, Lang};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A record field.
    Field,
    /// An enumeration value (role, level, kind …).
    Value,
    /// A param.
    Param,
    /// A period (`each calendar_year`, `每学年`).
    Period,
    /// A keyword.
    Keyword,
    /// A variable in scope.
    Variable,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The text inserted.
    pub label: String,
    /// Shown beside it: a type, a meaning, the other surface's spelling.
    pub detail: String,
    /// What it is.
    pub kind: Kind,
}

const PERIODS: [&str; 6] = [
    "calendar_year",
    "academic_year",
    "semester",
    "month",
    "week",
    "day",
];

/// The items for the caret at byte `offset`.
///
/// ```
/// use tenet_lsp::{context::Context, complete::complete};
/// let text = "政策 p {\n  规则 r {\n    对象 人员 t 其中 t 具有 \n    要求 t.\n  }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let roles = complete(&ctx, text.find("具有 ").unwrap() + "具有 ".len());
/// assert!(roles.iter().any(|i| i.label == "teacher" && i.detail.contains("教师")));
/// let fields = complete(&ctx, text.find("t.\n").unwrap() + 2);
/// assert!(fields.iter().any(|i| i.label == "hire_date"));
/// ```
pub fn complete(ctx: &Context, offset: usize) -> Vec<Item> {
    complete_in(ctx, offset, Lang::En)
}

/// [`complete`] with each item's detail in `reader`'s language (the
/// client's locale); the labels are what is written, in the document's
/// surface.
///
/// ```
/// use tenet::diagnostic::Lang;
/// use tenet_lsp::{context::Context, complete::complete_in};
/// let text = "policy p {\n  rule r {\n    for person t\n    require t.\n  }\n}";
/// let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
/// let fields = complete_in(&ctx, text.find("t.\n").unwrap() + 2, Lang::Zh);
/// let hire = fields.iter().find(|i| i.label == "hire_date").unwrap();
/// assert_eq!(hire.detail, "日期 — 参加教育工作的日期（可能缺失）");
/// ```
pub fn complete_in(ctx: &Context, offset: usize, reader: Lang) -> Vec<Item> {
    let text = &ctx.doc.text;
    let offset = floor_boundary(text, offset);
    let before = text.get(..offset).unwrap_or("");
    // The part of the name already typed.
    let typed_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let line = before
        .get(..typed_start)
        .unwrap_or("")
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let lang = ctx.lang();
    if let Some(chain) = chain_before(text, typed_start) {
        return fields(ctx, &chain, offset, reader);
    }
    let words: Vec<&str> = line
        .split(|c: char| !is_name_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.last().copied().unwrap_or("");
    let spelled = |name: &str, w: &str| keywords::keyword(name).is_some_and(|k| k.spelled(w));
    if spelled("has", last) {
        return values(EnumType::Role);
    }
    if let Some(ty) = compared_enum(line) {
        return values(ty);
    }
    if inside_call(line, "finance") {
        return values(EnumType::FinanceItem);
    }
    // `at least 2 ` / `至少 2 `: an activity kind comes next.
    if last.chars().all(|c| c.is_ascii_digit())
        && !last.is_empty()
        && words.len() >= 2
        && words
            .get(words.len() - 2)
            .is_some_and(|w| spelled("at_least", w) || spelled("least", w))
    {
        return values(EnumType::Kind);
    }
    if spelled("each", last) || spelled("every", last) {
        return PERIODS
            .iter()
            .map(|p| Item {
                label: keywords::spell(p, lang).to_string(),
                detail: other(p, lang).to_string(),
                kind: Kind::Period,
            })
            .collect();
    }
    general(ctx, offset, lang, reader)
}

fn fields(ctx: &Context, chain: &[&str], offset: usize, reader: Lang) -> Vec<Item> {
    let rows: Vec<(&str, Type, &str)> = match ctx.receiver(chain, offset) {
        Some(r) => r.fields(),
        None => {
            let mut all: Vec<(&str, Type, &str)> = Vec::new();
            for e in ENTITIES {
                for (name, _, ty, meaning) in schema::fields(e) {
                    if !all.iter().any(|f| f.0 == name) {
                        all.push((name, ty, meaning));
                    }
                }
            }
            all
        }
    };
    rows.into_iter()
        .map(|(name, ty, meaning)| Item {
            label: name.to_string(),
            detail: format!(
                "{} — {}",
                words::term(&ty.to_string(), reader),
                words::meaning(meaning, reader)
            ),
            kind: Kind::Field,
        })
        .collect()
}

fn values(ty: EnumType) -> Vec<Item> {
    let column = match ty {
        EnumType::Role => "roles",
        EnumType::Level => "level",
        EnumType::Kind => "kind",
        EnumType::Mode => "mode",
        EnumType::Status => "status",
        EnumType::FinanceItem => "item",
    };
    ty.values()
        .into_iter()
        .map(|v| Item {
            label: v.to_string(),
            detail: tenet_io::Mapping::builtin_names(column, v).join("、"),
            kind: Kind::Value,
        })
        .collect()
}

/// `….level = `, `….kind in [seminar, ` (either surface): the enumeration
/// the value being typed belongs to.
fn compared_enum(line: &str) -> Option<EnumType> {
    let dot = line.rfind('.')?;
    let rest = line.get(dot + 1..)?;
    let name_len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
    let (field, tail) = rest.split_at(name_len);
    if tail.contains([']', ')']) {
        return None;
    }
    let ops = ["eq", "ne", "in", "not_in"];
    let first = tail
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == '[')
        .next()
        .unwrap_or("");
    let compares = ops
        .iter()
        .any(|op| keywords::keyword(op).is_some_and(|k| k.spelled(first)))
        || first == "not"
        || first == "非";
    if !compares {
        return None;
    }
    ENTITIES.iter().find_map(|e| {
        schema::fields(*e)
            .into_iter()
            .find(|f| f.0 == field)
            .and_then(|f| match f.2 {
                Type::Enum(ty) => Some(ty),
                _ => None,
            })
    })
}

/// Whether the caret is inside the parentheses of call `name` on this line.
fn inside_call(line: &str, name: &str) -> bool {
    let Some(k) = keywords::keyword(name) else {
        return false;
    };
    let spellings = k.en.into_iter().chain(k.zh.iter().copied());
    spellings.into_iter().any(|s| {
        line.rfind(&format!("{s}("))
            .or_else(|| line.rfind(&format!("{s}（")))
            .is_some_and(|at| !line.get(at..).unwrap_or("").contains([')', '）']))
    })
}

fn other(name: &str, lang: Lang) -> &'static str {
    keywords::spell(
        name,
        match lang {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        },
    )
}

fn general(ctx: &Context, offset: usize, lang: Lang, reader: Lang) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(scope) = ctx.scope_at(offset) {
        items.push(Item {
            label: scope.var.name.clone(),
            detail: words::term(tenet::schema::Entity::from(scope.kind).name(), reader),
            kind: Kind::Variable,
        });
    }
    for (source, p) in ctx.params() {
        let value = p
            .values
            .last()
            .and_then(|(v, _)| source.text.get(v.span.start as usize..v.span.end as usize))
            .unwrap_or("");
        items.push(Item {
            label: p.name.name.clone(),
            detail: format!("{} = {value}", words::say(reader, "param", "参数")),
            kind: Kind::Param,
        });
    }
    let each = keywords::spell("each", lang);
    for p in PERIODS {
        let unit = keywords::spell(p, lang);
        let label = match lang {
            Lang::Zh => format!("{each}{unit}"),
            Lang::En => format!("{each} {unit}"),
        };
        items.push(Item {
            label,
            detail: format!("{} {}", other("each", lang), other(p, lang)),
            kind: Kind::Period,
        });
    }
    let mut seen: Vec<&str> = Vec::new();
    for k in keywords::keywords() {
        let label = k.spelling(lang);
        if label.chars().any(is_name_char) && !seen.contains(&label) {
            seen.push(label);
            items.push(Item {
                label: label.to_string(),
                detail: other(k.name, lang).to_string(),
                kind: Kind::Keyword,
            });
        }
    }
    items
}
