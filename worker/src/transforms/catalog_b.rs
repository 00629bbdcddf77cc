//! Transforms of the second set (DropHeaders, Filter, HeaderFrom, InsertHeader, RegexRouter,
//! ReplaceField, ValueToKey), plus what they share: the derived-schema cache and the
//! `replace.null.with.default` key.

use super::registry::TransformPlugin;
pub(crate) use super::schema_cache::SchemaCache;
#[cfg(test)]
use super::schema_cache::CAPACITY as SCHEMA_CACHE_SIZE;
pub(crate) use super::util::{replace_null_with_default_key, REPLACE_NULL_WITH_DEFAULT};
use crate::data::{DataError, Struct, Value};

#[path = "drop_headers.rs"]
mod drop_headers;
#[path = "filter.rs"]
mod filter;
#[path = "header_from.rs"]
mod header_from;
#[path = "insert_header.rs"]
mod insert_header;
#[path = "regex_router.rs"]
mod regex_router;
#[path = "replace_field.rs"]
mod replace_field;
#[path = "value_to_key.rs"]
mod value_to_key;

pub fn plugins() -> Vec<TransformPlugin> {
    let mut all = vec![
        drop_headers::plugin(),
        filter::plugin(),
        insert_header::plugin(),
        regex_router::plugin(),
        value_to_key::plugin(),
    ];
    all.extend(header_from::plugins());
    all.extend(replace_field::plugins());
    all
}

/// `Struct.get` (the schema default replaces a null) or `getWithoutDefault`, as the transform's
/// `replace.null.with.default` chooses.
pub(crate) fn field_value<'a>(
    value: &'a Struct,
    field: &str,
    replace_null_with_default: bool,
) -> Result<&'a Value, DataError> {
    if replace_null_with_default {
        value.get(field)
    } else {
        value.get_without_default(field)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Record builders shared by this set's tests.

    use std::sync::Arc;

    use crate::data::{ConnectRecord, Headers, RecordOrigin, Schema, SourceOffset, Value};

    pub(crate) fn record(
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
    ) -> ConnectRecord {
        ConnectRecord {
            topic: "test".into(),
            kafka_partition: Some(0),
            key_schema,
            key,
            value_schema,
            value,
            timestamp: Some(1_000),
            headers: Headers::new(),
            origin: RecordOrigin::Source {
                partition: Arc::default(),
                offset: SourceOffset::new().into(),
            },
        }
    }

    pub(crate) fn props(pairs: &[(&str, &str)]) -> crate::config::Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub(crate) fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaBuilder, SchemaType};

    fn schema(name: &str) -> Schema {
        SchemaBuilder::struct_()
            .name(name)
            .field("a", Schema::int32())
            .unwrap()
            .build()
    }

    #[test]
    fn every_plugin_is_registered_once_with_kafkas_class_name() {
        let names: Vec<&str> = plugins().iter().map(|p| p.class_name).collect();
        assert_eq!(
            names,
            vec![
                "org.apache.kafka.connect.transforms.DropHeaders",
                "org.apache.kafka.connect.transforms.Filter",
                "org.apache.kafka.connect.transforms.InsertHeader",
                "org.apache.kafka.connect.transforms.RegexRouter",
                "org.apache.kafka.connect.transforms.ValueToKey",
                "org.apache.kafka.connect.transforms.HeaderFrom$Key",
                "org.apache.kafka.connect.transforms.HeaderFrom$Value",
                "org.apache.kafka.connect.transforms.ReplaceField$Key",
                "org.apache.kafka.connect.transforms.ReplaceField$Value",
            ]
        );
    }

    #[test]
    fn cache_hits_by_pointer_and_by_equality_and_evicts_the_least_recent() {
        let cache = SchemaCache::new();
        let input = schema("s");
        let builds = std::cell::Cell::new(0);
        let derive = |_: &Schema| -> Result<Schema, DataError> {
            builds.set(builds.get() + 1);
            Ok(Schema::optional_of(SchemaType::String))
        };
        let first = cache.get_or_build(&input, derive).unwrap();
        let again = cache.get_or_build(&input, derive).unwrap();
        // An equal schema built separately is a hit too.
        let equal = cache.get_or_build(&schema("s"), derive).unwrap();
        assert_eq!(builds.get(), 1);
        assert!(first.ptr_eq(&again) && first.ptr_eq(&equal));

        for i in 0..SCHEMA_CACHE_SIZE {
            cache
                .get_or_build(&schema(&format!("other{i}")), derive)
                .unwrap();
        }
        assert_eq!(cache.len(), SCHEMA_CACHE_SIZE);
        assert_eq!(builds.get(), 1 + SCHEMA_CACHE_SIZE);
        // The first schema was the least recently used, so it was evicted and is rebuilt.
        cache.get_or_build(&input, derive).unwrap();
        assert_eq!(builds.get(), 2 + SCHEMA_CACHE_SIZE);
    }

    #[test]
    fn a_hit_on_an_older_entry_makes_it_the_most_recently_used() {
        let cache = SchemaCache::new();
        let builds = std::cell::Cell::new(0);
        let derive = |_: &Schema| -> Result<Schema, DataError> {
            builds.set(builds.get() + 1);
            Ok(Schema::optional_of(SchemaType::String))
        };
        let old = schema("old");
        cache.get_or_build(&old, derive).unwrap();
        cache.get_or_build(&schema("newer"), derive).unwrap();
        // Found behind the front entry, by pointer and then by equality: each moves it to the front.
        cache.get_or_build(&old, derive).unwrap();
        cache.get_or_build(&schema("newer"), derive).unwrap();
        cache.get_or_build(&schema("old"), derive).unwrap();
        assert_eq!(builds.get(), 2);
        // Fifteen more schemas evict "newer", the least recently used, and keep "old".
        for i in 0..SCHEMA_CACHE_SIZE - 1 {
            cache
                .get_or_build(&schema(&format!("other{i}")), derive)
                .unwrap();
        }
        assert_eq!(builds.get(), 2 + SCHEMA_CACHE_SIZE - 1);
        cache.get_or_build(&old, derive).unwrap();
        assert_eq!(builds.get(), 2 + SCHEMA_CACHE_SIZE - 1);
        cache.get_or_build(&schema("newer"), derive).unwrap();
        assert_eq!(builds.get(), 2 + SCHEMA_CACHE_SIZE);
    }

    #[test]
    fn build_errors_are_returned_and_not_cached() {
        let cache: SchemaCache = SchemaCache::new();
        let err = cache
            .get_or_build(&schema("s"), |_| Err(DataError::new("boom")))
            .unwrap_err();
        assert_eq!(err.message(), "boom");
        assert_eq!(cache.len(), 0);
    }
}
