//! The words hover and completion show, in the reader's language (the
//! client's locale): the meanings of the record model's fields, and the
//! entity and type names, which the diagnostic catalog already knows.

use tenet::diagnostic::{translate, Lang};

/// `(the English meaning in tenet::schema, its Chinese)`.
const MEANINGS: &[(&str, &str)] = &[
    ("id as in the data files", "数据文件中的编号"),
    ("name", "名称"),
    ("its district", "所属的区"),
    ("school or district the person belongs to", "所属的学校或区"),
    ("date of birth (may be missing)", "出生日期（可能缺失）"),
    (
        "参加教育工作 (may be missing)",
        "参加教育工作的日期（可能缺失）",
    ),
    ("任现职 (may be missing)", "任现职的日期（可能缺失）"),
    ("title", "名称"),
    ("who runs it", "组织者"),
    (
        "where it takes place (may be missing)",
        "举办地（可能缺失）",
    ),
    ("administrative level", "级别"),
    ("sort of activity", "活动类型"),
    ("online, offline or blended", "线上、线下或混合"),
    ("first day", "第一天"),
    ("last day", "最后一天"),
    ("学时 the activity is worth", "活动的学时"),
    ("sum of its sessions' hours", "各课次学时之和"),
    ("its activity", "所属的活动"),
    ("the day", "日期"),
    ("学时 scheduled", "安排的学时"),
    ("who is enrolled", "参训人员"),
    ("in what", "参训的活动"),
    (
        "hours of sessions absent or excused (缺课)",
        "缺课（缺勤或请假）的学时",
    ),
    ("hours of the activity's sessions", "活动各课次的学时"),
    ("hours credited by the credit block", "学时认定段认定的学时"),
    ("the mentor (导师)", "导师"),
    ("the trainee (学员)", "学员"),
    ("programme name", "项目名称"),
    ("calendar year of the first day", "第一天所在的自然年"),
];

/// A field's meaning in `lang`; one already in Chinese stays.
///
/// ```
/// use tenet::diagnostic::Lang;
/// assert_eq!(tenet_lsp::words::meaning("first day", Lang::Zh), "第一天");
/// assert_eq!(tenet_lsp::words::meaning("first day", Lang::En), "first day");
/// ```
pub fn meaning(en: &'static str, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => MEANINGS
            .iter()
            .find(|(e, _)| *e == en)
            .map_or(en, |(_, zh)| zh),
    }
}

/// Whether `meaning` has Chinese (or is Chinese already).
pub fn has_chinese(meaning: &str) -> bool {
    MEANINGS.iter().any(|(e, _)| *e == meaning) || !meaning.chars().any(|c| c.is_ascii_alphabetic())
}

/// An entity or type name (`person`, `hours`, `list of level`) in `lang`.
pub fn term(en: &str, lang: Lang) -> String {
    translate(en, lang).into_owned()
}

/// Hover's headings and phrases: `(English, Chinese)`.
pub fn say(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ENTITIES;

    /// Every field a hover or completion can show has Chinese.
    #[test]
    fn every_field_meaning_has_chinese() {
        let missing: Vec<&str> = ENTITIES
            .iter()
            .flat_map(|e| tenet::schema::fields(*e))
            .chain(tenet::schema::window_fields())
            .map(|f| f.3)
            .filter(|m| !has_chinese(m))
            .collect();
        assert!(missing.is_empty(), "no Chinese meaning for {missing:?}");
    }

    #[test]
    fn entity_and_type_names() {
        assert_eq!(term("person", Lang::Zh), "教师");
        assert_eq!(term("hours", Lang::Zh), "学时");
        assert_eq!(term("hours", Lang::En), "hours");
    }
}
