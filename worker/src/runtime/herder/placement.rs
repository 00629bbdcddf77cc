//! Applying a connector's desired state on this worker when someone else decides what runs where (the
//! Kubernetes mode: the operator places units on pods). The same start/stop machinery as the
//! standalone herder's, restricted to the units placed here.
//!
//! Order matters for the hand-over: a released task is stopped (flushed and committed) *before* its
//! status is forgotten, and the reporter reads status only between two applies, so a task disappears
//! from this pod's report only once it has fully stopped.

use std::collections::{BTreeMap, BTreeSet};

use super::{ConnectorEntry, StandaloneHerder};
use crate::config::Props;
use crate::rest::herder::{HerderError, TargetState};
use crate::runtime::status::{InstanceStatus, State};
use crate::runtime::topics::ActiveTopics;

/// Which units of one connector run on this worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// The connector instance (its state is reported by this worker only then).
    pub instance: bool,
    /// Task ids.
    pub tasks: BTreeSet<u32>,
    /// The operator's restart counter of the instance: when it grows, the instance restarts.
    pub instance_restarts: u32,
    /// The restart counters of the placed tasks: a task whose counter grows restarts.
    pub task_restarts: BTreeMap<u32, u32>,
}

impl Placement {
    pub fn is_empty(&self) -> bool {
        !self.instance && self.tasks.is_empty()
    }
}

/// What this worker must do for one connector.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredConnector {
    /// The connector config, or why it cannot be built from the resource (the placed units are
    /// then reported FAILED with this message).
    pub config: Result<Props, String>,
    pub target: TargetState,
    /// The spec generation the config comes from (reported back as `observedGeneration`).
    pub generation: Option<i64>,
    pub placement: Placement,
}

/// What this worker holds of one connector, for its report.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub generation: Option<i64>,
    /// The connector instance's state, when this worker runs it.
    pub instance: Option<InstanceStatus>,
    /// The tasks this worker holds (running, starting, paused or failed), by id.
    pub tasks: Vec<(u32, InstanceStatus)>,
}

impl StandaloneHerder {
    /// Makes this worker run what `desired` says of connector `name`: a changed config restarts
    /// the units placed here with it (as Kafka restarts tasks on reconfiguration), released units
    /// are stopped (flushing and committing first), newly placed ones started, and a target state
    /// change pauses, resumes or stops them. An invalid config stops everything of the connector and
    /// marks its placed units FAILED; the error is returned for the log.
    pub async fn apply_desired(
        &self,
        name: &str,
        desired: DesiredConnector,
    ) -> Result<(), HerderError> {
        let result = self.apply_locked(name, desired).await;
        self.changes.notify_one();
        result
    }

