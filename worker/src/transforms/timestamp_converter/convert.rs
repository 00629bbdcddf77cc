//! The five timestamp representations and the conversions between them, through epoch
//! milliseconds (Kafka's `TimestampTranslator`s, which go through `java.util.Date`).

use super::super::date_format::DateFormat;
use crate::data::logical::{self, MILLIS_PER_DAY};
use crate::data::values::schema_java_string;
use crate::data::{DataError, Schema, SchemaType, Value};
use crate::errors::{ConnectError, JavaException};

/// A timestamp representation (`target.type`, or the inferred source type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TsType {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl TsType {
    /// The `target.type` value; names are case-sensitive, as Kafka's `ValidString`.
    pub(super) fn from_config(name: &str) -> Option<TsType> {
        Some(match name {
            "string" => TsType::String,
            "unix" => TsType::Unix,
            "Date" => TsType::Date,
            "Time" => TsType::Time,
            "Timestamp" => TsType::Timestamp,
            _ => return None,
        })
    }

    /// The schema of a converted value.
    pub(super) fn schema(self, optional: bool) -> Schema {
        let builder = match self {
            TsType::String => crate::data::SchemaBuilder::new(SchemaType::String),
            TsType::Unix => crate::data::SchemaBuilder::new(SchemaType::Int64),
            TsType::Date => logical::date_builder(),
            TsType::Time => logical::time_builder(),
            TsType::Timestamp => logical::timestamp_builder(),
        };
        builder.set_optional(optional).build()
    }

    /// The source type of a value described by a schema: its logical name, else STRING is a
    /// formatted string and INT64 a unix time.
    pub(super) fn from_schema(schema: &Schema) -> Result<TsType, ConnectError> {
        match schema.name() {
            Some(logical::TIMESTAMP) => return Ok(TsType::Timestamp),
            Some(logical::DATE) => return Ok(TsType::Date),
            Some(logical::TIME) => return Ok(TsType::Time),
            _ => {}
        }
        match schema.schema_type() {
            SchemaType::String => Ok(TsType::String),
            SchemaType::Int64 => Ok(TsType::Unix),
            _ => Err(ConnectError::new(format!(
                "Schema {} does not correspond to a known timestamp type format",
                schema_java_string(schema)
            ))),
        }
    }

    /// The source type of a schemaless value, from its Java class. Date, Time and Timestamp all
    /// are `java.util.Date`, so a Date value reads as a Timestamp.
    pub(super) fn infer(value: &Value) -> Result<TsType, DataError> {
        match value {
            Value::Date(_) => Ok(TsType::Timestamp),
            Value::Int64(_) => Ok(TsType::Unix),
            Value::String(_) => Ok(TsType::String),
            other => Err(DataError::new(format!(
                "TimestampConverter does not support class {} objects as timestamps",
                other.java_class_name()
            ))),
        }
    }
}

/// `unix.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Precision {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl Precision {
    pub(super) fn from_config(name: &str) -> Precision {
        match name {
            "seconds" => Precision::Seconds,
            "microseconds" => Precision::Microseconds,
            "nanoseconds" => Precision::Nanoseconds,
            _ => Precision::Milliseconds,
        }
    }

    /// `TimeUnit.X.toMillis`: division truncates toward zero, multiplication saturates.
    fn to_millis(self, v: i64) -> i64 {
        match self {
            Precision::Seconds => v.saturating_mul(1000),
            Precision::Milliseconds => v,
            Precision::Microseconds => v / 1000,
            Precision::Nanoseconds => v / 1_000_000,
        }
    }

    /// `TimeUnit.MILLISECONDS.toX`.
    fn millis_in_unit(self, ms: i64) -> i64 {
        match self {
            Precision::Seconds => ms / 1000,
            Precision::Milliseconds => ms,
            Precision::Microseconds => ms.saturating_mul(1000),
            Precision::Nanoseconds => ms.saturating_mul(1_000_000),
        }
    }
}

/// What a conversion needs from the transform's configuration.
pub(super) struct Converter {
    pub(super) target: TsType,
    pub(super) format: Option<DateFormat>,
    pub(super) precision: Precision,
}

impl Converter {
    /// Converts a timestamp of type `source` (inferred from the value when `None`) to the target
    /// type. Null converts to null.
    pub(super) fn convert(
        &self,
        value: &Value,
        source: Option<TsType>,
    ) -> Result<Value, ConnectError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let source = match source {
            Some(t) => t,
            None => TsType::infer(value)?,
        };
        let millis = self.to_millis(source, value)?;
        Ok(self.to_target(millis))
    }

    fn to_millis(&self, source: TsType, value: &Value) -> Result<i64, ConnectError> {
        let found = || format!("class {}", value.java_class_name());
        match (source, value) {
            (TsType::String, Value::String(s)) => {
                let format = self.format.as_ref().ok_or_else(|| {
                    // Kafka dereferences a null format here (a NullPointerException).
                    ConnectError::new(
                        "TimestampConverter requires format option to be specified when using string timestamps",
                    )
                })?;
                format.parse(s).map_err(|_| {
                    // Kafka's cause is `DateFormat.parse`'s exception.
                    DataError::caused_by(
                        format!(
                            "Could not parse timestamp: value ({s}) does not match pattern ({})",
                            format.pattern()
                        ),
                        JavaException::new(
                            "java.text.ParseException",
                            format!("Unparseable date: \"{s}\""),
                        ),
                    )
                    .into()
                })
            }
            (TsType::String, _) => Err(data(format!(
                "Expected string timestamp to be a String, but found {}",
                found()
            ))),
            (TsType::Unix, Value::Int64(v)) => Ok(self.precision.to_millis(*v)),
            (TsType::Unix, _) => Err(data(format!(
                "Expected Unix timestamp to be a Long, but found {}",
                found()
            ))),
            (TsType::Date | TsType::Time | TsType::Timestamp, Value::Date(ms)) => Ok(*ms),
            (TsType::Date, _) => Err(data(format!(
                "Expected Date to be a java.util.Date, but found {}",
                found()
            ))),
            (TsType::Time, _) => Err(data(format!(
                "Expected Time to be a java.util.Date, but found {}",
                found()
            ))),
            (TsType::Timestamp, _) => Err(data(format!(
                "Expected Timestamp to be a java.util.Date, but found {}",
                found()
            ))),
        }
    }

    fn to_target(&self, ms: i64) -> Value {
        match self.target {
            // Configuration guarantees a format for a string target.
            TsType::String => Value::String(
                self.format
                    .as_ref()
                    .map_or_else(|| ms.to_string(), |f| f.format(ms)),
            ),
            TsType::Unix => Value::Int64(self.precision.millis_in_unit(ms)),
            // Midnight UTC of the same day.
            TsType::Date => Value::Date(ms.div_euclid(MILLIS_PER_DAY) * MILLIS_PER_DAY),
            // The time of day on 1970-01-01.
            TsType::Time => Value::Date(ms.rem_euclid(MILLIS_PER_DAY)),
            TsType::Timestamp => Value::Date(ms),
        }
    }
}

fn data(message: String) -> ConnectError {
    ConnectError::Data(DataError::new(message))
}
