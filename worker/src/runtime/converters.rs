//! The converters of one connector's tasks: the connector's own when it names a class, else the
//! worker's, each configured with its `key.converter.` / `value.converter.` / `header.converter.`
//! settings (Kafka's `Worker.startTask` rule: a connector's converter settings apply only together
//! with a converter class of its own).

use std::sync::Arc;

use crate::config::{ConfigError, Props};
use crate::converters::registry::{new_converter, new_header_converter, resolve_class};
use crate::converters::{Converter, ConverterKind, HeaderConverter};

pub const KEY_CONVERTER: &str = "key.converter";
pub const VALUE_CONVERTER: &str = "value.converter";
pub const HEADER_CONVERTER: &str = "header.converter";
pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Key, value and header converters, with the class names used (for traces and DLQ headers).
#[derive(Clone)]
pub struct RecordConverters {
    pub key: Arc<dyn Converter>,
    pub value: Arc<dyn Converter>,
    pub header: Arc<dyn HeaderConverter>,
    pub key_class: String,
    pub value_class: String,
    pub header_class: String,
}

/// Settings under `prefix.`, with the prefix removed.
pub fn with_prefix(props: &Props, prefix: &str) -> Props {
    let dotted = format!("{prefix}.");
    props
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&dotted).map(|s| (s.to_string(), v.clone())))
        .collect()
}

/// Which config a converter comes from, and its class.
fn choose<'a>(worker: &'a Props, connector: &'a Props, key: &str) -> Option<(&'a Props, String)> {
    if let Some(class) = connector.get(key) {
        return Some((connector, class.trim().to_string()));
    }
    worker.get(key).map(|c| (worker, c.trim().to_string()))
}

impl RecordConverters {
    pub fn for_connector(worker: &Props, connector: &Props) -> Result<Self, ConfigError> {
        for key in [KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER] {
            let prefix = format!("{key}.");
            if !connector.contains_key(key) && connector.keys().any(|k| k.starts_with(&prefix)) {
                tracing::warn!(
                    "connector settings '{prefix}*' are ignored because the connector does not set '{key}' (Kafka Connect applies them only with a converter class of the connector's own)"
                );
            }
        }
        let (key_source, key_class) = choose(worker, connector, KEY_CONVERTER)
            .ok_or_else(|| ConfigError::Missing(KEY_CONVERTER.into()))?;
        let (value_source, value_class) = choose(worker, connector, VALUE_CONVERTER)
            .ok_or_else(|| ConfigError::Missing(VALUE_CONVERTER.into()))?;
        let (header_source, header_class) = choose(worker, connector, HEADER_CONVERTER)
            .unwrap_or((worker, DEFAULT_HEADER_CONVERTER.to_string()));
        Ok(RecordConverters {
            key: new_converter(
                &key_class,
                KEY_CONVERTER,
                &with_prefix(key_source, KEY_CONVERTER),
                ConverterKind::Key,
            )?,
            value: new_converter(
                &value_class,
                VALUE_CONVERTER,
                &with_prefix(value_source, VALUE_CONVERTER),
                ConverterKind::Value,
            )?,
            header: new_header_converter(
                &header_class,
                HEADER_CONVERTER,
                &with_prefix(header_source, HEADER_CONVERTER),
            )?,
            // Kafka's error reports name the converter's class (`Class.getName()`), whatever
            // alias the config used.
            key_class: full_class_name(key_class),
            value_class: full_class_name(value_class),
            header_class: full_class_name(header_class),
        })
    }
}

/// The converter's full class name for an alias (`JsonConverter`, `Json`); unknown names as given.
fn full_class_name(class: String) -> String {
    resolve_class(&class).map_or(class, str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn error_reports_name_the_full_class_whatever_alias_the_config_used() {
        let worker = props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "Json"),
        ]);
        let connector = props(&[("header.converter", "Simple")]);
        let c = RecordConverters::for_connector(&worker, &connector).expect("converters");
        assert_eq!(
            c.key_class,
            "org.apache.kafka.connect.storage.StringConverter"
        );
        assert_eq!(c.value_class, "org.apache.kafka.connect.json.JsonConverter");
        assert_eq!(
            c.header_class,
            "org.apache.kafka.connect.storage.SimpleHeaderConverter"
        );
    }
}
