//! The standalone herder (Kafka's `StandaloneHerder`): connector configs and target states in memory,
//! every task run by this worker, status served to the REST API.
//!
//! All changes go through one async mutex, so operations on connectors are serialised, as Kafka's
//! herder thread serialises them. Task loops run on their own Tokio tasks and report state through the
//! [`StatusStore`]; a failing task never stops the worker or another connector.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{watch, Mutex};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::kafka_config::consumer_config;
use super::status::{State, StatusStore};
use super::subscription::Subscription;
use super::topics::ActiveTopics;
use crate::config::connector::{
    config_errors_message, validate_connector_config_nullable, ConnectorKind,
};
use crate::config::providers::ConfigProviders;
use crate::config::{ConfigInfos, ConfigKeyInfo, Props};
use crate::connectors::{Connector, ConnectorPlugin};
use crate::metrics::WorkerMetrics;
use crate::plugins::{find_connector, plugin_infos, unknown_connector_message, BuiltinPlugins};
use crate::rest::entities::{
    ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorStateInfo, ConnectorTaskId,
    ConnectorType, InstanceState, PluginInfo, ServerInfo, TaskInfo, TaskState, WorkerStatus,
};
use crate::rest::herder::{Herder, HerderError, HerderResult, TargetState};
use crate::storage::OffsetStore;

mod placement;
mod tasks;

pub use placement::{DesiredConnector, Held, Placement};

/// The worker settings the runtime needs, taken from the worker config.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The worker config as given (converter settings are read from it).
    pub worker_props: Props,
    /// `host:port`, as Kafka reports `worker_id`.
    pub worker_id: String,
    /// Prefix-stripped `producer.*` settings, plus the shared client settings.
    pub producer_props: Props,
    /// Prefix-stripped `consumer.*` settings, plus the shared client settings.
    pub consumer_props: Props,
    /// The unprefixed client settings plus the prefix-stripped `admin.*` settings.
    pub admin_props: Props,
    pub offset_flush_interval: Duration,
    pub offset_flush_timeout: Duration,
    pub task_shutdown_timeout: Duration,
    pub topic_tracking_enable: bool,
    pub topic_tracking_allow_reset: bool,
    /// `max.poll.records` for sink batches (Kafka's consumer default: 500).
    pub max_poll_records: usize,
}

struct RunningTask {
    stop: CancellationToken,
    pause: watch::Sender<bool>,
    join: JoinHandle<()>,
}

struct ConnectorEntry {
    config: Props,
    plugin: &'static ConnectorPlugin,
    target: TargetState,
    instance: Option<Box<dyn Connector>>,
    task_configs: Vec<Props>,
    tasks: BTreeMap<u32, RunningTask>,
    topics: ActiveTopics,
    /// Which units run on this worker: `None` for all of them (standalone), else the ones the
    /// operator placed on this pod (Kubernetes mode).
    placement: Option<Placement>,
}

impl ConnectorEntry {
    fn kind(&self) -> ConnectorKind {
        self.plugin.kind
    }

    /// Whether this worker runs (and reports) the connector instance.
    fn runs_instance(&self) -> bool {
        self.placement.as_ref().is_none_or(|p| p.instance)
    }

    /// Whether this worker runs task `id`.
    fn runs_task(&self, id: u32) -> bool {
        self.placement
            .as_ref()
            .is_none_or(|p| p.tasks.contains(&id))
    }
}

/// The standalone herder.
pub struct StandaloneHerder {
    settings: WorkerSettings,
    offsets: Arc<dyn OffsetStore>,
    status: StatusStore,
    metrics: Arc<WorkerMetrics>,
    connectors: Mutex<BTreeMap<String, ConnectorEntry>>,
    started: AtomicBool,
    /// Resolve `${provider:path:key}` placeholders where configs are used; stored configs (and so
    /// the REST API and logs) keep the placeholders.
    providers: ConfigProviders,
    /// Kubernetes mode: the spec generation each connector's units run with (in the reports).
    generations: std::sync::Mutex<BTreeMap<String, Option<i64>>>,
    /// Fired on every state change and every applied placement, so the Kubernetes mode's reporter
    /// knows when to look (a stored permit coalesces bursts).
    changes: Arc<tokio::sync::Notify>,
}

