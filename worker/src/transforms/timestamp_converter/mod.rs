//! `TimestampConverter$Key` / `$Value`: converts a timestamp (the whole key/value, or one field of
//! it) between a unix time, a formatted string and the Connect Date, Time and Timestamp types.

mod convert;
#[cfg(test)]
mod tests;

use self::convert::{Converter, Precision, TsType};
use super::date_format::DateFormat;
use super::{replace_null_with_default_key, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_copied_hash_map_order;
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::schema_cache::SchemaCache;
use crate::transforms::util::{copy_schema_basics, map_get, require_map, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const FIELD: &str = "field";
const TARGET_TYPE: &str = "target.type";
const FORMAT: &str = "format";
const UNIX_PRECISION: &str = "unix.precision";
const PURPOSE: &str = "converting timestamp formats";

pub(super) fn plugins() -> Vec<TransformPlugin> {
    vec![
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.TimestampConverter$Key",
            config_def,
            new: |props| Ok(Box::new(TimestampConverter::configure(Side::Key, props)?)),
        },
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.TimestampConverter$Value",
            config_def,
            new: |props| Ok(Box::new(TimestampConverter::configure(Side::Value, props)?)),
        },
    ]
}

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FIELD,
                ConfigType::String,
                Importance::High,
                "The field containing the timestamp, or empty if the entire value is a timestamp",
            )
            .default_value(""),
        )
        .define(
            ConfigKey::new(
                TARGET_TYPE,
                ConfigType::String,
                Importance::High,
                "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
            )
            .validator(Validator::valid_string(&[
                "string",
                "unix",
                "Date",
                "Time",
                "Timestamp",
            ])),
        )
        .define(
            ConfigKey::new(
                FORMAT,
                ConfigType::String,
                Importance::Medium,
                "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output \
                 when type=string or used to parse the input if the input is a string.",
            )
            .default_value(""),
        )
        .define(
            ConfigKey::new(
                UNIX_PRECISION,
                ConfigType::String,
                Importance::Low,
                "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, \
                 or nanoseconds. Used to generate the output when type=unix or used to parse the \
                 input if the input is a Long.Note: This SMT will cause precision loss during \
                 conversions from, and to, values with sub-millisecond components.",
            )
            .default_value("milliseconds")
            .validator(Validator::valid_string(&[
                "nanoseconds",
                "microseconds",
                "milliseconds",
                "seconds",
            ])),
        )
        .define(replace_null_with_default_key())
}

