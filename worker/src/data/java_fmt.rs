//! Java's text forms of numbers and dates, reproduced on purpose (spec §11).
//!
//! Kafka Connect writes floats with `Double.toString` / `Float.toString` (JsonConverter via Jackson,
//! StringConverter, SimpleHeaderConverter, FileStreamSink) and dates with `java.util.Date.toString` or
//! `SimpleDateFormat`. Rust's own formatting differs (`1e10`, `0.0001`), so these functions rebuild
//! Java's layout from Rust's shortest round-trip digits. None of them allocates beyond `out`.

use std::fmt::Write as _;

/// A small stack buffer for `write!`, so formatting a float never allocates.
struct StackBuf {
    buf: [u8; 64],
    len: usize,
}

impl StackBuf {
    fn new() -> Self {
        StackBuf {
            buf: [0; 64],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        // Only ASCII from float formatting is ever written here.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends Java's `Double.toString(x)`: shortest round-trip digits, plain notation for
/// `1e-3 <= |x| < 1e7` (`12.34`, `1.0`), computerized scientific otherwise (`1.0E10`, `1.0E-5`).
pub fn write_double<W: std::fmt::Write + ?Sized>(x: f64, out: &mut W) {
    if !write_special(x.is_nan(), x.is_infinite(), x.is_sign_negative(), out) {
        return;
    }
    let mut buf = StackBuf::new();
    // `{:e}` gives the shortest digits that round-trip, as Java (JDK 19+) does.
    if write!(buf, "{x:e}").is_err() {
        return;
    }
    // Java picks, among the shortest candidates of length 1, the closest of length 2 when that is
    // nearer: this only differs for subnormals (e.g. `4.9E-324`, where Rust says `5e-324`).
    if x != 0.0 && x.abs() < f64::MIN_POSITIVE && digit_count(buf.as_str()) == 1 {
        let mut two = StackBuf::new();
        if write!(two, "{x:.1e}").is_ok() && two.as_str().parse::<f64>() == Ok(x) {
            buf = two;
        }
    }
    write_java_layout(buf.as_str(), out);
}

/// Appends Java's `Float.toString(x)`, the `f32` counterpart of [`write_double`].
pub fn write_float<W: std::fmt::Write + ?Sized>(x: f32, out: &mut W) {
    if !write_special(x.is_nan(), x.is_infinite(), x.is_sign_negative(), out) {
        return;
    }
    let mut buf = StackBuf::new();
    if write!(buf, "{x:e}").is_err() {
        return;
    }
    if x != 0.0 && x.abs() < f32::MIN_POSITIVE && digit_count(buf.as_str()) == 1 {
        let mut two = StackBuf::new();
        if write!(two, "{x:.1e}").is_ok() && two.as_str().parse::<f32>() == Ok(x) {
            buf = two;
        }
    }
    write_java_layout(buf.as_str(), out);
}

/// `Double.toString(x)` as a new string.
pub fn double_to_string(x: f64) -> String {
    let mut s = String::with_capacity(24);
    write_double(x, &mut s);
    s
}

/// `Float.toString(x)` as a new string.
pub fn float_to_string(x: f32) -> String {
    let mut s = String::with_capacity(16);
    write_float(x, &mut s);
    s
}

/// Writes `NaN` / `Infinity` / `-Infinity`; returns whether the number is finite (and still to write).
fn write_special<W: std::fmt::Write + ?Sized>(
    nan: bool,
    infinite: bool,
    negative: bool,
    out: &mut W,
) -> bool {
    if nan {
        let _ = out.write_str("NaN");
        false
    } else if infinite {
        let _ = out.write_str(if negative { "-Infinity" } else { "Infinity" });
        false
    } else {
        true
    }
}

fn digit_count(sci: &str) -> usize {
    let mantissa = sci.split('e').next().unwrap_or("");
    mantissa.bytes().filter(u8::is_ascii_digit).count()
}

/// Turns Rust's `[-]d[.ddd]e[-]N` into Java's layout.
fn write_java_layout<W: std::fmt::Write + ?Sized>(sci: &str, out: &mut W) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (lead, rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if negative {
        let _ = out.write_char('-');
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            // Integer part: the leading digit plus `exp` more, padded with zeros.
            let exp = exp as usize;
            let _ = out.write_str(lead);
            let taken = rest.len().min(exp);
            let _ = out.write_str(&rest[..taken]);
            for _ in taken..exp {
                let _ = out.write_char('0');
            }
            let _ = out.write_char('.');
            let frac = &rest[taken..];
            let _ = out.write_str(if frac.is_empty() { "0" } else { frac });
        } else {
            let _ = out.write_str("0.");
            for _ in 1..(-exp) {
                let _ = out.write_char('0');
            }
            let _ = out.write_str(lead);
            let _ = out.write_str(rest);
        }
    } else {
        let _ = out.write_str(lead);
        let _ = out.write_char('.');
        let _ = out.write_str(if rest.is_empty() { "0" } else { rest });
        let _ = out.write_char('E');
        let _ = write!(out, "{exp}");
    }
}

/// A broken-down UTC instant on Java's default (hybrid Julian/Gregorian) calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
    /// 0 = Sunday .. 6 = Saturday
    pub weekday: u32,
}

/// The first instant of the Gregorian calendar in Java's `GregorianCalendar` (1582-10-15), in ms.
const GREGORIAN_CUTOVER_MS: i64 = -12_219_292_800_000;

/// Breaks epoch milliseconds into UTC calendar fields as `java.util.GregorianCalendar` does: Julian
/// calendar before 1582-10-15, Gregorian from then on.
pub fn civil_from_millis(ms: i64) -> CivilTime {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = if ms < GREGORIAN_CUTOVER_MS {
        julian_from_days(days)
    } else {
        gregorian_from_days(days)
    };
    CivilTime {
        year,
        month,
        day,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1000 % 60) as u32,
        millis: (in_day % 1000) as u32,
        weekday: (days + 4).rem_euclid(7) as u32,
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn gregorian_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 to a Julian-calendar (year, month, day).
fn julian_from_days(days: i64) -> (i64, u32, u32) {
    let c = days + 2_440_588 + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = (e - (153 * m + 2).div_euclid(5) + 1) as u32;
    let month = (m + 3 - 12 * (m / 10)) as u32;
    let year = d - 4800 + m / 10;
    (year, month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date; month and day may be out of range and roll
/// over, as a lenient `Calendar` does.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year + (month - 1).div_euclid(12);
    let month = (month - 1).rem_euclid(12) + 1;
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (day - 1)
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Appends `java.util.Date.toString()` for a JVM running in UTC: `Thu Jan 01 00:00:00 UTC 1970`.
pub fn write_java_date(ms: i64, out: &mut String) {
    let t = civil_from_millis(ms);
    let _ = write!(
        out,
        "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
        WEEKDAYS[t.weekday as usize % 7],
        MONTHS[(t.month as usize + 11) % 12],
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.year
    );
}

/// Appends `SimpleDateFormat("yyyy-MM-dd")` (UTC).
pub fn write_iso_date(ms: i64, out: &mut String) {
    let t = civil_from_millis(ms);
    write_year(t.year, out);
    let _ = write!(out, "-{:02}-{:02}", t.month, t.day);
}

/// Appends `SimpleDateFormat("HH:mm:ss.SSS'Z'")` (UTC).
pub fn write_iso_time(ms: i64, out: &mut String) {
    let t = civil_from_millis(ms);
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:03}Z",
        t.hour, t.minute, t.second, t.millis
    );
}

/// Appends `SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")` (UTC).
pub fn write_iso_timestamp(ms: i64, out: &mut String) {
    write_iso_date(ms, out);
    out.push('T');
    write_iso_time(ms, out);
}

/// `yyyy` pads to four digits; years before 1 AD print as era years in Java, which we do not model.
fn write_year(year: i64, out: &mut String) {
    let _ = write!(out, "{year:04}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_match_java() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (12.34, "12.34"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1e10, "1.0E10"),
            (1e-5, "1.0E-5"),
            (1e-4, "1.0E-4"),
            (-1.5e7, "-1.5E7"),
            (1e7, "1.0E7"),
            (9_999_999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (123_456.789, "123456.789"),
            (1.234_567_8e-7, "1.2345678E-7"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (4.9e-324, "4.9E-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (12.24, "12.24"),
            (2e-3, "0.002"),
        ];
        for (x, want) in cases {
            assert_eq!(double_to_string(*x), *want, "{x:e}");
        }
    }

    #[test]
    fn floats_match_java() {
        let cases: &[(f32, &str)] = &[
            (1.0, "1.0"),
            (12.34, "12.34"),
            (0.1, "0.1"),
            (1e10, "1.0E10"),
            (3.4028235e38, "3.4028235E38"),
            (1.4e-45, "1.4E-45"),
            (-2.5e-4, "-2.5E-4"),
            (f32::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(float_to_string(*x), *want, "{x:e}");
        }
    }

    #[test]
    fn java_date_to_string() {
        let mut s = String::new();
        write_java_date(0, &mut s);
        assert_eq!(s, "Thu Jan 01 00:00:00 UTC 1970");
        s.clear();
        // 2024-02-29T13:45:06.789Z was a Thursday.
        write_java_date(1_709_214_306_789, &mut s);
        assert_eq!(s, "Thu Feb 29 13:45:06 UTC 2024");
        s.clear();
        write_java_date(-1, &mut s);
        assert_eq!(s, "Wed Dec 31 23:59:59 UTC 1969");
    }

    #[test]
    fn julian_before_cutover() {
        // The day before the Gregorian cutover is Julian 1582-10-04.
        let t = civil_from_millis(GREGORIAN_CUTOVER_MS - 1);
        assert_eq!((t.year, t.month, t.day), (1582, 10, 4));
        let t = civil_from_millis(GREGORIAN_CUTOVER_MS);
        assert_eq!((t.year, t.month, t.day), (1582, 10, 15));
    }

    #[test]
    fn iso_formats_and_lenient_days() {
        let mut s = String::new();
        write_iso_timestamp(1_709_214_306_789, &mut s);
        assert_eq!(s, "2024-02-29T13:45:06.789Z");
        s.clear();
        write_iso_time(45_296_789, &mut s);
        assert_eq!(s, "12:34:56.789Z");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
        // Month 13 rolls into the next year, day 0 into the previous month.
        assert_eq!(days_from_civil(2023, 13, 1), days_from_civil(2024, 1, 1));
        assert_eq!(days_from_civil(2024, 3, 0), days_from_civil(2024, 2, 29));
    }
}
