//! The REST API in Kubernetes mode: reads are served by the runtime; every write answers 409 with
//! Kafka's error body, saying that the `KafkaConnector` resource is the place to change (it is the
//! source of truth, and a write here would be undone by the next watch event anyway).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use ferry_crds::status::{ConnectorState, ConnectorStatus, ConnectorType as ResourceType};
use ferry_crds::KafkaConnector;
use kube::runtime::reflector::{ObjectRef, Store};

use crate::config::{ConfigInfos, ConfigKeyInfo, Props};
use crate::rest::entities::{
    ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, ConnectorType, InstanceState, PluginInfo,
    ServerInfo, TaskInfo, TaskState, WorkerStatus,
};
use crate::rest::herder::{Herder, HerderError, HerderResult, TargetState};

/// A [`Herder`] that delegates reads to `inner` and refuses writes. Status reads answer from the
/// resource's `connectorStatus` (the operator's fold of every pod's report) when the watched
/// resource has one, so any pod shows the whole connector, not only its own units.
pub struct ManagedHerder {
    inner: Arc<dyn Herder>,
    namespace: String,
    cluster: String,
    resources: Option<Store<KafkaConnector>>,
}

impl ManagedHerder {
    pub fn new(inner: Arc<dyn Herder>, namespace: &str, cluster: &str) -> Self {
        ManagedHerder {
            inner,
            namespace: namespace.to_string(),
            cluster: cluster.to_string(),
            resources: None,
        }
    }

    /// Status reads from the watched resources (see the type's documentation).
    pub fn with_resources(mut self, resources: Store<KafkaConnector>) -> Self {
        self.resources = Some(resources);
        self
    }

    /// The resource's folded status of connector `name`, once the operator wrote one.
    fn folded(&self, name: &str) -> Option<ConnectorStateInfo> {
        let key = ObjectRef::new(name).within(&self.namespace);
        let object = self.resources.as_ref()?.get(&key)?;
        let cs = object.status.as_ref()?.connector_status.as_ref()?;
        Some(state_info(cs))
    }

    /// The 409 for a write to connector `name`.
    pub fn managed(&self, name: &str) -> HerderError {
        let ns = &self.namespace;
        HerderError::Conflict(format!(
            "Connector {name} is managed by the KafkaConnector resource {ns}/{name}; change the resource instead (for example kubectl edit kafkaconnector {name} -n {ns})"
        ))
    }

    /// The 409 for creating a connector.
    pub fn create_refused(&self) -> HerderError {
        HerderError::Conflict(format!(
            "Connectors of this worker are managed by KafkaConnector resources in namespace {}; create one with the label {}={}",
            self.namespace,
            ferry_crds::CLUSTER_LABEL,
            self.cluster
        ))
    }
}

