//! `SimpleDateFormat.parse(String)`: lenient parsing of each pattern element into calendar fields,
//! which [`super::resolve`] then turns into an instant.

use super::format::{AM_PM, ERAS, MONTHS, SHORT_MONTHS, SHORT_WEEKDAYS, WEEKDAYS};
use super::resolve::{Field, Fields};
use super::{Item, Letter, ParseError};

/// Parses `text` against the compiled pattern. Text left after the last element is ignored.
pub(super) fn parse(items: &[Item], text: &str, century_start_ms: i64) -> Result<i64, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let fail = |error_index| ParseError {
        text: text.to_string(),
        error_index,
    };
    let century_start_year = crate::data::java_fmt::civil_from_millis(century_start_ms).year;
    let mut fields = Fields::default();
    let mut ambiguous_year = false;
    let mut pos = 0;
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Literal(lit) => {
                for c in lit {
                    if chars.get(pos) != Some(c) {
                        return Err(fail(pos));
                    }
                    pos += 1;
                }
            }
            Item::Field { letter, count } => {
                // Java obeys the count (reads at most `count` chars for a number) when a numeric
                // field follows directly, so `yyyyMMdd` can split "20240131"; before a text field
                // or a zone (`dMMMyyyy`, `ss.SSSXXX`) the number takes every digit there is.
                let obey_count = match items.get(i + 1) {
                    Some(Item::Field { letter, count }) => abuts_numeric(*letter, *count),
                    _ => false,
                };
                let mut p = FieldParser {
                    chars: &chars,
                    fields: &mut fields,
                    century_start_year,
                    ambiguous_year: &mut ambiguous_year,
                };
                pos = p.parse(pos, *letter, *count, obey_count).map_err(fail)?;
            }
        }
    }
    let parsed = fields.resolve().ok_or_else(|| fail(pos))?;
    if ambiguous_year && parsed < century_start_ms {
        // A two-digit year equal to the window's start year may belong to the next century.
        fields.add_years(100);
        return fields.resolve().ok_or_else(|| fail(pos));
    }
    Ok(parsed)
}

/// JDK 17's `SimpleDateFormat.shouldObeyCount`: whether a field written with `count` letters is
/// numeric, so that the number before it must stop at its own count.
fn abuts_numeric(letter: Letter, count: usize) -> bool {
    match letter {
        Letter::Month | Letter::MonthStandalone => count <= 2,
        Letter::Year
        | Letter::WeekYear
        | Letter::DayOfMonth
        | Letter::HourOfDay0
        | Letter::HourOfDay1
        | Letter::Hour0
        | Letter::Hour1
        | Letter::Minute
        | Letter::Second
        | Letter::Millisecond
        | Letter::DayOfYear
        | Letter::DayOfWeekInMonth
        | Letter::WeekOfYear
        | Letter::WeekOfMonth
        | Letter::IsoDayOfWeek => true,
        Letter::Era
        | Letter::DayName
        | Letter::AmPm
        | Letter::ZoneName
        | Letter::ZoneRfc822
        | Letter::ZoneIso => false,
    }
}

struct FieldParser<'a> {
    chars: &'a [char],
    fields: &'a mut Fields,
    century_start_year: i64,
    ambiguous_year: &'a mut bool,
}

