//! The worker's Kubernetes mode, two "pods" in one process, against the operator's in-process
//! Kubernetes API and a real broker (tansu). The test plays the operator: it writes
//! `status.assignment` itself and reads the pods' `status.workers` reports.
//!
//! Checked: a FileStreamSource placed on pod A runs there and A reports it RUNNING; its records reach
//! the topic; releasing the task makes A stop it and drop it from its report; placing it on pod B
//! makes B resume from A's last commit (no record lost or repeated); a config change restarts the
//! task with the new config, a transform chain with a (negated) predicate included; `paused` pauses; a REST
//! write answers 409; a graceful shutdown removes the pod's report.

use std::sync::Arc;
use std::time::Duration;

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::placement::{
    assignment_patch, Assignment, PlacementPhase, TaskPlacement, UnitPlacement, WorkerReport,
};
use ferry_crds::status::ConnectorState;
use ferry_crds::{KafkaConnector, KafkaConnectorSpec, CLUSTER_LABEL};
use ferry_e2e::kafka::read_until;
use ferry_e2e::Tansu;
use ferry_operator::fake_api::FakeApi;
use ferry_worker::cli::worker_settings;
use ferry_worker::config::worker::WorkerConfig;
use ferry_worker::config::Props;
use ferry_worker::kubernetes::{settings, Identity, KubernetesWorker};
use ferry_worker::metrics::WorkerMetrics;
use ferry_worker::runtime::StandaloneHerder;
use ferry_worker::storage::{KafkaOffsetStore, OffsetStore};
use kube::api::{Patch, PatchParams, PostParams};
use kube::Api;
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const NS: &str = "default";
const CLUSTER: &str = "my-connect";
const NAME: &str = "src";
const LIMIT: Duration = Duration::from_secs(60);

/// One worker pod running in this process, with its REST API on a local port.
struct Pod {
    stop: CancellationToken,
    run: JoinHandle<()>,
    rest: String,
}

