//! `Flatten$Key` / `Flatten$Value`: lifts the fields of nested Structs (with a schema) or Maps
//! (schemaless) to the top level, naming them `parent<delimiter>child`.

use super::{key_value_plugins, put_entry, take_side, SchemaCache};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{copy_schema_basics, require_map, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const DELIMITER: &str = "delimiter";
const PURPOSE: &str = "flattening";

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            DELIMITER,
            ConfigType::String,
            Importance::Medium,
            "Delimiter to insert between field names from the input record when generating field names for the output record",
        )
        .default_value("."),
    )
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("Flatten", config_def, Flatten::new)
}

pub(super) struct Flatten {
    side: Side,
    delimiter: String,
    cache: SchemaCache,
}

/// Types copied as they are; structs (and, schemaless, maps) are descended into.
fn is_leaf(t: SchemaType) -> bool {
    t.is_primitive() || t == SchemaType::Array
}

fn unsupported_with_schema(t: SchemaType, field: &str) -> DataError {
    DataError::new(format!(
        "Flatten transformation does not support {t} for record with schemas (for field {field})."
    ))
}

impl Flatten {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        Ok(Flatten {
            side,
            delimiter: config.get_string(DELIMITER).unwrap_or(".").to_string(),
            cache: SchemaCache::new(),
        })
    }

    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    fn flatten_map(
        &self,
        entries: &[(Value, Value)],
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> Result<(), DataError> {
        for (key, value) in entries {
            let name = self.field_name(prefix, &key.java_string());
            let Some(inferred) = value.inferred_type() else {
                if value.is_null() {
                    put_entry(out, &name, Value::Null);
                    continue;
                }
                return Err(DataError::new(format!(
                    "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                    value.java_class_name()
                )));
            };
            match inferred {
                SchemaType::Map => self.flatten_map(require_map(value, PURPOSE)?, &name, out)?,
                t if is_leaf(t) => put_entry(out, &name, value.clone()),
                _ => {
                    return Err(DataError::new(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {name}).",
                        value.java_class_name()
                    )))
                }
            }
        }
        Ok(())
    }

    /// Adds the flattened fields of `schema` to `builder`. A field is optional when it or any
    /// ancestor is; it inherits a default from its ancestors' defaults when it has none.
    fn flatten_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        mut builder: SchemaBuilder,
        optional: bool,
        parent_default: Option<&Struct>,
    ) -> Result<SchemaBuilder, DataError> {
        for field in schema.fields() {
            let name = self.field_name(prefix, &field.name);
            let field_optional = optional || field.schema.is_optional();
            let default = match (field.schema.default_value(), parent_default) {
                (Some(d), _) => Some(d.clone()),
                (None, Some(p)) => Some(p.get(&field.name)?.clone()).filter(|v| !v.is_null()),
                (None, None) => None,
            };
            let t = field.schema.schema_type();
            if is_leaf(t) {
                let converted = copy_field_schema(&field.schema, field_optional, default);
                builder = builder.field(name, converted)?;
            } else if t == SchemaType::Struct {
                let nested_default = match &default {
                    Some(Value::Struct(s)) => Some(s),
                    _ => None,
                };
                builder = self.flatten_schema(
                    &field.schema,
                    &name,
                    builder,
                    field_optional,
                    nested_default,
                )?;
            } else {
                return Err(unsupported_with_schema(t, &name));
            }
        }
        Ok(builder)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        let builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        let default = match schema.default_value() {
            Some(Value::Struct(s)) => Some(s),
            _ => None,
        };
        Ok(self
            .flatten_schema(schema, "", builder, schema.is_optional(), default)?
            .build())
    }

    fn flatten_struct(
        &self,
        value: &Struct,
        prefix: &str,
        out: &mut Struct,
    ) -> Result<(), DataError> {
        for field in value.schema().fields() {
            let name = self.field_name(prefix, &field.name);
            let t = field.schema.schema_type();
            if is_leaf(t) {
                out.put(&name, value.get(&field.name)?.clone())?;
            } else if t == SchemaType::Struct {
                // Kafka reads a nested struct with `getStruct`, which ignores the field's default:
                // a null nested struct stays null, and its flattened fields are left unset (their
                // schemas carry the parent's default, so readers through defaults still see it).
                match value.get_without_default(&field.name)? {
                    Value::Struct(nested) => self.flatten_struct(nested, &name, out)?,
                    // A null nested struct leaves its (optional) flattened fields null.
                    Value::Null => {}
                    other => {
                        require_struct(other, PURPOSE)?;
                    }
                }
            } else {
                return Err(unsupported_with_schema(t, &name));
            }
        }
        Ok(())
    }
}

