//! Reading JSON request bodies.
//!
//! Kafka Connect declares `@Consumes(application/json)`, but curl users often omit the
//! `Content-Type` header, so the body is parsed as JSON whatever the header says.
//!
//! **Deliberate difference from Kafka:** a malformed body is answered with **400** and a message
//! naming the problem. Kafka lets Jackson's exception escape to its generic mapper, which answers 500
//! with Jackson's text; a client error is the more useful answer and no client depends on the 500.
//! Likewise a missing body, a body that is not a JSON object where one is required, and config values
//! that are arrays or objects are 400s here, where Kafka would fail with a 500 (often a bare
//! `NullPointerException` with a null message).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use super::error::ApiError;

/// The request body parsed as JSON; `None` when the body is empty (or only whitespace).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonBody(pub Option<Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(None));
        }
        serde_json::from_slice(&bytes)
            .map(|value| JsonBody(Some(value)))
            .map_err(|err| ApiError::bad_request(format!("Malformed JSON in request body: {err}")))
    }
}

impl JsonBody {
    /// The body as a JSON object; a missing body or any other JSON value is a 400.
    pub fn into_object(self) -> Result<Map<String, Value>, ApiError> {
        match self.0 {
            Some(Value::Object(map)) => Ok(map),
            Some(other) => Err(ApiError::bad_request(format!(
                "Request body must be a JSON object, not {}",
                json_kind(&other)
            ))),
            None => Err(ApiError::bad_request(
                "Request body must be a JSON object, but it is empty",
            )),
        }
    }
}

/// A connector config as the herder takes it: string values, with `null` kept so the herder can report
/// it as a validation error (Kafka's "Null value can not be supplied as the configuration value.").
pub type ConfigMap = BTreeMap<String, Option<String>>;

/// Converts a JSON object into a config map. Numbers and booleans become their text, as Jackson does
/// when it binds a JSON scalar to a `String`; arrays and objects are rejected.
pub fn config_map(object: Map<String, Value>) -> Result<ConfigMap, ApiError> {
    object
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::Null => None,
                Value::String(s) => Some(s),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "Configuration value for \"{key}\" must be a string, not {}",
                        json_kind(&other)
                    )))
                }
            };
            Ok((key, text))
        })
        .collect()
}

/// Renders a config map the way Java's `Map.toString` does (`{k1=v1, k2=null}`), for messages that
/// quote the whole config.
pub fn java_map_string(config: &ConfigMap) -> String {
    let entries: Vec<String> = config
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("null")))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

/// A JSON value's kind, for error messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
