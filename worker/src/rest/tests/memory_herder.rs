//! An in-memory `Herder` for driving the router: a map of connectors with configs and target states,
//! answering with the standalone herder's error texts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::config::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo, Props};
use crate::rest::entities::{
    ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorStateInfo, ConnectorTaskId,
    ConnectorType, InstanceState, PluginInfo, ServerInfo, TaskInfo, TaskState, WorkerStatus,
};
use crate::rest::herder::{Herder, HerderError, HerderResult, TargetState};

pub const WORKER_ID: &str = "worker:8083";
pub const SOURCE_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
pub const SINK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

#[derive(Debug, Clone)]
struct Connector {
    config: Props,
    target: TargetState,
    offsets: Vec<ConnectorOffset>,
}

impl Connector {
    /// `tasks.max` tasks while running or paused; a stopped connector has none.
    fn task_count(&self) -> u32 {
        if self.target == TargetState::Stopped {
            return 0;
        }
        self.config
            .get("tasks.max")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    }

    fn connector_type(&self) -> ConnectorType {
        match self.config.get("connector.class").map(String::as_str) {
            Some(SINK_CLASS) => ConnectorType::Sink,
            Some(_) => ConnectorType::Source,
            None => ConnectorType::Unknown,
        }
    }

    /// A connector configured with `test.fail=true` reports FAILED instances.
    fn state(&self) -> &'static str {
        if self.config.get("test.fail").map(String::as_str) == Some("true") {
            return "FAILED";
        }
        match self.target {
            TargetState::Started => "RUNNING",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    fn trace(&self) -> Option<String> {
        (self.state() == "FAILED").then(|| "java.lang.RuntimeException: boom".to_owned())
    }
}

pub struct MemoryHerder {
    connectors: Mutex<BTreeMap<String, Connector>>,
    health: Mutex<WorkerStatus>,
    topic_tracking: bool,
}

impl MemoryHerder {
    pub fn new() -> Self {
        Self::with_topic_tracking(true)
    }

    pub fn with_topic_tracking(topic_tracking: bool) -> Self {
        Self {
            connectors: Mutex::new(BTreeMap::new()),
            health: Mutex::new(WorkerStatus {
                status: "healthy".into(),
                message: "Worker has completed startup and is ready to handle requests.".into(),
            }),
            topic_tracking,
        }
    }

    pub fn set_health(&self, status: &str, message: &str) {
        *self.health.lock().unwrap() = WorkerStatus {
            status: status.into(),
            message: message.into(),
        };
    }

    /// The target state the REST layer asked for, to check `initial_state` and pause/resume/stop.
    pub fn target_of(&self, name: &str) -> Option<TargetState> {
        self.connectors.lock().unwrap().get(name).map(|c| c.target)
    }

    pub fn config_of(&self, name: &str) -> Option<Props> {
        self.connectors
            .lock()
            .unwrap()
            .get(name)
            .map(|c| c.config.clone())
    }

    fn with<T>(
        &self,
        name: &str,
        missing: impl FnOnce() -> HerderError,
        f: impl FnOnce(&mut Connector) -> HerderResult<T>,
    ) -> HerderResult<T> {
        let mut connectors = self.connectors.lock().unwrap();
        match connectors.get_mut(name) {
            Some(connector) => f(connector),
            None => Err(missing()),
        }
    }

    fn info(name: &str, connector: &Connector) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: connector.config.clone(),
            tasks: (0..connector.task_count())
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            connector_type: connector.connector_type(),
        }
    }

    fn status(
        name: &str,
        connector: &Connector,
        state: &str,
        task_state: &str,
    ) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: InstanceState {
                state: state.to_owned(),
                worker_id: WORKER_ID.to_owned(),
                trace: connector.trace(),
            },
            tasks: (0..connector.task_count())
                .map(|id| TaskState {
                    id,
                    state: task_state.to_owned(),
                    worker_id: WORKER_ID.to_owned(),
                    trace: connector.trace(),
                })
                .collect(),
            connector_type: connector.connector_type(),
        }
    }
}

