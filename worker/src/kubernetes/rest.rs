//! The REST API in Kubernetes mode: reads are served by the runtime; every write answers 409 with
//! Kafka's error body, saying that the `KafkaConnector` resource is the place to change (it is the
//! source of truth, and a write here would be undone by the next watch event anyway).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::{ConfigInfos, ConfigKeyInfo, Props};
use crate::rest::entities::{
    ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, PluginInfo, ServerInfo, TaskInfo,
    TaskState, WorkerStatus,
};
use crate::rest::herder::{Herder, HerderError, HerderResult, TargetState};

/// A [`Herder`] that delegates reads to `inner` and refuses writes.
pub struct ManagedHerder {
    inner: Arc<dyn Herder>,
    namespace: String,
    cluster: String,
}

impl ManagedHerder {
    pub fn new(inner: Arc<dyn Herder>, namespace: &str, cluster: &str) -> Self {
        ManagedHerder {
            inner,
            namespace: namespace.to_string(),
            cluster: cluster.to_string(),
        }
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
        self.inner.connector_status(name).await
    }
    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        self.inner.task_configs(name).await
    }
    async fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskState> {
        self.inner.task_status(name, task).await
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
