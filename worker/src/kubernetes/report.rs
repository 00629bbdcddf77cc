//! This pod's report into each `KafkaConnector`'s `status.workers.<pod>`: built from what the runtime
//! holds (pure), and written by one loop that coalesces bursts, skips unchanged reports, and retries
//! with backoff when the API is down (the next attempt always sends the latest state).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use ferry_crds::placement::{report_patch, OffsetsResult, TaskReport, UnitReport, WorkerReport};
use ferry_crds::status::ConnectorState;
use ferry_crds::KafkaConnector;
use kube::api::{Patch, PatchParams};
use kube::runtime::reflector::Store;
use kube::Api;
use tokio_util::sync::CancellationToken;

use super::offsets::OffsetsResults;
use crate::rest::herder::Herder;
use crate::runtime::herder::Held;
use crate::runtime::status::{InstanceStatus, State};
use crate::runtime::StandaloneHerder;

/// How long a burst of changes may last before the report is written (task starts come in bursts).
const DEBOUNCE: Duration = Duration::from_millis(100);
const RETRY_MIN: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(10);

fn state(s: State) -> ConnectorState {
    match s {
        State::Unassigned => ConnectorState::Unassigned,
        State::Running => ConnectorState::Running,
        State::Paused => ConnectorState::Paused,
        State::Stopped => ConnectorState::Stopped,
        State::Failed => ConnectorState::Failed,
        State::Restarting => ConnectorState::Restarting,
    }
}

fn trace(s: &InstanceStatus) -> Option<String> {
    s.trace.clone().filter(|t| !t.is_empty())
}

/// The report of what this pod holds of one connector; `None` when it holds nothing (its key is
/// then removed, which tells the operator every released unit has stopped).
pub fn build_report(worker_id: &str, held: Option<&Held>) -> Option<WorkerReport> {
    build_report_with(worker_id, held, None)
}

/// [`build_report`] plus the result of an offsets operation this pod carried out: a pod that holds
/// no unit still reports, so the operator receives the result.
pub fn build_report_with(
    worker_id: &str,
    held: Option<&Held>,
    offsets_result: Option<&OffsetsResult>,
) -> Option<WorkerReport> {
    let Some(held) = held else {
        return offsets_result.map(|r| WorkerReport {
            worker_id: worker_id.to_string(),
            offsets_result: Some(r.clone()),
            ..WorkerReport::default()
        });
    };
    if held.instance.is_none() && held.tasks.is_empty() && offsets_result.is_none() {
        return None;
    }
    Some(WorkerReport {
        offsets_result: offsets_result.cloned(),
        worker_id: worker_id.to_string(),
        observed_generation: held.generation,
        connector: held.instance.as_ref().map(|s| UnitReport {
            state: state(s.state),
            trace: trace(s),
        }),
        tasks: held
            .tasks
            .iter()
            .filter_map(|(id, s)| {
                Some(TaskReport {
                    id: i32::try_from(*id).ok()?,
                    state: state(s.state),
                    trace: trace(s),
                })
            })
            .collect(),
    })
}

/// The report that claims the newly placed units (`instance`, `tasks`) on top of what this pod
/// holds: they are listed as UNASSIGNED (Kafka's state of a unit not started yet) until they run.
pub fn claim_report(
    worker_id: &str,
    held: Option<&Held>,
    generation: Option<i64>,
    instance: bool,
    tasks: &BTreeSet<u32>,
) -> WorkerReport {
    let mut report = build_report_with(worker_id, held, None).unwrap_or_else(|| WorkerReport {
        worker_id: worker_id.to_string(),
        observed_generation: generation,
        ..WorkerReport::default()
    });
    if instance && report.connector.is_none() {
        report.connector = Some(UnitReport {
            state: ConnectorState::Unassigned,
            trace: None,
        });
    }
    for id in tasks {
        let Ok(id) = i32::try_from(*id) else { continue };
        if !report.tasks.iter().any(|t| t.id == id) {
            report.tasks.push(TaskReport {
                id,
                state: ConnectorState::Unassigned,
                trace: None,
            });
        }
    }
    report.tasks.sort_by_key(|t| t.id);
    report
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot write the report of pod {pod} into KafkaConnector {namespace}/{connector}: {source}"
)]
pub struct ReportError {
    pod: String,
    namespace: String,
    connector: String,
    source: kube::Error,
}

