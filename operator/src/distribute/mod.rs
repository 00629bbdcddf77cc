//! Task distribution for one `KafkaConnect`: from its connectors (their specs, the placement
//! written last time, and what the worker pods report) and its worker pods, the next placement of
//! every connector, as pure functions around [`crate::assign::plan`].
//!
//! The assignment controller (`crate::controller::assignment`) is the thin I/O around this: it
//! reads the stores, calls [`distribute`], and writes each connector's `status.assignment` that
//! changed.

use std::collections::{BTreeMap, BTreeSet};

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::placement::{
    Assignment as ConnectorAssignment, PlacementPhase, TaskPlacement, UnitPlacement,
};
use ferry_crds::KafkaConnector;
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::assign::{plan, Assignment, Placement, Reports, Unit, WorkerState};
use crate::validate::connector::{validate_connector, ValidConnector};

pub mod offsets;
pub mod restart;
#[cfg(test)]
mod tests;

use restart::{bumped, plan_restarts, Counters};

/// What a pod is to the placement: ready, not ready, terminating; pods that finished (phase
/// `Succeeded` or `Failed`) run nothing and are left out, like pods that are gone.
pub fn worker_state(pod: &Pod) -> Option<WorkerState> {
    if pod.metadata.deletion_timestamp.is_some() {
        return Some(WorkerState::Terminating);
    }
    let status = pod.status.as_ref();
    if matches!(
        status.and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    ) {
        return None;
    }
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    Some(if ready {
        WorkerState::Ready
    } else {
        WorkerState::NotReady
    })
}

/// The worker pods of a cluster, by name.
pub fn worker_states<'a>(pods: impl Iterator<Item = &'a Pod>) -> BTreeMap<String, WorkerState> {
    pods.filter_map(|p| worker_state(p).map(|s| (p.name_any(), s)))
        .collect()
}

/// How many tasks a valid connector has: what its connector instance generates for `tasksMax`,
/// computed with the same connector library the workers run (Kafka's FileStreamSource makes one
/// task whatever `tasks.max` says; the sink makes `tasks.max`). A connector that does not start
/// here (a config placeholder only the workers can resolve, say) gets `tasksMax` tasks; the
/// worker that runs its instance reports the real failure.
pub fn task_count(valid: &ValidConnector, tasks_max: i32) -> u32 {
    let max = usize::try_from(tasks_max.max(1)).unwrap_or(1);
    let Some(plugin) = ferry_worker::plugins::find_connector(valid.class_name) else {
        return max as u32;
    };
    let mut instance = (plugin.new_connector)();
    let count = match instance.start(&valid.props) {
        Ok(()) => instance.task_configs(max).len().min(max),
        Err(_) => max,
    };
    instance.stop();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The units a connector should run now: none when it is invalid or stopped; else its instance
/// and its tasks.
pub fn units_of(connector: &KafkaConnector) -> (u32, BTreeSet<Unit>) {
    let name = connector.name_any();
    let Ok(valid) = validate_connector(connector) else {
        return (0, BTreeSet::new());
    };
    let count = task_count(&valid, connector.spec.tasks_max);
    if connector.spec.state == ConnectorTargetState::Stopped {
        return (count, BTreeSet::new());
    }
    let mut units = BTreeSet::from([Unit::Connector(name.clone())]);
    units.extend((0..count).map(|i| Unit::Task(name.clone(), i)));
    (count, units)
}

/// The placement written into the connectors' statuses last time.
pub fn previous_of<'a>(connectors: impl Iterator<Item = &'a KafkaConnector>) -> Assignment {
    let mut out = Assignment::new();
    for c in connectors {
        let name = c.name_any();
        let Some(a) = c.status.as_ref().and_then(|s| s.assignment.as_ref()) else {
            continue;
        };
        if let Some(p) = &a.connector {
            out.insert(Unit::Connector(name.clone()), placement(&p.worker, p.phase));
        }
        for t in &a.tasks {
            if let Ok(id) = u32::try_from(t.id) {
                out.insert(Unit::Task(name.clone(), id), placement(&t.worker, t.phase));
            }
        }
    }
    out
}

fn placement(worker: &str, phase: PlacementPhase) -> Placement {
    match phase {
        PlacementPhase::Assigned => Placement::On(worker.to_owned()),
        PlacementPhase::Releasing => Placement::Releasing {
            from: worker.to_owned(),
        },
    }
}

