//! Connect data to JSON (`JsonConverter.convertToJson` and `asJsonSchema`), written straight into
//! bytes instead of through a node tree.

use super::config::{DecimalFormat, JsonConverterConfig};
use super::writer::{write_base64, write_bool, write_f32, write_f64, write_i64, write_string};
use crate::data::values::{date_from_logical, decimal_from_logical, time_from_logical};
use crate::data::{logical, DataError, Schema, SchemaType, Struct, Value};

fn invalid_type(schema: Option<&Schema>, value: &Value) -> DataError {
    let t = schema.map_or("unknown schema", |s| s.schema_type().java_name());
    DataError::new(format!(
        "Invalid type for {t}: class {}",
        value.java_class_name()
    ))
}

/// Writes `schema` as Kafka's JSON schema: `type`, type-specific keys, `optional`, `name`,
/// `version`, `doc`, `parameters`, `default`.
pub fn write_schema(
    out: &mut Vec<u8>,
    schema: &Schema,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    write_schema_open(out, schema, config)?;
    out.push(b'}');
    Ok(())
}

/// The schema object without its closing brace, so a struct field can append `"field"` last.
fn write_schema_open(
    out: &mut Vec<u8>,
    schema: &Schema,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    out.extend_from_slice(b"{\"type\":");
    write_string(out, schema.schema_type().json_name());
    match schema.schema_type() {
        SchemaType::Array => {
            out.extend_from_slice(b",\"items\":");
            write_optional_schema(out, schema.value_schema(), config)?;
        }
        SchemaType::Map => {
            out.extend_from_slice(b",\"keys\":");
            write_optional_schema(out, schema.key_schema(), config)?;
            out.extend_from_slice(b",\"values\":");
            write_optional_schema(out, schema.value_schema(), config)?;
        }
        SchemaType::Struct => {
            out.extend_from_slice(b",\"fields\":[");
            for (i, field) in schema.fields().iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_schema_open(out, &field.schema, config)?;
                out.extend_from_slice(b",\"field\":");
                write_string(out, &field.name);
                out.push(b'}');
            }
            out.push(b']');
        }
        _ => {}
    }
    out.extend_from_slice(b",\"optional\":");
    write_bool(out, schema.is_optional());
    if let Some(name) = schema.name() {
        out.extend_from_slice(b",\"name\":");
        write_string(out, name);
    }
    if let Some(version) = schema.version() {
        out.extend_from_slice(b",\"version\":");
        write_i64(out, i64::from(version));
    }
    if let Some(doc) = schema.doc() {
        out.extend_from_slice(b",\"doc\":");
        write_string(out, doc);
    }
    if let Some(params) = schema.parameters() {
        out.extend_from_slice(b",\"parameters\":{");
        for (i, (k, v)) in params.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_string(out, k);
            out.push(b':');
            write_string(out, v);
        }
        out.push(b'}');
    }
    if let Some(default) = schema.default_value() {
        out.extend_from_slice(b",\"default\":");
        write_value(out, Some(schema), default, config)?;
    }
    Ok(())
}

/// A missing inner schema is JSON `null` (Jackson writes the null node `set` into the object).
fn write_optional_schema(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    match schema {
        Some(s) => write_schema(out, s, config),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// Writes a value with the payload rules of `convertToJson`.
pub fn write_value(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    value: &Value,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    write_value_with_keys(out, schema, value, None, config)
}

/// [`write_value`], where a struct value takes its field keys from `keys` ([`payload_keys`] of
/// `schema`, from the converter's cache) instead of escaping its field names again.
pub fn write_value_with_keys(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    value: &Value,
    keys: Option<&[Box<[u8]>]>,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    if value.is_null() {
        let Some(schema) = schema else {
            out.extend_from_slice(b"null");
            return Ok(());
        };
        if let (Some(default), true) = (schema.default_value(), config.replace_null_with_default) {
            return write_value(out, Some(schema), default, config);
        }
        if schema.is_optional() {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        return Err(DataError::new(
            "Conversion error: null value for field that is required and has no default value",
        ));
    }
    if let Some(s) = schema {
        if write_logical(out, s, value, config)? {
            return Ok(());
        }
    }
    let schema_type = match schema {
        Some(s) => s.schema_type(),
        None => value.inferred_type().ok_or_else(|| {
            DataError::new(format!(
                "Java class class {} does not have corresponding schema type.",
                value.java_class_name()
            ))
        })?,
    };
    match (schema_type, value) {
        (SchemaType::Int8, Value::Int8(v)) => write_i64(out, i64::from(*v)),
        (SchemaType::Int16, Value::Int16(v)) => write_i64(out, i64::from(*v)),
        (SchemaType::Int32, Value::Int32(v)) => write_i64(out, i64::from(*v)),
        (SchemaType::Int64, Value::Int64(v)) => write_i64(out, *v),
        (SchemaType::Float32, Value::Float32(v)) => write_f32(out, *v),
        (SchemaType::Float64, Value::Float64(v)) => write_f64(out, *v),
        (SchemaType::Boolean, Value::Boolean(v)) => write_bool(out, *v),
        (SchemaType::String, Value::String(v)) => write_string(out, v),
        (SchemaType::Bytes, Value::Bytes(v)) => write_base64(out, v),
        (SchemaType::Bytes, other) => {
            return Err(DataError::new(format!(
                "Invalid type for bytes type: class {}",
                other.java_class_name()
            )))
        }
        (SchemaType::Array, Value::Array(items)) => {
            let item_schema = schema.and_then(Schema::value_schema);
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item_schema, item, config)?;
            }
            out.push(b']');
        }
        (SchemaType::Map, Value::Map(entries)) => write_map(out, schema, entries, config)?,
        (SchemaType::Struct, Value::Struct(s)) => {
            let Some(schema) = schema else {
                return Err(DataError::new("Mismatching schema."));
            };
            write_struct(out, schema, s, keys, config)?;
        }
        _ => return Err(invalid_type(schema, value)),
    }
    Ok(())
}

/// A struct as a JSON object. `keys`, when given, are the fields' keys already escaped
/// ([`payload_keys`] of `schema`).
fn write_struct(
    out: &mut Vec<u8>,
    schema: &Schema,
    value: &Struct,
    keys: Option<&[Box<[u8]>]>,
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    if value.schema() != schema {
        return Err(DataError::new("Mismatching schema."));
    }
    out.push(b'{');
    for (i, field) in schema.fields().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match keys.and_then(|k| k.get(i)) {
            Some(key) => out.extend_from_slice(key),
            None => {
                write_string(out, &field.name);
                out.push(b':');
            }
        }
        write_value(
            out,
            Some(&field.schema),
            value.get_by_index(field.index),
            config,
        )?;
    }
    out.push(b'}');
    Ok(())
}

