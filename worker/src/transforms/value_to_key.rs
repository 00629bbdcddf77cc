//! `ValueToKey`: replaces the key with a Struct (or, schemaless, a Map) of some value fields.

use super::{field_value, replace_null_with_default_key, SchemaCache, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{map_get, require_map, require_struct};
use crate::transforms::{Disposition, Transformation};

const FIELDS_CONFIG: &str = "fields";
const PURPOSE: &str = "copying fields from value to key";

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.ValueToKey",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FIELDS_CONFIG,
                ConfigType::List,
                Importance::High,
                "Field names on the record value to extract as the record key.",
            )
            .validator(Validator::non_empty_list()),
        )
        .define(replace_null_with_default_key())
}

fn new(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(props)?;
    let fields = parsed.get_list(FIELDS_CONFIG).to_vec();
    Ok(Box::new(ValueToKey {
        // Kafka's `new HashMap<>(fields.size())`, filled in list order.
        schemaless_order: crate::config::java::hash_map_key_order(&fields, fields.len()),
        fields,
        replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        key_schemas: SchemaCache::new(),
    }))
}

struct ValueToKey {
    fields: Vec<String>,
    /// The schemaless key's entries in Kafka's order: a `HashMap`'s, which the key converter
    /// writes as it iterates. The key's bytes pick its partition and are what compaction keys
    /// on, so they must be Kafka's bytes.
    schemaless_order: Vec<String>,
    replace_null_with_default: bool,
    /// Key schema by value schema.
    key_schemas: SchemaCache,
}

impl ValueToKey {
    fn key_schema(&self, value_schema: &Schema) -> Result<Schema, DataError> {
        self.key_schemas.get_or_build(value_schema, |schema| {
            let mut builder = SchemaBuilder::struct_();
            for name in &self.fields {
                let field = schema
                    .field(name)
                    .ok_or_else(|| DataError::new(format!("Field does not exist: {name}")))?;
                builder = builder.field(name.clone(), field.schema.clone())?;
            }
            Ok(builder.build())
        })
    }
}

impl Transformation for ValueToKey {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        if record.value_schema.is_none() {
            let value = require_map(&record.value, PURPOSE)?;
            let key: Vec<(Value, Value)> = self
                .schemaless_order
                .iter()
                .map(|name| {
                    let field_value = map_get(value, name).cloned().unwrap_or(Value::Null);
                    (Value::from(name.as_str()), field_value)
                })
                .collect();
            record.key_schema = None;
            record.key = Value::Map(key);
            return Ok(Disposition::Keep);
        }
        let value = require_struct(&record.value, PURPOSE)?;
        let key_schema = self.key_schema(value.schema())?;
        let mut key = Struct::new(key_schema.clone())?;
        for name in &self.fields {
            let v = field_value(value, name, self.replace_null_with_default)?;
            key.put(name, v.clone())?;
        }
        // Kafka passes `value.schema()` on as the value schema: the struct's own.
        let value_schema = value.schema().clone();
        record.key_schema = Some(key_schema);
        record.key = Value::Struct(key);
        record.value_schema = Some(value_schema);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::catalog_b::test_support::{map, props, record};

    fn value_schema() -> Schema {
        SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .unwrap()
            .field("b", Schema::int32())
            .unwrap()
            .field(
                "c",
                SchemaBuilder::new(crate::data::SchemaType::Int32)
                    .optional()
                    .default_value(Value::Int32(7))
                    .build(),
            )
            .unwrap()
            .build()
    }

    fn value() -> Struct {
        let mut s = Struct::new(value_schema()).unwrap();
        s.put("a", Value::Int32(1)).unwrap();
        s.put("b", Value::Int32(2)).unwrap();
        s
    }

