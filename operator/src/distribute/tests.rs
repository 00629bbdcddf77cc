//! Distribution over one cluster, from resources as the stores hold them.

use std::collections::BTreeMap;

use ferry_crds::config::ConfigValue;
use ferry_crds::placement::{TaskReport, UnitReport, WorkerReport};
use ferry_crds::status::ConnectorState;
use ferry_crds::{KafkaConnectorSpec, KafkaConnectorStatus};
use k8s_openapi::api::core::v1::{PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::*;

fn connector(name: &str, class: &str, tasks_max: i32, config: &[(&str, &str)]) -> KafkaConnector {
    let mut spec = KafkaConnectorSpec::new(class);
    spec.tasks_max = tasks_max;
    spec.config = config
        .iter()
        .map(|(k, v)| (k.to_string(), ConfigValue::from(*v)))
        .collect();
    let mut c = KafkaConnector::new(name, spec);
    c.metadata.namespace = Some("ns".into());
    c.metadata.labels = Some(BTreeMap::from([(
        "ferry.dev/cluster".to_owned(),
        "my-connect".to_owned(),
    )]));
    c
}

fn source(name: &str, tasks_max: i32) -> KafkaConnector {
    connector(
        name,
        "FileStreamSource",
        tasks_max,
        &[("file", "/in"), ("topic", "t")],
    )
}

fn sink(name: &str, tasks_max: i32) -> KafkaConnector {
    connector(
        name,
        "FileStreamSink",
        tasks_max,
        &[("file", "/out"), ("topics", "t")],
    )
}

fn pod(name: &str, ready: bool) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = Some(name.into());
    p.status = Some(PodStatus {
        phase: Some("Running".into()),
        conditions: Some(vec![PodCondition {
            type_: "Ready".into(),
            status: if ready { "True" } else { "False" }.into(),
            ..PodCondition::default()
        }]),
        ..PodStatus::default()
    });
    p
}

fn now() -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::UNIX_EPOCH
}

fn ready(names: &[&str]) -> BTreeMap<String, WorkerState> {
    names
        .iter()
        .map(|n| (n.to_string(), WorkerState::Ready))
        .collect()
}

/// Applies the changes as the controller writes them.
fn apply(connectors: &mut [KafkaConnector], changes: &BTreeMap<String, ConnectorChange>) {
    for c in connectors.iter_mut() {
        let Some(change) = changes.get(&c.name_any()) else {
            continue;
        };
        let status = c.status.get_or_insert_with(KafkaConnectorStatus::default);
        if let Some(a) = &change.assignment {
            status.assignment = Some(a.clone());
        }
        for pod in &change.stale_reports {
            status.workers.remove(pod);
        }
    }
}

/// Each placed pod reports what is assigned to it.
fn follow(connectors: &mut [KafkaConnector]) {
    for c in connectors.iter_mut() {
        let status = c.status.get_or_insert_with(KafkaConnectorStatus::default);
        let a = status.assignment.clone().unwrap_or_default();
        status.workers.clear();
        if let Some(p) = a.connector.filter(|p| p.phase == PlacementPhase::Assigned) {
            status
                .workers
                .entry(p.worker.clone())
                .or_default()
                .connector = Some(UnitReport {
                state: ConnectorState::Running,
                trace: None,
            });
        }
        for t in a
            .tasks
            .iter()
            .filter(|t| t.phase == PlacementPhase::Assigned)
        {
            status
                .workers
                .entry(t.worker.clone())
                .or_default()
                .tasks
                .push(TaskReport {
                    id: t.id,
                    state: ConnectorState::Running,
                    trace: None,
                });
        }
    }
}

fn placed_on(connectors: &[KafkaConnector], worker: &str) -> usize {
    connectors
        .iter()
        .filter_map(|c| c.status.as_ref()?.assignment.as_ref())
        .map(|a| {
            a.tasks
                .iter()
                .filter(|t| t.worker == worker && t.phase == PlacementPhase::Assigned)
                .count()
                + usize::from(
                    a.connector
                        .as_ref()
                        .is_some_and(|p| p.worker == worker && p.phase == PlacementPhase::Assigned),
                )
        })
        .sum()
}

