//! `Values.convertTo(toSchema, fromSchema, value)`: coercing a value to a schema's type.

use super::format::convert_to_string;
use super::parse::parse_string;
use crate::data::java_fmt;
use crate::data::logical::{self, MILLIS_PER_DAY};
use crate::data::{DataError, Decimal, Schema, SchemaType, Value};

/// `ConnectSchema.toString()`: `Schema{name:TYPE}` or `Schema{TYPE}`.
pub fn schema_java_string(schema: &Schema) -> String {
    match schema.name() {
        Some(name) => format!("Schema{{{name}:{}}}", schema.schema_type()),
        None => format!("Schema{{{}}}", schema.schema_type()),
    }
}

fn unable(value: &Value, target: &str) -> DataError {
    DataError::new(format!(
        "Unable to convert {} (class {}) to {target}",
        value.java_string(),
        value.java_class_name()
    ))
}

fn null_required() -> DataError {
    DataError::new("Unable to convert a null value to a schema that requires a value")
}

/// Converts `value` (described by `from`, if known) to the type of `to`.
pub fn convert_to(to: &Schema, from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    if value.is_null() {
        return if to.is_optional() {
            Ok(Value::Null)
        } else {
            Err(null_required())
        };
    }
    match to.schema_type() {
        SchemaType::Bytes => {
            if to.name() == Some(logical::DECIMAL) {
                to_decimal(to, value).map(Value::Decimal)
            } else {
                to_bytes(to, value)
            }
        }
        SchemaType::String => Ok(convert_to_string(value).map_or(Value::Null, Value::String)),
        SchemaType::Boolean => to_boolean(from, value),
        SchemaType::Int8 => match value {
            Value::Int8(_) => Ok(value.clone()),
            _ => Ok(Value::Int8(as_long(value, from)? as i8)),
        },
        SchemaType::Int16 => match value {
            Value::Int16(_) => Ok(value.clone()),
            _ => Ok(Value::Int16(as_long(value, from)? as i16)),
        },
        SchemaType::Int32 => match to.name() {
            Some(logical::DATE) => to_date(to, from, value),
            Some(logical::TIME) => to_time(from, value),
            _ => match value {
                Value::Int32(_) => Ok(value.clone()),
                _ => Ok(Value::Int32(as_long(value, from)? as i32)),
            },
        },
        SchemaType::Int64 => match (to.name(), value) {
            (Some(logical::TIMESTAMP), _) => to_timestamp(from, value),
            (_, Value::Int64(_)) => Ok(value.clone()),
            _ => Ok(Value::Int64(as_long(value, from)?)),
        },
        SchemaType::Float32 => match value {
            Value::Float32(_) => Ok(value.clone()),
            _ => Ok(Value::Float32(as_double(value, from)? as f32)),
        },
        SchemaType::Float64 => match value {
            Value::Float64(_) => Ok(value.clone()),
            _ => Ok(Value::Float64(as_double(value, from)?)),
        },
        SchemaType::Array => {
            let parsed = reparse(value);
            match parsed.as_ref().unwrap_or(value) {
                v @ Value::Array(_) => Ok(v.clone()),
                v => Err(unable(v, &schema_java_string(to))),
            }
        }
        SchemaType::Map => {
            let parsed = reparse(value);
            match parsed.as_ref().unwrap_or(value) {
                v @ Value::Map(_) => Ok(v.clone()),
                v => Err(unable(v, &schema_java_string(to))),
            }
        }
        SchemaType::Struct => match value {
            Value::Struct(_) => Ok(value.clone()),
            v => Err(unable(v, &schema_java_string(to))),
        },
    }
}

/// A string is first parsed into the value it spells.
fn reparse(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => Some(parse_string(s).value),
        _ => None,
    }
}

fn to_boolean(from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    match value {
        Value::Boolean(_) => return Ok(value.clone()),
        Value::String(s) => {
            if let v @ Value::Boolean(_) = parse_string(s).value {
                return Ok(v);
            }
        }
        _ => {}
    }
    Ok(Value::Boolean(as_long(value, from)? != 0))
}

fn scale_of(schema: &Schema) -> Result<i32, DataError> {
    let text = schema
        .parameter(logical::SCALE_FIELD)
        .ok_or_else(|| DataError::new("Invalid Decimal schema: scale parameter not found."))?;
    text.parse()
        .map_err(|_| DataError::new("Invalid scale parameter found in Decimal schema: "))
}

