//! `KafkaConnect`: a group of Ferry workers that run the connectors bound to it.

use k8s_openapi::api::core::v1::ResourceRequirements;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{ClientAuthentication, ClientTls, ConnectTemplate, Logging, ProbeSettings};
use crate::config::ConfigMap;
use crate::status::KafkaConnectStatus;

/// Desired state of a group of Ferry workers (a Kafka Connect cluster).
///
/// The operator turns it into a ConfigMap with the worker properties, a Deployment of `ferry-worker`,
/// a Service for the REST API and metrics, a PodDisruptionBudget and the workers' RBAC.
/// `KafkaConnector`s join it with the label `ferry.dev/cluster: <name>`.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "ferry.dev",
    version = "v1beta1",
    kind = "KafkaConnect",
    plural = "kafkaconnects",
    singular = "kafkaconnect",
    shortname = "fkc",
    category = "ferry",
    namespaced,
    status = "KafkaConnectStatus",
    derive = "PartialEq",
    doc = "A group of Ferry workers (a Kafka Connect cluster). KafkaConnectors bind to it with the label ferry.dev/cluster: <name>.",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.labelSelector"
    ),
    printcolumn = r#"{"name":"Replicas","type":"integer","description":"Desired number of worker pods","jsonPath":".spec.replicas"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","description":"Status of the Ready condition","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Reason of the Ready condition","jsonPath":".status.conditions[?(@.type==\"Ready\")].reason"}"#,
    printcolumn = r#"{"name":"URL","type":"string","description":"REST API URL inside the cluster","jsonPath":".status.url","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct KafkaConnectSpec {
    /// Number of worker pods. 0 stops all workers (connectors then report Ready=False, reason
    /// ClusterNotReady). Scale subresource, so `kubectl scale` and an HPA work. Strimzi: spec.replicas.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0))]
    pub replicas: i32,
    /// Worker container image. Defaults to the operator's `ferry-worker` image of the same version.
    /// Strimzi: spec.image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Kafka bootstrap servers, comma-separated `host:port` (worker config `bootstrap.servers`).
    /// Strimzi: spec.bootstrapServers.
    #[schemars(length(min = 1))]
    pub bootstrap_servers: String,
    /// Kafka Connect group id of the workers (worker config `group.id`). Strimzi: spec.groupId.
    #[schemars(length(min = 1))]
    pub group_id: String,
    /// Kafka topic holding source connector offsets, in Kafka Connect's own format, so offsets
    /// survive pod restarts and are compatible with Kafka Connect. Strimzi: spec.offsetStorageTopic.
    #[schemars(length(min = 1))]
    pub offset_storage_topic: String,
    /// Accepted for Strimzi compatibility and unused: Ferry keeps connector configs in the
    /// KafkaConnector resources, not in a Kafka topic. Strimzi: spec.configStorageTopic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_storage_topic: Option<String>,
    /// Accepted for Strimzi compatibility and unused: Ferry writes connector and task status into
    /// the KafkaConnector status, not into a Kafka topic. Strimzi: spec.statusStorageTopic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_storage_topic: Option<String>,
    #[serde(default, skip_serializing_if = "ConfigMap::is_empty")]
    #[schemars(schema_with = "crate::config::connect_config_schema")]
    pub config: ConfigMap,
    /// TLS towards the brokers. Strimzi: spec.tls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Authentication towards the brokers. Strimzi: spec.authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<ClientAuthentication>,
    /// CPU and memory requests and limits of each worker container. Strimzi: spec.resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Liveness probe timing (HTTP GET /health). Strimzi: spec.livenessProbe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<ProbeSettings>,
    /// Readiness probe timing (HTTP GET /health). Strimzi: spec.readinessProbe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ProbeSettings>,
    /// Worker log levels. Strimzi: spec.logging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Customisation of the generated Deployment, pods, container, Service and
    /// PodDisruptionBudget. Strimzi: spec.template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ConnectTemplate>,
}

fn default_replicas() -> i32 {
    1
}

impl KafkaConnectSpec {
    /// A minimal spec with the required fields and defaults for everything else.
    pub fn new(
        bootstrap_servers: impl Into<String>,
        group_id: impl Into<String>,
        offset_storage_topic: impl Into<String>,
    ) -> Self {
        KafkaConnectSpec {
            replicas: default_replicas(),
            image: None,
            bootstrap_servers: bootstrap_servers.into(),
            group_id: group_id.into(),
            offset_storage_topic: offset_storage_topic.into(),
            config_storage_topic: None,
            status_storage_topic: None,
            config: ConfigMap::new(),
            tls: None,
            authentication: None,
            resources: None,
            liveness_probe: None,
            readiness_probe: None,
            logging: None,
            template: None,
        }
    }
}