    async fn apply_locked(&self, name: &str, desired: DesiredConnector) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().await;
        crate::sync::lock(&self.generations).insert(name.to_string(), desired.generation);
        let validated = desired
            .config
            .map_err(HerderError::BadRequest)
            .and_then(|config| self.validate_for_write(&super::nullable(&config)));
        let (config, plugin) = match validated {
            Ok(v) => v,
            Err(e) => {
                if let Some(mut entry) = connectors.remove(name) {
                    self.stop_all_tasks(name, &mut entry).await;
                    self.stop_connector_instance(&mut entry).await;
                }
                self.status.remove_connector(name);
                let trace = format!("org.apache.kafka.connect.errors.ConnectException: the config of connector {name} is invalid: {e}");
                if desired.placement.instance {
                    self.status
                        .set_connector(name, State::Failed, Some(trace.clone()));
                }
                for id in &desired.placement.tasks {
                    self.status
                        .set_task(name, *id, State::Failed, Some(trace.clone()));
                }
                return Err(e);
            }
        };
        let Some(entry) = connectors.get_mut(name) else {
            // New here (or valid again): nothing of it runs, so stale FAILED states go.
            self.status.remove_connector(name);
            let mut entry = ConnectorEntry {
                config,
                plugin,
                target: desired.target,
                instance: None,
                task_configs: Vec::new(),
                tasks: BTreeMap::new(),
                topics: ActiveTopics::default(),
                placement: Some(desired.placement),
            };
            self.start_connector(name, &mut entry).await;
            connectors.insert(name.to_string(), entry);
            return Ok(());
        };
        let current = Current {
            config: &entry.config,
            class: entry.plugin.class_name,
            target: entry.target,
        };
        match plan(&current, &config, plugin.class_name, desired.target) {
            Plan::Reconfigure => {
                tracing::info!(
                    connector = name,
                    "connector config changed: restarting its units on this worker"
                );
                entry.target = desired.target;
                entry.placement = Some(desired.placement);
                self.reconfigure(name, entry, config, plugin).await;
            }
            Plan::Restart => {
                // Stopping tears everything down and starting from stopped computes the task
                // configs again, as Kafka does.
                self.stop_all_tasks(name, entry).await;
                self.stop_connector_instance(entry).await;
                self.status.remove_tasks(name);
                entry.target = desired.target;
                entry.placement = Some(desired.placement);
                self.start_connector(name, entry).await;
            }
            Plan::MoveUnits => {
                self.move_units(name, entry, desired.target, desired.placement)
                    .await
            }
        }
        Ok(())
    }

    /// Same config and no stop involved: stop what left, pause or resume what stays, start what
    /// arrived.
    async fn move_units(
        &self,
        name: &str,
        entry: &mut ConnectorEntry,
        target: TargetState,
        placement: Placement,
    ) {
        let old = entry.placement.clone().unwrap_or_default();
        let released: Vec<u32> = old.tasks.difference(&placement.tasks).copied().collect();
        self.stop_tasks(name, entry, &released).await;
        for id in &released {
            // Only now, fully stopped and committed, may the task leave the report.
            self.status.remove_task(name, *id);
            tracing::info!(connector = name, task = id, "task released by this worker");
        }
        if old.instance && !placement.instance {
            self.stop_connector_instance(entry).await;
            self.status.forget_connector(name);
        }
        let target_changed = entry.target != target;
        entry.target = target;
        entry.placement = Some(placement.clone());
        if target_changed {
            let paused = target == TargetState::Paused;
            for t in entry.tasks.values() {
                let _ = t.pause.send(paused);
            }
        }
        if target == TargetState::Stopped {
            // Stopped before and after: no task runs; only the instance's STOPPED state moves.
            self.set_instance_state(name, entry, State::Stopped, None);
            return;
        }
        if placement.instance && !old.instance {
            self.start_instance(name, entry).await;
        } else if placement.instance && target_changed {
            let failed = self
                .status
                .connector(name)
                .is_some_and(|s| s.state == State::Failed);
            if !failed {
                let state = if target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                };
                self.status.set_connector(name, state, None);
            }
        }
        // Restarts the operator asked for (annotations, autoRestart): units that stay here and
        // whose counter grew restart, as Kafka's restart endpoint restarts them.
        if placement.instance && old.instance && placement.instance_restarts > old.instance_restarts
        {
            tracing::info!(
                connector = name,
                "restarting the connector instance as requested"
            );
            self.stop_connector_instance(entry).await;
            self.start_instance(name, entry).await;
        }
        let restart: Vec<u32> = placement
            .tasks
            .intersection(&old.tasks)
            .filter(|id| {
                placement.task_restarts.get(id).copied().unwrap_or(0)
                    > old.task_restarts.get(id).copied().unwrap_or(0)
            })
            .copied()
            .collect();
        if !restart.is_empty() {
            tracing::info!(connector = name, tasks = ?restart, "restarting tasks as requested");
            for id in &restart {
                self.status.set_task(name, *id, State::Restarting, None);
            }
            self.restart_tasks(name, entry, &restart).await;
        }
        for id in placement.tasks.difference(&old.tasks) {
            if (*id as usize) < entry.task_configs.len() {
                self.start_task(name, entry, *id).await;
            } else {
                tracing::warn!(
                    connector = name,
                    task = id,
                    "task {name}-{id} is placed on this worker but the connector has {} tasks; not started",
                    entry.task_configs.len()
                );
            }
        }
    }

    /// Stops everything of connector `name` on this worker (its resource is gone, or no longer
    /// bound to this cluster) and forgets it.
    pub async fn remove_connector(&self, name: &str) {
        {
            let mut connectors = self.connectors.lock().await;
            if let Some(mut entry) = connectors.remove(name) {
                self.stop_all_tasks(name, &mut entry).await;
                self.stop_connector_instance(&mut entry).await;
                tracing::info!(connector = name, "connector removed from this worker");
            }
            self.status.remove_connector(name);
            self.metrics.remove_connector(name);
            crate::sync::lock(&self.generations).remove(name);
        }
        self.changes.notify_one();
    }

    /// What this worker holds of connector `name`, read between two applies (never halfway
    /// through one); `None` when it was never applied here or has been removed.
    pub async fn held(&self, name: &str) -> Option<Held> {
        let _between_applies = self.connectors.lock().await;
        let generation = *crate::sync::lock(&self.generations).get(name)?;
        Some(Held {
            generation,
            instance: self.status.connector(name),
            tasks: self.status.tasks(name),
        })
    }

    /// The connectors applied on this worker (by [`StandaloneHerder::apply_desired`]).
    pub fn applied_connectors(&self) -> Vec<String> {
        crate::sync::lock(&self.generations)
            .keys()
            .cloned()
            .collect()
    }

    /// Fired on every state change and every apply (one stored permit: bursts coalesce).
    pub fn changes(&self) -> std::sync::Arc<tokio::sync::Notify> {
        std::sync::Arc::clone(&self.changes)
    }
}

