//! `MaskField$Key` / `MaskField$Value`: replaces the listed fields with a "null" of their type
//! (`false`, `0`, `""`, an empty list or map, ...) or with a configured replacement.

use super::REPLACE_NULL_WITH_DEFAULT;
use super::{into_map, key_value_plugins, put_entry, replace_null_with_default_key, take_side};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, Validator};
use crate::config::java::{hash_map_key_order, hash_set_copy_capacity};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_copied_hash_map_order;
use crate::data::values::convert_to;
use crate::data::{ConnectRecord, DataError, Decimal, Schema, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{map_get, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const FIELDS: &str = "fields";
const REPLACEMENT: &str = "replacement";
const PURPOSE: &str = "mask fields";

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FIELDS,
                ConfigType::List,
                Importance::High,
                "Names of fields to mask.",
            )
            .validator(Validator::non_empty_list()),
        )
        .define(
            ConfigKey::new(
                REPLACEMENT,
                ConfigType::String,
                Importance::Low,
                "Custom value replacement, that will be applied to all 'fields' values \
                 (numeric or non-empty string values only).",
            )
            .default(DefaultValue::Null)
            .validator(Validator::non_empty_string()),
        )
        .define(replace_null_with_default_key())
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("MaskField", config_def, MaskField::new)
}

pub(super) struct MaskField {
    side: Side,
    /// Deduplicated, as Kafka keeps them in a set.
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
}

impl MaskField {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        let listed = config.get_list(FIELDS);
        // Kafka's `new HashSet<>(list)`, whose order decides which listed field a schemaless
        // record reports first when masking fails, and where a missing one lands in its bucket.
        let fields = hash_map_key_order(listed, hash_set_copy_capacity(listed.len()));
        Ok(MaskField {
            side,
            fields,
            replacement: config.get_string(REPLACEMENT).map(str::to_string),
            replace_null_with_default: config.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        })
    }

    fn is_masked(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f == name)
    }

    fn masked(&self, value: &Value) -> Result<Value, DataError> {
        match (value, &self.replacement) {
            (Value::Null, _) => Ok(Value::Null),
            (v, None) => mask_with_null_value(v),
            (v, Some(r)) => mask_with_replacement(v, r),
        }
    }

    fn apply_schemaless(&self, value: Value) -> Result<Value, DataError> {
        let mut entries = into_map(value, PURPOSE)?;
        let source_len = entries.len();
        for field in &self.fields {
            // Kafka puts every listed field, so a missing one appears as null.
            let masked = self.masked(map_get(&entries, field).unwrap_or(&Value::Null))?;
            put_entry(&mut entries, field, masked);
        }
        // Kafka's `new HashMap<>(value)`, iterated in its order.
        Ok(Value::Map(in_copied_hash_map_order(entries, source_len)))
    }

    fn apply_with_schema(&self, value: &Value) -> Result<Value, DataError> {
        let original = require_struct(value, PURPOSE)?;
        let mut updated = Struct::new(original.schema().clone())?;
        for field in original.schema().fields() {
            let v = if self.replace_null_with_default {
                original.get(&field.name)?
            } else {
                original.get_without_default(&field.name)?
            };
            let v = if self.is_masked(&field.name) {
                self.masked(v)?
            } else {
                v.clone()
            };
            updated.put(&field.name, v)?;
        }
        Ok(Value::Struct(updated))
    }
}

/// The "null" of the value's Java class.
fn mask_with_null_value(value: &Value) -> Result<Value, DataError> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::Decimal(_) => Value::Decimal(Decimal::new(0, 0)),
        Value::Date(_) => Value::Date(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(DataError::new(format!(
                "Cannot mask value of type: class {}",
                other.java_class_name()
            )))
        }
    })
}

/// The replacement converted to the value's class: numbers via `Values.convertTo*`, decimals via
/// `new BigDecimal(..)`, strings as they are.
fn mask_with_replacement(value: &Value, replacement: &str) -> Result<Value, DataError> {
    let numeric = |schema_type| {
        convert_to(
            &Schema::optional_of(schema_type),
            None,
            &Value::String(replacement.to_string()),
        )
    };
    match value {
        Value::Int8(_) => numeric(SchemaType::Int8),
        Value::Int16(_) => numeric(SchemaType::Int16),
        Value::Int32(_) => numeric(SchemaType::Int32),
        Value::Int64(_) => numeric(SchemaType::Int64),
        Value::Float32(_) => numeric(SchemaType::Float32),
        Value::Float64(_) => numeric(SchemaType::Float64),
        Value::String(_) => Ok(Value::String(replacement.to_string())),
        Value::Decimal(_) => Decimal::parse_java(replacement)
            .map(Value::Decimal)
            .ok_or_else(|| {
                DataError::new(format!(
                    "Unable to convert {replacement} (class java.lang.String) to number"
                ))
            }),
        other => Err(DataError::new(format!(
            "Cannot mask value of type class {} with custom replacement.",
            other.java_class_name()
        ))),
    }
}

impl Transformation for MaskField {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let (schema, value) = take_side(self.side, record);
        // Tombstones are not special: `requireMap`/`requireStruct` reject null as in Kafka.
        let updated = match &schema {
            None => self.apply_schemaless(value)?,
            Some(_) => self.apply_with_schema(&value)?,
        };
        self.side.replace(record, schema, updated);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::data::{Decimal, Schema, SchemaBuilder, SchemaType, Struct, Value};

    const VALUE: &str = "org.apache.kafka.connect.transforms.MaskField$Value";
    const KEY: &str = "org.apache.kafka.connect.transforms.MaskField$Key";

