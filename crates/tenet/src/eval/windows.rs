//! Cutting a date range into periods: calendar years, academic years,
//! semesters, calendar months, and runs of weeks or days.

use crate::program::Calendar;
use crate::syntax::ast::{Period, PeriodUnit};
use crate::value::DateRange;
use chrono::{Datelike, Days, Months, NaiveDate};

/// A period cut from a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// The period clipped to the range.
    pub range: DateRange,
    /// The period ran past the range's end and was cut short.
    pub cut_at_end: bool,
}

/// The periods that overlap `range`, clipped to it, in order. Weeks and
/// days start at `range.start` (the window owner's start date); months and
/// years follow the calendar. At most `limit` pieces are produced.
pub fn periods(period: Period, range: DateRange, calendar: &Calendar, limit: usize) -> Vec<Piece> {
    let n = period.count.max(1);
    let mut out = Vec::new();
    let mut start = match first_start(period.unit, range.start, calendar) {
        Some(s) => s,
        None => return out,
    };
    while start <= range.end && out.len() < limit {
        let Some(next) = advance(period.unit, start, n, calendar) else {
            break;
        };
        let Some(end) = next.pred_opt() else { break };
        if end >= range.start {
            if let Some(clipped) = DateRange::new(start.max(range.start), end.min(range.end)) {
                out.push(Piece {
                    range: clipped,
                    cut_at_end: end > range.end,
                });
            }
        }
        start = next;
    }
    out
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).or_else(|| {
        // 02-29 in a common year falls back to 02-28.
        NaiveDate::from_ymd_opt(y, m, d.saturating_sub(1))
    })
}

/// Semester start dates sorted within a year.
fn semester_starts(calendar: &Calendar) -> Vec<(u32, u32)> {
    let mut starts: Vec<(u32, u32)> = calendar.semesters.iter().map(|(_, s, _)| *s).collect();
    starts.sort();
    starts.dedup();
    starts
}

/// The start of the period containing `day`.
fn first_start(unit: PeriodUnit, day: NaiveDate, calendar: &Calendar) -> Option<NaiveDate> {
    match unit {
        PeriodUnit::CalendarYear => ymd(day.year(), 1, 1),
        PeriodUnit::AcademicYear => {
            let (m, d) = calendar.year_start;
            let this = ymd(day.year(), m, d)?;
            if this <= day {
                Some(this)
            } else {
                ymd(day.year() - 1, m, d)
            }
        }
        PeriodUnit::Semester => {
            let starts = semester_starts(calendar);
            let mut best = None;
            for year in [day.year() - 1, day.year()] {
                for (m, d) in &starts {
                    if let Some(s) = ymd(year, *m, *d) {
                        if s <= day {
                            best = Some(s);
                        }
                    }
                }
            }
            best
        }
        PeriodUnit::Month => ymd(day.year(), day.month(), 1),
        PeriodUnit::Week | PeriodUnit::Day => Some(day),
    }
}

/// The start of the period after the one starting at `start`.
fn advance(unit: PeriodUnit, start: NaiveDate, n: u32, calendar: &Calendar) -> Option<NaiveDate> {
    match unit {
        PeriodUnit::CalendarYear | PeriodUnit::AcademicYear => {
            start.checked_add_months(Months::new(12 * n))
        }
        PeriodUnit::Month => start.checked_add_months(Months::new(n)),
        PeriodUnit::Week => start.checked_add_days(Days::new(7 * u64::from(n))),
        PeriodUnit::Day => start.checked_add_days(Days::new(u64::from(n))),
        PeriodUnit::Semester => {
            let starts = semester_starts(calendar);
            let mut at = start;
            for _ in 0..n {
                let mut next = None;
                for year in [at.year(), at.year() + 1] {
                    for (m, d) in &starts {
                        if let Some(s) = ymd(year, *m, *d) {
                            if s > at && next.is_none_or(|x| s < x) {
                                next = Some(s);
                            }
                        }
                    }
                }
                at = next?;
            }
            Some(at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn p(count: u32, unit: PeriodUnit) -> Period {
        Period {
            count,
            unit,
            span: Span::default(),
        }
    }

    fn show(pieces: &[Piece]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| format!("{}{}", p.range, if p.cut_at_end { " (cut)" } else { "" }))
            .collect()
    }

    #[test]
    fn calendar_years_are_clipped_to_the_range() {
        let r = DateRange::new(d("2017-04-17"), d("2018-06-30")).unwrap();
        let got = show(&periods(
            p(1, PeriodUnit::CalendarYear),
            r,
            &Calendar::default(),
            100,
        ));
        assert_eq!(
            got,
            ["2017-04-17 .. 2017-12-31", "2018-01-01 .. 2018-06-30 (cut)"]
        );
    }

    #[test]
    fn two_week_windows_start_at_the_owner_start_date() {
        let r = DateRange::new(d("2017-06-07"), d("2017-07-10")).unwrap();
        let got = show(&periods(
            p(2, PeriodUnit::Week),
            r,
            &Calendar::default(),
            100,
        ));
        assert_eq!(
            got,
            [
                "2017-06-07 .. 2017-06-20",
                "2017-06-21 .. 2017-07-04",
                "2017-07-05 .. 2017-07-10 (cut)"
            ]
        );
    }

    #[test]
    fn semesters_follow_the_calendar_and_wrap_the_year() {
        let r = DateRange::new(d("2017-06-01"), d("2018-05-31")).unwrap();
        let got = show(&periods(
            p(1, PeriodUnit::Semester),
            r,
            &Calendar::default(),
            100,
        ));
        assert_eq!(
            got,
            [
                "2017-06-01 .. 2017-08-31",
                "2017-09-01 .. 2018-01-31",
                "2018-02-01 .. 2018-05-31 (cut)"
            ]
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let r = DateRange::new(d("2020-01-15"), d("2020-03-31")).unwrap();
        let got = show(&periods(
            p(2, PeriodUnit::Month),
            r,
            &Calendar::default(),
            100,
        ));
        assert_eq!(
            got,
            ["2020-01-15 .. 2020-02-29", "2020-03-01 .. 2020-03-31 (cut)"]
        );
    }

    #[test]
    fn academic_years_start_on_the_calendar_day() {
        let r = DateRange::new(d("2020-01-01"), d("2021-12-31")).unwrap();
        let got = show(&periods(
            p(1, PeriodUnit::AcademicYear),
            r,
            &Calendar::default(),
            100,
        ));
        assert_eq!(
            got,
            [
                "2020-01-01 .. 2020-08-31",
                "2020-09-01 .. 2021-08-31",
                "2021-09-01 .. 2021-12-31 (cut)"
            ]
        );
    }
}
