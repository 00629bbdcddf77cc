//! `HeaderFrom$Key` / `HeaderFrom$Value`: copies or moves fields of the key or value into headers.

use super::{field_value, replace_null_with_default_key, SchemaCache, REPLACE_NULL_WITH_DEFAULT};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::java_hash::in_copied_hash_map_order;
use crate::data::{ConnectRecord, DataError, Schema, SchemaBuilder, Struct, Value};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::util::{copy_schema_basics, map_get, require_map, require_struct, Side};
use crate::transforms::{Disposition, Transformation};

const FIELDS_FIELD: &str = "fields";
const HEADERS_FIELD: &str = "headers";
const OPERATION_FIELD: &str = "operation";
const MOVE_OPERATION: &str = "move";
const COPY_OPERATION: &str = "copy";

pub(super) fn plugins() -> Vec<TransformPlugin> {
    vec![
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.HeaderFrom$Key",
            config_def,
            new: |props| new(Side::Key, props),
        },
        TransformPlugin {
            class_name: "org.apache.kafka.connect.transforms.HeaderFrom$Value",
            config_def,
            new: |props| new(Side::Value, props),
        },
    ]
}

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FIELDS_FIELD,
                ConfigType::List,
                Importance::High,
                "Field names in the record whose values are to be copied or moved to headers.",
            )
            .validator(Validator::non_empty_list()),
        )
        .define(
            ConfigKey::new(
                HEADERS_FIELD,
                ConfigType::List,
                Importance::High,
                "Header names, in the same order as the field names listed in the fields configuration property.",
            )
            .validator(Validator::non_empty_list()),
        )
        .define(
            ConfigKey::new(
                OPERATION_FIELD,
                ConfigType::String,
                Importance::High,
                "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).",
            )
            .validator(Validator::valid_string(&[MOVE_OPERATION, COPY_OPERATION])),
        )
        .define(replace_null_with_default_key())
}

fn new(side: Side, props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(props)?;
    let fields = parsed.get_list(FIELDS_FIELD).to_vec();
    let headers = parsed.get_list(HEADERS_FIELD).to_vec();
    if fields.len() != headers.len() {
        return Err(ConfigError::Other(format!(
            "'{FIELDS_FIELD}' config must have the same number of elements as '{HEADERS_FIELD}' config."
        )));
    }
    let operation = parsed.get_string(OPERATION_FIELD).unwrap_or_default();
    Ok(Box::new(HeaderFrom {
        side,
        fields,
        headers,
        is_move: operation == MOVE_OPERATION,
        // Kafka's requirement messages name the operation: "header move" / "header copy".
        purpose: format!("header {operation}"),
        replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT).unwrap_or(true),
        move_schemas: SchemaCache::new(),
    }))
}

struct HeaderFrom {
    side: Side,
    fields: Vec<String>,
    headers: Vec<String>,
    is_move: bool,
    purpose: String,
    replace_null_with_default: bool,
    /// For `move`: the key/value schema without the moved fields, by input schema.
    move_schemas: SchemaCache,
}

impl HeaderFrom {
    fn move_schema(&self, schema: &Schema) -> Result<Schema, DataError> {
        self.move_schemas.get_or_build(schema, |schema| {
            // `copySchemaBasics` keeps name, version, doc and parameters, not optionality.
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields() {
                if !self.fields.contains(&field.name) {
                    builder = builder.field(field.name.clone(), field.schema.clone())?;
                }
            }
            Ok(builder.build())
        })
    }

    fn apply_with_schema(
        &self,
        record: &mut ConnectRecord,
        schema: Schema,
    ) -> Result<(), ConnectError> {
        let value = require_struct(self.side.value(record), &self.purpose)?;
        let mut added = Vec::with_capacity(self.fields.len());
        for (field_name, header) in self.fields.iter().zip(&self.headers) {
            // Kafka fails with a NullPointerException on a field the schema lacks; Ferry names it.
            let field = schema
                .field(field_name)
                .ok_or_else(|| DataError::new(format!("Field does not exist: {field_name}")))?;
            let v = match value.schema().field(field_name) {
                Some(_) => field_value(value, field_name, self.replace_null_with_default)?.clone(),
                None => Value::Null,
            };
            // Kafka's `ConnectHeaders.add` checks the header's value against its schema.
            if v.is_null() && !field.schema.is_optional() {
                return Err(DataError::new(format!(
                    "A null value requires an optional schema but was {}",
                    field.schema.java_string()
                ))
                .into());
            }
            added.push((header.clone(), field.schema.clone(), v));
        }
        if self.is_move {
            let moved_schema = self.move_schema(&schema)?;
            let mut moved = Struct::new(moved_schema.clone())?;
            for field in moved_schema.fields() {
                let v = field_value(value, &field.name, self.replace_null_with_default)?;
                moved.put(&field.name, v.clone())?;
            }
            self.side
                .replace(record, Some(moved_schema), Value::Struct(moved));
        }
        for (header, schema, v) in added {
            record.headers.add(header, Some(schema), v);
        }
        Ok(())
    }

