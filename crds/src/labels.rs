//! Names shared by the operator, the worker and tooling: API group and version, labels, condition
//! types and condition reasons.

/// API group of Ferry's custom resources.
pub const GROUP: &str = "ferry.dev";
/// API version of Ferry's custom resources.
pub const VERSION: &str = "v1beta1";
/// `apiVersion` as written in manifests.
pub const API_VERSION: &str = "ferry.dev/v1beta1";

/// Label on a `KafkaConnector` naming the `KafkaConnect` (same namespace) that runs it.
///
/// Strimzi's equivalent is `strimzi.io/cluster`. The operator also puts this label on every object it
/// creates for a `KafkaConnect`, including the worker pods, so `ferry.dev/cluster=<name>` selects them.
pub const CLUSTER_LABEL: &str = "ferry.dev/cluster";

/// Category shared by both kinds: `kubectl get ferry` lists every KafkaConnect and KafkaConnector.
pub const CATEGORY: &str = "ferry";

/// Condition types written into `status.conditions`.
pub mod condition_types {
    /// The resource is reconciled and working. Always present on a reconciled object, `True` or
    /// `False` (never left missing on failure), so `kubectl wait --for=condition=Ready` works.
    pub const READY: &str = "Ready";
}

/// Reasons of the `Ready` condition (CamelCase, a stable API for tooling such as Argo CD checks).
pub mod reasons {
    /// `Ready=True`: everything requested is in place and healthy.
    pub const RECONCILED: &str = "Reconciled";
    /// `Ready=True`: the connector is paused as requested by `spec.state`.
    pub const PAUSED: &str = "Paused";
    /// `Ready=True`: the connector is stopped as requested by `spec.state`.
    pub const STOPPED: &str = "Stopped";
    /// `Ready=False`: the spec or the connector config is invalid; the message names the key and the
    /// problem.
    pub const INVALID_CONFIG: &str = "InvalidConfig";
    /// `Ready=False`: `spec.class` is not a connector this Ferry build knows.
    pub const UNKNOWN_CONNECTOR_CLASS: &str = "UnknownConnectorClass";
    /// `Ready=False`: the `KafkaConnector` has no `ferry.dev/cluster` label.
    pub const MISSING_CLUSTER_LABEL: &str = "MissingClusterLabel";
    /// `Ready=False`: the `KafkaConnect` named by `ferry.dev/cluster` does not exist in the namespace.
    pub const CLUSTER_NOT_FOUND: &str = "ClusterNotFound";
    /// `Ready=False`: the bound `KafkaConnect` exists but is not ready (or has 0 replicas).
    pub const CLUSTER_NOT_READY: &str = "ClusterNotReady";
    /// `Ready=False`: a Secret or ConfigMap named in the spec does not exist or lacks the key.
    pub const REFERENCE_NOT_FOUND: &str = "ReferenceNotFound";
    /// `Ready=False`: the worker Deployment is rolling out or not all replicas are available yet.
    pub const DEPLOYMENT_PROGRESSING: &str = "DeploymentProgressing";
    /// `Ready=False`: the Kubernetes API refused to apply a desired object; the message says why.
    pub const APPLY_FAILED: &str = "ApplyFailed";
    /// `Ready=False`: the connector failed; see `status.connectorStatus.connector.trace`.
    pub const CONNECTOR_FAILED: &str = "ConnectorFailed";
    /// `Ready=False`: one or more tasks failed; the message lists their ids.
    pub const TASKS_FAILED: &str = "TasksFailed";
    /// `Ready=False`: the connector's tasks are not all assigned and running yet.
    pub const TASKS_PENDING: &str = "TasksPending";
    /// `Ready=False`: the cluster has no ready worker pod to run the connector on.
    pub const NO_WORKERS: &str = "NoWorkers";
    /// `Ready=False`: tasks are moving between worker pods (a pod joined, left, or the task count
    /// changed).
    pub const REBALANCING: &str = "Rebalancing";
    /// `Ready=False`: the workers have not yet restarted the tasks with the latest spec.
    pub const UPDATING: &str = "Updating";
}
