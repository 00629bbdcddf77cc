//! Configuration: `.properties` files, `ConfigDef` (keys, types, defaults, validators), and the worker
//! and connector configurations built on it.

use std::collections::BTreeMap;

/// A flat string-to-string configuration, as Kafka Connect passes configs around.
pub type Props = BTreeMap<String, String>;

/// A configuration error with Kafka's `ConfigException` message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("Missing required configuration \"{0}\" which has no default value.")]
    Missing(String),
    #[error("Invalid value {value} for configuration {name}: {reason}")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Other(String),
}

mod info;
pub use info::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo};

pub mod connector;
mod connector_file;
pub mod def;
pub mod jaas;
pub(crate) mod java;
pub mod properties;
pub mod providers;
pub mod worker;

/// Properties from `(key, value)` pairs, for tests.
#[cfg(test)]
pub(crate) fn test_props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
