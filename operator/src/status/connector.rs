//! `KafkaConnector` status: bound cluster, validation, and (once workers report it) the
//! connector's runtime state.
//!
//! The order of checks is the order a user fixes things in: the label, the cluster, the config,
//! the cluster's health, then the tasks (`super::runtime`, from the workers' reports).

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::labels::reasons;
use ferry_crds::status::{is_ready, ConnectorStatus};
use ferry_crds::{KafkaConnect, KafkaConnector, KafkaConnectorStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::conditions::{with_ready, Readiness};
use super::runtime;
use crate::names;
use crate::validate::connector::Invalid;

/// What the connector controller observed about the bound cluster.
#[derive(Clone, Copy, Debug)]
pub enum ClusterLookup<'a> {
    /// The connector has no cluster label.
    NoLabel,
    /// No `KafkaConnect` of that name in the namespace.
    NotFound(&'a str),
    /// The `KafkaConnect`.
    Found(&'a KafkaConnect),
}

/// The `Ready` condition of a connector; `folded` is its runtime status (`super::runtime::fold`).
pub fn connector_readiness(
    connector: &KafkaConnector,
    cluster: ClusterLookup<'_>,
    validation: Result<(), &Invalid>,
    folded: &ConnectorStatus,
) -> Readiness {
    let namespace = connector.metadata.namespace.as_deref().unwrap_or_default();
    let connect = match cluster {
        ClusterLookup::NoLabel => {
            return Readiness::not_ready(
                reasons::MISSING_CLUSTER_LABEL,
                format!(
                    "add the label {}: <KafkaConnect name> to bind this connector",
                    ferry_crds::CLUSTER_LABEL
                ),
            )
        }
        ClusterLookup::NotFound(name) => {
            return Readiness::not_ready(
                reasons::CLUSTER_NOT_FOUND,
                format!(
                "KafkaConnect '{name}' named by label {} does not exist in namespace {namespace}",
                ferry_crds::CLUSTER_LABEL
            ),
            )
        }
        ClusterLookup::Found(c) => c,
    };
    if let Err(invalid) = validation {
        return Readiness::not_ready(invalid.reason, invalid.message.clone());
    }
    let cluster_name = connect.metadata.name.as_deref().unwrap_or_default();
    let cluster_ready = connect
        .status
        .as_ref()
        .is_some_and(|s| is_ready(&s.conditions));
    // A stopped connector needs no worker; the others do.
    if connector.spec.state != ConnectorTargetState::Stopped
        && (connect.spec.replicas == 0 || !cluster_ready)
    {
        let why = if connect.spec.replicas == 0 {
            "has 0 replicas".to_owned()
        } else {
            "is not ready".to_owned()
        };
        return Readiness::not_ready(
            reasons::CLUSTER_NOT_READY,
            format!("KafkaConnect '{cluster_name}' {why}"),
        );
    }
    runtime::readiness(connector, folded)
}

/// The fields of the status the connector controller owns, written by server-side apply under the
/// operator's field manager: conditions, the folded `connectorStatus`, the scale fields. The
/// assignment (the assignment controller's) and the workers' reports are left out and untouched.
pub fn connector_status(
    connector: &KafkaConnector,
    readiness: &Readiness,
    folded: Option<ConnectorStatus>,
    now: &Time,
) -> KafkaConnectorStatus {
    let previous = connector.status.clone().unwrap_or_default();
    let generation = connector.metadata.generation;
    KafkaConnectorStatus {
        conditions: with_ready(&previous.conditions, readiness, generation, now),
        observed_generation: generation,
        tasks_max: Some(connector.spec.tasks_max),
        label_selector: connector.cluster_name().map(names::selector_string),
        connector_status: folded,
        ..KafkaConnectorStatus::default()
    }
}

/// Whether writing `new` would change the operator-owned fields of `previous` (no write, and no
/// watch event, when nothing changed).
pub fn connector_status_changed(
    previous: Option<&KafkaConnectorStatus>,
    new: &KafkaConnectorStatus,
) -> bool {
    let Some(p) = previous else { return true };
    p.conditions != new.conditions
        || p.observed_generation != new.observed_generation
        || p.tasks_max != new.tasks_max
        || p.label_selector != new.label_selector
        || p.connector_status != new.connector_status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::conditions::tests::at;
    use ferry_crds::placement::{
        Assignment, PlacementPhase, TaskPlacement, TaskReport, UnitPlacement, UnitReport,
        WorkerReport,
    };
    use ferry_crds::status::{ConnectorState, KafkaConnectStatus};
    use ferry_crds::{KafkaConnectSpec, KafkaConnectorSpec};
    use std::collections::BTreeMap;

    fn connector() -> KafkaConnector {
        let mut c = KafkaConnector::new("src", KafkaConnectorSpec::new("FileStreamSource"));
        c.metadata.namespace = Some("ns".into());
        c.metadata.generation = Some(2);
        c.metadata.labels = Some(BTreeMap::from([(
            "ferry.dev/cluster".to_string(),
            "my-connect".to_string(),
        )]));
        c
    }

    fn cluster(ready: bool, replicas: i32) -> KafkaConnect {
        let mut spec = KafkaConnectSpec::new("b:9092", "g", "o");
        spec.replicas = replicas;
        let mut kc = KafkaConnect::new("my-connect", spec);
        let r = if ready {
            Readiness::ready(reasons::RECONCILED, "")
        } else {
            Readiness::not_ready(reasons::DEPLOYMENT_PROGRESSING, "")
        };
        kc.status = Some(KafkaConnectStatus {
            conditions: with_ready(&[], &r, None, &at(1)),
            ..KafkaConnectStatus::default()
        });
        kc
    }

    fn reason(
        c: &KafkaConnector,
        lookup: ClusterLookup<'_>,
        v: Result<(), &Invalid>,
    ) -> &'static str {
        connector_readiness(c, lookup, v, &runtime::fold(c, None)).reason
    }

    #[test]
    fn cluster_not_found_then_recovers() {
        let c = connector();
        let r = connector_readiness(
            &c,
            ClusterLookup::NotFound("my-connect"),
            Ok(()),
            &runtime::fold(&c, None),
        );
        assert_eq!(r.reason, reasons::CLUSTER_NOT_FOUND);
        assert!(!r.ready);
        assert!(r.message.contains("'my-connect'") && r.message.contains("ns"));
        let kc = cluster(true, 1);
        assert_eq!(
            reason(&c, ClusterLookup::Found(&kc), Ok(())),
            reasons::TASKS_PENDING
        );
    }

    #[test]
    fn order_label_cluster_config_health() {
        let c = connector();
        let invalid = Invalid {
            reason: reasons::INVALID_CONFIG,
            message: "bad".into(),
        };
        assert_eq!(
            reason(&c, ClusterLookup::NoLabel, Err(&invalid)),
            reasons::MISSING_CLUSTER_LABEL
        );
        assert_eq!(
            reason(&c, ClusterLookup::NotFound("x"), Err(&invalid)),
            reasons::CLUSTER_NOT_FOUND
        );
        let sick = cluster(false, 1);
        assert_eq!(
            reason(&c, ClusterLookup::Found(&sick), Err(&invalid)),
            reasons::INVALID_CONFIG
        );
        assert_eq!(
            reason(&c, ClusterLookup::Found(&sick), Ok(())),
            reasons::CLUSTER_NOT_READY
        );
        let zero = cluster(true, 0);
        let r = connector_readiness(
            &c,
            ClusterLookup::Found(&zero),
            Ok(()),
            &runtime::fold(&c, None),
        );
        assert!(r.message.contains("0 replicas"));
    }

    fn report(
        pod: &str,
        connector: Option<ConnectorState>,
        tasks: &[(i32, ConnectorState)],
    ) -> (String, WorkerReport) {
        (
            pod.to_owned(),
            WorkerReport {
                worker_id: format!("{pod}:8083"),
                observed_generation: Some(2),
                connector: connector.map(|state| UnitReport { state, trace: None }),
                tasks: tasks
                    .iter()
                    .map(|(id, state)| TaskReport {
                        id: *id,
                        state: *state,
                        trace: (*state == ConnectorState::Failed).then(|| "boom".to_owned()),
                    })
                    .collect(),
                offsets_result: None,
            },
        )
    }

    fn placed(task_count: i32, pod: &str, phase: PlacementPhase) -> Assignment {
        Assignment {
            task_count,
            connector: Some(UnitPlacement {
                worker: pod.into(),
                phase,
                restarts: 0,
            }),
            tasks: (0..task_count)
                .map(|id| TaskPlacement {
                    id,
                    worker: pod.into(),
                    phase,
                    restarts: 0,
                })
                .collect(),
        }
    }

    fn with(c: &mut KafkaConnector, assignment: Assignment, reports: Vec<(String, WorkerReport)>) {
        c.status = Some(KafkaConnectorStatus {
            assignment: Some(assignment),
            workers: reports.into_iter().collect(),
            ..KafkaConnectorStatus::default()
        });
    }

    fn decide(c: &KafkaConnector, kc: &KafkaConnect) -> Readiness {
        let folded = runtime::fold(c, None);
        connector_readiness(c, ClusterLookup::Found(kc), Ok(()), &folded)
    }

    #[test]
    fn stopped_is_ready_once_no_pod_runs_anything() {
        let kc = cluster(false, 1);
        let mut c = connector();
        c.spec.state = ConnectorTargetState::Stopped;
        with(
            &mut c,
            Assignment::default(),
            vec![report("w0", None, &[(0, ConnectorState::Running)])],
        );
        assert_eq!(decide(&c, &kc).reason, reasons::REBALANCING);
        with(&mut c, Assignment::default(), vec![]);
        let r = decide(&c, &kc);
        assert_eq!((r.ready, r.reason), (true, reasons::STOPPED));
        let folded = runtime::fold(&c, None);
        assert_eq!(folded.connector.state, ConnectorState::Stopped);
        assert!(folded.tasks.is_empty());
    }

    #[test]
    fn paused_is_ready_once_every_unit_reports_paused() {
        let kc = cluster(true, 1);
        let mut c = connector();
        c.spec.state = ConnectorTargetState::Paused;
        let a = placed(1, "w0", PlacementPhase::Assigned);
        with(
            &mut c,
            a.clone(),
            vec![report(
                "w0",
                Some(ConnectorState::Paused),
                &[(0, ConnectorState::Running)],
            )],
        );
        assert_eq!(decide(&c, &kc).reason, reasons::TASKS_PENDING);
        with(
            &mut c,
            a,
            vec![report(
                "w0",
                Some(ConnectorState::Paused),
                &[(0, ConnectorState::Paused)],
            )],
        );
        let r = decide(&c, &kc);
        assert_eq!((r.ready, r.reason), (true, reasons::PAUSED));
    }

    #[test]
    fn worker_reports_decide_readiness() {
        let kc = cluster(true, 1);
        let mut c = connector();
        // Nothing placed yet: no worker.
        with(
            &mut c,
            Assignment {
                task_count: 2,
                ..Assignment::default()
            },
            vec![],
        );
        assert_eq!(decide(&c, &kc).reason, reasons::NO_WORKERS);
        let a = placed(2, "w0", PlacementPhase::Assigned);
        with(
            &mut c,
            a.clone(),
            vec![report(
                "w0",
                Some(ConnectorState::Running),
                &[(0, ConnectorState::Running), (1, ConnectorState::Failed)],
            )],
        );
        let r = decide(&c, &kc);
        assert_eq!(r.reason, reasons::TASKS_FAILED);
        assert!(r.message.contains("task(s) 1 failed"), "{}", r.message);
        with(
            &mut c,
            a.clone(),
            vec![report(
                "w0",
                Some(ConnectorState::Running),
                &[(0, ConnectorState::Running)],
            )],
        );
        assert_eq!(decide(&c, &kc).reason, reasons::TASKS_PENDING);
        with(
            &mut c,
            a.clone(),
            vec![report(
                "w0",
                Some(ConnectorState::Running),
                &[(0, ConnectorState::Running), (1, ConnectorState::Running)],
            )],
        );
        let r = decide(&c, &kc);
        assert!(r.ready, "{r:?}");
        assert!(r.message.contains("w0:8083"), "{}", r.message);
        // A spec change the pod has not picked up yet.
        c.metadata.generation = Some(3);
        assert_eq!(decide(&c, &kc).reason, reasons::UPDATING);
        c.metadata.generation = Some(2);
        // Moving.
        let status = c
            .status
            .as_mut()
            .map(|s| s.assignment = Some(placed(2, "w0", PlacementPhase::Releasing)));
        assert!(status.is_some());
        assert_eq!(decide(&c, &kc).reason, reasons::REBALANCING);
        with(
            &mut c,
            a,
            vec![report("w0", Some(ConnectorState::Failed), &[])],
        );
        assert_eq!(decide(&c, &kc).reason, reasons::CONNECTOR_FAILED);
    }

    #[test]
    fn the_fold_shows_each_unit_where_it_runs() {
        let mut c = connector();
        let mut a = placed(2, "w0", PlacementPhase::Assigned);
        a.tasks[1].worker = "w1".into();
        with(
            &mut c,
            a,
            vec![
                report(
                    "w0",
                    Some(ConnectorState::Running),
                    &[(0, ConnectorState::Running)],
                ),
                report("w1", None, &[(1, ConnectorState::Failed)]),
            ],
        );
        let f = runtime::fold(
            &c,
            Some(ferry_worker::config::connector::ConnectorKind::Source),
        );
        assert_eq!(f.connector.worker_id.as_deref(), Some("w0:8083"));
        assert_eq!(f.tasks.len(), 2);
        assert_eq!(f.tasks[1].worker_id.as_deref(), Some("w1:8083"));
        assert_eq!(f.tasks[1].state, ConnectorState::Failed);
        assert_eq!(f.tasks[1].trace.as_deref(), Some("boom"));
        assert_eq!(f.type_, Some(ferry_crds::status::ConnectorType::Source));
        // No report for a placed task yet: UNASSIGNED, no worker.
        with(&mut c, placed(1, "w0", PlacementPhase::Assigned), vec![]);
        let f = runtime::fold(&c, None);
        assert_eq!(f.tasks[0].state, ConnectorState::Unassigned);
        assert_eq!(f.connector.state, ConnectorState::Unassigned);
    }

    #[test]
    fn status_has_only_operator_fields_and_detects_changes() {
        let mut c = connector();
        c.spec.tasks_max = 3;
        c.status = Some(KafkaConnectorStatus {
            topics: vec!["t".into()],
            ..KafkaConnectorStatus::default()
        });
        let r = Readiness::not_ready(reasons::CLUSTER_NOT_FOUND, "x");
        let s = connector_status(&c, &r, None, &at(5));
        assert!(s.topics.is_empty(), "worker-owned fields are not written");
        assert!(connector_status_changed(c.status.as_ref(), &s));
        c.status = Some(KafkaConnectorStatus {
            topics: vec!["t".into()],
            ..s.clone()
        });
        let again = connector_status(&c, &r, None, &at(50));
        assert!(!connector_status_changed(c.status.as_ref(), &again));
        assert_eq!(s.tasks_max, Some(3));
        assert_eq!(s.observed_generation, Some(2));
        assert_eq!(s.label_selector, Some(names::selector_string("my-connect")));
        assert_eq!(s.conditions[0].reason, reasons::CLUSTER_NOT_FOUND);
        assert_eq!(s.conditions[0].status, "False");
    }
}