/// What a connector has on this worker now, as far as [`plan`] cares.
struct Current<'a> {
    config: &'a Props,
    class: &'static str,
    target: TargetState,
}

/// How a new desired state is applied to a connector this worker already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// The config changed: every unit placed here restarts with the new one.
    Reconfigure,
    /// Into or out of `stopped`: everything stops, then starts as the new target says.
    Restart,
    /// Same config: release, pause/resume and start units one by one; the others keep running.
    MoveUnits,
}

fn plan(current: &Current<'_>, config: &Props, class: &str, target: TargetState) -> Plan {
    if current.config != config || current.class != class {
        Plan::Reconfigure
    } else if current.target != target
        && (current.target == TargetState::Stopped || target == TargetState::Stopped)
    {
        Plan::Restart
    } else {
        Plan::MoveUnits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(topic: &str) -> Props {
        [
            ("name", "c"),
            ("connector.class", "FileStreamSource"),
            ("topic", topic),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    const CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";

    fn current(config: &Props, target: TargetState) -> Current<'_> {
        Current {
            config,
            class: CLASS,
            target,
        }
    }

    #[test]
    fn a_config_change_restarts_the_units_whatever_else_changes() {
        let old = config("a");
        for target in [
            TargetState::Started,
            TargetState::Paused,
            TargetState::Stopped,
        ] {
            assert_eq!(
                plan(
                    &current(&old, TargetState::Started),
                    &config("b"),
                    CLASS,
                    target
                ),
                Plan::Reconfigure
            );
        }
        assert_eq!(
            plan(
                &current(&old, TargetState::Started),
                &old,
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
                TargetState::Started
            ),
            Plan::Reconfigure
        );
    }

    #[test]
    fn stopping_or_starting_from_stopped_restarts_everything() {
        let c = config("a");
        assert_eq!(
            plan(
                &current(&c, TargetState::Started),
                &c,
                CLASS,
                TargetState::Stopped
            ),
            Plan::Restart
        );
        assert_eq!(
            plan(
                &current(&c, TargetState::Stopped),
                &c,
                CLASS,
                TargetState::Paused
            ),
            Plan::Restart
        );
    }

    #[test]
    fn pausing_resuming_or_moving_tasks_keeps_the_other_units_running() {
        let c = config("a");
        assert_eq!(
            plan(
                &current(&c, TargetState::Started),
                &c,
                CLASS,
                TargetState::Paused
            ),
            Plan::MoveUnits
        );
        assert_eq!(
            plan(
                &current(&c, TargetState::Paused),
                &c,
                CLASS,
                TargetState::Started
            ),
            Plan::MoveUnits
        );
        assert_eq!(
            plan(
                &current(&c, TargetState::Started),
                &c,
                CLASS,
                TargetState::Started
            ),
            Plan::MoveUnits
        );
    }
}
