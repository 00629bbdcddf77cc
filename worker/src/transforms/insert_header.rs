//! `InsertHeader`: adds a header whose value is the literal parsed as `Values.parseString` does.

use std::sync::Arc;

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::values::parse_string;
use crate::data::{ConnectRecord, Header, SchemaAndValue};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::{Disposition, Transformation};

const HEADER_FIELD: &str = "header";
const VALUE_LITERAL_FIELD: &str = "value.literal";

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.InsertHeader",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                HEADER_FIELD,
                ConfigType::String,
                Importance::High,
                "The name of the header.",
            )
            .validator(Validator::non_null()),
        )
        .define(
            ConfigKey::new(
                VALUE_LITERAL_FIELD,
                ConfigType::String,
                Importance::High,
                "The literal value that is to be set as the header value on all records.",
            )
            .validator(Validator::non_null()),
        )
}

fn new(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(props)?;
    // Both keys are required and non-null, so a successful parse has them.
    let header = parsed.get_string(HEADER_FIELD).unwrap_or_default();
    let literal = parsed.get_string(VALUE_LITERAL_FIELD).unwrap_or_default();
    // Parsed once: every record gets the same header, shared rather than copied.
    let SchemaAndValue { schema, value } = parse_string(literal);
    Ok(Box::new(InsertHeader {
        header: Arc::new(Header {
            key: header.into(),
            schema,
            value,
        }),
    }))
}

struct InsertHeader {
    header: Arc<Header>,
}

impl Transformation for InsertHeader {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // Added even if a header of that name exists: headers are a multimap.
        record.headers.add_shared(Arc::clone(&self.header));
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaType, Value};
    use crate::transforms::catalog_b::test_support::{props, record};

    fn inserted(literal: &str) -> (Option<Schema>, Value) {
        let t = new(&props(&[("header", "h"), ("value.literal", literal)])).unwrap();
        let mut r = record(None, Value::Null, None, Value::Null);
        r.headers.add("h", None, Value::from("old"));
        let out = t.apply_owned(r).unwrap().unwrap();
        assert_eq!(out.headers.len(), 2);
        let h = out.headers.last_with_name("h").unwrap();
        (h.schema.clone(), h.value.clone())
    }

    #[test]
    fn literal_is_parsed_like_values_parse_string() {
        let (schema, value) = inserted("hello");
        assert_eq!(schema.unwrap().schema_type(), SchemaType::String);
        assert_eq!(value, Value::from("hello"));
        let (schema, value) = inserted("42");
        assert_eq!(schema.unwrap().schema_type(), SchemaType::Int8);
        assert_eq!(value, Value::Int8(42));
        let (schema, value) = inserted("true");
        assert_eq!(schema.unwrap().schema_type(), SchemaType::Boolean);
        assert_eq!(value, Value::Boolean(true));
        let (schema, _) = inserted("[1,2]");
        assert_eq!(schema.unwrap().schema_type(), SchemaType::Array);
    }

    #[test]
    fn both_keys_are_required() {
        assert_eq!(
            new(&props(&[("value.literal", "x")]))
                .err()
                .unwrap()
                .to_string(),
            "Missing required configuration \"header\" which has no default value."
        );
        assert_eq!(
            new(&props(&[("header", "h")])).err().unwrap().to_string(),
            "Missing required configuration \"value.literal\" which has no default value."
        );
    }
}
