//! Record ids as shared strings for explanations.
//!
//! A district run lists millions of records (every enrollment counted for
//! every teacher-year); copying each id into its own `String` made
//! allocation the largest cost of evaluation. The ids are made shared once
//! per run instead, and every explanation record holds a reference. Each
//! kind's ids are made the first time a record of that kind is listed: a
//! run that lists nothing (`brief`) makes none, which at 200,000 teachers
//! saves 1.6 million activity ids.

use crate::model::Dataset;
use crate::value::EntityRef;
use std::sync::{Arc, OnceLock};

/// The shared ids of one dataset's activities, people, schools and
/// districts (the records explanations list by the million).
#[derive(Default)]
pub(crate) struct Names {
    activities: OnceLock<Vec<Arc<str>>>,
    people: OnceLock<Vec<Arc<str>>>,
    schools: OnceLock<Vec<Arc<str>>>,
    districts: OnceLock<Vec<Arc<str>>>,
}

impl Names {
    /// The shared ids of every activity of `data`, by index (a window
    /// lists its enrollments' activities one after another).
    pub fn activities(&self, data: &Dataset) -> &[Arc<str>] {
        self.activities
            .get_or_init(|| data.activities.iter().map(|a| Arc::from(&*a.id)).collect())
    }

    /// The shared id of a record of `data` (the dataset of every call), if
    /// it is of a kind kept here.
    pub fn get(&self, data: &Dataset, r: EntityRef) -> Option<&Arc<str>> {
        /// The `i`th id of one kind, sharing that kind's ids on first use.
        fn nth<'s, T>(
            ids: &'s OnceLock<Vec<Arc<str>>>,
            records: &[T],
            id: fn(&T) -> &str,
            i: usize,
        ) -> Option<&'s Arc<str>> {
            ids.get_or_init(|| records.iter().map(|r| Arc::from(id(r))).collect())
                .get(i)
        }
        match r {
            EntityRef::Activity(a) => nth(&self.activities, &data.activities, |a| &a.id, a.index()),
            EntityRef::Person(p) => nth(&self.people, &data.people, |p| &p.id, p.index()),
            EntityRef::School(s) => nth(&self.schools, &data.schools, |s| &s.id, s.index()),
            EntityRef::District(d) => nth(&self.districts, &data.districts, |d| &d.id, d.index()),
            EntityRef::Session(_) | EntityRef::Enrollment(_) | EntityRef::Mentorship(_) => None,
        }
    }
}