/// Each field's key in a struct's JSON object (`"name":`, escaped), in field order; none for a
/// schema that is not a struct's.
pub fn payload_keys(schema: &Schema) -> Box<[Box<[u8]>]> {
    schema
        .fields()
        .iter()
        .map(|field| {
            let mut key = Vec::with_capacity(field.name.len() + 3);
            write_string(&mut key, &field.name);
            key.push(b':');
            key.into_boxed_slice()
        })
        .collect()
}

/// Maps with string keys become objects; any other key type an array of `[key, value]` pairs.
fn write_map(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    entries: &[(Value, Value)],
    config: &JsonConverterConfig,
) -> Result<(), DataError> {
    let key_schema = schema.and_then(Schema::key_schema);
    let value_schema = schema.and_then(Schema::value_schema);
    let object_mode = match schema {
        None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        Some(_) => key_schema.is_some_and(|k| k.schema_type() == SchemaType::String),
    };
    if object_mode {
        out.push(b'{');
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_string(out, &key_text(key_schema, k, config)?);
            out.push(b':');
            write_value(out, value_schema, v, config)?;
        }
        out.push(b'}');
    } else {
        out.push(b'[');
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            write_value(out, key_schema, k, config)?;
            out.push(b',');
            write_value(out, value_schema, v, config)?;
            out.push(b']');
        }
        out.push(b']');
    }
    Ok(())
}

/// `convertToJson(keySchema, key).asText()` for an object key, where the key schema is STRING.
fn key_text(
    key_schema: Option<&Schema>,
    key: &Value,
    config: &JsonConverterConfig,
) -> Result<String, DataError> {
    match key {
        Value::String(s) => Ok(s.clone()),
        Value::Null => {
            // The null rules apply; a resulting JSON null reads back as the text "null".
            let mut tmp = Vec::new();
            write_value(&mut tmp, key_schema, key, config)?;
            Ok(match key_schema.and_then(Schema::default_value) {
                Some(Value::String(d)) if config.replace_null_with_default => d.clone(),
                _ => "null".to_string(),
            })
        }
        other => Err(invalid_type(key_schema, other)),
    }
}

/// Writes Decimal, Date, Time and Timestamp values; `Ok(false)` if the schema is not logical.
fn write_logical(
    out: &mut Vec<u8>,
    schema: &Schema,
    value: &Value,
    config: &JsonConverterConfig,
) -> Result<bool, DataError> {
    let expected = |what: &str, expected: &str| {
        DataError::new(format!(
            "Invalid type for {what}, expected {expected} but was class {}",
            value.java_class_name()
        ))
    };
    match schema.name() {
        Some(logical::DECIMAL) => {
            let Value::Decimal(d) = value else {
                return Err(expected("Decimal", "BigDecimal"));
            };
            match config.decimal_format {
                DecimalFormat::Numeric => out.extend_from_slice(d.to_java_string().as_bytes()),
                DecimalFormat::Base64 => {
                    let bytes = decimal_from_logical(schema, d)?;
                    write_base64(out, &bytes);
                }
            }
        }
        Some(logical::DATE) => {
            let Value::Date(ms) = value else {
                return Err(expected("Date", "Date"));
            };
            write_i64(out, i64::from(date_from_logical(*ms)?));
        }
        Some(logical::TIME) => {
            let Value::Date(ms) = value else {
                return Err(expected("Time", "Date"));
            };
            write_i64(out, i64::from(time_from_logical(*ms)?));
        }
        Some(logical::TIMESTAMP) => {
            let Value::Date(ms) = value else {
                return Err(expected("Timestamp", "Date"));
            };
            write_i64(out, *ms);
        }
        _ => return Ok(false),
    }
    Ok(true)
}
