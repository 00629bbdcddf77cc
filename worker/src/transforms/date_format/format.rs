//! `SimpleDateFormat.format` in UTC with English symbols.

use std::fmt::Write as _;

use super::calendar::{day_of_week, week_of_year, year_start, MILLIS_PER_DAY};
use super::{Item, Letter};
use crate::data::java_fmt::civil_from_millis;

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Indexed by `DAY_OF_WEEK - 1` (Sunday first).
pub(super) const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
pub(super) const SHORT_WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
pub(super) const ERAS: [&str; 2] = ["BC", "AD"];
pub(super) const AM_PM: [&str; 2] = ["AM", "PM"];

/// The calendar fields of one instant that the pattern letters print.
struct Fields {
    /// Astronomical year (0 is 1 BC).
    year: i64,
    month: usize,
    day: i64,
    day_of_year: i64,
    /// 1 = Sunday .. 7 = Saturday.
    day_of_week: i64,
    week_year: i64,
    week_of_year: i64,
    week_of_month: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

impl Fields {
    fn of(ms: i64) -> Fields {
        let t = civil_from_millis(ms);
        let days = ms.div_euclid(MILLIS_PER_DAY);
        let day = i64::from(t.day);
        let dow = day_of_week(days);
        let first_of_month_dow = day_of_week(days - (day - 1));
        let (week_year, week_of_year) = week_of_year(days);
        Fields {
            year: t.year,
            month: t.month as usize,
            day,
            day_of_year: days - year_start(t.year) + 1,
            day_of_week: dow,
            week_year,
            week_of_year,
            // A partial first week counts as week 1 (minimal days in first week = 1).
            week_of_month: (day - 1 + (first_of_month_dow - 1)) / 7 + 1,
            hour: i64::from(t.hour),
            minute: i64::from(t.minute),
            second: i64::from(t.second),
            millis: i64::from(t.millis),
        }
    }

    /// Year of era: 1 BC is year 1 of era BC.
    fn year_of_era(&self) -> i64 {
        if self.year <= 0 {
            1 - self.year
        } else {
            self.year
        }
    }
}

pub(super) fn format(items: &[Item], ms: i64) -> String {
    let f = Fields::of(ms);
    let mut out = String::new();
    for item in items {
        match item {
            Item::Literal(chars) => out.extend(chars.iter()),
            Item::Field { letter, count } => write_field(&mut out, &f, *letter, *count),
        }
    }
    out
}

fn write_field(out: &mut String, f: &Fields, letter: Letter, count: usize) {
    let month_index = (f.month + 11) % 12;
    let dow_index = ((f.day_of_week - 1).rem_euclid(7)) as usize;
    match letter {
        Letter::Era => out.push_str(ERAS[usize::from(f.year > 0)]),
        Letter::Year => write_year(out, f.year_of_era(), count),
        Letter::WeekYear => {
            let wy = if f.week_year <= 0 {
                1 - f.week_year
            } else {
                f.week_year
            };
            write_year(out, wy, count)
        }
        Letter::Month | Letter::MonthStandalone => match count {
            1 | 2 => pad(out, f.month as i64, count),
            3 => out.push_str(SHORT_MONTHS[month_index]),
            _ => out.push_str(MONTHS[month_index]),
        },
        Letter::WeekOfYear => pad(out, f.week_of_year, count),
        Letter::WeekOfMonth => pad(out, f.week_of_month, count),
        Letter::DayOfYear => pad(out, f.day_of_year, count),
        Letter::DayOfMonth => pad(out, f.day, count),
        Letter::DayOfWeekInMonth => pad(out, (f.day - 1) / 7 + 1, count),
        Letter::DayName => out.push_str(if count >= 4 {
            WEEKDAYS[dow_index]
        } else {
            SHORT_WEEKDAYS[dow_index]
        }),
        // ISO numbering: Monday is 1, Sunday 7.
        Letter::IsoDayOfWeek => pad(
            out,
            if dow_index == 0 { 7 } else { dow_index as i64 },
            count,
        ),
        Letter::AmPm => out.push_str(AM_PM[usize::from(f.hour >= 12)]),
        Letter::HourOfDay0 => pad(out, f.hour, count),
        Letter::HourOfDay1 => pad(out, if f.hour == 0 { 24 } else { f.hour }, count),
        Letter::Hour0 => pad(out, f.hour % 12, count),
        Letter::Hour1 => pad(out, if f.hour % 12 == 0 { 12 } else { f.hour % 12 }, count),
        Letter::Minute => pad(out, f.minute, count),
        Letter::Second => pad(out, f.second, count),
        // Milliseconds are a plain number padded to the count, not a fraction (`S` of 5 ms is "5").
        Letter::Millisecond => pad(out, f.millis, count),
        Letter::ZoneName => out.push_str(if count >= 4 {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        Letter::ZoneRfc822 => out.push_str("+0000"),
        // ISO 8601 writes a zero offset as `Z` whatever the count.
        Letter::ZoneIso => out.push('Z'),
    }
}

/// `yy` keeps the last two digits; any other count pads the full year.
fn write_year(out: &mut String, year: i64, count: usize) {
    if count == 2 {
        let _ = write!(out, "{:02}", year.rem_euclid(100));
    } else {
        pad(out, year, count);
    }
}

/// Java's `zeroPaddingNumber(value, count, max)`: at least `count` digits.
fn pad(out: &mut String, value: i64, count: usize) {
    let _ = write!(out, "{value:0count$}");
}
