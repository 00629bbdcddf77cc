//! JSON to Connect data (`JsonConverter.asConnectSchema` and `convertToConnect`), following Jackson's
//! node accessors: a mismatched node type is coerced silently (`intValue()` of a string is 0,
//! `textValue()` of a number is null), exactly as Kafka behaves.

use num_bigint::BigInt;

use super::config::JsonConverterConfig;
use super::reader::{JsonNode, JsonNumber};
use crate::data::java_hash::in_new_hash_map_order;
use crate::data::values::time_to_logical;
use crate::data::{
    bigint_low_i64, logical, DataError, Decimal, Schema, SchemaBuilder, SchemaType, Struct, Value,
};

/// `TextNode.binaryValue()`; Kafka's converter reports only that the field is invalid.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    super::base64_text::decode(text).ok()
}

// --- number accessors, as Jackson's numeric nodes answer them ---

fn long_value(n: &JsonNumber) -> i64 {
    if n.integral {
        if let Ok(v) = n.text.parse::<i64>() {
            return v;
        }
        return n
            .text
            .parse::<BigInt>()
            .map(|b| bigint_low_i64(&b))
            .unwrap_or(0);
    }
    Decimal::parse_java(&n.text).map_or(0, |d| d.to_i64_wrapping())
}

fn int_value(n: &JsonNumber) -> i32 {
    long_value(n) as i32
}

/// An exact zero has no sign once it went through `int` or `BigDecimal`.
fn no_negative_zero_f64(v: f64) -> f64 {
    if v == 0.0 {
        0.0
    } else {
        v
    }
}

fn double_value(n: &JsonNumber) -> f64 {
    no_negative_zero_f64(n.text.parse().unwrap_or(0.0))
}

fn float_value(n: &JsonNumber) -> f32 {
    let v: f32 = n.text.parse().unwrap_or(0.0);
    if v == 0.0 {
        0.0
    } else {
        v
    }
}

fn is_int(n: &JsonNumber) -> bool {
    n.integral && n.text.parse::<i32>().is_ok()
}

fn decimal_value(n: &JsonNumber) -> Option<Decimal> {
    if n.integral {
        return n.text.parse::<BigInt>().ok().map(|b| Decimal::new(b, 0));
    }
    Decimal::parse_java(&n.text)
}

fn node_int(node: &JsonNode) -> i32 {
    match node {
        JsonNode::Number(n) => int_value(n),
        _ => 0,
    }
}

fn node_long(node: &JsonNode) -> i64 {
    match node {
        JsonNode::Number(n) => long_value(n),
        _ => 0,
    }
}

// --- schemas ---

/// `asConnectSchema`: `None` for a JSON null.
pub fn as_connect_schema(
    json: &JsonNode,
    config: &JsonConverterConfig,
) -> Result<Option<Schema>, DataError> {
    if matches!(json, JsonNode::Null) {
        return Ok(None);
    }
    let Some(type_name) = json.get("type").and_then(JsonNode::as_str) else {
        return Err(DataError::new("Schema must contain 'type' field"));
    };
    let mut builder = match type_name {
        "boolean" => SchemaBuilder::new(SchemaType::Boolean),
        "int8" => SchemaBuilder::new(SchemaType::Int8),
        "int16" => SchemaBuilder::new(SchemaType::Int16),
        "int32" => SchemaBuilder::new(SchemaType::Int32),
        "int64" => SchemaBuilder::new(SchemaType::Int64),
        "float" => SchemaBuilder::new(SchemaType::Float32),
        "double" => SchemaBuilder::new(SchemaType::Float64),
        "bytes" => SchemaBuilder::new(SchemaType::Bytes),
        "string" => SchemaBuilder::new(SchemaType::String),
        "array" => {
            let items = match json.get("items") {
                None | Some(JsonNode::Null) => {
                    return Err(DataError::new(
                        "Array schema did not specify the element type",
                    ))
                }
                Some(items) => required_schema(items, config, "valueSchema")?,
            };
            SchemaBuilder::array(items)
        }
        "map" => {
            let keys = json
                .get("keys")
                .ok_or_else(|| DataError::new("Map schema did not specify the key type"))?;
            let values = json
                .get("values")
                .ok_or_else(|| DataError::new("Map schema did not specify the value type"))?;
            SchemaBuilder::map(
                required_schema(keys, config, "keySchema")?,
                required_schema(values, config, "valueSchema")?,
            )
        }
        "struct" => {
            let Some(JsonNode::Array(fields)) = json.get("fields") else {
                return Err(DataError::new(
                    "Struct schema's \"fields\" argument is not an array.",
                ));
            };
            let mut b = SchemaBuilder::struct_();
            for field in fields {
                let Some(name) = field.get("field").and_then(JsonNode::as_str) else {
                    return Err(DataError::new(
                        "Struct schema's field name not specified properly",
                    ));
                };
                let field_schema = required_schema(field, config, "fieldSchema")?;
                b = b.field(name, field_schema)?;
            }
            b
        }
        other => return Err(DataError::new(format!("Unknown schema type: {other}"))),
    };
    builder = builder.set_optional(matches!(json.get("optional"), Some(JsonNode::Bool(true))));
    if let Some(name) = json.get("name").and_then(JsonNode::as_str) {
        builder = builder.name(name);
    }
    if let Some(JsonNode::Number(n)) = json.get("version") {
        if n.integral {
            builder = builder.version(int_value(n));
        }
    }
    if let Some(doc) = json.get("doc").and_then(JsonNode::as_str) {
        builder = builder.doc(doc);
    }
    if let Some(JsonNode::Object(params)) = json.get("parameters") {
        for (k, v) in params {
            let JsonNode::String(v) = v else {
                return Err(DataError::new("Schema parameters must have string values."));
            };
            builder = builder.parameter(k.clone(), v.clone());
        }
    }
    let Some(default_node) = json.get("default") else {
        return Ok(Some(builder.build()));
    };
    // The default is converted against the schema as built so far (Kafka passes the builder).
    let so_far = builder.build();
    let default = convert_to_connect(Some(&so_far), Some(default_node), config)?;
    so_far
        .to_builder()
        .default_value(default)
        .build_checked()
        .map(Some)
}

