use std::collections::BTreeMap;

use super::*;
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, Validator};
use crate::config::{ConfigInfos, Props};

const FILE_SINK: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

/// Knows `RegexRouter` (with a required `regex` key) and the `TopicNameMatches` predicate.
struct TestPlugins;

impl PluginResolver for TestPlugins {
    fn transform_exists(&self, class: &str) -> bool {
        class == "RegexRouter" || class == "Filter"
    }
    fn predicate_exists(&self, class: &str) -> bool {
        class == "TopicNameMatches"
    }
    fn transform_config_def(&self, class: &str) -> Option<ConfigDef> {
        (class == "RegexRouter").then(|| {
            ConfigDef::new()
                .define(
                    ConfigKey::new("regex", ConfigType::String, Importance::High, "r")
                        .validator(Validator::valid_regex()),
                )
                .define(ConfigKey::new(
                    "replacement",
                    ConfigType::String,
                    Importance::High,
                    "r",
                ))
                // Masked by the implicit key of the same name.
                .define(ConfigKey::new(
                    "negate",
                    ConfigType::Int,
                    Importance::Low,
                    "masked",
                ))
        })
    }
    fn predicate_config_def(&self, _class: &str) -> Option<ConfigDef> {
        Some(ConfigDef::new().define(ConfigKey::new(
            "pattern",
            ConfigType::String,
            Importance::High,
            "p",
        )))
    }
    fn transform_classes(&self) -> Vec<String> {
        vec!["RegexRouter".into(), "Filter".into()]
    }
    fn converter_exists(&self, class: &str) -> bool {
        class != "NoSuchConverter"
    }
    fn converter_config_def(&self, _class: &str) -> Option<ConfigDef> {
        Some(
            ConfigDef::new()
                .define(
                    ConfigKey::new("schemas.enable", ConfigType::Boolean, Importance::High, "s")
                        .default_value("true")
                        .group("Schemas"),
                )
                .define(
                    ConfigKey::new("converter.type", ConfigType::String, Importance::Low, "t")
                        .validator(Validator::valid_string(&["key", "value", "header"])),
                ),
        )
    }
}

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file_sink_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new("file", ConfigType::String, Importance::High, "Destination")
            .default(DefaultValue::Null),
    )
}

fn sink(pairs: &[(&str, &str)]) -> ConfigInfos {
    validate_connector_config(
        "FileStreamSink",
        &file_sink_def(),
        ConnectorKind::Sink,
        &props(pairs),
        &TestPlugins,
    )
}

fn errors_of(infos: &ConfigInfos, key: &str) -> Vec<String> {
    infos
        .configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .find(|v| v.name == key)
        .map(|v| v.errors.clone())
        .unwrap_or_default()
}

fn value_of(infos: &ConfigInfos, key: &str) -> Option<String> {
    infos
        .configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .find(|v| v.name == key)
        .and_then(|v| v.value.clone())
}

fn base_sink() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "s"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> ConfigInfos {
    let mut pairs = base_sink();
    pairs.extend_from_slice(extra);
    sink(&pairs)
}

#[test]
fn valid_sink_has_no_errors_and_kafka_layout() {
    let infos = sink(&base_sink());
    assert_eq!(infos.error_count, 0, "{infos:?}");
    assert_eq!(infos.name, "FileStreamSink");
    assert_eq!(
        infos.groups,
        vec!["Common", "Transforms", "Predicates", "Error Handling"]
    );
    let names: Vec<&str> = infos
        .configs
        .iter()
        .filter_map(|c| c.definition.as_ref())
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"name"));
    assert_eq!(names.last(), Some(&"file"));
    assert!(names.contains(&"errors.deadletterqueue.topic.replication.factor"));
    assert_eq!(value_of(&infos, "tasks.max").as_deref(), Some("1"));
    assert!(config_errors_message(&infos).is_none());
}