/// `SchemaUtil.copySchemaBasics(schema)` plus the flattened optionality and default.
fn copy_field_schema(original: &Schema, optional: bool, default: Option<Value>) -> Schema {
    let base = match (original.schema_type(), original.value_schema()) {
        (SchemaType::Array, Some(items)) => SchemaBuilder::array(items.clone()),
        (t, _) => SchemaBuilder::new(t),
    };
    let mut builder = copy_schema_basics(original, base);
    if optional {
        builder = builder.optional();
    }
    builder.set_default(default).build()
}

impl Transformation for Flatten {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // Tombstones pass through unchanged.
        if self.side.value(record).is_null() {
            return Ok(Disposition::Keep);
        }
        let (schema, value) = take_side(self.side, record);
        let Some(schema) = schema else {
            let mut out = Vec::new();
            self.flatten_map(require_map(&value, PURPOSE)?, "", &mut out)?;
            self.side.replace(record, None, Value::Map(out));
            return Ok(Disposition::Keep);
        };
        let original = require_struct(&value, PURPOSE)?;
        let updated = self
            .cache
            .get_or_build(&schema, |s| self.updated_schema(s))?;
        let mut out = Struct::new(updated.clone())?;
        self.flatten_struct(original, "", &mut out)?;
        self.side.replace(record, Some(updated), Value::Struct(out));
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::data::{Schema, SchemaBuilder, SchemaType, Struct, Value};

    const VALUE: &str = "org.apache.kafka.connect.transforms.Flatten$Value";
    const KEY: &str = "org.apache.kafka.connect.transforms.Flatten$Key";

    fn opt(t: SchemaType) -> Schema {
        SchemaBuilder::new(t).optional().build()
    }

