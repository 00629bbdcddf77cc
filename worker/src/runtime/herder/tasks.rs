//! Starting and stopping the tasks of a connector: shared by both control planes (standalone, and
//! the Kubernetes mode, which starts only the tasks placed on its pod).

use std::sync::Arc;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{overrides, sink_subscription, ConnectorEntry, RunningTask, StandaloneHerder};
use crate::connectors::TaskFactory;
use crate::errors::ConnectError;
use crate::rest::herder::TargetState;
use crate::runtime::converters::RecordConverters;
use crate::runtime::errors::{DlqSettings, ErrorPolicy};
use crate::runtime::kafka_config::{
    consumer_config, dlq_admin_config, dlq_producer_config, max_poll_records, producer_config,
};
use crate::runtime::sink_task::{self, DlqSetup, SinkTaskSpec};
use crate::runtime::source_task::{self, SourceTaskSpec};
use crate::runtime::status::State;
use crate::runtime::task::{TaskControl, TaskExit, TaskId};
use crate::transforms::registry::build_chain;

impl StandaloneHerder {
    /// Spawns one task. Setup failures (converters, transforms) fail the task, not the worker.
    pub(super) async fn start_task(&self, name: &str, entry: &mut ConnectorEntry, task: u32) {
        let id = TaskId {
            connector: name.to_string(),
            task,
        };
        let Some(raw_task_config) = entry.task_configs.get(task as usize).cloned() else {
            return;
        };
        let (pause_tx, pause_rx) = watch::channel(entry.target == TargetState::Paused);
        let stop = CancellationToken::new();
        let control = TaskControl {
            stop: stop.clone(),
            paused: pause_rx,
        };
        let status = self.status.clone();
        let metrics = self.metrics.task(name, task);
        self.status.set_task(name, task, State::Unassigned, None);

        // Resolved on every start, so a restart picks up a rotated secret.
        let resolved = match self.resolved(&entry.config).await {
            Ok(config) => self
                .resolved(&raw_task_config)
                .await
                .map(|task_config| (config, task_config)),
            Err(e) => Err(e),
        };
        let (config, task_config) = match resolved {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(task = %id, error = %e, "task failed to start");
                self.status
                    .set_task(name, task, State::Failed, Some(e.trace()));
                return;
            }
        };
        let setup = || -> Result<_, ConnectError> {
            Ok((
                RecordConverters::for_connector(&self.settings.worker_props, &config)?,
                build_chain(entry.kind(), &config)?,
                ErrorPolicy::from_config(&config)?,
            ))
        };
        let setup = setup();
        let (converters, transforms, errors) = match setup {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(task = %id, error = %e, "task failed to start");
                self.status
                    .set_task(name, task, State::Failed, Some(e.trace()));
                return;
            }
        };
        let on_running = {
            let (status, id) = (status.clone(), id.clone());
            move |paused: bool| {
                let state = if paused {
                    State::Paused
                } else {
                    State::Running
                };
                status.set_task(&id.connector, id.task, state, None);
            }
        };
        let s = &self.settings;
        let future: std::pin::Pin<Box<dyn std::future::Future<Output = TaskExit> + Send>> =
            match entry.plugin.new_task {
                TaskFactory::Source(new_task) => {
                    let (producer_config, notes) = match producer_config(
                        &s.producer_props,
                        &overrides(&config, "producer.override"),
                        name,
                        task,
                    ) {
                        Ok(c) => c,
                        Err(e) => return self.fail_task_setup(&id, e),
                    };
                    notes.iter().for_each(|n| tracing::info!(task = %id, "{n}"));
                    Box::pin(source_task::run(
                        SourceTaskSpec {
                            id: id.clone(),
                            task: new_task(),
                            task_config,
                            producer_config,
                            converters,
                            transforms,
                            offsets: Arc::clone(&self.offsets),
                            flush_interval: s.offset_flush_interval,
                            flush_timeout: s.offset_flush_timeout,
                            metrics,
                            topics: entry.topics.clone(),
                            errors,
                        },
                        control,
                        on_running,
                    ))
                }
                TaskFactory::Sink(new_task) => {
                    // `consumer.override.max.poll.records` sizes this task's batches.
                    let max_poll_records =
                        match max_poll_records(&overrides(&config, "consumer.override")) {
                            Ok(n) => n.unwrap_or(s.max_poll_records),
                            Err(e) => return self.fail_task_setup(&id, e),
                        };
                    let (consumer_config, notes) = match consumer_config(
                        &s.consumer_props,
                        &overrides(&config, "consumer.override"),
                        name,
                        task,
                    ) {
                        Ok(c) => c,
                        Err(e) => return self.fail_task_setup(&id, e),
                    };
                    notes.iter().for_each(|n| tracing::info!(task = %id, "{n}"));
                    let subscription = match sink_subscription(&config, &s.consumer_props) {
                        Ok(subscription) => subscription,
                        Err(e) => return self.fail_task_setup(&id, e),
                    };
                    let dlq = match DlqSettings::from_config(&config) {
                        Ok(None) => None,
                        Ok(Some(settings)) => {
                            let clients = dlq_producer_config(
                                &s.producer_props,
                                &overrides(&config, "producer.override"),
                                name,
                                task,
                            )
                            .and_then(|(producer, _)| {
                                dlq_admin_config(
                                    &s.admin_props,
                                    &overrides(&config, "admin.override"),
                                )
                                .map(|(admin, _)| (producer, admin))
                            });
                            let (producer, admin) = match clients {
                                Ok(c) => c,
                                Err(e) => return self.fail_task_setup(&id, e),
                            };
                            Some(DlqSetup {
                                settings,
                                admin_config: admin,
                                producer_config: producer,
                            })
                        }
                        Err(e) => {
                            let e = ConnectError::from(e);
                            self.status
                                .set_task(name, task, State::Failed, Some(e.trace()));
                            return;
                        }
                    };
                    Box::pin(sink_task::run(
                        SinkTaskSpec {
                            id: id.clone(),
                            task: new_task(),
                            task_config,
                            consumer_config,
                            converters,
                            transforms,
                            subscription,
                            flush_interval: s.offset_flush_interval,
                            flush_timeout: s.offset_flush_timeout,
                            max_poll_records,
                            metrics,
                            topics: entry.topics.clone(),
                            errors,
                            dlq,
                        },
                        control,
                        on_running,
                    ))
                }
            };
        let join = tokio::spawn(async move {
            match future.await {
                TaskExit::Stopped => {
                    status.set_task(&id.connector, id.task, State::Unassigned, None)
                }
                TaskExit::Failed(trace) => {
                    tracing::error!(task = %id, trace = %trace, "task failed");
                    status.set_task(&id.connector, id.task, State::Failed, Some(trace));
                }
            }
        });
        entry.tasks.insert(
            task,
            RunningTask {
                stop,
                pause: pause_tx,
                join,
            },
        );
    }

    /// Fails a task whose Kafka client settings cannot be applied (e.g. a JKS keystore).
    pub(super) fn fail_task_setup(&self, id: &TaskId, error: impl std::fmt::Display) {
        let e = ConnectError::new(format!(
            "Failed to configure the Kafka client of task {id}: {error}"
        ));
        tracing::error!(task = %id, error = %e, "task failed to start");
        self.status
            .set_task(&id.connector, id.task, State::Failed, Some(e.trace()));
    }

    /// Stops the given tasks and waits for them, within `task.shutdown.graceful.timeout.ms` in total.
    pub(super) async fn stop_tasks(&self, name: &str, entry: &mut ConnectorEntry, ids: &[u32]) {
        let mut running = Vec::new();
        for id in ids {
            if let Some(t) = entry.tasks.remove(id) {
                t.stop.cancel();
                running.push((*id, t.join));
            }
        }
        let deadline = tokio::time::Instant::now() + self.settings.task_shutdown_timeout;
        for (id, mut join) in running {
            if tokio::time::timeout_at(deadline, &mut join).await.is_err() {
                tracing::error!(connector = name, task = id, "Graceful stop of task {name}-{id} failed: it did not stop within task.shutdown.graceful.timeout.ms; abandoning it (records it had not committed will be delivered again)");
                join.abort();
            }
        }
    }

    pub(super) async fn stop_all_tasks(&self, name: &str, entry: &mut ConnectorEntry) {
        let ids: Vec<u32> = entry.tasks.keys().copied().collect();
        self.stop_tasks(name, entry, &ids).await;
    }
}
