//! Casting one value (`Cast.castValueToType`): Java's narrowing of numbers, Java's string parsing
//! (`Integer.parseInt`, `Double.parseDouble`, `Boolean.parseBoolean`) and `toString`.

use base64::Engine as _;

use crate::data::values::{convert_to_string, date_from_logical, time_from_logical};
use crate::data::{logical, DataError, Schema, SchemaType, Value};

/// The types a value may be cast from, in Kafka's `EnumSet` order (used in its messages).
const INPUT_TYPES: [SchemaType; 9] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
    SchemaType::Bytes,
];

/// The types a value may be cast to.
pub(super) const OUTPUT_TYPES: [SchemaType; 8] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
];

fn type_list(types: &[SchemaType]) -> String {
    let names: Vec<_> = types.iter().map(|t| t.java_name()).collect();
    format!("[{}]", names.join(", "))
}

/// `validCastType(type, OUTPUT)`'s message.
pub(super) fn unsupported_output(t: SchemaType) -> String {
    format!(
        "Cast transformation does not support casting to {t}; supported types are {}",
        type_list(&OUTPUT_TYPES)
    )
}

/// Casts `value` (described by `schema` when there is one) to `target`.
pub(super) fn cast_value(
    schema: Option<&Schema>,
    value: &Value,
    target: SchemaType,
) -> Result<Value, DataError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(s) => Some(s.schema_type()),
        None => value.inferred_type(),
    };
    let Some(inferred) = inferred else {
        return Err(DataError::new(format!(
            "Cast transformation was passed a value of type class {} which is not supported by Connect's data API",
            value.java_class_name()
        )));
    };
    if !INPUT_TYPES.contains(&inferred) {
        return Err(DataError::new(format!(
            "Cast transformation does not support casting from {inferred}; supported types are {}",
            type_list(&INPUT_TYPES)
        )));
    }
    // Logical Date/Time/Timestamp values become their int/long encoding before a numeric cast.
    let encoded;
    let value = match (schema.and_then(Schema::name), value, target) {
        (_, _, SchemaType::String) => value,
        (Some(logical::DATE), Value::Date(ms), _) => {
            encoded = Value::Int32(date_from_logical(*ms)?);
            &encoded
        }
        (Some(logical::TIME), Value::Date(ms), _) => {
            encoded = Value::Int32(time_from_logical(*ms)?);
            &encoded
        }
        (Some(logical::TIMESTAMP), Value::Date(ms), _) => {
            encoded = Value::Int64(*ms);
            &encoded
        }
        _ => value,
    };
    let out_of_range = || {
        DataError::new(format!(
            "Value ({}) was out of range for requested data type",
            value.java_string()
        ))
    };
    let unexpected = || {
        DataError::new(format!(
            "Unexpected type in Cast transformation: class {}",
            value.java_class_name()
        ))
    };
    Ok(match target {
        SchemaType::Int8 => match value {
            Value::String(s) => Value::Int8(s.parse().map_err(|_| out_of_range())?),
            v => Value::Int8(int_value(v).ok_or_else(unexpected)? as i8),
        },
        SchemaType::Int16 => match value {
            Value::String(s) => Value::Int16(s.parse().map_err(|_| out_of_range())?),
            v => Value::Int16(int_value(v).ok_or_else(unexpected)? as i16),
        },
        SchemaType::Int32 => match value {
            Value::String(s) => Value::Int32(s.parse().map_err(|_| out_of_range())?),
            v => Value::Int32(int_value(v).ok_or_else(unexpected)?),
        },
        SchemaType::Int64 => match value {
            Value::String(s) => Value::Int64(s.parse().map_err(|_| out_of_range())?),
            v => Value::Int64(long_value(v).ok_or_else(unexpected)?),
        },
        SchemaType::Float32 => match value {
            Value::String(s) => Value::Float32(parse_java_float(s).ok_or_else(out_of_range)?),
            v => Value::Float32(float_value(v).ok_or_else(unexpected)?),
        },
        SchemaType::Float64 => match value {
            Value::String(s) => Value::Float64(parse_java_double(s).ok_or_else(out_of_range)?),
            v => Value::Float64(double_value(v).ok_or_else(unexpected)?),
        },
        SchemaType::Boolean => match value {
            Value::Boolean(b) => Value::Boolean(*b),
            Value::String(s) => Value::Boolean(s.eq_ignore_ascii_case("true")),
            v => Value::Boolean(long_value(v).ok_or_else(unexpected)? != 0),
        },
        SchemaType::String => Value::String(cast_to_string(value)),
        other => {
            return Err(DataError::new(format!(
                "{other} is not supported in the Cast transformation."
            )))
        }
    })
}

