//! Converters by Kafka class name or alias (the simple class name, and that name without its
//! `Converter` suffix), configured from their already-unprefixed settings.

use std::sync::Arc;

use crate::config::{ConfigError, Props};

use super::bytearray::{self, ByteArrayConverter};
use super::config::{get_converter_type, with_type};
use super::json::{self, JsonConverter};
use super::number::{NumberConverter, NumberKind};
use super::simple_header::{self, SimpleHeaderConverter};
use super::string::{self, StringConverter};
use super::{Converter, ConverterKind, HeaderConverter};

/// Which plugin interface a class is listed under in `GET /connector-plugins`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginKind {
    Converter,
    HeaderConverter,
}

impl PluginKind {
    /// Kafka's `PluginType` name: `converter` or `header_converter`.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Converter => "converter",
            PluginKind::HeaderConverter => "header_converter",
        }
    }
}

/// Every converter class, and whether it is also a header converter.
const CONVERTERS: &[(&str, bool)] = &[
    (json::CLASS_NAME, true),
    (string::CLASS_NAME, true),
    (bytearray::CLASS_NAME, true),
    ("org.apache.kafka.connect.converters.DoubleConverter", true),
    ("org.apache.kafka.connect.converters.FloatConverter", true),
    ("org.apache.kafka.connect.converters.IntegerConverter", true),
    ("org.apache.kafka.connect.converters.LongConverter", true),
    ("org.apache.kafka.connect.converters.ShortConverter", true),
    ("org.apache.kafka.connect.converters.BooleanConverter", true),
];

/// The header-only converter.
const HEADER_ONLY: &[&str] = &[simple_header::CLASS_NAME];

fn all_classes() -> impl Iterator<Item = &'static str> {
    CONVERTERS
        .iter()
        .map(|(c, _)| *c)
        .chain(HEADER_ONLY.iter().copied())
}

/// The full class name for a class name or alias (`Json`, `JsonConverter`, ...). Like Kafka's
/// `PluginUtils.prunedName`, a header converter drops `HeaderConverter` and a converter `Converter`.
pub fn resolve_class(name: &str) -> Option<&'static str> {
    let name = name.trim();
    all_classes().find(|class| {
        let simple = class.rsplit('.').next().unwrap_or(class);
        let pruned_by = |suffix: &str| {
            simple
                .strip_suffix(suffix)
                .is_some_and(|pruned| !pruned.is_empty() && name == pruned)
        };
        let is_converter = CONVERTERS.iter().any(|(c, _)| c == class);
        name == *class
            || name == simple
            || pruned_by("HeaderConverter")
            || (is_converter && pruned_by("Converter"))
    })
}

/// Converters and header converters, sorted by class within each kind, as the plugin listing shows.
pub fn converter_plugins() -> Vec<(String, PluginKind)> {
    let mut converters: Vec<&'static str> = CONVERTERS.iter().map(|(c, _)| *c).collect();
    converters.sort_unstable();
    let mut headers: Vec<&'static str> = CONVERTERS
        .iter()
        .filter(|(_, header)| *header)
        .map(|(c, _)| *c)
        .chain(HEADER_ONLY.iter().copied())
        .collect();
    headers.sort_unstable();
    converters
        .into_iter()
        .map(|c| (c.to_string(), PluginKind::Converter))
        .chain(
            headers
                .into_iter()
                .map(|c| (c.to_string(), PluginKind::HeaderConverter)),
        )
        .collect()
}

fn not_found(config_key: &str, class: &str) -> ConfigError {
    ConfigError::Invalid {
        name: config_key.to_string(),
        value: class.to_string(),
        reason: format!("Class {class} could not be found."),
    }
}

fn number_kind(class: &str) -> Option<NumberKind> {
    NumberKind::ALL
        .into_iter()
        .find(|k| k.class_name() == class)
}

/// A converter that is both a `Converter` and a `HeaderConverter`.
enum Built {
    Json(JsonConverter),
    String(StringConverter),
    ByteArray(ByteArrayConverter),
    Number(NumberConverter),
}

fn build(class: &'static str, props: &Props) -> Result<Option<Built>, ConfigError> {
    // Every converter validates `converter.type` as Kafka's ConverterConfig does.
    get_converter_type(props)?;
    Ok(Some(match class {
        json::CLASS_NAME => Built::Json(JsonConverter::configure(props)?),
        string::CLASS_NAME => Built::String(StringConverter::configure(props)?),
        bytearray::CLASS_NAME => Built::ByteArray(ByteArrayConverter),
        other => match number_kind(other) {
            Some(kind) => Built::Number(NumberConverter::new(kind)),
            None => return Ok(None),
        },
    }))
}

