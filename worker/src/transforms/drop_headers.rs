//! `DropHeaders`: removes every header whose key is in `headers`.

use std::collections::HashSet;

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::{Disposition, Transformation};

const HEADERS_FIELD: &str = "headers";

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.DropHeaders",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            HEADERS_FIELD,
            ConfigType::List,
            Importance::High,
            "The name of the headers to be removed.",
        )
        .validator(Validator::non_empty_list()),
    )
}

fn new(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(props)?;
    Ok(Box::new(DropHeaders {
        headers: parsed.get_list(HEADERS_FIELD).iter().cloned().collect(),
    }))
}

struct DropHeaders {
    headers: HashSet<String>,
}

impl Transformation for DropHeaders {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // The value is never looked at, so tombstones pass like any record.
        record.headers.retain(|h| !self.headers.contains(&*h.key));
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, Value};
    use crate::transforms::catalog_b::test_support::{props, record};

    #[test]
    fn removes_every_header_with_a_listed_key_and_keeps_order() {
        let t = new(&props(&[("headers", "a, c")])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        r.headers.add("a", None, Value::from("1"));
        r.headers.add("b", Some(Schema::int32()), Value::Int32(2));
        r.headers.add("a", None, Value::from("3"));
        r.headers.add("c", None, Value::Null);
        r.headers.add("d", None, Value::from("4"));
        let out = t.apply_owned(r.clone()).unwrap().unwrap();
        let keys: Vec<&str> = out.headers.iter().map(|h| &*h.key).collect();
        assert_eq!(keys, vec!["b", "d"]);
        assert_eq!(out.headers.iter().next().unwrap().value, Value::Int32(2));
        // Everything else is untouched, including the null (tombstone) value.
        assert_eq!(out.value, Value::Null);
        assert_eq!(out.topic, r.topic);
    }

    #[test]
    fn headers_is_required_and_non_empty() {
        assert_eq!(
            new(&props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"headers\" which has no default value."
        );
        assert_eq!(
            new(&props(&[("headers", "")])).err().unwrap().to_string(),
            "Invalid value [] for configuration headers: Empty list"
        );
    }
}
