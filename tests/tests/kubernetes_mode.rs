//! Distributed mode end to end: the operator's real controllers against the in-process API, real
//! `ferry-worker kubernetes` processes as the pods of a KafkaConnect (started, killed and scaled by
//! a stand-in kubelet, `common::kube_cluster`), and tansu as the broker. A file source and a file
//! sink stream the whole time; after each step the placement invariants hold, and at the end every
//! line written to the source file is in the sink file (duplicates allowed, losses not).

mod common;
#[path = "common/kube_cluster.rs"]
mod kube_cluster;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{outlast_session_timeout, SESSION_TIMEOUT};
use ferry_crds::config::ConfigValue;
use ferry_crds::connector::{AlterOffsets, ConnectorTargetState, ListOffsets, LocalObjectName};
use ferry_crds::placement::PlacementPhase;
use ferry_crds::status::ConnectorState;
use ferry_crds::{KafkaConnect, KafkaConnectSpec, KafkaConnector, KafkaConnectorSpec};
use ferry_e2e::{Deadline, Tansu};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use kube::ResourceExt;
use kube_cluster::{LocalCluster, NS};

const CLUSTER: &str = "my-connect";
const LIMIT: Duration = Duration::from_secs(60);

fn connect(bootstrap: &str, replicas: i32) -> KafkaConnect {
    let mut spec = KafkaConnectSpec::new(bootstrap, "ferry-e2e", "connect-offsets");
    spec.replicas = replicas;
    // One broker: the offsets topic cannot have Kafka's default three replicas.
    spec.config.insert(
        "offset.storage.replication.factor".into(),
        ConfigValue::String("1".into()),
    );
    // A killed pod's sink consumers hold their partitions until the group's session times out
    // (Kafka's default 45 s); a shorter one lets the test see the partitions move.
    for (key, value) in [
        (
            "consumer.session.timeout.ms",
            SESSION_TIMEOUT.as_millis().to_string(),
        ),
        ("consumer.heartbeat.interval.ms", "1000".to_owned()),
    ] {
        spec.config.insert(key.into(), ConfigValue::String(value));
    }
    let mut kc = KafkaConnect::new(CLUSTER, spec);
    kc.metadata.namespace = Some(NS.into());
    kc
}

fn connector(name: &str, class: &str, tasks_max: i32, config: &[(&str, String)]) -> KafkaConnector {
    let mut spec = KafkaConnectorSpec::new(class);
    spec.tasks_max = tasks_max;
    spec.config = config
        .iter()
        .map(|(k, v)| ((*k).to_owned(), ConfigValue::String(v.clone())))
        .collect();
    let mut c = KafkaConnector::new(name, spec);
    c.metadata.namespace = Some(NS.into());
    c.metadata.labels = Some([(ferry_crds::CLUSTER_LABEL.to_owned(), CLUSTER.to_owned())].into());
    c
}

async fn apply<K>(client: &kube::Client, obj: &K)
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + std::fmt::Debug
        + serde::Serialize
        + serde::de::DeserializeOwned,
{
    Api::<K>::namespaced(client.clone(), NS)
        .patch(
            &obj.name_any(),
            &PatchParams::apply("test").force(),
            &Patch::Apply(obj),
        )
        .await
        .expect("apply");
}

/// The Ready condition's (status, reason) and the folded task states with their workers.
fn summary(c: &KafkaConnector) -> String {
    let s = c.status.clone().unwrap_or_default();
    let ready = s
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| format!("{} {} ({})", c.status, c.reason, c.message))
        .unwrap_or_default();
    format!(
        "Ready={ready}; assignment={:?}; workers={:?}",
        s.assignment, s.workers
    )
}

