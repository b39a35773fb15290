//! Runtime values. Quantities are exact rationals over `rust_decimal`, so
//! `1:3 of 100` compares exactly and `2.5% of 4,000,000.00` is exactly
//! `100000.00`; overflow is reported, never wrapped.

use crate::model::{
    ActivityIx, DistrictIx, EnrollmentIx, MentorshipIx, PersonIx, SchoolIx, SessionIx,
};
use crate::schema::EnumValue;
use crate::syntax::ast::Duration;
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// An exact rational `n / d` with `d > 0`.
#[derive(Debug, Clone, Copy)]
pub struct Q {
    n: Decimal,
    d: Decimal,
}

/// Arithmetic left the range of exact decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

impl Q {
    /// Zero.
    pub const ZERO: Q = Q {
        n: Decimal::ZERO,
        d: Decimal::ONE,
    };

    /// A whole decimal.
    pub fn new(n: Decimal) -> Q {
        Q { n, d: Decimal::ONE }
    }

    /// The decimal when the denominator is exactly one (as `Q::new` makes
    /// it), without reducing: a cheap test for the common case.
    pub fn whole(self) -> Option<Decimal> {
        self.unit_denominator().then_some(self.n)
    }

    /// Whether `d` is the very `Decimal::ONE` `Q::new` puts there (same
    /// bits): cheaper than `Decimal`'s `==`, which rescales.
    fn unit_denominator(self) -> bool {
        self.d.serialize() == Decimal::ONE.serialize()
    }

    /// `self + n`, for a whole decimal `n`: `self.plus(Q::new(n))`, the
    /// sum a window of credited hours takes once per enrollment.
    pub fn plus_whole(self, n: Decimal) -> Result<Q, Overflow> {
        if self.unit_denominator() {
            Ok(Q::new(self.n.checked_add(n).ok_or(Overflow)?))
        } else {
            self.plus(Q::new(n))
        }
    }

    /// The numerator and the (positive) denominator.
    pub fn parts(self) -> (Decimal, Decimal) {
        (self.n, self.d)
    }

    /// `n / d`; `None` when `d` is zero.
    pub fn ratio(n: Decimal, d: Decimal) -> Option<Q> {
        if d.is_zero() {
            None
        } else if d.is_sign_negative() {
            Some(Q { n: -n, d: -d })
        } else {
            Some(Q { n, d })
        }
    }

    /// Keeps denominators small without paying a decimal division on every
    /// operation: comparisons cross-multiply, so a denominator such as 4
    /// (from `1/4 of x`) is harmless; only large ones are reduced.
    fn settle(self) -> Q {
        // Compared by mantissa and scale: a `Decimal` comparison rescales,
        // and this runs on every product.
        let small = self.d.scale() == 0 && self.d.mantissa() <= 1_000_000;
        if small {
            self
        } else {
            self.tidy()
        }
    }

    fn tidy(self) -> Q {
        if self.d == Decimal::ONE {
            return self;
        }
        // Multiplying back is no test of exactness: `rust_decimal` rounds at
        // 28 digits, so 8/12 → 0.666…667 → × 12 → 8. A quotient is a finite
        // decimal exactly when the reduced denominator has no prime factor
        // but 2 and 5.
        if !terminates(self.n, self.d) {
            return self;
        }
        match self.n.checked_div(self.d) {
            Some(q) if q.checked_mul(self.d) == Some(self.n) => Q::new(q.normalize()),
            _ => self,
        }
    }

    /// `self + other`.
    pub fn plus(self, o: Q) -> Result<Q, Overflow> {
        if self.d == o.d {
            return Ok(Q {
                n: self.n.checked_add(o.n).ok_or(Overflow)?,
                d: self.d,
            });
        }
        let n = self
            .n
            .checked_mul(o.d)
            .and_then(|a| o.n.checked_mul(self.d).and_then(|b| a.checked_add(b)));
        let d = self.d.checked_mul(o.d);
        Ok(Q {
            n: n.ok_or(Overflow)?,
            d: d.ok_or(Overflow)?,
        }
        .settle())
    }

    /// `self - other`.
    pub fn minus(self, o: Q) -> Result<Q, Overflow> {
        self.plus(o.negate())
    }

    /// `-self`.
    pub fn negate(self) -> Q {
        Q {
            n: -self.n,
            d: self.d,
        }
    }

    /// `self * other`.
    pub fn times(self, o: Q) -> Result<Q, Overflow> {
        let n = self.n.checked_mul(o.n).ok_or(Overflow)?;
        let d = self.d.checked_mul(o.d).ok_or(Overflow)?;
        Ok(Q { n, d }.settle())
    }

    /// `self / other`; `None` inside when dividing by zero.
    pub fn over(self, o: Q) -> Result<Option<Q>, Overflow> {
        if o.n.is_zero() {
            return Ok(None);
        }
        let n = self.n.checked_mul(o.d).ok_or(Overflow)?;
        let d = self.d.checked_mul(o.n).ok_or(Overflow)?;
        Ok(Q::ratio(n, d).map(Q::settle))
    }

