//! The JSON entities of Kafka Connect's REST API (`connect/runtime/.../rest/entities`), field for field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Props;

/// `GET /`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServerInfo {
    pub version: String,
    pub commit: String,
    pub kafka_cluster_id: Option<String>,
}

/// `GET /health` (KIP-1017).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkerStatus {
    /// `healthy`, `starting` or `unhealthy`.
    pub status: String,
    pub message: String,
}

/// Whether a connector is a source or a sink (`ConnectorType`), lower case in JSON.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    Source,
    Sink,
    Unknown,
}

/// `{"connector":"c","task":0}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: u32,
}

/// `ConnectorInfo`: `{"name","config","tasks","type"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: Props,
    pub tasks: Vec<ConnectorTaskId>,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// The state of a connector or task instance (`{"state","worker_id"[,"trace"]}`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstanceState {
    pub state: String,
    pub worker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// One task in `ConnectorStateInfo.tasks`: `{"id","state","worker_id"[,"trace"]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskState {
    pub id: u32,
    pub state: String,
    pub worker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `ConnectorStateInfo`: `{"name","connector","tasks","type"}`; tasks sorted by id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConnectorStateInfo {
    pub name: String,
    pub connector: InstanceState,
    pub tasks: Vec<TaskState>,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// `TaskInfo`: `{"id":{"connector","task"},"config":{...}}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskInfo {
    pub id: ConnectorTaskId,
    pub config: Props,
}

/// One partition's offset: `{"partition":{...},"offset":{...}|null}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConnectorOffset {
    pub partition: serde_json::Map<String, serde_json::Value>,
    pub offset: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `ConnectorOffsets`: `{"offsets":[...]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ConnectorOffsets {
    pub offsets: Vec<ConnectorOffset>,
}

/// `{"message":"..."}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub message: String,
}

/// `PluginInfo`: `{"class","type","version"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PluginInfo {
    #[serde(rename = "class")]
    pub class_name: String,
    #[serde(rename = "type")]
    pub plugin_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `POST /connectors` body: `{"name","config","initial_state"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreateConnectorRequest {
    pub name: Option<String>,
    #[serde(default)]
    pub config: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    pub initial_state: Option<String>,
}

/// The error body of every failed request: `{"error_code":N,"message":"..."}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorMessage {
    pub error_code: u16,
    pub message: String,
}