/// Waits until connector `name` is Ready=True with `reason` for its current generation.
async fn wait_ready(cluster: &LocalCluster, name: &str, reason: &str) -> KafkaConnector {
    let api = Api::<KafkaConnector>::namespaced(cluster.client.clone(), NS);
    let deadline = Deadline::after(LIMIT);
    loop {
        let c = api.get(name).await.expect("get connector");
        let s = c.status.clone().unwrap_or_default();
        let ok = s.conditions.iter().any(|r| {
            r.type_ == "Ready"
                && r.status == "True"
                && r.reason == reason
                && r.observed_generation == c.metadata.generation
        });
        if ok {
            return c;
        }
        if deadline.passed() {
            panic!(
                "{name} not Ready {reason}: {}\n{}",
                summary(&c),
                cluster.all_logs()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The invariants of the placement, on one version of one connector: no unit claimed by two
/// pods; every Assigned unit on a distinct known pod.
fn check_never_twice(c: &KafkaConnector) -> Result<(), String> {
    let s = c.status.clone().unwrap_or_default();
    let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (pod, r) in &s.workers {
        if r.connector.is_some() {
            holders
                .entry("connector".into())
                .or_default()
                .push(pod.clone());
        }
        for t in &r.tasks {
            holders
                .entry(format!("task {}", t.id))
                .or_default()
                .push(pod.clone());
        }
    }
    match holders.iter().find(|(_, pods)| pods.len() > 1) {
        Some((unit, pods)) => Err(format!("{} {unit} held by {pods:?}", c.name_any())),
        None => Ok(()),
    }
}

/// Every connector as the API has it now.
async fn connectors(client: &kube::Client) -> Vec<KafkaConnector> {
    Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .list(&Default::default())
        .await
        .expect("list")
        .items
}

/// Units per pod over all connectors, Assigned only.
async fn loads(client: &kube::Client) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for c in connectors(client).await {
        let a = c.status.and_then(|s| s.assignment).unwrap_or_default();
        for w in a
            .connector
            .iter()
            .filter(|p| p.phase == PlacementPhase::Assigned)
            .map(|p| p.worker.clone())
            .chain(
                a.tasks
                    .iter()
                    .filter(|t| t.phase == PlacementPhase::Assigned)
                    .map(|t| t.worker.clone()),
            )
        {
            *out.entry(w).or_default() += 1;
        }
    }
    out
}

/// The units (`connector/instance`, `connector/task-N`) assigned to `pod`.
async fn units_on(client: &kube::Client, pod: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in connectors(client).await {
        let name = c.name_any();
        let a = c.status.and_then(|s| s.assignment).unwrap_or_default();
        if a.connector.is_some_and(|p| p.worker == pod) {
            out.insert(format!("{name}/instance"));
        }
        for t in a.tasks.iter().filter(|t| t.worker == pod) {
            out.insert(format!("{name}/task-{}", t.id));
        }
    }
    out
}

/// The units the connectors' folded status shows RUNNING, with the worker_id running each.
async fn running_units(client: &kube::Client) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in connectors(client).await {
        let name = c.name_any();
        let Some(cs) = c.status.and_then(|s| s.connector_status) else {
            continue;
        };
        if cs.connector.state == ConnectorState::Running {
            if let Some(w) = cs.connector.worker_id {
                out.insert(format!("{name}/instance"), w);
            }
        }
        for t in cs.tasks {
            if let (ConnectorState::Running, Some(w)) = (t.state, t.worker_id) {
                out.insert(format!("{name}/task-{}", t.id), w);
            }
        }
    }
    out
}

/// Appends numbered lines to the source file until told to stop; returns how many it wrote.
fn start_writer(path: &Path, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .expect("open the source file");
            for _ in 0..20 {
                writeln!(f, "line-{n:06}").expect("append");
                n += 1;
            }
            drop(f);
            std::thread::sleep(Duration::from_millis(50));
        }
        n
    })
}

