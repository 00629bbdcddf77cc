//! Connector config files given to the standalone worker (`ConnectStandalone`): a JSON object of
//! strings, a JSON `CreateConnectorRequest`, or a properties file, tried in that order.

use std::path::Path;

use serde_json::Value;

use super::properties::{parse_properties_from, read_text, PropertiesError};
use super::Props;

/// A connector to create at startup.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorFile {
    pub name: String,
    pub config: Props,
    /// `RUNNING`, `PAUSED` or `STOPPED` (upper-cased), from a `CreateConnectorRequest`.
    pub initial_state: Option<String>,
}

const NAME: &str = "name";

/// Jackson reads JSON scalars into `Map<String, String>` values by coercion; objects and arrays
/// make it fail. `Some(None)` is a JSON null, `None` a value that cannot be read.
fn scalar_to_string(value: &Value) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        Value::Bool(b) => Some(Some(b.to_string())),
        Value::Number(n) => Some(Some(n.to_string())),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Reads an object as string-to-string. Null values are dropped: a standalone connector config
/// cannot carry Java nulls.
fn string_map(object: &serde_json::Map<String, Value>) -> Option<Props> {
    let mut props = Props::new();
    for (k, v) in object {
        if let Some(s) = scalar_to_string(v)? {
            props.insert(k.clone(), s);
        }
    }
    Some(props)
}

/// The second form: exactly the fields `name`, `config`, `initial_state` (unknown fields fail).
fn create_request(
    object: &serde_json::Map<String, Value>,
) -> Option<(Option<String>, Props, Option<String>)> {
    if object
        .keys()
        .any(|k| !matches!(k.as_str(), "name" | "config" | "initial_state"))
    {
        return None;
    }
    let name = match object.get(NAME) {
        None => None,
        Some(v) => scalar_to_string(v)?,
    };
    let config = match object.get("config") {
        None | Some(Value::Null) => Props::new(),
        Some(Value::Object(map)) => string_map(map)?,
        Some(_) => return None,
    };
    let initial_state = match object.get("initial_state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let upper = s.to_uppercase();
            // Kafka's enum parsing fails on anything else, and the file is then read as properties.
            if !matches!(upper.as_str(), "RUNNING" | "PAUSED" | "STOPPED") {
                return None;
            }
            Some(upper)
        }
        Some(_) => return None,
    };
    Some((name, config, initial_state))
}

/// Loads a connector config file as Kafka's standalone worker does.
pub fn load_connector_file(path: &Path) -> Result<ConnectorFile, PropertiesError> {
    let text = read_text(path)?;
    let missing_name = || PropertiesError::MissingName {
        path: path.to_path_buf(),
    };
    if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&text) {
        if let Some(config) = string_map(&object) {
            let name = config.get(NAME).cloned().ok_or_else(missing_name)?;
            return Ok(ConnectorFile {
                name,
                config,
                initial_state: None,
            });
        }
        if let Some((name, mut config, initial_state)) = create_request(&object) {
            let name = match (name, config.get(NAME)) {
                (Some(name), Some(in_config)) if &name != in_config => {
                    return Err(PropertiesError::NameMismatch {
                        path: path.to_path_buf(),
                    })
                }
                (Some(name), _) => name,
                (None, Some(_)) => {
                    return Err(PropertiesError::NameMismatch {
                        path: path.to_path_buf(),
                    })
                }
                (None, None) => return Err(missing_name()),
            };
            config.insert(NAME.to_string(), name.clone());
            return Ok(ConnectorFile {
                name,
                config,
                initial_state,
            });
        }
    }
    let config = parse_properties_from(path, &text)?;
    let name = config.get(NAME).cloned().ok_or_else(missing_name)?;
    Ok(ConnectorFile {
        name,
        config,
        initial_state: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(
        content: &str,
    ) -> (
        tempfile::TempDir,
        std::path::PathBuf,
        Result<ConnectorFile, PropertiesError>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connector.conf");
        std::fs::write(&path, content).unwrap();
        let result = load_connector_file(&path);
        (dir, path, result)
    }

    #[test]
    fn flat_json_object() {
        let (_d, _p, r) = load(
            r#"{"name":"local-file-source","connector.class":"FileStreamSource","tasks.max":1}"#,
        );
        let file = r.unwrap();
        assert_eq!(file.name, "local-file-source");
        assert_eq!(file.config.get("tasks.max").map(String::as_str), Some("1"));
        assert_eq!(file.initial_state, None);
    }

    #[test]
    fn flat_json_without_name() {
        let (_d, p, r) = load(r#"{"connector.class":"FileStreamSource"}"#);
        assert_eq!(
            r.unwrap_err().to_string(),
            format!(
                "Connector configuration at '{}' is missing the mandatory 'name' configuration",
                p.display()
            )
        );
    }

    #[test]
    fn create_connector_request() {
        let (_d, _p, r) = load(
            r#"{"name":"c1","config":{"connector.class":"FileStreamSink","topics":"t"},"initial_state":"paused"}"#,
        );
        let file = r.unwrap();
        assert_eq!(file.name, "c1");
        assert_eq!(file.config.get("name").map(String::as_str), Some("c1"));
        assert_eq!(file.initial_state.as_deref(), Some("PAUSED"));
    }

    #[test]
    fn create_connector_request_name_mismatch() {
        let (_d, p, r) = load(r#"{"name":"c1","config":{"name":"c2"}}"#);
        assert_eq!(
            r.unwrap_err().to_string(),
            format!(
                "Connector name configuration in 'config' doesn't match the one specified in 'name' at '{}'",
                p.display()
            )
        );
    }

    #[test]
    fn properties_fallback() {
        let (_d, _p, r) =
            load("name=local-file-sink\nconnector.class=FileStreamSink\ntopics=connect-test\n");
        let file = r.unwrap();
        assert_eq!(file.name, "local-file-sink");
        assert_eq!(file.config.len(), 3);
        let (_d, p, r) = load("connector.class=FileStreamSink\n");
        assert_eq!(r.unwrap_err(), PropertiesError::MissingName { path: p });
    }
}