    /// Exact comparison by cross-multiplication.
    pub fn compare(self, o: Q) -> Result<Ordering, Overflow> {
        if self.d == o.d {
            return Ok(self.n.cmp(&o.n));
        }
        let a = self.n.checked_mul(o.d).ok_or(Overflow)?;
        let b = o.n.checked_mul(self.d).ok_or(Overflow)?;
        Ok(a.cmp(&b))
    }

    /// The decimal value; exact when the rational has a finite decimal
    /// expansion, otherwise rounded to 10 places.
    pub fn to_decimal(self) -> Decimal {
        let q = self.tidy();
        if q.d == Decimal::ONE {
            return q.n;
        }
        q.n.checked_div(q.d)
            .map_or(Decimal::ZERO, |v| v.round_dp(10))
    }

    /// Whether the value is an exact decimal (no rounding in `to_decimal`).
    pub fn is_exact(self) -> bool {
        self.tidy().d == Decimal::ONE
    }
}

/// Appends a decimal as `Decimal`'s `Display` writes it (same digits,
/// same scale). Results write several figures each and a district run has
/// hundreds of thousands of results; the formatter machinery behind
/// `Display` cost more than the evaluation, so the common case — a
/// non-negative value with at most 19 digits — is written directly.
pub fn push_decimal(out: &mut String, d: Decimal) {
    let scale = d.scale();
    let fast = u64::try_from(d.mantissa())
        .ok()
        .filter(|_| scale <= 19)
        .zip(10u64.checked_pow(scale));
    let Some((m, unit)) = fast else {
        use std::fmt::Write as _;
        let _ = write!(out, "{d}");
        return;
    };
    push_digits(out, m / unit, 1);
    if scale > 0 {
        out.push('.');
        push_digits(out, m % unit, scale);
    }
}

/// Appends `n` in decimal, left-padded with zeros to `width` digits.
fn push_digits(out: &mut String, mut n: u64, width: u32) {
    let mut buf = [b'0'; 20];
    let mut used = 0u32;
    for slot in buf.iter_mut().rev() {
        if n == 0 && used >= width {
            break;
        }
        // `n % 10` is below 10.
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        used += 1;
    }
    let start = buf.len().saturating_sub(used as usize);
    if let Some(digits) = buf.get(start..) {
        out.extend(digits.iter().map(|&b| char::from(b)));
    }
}

/// Whether `n / d` has a finite decimal expansion.
fn terminates(n: Decimal, d: Decimal) -> bool {
    // n = N·10^-a and d = D·10^-b with integer mantissas, so n/d is N/D up to
    // a power of ten; only N/D in lowest terms matters.
    let (big_n, big_d) = (n.mantissa().unsigned_abs(), d.mantissa().unsigned_abs());
    if big_d == 0 {
        return false;
    }
    let mut a = big_n;
    let mut b = big_d;
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let mut rest = big_d / a.max(1);
    for p in [2u128, 5] {
        while rest % p == 0 {
            rest /= p;
        }
    }
    rest == 1
}

impl PartialEq for Q {
    fn eq(&self, other: &Q) -> bool {
        self.compare(*other) == Ok(Ordering::Equal)
    }
}

/// A record a value refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityRef {
    /// A district.
    District(DistrictIx),
    /// A school.
    School(SchoolIx),
    /// A person.
    Person(PersonIx),
    /// An activity.
    Activity(ActivityIx),
    /// A session.
    Session(SessionIx),
    /// An enrollment.
    Enrollment(EnrollmentIx),
    /// A mentorship.
    Mentorship(MentorshipIx),
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateRange {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl DateRange {
    /// A range; `None` when `end < start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<DateRange> {
        (start <= end).then_some(DateRange { start, end })
    }

    /// Whether the day lies inside.
    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// The overlap of two ranges.
    pub fn intersect(self, other: DateRange) -> Option<DateRange> {
        DateRange::new(self.start.max(other.start), self.end.min(other.end))
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Spelled out by hand for years 0 ..= 9999, as chrono writes them
        // (`2021-01-01`): chrono's `Display` costs about 450 instructions a
        // date, and a message names its window.
        match (iso_date(self.start), iso_date(self.end)) {
            (Some(a), Some(b)) => {
                let mut buf = [0u8; 24];
                let (left, right) = buf.split_at_mut(10);
                left.copy_from_slice(&a);
                let (mid, end) = right.split_at_mut(4);
                mid.copy_from_slice(b" .. ");
                end.copy_from_slice(&b);
                f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
            }
            _ => write!(f, "{} .. {}", self.start, self.end),
        }
    }
}

