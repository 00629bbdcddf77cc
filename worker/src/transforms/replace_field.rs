//! `ReplaceField$Key` / `ReplaceField$Value`: keeps a subset of the fields and renames some.
//!
//! Kafka 3.9 still accepts the deprecated `blacklist` / `whitelist` keys (removed in 4.0) as
//! aliases of `exclude` / `include`; Ferry does too, logging which key replaces them.

use std::collections::{HashMap, HashSet};

use std::sync::Arc;

use super::{replace_null_with_default_key, SchemaCache, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{
    ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, TypedValue, Validator,
};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_hash_map_order;
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{
    copy_schema_basics, default_if_null, into_struct, require_map, take_field_value, take_side,
    Side,
};
use crate::transforms::{Disposition, Transformation};

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
    /// Updated schema and field sources by input schema.
    schemas: SchemaCache<Projection>,
}

/// What ReplaceField derives from an input schema: the updated schema and, for each of its fields,
/// the input field its value comes from.
#[derive(Clone)]
struct Projection {
    schema: Schema,
    sources: Arc<[Source]>,
    /// How the values get from the input struct to the output one.
    layout: Layout,
    /// Every output field reads an input field of the same schema (true unless contradictory
    /// renames read another field), so a carried value needs checking only when null.
    same_schemas: bool,
}

/// How ReplaceField carries a record's values over, the cheapest way the projection allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Every output field comes from an input field further along than the previous one's (what
    /// renames, `exclude` and `include` give: Kafka keeps the input's field order), so the values
    /// are compacted in the input struct's own vector, with no new allocation.
    Compact,
    /// No input field feeds two output fields: values move into a new vector.
    Move,
    /// Contradictory renames make one input field feed two output fields: values are copied, as
    /// Kafka shares them.
    Copy,
}

impl Layout {
    fn of(sources: &[Source]) -> Layout {
        let indices = || {
            sources.iter().filter_map(|s| match s {
                Source::Field(i) => Some(*i),
                Source::Missing(_) => None,
            })
        };
        let all_fields = indices().count() == sources.len();
        if all_fields && indices().zip(indices().skip(1)).all(|(a, b)| a < b) {
            return Layout::Compact;
        }
        let mut seen = HashSet::new();
        if indices().all(|i| seen.insert(i)) {
            Layout::Move
        } else {
            Layout::Copy
        }
    }
}

/// The input field an output field's value comes from; `Struct.get`'s error for a name the struct
/// lacks.
fn source_index(source: &Source) -> Result<usize, DataError> {
    match source {
        Source::Field(from) => Ok(*from),
        Source::Missing(name) => Err(DataError::new(format!("{name} is not a valid field name"))),
    }
}

#[derive(Debug)]
enum Source {
    Field(usize),
    /// Renames point this output field at an input field the schema does not have: every record
    /// fails, as Kafka's `Struct.get` does.
    Missing(String),
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

    /// The updated schema for `schema`, with where each of its fields' values comes from.
    fn projection(&self, schema: &Schema) -> Result<Projection, DataError> {
        self.schemas.get_or_build(schema, |schema| {
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields() {
                if self.keeps(&field.name) {
                    builder = builder.field(self.renamed(&field.name), field.schema.clone())?;
                }
            }
            let updated = builder.build();
            // Kafka reads each output field from the input field its name renames back to (which
            // is the field it came from, except with contradictory renames).
            let sources: Vec<Source> = updated
                .fields()
                .iter()
                .map(|field| {
                    let name = self.reverse_renamed(&field.name);
                    match schema.field(name) {
                        Some(f) => Source::Field(f.index),
                        None => Source::Missing(name.to_string()),
                    }
                })
                .collect();
            let same_schemas = updated.fields().iter().zip(&sources).all(|(out, source)| {
                matches!(source, Source::Field(from) if schema.fields()[*from].schema == out.schema)
            });
            Ok(Projection {
                schema: updated,
                same_schemas,
                layout: Layout::of(&sources),
                sources: sources.into(),
            })
        })
    }

    #[cfg(test)]
    fn updated_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        self.projection(schema).map(|p| p.schema)
    }

    fn apply_with_schema(&self, value: Value) -> Result<(Schema, Value), DataError> {
        let value = into_struct(value, PURPOSE)?;
        let projection = self.projection(value.schema())?;
        let (input_schema, mut values) = value.into_parts();
        let input_fields = input_schema.fields();
        let carried = match projection.layout {
            Layout::Compact => {
                // Sources only increase, so slot `to` is never read again once written, and the
                // value swapped out to `from` is one no later output field reads.
                for (to, source) in projection.sources.iter().enumerate() {
                    let from = source_index(source)?;
                    if from != to {
                        values.swap(to, from);
                    }
                    default_if_null(
                        &input_fields[from],
                        &mut values[to],
                        self.replace_null_with_default,
                    );
                }
                // The fields left behind (dropped ones, or nulls moved out) go.
                values.truncate(projection.sources.len());
                values
            }
            Layout::Move | Layout::Copy => {
                let mut carried = Vec::with_capacity(projection.sources.len());
                for source in projection.sources.iter() {
                    let from = source_index(source)?;
                    let v = if projection.layout == Layout::Move {
                        std::mem::replace(&mut values[from], Value::Null)
                    } else {
                        values[from].clone()
                    };
                    carried.push(take_field_value(
                        &input_fields[from],
                        v,
                        self.replace_null_with_default,
                    ));
                }
                carried
            }
        };
        // Each kept field has its input field's schema, so a value is checked again only when it
        // is null (a required field left unset fails as Kafka's `put` fails).
        let updated = if projection.same_schemas {
            Struct::with_carried_values(projection.schema.clone(), carried)?
        } else {
            // Each put validates, as Kafka's does.
            Struct::with_leading_values(projection.schema.clone(), carried)?
        };
        Ok((projection.schema, Value::Struct(updated)))
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
        // Kafka's `new HashMap<>(value.size())`, iterated in its order.
        Value::Map(in_hash_map_order(updated, value.len()))
    }
}

impl Transformation for ReplaceField {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // A null key/value (a tombstone) passes through untouched.
        if self.side.value(record).is_null() {
            return Ok(Disposition::Keep);
        }
        let (schema, value) = match self.side.schema(record) {
            None => {
                let map = require_map(self.side.value(record), PURPOSE)?;
                (None, self.apply_schemaless(map))
            }
            Some(_) => {
                let (_, value) = take_side(self.side, record);
                let (schema, value) = self.apply_with_schema(value)?;
                (Some(schema), value)
            }
        };
        self.side.replace(record, schema, value);
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
#[path = "replace_field/tests.rs"]
mod tests;