fn to_decimal(to: &Schema, value: &Value) -> Result<Decimal, DataError> {
    match value {
        Value::Bytes(b) => Decimal::from_unscaled_bytes(b, scale_of(to)?)
            .ok_or_else(|| DataError::new("Zero length BigInteger")),
        Value::Decimal(d) => Ok(d.clone()),
        // `BigDecimal.valueOf(number.doubleValue())` goes through `Double.toString`.
        Value::Int8(_)
        | Value::Int16(_)
        | Value::Int32(_)
        | Value::Int64(_)
        | Value::Float32(_)
        | Value::Float64(_) => {
            let d = number_as_f64(value).unwrap_or(0.0);
            Decimal::parse_java(&java_fmt::double_to_string(d))
                .ok_or_else(|| unable(value, &schema_java_string(to)))
        }
        Value::String(s) => Decimal::parse_java(s)
            .ok_or_else(|| DataError::new(format!("Not a valid BigDecimal: {s}"))),
        _ => Err(unable(value, &schema_java_string(to))),
    }
}

fn to_bytes(to: &Schema, value: &Value) -> Result<Value, DataError> {
    match value {
        Value::Bytes(_) => Ok(value.clone()),
        Value::Decimal(d) => Ok(Value::Bytes(decimal_from_logical(to, d)?)),
        _ => Err(unable(value, &schema_java_string(to))),
    }
}

/// `Decimal.fromLogical`: the unscaled bytes, after checking the scale against the schema.
pub fn decimal_from_logical(schema: &Schema, d: &Decimal) -> Result<Vec<u8>, DataError> {
    let scale = scale_of(schema)?;
    if d.scale != scale {
        return Err(DataError::new(format!(
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {}.",
            d.scale
        )));
    }
    Ok(d.unscaled_bytes())
}

/// `Date.fromLogical`: whole days since the epoch; time fields must be zero.
pub fn date_from_logical(ms: i64) -> Result<i32, DataError> {
    if ms.rem_euclid(MILLIS_PER_DAY) != 0 {
        return Err(DataError::new(
            "Kafka Connect Date type should not have any time fields set to non-zero values.",
        ));
    }
    Ok((ms / MILLIS_PER_DAY) as i32)
}

/// `Time.fromLogical`: milliseconds since midnight of 1970-01-01.
pub fn time_from_logical(ms: i64) -> Result<i32, DataError> {
    if !(0..=MILLIS_PER_DAY).contains(&ms) {
        return Err(DataError::new(
            "Kafka Connect Time type should not have any date fields set to non-zero values.",
        ));
    }
    Ok(ms as i32)
}

/// `Time.toLogical`: the value must lie within one day.
pub fn time_to_logical(ms: i32) -> Result<Value, DataError> {
    if ms < 0 || i64::from(ms) > MILLIS_PER_DAY {
        return Err(DataError::new(
            "Time values must use number of milliseconds greater than 0 and less than 86400000",
        ));
    }
    Ok(Value::Date(i64::from(ms)))
}

fn parsed_if_string(value: &Value) -> Value {
    reparse(value).unwrap_or_else(|| value.clone())
}

fn to_date(to: &Schema, from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    let value = parsed_if_string(value);
    if let Value::Date(ms) = value {
        match from.map(Schema::name) {
            None => return Ok(value),
            Some(Some(logical::DATE)) => return Ok(value),
            Some(Some(logical::TIMESTAMP)) => {
                let days = (ms / MILLIS_PER_DAY) as i32;
                return Ok(Value::Date(i64::from(days) * MILLIS_PER_DAY));
            }
            _ => {}
        }
    }
    let _ = to;
    let days = as_long(&value, from)? as i32;
    Ok(Value::Date(i64::from(days) * MILLIS_PER_DAY))
}

fn to_time(from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    let value = parsed_if_string(value);
    if let Value::Date(ms) = value {
        match from.map(Schema::name) {
            None => return Ok(value),
            Some(Some(logical::TIME)) => return Ok(value),
            Some(Some(logical::TIMESTAMP)) => {
                return time_to_logical(ms.rem_euclid(MILLIS_PER_DAY) as i32)
            }
            _ => {}
        }
    }
    time_to_logical(as_long(&value, from)? as i32)
}

