//! `InsertField$Key` / `InsertField$Value`: adds the record's topic, partition, offset (sink
//! records only), timestamp and/or a static string as fields of the key or value.

use super::REPLACE_NULL_WITH_DEFAULT;
use super::{
    into_map, key_value_plugins, put_entry, replace_null_with_default_key, take_side, SchemaCache,
};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_copied_hash_map_order;
use crate::data::{
    logical, ConnectRecord, DataError, Schema, SchemaBuilder, SchemaType, Struct, Value,
};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{
    copy_schema_basics, default_if_null, into_struct, require_sink_record, Side,
};
use crate::transforms::{Disposition, Transformation};

const TOPIC_FIELD: &str = "topic.field";
const PARTITION_FIELD: &str = "partition.field";
const OFFSET_FIELD: &str = "offset.field";
const TIMESTAMP_FIELD: &str = "timestamp.field";
const STATIC_FIELD: &str = "static.field";
const STATIC_VALUE: &str = "static.value";
const PURPOSE: &str = "field insertion";

const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

fn optional_string_key(name: &str, doc: String) -> ConfigKey {
    ConfigKey::new(name, ConfigType::String, Importance::Medium, doc).default(DefaultValue::Null)
}

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(optional_string_key(
            TOPIC_FIELD,
            format!("Field name for Kafka topic. {OPTIONALITY_DOC}"),
        ))
        .define(optional_string_key(
            PARTITION_FIELD,
            format!("Field name for Kafka partition. {OPTIONALITY_DOC}"),
        ))
        .define(optional_string_key(
            OFFSET_FIELD,
            format!("Field name for Kafka offset - only applicable to sink connectors.<br/>{OPTIONALITY_DOC}"),
        ))
        .define(optional_string_key(
            TIMESTAMP_FIELD,
            format!("Field name for record timestamp. {OPTIONALITY_DOC}"),
        ))
        .define(optional_string_key(
            STATIC_FIELD,
            format!("Field name for static data field. {OPTIONALITY_DOC}"),
        ))
        .define(optional_string_key(
            STATIC_VALUE,
            "Static field value, if field name configured.".to_string(),
        ))
        .define(replace_null_with_default_key())
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("InsertField", config_def, InsertField::new)
}

/// A field to insert: its name, and whether its schema is optional (`?` or no suffix) or
/// required (`!`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct InsertionSpec {
    name: String,
    optional: bool,
}

impl InsertionSpec {
    fn parse(spec: Option<&str>) -> Option<InsertionSpec> {
        let spec = spec?;
        let (name, optional) = if let Some(name) = spec.strip_suffix('?') {
            (name, true)
        } else if let Some(name) = spec.strip_suffix('!') {
            (name, false)
        } else {
            (spec, true)
        };
        Some(InsertionSpec {
            name: name.to_string(),
            optional,
        })
    }

    fn schema(&self, schema_type: SchemaType) -> Schema {
        SchemaBuilder::new(schema_type)
            .set_optional(self.optional)
            .build()
    }
}

pub(super) struct InsertField {
    side: Side,
    topic: Option<InsertionSpec>,
    partition: Option<InsertionSpec>,
    offset: Option<InsertionSpec>,
    timestamp: Option<InsertionSpec>,
    /// The static field and its value, which configuration guarantees come together.
    static_field: Option<(InsertionSpec, String)>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl InsertField {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        let spec = |key| InsertionSpec::parse(config.get_string(key));
        let (topic, partition, offset, timestamp, static_spec) = (
            spec(TOPIC_FIELD),
            spec(PARTITION_FIELD),
            spec(OFFSET_FIELD),
            spec(TIMESTAMP_FIELD),
            spec(STATIC_FIELD),
        );
        if topic.is_none()
            && partition.is_none()
            && offset.is_none()
            && timestamp.is_none()
            && static_spec.is_none()
        {
            return Err(ConfigError::Other(
                "No field insertion configured".to_string(),
            ));
        }
        let static_field = match (static_spec, config.get_string(STATIC_VALUE)) {
            (None, _) => None,
            (Some(spec), Some(value)) => Some((spec, value.to_string())),
            (Some(spec), None) => {
                // Kafka prints the spec object (a class name and identity hash); the name is
                // what a user can act on.
                return Err(ConfigError::Invalid {
                    name: STATIC_VALUE.to_string(),
                    value: "null".to_string(),
                    reason: format!("No value specified for static field: {}", spec.name),
                });
            }
        };
        Ok(InsertField {
            side,
            topic,
            partition,
            offset,
            timestamp,
            static_field,
            replace_null_with_default: config.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
            cache: SchemaCache::new(),
        })
    }

