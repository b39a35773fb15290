//! Grouped lists kept in one allocation.

use super::PersonIx;

/// Lists of many groups in one allocation (compressed sparse rows): one
/// allocation instead of one a group, for groups counted in millions
/// (each person's enrollments, each activity's sessions).
#[derive(Debug, Clone)]
pub(crate) struct Lists<T> {
    offsets: Vec<usize>,
    items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            offsets: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy> Lists<T> {
    /// Groups the entries `entry(0..len)` by person (`None` leaves one
    /// out), keeping their order within each person. Entries are computed
    /// twice rather than stored, to save a pass over a large array.
    pub(crate) fn group_with(
        people: usize,
        len: usize,
        fill: T,
        entry: impl Fn(usize) -> Option<(PersonIx, T)>,
    ) -> Lists<T> {
        Lists::group_by(people, len, fill, |i| entry(i).map(|(p, t)| (p.index(), t)))
    }

    /// Groups the entries `entry(0..len)` by any index below `groups` (the
    /// lists then belong to sessions, say, rather than people).
    pub(crate) fn group_by(
        groups: usize,
        len: usize,
        fill: T,
        entry: impl Fn(usize) -> Option<(usize, T)>,
    ) -> Lists<T> {
        let mut counts = vec![0usize; groups];
        for i in 0..len {
            if let Some(count) = entry(i).and_then(|(g, _)| counts.get_mut(g)) {
                *count += 1;
            }
        }
        Lists::group_counted(counts, len, fill, entry)
    }

    /// [`group_by`](Lists::group_by) when the caller has counted the
    /// entries of each group already (`counts[g]`): one pass instead of
    /// two.
    pub(crate) fn group_counted(
        counts: Vec<usize>,
        len: usize,
        fill: T,
        entry: impl Fn(usize) -> Option<(usize, T)>,
    ) -> Lists<T> {
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut total = 0;
        offsets.push(0);
        for count in counts {
            total += count;
            offsets.push(total);
        }
        let mut cursor = offsets.clone();
        let mut items = vec![fill; total];
        for i in 0..len {
            let Some((g, t)) = entry(i) else { continue };
            if let Some(c) = cursor.get_mut(g) {
                if let Some(slot) = items.get_mut(*c) {
                    *slot = t;
                }
                *c += 1;
            }
        }
        Lists { offsets, items }
    }

    fn range(&self, group: usize) -> std::ops::Range<usize> {
        let start = self.offsets.get(group).copied().unwrap_or(0);
        let end = self.offsets.get(group + 1).copied().unwrap_or(start);
        start..end
    }

    pub(crate) fn of(&self, p: PersonIx) -> &[T] {
        self.at(p.index())
    }

    /// The list of group `group`.
    pub(crate) fn at(&self, group: usize) -> &[T] {
        self.items.get(self.range(group)).unwrap_or(&[])
    }

    pub(crate) fn sort_each_by_key<K: Ord>(&mut self, groups: usize, key: impl Fn(&T) -> K) {
        for g in 0..groups {
            let range = self.range(g);
            if let Some(list) = self.items.get_mut(range) {
                list.sort_unstable_by_key(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_grouped_in_order() {
        let entries = [(2, 'a'), (0, 'b'), (2, 'c'), (9, 'x'), (0, 'd')];
        let lists = Lists::group_by(3, entries.len(), ' ', |i| {
            entries.get(i).copied().filter(|(g, _)| *g < 3)
        });
        assert_eq!(lists.at(0), ['b', 'd']);
        assert_eq!(lists.at(1), [] as [char; 0]);
        assert_eq!(lists.at(2), ['a', 'c']);
        assert_eq!(lists.at(3), [] as [char; 0]);
        let counted = Lists::group_counted(vec![2, 0, 2], entries.len(), ' ', |i| {
            entries.get(i).copied().filter(|(g, _)| *g < 3)
        });
        assert_eq!(
            (counted.offsets, counted.items),
            (lists.offsets, lists.items)
        );
    }
}