/// `YYYY-MM-DD` for a date of the years 0 ..= 9999 (what chrono's
/// `Display` writes for them); `None` for any other year.
fn iso_date(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (m, day) = (d.month(), d.day());
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Reads a plain decimal (`-`, digits, `.`, digits) exactly, or not at
/// all: `rust_decimal` keeps 28–29 significant digits and would round
/// `47999.99999999999999999999999999` to `48000.0000000000000000000000000`
/// without a word. Trailing zeros after the point are dropped when they
/// do not fit, since that loses nothing.
///
/// ```
/// use tenet::value::exact_decimal;
/// assert_eq!(exact_decimal("10770000.00").unwrap().to_string(), "10770000.00");
/// assert!(exact_decimal("47999.99999999999999999999999999").is_none());
/// assert!(exact_decimal("99999999999999999999999999999999").is_none());
/// assert_eq!(exact_decimal("1.50000000000000000000000000000000").unwrap().to_string(), "1.5");
/// ```
pub fn exact_decimal(text: &str) -> Option<Decimal> {
    if let Ok(d) = Decimal::from_str_exact(text) {
        return Some(d);
    }
    let trimmed = match text.split_once('.') {
        Some((int, frac)) if frac.ends_with('0') => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                int.to_string()
            } else {
                format!("{int}.{frac}")
            }
        }
        _ => return None,
    };
    Decimal::from_str_exact(&trimmed).ok()
}

/// Adds a duration to a date; `None` past the end of the calendar.
pub fn add_duration(date: NaiveDate, d: Duration) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(d.months))?
        .checked_add_days(Days::new(u64::from(d.days)))
}

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A quantity (number, hours or money; the unit is in the static type).
    Num(Q),
    /// A date.
    Date(NaiveDate),
    /// A duration.
    Duration(Duration),
    /// Time from `since` to `at`.
    Elapsed {
        /// Start.
        since: NaiveDate,
        /// End.
        at: NaiveDate,
    },
    /// A boolean.
    Bool(bool),
    /// Text.
    Str(String),
    /// An enumeration value.
    Enum(EnumValue),
    /// A record.
    Entity(EntityRef),
    /// A window.
    Window(DateRange),
    /// A list.
    List(Vec<Value>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_written_as_chrono_writes_dates() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (a, b) in [
            (day(2021, 1, 1), day(2021, 12, 31)),
            (day(0, 1, 1), day(9999, 12, 31)),
            (day(987, 10, 9), day(10000, 2, 29)),
            (day(-1, 3, 5), day(12345, 6, 7)),
            (NaiveDate::MIN, NaiveDate::MAX),
        ] {
            let range = DateRange { start: a, end: b };
            assert_eq!(range.to_string(), format!("{a} .. {b}"));
        }
    }
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn pushed(v: Decimal) -> String {
        let mut out = String::from("x");
        push_decimal(&mut out, v);
        out.split_off(1)
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for s in [
            "0",
            "0.0",
            "0.05",
            "1",
            "90",
            "100.00",
            "12.5",
            "-3.25",
            "-0",
            "0.0000000000000000001",
            "18446744073709551615",
            "18446744073709551616",
            "1.8446744073709551615",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            assert_eq!(pushed(d(s)), d(s).to_string(), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_written_as_display_writes_it(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let m = m % 79_228_162_514_264_337_593_543_950_335i128;
            let v = Decimal::from_i128_with_scale(m, scale);
            proptest::prop_assert_eq!(pushed(v), v.to_string());
            let small = Decimal::from_i128_with_scale(m % 1_000_000_000_000, scale.min(6));
            proptest::prop_assert_eq!(pushed(small), small.to_string());
        }
    }

    #[test]
    fn share_of_money_is_exact() {
        let share = Q::ratio(d("2.5"), d("100")).unwrap();
        let payroll = Q::new(d("4000000.00"));
        let required = share.times(payroll).unwrap();
        assert_eq!(required.to_decimal(), d("100000.00"));
        assert!(required.is_exact());
    }

    #[test]
    fn thirds_compare_exactly() {
        let third = Q::ratio(d("1"), d("3")).unwrap();
        let x = third.times(Q::new(d("100"))).unwrap();
        // 33.3333333333 (rounded display) is below the exact third of 100.
        assert_eq!(Q::new(d("33.3333333333")).compare(x), Ok(Ordering::Less));
        assert_eq!(
            x.plus(x)
                .unwrap()
                .plus(x)
                .unwrap()
                .compare(Q::new(d("100"))),
            Ok(Ordering::Equal)
        );
    }

    #[test]
    fn eight_twelfths_is_not_taken_for_a_decimal() {
        let q = Q::ratio(d("8"), d("12")).unwrap();
        assert!(!q.is_exact());
        assert!(Q::ratio(d("3"), d("12")).unwrap().is_exact());
        assert_eq!(Q::ratio(d("3"), d("12")).unwrap().to_decimal(), d("0.25"));
        assert!(Q::ratio(d("1"), d("0.8")).unwrap().is_exact());
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Q::new(Decimal::MAX);
        assert_eq!(big.plus(big), Err(Overflow));
        assert_eq!(big.times(Q::new(d("2"))), Err(Overflow));
    }

    #[test]
    fn division_by_zero_is_none() {
        assert_eq!(Q::new(d("1")).over(Q::ZERO), Ok(None));
    }
}
