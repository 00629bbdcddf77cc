//! What every transform shares: Kafka's `Requirements` checks with their messages, `SchemaUtil`, and
//! the `$Key` / `$Value` choice of which part of the record a transform works on.

use crate::config::def::{ConfigKey, ConfigType, Importance};
use crate::data::{ConnectRecord, DataError, Field, Schema, SchemaBuilder, Struct, Value};

/// Which part of the record a `$Key` / `$Value` transform works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Key,
    Value,
}

impl Side {
    pub fn schema(self, record: &ConnectRecord) -> Option<&Schema> {
        match self {
            Side::Key => record.key_schema.as_ref(),
            Side::Value => record.value_schema.as_ref(),
        }
    }

    pub fn value(self, record: &ConnectRecord) -> &Value {
        match self {
            Side::Key => &record.key,
            Side::Value => &record.value,
        }
    }

    /// Replaces this side of the record (`record.newRecord(...)`): topic, partition, the other side,
    /// timestamp, headers and origin are kept.
    pub fn replace(self, record: &mut ConnectRecord, schema: Option<Schema>, value: Value) {
        let (schema_slot, value_slot) = match self {
            Side::Key => (&mut record.key_schema, &mut record.key),
            Side::Value => (&mut record.value_schema, &mut record.value),
        };
        *schema_slot = schema;
        // After `take_side` the slot holds null: nothing to drop, and no call to the general drop
        // of a value on every record.
        match std::mem::replace(value_slot, value) {
            Value::Null => {}
            replaced => drop(replaced),
        }
    }

    /// The nested class suffix Kafka uses: `$Key` or `$Value`.
    pub fn class_suffix(self) -> &'static str {
        match self {
            Side::Key => "$Key",
            Side::Value => "$Value",
        }
    }
}

/// Takes the schema and value of one side out of the record, leaving null in their place, so a
/// transform can rebuild them without cloning; [`Side::replace`] puts the new ones back.
pub fn take_side(side: Side, record: &mut ConnectRecord) -> (Option<Schema>, Value) {
    let (schema, value) = match side {
        Side::Key => (&mut record.key_schema, &mut record.key),
        Side::Value => (&mut record.value_schema, &mut record.value),
    };
    (schema.take(), std::mem::replace(value, Value::Null))
}

/// `Requirements.requireMap`: a schemaless value must be a map.
pub fn require_map<'a>(value: &'a Value, purpose: &str) -> Result<&'a [(Value, Value)], DataError> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(DataError::new(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            class_name(other)
        ))),
    }
}

/// `Requirements.requireStruct`: a value with a schema must be a struct.
pub fn require_struct<'a>(value: &'a Value, purpose: &str) -> Result<&'a Struct, DataError> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(other, purpose)),
    }
}

/// `require_struct` on an owned value: the struct itself, so a transform can move its values.
pub fn into_struct(value: Value, purpose: &str) -> Result<Struct, DataError> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(&other, purpose)),
    }
}

fn not_a_struct(value: &Value, purpose: &str) -> DataError {
    DataError::new(format!(
        "Only Struct objects supported for [{purpose}], found: {}",
        class_name(value)
    ))
}

/// A field's value moved out of its struct, as `Struct.get` (the schema default replaces a null) or
/// `getWithoutDefault` would return it, as `replace.null.with.default` chooses.
pub fn take_field_value(field: &Field, mut value: Value, replace_null_with_default: bool) -> Value {
    default_if_null(field, &mut value, replace_null_with_default);
    value
}

/// [`take_field_value`] on a value left where it is: a null slot takes the field's default when
/// `replace.null.with.default` asks for it (no value is moved, which a record's hot path notices).
pub fn default_if_null(field: &Field, slot: &mut Value, replace_null_with_default: bool) {
    if replace_null_with_default && slot.is_null() {
        if let Some(default) = field.schema.default_value() {
            *slot = default.clone();
        }
    }
}

/// `Requirements.requireSchema`.
pub fn require_schema<'a>(
    schema: Option<&'a Schema>,
    purpose: &str,
) -> Result<&'a Schema, DataError> {
    schema.ok_or_else(|| DataError::new(format!("Schema required for [{purpose}]")))
}

/// `Requirements.requireSinkRecord`.
pub fn require_sink_record(record: &ConnectRecord, purpose: &str) -> Result<i64, DataError> {
    record.kafka_offset().ok_or_else(|| {
        DataError::new(format!(
            "Only SinkRecord supported for [{purpose}], found: org.apache.kafka.connect.source.SourceRecord"
        ))
    })
}

/// The class Kafka names in a requirement error (`null` for a null value).
fn class_name(value: &Value) -> &'static str {
    value.java_class_name()
}

/// `SchemaUtil.copySchemaBasics`: name, version, doc and parameters (not optionality or default).
pub fn copy_schema_basics(source: &Schema, builder: SchemaBuilder) -> SchemaBuilder {
    builder
        .set_name(source.name().map(str::to_string))
        .set_version(source.version())
        .set_doc(source.doc().map(str::to_string))
        .set_parameters(source.parameters().map(<[_]>::to_vec))
}

/// Looks up a key in a schemaless map value (string keys, as Kafka's `Map<String, Object>`).
pub fn map_get<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
        .map(|(_, v)| v)
}

/// `replace.null.with.default` (KIP-1040, Kafka 3.9+): whether a null struct field with a schema
/// default reads as the default (`Struct.get`) or as null (`Struct.getWithoutDefault`). Every
/// field-reading transform defines it the same way.
pub(crate) const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";

pub(crate) fn replace_null_with_default_key() -> ConfigKey {
    ConfigKey::new(
        REPLACE_NULL_WITH_DEFAULT,
        ConfigType::Boolean,
        Importance::Medium,
        "Whether to replace fields that have a default value and that are null to the default value. \
         When set to true, the default value is used, otherwise null is used.",
    )
    .default_value("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_messages_are_kafkas() {
        assert_eq!(
            require_map(&Value::Int32(1), "field insertion").unwrap_err().message(),
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Integer"
        );
        assert_eq!(
            require_struct(&Value::Null, "field extraction")
                .unwrap_err()
                .message(),
            "Only Struct objects supported for [field extraction], found: null"
        );
        assert_eq!(
            require_schema(None, "updating schema metadata")
                .unwrap_err()
                .message(),
            "Schema required for [updating schema metadata]"
        );
    }
}
