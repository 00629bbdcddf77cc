//! The framework keys of every connector config (spec §5.1–5.3). Key names, types, defaults,
//! validators, groups and orders follow Kafka; the documentation texts are Ferry's own.

use crate::config::def::{
    ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, TypedValue, Validator, Width,
};
use crate::config::ConfigError;

pub const NAME_CONFIG: &str = "name";
pub const CONNECTOR_CLASS_CONFIG: &str = "connector.class";
pub const TASKS_MAX_CONFIG: &str = "tasks.max";
pub const TASKS_MAX_ENFORCE_CONFIG: &str = "tasks.max.enforce";
pub const KEY_CONVERTER_CLASS_CONFIG: &str = "key.converter";
pub const VALUE_CONVERTER_CLASS_CONFIG: &str = "value.converter";
pub const HEADER_CONVERTER_CLASS_CONFIG: &str = "header.converter";
pub const TRANSFORMS_CONFIG: &str = "transforms";
pub const PREDICATES_CONFIG: &str = "predicates";
pub const CONFIG_RELOAD_ACTION_CONFIG: &str = "config.action.reload";
pub const ERRORS_RETRY_TIMEOUT_CONFIG: &str = "errors.retry.timeout";
pub const ERRORS_RETRY_MAX_DELAY_CONFIG: &str = "errors.retry.delay.max.ms";
pub const ERRORS_TOLERANCE_CONFIG: &str = "errors.tolerance";
pub const ERRORS_LOG_ENABLE_CONFIG: &str = "errors.log.enable";
pub const ERRORS_LOG_INCLUDE_MESSAGES_CONFIG: &str = "errors.log.include.messages";

pub const TOPICS_CONFIG: &str = "topics";
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";
pub const DLQ_TOPIC_NAME_CONFIG: &str = "errors.deadletterqueue.topic.name";
pub const DLQ_TOPIC_REPLICATION_FACTOR_CONFIG: &str =
    "errors.deadletterqueue.topic.replication.factor";
pub const DLQ_CONTEXT_HEADERS_ENABLE_CONFIG: &str = "errors.deadletterqueue.context.headers.enable";

pub const TOPIC_CREATION_PREFIX: &str = "topic.creation.";
pub const TOPIC_CREATION_GROUPS_CONFIG: &str = "topic.creation.groups";
pub const EXACTLY_ONCE_SUPPORT_CONFIG: &str = "exactly.once.support";
pub const TRANSACTION_BOUNDARY_CONFIG: &str = "transaction.boundary";
pub const TRANSACTION_BOUNDARY_INTERVAL_CONFIG: &str = "transaction.boundary.interval.ms";
pub const OFFSETS_STORAGE_TOPIC_CONFIG: &str = "offsets.storage.topic";

/// Client override prefixes (not ConfigDef keys; subject to the worker's override policy).
pub const PRODUCER_OVERRIDE_PREFIX: &str = "producer.override.";
pub const CONSUMER_OVERRIDE_PREFIX: &str = "consumer.override.";
pub const ADMIN_OVERRIDE_PREFIX: &str = "admin.override.";

pub const COMMON_GROUP: &str = "Common";
pub const TRANSFORMS_GROUP: &str = "Transforms";
pub const PREDICATES_GROUP: &str = "Predicates";
pub const ERROR_GROUP: &str = "Error Handling";
pub const TOPIC_CREATION_GROUP: &str = "Topic Creation";
pub const EXACTLY_ONCE_SUPPORT_GROUP: &str = "Exactly Once Support";
pub const OFFSETS_TOPIC_GROUP: &str = "offsets.topic";
pub const DEFAULT_TOPIC_CREATION_GROUP: &str = "default";

pub const DUPLICATE_ALIAS: &str = "Duplicate alias provided.";

fn key(name: &str, ty: ConfigType, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, importance, doc)
}

