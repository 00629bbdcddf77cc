//! `ReplaceField$Key` / `ReplaceField$Value`: keeps a subset of the fields and renames some.
//!
//! Kafka 3.9 still accepts the deprecated `blacklist` / `whitelist` keys (removed in 4.0) as
//! aliases of `exclude` / `include`; Ferry does too, logging which key replaces them.

use std::collections::{HashMap, HashSet};

use super::{field_value, replace_null_with_default_key, SchemaCache, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{
    ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, TypedValue, Validator,
};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{copy_schema_basics, require_map, require_struct, Side};
use crate::transforms::Transformation;

const EXCLUDE: &str = "exclude";
const INCLUDE: &str = "include";
const RENAMES: &str = "renames";
const BLACKLIST: &str = "blacklist";
const WHITELIST: &str = "whitelist";
const PURPOSE: &str = "field replacement";

pub(super) fn plugins() -> Vec<TransformPlugin> {
    vec![
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.ReplaceField$Key",
            config_def,
            new: |props| new(Side::Key, props),
        },
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.ReplaceField$Value",
            config_def,
            new: |props| new(Side::Value, props),
        },
    ]
}

fn list_key(name: &str, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ConfigType::List, importance, doc)
}

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            list_key(
                EXCLUDE,
                Importance::Medium,
                "Fields to exclude. This takes precedence over the fields to include.",
            )
            .default_value(""),
        )
        .define(
            list_key(
                BLACKLIST,
                Importance::Low,
                "Deprecated. Use exclude instead.",
            )
            .default(DefaultValue::Null),
        )
        .define(
            list_key(
                INCLUDE,
                Importance::Medium,
                "Fields to include. If specified, only these fields will be used.",
            )
            .default_value(""),
        )
        .define(
            list_key(
                WHITELIST,
                Importance::Low,
                "Deprecated. Use include instead.",
            )
            .default(DefaultValue::Null),
        )
        .define(
            list_key(RENAMES, Importance::Medium, "Field rename mappings.")
                .default_value("")
                .validator(Validator::custom(|_, value| match value {
                    Some(TypedValue::List(items)) => parse_renames(items).map(|_| ()),
                    _ => Ok(()),
                })),
        )
        .define(replace_null_with_default_key())
}

/// Kafka's `ConfigUtils.translateDeprecatedConfigs`: the deprecated key fills in for its
/// replacement when that is unset, and is dropped either way.
fn translate_deprecated(props: &Props) -> Props {
    let mut out = props.clone();
    for (target, deprecated) in [(INCLUDE, WHITELIST), (EXCLUDE, BLACKLIST)] {
        let Some(old) = out.remove(deprecated) else {
            continue;
        };
        if out.contains_key(target) {
            tracing::error!(
                "{target} was configured, as well as the deprecated alias(es) {deprecated}.  Using the value of {target}"
            );
        } else {
            tracing::warn!(
                "Configuration key {deprecated} is deprecated and may be removed in the future.  Please update your configuration to use {target} instead."
            );
            out.insert(target.to_string(), old);
        }
    }
    out
}

/// Java's `String.split(":")`: trailing empty parts are dropped, so `a:b:` is a valid mapping and
/// `a:` is not.
fn java_split_colon(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    // Java returns `[""]` for an empty string but `[]` when every part is empty (`::`).
    if !s.is_empty() && parts == [""] {
        parts.clear();
    }
    parts
}

/// `old:new` pairs; a later mapping of the same field wins, as with Kafka's `HashMap.put`.
fn parse_renames(mappings: &[String]) -> Result<HashMap<String, String>, ConfigError> {
    let mut renames = HashMap::new();
    for mapping in mappings {
        match java_split_colon(mapping)[..] {
            [from, to] => {
                renames.insert(from.to_string(), to.to_string());
            }
            _ => {
                return Err(ConfigError::Invalid {
                    name: RENAMES.to_string(),
                    value: TypedValue::List(mappings.to_vec()).java_string(),
                    reason: format!("Invalid rename mapping: {mapping}"),
                })
            }
        }
    }
    Ok(renames)
}

fn new(side: Side, props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(&translate_deprecated(props))?;
    let renames = parse_renames(parsed.get_list(RENAMES))?;
    let reverse_renames = renames
        .iter()
        .map(|(from, to)| (to.clone(), from.clone()))
        .collect();
    Ok(Box::new(ReplaceField {
        side,
        exclude: parsed.get_list(EXCLUDE).iter().cloned().collect(),
        include: parsed.get_list(INCLUDE).iter().cloned().collect(),
        renames,
        reverse_renames,
        replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        schemas: SchemaCache::new(),
    }))
}

struct ReplaceField {
    side: Side,
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
    reverse_renames: HashMap<String, String>,
    replace_null_with_default: bool,
    /// Updated schema by input schema.
    schemas: SchemaCache,
}

impl ReplaceField {
    /// Excluding wins over including; an empty `include` includes everything.
    fn keeps(&self, field: &str) -> bool {
        !self.exclude.contains(field) && (self.include.is_empty() || self.include.contains(field))
    }

    fn renamed<'a>(&'a self, field: &'a str) -> &'a str {
        self.renames.get(field).map_or(field, String::as_str)
    }

    fn reverse_renamed<'a>(&'a self, field: &'a str) -> &'a str {
        self.reverse_renames
            .get(field)
            .map_or(field, String::as_str)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        self.schemas.get_or_build(schema, |schema| {
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields() {
                if self.keeps(&field.name) {
                    builder = builder.field(self.renamed(&field.name), field.schema.clone())?;
                }
            }
            Ok(builder.build())
        })
    }

    fn apply_with_schema(&self, value: &Struct) -> Result<(Schema, Value), DataError> {
        let schema = self.updated_schema(value.schema())?;
        let mut updated = Struct::new(schema.clone())?;
        for field in schema.fields() {
            let source = self.reverse_renamed(&field.name);
            let v = field_value(value, source, self.replace_null_with_default)?;
            updated.put(&field.name, v.clone())?;
        }
        Ok((schema, Value::Struct(updated)))
    }

    fn apply_schemaless(&self, value: &[(Value, Value)]) -> Value {
        let mut updated: Vec<(Value, Value)> = Vec::with_capacity(value.len());
        for (key, v) in value {
            let new_key = match key.as_str() {
                Some(name) if !self.keeps(name) => continue,
                Some(name) => Value::from(self.renamed(name)),
                // Kafka's maps have String keys; any other key is kept as it is.
                None => key.clone(),
            };
            // A rename onto an existing key overwrites it, as `HashMap.put` does.
            match updated.iter_mut().find(|(k, _)| *k == new_key) {
                Some(entry) => entry.1 = v.clone(),
                None => updated.push((new_key, v.clone())),
            }
        }
        Value::Map(updated)
    }
}

impl Transformation for ReplaceField {
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError> {
        // A null key/value (a tombstone) passes through untouched.
        if self.side.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = match self.side.schema(&record) {
            None => {
                let map = require_map(self.side.value(&record), PURPOSE)?;
                (None, self.apply_schemaless(map))
            }
            Some(_) => {
                let value = require_struct(self.side.value(&record), PURPOSE)?;
                let (schema, value) = self.apply_with_schema(value)?;
                (Some(schema), value)
            }
        };
        Ok(Some(self.side.replace(record, schema, value)))
    }
}

#[cfg(test)]
#[path = "replace_field/tests.rs"]
mod tests;
