//! `org.apache.kafka.connect.json.JsonConverter`: Connect data as JSON, optionally in a
//! `{"schema":...,"payload":...}` envelope, byte for byte as Kafka (Jackson) writes it.
//!
//! Output is written by hand into one `Vec<u8>`; a schema's JSON is cached (and a plain primitive
//! schema's is written without any lookup), so the hot path of a `string` schema with a string value
//! costs one allocation: the output buffer.

mod base64_text;
mod cache;
pub mod config;
pub mod reader;
mod to_connect;
mod to_json;
mod writer;

use crate::converters::HeadersAsValues;
use std::sync::Arc;

use crate::config::{ConfigError, Props};
use crate::data::{DataError, Schema, SchemaAndValue, Value};
use crate::errors::JavaException;

use super::{Converter, ConverterKind};
use cache::{ConnectSchemaCache, SchemaJson, SchemaJsonCache};
use config::SCHEMA_CONTENT;
pub use config::{DecimalFormat, JsonConverterConfig};
use reader::JsonNode;

pub const CLASS_NAME: &str = "org.apache.kafka.connect.json.JsonConverter";

const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
const DESERIALIZE_ERROR: &str =
    "Converting byte[] to Kafka Connect data failed due to serialization error: ";

/// Kafka's `DataException` for bytes that are not JSON: its message is the bare prefix, and the
/// parser's complaint is the cause (a `SerializationException` wrapping Jackson's, in Kafka).
fn serialization_error(parse_error: impl std::fmt::Display) -> DataError {
    DataError::caused_by(
        DESERIALIZE_ERROR,
        JavaException::new(
            "org.apache.kafka.common.errors.SerializationException",
            parse_error.to_string(),
        ),
    )
}

/// The JsonConverter. Cheap to share: the caches are internally synchronized.
pub struct JsonConverter {
    config: JsonConverterConfig,
    /// The schema `schema.content` gives every record read (with `schemas.enable`).
    fixed_schema: Option<Schema>,
    to_json_schemas: SchemaJsonCache,
    to_connect_schemas: ConnectSchemaCache,
}

impl JsonConverter {
    /// A converter with these settings; `schema.content`, when set, must be a valid JSON schema.
    pub fn new(config: JsonConverterConfig) -> Result<Self, ConfigError> {
        let fixed_schema = match &config.schema_content {
            Some(content) => parse_schema_content(content, &config)?,
            None => None,
        };
        Ok(JsonConverter {
            to_json_schemas: SchemaJsonCache::new(config.schemas_cache_size),
            to_connect_schemas: ConnectSchemaCache::new(config.schemas_cache_size),
            fixed_schema,
            config,
        })
    }

    /// `configure(props)`: `converter.type` must be among the props.
    pub fn configure(props: &Props) -> Result<Self, ConfigError> {
        Self::new(JsonConverterConfig::parse(props)?)
    }

    /// `configure(props, isKey)` / the worker's header setup: `converter.type` comes from `kind`.
    pub fn for_kind(props: &Props, kind: ConverterKind) -> Result<Self, ConfigError> {
        Self::configure(&super::config::with_type(props, kind))
    }

    pub fn config(&self) -> &JsonConverterConfig {
        &self.config
    }

    /// `asJsonSchema(schema)` as bytes, with a struct's payload keys (cached).
    pub fn as_json_schema(&self, schema: &Schema) -> Result<Arc<SchemaJson>, DataError> {
        self.to_json_schemas.get_or_build(schema, || {
            let mut text = Vec::with_capacity(64);
            to_json::write_schema(&mut text, schema, &self.config)?;
            Ok(SchemaJson {
                text: text.into(),
                field_keys: to_json::payload_keys(schema),
            })
        })
    }

    /// `asConnectSchema(json)` from a JSON schema's text; `None` for `null`.
    pub fn as_connect_schema(&self, json: &[u8]) -> Result<Option<Schema>, DataError> {
        let trimmed = trim_ws(json);
        if trimmed == b"null" {
            return Ok(None);
        }
        if let Some(schema) = self.to_connect_schemas.get(trimmed) {
            return Ok(Some(schema));
        }
        let node = reader::parse(trimmed, false)
            .map_err(serialization_error)?
            .unwrap_or(JsonNode::Null);
        let schema = to_connect::as_connect_schema(&node, &self.config)?;
        if let Some(s) = &schema {
            self.to_connect_schemas.put(trimmed, s.clone());
        }
        Ok(schema)
    }

    fn write_envelope_schema(
        &self,
        out: &mut Vec<u8>,
        schema: Option<&Schema>,
    ) -> Result<(), DataError> {
        let Some(schema) = schema else {
            out.extend_from_slice(b"null");
            return Ok(());
        };
        if is_plain_primitive(schema) {
            // Nothing to cache: the text depends only on the type and optionality.
            out.extend_from_slice(b"{\"type\":\"");
            out.extend_from_slice(schema.schema_type().json_name().as_bytes());
            out.extend_from_slice(if schema.is_optional() {
                b"\",\"optional\":true}"
            } else {
                b"\",\"optional\":false}"
            });
            return Ok(());
        }
        out.extend_from_slice(&self.as_json_schema(schema)?.text);
        Ok(())
    }

