//! Parsing the ISO forms Values writes, as a lenient `SimpleDateFormat` does (UTC).
//!
//! `SimpleDateFormat.parse(text, pos)` succeeds as soon as the whole pattern matched, even if text
//! remains, and its lenient calendar rolls out-of-range fields over (month 13 is January of the next
//! year). Numeric fields skip leading blanks, take an optional `-` and then every digit.

use crate::data::java_fmt::days_from_civil;
use crate::data::logical::MILLIS_PER_DAY;

#[derive(Clone, Copy)]
enum Part {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millis,
    Lit(u8),
}

use Part::*;

const DATE: &[Part] = &[Year, Lit(b'-'), Month, Lit(b'-'), Day];
const TIME: &[Part] = &[
    Hour,
    Lit(b':'),
    Minute,
    Lit(b':'),
    Second,
    Lit(b'.'),
    Millis,
    Lit(b'Z'),
];
const TIMESTAMP: &[Part] = &[
    Year,
    Lit(b'-'),
    Month,
    Lit(b'-'),
    Day,
    Lit(b'T'),
    Hour,
    Lit(b':'),
    Minute,
    Lit(b':'),
    Second,
    Lit(b'.'),
    Millis,
    Lit(b'Z'),
];

/// Which ISO form to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalKind {
    Date,
    Time,
    Timestamp,
}

/// Parses `text` with the pattern of `kind`; epoch milliseconds on success.
pub fn parse_temporal(text: &str, kind: TemporalKind) -> Option<i64> {
    let pattern = match kind {
        TemporalKind::Date => DATE,
        TemporalKind::Time => TIME,
        TemporalKind::Timestamp => TIMESTAMP,
    };
    let bytes = text.as_bytes();
    let mut pos = 0;
    // Defaults of a fresh calendar: 1970-01-01T00:00:00.000.
    let mut fields = [1970i64, 1, 1, 0, 0, 0, 0];
    for part in pattern {
        let slot = match part {
            Lit(c) => {
                if bytes.get(pos) != Some(c) {
                    return None;
                }
                pos += 1;
                continue;
            }
            Year => 0,
            Month => 1,
            Day => 2,
            Hour => 3,
            Minute => 4,
            Second => 5,
            Millis => 6,
        };
        fields[slot] = parse_number(bytes, &mut pos)?;
    }
    let [year, month, day, hour, minute, second, millis] = fields;
    let days = days_from_civil(year, month, day);
    days.checked_mul(MILLIS_PER_DAY)?
        .checked_add(hour.checked_mul(3_600_000)?)?
        .checked_add(minute.checked_mul(60_000)?)?
        .checked_add(second.checked_mul(1000)?)?
        .checked_add(millis)
}

fn parse_number(bytes: &[u8], pos: &mut usize) -> Option<i64> {
    while matches!(bytes.get(*pos), Some(b' ' | b'\t')) {
        *pos += 1;
    }
    let negative = bytes.get(*pos) == Some(&b'-');
    if negative {
        *pos += 1;
    }
    let start = *pos;
    while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
        *pos += 1;
    }
    let digits = std::str::from_utf8(&bytes[start..*pos]).ok()?;
    // Absurdly long digit runs cannot make a sensible date; treat them as a failed parse.
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_forms() {
        assert_eq!(
            parse_temporal("2024-03-01", TemporalKind::Date),
            Some(19_783 * MILLIS_PER_DAY)
        );
        assert_eq!(
            parse_temporal("12:34:56.789Z", TemporalKind::Time),
            Some(45_296_789)
        );
        assert_eq!(
            parse_temporal("2024-02-29T13:45:06.789Z", TemporalKind::Timestamp),
            Some(1_709_214_306_789)
        );
    }

    #[test]
    fn lenient_like_simple_date_format() {
        // Month 13 rolls over; trailing text after a complete match is ignored.
        assert_eq!(
            parse_temporal("2023-13-01", TemporalKind::Date),
            parse_temporal("2024-01-01", TemporalKind::Date)
        );
        assert_eq!(
            parse_temporal("2024-1-1xx", TemporalKind::Date),
            parse_temporal("2024-01-01", TemporalKind::Date)
        );
        assert_eq!(parse_temporal("2024/01/01", TemporalKind::Date), None);
        assert_eq!(parse_temporal("abcdefghij", TemporalKind::Date), None);
    }
}