/// The resource's `connectorStatus` in the REST API's shape (the same document, typed).
pub fn state_info(cs: &ConnectorStatus) -> ConnectorStateInfo {
    let state = |s: ConnectorState| {
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let mut tasks: Vec<TaskState> = cs
        .tasks
        .iter()
        .filter_map(|t| {
            Some(TaskState {
                id: u32::try_from(t.id).ok()?,
                state: state(t.state),
                worker_id: t.worker_id.clone().unwrap_or_default(),
                trace: t.trace.clone(),
            })
        })
        .collect();
    tasks.sort_by_key(|t| t.id);
    ConnectorStateInfo {
        name: cs.name.clone(),
        connector: InstanceState {
            state: state(cs.connector.state),
            worker_id: cs.connector.worker_id.clone().unwrap_or_default(),
            trace: cs.connector.trace.clone(),
        },
        tasks,
        connector_type: match cs.type_ {
            Some(ResourceType::Source) => ConnectorType::Source,
            Some(ResourceType::Sink) => ConnectorType::Sink,
            _ => ConnectorType::Unknown,
        },
    }
}

#[async_trait]
impl Herder for ManagedHerder {
    fn server_info(&self) -> ServerInfo {
        self.inner.server_info()
    }
    fn health(&self) -> WorkerStatus {
        self.inner.health()
    }
    fn worker_id(&self) -> String {
        self.inner.worker_id()
    }
    async fn connectors(&self) -> Vec<String> {
        self.inner.connectors().await
    }
    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        self.inner.connector_info(name).await
    }
    async fn connector_config(&self, name: &str) -> HerderResult<Props> {
        self.inner.connector_config(name).await
    }
    async fn create_connector(
        &self,
        _name: &str,
        _config: BTreeMap<String, Option<String>>,
        _initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        Err(self.create_refused())
    }
    async fn put_connector_config(
        &self,
        name: &str,
        _config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        Err(self.managed(name))
    }
    async fn patch_connector_config(
        &self,
        name: &str,
        _patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        Err(self.managed(name))
    }
    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        match self.folded(name) {
            Some(info) => Ok(info),
            None => self.inner.connector_status(name).await,
        }
    }
    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        self.inner.task_configs(name).await
    }
    async fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskState> {
        match self.folded(name) {
            Some(info) => info
                .tasks
                .into_iter()
                .find(|t| t.id == task)
                .ok_or_else(|| HerderError::NotFound(format!("Task {name}-{task} not found"))),
            None => self.inner.task_status(name, task).await,
        }
    }
    async fn restart_task(&self, name: &str, _task: u32) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn restart_connector(
        &self,
        name: &str,
        _include_tasks: bool,
        _only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        Err(self.managed(name))
    }
    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn connector_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        self.inner.connector_topics(name).await
    }
    async fn reset_connector_topics(&self, name: &str) -> HerderResult<()> {
        Err(self.managed(name))
    }
    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        self.inner.connector_offsets(name).await
    }
    async fn alter_connector_offsets(
        &self,
        name: &str,
        _offsets: ConnectorOffsets,
    ) -> HerderResult<String> {
        Err(self.managed(name))
    }
    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<String> {
        Err(self.managed(name))
    }
    fn connector_plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        self.inner.connector_plugins(connectors_only)
    }
    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        self.inner.connector_plugin_config(plugin)
    }
    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConfigInfos> {
        self.inner.validate_connector_config(plugin, config).await
    }
    fn metrics_text(&self) -> String {
        self.inner.metrics_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reads_show_the_resources_fold_of_every_pod() {
        use ferry_crds::status::{ConnectorInstanceStatus, TaskStatus};
        let cs = ConnectorStatus {
            name: "sink".into(),
            connector: ConnectorInstanceStatus {
                state: ConnectorState::Running,
                worker_id: Some("pod-a:8083".into()),
                trace: None,
            },
            tasks: vec![
                TaskStatus {
                    id: 1,
                    state: ConnectorState::Failed,
                    worker_id: Some("pod-b:8083".into()),
                    trace: Some("boom".into()),
                },
                TaskStatus {
                    id: 0,
                    state: ConnectorState::Unassigned,
                    worker_id: None,
                    trace: None,
                },
            ],
            type_: Some(ResourceType::Sink),
        };
        let info = state_info(&cs);
        let json = serde_json::to_value(&info).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "name": "sink",
                "connector": {"state": "RUNNING", "worker_id": "pod-a:8083"},
                "tasks": [
                    {"id": 0, "state": "UNASSIGNED", "worker_id": ""},
                    {"id": 1, "state": "FAILED", "worker_id": "pod-b:8083", "trace": "boom"}
                ],
                "type": "sink"
            })
        );
    }
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use tower::ServiceExt;

    use crate::rest::tests::memory_herder::MemoryHerder;

    fn managed() -> ManagedHerder {
        ManagedHerder::new(Arc::new(MemoryHerder::new()), "ns", "my-connect")
    }

    async fn send(method: Method, uri: &str, body: &str) -> (StatusCode, serde_json::Value) {
        let router = crate::rest::router(Arc::new(managed()));
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .expect("a request");
        let response = router.oneshot(request).await.expect("a response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    #[test]
    fn messages_name_the_resource_to_change() {
        let h = managed();
        let e = h.managed("src");
        assert_eq!(e.status_code(), 409);
        assert_eq!(e.to_string(), "Connector src is managed by the KafkaConnector resource ns/src; change the resource instead (for example kubectl edit kafkaconnector src -n ns)");
        assert_eq!(h.create_refused().to_string(), "Connectors of this worker are managed by KafkaConnector resources in namespace ns; create one with the label ferry.dev/cluster=my-connect");
    }

    #[tokio::test]
    async fn writes_answer_409_with_kafkas_error_body_and_reads_are_served() {
        let (status, body) = send(Method::GET, "/connectors", "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = send(
            Method::POST,
            "/connectors",
            r#"{"name":"x","config":{"connector.class":"FileStreamSource"}}"#,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error_code"], 409);
        assert!(body["message"]
            .as_str()
            .is_some_and(|m| m.contains("label ferry.dev/cluster=my-connect")));
        for (method, uri, body) in [
            (
                Method::PUT,
                "/connectors/src/config",
                r#"{"connector.class":"FileStreamSource"}"#,
            ),
            (Method::PUT, "/connectors/src/pause", ""),
            (Method::PUT, "/connectors/src/resume", ""),
            (Method::PUT, "/connectors/src/stop", ""),
            (Method::POST, "/connectors/src/restart", ""),
            (Method::POST, "/connectors/src/tasks/0/restart", ""),
            (Method::DELETE, "/connectors/src", ""),
            (Method::DELETE, "/connectors/src/offsets", ""),
            (Method::PUT, "/connectors/src/topics/reset", ""),
        ] {
            let (status, reply) = send(method.clone(), uri, body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{method} {uri}: {reply}");
            assert_eq!(
                reply["message"],
                "Connector src is managed by the KafkaConnector resource ns/src; change the resource instead (for example kubectl edit kafkaconnector src -n ns)",
                "{method} {uri}"
            );
        }
    }
}
