//! Hours packed into 4 bytes, for the per-enrollment figures of tables
//! with tens of millions of rows.

use rust_decimal::Decimal;

/// Set when the hours did not fit and are kept aside, exactly.
const ASIDE: u32 = 1 << 31;
/// The scale sits above a 26-bit mantissa.
const SCALE_SHIFT: u32 = 26;
const MANTISSA: u32 = (1 << SCALE_SHIFT) - 1;

/// Zero or more hours as `mantissa / 10^scale`, with the mantissa below
/// 2^26 and the scale at most 28 (a `Decimal`'s), or a mark that the
/// exact value is kept elsewhere. Sums of session hours as written in
/// files ("2", "1.5", "0.75") nearly always fit; the scale is kept as it
/// is, so `2.50` stays `2.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PackedHours(u32);

impl PackedHours {
    /// `hours` packed, or `None` when it must be kept aside (negative, or
    /// too many digits).
    pub fn new(hours: Decimal) -> Option<PackedHours> {
        if hours.is_sign_negative() && !hours.is_zero() {
            return None;
        }
        let mantissa = u32::try_from(hours.mantissa().unsigned_abs())
            .ok()
            .filter(|m| *m <= MANTISSA)?;
        Some(PackedHours(hours.scale() << SCALE_SHIFT | mantissa))
    }

    /// The mark for hours kept aside.
    pub const fn aside() -> PackedHours {
        PackedHours(ASIDE)
    }

    /// The hours, or `None` when they are kept aside.
    pub fn get(self) -> Option<Decimal> {
        if self.0 & ASIDE != 0 {
            return None;
        }
        Decimal::try_new(i64::from(self.0 & MANTISSA), self.0 >> SCALE_SHIFT).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn hours_round_trip_exactly_or_go_aside() {
        for text in [
            "0",
            "0.0",
            "2",
            "2.50",
            "1.25",
            "67108863",
            "0.000000000000000000000000001",
        ] {
            let d = Decimal::from_str(text).unwrap();
            let packed = PackedHours::new(d).expect(text);
            assert_eq!(packed.get().unwrap().to_string(), d.to_string());
        }
        for text in [
            "67108864",
            "-1",
            "0.1234567890123",
            "79228162514264337593543950335",
        ] {
            assert_eq!(
                PackedHours::new(Decimal::from_str(text).unwrap()),
                None,
                "{text}"
            );
        }
        assert_eq!(PackedHours::aside().get(), None);
        assert_eq!(
            PackedHours::new(Decimal::ZERO).unwrap().get(),
            Some(Decimal::ZERO)
        );
    }
}