    fn apply_schemaless(&self, record: &mut ConnectRecord) -> Result<(), ConnectError> {
        let value = require_map(self.side.value(record), &self.purpose)?;
        let mut added = Vec::with_capacity(self.fields.len());
        for (field_name, header) in self.fields.iter().zip(&self.headers) {
            let v = map_get(value, field_name).cloned().unwrap_or(Value::Null);
            added.push((header.clone(), v));
        }
        // Kafka copies the map (`new HashMap<>(value)`) for both operations, and a move removes
        // the fields from the copy; the copy iterates in its own order.
        let kept: Vec<(Value, Value)> = value
            .iter()
            .filter(|(k, _)| {
                !self.is_move
                    || !k
                        .as_str()
                        .is_some_and(|k| self.fields.iter().any(|f| f == k))
            })
            .cloned()
            .collect();
        let copied = in_copied_hash_map_order(kept, value.len());
        self.side.replace(record, None, Value::Map(copied));
        for (header, v) in added {
            record.headers.add(header, None, v);
        }
        Ok(())
    }
}

impl Transformation for HeaderFrom {
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        // No tombstone shortcut: a null key/value fails the Struct/Map requirement, as in Kafka.
        match self.side.schema(record).cloned() {
            Some(schema) => self.apply_with_schema(record, schema)?,
            None => self.apply_schemaless(record)?,
        }
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaType;
    use crate::transforms::catalog_b::test_support::{map, props, record};

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .name("rec")
            .version(2)
            .field("id", Schema::int32())
            .unwrap()
            .field("name", Schema::string())
            .unwrap()
            .field(
                "opt",
                SchemaBuilder::new(SchemaType::String)
                    .optional()
                    .default_value(Value::from("dflt"))
                    .build(),
            )
            .unwrap()
            .build()
    }

    fn value() -> Value {
        let mut s = Struct::new(schema()).unwrap();
        s.put("id", Value::Int32(5)).unwrap();
        s.put("name", Value::from("n")).unwrap();
        Value::Struct(s)
    }

    fn transform(side: &str, fields: &str, headers: &str, op: &str) -> Box<dyn Transformation> {
        let p = props(&[("fields", fields), ("headers", headers), ("operation", op)]);
        let side = if side == "key" {
            Side::Key
        } else {
            Side::Value
        };
        new(side, &p).unwrap()
    }

    #[test]
    fn copy_with_schema_keeps_the_value_and_adds_typed_headers() {
        let t = transform("value", "id,opt", "h_id,h_opt", "copy");
        let mut r = record(None, Value::Null, Some(schema()), value());
        r.headers.add("existing", None, Value::from("e"));
        let out = t.apply_owned(r).unwrap().unwrap();
        assert_eq!(out.value, value());
        assert_eq!(out.value_schema, Some(schema()));
        let keys: Vec<&str> = out.headers.iter().map(|h| &*h.key).collect();
        assert_eq!(keys, vec!["existing", "h_id", "h_opt"]);
        let id = out.headers.last_with_name("h_id").unwrap();
        assert_eq!(id.value, Value::Int32(5));
        assert_eq!(id.schema, Some(Schema::int32()));
        // The null optional field reads as its default, as replace.null.with.default=true says.
        assert_eq!(
            out.headers.last_with_name("h_opt").unwrap().value,
            Value::from("dflt")
        );
    }

    /// A required field left unset (InsertField's `partition.field=p!` on a record without a
    /// partition, say) cannot become a header of that schema: Kafka's `ConnectHeaders.add` refuses
    /// the null, for copy and move alike.
    #[test]
    fn a_null_under_a_required_schema_cannot_become_a_header() {
        let mut unset = Struct::new(schema()).unwrap();
        unset.put("name", Value::from("n")).unwrap();
        for op in ["copy", "move"] {
            let t = transform("value", "id", "h", op);
            let r = record(
                None,
                Value::Null,
                Some(schema()),
                Value::Struct(unset.clone()),
            );
            assert_eq!(
                t.apply_owned(r).unwrap_err().to_string(),
                "A null value requires an optional schema but was Schema{INT32}",
                "{op}"
            );
        }
    }

    #[test]
    fn move_with_schema_removes_the_fields_and_keeps_schema_basics() {
        let t = transform("key", "name", "h", "move");
        let r = record(Some(schema()), value(), None, Value::from("v"));
        let out = t.apply_owned(r).unwrap().unwrap();
        let key_schema = out.key_schema.clone().unwrap();
        let names: Vec<&str> = key_schema
            .fields()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, vec!["id", "opt"]);
        assert_eq!(key_schema.name(), Some("rec"));
        assert_eq!(key_schema.version(), Some(2));
        let key = out.key.as_struct().unwrap();
        assert_eq!(key.get("id").unwrap(), &Value::Int32(5));
        assert_eq!(
            out.headers.last_with_name("h").unwrap().value,
            Value::from("n")
        );
        assert_eq!(out.value, Value::from("v"));
    }

    #[test]
    fn replace_null_with_default_false_keeps_nulls() {
        let p = props(&[
            ("fields", "opt"),
            ("headers", "h"),
            ("operation", "copy"),
            ("replace.null.with.default", "false"),
        ]);
        let t = new(Side::Value, &p).unwrap();
        let out = t
            .apply_owned(record(None, Value::Null, Some(schema()), value()))
            .unwrap()
            .unwrap();
        assert_eq!(out.headers.last_with_name("h").unwrap().value, Value::Null);
    }

    #[test]
    fn move_schema_is_cached() {
        let p = props(&[("fields", "id"), ("headers", "h"), ("operation", "move")]);
        let parsed = HeaderFrom {
            side: Side::Value,
            fields: vec!["id".into()],
            headers: vec!["h".into()],
            is_move: true,
            purpose: "header move".into(),
            replace_null_with_default: true,
            move_schemas: SchemaCache::new(),
        };
        let a = parsed.move_schema(&schema()).unwrap();
        let b = parsed.move_schema(&schema()).unwrap();
        assert!(a.ptr_eq(&b));
        assert!(new(Side::Value, &p).is_ok());
    }

    #[test]
    fn schemaless_copy_and_move() {
        let v = map(&[("a", Value::Int64(1)), ("b", Value::from("x"))]);
        let copy = transform("value", "a,missing", "ha,hm", "copy");
        let out = copy
            .apply_owned(record(None, Value::Null, None, v.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, v);
        let ha = out.headers.last_with_name("ha").unwrap();
        assert_eq!(
            (ha.schema.clone(), ha.value.clone()),
            (None, Value::Int64(1))
        );
        assert_eq!(out.headers.last_with_name("hm").unwrap().value, Value::Null);

        let mv = transform("value", "a", "ha", "move");
        let out = mv
            .apply_owned(record(None, Value::Null, None, v))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, map(&[("b", Value::from("x"))]));
        assert_eq!(out.value_schema, None);
        assert_eq!(
            out.headers.last_with_name("ha").unwrap().value,
            Value::Int64(1)
        );
    }

    #[test]
    fn tombstones_and_wrong_types_fail_like_kafka() {
        let mv = transform("value", "a", "h", "move");
        assert_eq!(
            mv.apply_owned(record(None, Value::Null, None, Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Map objects supported in absence of schema for [header move], found: null"
        );
        let copy = transform("key", "a", "h", "copy");
        assert_eq!(
            copy.apply_owned(record(Some(schema()), Value::Null, None, Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Struct objects supported for [header copy], found: null"
        );
        assert_eq!(
            copy.apply_owned(record(None, Value::from("s"), None, Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Map objects supported in absence of schema for [header copy], found: java.lang.String"
        );
        let unknown = transform("value", "nope", "h", "copy");
        assert_eq!(
            unknown
                .apply_owned(record(None, Value::Null, Some(schema()), value()))
                .unwrap_err()
                .to_string(),
            "Field does not exist: nope"
        );
    }

    #[test]
    fn config_errors() {
        let mismatch = props(&[("fields", "a,b"), ("headers", "h"), ("operation", "copy")]);
        assert_eq!(
            new(Side::Value, &mismatch).err().unwrap().to_string(),
            "'fields' config must have the same number of elements as 'headers' config."
        );
        let bad_op = props(&[("fields", "a"), ("headers", "h"), ("operation", "cut")]);
        assert_eq!(
            new(Side::Value, &bad_op).err().unwrap().to_string(),
            "Invalid value cut for configuration operation: String must be one of: move, copy"
        );
        let empty = props(&[("fields", ""), ("headers", "h"), ("operation", "copy")]);
        assert_eq!(
            new(Side::Value, &empty).err().unwrap().to_string(),
            "Invalid value [] for configuration fields: Empty list"
        );
        let missing = props(&[("fields", "a"), ("headers", "h")]);
        assert_eq!(
            new(Side::Key, &missing).err().unwrap().to_string(),
            "Missing required configuration \"operation\" which has no default value."
        );
    }
}