    fn to_connect(&self, data: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        // A tombstone.
        let Some(data) = data else {
            return Ok(SchemaAndValue::NULL);
        };
        if let (true, Some(schema)) = (self.config.schemas_enable, &self.fixed_schema) {
            return self.to_connect_with_fixed_schema(schema, data);
        }
        let root = reader::parse(data, self.config.schemas_enable).map_err(serialization_error)?;
        if !self.config.schemas_enable {
            let value = to_connect::convert_to_connect(None, root.as_ref(), &self.config)?;
            return Ok(SchemaAndValue::new(None, value));
        }
        let Some(JsonNode::Object(members)) = &root else {
            return Err(DataError::new(ENVELOPE_ERROR));
        };
        let (Some(schema_node), Some(payload), 2) = (
            root.as_ref().and_then(|r| r.get("schema")),
            root.as_ref().and_then(|r| r.get("payload")),
            members.len(),
        ) else {
            return Err(DataError::new(ENVELOPE_ERROR));
        };
        let schema = match schema_node {
            JsonNode::Raw(range) => self.as_connect_schema(&data[range.clone()])?,
            other => to_connect::as_connect_schema(other, &self.config)?,
        };
        let value = to_connect::convert_to_connect(schema.as_ref(), Some(payload), &self.config)?;
        Ok(SchemaAndValue::new(schema, value))
    }
}

impl JsonConverter {
    /// `schema.content` (KIP-1054): the record is the payload alone, converted against the
    /// configured schema; a record that is still a whole envelope (exactly `schema` and `payload`)
    /// gives its payload, and its own schema is ignored.
    fn to_connect_with_fixed_schema(
        &self,
        schema: &Schema,
        data: &[u8],
    ) -> Result<SchemaAndValue, DataError> {
        let root = reader::parse(data, false).map_err(serialization_error)?;
        let envelope_payload = match &root {
            Some(JsonNode::Object(members)) if members.len() == 2 => root
                .as_ref()
                .and_then(|r| r.get("schema").and(r.get("payload"))),
            _ => None,
        };
        let payload = envelope_payload.or(root.as_ref());
        let value = to_connect::convert_to_connect(Some(schema), payload, &self.config)?;
        Ok(SchemaAndValue::new(Some(schema.clone()), value))
    }
}

/// `schema.content`'s schema, read as an envelope's `schema` is; `None` for JSON `null`. A value
/// that is not a schema is refused when the converter is configured, naming the problem.
fn parse_schema_content(
    content: &str,
    config: &JsonConverterConfig,
) -> Result<Option<Schema>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: SCHEMA_CONTENT.to_string(),
        value: content.to_string(),
        reason,
    };
    let node = reader::parse(content.as_bytes(), false)
        .map_err(|e| invalid(format!("not valid JSON: {e}")))?
        .unwrap_or(JsonNode::Null);
    to_connect::as_connect_schema(&node, config)
        .map_err(|e| invalid(format!("not a Connect schema in JSON: {e}")))
}

/// A primitive schema with nothing but a type and optionality, whose JSON is fixed.
fn is_plain_primitive(schema: &Schema) -> bool {
    schema.schema_type().is_primitive()
        && schema.name().is_none()
        && schema.version().is_none()
        && schema.doc().is_none()
        && schema.parameters().is_none()
        && schema.default_value().is_none()
}

fn trim_ws(bytes: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = bytes.iter().position(|b| !is_ws(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ws(b))
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A starting size for the output, so typical records need no regrowth.
/// A payload's likely size in JSON, so the output buffer is allocated once: strings and bytes by
/// their length, structs by their fields (one level deep), anything else a guess.
fn estimate_payload(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len() + 8,
        Value::Bytes(b) => b.len() * 4 / 3 + 8,
        Value::Struct(s) => {
            s.values()
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.len() + 8,
                    Value::Bytes(b) => b.len() * 4 / 3 + 8,
                    _ => 24,
                })
                .sum::<usize>()
                + 16 * s.values().len()
                + 2
        }
        _ => 64,
    }
}

impl Converter for JsonConverter {
    fn from_connect_data(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let payload = estimate_payload(value);
        if self.config.schemas_enable {
            // A struct's schema text comes from the cache; its length sizes the buffer exactly.
            let cached = match schema {
                Some(s) if !is_plain_primitive(s) => Some(self.as_json_schema(s)?),
                _ => None,
            };
            // A primitive schema's text is at most 40 bytes (`{"type":"boolean","optional":false}`).
            let schema_len = cached.as_ref().map_or(40, |json| json.text.len());
            let mut out = Vec::with_capacity(schema_len + payload + 24);
            out.extend_from_slice(b"{\"schema\":");
            match &cached {
                Some(json) => out.extend_from_slice(&json.text),
                None => self.write_envelope_schema(&mut out, schema)?,
            }
            out.extend_from_slice(b",\"payload\":");
            // A struct's field keys come escaped from the cache.
            let keys = cached.as_ref().map(|json| &*json.field_keys);
            to_json::write_value_with_keys(&mut out, schema, value, keys, &self.config)?;
            out.push(b'}');
            Ok(Some(out))
        } else {
            let mut out = Vec::with_capacity(payload);
            to_json::write_value(&mut out, schema, value, &self.config)?;
            Ok(Some(out))
        }
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        self.to_connect(data)
    }
}

// Kafka's header methods are its value methods with the header key ignored.
impl HeadersAsValues for JsonConverter {}

#[cfg(test)]
mod tests;
