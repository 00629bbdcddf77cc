//! `SetSchemaMetadata$Key` / `$Value`: sets the name and/or version of the key or value schema.

use super::{replace_null_with_default_key, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError, Schema, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{require_schema, Side};
use crate::transforms::{Disposition, Transformation};

const SCHEMA_NAME: &str = "schema.name";
const SCHEMA_VERSION: &str = "schema.version";
const PURPOSE: &str = "updating schema metadata";

pub(super) fn plugins() -> Vec<TransformPlugin> {
    vec![
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
            config_def,
            new: |props| new(Side::Key, props),
        },
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
            config_def,
            new: |props| new(Side::Value, props),
        },
    ]
}

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                SCHEMA_NAME,
                ConfigType::String,
                Importance::High,
                "Schema name to set.",
            )
            .default(DefaultValue::Null),
        )
        .define(
            ConfigKey::new(
                SCHEMA_VERSION,
                ConfigType::Int,
                Importance::High,
                "Schema version to set.",
            )
            .default(DefaultValue::Null),
        )
        .define(replace_null_with_default_key())
}

fn new(side: Side, props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(SetSchemaMetadata::configure(side, props)?))
}

pub(super) struct SetSchemaMetadata {
    side: Side,
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

impl SetSchemaMetadata {
    pub(super) fn configure(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let parsed = config_def().parse(props)?;
        let name = parsed.get_string(SCHEMA_NAME).map(str::to_string);
        let version = parsed.get_int(SCHEMA_VERSION);
        if name.is_none() && version.is_none() {
            return Err(ConfigError::Other(
                "Neither schema name nor version configured".to_string(),
            ));
        }
        Ok(SetSchemaMetadata {
            side,
            name,
            version,
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        })
    }

    /// The schema with the configured name/version; everything else (type, optionality, default,
    /// doc, parameters, fields, key/value schemas) is kept.
    fn updated_schema(&self, schema: &Schema) -> Schema {
        let mut builder = schema.to_builder();
        if let Some(name) = &self.name {
            builder = builder.name(name.clone());
        }
        if let Some(version) = self.version {
            builder = builder.version(version);
        }
        builder.build()
    }

    /// A Struct must point at the new schema, so it is rebuilt field by field; other values are
    /// kept as they are.
    fn rebuild(&self, value: Value, schema: &Schema) -> Result<Value, DataError> {
        let Value::Struct(original) = value else {
            return Ok(value);
        };
        if schema.schema_type() != SchemaType::Struct {
            return Ok(Value::Struct(original));
        }
        let mut rebuilt = Struct::new(schema.clone())?;
        for field in schema.fields() {
            let v = if self.replace_null_with_default {
                original.get(&field.name)?
            } else {
                original.get_without_default(&field.name)?
            };
            rebuilt.put(&field.name, v.clone())?;
        }
        Ok(Value::Struct(rebuilt))
    }
}

impl Transformation for SetSchemaMetadata {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // A tombstone without a schema has nothing to update.
        if self.side.schema(record).is_none() && self.side.value(record).is_null() {
            return Ok(Disposition::Keep);
        }
        let updated = self.updated_schema(require_schema(self.side.schema(record), PURPOSE)?);
        let value = match self.side {
            Side::Key => std::mem::replace(&mut record.key, Value::Null),
            Side::Value => std::mem::replace(&mut record.value, Value::Null),
        };
        let value = self.rebuild(value, &updated)?;
        self.side.replace(record, Some(updated), value);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::data::SchemaBuilder;

    use crate::config::test_props as props;

    fn xform(side: Side, pairs: &[(&str, &str)]) -> SetSchemaMetadata {
        SetSchemaMetadata::configure(side, &props(pairs)).unwrap()
    }

    fn record(schema: Option<Schema>, value: Value) -> ConnectRecord {
        ConnectRecord::source(
            Arc::new(Default::default()),
            Arc::new(Default::default()),
            "t",
            schema,
            value,
            None,
        )
    }