#[test]
fn pods_map_to_worker_states() {
    assert_eq!(worker_state(&pod("a", true)), Some(WorkerState::Ready));
    assert_eq!(worker_state(&pod("a", false)), Some(WorkerState::NotReady));
    let mut deleting = pod("a", true);
    deleting.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH));
    assert_eq!(worker_state(&deleting), Some(WorkerState::Terminating));
    let mut failed = pod("a", false);
    if let Some(s) = failed.status.as_mut() {
        s.phase = Some("Failed".into());
    }
    assert_eq!(worker_state(&failed), None);
    assert_eq!(worker_state(&Pod::default()), Some(WorkerState::NotReady));
}

#[test]
fn the_connector_library_decides_the_task_count() {
    // Kafka's FileStreamSource makes one task whatever tasks.max says; the sink makes tasks.max.
    assert_eq!(units_of(&source("s", 3)).0, 1);
    assert_eq!(units_of(&sink("k", 3)).0, 3);
    assert_eq!(units_of(&sink("k", 3)).1.len(), 4);
    let mut stopped = sink("k", 3);
    stopped.spec.state = ConnectorTargetState::Stopped;
    assert_eq!(units_of(&stopped), (3, BTreeSet::new()));
    let invalid = connector("bad", "NoSuchConnector", 1, &[]);
    assert_eq!(units_of(&invalid), (0, BTreeSet::new()));
}

#[test]
fn connectors_spread_over_the_cluster_and_settle() {
    let mut cs = vec![source("a", 1), sink("b", 3), sink("c", 2)];
    let workers = ready(&["w0", "w1", "w2"]);
    for _ in 0..3 {
        let refs: Vec<&KafkaConnector> = cs.iter().collect();
        let changes = distribute(&refs, &workers, now()).changes;
        apply(&mut cs, &changes);
        follow(&mut cs);
    }
    // 2 + 4 + 3 = 9 units over 3 pods.
    for w in ["w0", "w1", "w2"] {
        assert_eq!(placed_on(&cs, w), 3, "{w}");
    }
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    assert!(
        distribute(&refs, &workers, now()).changes.is_empty(),
        "a settled cluster writes nothing"
    );
}

#[test]
fn a_lost_pod_frees_its_units_and_its_report_is_removed() {
    let mut cs = vec![sink("b", 4)];
    let two = ready(&["w0", "w1"]);
    for _ in 0..2 {
        let refs: Vec<&KafkaConnector> = cs.iter().collect();
        let changes = distribute(&refs, &two, now()).changes;
        apply(&mut cs, &changes);
        follow(&mut cs);
    }
    assert!(placed_on(&cs, "w1") > 0);
    let one = ready(&["w0"]);
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    let changes = distribute(&refs, &one, now()).changes;
    assert_eq!(changes["b"].stale_reports, ["w1"]);
    apply(&mut cs, &changes);
    assert_eq!(placed_on(&cs, "w0"), 5);
    assert!(!cs[0]
        .status
        .as_ref()
        .is_some_and(|s| s.workers.contains_key("w1")));
}

#[test]
fn a_unit_moves_only_after_its_pod_reported_it_stopped() {
    let mut cs = vec![sink("b", 1)];
    let w0 = ready(&["w0"]);
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    let changes = distribute(&refs, &w0, now()).changes;
    apply(&mut cs, &changes);
    follow(&mut cs);
    // w0 turns not ready: its units are released, not moved.
    let states = BTreeMap::from([
        ("w0".to_owned(), WorkerState::NotReady),
        ("w1".to_owned(), WorkerState::Ready),
    ]);
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    let changes = distribute(&refs, &states, now()).changes;
    apply(&mut cs, &changes);
    let a = cs[0]
        .status
        .as_ref()
        .and_then(|s| s.assignment.clone())
        .unwrap_or_default();
    assert!(a
        .tasks
        .iter()
        .all(|t| t.worker == "w0" && t.phase == PlacementPhase::Releasing));
    // Still reported by w0: nothing changes.
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    assert!(distribute(&refs, &states, now()).changes.is_empty());
    // w0 reports them stopped: they go to w1.
    if let Some(s) = cs[0].status.as_mut() {
        s.workers.insert(
            "w0".into(),
            WorkerReport {
                worker_id: "w0:8083".into(),
                ..WorkerReport::default()
            },
        );
    }
    let refs: Vec<&KafkaConnector> = cs.iter().collect();
    let changes = distribute(&refs, &states, now()).changes;
    apply(&mut cs, &changes);
    assert_eq!(placed_on(&cs, "w1"), 2);
}
