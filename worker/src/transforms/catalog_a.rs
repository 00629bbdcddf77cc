//! Transforms of the first set (Cast, ExtractField, Flatten, HoistField, InsertField, MaskField),
//! each as a `$Key` and a `$Value` class, plus what they share: the schema-update cache, the
//! `replace.null.with.default` key and moving one side of a record out without cloning it.

#[path = "cast/mod.rs"]
mod cast;
#[path = "extract_field.rs"]
mod extract_field;
#[path = "field_path.rs"]
mod field_path;
#[path = "flatten.rs"]
mod flatten;
#[path = "hoist_field.rs"]
mod hoist_field;
#[path = "insert_field.rs"]
mod insert_field;
#[path = "mask_field.rs"]
mod mask_field;

use super::registry::TransformPlugin;
pub(super) use super::schema_cache::SchemaCache;
use super::util::require_map;
pub(super) use super::util::{replace_null_with_default_key, REPLACE_NULL_WITH_DEFAULT};
use crate::data::{DataError, Value};

pub fn plugins() -> Vec<TransformPlugin> {
    let mut all = Vec::with_capacity(12);
    all.extend(cast::plugins());
    all.extend(extract_field::plugins());
    all.extend(flatten::plugins());
    all.extend(hoist_field::plugins());
    all.extend(insert_field::plugins());
    all.extend(mask_field::plugins());
    all
}

pub(super) use super::util::take_side;

/// `requireMap` on an owned value: the entries themselves, so a transform can update them in
/// place instead of copying the map.
pub(super) fn into_map(value: Value, purpose: &str) -> Result<Vec<(Value, Value)>, DataError> {
    match value {
        Value::Map(entries) => Ok(entries),
        // `require_map` fails for anything but a map; it only supplies Kafka's message.
        other => require_map(&other, purpose).map(|_| Vec::new()),
    }
}

/// `HashMap.put` on a schemaless map: replaces the value of an existing string key, else appends.
pub(super) fn put_entry(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries
        .iter_mut()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
    {
        Some(entry) => entry.1 = value,
        None => entries.push((Value::String(key.to_string()), value)),
    }
}

/// Builds the `$Key`/`$Value` plugin pair of a transform.
macro_rules! key_value_plugins {
    ($simple:literal, $def:path, $new:path) => {{
        use crate::config::{ConfigError, Props};
        use crate::transforms::registry::TransformPlugin;
        use crate::transforms::util::Side;
        use crate::transforms::Transformation;
        fn new_key(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
            Ok(Box::new($new(Side::Key, props)?))
        }
        fn new_value(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
            Ok(Box::new($new(Side::Value, props)?))
        }
        [
            TransformPlugin {
                class_name: concat!("org.apache.kafka.connect.transforms.", $simple, "$Key"),
                config_def: $def,
                new: new_key,
            },
            TransformPlugin {
                class_name: concat!("org.apache.kafka.connect.transforms.", $simple, "$Value"),
                config_def: $def,
                new: new_value,
            },
        ]
    }};
}
use key_value_plugins;

#[cfg(test)]
pub(super) mod test_support {
    //! Records and chains for the transforms' tests.

    use std::sync::Arc;

    use crate::config::connector::ConnectorKind;
    use crate::config::Props;
    use crate::data::{ConnectRecord, RecordOrigin, Schema, Value};
    use crate::transforms::registry::{build_chain, find_transform};
    use crate::transforms::{TransformChain, Transformation};

    pub fn source_record(schema: Option<Schema>, value: Value) -> ConnectRecord {
        let mut r = ConnectRecord::source(
            Arc::new(Default::default()),
            Arc::new(Default::default()),
            "test-topic",
            schema,
            value,
            Some(1_700_000_000_123),
        );
        r.kafka_partition = Some(3);
        r
    }

    pub fn sink_record(schema: Option<Schema>, value: Value, offset: i64) -> ConnectRecord {
        let mut r = source_record(schema, value);
        r.origin = RecordOrigin::Sink {
            kafka_offset: offset,
        };
        r
    }

    pub fn keyed(mut record: ConnectRecord, schema: Option<Schema>, key: Value) -> ConnectRecord {
        record.key_schema = schema;
        record.key = key;
        record
    }

    pub fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A configured transform by full class name, as the registry builds it.
    pub fn transform(class: &str, pairs: &[(&str, &str)]) -> Box<dyn Transformation> {
        match find_transform(class) {
            Some(plugin) => match (plugin.new)(&props(pairs)) {
                Ok(t) => t,
                Err(e) => panic!("{class}: {e}"),
            },
            None => panic!("{class} is not registered"),
        }
    }

