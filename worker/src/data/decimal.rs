//! Arbitrary-precision decimals (`java.math.BigDecimal`): an unscaled integer and a scale.

use num_bigint::{BigInt, Sign};

/// `unscaled × 10^-scale`, as Java's `BigDecimal`. Equality is Java's `equals`: scale matters
/// (`1.50` ≠ `1.5`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    pub unscaled: BigInt,
    pub scale: i32,
}

impl Decimal {
    pub fn new(unscaled: impl Into<BigInt>, scale: i32) -> Self {
        Decimal {
            unscaled: unscaled.into(),
            scale,
        }
    }
}

impl Decimal {
    /// Java's `BigDecimal.toString()`: the scale is kept (`1.5600`), and scientific notation is used
    /// when the scale is negative or the adjusted exponent is below -6 (`1E-7`, `1.23E+5`).
    pub fn to_java_string(&self) -> String {
        let mut out = String::new();
        self.write_java_string(&mut out);
        out
    }

    /// [`Decimal::to_java_string`] appended to `out`.
    pub fn write_java_string(&self, out: &mut String) {
        let digits = self.unscaled.magnitude().to_string();
        if self.unscaled.sign() == Sign::Minus {
            out.push('-');
        }
        let n = digits.len() as i64;
        let scale = i64::from(self.scale);
        let adjusted = n - 1 - scale;
        if scale >= 0 && adjusted >= -6 {
            let scale = scale as usize;
            if scale == 0 {
                out.push_str(&digits);
            } else if digits.len() > scale {
                let (int, frac) = digits.split_at(digits.len() - scale);
                out.push_str(int);
                out.push('.');
                out.push_str(frac);
            } else {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', scale - digits.len()));
                out.push_str(&digits);
            }
        } else {
            let (lead, rest) = digits.split_at(1);
            out.push_str(lead);
            if !rest.is_empty() {
                out.push('.');
                out.push_str(rest);
            }
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
    }

    /// Parses Java's `new BigDecimal(String)` syntax: `[+-]digits[.digits][(e|E)[+-]digits]`, where
    /// the scale is the number of fraction digits minus the exponent (`1.5600` has scale 4, `1E+5`
    /// has scale -5). `None` where Java throws `NumberFormatException`.
    pub fn parse_java(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let mut digits = String::with_capacity(bytes.len());
        let mut frac_digits: i64 = 0;
        let mut seen_point = false;
        while i < bytes.len() {
            match bytes[i] {
                b @ b'0'..=b'9' => {
                    digits.push(b as char);
                    if seen_point {
                        frac_digits += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() {
            if bytes[i] != b'e' && bytes[i] != b'E' {
                return None;
            }
            let exp_text = &text[i + 1..];
            let unsigned = exp_text.strip_prefix(['+', '-']).unwrap_or(exp_text);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            exponent = exp_text.parse().ok()?;
        }
        let scale = i32::try_from(frac_digits - exponent).ok()?;
        let mut unscaled: BigInt = digits.parse().ok()?;
        if negative {
            unscaled = -unscaled;
        }
        Some(Decimal { unscaled, scale })
    }

    /// The unscaled value as `BigInteger.toByteArray()`: big-endian two's complement, minimal length.
    pub fn unscaled_bytes(&self) -> Vec<u8> {
        self.unscaled.to_signed_bytes_be()
    }

    /// `new BigDecimal(new BigInteger(bytes), scale)`. Java rejects empty input ("Zero length
    /// BigInteger"), so `None` for it.
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Option<Decimal> {
        if bytes.is_empty() {
            return None;
        }
        Some(Decimal::new(BigInt::from_signed_bytes_be(bytes), scale))
    }

    /// `BigDecimal.doubleValue()` (correctly rounded).
    pub fn to_f64(&self) -> f64 {
        let v: f64 = self.to_java_string().parse().unwrap_or(f64::NAN);
        // BigDecimal has no negative zero.
        if v == 0.0 {
            0.0
        } else {
            v
        }
    }

    /// `BigDecimal.toBigInteger()`: the integer part, truncated toward zero.
    pub fn to_bigint_truncated(&self) -> BigInt {
        if self.scale <= 0 {
            // Beyond any realistic size Java would run out of memory; cap what we build.
            let shift = (-i64::from(self.scale)).min(100_000) as u32;
            &self.unscaled * BigInt::from(10u8).pow(shift)
        } else {
            let divisor = BigInt::from(10u8).pow(self.scale.unsigned_abs().min(100_000));
            &self.unscaled / divisor
        }
    }

    /// `BigDecimal.longValue()`: the truncated integer part's low 64 bits (two's complement).
    pub fn to_i64_wrapping(&self) -> i64 {
        // 10^n is divisible by 2^64 for n >= 64, so the low bits of a huge positive power are zero.
        if self.scale <= -64 {
            return 0;
        }
        bigint_low_i64(&self.to_bigint_truncated())
    }

    /// `BigDecimal.stripTrailingZeros().scale() <= 0` or zero: whether this is a whole number.
    pub fn is_whole(&self) -> bool {
        if self.unscaled.sign() == Sign::NoSign || self.scale <= 0 {
            return true;
        }
        let divisor = BigInt::from(10u8).pow(self.scale.unsigned_abs());
        (&self.unscaled % divisor).sign() == Sign::NoSign
    }
}

/// The low 64 bits of a big integer, as Java's `BigInteger.longValue()`.
pub fn bigint_low_i64(value: &BigInt) -> i64 {
    let bytes = value.to_signed_bytes_le();
    let fill = if value.sign() == Sign::Minus { 0xff } else { 0 };
    let mut buf = [fill; 8];
    for (slot, b) in buf.iter_mut().zip(bytes.iter()) {
        *slot = *b;
    }
    i64::from_le_bytes(buf)
}

impl std::fmt::Display for Decimal {
    /// Java's `BigDecimal.toString()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_java_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(unscaled: i64, scale: i32) -> Decimal {
        Decimal::new(unscaled, scale)
    }

    #[test]
    fn java_to_string() {
        assert_eq!(d(15600, 4).to_java_string(), "1.5600");
        assert_eq!(d(156, 2).to_java_string(), "1.56");
        assert_eq!(d(-156, 2).to_java_string(), "-1.56");
        assert_eq!(d(1, 7).to_java_string(), "1E-7");
        assert_eq!(d(1, 6).to_java_string(), "0.000001");
        assert_eq!(d(123, -3).to_java_string(), "1.23E+5");
        assert_eq!(d(0, 8).to_java_string(), "0E-8");
        assert_eq!(d(0, 0).to_java_string(), "0");
        assert_eq!(d(12, 0).to_java_string(), "12");
        assert_eq!(d(5, 3).to_java_string(), "0.005");
        assert_eq!(d(-123_456, 10).to_java_string(), "-0.0000123456");
        assert_eq!(d(-1, 10).to_java_string(), "-1E-10");
    }

    #[test]
    fn parse_like_java() {
        assert_eq!(Decimal::parse_java("1.5600"), Some(d(15600, 4)));
        assert_eq!(Decimal::parse_java("-12"), Some(d(-12, 0)));
        assert_eq!(Decimal::parse_java("+1e5"), Some(d(1, -5)));
        assert_eq!(Decimal::parse_java("1.23E-2"), Some(d(123, 4)));
        assert_eq!(Decimal::parse_java(".5"), Some(d(5, 1)));
        assert_eq!(Decimal::parse_java("5."), Some(d(5, 0)));
        assert_eq!(Decimal::parse_java(""), None);
        assert_eq!(Decimal::parse_java("1e"), None);
        assert_eq!(Decimal::parse_java("abc"), None);
        assert_eq!(Decimal::parse_java("1.2.3"), None);
        assert_eq!(Decimal::parse_java("1,5"), None);
    }

    #[test]
    fn bytes_round_trip_like_big_integer() {
        // 156 is 0x009C: the sign bit needs a leading zero byte, as BigInteger.toByteArray gives.
        assert_eq!(d(156, 2).unscaled_bytes(), vec![0x00, 0x9c]);
        assert_eq!(d(0, 0).unscaled_bytes(), vec![0x00]);
        assert_eq!(d(-1, 0).unscaled_bytes(), vec![0xff]);
        assert_eq!(
            Decimal::from_unscaled_bytes(&[0x00, 0x9c], 2),
            Some(d(156, 2))
        );
        assert_eq!(Decimal::from_unscaled_bytes(&[], 2), None);
    }

    #[test]
    fn numeric_views() {
        assert_eq!(d(15600, 4).to_f64(), 1.56);
        assert_eq!(d(-199, 2).to_i64_wrapping(), -1);
        assert_eq!(d(1, -70).to_i64_wrapping(), 0);
        assert!(!d(1500, 3).is_whole() && d(1000, 3).is_whole());
        assert_eq!(bigint_low_i64(&(BigInt::from(1u8) << 64u32)), 0);
        assert_eq!(bigint_low_i64(&BigInt::from(-5)), -5);
    }
}
