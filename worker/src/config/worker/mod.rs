//! The standalone worker configuration (`WorkerConfig` + `StandaloneConfig`).

mod client;
mod def;
mod headers;
mod listener;

use std::path::Path;

pub use client::is_client_key;
pub use def::*;
pub use headers::{parse_header_rules, HeaderRule};
pub use listener::{machine_hostname, Listener};

use crate::config::def::{originals_with_prefix, ParsedConfig};
use crate::config::{ConfigError, Props};

/// Prefixes of worker keys that configure something else (clients, converters, providers, TLS of
/// the REST listeners) and so are never "unknown".
const PASS_THROUGH_PREFIXES: &[&str] = &[
    "producer.",
    "consumer.",
    "admin.",
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "config.providers.",
    "listeners.https.",
    "admin.listeners.https.",
    // Ferry's REST authentication keys (docs/security.md).
    "rest.basic.auth.",
    "rest.auth.",
];

const INTERNAL_CONVERTER_KEYS: [&str; 2] = ["internal.key.converter", "internal.value.converter"];

/// Which client overrides connectors may set (`connector.client.config.override.policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverridePolicy {
    All,
    None,
    Principal,
}

impl OverridePolicy {
    /// Accepts Kafka's aliases and class names.
    fn parse(value: &str) -> Result<OverridePolicy, ConfigError> {
        let simple = value.rsplit('.').next().unwrap_or(value);
        let base = simple
            .strip_suffix("ConnectorClientConfigOverridePolicy")
            .unwrap_or(simple);
        match base {
            "All" => Ok(OverridePolicy::All),
            "None" => Ok(OverridePolicy::None),
            "Principal" => Ok(OverridePolicy::Principal),
            _ => Err(ConfigError::Invalid {
                name: CONNECTOR_CLIENT_POLICY_CLASS_CONFIG.to_string(),
                value: value.to_string(),
                reason: format!("Class {value} could not be found."),
            }),
        }
    }
}

/// A parsed, checked standalone worker config.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    parsed: ParsedConfig,
    listeners: Vec<Listener>,
    admin_listeners: Option<Vec<Listener>>,
    override_policy: OverridePolicy,
    response_headers: Vec<HeaderRule>,
}

impl WorkerConfig {
    /// Parses and checks the worker properties. The warnings are for the caller to log.
    pub fn from_props(props: Props) -> Result<(WorkerConfig, Vec<String>), ConfigError> {
        let parsed = standalone_worker_config_def().parse(&props)?;
        let listeners = parse_listeners(parsed.get_list(LISTENERS_CONFIG))?;
        let admin_listeners = parsed
            .get_list_opt(ADMIN_LISTENERS_CONFIG)
            .map(parse_listeners)
            .transpose()?;
        let override_policy = OverridePolicy::parse(
            parsed
                .get_string(CONNECTOR_CLIENT_POLICY_CLASS_CONFIG)
                .unwrap_or("All"),
        )?;
        let response_headers = parse_header_rules(
            parsed
                .get_string(RESPONSE_HTTP_HEADERS_CONFIG)
                .unwrap_or(""),
        )?;
        let warnings = warnings(&parsed);
        let config = WorkerConfig {
            parsed,
            listeners,
            admin_listeners,
            override_policy,
            response_headers,
        };
        Ok((config, warnings))
    }

    /// Loads a worker properties file.
    pub fn from_file(path: &Path) -> Result<(WorkerConfig, Vec<String>), ConfigError> {
        let props = crate::config::properties::load_properties_file(path)
            .map_err(|e| ConfigError::Other(e.to_string()))?;
        Self::from_props(props)
    }

    pub fn parsed(&self) -> &ParsedConfig {
        &self.parsed
    }

    pub fn originals(&self) -> &Props {
        self.parsed.originals()
    }

    fn string(&self, key: &str) -> &str {
        self.parsed.get_string(key).unwrap_or("")
    }

    fn long(&self, key: &str) -> i64 {
        self.parsed.get_long(key).unwrap_or(0)
    }

    pub fn bootstrap_servers(&self) -> &[String] {
        self.parsed.get_list(BOOTSTRAP_SERVERS_CONFIG)
    }

