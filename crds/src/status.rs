//! Status subresources of both kinds, in the Kubernetes shape (`conditions` + `observedGeneration`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::labels::condition_types;
use crate::placement::{Assignment, OffsetsRequest, WorkerReports};

/// Observed state of a `KafkaConnect`, written by the operator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KafkaConnectStatus {
    /// Conditions in the Kubernetes shape. `Ready` is always present once the operator reconciled
    /// the resource, `True` or `False` with a CamelCase reason and a message saying what to do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Current number of worker pods (scale subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Label selector of the worker pods, as a string (scale subresource, used by HPA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// URL of the workers' REST API inside the cluster, for example
    /// `http://my-connect-connect-api.ns.svc:8083`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Connector, converter and transformation plugins the workers provide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connector_plugins: Vec<ConnectorPlugin>,
}

/// A plugin available on the workers, as listed by `GET /connector-plugins`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorPlugin {
    /// Fully qualified class name, for example `org.apache.kafka.connect.file.FileStreamSourceConnector`.
    pub class: String,
    /// Plugin type: `source`, `sink`, `converter`, `header_converter`, `transformation` or `predicate`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Plugin version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Observed state of a `KafkaConnector`, written by the operator (and by the workers for the
/// connector and task states).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KafkaConnectorStatus {
    /// Conditions in the Kubernetes shape. `Ready` is always present once the operator reconciled
    /// the resource, `True` or `False` with a CamelCase reason and a message saying what to do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Connector and task states, in the shape of Kafka Connect's `GET /connectors/{name}/status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_status: Option<ConnectorStatus>,
    /// The tasksMax in effect (scale subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_max: Option<i32>,
    /// Label selector of the worker pods running this connector, as a string (scale subresource, so
    /// an HPA or KEDA can scale `tasksMax`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// Sorted topics the connector has used (Kafka Connect's `GET /connectors/{name}/topics`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Automatic restarts of the failed connector or tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_restart: Option<AutoRestartStatus>,
    /// Which worker pod runs the connector instance and each task. Written by the operator only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// What each worker pod reports running, by pod name. Each pod writes its own entry only; the
    /// operator folds them into `connectorStatus` and removes the entries of pods that are gone.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub workers: WorkerReports,
    /// The offsets operation in progress (from the `ferry.dev/connector-offsets` annotation),
    /// written by the operator, carried out by the named worker pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets_request: Option<OffsetsRequest>,
}

/// Kafka Connect's connector status document (field names as in Kafka Connect's REST API).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConnectorStatus {
    /// Connector name (the KafkaConnector's `metadata.name`).
    pub name: String,
    /// State of the connector instance.
    pub connector: ConnectorInstanceStatus,
    /// State of each task. A list keyed by `id`, so each worker can own, by server-side apply, the
    /// entries of the tasks it runs without overwriting the others'.
    #[serde(default)]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["id"]))]
    pub tasks: Vec<TaskStatus>,
    /// Connector type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<ConnectorType>,
}

/// State of the connector instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConnectorInstanceStatus {
    /// Connector state.
    pub state: ConnectorState,
    /// Worker (pod) running the connector, `host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Stack trace or error message of a FAILED connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// State of one task.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskStatus {
    /// Task id, 0-based.
    pub id: i32,
    /// Task state.
    pub state: ConnectorState,
    /// Worker (pod) running the task, `host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Stack trace or error message of a FAILED task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// Runtime state of a connector or task, as Kafka Connect names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectorState {
    /// Not yet assigned to a worker.
    #[default]
    Unassigned,
    /// Running.
    Running,
    /// Paused (`spec.state: paused`).
    Paused,
    /// Stopped (`spec.state: stopped`): tasks shut down, config kept.
    Stopped,
    /// Failed; see `trace`.
    Failed,
    /// Being restarted.
    Restarting,
}

/// Connector type as reported by Kafka Connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    /// Reads from an external system into Kafka.
    Source,
    /// Writes from Kafka into an external system.
    Sink,
    /// Not known (class not loaded).
    Unknown,
}

/// Bookkeeping of automatic restarts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoRestartStatus {
    /// Restarts since the connector was last healthy.
    #[serde(default)]
    pub count: i32,
    /// Time of the last restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_restart_timestamp: Option<Time>,
    /// Name of the restarted connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_name: Option<String>,
}

/// The condition of `type` in `conditions`, if present.
pub fn find_condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether `conditions` hold `Ready=True`.
pub fn is_ready(conditions: &[Condition]) -> bool {
    find_condition(conditions, condition_types::READY).is_some_and(|c| c.status == "True")
}

impl KafkaConnectStatus {
    /// The `Ready` condition, if the operator wrote one.
    pub fn ready(&self) -> Option<&Condition> {
        find_condition(&self.conditions, condition_types::READY)
    }
}

impl KafkaConnectorStatus {
    /// The `Ready` condition, if the operator wrote one.
    pub fn ready(&self) -> Option<&Condition> {
        find_condition(&self.conditions, condition_types::READY)
    }
}
