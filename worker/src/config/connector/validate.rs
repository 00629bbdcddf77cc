//! `AbstractHerder.validateConnectorConfig`: the `ConfigInfos` answer of
//! `PUT /connector-plugins/{p}/config/validate`, and the 400 message built from it.

use std::collections::BTreeMap;

use super::defs::{
    sink_config_def, source_config_def, HEADER_CONVERTER_CLASS_CONFIG, KEY_CONVERTER_CLASS_CONFIG,
    VALUE_CONVERTER_CLASS_CONFIG,
};
use super::enrich::{aliases, enrich_kind, AliasKind, TypeProblem};
use super::resolver::PluginResolver;
use super::sink::sink_topic_errors;
use super::ConnectorKind;
use crate::config::def::{java_trim, ConfigDef, ConfigKey, ConfigValue};
use crate::config::{ConfigInfo, ConfigInfos, Props};

/// The error Kafka attaches to a key given a null value.
pub const NULL_VALUE_MESSAGE: &str = "Null value can not be supplied as the configuration value.";

/// The framework def for a kind, before enrichment.
pub fn framework_config_def(kind: ConnectorKind) -> ConfigDef {
    match kind {
        ConnectorKind::Source => source_config_def(),
        ConnectorKind::Sink => sink_config_def(),
    }
}

/// Validates a connector config (no null values). `connector_class_as_given` is echoed as the
/// answer's `name`; `connector_def` is the connector plugin's own `config()`.
pub fn validate_connector_config(
    connector_class_as_given: &str,
    connector_def: &ConfigDef,
    kind: ConnectorKind,
    props: &Props,
    resolver: &dyn PluginResolver,
) -> ConfigInfos {
    let nullable: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    validate_connector_config_nullable(
        connector_class_as_given,
        connector_def,
        kind,
        &nullable,
        resolver,
    )
}

/// [`validate_connector_config`] for a REST body whose values may be JSON null: each null value
/// gets [`NULL_VALUE_MESSAGE`], listed without a definition when the key is not defined.
pub fn validate_connector_config_nullable(
    connector_class_as_given: &str,
    connector_def: &ConfigDef,
    kind: ConnectorKind,
    props: &BTreeMap<String, Option<String>>,
    resolver: &dyn PluginResolver,
) -> ConfigInfos {
    let get = |k: &str| props.get(k).and_then(|v| v.as_deref());
    let type_value = |k: &str| get(k).map(str::to_string);
    let present = |k: &str| props.contains_key(k);

    // Enrichment in validation mode never fails: unknown or missing types just add no keys.
    let mut enriched = framework_config_def(kind);
    for alias_kind in [AliasKind::Transformation, AliasKind::Predicate] {
        let list = get(alias_kind.list_key());
        enriched = match enrich_kind(
            enriched.clone(),
            alias_kind,
            list,
            &type_value,
            &present,
            resolver,
            false,
        ) {
            Ok(def) => def,
            Err(_) => enriched,
        };
    }

    let mut framework_values = enriched.validate_nullable(props);
    check_classes(&mut framework_values, props, resolver);
    if kind == ConnectorKind::Sink {
        for (key, message) in sink_topic_errors(&get) {
            if let Some(value) = framework_values.iter_mut().find(|v| v.name == key) {
                value.add_error(message);
            }
        }
    }
    for (key, value) in props {
        if value.is_none() {
            match framework_values.iter_mut().find(|v| &v.name == key) {
                Some(existing) => existing.add_error(NULL_VALUE_MESSAGE),
                None => {
                    let mut undefined = ConfigValue::new(key);
                    undefined.add_error(NULL_VALUE_MESSAGE);
                    framework_values.push(undefined);
                }
            }
        }
    }

    // The connector's own keys are listed after the framework keys and win on a name clash.
    let all_keys = enriched.clone().merge(connector_def);
    let mut values = framework_values;
    values.extend(connector_def.validate_nullable(props));

    let mut infos = generate_result(connector_class_as_given, &all_keys, &values);
    for (class_key, prefix_type) in [
        (KEY_CONVERTER_CLASS_CONFIG, "key"),
        (VALUE_CONVERTER_CLASS_CONFIG, "value"),
        (HEADER_CONVERTER_CLASS_CONFIG, "header"),
    ] {
        if let Some(extra) = validate_converter(class_key, prefix_type, props, &values, resolver) {
            merge_into(&mut infos, extra);
        }
    }
    infos
}

/// Kafka parses CLASS values by loading the class; Ferry asks the registry and reports what Kafka
/// would first: `Class <c> could not be found.` (leaving the value null), or why the class cannot
/// be used ([`TypeProblem`]). A class that loads is echoed by its full name, as Kafka's
/// `Class.getName()`, whatever alias the config used.
fn check_classes(
    values: &mut [ConfigValue],
    props: &BTreeMap<String, Option<String>>,
    resolver: &dyn PluginResolver,
) {
    let get = |k: &str| props.get(k).and_then(|v| v.as_deref());
    let mut checked: Vec<(String, Option<TypeProblem>)> = Vec::new();
    for key in [KEY_CONVERTER_CLASS_CONFIG, VALUE_CONVERTER_CLASS_CONFIG] {
        if let Some(class) = get(key) {
            let found = resolver.converter_exists(java_trim(class));
            checked.push((key.to_string(), (!found).then_some(TypeProblem::NotFound)));
        }
    }
    if let Some(class) = get(HEADER_CONVERTER_CLASS_CONFIG) {
        let found = resolver.header_converter_exists(java_trim(class));
        checked.push((
            HEADER_CONVERTER_CLASS_CONFIG.to_string(),
            (!found).then_some(TypeProblem::NotFound),
        ));
    }
    for kind in [AliasKind::Transformation, AliasKind::Predicate] {
        for alias in aliases(get(kind.list_key()), kind.list_key()) {
            let type_key = format!("{}.{alias}.type", kind.list_key());
            if let Some(class) = get(&type_key) {
                checked.push((type_key, TypeProblem::of(kind, resolver, java_trim(class))));
            }
        }
    }
    for (key, problem) in checked {
        let Some(raw) = get(&key) else { continue };
        let Some(value) = values.iter_mut().find(|v| v.name == key) else {
            continue;
        };
        match problem {
            // Kafka's parse fails first, then the type's validator adds its own errors.
            Some(TypeProblem::NotFound) => {
                value
                    .errors
                    .insert(0, TypeProblem::NotFound.error(&key, raw).to_string());
                value.value = None;
            }
            // The class loads, and the validator checks the negate/predicate rule before the
            // class: a negate error is the only one reported.
            Some(problem) => {
                if value.errors.is_empty() {
                    value.errors.push(problem.error(&key, raw).to_string());
                }
                value.value = problem.echoed_value();
            }
            None => {
                if let Some(class) = resolver.plugin_class(java_trim(raw)) {
                    value.value = Some(class);
                }
            }
        }
    }
}