    #[test]
    fn requires_a_name_or_a_version() {
        let err = SetSchemaMetadata::configure(Side::Value, &props(&[])).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("Neither schema name nor version configured")
        );
        let err =
            SetSchemaMetadata::configure(Side::Value, &props(&[("schema.version", "x")])).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("Invalid value x for configuration schema.version: Not a number of type INT")
        );
    }

    #[test]
    fn sets_name_and_version_and_rebuilds_the_struct() {
        let schema = SchemaBuilder::struct_()
            .name("old")
            .version(1)
            .doc("kept")
            .field("a", Schema::string())
            .unwrap()
            .build();
        let mut value = Struct::new(schema.clone()).unwrap();
        value.put("a", Value::from("x")).unwrap();
        let t = xform(
            Side::Value,
            &[("schema.name", "new.name"), ("schema.version", "42")],
        );
        let out = t
            .apply_owned(record(Some(schema), Value::Struct(value)))
            .unwrap()
            .unwrap();
        let new_schema = out.value_schema.unwrap();
        assert_eq!(new_schema.name(), Some("new.name"));
        assert_eq!(new_schema.version(), Some(42));
        assert_eq!(new_schema.doc(), Some("kept"));
        let s = out.value.as_struct().unwrap();
        // The struct points at the new schema, so it validates against it.
        assert_eq!(s.schema(), &new_schema);
        assert_eq!(s.get("a").unwrap(), &Value::from("x"));
        assert!(new_schema.validate_value(&out.value).is_ok());
    }

    #[test]
    fn only_the_configured_part_changes_and_primitives_work() {
        let t = xform(Side::Key, &[("schema.version", "7")]);
        let mut rec = record(None, Value::Null);
        rec.key_schema = Some(SchemaBuilder::new(SchemaType::String).name("k").build());
        rec.key = Value::from("key");
        let out = t.apply_owned(rec).unwrap().unwrap();
        let key_schema = out.key_schema.unwrap();
        assert_eq!(
            (key_schema.name(), key_schema.version()),
            (Some("k"), Some(7))
        );
        assert_eq!(key_schema.schema_type(), SchemaType::String);
        assert_eq!(out.key, Value::from("key"));
    }

    #[test]
    fn replace_null_with_default_chooses_the_struct_getter() {
        let field = SchemaBuilder::new(SchemaType::Int32)
            .optional()
            .default_value(Value::Int32(5))
            .build();
        let schema = SchemaBuilder::struct_().field("n", field).unwrap().build();
        let value = Value::Struct(Struct::new(schema.clone()).unwrap());
        let with = xform(Side::Value, &[("schema.name", "s")]);
        let out = with
            .apply_owned(record(Some(schema.clone()), value.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.value
                .as_struct()
                .unwrap()
                .get_without_default("n")
                .unwrap(),
            &Value::Int32(5)
        );
        let without = xform(
            Side::Value,
            &[("schema.name", "s"), ("replace.null.with.default", "false")],
        );
        let out = without
            .apply_owned(record(Some(schema), value))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.value
                .as_struct()
                .unwrap()
                .get_without_default("n")
                .unwrap(),
            &Value::Null
        );
    }

    #[test]
    fn nulls_pass_and_a_value_without_schema_fails() {
        let t = xform(Side::Value, &[("schema.name", "s")]);
        let tombstone = record(None, Value::Null);
        assert_eq!(t.apply_owned(tombstone.clone()).unwrap(), Some(tombstone));
        // A null value with a schema still gets the new schema.
        let out = t
            .apply_owned(record(Some(Schema::optional_string()), Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.value_schema.unwrap().name(), Some("s"));
        assert_eq!(out.value, Value::Null);
        let err = t.apply_owned(record(None, Value::Int32(42))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Schema required for [updating schema metadata]"
        );
        assert_eq!(
            err.java_class(),
            "org.apache.kafka.connect.errors.DataException"
        );
    }
}
