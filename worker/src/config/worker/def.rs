//! The standalone worker's keys (spec §6.1, §6.2). Names, types and defaults follow Kafka's
//! `WorkerConfig`, `RestServerConfig` and `StandaloneConfig`; documentation texts are Ferry's.

use super::headers::parse_header_rules;
use crate::config::def::{
    ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, TypedValue, Validator,
};
use crate::config::ConfigError;

pub const BOOTSTRAP_SERVERS_CONFIG: &str = "bootstrap.servers";
pub const KEY_CONVERTER_CLASS_CONFIG: &str = "key.converter";
pub const VALUE_CONVERTER_CLASS_CONFIG: &str = "value.converter";
pub const HEADER_CONVERTER_CLASS_CONFIG: &str = "header.converter";
pub const TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG: &str = "task.shutdown.graceful.timeout.ms";
pub const OFFSET_COMMIT_INTERVAL_MS_CONFIG: &str = "offset.flush.interval.ms";
pub const OFFSET_COMMIT_TIMEOUT_MS_CONFIG: &str = "offset.flush.timeout.ms";
pub const PLUGIN_PATH_CONFIG: &str = "plugin.path";
pub const PLUGIN_DISCOVERY_CONFIG: &str = "plugin.discovery";
pub const CONFIG_PROVIDERS_CONFIG: &str = "config.providers";
pub const CONNECTOR_CLIENT_POLICY_CLASS_CONFIG: &str = "connector.client.config.override.policy";
pub const TOPIC_CREATION_ENABLE_CONFIG: &str = "topic.creation.enable";
pub const TOPIC_TRACKING_ENABLE_CONFIG: &str = "topic.tracking.enable";
pub const TOPIC_TRACKING_ALLOW_RESET_CONFIG: &str = "topic.tracking.allow.reset";
pub const LISTENERS_CONFIG: &str = "listeners";
pub const REST_ADVERTISED_HOST_NAME_CONFIG: &str = "rest.advertised.host.name";
pub const REST_ADVERTISED_PORT_CONFIG: &str = "rest.advertised.port";
pub const REST_ADVERTISED_LISTENER_CONFIG: &str = "rest.advertised.listener";
pub const ACCESS_CONTROL_ALLOW_ORIGIN_CONFIG: &str = "access.control.allow.origin";
pub const ACCESS_CONTROL_ALLOW_METHODS_CONFIG: &str = "access.control.allow.methods";
pub const ADMIN_LISTENERS_CONFIG: &str = "admin.listeners";
pub const REST_EXTENSION_CLASSES_CONFIG: &str = "rest.extension.classes";
pub const RESPONSE_HTTP_HEADERS_CONFIG: &str = "response.http.headers.config";
pub const OFFSET_STORAGE_FILE_FILENAME_CONFIG: &str = "offset.storage.file.filename";

pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";
pub const DEFAULT_LISTENER: &str = "http://:8083";

fn listeners_validator() -> Validator {
    Validator::custom(|_, value| {
        let Some(TypedValue::List(items)) = value else {
            return Err(ConfigError::Other(
                "Invalid value type for listeners (expected list of URLs , ex: http://localhost:8080,https://localhost:8443).".to_string(),
            ));
        };
        if items.is_empty() {
            return Err(ConfigError::Other(
                "Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443.".to_string(),
            ));
        }
        if items.iter().any(|i| i.trim().is_empty()) {
            return Err(ConfigError::Other(
                "Empty URL found when parsing listeners list.".to_string(),
            ));
        }
        Ok(())
    })
}

fn admin_listeners_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(TypedValue::List(items)) if items.iter().any(|i| i.trim().is_empty()) => Err(
            ConfigError::Other("Empty URL found when parsing admin.listeners list.".to_string()),
        ),
        _ => Ok(()),
    })
}

fn headers_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(TypedValue::String(s)) => parse_header_rules(s).map(|_| ()),
        _ => Ok(()),
    })
}

fn key(name: &str, ty: ConfigType, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, importance, doc)
}