impl FieldParser<'_> {
    /// `SimpleDateFormat.subParse`: the position after the field, or the error index.
    fn parse(
        &mut self,
        start: usize,
        letter: Letter,
        count: usize,
        obey_count: bool,
    ) -> Result<usize, usize> {
        // Spaces and tabs before any field are skipped; running out of text fails.
        let mut pos = start;
        loop {
            match self.chars.get(pos) {
                None => return Err(start),
                Some(' ') | Some('\t') => pos += 1,
                Some(_) => break,
            }
        }
        let limit = if obey_count {
            if pos + count > self.chars.len() {
                return Err(pos);
            }
            pos + count
        } else {
            self.chars.len()
        };
        let number = || parse_number(self.chars, pos, limit);
        match letter {
            Letter::Era => self.match_names(pos, Field::Era, &[&ERAS]),
            Letter::Year | Letter::WeekYear => {
                let (mut value, end) = number().ok_or(pos)?;
                let two_digits = count <= 2
                    && end - pos == 2
                    && self.chars[pos].is_ascii_digit()
                    && self.chars[pos + 1].is_ascii_digit();
                if two_digits {
                    // Place "00".."99" in the 100 years starting 80 years ago.
                    let start_year = self.century_start_year;
                    let ambiguous = start_year.rem_euclid(100);
                    *self.ambiguous_year = value == ambiguous;
                    value +=
                        start_year.div_euclid(100) * 100 + if value < ambiguous { 100 } else { 0 };
                }
                let field = if letter == Letter::Year {
                    Field::Year
                } else {
                    Field::WeekYear
                };
                self.fields.set(field, value);
                Ok(end)
            }
            Letter::Month | Letter::MonthStandalone if count <= 2 => {
                let (value, end) = number().ok_or(pos)?;
                self.fields.set(Field::Month, value - 1);
                Ok(end)
            }
            Letter::Month | Letter::MonthStandalone => {
                self.match_names(pos, Field::Month, &[&MONTHS, &SHORT_MONTHS])
            }
            Letter::DayName => {
                // Names index from Sunday = 1, as `Calendar.DAY_OF_WEEK`.
                let end = self.match_names(pos, Field::DayOfWeek, &[&WEEKDAYS, &SHORT_WEEKDAYS])?;
                let v = self.fields.get(Field::DayOfWeek);
                self.fields.set(Field::DayOfWeek, v + 1);
                Ok(end)
            }
            Letter::AmPm => self.match_names(pos, Field::AmPm, &[&AM_PM]),
            Letter::HourOfDay1 => {
                // `k`: 24 is midnight.
                let (value, end) = number().ok_or(pos)?;
                self.fields
                    .set(Field::HourOfDay, if value == 24 { 0 } else { value });
                Ok(end)
            }
            Letter::Hour1 => {
                // `h`: 12 is the start of the half day.
                let (value, end) = number().ok_or(pos)?;
                self.fields
                    .set(Field::Hour, if value == 12 { 0 } else { value });
                Ok(end)
            }
            Letter::IsoDayOfWeek => {
                let (value, end) = number().ok_or(pos)?;
                // ISO Monday = 1 .. Sunday = 7 to Calendar Sunday = 1 .. Saturday = 7.
                let dow = match value {
                    7 => 1,
                    1..=6 => value + 1,
                    other => other,
                };
                self.fields.set(Field::DayOfWeek, dow);
                Ok(end)
            }
            Letter::ZoneName | Letter::ZoneRfc822 => self.parse_zone(pos),
            Letter::ZoneIso => self.parse_iso_zone(pos, count),
            Letter::WeekOfYear
            | Letter::WeekOfMonth
            | Letter::DayOfYear
            | Letter::DayOfMonth
            | Letter::DayOfWeekInMonth
            | Letter::HourOfDay0
            | Letter::Hour0
            | Letter::Minute
            | Letter::Second
            | Letter::Millisecond => {
                let field = match letter {
                    Letter::WeekOfYear => Field::WeekOfYear,
                    Letter::WeekOfMonth => Field::WeekOfMonth,
                    Letter::DayOfYear => Field::DayOfYear,
                    Letter::DayOfMonth => Field::DayOfMonth,
                    Letter::DayOfWeekInMonth => Field::DayOfWeekInMonth,
                    Letter::HourOfDay0 => Field::HourOfDay,
                    Letter::Hour0 => Field::Hour,
                    Letter::Minute => Field::Minute,
                    Letter::Second => Field::Second,
                    _ => Field::Millisecond,
                };
                let (value, end) = number().ok_or(pos)?;
                self.fields.set(field, value);
                Ok(end)
            }
        }
    }

    /// `SimpleDateFormat.matchString`: the longest name (case-insensitive) from the first table
    /// that has a match; the field is set to the name's index.
    fn match_names(
        &mut self,
        pos: usize,
        field: Field,
        tables: &[&[&str]],
    ) -> Result<usize, usize> {
        for table in tables {
            let mut best: Option<(usize, usize)> = None;
            for (index, name) in table.iter().enumerate() {
                let len = name.chars().count();
                if best.is_some_and(|(_, l)| l >= len) {
                    continue;
                }
                if self.region_matches(pos, name) {
                    best = Some((index, len));
                }
            }
            if let Some((index, len)) = best {
                self.fields.set(field, index as i64);
                return Ok(pos + len);
            }
        }
        Err(pos)
    }

    fn region_matches(&self, pos: usize, name: &str) -> bool {
        let mut i = pos;
        for n in name.chars() {
            match self.chars.get(i) {
                Some(c) if c.to_lowercase().eq(n.to_lowercase()) => i += 1,
                _ => return false,
            }
        }
        true
    }

    /// `z` and `Z`: `+hhmm` / `-hhmm`, `GMT` with an optional `+h[h][:mm]`, or a zone name.
    fn parse_zone(&mut self, pos: usize) -> Result<usize, usize> {
        match self.chars.get(pos) {
            Some('+') => return self.numeric_zone(pos + 1, 1, 0, false),
            Some('-') => return self.numeric_zone(pos + 1, -1, 0, false),
            _ => {}
        }
        if self.region_matches(pos, "GMT") {
            let after = pos + 3;
            return match self.chars.get(after) {
                Some('+') => self.numeric_zone(after + 1, 1, 0, true),
                Some('-') => self.numeric_zone(after + 1, -1, 0, true),
                _ => {
                    self.fields.set(Field::ZoneOffset, 0);
                    Ok(after)
                }
            };
        }
        // Only the names of UTC itself are known: Ferry has no time zone database.
        for name in [
            "Coordinated Universal Time",
            "Greenwich Mean Time",
            "UTC",
            "UT",
        ] {
            if self.region_matches(pos, name) {
                self.fields.set(Field::ZoneOffset, 0);
                return Ok(pos + name.chars().count());
            }
        }
        Err(pos)
    }

    /// `X`: `Z`, or `+hh` (X), `+hhmm` (XX), `+hh:mm` (XXX).
    fn parse_iso_zone(&mut self, pos: usize, count: usize) -> Result<usize, usize> {
        let sign = match self.chars.get(pos) {
            Some('Z') => {
                self.fields.set(Field::ZoneOffset, 0);
                return Ok(pos + 1);
            }
            Some('+') => 1,
            Some('-') => -1,
            _ => return Err(pos + 1),
        };
        self.numeric_zone(pos + 1, sign, count, count == 3)
    }

    /// `SimpleDateFormat.subParseNumericZone`: hours (two digits unless `colon` allows one), then
    /// minutes unless `count` is 1, with a colon between when `colon` is set.
    fn numeric_zone(
        &mut self,
        start: usize,
        sign: i64,
        count: usize,
        colon: bool,
    ) -> Result<usize, usize> {
        let digit = |i: usize| {
            self.chars
                .get(i)
                .and_then(|c| c.to_digit(10))
                .map(i64::from)
        };
        let mut i = start;
        let mut hours = digit(i).ok_or(i)?;
        i += 1;
        match digit(i) {
            Some(d) => {
                hours = hours * 10 + d;
                i += 1;
            }
            None if count > 0 || !colon => return Err(i),
            None => {}
        }
        if hours > 23 {
            return Err(i);
        }
        let mut minutes = 0;
        if count != 1 {
            if colon {
                if self.chars.get(i) != Some(&':') {
                    return Err(i);
                }
                i += 1;
            }
            let tens = digit(i).ok_or(i)?;
            let ones = digit(i + 1).ok_or(i + 1)?;
            minutes = tens * 10 + ones;
            i += 2;
            if minutes > 59 {
                return Err(i);
            }
        }
        self.fields
            .set(Field::ZoneOffset, sign * (hours * 60 + minutes) * 60_000);
        Ok(i)
    }
}

/// Java's integer `DecimalFormat.parse` (no grouping): an optional `-` and ASCII digits, read up to
/// `limit`. The value wraps to an `int` as `Number.intValue()` does.
fn parse_number(chars: &[char], pos: usize, limit: usize) -> Option<(i64, usize)> {
    let mut i = pos;
    let negative = chars.get(i) == Some(&'-') && i < limit;
    if negative {
        i += 1;
    }
    let digits_start = i;
    let mut value: i64 = 0;
    while i < limit {
        match chars.get(i).and_then(|c| c.to_digit(10)) {
            Some(d) => {
                value = value.wrapping_mul(10).wrapping_add(i64::from(d));
                i += 1;
            }
            None => break,
        }
    }
    if i == digits_start {
        return None;
    }
    let value = if negative { -value } else { value };
    Some((i64::from(value as i32), i))
}
