//! One open document with the files it imports, parsed: what every
//! analysis (hover, completion, definition …) looks at.

use tenet::diagnostic::{Diagnostic, Sink, Span};
use tenet::schema::{self, Entity, Type};
use tenet::syntax::ast::{self, EntityKind, Item};
use tenet::syntax::{self, keywords, Lang, Limits};
use tenet::{resolve_import, PolicySet};

/// A file's name, text and syntax tree (`None` when it does not parse).
#[derive(Debug, Clone)]
pub struct Source {
    /// The name diagnostics carry: the file's path.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Its tree.
    pub tree: Option<ast::File>,
}

impl Source {
    /// Parses `text`.
    pub fn parse(name: &str, text: &str) -> Source {
        let mut sink = Sink::new(name, text);
        let tree = syntax::parse(text, &mut sink, Limits::default());
        Source {
            name: name.to_string(),
            text: text.to_string(),
            tree,
        }
    }

    /// The items of its policy (none when it does not parse).
    pub fn items(&self) -> &[Item] {
        self.tree
            .as_ref()
            .map_or(&[], |t| t.policy.items.as_slice())
    }
}

/// A document and its transitive imports.
#[derive(Debug, Clone)]
pub struct Context {
    /// The document being edited.
    pub doc: Source,
    /// The files it imports, directly or not, each once.
    pub imports: Vec<Source>,
}

impl Context {
    /// Parses `text` (named `name`) and every file it imports, read through
    /// `read` (which gets resolved names, as [`resolve_import`] makes them).
    ///
    /// ```
    /// use tenet_lsp::context::Context;
    /// let ctx = Context::new("a.policy", "import \"c.policy\"\npolicy a { }", |n: &str| {
    ///     if n == "c.policy" { Ok("policy c { param x = 1 }".to_string()) } else { Err("no".into()) }
    /// });
    /// assert_eq!(ctx.imports.len(), 1);
    /// assert_eq!(ctx.imports[0].name, "c.policy");
    /// ```
    pub fn new(
        name: &str,
        text: &str,
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Context {
        let doc = Source::parse(name, text);
        let mut imports: Vec<Source> = Vec::new();
        let mut pending: Vec<String> = import_names(&doc);
        while let Some(next) = pending.pop() {
            if next == name || imports.iter().any(|s| s.name == next) {
                continue;
            }
            let Ok(text) = read(&next) else { continue };
            let source = Source::parse(&next, &text);
            pending.extend(import_names(&source));
            imports.push(source);
        }
        Context { doc, imports }
    }

    /// The document, then its imports.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        std::iter::once(&self.doc).chain(&self.imports)
    }

