//! Names for the ids a report carries: a teacher's name, a school's name,
//! an activity's title. Reports name subjects and records by id only (the
//! JSON is for tools); the pages and explanations people read put the name
//! next to the id.

use tenet::model::{Actor, Dataset, Org};

/// Looks names up in the dataset a report was made from (or nowhere).
///
/// ```
/// let rows: tenet::model::Rows = serde_json::from_value(serde_json::json!({
///     "districts": [{"id": "d1", "name": "绿园区"}],
///     "schools": [{"id": "s1", "name": "第一小学", "district": "d1", "rural": false, "training_base": false}],
///     "people": [{"id": "t1", "name": "张三", "org": "s1", "roles": "teacher"}]
/// })).unwrap();
/// let (data, _) = tenet::model::Dataset::from_rows(rows).unwrap();
/// let names = tenet_cli::names::Names::of(&data);
/// assert_eq!(names.subject("person", "t1").as_deref(), Some("张三"));
/// assert_eq!(names.subject("school", "s1").as_deref(), Some("第一小学"));
/// assert_eq!(tenet_cli::names::Names::none().subject("person", "t1"), None);
/// ```
#[derive(Clone, Copy, Default)]
pub struct Names<'d> {
    data: Option<&'d Dataset>,
}

impl<'d> Names<'d> {
    /// Names from `data`.
    pub fn of(data: &'d Dataset) -> Names<'d> {
        Names { data: Some(data) }
    }

    /// No names: ids stand alone.
    pub fn none() -> Names<'static> {
        Names { data: None }
    }

    /// The name of a district, school or person.
    pub fn actor(&self, id: &str) -> Option<&'d str> {
        let data = self.data?;
        Some(match data.actor(id)? {
            Actor::Person(p) => data.person(p).name.as_str(),
            Actor::Org(Org::School(s)) => data.school(s).name.as_str(),
            Actor::Org(Org::District(d)) => data.district(d).name.as_str(),
        })
    }

    /// The title of an activity.
    pub fn activity(&self, id: &str) -> Option<&'d str> {
        let data = self.data?;
        Some(data.activity(data.activity_ix(id)?).title.as_str())
    }

    /// What a report subject is called: a person's or organisation's name,
    /// an activity's title, `name · title` for an enrollment
    /// (`person/activity`), `mentor → trainee` for a mentorship.
    pub fn subject(&self, kind: &str, id: &str) -> Option<String> {
        match kind {
            "activity" => self.activity(id).map(String::from),
            "enrollment" => {
                let (person, activity) = id.split_once('/')?;
                Some(format!(
                    "{} · {}",
                    self.actor(person)?,
                    self.activity(activity)?
                ))
            }
            "mentorship" => {
                let mut parts = id.splitn(3, '/');
                let (mentor, trainee) = (parts.next()?, parts.next()?);
                Some(format!(
                    "{} → {}",
                    self.actor(mentor)?,
                    self.actor(trainee)?
                ))
            }
            _ => self.actor(id).map(String::from),
        }
    }
}