    /// Calls `insert` with each field to insert into this record, in Kafka's order: its slot (its
    /// position among the configured insertions, which is also its position after the record's own
    /// fields in the updated schema), its name and its value. Kafka skips a partition or timestamp
    /// the record lacks; their slots stay null. `timestamp_as_date` chooses the Timestamp logical
    /// value (with a schema) over the raw Long (schemaless).
    fn each_insertion(
        &self,
        record: &ConnectRecord,
        timestamp_as_date: bool,
        mut insert: impl FnMut(usize, &str, Value) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        let mut slot = 0;
        let mut next = |spec: &InsertionSpec, value: Option<Value>| {
            let this = slot;
            slot += 1;
            match value {
                Some(v) => insert(this, spec.name.as_str(), v),
                None => Ok(()),
            }
        };
        if let Some(spec) = &self.topic {
            next(spec, Some(Value::String(String::from(&*record.topic))))?;
        }
        if let Some(spec) = &self.partition {
            next(spec, record.kafka_partition.map(Value::Int32))?;
        }
        if let Some(spec) = &self.offset {
            let offset = require_sink_record(record, PURPOSE)?;
            next(spec, Some(Value::Int64(offset)))?;
        }
        if let Some(spec) = &self.timestamp {
            let v = record.timestamp.map(|ts| {
                if timestamp_as_date {
                    Value::Date(ts)
                } else {
                    Value::Int64(ts)
                }
            });
            next(spec, v)?;
        }
        if let Some((spec, value)) = &self.static_field {
            next(spec, Some(Value::String(value.clone())))?;
        }
        Ok(())
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields() {
            builder = builder.field(field.name.clone(), field.schema.clone())?;
        }
        if let Some(spec) = &self.topic {
            builder = builder.field(spec.name.clone(), spec.schema(SchemaType::String))?;
        }
        if let Some(spec) = &self.partition {
            builder = builder.field(spec.name.clone(), spec.schema(SchemaType::Int32))?;
        }
        if let Some(spec) = &self.offset {
            builder = builder.field(spec.name.clone(), spec.schema(SchemaType::Int64))?;
        }
        if let Some(spec) = &self.timestamp {
            let ts = logical::timestamp_builder()
                .set_optional(spec.optional)
                .build();
            builder = builder.field(spec.name.clone(), ts)?;
        }
        if let Some((spec, _)) = &self.static_field {
            builder = builder.field(spec.name.clone(), spec.schema(SchemaType::String))?;
        }
        Ok(builder.build())
    }

    fn apply_schemaless(&self, record: &ConnectRecord, value: Value) -> Result<Value, DataError> {
        let mut entries = into_map(value, PURPOSE)?;
        let source_len = entries.len();
        self.each_insertion(record, false, |_, name, v| {
            put_entry(&mut entries, name, v);
            Ok(())
        })?;
        // Kafka's `new HashMap<>(value)` plus the insertions, iterated in its order.
        Ok(Value::Map(in_copied_hash_map_order(entries, source_len)))
    }

    fn apply_with_schema(
        &self,
        record: &ConnectRecord,
        value: Value,
    ) -> Result<(Schema, Value), DataError> {
        let value = into_struct(value, PURPOSE)?;
        // Kafka keys the cache by the struct's own schema.
        let schema = self
            .cache
            .get_or_build(value.schema(), |s| self.updated_schema(s))?;
        // The updated schema starts with the struct's own fields, in order and with their own
        // schemas, then the insertions: the values move across in their vector. A carried value
        // is validated as Kafka's `put` validates it only when it is null; an insertion is built
        // with its field's type (a String topic for a string field, and so on), so Kafka's `put`
        // of it cannot fail.
        let (own_schema, mut values) = value.into_parts();
        let own_fields = own_schema.fields();
        for (field, v) in own_fields.iter().zip(values.iter_mut()) {
            default_if_null(field, v, self.replace_null_with_default);
        }
        let mut updated = Struct::with_carried_values(schema.clone(), values)?;
        self.each_insertion(record, true, |slot, _, v| {
            updated.put_built_at(own_fields.len() + slot, v)
        })?;
        Ok((schema, Value::Struct(updated)))
    }
}