    pub fn key_converter(&self) -> &str {
        self.parsed
            .get_class(KEY_CONVERTER_CLASS_CONFIG)
            .unwrap_or("")
    }

    pub fn value_converter(&self) -> &str {
        self.parsed
            .get_class(VALUE_CONVERTER_CLASS_CONFIG)
            .unwrap_or("")
    }

    pub fn header_converter(&self) -> &str {
        self.parsed
            .get_class(HEADER_CONVERTER_CLASS_CONFIG)
            .unwrap_or(DEFAULT_HEADER_CONVERTER)
    }

    pub fn task_shutdown_graceful_timeout_ms(&self) -> i64 {
        self.long(TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG)
    }

    pub fn offset_flush_interval_ms(&self) -> i64 {
        self.long(OFFSET_COMMIT_INTERVAL_MS_CONFIG)
    }

    pub fn offset_flush_timeout_ms(&self) -> i64 {
        self.long(OFFSET_COMMIT_TIMEOUT_MS_CONFIG)
    }

    pub fn offset_storage_file_filename(&self) -> &str {
        self.string(OFFSET_STORAGE_FILE_FILENAME_CONFIG)
    }

    pub fn plugin_discovery(&self) -> &str {
        self.string(PLUGIN_DISCOVERY_CONFIG)
    }

    pub fn config_providers(&self) -> &[String] {
        self.parsed.get_list(CONFIG_PROVIDERS_CONFIG)
    }

    pub fn connector_client_config_override_policy(&self) -> OverridePolicy {
        self.override_policy
    }

    pub fn topic_creation_enable(&self) -> bool {
        self.parsed
            .get_bool(TOPIC_CREATION_ENABLE_CONFIG)
            .unwrap_or(true)
    }

    pub fn topic_tracking_enable(&self) -> bool {
        self.parsed
            .get_bool(TOPIC_TRACKING_ENABLE_CONFIG)
            .unwrap_or(true)
    }

    pub fn topic_tracking_allow_reset(&self) -> bool {
        self.parsed
            .get_bool(TOPIC_TRACKING_ALLOW_RESET_CONFIG)
            .unwrap_or(true)
    }

    /// The REST listeners (checked when the config was built).
    pub fn listeners(&self) -> Result<Vec<Listener>, ConfigError> {
        Ok(self.listeners.clone())
    }

    /// `None`: admin endpoints on the regular listeners; `Some(empty)`: admin endpoints disabled.
    pub fn admin_listeners(&self) -> Option<&[Listener]> {
        self.admin_listeners.as_deref()
    }

    pub fn rest_advertised_host_name(&self) -> Option<&str> {
        self.parsed.get_string(REST_ADVERTISED_HOST_NAME_CONFIG)
    }

    pub fn rest_advertised_port(&self) -> Option<i32> {
        self.parsed.get_int(REST_ADVERTISED_PORT_CONFIG)
    }

    pub fn rest_advertised_listener(&self) -> Option<&str> {
        self.parsed.get_string(REST_ADVERTISED_LISTENER_CONFIG)
    }

    pub fn access_control_allow_origin(&self) -> &str {
        self.string(ACCESS_CONTROL_ALLOW_ORIGIN_CONFIG)
    }

    pub fn access_control_allow_methods(&self) -> &str {
        self.string(ACCESS_CONTROL_ALLOW_METHODS_CONFIG)
    }

    pub fn rest_extension_classes(&self) -> &[String] {
        self.parsed.get_list(REST_EXTENSION_CLASSES_CONFIG)
    }

    pub fn response_http_headers(&self) -> &[HeaderRule] {
        &self.response_headers
    }

    /// The listener Kafka advertises: the first one with the advertised scheme
    /// (`rest.advertised.listener`, else the first listener's), else the first.
    pub fn advertised_listener(&self) -> Option<&Listener> {
        let scheme = self
            .rest_advertised_listener()
            .map(str::to_lowercase)
            .or_else(|| self.listeners.first().map(|l| l.scheme.clone()))?;
        self.listeners
            .iter()
            .find(|l| l.scheme == scheme)
            .or_else(|| self.listeners.first())
    }

