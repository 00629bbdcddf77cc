//! `Cast$Key` / `Cast$Value`: casts the whole key/value, or named top-level fields of a Struct or
//! Map, to a primitive type (`spec`: `type` or `field:type,...`).

mod convert;

use self::convert::{cast_value, unsupported_output, OUTPUT_TYPES};
use super::REPLACE_NULL_WITH_DEFAULT;
use super::{
    into_map, key_value_plugins, put_entry, replace_null_with_default_key, take_side, SchemaCache,
};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, TypedValue, Validator};
use crate::config::java::{hash_map_order, string_hash, NEW_HASH_MAP_CAPACITY};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_copied_hash_map_order;
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{copy_schema_basics, map_get, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const SPEC: &str = "spec";
const PURPOSE: &str = "cast types";

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                SPEC,
                ConfigType::List,
                Importance::High,
                "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of \
                 Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, \
                 int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.",
            )
            .validator(Validator::custom(|_, value| {
                let mappings = match value {
                    Some(TypedValue::List(items)) => items.as_slice(),
                    _ => &[],
                };
                parse_spec(mappings).map(|_| ())
            })),
        )
        .define(replace_null_with_default_key())
}

pub(super) fn plugins() -> [TransformPlugin; 2] {
    key_value_plugins!("Cast", config_def, Cast::new)
}

/// What `spec` asks for: one type for the whole value, or a type per field.
#[derive(Debug, Clone, PartialEq)]
enum Casts {
    Whole(SchemaType),
    Fields(Vec<(String, SchemaType)>),
}

/// `Schema.Type.valueOf(name.trim().toUpperCase())`, or the message of Java's
/// `IllegalArgumentException` for a name that is no type.
fn schema_type_named(name: &str) -> Result<SchemaType, String> {
    let upper = name.trim().to_uppercase();
    let all = OUTPUT_TYPES.into_iter().chain([
        SchemaType::Bytes,
        SchemaType::Array,
        SchemaType::Map,
        SchemaType::Struct,
    ]);
    all.into_iter()
        .find(|t| t.java_name() == upper)
        .ok_or_else(|| {
            format!("No enum constant org.apache.kafka.connect.data.Schema.Type.{upper}")
        })
}

/// `validCastType(.., OUTPUT)`.
fn valid_output(t: SchemaType) -> Result<SchemaType, ConfigError> {
    if OUTPUT_TYPES.contains(&t) {
        Ok(t)
    } else {
        Err(ConfigError::Other(unsupported_output(t)))
    }
}

/// The whole value's type: Kafka does not catch `valueOf`'s exception here, so its message is
/// the bare `No enum constant …`.
fn output_type(name: &str) -> Result<SchemaType, ConfigError> {
    valid_output(schema_type_named(name).map_err(ConfigError::Other)?)
}

/// A field's type. Kafka catches `valueOf`'s exception and throws
/// `new ConfigException("Invalid type found in casting spec: " + type, e)`, which is the
/// (name, value) constructor: the message puts the exception where the value goes.
fn field_output_type(name: &str) -> Result<SchemaType, ConfigError> {
    let t = schema_type_named(name).map_err(|no_such| {
        ConfigError::Other(format!(
            "Invalid value java.lang.IllegalArgumentException: {no_such} for configuration \
             Invalid type found in casting spec: {}",
            name.trim()
        ))
    })?;
    valid_output(t)
}

/// Java's `String.split(":")`: trailing empty parts are dropped.
fn java_split_colon(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts == [""] && !s.is_empty() {
        // Only separators: Java returns no parts at all.
        parts.clear();
    }
    parts
}

/// `Cast.parseFieldTypes` with its messages.
fn parse_spec(mappings: &[String]) -> Result<Casts, ConfigError> {
    if mappings.is_empty() {
        return Err(ConfigError::Other(
            "Must specify at least one field to cast.".to_string(),
        ));
    }
    let mut fields: Vec<(String, SchemaType)> = Vec::new();
    let mut whole = None;
    for mapping in mappings {
        match java_split_colon(mapping).as_slice() {
            [field, type_name] => {
                let t = field_output_type(type_name)?;
                let field = field.trim().to_string();
                // A field listed twice takes its last type, as a Java map put does.
                match fields.iter_mut().find(|(f, _)| *f == field) {
                    Some(entry) => entry.1 = t,
                    None => fields.push((field, t)),
                }
            }
            [type_name] => whole = Some(output_type(type_name)?),
            [] => whole = Some(output_type("")?),
            _ => {
                // Kafka reuses ReplaceField's config name and message here.
                return Err(ConfigError::Invalid {
                    name: "renames".to_string(),
                    value: TypedValue::List(mappings.to_vec()).java_string(),
                    reason: format!("Invalid rename mapping: {mapping}"),
                });
            }
        }
    }
    match whole {
        Some(_) if mappings.len() > 1 => Err(ConfigError::Other(
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec".to_string(),
        )),
        Some(t) => Ok(Casts::Whole(t)),
        // Kafka keeps the casts in a `new HashMap<>()`: a schemaless record's fields are cast,
        // and the first failure reported, in its order.
        None => {
            let hashed = fields.into_iter().map(|f| (string_hash(&f.0), f)).collect();
            Ok(Casts::Fields(hash_map_order(hashed, NEW_HASH_MAP_CAPACITY)))
        }
    }
}

