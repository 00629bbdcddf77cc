//! A connector's runtime status, folded from what its worker pods report (`status.workers`) and
//! where the operator placed its units (`status.assignment`): the Kafka-shaped `connectorStatus`
//! that `kubectl get` and Kafka Connect users read, and whether the connector is in the state its
//! spec asks for.

use std::collections::BTreeSet;

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::labels::reasons;
use ferry_crds::placement::{Assignment, PlacementPhase, WorkerReport};
use ferry_crds::status::{
    ConnectorInstanceStatus, ConnectorState, ConnectorStatus, ConnectorType, TaskStatus,
};
use ferry_crds::KafkaConnector;
use ferry_worker::config::connector::ConnectorKind;
use kube::ResourceExt;

use super::conditions::Readiness;

/// `connectorStatus` from the reports: the instance and each task as the pod placed on it (or,
/// while a unit moves, the pod still holding it) reports it; `UNASSIGNED` where no pod does.
/// A stopped connector is `STOPPED` with no tasks, as Kafka Connect shows it.
pub fn fold(connector: &KafkaConnector, kind: Option<ConnectorKind>) -> ConnectorStatus {
    let status = connector.status.clone().unwrap_or_default();
    let assignment = status.assignment.clone().unwrap_or_default();
    let reports = &status.workers;
    let stopped = connector.spec.state == ConnectorTargetState::Stopped;

    // The placed pod first, then any other holder.
    let holders = |placed: Option<&str>| {
        placed
            .into_iter()
            .map(str::to_owned)
            .chain(reports.keys().cloned())
            .collect::<Vec<String>>()
    };
    let instance = holders(assignment.connector.as_ref().map(|p| p.worker.as_str()))
        .into_iter()
        .find_map(|pod| {
            let r = reports.get(&pod)?;
            r.connector.as_ref().map(|c| ConnectorInstanceStatus {
                state: c.state,
                worker_id: Some(r.worker_id.clone()),
                trace: c.trace.clone(),
            })
        })
        .unwrap_or(ConnectorInstanceStatus {
            state: if stopped {
                ConnectorState::Stopped
            } else {
                ConnectorState::Unassigned
            },
            worker_id: None,
            trace: None,
        });

    let mut ids: BTreeSet<i32> = (0..assignment.task_count.max(0)).collect();
    // A task a pod still reports (the count shrank, it is being released) is shown until it stops.
    ids.extend(reports.values().flat_map(|r| r.tasks.iter().map(|t| t.id)));
    let tasks = ids
        .into_iter()
        .map(|id| {
            let placed = assignment
                .tasks
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.worker.as_str());
            holders(placed)
                .into_iter()
                .find_map(|pod| {
                    let r = reports.get(&pod)?;
                    r.tasks.iter().find(|t| t.id == id).map(|t| TaskStatus {
                        id,
                        state: t.state,
                        worker_id: Some(r.worker_id.clone()),
                        trace: t.trace.clone(),
                    })
                })
                .unwrap_or(TaskStatus {
                    id,
                    state: ConnectorState::Unassigned,
                    worker_id: None,
                    trace: None,
                })
        })
        .filter(|t| !(stopped && t.worker_id.is_none()))
        .collect();

    ConnectorStatus {
        name: connector.name_any(),
        connector: instance,
        tasks,
        type_: Some(match kind {
            Some(ConnectorKind::Source) => ConnectorType::Source,
            Some(ConnectorKind::Sink) => ConnectorType::Sink,
            None => ConnectorType::Unknown,
        }),
    }
}

