//! Free-form `config` maps and the keys Ferry manages itself.
//!
//! Both kinds carry a Kafka Connect style `config` map. Its values may be strings, numbers or booleans,
//! as in Strimzi manifests (`key.converter.schemas.enable: false`). Some keys are owned by Ferry (they
//! come from dedicated spec fields); [`managed_connect_key`] and [`managed_connector_key`] say which, and
//! the generated CRD rejects the exact keys at admission with a CEL rule naming the spec field to use.
//!
//! Why only exact keys at admission: Kubernetes CEL can only enumerate the keys of a map whose values
//! have a schema type, and no structural schema type admits "string, number or boolean" (the only
//! union, `x-kubernetes-int-or-string`, rejects booleans). So `config` is an object that preserves
//! unknown fields, with the managed exact keys declared as properties that CEL rules can test. Prefix
//! rules (`rest.*`, `ssl.*`, ...) are checked by the operator with [`managed_connect_key`] and reported
//! as `Ready=False`, reason `InvalidConfig`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::schema::{cel_field, rule};

/// A free-form config map (`config` of both kinds), sorted by key.
pub type ConfigMap = BTreeMap<String, ConfigValue>;

/// One value of a free-form `config` map.
///
/// Deserialisation never fails for a value the API server accepts: objects, lists and nulls land in
/// [`ConfigValue::Unsupported`], which the operator reports as `InvalidConfig` instead of failing to
/// read the whole resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConfigValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A floating point number.
    Float(f64),
    /// A string.
    String(String),
    /// A list, object or null: not a valid Kafka config value.
    Unsupported(Value),
}

impl ConfigValue {
    /// The value as it is written into a Kafka properties file, or `None` for an unsupported value.
    pub fn to_property(&self) -> Option<String> {
        match self {
            ConfigValue::Bool(b) => Some(b.to_string()),
            ConfigValue::Integer(i) => Some(i.to_string()),
            ConfigValue::Float(f) => Some(f.to_string()),
            ConfigValue::String(s) => Some(s.clone()),
            ConfigValue::Unsupported(_) => None,
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(value: &str) -> Self {
        ConfigValue::String(value.to_owned())
    }
}

impl From<i64> for ConfigValue {
    fn from(value: i64) -> Self {
        ConfigValue::Integer(value)
    }
}

impl From<bool> for ConfigValue {
    fn from(value: bool) -> Self {
        ConfigValue::Bool(value)
    }
}

/// How a managed key is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMatch {
    /// The key itself.
    Exact,
    /// Every key starting with this prefix (the prefix ends with `.`).
    Prefix,
}

/// A config key (or key prefix) that users may not set because Ferry sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedKey {
    /// The key or prefix.
    pub key: &'static str,
    /// Exact key or prefix.
    pub matches: KeyMatch,
    /// What to use instead, written into the rejection message.
    pub use_instead: &'static str,
}

impl ManagedKey {
    const fn exact(key: &'static str, use_instead: &'static str) -> Self {
        ManagedKey {
            key,
            matches: KeyMatch::Exact,
            use_instead,
        }
    }

    const fn prefix(key: &'static str, use_instead: &'static str) -> Self {
        ManagedKey {
            key,
            matches: KeyMatch::Prefix,
            use_instead,
        }
    }

    /// Whether `key` is covered by this entry.
    pub fn covers(&self, key: &str) -> bool {
        match self.matches {
            KeyMatch::Exact => key == self.key,
            KeyMatch::Prefix => key.starts_with(self.key),
        }
    }

    /// The message shown when `key` (covered by this entry) is set.
    pub fn message(&self, key: &str) -> String {
        format!(
            "config key '{key}' is managed by Ferry and cannot be set in config: {}",
            self.use_instead
        )
    }
}

const USE_TLS: &str = "use spec.tls.trustedCertificates instead";
const USE_AUTH_CERT: &str = "use spec.authentication.certificateAndKey instead";
const USE_AUTH: &str = "use spec.authentication instead";
const USE_TLS_OR_AUTH: &str = "use spec.tls and spec.authentication instead";
const REST_MANAGED: &str = "the operator configures the worker REST API (port 8083)";