/// §5.1: the keys every connector has.
pub fn common_config_def() -> ConfigDef {
    let common = |k: ConfigKey, order: i32, width: Width, display: &str| {
        k.group(COMMON_GROUP)
            .order(order)
            .width(width)
            .display_name(display)
    };
    let error = |k: ConfigKey, order: i32, width: Width, display: &str| {
        k.group(ERROR_GROUP)
            .order(order)
            .width(width)
            .display_name(display)
    };
    ConfigDef::new()
        .define(common(
            key(NAME_CONFIG, ConfigType::String, Importance::High, "Globally unique name of this connector.")
                .validator(Validator::non_empty_string_without_control_chars()),
            1,
            Width::Medium,
            "Connector name",
        ))
        .define(common(
            key(
                CONNECTOR_CLASS_CONFIG,
                ConfigType::String,
                Importance::High,
                "Connector class, by full name (e.g. org.apache.kafka.connect.file.FileStreamSinkConnector) or alias (FileStreamSink, FileStreamSinkConnector).",
            ),
            2,
            Width::Long,
            "Connector class",
        ))
        .define(common(
            key(TASKS_MAX_CONFIG, ConfigType::Int, Importance::High, "Maximum number of tasks this connector may run.")
                .default_value("1")
                .validator(Validator::at_least(1)),
            3,
            Width::Short,
            "Tasks max",
        ))
        .define(common(
            key(
                TASKS_MAX_ENFORCE_CONFIG,
                ConfigType::Boolean,
                Importance::Low,
                "(Deprecated) Whether a connector that generates more task configs than tasks.max is failed.",
            )
            .default_value("true"),
            4,
            Width::Short,
            "Enforce tasks max",
        ))
        .define(common(
            key(
                KEY_CONVERTER_CLASS_CONFIG,
                ConfigType::Class,
                Importance::Low,
                "Converter for record keys; overrides the worker's key.converter.",
            )
            .default(DefaultValue::Null),
            5,
            Width::Short,
            "Key converter class",
        ))
        .define(common(
            key(
                VALUE_CONVERTER_CLASS_CONFIG,
                ConfigType::Class,
                Importance::Low,
                "Converter for record values; overrides the worker's value.converter.",
            )
            .default(DefaultValue::Null),
            6,
            Width::Short,
            "Value converter class",
        ))
        .define(common(
            key(
                HEADER_CONVERTER_CLASS_CONFIG,
                ConfigType::Class,
                Importance::Low,
                "HeaderConverter for record headers; overrides the worker's header.converter.",
            )
            .default(DefaultValue::Null),
            7,
            Width::Short,
            "Header converter class",
        ))
        .define(
            key(TRANSFORMS_CONFIG, ConfigType::List, Importance::Low, "Aliases of the transformations applied to records, in order.")
                .default_value("")
                .validator(Validator::unique_list(DUPLICATE_ALIAS))
                .group(TRANSFORMS_GROUP)
                .order(8)
                .width(Width::Long)
                .display_name("Transforms"),
        )
        .define(
            key(PREDICATES_CONFIG, ConfigType::List, Importance::Low, "Aliases of the predicates used by transformations.")
                .default_value("")
                .validator(Validator::unique_list(DUPLICATE_ALIAS))
                .group(PREDICATES_GROUP)
                .order(9)
                .width(Width::Long)
                .display_name("Predicates"),
        )
        .define(common(
            key(
                CONFIG_RELOAD_ACTION_CONFIG,
                ConfigType::String,
                Importance::Low,
                "What to do when a config provider changes a value of this config: 'none' or 'restart'.",
            )
            .default_value("restart")
            .validator(Validator::valid_string(&["none", "restart"])),
            10,
            Width::Medium,
            "Reload Action",
        ))
        .define(error(
            key(
                ERRORS_RETRY_TIMEOUT_CONFIG,
                ConfigType::Long,
                Importance::Medium,
                "How long, in milliseconds, a failed operation is retried. 0 disables retries, -1 retries forever.",
            )
            .default_value("0"),
            1,
            Width::Medium,
            "Retry Timeout for Errors",
        ))
        .define(error(
            key(
                ERRORS_RETRY_MAX_DELAY_CONFIG,
                ConfigType::Long,
                Importance::Medium,
                "Longest wait, in milliseconds, between two retries.",
            )
            .default_value("60000"),
            2,
            Width::Medium,
            "Maximum Delay Between Retries for Errors",
        ))
        .define(error(
            key(
                ERRORS_TOLERANCE_CONFIG,
                ConfigType::String,
                Importance::Medium,
                "'none' fails the task on the first error; 'all' skips problematic records.",
            )
            .default_value("none")
            .validator(Validator::valid_string(&["none", "all"])),
            3,
            Width::Short,
            "Error Tolerance",
        ))
        .define(error(
            key(
                ERRORS_LOG_ENABLE_CONFIG,
                ConfigType::Boolean,
                Importance::Medium,
                "Whether errors and the failed operations are written to the log.",
            )
            .default_value("false"),
            4,
            Width::Short,
            "Log Errors",
        ))
        .define(error(
            key(
                ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
                ConfigType::Boolean,
                Importance::Medium,
                "Whether logged errors include the record that failed.",
            )
            .default_value("false"),
            5,
            Width::Short,
            "Log Error Details",
        ))
}

