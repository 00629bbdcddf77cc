//! The connector-level framework configuration (`ConnectorConfig`, `SinkConnectorConfig`,
//! `SourceConnectorConfig`), the transform/predicate enrichment and Kafka's validate response.

use std::fmt;

/// Whether a connector is a source or a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    Source,
    Sink,
}

impl ConnectorKind {
    /// `source` / `sink`, as the REST API shows connector types.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Source => "source",
            ConnectorKind::Sink => "sink",
        }
    }
}

impl fmt::Display for ConnectorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

mod defs;
mod enrich;
mod parse;
mod resolver;
mod sink;
mod validate;

pub use defs::*;
pub use enrich::{enrich, NEGATE_CONFIG, PREDICATE_CONFIG};
pub use parse::{
    parse_connector_config, predicate_specs, transform_specs, uses_topic_creation, PredicateSpec,
    TransformSpec,
};
pub use resolver::{NoPlugins, PluginResolver};
pub use sink::{parse_topics_list, sink_topic_errors};
pub use validate::{
    config_errors_message, framework_config_def, plugin_config_listing, validate_connector_config,
    validate_connector_config_nullable, NULL_VALUE_MESSAGE,
};

#[cfg(test)]
mod tests;