/// `castToString`: dates in `Values.dateFormatFor`'s format, bytes in base64, else `toString()`.
fn cast_to_string(value: &Value) -> String {
    match value {
        Value::Date(_) => convert_to_string(value).unwrap_or_default(),
        Value::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
        other => other.java_string(),
    }
}

/// `Number.intValue()` (with `Boolean` as 1/0, as `castToInt*` treats it); `None` for a
/// non-number.
fn int_value(value: &Value) -> Option<i32> {
    Some(match value {
        Value::Boolean(b) => i32::from(*b),
        Value::Int8(v) => i32::from(*v),
        Value::Int16(v) => i32::from(*v),
        Value::Int32(v) => *v,
        // Java narrows integers by truncation and floats by saturation, as Rust's `as` does.
        Value::Int64(v) => *v as i32,
        Value::Float32(v) => *v as i32,
        Value::Float64(v) => *v as i32,
        Value::Decimal(d) => d.to_i64_wrapping() as i32,
        _ => return None,
    })
}

/// `Number.longValue()`.
fn long_value(value: &Value) -> Option<i64> {
    Some(match value {
        Value::Boolean(b) => i64::from(*b),
        Value::Int8(v) => i64::from(*v),
        Value::Int16(v) => i64::from(*v),
        Value::Int32(v) => i64::from(*v),
        Value::Int64(v) => *v,
        Value::Float32(v) => *v as i64,
        Value::Float64(v) => *v as i64,
        Value::Decimal(d) => d.to_i64_wrapping(),
        _ => return None,
    })
}

/// `Number.floatValue()`.
fn float_value(value: &Value) -> Option<f32> {
    Some(match value {
        Value::Boolean(b) => f32::from(u8::from(*b)),
        Value::Int8(v) => f32::from(*v),
        Value::Int16(v) => f32::from(*v),
        Value::Int32(v) => *v as f32,
        Value::Int64(v) => *v as f32,
        Value::Float32(v) => *v,
        Value::Float64(v) => *v as f32,
        // Parsed from the decimal text so it is rounded once, as `BigDecimal.floatValue` is.
        Value::Decimal(d) => d.to_java_string().parse().unwrap_or(f32::NAN),
        _ => return None,
    })
}

/// `Number.doubleValue()`.
fn double_value(value: &Value) -> Option<f64> {
    Some(match value {
        Value::Boolean(b) => f64::from(u8::from(*b)),
        Value::Int8(v) => f64::from(*v),
        Value::Int16(v) => f64::from(*v),
        Value::Int32(v) => f64::from(*v),
        Value::Int64(v) => *v as f64,
        Value::Float32(v) => f64::from(*v),
        Value::Float64(v) => *v,
        Value::Decimal(d) => d.to_f64(),
        _ => return None,
    })
}

