//! The standalone herder and its task loops against a real Kafka-protocol broker in process
//! (librdkafka's mock cluster): records flow file → Kafka → file, states follow pause / resume / stop /
//! restart, offsets are listed and altered, and a failing task fails alone.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_e2e::kafka::read_with_headers;
use ferry_worker::metrics::WorkerMetrics;
use ferry_worker::rest::entities::{ConnectorOffset, ConnectorOffsets};
use ferry_worker::rest::herder::{Herder, HerderError, TargetState};
use ferry_worker::runtime::{StandaloneHerder, WorkerSettings};
use ferry_worker::storage::FileOffsetStore;
use rdkafka::config::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use serde_json::json;

struct Fixture {
    herder: Arc<StandaloneHerder>,
    dir: tempfile::TempDir,
    cluster: MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
}

fn fixture(topics: &[&str]) -> Fixture {
    fixture_committing_every(topics, Duration::from_millis(100))
}

/// A fixture whose tasks commit offsets every `offset_flush_interval` (and on stop).
fn fixture_committing_every(topics: &[&str], offset_flush_interval: Duration) -> Fixture {
    let cluster = MockCluster::new(1).expect("mock cluster");
    for t in topics {
        cluster.create_topic(t, 1, 1).expect("topic");
    }
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = cluster.bootstrap_servers();
    let worker_props: BTreeMap<String, String> = [
        ("bootstrap.servers", bootstrap.as_str()),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let client: BTreeMap<String, String> =
        [("bootstrap.servers".to_string(), bootstrap.clone())].into();
    let settings = WorkerSettings {
        worker_props,
        worker_id: "127.0.0.1:8083".into(),
        producer_props: client.clone(),
        consumer_props: client.clone(),
        admin_props: client,
        offset_flush_interval,
        offset_flush_timeout: Duration::from_secs(5),
        task_shutdown_timeout: Duration::from_secs(10),
        topic_tracking_enable: true,
        topic_tracking_allow_reset: true,
        max_poll_records: 500,
    };
    let offsets = Arc::new(FileOffsetStore::open(dir.path().join("offsets")).unwrap());
    let metrics = Arc::new(WorkerMetrics::new().unwrap());
    let herder = Arc::new(StandaloneHerder::new(settings, offsets, metrics));
    herder.mark_started();
    Fixture {
        herder,
        dir,
        cluster,
    }
}

/// A producer to the mock cluster, for the tests' input records.
fn producer_for(
    cluster: &MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
) -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", cluster.bootstrap_servers())
        .create()
        .expect("producer")
}

/// Appends to a file the way a writer does, without truncating it first (a rewrite would let a
/// poll in between see a shorter file and read it again from the start).
fn append(path: &Path, bytes: &[u8]) {
    std::io::Write::write_all(
        &mut std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .expect("open to append"),
        bytes,
    )
    .expect("append");
}

/// Sets connector config keys.
fn set_all(config: &mut BTreeMap<String, Option<String>>, pairs: &[(&str, &str)]) {
    for (k, v) in pairs {
        config.insert(k.to_string(), Some(v.to_string()));
    }
}

fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

fn source(name: &str, file: &Path, topic: &str) -> BTreeMap<String, Option<String>> {
    config(&[
        ("name", name),
        ("connector.class", "FileStreamSource"),
        ("file", file.to_str().unwrap()),
        ("topic", topic),
    ])
}

fn sink(name: &str, file: &Path, topic: &str) -> BTreeMap<String, Option<String>> {
    config(&[
        ("name", name),
        (
            "connector.class",
            "org.apache.kafka.connect.file.FileStreamSinkConnector",
        ),
        ("file", file.to_str().unwrap()),
        ("topics", topic),
    ])
}

