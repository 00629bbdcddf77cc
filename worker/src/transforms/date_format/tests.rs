use super::*;

/// 2001-07-04T12:08:56.235Z, the instant of the examples in Java's `SimpleDateFormat` docs.
const JULY_4_2001: i64 = 994_248_536_235;
/// 2024-06-01T00:00:00Z, a fixed "now" for two-digit years.
const JUNE_1_2024: i64 = 1_717_200_000_000;

fn fmt(pattern: &str, ms: i64) -> String {
    DateFormat::new(pattern).unwrap().format(ms)
}

fn parse(pattern: &str, text: &str) -> Result<i64, ParseError> {
    DateFormat::with_now(pattern, JUNE_1_2024)
        .unwrap()
        .parse(text)
}

fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ms: i64) -> i64 {
    crate::data::java_fmt::days_from_civil(y, mo, d) * 86_400_000
        + ((h * 60 + mi) * 60 + s) * 1000
        + ms
}

#[test]
fn formats_the_java_doc_examples() {
    let cases = [
        (
            "yyyy.MM.dd G 'at' HH:mm:ss z",
            "2001.07.04 AD at 12:08:56 UTC",
        ),
        ("EEE, MMM d, ''yy", "Wed, Jul 4, '01"),
        ("h:mm a", "12:08 PM"),
        (
            "hh 'o''clock' a, zzzz",
            "12 o'clock PM, Coordinated Universal Time",
        ),
        ("K:mm a, z", "0:08 PM, UTC"),
        ("yyyyy.MMMMM.dd GGG hh:mm aaa", "02001.July.04 AD 12:08 PM"),
        (
            "EEE, d MMM yyyy HH:mm:ss Z",
            "Wed, 4 Jul 2001 12:08:56 +0000",
        ),
        ("yyMMddHHmmssZ", "010704120856+0000"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2001-07-04T12:08:56.235+0000"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2001-07-04T12:08:56.235Z"),
        ("YYYY-'W'ww-u", "2001-W27-3"),
        ("EEEE MMMM LLL L", "Wednesday July Jul 7"),
        ("D F W w k K", "185 1 1 27 12 0"),
        ("S SS SSSS", "235 235 0235"),
        ("X XX", "Z Z"),
    ];
    for (pattern, want) in cases {
        assert_eq!(fmt(pattern, JULY_4_2001), want, "{pattern}");
    }
}

#[test]
fn formats_epoch_edges_and_dates_before_1970() {
    assert_eq!(fmt("yyyy-MM-dd HH:mm:ss.SSS", 0), "1970-01-01 00:00:00.000");
    assert_eq!(
        fmt("yyyy-MM-dd HH:mm:ss.SSS", -1),
        "1969-12-31 23:59:59.999"
    );
    assert_eq!(fmt("EEEE", 0), "Thursday");
    // Midnight is hour 24 for `k` and 12 for `h`.
    assert_eq!(fmt("k h a", 0), "24 12 AM");
    assert_eq!(fmt("yyyyMMdd", utc(1900, 3, 1, 0, 0, 0, 0)), "19000301");
    // Leap day and year end.
    assert_eq!(
        fmt("yyyy-MM-dd D", utc(2024, 2, 29, 0, 0, 0, 0)),
        "2024-02-29 60"
    );
    assert_eq!(
        fmt("yyyy-MM-dd D", utc(2024, 12, 31, 0, 0, 0, 0)),
        "2024-12-31 366"
    );
    // 2024-12-31 is a Tuesday in the week that holds 2025-01-01: week 1 of week year 2025.
    assert_eq!(
        fmt("YYYY ww yyyy", utc(2024, 12, 31, 0, 0, 0, 0)),
        "2025 01 2024"
    );
    // Java switches to the Julian calendar before 1582-10-15.
    assert_eq!(fmt("yyyy-MM-dd", -12_219_292_800_000), "1582-10-15");
    assert_eq!(fmt("yyyy-MM-dd", -12_219_292_800_001), "1582-10-04");
    // Year 0 of the astronomical count is 1 BC.
    assert_eq!(fmt("yyyy G", utc(0, 7, 1, 0, 0, 0, 0)), "0001 BC");
    assert_eq!(fmt("yyyy G", utc(-1, 7, 1, 0, 0, 0, 0)), "0002 BC");
    assert_eq!(fmt("yyyy G", utc(1, 7, 1, 0, 0, 0, 0)), "0001 AD");
}

#[test]
fn two_letter_years_keep_the_last_two_digits() {
    assert_eq!(fmt("yy", utc(2024, 1, 1, 0, 0, 0, 0)), "24");
    assert_eq!(fmt("yy", utc(1905, 1, 1, 0, 0, 0, 0)), "05");
    assert_eq!(fmt("y", utc(1905, 1, 1, 0, 0, 0, 0)), "1905");
    assert_eq!(fmt("yyy", utc(905, 1, 1, 0, 0, 0, 0)).len(), 3);
}

