//! `KafkaConnector` status: bound cluster, validation, and (once workers report it) the
//! connector's runtime state.
//!
//! The order of checks is the order a user fixes things in: the label, the cluster, the config,
//! the cluster's health, then the tasks. `connectorStatus` is written by the workers (next
//! issue); this module only reads it, so the worker side plugs in without changing the decision.

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::labels::reasons;
use ferry_crds::status::{is_ready, ConnectorState};
use ferry_crds::{KafkaConnect, KafkaConnector, KafkaConnectorStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::conditions::{with_ready, Readiness};
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

/// The `Ready` condition of a connector.
pub fn connector_readiness(
    connector: &KafkaConnector,
    cluster: ClusterLookup<'_>,
    validation: Result<(), &Invalid>,
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
    match connector.spec.state {
        ConnectorTargetState::Stopped => {
            return Readiness::ready(reasons::STOPPED, "connector stopped as requested")
        }
        ConnectorTargetState::Paused => {
            return Readiness::ready(reasons::PAUSED, "connector paused as requested")
        }
        ConnectorTargetState::Running => {}
    }
    let cluster_ready = connect
        .status
        .as_ref()
        .is_some_and(|s| is_ready(&s.conditions));
    if connect.spec.replicas == 0 || !cluster_ready {
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
    runtime_readiness(connector)
}

/// Readiness from `connectorStatus` as the workers report it.
fn runtime_readiness(connector: &KafkaConnector) -> Readiness {
    let Some(cs) = connector
        .status
        .as_ref()
        .and_then(|s| s.connector_status.as_ref())
    else {
        return Readiness::not_ready(
            reasons::TASKS_PENDING,
            "valid and bound; waiting for a worker to start the connector",
        );
    };
    if cs.connector.state == ConnectorState::Failed {
        return Readiness::not_ready(
            reasons::CONNECTOR_FAILED,
            "the connector has failed, see status.connectorStatus.connector.trace",
        );
    }
    let failed: Vec<String> = cs
        .tasks
        .iter()
        .filter(|t| t.state == ConnectorState::Failed)
        .map(|t| t.id.to_string())
        .collect();
    if !failed.is_empty() {
        return Readiness::not_ready(
            reasons::TASKS_FAILED,
            format!(
                "task(s) {} failed, see status.connectorStatus.tasks",
                failed.join(", ")
            ),
        );
    }
    let all_running = cs.connector.state == ConnectorState::Running
        && !cs.tasks.is_empty()
        && cs.tasks.iter().all(|t| t.state == ConnectorState::Running);
    if all_running {
        Readiness::ready(
            reasons::RECONCILED,
            format!("connector and {} task(s) running", cs.tasks.len()),
        )
    } else {
        Readiness::not_ready(
            reasons::TASKS_PENDING,
            "the connector or some of its tasks are not running yet",
        )
    }
}

/// The fields of the status the operator owns. It is written by server-side apply under the
/// operator's field manager, so the fields the workers own (`connectorStatus`, `topics`,
/// `autoRestart`) are left out here and stay untouched.
pub fn connector_status(
    connector: &KafkaConnector,
    readiness: &Readiness,
    now: &Time,
) -> KafkaConnectorStatus {
    let previous = connector.status.clone().unwrap_or_default();
    let generation = connector.metadata.generation;
    KafkaConnectorStatus {
        conditions: with_ready(&previous.conditions, readiness, generation, now),
        observed_generation: generation,
        tasks_max: Some(connector.spec.tasks_max),
        label_selector: connector.cluster_name().map(names::selector_string),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::conditions::tests::at;
    use ferry_crds::status::{
        ConnectorInstanceStatus, ConnectorStatus, KafkaConnectStatus, TaskStatus,
    };
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
        connector_readiness(c, lookup, v).reason
    }

    #[test]
    fn cluster_not_found_then_recovers() {
        let c = connector();
        let r = connector_readiness(&c, ClusterLookup::NotFound("my-connect"), Ok(()));
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
        let r = connector_readiness(&c, ClusterLookup::Found(&zero), Ok(()));
        assert!(r.message.contains("0 replicas"));
    }

    #[test]
    fn paused_and_stopped_are_ready() {
        let mut c = connector();
        c.spec.state = ConnectorTargetState::Paused;
        let kc = cluster(false, 1);
        let r = connector_readiness(&c, ClusterLookup::Found(&kc), Ok(()));
        assert_eq!((r.ready, r.reason), (true, reasons::PAUSED));
        c.spec.state = ConnectorTargetState::Stopped;
        assert_eq!(
            reason(&c, ClusterLookup::Found(&kc), Ok(())),
            reasons::STOPPED
        );
    }

    #[test]
    fn worker_reported_state_decides_once_present() {
        let kc = cluster(true, 1);
        let mut c = connector();
        let task = |id, state| TaskStatus {
            id,
            state,
            worker_id: None,
            trace: None,
        };
        let mut cs = ConnectorStatus {
            name: "src".into(),
            connector: ConnectorInstanceStatus {
                state: ConnectorState::Running,
                worker_id: None,
                trace: None,
            },
            tasks: vec![
                task(0, ConnectorState::Running),
                task(1, ConnectorState::Failed),
            ],
            type_: None,
        };
        c.status = Some(KafkaConnectorStatus {
            connector_status: Some(cs.clone()),
            ..KafkaConnectorStatus::default()
        });
        let r = connector_readiness(&c, ClusterLookup::Found(&kc), Ok(()));
        assert_eq!(r.reason, reasons::TASKS_FAILED);
        assert!(r.message.contains("task(s) 1 failed"));
        cs.tasks[1].state = ConnectorState::Running;
        c.status = Some(KafkaConnectorStatus {
            connector_status: Some(cs.clone()),
            ..KafkaConnectorStatus::default()
        });
        assert!(connector_readiness(&c, ClusterLookup::Found(&kc), Ok(())).ready);
        cs.connector.state = ConnectorState::Failed;
        c.status = Some(KafkaConnectorStatus {
            connector_status: Some(cs),
            ..KafkaConnectorStatus::default()
        });
        assert_eq!(
            reason(&c, ClusterLookup::Found(&kc), Ok(())),
            reasons::CONNECTOR_FAILED
        );
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
        let s = connector_status(&c, &r, &at(5));
        assert!(s.topics.is_empty(), "worker-owned fields are not written");
        assert!(connector_status_changed(c.status.as_ref(), &s));
        c.status = Some(KafkaConnectorStatus {
            topics: vec!["t".into()],
            ..s.clone()
        });
        let again = connector_status(&c, &r, &at(50));
        assert!(!connector_status_changed(c.status.as_ref(), &again));
        assert_eq!(s.tasks_max, Some(3));
        assert_eq!(s.observed_generation, Some(2));
        assert_eq!(s.label_selector, Some(names::selector_string("my-connect")));
        assert_eq!(s.conditions[0].reason, reasons::CLUSTER_NOT_FOUND);
        assert_eq!(s.conditions[0].status, "False");
    }
}