/// The standalone worker's config definition.
pub fn standalone_worker_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(key(BOOTSTRAP_SERVERS_CONFIG, ConfigType::List, Importance::High, "Kafka brokers to connect to first (host:port, comma-separated).").default_value("localhost:9092"))
        .define(key(KEY_CONVERTER_CLASS_CONFIG, ConfigType::Class, Importance::High, "Default converter for record keys."))
        .define(key(VALUE_CONVERTER_CLASS_CONFIG, ConfigType::Class, Importance::High, "Default converter for record values."))
        .define(key(HEADER_CONVERTER_CLASS_CONFIG, ConfigType::Class, Importance::Low, "Default converter for record headers.").default_value(DEFAULT_HEADER_CONVERTER))
        .define(key(TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG, ConfigType::Long, Importance::Low, "How long to wait for tasks to stop, in milliseconds.").default_value("5000"))
        .define(key(OFFSET_COMMIT_INTERVAL_MS_CONFIG, ConfigType::Long, Importance::Low, "Interval between offset commits, in milliseconds.").default_value("60000"))
        .define(key(OFFSET_COMMIT_TIMEOUT_MS_CONFIG, ConfigType::Long, Importance::Low, "How long an offset flush may take before it is cancelled, in milliseconds.").default_value("5000"))
        .define(key(PLUGIN_PATH_CONFIG, ConfigType::List, Importance::Low, "Accepted for compatibility; Ferry's plugins are compiled in.").default(DefaultValue::Null))
        .define(
            key(PLUGIN_DISCOVERY_CONFIG, ConfigType::String, Importance::Low, "Accepted for compatibility; Ferry's plugins are compiled in.")
                .default_value("hybrid_warn")
                .validator(Validator::valid_string_case_insensitive(&["only_scan", "hybrid_warn", "hybrid_fail", "service_load"])),
        )
        .define(key(CONFIG_PROVIDERS_CONFIG, ConfigType::List, Importance::Low, "Aliases of config providers.").default_value(""))
        .define(key(CONNECTOR_CLIENT_POLICY_CLASS_CONFIG, ConfigType::String, Importance::Medium, "Which client overrides connectors may set: All, None or Principal.").default_value("All"))
        .define(key(TOPIC_CREATION_ENABLE_CONFIG, ConfigType::Boolean, Importance::Low, "Whether source connectors may create topics (topic.creation.* settings).").default_value("true"))
        .define(key(TOPIC_TRACKING_ENABLE_CONFIG, ConfigType::Boolean, Importance::Low, "Whether the topics used by connectors are tracked.").default_value("true"))
        .define(key(TOPIC_TRACKING_ALLOW_RESET_CONFIG, ConfigType::Boolean, Importance::Low, "Whether users may reset a connector's tracked topics.").default_value("true"))
        .define(key(LISTENERS_CONFIG, ConfigType::List, Importance::Low, "REST listener URLs (scheme://host:port), comma-separated.").default_value(DEFAULT_LISTENER).validator(listeners_validator()))
        .define(key(REST_ADVERTISED_HOST_NAME_CONFIG, ConfigType::String, Importance::Low, "Host name other workers and clients should use.").default(DefaultValue::Null))
        .define(key(REST_ADVERTISED_PORT_CONFIG, ConfigType::Int, Importance::Low, "Port other workers and clients should use.").default(DefaultValue::Null))
        .define(key(REST_ADVERTISED_LISTENER_CONFIG, ConfigType::String, Importance::Low, "Scheme (http or https) to advertise.").default(DefaultValue::Null))
        .define(key(ACCESS_CONTROL_ALLOW_ORIGIN_CONFIG, ConfigType::String, Importance::Low, "Access-Control-Allow-Origin for CORS; empty disables CORS.").default_value(""))
        .define(key(ACCESS_CONTROL_ALLOW_METHODS_CONFIG, ConfigType::String, Importance::Low, "Methods allowed for CORS requests.").default_value(""))
        .define(key(ADMIN_LISTENERS_CONFIG, ConfigType::List, Importance::Low, "Listeners for the admin endpoints; unset uses the REST listeners, empty disables them.").default(DefaultValue::Null).validator(admin_listeners_validator()))
        .define(key(REST_EXTENSION_CLASSES_CONFIG, ConfigType::List, Importance::Low, "REST extension classes.").default_value(""))
        .define(key(RESPONSE_HTTP_HEADERS_CONFIG, ConfigType::String, Importance::Low, "Rules for REST response headers: '[action] [name]:[value]', comma-separated.").default_value("").validator(headers_validator()))
        .define(key(OFFSET_STORAGE_FILE_FILENAME_CONFIG, ConfigType::String, Importance::High, "File holding the source connector offsets."))
}
