//! Parsing a connector config for the runtime (Kafka's `ConnectorConfig` constructors, with
//! `requireFullConfig`): the first error fails, and transform/predicate stages are extracted.

use super::defs::{
    topic_creation_config_def, topic_creation_group_def, DEFAULT_TOPIC_CREATION_GROUP,
    HEADER_CONVERTER_CLASS_CONFIG, KEY_CONVERTER_CLASS_CONFIG, PREDICATES_CONFIG,
    TOPIC_CREATION_GROUPS_CONFIG, TOPIC_CREATION_PREFIX, TRANSFORMS_CONFIG,
    VALUE_CONVERTER_CLASS_CONFIG,
};
use super::enrich::{class_not_found, enrich, NEGATE_CONFIG, PREDICATE_CONFIG};
use super::resolver::PluginResolver;
use super::sink::sink_topic_errors;
use super::validate::framework_config_def;
use super::ConnectorKind;
use crate::config::def::{originals_with_prefix, ParsedConfig};
use crate::config::{ConfigError, Props};

/// One transformation stage: `transforms.<alias>.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformSpec {
    pub alias: String,
    pub class: String,
    /// Every `transforms.<alias>.` key, prefix stripped, without `predicate`/`negate` (Kafka passes
    /// `type` along too).
    pub config: Props,
    pub predicate: Option<String>,
    pub negate: bool,
}

/// One predicate: `predicates.<alias>.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct PredicateSpec {
    pub alias: String,
    pub class: String,
    pub config: Props,
}

/// Whether the source config uses topic creation (any `topic.creation.` key).
pub fn uses_topic_creation(props: &Props) -> bool {
    props.keys().any(|k| k.starts_with(TOPIC_CREATION_PREFIX))
}

/// Parses a connector config as the worker does before starting it. `topic_creation_enabled` is
/// the worker's `topic.creation.enable`; with it, a source config using `topic.creation.*` gets
/// its group keys checked (default replication factor and partitions become required).
pub fn parse_connector_config(
    kind: ConnectorKind,
    props: &Props,
    resolver: &dyn PluginResolver,
    topic_creation_enabled: bool,
) -> Result<ParsedConfig, ConfigError> {
    let topic_creation =
        kind == ConnectorKind::Source && topic_creation_enabled && uses_topic_creation(props);
    let mut base = if topic_creation {
        topic_creation_config_def()
    } else {
        framework_config_def(kind)
    };
    let parsed = base.parse(props)?;
    for key in [KEY_CONVERTER_CLASS_CONFIG, VALUE_CONVERTER_CLASS_CONFIG] {
        if let Some(class) = parsed.get_class(key) {
            if !resolver.converter_exists(class) {
                return Err(class_not_found(key, class));
            }
        }
    }
    if let Some(class) = parsed.get_class(HEADER_CONVERTER_CLASS_CONFIG) {
        if !resolver.header_converter_exists(class) {
            return Err(class_not_found(HEADER_CONVERTER_CLASS_CONFIG, class));
        }
    }
    if kind == ConnectorKind::Sink {
        if let Some((_, message)) = sink_topic_errors(&|k| props.get(k).map(String::as_str))
            .into_iter()
            .next()
        {
            return Err(ConfigError::Other(message));
        }
    }
    if topic_creation {
        let prefix = format!("{TOPIC_CREATION_PREFIX}{DEFAULT_TOPIC_CREATION_GROUP}.");
        let replication = parsed.get_short(&format!("{prefix}replication.factor"));
        let partitions = parsed.get_int(&format!("{prefix}partitions"));
        let mut groups: Vec<&String> = Vec::new();
        for group in parsed.get_list(TOPIC_CREATION_GROUPS_CONFIG) {
            if group != DEFAULT_TOPIC_CREATION_GROUP && !groups.contains(&group) {
                groups.push(group);
            }
        }
        for group in groups {
            let config_group = format!("Topic Creation: {group}");
            base = base.embed(
                &format!("{TOPIC_CREATION_PREFIX}{group}."),
                &config_group,
                0,
                &topic_creation_group_def(&config_group, replication, partitions),
            );
        }
    }
    enrich(base, props, resolver, true)?.parse(props)
}

/// The transformation stages in order, from a config parsed by [`parse_connector_config`].
pub fn transform_specs(parsed: &ParsedConfig) -> Vec<TransformSpec> {
    parsed
        .get_list(TRANSFORMS_CONFIG)
        .iter()
        .filter_map(|alias| {
            let prefix = format!("{TRANSFORMS_CONFIG}.{alias}.");
            let class = parsed.get_class(&format!("{prefix}type"))?.to_string();
            let mut config = originals_with_prefix(parsed.originals(), &prefix, true);
            config.remove(PREDICATE_CONFIG);
            config.remove(NEGATE_CONFIG);
            Some(TransformSpec {
                alias: alias.clone(),
                class,
                config,
                predicate: parsed
                    .get_string(&format!("{prefix}{PREDICATE_CONFIG}"))
                    .map(str::to_string),
                negate: parsed
                    .get_bool(&format!("{prefix}{NEGATE_CONFIG}"))
                    .unwrap_or(false),
            })
        })
        .collect()
}

/// The predicates by alias, from a config parsed by [`parse_connector_config`].
pub fn predicate_specs(parsed: &ParsedConfig) -> Vec<PredicateSpec> {
    parsed
        .get_list(PREDICATES_CONFIG)
        .iter()
        .filter_map(|alias| {
            let prefix = format!("{PREDICATES_CONFIG}.{alias}.");
            let class = parsed.get_class(&format!("{prefix}type"))?.to_string();
            Some(PredicateSpec {
                alias: alias.clone(),
                class,
                config: originals_with_prefix(parsed.originals(), &prefix, true),
            })
        })
        .collect()
}