#[test]
fn bad_patterns_name_the_problem() {
    assert_eq!(
        DateFormat::new("yyyy-MM-dd x").unwrap_err().message(),
        "Illegal pattern character 'x'"
    );
    let e = DateFormat::new("qq").unwrap_err();
    assert_eq!(
        e.java_string(),
        "java.lang.IllegalArgumentException: Illegal pattern character 'q'"
    );
    assert_eq!(
        DateFormat::new("yyyy 'open").unwrap_err().to_string(),
        "Unterminated quote"
    );
    assert_eq!(
        DateFormat::new("XXXX").unwrap_err().to_string(),
        "invalid ISO 8601 format: length=4"
    );
    // Quoted letters are literal and non-letters need no quotes.
    assert!(DateFormat::new("'x' # [] yyyy").is_ok());
    assert_eq!(fmt("'x' # [] yyyy", 0), "x # [] 1970");
    assert_eq!(DateFormat::new("yyyyMMdd").unwrap().pattern(), "yyyyMMdd");
}

#[test]
fn parsing_accepts_what_formatting_produces() {
    let patterns = [
        "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "yyyy-MM-dd HH:mm:ss.SSS z",
        "yyyy-MM-dd HH:mm:ss.SSS zzzz",
        "yyyyMMddHHmmssSSS",
        "EEE, d MMM yyyy HH:mm:ss.SSS Z",
        "EEEE, MMMM dd, yyyy hh:mm:ss.SSS a",
        "yyyy.DDD kk:mm:ss.SSS",
        "G yyyy-MM-dd KK:mm:ss.SSS a X",
    ];
    let instants = [
        0,
        -1,
        JULY_4_2001,
        utc(1969, 7, 20, 20, 17, 40, 0),
        utc(2024, 2, 29, 23, 59, 59, 999),
        utc(1900, 1, 1, 0, 0, 0, 1),
        utc(9999, 12, 31, 12, 0, 0, 0),
        // Both sides of the Julian/Gregorian switch, and the first century.
        -12_219_292_800_000,
        -12_219_292_800_001,
        utc(1000, 6, 15, 6, 30, 0, 0),
        utc(45, 3, 15, 1, 2, 3, 4),
    ];
    for pattern in patterns {
        let f = DateFormat::new(pattern).unwrap();
        for ms in instants {
            let text = f.format(ms);
            assert_eq!(f.parse(&text), Ok(ms), "{pattern} on {text}");
        }
    }
}