    #[test]
    fn with_schema_the_key_is_a_struct_in_list_order() {
        let t = new(&props(&[("fields", "b,a")])).unwrap();
        let r = record(
            None,
            Value::Null,
            Some(value_schema()),
            Value::Struct(value()),
        );
        let out = t.apply_owned(r).unwrap().unwrap();
        let key_schema = out.key_schema.clone().unwrap();
        let names: Vec<&str> = key_schema
            .fields()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, vec!["b", "a"]);
        let key = out.key.as_struct().unwrap();
        assert_eq!(key.get("a").unwrap(), &Value::Int32(1));
        assert_eq!(key.get("b").unwrap(), &Value::Int32(2));
        assert_eq!(out.value, Value::Struct(value()));
    }

    #[test]
    fn key_schema_is_cached_per_value_schema() {
        let t = ValueToKey {
            fields: vec!["a".into()],
            schemaless_order: vec!["a".into()],
            replace_null_with_default: true,
            key_schemas: SchemaCache::new(),
        };
        let first = t.key_schema(&value_schema()).unwrap();
        let second = t.key_schema(&value_schema()).unwrap();
        assert!(first.ptr_eq(&second));
        assert_eq!(t.key_schemas.len(), 1);
    }

    #[test]
    fn replace_null_with_default_chooses_default_or_null() {
        let r = record(
            None,
            Value::Null,
            Some(value_schema()),
            Value::Struct(value()),
        );
        let with_default = new(&props(&[("fields", "c")])).unwrap();
        let out = with_default.apply_owned(r.clone()).unwrap().unwrap();
        assert_eq!(
            out.key
                .as_struct()
                .unwrap()
                .get_without_default("c")
                .unwrap(),
            &Value::Int32(7)
        );
        let without = new(&props(&[
            ("fields", "c"),
            ("replace.null.with.default", "false"),
        ]))
        .unwrap();
        let out = without.apply_owned(r).unwrap().unwrap();
        assert_eq!(
            out.key
                .as_struct()
                .unwrap()
                .get_without_default("c")
                .unwrap(),
            &Value::Null
        );
    }

    #[test]
    fn unknown_field_with_schema_fails() {
        let t = new(&props(&[("fields", "a,nope")])).unwrap();
        let r = record(
            None,
            Value::Null,
            Some(value_schema()),
            Value::Struct(value()),
        );
        assert_eq!(
            t.apply_owned(r).unwrap_err().to_string(),
            "Field does not exist: nope"
        );
    }

    #[test]
    fn schemaless_key_is_a_map_with_nulls_for_missing_fields() {
        let t = new(&props(&[("fields", "a,missing")])).unwrap();
        let v = map(&[("a", Value::Int64(1)), ("b", Value::from("x"))]);
        let r = record(Some(Schema::string()), Value::from("old"), None, v.clone());
        let out = t.apply_owned(r).unwrap().unwrap();
        assert_eq!(out.key_schema, None);
        // In Kafka's HashMap order: "missing" hashes to bucket 0, "a" to bucket 1.
        assert_eq!(
            out.key,
            map(&[("missing", Value::Null), ("a", Value::Int64(1))])
        );
        assert_eq!(out.value, v);
    }

    /// Kafka's key is a `HashMap`, so its entries (and the key's bytes) come in hash order, not
    /// in the order of `fields`: `fields=id,name` gives `{"name":..,"id":..}`.
    #[test]
    fn schemaless_key_entries_come_in_kafkas_hash_map_order() {
        let t = new(&props(&[("fields", "id,name,id")])).unwrap();
        let v = map(&[("id", Value::Int64(1)), ("name", Value::from("x"))]);
        let out = t
            .apply_owned(record(None, Value::Null, None, v))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.key,
            map(&[("name", Value::from("x")), ("id", Value::Int64(1))])
        );
    }

    #[test]
    fn tombstones_fail_like_kafka() {
        let t = new(&props(&[("fields", "a")])).unwrap();
        assert_eq!(
            t.apply_owned(record(None, Value::Null, None, Value::Null)).unwrap_err().to_string(),
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        assert_eq!(
            t.apply_owned(record(None, Value::Null, Some(value_schema()), Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Struct objects supported for [copying fields from value to key], found: null"
        );
    }

    #[test]
    fn fields_is_required_and_non_empty() {
        assert_eq!(
            new(&props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"fields\" which has no default value."
        );
        assert_eq!(
            new(&props(&[("fields", "")])).err().unwrap().to_string(),
            "Invalid value [] for configuration fields: Empty list"
        );
    }
}
