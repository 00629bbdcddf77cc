//! Day arithmetic for Java's default `GregorianCalendar` in UTC: Julian calendar before
//! 1582-10-15, Gregorian from then on, weeks starting on Sunday with week 1 holding January 1st
//! (the `en_US` rules a JVM uses by default).
//!
//! Dates are counted in days since 1970-01-01 ("epoch days"), as `java_fmt` does.

use crate::data::java_fmt::{civil_from_millis, days_from_civil};

pub(super) const MILLIS_PER_DAY: i64 = 86_400_000;

/// 1582-10-15, the first Gregorian day, in epoch days.
pub(super) const CUTOVER_DAY: i64 = -141_427;

/// `Calendar.SUNDAY`, the first day of the week in `en_US`.
pub(super) const FIRST_DAY_OF_WEEK: i64 = 1;

/// Which calendar system a date is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cal {
    Julian,
    Gregorian,
}

impl Cal {
    /// Epoch days of (year, month 1..=12, day 1..); month and day may overflow and roll over.
    pub(super) fn days(self, year: i64, month: i64, day: i64) -> i64 {
        match self {
            Cal::Gregorian => days_from_civil(year, month, day),
            Cal::Julian => days_from_julian(year, month, day),
        }
    }

    /// Days in `month` (1..=12) of `year`.
    pub(super) fn month_length(self, year: i64, month: i64) -> i64 {
        self.days(year, month + 1, 1) - self.days(year, month, 1)
    }
}

/// Epoch days of a Julian-calendar date (astronomical years: 0 is 1 BC), lenient like `days_from_civil`.
fn days_from_julian(year: i64, month: i64, day: i64) -> i64 {
    let year = year + (month - 1).div_euclid(12);
    let month = (month - 1).rem_euclid(12) + 1;
    // The Julian day number of the 1st of the month, by the standard Julian-calendar formula.
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    let jdn = 1 + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - 32_083;
    jdn - 2_440_588 + (day - 1)
}

/// Chooses the calendar for a year the way `GregorianCalendar.computeTime` does: years after the
/// cutover are Gregorian, years before are Julian, and a date computed in the wrong system (the
/// cutover year itself, or lenient overflow across it) is recomputed in the other.
pub(super) fn resolve_days(year: i64, date: impl Fn(Cal) -> i64) -> i64 {
    if year > 1582 {
        let g = date(Cal::Gregorian);
        if g >= CUTOVER_DAY {
            return g;
        }
        return date(Cal::Julian);
    }
    let j = date(Cal::Julian);
    if j < CUTOVER_DAY {
        return j;
    }
    // Lenient dates past the cutover are read as Gregorian.
    date(Cal::Gregorian)
}

/// Epoch days of January 1st of `year` in Java's calendar.
pub(super) fn year_start(year: i64) -> i64 {
    resolve_days(year, |cal| cal.days(year, 1, 1))
}

/// `Calendar.DAY_OF_WEEK` of an epoch day: 1 = Sunday .. 7 = Saturday.
pub(super) fn day_of_week(days: i64) -> i64 {
    (days + 4).rem_euclid(7) + 1
}

/// The epoch day that is `dow` (1 = Sunday) on or before `days`.
pub(super) fn dow_on_or_before(days: i64, dow: i64) -> i64 {
    days - (day_of_week(days) - dow).rem_euclid(7)
}

/// The first day of week 1 of `year`: the Sunday on or before January 1st (one day of the
/// year is enough for a week to count, in `en_US`).
pub(super) fn first_week_start(year: i64) -> i64 {
    dow_on_or_before(year_start(year), FIRST_DAY_OF_WEEK)
}

/// The week-based year and week of year of an epoch day: a week belongs to the year its
/// Saturday falls in.
pub(super) fn week_of_year(days: i64) -> (i64, i64) {
    let saturday = days + (7 - day_of_week(days));
    let week_year = civil_from_millis(saturday.saturating_mul(MILLIS_PER_DAY)).year;
    let week = (saturday - year_start(week_year)) / 7 + 1;
    (week_year, week)
}

/// `now` moved by `years` calendar years (`Calendar.add(YEAR, n)`), for the two-digit-year window.
pub(super) fn add_years(ms: i64, years: i64) -> i64 {
    let t = civil_from_millis(ms);
    let year = t.year + years;
    let day_ms = ms.rem_euclid(MILLIS_PER_DAY);
    // Feb 29 in a year without one becomes Feb 28, as Calendar pins the day to the month's end.
    let day = resolve_days(year, |cal| {
        let last = cal.month_length(year, i64::from(t.month));
        cal.days(year, i64::from(t.month), i64::from(t.day).min(last))
    });
    day.saturating_mul(MILLIS_PER_DAY).saturating_add(day_ms)
}
