//! How connector validation reaches the plugin registry (transforms, predicates, converters)
//! without depending on it.

use crate::config::def::ConfigDef;

/// Answers questions about compiled-in plugins by class name or alias. Converter methods default
/// to "exists, no config def" so a resolver only for transforms is enough.
pub trait PluginResolver {
    fn transform_exists(&self, class: &str) -> bool;
    fn predicate_exists(&self, class: &str) -> bool;
    /// The transform's own keys (`None` is treated as no keys).
    fn transform_config_def(&self, class: &str) -> Option<ConfigDef>;
    fn predicate_config_def(&self, class: &str) -> Option<ConfigDef>;
    /// Class names recommended for `transforms.<a>.type` (Kafka lists every transformation).
    fn transform_classes(&self) -> Vec<String> {
        Vec::new()
    }
    fn predicate_classes(&self) -> Vec<String> {
        Vec::new()
    }
    fn converter_exists(&self, _class: &str) -> bool {
        true
    }
    fn header_converter_exists(&self, _class: &str) -> bool {
        true
    }
    /// A converter's keys, validated under `key.converter.` / `value.converter.` like Kafka 3.7+.
    fn converter_config_def(&self, _class: &str) -> Option<ConfigDef> {
        None
    }
    fn header_converter_config_def(&self, _class: &str) -> Option<ConfigDef> {
        None
    }
    /// The full class name of any plugin (connector, converter, transformation, predicate) that
    /// `name` names, by class name or alias: Kafka loads such a class, and only then finds it is
    /// of the wrong kind.
    fn plugin_class(&self, _name: &str) -> Option<String> {
        None
    }
}

/// A resolver that knows no transforms or predicates (and accepts any converter).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPlugins;

impl PluginResolver for NoPlugins {
    fn transform_exists(&self, _class: &str) -> bool {
        false
    }
    fn predicate_exists(&self, _class: &str) -> bool {
        false
    }
    fn transform_config_def(&self, _class: &str) -> Option<ConfigDef> {
        None
    }
    fn predicate_config_def(&self, _class: &str) -> Option<ConfigDef> {
        None
    }
}