impl Transformation for InsertField {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // Tombstones pass through unchanged.
        if self.side.value(record).is_null() {
            return Ok(Disposition::Keep);
        }
        let (schema, value) = take_side(self.side, record);
        let (schema, value) = match schema {
            None => (None, self.apply_schemaless(record, value)?),
            Some(_) => {
                let (s, v) = self.apply_with_schema(record, value)?;
                (Some(s), v)
            }
        };
        self.side.replace(record, schema, value);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::data::{logical, Schema, SchemaBuilder, SchemaType, Struct, Value};

    const VALUE: &str = "org.apache.kafka.connect.transforms.InsertField$Value";
    const KEY: &str = "org.apache.kafka.connect.transforms.InsertField$Key";

    const ALL: &[(&str, &str)] = &[
        ("topic.field", "topic_field!"),
        ("partition.field", "partition_field"),
        ("offset.field", "offset_field?"),
        ("timestamp.field", "timestamp_field?"),
        ("static.field", "instance_id"),
        ("static.value", "my-instance-id"),
    ];

    fn simple_struct() -> (Schema, Value) {
        let schema = SchemaBuilder::struct_()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", Schema::int64())
            .unwrap()
            .field(
                "opt",
                SchemaBuilder::new(SchemaType::Int32)
                    .optional()
                    .default_value(Value::Int32(5))
                    .build(),
            )
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("magic", Value::Int64(42)).unwrap();
        (schema, Value::Struct(s))
    }

    /// A struct that leaves a required field unset fails as Kafka's `put` of that null fails; the
    /// optional field left unset is carried as null.
    #[test]
    fn an_unset_required_field_fails_with_puts_message() {
        let t = transform(
            VALUE,
            &[("static.field", "instance_id"), ("static.value", "i-1")],
        );
        let (schema, _) = simple_struct();
        let unset = Value::Struct(Struct::new(schema.clone()).unwrap());
        assert_eq!(
            apply_err(t.as_ref(), sink_record(Some(schema), unset, 1)),
            "Invalid value: null used for required field: \"magic\", schema type: INT64"
        );
    }

    #[test]
    fn with_schema_on_a_sink_record() {
        let t = transform(VALUE, ALL);
        let (schema, value) = simple_struct();
        let out = apply(t.as_ref(), sink_record(Some(schema), value, 77));
        let s = out.value_schema.clone().unwrap();
        assert_eq!(s.name(), Some("name"));
        assert_eq!(s.version(), Some(1));
        assert_eq!(s.doc(), Some("doc"));
        assert_eq!(s.field("topic_field").unwrap().schema, Schema::string());
        assert_eq!(
            s.field("partition_field").unwrap().schema,
            Schema::optional_of(SchemaType::Int32)
        );
        assert_eq!(
            s.field("offset_field").unwrap().schema,
            Schema::optional_of(SchemaType::Int64)
        );
        let ts = &s.field("timestamp_field").unwrap().schema;
        assert_eq!(ts.name(), Some(logical::TIMESTAMP));
        assert!(ts.is_optional());
        let Value::Struct(v) = &out.value else {
            panic!("{:?}", out.value)
        };
        assert_eq!(v.get("magic").unwrap(), &Value::Int64(42));
        assert_eq!(v.get_without_default("opt").unwrap(), &Value::Int32(5));
        assert_eq!(v.get("topic_field").unwrap(), &Value::from("test-topic"));
        assert_eq!(v.get("partition_field").unwrap(), &Value::Int32(3));
        assert_eq!(v.get("offset_field").unwrap(), &Value::Int64(77));
        assert_eq!(
            v.get("timestamp_field").unwrap(),
            &Value::Date(1_700_000_000_123)
        );
        assert_eq!(
            v.get("instance_id").unwrap(),
            &Value::from("my-instance-id")
        );
    }