/// Worker config keys Ferry manages, for `KafkaConnect.spec.config`.
///
/// Exact keys are rejected at admission; prefixes are checked by the operator.
pub const MANAGED_CONNECT_KEYS: &[ManagedKey] = &[
    ManagedKey::exact("group.id", "use spec.groupId instead"),
    ManagedKey::exact("bootstrap.servers", "use spec.bootstrapServers instead"),
    ManagedKey::exact("offset.storage.topic", "use spec.offsetStorageTopic instead"),
    ManagedKey::exact("config.storage.topic", "use spec.configStorageTopic instead"),
    ManagedKey::exact("status.storage.topic", "use spec.statusStorageTopic instead"),
    ManagedKey::exact(
        "offset.storage.file.filename",
        "in Kubernetes mode source offsets are kept in spec.offsetStorageTopic",
    ),
    ManagedKey::exact("listeners", REST_MANAGED),
    ManagedKey::exact(
        "plugin.path",
        "connectors are compiled into ferry-worker; there is no plugin path",
    ),
    ManagedKey::exact("security.protocol", USE_TLS_OR_AUTH),
    ManagedKey::exact("sasl.mechanism", USE_AUTH),
    ManagedKey::exact("sasl.jaas.config", USE_AUTH),
    ManagedKey::exact("ssl.truststore.location", USE_TLS),
    ManagedKey::exact("ssl.truststore.certificates", USE_TLS),
    ManagedKey::exact("ssl.truststore.type", USE_TLS),
    ManagedKey::exact("ssl.truststore.password", USE_TLS),
    ManagedKey::exact("ssl.keystore.location", USE_AUTH_CERT),
    ManagedKey::exact("ssl.keystore.certificate.chain", USE_AUTH_CERT),
    ManagedKey::exact("ssl.keystore.key", USE_AUTH_CERT),
    ManagedKey::exact("ssl.keystore.type", USE_AUTH_CERT),
    ManagedKey::exact("ssl.keystore.password", USE_AUTH_CERT),
    ManagedKey::exact("ssl.key.password", USE_AUTH_CERT),
    ManagedKey::exact("rest.advertised.host.name", REST_MANAGED),
    ManagedKey::exact("rest.advertised.port", REST_MANAGED),
    ManagedKey::exact("rest.advertised.listener", REST_MANAGED),
    ManagedKey::prefix("rest.", REST_MANAGED),
    ManagedKey::prefix(
        "offset.storage.",
        "use spec.offsetStorageTopic (only offset.storage.replication.factor and offset.storage.partitions may be set)",
    ),
    ManagedKey::prefix(
        "config.storage.",
        "Ferry keeps connector configs in KafkaConnector resources",
    ),
    ManagedKey::prefix(
        "status.storage.",
        "Ferry keeps connector status in KafkaConnector resources",
    ),
    ManagedKey::prefix("ssl.", USE_TLS_OR_AUTH),
    ManagedKey::prefix("sasl.", USE_AUTH),
    ManagedKey::prefix("security.", USE_TLS_OR_AUTH),
];

/// Keys under a managed prefix that users may still set (Strimzi allows the same `ssl.*` ones; the
/// storage sizing keys keep Strimzi manifests working).
pub const ALLOWED_CONNECT_KEYS: &[&str] = &[
    "ssl.endpoint.identification.algorithm",
    "ssl.cipher.suites",
    "ssl.protocol",
    "ssl.enabled.protocols",
    "offset.storage.replication.factor",
    "offset.storage.partitions",
    "config.storage.replication.factor",
    "status.storage.replication.factor",
    "status.storage.partitions",
];

/// Connector config keys that come from dedicated `KafkaConnector` fields.
pub const MANAGED_CONNECTOR_KEYS: &[ManagedKey] = &[
    ManagedKey::exact(
        "name",
        "the connector name is the KafkaConnector's metadata.name",
    ),
    ManagedKey::exact("connector.class", "use spec.class instead"),
    ManagedKey::exact("tasks.max", "use spec.tasksMax instead"),
];

/// The managed-key entry covering a `KafkaConnect.spec.config` key, if users may not set it.
pub fn managed_connect_key(key: &str) -> Option<&'static ManagedKey> {
    if ALLOWED_CONNECT_KEYS.contains(&key) {
        return None;
    }
    MANAGED_CONNECT_KEYS.iter().find(|m| m.covers(key))
}

/// The managed-key entry covering a `KafkaConnector.spec.config` key, if users may not set it.
pub fn managed_connector_key(key: &str) -> Option<&'static ManagedKey> {
    MANAGED_CONNECTOR_KEYS.iter().find(|m| m.covers(key))
}

/// Connector classes (and aliases) of Kafka's FileStream sink, for which the CRD checks `topics`.
pub const FILE_STREAM_SINK_CLASSES: &[&str] = &[
    "FileStreamSink",
    "FileStreamSinkConnector",
    "org.apache.kafka.connect.file.FileStreamSinkConnector",
];