    /// `<advertised host>:<advertised port>` (§6.1): `rest.advertised.host.name`, else the listener
    /// host, else the machine's host name; `rest.advertised.port`, else the listener port.
    pub fn worker_id(&self) -> Result<String, ConfigError> {
        let listener = self.advertised_listener().ok_or_else(|| {
            ConfigError::Other("No listener is configured to advertise".to_string())
        })?;
        let host = match self.rest_advertised_host_name().filter(|h| !h.is_empty()) {
            Some(h) => h.to_string(),
            None => listener.host.clone().unwrap_or_else(machine_hostname),
        };
        let port = match self.rest_advertised_port() {
            Some(p) => p.to_string(),
            None => listener.port.to_string(),
        };
        Ok(format!("{}:{port}", listener::bracket(&host)))
    }

    /// Unprefixed client settings of the worker itself (bootstrap servers joined with `,`).
    pub fn worker_client_props(&self) -> Props {
        let mut props: Props = self
            .originals()
            .iter()
            .filter(|(k, _)| is_client_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        props.insert(
            BOOTSTRAP_SERVERS_CONFIG.to_string(),
            self.bootstrap_servers().join(","),
        );
        props
    }

    /// Task producer settings as Kafka's `Worker.producerConfigs` builds them from the worker
    /// config: `bootstrap.servers` plus the stripped `producer.*` keys (unprefixed security keys
    /// are not inherited, as in Kafka).
    pub fn producer_props(&self) -> Props {
        self.prefixed_client_props("producer.")
    }

    /// Task consumer settings: `bootstrap.servers` plus the stripped `consumer.*` keys.
    pub fn consumer_props(&self) -> Props {
        self.prefixed_client_props("consumer.")
    }

    /// Connector admin client settings: Kafka passes every unprefixed worker setting, then the
    /// `admin.*` keys. Ferry keeps only the unprefixed client settings, since librdkafka rejects
    /// unknown properties.
    pub fn admin_props(&self) -> Props {
        let mut props = self.worker_client_props();
        props.extend(originals_with_prefix(self.originals(), "admin.", true));
        props
    }

    fn prefixed_client_props(&self, prefix: &str) -> Props {
        let mut props = Props::new();
        props.insert(
            BOOTSTRAP_SERVERS_CONFIG.to_string(),
            self.bootstrap_servers().join(","),
        );
        props.extend(originals_with_prefix(self.originals(), prefix, true));
        props
    }

    /// The settings under a converter prefix, stripped: `converter_props("key.converter")` gives
    /// `schemas.enable` for `key.converter.schemas.enable`.
    pub fn converter_props(&self, prefix: &str) -> Props {
        let prefix = if prefix.ends_with('.') {
            prefix.to_string()
        } else {
            format!("{prefix}.")
        };
        originals_with_prefix(self.originals(), &prefix, true)
    }
}

fn parse_listeners(items: &[String]) -> Result<Vec<Listener>, ConfigError> {
    items.iter().map(|l| Listener::parse(l)).collect()
}

fn is_internal_converter_key(key: &str) -> bool {
    INTERNAL_CONVERTER_KEYS.iter().any(|k| {
        key == *k
            || key
                .strip_prefix(k)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Warnings for settings Ferry ignores.
fn warnings(parsed: &ParsedConfig) -> Vec<String> {
    let mut warnings = Vec::new();
    let internal: Vec<&String> = parsed
        .originals()
        .keys()
        .filter(|k| is_internal_converter_key(k))
        .collect();
    if !internal.is_empty() {
        let names: Vec<&str> = internal.iter().map(|k| k.as_str()).collect();
        warnings.push(format!(
            "The worker has internal converter properties ({}) which are ignored: internal data always uses JsonConverter with schemas.enable=false",
            names.join(", ")
        ));
    }
    if parsed.get_list_opt(PLUGIN_PATH_CONFIG).is_some() {
        warnings.push(format!(
            "'{PLUGIN_PATH_CONFIG}' is ignored: Ferry's connectors, converters and transforms are compiled in"
        ));
    }
    for key in parsed.unknown_keys() {
        let known = is_client_key(&key)
            || is_internal_converter_key(&key)
            || PASS_THROUGH_PREFIXES.iter().any(|p| key.starts_with(p));
        if !known {
            warnings.push(format!(
                "Unknown worker configuration key '{key}' (ignored)"
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests;
