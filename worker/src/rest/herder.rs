//! What the REST API asks of the worker: the `Herder` (Kafka Connect's name for the component that owns
//! connector configs, target states and status). The standalone runtime implements it; so will the
//! Kubernetes mode, where writes are refused because the resources are the source of truth.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::entities::{
    ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, PluginInfo, ServerInfo, TaskInfo,
    TaskState, WorkerStatus,
};
use crate::config::{ConfigInfos, ConfigKeyInfo, Props};

/// A connector's requested state (`TargetState`); `initial_state` RUNNING maps to `Started`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Started,
    Paused,
    Stopped,
}

/// A failed herder call. Each variant maps to the HTTP status Kafka Connect answers with; the message is
/// Kafka's text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HerderError {
    /// 400
    #[error("{0}")]
    BadRequest(String),
    /// 403
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 409
    #[error("{0}")]
    Conflict(String),
    /// 500
    #[error("{0}")]
    Internal(String),
}

impl HerderError {
    pub fn status_code(&self) -> u16 {
        match self {
            HerderError::BadRequest(_) => 400,
            HerderError::Forbidden(_) => 403,
            HerderError::NotFound(_) => 404,
            HerderError::Conflict(_) => 409,
            HerderError::Internal(_) => 500,
        }
    }
}

pub type HerderResult<T> = Result<T, HerderError>;

/// The operations behind Kafka Connect's REST API (§7.3 of the reference).
#[async_trait]
pub trait Herder: Send + Sync + 'static {
    fn server_info(&self) -> ServerInfo;
    fn health(&self) -> WorkerStatus;
    fn worker_id(&self) -> String;

    async fn connectors(&self) -> Vec<String>;
    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo>;
    async fn connector_config(&self, name: &str) -> HerderResult<Props>;
    /// Creates a connector. `config` values may be null, which is a validation error.
    async fn create_connector(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
        initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo>;
    /// Creates or replaces a connector's config; `true` when it was created.
    async fn put_connector_config(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<(bool, ConnectorInfo)>;
    /// Merges a patch into the config; a null value removes the key.
    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo>;
    async fn delete_connector(&self, name: &str) -> HerderResult<()>;

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo>;
    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>>;
    async fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskState>;
    async fn restart_task(&self, name: &str, task: u32) -> HerderResult<()>;
    /// Restarts per `includeTasks`/`onlyFailed`. Returns the status showing `RESTARTING` instances when
    /// either flag is set (answered with 202), `None` for a plain connector restart (204).
    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>>;
    async fn pause_connector(&self, name: &str) -> HerderResult<()>;
    async fn resume_connector(&self, name: &str) -> HerderResult<()>;
    async fn stop_connector(&self, name: &str) -> HerderResult<()>;

    async fn connector_topics(&self, name: &str) -> HerderResult<Vec<String>>;
    async fn reset_connector_topics(&self, name: &str) -> HerderResult<()>;

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets>;
    /// Alters offsets; returns the success message Kafka sends.
    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<String>;
    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<String>;

    fn connector_plugins(&self, connectors_only: bool) -> Vec<PluginInfo>;
    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>>;
    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConfigInfos>;

    /// The Prometheus text for `/metrics`.
    fn metrics_text(&self) -> String;
}
