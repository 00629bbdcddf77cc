//! A `java.text.SimpleDateFormat` work-alike, fixed to the UTC time zone and English symbols.
//!
//! TimestampConverter and TimestampRouter take user patterns in `SimpleDateFormat` syntax and force
//! UTC (spec §4.2, §11), so Ferry needs Java's pattern language, count rules and lenient parser
//! rather than `strftime`. Dates use Java's default calendar: Julian before 1582-10-15, Gregorian
//! after, with the `en_US` week rules (weeks start on Sunday, week 1 holds January 1st).
//!
//! Letters: `G y Y M L w W D d F E u a H k K h m s S z Z X`. Text between single quotes is literal
//! and `''` is a quote; any other non-letter is literal. An unknown letter fails like Java:
//! `Illegal pattern character 'x'`.

mod calendar;
mod format;
mod parse;
mod resolve;
#[cfg(test)]
mod tests;

use std::fmt;

/// Why a pattern was rejected: the message of Java's `IllegalArgumentException`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(String);

impl PatternError {
    pub fn message(&self) -> &str {
        &self.0
    }

    /// The exception as Java's `Throwable.toString()` prints it, which Kafka embeds in some errors.
    pub fn java_string(&self) -> String {
        format!("java.lang.IllegalArgumentException: {}", self.0)
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

/// Java's `ParseException` from `DateFormat.parse(String)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unparseable date: \"{text}\"")]
pub struct ParseError {
    pub text: String,
    /// The index (in chars) where parsing stopped, Java's `getErrorOffset()`.
    pub error_index: usize,
}

/// A pattern letter, by the calendar field it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Letter {
    Era,
    Year,
    WeekYear,
    Month,
    MonthStandalone,
    WeekOfYear,
    WeekOfMonth,
    DayOfYear,
    DayOfMonth,
    DayOfWeekInMonth,
    DayName,
    IsoDayOfWeek,
    AmPm,
    HourOfDay0,
    HourOfDay1,
    Hour0,
    Hour1,
    Minute,
    Second,
    Millisecond,
    ZoneName,
    ZoneRfc822,
    ZoneIso,
}

impl Letter {
    fn from_char(c: char) -> Option<Letter> {
        Some(match c {
            'G' => Letter::Era,
            'y' => Letter::Year,
            'Y' => Letter::WeekYear,
            'M' => Letter::Month,
            'L' => Letter::MonthStandalone,
            'w' => Letter::WeekOfYear,
            'W' => Letter::WeekOfMonth,
            'D' => Letter::DayOfYear,
            'd' => Letter::DayOfMonth,
            'F' => Letter::DayOfWeekInMonth,
            'E' => Letter::DayName,
            'u' => Letter::IsoDayOfWeek,
            'a' => Letter::AmPm,
            'H' => Letter::HourOfDay0,
            'k' => Letter::HourOfDay1,
            'K' => Letter::Hour0,
            'h' => Letter::Hour1,
            'm' => Letter::Minute,
            's' => Letter::Second,
            'S' => Letter::Millisecond,
            'z' => Letter::ZoneName,
            'Z' => Letter::ZoneRfc822,
            'X' => Letter::ZoneIso,
            _ => return None,
        })
    }
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(Vec<char>),
    Field { letter: Letter, count: usize },
}

/// A compiled pattern. Immutable, so one instance can serve every thread (Java needs a lock or a
/// thread-local because its formatter keeps a mutable calendar).
#[derive(Debug, Clone)]
pub struct DateFormat {
    pattern: String,
    items: Vec<Item>,
    /// Java's `defaultCenturyStart`: 80 years before construction; two-digit years are placed in
    /// the century that starts here.
    century_start_ms: i64,
}

impl DateFormat {
    /// Compiles `pattern` as `new SimpleDateFormat(pattern)` does.
    pub fn new(pattern: &str) -> Result<Self, PatternError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Self::with_now(pattern, now)
    }

    /// [`DateFormat::new`] as if constructed at `now_ms`, so two-digit-year parsing is testable.
    pub fn with_now(pattern: &str, now_ms: i64) -> Result<Self, PatternError> {
        Ok(DateFormat {
            pattern: pattern.to_string(),
            items: compile(pattern)?,
            century_start_ms: calendar::add_years(now_ms, -80),
        })
    }

    /// The pattern as given (`toPattern()`).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Formats epoch milliseconds in UTC.
    pub fn format(&self, millis: i64) -> String {
        format::format(&self.items, millis)
    }

    /// Parses `text` leniently as `DateFormat.parse(String)`: text after the last pattern element
    /// is ignored, as in Java.
    pub fn parse(&self, text: &str) -> Result<i64, ParseError> {
        parse::parse(&self.items, text, self.century_start_ms)
    }
}

/// `SimpleDateFormat.compile`: splits the pattern into runs of one letter and literal text.
fn compile(pattern: &str) -> Result<Vec<Item>, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut items = Vec::new();
    let mut literal: Vec<char> = Vec::new();
    let mut run: Option<(char, usize)> = None;
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            flush_run(&mut run, &mut literal, &mut items)?;
            if chars.get(i + 1) == Some(&'\'') {
                // A doubled quote is one literal quote, inside or outside quoted text.
                literal.push('\'');
                i += 2;
                continue;
            }
            in_quote = !in_quote;
        } else if in_quote || !c.is_ascii_alphabetic() {
            flush_run(&mut run, &mut literal, &mut items)?;
            literal.push(c);
        } else {
            if Letter::from_char(c).is_none() {
                return Err(PatternError(format!("Illegal pattern character '{c}'")));
            }
            match &mut run {
                Some((letter, count)) if *letter == c => *count += 1,
                _ => {
                    flush_run(&mut run, &mut literal, &mut items)?;
                    flush_literal(&mut literal, &mut items);
                    run = Some((c, 1));
                }
            }
        }
        i += 1;
    }
    if in_quote {
        return Err(PatternError("Unterminated quote".to_string()));
    }
    flush_run(&mut run, &mut literal, &mut items)?;
    flush_literal(&mut literal, &mut items);
    Ok(items)
}

fn flush_literal(literal: &mut Vec<char>, items: &mut Vec<Item>) {
    if !literal.is_empty() {
        items.push(Item::Literal(std::mem::take(literal)));
    }
}

fn flush_run(
    run: &mut Option<(char, usize)>,
    literal: &mut Vec<char>,
    items: &mut Vec<Item>,
) -> Result<(), PatternError> {
    let Some((c, count)) = run.take() else {
        return Ok(());
    };
    flush_literal(literal, items);
    let letter = Letter::from_char(c)
        .ok_or_else(|| PatternError(format!("Illegal pattern character '{c}'")))?;
    if letter == Letter::ZoneIso && count >= 4 {
        return Err(PatternError(format!(
            "invalid ISO 8601 format: length={count}"
        )));
    }
    items.push(Item::Field { letter, count });
    Ok(())
}