/// Schema of a config map whose exact managed keys are declared (so CEL can see them) and rejected.
fn config_schema(description: &str, managed: &[ManagedKey], extra: Map<String, Value>) -> Value {
    let mut properties = extra;
    let mut rules = Vec::new();
    for m in managed.iter().filter(|m| m.matches == KeyMatch::Exact) {
        properties.insert(
            m.key.to_owned(),
            json!({
                "description": format!("Managed by Ferry, rejected: {}.", m.use_instead),
                "x-kubernetes-int-or-string": true,
            }),
        );
        rules.push(rule(
            &format!("!has(self.{})", cel_field(m.key)),
            &m.message(m.key),
        ));
    }
    json!({
        "description": description,
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": properties,
        "x-kubernetes-validations": rules,
    })
}

pub(crate) fn connect_config_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let value = config_schema(
        "Kafka Connect worker configuration (string, number or boolean values), merged into the \
         properties Ferry renders for the workers. Keys Ferry manages are rejected: group.id, \
         bootstrap.servers, listeners, plugin.path, rest.*, offset.storage.*, config.storage.*, \
         status.storage.*, ssl.*, sasl.*, security.* (except ssl.endpoint.identification.algorithm, \
         ssl.cipher.suites, ssl.protocol, ssl.enabled.protocols and the storage topics' replication \
         factor and partitions). Exact keys are rejected at admission, prefixes by the operator \
         (Ready=False, reason InvalidConfig). Strimzi: spec.config.",
        MANAGED_CONNECT_KEYS,
        Map::new(),
    );
    to_schema(value)
}

pub(crate) fn connector_config_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut extra = Map::new();
    extra.insert(
        "topics".into(),
        json!({
            "description": "Sink connectors: comma-separated topics to consume (exactly one of topics and topics.regex).",
            "type": "string",
        }),
    );
    extra.insert(
        "topics.regex".into(),
        json!({
            "description": "Sink connectors: regular expression of the topics to consume (exactly one of topics and topics.regex).",
            "type": "string",
        }),
    );
    let value = config_schema(
        "Connector configuration (string, number or boolean values), as sent to Kafka Connect's \
         PUT /connectors/{name}/config. name, connector.class and tasks.max are rejected: they come \
         from metadata.name, spec.class and spec.tasksMax. The operator validates the rest against \
         the connector's config definition and reports problems as Ready=False, reason InvalidConfig. \
         Strimzi: spec.config.",
        MANAGED_CONNECTOR_KEYS,
        extra,
    );
    to_schema(value)
}

fn to_schema(value: Value) -> schemars::Schema {
    // `config_schema` always builds a JSON object, which is a valid schema.
    schemars::Schema::try_from(value).unwrap_or_default()
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Unsupported(v) => write!(f, "{v}"),
            other => f.write_str(&other.to_property().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_connect_keys_cover_exact_and_prefix_keys() {
        assert_eq!(
            managed_connect_key("group.id").map(|m| m.key),
            Some("group.id")
        );
        assert_eq!(
            managed_connect_key("rest.port").map(|m| m.key),
            Some("rest.")
        );
        assert_eq!(
            managed_connect_key("sasl.login.callback.handler.class").map(|m| m.key),
            Some("sasl.")
        );
        assert_eq!(
            managed_connect_key("security.providers").map(|m| m.key),
            Some("security.")
        );
        assert!(managed_connect_key("ssl.endpoint.identification.algorithm").is_none());
        assert!(managed_connect_key("offset.storage.replication.factor").is_none());
        assert!(managed_connect_key("key.converter").is_none());
        assert!(
            managed_connect_key("restart.backoff").is_none(),
            "prefix needs the dot"
        );
    }

    #[test]
    fn managed_key_message_names_key_and_replacement() {
        let m = managed_connect_key("group.id").expect("managed");
        let msg = m.message("group.id");
        assert!(msg.contains("'group.id'"), "{msg}");
        assert!(msg.contains("spec.groupId"), "{msg}");
    }

    #[test]
    fn managed_connector_keys() {
        assert_eq!(
            managed_connector_key("tasks.max").map(|m| m.use_instead),
            Some("use spec.tasksMax instead")
        );
        assert!(managed_connector_key("topics").is_none());
    }

    #[test]
    fn config_values_accept_anything_and_render_scalars() {
        let map: ConfigMap = serde_json::from_value(json!({
            "a": "x", "b": 3, "c": false, "d": 0.5, "e": {"nested": 1}, "f": null
        }))
        .expect("config map");
        assert_eq!(map["a"], ConfigValue::String("x".into()));
        assert_eq!(map["b"].to_property().as_deref(), Some("3"));
        assert_eq!(map["c"].to_property().as_deref(), Some("false"));
        assert_eq!(map["d"].to_property().as_deref(), Some("0.5"));
        assert!(matches!(map["e"], ConfigValue::Unsupported(_)));
        assert!(map["f"].to_property().is_none());
        assert_eq!(serde_json::to_value(&map).expect("ser")["b"], json!(3));
    }
}
