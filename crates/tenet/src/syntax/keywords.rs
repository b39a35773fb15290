//! The spellings of every keyword, read from the grammar file.
//!
//! `policy.pest` is the one place a keyword is spelled: each `kw_*` rule
//! lists its English spelling first (when it has one) and its Chinese
//! spellings after, the first of them canonical. The formatter, the
//! language server and the diagnostics take spellings from here, so a new
//! alias is one edit in the grammar.

use std::sync::OnceLock;

/// A keyword surface: the language policy text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// `rule`, `for`, `each`, `require` …
    #[default]
    En,
    /// 规则, 对象, 每, 要求 …
    Zh,
}

impl Lang {
    /// `en` / `zh`, as `--lang` takes them.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Lang::En),
            "zh" | "cn" | "chinese" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The language a locale string such as `zh_CN.UTF-8` asks for.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let l = locale.trim();
        if l.is_empty() {
            None
        } else if l.to_ascii_lowercase().starts_with("zh") {
            Some(Lang::Zh)
        } else {
            Some(Lang::En)
        }
    }
}

/// One `kw_*` rule of the grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    /// The rule name without `kw_`: `for`, `calendar_year`, `ge`.
    pub name: &'static str,
    /// The English spelling; `None` for a Chinese phrase (`至少`) whose
    /// English is two keywords.
    pub en: Option<&'static str>,
    /// The Chinese spellings, canonical first.
    pub zh: Vec<&'static str>,
}

impl Keyword {
    /// The canonical spelling in `lang` (English when Chinese has none).
    pub fn spelling(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh.first().copied().or(self.en).unwrap_or(self.name),
            Lang::En => self.en.unwrap_or(self.name),
        }
    }

    /// Whether `text` is one of this keyword's spellings.
    pub fn spelled(&self, text: &str) -> bool {
        self.en == Some(text) || self.zh.contains(&text)
    }
}

const GRAMMAR: &str = include_str!("policy.pest");

/// Every keyword rule, in grammar order.
///
/// ```
/// use tenet::syntax::keywords::{keyword, Lang};
/// assert_eq!(keyword("rule").unwrap().spelling(Lang::Zh), "规则");
/// assert_eq!(keyword("ge").unwrap().spelling(Lang::En), ">=");
/// assert_eq!(keyword("ge").unwrap().spelling(Lang::Zh), "不少于");
/// ```
pub fn keywords() -> &'static [Keyword] {
    static TABLE: OnceLock<Vec<Keyword>> = OnceLock::new();
    TABLE.get_or_init(|| GRAMMAR.lines().filter_map(rule_line).collect())
}

/// The keyword rule `kw_<name>`.
pub fn keyword(name: &str) -> Option<&'static Keyword> {
    keywords().iter().find(|k| k.name == name)
}

/// The canonical spelling of `kw_<name>` in `lang`; the name itself when
/// the grammar has no such rule.
pub fn spell(name: &str, lang: Lang) -> &'static str {
    keyword(name).map_or("", |k| k.spelling(lang))
}

/// `kw_name = @{ ("en" | "zh" …) ~ !ident_char }` → its spellings.
fn rule_line(line: &'static str) -> Option<Keyword> {
    let rest = line.strip_prefix("kw_")?;
    let (name, body) = rest.split_once('=')?;
    let name = name.trim();
    let mut literals = Vec::new();
    let mut parts = body.split('"');
    parts.next();
    while let (Some(text), _) = (parts.next(), parts.next()) {
        literals.push(text);
    }
    let mut en = None;
    let mut zh = Vec::new();
    for (i, lit) in literals.into_iter().enumerate() {
        if i == 0 && lit.is_ascii() {
            en = Some(lit);
        } else if !lit.is_ascii() {
            zh.push(lit);
        }
    }
    Some(Keyword { name, en, zh })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_has_a_chinese_spelling() {
        let missing: Vec<&str> = keywords()
            .iter()
            .filter(|k| k.zh.is_empty() && !matches!(k.name, "at" | "least" | "no" | "hosted"))
            .map(|k| k.name)
            .collect();
        assert!(missing.is_empty(), "no Chinese spelling: {missing:?}");
        assert!(keywords().len() > 70);
    }

    #[test]
    fn spellings_are_read_from_the_grammar() {
        assert_eq!(spell("for", Lang::Zh), "对象");
        assert_eq!(spell("for", Lang::En), "for");
        assert_eq!(spell("at_least", Lang::En), "at_least");
        assert_eq!(keyword("at_least").and_then(|k| k.en), None);
        assert_eq!(spell("h", Lang::Zh), "学时");
        assert_eq!(spell("to", Lang::En), "..");
        assert!(keyword("month").is_some_and(|k| k.spelled("月")));
    }

    #[test]
    fn locales() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale(""), None);
    }
}
