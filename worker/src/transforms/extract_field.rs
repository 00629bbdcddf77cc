//! `ExtractField$Key` / `ExtractField$Value`: replaces the key or value with one of its fields
//! (a Struct field with a schema, a Map entry without), optionally by a V2 nested path.

use super::field_path::{FieldSyntaxVersion, SingleFieldPath, FIELD_SYNTAX_VERSION};
use super::{key_value_plugins, REPLACE_NULL_WITH_DEFAULT};
use super::{replace_null_with_default_key, take_side};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{require_map, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const FIELD: &str = "field";
const PURPOSE: &str = "field extraction";

pub(super) fn config_def() -> ConfigDef {
    let def = ConfigDef::new()
        .define(ConfigKey::new(
            FIELD,
            ConfigType::String,
            Importance::Medium,
            "Field name to extract.",
        ))
        .define(replace_null_with_default_key());
    FieldSyntaxVersion::append_config_to(def)
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("ExtractField", config_def, ExtractField::new)
}

pub(super) struct ExtractField {
    side: Side,
    /// The path as configured, for the unknown-field message.
    original: String,
    path: SingleFieldPath,
    replace_null_with_default: bool,
}

impl ExtractField {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        let original = config.get_string(FIELD).unwrap_or_default().to_string();
        let version = FieldSyntaxVersion::from_setting(config.get_string(FIELD_SYNTAX_VERSION))?;
        Ok(ExtractField {
            side,
            path: SingleFieldPath::parse(&original, version)?,
            original,
            replace_null_with_default: config.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        })
    }
}

impl Transformation for ExtractField {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let (schema, value) = take_side(self.side, record);
        let Some(schema) = schema else {
            let extracted = match &value {
                Value::Null => Value::Null,
                v => self.path.value_from_map(require_map(v, PURPOSE)?)?,
            };
            self.side.replace(record, None, extracted);
            return Ok(Disposition::Keep);
        };
        // Kafka checks the value's type before looking the field up, so a wrong type wins.
        let value = match &value {
            Value::Null => None,
            v => Some(require_struct(v, PURPOSE)?),
        };
        let field = self.path.field_from(&schema)?.ok_or_else(|| {
            // Kafka throws an IllegalArgumentException here, not a DataException.
            ConnectError::IllegalArgument(format!("Unknown field: {}", self.original))
        })?;
        let extracted = match value {
            None => Value::Null,
            Some(s) => self
                .path
                .value_from_struct(s, self.replace_null_with_default)?,
        };
        let field_schema = field.schema.clone();
        self.side.replace(record, Some(field_schema), extracted);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::data::{Schema, SchemaBuilder, Struct, Value};

    const VALUE: &str = "org.apache.kafka.connect.transforms.ExtractField$Value";
    const KEY: &str = "org.apache.kafka.connect.transforms.ExtractField$Key";

    fn nested() -> (Schema, Struct) {
        let inner = SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .unwrap()
            .field(
                "opt",
                SchemaBuilder::new(crate::data::SchemaType::Int32)
                    .optional()
                    .default_value(Value::Int32(42))
                    .build(),
            )
            .unwrap()
            .build();
        let outer = SchemaBuilder::struct_()
            .field("a.b", inner.clone())
            .unwrap()
            .field("name", Schema::string())
            .unwrap()
            .build();
        let mut i = Struct::new(inner).unwrap();
        i.put("id", Value::Int64(9)).unwrap();
        let mut o = Struct::new(outer.clone()).unwrap();
        o.put("a.b", Value::Struct(i)).unwrap();
        o.put("name", Value::from("n")).unwrap();
        (outer, o)
    }

    #[test]
    fn with_schema_v1() {
        let (schema, value) = nested();
        let t = transform(VALUE, &[("field", "name")]);
        let out = apply(
            t.as_ref(),
            source_record(Some(schema.clone()), Value::Struct(value.clone())),
        );
        assert_eq!(out.value, Value::from("n"));
        assert_eq!(out.value_schema, Some(Schema::string()));
        // V1 takes "a.b" as one top-level name.
        let t = transform(VALUE, &[("field", "a.b")]);
        let out = apply(
            t.as_ref(),
            source_record(Some(schema), Value::Struct(value)),
        );
        assert!(matches!(out.value, Value::Struct(_)));
    }