    /// The keyword surface the document is written in.
    pub fn lang(&self) -> Lang {
        match &self.doc.tree {
            Some(tree) => syntax::surface(&self.doc.text, tree),
            // While the file does not parse, its first word decides.
            None => {
                let first = self
                    .doc
                    .text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("//"))
                    .unwrap_or("");
                if first.chars().next().is_some_and(|c| !c.is_ascii()) {
                    Lang::Zh
                } else {
                    Lang::En
                }
            }
        }
    }

    /// The diagnostics `tenet check` gives for the document: its own
    /// syntax and checker errors and warnings (problems inside an imported
    /// file are reported against the `import` line that brings it in).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let result = PolicySet::load(&[self.doc.name.as_str()], |n| self.read(n));
        let all = match result {
            Ok(set) => set.warnings().to_vec(),
            Err(e) => e.diagnostics,
        };
        let mut mine = Vec::new();
        for d in all {
            if d.file == self.doc.name {
                mine.push(d);
            } else if let Some(span) = self.import_span(&d.file) {
                let mut sink = Sink::new(&self.doc.name, &self.doc.text);
                let level = d.level;
                let text = format!("in imported `{}`: {d}", d.file);
                let made = match level {
                    tenet::diagnostic::Level::Error => sink.error(span, text),
                    tenet::diagnostic::Level::Warning => sink.warning(span, text),
                };
                made.help = d.help.clone();
                mine.extend(sink.diagnostics);
            }
        }
        mine
    }

    /// The policy set of the document alone, when it checks.
    pub fn policy_set(&self) -> Option<PolicySet> {
        PolicySet::load(&[self.doc.name.as_str()], |n| self.read(n)).ok()
    }

    fn read(&self, name: &str) -> Result<String, String> {
        self.sources()
            .find(|s| s.name == name)
            .map(|s| s.text.clone())
            .ok_or_else(|| "cannot read the file".to_string())
    }

    /// The span of the document's `import` that names `file` (directly, or
    /// through the first direct import).
    fn import_span(&self, file: &str) -> Option<Span> {
        let tree = self.doc.tree.as_ref()?;
        let direct = tree
            .imports
            .iter()
            .find(|i| resolve_import(&self.doc.name, &i.value) == file);
        direct.or(tree.imports.first()).map(|i| i.span)
    }

    /// The rule or credit block around `offset` in the document: its scope.
    pub fn scope_at(&self, offset: usize) -> Option<&ast::Scope> {
        self.doc.items().iter().find_map(|item| match item {
            Item::Rule(r) if contains(r.span, offset) => Some(&r.scope),
            Item::Credit(c) if contains(c.span, offset) => Some(&c.scope),
            _ => None,
        })
    }

    /// The rule around `offset` in the document.
    pub fn rule_at(&self, offset: usize) -> Option<&ast::RuleDecl> {
        self.doc.items().iter().find_map(|item| match item {
            Item::Rule(r) if contains(r.span, offset) => Some(&**r),
            _ => None,
        })
    }

    /// Every param declared in the document or its imports, with its file.
    pub fn params(&self) -> impl Iterator<Item = (&Source, &ast::ParamDecl)> {
        self.sources().flat_map(|s| {
            s.items().iter().filter_map(move |i| match i {
                Item::Param(p) => Some((s, p)),
                _ => None,
            })
        })
    }

    /// The param named `name`.
    pub fn param(&self, name: &str) -> Option<(&Source, &ast::ParamDecl)> {
        self.params().find(|(_, p)| p.name.name == name)
    }

    /// The entity of the record a name stands for at `offset`: the scope's
    /// binder, or `activity` inside a `credited_hours` filter.
    pub fn entity_of_name(&self, name: &str, offset: usize) -> Option<Receiver> {
        if let Some(scope) = self.scope_at(offset) {
            if scope.var.name == name {
                return Some(Receiver::Entity(Entity::from(scope.kind)));
            }
        }
        if let Some(rule) = self.rule_at(offset) {
            if window_bind(rule).is_some_and(|b| b == name) {
                return Some(Receiver::Window);
            }
        }
        if keywords::keyword("activity").is_some_and(|k| k.spelled(name)) {
            return Some(Receiver::Entity(Entity::Activity));
        }
        self.scope_in_text(name, offset).map(Receiver::Entity)
    }

    /// While the file does not parse (the usual state while typing `t.`),
    /// the last `for <entity> <name>` written before `offset`.
    fn scope_in_text(&self, name: &str, offset: usize) -> Option<Entity> {
        let before = self
            .doc
            .text
            .get(..floor_boundary(&self.doc.text, offset))?;
        let words: Vec<&str> = before
            .split(|c: char| !is_name_char(c))
            .filter(|w| !w.is_empty())
            .collect();
        let spelled = |kw: &str, w: &str| keywords::keyword(kw).is_some_and(|k| k.spelled(w));
        let kinds = [
            ("person", EntityKind::Person),
            ("school", EntityKind::School),
            ("district", EntityKind::District),
            ("activity", EntityKind::Activity),
            ("enrollment", EntityKind::Enrollment),
            ("mentorship", EntityKind::Mentorship),
        ];
        words.windows(3).rev().find_map(|w| match w {
            [f, kind, var] if spelled("for", f) && *var == name => kinds
                .iter()
                .find(|(kw, _)| spelled(kw, kind))
                .map(|(_, k)| Entity::from(*k)),
            _ => None,
        })
    }

    /// What `a.b.c` names, for the chain of names before a `.`.
    pub fn receiver(&self, chain: &[&str], offset: usize) -> Option<Receiver> {
        let (first, rest) = chain.split_first()?;
        let mut at = self.entity_of_name(first, offset)?;
        for field in rest {
            let Receiver::Entity(e) = at else { return None };
            let (_, _, ty, _) = schema::fields(e).into_iter().find(|f| f.0 == *field)?;
            let Type::Entity(next) = ty else { return None };
            at = Receiver::Entity(next);
        }
        Some(at)
    }
}