    fn record_schema() -> Schema {
        let opt = |t| SchemaBuilder::new(t).optional().build();
        SchemaBuilder::struct_()
            .field("magic", Schema::int32())
            .unwrap()
            .field("bool", Schema::boolean())
            .unwrap()
            .field("long", Schema::int64())
            .unwrap()
            .field("double", Schema::float64())
            .unwrap()
            .field("string", Schema::string())
            .unwrap()
            .field("dec", crate::data::logical::decimal(2))
            .unwrap()
            .field("array", SchemaBuilder::array(Schema::int32()).build())
            .unwrap()
            .field("nullable", opt(SchemaType::String))
            .unwrap()
            .field("bytes", opt(SchemaType::Bytes))
            .unwrap()
            .build()
    }

    fn record_value(schema: &Schema) -> Value {
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("magic", Value::Int32(42)).unwrap();
        s.put("bool", Value::Boolean(true)).unwrap();
        s.put("long", Value::Int64(7)).unwrap();
        s.put("double", Value::Float64(1.5)).unwrap();
        s.put("string", Value::from("secret")).unwrap();
        s.put("dec", Value::Decimal(Decimal::new(123, 2))).unwrap();
        s.put("array", Value::Array(vec![Value::Int32(1)])).unwrap();
        s.put("bytes", Value::Bytes(vec![1])).unwrap();
        Value::Struct(s)
    }

    #[test]
    fn with_schema_masks_to_type_nulls() {
        let schema = record_schema();
        let t = transform(
            VALUE,
            &[("fields", "magic,bool,long,double,string,dec,array,nullable")],
        );
        let out = apply(
            t.as_ref(),
            source_record(Some(schema.clone()), record_value(&schema)),
        );
        assert_eq!(out.value_schema, Some(schema));
        let Value::Struct(s) = &out.value else {
            panic!()
        };
        assert_eq!(s.get("magic").unwrap(), &Value::Int32(0));
        assert_eq!(s.get("bool").unwrap(), &Value::Boolean(false));
        assert_eq!(s.get("long").unwrap(), &Value::Int64(0));
        assert_eq!(s.get("double").unwrap(), &Value::Float64(0.0));
        assert_eq!(s.get("string").unwrap(), &Value::from(""));
        assert_eq!(s.get("dec").unwrap(), &Value::Decimal(Decimal::new(0, 0)));
        assert_eq!(s.get("array").unwrap(), &Value::Array(vec![]));
        assert_eq!(s.get("nullable").unwrap(), &Value::Null);
        assert_eq!(s.get("bytes").unwrap(), &Value::Bytes(vec![1]));
    }

    #[test]
    fn with_schema_custom_replacement() {
        let schema = record_schema();
        let t = transform(
            VALUE,
            &[("fields", "magic,string,dec"), ("replacement", "123")],
        );
        let out = apply(
            t.as_ref(),
            source_record(Some(schema.clone()), record_value(&schema)),
        );
        let Value::Struct(s) = &out.value else {
            panic!()
        };
        assert_eq!(s.get("magic").unwrap(), &Value::Int32(123));
        assert_eq!(s.get("string").unwrap(), &Value::from("123"));
        assert_eq!(s.get("dec").unwrap(), &Value::Decimal(Decimal::new(123, 0)));
        let t = transform(VALUE, &[("fields", "bool"), ("replacement", "x")]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(schema.clone()), record_value(&schema))
            ),
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        let t = transform(VALUE, &[("fields", "bytes")]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(schema.clone()), record_value(&schema))
            ),
            "Cannot mask value of type: class [B"
        );
        let t = transform(VALUE, &[("fields", "dec"), ("replacement", "abc")]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(schema.clone()), record_value(&schema))
            ),
            "Unable to convert abc (class java.lang.String) to number"
        );
    }

    /// Kafka's masked fields are a `HashSet`: a schemaless record's fields are masked, and the
    /// first failure reported, in its order ("a" before "b", whatever the list's order).
    #[test]
    fn schemaless_fields_are_masked_in_kafkas_set_order() {
        let t = transform(VALUE, &[("fields", "b,a"), ("replacement", "x")]);
        let v = smap(vec![
            ("a", Value::Boolean(true)),
            ("b", Value::Bytes(vec![1])),
        ]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, v)),
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
    }

    #[test]
    fn schemaless_key_adds_missing_fields_as_null() {
        let t = transform(KEY, &[("fields", "magic,missing")]);
        let r = keyed(
            source_record(None, Value::Null),
            None,
            smap(vec![
                ("magic", Value::Int64(42)),
                ("other", Value::from("o")),
            ]),
        );
        let out = apply(t.as_ref(), r);
        assert_eq!(
            entries(&out.key),
            vec![
                ("magic".to_string(), Value::Int64(0)),
                ("missing".to_string(), Value::Null),
                ("other".to_string(), Value::from("o")),
            ]
        );
    }

    #[test]
    fn tombstones_fail_as_in_kafka() {
        let t = transform(VALUE, &[("fields", "a")]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, Value::Null)),
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(record_schema()), Value::Null)
            ),
            "Only Struct objects supported for [mask fields], found: null"
        );
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            config_error(VALUE, &[("fields", "")]),
            "Invalid value [] for configuration fields: Empty list"
        );
        assert_eq!(
            config_error(VALUE, &[("fields", "a"), ("replacement", "")]),
            "Invalid value  for configuration replacement: String must be non-empty"
        );
        assert_eq!(
            config_error(VALUE, &[]),
            "Missing required configuration \"fields\" which has no default value."
        );
    }

    #[test]
    fn registry_chain() {
        let chain = chain(VALUE, &[("fields", "pw"), ("replacement", "****")]);
        let out = chain
            .apply(source_record(
                None,
                smap(vec![("pw", Value::from("hunter2"))]),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(
            entries(&out.value),
            vec![("pw".to_string(), Value::from("****"))]
        );
    }
}