pub(super) struct TimestampConverter {
    side: Side,
    /// "" converts the whole key/value.
    field: String,
    converter: Converter,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl TimestampConverter {
    pub(super) fn configure(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let parsed = config_def().parse(props)?;
        let type_name = parsed.get_string(TARGET_TYPE).unwrap_or_default();
        let target = TsType::from_config(type_name).ok_or_else(|| {
            ConfigError::Other(format!(
                "Unknown timestamp type in TimestampConverter: {type_name}"
            ))
        })?;
        let pattern = parsed.get_string(FORMAT).unwrap_or_default();
        // Kafka's `Utils.isBlank`: empty after trimming.
        let blank = pattern.trim().is_empty();
        if target == TsType::String && blank {
            return Err(ConfigError::Other(
                "TimestampConverter requires format option to be specified when using string timestamps"
                    .to_string(),
            ));
        }
        let format = if blank {
            None
        } else {
            // Kafka passes the exception where `ConfigException(name, value)` expects a value, so
            // the message reads "Invalid value <exception> for configuration <text>".
            Some(DateFormat::new(pattern).map_err(|e| {
                ConfigError::Other(format!(
                    "Invalid value {} for configuration TimestampConverter requires a \
                     SimpleDateFormat-compatible pattern for string timestamps: {pattern}",
                    e.java_string()
                ))
            })?)
        };
        Ok(TimestampConverter {
            side,
            field: parsed.get_string(FIELD).unwrap_or_default().to_string(),
            converter: Converter {
                target,
                format,
                precision: Precision::from_config(
                    parsed.get_string(UNIX_PRECISION).unwrap_or_default(),
                ),
            },
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
            cache: SchemaCache::default(),
        })
    }

    fn apply_with_schema(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<(Schema, Value), ConnectError> {
        if self.field.is_empty() {
            let updated = self.converter.target.schema(schema.is_optional());
            let converted = self
                .converter
                .convert(value, Some(TsType::from_schema(schema)?))?;
            return Ok((updated, converted));
        }
        // `requireStructOrNull`: a null value still gets the derived schema.
        let original = if value.is_null() {
            None
        } else {
            Some(require_struct(value, PURPOSE)?)
        };
        let updated = match self.cache.get(schema) {
            Some(s) => s,
            None => {
                let derived = self.derive_schema(schema)?;
                self.cache.put(schema.clone(), derived.clone());
                derived
            }
        };
        let converted = match original {
            None => Value::Null,
            Some(s) => Value::Struct(self.convert_struct(s, &updated)?),
        };
        Ok((updated, converted))
    }

    /// The struct schema with the configured field's schema replaced by the target type's.
    fn derive_schema(&self, schema: &Schema) -> Result<Schema, ConnectError> {
        if schema.schema_type() != SchemaType::Struct {
            return Err(DataError::new("Cannot list fields on non-struct type").into());
        }
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields() {
            let field_schema = if field.name == self.field {
                self.converter.target.schema(field.schema.is_optional())
            } else {
                field.schema.clone()
            };
            builder = builder.field(field.name.clone(), field_schema)?;
        }
        let derived = builder.set_optional(schema.is_optional()).build();
        match schema.default_value() {
            // The default is converted like a value, against the schema being built.
            Some(Value::Struct(default)) => {
                let converted = self.convert_struct(default, &derived)?;
                Ok(derived
                    .to_builder()
                    .default_value(Value::Struct(converted))
                    .build())
            }
            _ => Ok(derived),
        }
    }

    fn convert_struct(&self, original: &Struct, updated: &Schema) -> Result<Struct, ConnectError> {
        let mut result = Struct::new(updated.clone())?;
        for field in original.schema().fields() {
            let value = if self.replace_null_with_default {
                original.get(&field.name)?
            } else {
                original.get_without_default(&field.name)?
            };
            let value = if field.name == self.field {
                // The source type comes from the schema even for a null value, so a field of a
                // non-timestamp type fails either way, as in Kafka.
                let source = TsType::from_schema(&field.schema)?;
                self.converter.convert(value, Some(source))?
            } else {
                value.clone()
            };
            result.put(&field.name, value)?;
        }
        Ok(result)
    }

    fn apply_schemaless(&self, value: &Value) -> Result<Value, ConnectError> {
        if value.is_null() || self.field.is_empty() {
            return self.converter.convert(value, None);
        }
        let entries = require_map(value, PURPOSE)?;
        // A missing key converts as null and is then added, as `HashMap.put` would.
        let converted = self
            .converter
            .convert(map_get(entries, &self.field).unwrap_or(&Value::Null), None)?;
        let mut updated = entries.to_vec();
        let key = Value::String(self.field.clone());
        match updated.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = converted,
            None => updated.push((key, converted)),
        }
        // Kafka's `new HashMap<>(value)`, iterated in its order.
        Ok(Value::Map(in_copied_hash_map_order(updated, entries.len())))
    }
}

impl Transformation for TimestampConverter {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let (schema, value) = match self.side.schema(record) {
            None => (None, self.apply_schemaless(self.side.value(record))?),
            Some(schema) => {
                let (s, v) = self.apply_with_schema(schema, self.side.value(record))?;
                (Some(s), v)
            }
        };
        self.side.replace(record, schema, value);
        Ok(Disposition::Keep)
    }
}