pub(super) struct Cast {
    side: Side,
    casts: Casts,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl Cast {
    pub(super) fn new(side: Side, props: &Props) -> Result<Self, ConfigError> {
        let config = config_def().parse(props)?;
        Ok(Cast {
            side,
            casts: parse_spec(config.get_list(SPEC))?,
            replace_null_with_default: config.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
            cache: SchemaCache::new(),
        })
    }

    fn field_cast(&self, name: &str) -> Option<SchemaType> {
        match &self.casts {
            Casts::Fields(fields) => fields.iter().find(|(f, _)| f == name).map(|(_, t)| *t),
            Casts::Whole(_) => None,
        }
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        let mut builder = match &self.casts {
            Casts::Whole(t) => copy_schema_basics(schema, SchemaBuilder::new(*t)),
            Casts::Fields(_) => {
                // Kafka lists the fields before it looks at the value: `ConnectSchema.fields()`.
                if schema.schema_type() != SchemaType::Struct {
                    return Err(DataError::new("Cannot list fields on non-struct type"));
                }
                let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
                for field in schema.fields() {
                    let field_schema = match self.field_cast(&field.name) {
                        None => field.schema.clone(),
                        Some(t) => {
                            let mut fb =
                                SchemaBuilder::new(t).set_optional(field.schema.is_optional());
                            if let Some(d) = field.schema.default_value() {
                                fb = fb.default_value(cast_value(Some(&field.schema), d, t)?);
                            }
                            fb.build()
                        }
                    };
                    b = b.field(field.name.clone(), field_schema)?;
                }
                b
            }
        };
        if schema.is_optional() {
            builder = builder.optional();
        }
        if let Some(d) = schema.default_value() {
            let t = builder.schema_type();
            builder = builder.default_value(cast_value(Some(schema), d, t)?);
        }
        Ok(builder.build())
    }

    fn apply_schemaless(&self, value: Value) -> Result<Value, DataError> {
        let fields = match &self.casts {
            Casts::Whole(t) => return cast_value(None, &value, *t),
            Casts::Fields(fields) => fields,
        };
        let mut entries = into_map(value, PURPOSE)?;
        let source_len = entries.len();
        for (field, t) in fields {
            // Kafka puts every listed field, so a missing one appears as null.
            let cast = cast_value(None, map_get(&entries, field).unwrap_or(&Value::Null), *t)?;
            put_entry(&mut entries, field, cast);
        }
        // Kafka's `new HashMap<>(value)`, iterated in its order.
        Ok(Value::Map(in_copied_hash_map_order(entries, source_len)))
    }

    fn apply_with_schema(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<(Schema, Value), DataError> {
        let updated_schema = self
            .cache
            .get_or_build(schema, |s| self.updated_schema(s))?;
        if let Casts::Whole(t) = &self.casts {
            return Ok((updated_schema, cast_value(Some(schema), value, *t)?));
        }
        let original = require_struct(value, PURPOSE)?;
        let mut updated = Struct::new(updated_schema.clone())?;
        for field in original.schema().fields() {
            let v = if self.replace_null_with_default {
                original.get(&field.name)?
            } else {
                original.get_without_default(&field.name)?
            };
            let v = match self.field_cast(&field.name) {
                Some(t) => cast_value(Some(&field.schema), v, t)?,
                None => v.clone(),
            };
            updated.put(&field.name, v)?;
        }
        Ok((updated_schema, Value::Struct(updated)))
    }
}

impl Transformation for Cast {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // Tombstones pass through unchanged.
        if self.side.value(record).is_null() {
            return Ok(Disposition::Keep);
        }
        let (schema, value) = take_side(self.side, record);
        let (schema, value) = match schema {
            None => (None, self.apply_schemaless(value)?),
            Some(s) => {
                let (s, v) = self.apply_with_schema(&s, &value)?;
                (Some(s), v)
            }
        };
        self.side.replace(record, schema, value);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests;