/// Writes this pod's reports. `written` is what the resource holds for this pod, as far as we know:
/// taken from the watched object the first time a connector is seen (so a stale entry left by an
/// earlier run of the pod is corrected), then what we wrote.
pub struct Reporter {
    api: Api<KafkaConnector>,
    namespace: String,
    pod: String,
    worker_id: String,
    runtime: Arc<StandaloneHerder>,
    store: Store<KafkaConnector>,
    written: BTreeMap<String, Option<WorkerReport>>,
    offsets_results: OffsetsResults,
}

impl Reporter {
    pub fn new(
        api: Api<KafkaConnector>,
        namespace: &str,
        pod: &str,
        runtime: Arc<StandaloneHerder>,
        store: Store<KafkaConnector>,
        offsets_results: OffsetsResults,
    ) -> Self {
        Reporter {
            offsets_results,
            api,
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            worker_id: runtime.worker_id(),
            runtime,
            store,
            written: BTreeMap::new(),
        }
    }

    /// The worker id this pod reports.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Claims newly placed units before they start: writes `report` only if the connector is
    /// still at `resource_version`, the version whose assignment placed them on this pod. `false`
    /// when it is not (409): the assignment may have changed since, so nothing new may start;
    /// the newer version's watch event brings the next try.
    pub async fn claim(
        &mut self,
        name: &str,
        report: &WorkerReport,
        resource_version: &str,
    ) -> Result<bool, ReportError> {
        let mut patch = report_patch(&self.pod, Some(report));
        patch["metadata"] = serde_json::json!({ "resourceVersion": resource_version });
        match self
            .api
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                self.written.insert(name.to_string(), Some(report.clone()));
                tracing::debug!(connector = name, "units claimed");
                Ok(true)
            }
            Err(kube::Error::Api(e)) if e.code == 409 || e.code == 404 => Ok(false),
            Err(source) => Err(ReportError {
                pod: self.pod.clone(),
                namespace: self.namespace.clone(),
                connector: name.to_string(),
                source,
            }),
        }
    }

    /// Writes every report that differs from what the resource holds. Stops at the first error
    /// (the caller retries everything, with the state of that moment).
    pub async fn write_changed(&mut self) -> Result<(), ReportError> {
        let mut names: Vec<String> = self.runtime.applied_connectors();
        names.extend(self.written.keys().cloned());
        names.extend(crate::sync::lock(&self.offsets_results).keys().cloned());
        for object in self.store.state() {
            let has_mine = object
                .status
                .as_ref()
                .is_some_and(|s| s.workers.contains_key(&self.pod));
            if has_mine {
                names.extend(object.metadata.name.clone());
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            let held = self.runtime.held(&name).await;
            let result = crate::sync::lock(&self.offsets_results).get(&name).cloned();
            let report = build_report_with(&self.worker_id, held.as_ref(), result.as_ref());
            let known = match self.written.get(&name) {
                Some(known) => known.clone(),
                None => self.in_resource(&name),
            };
            if known != report {
                self.patch(&name, report.as_ref()).await?;
            }
            if report.is_none() && held.is_none() && result.is_none() {
                self.written.remove(&name);
            } else {
                self.written.insert(name, report);
            }
        }
        Ok(())
    }

    /// This pod's entry in the watched object, if any.
    fn in_resource(&self, name: &str) -> Option<WorkerReport> {
        let key = kube::runtime::reflector::ObjectRef::new(name).within(&self.namespace);
        self.store
            .get(&key)?
            .status
            .as_ref()?
            .workers
            .get(&self.pod)
            .cloned()
    }

    async fn patch(&self, name: &str, report: Option<&WorkerReport>) -> Result<(), ReportError> {
        let patch = report_patch(&self.pod, report);
        match self
            .api
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                tracing::debug!(
                    connector = name,
                    removed = report.is_none(),
                    "report written"
                );
                Ok(())
            }
            // The resource is gone: there is nothing left to report into.
            Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
            Err(source) => Err(ReportError {
                pod: self.pod.clone(),
                namespace: self.namespace.clone(),
                connector: name.to_string(),
                source,
            }),
        }
    }

    /// The last step of a graceful shutdown, once every task has stopped: removes this pod's
    /// entry from every connector, retrying until `deadline`.
    pub async fn remove_all(&mut self, deadline: tokio::time::Instant) {
        let mut names: Vec<String> = self.written.keys().cloned().collect();
        names.extend(self.store.state().iter().filter_map(|o| {
            let mine = o
                .status
                .as_ref()
                .is_some_and(|s| s.workers.contains_key(&self.pod));
            mine.then(|| o.metadata.name.clone()).flatten()
        }));
        names.sort();
        names.dedup();
        let mut retry = RETRY_MIN;
        while let Some(name) = names.last().cloned() {
            match self.patch(&name, None).await {
                Ok(()) => {
                    names.pop();
                    self.written.remove(&name);
                }
                Err(e) => {
                    if tokio::time::Instant::now() + retry > deadline {
                        tracing::error!(error = %e, "giving up removing this pod's reports; the operator removes them once the pod is gone");
                        return;
                    }
                    tracing::warn!(error = %e, "report not removed; retrying");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MAX);
                }
            }
        }
    }
}