/// Kafka's `AbstractHerder.generateResult`: values without a definition first, then every key
/// with its (last) value; `error_count` counts messages.
fn generate_result(name: &str, keys: &ConfigDef, values: &[ConfigValue]) -> ConfigInfos {
    let mut configs = Vec::new();
    let mut error_count = 0;
    let mut by_name: BTreeMap<&str, &ConfigValue> = BTreeMap::new();
    for value in values {
        by_name.insert(&value.name, value);
        if keys.key(&value.name).is_none() {
            configs.push(ConfigInfo {
                definition: None,
                value: Some(value.to_info()),
            });
            error_count += value.errors.len();
        }
    }
    for key in keys.keys() {
        let value = by_name.get(key.name.as_str()).map(|v| {
            error_count += v.errors.len();
            v.to_info()
        });
        configs.push(ConfigInfo {
            definition: Some(key.to_info()),
            value,
        });
    }
    ConfigInfos {
        name: name.to_string(),
        error_count,
        groups: keys.groups().to_vec(),
        configs,
    }
}

/// Kafka's `validateConverterConfig` + `prefixedConfigInfos`: the converter's own keys, prefixed,
/// when its class key is set and valid. Errors count once per key here, as in Kafka.
fn validate_converter(
    class_key: &str,
    converter_type: &str,
    props: &BTreeMap<String, Option<String>>,
    values: &[ConfigValue],
    resolver: &dyn PluginResolver,
) -> Option<ConfigInfos> {
    let class = java_trim(props.get(class_key)?.as_deref()?);
    let class_value = values.iter().find(|v| v.name == class_key)?;
    if !class_value.errors.is_empty() {
        return None;
    }
    let def = if class_key == HEADER_CONVERTER_CLASS_CONFIG {
        resolver.header_converter_config_def(class)?
    } else {
        resolver.converter_config_def(class)?
    };
    let prefix = format!("{class_key}.");
    let mut converter_props: Props = props
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(&prefix)?;
            Some((rest.to_string(), v.clone()?))
        })
        .collect();
    converter_props
        .entry("converter.type".to_string())
        .or_insert_with(|| converter_type.to_string());
    let mut infos = ConfigInfos {
        name: String::new(),
        error_count: 0,
        groups: Vec::new(),
        configs: Vec::new(),
    };
    for mut value in def.validate(&converter_props) {
        let key: Option<&ConfigKey> = def.key(&value.name);
        if let Some(group) = key.and_then(|k| k.group.clone()) {
            if !infos.groups.contains(&group) {
                infos.groups.push(group);
            }
        }
        if !value.errors.is_empty() {
            infos.error_count += 1;
        }
        value.name = format!("{prefix}{}", value.name);
        infos.configs.push(ConfigInfo {
            definition: key.map(|k| k.to_info_with_prefix(&prefix)),
            value: Some(value.to_info()),
        });
    }
    Some(infos)
}

/// Kafka's `mergeConfigInfos`.
fn merge_into(target: &mut ConfigInfos, extra: ConfigInfos) {
    target.error_count += extra.error_count;
    for group in extra.groups {
        if !target.groups.contains(&group) {
            target.groups.push(group);
        }
    }
    target.configs.extend(extra.configs);
}

/// Kafka's `maybeAddConfigErrors`: the 400 message for an invalid create/update, or `None`.
pub fn config_errors_message(infos: &ConfigInfos) -> Option<String> {
    if infos.error_count == 0 {
        return None;
    }
    let mut message = format!(
        "Connector configuration is invalid and contains the following {} error(s):",
        infos.error_count
    );
    for value in infos.configs.iter().filter_map(|c| c.value.as_ref()) {
        for error in &value.errors {
            message.push('\n');
            message.push_str(error);
        }
    }
    message.push_str(
        "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
    );
    Some(message)
}

/// Kafka's `connectorPluginConfig` listing (`GET /connector-plugins/{p}/config`): the plugin's keys
/// first, then the framework keys of `kind` (for connectors) that the plugin does not define.
pub fn plugin_config_listing(
    kind: Option<ConnectorKind>,
    plugin_def: &ConfigDef,
) -> Vec<crate::config::ConfigKeyInfo> {
    let mut infos: Vec<_> = plugin_def.keys().iter().map(ConfigKey::to_info).collect();
    if let Some(kind) = kind {
        for key in framework_config_def(kind).keys() {
            if plugin_def.key(&key.name).is_none() {
                infos.push(key.to_info());
            }
        }
    }
    infos
}
