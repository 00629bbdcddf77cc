//! The transforms and predicates compiled into Ferry, by Kafka class name and alias, and the building of
//! a connector's chain from its `transforms` / `predicates` settings.
//!
//! Aliases follow Kafka's `PluginUtils.computeAliases`: a top-level class is also found by its simple
//! name (`Filter`, `RegexRouter`); nested classes (`Cast$Key`, `InsertField$Value`) have the ambiguous
//! simple names `Key` / `Value`, so Kafka gives them no alias and neither do we.

use super::{Predicate, Stage, TransformChain, Transformation};
use crate::config::connector::{
    parse_connector_config, predicate_specs, transform_specs, ConnectorKind, PredicateSpec,
};
use crate::config::def::ConfigDef;
use crate::config::{ConfigError, Props};
use crate::errors::ConnectError;

/// A compiled-in transform.
#[derive(Clone, Copy)]
pub struct TransformPlugin {
    pub class_name: &'static str,
    pub config_def: fn() -> ConfigDef,
    /// A configured instance from the transform's own settings (`transforms.<alias>.` stripped).
    pub new: fn(&Props) -> Result<Box<dyn Transformation>, ConfigError>,
}

/// A compiled-in predicate.
#[derive(Clone, Copy)]
pub struct PredicatePlugin {
    pub class_name: &'static str,
    pub config_def: fn() -> ConfigDef,
    pub new: fn(&Props) -> Result<Box<dyn Predicate>, ConfigError>,
}

pub fn transform_plugins() -> Vec<TransformPlugin> {
    let mut all = super::catalog_a::plugins();
    all.extend(super::catalog_b::plugins());
    all.extend(super::catalog_c::plugins());
    all
}

pub fn predicate_plugins() -> Vec<PredicatePlugin> {
    super::predicates::plugins()
}

/// Whether `name` names `class`: the full name, or the simple name of a top-level class.
fn names(class: &str, name: &str) -> bool {
    let name = name.trim();
    if name == class {
        return true;
    }
    let simple = class.rsplit('.').next().unwrap_or(class);
    !simple.contains('$') && name == simple
}

pub fn find_transform(name: &str) -> Option<TransformPlugin> {
    transform_plugins()
        .into_iter()
        .find(|p| names(p.class_name, name))
}

pub fn find_predicate(name: &str) -> Option<PredicatePlugin> {
    predicate_plugins()
        .into_iter()
        .find(|p| names(p.class_name, name))
}

/// Full class names of the transforms Ferry ships, sorted (`GET /connector-plugins`).
pub fn transform_classes() -> Vec<&'static str> {
    let mut v: Vec<_> = transform_plugins().iter().map(|p| p.class_name).collect();
    v.sort_unstable();
    v
}

/// Full class names of the predicates Ferry ships, sorted.
pub fn predicate_classes() -> Vec<&'static str> {
    let mut v: Vec<_> = predicate_plugins().iter().map(|p| p.class_name).collect();
    v.sort_unstable();
    v
}

fn not_found(key: String, class: &str) -> ConfigError {
    ConfigError::Invalid {
        name: key,
        value: class.to_string(),
        reason: format!("Class {class} could not be found."),
    }
}

/// Builds a task's chain from its connector config. A failure fails the task with Kafka's trace:
/// a config that does not parse, or names a class that does not exist, with the bare
/// `ConfigException` that Kafka's `ConnectorConfig` constructor throws; a stage that cannot be
/// built (its transform or predicate refuses its settings, or its predicate alias is not defined)
/// with the `ConnectException` that `ConnectorConfig.transformationStages` wraps it in.
pub fn build_chain(kind: ConnectorKind, props: &Props) -> Result<TransformChain, ConnectError> {
    if props.get("transforms").is_none_or(|t| t.trim().is_empty()) {
        return Ok(TransformChain::default());
    }
    let parsed = parse_connector_config(kind, props, &crate::plugins::BuiltinPlugins, false)?;
    let predicates = predicate_specs(&parsed);
    let mut stages = Vec::new();
    for spec in transform_specs(&parsed) {
        let key = format!("transforms.{}.type", spec.alias);
        let plugin = find_transform(&spec.class).ok_or_else(|| not_found(key, &spec.class))?;
        let predicate = match &spec.predicate {
            None => None,
            Some(alias) => Some(stage_predicate(&predicates, alias)?),
        };
        let transform = (plugin.new)(&spec.config).map_err(ConnectError::wrapping)?;
        let predicate = predicate
            .map(|(p, plugin)| (plugin.new)(&p.config))
            .transpose()
            .map_err(ConnectError::wrapping)?;
        stages.push(Stage {
            alias: spec.alias,
            class_name: plugin.class_name.to_string(),
            transform,
            predicate,
            negate: spec.negate,
        });
    }
    Ok(TransformChain::new(stages))
}