fn connector_type(kind: ConnectorKind) -> ConnectorType {
    match kind {
        ConnectorKind::Source => ConnectorType::Source,
        ConnectorKind::Sink => ConnectorType::Sink,
    }
}

fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

fn nullable(config: &Props) -> BTreeMap<String, Option<String>> {
    config
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

/// The task config Kafka hands a task: the connector's task config plus `task.class` (and the sink's
/// subscription keys, which the connector config carries already).
fn task_props(plugin: &ConnectorPlugin, config: &Props) -> Props {
    let mut props = config.clone();
    let class = match plugin.kind {
        ConnectorKind::Source => crate::connectors::file::SOURCE_TASK_CLASS,
        ConnectorKind::Sink => crate::connectors::file::SINK_TASK_CLASS,
    };
    if plugin
        .class_name
        .starts_with("org.apache.kafka.connect.file.")
    {
        props.insert("task.class".to_string(), class.to_string());
    }
    props
}

/// `tasks.max` as Kafka reads it (INT, at least 1; validated before we get here).
fn tasks_max(config: &Props) -> usize {
    config
        .get("tasks.max")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The prefix-stripped `producer.override.*` / `consumer.override.*` settings of a connector.
fn overrides(config: &Props, prefix: &str) -> Props {
    super::converters::with_prefix(config, prefix)
}

impl StandaloneHerder {
    pub fn new(
        settings: WorkerSettings,
        offsets: Arc<dyn OffsetStore>,
        metrics: Arc<WorkerMetrics>,
    ) -> Self {
        let m = Arc::clone(&metrics);
        let changes = Arc::new(tokio::sync::Notify::new());
        let notify = Arc::clone(&changes);
        let status = StatusStore::new().with_listener(Arc::new(move |c, t, s| {
            m.set_state(c, t, s);
            notify.notify_one();
        }));
        StandaloneHerder {
            settings,
            offsets,
            status,
            metrics,
            connectors: Mutex::new(BTreeMap::new()),
            started: AtomicBool::new(false),
            providers: ConfigProviders::none(),
            generations: std::sync::Mutex::new(BTreeMap::new()),
            changes,
        }
    }

    /// The worker's config providers (`config.providers`), for placeholders in connector configs.
    pub fn with_config_providers(mut self, providers: ConfigProviders) -> Self {
        self.providers = providers;
        self
    }

    /// The connector config with its placeholders resolved, as the connector and its tasks see it.
    async fn resolved(&self, config: &Props) -> Result<Props, crate::errors::ConnectError> {
        self.providers
            .resolve(config)
            .await
            .map_err(|e| crate::errors::ConnectError::new(e.to_string()))
    }

    /// Marks start-up complete (`/health` answers healthy from now on).
    pub fn mark_started(&self) {
        self.started.store(true, Ordering::SeqCst);
    }

    pub fn status_store(&self) -> &StatusStore {
        &self.status
    }

    /// Validates a config as `POST /connectors` does: the 400 message lists every error.
    fn validate_for_write(
        &self,
        config: &BTreeMap<String, Option<String>>,
    ) -> HerderResult<(Props, &'static ConnectorPlugin)> {
        let class = match config.get("connector.class") {
            Some(Some(c)) => c.clone(),
            _ => return Err(no_connector_type(config)),
        };
        let plugin = find_connector(&class)
            .ok_or_else(|| HerderError::Internal(unknown_connector_message(&class)))?;
        let infos = validate_connector_config_nullable(
            &class,
            &(plugin.config_def)(),
            plugin.kind,
            config,
            &BuiltinPlugins,
        );
        if let Some(message) = config_errors_message(&infos) {
            return Err(HerderError::BadRequest(message));
        }
        let props: Props = config
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
            .collect();
        for key in unknown_keys(plugin, &props) {
            tracing::warn!(
                connector = props.get("name").map(String::as_str).unwrap_or(""),
                "The configuration '{key}' was supplied but isn't a known config."
            );
        }
        Ok((props, plugin))
    }

    /// Starts the connector instance and, unless stopped, its tasks (paused when the target says so).
    async fn start_connector(&self, name: &str, entry: &mut ConnectorEntry) {
        if entry.target == TargetState::Stopped {
            entry.instance = None;
            entry.task_configs.clear();
            self.status.remove_tasks(name);
            self.set_instance_state(name, entry, State::Stopped, None);
            return;
        }
        let config = match self.resolved(&entry.config).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(connector = name, error = %e, "connector failed to start");
                self.set_instance_state(name, entry, State::Failed, Some(e.trace()));
                return;
            }
        };
        let mut instance = (entry.plugin.new_connector)();
        if let Err(e) = instance.start(&config) {
            tracing::error!(connector = name, error = %e, "connector failed to start");
            self.set_instance_state(name, entry, State::Failed, Some(e.trace()));
            return;
        }
        let max = tasks_max(&config);
        let configs = instance.task_configs(max);
        if configs.len() > max {
            let message = format!(
                "The connector {name} has generated {} tasks, which is greater than {max}, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect.",
                configs.len()
            );
            self.set_instance_state(
                name,
                entry,
                State::Failed,
                Some(format!(
                    "org.apache.kafka.connect.runtime.TooManyTasksException: {message}"
                )),
            );
            return;
        }
        // Task configs are built from resolved values; they are kept (and served) with the
        // placeholders put back, and resolved again when each task starts.
        entry.task_configs = configs
            .iter()
            .map(|c| {
                self.providers
                    .unresolve(&task_props(entry.plugin, c), &entry.config)
            })
            .collect();
        if entry.runs_instance() {
            entry.instance = Some(instance);
            let state = if entry.target == TargetState::Paused {
                State::Paused
            } else {
                State::Running
            };
            self.status.set_connector(name, state, None);
        } else {
            // Another pod runs the instance: this one only needed its task configs (Ferry's
            // connectors are compiled in and deterministic, so every pod computes the same ones).
            instance.stop();
        }
        for id in 0..entry.task_configs.len() as u32 {
            if entry.runs_task(id) {
                self.start_task(name, entry, id).await;
            }
        }
        if let Some(p) = &entry.placement {
            for id in p.tasks.range(entry.task_configs.len() as u32..) {
                tracing::warn!(connector = name, task = id, tasks = entry.task_configs.len(), "task {name}-{id} is placed on this worker but the connector has fewer tasks; not started");
            }
        }
    }

    /// Starts the connector instance alone (its tasks are left as they are) and sets its state.
    async fn start_instance(&self, name: &str, entry: &mut ConnectorEntry) {
        let mut instance = (entry.plugin.new_connector)();
        let started = match self.resolved(&entry.config).await {
            Ok(config) => instance.start(&config),
            Err(e) => Err(e),
        };
        match started {
            Ok(()) => {
                entry.instance = Some(instance);
                let state = match entry.target {
                    TargetState::Started => State::Running,
                    TargetState::Paused => State::Paused,
                    TargetState::Stopped => State::Stopped,
                };
                self.status.set_connector(name, state, None);
            }
            Err(e) => self
                .status
                .set_connector(name, State::Failed, Some(e.trace())),
        }
    }

    /// Sets the state of the connector instance, if this worker runs it; a worker that does not
    /// must not report it (another pod owns that entry).
    fn set_instance_state(
        &self,
        name: &str,
        entry: &ConnectorEntry,
        state: State,
        trace: Option<String>,
    ) {
        if entry.runs_instance() {
            self.status.set_connector(name, state, trace);
        } else {
            self.status.forget_connector(name);
        }
    }

    async fn stop_connector_instance(&self, entry: &mut ConnectorEntry) {
        if let Some(mut instance) = entry.instance.take() {
            instance.stop();
        }
    }

    /// Creates a connector from a properties file at start-up (`connect-standalone` arguments).
    pub async fn create_from_file(
        &self,
        name: &str,
        config: Props,
        initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        self.create_connector(name, nullable(&config), initial_state)
            .await
    }

    /// Stops every connector and task: the graceful shutdown on SIGTERM.
    pub async fn shutdown(&self) {
        let mut connectors = self.connectors.lock().await;
        let mut names: Vec<String> = connectors.keys().cloned().collect();
        names.sort();
        let deadline = self.settings.task_shutdown_timeout;
        // Stop all tasks of all connectors at once, so the timeout bounds the whole shutdown.
        let mut joins = Vec::new();
        for name in &names {
            if let Some(entry) = connectors.get_mut(name) {
                for (id, t) in std::mem::take(&mut entry.tasks) {
                    t.stop.cancel();
                    joins.push((name.clone(), id, t.join));
                }
                self.stop_connector_instance(entry).await;
            }
        }
        let until = tokio::time::Instant::now() + deadline;
        for (name, id, mut join) in joins {
            if tokio::time::timeout_at(until, &mut join).await.is_err() {
                tracing::error!("Graceful stop of task {name}-{id} failed");
                join.abort();
            }
        }
        for name in &names {
            self.status.set_connector(name, State::Unassigned, None);
        }
        tracing::info!(connectors = names.len(), "all connectors stopped");
    }

    fn state_info(&self, name: &str, entry: &ConnectorEntry) -> ConnectorStateInfo {
        let worker_id = self.settings.worker_id.clone();
        let connector = self.status.connector(name);
        ConnectorStateInfo {
            name: name.to_string(),
            connector: InstanceState {
                state: connector
                    .as_ref()
                    .map_or(State::Unassigned, |s| s.state)
                    .to_string(),
                worker_id: worker_id.clone(),
                trace: connector.and_then(|s| s.trace).filter(|t| !t.is_empty()),
            },
            tasks: self
                .status
                .tasks(name)
                .into_iter()
                .map(|(id, s)| TaskState {
                    id,
                    state: s.state.to_string(),
                    worker_id: worker_id.clone(),
                    trace: s.trace.filter(|t| !t.is_empty()),
                })
                .collect(),
            connector_type: connector_type(entry.kind()),
        }
    }

    fn info(&self, name: &str, entry: &ConnectorEntry) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_string(),
            config: entry.config.clone(),
            tasks: (0..entry.task_configs.len() as u32)
                .map(|task| ConnectorTaskId {
                    connector: name.to_string(),
                    task,
                })
                .collect(),
            connector_type: connector_type(entry.kind()),
        }
    }

    /// Replaces the config of an existing connector: stop everything, start again with the new config.
    async fn reconfigure(
        &self,
        name: &str,
        entry: &mut ConnectorEntry,
        config: Props,
        plugin: &'static ConnectorPlugin,
    ) {
        self.stop_all_tasks(name, entry).await;
        self.stop_connector_instance(entry).await;
        self.status.remove_tasks(name);
        entry.config = config;
        entry.plugin = plugin;
        self.start_connector(name, entry).await;
    }

    async fn restart_tasks(&self, name: &str, entry: &mut ConnectorEntry, ids: &[u32]) {
        self.stop_tasks(name, entry, ids).await;
        for id in ids {
            self.start_task(name, entry, *id).await;
        }
    }

    /// The offset store, caught up with what other workers committed (a shared offsets topic).
    fn refreshed_offsets(&self) -> HerderResult<&Arc<dyn OffsetStore>> {
        self.offsets
            .refresh()
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        Ok(&self.offsets)
    }

    fn require_stopped(&self, name: &str, entry: &ConnectorEntry) -> HerderResult<()> {
        // Placed by an operator (Kubernetes mode), the instance may run on another pod: the
        // operator asks for offsets only once no pod runs any unit, so stopped here is enough.
        let stopped = entry.placement.is_some()
            || self
                .status
                .connector(name)
                .is_some_and(|s| s.state == State::Stopped);
        if entry.target != TargetState::Stopped || !stopped || !entry.tasks.is_empty() {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(())
    }
}