/// An inner schema that Kafka's `SchemaBuilder` requires to be non-null.
fn required_schema(
    json: &JsonNode,
    config: &JsonConverterConfig,
    what: &str,
) -> Result<Schema, DataError> {
    as_connect_schema(json, config)?
        .ok_or_else(|| DataError::new(format!("{what} cannot be null.")))
}

// --- payloads ---

/// `convertToConnect(schema, node)`; `node` is `None` for a missing member.
pub fn convert_to_connect(
    schema: Option<&Schema>,
    node: Option<&JsonNode>,
    config: &JsonConverterConfig,
) -> Result<Value, DataError> {
    let Some(schema) = schema else {
        return Ok(match node {
            None | Some(JsonNode::Null) => Value::Null,
            Some(n) => schemaless(n),
        });
    };
    let node = match node {
        None | Some(JsonNode::Null) => {
            if let (Some(default), true) =
                (schema.default_value(), config.replace_null_with_default)
            {
                return Ok(default.clone());
            }
            if schema.is_optional() {
                return Ok(Value::Null);
            }
            return Err(DataError::new(format!(
                "Invalid null value for required {} field",
                schema.schema_type()
            )));
        }
        Some(n) => n,
    };
    if let Some(v) = logical_to_connect(schema, node)? {
        return Ok(v);
    }
    Ok(match schema.schema_type() {
        SchemaType::Boolean => Value::Boolean(matches!(node, JsonNode::Bool(true))),
        SchemaType::Int8 => Value::Int8(node_int(node) as i8),
        SchemaType::Int16 => Value::Int16(node_int(node) as i16),
        SchemaType::Int32 => Value::Int32(node_int(node)),
        SchemaType::Int64 => Value::Int64(node_long(node)),
        SchemaType::Float32 => Value::Float32(match node {
            JsonNode::Number(n) => float_value(n),
            _ => 0.0,
        }),
        SchemaType::Float64 => Value::Float64(match node {
            JsonNode::Number(n) => double_value(n),
            _ => 0.0,
        }),
        SchemaType::String => match node {
            JsonNode::String(s) => Value::String(s.clone()),
            _ => Value::Null,
        },
        SchemaType::Bytes => match node {
            JsonNode::String(s) => {
                Value::Bytes(decode_base64(s).ok_or_else(|| DataError::new("Invalid bytes field"))?)
            }
            // Jackson's `binaryValue()` of any other node is null.
            _ => Value::Null,
        },
        SchemaType::Array => {
            let items = schema.value_schema();
            let elements: Vec<&JsonNode> = match node {
                JsonNode::Array(a) => a.iter().collect(),
                // Iterating an object node yields its values; scalars yield nothing.
                JsonNode::Object(m) => m.iter().map(|(_, v)| v).collect(),
                _ => Vec::new(),
            };
            Value::Array(
                elements
                    .into_iter()
                    .map(|e| convert_to_connect(items, Some(e), config))
                    .collect::<Result<_, _>>()?,
            )
        }
        SchemaType::Map => map_with_schema(schema, node, config)?,
        SchemaType::Struct => {
            let JsonNode::Object(_) = node else {
                return Err(DataError::new(format!(
                    "Structs should be encoded as JSON objects, but found {}",
                    node.node_type()
                )));
            };
            let mut result = Struct::new(schema.clone())?;
            for field in schema.fields() {
                let v = convert_to_connect(Some(&field.schema), node.get(&field.name), config)?;
                result.put(&field.name, v)?;
            }
            Value::Struct(result)
        }
    })
}

