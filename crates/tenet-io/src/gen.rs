//! A realistic synthetic dataset, deterministic for a seed: districts,
//! schools (some rural, some training bases, some 学区 leading schools
//! with the extra column `xuequ_lead`), teachers with roles and dates,
//! district staff (trainers), activities with sessions, enrollments,
//! attendance with absences and a few missing rows, mentorships, finance
//! lines (occasionally one missing), and the cadence activities the seed
//! policies check: monthly seminars, weekly collective preparation and
//! semester themes per school, mentor seminars every two weeks, and
//! delivered lessons hosted by rural schools. Lasting per-school,
//! per-mentor and per-teacher traits (some keep every cadence, some slip;
//! a few teachers rarely take part) give every shipped rule passing and
//! failing subjects (crates/tenet-io/README.md, Synthetic data).
//!
//! The shape per teacher and year is about 38 enrollments and 37
//! attendance rows, so 20,000 teachers over 5 years give about 3.7M
//! attendance rows. Randomness is a hand-written splitmix64 seeded from
//! [`GenConfig::seed`]; nothing reads the clock or the system's entropy.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use rust_decimal::Decimal;
use tenet::model::{
    ActivityRow, AttendanceRow, Attrs, DistrictRow, EnrollmentRow, FinanceItem, FinanceRow, Kind,
    Level, MentorshipRow, Mode, PersonRow, Role, RoleSet, Rows, SchoolRow, SessionRow, Status,
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// Number of school teachers (district office staff come on top).
    pub teachers: usize,
    /// Number of calendar years of activity.
    pub years: u32,
    /// The seed; the same config always gives the same rows.
    pub seed: u64,
    /// The first calendar year.
    pub start_year: i32,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            teachers: 500,
            years: 2,
            seed: 1,
            start_year: 2021,
        }
    }
}

/// Lasting traits ([`Gen::trait_of`]).
const SLIPS: u64 = 1;
const DISENGAGED: u64 = 2;
const UNSERVED: u64 = 3;

/// splitmix64: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// Uniform index into a non-empty length.
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

const DISTRICTS: &[&str] = &[
    "绿园区",
    "宾阳县",
    "徐汇区",
    "和平区",
    "南关区",
    "宽城区",
    "朝阳区",
    "二道区",
    "双阳区",
    "九台区",
    "农安县",
    "德惠市",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓燕", "文博", "思远",
];
const SUBJECTS: &[&str] = &[
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "音乐",
    "体育",
    "美术",
    "信息科技",
];

struct School {
    id: String,
    district: usize,
    rural: bool,
    /// Teachers to place here.
    size: usize,
    /// Indexes into `Gen::teachers`.
    teachers: Vec<usize>,
}

struct Teacher {
    id: String,
    school: usize,
    /// Per-mille chance of missing a session.
    absence: u64,
}

struct Gen {
    rng: Rng,
    cfg: GenConfig,
    rows: Rows,
    schools: Vec<School>,
    teachers: Vec<Teacher>,
    /// Teachers of each district, shuffled as picks are made.
    district_pool: Vec<Vec<usize>>,
    district_ids: Vec<String>,
    mentors: Vec<usize>,
    principals: Vec<usize>,
    /// District office staff, as person ids.
    next_activity: u64,
    next_session: u64,
}

/// Generates a dataset. The same config gives identical rows.
///
/// ```
/// use tenet_io::gen::{generate, GenConfig};
/// let cfg = GenConfig { teachers: 100, years: 1, seed: 42, start_year: 2021 };
/// let rows = generate(&cfg);
/// assert_eq!(rows, generate(&cfg));
/// assert!(rows.people.len() >= 100);
/// assert!(!rows.attendance.is_empty());
/// ```
pub fn generate(cfg: &GenConfig) -> Rows {
    let mut g = Gen {
        rng: Rng(cfg.seed ^ 0x7465_6E65_745F_696F),
        cfg: cfg.clone(),
        rows: Rows::default(),
        schools: Vec::new(),
        teachers: Vec::new(),
        district_pool: Vec::new(),
        district_ids: Vec::new(),
        mentors: Vec::new(),
        principals: Vec::new(),
        next_activity: 0,
        next_session: 0,
    };
    g.organisations();
    g.people();
    for y in 0..cfg.years {
        let year = cfg.start_year.saturating_add(y as i32);
        g.school_cadence(year);
        g.district_courses(year);
        g.delivered_lessons(year);
        g.finance(year);
    }
    g.mentorships();
    g.rows
}

