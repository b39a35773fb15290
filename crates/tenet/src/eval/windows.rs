//! Cutting a date range into periods: calendar years, academic years,
//! semesters, calendar months, and runs of weeks or days.

use crate::program::Calendar;
use crate::syntax::ast::{Period, PeriodUnit};
use crate::value::DateRange;
use chrono::{Datelike, Days, Months, NaiveDate};

/// Most windows one rule makes for one subject, and most periods one
/// cadence counts in a window: the checker refuses an `each` or a cadence
/// over the effective range that would make more, and the evaluator
/// reports a cadence over a longer window as `unknown` (a guard, not a
/// target: daily windows over two centuries stay below it).
pub const MAX_WINDOWS: usize = 100_000;

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
    let mut out = Vec::new();
    periods_into(period, range, calendar, limit, &mut out);
    out
}

/// [`periods`] into `out` (cleared first), whose room is kept: an
/// evaluator cuts the same windows for every subject.
pub fn periods_into(
    period: Period,
    range: DateRange,
    calendar: &Calendar,
    limit: usize,
    out: &mut Vec<Piece>,
) {
    out.clear();
    let n = period.count.max(1);
    if period.unit == PeriodUnit::Semester {
        out.extend(semesters(n as usize, range, calendar, limit));
        return;
    }
    let Some(mut start) = first_start(period.unit, range.start, calendar) else {
        return;
    };
    while start <= range.end && out.len() < limit {
        // A period that would end past the last date there is (`each
        // 262143 calendar_years`) runs past the range: it is cut there.
        let Some(next) = advance(period.unit, start, n, calendar) else {
            if let Some(clipped) = DateRange::new(start.max(range.start), range.end) {
                out.push(Piece {
                    range: clipped,
                    cut_at_end: true,
                });
            }
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
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).or_else(|| {
        // 02-29 in a common year falls back to 02-28.
        NaiveDate::from_ymd_opt(y, m, d.saturating_sub(1))
    })
}

/// Semesters as written in the calendar, from their start day to their
/// end day (an end before the start wraps into the next year); days
/// between semesters (breaks) belong to none. `n` consecutive semesters
/// make one period.
fn semesters(n: usize, range: DateRange, calendar: &Calendar, limit: usize) -> Vec<Piece> {
    let mut instances = Vec::new();
    for year in range.start.year().saturating_sub(1)..=range.end.year().saturating_add(1) {
        for (_, (sm, sd), (em, ed)) in &calendar.semesters {
            let end_year = if (*em, *ed) < (*sm, *sd) {
                year + 1
            } else {
                year
            };
            if let (Some(start), Some(end)) = (ymd(year, *sm, *sd), ymd(end_year, *em, *ed)) {
                instances.extend(DateRange::new(start, end));
            }
        }
    }
    instances.sort();
    let first = instances
        .iter()
        .position(|s| s.end >= range.start)
        .unwrap_or(instances.len());
    let mut out = Vec::new();
    for group in instances.get(first..).unwrap_or(&[]).chunks(n.max(1)) {
        let (Some(a), Some(b)) = (group.first(), group.last()) else {
            break;
        };
        if a.start > range.end || out.len() >= limit {
            break;
        }
        if let Some(clipped) = DateRange::new(a.start.max(range.start), b.end.min(range.end)) {
            out.push(Piece {
                range: clipped,
                cut_at_end: b.end > range.end,
            });
        }
    }
    out
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
        PeriodUnit::Semester => None,
        PeriodUnit::Month => ymd(day.year(), day.month(), 1),
        PeriodUnit::Week | PeriodUnit::Day => Some(day),
    }
}

/// The start of the period after the one starting at `start`.
fn advance(unit: PeriodUnit, start: NaiveDate, n: u32, calendar: &Calendar) -> Option<NaiveDate> {
    match unit {
        PeriodUnit::CalendarYear => start.checked_add_months(Months::new(n.checked_mul(12)?)),
        // From the calendar's day each year, so a 02-29 start that fell
        // back to 02-28 is 02-29 again in a leap year.
        PeriodUnit::AcademicYear => {
            let (m, d) = calendar.year_start;
            ymd(start.year().checked_add(i32::try_from(n).ok()?)?, m, d)
        }
        PeriodUnit::Month => start.checked_add_months(Months::new(n)),
        PeriodUnit::Week => start.checked_add_days(Days::new(u64::from(n).checked_mul(7)?)),
        PeriodUnit::Day => start.checked_add_days(Days::new(u64::from(n))),
        PeriodUnit::Semester => None,
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
    fn breaks_between_semesters_belong_to_none() {
        let cal = Calendar {
            year_start: (9, 1),
            semesters: vec![
                ("autumn".into(), (9, 1), (1, 15)),
                ("spring".into(), (3, 1), (7, 10)),
            ],
        };
        let r = DateRange::new(d("2021-01-01"), d("2021-12-31")).unwrap();
        let got = show(&periods(p(1, PeriodUnit::Semester), r, &cal, 100));
        assert_eq!(
            got,
            [
                "2021-01-01 .. 2021-01-15",
                "2021-03-01 .. 2021-07-10",
                "2021-09-01 .. 2021-12-31 (cut)"
            ]
        );
        let two = show(&periods(p(2, PeriodUnit::Semester), r, &cal, 100));
        assert_eq!(
            two,
            ["2021-01-01 .. 2021-07-10", "2021-09-01 .. 2021-12-31 (cut)"]
        );
    }

    #[test]
    fn a_period_longer_than_the_calendar_is_cut_at_the_range_end() {
        let r = DateRange::new(d("2020-03-01"), d("2023-12-31")).unwrap();
        for (count, unit) in [
            (262_143, PeriodUnit::CalendarYear),
            (u32::MAX, PeriodUnit::CalendarYear),
            (u32::MAX, PeriodUnit::AcademicYear),
            (u32::MAX, PeriodUnit::Month),
            (u32::MAX, PeriodUnit::Week),
            (u32::MAX, PeriodUnit::Day),
        ] {
            let got = show(&periods(p(count, unit), r, &Calendar::default(), 100));
            assert_eq!(got, ["2020-03-01 .. 2023-12-31 (cut)"], "{count} {unit:?}");
        }
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