async fn start_pod(api: &FakeApi, broker: &Tansu, pod: &str) -> Pod {
    let mut props: Props = [
        ("bootstrap.servers", broker.bootstrap()),
        ("group.id", "connect-cluster".into()),
        ("offset.storage.topic", "connect-offsets".into()),
        ("offset.storage.partitions", "5".into()),
        ("offset.storage.replication.factor", "1".into()),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        ("offset.flush.interval.ms", "200".into()),
        ("listeners", "http://127.0.0.1:0".into()),
        ("rest.advertised.host.name", pod.into()),
        ("rest.advertised.port", "8083".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mode = settings::split(&mut props).expect("mode settings");
    let (config, _) = WorkerConfig::from_props(props).expect("worker config");
    let offsets =
        KafkaOffsetStore::open(settings::offset_settings(&mode, &config).expect("offsets"))
            .await
            .expect("offsets topic");
    let runtime = Arc::new(StandaloneHerder::new(
        worker_settings(&config).expect("worker settings"),
        Arc::new(offsets) as Arc<dyn OffsetStore>,
        Arc::new(WorkerMetrics::new().expect("metrics")),
    ));
    let worker = KubernetesWorker::new(
        api.client(pod),
        Identity {
            pod: pod.into(),
            namespace: NS.into(),
            cluster: CLUSTER.into(),
        },
        runtime,
    );
    let stop = CancellationToken::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let rest = format!("http://{}", listener.local_addr().expect("address"));
    let router = ferry_worker::rest::router(worker.rest_herder());
    let rest_stop = stop.clone();
    tokio::spawn(async move {
        let _ =
            ferry_worker::rest::serve(listener, router, async move { rest_stop.cancelled().await })
                .await;
    });
    let run = tokio::spawn(worker.run(stop.clone()));
    Pod { stop, run, rest }
}

fn assignment(instance: (&str, PlacementPhase), task: (&str, PlacementPhase)) -> Assignment {
    Assignment {
        task_count: 1,
        connector: Some(UnitPlacement {
            worker: instance.0.into(),
            phase: instance.1,
            restarts: 0,
        }),
        tasks: vec![TaskPlacement {
            id: 0,
            worker: task.0.into(),
            phase: task.1,
            restarts: 0,
        }],
    }
}

async fn assign(connectors: &Api<KafkaConnector>, a: &Assignment) {
    connectors
        .patch_status(
            NAME,
            &PatchParams::default(),
            &Patch::Merge(&assignment_patch(a)),
        )
        .await
        .expect("assignment written");
}

async fn report(connectors: &Api<KafkaConnector>, pod: &str) -> Option<WorkerReport> {
    let c = connectors.get(NAME).await.ok()?;
    c.status?.workers.get(pod).cloned()
}

/// Waits until `pod`'s report satisfies `check`, failing with the last report seen.
async fn wait_report(
    connectors: &Api<KafkaConnector>,
    pod: &str,
    what: &str,
    check: impl Fn(Option<&WorkerReport>) -> bool,
) -> Option<WorkerReport> {
    let last = std::sync::Mutex::new(None);
    let found = tokio::time::timeout(LIMIT, async {
        loop {
            let r = report(connectors, pod).await;
            if check(r.as_ref()) {
                return r;
            }
            *last.lock().unwrap() = r;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    match found {
        Ok(r) => r,
        Err(_) => panic!(
            "timed out waiting for {what}; last report of {pod}: {:?}",
            last.lock().unwrap()
        ),
    }
}

fn task_state(r: Option<&WorkerReport>, id: i32) -> Option<ConnectorState> {
    r?.tasks.iter().find(|t| t.id == id).map(|t| t.state)
}

fn append(path: &std::path::Path, range: std::ops::Range<usize>) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("source file");
    for i in range {
        writeln!(f, "line-{i}").expect("write");
    }
}

/// The record values the source gives for the lines of `range`, untransformed.
fn lines(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("line-{i}")).collect()
}

/// Reads `topic` until exactly the values `want` arrived, then checks nothing else did.
fn assert_topic_has(broker: &Tansu, topic: &str, want: Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    read_until(&broker.bootstrap(), topic, LIMIT, |r| {
        seen.push(String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned());
        seen.len() >= want.len()
    });
    // Anything after the expected values would be a duplicate: give it a moment to show up.
    let all = ferry_e2e::kafka::read_topic(
        &broker.bootstrap(),
        topic,
        want.len() + 1,
        Duration::from_secs(2),
    );
    let all: Vec<String> = all
        .iter()
        .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(all, want, "records of {topic}: none lost, none repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_run_where_placed_move_without_loss_and_follow_the_resource() {
    let broker = Tansu::start();
    broker.create_topic("k8s-src", 1);
    broker.create_topic("k8s-src-2", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("input.txt");
    append(&file, 0..50);

    let api = FakeApi::new().await.expect("fake API");
    let connectors: Api<KafkaConnector> = Api::namespaced(api.client("operator"), NS);
    let a = start_pod(&api, &broker, "pod-a").await;
    let b = start_pod(&api, &broker, "pod-b").await;

    let mut spec = KafkaConnectorSpec::new("FileStreamSource");
    spec.config
        .insert("file".into(), file.display().to_string().as_str().into());
    spec.config.insert("topic".into(), "k8s-src".into());
    let mut connector = KafkaConnector::new(NAME, spec);
    connector.metadata.namespace = Some(NS.into());
    connector.metadata.labels = Some([(CLUSTER_LABEL.to_string(), CLUSTER.to_string())].into());
    connectors
        .create(&PostParams::default(), &connector)
        .await
        .expect("connector created");
    // Not placed yet: neither pod runs or reports anything.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(report(&connectors, "pod-a").await, None);

    // Placed on pod A.
    let on_a = ("pod-a", PlacementPhase::Assigned);
    assign(&connectors, &assignment(on_a, on_a)).await;
    let r = wait_report(&connectors, "pod-a", "task 0 RUNNING on pod-a", |r| {
        task_state(r, 0) == Some(ConnectorState::Running)
            && r.and_then(|r| r.connector.as_ref()).map(|c| c.state)
                == Some(ConnectorState::Running)
    })
    .await
    .expect("a report");
    assert_eq!(r.worker_id, "pod-a:8083");
    assert_eq!(
        r.observed_generation,
        connectors.get(NAME).await.unwrap().metadata.generation
    );
    assert_eq!(
        report(&connectors, "pod-b").await,
        None,
        "pod-b runs nothing"
    );
    tokio::task::block_in_place(|| assert_topic_has(&broker, "k8s-src", lines(0..50)));

    // Released by pod A: it stops the task (committing its offset) and drops it from its report.
    assign(
        &connectors,
        &assignment(on_a, ("pod-a", PlacementPhase::Releasing)),
    )
    .await;
    let r = wait_report(
        &connectors,
        "pod-a",
        "task 0 gone from pod-a's report",
        |r| r.is_some_and(|r| r.tasks.is_empty()),
    )
    .await
    .expect("pod-a still reports the connector instance");
    assert_eq!(r.connector.map(|c| c.state), Some(ConnectorState::Running));

    // Lines written while nobody runs the task; then pod B takes it and resumes from A's commit.
    append(&file, 50..100);
    assign(
        &connectors,
        &assignment(on_a, ("pod-b", PlacementPhase::Assigned)),
    )
    .await;
    let r = wait_report(&connectors, "pod-b", "task 0 RUNNING on pod-b", |r| {
        task_state(r, 0) == Some(ConnectorState::Running)
    })
    .await
    .expect("a report");
    assert_eq!(r.worker_id, "pod-b:8083");
    assert!(r.connector.is_none(), "pod-b does not run the instance");
    tokio::task::block_in_place(|| assert_topic_has(&broker, "k8s-src", lines(0..100)));

    // A config change restarts the task with the new config: another topic, and a transform chain
    // with a predicate (one stage applies where it matches, one where it does not), which the pod
    // runs as a standalone worker would. The StringConverter writes the resulting struct as Kafka's
    // `Struct.toString` does.
    connectors
        .patch(
            NAME,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"config": {
                "topic": "k8s-src-2",
                "transforms": "hoist,stamp,elsewhere",
                "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.hoist.field": "line",
                "transforms.stamp.type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "transforms.stamp.static.field": "placed",
                "transforms.stamp.static.value": "by-resource",
                "transforms.stamp.predicate": "onSecondTopic",
                // Applies only off the second topic: never here, so its field must not appear.
                "transforms.elsewhere.type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "transforms.elsewhere.static.field": "unexpected",
                "transforms.elsewhere.static.value": "yes",
                "transforms.elsewhere.predicate": "onSecondTopic",
                "transforms.elsewhere.negate": true,
                "predicates": "onSecondTopic",
                "predicates.onSecondTopic.type": "TopicNameMatches",
                "predicates.onSecondTopic.pattern": "k8s-src-2",
            }}})),
        )
        .await
        .expect("config changed");
    let generation = connectors.get(NAME).await.unwrap().metadata.generation;
    assert!(
        generation.is_some_and(|g| g > 1),
        "the spec change bumps the generation"
    );
    wait_report(
        &connectors,
        "pod-b",
        "pod-b running the new generation",
        |r| {
            r.is_some_and(|r| r.observed_generation == generation)
                && task_state(r, 0) == Some(ConnectorState::Running)
        },
    )
    .await;
    append(&file, 100..120);
    tokio::task::block_in_place(|| {
        assert_topic_has(
            &broker,
            "k8s-src-2",
            (100..120)
                .map(|i| format!("Struct{{line=line-{i},placed=by-resource}}"))
                .collect(),
        )
    });

    // Paused.
    connectors
        .patch(
            NAME,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"state": ConnectorTargetState::Paused}})),
        )
        .await
        .expect("paused");
    wait_report(&connectors, "pod-b", "task 0 PAUSED on pod-b", |r| {
        task_state(r, 0) == Some(ConnectorState::Paused)
    })
    .await;
    wait_report(&connectors, "pod-a", "the instance PAUSED on pod-a", |r| {
        r.and_then(|r| r.connector.as_ref()).map(|c| c.state) == Some(ConnectorState::Paused)
    })
    .await;

    // REST writes are refused with Kafka's error body; reads are served.
    let http = reqwest::Client::new();
    let reply = http
        .put(format!("{}/connectors/{NAME}/resume", b.rest))
        .send()
        .await
        .expect("REST reply");
    assert_eq!(reply.status().as_u16(), 409);
    let body: serde_json::Value = reply.json().await.expect("JSON body");
    assert_eq!(body["error_code"], 409);
    assert_eq!(
        body["message"],
        format!("Connector {NAME} is managed by the KafkaConnector resource {NS}/{NAME}; change the resource instead (for example kubectl edit kafkaconnector {NAME} -n {NS})")
    );
    let status: serde_json::Value = http
        .get(format!("{}/connectors/{NAME}/status", b.rest))
        .send()
        .await
        .expect("REST reply")
        .json()
        .await
        .expect("JSON body");
    assert_eq!(status["tasks"][0]["state"], "PAUSED", "{status}");
    assert_eq!(status["tasks"][0]["worker_id"], "pod-b:8083", "{status}");

    // A graceful shutdown stops the task, then removes the pod's report.
    b.stop.cancel();
    tokio::time::timeout(LIMIT, b.run)
        .await
        .expect("pod-b stops")
        .expect("pod-b ran");
    assert_eq!(
        report(&connectors, "pod-b").await,
        None,
        "pod-b's report removed"
    );
    a.stop.cancel();
    tokio::time::timeout(LIMIT, a.run)
        .await
        .expect("pod-a stops")
        .expect("pod-a ran");
    assert_eq!(
        report(&connectors, "pod-a").await,
        None,
        "pod-a's report removed"
    );
}