#[test]
fn parsing_rolls_over_like_a_lenient_calendar() {
    assert_eq!(
        parse("yyyy-MM-dd", "2024-02-30"),
        Ok(utc(2024, 3, 1, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yyyy-MM-dd", "2024-13-01"),
        Ok(utc(2025, 1, 1, 0, 0, 0, 0))
    );
    assert_eq!(parse("HH:mm", "25:61"), Ok(utc(1970, 1, 2, 2, 1, 0, 0)));
    // `SSS` reads a whole number of milliseconds, not a fraction.
    assert_eq!(parse("HH:mm:ss.SSS", "00:00:00.1234"), Ok(1234));
    assert_eq!(parse("HH:mm:ss.SSS", "00:00:00.5"), Ok(5));
    // Unset fields default to the epoch; text after the pattern is ignored.
    assert_eq!(parse("yyyy", "2001"), Ok(utc(2001, 1, 1, 0, 0, 0, 0)));
    assert_eq!(
        parse("yyyy-MM-dd", "2024-01-31T10:00"),
        Ok(utc(2024, 1, 31, 0, 0, 0, 0))
    );
    // Spaces before a field are skipped; names are matched case-insensitively.
    assert_eq!(
        parse("MMM d, yyyy", "FEB   3, 2024"),
        Ok(utc(2024, 2, 3, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("MMM d yyyy", "february 3 2024"),
        Ok(utc(2024, 2, 3, 0, 0, 0, 0))
    );
    // The day name is overruled by the day of month parsed after it.
    assert_eq!(
        parse("EEE, dd MMM yyyy", "Mon, 04 Jul 2001"),
        Ok(utc(2001, 7, 4, 0, 0, 0, 0))
    );
    assert_eq!(parse("-yyyy", "-2001").map(|_| ()), Ok(()));
}

#[test]
fn abutting_numbers_obey_the_count() {
    assert_eq!(
        parse("yyyyMMdd", "20240131"),
        Ok(utc(2024, 1, 31, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yyyyMMddHHmm", "202401311015"),
        Ok(utc(2024, 1, 31, 10, 15, 0, 0))
    );
    // The last field is not limited.
    assert_eq!(parse("MMdd", "01310"), Ok(utc(1970, 1, 310, 0, 0, 0, 0)));
    assert!(parse("yyyyMMdd", "2024013").is_ok());
    assert!(parse("yyyyMMdd", "202401").is_err());
}

#[test]
fn parses_hours_with_am_pm_and_one_based_clocks() {
    assert_eq!(
        parse("hh:mm a", "12:30 AM"),
        Ok(utc(1970, 1, 1, 0, 30, 0, 0))
    );
    assert_eq!(
        parse("hh:mm a", "12:30 PM"),
        Ok(utc(1970, 1, 1, 12, 30, 0, 0))
    );
    assert_eq!(
        parse("hh:mm a", "01:30 pm"),
        Ok(utc(1970, 1, 1, 13, 30, 0, 0))
    );
    assert_eq!(parse("kk:mm", "24:00"), Ok(0));
    assert_eq!(
        parse("KK:mm a", "11:00 PM"),
        Ok(utc(1970, 1, 1, 23, 0, 0, 0))
    );
}

#[test]
fn parses_zones_and_applies_their_offsets() {
    let ten_utc = utc(2024, 1, 1, 10, 0, 0, 0);
    assert_eq!(
        parse("yyyy-MM-dd'T'HH:mmXXX", "2024-01-01T12:00+02:00"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd'T'HH:mmXX", "2024-01-01T08:30-0130"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd'T'HH:mmX", "2024-01-01T11:00+01"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd'T'HH:mmX", "2024-01-01T10:00Z"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd HH:mm Z", "2024-01-01 05:00 -0500"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd HH:mm z", "2024-01-01 15:30 GMT+05:30"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd HH:mm z", "2024-01-01 10:00 gmt"),
        Ok(ten_utc)
    );
    assert_eq!(
        parse("yyyy-MM-dd HH:mm z", "2024-01-01 10:00 UTC"),
        Ok(ten_utc)
    );
    // Two hour digits are required without a colon; XXX requires the colon.
    assert!(parse("HH:mm Z", "10:00 +1").is_err());
    assert!(parse("HH:mmXXX", "10:00+0100").is_err());
    assert!(parse("HH:mm z", "10:00 Mars/Olympus").is_err());
}

#[test]
fn two_digit_years_fall_in_the_window_from_eighty_years_ago() {
    // "Now" is 2024-06-01, so the window starts 1944-06-01.
    assert_eq!(
        parse("yy-MM-dd", "45-01-01"),
        Ok(utc(1945, 1, 1, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yy-MM-dd", "43-01-01"),
        Ok(utc(2043, 1, 1, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yy-MM-dd", "44-01-01"),
        Ok(utc(2044, 1, 1, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yy-MM-dd", "44-12-01"),
        Ok(utc(1944, 12, 1, 0, 0, 0, 0))
    );
    // Other digit counts are taken literally.
    assert_eq!(
        parse("yy-MM-dd", "2044-01-01"),
        Ok(utc(2044, 1, 1, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yyyy-MM-dd", "44-01-01"),
        Ok(utc(44, 1, 1, 0, 0, 0, 0) - 2 * 86_400_000)
    );
}

#[test]
fn parses_week_dates_and_day_of_year() {
    assert_eq!(
        parse("YYYY-'W'ww-u", "2001-W27-3"),
        Ok(utc(2001, 7, 4, 0, 0, 0, 0))
    );
    // Java's well-known trap: a week year without a week means week 1's first day.
    assert_eq!(
        parse("YYYY-MM-dd", "2024-03-15"),
        Ok(utc(2023, 12, 31, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yyyy DDD", "2024 060"),
        Ok(utc(2024, 2, 29, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("yyyy-MM F E", "2024-03 2 Fri"),
        Ok(utc(2024, 3, 8, 0, 0, 0, 0))
    );
    assert_eq!(
        parse("G yyyy", "BC 1").map(|ms| fmt("yyyy G", ms)),
        Ok("0001 BC".to_string())
    );
}

#[test]
fn unparseable_text_reports_java_message() {
    let e = parse("yyyy-MM-dd", "2024/01/01").unwrap_err();
    assert_eq!(e.to_string(), "Unparseable date: \"2024/01/01\"");
    assert_eq!(e.error_index, 4);
    assert!(parse("yyyy-MM-dd", "").is_err());
    assert!(parse("MMM", "Foo").is_err());
    assert!(parse("yyyy-MM-dd", "2024-01-").is_err());
}

/// JDK 17 stops a number at its letter count only when a numeric field follows it; before a text
/// field or a zone the number takes every digit. So microseconds under `SSS` are read as that
/// many milliseconds (Kafka's well-known skew), and `dMMMyyyy` reads a two-digit day.
#[test]
fn a_number_before_a_text_field_or_zone_takes_every_digit() {
    assert_eq!(
        parse(
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "2024-01-15T10:00:00.123456+01:00"
        )
        .unwrap(),
        utc(2024, 1, 15, 9, 0, 0, 0) + 123_456
    );
    assert_eq!(
        parse("dMMMyyyy", "15Jan2024").unwrap(),
        utc(2024, 1, 15, 0, 0, 0, 0)
    );
    // Before a numeric field the count still holds.
    assert_eq!(
        parse("yyyyMMdd", "20240131").unwrap(),
        utc(2024, 1, 31, 0, 0, 0, 0)
    );
    assert_eq!(
        parse("HHmmss", "235959").unwrap(),
        utc(1970, 1, 1, 23, 59, 59, 0)
    );
}