fn map_with_schema(
    schema: &Schema,
    node: &JsonNode,
    config: &JsonConverterConfig,
) -> Result<Value, DataError> {
    let key_schema = schema.key_schema();
    let value_schema = schema.value_schema();
    let mut result: Vec<(Value, Value)> = Vec::new();
    if key_schema.is_none_or(|k| k.schema_type() == SchemaType::String) {
        let JsonNode::Object(members) = node else {
            return Err(DataError::new(format!(
                "Maps with string fields should be encoded as JSON objects, but found {}",
                node.node_type()
            )));
        };
        for (k, v) in members {
            result.push((
                Value::String(k.clone()),
                convert_to_connect(value_schema, Some(v), config)?,
            ));
        }
    } else {
        let JsonNode::Array(entries) = node else {
            return Err(DataError::new(format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                node.node_type()
            )));
        };
        for entry in entries {
            let JsonNode::Array(pair) = entry else {
                return Err(DataError::new(format!(
                    "Found invalid map entry instead of array tuple: {}",
                    entry.node_type()
                )));
            };
            if pair.len() != 2 {
                return Err(DataError::new(format!(
                    "Found invalid map entry, expected length 2 but found :{}",
                    pair.len()
                )));
            }
            let k = convert_to_connect(key_schema, Some(&pair[0]), config)?;
            let v = convert_to_connect(value_schema, Some(&pair[1]), config)?;
            // A HashMap keeps one entry per key, the last one written.
            match result.iter_mut().find(|(existing, _)| *existing == k) {
                Some(slot) => slot.1 = v,
                None => result.push((k, v)),
            }
        }
    }
    // Kafka reads a map into a `new HashMap<>()`, whose order what follows (a sink's toString) sees.
    Ok(Value::Map(in_new_hash_map_order(result)))
}

/// Without a schema: integral numbers are INT64, other numbers FLOAT64, objects string-keyed maps.
fn schemaless(node: &JsonNode) -> Value {
    match node {
        JsonNode::Null | JsonNode::Raw(_) => Value::Null,
        JsonNode::Bool(b) => Value::Boolean(*b),
        JsonNode::Number(n) if n.integral => Value::Int64(long_value(n)),
        JsonNode::Number(n) => Value::Float64(double_value(n)),
        JsonNode::String(s) => Value::String(s.clone()),
        JsonNode::Array(items) => Value::Array(items.iter().map(schemaless).collect()),
        // A `new HashMap<>()` in Kafka, iterated in its order.
        JsonNode::Object(members) => Value::Map(in_new_hash_map_order(
            members
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), schemaless(v)))
                .collect(),
        )),
    }
}

fn logical_to_connect(schema: &Schema, node: &JsonNode) -> Result<Option<Value>, DataError> {
    let Some(name) = schema.name() else {
        return Ok(None);
    };
    let not = |what: &str, expected: &str| {
        DataError::new(format!(
            "Invalid type for {what}, underlying representation should be {expected} but was {}",
            node.node_type()
        ))
    };
    Ok(Some(match name {
        logical::DECIMAL => match node {
            JsonNode::Number(n) => Value::Decimal(
                decimal_value(n)
                    .ok_or_else(|| DataError::new("Invalid bytes for Decimal field"))?,
            ),
            JsonNode::String(s) => {
                let bytes = decode_base64(s)
                    .ok_or_else(|| DataError::new("Invalid bytes for Decimal field"))?;
                let scale = logical::decimal_scale(schema)
                    .ok_or_else(|| DataError::new("Invalid bytes for Decimal field"))?;
                Value::Decimal(
                    Decimal::from_unscaled_bytes(&bytes, scale)
                        .ok_or_else(|| DataError::new("Invalid bytes for Decimal field"))?,
                )
            }
            _ => return Err(not("Decimal", "numeric or bytes")),
        },
        logical::DATE => match node {
            JsonNode::Number(n) if is_int(n) => {
                Value::Date(i64::from(int_value(n)) * logical::MILLIS_PER_DAY)
            }
            _ => return Err(not("Date", "integer")),
        },
        logical::TIME => match node {
            JsonNode::Number(n) if is_int(n) => time_to_logical(int_value(n))?,
            _ => return Err(not("Time", "integer")),
        },
        logical::TIMESTAMP => match node {
            JsonNode::Number(n) if n.integral => Value::Date(long_value(n)),
            _ => return Err(not("Timestamp", "integral")),
        },
        _ => return Ok(None),
    }))
}