/// Writes reports whenever the runtime changes, until `shutdown`. The reporter is shared with the
/// apply loop, which holds it from a claim until the claimed units have started, so that no
/// report written meanwhile (from a state without them) can take the claim back.
pub async fn run(
    reporter: Arc<tokio::sync::Mutex<Reporter>>,
    changes: Arc<tokio::sync::Notify>,
    shutdown: CancellationToken,
) {
    let mut retry = RETRY_MIN;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = changes.notified() => {}
        }
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(DEBOUNCE) => {}
            }
            let written = reporter.lock().await.write_changed().await;
            match written {
                Ok(()) => {
                    retry = RETRY_MIN;
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?retry, "report not written; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(retry) => {}
                    }
                    retry = (retry * 2).min(RETRY_MAX);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_adds_the_new_units_as_unassigned_to_what_is_held() {
        let held = Held {
            generation: Some(3),
            instance: None,
            tasks: vec![(2, status(State::Running, None))],
        };
        let r = claim_report("pod-a:8083", Some(&held), Some(4), true, &[0, 2].into());
        assert_eq!(
            r.connector.map(|c| c.state),
            Some(ConnectorState::Unassigned)
        );
        let tasks: Vec<(i32, ConnectorState)> = r.tasks.iter().map(|t| (t.id, t.state)).collect();
        assert_eq!(
            tasks,
            [
                (0, ConnectorState::Unassigned),
                (2, ConnectorState::Running)
            ]
        );
        assert_eq!(r.observed_generation, Some(3));
        let fresh = claim_report("pod-a:8083", None, Some(4), false, &[1].into());
        assert_eq!(fresh.observed_generation, Some(4));
        assert_eq!(fresh.tasks.len(), 1);
        assert!(fresh.connector.is_none());
    }

    fn status(state: State, trace: Option<&str>) -> InstanceStatus {
        InstanceStatus {
            state,
            trace: trace.map(str::to_string),
        }
    }

    #[test]
    fn a_report_lists_the_instance_and_the_held_tasks_with_their_states() {
        let held = Held {
            generation: Some(7),
            instance: Some(status(State::Running, None)),
            tasks: vec![
                (0, status(State::Running, Some(""))),
                (2, status(State::Failed, Some("boom"))),
                (3, status(State::Unassigned, None)),
            ],
        };
        let r = build_report("pod-a:8083", Some(&held)).expect("a report");
        assert_eq!(r.worker_id, "pod-a:8083");
        assert_eq!(r.observed_generation, Some(7));
        assert_eq!(
            r.connector,
            Some(UnitReport {
                state: ConnectorState::Running,
                trace: None
            })
        );
        let tasks: Vec<(i32, ConnectorState, Option<&str>)> = r
            .tasks
            .iter()
            .map(|t| (t.id, t.state, t.trace.as_deref()))
            .collect();
        assert_eq!(
            tasks,
            vec![
                (0, ConnectorState::Running, None),
                (2, ConnectorState::Failed, Some("boom")),
                (3, ConnectorState::Unassigned, None),
            ]
        );
    }

    #[test]
    fn a_pod_without_the_instance_reports_only_its_tasks() {
        let held = Held {
            generation: Some(1),
            instance: None,
            tasks: vec![(1, status(State::Paused, None))],
        };
        let r = build_report("pod-b:8083", Some(&held)).expect("a report");
        assert!(r.connector.is_none());
        assert_eq!(r.tasks.len(), 1);
        assert_eq!(r.tasks[0].state, ConnectorState::Paused);
    }

    #[test]
    fn holding_nothing_removes_the_report() {
        let empty = Held {
            generation: Some(1),
            instance: None,
            tasks: vec![],
        };
        assert_eq!(build_report("pod-a:8083", Some(&empty)), None);
        assert_eq!(build_report("pod-a:8083", None), None);
    }
}
