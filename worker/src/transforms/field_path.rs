//! Field paths (KIP-821, Kafka's `FieldSyntaxVersion` and `SingleFieldPath`): `V1` names one
//! top-level field; `V2` is a dotted path into nested structs or maps, where a step wrapped in
//! backticks may contain dots (`` `foo.bar`.baz ``) and a backslash before a backtick escapes it.

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::ConfigError;
use crate::data::{DataError, Field, Schema, SchemaType, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::util::{map_get, require_map, require_struct};

pub(super) const FIELD_SYNTAX_VERSION: &str = "field.syntax.version";

const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. \
    If set to <code>V1</code>, then the field paths are limited to access the elements at the root level of the struct or map. \
    If set to <code>V2</code>, the syntax will support accessing nested elements. \
    To access nested elements, dotted notation is used. \
    If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. \
    E.g. to access the subfield <code>baz</code> from a field named \"foo.bar\" in a struct/map \
    the following format can be used to access its elements: \"<code>foo.bar</code>.baz\".";

/// Whether paths are single top-level names or dotted nested paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldSyntaxVersion {
    V1,
    V2,
}

impl FieldSyntaxVersion {
    /// `FieldSyntaxVersion.appendConfigTo`: adds the `field.syntax.version` key.
    pub(super) fn append_config_to(def: ConfigDef) -> ConfigDef {
        def.define(
            ConfigKey::new(
                FIELD_SYNTAX_VERSION,
                ConfigType::String,
                Importance::High,
                FIELD_SYNTAX_VERSION_DOC,
            )
            .default_value("V1")
            .validator(Validator::valid_string_case_insensitive(&["V1", "V2"])),
        )
    }

    /// `FieldSyntaxVersion.fromConfig`, from the (validated) setting.
    pub(super) fn from_setting(text: Option<&str>) -> Result<Self, ConfigError> {
        let text = text.unwrap_or("V1");
        match text.to_uppercase().as_str() {
            "V1" => Ok(FieldSyntaxVersion::V1),
            "V2" => Ok(FieldSyntaxVersion::V2),
            _ => Err(ConfigError::Invalid {
                name: FIELD_SYNTAX_VERSION.to_string(),
                value: text.to_string(),
                reason: "Unrecognized field syntax version".to_string(),
            }),
        }
    }
}

/// A path of one or more field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SingleFieldPath {
    steps: Vec<String>,
}

const PURPOSE_NESTED: &str = "nested field access";

impl SingleFieldPath {
    pub(super) fn parse(text: &str, version: FieldSyntaxVersion) -> Result<Self, ConfigError> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![text.to_string()],
            FieldSyntaxVersion::V2 => parse_v2(text)?,
        };
        Ok(SingleFieldPath { steps })
    }

    #[cfg(test)]
    pub(super) fn steps(&self) -> &[String] {
        &self.steps
    }

    /// All steps but the last, and the last. An empty V2 path (from `""`) has no steps, and Kafka's
    /// `steps.subList(0, steps.size() - 1)` fails on it, for every record that gets that far.
    fn split(&self) -> Result<(&[String], &str), ConnectError> {
        match self.steps.split_last() {
            Some((last, parents)) => Ok((parents, last.as_str())),
            None => Err(ConnectError::IllegalArgument(
                "fromIndex(0) > toIndex(-1)".to_string(),
            )),
        }
    }

    /// The field at this path in a struct schema, or `None` when any step is missing. A step on a
    /// schema that is not a struct fails as Kafka's `ConnectSchema.field` does.
    pub(super) fn field_from<'a>(
        &self,
        schema: &'a Schema,
    ) -> Result<Option<&'a Field>, ConnectError> {
        let (parents, last) = self.split()?;
        let lookup = |s: &'a Schema, name: &str| -> Result<Option<&'a Field>, ConnectError> {
            if s.schema_type() != SchemaType::Struct {
                return Err(DataError::new("Cannot look up fields on non-struct type").into());
            }
            Ok(s.field(name))
        };
        let mut current = schema;
        for step in parents {
            match lookup(current, step)? {
                Some(field) => current = &field.schema,
                None => return Ok(None),
            }
        }
        lookup(current, last)
    }

    /// The value at this path in a struct (`Value::Null` when absent). `with_default` chooses
    /// `Struct.get` over `Struct.getWithoutDefault` for every step.
    pub(super) fn value_from_struct(
        &self,
        value: &Struct,
        with_default: bool,
    ) -> Result<Value, ConnectError> {
        let read = |s: &'_ Struct, name: &str| -> Result<Value, DataError> {
            if s.schema().field(name).is_none() {
                return Ok(Value::Null);
            }
            let v = if with_default {
                s.get(name)?
            } else {
                s.get_without_default(name)?
            };
            Ok(v.clone())
        };
        let (parents, last) = self.split()?;
        let mut current = value;
        for step in parents {
            if current.schema().field(step).is_none() {
                return Ok(Value::Null);
            }
            let next = if with_default {
                current.get(step)?
            } else {
                current.get_without_default(step)?
            };
            if next.is_null() {
                return Ok(Value::Null);
            }
            current = require_struct(next, PURPOSE_NESTED)?;
        }
        Ok(read(current, last)?)
    }

    /// The value at this path in a schemaless map (`Value::Null` when absent). A step that holds
    /// something other than a map fails as Kafka's `requireMapOrNull` does.
    pub(super) fn value_from_map(&self, entries: &[(Value, Value)]) -> Result<Value, ConnectError> {
        let (parents, last) = self.split()?;
        let mut current = entries;
        for step in parents {
            match map_get(current, step) {
                None | Some(Value::Null) => return Ok(Value::Null),
                Some(next) => current = require_map(next, PURPOSE_NESTED)?,
            }
        }
        Ok(map_get(current, last).cloned().unwrap_or(Value::Null))
    }
}