/// §5.2: common keys plus the sink keys.
pub fn sink_config_def() -> ConfigDef {
    common_config_def()
        .define(
            key(TOPICS_CONFIG, ConfigType::List, Importance::High, "Topics to consume, comma-separated.")
                .default_value("")
                .group(COMMON_GROUP)
                .order(4)
                .width(Width::Long)
                .display_name("Topics"),
        )
        .define(
            key(
                TOPICS_REGEX_CONFIG,
                ConfigType::String,
                Importance::High,
                "Regular expression selecting the topics to consume. Use either topics or topics.regex.",
            )
            .default_value("")
            .validator(Validator::valid_regex())
            .group(COMMON_GROUP)
            .order(4)
            .width(Width::Long)
            .display_name("Topics regex"),
        )
        .define(
            key(
                DLQ_TOPIC_NAME_CONFIG,
                ConfigType::String,
                Importance::Medium,
                "Dead letter queue topic for records that fail in the connector, a transformation or a converter. Empty disables it.",
            )
            .default_value("")
            .group(ERROR_GROUP)
            .order(6)
            .width(Width::Medium)
            .display_name("Dead Letter Queue Topic Name"),
        )
        .define(
            key(
                DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
                ConfigType::Short,
                Importance::Medium,
                "Replication factor of the dead letter queue topic when the worker creates it.",
            )
            .default_value("3")
            .group(ERROR_GROUP)
            .order(7)
            .width(Width::Medium)
            .display_name("Dead Letter Queue Topic Replication Factor"),
        )
        .define(
            key(
                DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
                ConfigType::Boolean,
                Importance::Medium,
                "Whether dead letter queue records carry __connect.errors.* headers describing the error.",
            )
            .default_value("false")
            .group(ERROR_GROUP)
            .order(8)
            .width(Width::Medium)
            .display_name("Enable Error Context Headers"),
        )
}

/// §5.3: common keys plus the source keys. Like Kafka's validate, it does not include the
/// `topic.creation.<group>.*` keys; see [`topic_creation_config_def`].
pub fn source_config_def() -> ConfigDef {
    let interval_validator = Validator::custom(|name, value| match value {
        None => Ok(()),
        Some(_) => Validator::at_least(0).ensure_valid(name, value),
    });
    common_config_def()
        .define(
            key(
                TOPIC_CREATION_GROUPS_CONFIG,
                ConfigType::List,
                Importance::Low,
                "Groups of settings for the topics this source connector creates.",
            )
            .default_value("")
            .validator(Validator::unique_list(DUPLICATE_ALIAS))
            .group(TOPIC_CREATION_GROUP)
            .order(1)
            .width(Width::Long)
            .display_name("Topic Creation Groups"),
        )
        .define(
            key(
                EXACTLY_ONCE_SUPPORT_CONFIG,
                ConfigType::String,
                Importance::Medium,
                "requested or required. 'required' makes validation fail unless the connector and worker can provide exactly-once delivery.",
            )
            .default_value("requested")
            .validator(Validator::valid_string_case_insensitive(&["requested", "required"]))
            .group(EXACTLY_ONCE_SUPPORT_GROUP)
            .order(2)
            .width(Width::Short)
            .display_name("Exactly once support"),
        )
        .define(
            key(
                TRANSACTION_BOUNDARY_CONFIG,
                ConfigType::String,
                Importance::Medium,
                "poll, interval or connector: where producer transactions start and end for exactly-once source tasks.",
            )
            .default_value("poll")
            .validator(Validator::valid_string_case_insensitive(&["poll", "interval", "connector"]))
            .group(EXACTLY_ONCE_SUPPORT_GROUP)
            .order(3)
            .width(Width::Short)
            .display_name("Transaction Boundary"),
        )
        .define(
            key(
                TRANSACTION_BOUNDARY_INTERVAL_CONFIG,
                ConfigType::Long,
                Importance::Low,
                "With transaction.boundary=interval, the commit interval in milliseconds; defaults to the worker's offset.flush.interval.ms.",
            )
            .default(DefaultValue::Null)
            .validator(interval_validator)
            .group(EXACTLY_ONCE_SUPPORT_GROUP)
            .order(4)
            .width(Width::Short)
            .display_name("Transaction boundary interval"),
        )
        .define(
            key(
                OFFSETS_STORAGE_TOPIC_CONFIG,
                ConfigType::String,
                Importance::Low,
                "A separate offsets topic for this connector (distributed mode only).",
            )
            .default(DefaultValue::Null)
            .validator(Validator::non_empty_string())
            .group(OFFSETS_TOPIC_GROUP)
            .order(1)
            .width(Width::Long)
            .display_name("Offsets topic"),
        )
}

