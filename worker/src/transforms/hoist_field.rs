//! `HoistField$Key` / `HoistField$Value`: wraps the key or value in a single-field Struct (with a
//! schema) or Map (without); nulls are wrapped too.

use super::{key_value_plugins, take_side, SchemaCache};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::Side;
use crate::transforms::{Disposition, Transformation};

const FIELD: &str = "field";

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new().define(ConfigKey::new(
        FIELD,
        ConfigType::String,
        Importance::Medium,
        "Field name for the single field that will be created in the resulting Struct or Map.",
    ))
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("HoistField", config_def, HoistField::new)
}

pub(super) struct HoistField {
    side: Side,
    field: String,
    cache: SchemaCache,
}

impl HoistField {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        Ok(HoistField {
            side,
            field: config.get_string(FIELD).unwrap_or_default().to_string(),
            cache: SchemaCache::new(),
        })
    }

    fn wrapper_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        Ok(SchemaBuilder::struct_()
            .field(self.field.clone(), schema.clone())?
            .build())
    }
}

/// Room for the hoisted field and three more. Chains add fields to the struct HoistField makes
/// (InsertField after HoistField is the pairing Kafka's own documentation shows), and growing a
/// one-value vector then reallocates and copies on every record; the spare slots cost a few dozen
/// bytes for as long as the record lives.
const HOISTED_CAPACITY: usize = 4;

impl Transformation for HoistField {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let (schema, value) = take_side(self.side, record);
        let Some(schema) = schema else {
            let wrapped = Value::Map(vec![(Value::String(self.field.clone()), value)]);
            self.side.replace(record, None, wrapped);
            return Ok(Disposition::Keep);
        };
        let updated = self
            .cache
            .get_or_build(&schema, |s| self.wrapper_schema(s))?;
        // The wrapper schema has this one field. The value is validated as `put` validates it, so
        // a null for a required schema fails as in Kafka.
        let mut values = Vec::with_capacity(HOISTED_CAPACITY);
        values.push(value);
        let wrapped = Struct::with_leading_values(updated.clone(), values)?;
        self.side
            .replace(record, Some(updated), Value::Struct(wrapped));
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::data::{Schema, SchemaBuilder, SchemaType, Value};

    const VALUE: &str = "org.apache.kafka.connect.transforms.HoistField$Value";
    const KEY: &str = "org.apache.kafka.connect.transforms.HoistField$Key";

    #[test]
    fn with_schema_wraps_in_a_struct_and_caches_the_schema() {
        let t = transform(VALUE, &[("field", "line")]);
        let out = apply(
            t.as_ref(),
            source_record(Some(Schema::string()), Value::from("hello")),
        );
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.schema_type(), SchemaType::Struct);
        assert_eq!(schema.field("line").unwrap().schema, Schema::string());
        match &out.value {
            Value::Struct(s) => assert_eq!(s.get("line").unwrap(), &Value::from("hello")),
            other => panic!("{other:?}"),
        }
        let again = apply(
            t.as_ref(),
            source_record(Some(Schema::string()), Value::from("x")),
        );
        assert!(again.value_schema.unwrap().ptr_eq(&schema));
    }

    /// `field=` passes validation (no validator), but Kafka's `SchemaBuilder.field` refuses the
    /// empty name on every record with a schema; a schemaless record becomes `{"": v}` in both.
    #[test]
    fn an_empty_field_name_fails_records_with_a_schema() {
        let t = transform(VALUE, &[("field", "")]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(Schema::string()), Value::from("x"))
            ),
            "fieldName cannot be null."
        );
        let out = apply(t.as_ref(), source_record(None, Value::from("x")));
        assert_eq!(entries(&out.value), vec![(String::new(), Value::from("x"))]);
    }

    #[test]
    fn nulls_are_wrapped() {
        let t = transform(VALUE, &[("field", "f")]);
        let out = apply(t.as_ref(), source_record(None, Value::Null));
        assert_eq!(entries(&out.value), vec![("f".to_string(), Value::Null)]);
        let opt = SchemaBuilder::new(SchemaType::Int32).optional().build();
        let out = apply(t.as_ref(), source_record(Some(opt), Value::Null));
        assert!(matches!(&out.value, Value::Struct(s) if s.get("f").unwrap().is_null()));
        // A null cannot go into a required field.
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(Some(Schema::int32()), Value::Null)
            ),
            "Invalid value: null used for required field: \"f\", schema type: INT32"
        );
    }

    #[test]
    fn schemaless_key() {
        let t = transform(KEY, &[("field", "id")]);
        let r = keyed(source_record(None, Value::from("v")), None, Value::Int64(7));
        let out = apply(t.as_ref(), r);
        assert_eq!(entries(&out.key), vec![("id".to_string(), Value::Int64(7))]);
        assert_eq!(out.value, Value::from("v"));
    }

    #[test]
    fn field_is_required() {
        assert_eq!(
            config_error(VALUE, &[]),
            "Missing required configuration \"field\" which has no default value."
        );
    }

    #[test]
    fn registry_chain() {
        let chain = chain(VALUE, &[("field", "line")]);
        let out = chain
            .apply(source_record(None, Value::from("text")))
            .unwrap()
            .unwrap();
        assert_eq!(
            entries(&out.value),
            vec![("line".to_string(), Value::from("text"))]
        );
    }
}
