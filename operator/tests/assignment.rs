//! The assignment controller against the in-process API: worker pods (created by the test, as
//! no kubelet runs here) and simulated workers that follow the placement and report as the real
//! worker does (a JSON merge patch of their own `status.workers.<pod>`). The worker binary itself
//! runs against the same API in the end-to-end tests (`tests/tests/kubernetes_mode.rs`).

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ferry_crds::labels::reasons;
use ferry_crds::placement::{
    report_patch, Assignment, PlacementPhase, TaskReport, UnitReport, WorkerReport,
};
use ferry_crds::status::ConnectorState;
use ferry_crds::KafkaConnector;
use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use support::*;

const CLUSTER: &str = "my-connect";

fn pod(name: &str, ready: bool) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = Some(name.into());
    p.metadata.namespace = Some(NS.into());
    p.metadata.labels = Some(ferry_operator::names::selector_labels(CLUSTER));
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

async fn add_pod(client: &Client, name: &str) {
    Api::<Pod>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &pod(name, true))
        .await
        .expect("the pod is created");
}

fn sink(name: &str, tasks_max: i32) -> KafkaConnector {
    let mut c = connector(name, CLUSTER, &[]);
    c.spec.class = "FileStreamSink".into();
    c.spec.config.clear();
    c.spec.config.insert("file".into(), "/data/out.txt".into());
    c.spec.config.insert("topics".into(), "t".into());
    c.spec.tasks_max = tasks_max;
    c
}

fn assignment(c: &KafkaConnector) -> Assignment {
    c.status
        .as_ref()
        .and_then(|s| s.assignment.clone())
        .unwrap_or_default()
}

/// Units (instance + tasks) placed on each pod, Assigned only.
fn loads(cs: &[KafkaConnector]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for c in cs {
        let a = assignment(c);
        for w in a
            .connector
            .iter()
            .filter(|p| p.phase == PlacementPhase::Assigned)
            .map(|p| &p.worker)
            .chain(
                a.tasks
                    .iter()
                    .filter(|t| t.phase == PlacementPhase::Assigned)
                    .map(|t| &t.worker),
            )
        {
            *out.entry(w.clone()).or_default() += 1;
        }
    }
    out
}

async fn connectors(client: &Client) -> Vec<KafkaConnector> {
    Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .list(&Default::default())
        .await
        .expect("list")
        .items
}

/// What pod `pod` runs of `c` after following its assignment: what is Assigned to it.
fn follow(c: &KafkaConnector, pod: &str, generation: Option<i64>) -> Option<WorkerReport> {
    let a = assignment(c);
    let mine = |w: &str, phase| w == pod && phase == PlacementPhase::Assigned;
    let report = WorkerReport {
        worker_id: format!("{pod}:8083"),
        observed_generation: generation,
        connector: a
            .connector
            .as_ref()
            .filter(|p| mine(&p.worker, p.phase))
            .map(|_| UnitReport {
                state: ConnectorState::Running,
                trace: None,
            }),
        tasks: a
            .tasks
            .iter()
            .filter(|t| mine(&t.worker, t.phase))
            .map(|t| TaskReport {
                id: t.id,
                state: ConnectorState::Running,
                trace: None,
            })
            .collect(),
        offsets_result: None,
    };
    (report.connector.is_some() || !report.tasks.is_empty()).then_some(report)
}

/// Every live pod in `pods` catches up with the current assignment of every connector.
async fn workers_follow(client: &Client, pods: &[&str]) {
    let api = Api::<KafkaConnector>::namespaced(client.clone(), NS);
    for c in connectors(client).await {
        for pod in pods {
            let name = c.metadata.name.clone().unwrap_or_default();
            let report = follow(&c, pod, c.metadata.generation);
            let current = c.status.as_ref().and_then(|s| s.workers.get(*pod)).cloned();
            if report != current {
                api.patch_status(
                    &name,
                    &PatchParams::default(),
                    &Patch::Merge(&report_patch(pod, report.as_ref())),
                )
                .await
                .expect("the report is written");
            }
        }
    }
}