async fn wait_for<T>(what: &str, limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn states(h: &StandaloneHerder, name: &str) -> (String, Vec<String>) {
    let s = h.connector_status(name).await.unwrap();
    (
        s.connector.state,
        s.tasks.into_iter().map(|t| t.state).collect(),
    )
}

async fn wait_states(h: &StandaloneHerder, name: &str, connector: &str, task: &str) {
    let (c, t) = (connector.to_string(), task.to_string());
    wait_for(
        &format!("{name} {connector}/{task}"),
        Duration::from_secs(30),
        async || {
            let (sc, st) = states(h, name).await;
            (sc == c && !st.is_empty() && st.iter().all(|s| *s == t)).then_some(())
        },
    )
    .await;
}

/// Waits for the connector's task 0 to fail; its trace.
async fn failed_task_trace(h: &StandaloneHerder, name: &str) -> String {
    wait_for(
        &format!("{name}'s task to fail"),
        Duration::from_secs(30),
        async || {
            let s = h.task_status(name, 0).await.ok()?;
            (s.state == "FAILED").then_some(s.trace.unwrap_or_default())
        },
    )
    .await
}

fn file_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

async fn wait_lines(path: &Path, expected: &[&str]) {
    let want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    wait_for(
        &format!("{want:?} in {}", path.display()),
        Duration::from_secs(30),
        async || (file_lines(path) == want).then_some(()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_to_kafka_to_file_with_pause_resume_and_restart() {
    let f = fixture(&["lines"]);
    let input = f.dir.path().join("in.txt");
    let output = f.dir.path().join("out.txt");
    std::fs::write(&input, "foo\nbar\n").unwrap();
    let h = &f.herder;
    h.create_connector("src", source("src", &input, "lines"), None)
        .await
        .unwrap();
    h.create_connector("snk", sink("snk", &output, "lines"), None)
        .await
        .unwrap();
    wait_states(h, "src", "RUNNING", "RUNNING").await;
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    wait_lines(&output, &["foo", "bar"]).await;

    h.pause_connector("src").await.unwrap();
    wait_states(h, "src", "PAUSED", "PAUSED").await;
    h.resume_connector("src").await.unwrap();
    wait_states(h, "src", "RUNNING", "RUNNING").await;
    append(&input, b"baz\n");
    wait_lines(&output, &["foo", "bar", "baz"]).await;

    // A plain restart (204) returns nothing; with includeTasks (202) a snapshot showing RESTARTING.
    assert!(h
        .restart_connector("snk", false, false)
        .await
        .unwrap()
        .is_none());
    let snapshot = h
        .restart_connector("snk", true, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(snapshot.connector.state, "RESTARTING");
    assert!(snapshot.tasks.iter().all(|t| t.state == "RESTARTING"));
    wait_states(h, "snk", "RUNNING", "RUNNING").await;

    assert_eq!(
        h.connector_topics("src").await.unwrap(),
        vec!["lines".to_string()]
    );
    let metrics = h.metrics_text();
    assert!(
        metrics.contains(r#"ferry_source_records_written_total{connector="src",task="0"} 3"#),
        "{metrics}"
    );

    h.delete_connector("snk").await.unwrap();
    assert!(matches!(
        h.connector_status("snk").await,
        Err(HerderError::NotFound(_))
    ));
    assert_eq!(h.connectors().await, vec!["src".to_string()]);
    drop(f.cluster);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_then_alter_offsets_then_resume_reads_from_there() {
    let f = fixture(&["t"]);
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\n").unwrap();
    let h = &f.herder;
    h.create_connector("src", source("src", &input, "t"), None)
        .await
        .unwrap();
    wait_states(h, "src", "RUNNING", "RUNNING").await;
    let partition = json!({"filename": input.to_str().unwrap()})
        .as_object()
        .unwrap()
        .clone();
    wait_for("offset 4 committed", Duration::from_secs(30), async || {
        let o = h.connector_offsets("src").await.unwrap();
        (o.offsets
            .first()
            .and_then(|o| o.offset.clone())
            .map(serde_json::Value::Object)
            == Some(json!({"position": 4})))
        .then_some(())
    })
    .await;

    // Altering needs STOPPED, with Kafka's message.
    let alter = ConnectorOffsets {
        offsets: vec![ConnectorOffset {
            partition: partition.clone(),
            offset: Some(json!({"position": 0}).as_object().unwrap().clone()),
        }],
    };
    match h.alter_connector_offsets("src", alter.clone()).await {
        Err(HerderError::BadRequest(m)) => assert!(
            m.starts_with("Connectors must be in the STOPPED state"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    h.stop_connector("src").await.unwrap();
    let s = h.connector_status("src").await.unwrap();
    assert_eq!(s.connector.state, "STOPPED");
    assert!(s.tasks.is_empty());
    assert_eq!(
        h.alter_connector_offsets("src", alter).await.unwrap(),
        "The offsets for this connector have been altered successfully"
    );
    let o = h.connector_offsets("src").await.unwrap();
    assert_eq!(
        o.offsets[0].offset.clone().map(serde_json::Value::Object),
        Some(json!({"position": 0}))
    );
    assert_eq!(
        h.reset_connector_offsets("src").await.unwrap(),
        "The offsets for this connector have been reset successfully"
    );
    assert!(h.connector_offsets("src").await.unwrap().offsets.is_empty());
    h.resume_connector("src").await.unwrap();
    wait_states(h, "src", "RUNNING", "RUNNING").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_record_fails_only_its_task_with_a_trace() {
    let f = fixture(&["good", "bad"]);
    let h = &f.herder;
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "x\n").unwrap();
    h.create_connector("src", source("src", &input, "good"), None)
        .await
        .unwrap();
    h.create_connector(
        "snk",
        sink("snk", &f.dir.path().join("out.txt"), "bad"),
        None,
    )
    .await
    .unwrap();

    let producer = producer_for(&f.cluster);
    producer
        .send(BaseRecord::<(), str>::to("bad").payload("{not json"))
        .unwrap();
    producer.flush(Duration::from_secs(10)).unwrap();

    let trace = failed_task_trace(h, "snk").await;
    assert!(
        trace.contains("Tolerance exceeded in error handler"),
        "{trace}"
    );
    assert!(
        trace.contains("topic='bad', partition=0, offset=0"),
        "{trace}"
    );
    assert!(trace.contains("VALUE_CONVERTER"), "{trace}");
    assert!(
        trace.contains("Converting byte[] to Kafka Connect data failed due to serialization error"),
        "{trace}"
    );
    // The other connector is untouched.
    wait_states(h, "src", "RUNNING", "RUNNING").await;

    let only_failed = h
        .restart_connector("snk", true, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        only_failed.connector.state, "RUNNING",
        "the connector itself did not fail"
    );
    assert_eq!(only_failed.tasks[0].state, "RESTARTING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_write_errors_match_kafka() {
    let f = fixture(&["t"]);
    let h = &f.herder;
    let input = f.dir.path().join("in.txt");
    h.create_connector("src", source("src", &input, "t"), Some(TargetState::Paused))
        .await
        .unwrap();
    wait_states(h, "src", "PAUSED", "PAUSED").await;
    match h
        .create_connector("src", source("src", &input, "t"), None)
        .await
    {
        Err(HerderError::Conflict(m)) => assert_eq!(m, "Connector src already exists"),
        other => panic!("{other:?}"),
    }
    match h
        .create_connector("x", config(&[("name", "x")]), None)
        .await
    {
        Err(HerderError::BadRequest(m)) => {
            assert_eq!(m, "Connector config {name=x} contains no connector type")
        }
        other => panic!("{other:?}"),
    }
    match h
        .create_connector(
            "x",
            config(&[("name", "x"), ("connector.class", "FileStreamSource")]),
            None,
        )
        .await
    {
        Err(HerderError::BadRequest(m)) => {
            assert!(m.starts_with("Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"topic\" which has no default value."), "{m}")
        }
        other => panic!("{other:?}"),
    }
    match h
        .create_connector(
            "x",
            config(&[("name", "x"), ("connector.class", "Nope")]),
            None,
        )
        .await
    {
        Err(HerderError::Internal(m)) => assert!(
            m.starts_with(
                "Failed to find any class that implements Connector and which name matches Nope"
            ),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    // PUT on an existing connector updates (not created), and the new config is in effect.
    let mut updated = source("src", &input, "t");
    updated.insert("batch.size".into(), Some("10".into()));
    let (created, info) = h.put_connector_config("src", updated).await.unwrap();
    assert!(!created);
    assert_eq!(
        info.config.get("batch.size").map(String::as_str),
        Some("10")
    );
    // It keeps its target state across the reconfiguration.
    wait_states(h, "src", "PAUSED", "PAUSED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tolerated_bad_records_go_to_the_dead_letter_queue_with_context() {
    let f = fixture(&["mixed", "dlq"]);
    let h = &f.herder;
    let output = f.dir.path().join("out.txt");
    let mut config = sink("snk", &output, "mixed");
    set_all(
        &mut config,
        &[
            ("errors.tolerance", "all"),
            ("errors.log.enable", "true"),
            ("errors.log.include.messages", "true"),
            ("errors.deadletterqueue.topic.name", "dlq"),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ],
    );
    h.create_connector("snk", config, None).await.unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;

    let producer = producer_for(&f.cluster);
    let good =
        |s: &str| format!(r#"{{"schema":{{"type":"string","optional":false}},"payload":"{s}"}}"#);
    let inputs = [
        good("one"),
        "{not json".to_string(),
        good("two"),
        r#"{"payload":"no schema field"}"#.to_string(),
        good("three"),
    ];
    for v in &inputs {
        producer
            .send(BaseRecord::<(), str>::to("mixed").payload(v))
            .unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();

    wait_lines(&output, &["one", "two", "three"]).await;
    let dead = read_with_headers(
        &f.cluster.bootstrap_servers(),
        "dlq",
        2,
        Duration::from_secs(30),
    );
    assert_eq!(
        dead[0].value.as_deref(),
        Some(inputs[1].as_bytes()),
        "original bytes unchanged"
    );
    assert_eq!(dead[1].value.as_deref(), Some(inputs[3].as_bytes()));
    let header = |i: usize, k: &str| dead[i].header(k).unwrap_or_default().to_string();
    assert_eq!(header(0, "__connect.errors.topic"), "mixed");
    assert_eq!(header(0, "__connect.errors.partition"), "0");
    assert_eq!(header(0, "__connect.errors.offset"), "1");
    assert_eq!(header(0, "__connect.errors.connector.name"), "snk");
    assert_eq!(header(0, "__connect.errors.task.id"), "0");
    assert_eq!(header(0, "__connect.errors.stage"), "VALUE_CONVERTER");
    assert_eq!(
        header(0, "__connect.errors.class.name"),
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(
        header(0, "__connect.errors.exception.class.name"),
        "org.apache.kafka.connect.errors.DataException"
    );
    assert!(header(0, "__connect.errors.exception.message")
        .starts_with("Converting byte[] to Kafka Connect data failed due to serialization error"));
    assert!(header(1, "__connect.errors.exception.message").starts_with(
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields"
    ));

    // The trace headers carry the record (errors.log.include.messages=true).
    assert!(
        header(0, "__connect.errors.exception.stacktrace").contains("Converting byte[]"),
        "{}",
        header(0, "__connect.errors.exception.stacktrace")
    );
    // The task kept running, and counted what it skipped.
    assert_eq!(h.task_status("snk", 0).await.unwrap().state, "RUNNING");
    let metrics = h.metrics_text();
    assert!(
        metrics.contains(r#"ferry_task_records_skipped_total{connector="snk",task="0"} 2"#),
        "{metrics}"
    );
    // Kafka's task-error-metrics: two records failed once each, were logged, skipped and
    // dead-lettered; nothing was retried and the dead-letter topic took both.
    for expected in [
        r#"ferry_task_dead_letter_records_total{connector="snk",task="0"} 2"#,
        r#"ferry_task_record_failures_total{connector="snk",task="0"} 2"#,
        r#"ferry_task_record_errors_total{connector="snk",task="0"} 2"#,
        r#"ferry_task_errors_logged_total{connector="snk",task="0"} 2"#,
        r#"ferry_task_retries_total{connector="snk",task="0"} 0"#,
        r#"ferry_task_dead_letter_failures_total{connector="snk",task="0"} 0"#,
    ] {
        assert!(metrics.contains(expected), "no {expected} in {metrics}");
    }
    let last_error = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix(r#"ferry_task_last_error_timestamp_seconds{connector="snk",task="0"} "#)
        })
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or_default();
    assert!(last_error > 1.6e9, "last error at {last_error}: {metrics}");
    // Skipped records' offsets are committed too: all five are covered.
    h.stop_connector("snk").await.unwrap();
    let offsets = h.connector_offsets("snk").await.unwrap();
    assert_eq!(
        offsets
            .offsets
            .first()
            .and_then(|o| o.offset.clone())
            .map(serde_json::Value::Object),
        Some(json!({"kafka_offset": 5}))
    );
}

/// A record the dead-letter topic refuses is in neither place, so the task fails rather than
/// commit past it: its offset stays uncommitted for the next run, and the refusal is counted
/// (Kafka's deadletterqueue-produce-failures).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dead_letter_write_fails_the_task_without_committing_past_the_record() {
    let f = fixture(&["orders", "dlq"]);
    let h = &f.herder;
    let output = f.dir.path().join("out.txt");
    let producer = producer_for(&f.cluster);
    for v in [
        r#"{"schema":{"type":"string","optional":false},"payload":"one"}"#,
        "{not json",
        r#"{"schema":{"type":"string","optional":false},"payload":"two"}"#,
    ] {
        producer
            .send(BaseRecord::<(), str>::to("orders").payload(v))
            .unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();
    // From now on the broker refuses every write, as a dead-letter topic the connector may not
    // write to would.
    f.cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 20],
    );

    let mut config = sink("snk", &output, "orders");
    set_all(
        &mut config,
        &[
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", "dlq"),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
        ],
    );
    h.create_connector("snk", config, None).await.unwrap();
    let trace = failed_task_trace(h, "snk").await;
    assert!(
        trace.contains("Could not produce message to dead letter queue. topic=dlq"),
        "{trace}"
    );
    let metrics = h.metrics_text();
    for expected in [
        r#"ferry_task_dead_letter_records_total{connector="snk",task="0"} 1"#,
        r#"ferry_task_dead_letter_failures_total{connector="snk",task="0"} 1"#,
        r#"ferry_task_records_skipped_total{connector="snk",task="0"} 1"#,
    ] {
        assert!(metrics.contains(expected), "no {expected} in {metrics}");
    }
    // Nothing at or past the refused record (offset 1) is committed.
    h.stop_connector("snk").await.unwrap();
    let committed = h
        .connector_offsets("snk")
        .await
        .unwrap()
        .offsets
        .first()
        .and_then(|o| o.offset.as_ref()?.get("kafka_offset")?.as_i64());
    assert!(
        committed.is_none_or(|o| o <= 1),
        "committed up to {committed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_connector_converter_overrides_the_workers() {
    let f = fixture(&["plain"]);
    let h = &f.herder;
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "foo\n").unwrap();
    let mut config = source("src", &input, "plain");
    config.insert(
        "value.converter".into(),
        Some("org.apache.kafka.connect.json.JsonConverter".into()),
    );
    config.insert(
        "value.converter.schemas.enable".into(),
        Some("false".into()),
    );
    h.create_connector("src", config, None).await.unwrap();
    let got = read_with_headers(
        &f.cluster.bootstrap_servers(),
        "plain",
        1,
        Duration::from_secs(30),
    );
    assert_eq!(got[0].value.as_deref(), Some(&b"\"foo\""[..]));
}

/// Headers a source's transforms add reach Kafka with the record, in order: a string header as its
/// text, and one the header converter serializes (InsertHeader parses `42` as a number).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_records_headers_reach_kafka() {
    let f = fixture(&["stamped"]);
    let h = &f.herder;
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "one\ntwo\n").unwrap();
    let mut config = source("src", &input, "stamped");
    set_all(
        &mut config,
        &[
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("transforms", "origin,count"),
            (
                "transforms.origin.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.origin.header", "origin"),
            ("transforms.origin.value.literal", "file"),
            (
                "transforms.count.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.count.header", "n"),
            ("transforms.count.value.literal", "42"),
        ],
    );
    h.create_connector("src", config, None).await.unwrap();
    let got = read_with_headers(
        &f.cluster.bootstrap_servers(),
        "stamped",
        2,
        Duration::from_secs(30),
    );
    for (record, line) in got.iter().zip(["one", "two"]) {
        assert_eq!(record.value.as_deref(), Some(line.as_bytes()));
        assert_eq!(
            record.headers,
            vec![
                ("origin".to_string(), "file".to_string()),
                ("n".to_string(), "42".to_string())
            ]
        );
    }
}

/// A source line far over the producer's size limit, between two small ones.
fn oversized_input(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("oversized.txt");
    std::fs::write(&input, format!("small\n{}\nafter\n", "x".repeat(5_000))).unwrap();
    input
}

/// Kafka's producer refuses a record over its size limit through the send callback, so with
/// `errors.tolerance=all` the record is skipped, reported to the error log, counted, and the task
/// goes on, as Kafka's `producerSendFailed` does; librdkafka refuses it in the send call itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_kafka_refuses_is_skipped_under_tolerance_all() {
    let f = fixture(&["big"]);
    let h = &f.herder;
    let output = f.dir.path().join("out.txt");
    let mut config = source("src", &oversized_input(f.dir.path()), "big");
    set_all(
        &mut config,
        &[
            ("producer.override.message.max.bytes", "1000"),
            ("errors.tolerance", "all"),
            ("errors.log.enable", "true"),
        ],
    );
    h.create_connector("src", config, None).await.unwrap();
    h.create_connector("snk", sink("snk", &output, "big"), None)
        .await
        .unwrap();
    wait_lines(&output, &["small", "after"]).await;
    wait_states(h, "src", "RUNNING", "RUNNING").await;
    let metrics = h.metrics_text();
    for series in [
        r#"ferry_task_record_failures_total{connector="src",task="0"} 1"#,
        r#"ferry_task_records_skipped_total{connector="src",task="0"} 1"#,
        r#"ferry_task_errors_logged_total{connector="src",task="0"} 1"#,
        r#"ferry_source_records_written_total{connector="src",task="0"} 2"#,
    ] {
        assert!(metrics.contains(series), "{series} in:\n{metrics}");
    }
}

/// With `errors.tolerance=none` the refusal fails the task with Kafka's message, and the trace
/// names the stage and the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_kafka_refuses_fails_the_task_under_tolerance_none() {
    let f = fixture(&["big"]);
    let h = &f.herder;
    let mut config = source("src", &oversized_input(f.dir.path()), "big");
    config.insert(
        "producer.override.message.max.bytes".into(),
        Some("1000".into()),
    );
    h.create_connector("src", config, None).await.unwrap();
    let trace = failed_task_trace(h, "src").await;
    assert!(
        trace.starts_with(
            "org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from \
             producer send callback\nCaused by: org.apache.kafka.connect.errors.ConnectException: \
             Error encountered in task src-0. Executing stage 'KAFKA_PRODUCE' with class \
             'org.apache.kafka.connect.runtime.WorkerSourceTask', where source record is = \
             SourceRecord{sourcePartition={\"filename\":"
        ),
        "{trace}"
    );
    assert!(
        trace.contains("\nCaused by: org.apache.kafka.common.KafkaException: "),
        "{trace}"
    );
    assert!(trace.contains("MessageSizeTooLarge"), "{trace}");
}

/// A sink task that fails on a bad record still flushes and commits what it put before it, as
/// Kafka's closing of the task's partitions does, so a restart reads from the bad record on, not
/// from the last periodic commit (which here never comes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_task_commits_what_it_put_before_the_bad_record() {
    let f = fixture_committing_every(&["orders"], Duration::from_secs(3600));
    let h = &f.herder;
    let output = f.dir.path().join("out.txt");
    h.create_connector("snk", sink("snk", &output, "orders"), None)
        .await
        .unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    let producer = producer_for(&f.cluster);
    let send = |v: &str| {
        producer
            .send(BaseRecord::<(), str>::to("orders").payload(v))
            .unwrap();
        producer.flush(Duration::from_secs(10)).unwrap();
    };
    send(r#"{"schema":{"type":"string","optional":false},"payload":"one"}"#);
    send(r#"{"schema":{"type":"string","optional":false},"payload":"two"}"#);
    wait_lines(&output, &["one", "two"]).await;
    send("{not json");
    let trace = failed_task_trace(h, "snk").await;
    assert!(trace.contains("offset=2"), "{trace}");

    h.stop_connector("snk").await.unwrap();
    let committed = h
        .connector_offsets("snk")
        .await
        .unwrap()
        .offsets
        .first()
        .and_then(|o| o.offset.as_ref()?.get("kafka_offset")?.as_i64());
    assert_eq!(committed, Some(2), "the next record to read is the bad one");
}

/// A predicate alias `predicates` does not define passes validation, as in Kafka, and fails the
/// task at start with the trace of Kafka's `transformationStages`: a `ConnectException` wrapping
/// the `ConfigException` of `getClass("predicates.<alias>.type")`. The connector itself runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undefined_predicate_alias_fails_the_task_at_start_as_kafkas_does() {
    let f = fixture(&["t"]);
    let h = &f.herder;
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "x\n").unwrap();
    let mut config = source("src", &input, "t");
    set_all(
        &mut config,
        &[
            ("transforms", "drop"),
            ("transforms.drop.type", "Filter"),
            ("transforms.drop.predicate", "undefined"),
        ],
    );
    h.create_connector("src", config, None).await.unwrap();
    assert_eq!(
        failed_task_trace(h, "src").await,
        "org.apache.kafka.connect.errors.ConnectException: \
         org.apache.kafka.common.config.ConfigException: \
         Unknown configuration 'predicates.undefined.type'\n\
         Caused by: org.apache.kafka.common.config.ConfigException: \
         Unknown configuration 'predicates.undefined.type'"
    );
    assert_eq!(states(h, "src").await.0, "RUNNING");
}

/// A sink's active topics are the topics it consumes, recorded before the transforms (which may
/// route records elsewhere), as Kafka's `recordActiveTopic(origRecord.topic())`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_records_the_consumed_topic_not_the_routed_one() {
    let f = fixture(&["orders"]);
    let h = &f.herder;
    let output = f.dir.path().join("out.txt");
    let mut config = sink("snk", &output, "orders");
    set_all(
        &mut config,
        &[
            ("transforms", "route"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "orders"),
            ("transforms.route.replacement", "routed"),
        ],
    );
    h.create_connector("snk", config, None).await.unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    let producer = producer_for(&f.cluster);
    producer
        .send(
            BaseRecord::<(), str>::to("orders")
                .payload(r#"{"schema":{"type":"string","optional":false},"payload":"one"}"#),
        )
        .unwrap();
    producer.flush(Duration::from_secs(10)).unwrap();
    wait_lines(&output, &["one"]).await;
    assert_eq!(
        h.connector_topics("snk").await.unwrap(),
        vec!["orders".to_string()]
    );
}

/// After `PUT /connectors/{c}/topics/reset`, a running task records its topics again as records
/// flow, as Kafka's tasks do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_recorded_again_after_a_reset() {
    let f = fixture(&["t"]);
    let input = f.dir.path().join("in.txt");
    std::fs::write(&input, "a\n").unwrap();
    let h = &f.herder;
    h.create_connector("src", source("src", &input, "t"), None)
        .await
        .unwrap();
    let topics = async || h.connector_topics("src").await.unwrap();
    wait_for("topic t recorded", Duration::from_secs(30), async || {
        (topics().await == ["t"]).then_some(())
    })
    .await;
    h.reset_connector_topics("src").await.unwrap();
    assert!(topics().await.is_empty());
    append(&input, b"b\n");
    wait_for(
        "topic t recorded again",
        Duration::from_secs(30),
        async || (topics().await == ["t"]).then_some(()),
    )
    .await;
}

/// An error Kafka's consumer throws from `poll` (here: no permission to read the topic) fails
/// the sink task, where Ferry used to log it and stay RUNNING with nothing to put.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_the_sink_may_not_read_fails_its_task() {
    let f = fixture(&["secret"]);
    f.cluster
        .topic_error(
            "secret",
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        )
        .unwrap();
    let h = &f.herder;
    h.create_connector(
        "snk",
        sink("snk", &f.dir.path().join("out.txt"), "secret"),
        None,
    )
    .await
    .unwrap();
    let trace = failed_task_trace(h, "snk").await;
    assert!(
        trace.starts_with(
            "org.apache.kafka.connect.errors.ConnectException: The sink task's Kafka consumer \
             failed\nCaused by: org.apache.kafka.common.errors.TopicAuthorizationException: "
        ),
        "{trace}"
    );
}

/// `topics.regex` is a Java pattern matched against the cluster's topics, and topics created
/// later join the subscription at the next metadata refresh, as with Kafka's consumer. (librdkafka's
/// own pattern subscriptions are POSIX: there `\d` is a plain `d`, and this sink read `orders-d`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topics_regex_is_a_java_pattern_and_picks_up_new_topics() {
    let f = fixture(&["orders-1", "orders-d", "orders-1-dlq"]);
    let h = &f.herder;
    let producer = producer_for(&f.cluster);
    let send = |topic: &str, text: &str| {
        let payload =
            format!(r#"{{"schema":{{"type":"string","optional":false}},"payload":"{text}"}}"#);
        producer
            .send(BaseRecord::<(), str>::to(topic).payload(&payload))
            .unwrap();
        producer.flush(Duration::from_secs(10)).unwrap();
    };
    send("orders-d", "not a number");
    send("orders-1-dlq", "a look-ahead excludes this");
    send("orders-1", "one");
    let output = f.dir.path().join("out.txt");
    let mut config = sink("snk", &output, "");
    config.remove("topics");
    set_all(
        &mut config,
        &[
            ("topics.regex", r"(?!.*-dlq$)orders-\d+.*"),
            ("consumer.override.metadata.max.age.ms", "300"),
            // The mock cluster holds a rebalance for the session timeout (librdkafka's default:
            // 45 s) waiting for members to rejoin; a real broker ends it as the only member does.
            ("consumer.override.session.timeout.ms", "6000"),
        ],
    );
    h.create_connector("snk", config, None).await.unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    wait_lines(&output, &["one"]).await;

    f.cluster.create_topic("orders-2", 1, 1).unwrap();
    send("orders-2", "two");
    wait_for(
        "the new topic's record",
        Duration::from_secs(30),
        async || {
            let mut lines = file_lines(&output);
            lines.sort();
            (lines == ["one", "two"]).then_some(())
        },
    )
    .await;
    let mut topics = h.connector_topics("snk").await.unwrap();
    topics.sort();
    assert_eq!(topics, ["orders-1", "orders-2"]);
}

/// Under `errors.tolerance=all` a source record its transforms fail on is skipped, and its offset
/// is committed with the rest: the committed position covers the whole file even though its last
/// line was skipped, so a restart does not read (and skip) those lines again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_commits_past_the_records_it_skips() {
    // "x" and the last line "y" are not integers: Cast fails on them.
    const INPUT: &str = "1\nx\n2\ny\n";
    let f = fixture(&["numbers"]);
    let h = &f.herder;
    let input = f.dir.path().join("numbers.txt");
    std::fs::write(&input, INPUT).unwrap();
    let output = f.dir.path().join("out.txt");
    let mut config = source("src", &input, "numbers");
    set_all(
        &mut config,
        &[
            ("transforms", "toInt"),
            (
                "transforms.toInt.type",
                "org.apache.kafka.connect.transforms.Cast$Value",
            ),
            ("transforms.toInt.spec", "int32"),
            ("errors.tolerance", "all"),
        ],
    );
    h.create_connector("src", config, None).await.unwrap();
    h.create_connector("snk", sink("snk", &output, "numbers"), None)
        .await
        .unwrap();
    wait_lines(&output, &["1", "2"]).await;
    let whole_file = json!({ "position": INPUT.len() });
    wait_for(
        "the whole file's position committed",
        Duration::from_secs(30),
        async || {
            let o = h.connector_offsets("src").await.ok()?;
            let committed = o.offsets.first()?.offset.clone()?;
            (serde_json::Value::Object(committed) == whole_file).then_some(())
        },
    )
    .await;
    // A record's delivery makes its offset committable just before the written count goes up, so
    // the counts are waited for too.
    let counted = |skipped: u32, written: u32| {
        let metrics = h.metrics_text();
        metrics.contains(&format!(
            "ferry_task_records_skipped_total{{connector=\"src\",task=\"0\"}} {skipped}\n"
        )) && metrics.contains(&format!(
            "ferry_source_records_written_total{{connector=\"src\",task=\"0\"}} {written}\n"
        ))
    };
    wait_for(
        "2 skipped and 2 written",
        Duration::from_secs(30),
        async || counted(2, 2).then_some(()),
    )
    .await;

    // A restart of the task starts after the skipped tail: only the new line is read. (The task's
    // counters survive a stop and resume, so skipping again would show here.)
    h.stop_connector("src").await.unwrap();
    h.resume_connector("src").await.unwrap();
    wait_states(h, "src", "RUNNING", "RUNNING").await;
    append(&input, b"3\n");
    wait_lines(&output, &["1", "2", "3"]).await;
    wait_for(
        "3 written and still 2 skipped",
        Duration::from_secs(30),
        async || counted(2, 3).then_some(()),
    )
    .await;
}

/// librdkafka keeps a partition's pause through its revocation, where Kafka's consumer forgets it:
/// a partition the paused sink loses to another member of its group, and gets back after the
/// resume, must be read again, not left paused for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_taken_away_while_paused_is_read_when_it_comes_back() {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let f = fixture(&[]);
    f.cluster.create_topic("two", 2, 1).expect("topic");
    let output = f.dir.path().join("out.txt");
    let h = &f.herder;
    // The mock broker waits (almost) a session for every member to rejoin a rebalance.
    let mut config = sink("snk", &output, "two");
    set_all(
        &mut config,
        &[
            ("consumer.override.session.timeout.ms", "6000"),
            ("consumer.override.heartbeat.interval.ms", "500"),
        ],
    );
    h.create_connector("snk", config, None).await.unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    let producer = producer_for(&f.cluster);
    let send_to_both = |word: &str| {
        for partition in 0..2 {
            let payload = format!(
                r#"{{"schema":{{"type":"string","optional":false}},"payload":"{word}-{partition}"}}"#
            );
            producer
                .send(
                    BaseRecord::<(), str>::to("two")
                        .partition(partition)
                        .payload(&payload),
                )
                .unwrap();
        }
        producer.flush(Duration::from_secs(10)).unwrap();
    };
    // Each record once, in order: a record put just before a rebalance may be put again after it
    // (at least once), when the commit the rebalance interrupts does not land.
    let sorted_lines = || {
        let mut lines = file_lines(&output);
        lines.sort();
        lines.dedup();
        lines
    };
    send_to_both("before");
    wait_for(
        "both partitions read",
        Duration::from_secs(30),
        async || (sorted_lines() == ["before-0", "before-1"]).then_some(()),
    )
    .await;

    h.pause_connector("snk").await.unwrap();
    wait_states(h, "snk", "PAUSED", "PAUSED").await;
    // Another member of the sink's group takes one of the two partitions from the paused task.
    let other: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", f.cluster.bootstrap_servers())
        .set("group.id", "connect-snk")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "500")
        .create()
        .expect("consumer");
    other.subscribe(&["two"]).expect("subscribe");
    wait_for(
        "the other member's partition",
        Duration::from_secs(30),
        async || {
            let _ = other.poll(Duration::from_millis(50));
            (other.assignment().ok()?.count() == 1).then_some(())
        },
    )
    .await;
    h.resume_connector("snk").await.unwrap();
    wait_states(h, "snk", "RUNNING", "RUNNING").await;
    // It leaves: the task has both partitions again, and reads both.
    drop(other);
    send_to_both("after");
    wait_for(
        "both partitions read after the resume",
        Duration::from_secs(30),
        async || (sorted_lines() == ["after-0", "after-1", "before-0", "before-1"]).then_some(()),
    )
    .await;
}