/// The decimal text Java's `Double.parseDouble` accepts, normalised for Rust's parser: surrounding
/// whitespace (anything up to U+0020) trimmed, `NaN`/`Infinity` spelled Java's way, an optional
/// `f`/`d` suffix dropped. `None` for text Java rejects (hexadecimal floats are not supported).
fn java_float_text(text: &str) -> Option<String> {
    let t = text.trim_matches(|c: char| c <= ' ');
    let (sign, body) = match t.as_bytes().first() {
        Some(b'+') => ("", &t[1..]),
        Some(b'-') => ("-", &t[1..]),
        _ => ("", t),
    };
    match body {
        "NaN" => return Some("NaN".to_string()),
        "Infinity" => return Some(format!("{sign}inf")),
        _ => {}
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    // Rust also accepts `inf`/`nan` spellings Java does not, so only digits and number syntax,
    // and one sign only: after it Java wants a digit or the point (`+-1` is refused).
    let valid = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    valid.then(|| format!("{sign}{body}"))
}

pub(super) fn parse_java_double(text: &str) -> Option<f64> {
    java_float_text(text)?.parse().ok()
}

pub(super) fn parse_java_float(text: &str) -> Option<f32> {
    java_float_text(text)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Decimal, SchemaBuilder};

    fn cast(value: Value, target: SchemaType) -> Result<Value, DataError> {
        cast_value(None, &value, target)
    }

    /// `Double.parseDouble` takes one optional sign, then a digit, the point, `NaN` or
    /// `Infinity`.
    #[test]
    fn float_text_takes_one_sign_as_java_does() {
        assert_eq!(parse_java_double(" -1.5e2d "), Some(-150.0));
        assert_eq!(parse_java_double("+.5"), Some(0.5));
        assert_eq!(parse_java_double("-Infinity"), Some(f64::NEG_INFINITY));
        for refused in ["+-1", "++1", "--1", "-+1", "-", "e5", "inf", "0x1p3"] {
            assert_eq!(parse_java_double(refused), None, "{refused}");
        }
    }

    #[test]
    fn numbers_narrow_like_java() {
        assert_eq!(
            cast(Value::Int32(300), SchemaType::Int8).unwrap(),
            Value::Int8(44)
        );
        assert_eq!(
            cast(Value::Float64(1e10), SchemaType::Int32).unwrap(),
            Value::Int32(i32::MAX)
        );
        assert_eq!(
            cast(Value::Float64(f64::NAN), SchemaType::Int64).unwrap(),
            Value::Int64(0)
        );
        assert_eq!(
            cast(Value::Float32(300.7), SchemaType::Int8).unwrap(),
            Value::Int8(44)
        );
        assert_eq!(
            cast(Value::Int64(1 << 40), SchemaType::Int16).unwrap(),
            Value::Int16(0)
        );
        assert_eq!(
            cast(Value::Boolean(true), SchemaType::Float64).unwrap(),
            Value::Float64(1.0)
        );
        assert_eq!(
            cast(Value::Float64(0.5), SchemaType::Boolean).unwrap(),
            Value::Boolean(false)
        );
        assert_eq!(
            cast(Value::Int8(-1), SchemaType::Boolean).unwrap(),
            Value::Boolean(true)
        );
        let d = Value::Decimal(Decimal::new(12345, 2));
        assert_eq!(
            cast_value(Some(&logical::decimal(2)), &d, SchemaType::Int32).unwrap(),
            Value::Int32(123)
        );
        assert_eq!(
            cast_value(Some(&logical::decimal(2)), &d, SchemaType::String).unwrap(),
            Value::from("123.45")
        );
    }

    #[test]
    fn strings_parse_like_java() {
        assert_eq!(
            cast(Value::from("-12"), SchemaType::Int8).unwrap(),
            Value::Int8(-12)
        );
        assert_eq!(
            cast(Value::from("+7"), SchemaType::Int64).unwrap(),
            Value::Int64(7)
        );
        assert_eq!(
            cast(Value::from("128"), SchemaType::Int8)
                .unwrap_err()
                .message(),
            "Value (128) was out of range for requested data type"
        );
        assert_eq!(
            cast(Value::from(" 1"), SchemaType::Int32)
                .unwrap_err()
                .message(),
            "Value ( 1) was out of range for requested data type"
        );
        assert_eq!(
            cast(Value::from(" 1.5f "), SchemaType::Float32).unwrap(),
            Value::Float32(1.5)
        );
        assert_eq!(
            cast(Value::from("-Infinity"), SchemaType::Float64).unwrap(),
            Value::Float64(f64::NEG_INFINITY)
        );
        assert!(cast(Value::from("inf"), SchemaType::Float64).is_err());
        assert_eq!(
            cast(Value::from("TRUE"), SchemaType::Boolean).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            cast(Value::from("yes"), SchemaType::Boolean).unwrap(),
            Value::Boolean(false)
        );
    }

    #[test]
    fn to_string_uses_java_text() {
        assert_eq!(
            cast(Value::Float64(1e10), SchemaType::String).unwrap(),
            Value::from("1.0E10")
        );
        assert_eq!(
            cast(Value::Float32(1.0), SchemaType::String).unwrap(),
            Value::from("1.0")
        );
        assert_eq!(
            cast(Value::Bytes(vec![1, 2, 3]), SchemaType::String).unwrap(),
            Value::from("AQID")
        );
        let ts = logical::timestamp();
        assert_eq!(
            cast_value(Some(&ts), &Value::Date(86_400_001), SchemaType::String).unwrap(),
            Value::from("1970-01-02T00:00:00.001Z")
        );
        assert_eq!(
            cast_value(Some(&ts), &Value::Date(86_400_001), SchemaType::Int64).unwrap(),
            Value::Int64(86_400_001)
        );
        assert_eq!(
            cast_value(
                Some(&logical::date()),
                &Value::Date(2 * 86_400_000),
                SchemaType::Int32
            )
            .unwrap(),
            Value::Int32(2)
        );
    }

    #[test]
    fn unsupported_inputs() {
        assert_eq!(
            cast(Value::Bytes(vec![1]), SchemaType::Int8)
                .unwrap_err()
                .message(),
            "Unexpected type in Cast transformation: class [B"
        );
        assert_eq!(
            cast(Value::Array(vec![]), SchemaType::String).unwrap_err().message(),
            "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
        assert_eq!(
            cast(Value::Date(0), SchemaType::String).unwrap_err().message(),
            "Cast transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"
        );
        let s = SchemaBuilder::struct_().build();
        assert!(cast_value(Some(&s), &Value::Int32(1), SchemaType::Int8)
            .unwrap_err()
            .message()
            .contains("casting from STRUCT"));
    }
}