/// Prefixes whose keys belong to something else (clients, converters, transforms, topic creation) and
/// are checked there, not against the connector's definition.
const DELEGATED_PREFIXES: &[&str] = &[
    "producer.override.",
    "consumer.override.",
    "admin.override.",
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "transforms.",
    "predicates.",
    "topic.creation.",
];

/// Keys neither the connector nor the framework defines: a typo, most likely, so they are named in a
/// warning (Kafka logs the same for unused configs).
fn unknown_keys(plugin: &ConnectorPlugin, props: &Props) -> Vec<String> {
    let own = (plugin.config_def)();
    let framework = crate::config::connector::framework_config_def(plugin.kind);
    props
        .keys()
        .filter(|k| own.key(k).is_none() && framework.key(k).is_none())
        .filter(|k| !DELEGATED_PREFIXES.iter().any(|p| k.starts_with(p)))
        .cloned()
        .collect()
}

/// Kafka's 400 for a config without `connector.class`, showing the config as Java prints a map.
fn no_connector_type(config: &BTreeMap<String, Option<String>>) -> HerderError {
    let shown: Vec<String> = config
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("null")))
        .collect();
    HerderError::BadRequest(format!(
        "Connector config {{{}}} contains no connector type",
        shown.join(", ")
    ))
}