/// Creates and configures the converter `class` for record keys or values.
pub fn new_converter(
    class: &str,
    config_key: &str,
    props: &Props,
    kind: ConverterKind,
) -> Result<Arc<dyn Converter>, ConfigError> {
    let full = resolve_class(class).ok_or_else(|| not_found(config_key, class))?;
    let props = with_type(props, kind);
    Ok(match build(full, &props)? {
        Some(Built::Json(c)) => Arc::new(c),
        Some(Built::String(c)) => Arc::new(c),
        Some(Built::ByteArray(c)) => Arc::new(c),
        Some(Built::Number(c)) => Arc::new(c),
        // SimpleHeaderConverter is not a Converter.
        None => return Err(not_found(config_key, class)),
    })
}

/// Creates and configures the header converter `class`.
pub fn new_header_converter(
    class: &str,
    config_key: &str,
    props: &Props,
) -> Result<Arc<dyn HeaderConverter>, ConfigError> {
    let full = resolve_class(class).ok_or_else(|| not_found(config_key, class))?;
    if full == simple_header::CLASS_NAME {
        return Ok(Arc::new(SimpleHeaderConverter));
    }
    let props = with_type(props, ConverterKind::Header);
    Ok(match build(full, &props)? {
        Some(Built::Json(c)) => Arc::new(c),
        Some(Built::String(c)) => Arc::new(c),
        Some(Built::ByteArray(c)) => Arc::new(c),
        Some(Built::Number(c)) => Arc::new(c),
        None => return Err(not_found(config_key, class)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, Value};

    #[test]
    fn aliases_resolve() {
        for name in [
            "org.apache.kafka.connect.json.JsonConverter",
            "JsonConverter",
            "Json",
        ] {
            assert_eq!(resolve_class(name), Some(json::CLASS_NAME), "{name}");
        }
        assert_eq!(resolve_class("String"), Some(string::CLASS_NAME));
        assert_eq!(resolve_class("ByteArray"), Some(bytearray::CLASS_NAME));
        assert_eq!(
            resolve_class("Integer"),
            Some("org.apache.kafka.connect.converters.IntegerConverter")
        );
        assert_eq!(resolve_class("Simple"), Some(simple_header::CLASS_NAME));
        assert_eq!(
            resolve_class("SimpleHeaderConverter"),
            Some(simple_header::CLASS_NAME)
        );
        assert_eq!(resolve_class("Converter"), None);
        assert_eq!(resolve_class("Avro"), None);
    }

    #[test]
    fn builds_configured_converters() {
        let mut props = Props::new();
        props.insert("schemas.enable".into(), "false".into());
        let c = new_converter("Json", "value.converter", &props, ConverterKind::Value).unwrap();
        assert_eq!(
            c.from_connect_data("t", Some(&Schema::string()), &Value::from("x"))
                .unwrap(),
            Some(b"\"x\"".to_vec())
        );
        let h = new_header_converter("Simple", "header.converter", &Props::new()).unwrap();
        assert_eq!(
            h.from_connect_header("t", "k", None, &Value::Int32(5))
                .unwrap(),
            Some(b"5".to_vec())
        );
        let h = new_header_converter("StringConverter", "header.converter", &Props::new()).unwrap();
        assert_eq!(
            h.from_connect_header("t", "k", None, &Value::from("s"))
                .unwrap(),
            Some(b"s".to_vec())
        );
    }

    #[test]
    fn unknown_classes_and_bad_settings() {
        let err = new_converter(
            "com.example.Nope",
            "key.converter",
            &Props::new(),
            ConverterKind::Key,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "Invalid value com.example.Nope for configuration key.converter: Class com.example.Nope could not be found."
        );
        // A header-only class is not a Converter.
        assert!(new_converter(
            "Simple",
            "value.converter",
            &Props::new(),
            ConverterKind::Value
        )
        .is_err());
        let mut props = Props::new();
        props.insert("schemas.enable".into(), "maybe".into());
        let err = new_converter("Json", "value.converter", &props, ConverterKind::Value)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false"
        );
    }

    #[test]
    fn plugin_listing() {
        let plugins = converter_plugins();
        assert_eq!(
            plugins
                .iter()
                .filter(|(_, k)| *k == PluginKind::Converter)
                .count(),
            9
        );
        let simple = simple_header::CLASS_NAME.to_string();
        assert!(plugins.contains(&(simple.clone(), PluginKind::HeaderConverter)));
        assert!(!plugins.contains(&(simple, PluginKind::Converter)));
        assert_eq!(PluginKind::HeaderConverter.as_str(), "header_converter");
    }
}