/// Follows until `done` holds for the connectors, or panics with what was seen.
async fn converge(
    client: &Client,
    pods: &[&str],
    what: &str,
    done: impl Fn(&[KafkaConnector]) -> bool,
) -> Vec<KafkaConnector> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        workers_follow(client, pods).await;
        let cs = connectors(client).await;
        if done(&cs) {
            // The placement may have changed after the workers last looked: they catch up once
            // more, as real workers do on the watch event.
            workers_follow(client, pods).await;
            return cs;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}; loads {:?}", loads(&cs));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_spread_over_ready_pods_move_on_loss_and_rebalance_on_join() {
    let (harness, client) = start().await;
    apply(&client, &connect(CLUSTER)).await;
    add_pod(&client, "w0").await;
    add_pod(&client, "w1").await;
    apply(&client, &sink("sink-a", 3)).await;
    apply(&client, &sink("sink-b", 2)).await;
    // 4 + 3 units over 2 pods.
    let total = |cs: &[KafkaConnector]| loads(cs).values().sum::<usize>();
    let cs = converge(&client, &["w0", "w1"], "7 units on w0 and w1", |cs| {
        total(cs) == 7 && loads(cs).values().all(|n| *n >= 3)
    })
    .await;
    assert_eq!(loads(&cs).len(), 2);
    let ready = wait_connector(&client, "sink-a", "True", reasons::RECONCILED).await;
    assert!(ready.message.contains(":8083"), "{}", ready.message);
    let a = wait_for(
        &client,
        "sink-a",
        "connectorStatus with 3 tasks",
        |c: &KafkaConnector| {
            let cs = c
                .status
                .as_ref()
                .and_then(|s| s.connector_status.clone())
                .ok_or("no connectorStatus")?;
            if cs.tasks.len() == 3
                && cs
                    .tasks
                    .iter()
                    .all(|t| t.state == ConnectorState::Running && t.worker_id.is_some())
            {
                Ok(cs)
            } else {
                Err(format!("{cs:?}"))
            }
        },
    )
    .await;
    assert_eq!(a.connector.state, ConnectorState::Running);

    // A third pod joins: only what balance needs moves, in two phases.
    add_pod(&client, "w2").await;
    let cs = converge(&client, &["w0", "w1", "w2"], "7 units over 3 pods", |cs| {
        let l = loads(cs);
        total(cs) == 7 && l.len() == 3 && l.values().all(|n| (2..=3).contains(n))
    })
    .await;
    let before = cs;

    // w1's pod is deleted (scale-down, node loss): its units run elsewhere, its report goes.
    let lost = Instant::now();
    Api::<Pod>::namespaced(client.clone(), NS)
        .delete("w1", &DeleteParams::default())
        .await
        .expect("the pod is deleted");
    let cs = converge(&client, &["w0", "w2"], "w1's units on w0 and w2", |cs| {
        let l = loads(cs);
        total(cs) == 7 && !l.contains_key("w1")
    })
    .await;
    println!(
        "assignment: units of a deleted pod placed elsewhere after {} ms (simulated workers)",
        lost.elapsed().as_millis()
    );
    let moved_from_survivors = before
        .iter()
        .flat_map(|c| {
            let now = cs
                .iter()
                .find(|n| n.metadata.name == c.metadata.name)
                .map(assignment)
                .unwrap_or_default();
            assignment(c)
                .tasks
                .into_iter()
                .filter(|t| t.worker != "w1")
                .filter(move |t| {
                    !now.tasks
                        .iter()
                        .any(|n| n.id == t.id && n.worker == t.worker)
                })
        })
        .count();
    assert_eq!(
        moved_from_survivors, 0,
        "sticky: the survivors keep their tasks"
    );
    wait_for(
        &client,
        "sink-a",
        "w1's report removed",
        |c: &KafkaConnector| match c
            .status
            .as_ref()
            .is_some_and(|s| s.workers.contains_key("w1"))
        {
            true => Err("w1 still reported".to_owned()),
            false => Ok(()),
        },
    )
    .await;
    wait_connector(&client, "sink-a", "True", reasons::RECONCILED).await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_moves_only_once_its_old_pod_stopped_it() {
    let (harness, client) = start().await;
    apply(&client, &connect(CLUSTER)).await;
    add_pod(&client, "w0").await;
    apply(&client, &sink("only", 1)).await;
    converge(&client, &["w0"], "2 units on w0", |cs| {
        loads(cs).get("w0") == Some(&2)
    })
    .await;

    // w0 turns not ready while w1 is ready: w0 must release, and nothing may start on w1 while
    // w0 still reports its units.
    Api::<Pod>::namespaced(client.clone(), NS)
        .patch_status(
            "w0",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})),
        )
        .await
        .expect("w0 not ready");
    add_pod(&client, "w1").await;
    let released = wait_for(
        &client,
        "only",
        "units released from w0",
        |c: &KafkaConnector| {
            let a = assignment(c);
            if a.tasks
                .iter()
                .all(|t| t.worker == "w0" && t.phase == PlacementPhase::Releasing)
                && a.connector
                    .as_ref()
                    .is_some_and(|p| p.phase == PlacementPhase::Releasing)
            {
                Ok(a)
            } else {
                Err(format!("{a:?}"))
            }
        },
    )
    .await;
    assert_eq!(released.tasks.len(), 1);
    wait_connector(&client, "only", "False", reasons::REBALANCING).await;
    // Nothing moves while w0 reports them (the operator had every chance to move them by now:
    // the Rebalancing status above was written after the release).
    let c = Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .get("only")
        .await
        .expect("get");
    assert!(assignment(&c).tasks.iter().all(|t| t.worker == "w0"));
    // w0 stops them and says so: they move to w1.
    converge(&client, &["w0", "w1"], "2 units on w1", |cs| {
        loads(cs).get("w1") == Some(&2)
    })
    .await;
    wait_connector(&client, "only", "True", reasons::RECONCILED).await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_count_changes_and_stop_release_units() {
    let (harness, client) = start().await;
    apply(&client, &connect(CLUSTER)).await;
    add_pod(&client, "w0").await;
    apply(&client, &sink("s", 2)).await;
    converge(&client, &["w0"], "3 units", |cs| {
        loads(cs).get("w0") == Some(&3)
    })
    .await;
    // kubectl scale kafkaconnector s --replicas=4
    apply(&client, &sink("s", 4)).await;
    converge(&client, &["w0"], "5 units", |cs| {
        loads(cs).get("w0") == Some(&5)
    })
    .await;
    wait_connector(&client, "s", "True", reasons::RECONCILED).await;
    let mut stopped = sink("s", 4);
    stopped.spec.state = ferry_crds::connector::ConnectorTargetState::Stopped;
    apply(&client, &stopped).await;
    converge(&client, &["w0"], "no units", |cs| loads(cs).is_empty()).await;
    let ready = wait_connector(&client, "s", "True", reasons::STOPPED).await;
    assert_eq!(ready.status, "True");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_annotation_bumps_the_unit_and_goes_away() {
    let (harness, client) = start().await;
    apply(&client, &connect(CLUSTER)).await;
    add_pod(&client, "w0").await;
    apply(&client, &sink("r", 2)).await;
    converge(&client, &["w0"], "3 units", |cs| {
        loads(cs).get("w0") == Some(&3)
    })
    .await;
    let api = Api::<KafkaConnector>::namespaced(client.clone(), NS);
    // kubectl annotate kafkaconnector r ferry.dev/restart-task=1
    api.patch(
        "r",
        &PatchParams::default(),
        &Patch::Merge(
            serde_json::json!({"metadata": {"annotations": {"ferry.dev/restart-task": "1"}}}),
        ),
    )
    .await
    .expect("annotated");
    let a = wait_for(
        &client,
        "r",
        "task 1 restarted, annotation gone",
        |c: &KafkaConnector| {
            let a = assignment(c);
            let bumped = a.tasks.iter().any(|t| t.id == 1 && t.restarts == 1);
            let gone = !c.annotations().contains_key("ferry.dev/restart-task");
            if bumped && gone {
                Ok(a)
            } else {
                Err(format!("{a:?} annotations {:?}", c.metadata.annotations))
            }
        },
    )
    .await;
    assert_eq!(
        a.tasks.iter().find(|t| t.id == 0).map(|t| t.restarts),
        Some(0)
    );
    assert_eq!(a.connector.map(|p| p.restarts), Some(0));
    harness.stop().await;
}
