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
    /// The shared id of a record of `data` (the dataset of every call), if
    /// it is of a kind kept here.
    pub fn get(&self, data: &Dataset, r: EntityRef) -> Option<&Arc<str>> {
        fn share<'d>(ids: impl Iterator<Item = &'d String>) -> Vec<Arc<str>> {
            ids.map(|id| Arc::from(id.as_str())).collect()
        }
        match r {
            EntityRef::Activity(a) => self
                .activities
                .get_or_init(|| share(data.activities.iter().map(|a| &a.id)))
                .get(a.index()),
            EntityRef::Person(p) => self
                .people
                .get_or_init(|| share(data.people.iter().map(|p| &p.id)))
                .get(p.index()),
            EntityRef::School(s) => self
                .schools
                .get_or_init(|| share(data.schools.iter().map(|s| &s.id)))
                .get(s.index()),
            EntityRef::District(d) => self
                .districts
                .get_or_init(|| share(data.districts.iter().map(|d| &d.id)))
                .get(d.index()),
            EntityRef::Session(_) | EntityRef::Enrollment(_) | EntityRef::Mentorship(_) => None,
        }
    }
}
