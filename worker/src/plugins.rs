//! Every plugin compiled into Ferry, found by its full Kafka class name or by Kafka's aliases: the simple
//! class name, and for connectors also the simple name without the `Connector` suffix
//! (`PluginUtils.computeAliases`): `org.apache.kafka.connect.file.FileStreamSourceConnector`,
//! `FileStreamSourceConnector` and `FileStreamSource` name the same plugin.

use crate::config::connector::{plugin_config_listing, ConnectorKind, PluginResolver};
use crate::config::def::ConfigDef;
use crate::config::ConfigKeyInfo;
use crate::connectors::{builtin_connectors, ConnectorPlugin};
use crate::rest::entities::PluginInfo;
use crate::rest::herder::HerderError;
use crate::transforms::registry::{
    find_predicate, find_transform, predicate_classes, transform_classes,
};

/// The simple name of a class: after the last `.` (nested classes keep their `$`).
fn simple_name(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// Whether `name` names `class`: in full, by simple name, or (with `suffix`) by simple name minus it.
pub fn matches_class(class: &str, name: &str, suffix: Option<&str>) -> bool {
    let name = name.trim();
    if name == class {
        return true;
    }
    let simple = simple_name(class);
    if name == simple {
        return true;
    }
    match suffix.and_then(|s| simple.strip_suffix(s)) {
        Some(pruned) => !pruned.is_empty() && name == pruned,
        None => false,
    }
}

/// Finds a connector by class name or alias.
pub fn find_connector(name: &str) -> Option<&'static ConnectorPlugin> {
    builtin_connectors()
        .iter()
        .find(|p| matches_class(p.class_name, name, Some("Connector")))
}

/// Kafka's message when no connector matches (a 500 from the REST API, as in Kafka).
pub fn unknown_connector_message(name: &str) -> String {
    let available: Vec<String> = builtin_connectors()
        .iter()
        .map(|p| {
            let simple = simple_name(p.class_name);
            let pruned = simple.strip_suffix("Connector").unwrap_or(simple);
            format!(
                "PluginDesc{{klass=class {}, name='{}', version='{}', encodedVersion={}, type={}, typeName='{}', location='classpath'}}",
                p.class_name,
                p.class_name,
                crate::VERSION,
                crate::VERSION,
                kind_name(p.kind),
                kind_name(p.kind),
            ) + &format!(" (aliases {simple}, {pruned})")
        })
        .collect();
    format!(
        "Failed to find any class that implements Connector and which name matches {name}, available connectors are: {}",
        available.join(", ")
    )
}

fn kind_name(kind: ConnectorKind) -> &'static str {
    match kind {
        ConnectorKind::Source => "source",
        ConnectorKind::Sink => "sink",
    }
}

/// `GET /connector-plugins`: connectors (sinks, then sources), and with `connectors_only = false` also
/// transforms, predicates, converters and header converters.
pub fn plugin_infos(connectors_only: bool) -> Vec<PluginInfo> {
    let info = |class: &str, kind: &str| PluginInfo {
        class_name: class.to_string(),
        plugin_type: kind.to_string(),
        version: Some(crate::VERSION.to_string()),
    };
    let mut out: Vec<PluginInfo> = Vec::new();
    for kind in [ConnectorKind::Sink, ConnectorKind::Source] {
        let mut classes: Vec<&str> = builtin_connectors()
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.class_name)
            .collect();
        classes.sort_unstable();
        out.extend(classes.into_iter().map(|c| info(c, kind_name(kind))));
    }
    if connectors_only {
        return out;
    }
    out.extend(
        transform_classes()
            .iter()
            .map(|c| info(c, "transformation")),
    );
    out.extend(predicate_classes().iter().map(|c| info(c, "predicate")));
    for (class, kind) in crate::converters::registry::converter_plugins() {
        out.push(info(&class, kind.as_str()));
    }
    out
}

/// `GET /connector-plugins/{p}/config`: the connector's own keys, then the framework keys of its kind
/// that it does not define (Kafka's `putIfAbsent`: the plugin's definition wins).
pub fn plugin_config_keys(name: &str) -> Result<Vec<ConfigKeyInfo>, HerderError> {
    let plugin = find_connector(name)
        .ok_or_else(|| HerderError::NotFound(format!("Unknown plugin {name}.")))?;
    Ok(plugin_config_listing(
        Some(plugin.kind),
        &(plugin.config_def)(),
    ))
}