#[test]
fn missing_and_invalid_common_keys() {
    let infos = sink(&[
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("tasks.max", "0"),
        ("errors.tolerance", "ALL"),
        ("config.action.reload", "Restart"),
    ]);
    assert_eq!(
        errors_of(&infos, "name"),
        vec!["Missing required configuration \"name\" which has no default value."]
    );
    assert_eq!(
        errors_of(&infos, "tasks.max"),
        vec!["Invalid value 0 for configuration tasks.max: Value must be at least 1"]
    );
    assert_eq!(
        errors_of(&infos, "errors.tolerance"),
        vec!["Invalid value ALL for configuration errors.tolerance: String must be one of: none, all"]
    );
    assert_eq!(
        errors_of(&infos, "config.action.reload"),
        vec!["Invalid value Restart for configuration config.action.reload: String must be one of: none, restart"]
    );
    assert_eq!(infos.error_count, 4);
    let infos = with(&[("tasks.max", "x")]);
    // Like Kafka, the validator still runs on the (null) value after a parse failure.
    assert_eq!(
        errors_of(&infos, "tasks.max"),
        vec![
            "Invalid value x for configuration tasks.max: Not a number of type INT",
            "Invalid value null for configuration tasks.max: Value must be non-null"
        ]
    );
    assert_eq!(value_of(&infos, "tasks.max"), None);
    let infos = sink(&[
        ("name", ""),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
    ]);
    assert_eq!(
        errors_of(&infos, "name"),
        vec!["Invalid value  for configuration name: String may not be empty"]
    );
    let infos = sink(&[
        ("name", "a\u{1}b"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
    ]);
    assert_eq!(
        errors_of(&infos, "name"),
        vec!["Invalid value a\u{1}b for configuration name: String may not contain control sequences but had the following ASCII chars: 1"]
    );
}

#[test]
fn sink_topic_rules_attach_to_both_keys() {
    let infos = with(&[("topics.regex", "t.*")]);
    let message = "topics and topics.regex are mutually exclusive options, but both are set.";
    assert_eq!(errors_of(&infos, "topics"), vec![message]);
    assert_eq!(errors_of(&infos, "topics.regex"), vec![message]);
    let infos = sink(&[("name", "s"), ("connector.class", "FileStreamSink")]);
    assert_eq!(
        errors_of(&infos, "topics"),
        vec!["Must configure one of topics or topics.regex"]
    );
    assert_eq!(infos.error_count, 2);
    let infos = with(&[("errors.deadletterqueue.topic.name", "t")]);
    assert_eq!(
        errors_of(&infos, "topics"),
        vec!["The DLQ topic 't' may not be included in the list of topics ('topics=[t]') consumed by the connector"]
    );
}

#[test]
fn transforms_and_predicates() {
    let infos = with(&[("transforms", "a,a")]);
    assert_eq!(
        errors_of(&infos, "transforms"),
        vec!["Invalid value [a, a] for configuration transforms: Duplicate alias provided."]
    );
    let infos = with(&[("transforms", "r")]);
    assert_eq!(
        errors_of(&infos, "transforms.r.type"),
        vec!["Missing required configuration \"transforms.r.type\" which has no default value."]
    );
    assert!(infos.groups.contains(&"Transforms: r".to_string()));
    let infos = with(&[("transforms", "r"), ("transforms.r.type", "Nope")]);
    assert_eq!(
        errors_of(&infos, "transforms.r.type"),
        vec!["Invalid value Nope for configuration transforms.r.type: Class Nope could not be found."]
    );
    assert_eq!(value_of(&infos, "transforms.r.type"), None);

    let infos = with(&[
        ("transforms", "r"),
        ("transforms.r.type", "RegexRouter"),
        ("transforms.r.negate", "true"),
    ]);
    assert_eq!(
        errors_of(&infos, "transforms.r.type"),
        vec!["Config 'transforms.r.negate' was provided but there is no config 'transforms.r.predicate' defining a predicate to be negated."]
    );
    // The transform's own keys are embedded, the masked `negate` stays the implicit BOOLEAN.
    // Embedded validators see the unprefixed name, and run on the missing (null) value.
    assert_eq!(
        errors_of(&infos, "transforms.r.regex"),
        vec![
            "Missing required configuration \"transforms.r.regex\" which has no default value.",
            "Invalid value null for configuration regex: Invalid regex: null"
        ]
    );
    let negate = infos
        .configs
        .iter()
        .filter_map(|c| c.definition.as_ref())
        .find(|d| d.name == "transforms.r.negate")
        .unwrap();
    assert_eq!(negate.config_type, "BOOLEAN");
    assert_eq!(negate.group.as_deref(), Some("Transforms: r"));
    let type_def = infos
        .configs
        .iter()
        .find(|c| {
            c.definition
                .as_ref()
                .is_some_and(|d| d.name == "transforms.r.type")
        })
        .unwrap();
    assert_eq!(
        type_def.definition.as_ref().unwrap().display_name,
        "Transformation type for r"
    );
    assert_eq!(
        type_def.value.as_ref().unwrap().recommended_values,
        vec!["RegexRouter", "Filter"]
    );

    let infos = with(&[
        ("transforms", "f"),
        ("transforms.f.type", "Filter"),
        ("transforms.f.predicate", "p"),
        ("predicates", "p"),
        ("predicates.p.type", "TopicNameMatches"),
        ("predicates.p.pattern", "x.*"),
    ]);
    assert_eq!(infos.error_count, 0, "{infos:?}");
    assert!(infos.groups.contains(&"Predicates: p".to_string()));
    let infos = with(&[("predicates", "p"), ("predicates.p.type", "Nope")]);
    assert_eq!(
        errors_of(&infos, "predicates.p.type"),
        vec!["Invalid value Nope for configuration predicates.p.type: Class Nope could not be found."]
    );
}

#[test]
fn null_values() {
    let mut nullable: BTreeMap<String, Option<String>> = base_sink()
        .into_iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect();
    nullable.insert("tasks.max".into(), None);
    nullable.insert("custom".into(), None);
    let infos = validate_connector_config_nullable(
        FILE_SINK,
        &file_sink_def(),
        ConnectorKind::Sink,
        &nullable,
        &TestPlugins,
    );
    assert_eq!(
        errors_of(&infos, "tasks.max"),
        vec![
            "Invalid value null for configuration tasks.max: Value must be non-null".to_string(),
            NULL_VALUE_MESSAGE.to_string()
        ]
    );
    // Undefined keys come first, without a definition.
    assert!(infos.configs[0].definition.is_none());
    assert_eq!(infos.configs[0].value.as_ref().unwrap().name, "custom");
    assert_eq!(infos.error_count, 3);
}

#[test]
fn converter_classes_and_configs() {
    let infos = with(&[("key.converter", "NoSuchConverter")]);
    assert_eq!(
        errors_of(&infos, "key.converter"),
        vec!["Invalid value NoSuchConverter for configuration key.converter: Class NoSuchConverter could not be found."]
    );
    let infos = with(&[
        ("value.converter", "JsonConverter"),
        ("value.converter.schemas.enable", "maybe"),
    ]);
    assert_eq!(
        errors_of(&infos, "value.converter.schemas.enable"),
        vec!["Invalid value maybe for configuration schemas.enable: Expected value to be either true or false"]
    );
    assert_eq!(
        value_of(&infos, "value.converter.converter.type").as_deref(),
        Some("value")
    );
    assert!(infos.groups.contains(&"Schemas".to_string()));
    assert_eq!(infos.error_count, 1);
}

#[test]
fn plugin_keys_win_over_framework_keys() {
    let plugin = ConfigDef::new().define(
        ConfigKey::new(
            "topics",
            ConfigType::String,
            Importance::High,
            "plugin topics",
        )
        .group("Plugin"),
    );
    let infos = validate_connector_config(
        "S",
        &plugin,
        ConnectorKind::Sink,
        &props(&base_sink()),
        &TestPlugins,
    );
    let defs: Vec<_> = infos
        .configs
        .iter()
        .filter_map(|c| c.definition.as_ref())
        .filter(|d| d.name == "topics")
        .collect();
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].documentation, "plugin topics");
    assert_eq!(infos.groups.last().map(String::as_str), Some("Plugin"));
}