fn not_found(name: &str) -> impl FnOnce() -> HerderError + '_ {
    move || HerderError::NotFound(format!("Connector {name} not found"))
}

/// Kafka's create/update validation: null values and a missing `connector.class` are 400s.
fn validate(config: BTreeMap<String, Option<String>>) -> HerderResult<Props> {
    let nulls = config.values().filter(|v| v.is_none()).count();
    if nulls > 0 {
        return Err(HerderError::BadRequest(format!(
            "Connector configuration is invalid and contains the following {nulls} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
            vec!["Null value can not be supplied as the configuration value."; nulls].join("\n")
        )));
    }
    let props: Props = config
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    if !props.contains_key("connector.class") {
        return Err(HerderError::BadRequest(format!(
            "Connector config {props:?} contains no connector type"
        )));
    }
    Ok(props)
}

fn key_info(name: &str) -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: name.to_owned(),
        config_type: "STRING".into(),
        required: false,
        default_value: None,
        importance: "HIGH".into(),
        documentation: "Source filename.".into(),
        group: None,
        order: -1,
        width: "NONE".into(),
        display_name: name.to_owned(),
        dependents: vec![],
    }
}

#[async_trait]
impl Herder for MemoryHerder {
    fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: "0.1.0".into(),
            commit: "abc123".into(),
            kafka_cluster_id: Some("cluster-1".into()),
        }
    }

    fn health(&self) -> WorkerStatus {
        self.health.lock().unwrap().clone()
    }

    fn worker_id(&self) -> String {
        WORKER_ID.into()
    }

    async fn connectors(&self) -> Vec<String> {
        self.connectors.lock().unwrap().keys().cloned().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        self.with(name, not_found(name), |c| Ok(Self::info(name, c)))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<Props> {
        self.with(name, not_found(name), |c| Ok(c.config.clone()))
    }

    async fn create_connector(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
        initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        let config = validate(config)?;
        let mut connectors = self.connectors.lock().unwrap();
        if connectors.contains_key(name) {
            return Err(HerderError::Conflict(format!(
                "Connector {name} already exists"
            )));
        }
        let connector = Connector {
            config,
            target: initial_state.unwrap_or(TargetState::Started),
            offsets: vec![],
        };
        let info = Self::info(name, &connector);
        connectors.insert(name.to_owned(), connector);
        Ok(info)
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        let config = validate(config)?;
        let mut connectors = self.connectors.lock().unwrap();
        let created = !connectors.contains_key(name);
        let connector = connectors.entry(name.to_owned()).or_insert(Connector {
            config: Props::new(),
            target: TargetState::Started,
            offsets: vec![],
        });
        connector.config = config;
        Ok((created, Self::info(name, connector)))
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        self.with(name, not_found(name), |c| {
            for (key, value) in patch {
                match value {
                    Some(value) => c.config.insert(key, value),
                    None => c.config.remove(&key),
                };
            }
            Ok(Self::info(name, c))
        })
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        match self.connectors.lock().unwrap().remove(name) {
            Some(_) => Ok(()),
            None => Err(not_found(name)()),
        }
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let missing = || HerderError::NotFound(format!("No status found for connector {name}"));
        self.with(name, missing, |c| {
            Ok(Self::status(name, c, c.state(), c.state()))
        })
    }

    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        self.with(name, not_found(name), |c| {
            Ok((0..c.task_count())
                .map(|task| {
                    let mut config = c.config.clone();
                    config.insert("task.class".into(), "FileStreamSourceTask".into());
                    TaskInfo {
                        id: ConnectorTaskId {
                            connector: name.to_owned(),
                            task,
                        },
                        config,
                    }
                })
                .collect())
        })
    }

    async fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskState> {
        let missing = || HerderError::NotFound(format!("No status found for task {name}-{task}"));
        let status = self.with(name, missing, |c| {
            Ok(Self::status(name, c, c.state(), c.state()))
        })?;
        status
            .tasks
            .into_iter()
            .find(|t| t.id == task)
            .ok_or_else(missing)
    }

    async fn restart_task(&self, name: &str, task: u32) -> HerderResult<()> {
        let missing = || HerderError::NotFound(format!("Task {name}-{task} not found"));
        self.with(name, missing, |c| {
            if task < c.task_count() {
                Ok(())
            } else {
                Err(missing())
            }
        })
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        self.with(name, not_found(name), |c| {
            if !include_tasks && !only_failed {
                return Ok(None);
            }
            let failed = c.state() == "FAILED";
            let connector_state = if !only_failed || failed {
                "RESTARTING"
            } else {
                c.state()
            };
            let task_state = if include_tasks && (!only_failed || failed) {
                "RESTARTING"
            } else {
                c.state()
            };
            Ok(Some(Self::status(name, c, connector_state, task_state)))
        })
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        let missing = || HerderError::NotFound(format!("Unknown connector {name}"));
        self.with(name, missing, |c| {
            c.target = TargetState::Paused;
            Ok(())
        })
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        let missing = || HerderError::NotFound(format!("Unknown connector {name}"));
        self.with(name, missing, |c| {
            c.target = TargetState::Started;
            Ok(())
        })
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.with(name, not_found(name), |c| {
            c.target = TargetState::Stopped;
            Ok(())
        })
    }

    async fn connector_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        if !self.topic_tracking {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        self.with(name, not_found(name), |c| {
            Ok(c.config.get("topic").cloned().into_iter().collect())
        })
    }

    async fn reset_connector_topics(&self, name: &str) -> HerderResult<()> {
        if !self.topic_tracking {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        self.with(name, not_found(name), |_| Ok(()))
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        self.with(name, not_found(name), |c| {
            Ok(ConnectorOffsets {
                offsets: c.offsets.clone(),
            })
        })
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<String> {
        self.with(name, not_found(name), |c| {
            if c.target != TargetState::Stopped {
                return Err(HerderError::BadRequest(format!(
                    "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
                )));
            }
            c.offsets = offsets.offsets;
            Ok("The offsets for this connector have been altered successfully".into())
        })
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<String> {
        self.with(name, not_found(name), |c| {
            c.offsets.clear();
            Ok("The offsets for this connector have been reset successfully".into())
        })
    }

    fn connector_plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let plugin = |class: &str, kind: &str| PluginInfo {
            class_name: class.into(),
            plugin_type: kind.into(),
            version: Some("0.1.0".into()),
        };
        let mut plugins = vec![plugin(SINK_CLASS, "sink"), plugin(SOURCE_CLASS, "source")];
        if !connectors_only {
            plugins.push(plugin(
                "org.apache.kafka.connect.transforms.InsertField$Value",
                "transformation",
            ));
        }
        plugins
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        match plugin {
            SOURCE_CLASS | "FileStreamSource" | "FileStreamSourceConnector" => {
                Ok(vec![key_info("file"), key_info("topic")])
            }
            _ => Err(HerderError::NotFound(format!("Unknown plugin {plugin}."))),
        }
    }

    async fn validate_connector_config(
        &self,
        _plugin: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConfigInfos> {
        let file = config.get("file").cloned().flatten();
        let errors = if file.is_none() {
            vec!["Missing required configuration \"file\" which has no default value.".to_owned()]
        } else {
            vec![]
        };
        Ok(ConfigInfos {
            name: config
                .get("connector.class")
                .cloned()
                .flatten()
                .unwrap_or_default(),
            error_count: errors.len(),
            groups: vec!["Common".into()],
            configs: vec![ConfigInfo {
                definition: Some(key_info("file")),
                value: Some(ConfigValueInfo {
                    name: "file".into(),
                    value: file,
                    recommended_values: vec![],
                    errors,
                    visible: true,
                }),
            }],
        })
    }

    fn metrics_text(&self) -> String {
        "# TYPE ferry_connectors gauge\nferry_connectors 0\n".into()
    }
}
