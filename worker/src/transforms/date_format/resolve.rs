//! Turning parsed calendar fields into an instant as a lenient `GregorianCalendar` does
//! (`CalendarBuilder.establish`, `GregorianCalendar.computeTime`): when fields disagree, the most
//! recently parsed complete group wins, and out-of-range values roll over.

use super::calendar::{
    dow_on_or_before, first_week_start, resolve_days, year_start, FIRST_DAY_OF_WEEK, MILLIS_PER_DAY,
};

/// The calendar fields a pattern can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Era,
    Year,
    WeekYear,
    Month,
    WeekOfYear,
    WeekOfMonth,
    DayOfYear,
    DayOfMonth,
    DayOfWeekInMonth,
    DayOfWeek,
    AmPm,
    Hour,
    HourOfDay,
    Minute,
    Second,
    Millisecond,
    ZoneOffset,
}

const FIELD_COUNT: usize = 17;

/// Parsed values with the order they were set in (0 = unset), like `CalendarBuilder`'s stamps.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    values: [i64; FIELD_COUNT],
    stamps: [u32; FIELD_COUNT],
    next_stamp: u32,
}

impl Fields {
    pub(super) fn set(&mut self, field: Field, value: i64) {
        self.next_stamp += 1;
        self.values[field as usize] = value;
        self.stamps[field as usize] = self.next_stamp;
    }

    /// The value, 0 when unset (a cleared calendar field).
    pub(super) fn get(&self, field: Field) -> i64 {
        self.values[field as usize]
    }

    fn stamp(&self, field: Field) -> u32 {
        self.stamps[field as usize]
    }

    fn is_set(&self, field: Field) -> bool {
        self.stamp(field) != 0
    }

    /// `CalendarBuilder.addYear`: used to move an ambiguous two-digit year a century on.
    pub(super) fn add_years(&mut self, years: i64) {
        for field in [Field::Year, Field::WeekYear] {
            if self.is_set(field) {
                self.values[field as usize] += years;
            }
        }
    }

    /// The year as a proleptic (astronomical) year, 1970 when unset; BC years count backwards.
    fn year(&self) -> i64 {
        let year = if self.is_set(Field::Year) {
            self.get(Field::Year)
        } else {
            1970
        };
        if self.is_set(Field::Era) && self.get(Field::Era) == 0 {
            1 - year
        } else {
            year
        }
    }

    /// Epoch milliseconds in UTC, adjusted by a parsed zone offset; `None` on arithmetic overflow
    /// (Java's `IllegalArgumentException` from the calendar).
    pub(super) fn resolve(&self) -> Option<i64> {
        let days = if self.is_set(Field::WeekYear)
            && self.stamp(Field::WeekYear) > self.stamp(Field::Year)
        {
            self.week_date_days()
        } else {
            self.date_days()
        };
        let hours = if self.hour_of_day_wins() {
            self.get(Field::HourOfDay)
        } else {
            let am_pm = if self.is_set(Field::AmPm) {
                self.get(Field::AmPm)
            } else {
                0
            };
            self.get(Field::Hour).checked_add(am_pm.checked_mul(12)?)?
        };
        let time = hours
            .checked_mul(60)?
            .checked_add(self.get(Field::Minute))?
            .checked_mul(60)?
            .checked_add(self.get(Field::Second))?
            .checked_mul(1000)?
            .checked_add(self.get(Field::Millisecond))?;
        days.checked_mul(MILLIS_PER_DAY)?
            .checked_add(time)?
            .checked_sub(self.get(Field::ZoneOffset))
    }

    /// Whether `HOUR_OF_DAY` was set more recently than the `HOUR` + `AM_PM` pair.
    fn hour_of_day_wins(&self) -> bool {
        let hour_of_day = self.stamp(Field::HourOfDay);
        let mut hour = aggregate(self.stamp(Field::Hour), self.stamp(Field::AmPm));
        if hour == 0 && hour_of_day == 0 {
            hour = self.stamp(Field::Hour).max(self.stamp(Field::AmPm));
        }
        hour_of_day >= hour
    }

    /// `setWeekDate(weekYear, weekOfYear, dayOfWeek)`, for a week year parsed after the year.
    fn week_date_days(&self) -> i64 {
        let week_year = self.get(Field::WeekYear);
        let week = if self.is_set(Field::WeekOfYear) {
            self.get(Field::WeekOfYear)
        } else {
            1
        };
        let dow = if self.is_set(Field::DayOfWeek) {
            self.get(Field::DayOfWeek)
        } else {
            FIRST_DAY_OF_WEEK
        };
        first_week_start(week_year) + (dow - FIRST_DAY_OF_WEEK) + 7 * (week - 1)
    }