#[test]
fn errors_message_matches_kafka() {
    let infos = sink(&[
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("tasks.max", "0"),
    ]);
    assert_eq!(
        config_errors_message(&infos).unwrap(),
        "Connector configuration is invalid and contains the following 2 error(s):\n\
         Missing required configuration \"name\" which has no default value.\n\
         Invalid value 0 for configuration tasks.max: Value must be at least 1\n\
         You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
    );
}

#[test]
fn source_defs() {
    let def = source_config_def();
    assert!(def.key("exactly.once.support").is_some());
    assert!(def.key("topic.creation.default.partitions").is_none());
    let infos = validate_connector_config(
        "FileStreamSource",
        &ConfigDef::new(),
        ConnectorKind::Source,
        &props(&[
            ("name", "s"),
            ("connector.class", "FileStreamSource"),
            ("transaction.boundary", "INTERVAL"),
            ("transaction.boundary.interval.ms", "-1"),
        ]),
        &TestPlugins,
    );
    assert_eq!(
        errors_of(&infos, "transaction.boundary.interval.ms"),
        vec!["Invalid value -1 for configuration transaction.boundary.interval.ms: Value must be at least 0"]
    );
    assert!(errors_of(&infos, "transaction.boundary").is_empty());
    assert_eq!(
        infos.groups,
        vec![
            "Common",
            "Transforms",
            "Predicates",
            "Error Handling",
            "Topic Creation",
            "Exactly Once Support",
            "offsets.topic"
        ]
    );
}