/// The predicate a stage names by `alias`, with its plugin. Validation lets an undefined alias
/// through, as Kafka's does; the task then fails where Kafka's
/// `getClass("predicates.<alias>.type")` does, inside `transformationStages` (so wrapped).
fn stage_predicate<'a>(
    predicates: &'a [PredicateSpec],
    alias: &str,
) -> Result<(&'a PredicateSpec, PredicatePlugin), ConnectError> {
    let p = predicates
        .iter()
        .find(|p| p.alias == alias)
        .ok_or_else(|| {
            ConnectError::wrapping(ConfigError::Other(format!(
                "Unknown configuration 'predicates.{alias}.type'"
            )))
        })?;
    let plugin = find_predicate(&p.class)
        .ok_or_else(|| not_found(format!("predicates.{}.type", p.alias), &p.class))?;
    Ok((p, plugin))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::transforms::catalog_b::test_support::props;

    #[test]
    fn nested_classes_have_no_simple_alias() {
        assert!(names(
            "org.apache.kafka.connect.transforms.Filter",
            "Filter"
        ));
        assert!(names(
            "org.apache.kafka.connect.transforms.Cast$Value",
            "org.apache.kafka.connect.transforms.Cast$Value"
        ));
        assert!(!names(
            "org.apache.kafka.connect.transforms.Cast$Value",
            "Cast$Value"
        ));
        assert!(!names(
            "org.apache.kafka.connect.transforms.Cast$Value",
            "Value"
        ));
    }

    /// Kafka validates the config but fails the task on an undefined predicate alias, looking up
    /// `predicates.<alias>.type`, and wraps the `ConfigException` in a `ConnectException`.
    #[test]
    fn an_undefined_predicate_alias_fails_as_kafkas_lookup_does() {
        let props = props(&[
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("transforms", "f"),
            ("transforms.f.type", "Filter"),
            ("transforms.f.predicate", "nope"),
        ]);
        let err = build_chain(ConnectorKind::Source, &props).err().unwrap();
        assert_eq!(
            err.trace(),
            "org.apache.kafka.connect.errors.ConnectException: org.apache.kafka.common.config.ConfigException: Unknown configuration 'predicates.nope.type'\n\
             Caused by: org.apache.kafka.common.config.ConfigException: Unknown configuration 'predicates.nope.type'"
        );
    }

    /// A config Kafka's `ConnectorConfig` constructor refuses fails the task with that bare
    /// `ConfigException`: only building a stage is wrapped.
    #[test]
    fn a_config_that_does_not_parse_fails_with_the_bare_config_exception() {
        let props = props(&[
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("transforms", "f"),
            ("transforms.f.type", "com.example.Nope"),
        ]);
        let err = build_chain(ConnectorKind::Source, &props).err().unwrap();
        assert_eq!(
            err.trace(),
            "org.apache.kafka.common.config.ConfigException: Invalid value com.example.Nope for configuration transforms.f.type: Class com.example.Nope could not be found."
        );
    }

    #[test]
    fn no_transforms_is_an_empty_chain() {
        let props: Props = [("name".to_string(), "c".to_string())].into();
        assert!(build_chain(ConnectorKind::Source, &props)
            .unwrap()
            .is_empty());
    }

    /// The chain rewrites records in place; when a stage fails after a router renamed the topic,
    /// the record is given back its original topic, which the task's error report names (Kafka
    /// reports the record as it was before the chain).
    #[test]
    fn a_failure_after_a_router_leaves_the_original_topic() {
        use crate::data::{ConnectRecord, Schema, Value};
        use crate::transforms::Disposition;
        let props = props(&[
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("transforms", "route,hoist"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "orders"),
            ("transforms.route.replacement", "renamed"),
            (
                "transforms.hoist.type",
                "org.apache.kafka.connect.transforms.HoistField$Value",
            ),
            ("transforms.hoist.field", "f"),
        ]);
        let chain = build_chain(ConnectorKind::Source, &props).unwrap();
        let record = |value: Value| {
            ConnectRecord::source(
                Default::default(),
                crate::data::SourceOffset::new(),
                "orders",
                Some(Schema::int32()),
                value,
                None,
            )
        };

        let mut good = record(Value::Int32(1));
        assert_eq!(chain.apply_in_place(&mut good).unwrap(), Disposition::Keep);
        assert_eq!(&*good.topic, "renamed");

        // A null cannot go into HoistField's required field: the second stage fails.
        let mut bad = record(Value::Null);
        let err = chain.apply_in_place(&mut bad).unwrap_err();
        assert_eq!(err.alias, "hoist");
        assert_eq!(&*bad.topic, "orders");
    }
}