    /// `GregorianCalendar.selectFields` + `getFixedDate`: the date in epoch days.
    fn date_days(&self) -> i64 {
        let dow_stamp = self.stamp(Field::DayOfWeek);
        let month_stamp = self.stamp(Field::Month);
        let mut dom_stamp = self.stamp(Field::DayOfMonth);
        let mut wom_stamp = aggregate(self.stamp(Field::WeekOfMonth), dow_stamp);
        let mut dowim_stamp = aggregate(self.stamp(Field::DayOfWeekInMonth), dow_stamp);
        let doy_stamp = self.stamp(Field::DayOfYear);
        let mut woy_stamp = aggregate(self.stamp(Field::WeekOfYear), dow_stamp);
        let mut best = dom_stamp
            .max(wom_stamp)
            .max(dowim_stamp)
            .max(doy_stamp)
            .max(woy_stamp);
        if best == 0 {
            // No complete group: a week field alone counts, and a day of week alone is a day of
            // week in month; failing that, the month alone (or nothing) means day of month.
            wom_stamp = self.stamp(Field::WeekOfMonth);
            dowim_stamp = self.stamp(Field::DayOfWeekInMonth).max(dow_stamp);
            woy_stamp = self.stamp(Field::WeekOfYear);
            best = wom_stamp.max(dowim_stamp).max(woy_stamp);
            if best == 0 {
                dom_stamp = month_stamp;
                best = month_stamp;
            }
        }
        let woy_raw = self.stamp(Field::WeekOfYear);
        let use_month = best == dom_stamp
            || (best == wom_stamp && self.stamp(Field::WeekOfMonth) >= woy_raw)
            || (best == dowim_stamp && self.stamp(Field::DayOfWeekInMonth) >= woy_raw);
        let year = self.year();
        if use_month {
            let month0 = self.get(Field::Month);
            if best == dom_stamp {
                let day = if self.is_set(Field::DayOfMonth) {
                    self.get(Field::DayOfMonth)
                } else {
                    1
                };
                return resolve_days(year, |cal| cal.days(year, month0 + 1, day));
            }
            let use_wom = if wom_stamp == dowim_stamp {
                self.stamp(Field::WeekOfMonth) >= self.stamp(Field::DayOfWeekInMonth)
            } else {
                best == wom_stamp
            };
            return resolve_days(year, |cal| {
                let first = cal.days(year, month0 + 1, 1);
                if use_wom {
                    let mut week_start = dow_on_or_before(first + 6, FIRST_DAY_OF_WEEK);
                    if week_start - first >= 1 {
                        week_start -= 7;
                    }
                    if dow_stamp != 0 {
                        week_start = dow_on_or_before(week_start + 6, self.get(Field::DayOfWeek));
                    }
                    week_start + 7 * (self.get(Field::WeekOfMonth) - 1)
                } else {
                    let dow = if dow_stamp != 0 {
                        self.get(Field::DayOfWeek)
                    } else {
                        FIRST_DAY_OF_WEEK
                    };
                    let dowim = if self.is_set(Field::DayOfWeekInMonth) {
                        self.get(Field::DayOfWeekInMonth)
                    } else {
                        1
                    };
                    if dowim >= 0 {
                        dow_on_or_before(first + 7 * dowim - 1, dow)
                    } else {
                        // Counted back from the end of the month.
                        let last =
                            cal.month_length(year, month0.rem_euclid(12) + 1) + 7 * (dowim + 1);
                        dow_on_or_before(first + last - 1, dow)
                    }
                }
            });
        }
        if best == doy_stamp && doy_stamp != 0 {
            return year_start(year) + self.get(Field::DayOfYear) - 1;
        }
        // Week of year, with the day of week when it was given.
        let mut week_start = first_week_start(year);
        if dow_stamp != 0 {
            let dow = self.get(Field::DayOfWeek);
            if dow != FIRST_DAY_OF_WEEK {
                week_start = dow_on_or_before(week_start + 6, dow);
            }
        }
        week_start + 7 * (self.get(Field::WeekOfYear) - 1)
    }
}

/// `Calendar.aggregateStamp`: the later of two stamps, or unset if either is.
fn aggregate(a: u32, b: u32) -> u32 {
    if a == 0 || b == 0 {
        0
    } else {
        a.max(b)
    }
}