/// Every sink file the tasks write (one per task of the sink, as `file` differs per connector
/// only: all tasks append to the same file).
fn sink_lines(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connectors_stream_while_pods_come_and_go() {
    let broker = Tansu::start();
    broker.create_topic("lines", 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let source_file = d.join("in.txt");
    let sink_file = d.join("out.txt");
    std::fs::write(&source_file, "").expect("source file");
    let mut cluster = LocalCluster::start(d).await;
    let client = cluster.client.clone();

    apply(&client, &connect(&broker.bootstrap(), 1)).await;
    apply(
        &client,
        &connector(
            "source",
            "FileStreamSource",
            1,
            &[
                ("file", source_file.display().to_string()),
                ("topic", "lines".into()),
            ],
        ),
    )
    .await;
    let sink = |tasks_max: i32| {
        connector(
            "sink",
            "FileStreamSink",
            tasks_max,
            &[
                ("file", sink_file.display().to_string()),
                ("topics", "lines".into()),
            ],
        )
    };
    apply(&client, &sink(3)).await;

    // Step 1: one pod runs everything.
    cluster.start_pod(CLUSTER, "pod-0").await;
    wait_ready(&cluster, "source", "Reconciled").await;
    wait_ready(&cluster, "sink", "Reconciled").await;

    // The invariant checker samples every connector version it can until the end.
    let checking = Arc::new(AtomicBool::new(true));
    let checker = {
        let (client, checking) = (client.clone(), checking.clone());
        tokio::spawn(async move {
            let api = Api::<KafkaConnector>::namespaced(client, NS);
            let mut samples = 0u64;
            while checking.load(Ordering::SeqCst) {
                if let Ok(list) = api.list(&Default::default()).await {
                    for c in &list.items {
                        check_never_twice(c)?;
                    }
                    samples += 1;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Ok::<u64, String>(samples)
        })
    };
    let stop_writing = Arc::new(AtomicBool::new(false));
    let writer = start_writer(&source_file, stop_writing.clone());

    // Step 2: scale 1 -> 3. Six units (source 1+1, sink 1+3) spread two per pod.
    apply(&client, &connect(&broker.bootstrap(), 3)).await;
    cluster.start_pod(CLUSTER, "pod-1").await;
    cluster.start_pod(CLUSTER, "pod-2").await;
    let deadline = Deadline::after(LIMIT);
    loop {
        let l = loads(&client).await;
        if l.len() == 3 && l.values().all(|n| *n == 2) {
            break;
        }
        assert!(
            !deadline.passed(),
            "not balanced over 3 pods: {l:?}\n{}",
            cluster.all_logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_ready(&cluster, "source", "Reconciled").await;
    wait_ready(&cluster, "sink", "Reconciled").await;
    // Any pod's REST API shows the whole connector (the resource's fold), not only its own tasks.
    let port = cluster.rest_port("pod-0").expect("pod-0 runs");
    let url = format!("http://127.0.0.1:{port}/connectors/sink/status");
    let deadline = Deadline::after(LIMIT);
    loop {
        let status: Option<serde_json::Value> = match reqwest::get(&url).await {
            Ok(r) => r.json().await.ok(),
            Err(_) => None,
        };
        let workers: BTreeSet<String> = status
            .as_ref()
            .and_then(|s| s["tasks"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|t| t["state"] == "RUNNING")
            .filter_map(|t| t["worker_id"].as_str().map(str::to_owned))
            .collect();
        let tasks = status
            .as_ref()
            .and_then(|s| s["tasks"].as_array().map(Vec::len));
        if tasks == Some(3) && workers.len() >= 2 {
            break;
        }
        assert!(
            !deadline.passed(),
            "pod-0's REST status is not the whole connector: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Step 3: kill a pod (kill -9, Pod deleted). Its units run elsewhere.
    let victim = loads(&client).await.keys().nth(1).cloned().expect("a pod");
    let on_victim = units_on(&client, &victim).await;
    assert!(!on_victim.is_empty());
    let lost = Instant::now();
    cluster.kill_pod(&victim).await;
    let deadline = Deadline::after(LIMIT);
    loop {
        let running = running_units(&client).await;
        let moved = on_victim.iter().all(|u| {
            running
                .get(u)
                .is_some_and(|w| !w.starts_with(&format!("{victim}:")))
        });
        if moved {
            break;
        }
        assert!(
            !deadline.passed(),
            "{victim}'s units {on_victim:?} not running elsewhere: {running:?}\n{}",
            cluster.all_logs()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let recovery = lost.elapsed();
    wait_ready(&cluster, "source", "Reconciled").await;
    wait_ready(&cluster, "sink", "Reconciled").await;
    println!(
        "distributed mode: a killed pod's {} units RUNNING elsewhere after {:.3} s",
        on_victim.len(),
        recovery.as_secs_f64()
    );
    cluster.start_pod(CLUSTER, &format!("{victim}-b")).await;
    // The sink tasks that moved joined the group while tansu still counted the killed pod's
    // consumers as members, so it may have given the dead members partitions. tansu later drops them on a
    // heartbeat without a new rebalance, and their partitions stay unread until the group changes
    // again (see `outlast_session_timeout`). The next steps change the group; they start once the
    // dead members are gone, so the assignment they end with has only live members.
    outlast_session_timeout().await;

    // Step 4: tasksMax 3 -> 2 for the sink.
    apply(&client, &sink(2)).await;
    let c = wait_ready(&cluster, "sink", "Reconciled").await;
    let tasks = c
        .status
        .and_then(|s| s.connector_status)
        .map(|cs| cs.tasks.len());
    assert_eq!(tasks, Some(2));

    // Step 5: pause, resume, stop, start again, restart by annotation.
    let mut paused = sink(2);
    paused.spec.state = ConnectorTargetState::Paused;
    apply(&client, &paused).await;
    wait_ready(&cluster, "sink", "Paused").await;
    apply(&client, &sink(2)).await;
    wait_ready(&cluster, "sink", "Reconciled").await;
    let mut stopped = sink(2);
    stopped.spec.state = ConnectorTargetState::Stopped;
    apply(&client, &stopped).await;
    let c = wait_ready(&cluster, "sink", "Stopped").await;
    let cs = c
        .status
        .and_then(|s| s.connector_status)
        .expect("connectorStatus");
    assert_eq!(cs.connector.state, ConnectorState::Stopped);
    assert!(cs.tasks.is_empty());
    apply(&client, &sink(2)).await;
    wait_ready(&cluster, "sink", "Reconciled").await;
    Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .patch(
            "source",
            &PatchParams::default(),
            &Patch::Merge(
                serde_json::json!({"metadata": {"annotations": {"ferry.dev/restart": "all"}}}),
            ),
        )
        .await
        .expect("annotate");
    let deadline = Deadline::after(LIMIT);
    loop {
        let c = Api::<KafkaConnector>::namespaced(client.clone(), NS)
            .get("source")
            .await
            .expect("get");
        let bumped = c
            .status
            .as_ref()
            .and_then(|s| s.assignment.as_ref())
            .is_some_and(|a| a.tasks.iter().all(|t| t.restarts == 1));
        if bumped && !c.annotations().contains_key("ferry.dev/restart") {
            break;
        }
        assert!(!deadline.passed(), "restart not recorded: {}", summary(&c));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_ready(&cluster, "source", "Reconciled").await;

    // Step 6: scale 3 -> 1, gracefully.
    apply(&client, &connect(&broker.bootstrap(), 1)).await;
    let mut pods = cluster.pod_names();
    let keep = pods.remove(0);
    for pod in pods {
        cluster.stop_pod(&pod).await;
    }
    let deadline = Deadline::after(LIMIT);
    loop {
        let l = loads(&client).await;
        if l.len() == 1 && l.contains_key(&keep) {
            break;
        }
        assert!(!deadline.passed(), "not all on {keep}: {l:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_ready(&cluster, "source", "Reconciled").await;
    wait_ready(&cluster, "sink", "Reconciled").await;

    // Everything written arrives.
    stop_writing.store(true, Ordering::SeqCst);
    let written = writer.join().expect("writer");
    let expected: BTreeSet<String> = (0..written).map(|n| format!("line-{n:06}")).collect();
    let deadline = Deadline::after(Duration::from_secs(90));
    loop {
        let got = sink_lines(&sink_file);
        let missing: Vec<&String> = expected.difference(&got).collect();
        if missing.is_empty() {
            break;
        }
        if deadline.passed() {
            let missing: BTreeSet<String> = missing.into_iter().cloned().collect();
            // The last 40 of tansu's lines on the sink group: the latest membership changes.
            let broker_log = broker.log_text();
            let on_group: Vec<&str> = broker_log
                .lines()
                .filter(|l| {
                    l.contains("connect-sink") && (l.contains("missed") || l.contains("INFO"))
                })
                .collect();
            let group_log = &on_group[on_group.len().saturating_sub(40)..];
            panic!(
                "{} of {written} lines never reached the sink, e.g. {:?}\n{}broker log on the sink group:\n{}\n{}",
                missing.len(),
                missing.iter().take(5).collect::<Vec<_>>(),
                diagnose(&broker.bootstrap(), &missing),
                group_log.join("\n"),
                cluster.all_logs()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    checking.store(false, Ordering::SeqCst);
    let samples = checker
        .await
        .expect("checker")
        .unwrap_or_else(|e| panic!("invariant broken: {e}"));
    println!("distributed mode: {written} lines delivered; placement invariants held over {samples} samples");
    assert!(samples > 10);

    // Offsets through the resource: stop the source, list (Kafka Connect's document, in the
    // ConfigMap), alter, list again, reset.
    let file_len = std::fs::metadata(&source_file).expect("source file").len();
    let mut source = connector(
        "source",
        "FileStreamSource",
        1,
        &[
            ("file", source_file.display().to_string()),
            ("topic", "lines".into()),
        ],
    );
    source.spec.state = ConnectorTargetState::Stopped;
    source.spec.list_offsets = Some(ListOffsets {
        to_config_map: LocalObjectName {
            name: "source-offsets".into(),
        },
    });
    source.spec.alter_offsets = Some(AlterOffsets {
        from_config_map: LocalObjectName {
            name: "source-offsets-wanted".into(),
        },
    });
    apply(&client, &source).await;
    wait_ready(&cluster, "source", "Stopped").await;
    let listed = list_offsets(&client).await;
    let partition = serde_json::json!({"filename": source_file.display().to_string()});
    assert_eq!(
        listed,
        serde_json::json!({"offsets": [{"partition": partition, "offset": {"position": file_len}}]}),
        "the committed position is the whole file"
    );
    let wanted =
        serde_json::json!({"offsets": [{"partition": partition, "offset": {"position": 5}}]});
    let cm = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("source-offsets-wanted".into()),
            namespace: Some(NS.into()),
            ..Default::default()
        },
        data: Some([("offsets.json".to_owned(), wanted.to_string())].into()),
        ..Default::default()
    };
    apply(&client, &cm).await;
    annotate_offsets(&client, "alter").await;
    wait_annotation_gone(&client).await;
    let deadline = Deadline::after(LIMIT);
    loop {
        if list_offsets(&client).await == wanted {
            break;
        }
        assert!(
            !deadline.passed(),
            "offsets not altered:\n{}",
            cluster.all_logs()
        );
    }
    annotate_offsets(&client, "reset").await;
    wait_annotation_gone(&client).await;
    let deadline = Deadline::after(LIMIT);
    loop {
        if list_offsets(&client).await == serde_json::json!({"offsets": []}) {
            break;
        }
        assert!(
            !deadline.passed(),
            "offsets not reset:\n{}",
            cluster.all_logs()
        );
    }
    cluster.stop().await;
}

/// Where the missing lines are: in the topic or not (source or sink side), and the sink group's
/// committed offsets against the partitions' ends (still catching up, or committed past them).
fn diagnose(bootstrap: &str, missing: &BTreeSet<String>) -> String {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
    let config = |group: &str| {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest");
        c
    };
    let mut out = String::new();
    if let Ok(group) = config("connect-sink").create::<BaseConsumer>() {
        let mut tpl = TopicPartitionList::new();
        for p in 0..3 {
            tpl.add_partition("lines", p);
        }
        let committed = group.committed_offsets(tpl, Duration::from_secs(5));
        for p in 0..3 {
            let end = group
                .fetch_watermarks("lines", p, Duration::from_secs(5))
                .ok();
            let c = committed
                .as_ref()
                .ok()
                .and_then(|t| t.find_partition("lines", p))
                .map(|e| e.offset());
            out.push_str(&format!(
                "partition {p}: committed {c:?}, watermarks {end:?}\n"
            ));
        }
    }
    if let Ok(reader) = config("diagnose").create::<BaseConsumer>() {
        let mut tpl = TopicPartitionList::new();
        for p in 0..3 {
            let _ = tpl.add_partition_offset("lines", p, Offset::Beginning);
        }
        let _ = reader.assign(&tpl);
        let mut in_topic = BTreeMap::<String, (i32, i64)>::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut idle = 0;
        while Instant::now() < deadline && idle < 30 {
            match reader.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => {
                    idle = 0;
                    let text =
                        String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned();
                    for line in missing {
                        if text.contains(line.as_str()) {
                            in_topic.insert(line.clone(), (m.partition(), m.offset()));
                        }
                    }
                }
                _ => idle += 1,
            }
        }
        let first: Vec<_> = in_topic.iter().take(5).collect();
        out.push_str(&format!(
            "{} of the {} missing lines are in the topic, e.g. {first:?}\n",
            in_topic.len(),
            missing.len()
        ));
    }
    out
}

async fn annotate_offsets(client: &kube::Client, operation: &str) {
    Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .patch(
            "source",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"metadata": {"annotations": {"ferry.dev/connector-offsets": operation}}})),
        )
        .await
        .expect("annotate");
}

async fn wait_annotation_gone(client: &kube::Client) {
    let api = Api::<KafkaConnector>::namespaced(client.clone(), NS);
    let deadline = Deadline::after(LIMIT);
    loop {
        let c = api.get("source").await.expect("get");
        let pending = c
            .status
            .as_ref()
            .is_some_and(|s| s.offsets_request.is_some());
        if !c.annotations().contains_key("ferry.dev/connector-offsets") && !pending {
            return;
        }
        assert!(
            !deadline.passed(),
            "offsets request not carried out: {}",
            summary(&c)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asks for a listing and returns the document the operator wrote into the ConfigMap.
async fn list_offsets(client: &kube::Client) -> serde_json::Value {
    let cms = Api::<ConfigMap>::namespaced(client.clone(), NS);
    let _ = cms.delete("source-offsets", &Default::default()).await;
    annotate_offsets(client, "list").await;
    wait_annotation_gone(client).await;
    let deadline = Deadline::after(LIMIT);
    loop {
        if let Ok(Some(cm)) = cms.get_opt("source-offsets").await {
            let text = cm
                .data
                .and_then(|d| d.get("offsets.json").cloned())
                .unwrap_or_default();
            return serde_json::from_str(&text).expect("offsets.json is JSON");
        }
        assert!(!deadline.passed(), "no listing written");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