    #[test]
    fn with_schema_v2_backticks_and_defaults() {
        let (schema, value) = nested();
        let t = transform(
            VALUE,
            &[("field", "`a.b`.opt"), ("field.syntax.version", "v2")],
        );
        let out = apply(
            t.as_ref(),
            source_record(Some(schema.clone()), Value::Struct(value.clone())),
        );
        assert_eq!(out.value, Value::Int32(42));
        let t = transform(
            VALUE,
            &[
                ("field", "`a.b`.opt"),
                ("field.syntax.version", "V2"),
                ("replace.null.with.default", "false"),
            ],
        );
        let out = apply(
            t.as_ref(),
            source_record(Some(schema), Value::Struct(value)),
        );
        assert_eq!(out.value, Value::Null);
        assert_eq!(
            out.value_schema.unwrap().default_value(),
            Some(&Value::Int32(42))
        );
    }

    #[test]
    fn unknown_field_with_schema_fails_even_for_null() {
        let (schema, value) = nested();
        let t = transform(VALUE, &[("field", "nope")]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(schema.clone()), Value::Struct(value))
            ),
            "Unknown field: nope"
        );
        assert_eq!(
            apply_err(t.as_ref(), source_record(Some(schema.clone()), Value::Null)),
            "Unknown field: nope"
        );
        // Kafka's class for this one, which dead-letter headers name.
        let err = t
            .apply_owned(source_record(Some(schema), Value::Null))
            .expect_err("unknown field");
        assert_eq!(err.java_class(), "java.lang.IllegalArgumentException");
    }

    /// A tombstone whose schema is not a struct: Kafka's lookup fails in `ConnectSchema.field`,
    /// with a DataException, before any `Unknown field`.
    #[test]
    fn a_field_on_a_non_struct_schema_fails_as_kafkas_lookup_does() {
        let t = transform(VALUE, &[("field", "f")]);
        let err = t
            .apply_owned(source_record(Some(Schema::optional_string()), Value::Null))
            .expect_err("no fields on a string");
        assert_eq!(err.to_string(), "Cannot look up fields on non-struct type");
        assert_eq!(
            err.java_class(),
            "org.apache.kafka.connect.errors.DataException"
        );
    }

    #[test]
    fn null_with_schema_gives_null_with_the_field_schema() {
        let (schema, _) = nested();
        let t = transform(VALUE, &[("field", "name")]);
        let out = apply(t.as_ref(), source_record(Some(schema), Value::Null));
        assert_eq!(out.value, Value::Null);
        assert_eq!(out.value_schema, Some(Schema::string()));
    }

    #[test]
    fn schemaless_key_and_nested_map() {
        let t = transform(KEY, &[("field", "k")]);
        let r = keyed(
            source_record(None, Value::from("v")),
            None,
            smap(vec![("k", Value::Int32(1))]),
        );
        let out = apply(t.as_ref(), r);
        assert_eq!(out.key, Value::Int32(1));
        assert_eq!(out.value, Value::from("v"));
        // A missing key gives null; a null key stays null.
        let out = apply(
            t.as_ref(),
            keyed(source_record(None, Value::Null), None, smap(vec![])),
        );
        assert_eq!(out.key, Value::Null);
        let out = apply(t.as_ref(), source_record(None, Value::Null));
        assert_eq!(out.key, Value::Null);

        let t = transform(VALUE, &[("field", "a.b"), ("field.syntax.version", "V2")]);
        let inner = smap(vec![("b", Value::from("deep"))]);
        let out = apply(t.as_ref(), source_record(None, smap(vec![("a", inner)])));
        assert_eq!(out.value, Value::from("deep"));
    }

    #[test]
    fn wrong_types_fail_with_requirement_messages() {
        let t = transform(VALUE, &[("field", "f")]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, Value::Int32(1))),
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
        );
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(Schema::string()), Value::from("x"))
            ),
            "Only Struct objects supported for [field extraction], found: java.lang.String"
        );
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            config_error(VALUE, &[]),
            "Missing required configuration \"field\" which has no default value."
        );
        assert_eq!(
            config_error(VALUE, &[("field", "`a"), ("field.syntax.version", "V2")]),
            "Incomplete backtick pair in path: [`a], consider adding a backslash before backtick at position 0 to escape it"
        );
        assert!(config_error(VALUE, &[("field", "a"), ("field.syntax.version", "V9")])
            .starts_with("Invalid value V9 for configuration field.syntax.version: String must be one of (case insensitive): "));
    }

    #[test]
    fn registry_chain() {
        let chain = chain(VALUE, &[("field", "x")]);
        let out = chain
            .apply(source_record(None, smap(vec![("x", Value::Int64(5))])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Int64(5));
    }
}