#[test]
fn runtime_parse() {
    let p = props(&[
        ("name", "s"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("transforms", "r"),
        ("transforms.r.type", "RegexRouter"),
        ("transforms.r.regex", "(.*)"),
        ("transforms.r.replacement", "x-$1"),
        ("transforms.r.predicate", "p"),
        ("transforms.r.negate", "true"),
        ("predicates", "p"),
        ("predicates.p.type", "TopicNameMatches"),
        ("predicates.p.pattern", "t"),
    ]);
    let parsed = parse_connector_config(ConnectorKind::Sink, &p, &TestPlugins, true).unwrap();
    let stages = transform_specs(&parsed);
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0].class, "RegexRouter");
    assert_eq!(stages[0].predicate.as_deref(), Some("p"));
    assert!(stages[0].negate);
    assert_eq!(
        stages[0].config.get("replacement").map(String::as_str),
        Some("x-$1")
    );
    assert!(!stages[0].config.contains_key("negate"));
    let preds = predicate_specs(&parsed);
    assert_eq!(
        preds[0].config.get("pattern").map(String::as_str),
        Some("t")
    );

    let mut bad = p.clone();
    bad.remove("transforms.r.predicate");
    assert_eq!(
        parse_connector_config(ConnectorKind::Sink, &bad, &TestPlugins, true).unwrap_err().to_string(),
        "Config 'transforms.r.negate' was provided but there is no config 'transforms.r.predicate' defining a predicate to be negated."
    );
    let mut bad = p.clone();
    bad.insert("transforms.r.type".into(), "Nope".into());
    assert_eq!(
        parse_connector_config(ConnectorKind::Sink, &bad, &TestPlugins, true)
            .unwrap_err()
            .to_string(),
        "Invalid value Nope for configuration transforms.r.type: Class Nope could not be found."
    );
    // Quoted as written: Kafka's parse reports the value before its trim.
    bad.insert("transforms.r.type".into(), " Nope ".into());
    assert_eq!(
        parse_connector_config(ConnectorKind::Sink, &bad, &TestPlugins, true)
            .unwrap_err()
            .to_string(),
        "Invalid value  Nope  for configuration transforms.r.type: Class  Nope  could not be found."
    );
    // An alias without a type: Kafka's enrich finds no class to read keys from.
    bad.remove("transforms.r.type");
    assert_eq!(
        parse_connector_config(ConnectorKind::Sink, &bad, &TestPlugins, true)
            .unwrap_err()
            .to_string(),
        "Invalid value null for configuration transforms.r.type: Not a Transformation"
    );
    let mut bad = p.clone();
    bad.remove("topics");
    assert_eq!(
        parse_connector_config(ConnectorKind::Sink, &bad, &TestPlugins, true)
            .unwrap_err()
            .to_string(),
        "Must configure one of topics or topics.regex"
    );
}

#[test]
fn topic_creation_parse() {
    let base = [("name", "s"), ("connector.class", "FileStreamSource")];
    let mut p = props(&base);
    p.insert("topic.creation.default.partitions".into(), "3".into());
    assert_eq!(
        parse_connector_config(ConnectorKind::Source, &p, &NoPlugins, true).unwrap_err().to_string(),
        "Missing required configuration \"topic.creation.default.replication.factor\" which has no default value."
    );
    // Without worker topic creation the keys are not checked.
    assert!(parse_connector_config(ConnectorKind::Source, &p, &NoPlugins, false).is_ok());
    p.insert(
        "topic.creation.default.replication.factor".into(),
        "0".into(),
    );
    assert_eq!(
        parse_connector_config(ConnectorKind::Source, &p, &NoPlugins, true).unwrap_err().to_string(),
        "Invalid value 0 for configuration replication.factor: Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default"
    );
    p.insert(
        "topic.creation.default.replication.factor".into(),
        "-1".into(),
    );
    p.insert("topic.creation.groups".into(), "g".into());
    let parsed = parse_connector_config(ConnectorKind::Source, &p, &NoPlugins, true).unwrap();
    assert_eq!(parsed.get_int("topic.creation.g.partitions"), Some(3));
    assert_eq!(
        parsed.get_short("topic.creation.g.replication.factor"),
        Some(-1)
    );
}

#[test]
fn plugin_listing_puts_plugin_keys_first() {
    let listing = plugin_config_listing(Some(ConnectorKind::Sink), &file_sink_def());
    assert_eq!(listing[0].name, "file");
    assert_eq!(listing[1].name, "name");
    assert!(listing.iter().any(|k| k.name == "topics.regex"));
    assert_eq!(plugin_config_listing(None, &file_sink_def()).len(), 1);
}