fn replication_factor_validator() -> Validator {
    Validator::custom(|name, value| {
        match value {
        Some(TypedValue::Short(f)) if *f != -1 && *f < 1 => Err(ConfigError::Invalid {
            name: name.to_string(),
            value: f.to_string(),
            reason: "Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default".to_string(),
        }),
        _ => Ok(()),
    }
    })
}

fn partitions_validator() -> Validator {
    Validator::custom(|name, value| match value {
        Some(TypedValue::Int(p)) if *p != -1 && *p < 1 => Err(ConfigError::Invalid {
            name: name.to_string(),
            value: p.to_string(),
            reason: "Number of partitions must be positive, or -1 to use the broker's default"
                .to_string(),
        }),
        _ => Ok(()),
    })
}

fn regex_list_validator() -> Validator {
    Validator::custom(|name, value| {
        Validator::non_null().ensure_valid(name, value)?;
        if let Some(TypedValue::List(items)) = value {
            for item in items {
                // `Pattern.compile`, with Java's syntax.
                if let Err(e) = crate::java_regex::compile(item) {
                    return Err(ConfigError::Invalid {
                        name: name.to_string(),
                        value: item.clone(),
                        reason: format!("Syntax error in regular expression: {e}"),
                    });
                }
            }
        }
        Ok(())
    })
}

/// The keys of one topic creation group (without the `topic.creation.<group>.` prefix). The
/// default group has required replication factor and partitions and includes `.*`; other groups
/// inherit the default group's numbers.
pub fn topic_creation_group_def(
    group: &str,
    default_replication_factor: Option<i16>,
    default_partitions: Option<i32>,
) -> ConfigDef {
    let is_default = group == DEFAULT_TOPIC_CREATION_GROUP;
    let numeric_default = |v: Option<String>| v.map_or(DefaultValue::Required, DefaultValue::Value);
    ConfigDef::new()
        .define(
            key(
                "include",
                ConfigType::List,
                Importance::Low,
                "Regexes of the topics this group applies to.",
            )
            .default_value(if is_default { ".*" } else { "" })
            .validator(regex_list_validator())
            .group(group)
            .order(1)
            .width(Width::Long)
            .display_name(format!("Inclusion Topic Pattern for {group}")),
        )
        .define(
            key(
                "exclude",
                ConfigType::List,
                Importance::Low,
                "Regexes of the topics this group does not apply to; exclusion wins.",
            )
            .default_value("")
            .validator(regex_list_validator())
            .group(group)
            .order(2)
            .width(Width::Long)
            .display_name(format!("Exclusion Topic Pattern for {group}")),
        )
        .define(
            key(
                "replication.factor",
                ConfigType::Short,
                Importance::Low,
                "Replication factor of new topics, or -1 for the broker default.",
            )
            .default(numeric_default(
                default_replication_factor.map(|v| v.to_string()),
            ))
            .validator(replication_factor_validator())
            .group(group)
            .order(3)
            .width(Width::Long)
            .display_name(format!("Replication Factor for Topics in {group}")),
        )
        .define(
            key(
                "partitions",
                ConfigType::Int,
                Importance::Low,
                "Partition count of new topics, or -1 for the broker default.",
            )
            .default(numeric_default(default_partitions.map(|v| v.to_string())))
            .validator(partitions_validator())
            .group(group)
            .order(4)
            .width(Width::Long)
            .display_name(format!("Partition Count for Topics in {group}")),
        )
}

/// The source def with the `topic.creation.default.*` keys embedded (Kafka builds this when the
/// worker has topic creation enabled and the connector sets any `topic.creation.` key).
pub fn topic_creation_config_def() -> ConfigDef {
    source_config_def().embed(
        "topic.creation.default.",
        DEFAULT_TOPIC_CREATION_GROUP,
        0,
        &topic_creation_group_def(DEFAULT_TOPIC_CREATION_GROUP, None, None),
    )
}