impl Gen {
    /// A lasting trait of entity `i` (a school that keeps every cadence, a
    /// teacher who rarely takes part), true for about `per_mille` of them:
    /// drawn from the seed and the index, not the running generator, so it
    /// is the same every year and draws nothing from the stream.
    fn trait_of(&self, what: u64, i: usize, per_mille: u64) -> bool {
        let mut r = Rng(self.cfg.seed ^ what.wrapping_mul(0xA24B_AED4_963E_E407) ^ i as u64);
        r.next() % 1000 < per_mille
    }

    fn person_name(&mut self) -> String {
        let s = pick_str(SURNAMES, &mut self.rng);
        let g = pick_str(GIVEN, &mut self.rng);
        format!("{s}{g}")
    }

    fn organisations(&mut self) {
        // Schools of 25..75 teachers until everyone has a place.
        let mut sizes = Vec::new();
        let mut left = self.cfg.teachers;
        while left > 0 {
            let size = (25 + self.rng.below(51) as usize).min(left);
            sizes.push(size);
            left -= size;
        }
        if sizes.is_empty() {
            sizes.push(0);
        }
        let n_districts = sizes.len().div_ceil(100).max(1);
        for d in 0..n_districts {
            let id = format!("d{:02}", d + 1);
            let base = DISTRICTS.get(d % DISTRICTS.len()).copied().unwrap_or("区");
            let name = if d < DISTRICTS.len() {
                base.to_string()
            } else {
                format!("{base}{}", d / DISTRICTS.len() + 1)
            };
            self.rows.districts.push(DistrictRow {
                id: id.clone(),
                name,
                attrs: Attrs::new(),
            });
            self.district_ids.push(id);
            self.district_pool.push(Vec::new());
        }
        for (i, size) in sizes.iter().enumerate() {
            let district = i % n_districts;
            let id = format!("s{:04}", i + 1);
            let rural = self.rng.chance(300);
            let training_base = self.rng.chance(60);
            let lead = self.rng.chance(80);
            let stage = if self.rng.chance(600) {
                "小学"
            } else {
                "中学"
            };
            let dname = self
                .rows
                .districts
                .get(district)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let name = if rural {
                format!("{dname}乡村第{}{stage}", i + 1)
            } else {
                format!("{dname}第{}{stage}", i + 1)
            };
            let mut attrs = Attrs::new();
            attrs.insert("xuequ_lead".into(), lead.to_string());
            self.rows.schools.push(SchoolRow {
                id: id.clone(),
                name,
                district: self.district_ids.get(district).cloned().unwrap_or_default(),
                rural,
                training_base,
                attrs,
            });
            self.schools.push(School {
                id,
                district,
                rural,
                size: *size,
                teachers: Vec::with_capacity(*size),
            });
        }
    }