    #[test]
    fn nested_structs_with_delimiter() {
        let inner = SchemaBuilder::struct_()
            .field("int8", Schema::int8())
            .unwrap()
            .field("arr", SchemaBuilder::array(Schema::string()).build())
            .unwrap()
            .build();
        let middle = SchemaBuilder::struct_()
            .field("B", inner.clone())
            .unwrap()
            .build();
        let outer = SchemaBuilder::struct_()
            .name("top")
            .field("A", middle.clone())
            .unwrap()
            .field("s", Schema::string())
            .unwrap()
            .build();
        let mut i = Struct::new(inner).unwrap();
        i.put("int8", Value::Int8(8)).unwrap();
        i.put("arr", Value::Array(vec![Value::from("x")])).unwrap();
        let mut m = Struct::new(middle).unwrap();
        m.put("B", Value::Struct(i)).unwrap();
        let mut o = Struct::new(outer.clone()).unwrap();
        o.put("A", Value::Struct(m)).unwrap();
        o.put("s", Value::from("v")).unwrap();

        let t = transform(VALUE, &[("delimiter", "#")]);
        let out = apply(
            t.as_ref(),
            source_record(Some(outer.clone()), Value::Struct(o.clone())),
        );
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name(), Some("top"));
        let names: Vec<_> = schema.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A#B#int8", "A#B#arr", "s"]);
        let Value::Struct(s) = &out.value else {
            panic!()
        };
        assert_eq!(s.get("A#B#int8").unwrap(), &Value::Int8(8));
        assert_eq!(
            s.get("A#B#arr").unwrap(),
            &Value::Array(vec![Value::from("x")])
        );
        // The derived schema is cached per input schema.
        let again = apply(t.as_ref(), source_record(Some(outer), Value::Struct(o)));
        assert!(again.value_schema.unwrap().ptr_eq(&schema));
    }

    #[test]
    fn optionality_and_defaults_are_inherited() {
        let inner = SchemaBuilder::struct_()
            .field("x", Schema::int32())
            .unwrap()
            .build();
        let mut inner_default = Struct::new(inner.clone()).unwrap();
        inner_default.put("x", Value::Int32(9)).unwrap();
        let opt_inner = inner
            .to_builder()
            .optional()
            .default_value(Value::Struct(inner_default))
            .build();
        let outer = SchemaBuilder::struct_()
            .field("n", opt_inner)
            .unwrap()
            .field("o", opt(SchemaType::String))
            .unwrap()
            .build();
        let t = transform(VALUE, &[]);
        let o = Struct::new(outer.clone()).unwrap();
        let out = apply(t.as_ref(), source_record(Some(outer), Value::Struct(o)));
        let schema = out.value_schema.unwrap();
        let x = &schema.field("n.x").unwrap().schema;
        assert!(x.is_optional());
        assert_eq!(x.default_value(), Some(&Value::Int32(9)));
        let Value::Struct(s) = &out.value else {
            panic!()
        };
        // As Kafka's `getStruct`, the null nested struct is not replaced by its default: the
        // flattened field is left unset, and reads as the default only through its schema.
        assert_eq!(s.get_without_default("n.x").unwrap(), &Value::Null);
        assert_eq!(s.get("n.x").unwrap(), &Value::Int32(9));
    }

    #[test]
    fn map_fields_with_schema_fail() {
        let outer = SchemaBuilder::struct_()
            .field(
                "m",
                SchemaBuilder::map(Schema::string(), Schema::string()).build(),
            )
            .unwrap()
            .build();
        let t = transform(VALUE, &[]);
        assert_eq!(
            apply_err(
                t.as_ref(),
                source_record(
                    Some(outer.clone()),
                    Value::Struct(Struct::new(outer).unwrap())
                )
            ),
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
    }

    #[test]
    fn schemaless_maps_flatten_in_order() {
        let t = transform(KEY, &[]);
        let nested = smap(vec![("b", Value::Int32(1)), ("c", Value::Null)]);
        let key = smap(vec![("a", nested), ("d", Value::Array(vec![smap(vec![])]))]);
        let out = apply(
            t.as_ref(),
            keyed(source_record(None, Value::Null), None, key),
        );
        assert_eq!(
            out.key,
            smap(vec![
                ("a.b", Value::Int32(1)),
                ("a.c", Value::Null),
                ("d", Value::Array(vec![smap(vec![])])),
            ])
        );
    }

    #[test]
    fn schemaless_unsupported_values_fail() {
        let t = transform(VALUE, &[]);
        let s = SchemaBuilder::struct_().build();
        let v = smap(vec![("s", Value::Struct(Struct::new(s).unwrap()))]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, v)),
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field s)."
        );
        let v = smap(vec![("d", Value::Date(0))]);
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, v)),
            "Flatten transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"
        );
        assert_eq!(
            apply_err(t.as_ref(), source_record(None, Value::Int32(1))),
            "Only Map objects supported in absence of schema for [flattening], found: java.lang.Integer"
        );
    }

    #[test]
    fn tombstones_pass_through() {
        let t = transform(VALUE, &[]);
        let r = source_record(
            Some(SchemaBuilder::struct_().optional().build()),
            Value::Null,
        );
        assert_eq!(apply(t.as_ref(), r.clone()), r);
        let r = source_record(None, Value::Null);
        assert_eq!(apply(t.as_ref(), r.clone()), r);
    }

    #[test]
    fn registry_chain() {
        let chain = chain(VALUE, &[("delimiter", "_")]);
        let v = smap(vec![("a", smap(vec![("b", Value::Int64(1))]))]);
        let out = chain.apply(source_record(None, v)).unwrap().unwrap();
        assert_eq!(out.value, smap(vec![("a_b", Value::Int64(1))]));
    }
}
