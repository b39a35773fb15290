//! Arbitrary bytes as one CSV file of an otherwise valid dataset directory,
//! loaded with `tenet_io::load`. The first byte chooses which file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tenet_io::{load, render_problems, LoadError, LoadOptions};

const STEMS: &[&str] = &[
    "districts",
    "schools",
    "people",
    "activities",
    "sessions",
    "enrollments",
    "attendance",
    "mentorships",
    "finance",
];

/// The valid dataset the fuzzed file replaces one file of.
const BASE: &[(&str, &str)] = &[
    ("districts", "id,name\nd1,绿园区\n"),
    ("schools", "id,name,district,rural,training_base\ns1,一小,d1,false,true\ns2,乡村小学,d1,true,false\n"),
    ("people", "id,name,org,roles,birth_date,hire_date,post_start_date\np1,王伟,s1,teacher,1980-05-01,2003-09-01,\np2,李芳,s1,teacher;principal,1975-03-12,1998-09-01,2020-09-01\nm1,赵强,d1,trainer;mentor,,1992-09-01,\n"),
    ("activities", "id,title,organizer,host,level,kind,mode,start_date,end_date,hours\na1,集体备课,s1,,school,collective_prep,offline,2023-03-01,2023-03-01,2\na2,送教下乡,s1,s2,district,delivered_lesson,offline,2023-04-10,2023-04-10,3\n"),
    ("sessions", "id,activity,date,hours\ne1,a1,2023-03-01,2\ne2,a2,2023-04-10,3\n"),
    ("enrollments", "person,activity\np1,a1\np2,a1\np1,a2\n"),
    ("attendance", "person,session,status\np1,e1,present\np2,e1,absent\np1,e2,excused\n"),
    ("mentorships", "mentor,trainee,program,start_date,end_date\nm1,p1,qinglan_2023,2023-03-01,2024-02-29\n"),
    ("finance", "org,year,item,amount\ns1,2023,public_funds_budget,10770000.00\ns1,2023,teacher_training_funds,538500.00\n"),
];

/// One directory per stem, holding the base files; only the fuzzed file is
/// rewritten on each run.
fn dirs() -> &'static Vec<tempfile::TempDir> {
    static DIRS: OnceLock<Vec<tempfile::TempDir>> = OnceLock::new();
    DIRS.get_or_init(|| {
        STEMS
            .iter()
            .map(|_| {
                let dir = tempfile::tempdir().expect("temp dir");
                for (stem, text) in BASE {
                    std::fs::write(dir.path().join(format!("{stem}.csv")), text).expect("write");
                }
                dir
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((first, bytes)) = data.split_first() else {
        return;
    };
    let which = usize::from(*first) % STEMS.len();
    let dir = &dirs()[which];
    let path = dir.path().join(format!("{}.csv", STEMS[which]));
    std::fs::write(&path, bytes).expect("write");
    match load(dir.path(), &LoadOptions::default()) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                let _ = w.to_string();
            }
        }
        Err(LoadError::Invalid(problems)) => {
            let _ = render_problems(&problems, 10);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