/// The sink's subscription from its config (validated: exactly one of the two is set), with the
/// consumer's `exclude.internal.topics` (the worker's `consumer.` setting or the connector's
/// override) for a regex.
fn sink_subscription(
    config: &Props,
    worker_consumer: &Props,
) -> Result<Subscription, crate::config::ConfigError> {
    Ok(
        match config
            .get("topics.regex")
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
        {
            Some(regex) => Subscription::Regex {
                pattern: regex.to_string(),
                exclude_internal: super::kafka_config::exclude_internal_topics(
                    worker_consumer,
                    &overrides(config, "consumer.override"),
                )?,
            },
            None => Subscription::Topics(
                config
                    .get("topics")
                    .map(|t| crate::config::connector::parse_topics_list(t))
                    .unwrap_or_default(),
            ),
        },
    )
}

#[async_trait]
impl Herder for StandaloneHerder {
    fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: crate::VERSION.to_string(),
            commit: option_env!("FERRY_GIT_COMMIT")
                .unwrap_or("unknown")
                .to_string(),
            kafka_cluster_id: None,
        }
    }

    fn health(&self) -> WorkerStatus {
        if self.started.load(Ordering::SeqCst) {
            WorkerStatus {
                status: "healthy".into(),
                message: "Worker has completed startup and is ready to handle requests.".into(),
            }
        } else {
            WorkerStatus {
                status: "starting".into(),
                message: "Worker is still starting up.".into(),
            }
        }
    }

    fn worker_id(&self) -> String {
        self.settings.worker_id.clone()
    }

    async fn connectors(&self) -> Vec<String> {
        self.connectors.lock().await.keys().cloned().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let connectors = self.connectors.lock().await;
        let entry = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok(self.info(name, entry))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<Props> {
        let connectors = self.connectors.lock().await;
        Ok(connectors
            .get(name)
            .ok_or_else(|| not_found(name))?
            .config
            .clone())
    }

    async fn create_connector(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
        initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        let mut connectors = self.connectors.lock().await;
        if connectors.contains_key(name) {
            return Err(HerderError::Conflict(format!(
                "Connector {name} already exists"
            )));
        }
        let (props, plugin) = self.validate_for_write(&config)?;
        let mut entry = ConnectorEntry {
            config: props,
            plugin,
            target: initial_state.unwrap_or(TargetState::Started),
            instance: None,
            task_configs: Vec::new(),
            tasks: BTreeMap::new(),
            topics: ActiveTopics::default(),
            placement: None,
        };
        self.start_connector(name, &mut entry).await;
        let info = self.info(name, &entry);
        connectors.insert(name.to_string(), entry);
        tracing::info!(
            connector = name,
            class = plugin.class_name,
            "connector created"
        );
        Ok(info)
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        {
            let mut connectors = self.connectors.lock().await;
            if let Some(entry) = connectors.get_mut(name) {
                let (props, plugin) = self.validate_for_write(&config)?;
                self.reconfigure(name, entry, props, plugin).await;
                return Ok((false, self.info(name, entry)));
            }
        }
        self.create_connector(name, config, None)
            .await
            .map(|info| (true, info))
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        let mut merged = nullable(&entry.config);
        for (k, v) in patch {
            match v {
                Some(v) => {
                    merged.insert(k, Some(v));
                }
                None => {
                    merged.remove(&k);
                }
            }
        }
        let (props, plugin) = self.validate_for_write(&merged)?;
        self.reconfigure(name, entry, props, plugin).await;
        Ok(self.info(name, entry))
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let mut entry = connectors.remove(name).ok_or_else(|| not_found(name))?;
        self.stop_all_tasks(name, &mut entry).await;
        self.stop_connector_instance(&mut entry).await;
        self.status.remove_connector(name);
        self.metrics.remove_connector(name);
        tracing::info!(connector = name, "connector deleted");
        Ok(())
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let connectors = self.connectors.lock().await;
        let entry = connectors.get(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        Ok(self.state_info(name, entry))
    }

    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let connectors = self.connectors.lock().await;
        let entry = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok(entry
            .task_configs
            .iter()
            .enumerate()
            .map(|(i, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_string(),
                    task: i as u32,
                },
                config: config.clone(),
            })
            .collect())
    }

    async fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskState> {
        let status = self.status.task(name, task).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for task {name}-{task}"))
        })?;
        Ok(TaskState {
            id: task,
            state: status.state.to_string(),
            worker_id: self.settings.worker_id.clone(),
            trace: status.trace.filter(|t| !t.is_empty()),
        })
    }

    async fn restart_task(&self, name: &str, task: u32) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors
            .get_mut(name)
            .filter(|e| (task as usize) < e.task_configs.len())
            .ok_or_else(|| HerderError::NotFound(format!("Task {name}-{task} not found")))?;
        self.restart_tasks(name, entry, &[task]).await;
        Ok(())
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        let connector_failed = self
            .status
            .connector(name)
            .is_some_and(|s| s.state == State::Failed);
        // Kafka's RestartRequest: the connector restarts if !onlyFailed || FAILED; a task if includeTasks
        // && (!onlyFailed || FAILED).
        let restart_connector = !only_failed || connector_failed;
        let tasks_to_restart: Vec<u32> = if include_tasks {
            self.status
                .tasks(name)
                .into_iter()
                .filter(|(_, s)| !only_failed || s.state == State::Failed)
                .map(|(id, _)| id)
                .collect()
        } else {
            Vec::new()
        };
        let plain = !include_tasks && !only_failed;
        if restart_connector {
            self.status.set_connector(name, State::Restarting, None);
        }
        for id in &tasks_to_restart {
            self.status.set_task(name, *id, State::Restarting, None);
        }
        let snapshot = self.state_info(name, entry);
        if restart_connector {
            if tasks_to_restart.is_empty() {
                // Only the connector instance restarts; its tasks keep running.
                self.stop_connector_instance(entry).await;
                self.start_instance(name, entry).await;
            } else {
                let config = entry.config.clone();
                let plugin = entry.plugin;
                self.reconfigure(name, entry, config, plugin).await;
            }
        } else if !tasks_to_restart.is_empty() {
            self.restart_tasks(name, entry, &tasks_to_restart).await;
        }
        Ok(if plain { None } else { Some(snapshot) })
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        let was_stopped = entry.target == TargetState::Stopped;
        entry.target = TargetState::Paused;
        if was_stopped {
            self.start_connector(name, entry).await;
        } else {
            for t in entry.tasks.values() {
                let _ = t.pause.send(true);
            }
            if self
                .status
                .connector(name)
                .is_some_and(|s| s.state != State::Failed)
            {
                self.status.set_connector(name, State::Paused, None);
            }
        }
        tracing::info!(connector = name, "connector paused");
        Ok(())
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        let was_stopped = entry.target == TargetState::Stopped;
        entry.target = TargetState::Started;
        if was_stopped {
            self.start_connector(name, entry).await;
        } else {
            for t in entry.tasks.values() {
                let _ = t.pause.send(false);
            }
            if self
                .status
                .connector(name)
                .is_some_and(|s| s.state != State::Failed)
            {
                self.status.set_connector(name, State::Running, None);
            }
        }
        tracing::info!(connector = name, "connector resumed");
        Ok(())
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        entry.target = TargetState::Stopped;
        self.stop_all_tasks(name, entry).await;
        self.stop_connector_instance(entry).await;
        self.start_connector(name, entry).await; // with target Stopped: clears tasks, status STOPPED
        tracing::info!(connector = name, "connector stopped");
        Ok(())
    }

    async fn connector_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        if !self.settings.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        let connectors = self.connectors.lock().await;
        Ok(connectors
            .get(name)
            .ok_or_else(|| not_found(name))?
            .topics
            .list())
    }

    async fn reset_connector_topics(&self, name: &str) -> HerderResult<()> {
        if !self.settings.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        if !self.settings.topic_tracking_allow_reset {
            return Err(HerderError::Forbidden(
                "Topic tracking reset is disabled.".into(),
            ));
        }
        let connectors = self.connectors.lock().await;
        connectors
            .get(name)
            .ok_or_else(|| not_found(name))?
            .topics
            .reset();
        Ok(())
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let (kind, config) = {
            let connectors = self.connectors.lock().await;
            let entry = connectors.get(name).ok_or_else(|| not_found(name))?;
            (entry.kind(), entry.config.clone())
        };
        match kind {
            ConnectorKind::Source => Ok(ConnectorOffsets {
                offsets: self
                    .refreshed_offsets()?
                    .all(name)
                    .into_iter()
                    .map(|(partition, offset)| ConnectorOffset {
                        partition,
                        offset: Some(offset),
                    })
                    .collect(),
            }),
            ConnectorKind::Sink => {
                let config = self.resolved_for_request(&config).await?;
                let client = self.sink_offsets_client(name, &config)?;
                tokio::task::spawn_blocking(move || client.list())
                    .await
                    .map_err(|e| HerderError::Internal(e.to_string()))?
                    .map_err(|e| HerderError::Internal(e.to_string()))
            }
        }
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<String> {
        let connectors = self.connectors.lock().await;
        let (raw, plugin, kind) = {
            let entry = connectors.get(name).ok_or_else(|| not_found(name))?;
            self.require_stopped(name, entry)?;
            (entry.config.clone(), entry.plugin, entry.kind())
        };
        let config = self.resolved_for_request(&raw).await?;
        let entries: Vec<_> = offsets
            .offsets
            .into_iter()
            .map(|o| (o.partition, o.offset))
            .collect();
        let managed_by_connector = match kind {
            ConnectorKind::Source => {
                let instance = (plugin.new_connector)();
                let ok = instance
                    .alter_offsets(&config, &entries)
                    .map_err(|e| HerderError::BadRequest(e.to_string()))?;
                self.offsets
                    .put(name, &entries)
                    .map_err(|e| HerderError::Internal(e.to_string()))?;
                ok
            }
            ConnectorKind::Sink => {
                let instance = (plugin.new_connector)();
                let ok = instance
                    .alter_offsets(&config, &entries)
                    .map_err(|e| HerderError::BadRequest(e.to_string()))?;
                let client = self.sink_offsets_client(name, &config)?;
                tokio::task::spawn_blocking(move || client.alter(&entries))
                    .await
                    .map_err(|e| HerderError::Internal(e.to_string()))?
                    .map_err(|e| HerderError::BadRequest(e.to_string()))?;
                ok
            }
        };
        Ok(if managed_by_connector {
            "The offsets for this connector have been altered successfully".to_string()
        } else {
            "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.".to_string()
        })
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<String> {
        let connectors = self.connectors.lock().await;
        let entry = connectors.get(name).ok_or_else(|| not_found(name))?;
        self.require_stopped(name, entry)?;
        match entry.kind() {
            ConnectorKind::Source => {
                let tombstones: Vec<_> = self
                    .refreshed_offsets()?
                    .all(name)
                    .into_iter()
                    .map(|(p, _)| (p, None))
                    .collect();
                self.offsets
                    .put(name, &tombstones)
                    .map_err(|e| HerderError::Internal(e.to_string()))?;
            }
            ConnectorKind::Sink => {
                let config = self.resolved_for_request(&entry.config).await?;
                let client = self.sink_offsets_client(name, &config)?;
                tokio::task::spawn_blocking(move || client.reset())
                    .await
                    .map_err(|e| HerderError::Internal(e.to_string()))?
                    .map_err(|e| HerderError::Internal(e.to_string()))?;
            }
        }
        Ok("The offsets for this connector have been reset successfully".to_string())
    }

    fn connector_plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        plugin_infos(connectors_only)
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        crate::plugins::plugin_config_keys(plugin)
    }

    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConfigInfos> {
        let class = match config.get("connector.class") {
            Some(Some(c)) => c.clone(),
            _ => return Err(no_connector_type(&config)),
        };
        let found = find_connector(&class)
            .ok_or_else(|| HerderError::Internal(unknown_connector_message(&class)))?;
        if find_connector(plugin).map(|p| p.class_name) != Some(found.class_name) {
            return Err(HerderError::BadRequest(format!(
                "Included connector type {class} does not match request type {plugin}"
            )));
        }
        Ok(validate_connector_config_nullable(
            &class,
            &(found.config_def)(),
            found.kind,
            &config,
            &BuiltinPlugins,
        ))
    }

    fn metrics_text(&self) -> String {
        self.metrics.render()
    }
}

