//! `HasHeaderKey`: true for records with at least one header of the configured name.

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::transforms::registry::PredicatePlugin;
use crate::transforms::Predicate;

const NAME_CONFIG: &str = "name";

pub(super) fn plugin() -> PredicatePlugin {
    PredicatePlugin {
        class_name: "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    // Kafka gives `name` a null default (so it is not "required"), yet rejects an empty one.
    ConfigDef::new().define(
        ConfigKey::new(
            NAME_CONFIG,
            ConfigType::String,
            Importance::Medium,
            "The header name.",
        )
        .default(DefaultValue::Null)
        .validator(Validator::non_empty_string()),
    )
}

fn new(props: &Props) -> Result<Box<dyn Predicate>, ConfigError> {
    let parsed = config_def().parse(props)?;
    Ok(Box::new(HasHeaderKey {
        name: parsed.get_string(NAME_CONFIG).map(str::to_string),
    }))
}

struct HasHeaderKey {
    /// `None` when not configured (the key's default is null). Kafka then compares every header's
    /// key with null (`header.key().equals(null)`, never true: a header always has a key), so the
    /// predicate is false for every record.
    name: Option<String>,
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        Ok(self
            .name
            .as_deref()
            .is_some_and(|name| record.headers.contains(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, Value};
    use crate::transforms::catalog_b::test_support::{props, record};

    #[test]
    fn true_when_any_header_has_the_name() {
        let p = new(&props(&[("name", "foo")])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        assert!(!p.test(&r).unwrap());
        r.headers.add("bar", None, Value::Null);
        assert!(!p.test(&r).unwrap());
        r.headers
            .add("foo", Some(Schema::string()), Value::from("x"));
        r.headers.add("foo", None, Value::Null);
        assert!(p.test(&r).unwrap());
    }

    #[test]
    fn name_is_case_sensitive() {
        let p = new(&props(&[("name", "Foo")])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        r.headers.add("foo", None, Value::Null);
        assert!(!p.test(&r).unwrap());
    }

    /// Kafka's `allWithName(null)` matches no header, so an unset name is never found.
    #[test]
    fn without_a_name_no_record_matches() {
        let unset = new(&props(&[])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        assert!(!unset.test(&r).unwrap());
        r.headers.add("foo", None, Value::Null);
        r.headers.add("", None, Value::Null);
        assert!(!unset.test(&r).unwrap());
    }

    #[test]
    fn empty_name_is_rejected() {
        assert_eq!(
            new(&props(&[("name", "")])).err().unwrap().to_string(),
            "Invalid value  for configuration name: String must be non-empty"
        );
        let def = config_def();
        let key = def.key("name").unwrap();
        assert!(!key.is_required());
        assert_eq!(key.importance, Importance::Medium);
    }
}
