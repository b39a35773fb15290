//! Arguments and inputs that would give an empty or meaningless answer:
//! each gets an error (exit 2) or a warning, never a silent exit 0.

use chrono::NaiveDate;
use tenet::model::Dataset;
use tenet::schema::Entity;
use tenet::value::EntityRef;
use tenet::{EvalOptions, PolicySet};

/// The largest generated district (`tenet gen --teachers`).
pub const MAX_TEACHERS: usize = 1_000_000;
/// The most years `tenet gen` writes.
pub const MAX_YEARS: u32 = 100;

/// Bounds on `tenet gen`: what it writes must load again, and finish.
/// Years are four digits in the data formats, and the generator writes
/// birth dates up to 70 years before the first year.
pub fn gen_args(teachers: usize, years: u32, start_year: i32) -> Result<(), String> {
    if teachers == 0 || teachers > MAX_TEACHERS {
        return Err(format!(
            "error: `--teachers {teachers}` is out of range\nhelp: give 1 to {MAX_TEACHERS}"
        ));
    }
    if years == 0 || years > MAX_YEARS {
        return Err(format!(
            "error: `--years {years}` is out of range\nhelp: give 1 to {MAX_YEARS}"
        ));
    }
    let last = i64::from(start_year) + i64::from(years) - 1;
    if start_year < 1900 || last > 9999 {
        return Err(format!(
            "error: `--start-year {start_year}` with `--years {years}` writes years outside 1900..9999, which a dataset cannot hold\nhelp: give a first year from 1900 to {}",
            10_000 - i64::from(years)
        ));
    }
    Ok(())
}

/// An error when no policy given has a rule: nothing would be checked.
pub fn has_rules(set: &PolicySet) -> Result<(), String> {
    if set.policies().iter().any(|p| !p.rules.is_empty()) {
        return Ok(());
    }
    Err("error: the policies given have no rules, so nothing would be checked\nhelp: pass the policy that holds the rules, not only the files it imports".into())
}

fn entity_of(subject: EntityRef) -> Entity {
    match subject {
        EntityRef::District(_) => Entity::District,
        EntityRef::School(_) => Entity::School,
        EntityRef::Person(_) => Entity::Person,
        EntityRef::Activity(_) => Entity::Activity,
        EntityRef::Session(_) => Entity::Session,
        EntityRef::Enrollment(_) => Entity::Enrollment,
        EntityRef::Mentorship(_) => Entity::Mentorship,
    }
}

/// An error for a `--subject` that no selected rule is about (a person
/// given to school rules): it would get no result at all.
pub fn subjects_fit(
    set: &PolicySet,
    opts: &EvalOptions,
    subjects: &[(String, EntityRef)],
) -> Result<(), String> {
    let kinds: Vec<Entity> = set
        .policies()
        .iter()
        .flat_map(|p| p.rules.iter().filter(move |r| opts.selects_rule(p, r)))
        .map(|r| r.subject)
        .collect();
    for (id, subject) in subjects {
        let kind = entity_of(*subject);
        if !kinds.contains(&kind) {
            let mut names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            names.sort_unstable();
            names.dedup();
            return Err(format!(
                "error: `{id}` is a {}, and no selected rule is about a {}\nhelp: the selected rules are about: {}",
                kind.name(),
                kind.name(),
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// Warnings for a run that can only come out empty: no records, or an
/// evaluation date before every policy's effective range.
pub fn warnings(set: &PolicySet, data: &Dataset, as_of: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    if data.people.is_empty() && data.activities.is_empty() && data.mentorships.is_empty() {
        out.push("warning: the dataset holds no people, activities or mentorships; most rules have nothing to check".to_string());
    }
    let starts: Vec<NaiveDate> = set
        .policies()
        .iter()
        .filter(|p| !p.rules.is_empty())
        .filter_map(|p| p.effective.map(|e| e.start))
        .collect();
    let all_dated = set
        .policies()
        .iter()
        .filter(|p| !p.rules.is_empty())
        .all(|p| p.effective.is_some());
    if all_dated && !starts.is_empty() && starts.iter().all(|s| as_of < *s) {
        let first = starts.iter().min().copied().unwrap_or(as_of);
        out.push(format!(
            "warning: the evaluation date {as_of} is before every policy's effective range (the first starts {first}); no window has begun\nhelp: pass `--as-of` on or after {first}",

        ));
    }
    out
}