fn incomplete_backtick(path: &str, backtick_at: usize) -> ConfigError {
    // Kafka reports the position as a Java (UTF-16) index.
    let position = path[..backtick_at].encode_utf16().count();
    ConfigError::Other(format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {position} to escape it"
    ))
}

/// Splits a V2 path into steps, following `SingleFieldPath.buildFieldPathV2`. Byte indices are
/// safe because every delimiter looked at is ASCII.
fn parse_v2(path: &str) -> Result<Vec<String>, ConfigError> {
    let bytes = path.as_bytes();
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < bytes.len() {
        if bytes[idx] != b'`' {
            // A plain step runs to the next dot, or to the end.
            match path[idx..].find('.') {
                Some(offset) => {
                    steps.push(path[idx..idx + offset].to_string());
                    idx += offset + 1;
                }
                None => {
                    steps.push(path[idx..].to_string());
                    idx = bytes.len();
                }
            }
            continue;
        }
        let backtick_at = idx;
        idx += 1;
        let mut field = String::new();
        let mut start = idx;
        loop {
            let Some(offset) = path[idx..].find('`') else {
                return Err(incomplete_backtick(path, backtick_at));
            };
            idx += offset;
            let escaped = bytes[idx - 1] == b'\\';
            if idx + 1 >= bytes.len() {
                // The closing backtick ends the path, unless it is escaped.
                if escaped {
                    return Err(incomplete_backtick(path, backtick_at));
                }
                field.push_str(&path[start..idx]);
                steps.push(field);
                idx += 1;
                break;
            }
            if bytes[idx + 1] != b'.' {
                // Not followed by a dot: part of the name; keep looking for the closing one.
                idx += 1;
                continue;
            }
            if escaped {
                // `\`` followed by a dot: a literal backtick, without the backslash.
                field.push_str(&path[start..idx - 1]);
                field.push('`');
                idx += 1;
                start = idx;
                continue;
            }
            field.push_str(&path[start..idx]);
            steps.push(field);
            idx += 2;
            break;
        }
    }
    // A trailing dot ends with an empty step.
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;

    fn v2(path: &str) -> Vec<String> {
        SingleFieldPath::parse(path, FieldSyntaxVersion::V2)
            .unwrap()
            .steps()
            .to_vec()
    }

    #[test]
    fn v1_is_one_step_even_with_dots() {
        let p = SingleFieldPath::parse("a.b", FieldSyntaxVersion::V1).unwrap();
        assert_eq!(p.steps(), ["a.b"]);
    }

    #[test]
    fn v2_dotted_and_backticked_paths() {
        assert_eq!(v2("a.b.c"), ["a", "b", "c"]);
        assert_eq!(v2("`foo.bar`.baz"), ["foo.bar", "baz"]);
        assert_eq!(v2("baz.`foo.bar`"), ["baz", "foo.bar"]);
        assert_eq!(v2("a."), ["a", ""]);
        assert_eq!(v2(".a"), ["", "a"]);
        // A backtick not followed by a dot is part of the name.
        assert_eq!(v2("`a`b`.c"), ["a`b", "c"]);
        // An escaped backtick before a dot is a literal backtick.
        assert_eq!(v2("`a\\`.b`.c"), ["a`.b", "c"]);
        // A backtick in the middle of a plain step is just a character.
        assert_eq!(v2("a`b.c"), ["a`b", "c"]);
    }

    #[test]
    fn v2_incomplete_backticks_fail_with_kafkas_message() {
        let err = SingleFieldPath::parse("a.`b.c", FieldSyntaxVersion::V2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Incomplete backtick pair in path: [a.`b.c], consider adding a backslash before backtick at position 2 to escape it"
        );
        let escaped_end = SingleFieldPath::parse("`a\\`", FieldSyntaxVersion::V2).unwrap_err();
        assert!(escaped_end.to_string().contains("at position 0"));
    }

    #[test]
    fn version_setting_is_case_insensitive() {
        assert_eq!(
            FieldSyntaxVersion::from_setting(Some("v2")).unwrap(),
            FieldSyntaxVersion::V2
        );
        assert_eq!(
            FieldSyntaxVersion::from_setting(Some("V3"))
                .unwrap_err()
                .to_string(),
            "Invalid value V3 for configuration field.syntax.version: Unrecognized field syntax version"
        );
    }

    /// Kafka's `buildFieldPathV2("")` has no steps, and every lookup fails on `subList(0, -1)`.
    #[test]
    fn an_empty_v2_path_fails_every_lookup_as_kafka_does() {
        let empty = SingleFieldPath::parse("", FieldSyntaxVersion::V2).unwrap();
        let err = empty.value_from_map(&[]).unwrap_err();
        assert!(matches!(err, ConnectError::IllegalArgument(_)), "{err:?}");
        assert_eq!(err.to_string(), "fromIndex(0) > toIndex(-1)");
        let schema = SchemaBuilder::struct_().build();
        assert!(empty.field_from(&schema).is_err());
        // V1 names the empty field, as Kafka's does.
        let v1 = SingleFieldPath::parse("", FieldSyntaxVersion::V1).unwrap();
        assert_eq!(v1.value_from_map(&[]).unwrap(), Value::Null);
    }

    #[test]
    fn nested_lookups() {
        let inner = SchemaBuilder::struct_()
            .field("c", Schema::int32())
            .unwrap()
            .build();
        let outer = SchemaBuilder::struct_()
            .field("a.b", inner.clone())
            .unwrap()
            .build();
        let path = SingleFieldPath::parse("`a.b`.c", FieldSyntaxVersion::V2).unwrap();
        assert_eq!(path.field_from(&outer).unwrap().unwrap().name, "c");
        let missing = SingleFieldPath::parse("a.b.c", FieldSyntaxVersion::V2).unwrap();
        assert!(missing.field_from(&outer).unwrap().is_none());
        // A step through a field that is not a struct: Kafka's ConnectSchema.field message.
        let through_int = SingleFieldPath::parse("`a.b`.c.d", FieldSyntaxVersion::V2).unwrap();
        let err = through_int.field_from(&outer).unwrap_err();
        assert!(matches!(err, ConnectError::Data(_)), "{err:?}");
        assert_eq!(err.to_string(), "Cannot look up fields on non-struct type");

        let mut i = Struct::new(inner).unwrap();
        i.put("c", Value::Int32(7)).unwrap();
        let mut o = Struct::new(outer).unwrap();
        o.put("a.b", Value::Struct(i)).unwrap();
        assert_eq!(path.value_from_struct(&o, true).unwrap(), Value::Int32(7));

        let map = vec![(
            Value::from("a"),
            Value::Map(vec![(Value::from("b"), Value::Int64(1))]),
        )];
        let p = SingleFieldPath::parse("a.b", FieldSyntaxVersion::V2).unwrap();
        assert_eq!(p.value_from_map(&map).unwrap(), Value::Int64(1));
        let not_map = vec![(Value::from("a"), Value::from("x"))];
        assert_eq!(
            p.value_from_map(&not_map).unwrap_err().to_string(),
            "Only Map objects supported in absence of schema for [nested field access], found: java.lang.String"
        );
    }
}
