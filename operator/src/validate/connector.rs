//! `KafkaConnector` validation with the worker's own connector library: the class must be a
//! compiled-in connector and the config must pass its config definition, exactly as the worker
//! would check it on `PUT /connectors/{name}/config`.

use ferry_crds::labels::reasons;
use ferry_crds::KafkaConnector;
use ferry_worker::config::connector::{
    config_errors_message, validate_connector_config, ConnectorKind,
};
use ferry_worker::config::Props;
use ferry_worker::plugins::{find_connector, BuiltinPlugins};

/// A connector that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidConnector {
    /// Full class name the spec's class or alias resolved to.
    pub class_name: &'static str,
    /// Source or sink.
    pub kind: ConnectorKind,
    /// The connector config as the worker will receive it.
    pub props: Props,
}

/// Why a connector is invalid: a `Ready=False` reason and a message naming the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// One of `ferry_crds::labels::reasons`.
    pub reason: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl Invalid {
    fn config(message: impl Into<String>) -> Self {
        Invalid {
            reason: reasons::INVALID_CONFIG,
            message: message.into(),
        }
    }
}

/// The connector config of `connector` (see [`KafkaConnector::connector_config`]), or
/// `InvalidConfig` naming the key that cannot be one.
pub fn connector_props(connector: &KafkaConnector) -> Result<Props, Invalid> {
    connector.connector_config().map_err(Invalid::config)
}

/// Validates the cluster label, the class and the config.
pub fn validate_connector(connector: &KafkaConnector) -> Result<ValidConnector, Invalid> {
    if connector.cluster_name().is_none_or(str::is_empty) {
        return Err(Invalid {
            reason: reasons::MISSING_CLUSTER_LABEL,
            message: format!(
                "add the label {}: <KafkaConnect name> to bind this connector to a KafkaConnect",
                ferry_crds::CLUSTER_LABEL
            ),
        });
    }
    let class = &connector.spec.class;
    let plugin = find_connector(class).ok_or_else(|| Invalid {
        reason: reasons::UNKNOWN_CONNECTOR_CLASS,
        message: format!(
            "spec.class '{class}' is not a connector of this Ferry build; known: {}",
            known_classes().join(", ")
        ),
    })?;
    let props = connector_props(connector)?;
    let infos = validate_connector_config(
        class,
        &(plugin.config_def)(),
        plugin.kind,
        &props,
        &BuiltinPlugins,
    );
    if let Some(message) = config_errors_message(&infos) {
        return Err(Invalid::config(message));
    }
    Ok(ValidConnector {
        class_name: plugin.class_name,
        kind: plugin.kind,
        props,
    })
}

fn known_classes() -> Vec<&'static str> {
    ferry_worker::connectors::builtin_connectors()
        .iter()
        .map(|p| p.class_name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::config::ConfigValue;
    use ferry_crds::KafkaConnectorSpec;
    use std::collections::BTreeMap;

    pub(crate) fn connector(class: &str, config: &[(&str, ConfigValue)]) -> KafkaConnector {
        let mut spec = KafkaConnectorSpec::new(class);
        spec.config = config
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let mut c = KafkaConnector::new("file-source", spec);
        c.metadata.labels = Some(BTreeMap::from([(
            "ferry.dev/cluster".to_string(),
            "my-connect".to_string(),
        )]));
        c
    }

    #[test]
    fn valid_source_by_alias() {
        let c = connector(
            "FileStreamSource",
            &[("file", "/tmp/in.txt".into()), ("topic", "t".into())],
        );
        let v = validate_connector(&c).expect("valid");
        assert_eq!(
            v.class_name,
            "org.apache.kafka.connect.file.FileStreamSourceConnector"
        );
        assert_eq!(v.kind, ConnectorKind::Source);
        assert_eq!(v.props["name"], "file-source");
        assert_eq!(v.props["tasks.max"], "1");
        assert_eq!(v.props["connector.class"], "FileStreamSource");
    }

    #[test]
    fn missing_label() {
        let mut c = connector("FileStreamSource", &[]);
        c.metadata.labels = None;
        assert_eq!(
            validate_connector(&c).map(|_| ()).unwrap_err().reason,
            reasons::MISSING_CLUSTER_LABEL
        );
    }

    #[test]
    fn unknown_class() {
        let err = validate_connector(&connector("com.example.Nope", &[]))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.reason, reasons::UNKNOWN_CONNECTOR_CLASS);
        assert!(err.message.contains("com.example.Nope"));
        assert!(err.message.contains("FileStreamSourceConnector"));
    }

    #[test]
    fn invalid_config_names_the_key() {
        let c = connector(
            "FileStreamSource",
            &[("topic", "t".into()), ("batch.size", "not-a-number".into())],
        );
        let err = validate_connector(&c).map(|_| ()).unwrap_err();
        assert_eq!(err.reason, reasons::INVALID_CONFIG);
        assert!(err.message.contains("batch.size"), "{}", err.message);
    }

    #[test]
    fn sink_without_topics_is_invalid() {
        let c = connector("FileStreamSink", &[("file", "/tmp/out".into())]);
        let err = validate_connector(&c).map(|_| ()).unwrap_err();
        assert_eq!(err.reason, reasons::INVALID_CONFIG);
        assert!(err.message.contains("topics"), "{}", err.message);
    }

    #[test]
    fn managed_and_non_scalar_keys() {
        let c = connector(
            "FileStreamSource",
            &[("tasks.max", ConfigValue::Integer(3))],
        );
        let err = validate_connector(&c).map(|_| ()).unwrap_err();
        assert!(err.message.contains("spec.tasksMax"), "{}", err.message);
        let c = connector(
            "FileStreamSource",
            &[(
                "topic",
                ConfigValue::Unsupported(serde_json::json!({"a": 1})),
            )],
        );
        let err = validate_connector(&c).map(|_| ()).unwrap_err();
        assert!(err.message.contains("'topic'"), "{}", err.message);
    }
}