/// What the worker pods report holding (any state: a failed task is held until released).
pub fn reports_of<'a>(connectors: impl Iterator<Item = &'a KafkaConnector>) -> Reports {
    let mut out = Reports::new();
    for c in connectors {
        let name = c.name_any();
        let Some(status) = c.status.as_ref() else {
            continue;
        };
        for (pod, report) in &status.workers {
            if report.connector.is_some() {
                out.entry(Unit::Connector(name.clone()))
                    .or_default()
                    .insert(pod.clone());
            }
            for t in &report.tasks {
                if let Ok(id) = u32::try_from(t.id) {
                    out.entry(Unit::Task(name.clone(), id))
                        .or_default()
                        .insert(pod.clone());
                }
            }
        }
    }
    out
}

/// The new placement of one connector, in its status shape, with its restart counters.
pub fn connector_assignment(
    name: &str,
    task_count: u32,
    next: &Assignment,
    counters: &Counters,
) -> ConnectorAssignment {
    let shape = |p: &Placement| match p {
        Placement::On(w) => (w.clone(), PlacementPhase::Assigned),
        Placement::Releasing { from } => (from.clone(), PlacementPhase::Releasing),
    };
    let connector = next.get(&Unit::Connector(name.to_owned())).map(|p| {
        let (worker, phase) = shape(p);
        UnitPlacement {
            worker,
            phase,
            restarts: counters.connector,
        }
    });
    let tasks = next
        .range(Unit::Task(name.to_owned(), 0)..=Unit::Task(name.to_owned(), u32::MAX))
        .filter_map(|(u, p)| match u {
            Unit::Task(_, id) => i32::try_from(*id).ok().map(|id| {
                let (worker, phase) = shape(p);
                TaskPlacement {
                    id,
                    worker,
                    phase,
                    restarts: counters.tasks.get(&id).copied().unwrap_or(0),
                }
            }),
            Unit::Connector(_) => None,
        })
        .collect();
    ConnectorAssignment {
        task_count: i32::try_from(task_count).unwrap_or(i32::MAX),
        connector,
        tasks,
    }
}

/// What the assignment controller writes for one connector.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectorChange {
    /// The new `status.assignment`, when it differs from the current one.
    pub assignment: Option<ConnectorAssignment>,
    /// Reports of pods that are gone, to remove from `status.workers`.
    pub stale_reports: Vec<String>,
    /// The new `status.autoRestart`, when an automatic restart happens.
    pub auto_restart: Option<ferry_crds::status::AutoRestartStatus>,
    /// Restart annotations handled (to remove once the status is written).
    pub clear_annotations: Vec<&'static str>,
    /// Problems with restart annotations, for a Warning event.
    pub warnings: Vec<String>,
}

/// Everything the assignment controller writes for one cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Distribution {
    /// Per connector with something to write.
    pub changes: BTreeMap<String, ConnectorChange>,
    /// When an automatic restart is due later, the soonest.
    pub check_again_in: Option<std::time::Duration>,
}

/// The next placement of every connector of one cluster, with the restarts due now and the
/// reports of gone pods; only connectors with something to write are in the result.
pub fn distribute(
    connectors: &[&KafkaConnector],
    workers: &BTreeMap<String, WorkerState>,
    now: k8s_openapi::jiff::Timestamp,
) -> Distribution {
    let mut units = BTreeSet::new();
    let mut counts = BTreeMap::new();
    for c in connectors {
        let (count, u) = units_of(c);
        counts.insert(c.name_any(), count);
        units.extend(u);
    }
    let previous = previous_of(connectors.iter().copied());
    let reports = reports_of(connectors.iter().copied());
    let next = plan(&units, workers, &previous, &reports);

    let mut out = Distribution::default();
    for c in connectors {
        let name = c.name_any();
        let status = c.status.as_ref();
        let count = counts.get(&name).copied().unwrap_or(0);
        let restarts = plan_restarts(c, i32::try_from(count).unwrap_or(i32::MAX), now);
        if let Some(later) = restarts.check_again_in {
            out.check_again_in = Some(out.check_again_in.map_or(later, |d| d.min(later)));
        }
        let new = connector_assignment(&name, count, &next, &bumped(c, &restarts));
        let current = status
            .and_then(|s| s.assignment.clone())
            .unwrap_or_default();
        let change = ConnectorChange {
            assignment: (new != current).then_some(new),
            stale_reports: status
                .map(|s| {
                    s.workers
                        .keys()
                        .filter(|pod| !workers.contains_key(*pod))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
            auto_restart: restarts.auto_restart,
            clear_annotations: restarts.clear_annotations,
            warnings: restarts.warnings,
        };
        if change != ConnectorChange::default() {
            out.changes.insert(name, change);
        }
    }
    out
}
