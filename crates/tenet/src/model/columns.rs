//! The extra columns each table of records has, for `x.attr("column")`
//! (decisions D9): a column the table has reads as text on every record,
//! `""` where the record's cell is blank; a column it does not have makes
//! the condition unknown.

use super::rows::Attrs;
use crate::schema::Entity;
use indexmap::IndexSet;

/// What is trimmed from both ends of an extra column's cell: the Unicode
/// `White_Space` characters, exactly what [`str::trim`] removes (the
/// ideographic space U+3000 and the no-break space a spreadsheet leaves
/// among them). Listed so that a compiler to SQL trims the same set.
///
/// ```
/// use tenet::model::CELL_SPACE;
/// assert!(CELL_SPACE.contains(&'\u{3000}'));
/// assert_eq!(" 安全\u{3000}".trim_matches(CELL_SPACE), "安全");
/// ```
pub const CELL_SPACE: &[char] = &[
    '\t', '\n', '\u{B}', '\u{C}', '\r', ' ', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
];

/// The extra columns of the four tables that have them, in order of first
/// appearance. Kept once per table, not per row: a row holds only its
/// cells that are not blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExtraColumns {
    districts: IndexSet<String>,
    schools: IndexSet<String>,
    people: IndexSet<String>,
    activities: IndexSet<String>,
}

impl ExtraColumns {
    fn of(&self, entity: Entity) -> Option<&IndexSet<String>> {
        match entity {
            Entity::District => Some(&self.districts),
            Entity::School => Some(&self.schools),
            Entity::Person => Some(&self.people),
            Entity::Activity => Some(&self.activities),
            _ => None,
        }
    }

    pub(crate) fn of_mut(&mut self, entity: Entity) -> Option<&mut IndexSet<String>> {
        match entity {
            Entity::District => Some(&mut self.districts),
            Entity::School => Some(&mut self.schools),
            Entity::Person => Some(&mut self.people),
            Entity::Activity => Some(&mut self.activities),
            _ => None,
        }
    }

    pub(crate) fn has(&self, entity: Entity, name: &str) -> bool {
        self.of(entity).is_some_and(|set| set.contains(name))
    }

    pub(crate) fn names(&self, entity: Entity) -> impl Iterator<Item = &str> {
        self.of(entity).into_iter().flatten().map(String::as_str)
    }
}

/// A row's cells as `attr` reads them: each trimmed of [`CELL_SPACE`],
/// blank ones dropped (the table's column list says they read `""`); every
/// key, blank or not, is a column of the table.
pub(crate) fn cells(mut attrs: Attrs, columns: &mut IndexSet<String>) -> Attrs {
    attrs.retain(|name, value| {
        if !columns.contains(name.as_str()) {
            columns.insert(name.clone());
        }
        let trimmed = value.trim_matches(CELL_SPACE);
        if trimmed.len() != value.len() {
            *value = trimmed.to_string();
        }
        !value.is_empty()
    });
    attrs
}

/// The table `attr` of an `entity` reads, as its file is named.
pub(crate) fn table_name(entity: Entity) -> &'static str {
    match entity {
        Entity::District => "districts",
        Entity::School => "schools",
        Entity::Person => "people",
        _ => "activities",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_space_is_what_trim_removes() {
        let listed: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(listed, CELL_SPACE);
    }

    #[test]
    fn blank_cells_are_dropped_but_their_column_is_kept() {
        let mut columns = IndexSet::new();
        columns.insert("grade".to_string());
        let attrs: Attrs = [("topic", " \u{3000}"), ("subject", " 数学 "), ("grade", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let kept = cells(attrs, &mut columns);
        assert_eq!(kept.get("subject").map(String::as_str), Some("数学"));
        assert_eq!(kept.len(), 1);
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        assert_eq!(names, ["grade", "topic", "subject"]);
    }
}
