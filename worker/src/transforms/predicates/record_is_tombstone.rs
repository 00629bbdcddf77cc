//! `RecordIsTombstone`: true for records whose value is null.

use crate::config::def::ConfigDef;
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::transforms::registry::PredicatePlugin;
use crate::transforms::Predicate;

pub(super) fn plugin() -> PredicatePlugin {
    PredicatePlugin {
        class_name: "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        config_def: ConfigDef::new,
        new,
    }
}

fn new(_props: &Props) -> Result<Box<dyn Predicate>, ConfigError> {
    // No settings: Kafka's ConfigDef is empty and unknown keys are ignored.
    Ok(Box::new(RecordIsTombstone))
}

struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn test(&self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        Ok(record.value.is_null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, Value};
    use crate::transforms::catalog_b::test_support::{props, record};

    #[test]
    fn only_a_null_value_is_a_tombstone() {
        let p = new(&props(&[("ignored", "x")])).unwrap();
        assert!(p
            .test(&record(None, Value::from("k"), None, Value::Null))
            .unwrap());
        // A schema without a value is still a tombstone.
        assert!(p
            .test(&record(
                None,
                Value::Null,
                Some(Schema::optional_string()),
                Value::Null
            ))
            .unwrap());
        assert!(!p
            .test(&record(None, Value::Null, None, Value::from("")))
            .unwrap());
        assert!(!p
            .test(&record(None, Value::Null, None, Value::Map(vec![])))
            .unwrap());
        assert!((plugin().config_def)().keys().is_empty());
    }
}
