//! `KafkaConnector`: one connector, run by the `KafkaConnect` named in its `ferry.dev/cluster` label.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::config::{managed_connector_key, ConfigMap, ConfigValue};
use crate::status::KafkaConnectorStatus;

/// Desired state of one connector.
///
/// Bound to the `KafkaConnect` of the same namespace named by its label `ferry.dev/cluster`. The
/// schema checks what it can say at admission (enums, minimums, managed config keys, topics of the
/// FileStream sink); validating `config` against the connector's own config definition is the
/// operator's job, reported as `Ready=False`, reason `InvalidConfig`.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "ferry.dev",
    version = "v1beta1",
    kind = "KafkaConnector",
    plural = "kafkaconnectors",
    singular = "kafkaconnector",
    shortname = "fkctr",
    category = "ferry",
    namespaced,
    status = "KafkaConnectorStatus",
    derive = "PartialEq",
    doc = "A connector run by the KafkaConnect named in its label ferry.dev/cluster.",
    scale(
        spec_replicas_path = ".spec.tasksMax",
        status_replicas_path = ".status.tasksMax",
        label_selector_path = ".status.labelSelector"
    ),
    printcolumn = r#"{"name":"Cluster","type":"string","description":"KafkaConnect running this connector","jsonPath":".metadata.labels.ferry\\.dev/cluster"}"#,
    printcolumn = r#"{"name":"Class","type":"string","description":"Connector class","jsonPath":".spec.class"}"#,
    printcolumn = r#"{"name":"Tasks","type":"integer","description":"Maximum number of tasks","jsonPath":".spec.tasksMax"}"#,
    printcolumn = r#"{"name":"State","type":"string","description":"Desired state","jsonPath":".spec.state"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","description":"Status of the Ready condition","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Reason of the Ready condition","jsonPath":".status.conditions[?(@.type==\"Ready\")].reason","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "!(self.class in ['FileStreamSink', 'FileStreamSinkConnector', 'org.apache.kafka.connect.file.FileStreamSinkConnector']) || (has(self.config) && has(self.config.topics) != has(self.config.topics__dot__regex))",
    "message": "a FileStreamSink connector needs exactly one of config.topics and config.topics.regex",
    "fieldPath": ".config"
}]))]
pub struct KafkaConnectorSpec {
    /// Connector class or alias, for example `org.apache.kafka.connect.file.FileStreamSourceConnector`
    /// or `FileStreamSource` (connector config `connector.class`). Strimzi: spec.class.
    #[schemars(length(min = 1))]
    pub class: String,
    /// Maximum number of tasks (connector config `tasks.max`). Scale subresource, so `kubectl scale`,
    /// an HPA or KEDA can change it. Strimzi: spec.tasksMax.
    #[serde(default = "default_tasks_max")]
    #[schemars(range(min = 1))]
    pub tasks_max: i32,
    #[serde(default, skip_serializing_if = "ConfigMap::is_empty")]
    #[schemars(schema_with = "crate::config::connector_config_schema")]
    pub config: ConfigMap,
    /// Desired state: `running`, `paused` (tasks stay assigned but idle) or `stopped` (tasks shut
    /// down, config and offsets kept). Strimzi: spec.state.
    #[serde(default)]
    pub state: ConnectorTargetState,
    /// Automatic restart of a failed connector or failed tasks, with back-off. Strimzi:
    /// spec.autoRestart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_restart: Option<AutoRestart>,
    /// Where `kubectl annotate kafkaconnector NAME ferry.dev/connector-offsets=list` writes the
    /// connector's offsets: a ConfigMap (created or replaced, owned by this connector) whose key
    /// `offsets.json` holds Kafka Connect's `GET /connectors/{name}/offsets` document. Strimzi:
    /// spec.listOffsets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_offsets: Option<ListOffsets>,
    /// Where `ferry.dev/connector-offsets=alter` reads the offsets to write: a ConfigMap whose key
    /// `offsets.json` holds Kafka Connect's `PATCH /connectors/{name}/offsets` body. Strimzi:
    /// spec.alterOffsets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alter_offsets: Option<AlterOffsets>,
}

/// Destination of listed offsets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListOffsets {
    /// The ConfigMap to write (`offsets.json`).
    pub to_config_map: LocalObjectName,
}

/// Source of offsets to alter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlterOffsets {
    /// The ConfigMap to read (`offsets.json`).
    pub from_config_map: LocalObjectName,
}

/// An object of the connector's namespace, by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LocalObjectName {
    /// Name.
    #[schemars(length(min = 1))]
    pub name: String,
}

/// The annotation that lists, alters or resets a stopped connector's offsets.
pub const OFFSETS_ANNOTATION: &str = "ferry.dev/connector-offsets";
/// The ConfigMap key of offsets documents (as Strimzi's).
pub const OFFSETS_KEY: &str = "offsets.json";

fn default_tasks_max() -> i32 {
    1
}

/// Desired state of a connector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorTargetState {
    /// The connector and its tasks run.
    #[default]
    Running,
    /// The connector and its tasks are paused.
    Paused,
    /// The connector's tasks are shut down; its config and offsets are kept.
    Stopped,
}

/// Automatic restart policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoRestart {
    /// Restart a failed connector or failed tasks automatically (default true).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Maximum number of restarts before giving up; unset means no limit. The count resets once
    /// the connector has been healthy for a while.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_restarts: Option<i32>,
}

impl Default for AutoRestart {
    fn default() -> Self {
        AutoRestart {
            enabled: true,
            max_restarts: None,
        }
    }
}

fn default_true() -> bool {
    true
}

impl KafkaConnectorSpec {
    /// A spec for `class` with one task, running, and no config.
    pub fn new(class: impl Into<String>) -> Self {
        KafkaConnectorSpec {
            class: class.into(),
            tasks_max: default_tasks_max(),
            config: ConfigMap::new(),
            state: ConnectorTargetState::Running,
            auto_restart: None,
            list_offsets: None,
            alter_offsets: None,
        }
    }
}

impl KafkaConnector {
    /// The connector config the worker runs and the operator validates: `spec.config` as strings,
    /// plus `name`, `connector.class` and `tasks.max` from their dedicated fields. A managed key in
    /// `spec.config`, or a value that is not a string, number or boolean, is an error naming the key.
    pub fn connector_config(&self) -> Result<BTreeMap<String, String>, String> {
        let mut props = BTreeMap::new();
        for (key, value) in &self.spec.config {
            if let Some(managed) = managed_connector_key(key) {
                return Err(managed.message(key));
            }
            match value {
                ConfigValue::Unsupported(v) => {
                    return Err(format!(
                        "config key '{key}' has value {v}, which is not a string, number or boolean"
                    ))
                }
                other => {
                    props.insert(key.clone(), other.to_property().unwrap_or_default());
                }
            }
        }
        props.insert(
            "name".to_owned(),
            self.metadata.name.clone().unwrap_or_default(),
        );
        props.insert("connector.class".to_owned(), self.spec.class.clone());
        props.insert("tasks.max".to_owned(), self.spec.tasks_max.to_string());
        Ok(props)
    }

    /// The `KafkaConnect` this connector is bound to (its `ferry.dev/cluster` label).
    pub fn cluster_name(&self) -> Option<&str> {
        self.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(crate::labels::CLUSTER_LABEL))
            .map(String::as_str)
    }
}