    /// The configuration error of a transform, by full class name.
    pub fn config_error(class: &str, pairs: &[(&str, &str)]) -> String {
        let plugin = find_transform(class).expect("registered");
        match (plugin.new)(&props(pairs)) {
            Ok(_) => panic!("{class} accepted {pairs:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// A chain built from connector-style props with one transform `a` of `class`.
    pub fn chain(class: &str, own: &[(&str, &str)]) -> TransformChain {
        let mut p = props(&[
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("topic", "t"),
            ("transforms", "a"),
            ("transforms.a.type", class),
        ]);
        for (k, v) in own {
            p.insert(format!("transforms.a.{k}"), v.to_string());
        }
        match build_chain(ConnectorKind::Source, &p) {
            Ok(c) => c,
            Err(e) => panic!("chain for {class}: {e}"),
        }
    }

    pub fn apply(t: &dyn Transformation, record: ConnectRecord) -> ConnectRecord {
        match t.apply_owned(record) {
            Ok(Some(r)) => r,
            Ok(None) => panic!("record dropped"),
            Err(e) => panic!("transform failed: {e}"),
        }
    }

    pub fn apply_err(t: &dyn Transformation, record: ConnectRecord) -> String {
        match t.apply_owned(record) {
            Ok(r) => panic!("expected an error, got {r:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// The entries of a schemaless map as (string key, value), for order-insensitive checks.
    pub fn entries(value: &Value) -> Vec<(String, Value)> {
        match value {
            Value::Map(m) => {
                let mut v: Vec<_> = m
                    .iter()
                    .map(|(k, v)| (k.java_string(), v.clone()))
                    .collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            }
            other => panic!("not a map: {other:?}"),
        }
    }

    pub fn smap(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (Value::String(k.to_string()), v))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaBuilder, SchemaType};
    use crate::transforms::util::Side;

    const PACKAGE: &str = "org.apache.kafka.connect.transforms.";

    #[test]
    fn all_twelve_classes_are_registered() {
        let names: Vec<_> = plugins().iter().map(|p| p.class_name).collect();
        for simple in [
            "Cast",
            "ExtractField",
            "Flatten",
            "HoistField",
            "InsertField",
            "MaskField",
        ] {
            for side in ["$Key", "$Value"] {
                let full = format!("{PACKAGE}{simple}{side}");
                assert!(names.contains(&full.as_str()), "{full} missing");
            }
        }
        assert_eq!(names.len(), 12);
    }

    fn struct_schema(field: &str) -> Schema {
        SchemaBuilder::struct_()
            .field(field, Schema::int32())
            .unwrap()
            .build()
    }

    #[test]
    fn cache_finds_by_pointer_then_equality_and_evicts_lru() {
        let cache = SchemaCache::new();
        let a = struct_schema("a");
        let built = cache
            .get_or_build::<()>(&a, |_| Ok(Schema::string()))
            .unwrap();
        assert_eq!(built.schema_type(), SchemaType::String);
        // Same pointer: no rebuild.
        let again = cache.get_or_build::<()>(&a, |_| panic!("rebuilt")).unwrap();
        assert!(again.ptr_eq(&built));
        // An equal schema built separately is found by equality.
        let equal = struct_schema("a");
        assert!(!equal.ptr_eq(&a));
        let found = cache
            .get_or_build::<()>(&equal, |_| panic!("rebuilt"))
            .unwrap();
        assert!(found.ptr_eq(&built));
        // Sixteen other schemas push `a` out once it is the least recently used.
        for i in 0..16 {
            let s = struct_schema(&format!("f{i}"));
            cache
                .get_or_build::<()>(&s, |_| Ok(Schema::int8()))
                .unwrap();
        }
        assert_eq!(cache.len(), 16);
        let rebuilt = cache
            .get_or_build::<()>(&a, |_| Ok(Schema::bytes()))
            .unwrap();
        assert_eq!(rebuilt.schema_type(), SchemaType::Bytes);
    }

    #[test]
    fn take_side_leaves_null() {
        let mut r = test_support::source_record(Some(Schema::string()), Value::from("v"));
        let (schema, value) = take_side(Side::Value, &mut r);
        assert_eq!(schema, Some(Schema::string()));
        assert_eq!(value, Value::from("v"));
        assert!(r.value.is_null() && r.value_schema.is_none());
    }
}