/// Whether the connector is in the state its spec asks for, from the folded status, the
/// assignment and the reports; otherwise why not, in words a person can act on.
pub fn readiness(connector: &KafkaConnector, folded: &ConnectorStatus) -> Readiness {
    let status = connector.status.clone().unwrap_or_default();
    let assignment = status.assignment.unwrap_or_default();
    let target = connector.spec.state;

    if folded.connector.state == ConnectorState::Failed {
        return Readiness::not_ready(
            reasons::CONNECTOR_FAILED,
            format!(
                "the connector failed on {}; see status.connectorStatus.connector.trace, fix the cause and restart it",
                folded.connector.worker_id.as_deref().unwrap_or("its worker")
            ),
        );
    }
    let failed: Vec<String> = folded
        .tasks
        .iter()
        .filter(|t| t.state == ConnectorState::Failed)
        .map(|t| t.id.to_string())
        .collect();
    if !failed.is_empty() {
        return Readiness::not_ready(
            reasons::TASKS_FAILED,
            format!(
                "task(s) {} failed; see status.connectorStatus.tasks[].trace, fix the cause and restart them",
                failed.join(", ")
            ),
        );
    }
    if target == ConnectorTargetState::Stopped {
        let holding: BTreeSet<&String> = status
            .workers
            .iter()
            .filter(|(_, r)| holds_anything(r))
            .map(|(pod, _)| pod)
            .collect();
        return if holding.is_empty() {
            Readiness::ready(reasons::STOPPED, "connector stopped as requested")
        } else {
            Readiness::not_ready(
                reasons::REBALANCING,
                format!("stopping: pod(s) {} still run its tasks", join(holding)),
            )
        };
    }
    let releasing: BTreeSet<&String> = assignment
        .tasks
        .iter()
        .map(|t| (&t.worker, t.phase))
        .chain(assignment.connector.iter().map(|c| (&c.worker, c.phase)))
        .filter(|(_, phase)| *phase == PlacementPhase::Releasing)
        .map(|(w, _)| w)
        .collect();
    if !releasing.is_empty() {
        return Readiness::not_ready(
            reasons::REBALANCING,
            format!(
                "tasks are moving: waiting for pod(s) {} to stop the ones taken from them",
                join(releasing)
            ),
        );
    }
    if status_has_no_assignment(connector) {
        return Readiness::not_ready(
            reasons::TASKS_PENDING,
            "valid and bound; waiting to be placed on a worker pod",
        );
    }
    let unplaced = unplaced(&assignment);
    if unplaced > 0 {
        return Readiness::not_ready(
            reasons::NO_WORKERS,
            format!(
                "{unplaced} of the connector's {} unit(s) have no ready worker pod to run on; check the KafkaConnect's pods",
                assignment.task_count.max(0) + 1
            ),
        );
    }
    let generation = connector.metadata.generation;
    let behind: BTreeSet<&String> = status
        .workers
        .iter()
        .filter(|(_, r)| holds_anything(r) && r.observed_generation < generation)
        .map(|(pod, _)| pod)
        .collect();
    if !behind.is_empty() {
        return Readiness::not_ready(
            reasons::UPDATING,
            format!(
                "pod(s) {} are restarting their tasks with the new spec",
                join(behind)
            ),
        );
    }
    let wanted = match target {
        ConnectorTargetState::Paused => ConnectorState::Paused,
        _ => ConnectorState::Running,
    };
    let pending: Vec<String> = folded
        .tasks
        .iter()
        .filter(|t| t.state != wanted)
        .map(|t| t.id.to_string())
        .collect();
    if folded.connector.state != wanted || !pending.is_empty() {
        let what = if folded.connector.state != wanted {
            "the connector".to_owned()
        } else {
            format!("task(s) {}", pending.join(", "))
        };
        return Readiness::not_ready(
            reasons::TASKS_PENDING,
            format!("{what} not {} yet", state_word(wanted)),
        );
    }
    let pods: BTreeSet<&str> = folded
        .tasks
        .iter()
        .filter_map(|t| t.worker_id.as_deref())
        .collect();
    let n = folded.tasks.len();
    if target == ConnectorTargetState::Paused {
        Readiness::ready(
            reasons::PAUSED,
            format!("connector and {n} task(s) paused as requested"),
        )
    } else {
        Readiness::ready(
            reasons::RECONCILED,
            format!(
                "connector and {n} task(s) running on {}",
                pods.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
    }
}

fn status_has_no_assignment(c: &KafkaConnector) -> bool {
    c.status.as_ref().is_none_or(|s| s.assignment.is_none())
}

fn holds_anything(r: &WorkerReport) -> bool {
    r.connector.is_some() || !r.tasks.is_empty()
}

fn unplaced(a: &Assignment) -> usize {
    let placed_tasks = a.tasks.len();
    usize::from(a.connector.is_none())
        + usize::try_from(a.task_count.max(0))
            .unwrap_or(0)
            .saturating_sub(placed_tasks)
}

fn join(pods: BTreeSet<&String>) -> String {
    pods.into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn state_word(s: ConnectorState) -> &'static str {
    match s {
        ConnectorState::Paused => "paused",
        _ => "running",
    }
}