fn to_timestamp(from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    let value = parsed_if_string(value);
    if let Value::Date(ms) = value {
        match from.map(Schema::name) {
            None => return Ok(value),
            Some(Some(logical::DATE)) => {
                let days = date_from_logical(ms)?;
                return Ok(Value::Date(i64::from(days) * MILLIS_PER_DAY));
            }
            Some(Some(logical::TIME)) => return Ok(Value::Date(i64::from(time_from_logical(ms)?))),
            Some(Some(logical::TIMESTAMP)) => return Ok(value),
            _ => {}
        }
    }
    Ok(Value::Date(as_long(&value, from)?))
}

fn number_as_f64(value: &Value) -> Option<f64> {
    Some(match value {
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

/// `Values.asLong`: numbers narrow as Java casts do, strings parse as BigDecimal, temporal values
/// use their logical encoding.
fn as_long(value: &Value, from: Option<&Schema>) -> Result<i64, DataError> {
    match value {
        Value::Int8(v) => return Ok(i64::from(*v)),
        Value::Int16(v) => return Ok(i64::from(*v)),
        Value::Int32(v) => return Ok(i64::from(*v)),
        Value::Int64(v) => return Ok(*v),
        // Java's (long) cast of a double saturates and maps NaN to 0, as Rust's `as` does.
        Value::Float32(v) => return Ok(*v as i64),
        Value::Float64(v) => return Ok(*v as i64),
        Value::Decimal(d) => return Ok(d.to_i64_wrapping()),
        Value::String(s) => {
            if let Some(d) = Decimal::parse_java(s) {
                return Ok(d.to_i64_wrapping());
            }
        }
        _ => {}
    }
    if let Some(schema) = from {
        if let Value::Date(ms) = value {
            match schema.name() {
                Some(logical::DATE) => return date_from_logical(*ms).map(i64::from),
                Some(logical::TIME) => return time_from_logical(*ms).map(i64::from),
                Some(logical::TIMESTAMP) => return Ok(*ms),
                _ => {}
            }
        }
        return Err(unable(value, &schema_java_string(schema)));
    }
    Err(unable(value, "a number"))
}

/// `Values.asDouble`.
fn as_double(value: &Value, from: Option<&Schema>) -> Result<f64, DataError> {
    if let Some(d) = number_as_f64(value) {
        return Ok(d);
    }
    if let Value::String(s) = value {
        if let Some(d) = Decimal::parse_java(s) {
            return Ok(d.to_f64());
        }
    }
    as_long(value, from).map(|v| v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_narrow_like_java_casts() {
        assert_eq!(
            convert_to(&Schema::int8(), None, &Value::Int32(300)).unwrap(),
            Value::Int8(44)
        );
        assert_eq!(
            convert_to(&Schema::int32(), None, &Value::from("12.9")).unwrap(),
            Value::Int32(12)
        );
        assert_eq!(
            convert_to(&Schema::float64(), None, &Value::Int64(3)).unwrap(),
            Value::Float64(3.0)
        );
        assert_eq!(
            convert_to(&Schema::boolean(), None, &Value::Int32(0)).unwrap(),
            Value::Boolean(false)
        );
    }

    #[test]
    fn errors_have_kafka_text() {
        let err = convert_to(&Schema::int32(), None, &Value::from("abc")).unwrap_err();
        assert_eq!(
            err.message(),
            "Unable to convert abc (class java.lang.String) to a number"
        );
        let err = convert_to(&Schema::int32(), None, &Value::Null).unwrap_err();
        assert_eq!(
            err.message(),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            convert_to(&Schema::optional_of(SchemaType::Int32), None, &Value::Null).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn decimals_and_dates() {
        assert_eq!(
            convert_to(&logical::decimal(1), None, &Value::Int32(1)).unwrap(),
            Value::Decimal(Decimal::new(10, 1))
        );
        assert_eq!(
            convert_to(&logical::date(), None, &Value::Int32(2)).unwrap(),
            Value::Date(2 * MILLIS_PER_DAY)
        );
        let err = convert_to(&logical::time(), None, &Value::Int64(-1)).unwrap_err();
        assert!(
            err.message().starts_with("Time values must use"),
            "{}",
            err.message()
        );
        assert_eq!(
            decimal_from_logical(&logical::decimal(2), &Decimal::new(1, 1))
                .unwrap_err()
                .message(),
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1."
        );
    }
}