    #[test]
    fn replace_null_with_default_false_keeps_nulls() {
        let mut pairs = ALL.to_vec();
        pairs.push(("replace.null.with.default", "false"));
        let t = transform(VALUE, &pairs);
        let (schema, value) = simple_struct();
        let out = apply(t.as_ref(), sink_record(Some(schema), value, 1));
        let Value::Struct(v) = &out.value else {
            panic!()
        };
        assert_eq!(v.get_without_default("opt").unwrap(), &Value::Null);
    }

    #[test]
    fn schemaless_key_uses_long_timestamps() {
        let t = transform(KEY, ALL);
        let r = keyed(
            sink_record(None, Value::Null, 9),
            None,
            smap(vec![("magic", Value::Int64(42))]),
        );
        let out = apply(t.as_ref(), r);
        assert_eq!(
            entries(&out.key),
            vec![
                ("instance_id".to_string(), Value::from("my-instance-id")),
                ("magic".to_string(), Value::Int64(42)),
                ("offset_field".to_string(), Value::Int64(9)),
                ("partition_field".to_string(), Value::Int32(3)),
                (
                    "timestamp_field".to_string(),
                    Value::Int64(1_700_000_000_123)
                ),
                ("topic_field".to_string(), Value::from("test-topic")),
            ]
        );
    }

    /// Kafka copies the key into a `new HashMap<>(key)` (2 slots, grown to 4 by the insertion),
    /// and a converter writes it in that map's order: "t" (bucket 0) before "id" (bucket 3). The
    /// key's bytes choose its partition, so the order is Kafka's.
    #[test]
    fn a_schemaless_map_comes_out_in_kafkas_hash_map_order() {
        let t = transform(KEY, &[("topic.field", "t")]);
        let r = keyed(
            source_record(None, Value::Null),
            None,
            smap(vec![("id", Value::Int64(1))]),
        );
        let out = apply(t.as_ref(), r);
        assert_eq!(
            out.key,
            smap(vec![
                ("t", Value::from("test-topic")),
                ("id", Value::Int64(1))
            ])
        );
    }

    #[test]
    fn missing_partition_and_timestamp_are_skipped() {
        let t = transform(
            VALUE,
            &[("partition.field", "p"), ("timestamp.field", "ts")],
        );
        let mut r = source_record(None, smap(vec![]));
        r.kafka_partition = None;
        r.timestamp = None;
        let out = apply(t.as_ref(), r);
        assert_eq!(entries(&out.value), vec![]);
    }

    #[test]
    fn offsets_need_a_sink_record() {
        let t = transform(VALUE, &[("offset.field", "o")]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, smap(vec![]))),
            "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        );
    }

    #[test]
    fn tombstones_pass_through_and_wrong_types_fail() {
        let t = transform(VALUE, &[("topic.field", "t")]);
        let r = source_record(Some(Schema::string()), Value::Null);
        assert_eq!(apply(t.as_ref(), r.clone()), r);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, Value::from("x"))),
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.String"
        );
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(Schema::string()), Value::from("x"))
            ),
            "Only Struct objects supported for [field insertion], found: java.lang.String"
        );
    }

    #[test]
    fn config_errors() {
        assert_eq!(config_error(VALUE, &[]), "No field insertion configured");
        assert_eq!(
            config_error(VALUE, &[("static.field", "s")]),
            "Invalid value null for configuration static.value: No value specified for static field: s"
        );
        // A static field alone is enough.
        let t = transform(VALUE, &[("static.field", "s"), ("static.value", "v")]);
        let out = apply(t.as_ref(), source_record(None, smap(vec![])));
        assert_eq!(
            entries(&out.value),
            vec![("s".to_string(), Value::from("v"))]
        );
    }

    #[test]
    fn registry_chain() {
        let chain = chain(VALUE, &[("topic.field", "topic")]);
        let out = chain
            .apply(source_record(None, smap(vec![])))
            .unwrap()
            .unwrap();
        assert_eq!(
            entries(&out.value),
            vec![("topic".to_string(), Value::from("test-topic"))]
        );
    }
}