impl StandaloneHerder {
    /// [`StandaloneHerder::resolved`] for a REST request: a placeholder that cannot be resolved is
    /// the caller's 400.
    async fn resolved_for_request(&self, config: &Props) -> HerderResult<Props> {
        self.resolved(config)
            .await
            .map_err(|e| HerderError::BadRequest(e.to_string()))
    }

    fn sink_offsets_client(
        &self,
        name: &str,
        config: &Props,
    ) -> HerderResult<super::sink_offsets::SinkOffsetsClient> {
        let (client_config, _) = consumer_config(
            &self.settings.consumer_props,
            &overrides(config, "consumer.override"),
            name,
            0,
        )
        .map_err(|e| HerderError::BadRequest(e.to_string()))?;
        let subscription = sink_subscription(config, &self.settings.consumer_props)
            .map_err(|e| HerderError::BadRequest(e.to_string()))?;
        Ok(super::sink_offsets::SinkOffsetsClient::new(
            client_config,
            subscription,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_connector_keys_are_found_and_delegated_prefixes_are_not() {
        let plugin = find_connector("FileStreamSource").unwrap();
        let props: Props = [
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("topic", "t"),
            ("fiel", "typo.txt"),
            ("producer.override.linger.ms", "5"),
            ("value.converter.schemas.enable", "false"),
            ("errors.tolerance", "all"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(unknown_keys(plugin, &props), vec!["fiel".to_string()]);
    }
}
