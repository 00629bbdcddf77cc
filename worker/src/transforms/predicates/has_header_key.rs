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
    /// `None` when not configured. Kafka then fails with a NullPointerException on any record
    /// with headers (and answers false for one without); Ferry fails the same records, with a
    /// message that says what to set.
    name: Option<String>,
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        match self.name.as_deref() {
            Some(name) => Ok(record.headers.contains(name)),
            None if record.headers.is_empty() => Ok(false),
            None => Err(ConnectError::new(
                "HasHeaderKey has no header name to look for: set the predicate's 'name'",
            )),
        }
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

    /// Kafka: false for a record without headers, a NullPointerException for one with any.
    #[test]
    fn without_a_name_a_record_with_headers_fails() {
        let unset = new(&props(&[])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        assert!(!unset.test(&r).unwrap());
        r.headers.add("foo", None, Value::Null);
        let err = unset.test(&r).unwrap_err().to_string();
        assert!(err.contains("set the predicate's 'name'"), "{err}");
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