/// Answers the config validator's questions about transforms and predicates.
pub struct BuiltinPlugins;

impl PluginResolver for BuiltinPlugins {
    fn transform_exists(&self, class: &str) -> bool {
        find_transform(class).is_some()
    }
    fn predicate_exists(&self, class: &str) -> bool {
        find_predicate(class).is_some()
    }
    fn transform_config_def(&self, class: &str) -> Option<ConfigDef> {
        find_transform(class).map(|p| (p.config_def)())
    }
    fn predicate_config_def(&self, class: &str) -> Option<ConfigDef> {
        find_predicate(class).map(|p| (p.config_def)())
    }
    fn transform_classes(&self) -> Vec<String> {
        transform_classes()
            .into_iter()
            .map(str::to_string)
            .collect()
    }
    fn predicate_classes(&self) -> Vec<String> {
        predicate_classes()
            .into_iter()
            .map(str::to_string)
            .collect()
    }
    fn converter_exists(&self, class: &str) -> bool {
        crate::converters::registry::resolve_class(class).is_some()
    }
    fn plugin_class(&self, name: &str) -> Option<String> {
        let class = find_connector(name)
            .map(|p| p.class_name)
            .or_else(|| find_transform(name).map(|p| p.class_name))
            .or_else(|| find_predicate(name).map(|p| p.class_name))
            .or_else(|| crate::converters::registry::resolve_class(name))?;
        Some(class.to_string())
    }
    fn header_converter_exists(&self, class: &str) -> bool {
        crate::converters::registry::resolve_class(class).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigInfos;

    /// `/validate` of a FileStreamSink with `extra` settings, against the real plugin registry.
    fn validate_sink(extra: &[(&str, &str)]) -> ConfigInfos {
        let props: crate::config::Props = [
            ("name", "s"),
            ("connector.class", "FileStreamSink"),
            ("topics", "t"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let plugin = find_connector("FileStreamSink").expect("the file sink");
        crate::config::connector::validate_connector_config(
            "FileStreamSink",
            &(plugin.config_def)(),
            plugin.kind,
            &props,
            &BuiltinPlugins,
        )
    }

    /// The reported value and errors of `key`.
    fn reported(infos: &ConfigInfos, key: &str) -> (Vec<String>, Option<String>) {
        infos
            .configs
            .iter()
            .filter_map(|c| c.value.as_ref())
            .find(|v| v.name == key)
            .map(|v| (v.errors.clone(), v.value.clone()))
            .unwrap_or_default()
    }

    #[test]
    fn connectors_are_found_by_class_and_kafkas_aliases() {
        for name in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "FileStreamSourceConnector",
            "FileStreamSource",
            " FileStreamSource ",
        ] {
            let p = find_connector(name).unwrap_or_else(|| panic!("{name} not found"));
            assert_eq!(
                p.class_name,
                "org.apache.kafka.connect.file.FileStreamSourceConnector"
            );
        }
        assert_eq!(
            find_connector("FileStreamSink").map(|p| p.class_name),
            Some("org.apache.kafka.connect.file.FileStreamSinkConnector")
        );
        assert!(find_connector("FileStream").is_none());
        assert!(find_connector("Connector").is_none());
    }

    /// Kafka loads any plugin class named in a `type` key and only then finds it unusable: an
    /// abstract transformation (the usual slip: `ExtractField` without `$Value`) or a plugin of
    /// another kind. Validation says so with `Utils.ensureConcreteSubclass`'s message (Kafka 3.7
    /// and later), and echoes the class.
    #[test]
    fn a_type_key_naming_an_unusable_class_gets_kafkas_message() {
        let validate = |pairs: &[(&str, &str)]| {
            let key = pairs[1].0;
            reported(&validate_sink(pairs), key)
        };
        let (errors, value) = validate(&[
            ("transforms", "x"),
            (
                "transforms.x.type",
                "org.apache.kafka.connect.transforms.ExtractField",
            ),
        ]);
        assert_eq!(
            errors,
            vec!["This class is abstract and cannot be created. Did you mean org.apache.kafka.connect.transforms.ExtractField$Key, org.apache.kafka.connect.transforms.ExtractField$Value?"]
        );
        assert_eq!(
            value.as_deref(),
            Some("org.apache.kafka.connect.transforms.ExtractField")
        );
        let (errors, value) = validate(&[
            ("transforms", "x"),
            ("transforms.x.type", "TopicNameMatches"),
        ]);
        assert_eq!(
            errors,
            vec!["Class class org.apache.kafka.connect.transforms.predicates.TopicNameMatches does not implement the Transformation interface"]
        );
        assert_eq!(
            value.as_deref(),
            Some("org.apache.kafka.connect.transforms.predicates.TopicNameMatches")
        );
        let (errors, _) = validate(&[("predicates", "p"), ("predicates.p.type", "Filter")]);
        assert_eq!(
            errors,
            vec!["Class class org.apache.kafka.connect.transforms.Filter does not implement the Predicate interface"]
        );
        let (errors, _) = validate(&[
            ("predicates", "p"),
            (
                "predicates.p.type",
                "org.apache.kafka.connect.transforms.Cast",
            ),
        ]);
        assert_eq!(
            errors,
            vec!["Class class org.apache.kafka.connect.transforms.Cast does not implement the Predicate interface"]
        );
        let (errors, _) = validate(&[
            ("transforms", "x"),
            ("transforms.x.type", "FileStreamSource"),
        ]);
        assert_eq!(
            errors,
            vec!["Class class org.apache.kafka.connect.file.FileStreamSourceConnector does not implement the Transformation interface"]
        );
        // The negate rule is checked before the class, and its error is then the only one.
        let (errors, _) = validate(&[
            ("transforms", "x"),
            ("transforms.x.type", "TopicNameMatches"),
            ("transforms.x.negate", "true"),
        ]);
        assert_eq!(
            errors,
            vec!["Config 'transforms.x.negate' was provided but there is no config 'transforms.x.predicate' defining a predicate to be negated."]
        );
        // Kafka's not-found message quotes the value as written, blanks included.
        let (errors, _) = validate(&[("transforms", "x"), ("transforms.x.type", " Nope ")]);
        assert_eq!(
            errors,
            vec!["Invalid value  Nope  for configuration transforms.x.type: Class  Nope  could not be found."]
        );
        // A name that is nothing at all.
        let (errors, value) =
            validate(&[("transforms", "x"), ("transforms.x.type", "ExtractField")]);
        assert_eq!(
            errors,
            vec!["Invalid value ExtractField for configuration transforms.x.type: Class ExtractField could not be found."]
        );
        assert_eq!(value, None);
    }

    /// Kafka echoes a CLASS value as the loaded class's name, so an alias comes back in full.
    #[test]
    fn validation_echoes_class_values_by_their_full_names() {
        let infos = validate_sink(&[
            ("value.converter", "JsonConverter"),
            ("transforms", "f"),
            ("transforms.f.type", " Filter "),
        ]);
        let value_of = |key: &str| reported(&infos, key).1;
        assert_eq!(
            value_of("transforms.f.type").as_deref(),
            Some("org.apache.kafka.connect.transforms.Filter")
        );
        assert_eq!(
            value_of("value.converter").as_deref(),
            Some("org.apache.kafka.connect.json.JsonConverter")
        );
    }

    /// Kafka embeds a transformation's keys (its own and the implicit `predicate`/`negate`) in
    /// `sortedConfigs()` order: required first, then by importance, then by name.
    #[test]
    fn embedded_transform_keys_come_in_kafkas_sorted_order() {
        let infos = validate_sink(&[
            ("transforms", "x"),
            (
                "transforms.x.type",
                "org.apache.kafka.connect.transforms.ExtractField$Value",
            ),
        ]);
        let embedded: Vec<(String, i32)> = infos
            .configs
            .iter()
            .filter_map(|c| c.definition.as_ref())
            .filter(|d| d.name.starts_with("transforms.x."))
            .map(|d| {
                (
                    d.name.trim_start_matches("transforms.x.").to_string(),
                    d.order,
                )
            })
            .collect();
        let expected: Vec<(String, i32)> = [
            ("type", 0),
            ("field", 1),
            ("field.syntax.version", 2),
            ("negate", 3),
            ("predicate", 4),
            ("replace.null.with.default", 5),
        ]
        .iter()
        .map(|(k, o)| (k.to_string(), *o))
        .collect();
        assert_eq!(embedded, expected);
    }

    #[test]
    fn plugin_list_has_sinks_then_sources() {
        let list = plugin_infos(true);
        let kinds: Vec<&str> = list.iter().map(|p| p.plugin_type.as_str()).collect();
        assert_eq!(kinds, vec!["sink", "source"]);
    }
}
