//! A small valid dataset as CSV text, and helpers to break it one way at a
//! time.
#![allow(dead_code)]

use std::path::Path;
use tenet_io::{load, render_problems, LoadError, LoadOptions, Loaded};

pub const FILES: &[(&str, &str)] = &[
    ("districts.csv", "id,name\nd1,绿园区\n"),
    (
        "schools.csv",
        "id,name,district,rural,training_base,xuequ_lead\n\
         s1,绿园区第一小学,d1,false,true,true\n\
         s2,绿园区乡村小学,d1,true,false,false\n",
    ),
    (
        "people.csv",
        "id,name,org,roles,birth_date,hire_date,post_start_date,subject\n\
         p1,王伟,s1,teacher;full_time_teacher,1980-05-01,2003-09-01,,语文\n\
         p2,李芳,s1,teacher;principal,1975-03-12,1998-09-01,2020-09-01,数学\n\
         p3,张敏,s2,teacher,,2022-09-01,,英语\n\
         m1,赵强,d1,trainer;mentor,1970-01-01,1992-09-01,,\n",
    ),
    (
        "activities.csv",
        "id,title,organizer,host,level,kind,mode,start_date,end_date,hours\n\
         a1,集体备课,s1,,school,collective_prep,offline,2023-03-01,2023-03-01,2\n\
         a2,送教下乡,s1,s2,district,delivered_lesson,offline,2023-04-10,2023-04-10,3\n\
         a3,导师研讨,m1,,school,seminar,offline,2023-03-01,2023-03-15,4\n",
    ),
    (
        "sessions.csv",
        "id,activity,date,hours\n\
         e1,a1,2023-03-01,2\n\
         e2,a2,2023-04-10,3\n\
         e3,a3,2023-03-01,2\n\
         e4,a3,2023-03-15,2\n",
    ),
    (
        "enrollments.csv",
        "person,activity\np1,a1\np2,a1\np3,a2\np1,a3\n",
    ),
    (
        "attendance.csv",
        "person,session,status\np1,e1,present\np2,e1,absent\np3,e2,excused\np1,e3,present\n",
    ),
    (
        "mentorships.csv",
        "mentor,trainee,program,start_date,end_date\nm1,p1,qinglan_2023,2023-03-01,2024-02-29\n",
    ),
    (
        "finance.csv",
        "org,year,item,amount\n\
         s1,2023,public_funds_budget,10770000.00\n\
         s1,2023,teacher_training_funds,538500.00\n\
         d1,2023,principal_payroll,4000000.00\n",
    ),
];

/// Writes the base dataset with `edit` applied to each (file, text).
pub fn write_with(dir: &Path, edit: impl Fn(&str, &str) -> Option<String>) {
    for (name, text) in FILES {
        if let Some(text) = edit(name, text) {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

/// Writes the base dataset.
pub fn write_base(dir: &Path) {
    write_with(dir, |_, text| Some(text.to_string()));
}

/// Loads the base dataset with one file's text replaced by `edit(text)`,
/// and renders the problems (which must exist).
pub fn problems_after(file: &str, edit: impl Fn(&str) -> String) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_with(dir.path(), |name, text| {
        Some(if name == file {
            edit(text)
        } else {
            text.to_string()
        })
    });
    render(load(dir.path(), &LoadOptions::default()))
}

/// Renders problems of a failed load; panics when the load succeeded.
pub fn render(result: Result<Loaded, LoadError>) -> String {
    match result {
        Ok(_) => panic!("expected the load to fail"),
        Err(LoadError::Invalid(problems)) => render_problems(&problems, 10),
        Err(other) => panic!("expected problems, got {other}"),
    }
}

/// The base dataset's activities with a `topic` column: a value padded with
/// spaces, an empty cell and a cell of spaces only (an ideographic space
/// among them).
pub fn with_topics(name: &str, text: &str) -> String {
    if name != "activities.csv" {
        return text.to_string();
    }
    let mut lines = text.lines();
    let mut out = format!("{},topic\n", lines.next().unwrap_or_default());
    for (line, topic) in lines.zip([" 安全 ", "", " \u{3000} "]) {
        out.push_str(&format!("{line},{topic}\n"));
    }
    out
}

/// What `x.attr(…)` gives on each record, as the status of `require
/// x.attr(column) = value` with its unknown reasons: one line per
/// activity, `a1 pass`, `a2 unknown: the … data has no … column`.
pub fn attr_verdicts(data: &tenet::model::Dataset, subject: &str, require: &str) -> Vec<String> {
    let text = format!(
        "policy p {{ effective 2023-01-01 .. 2023-12-31\n rule r {{ for {subject} x require {require} }} }}"
    );
    let set = tenet::PolicySet::from_sources(&[("p.policy", text.as_str())])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    set.evaluate(data, day)
        .iter()
        .flat_map(|r| &r.results)
        .map(|r| {
            let why = r.explanation.missing.join("; ");
            let why = if why.is_empty() {
                why
            } else {
                format!(": {why}")
            };
            format!("{} {}{why}", r.subject.id, r.status.as_str())
        })
        .collect()
}