/// What a name before `.` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// A record of this entity.
    Entity(Entity),
    /// A window bound with `as`.
    Window,
}

impl Receiver {
    /// Its fields: `(name, type, meaning)`.
    pub fn fields(self) -> Vec<(&'static str, Type, &'static str)> {
        let rows = match self {
            Receiver::Entity(e) => schema::fields(e),
            Receiver::Window => schema::window_fields(),
        };
        rows.into_iter().map(|(n, _, t, m)| (n, t, m)).collect()
    }

    /// The name authors see.
    pub fn name(self) -> &'static str {
        match self {
            Receiver::Entity(e) => e.name(),
            Receiver::Window => "window",
        }
    }
}

/// The entities whose records a policy can name a field of.
pub const ENTITIES: [Entity; 7] = [
    Entity::Person,
    Entity::School,
    Entity::District,
    Entity::Activity,
    Entity::Session,
    Entity::Enrollment,
    Entity::Mentorship,
];

fn window_bind(rule: &ast::RuleDecl) -> Option<&str> {
    let bind = match rule.window.as_ref()? {
        ast::WindowAst::Each { bind, .. }
        | ast::WindowAst::Cycle { bind, .. }
        | ast::WindowAst::Within { bind, .. }
        | ast::WindowAst::During { bind, .. } => bind,
    };
    bind.as_ref().map(|b| b.name.as_str())
}

fn import_names(source: &Source) -> Vec<String> {
    source.tree.as_ref().map_or_else(Vec::new, |t| {
        t.imports
            .iter()
            .rev()
            .map(|i| resolve_import(&source.name, &i.value))
            .collect()
    })
}

/// Whether `span` covers `offset` (its end included, where a caret after
/// the last character stands).
pub fn contains(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// Whether a character may be part of a name (Chinese included).
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The name around `offset` and its byte range.
pub fn word_at(text: &str, offset: usize) -> Option<(&str, usize, usize)> {
    let offset = floor_boundary(text, offset);
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    (!word.is_empty()).then_some((word, start, end))
}

/// A Chinese word that is `每` run into a period (`每学期`): the period
/// keyword's name with `each`; otherwise `None`.
///
/// ```
/// assert_eq!(tenet_lsp::context::each_period("每学期"), Some("semester"));
/// assert_eq!(tenet_lsp::context::each_period("学期"), None);
/// ```
pub fn each_period(word: &str) -> Option<&'static str> {
    let each = keywords::keyword("each")?;
    let rest = each.zh.iter().find_map(|e| word.strip_prefix(e))?;
    keywords::keywords()
        .iter()
        .find(|k| k.zh.contains(&rest) && k.name != "each")
        .map(|k| k.name)
}

/// The chain of names `a.b.` that ends just before `at` (a `.` must be
/// at `at - 1`): `["a", "b"]`.
pub fn chain_before(text: &str, at: usize) -> Option<Vec<&str>> {
    let before = text.get(..floor_boundary(text, at))?;
    let mut rest = before.strip_suffix('.')?;
    let mut chain = Vec::new();
    loop {
        let start = rest
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_name_char(*c))
            .last()
            .map(|(i, _)| i)?;
        chain.push(rest.get(start..)?);
        rest = rest.get(..start)?;
        match rest.strip_suffix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    chain.reverse();
    Some(chain)
}

/// The nearest character boundary at or before `offset`.
pub fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_chains_with_chinese() {
        let text = "对象 人员 t 其中 t.org.district 具有 教师";
        let at = text.find("district").unwrap_or(0) + 2;
        assert_eq!(word_at(text, at).map(|w| w.0), Some("district"));
        let start = text.find("district").unwrap_or(0);
        assert_eq!(chain_before(text, start), Some(vec!["t", "org"]));
        let at = text.find("教师").unwrap_or(0) + 3;
        assert_eq!(word_at(text, at).map(|w| w.0), Some("教师"));
        assert_eq!(chain_before(text, 3), None);
    }

    #[test]
    fn the_binder_is_found_while_the_file_does_not_parse() {
        let text = "政策 p {\n  规则 r {\n    对象 学校 s\n    要求 s.";
        let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
        assert!(ctx.doc.tree.is_none());
        assert_eq!(
            ctx.receiver(&["s"], text.len()),
            Some(Receiver::Entity(Entity::School))
        );
        assert_eq!(ctx.receiver(&["x"], text.len()), None);
    }
}
