//! Record ids as shared strings for explanations.
//!
//! A district run lists millions of records (every enrollment counted for
//! every teacher-year); copying each id into its own `String` made
//! allocation the largest cost of evaluation. The ids are made shared once
//! per run instead, and every explanation record holds a reference.

use crate::model::Dataset;
use crate::value::EntityRef;
use std::sync::Arc;

/// The shared ids of one dataset's activities, people, schools and
/// districts (the records explanations list by the million).
pub(crate) struct Names {
    activities: Vec<Arc<str>>,
    people: Vec<Arc<str>>,
    schools: Vec<Arc<str>>,
    districts: Vec<Arc<str>>,
}

impl Names {
    pub fn new(data: &Dataset) -> Names {
        fn share<'d>(ids: impl Iterator<Item = &'d String>) -> Vec<Arc<str>> {
            ids.map(|id| Arc::from(id.as_str())).collect()
        }
        Names {
            activities: share(data.activities.iter().map(|a| &a.id)),
            people: share(data.people.iter().map(|p| &p.id)),
            schools: share(data.schools.iter().map(|s| &s.id)),
            districts: share(data.districts.iter().map(|d| &d.id)),
        }
    }

    /// The shared id of a record, if it is of a kind kept here.
    pub fn get(&self, r: EntityRef) -> Option<&Arc<str>> {
        match r {
            EntityRef::Activity(a) => self.activities.get(a.index()),
            EntityRef::Person(p) => self.people.get(p.index()),
            EntityRef::School(s) => self.schools.get(s.index()),
            EntityRef::District(d) => self.districts.get(d.index()),
            EntityRef::Session(_) | EntityRef::Enrollment(_) | EntityRef::Mentorship(_) => None,
        }
    }
}