    fn people(&mut self) {
        let start = self.cfg.start_year;
        let end = start
            .saturating_add(self.cfg.years as i32)
            .saturating_sub(1);
        let sizes: Vec<usize> = self.schools.iter().map(|s| s.size).collect();
        for (s, size) in sizes.iter().enumerate() {
            for k in 0..*size {
                let ix = self.teachers.len();
                let id = format!("t{:06}", ix + 1);
                let mut roles = RoleSet::EMPTY;
                roles.insert(Role::Teacher);
                if !self.rng.chance(50) {
                    roles.insert(Role::FullTimeTeacher);
                }
                let mut post_start = None;
                match k {
                    0 => {
                        roles.insert(Role::Principal);
                        self.principals.push(ix);
                        post_start = Some(ymd(self.rng.range(2010, i64::from(end)) as i32, 9, 1));
                    }
                    1 | 2 => {
                        roles.insert(Role::VicePrincipal);
                        self.principals.push(ix);
                        post_start = Some(ymd(self.rng.range(2012, i64::from(end)) as i32, 9, 1));
                    }
                    3 if !self.rng.chance(100) => roles.insert(Role::PsychTeacher),
                    _ => {}
                }
                if self.rng.chance(300) {
                    roles.insert(Role::HeadTeacher);
                }
                if self.rng.chance(50) {
                    roles.insert(Role::GroupLeader);
                }
                if self.rng.chance(20) {
                    roles.insert(Role::ReserveCadre);
                }
                if k > 3 && self.rng.chance(30) {
                    roles.insert(Role::Mentor);
                    self.mentors.push(ix);
                }
                // 3% are new teachers hired during the window.
                let new_teacher = k > 3 && self.rng.chance(30);
                let (birth, hire) = if new_teacher {
                    let hire = ymd(
                        self.rng.range(i64::from(start), i64::from(end)) as i32,
                        if self.rng.chance(800) { 9 } else { 3 },
                        1,
                    );
                    let birth = ymd(
                        hire.year() - self.rng.range(22, 26) as i32,
                        self.rng.range(1, 12) as u32,
                        self.rng.range(1, 28) as u32,
                    );
                    (birth, hire)
                } else {
                    let by = self.rng.range(1965, i64::from(start) - 25) as i32;
                    let birth = ymd(
                        by,
                        self.rng.range(1, 12) as u32,
                        self.rng.range(1, 28) as u32,
                    );
                    let hy = (by + self.rng.range(22, 26) as i32).min(start - 1);
                    (birth, ymd(hy, 9, 1))
                };
                let mut attrs = Attrs::new();
                if let Some(subject) = SUBJECTS.get(self.rng.index(SUBJECTS.len())) {
                    attrs.insert("subject".into(), (*subject).to_string());
                }
                let name = self.person_name();
                self.rows.people.push(PersonRow {
                    id: id.clone(),
                    name,
                    org: self
                        .schools
                        .get(s)
                        .map(|s| s.id.clone())
                        .unwrap_or_default(),
                    roles,
                    birth_date: if self.rng.chance(10) {
                        None
                    } else {
                        Some(birth)
                    },
                    hire_date: Some(hire),
                    post_start_date: post_start,
                    attrs,
                });
                let absence = if self.rng.chance(150) { 200 } else { 30 };
                self.teachers.push(Teacher {
                    id,
                    school: s,
                    absence,
                });
                if let Some(school) = self.schools.get_mut(s) {
                    school.teachers.push(ix);
                    if let Some(pool) = self.district_pool.get_mut(school.district) {
                        pool.push(ix);
                    }
                }
            }
        }
        // District office staff: trainers, about 1 per 90 teachers.
        for (d, did) in self.district_ids.clone().iter().enumerate() {
            let n = self.district_pool.get(d).map_or(0, Vec::len) / 90 + 1;
            for _ in 0..n {
                let id = format!("t{:06}", self.rows.people.len() + 1);
                let mut roles = RoleSet::EMPTY;
                roles.insert(Role::Trainer);
                let by = self.rng.range(1968, 1990) as i32;
                let name = self.person_name();
                self.rows.people.push(PersonRow {
                    id,
                    name,
                    org: did.clone(),
                    roles,
                    birth_date: Some(ymd(by, 5, 1)),
                    hire_date: Some(ymd(by + 23, 9, 1)),
                    post_start_date: None,
                    attrs: Attrs::new(),
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn activity(
        &mut self,
        title: String,
        organizer: &str,
        host: Option<&str>,
        level: Level,
        kind: Kind,
        mode: Mode,
        start: NaiveDate,
        end: NaiveDate,
        hours: Decimal,
    ) -> String {
        self.next_activity += 1;
        let id = format!("a{:07}", self.next_activity);
        self.rows.activities.push(ActivityRow {
            id: id.clone(),
            title,
            organizer: organizer.to_string(),
            host: host.map(str::to_string),
            level,
            kind,
            mode,
            start_date: start,
            end_date: end,
            hours,
            attrs: Attrs::new(),
        });
        id
    }

    fn session(&mut self, activity: &str, date: NaiveDate, hours: Decimal) -> String {
        self.next_session += 1;
        let id = format!("e{:07}", self.next_session);
        self.rows.sessions.push(SessionRow {
            id: id.clone(),
            activity: activity.to_string(),
            date,
            hours,
        });
        id
    }

    /// Enrolls teachers and writes their attendance for the sessions.
    fn enroll(&mut self, activity: &str, sessions: &[String], teachers: &[usize]) {
        for t in teachers {
            let Some(teacher) = self.teachers.get(*t) else {
                continue;
            };
            // About 4% of teachers take part in one activity in six: they
            // fall short of the hours minimums.
            if self.trait_of(DISENGAGED, *t, 40) && !self.rng.chance(166) {
                continue;
            }
            let (pid, absence) = (teacher.id.clone(), teacher.absence);
            self.rows.enrollments.push(EnrollmentRow {
                person: pid.clone(),
                activity: activity.to_string(),
            });
            for s in sessions {
                if self.rng.chance(15) {
                    continue; // a missing attendance row: counted absent, warned
                }
                let status = if self.rng.chance(absence) {
                    if self.rng.chance(333) {
                        Status::Excused
                    } else {
                        Status::Absent
                    }
                } else {
                    Status::Present
                };
                self.rows.attendance.push(AttendanceRow {
                    person: pid.clone(),
                    session: s.clone(),
                    status,
                });
            }
        }
    }

    /// Enrolls people by person id (mentors' trainees), no attendance marks
    /// missing.
    fn enroll_ids(&mut self, activity: &str, sessions: &[String], people: &[String]) {
        for pid in people {
            self.rows.enrollments.push(EnrollmentRow {
                person: pid.clone(),
                activity: activity.to_string(),
            });
            for s in sessions {
                let status = if self.rng.chance(40) {
                    Status::Absent
                } else {
                    Status::Present
                };
                self.rows.attendance.push(AttendanceRow {
                    person: pid.clone(),
                    session: s.clone(),
                    status,
                });
            }
        }
    }

    /// Per school: weekly collective preparation (each teacher in one of
    /// three groups, so every third week), a monthly seminar (half the
    /// staff), a theme each semester (everyone); leading schools also run
    /// a monthly salon, a newsletter every two months and a semester summary.
    fn school_cadence(&mut self, year: i32) {
        let two = Decimal::new(2, 0);
        let three = Decimal::new(3, 0);
        // Every Wednesday of the year; term weeks only for a school that
        // lets its cadence slip.
        let all_weeks: Vec<NaiveDate> = {
            let mut d = ymd(year, 1, 1);
            while d.weekday() != Weekday::Wed {
                d = add_days(d, 1);
            }
            let mut weeks = Vec::new();
            while d.year() == year {
                weeks.push(d);
                d = add_days(d, 7);
            }
            weeks
        };
        let term_weeks: Vec<NaiveDate> = all_weeks
            .iter()
            .copied()
            .filter(|d| matches!(d.month(), 3..=6 | 9..=12))
            .collect();
        let mut lead_schools = 0usize;
        for s in 0..self.schools.len() {
            // About 70% of schools keep every cadence all year (holidays
            // included, as the plans read); the rest skip the holidays and
            // miss a week or a month now and then, so every cadence rule
            // has schools that pass and schools that fail.
            let keeps = !self.trait_of(SLIPS, s, 300);
            let school_weeks = if keeps { &all_weeks } else { &term_weeks };
            let Some(school) = self.schools.get(s) else {
                continue;
            };
            let sid = school.id.clone();
            let staff = school.teachers.clone();
            let lead = self
                .rows
                .schools
                .get(s)
                .and_then(|r| r.attrs.get("xuequ_lead"))
                .is_some_and(|v| v == "true");
            let lead_rank = lead_schools;
            lead_schools += usize::from(lead);
            for (w, day) in school_weeks.iter().enumerate() {
                if !keeps && self.rng.chance(30) {
                    continue; // a missed week
                }
                let a = self.activity(
                    format!("集体备课 {year}年第{}周", w + 1),
                    &sid,
                    None,
                    Level::School,
                    Kind::CollectivePrep,
                    Mode::Offline,
                    *day,
                    *day,
                    two,
                );
                let session = self.session(&a, *day, two);
                let group: Vec<usize> = staff.iter().copied().skip(w % 3).step_by(3).collect();
                self.enroll(&a, &[session], &group);
            }
            for month in (1..=12u32).filter(|m| keeps || !matches!(m, 7 | 8)) {
                if !keeps && self.rng.chance(40) {
                    continue;
                }
                let day = ymd(year, month, 15);
                let a = self.activity(
                    format!("{month}月校本研修研讨"),
                    &sid,
                    None,
                    Level::School,
                    Kind::Seminar,
                    Mode::Offline,
                    day,
                    day,
                    three,
                );
                let session = self.session(&a, day, three);
                let half: Vec<usize> = staff
                    .iter()
                    .copied()
                    .skip(month as usize % 2)
                    .step_by(2)
                    .collect();
                self.enroll(&a, &[session], &half);
            }
            // Every other leading school lets its 学区 cadence slip (no
            // salon or newsletter in the summer, no spring summary), so the
            // few leading schools of a district have both outcomes.
            let lead_keeps = lead && lead_rank.is_multiple_of(2);
            if lead {
                for month in (1..=12u32).filter(|m| lead_keeps || !matches!(m, 7 | 8)) {
                    let day = ymd(year, month, 15);
                    let salon = self.activity(
                        format!("{month}月学区教研沙龙"),
                        &sid,
                        None,
                        Level::School,
                        Kind::Salon,
                        Mode::Offline,
                        day,
                        day,
                        two,
                    );
                    let session = self.session(&salon, day, two);
                    let few: Vec<usize> = staff.iter().copied().take(8).collect();
                    self.enroll(&salon, &[session], &few);
                    if month % 2 == 0 {
                        let end = ymd(year, month, 28);
                        self.activity(
                            format!("学区简报 {year}年{month}月"),
                            &sid,
                            None,
                            Level::School,
                            Kind::Newsletter,
                            Mode::Online,
                            end,
                            end,
                            Decimal::ZERO,
                        );
                    }
                }
            }
            let mut terms = vec![
                ("春季", ymd(year, 3, 1), ymd(year, 6, 30)),
                ("秋季", ymd(year, 9, 1), ymd(year, 12, 31)),
            ];
            // The autumn semester runs to the end of January: its tail in
            // the first year gets a theme (and summary) of its own.
            if keeps && year == self.cfg.start_year {
                terms.insert(0, ("上年秋季", ymd(year, 1, 4), ymd(year, 1, 20)));
            }
            for (term, start, end) in terms {
                let a = self.activity(
                    format!("{year}年{term}学期研修主题"),
                    &sid,
                    None,
                    Level::School,
                    Kind::Theme,
                    Mode::Blended,
                    start,
                    end,
                    Decimal::new(4, 0),
                );
                self.enroll(&a, &[], &staff);
                if lead && (lead_keeps || term == "秋季") {
                    self.activity(
                        format!("{year}年{term}学期学区工作总结"),
                        &sid,
                        None,
                        Level::School,
                        Kind::Summary,
                        Mode::Offline,
                        end,
                        end,
                        Decimal::ZERO,
                    );
                }
            }
        }
    }

    /// Picks `k` distinct teachers of a district (a partial shuffle of its
    /// pool, which stays a permutation).
    fn pick(&mut self, district: usize, k: usize) -> Vec<usize> {
        let Some(pool) = self.district_pool.get_mut(district) else {
            return Vec::new();
        };
        let n = pool.len();
        let k = k.min(n);
        for i in 0..k {
            let j = i + (self.rng.next() % (n - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.iter().take(k).copied().collect()
    }

    /// Per district: courses (about 10 enrollments per teacher a year, 40%
    /// offline with 2–4 sessions), readings, and higher-level courses
    /// (about 2 a year, online, no sessions).
    fn district_courses(&mut self, year: i32) {
        let three = Decimal::new(3, 0);
        for d in 0..self.district_ids.len() {
            let did = self.district_ids.get(d).cloned().unwrap_or_default();
            let n_teachers = self.district_pool.get(d).map_or(0, Vec::len);
            let mut budget = n_teachers * 10;
            let mut n = 0;
            while budget > 0 {
                n += 1;
                let size = (40 + self.rng.below(41) as usize).min(budget);
                budget -= size;
                let start = add_days(ymd(year, 1, 5), self.rng.below(320));
                let (mode, kind) = match self.rng.below(10) {
                    0..=3 => (Mode::Offline, Kind::Course),
                    4 => (Mode::Blended, Kind::Workshop),
                    5 => (Mode::Online, Kind::Reading),
                    _ => (Mode::Online, Kind::Course),
                };
                let members = self.pick(d, size);
                if mode == Mode::Online {
                    let hours = Decimal::new(pick_num(&[6, 8, 12, 16, 24], &mut self.rng), 0);
                    let end = add_days(start, 30);
                    let a = self.activity(
                        format!("{year}年区级教师网络研修课程{n}"),
                        &did,
                        None,
                        Level::District,
                        kind,
                        mode,
                        start,
                        end,
                        hours,
                    );
                    self.enroll(&a, &[], &members);
                } else {
                    let k = 2 + self.rng.below(3);
                    let end = add_days(start, 7 * (k - 1));
                    let a = self.activity(
                        format!("{year}年区级教师集中培训{n}"),
                        &did,
                        None,
                        Level::District,
                        kind,
                        mode,
                        start,
                        end,
                        three * Decimal::from(k),
                    );
                    let sessions: Vec<String> = (0..k)
                        .map(|i| self.session(&a, add_days(start, 7 * i), three))
                        .collect();
                    self.enroll(&a, &sessions, &members);
                }
            }
            let mut budget = n_teachers * 2;
            let mut n = 0;
            while budget > 0 {
                n += 1;
                let size = (80 + self.rng.below(41) as usize).min(budget);
                budget -= size;
                let level = match self.rng.below(4) {
                    0 => Level::National,
                    1 => Level::Provincial,
                    _ => Level::Municipal,
                };
                let start = add_days(ymd(year, 2, 1), self.rng.below(280));
                let hours = Decimal::new(pick_num(&[20, 30, 40], &mut self.rng), 0);
                let members = self.pick(d, size);
                let a = self.activity(
                    format!("{year}年{}级远程培训项目{n}", level_name(level)),
                    &did,
                    None,
                    level,
                    Kind::Course,
                    Mode::Online,
                    start,
                    add_days(start, 60),
                    hours,
                );
                self.enroll(&a, &[], &members);
            }
        }
    }

    /// 送教下乡: most rural schools host a delivered lesson each year, run
    /// by a town school of the district (or the district itself).
    fn delivered_lessons(&mut self, year: i32) {
        let three = Decimal::new(3, 0);
        for s in 0..self.schools.len() {
            let Some(school) = self.schools.get(s) else {
                continue;
            };
            // About 1 rural school in 5 is never reached by 送教下乡.
            if !school.rural || self.trait_of(UNSERVED, s, 200) || self.rng.chance(150) {
                continue;
            }
            let host = school.id.clone();
            let district = school.district;
            let staff: Vec<usize> = school.teachers.iter().copied().take(8).collect();
            let towns: Vec<String> = self
                .schools
                .iter()
                .filter(|o| o.district == district && !o.rural)
                .map(|o| o.id.clone())
                .collect();
            let organizer = if towns.is_empty() {
                self.district_ids.get(district).cloned().unwrap_or_default()
            } else {
                towns
                    .get(self.rng.index(towns.len()))
                    .cloned()
                    .unwrap_or_default()
            };
            let day = add_days(ymd(year, 3, 10), self.rng.below(250));
            let a = self.activity(
                format!("{year}年送教下乡"),
                &organizer,
                Some(&host),
                Level::District,
                Kind::DeliveredLesson,
                Mode::Offline,
                day,
                day,
                three,
            );
            let session = self.session(&a, day, three);
            self.enroll(&a, &[session], &staff);
        }
    }

    /// Every finance item for every school and district each year; one
    /// line a year and about 1 in 100 more missing. Training funds are sometimes below the
    /// shares the plans prescribe.
    fn finance(&mut self, year: i32) {
        let orgs: Vec<String> = self
            .schools
            .iter()
            .map(|s| s.id.clone())
            .chain(self.district_ids.iter().cloned())
            .collect();
        // One line a year is always missing (so `unknown` results exist even
        // in small datasets), and about 1 in 100 more.
        let always_missing = self.rng.index(orgs.len() * 5);
        for (o, org) in orgs.into_iter().enumerate() {
            let is_district = org.starts_with('d');
            let short = |k: i64| (i64::from(year) + o as i64 + k) % 3 == 0;
            let scale = if is_district { 20 } else { 1 };
            let budget = self.rng.range(2_000_000, 20_000_000) * scale * 100;
            let staff = self.rng.range(10_000_000, 60_000_000) * scale * 100;
            let principal = self.rng.range(300_000, 900_000) * scale * 100;
            let lines = [
                (FinanceItem::PublicFundsBudget, budget),
                (
                    FinanceItem::TeacherTrainingFunds,
                    // A district's funds are set against its staff payroll
                    // (binyang: 2%), a school's against its budget (lvyuan: 5%).
                    // One district-year in three falls short.
                    if is_district && short(0) {
                        staff * self.rng.range(14, 19) / 1000
                    } else if is_district {
                        staff * self.rng.range(21, 32) / 1000
                    } else {
                        budget * self.rng.range(40, 80) / 1000
                    },
                ),
                (FinanceItem::PrincipalPayroll, principal),
                (
                    FinanceItem::PrincipalTrainingFunds,
                    if is_district && short(1) {
                        principal * self.rng.range(20, 24) / 1000
                    } else {
                        principal * self.rng.range(20, 40) / 1000
                    },
                ),
                (FinanceItem::StaffPayroll, staff),
            ];
            for (i, (item, cents)) in lines.into_iter().enumerate() {
                if self.rng.chance(10) || o * 5 + i == always_missing {
                    continue;
                }
                self.rows.finance.push(FinanceRow {
                    org: org.clone(),
                    year,
                    item,
                    amount: Decimal::new(cents, 2),
                });
            }
        }
    }

    /// 青蓝工程: each mentor takes 2–3 trainees of the district for two
    /// years from the first March, with a seminar every two weeks and a
    /// reading each month run by the mentor, a forum each semester and one
    /// micro project run by each trainee. Plus a principals' class
    /// (`heping_principal_class`) for a year from the first September.
    fn mentorships(&mut self) {
        if self.cfg.years == 0 {
            return;
        }
        let start_year = self.cfg.start_year;
        let last = ymd(
            start_year
                .saturating_add(self.cfg.years as i32)
                .saturating_sub(1),
            12,
            31,
        );
        // June to May: inside xuhui's programme (2017-04-17 .. 2018-06-30)
        // for a 2017 district, since a mentorship sticking out of a plan
        // is not judged (tenet docs/decisions.md W13).
        let start = ymd(start_year, 6, 1);
        let end = start
            .checked_add_months(Months::new(12))
            .and_then(|d| d.pred_opt())
            .map_or(last, |d| d.min(last));
        let two = Decimal::new(2, 0);
        let program = format!("qinglan_{start_year}");
        for m in self.mentors.clone() {
            // About 70% of mentors (and their trainees) keep every cadence.
            let keeps = !self.trait_of(SLIPS, m, 300);
            let Some(mentor) = self.teachers.get(m) else {
                continue;
            };
            let mid = mentor.id.clone();
            let district = self.schools.get(mentor.school).map_or(0, |s| s.district);
            let k = 2 + self.rng.below(2) as usize;
            let trainees: Vec<String> = self
                .pick(district, k + 1)
                .into_iter()
                .filter(|t| *t != m)
                .take(k)
                .filter_map(|t| self.teachers.get(t).map(|t| t.id.clone()))
                .collect();
            for t in &trainees {
                self.rows.mentorships.push(MentorshipRow {
                    mentor: mid.clone(),
                    trainee: t.clone(),
                    program: program.clone(),
                    start_date: start,
                    end_date: end,
                });
            }
            let mut day = start;
            let mut n = 0;
            while day <= end {
                n += 1;
                if keeps || !self.rng.chance(40) {
                    let a = self.activity(
                        format!("导师研讨 第{n}次"),
                        &mid,
                        None,
                        Level::School,
                        Kind::Seminar,
                        Mode::Offline,
                        day,
                        day,
                        two,
                    );
                    let session = self.session(&a, day, two);
                    self.enroll_ids(&a, &[session], &trainees);
                }
                day = add_days(day, 14);
            }
            let mut month = start;
            while month <= end {
                // A mentor who keeps the cadence recommends a reading early
                // and late in the month, so a month cut short at either end
                // has one too.
                let days: &[u64] = if keeps { &[4, 24] } else { &[9] };
                for &offset in days {
                    if !keeps && self.rng.chance(50) {
                        continue;
                    }
                    let day = add_days(month, offset);
                    let a = self.activity(
                        format!("导师读书 {}年{}月", month.year(), month.month()),
                        &mid,
                        None,
                        Level::School,
                        Kind::Reading,
                        Mode::Online,
                        day,
                        day,
                        Decimal::ONE,
                    );
                    self.enroll_ids(&a, &[], &trainees);
                }
                month = month.checked_add_months(Months::new(1)).unwrap_or(last);
                if month == last {
                    break;
                }
            }
            for t in &trainees {
                let mut term = start;
                while term <= end {
                    // Kept: a forum early and one late in each half year.
                    // Not kept: none in the first half year.
                    let offsets: &[u64] = match (keeps, term == start) {
                        (true, _) => &[40, 120],
                        (false, true) => &[],
                        (false, false) => &[40],
                    };
                    for day in offsets.iter().map(|o| add_days(term, *o)) {
                        if day > end {
                            continue;
                        }
                        self.activity(
                            "学员论坛".to_string(),
                            t,
                            None,
                            Level::School,
                            Kind::Forum,
                            Mode::Offline,
                            day,
                            day,
                            two,
                        );
                    }
                    term = term.checked_add_months(Months::new(6)).unwrap_or(last);
                    if term == last {
                        break;
                    }
                }
                // Not kept: the project is finished after the mentorship.
                let p_end = if keeps {
                    add_days(start, 90).min(end)
                } else {
                    add_days(end, 30)
                };
                let a = self.activity(
                    "学员微项目".to_string(),
                    t,
                    None,
                    Level::School,
                    Kind::MicroProject,
                    Mode::Blended,
                    start,
                    p_end,
                    Decimal::new(10, 0),
                );
                self.enroll_ids(&a, &[], std::slice::from_ref(t));
            }
        }
        // The principals' class: up to 148 trainees; the first mentor takes
        // 14 (one over heping's limit of 13), the others 12.
        let class_start = ymd(start_year, 9, 1);
        let class_end = ymd(start_year.saturating_add(1), 8, 31).min(last);
        if class_start <= last && !self.mentors.is_empty() {
            let trainees: Vec<usize> = self
                .principals
                .iter()
                .copied()
                .step_by((self.principals.len() / 148).clamp(1, 4))
                .take(148)
                .collect();
            for (i, t) in trainees.iter().enumerate() {
                let class = if i < 14 { 0 } else { 1 + (i - 14) / 12 };
                let mentor = self.mentors.get(class % self.mentors.len()).copied();
                let (Some(mentor), Some(trainee)) = (
                    mentor.and_then(|m| self.teachers.get(m)),
                    self.teachers.get(*t),
                ) else {
                    continue;
                };
                if mentor.id == trainee.id {
                    continue;
                }
                self.rows.mentorships.push(MentorshipRow {
                    mentor: mentor.id.clone(),
                    trainee: trainee.id.clone(),
                    program: "heping_principal_class".into(),
                    start_date: class_start,
                    end_date: class_end,
                });
            }
        }
    }
}

fn pick_str(list: &[&'static str], rng: &mut Rng) -> &'static str {
    list.get(rng.index(list.len())).copied().unwrap_or_default()
}

fn pick_num(list: &[i64], rng: &mut Rng) -> i64 {
    list.get(rng.index(list.len())).copied().unwrap_or_default()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::National => "国家",
        Level::Provincial => "省",
        Level::Municipal => "市",
        Level::District => "区",
        Level::School => "校",
    }
}
