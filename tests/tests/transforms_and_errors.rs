//! Transforms and error handling end to end against tansu: the Kafka docs' HoistField + InsertField
//! chain gives the exact records Kafka Connect gives, and a topic with poisoned records delivers every
//! good record to the sink file and every bad one, with Kafka's context headers, to a dead-letter topic.
//! Skipped records' offsets are committed (a restart does not replay them), and a kill -9 mid-stream
//! loses neither a good record nor a dead-lettered one.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{
    envelope, outlast_session_timeout, quick_rejoin, stock_worker_config, stock_worker_config_with,
    wait_for_every_line,
};
use ferry_e2e::kafka::{end_offset, produce, read_topic, read_until, read_with_headers};
use ferry_e2e::worker::{lines, write};
use ferry_e2e::{free_port, wait_until, wait_until_async, Tansu, Worker};

const CHAIN: &str = "transforms=MakeMap,InsertSource\n\
    transforms.MakeMap.type=org.apache.kafka.connect.transforms.HoistField$Value\n\
    transforms.MakeMap.field=line\n\
    transforms.InsertSource.type=org.apache.kafka.connect.transforms.InsertField$Value\n\
    transforms.InsertSource.static.field=data_source\n\
    transforms.InsertSource.static.value=test-file-source\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hoist_and_insert_chain_gives_kafkas_records() {
    let broker = Tansu::start();
    broker.create_topic("connect-test", 1);
    broker.create_topic("connect-test-plain", 1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("test.txt"), "foo\nbar\n").unwrap();
    let port = free_port();
    stock_worker_config(d, &broker.bootstrap(), port, 500);
    // With the stock worker converters (schemas on), and the topic inserted too.
    write(
        &d.join("config/source.properties"),
        &format!(
            "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=connect-test\n{CHAIN}transforms.InsertSource.topic.field=topic\n"
        ),
    );
    // The Kafka docs' example: schemas off for this connector's values.
    write(
        &d.join("config/source-plain.properties"),
        &format!(
            "name=plain-source\nconnector.class=FileStreamSource\nfile=test.txt\ntopic=connect-test-plain\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter.schemas.enable=false\n{CHAIN}"
        ),
    );
    let worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "config/connect-standalone.properties",
            "config/source.properties",
            "config/source-plain.properties",
        ],
    );
    worker
        .wait_running("local-file-source", Duration::from_secs(30))
        .await;
    worker
        .wait_running("plain-source", Duration::from_secs(30))
        .await;

    let text = |r: &ferry_e2e::kafka::Record| {
        String::from_utf8(r.value.clone().unwrap_or_default()).unwrap()
    };
    let records = read_topic(
        &broker.bootstrap(),
        "connect-test",
        2,
        Duration::from_secs(30),
    );
    assert_eq!(
        records.iter().map(text).collect::<Vec<_>>(),
        ["foo", "bar"].map(|l| format!(
            r#"{{"schema":{{"type":"struct","fields":[{{"type":"string","optional":false,"field":"line"}},{{"type":"string","optional":true,"field":"topic"}},{{"type":"string","optional":true,"field":"data_source"}}],"optional":false}},"payload":{{"line":"{l}","topic":"connect-test","data_source":"test-file-source"}}}}"#
        ))
    );
    let plain = read_topic(
        &broker.bootstrap(),
        "connect-test-plain",
        2,
        Duration::from_secs(30),
    );
    assert_eq!(
        plain.iter().map(text).collect::<Vec<_>>(),
        vec![
            r#"{"line":"foo","data_source":"test-file-source"}"#.to_string(),
            r#"{"line":"bar","data_source":"test-file-source"}"#.to_string()
        ]
    );
}

/// A standalone worker's directory for FileStreamSink `<topic>-sink`, from the new one-partition
/// topic `<topic>` into `<topic>.txt`, with the dead-letter topic `<topic>-dlq` and its context
/// headers, plus the `extra` connector settings and `worker_extra` worker settings. Workers started
/// from it one after another (a restart) share its files, REST port and consumer group.
struct DeadLetterSink {
    dir: tempfile::TempDir,
    port: u16,
    topic: String,
}

impl DeadLetterSink {
    fn new(broker: &Tansu, topic: &str, extra: &str, worker_extra: &str) -> DeadLetterSink {
        broker.create_topic(topic, 1);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let port = free_port();
        stock_worker_config_with(d, &broker.bootstrap(), port, 500, worker_extra);
        write(
            &d.join("config/sink.properties"),
            &format!(
                "name={topic}-sink\nconnector.class=FileStreamSink\nfile={topic}.txt\ntopics={topic}\n\
                 errors.deadletterqueue.topic.name={topic}-dlq\n\
                 errors.deadletterqueue.topic.replication.factor=1\n\
                 errors.deadletterqueue.context.headers.enable=true\n{extra}"
            ),
        );
        DeadLetterSink {
            dir,
            port,
            topic: topic.to_string(),
        }
    }

    /// Starts a worker (`name` labels its log) and returns once the connector runs.
    async fn start(&self, name: &str) -> Worker {
        let worker = Worker::start(
            self.dir.path(),
            name,
            self.port,
            &[
                "config/connect-standalone.properties",
                "config/sink.properties",
            ],
        );
        worker
            .wait_running(&format!("{}-sink", self.topic), Duration::from_secs(30))
            .await;
        worker
    }

    fn output(&self) -> std::path::PathBuf {
        self.dir.path().join(format!("{}.txt", self.topic))
    }
}

/// [`DeadLetterSink`] with a worker already running it.
async fn start_sink_with_dead_letters(
    broker: &Tansu,
    topic: &str,
    extra: &str,
) -> (DeadLetterSink, Worker) {
    let sink = DeadLetterSink::new(broker, topic, extra, "");
    let worker = sink.start("worker").await;
    (sink, worker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poisoned_records_go_to_the_dead_letter_topic_and_good_ones_flow() {
    let broker = Tansu::start();
    let (sink, worker) = start_sink_with_dead_letters(
        &broker,
        "orders",
        "errors.tolerance=all\nerrors.log.enable=true\n",
    )
    .await;

    let bad_json = "{\"schema\":".to_string();
    let wrong_envelope = r#"{"payload":"no schema"}"#.to_string();
    let values = [
        envelope("first"),
        bad_json.clone(),
        envelope("second"),
        wrong_envelope.clone(),
        envelope("third"),
    ];
    produce(
        &broker.bootstrap(),
        "orders",
        &values
            .iter()
            .map(|v| v.clone().into_bytes())
            .collect::<Vec<_>>(),
    );

    let out = sink.output();
    wait_until(
        "the good records in the sink file",
        Duration::from_secs(60),
        || (lines(&out) == ["first", "second", "third"]).then_some(()),
    )
    .await;
    let dead = read_with_headers(
        &broker.bootstrap(),
        "orders-dlq",
        2,
        Duration::from_secs(30),
    );
    assert_eq!(dead[0].value.as_deref(), Some(bad_json.as_bytes()));
    assert_eq!(dead[1].value.as_deref(), Some(wrong_envelope.as_bytes()));
    assert_eq!(dead[0].header("__connect.errors.topic"), Some("orders"));
    assert_eq!(dead[0].header("__connect.errors.offset"), Some("1"));
    assert_eq!(dead[1].header("__connect.errors.offset"), Some("3"));
    assert_eq!(
        dead[0].header("__connect.errors.stage"),
        Some("VALUE_CONVERTER")
    );
    assert_eq!(
        dead[0].header("__connect.errors.connector.name"),
        Some("orders-sink")
    );
    assert_eq!(
        dead[0].header("__connect.errors.exception.class.name"),
        Some("org.apache.kafka.connect.errors.DataException")
    );
    let (_, tasks) = worker.states("orders-sink").await.unwrap();
    assert_eq!(tasks, vec!["RUNNING".to_string()]);
    let metrics = reqwest::get(worker.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"ferry_task_dead_letter_records_total{connector="orders-sink",task="0"} 2"#
        ),
        "{metrics}"
    );
}

/// With `errors.tolerance=none`, the record that fails the task is reported first, as Kafka's
/// `finally { report }` does: it is in the dead-letter topic, whose exception headers name what the
/// transform threw (not Ferry's wrapper); and the error log names the consumed record without its
/// content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_that_fails_a_task_is_dead_lettered_with_the_transforms_own_error() {
    let broker = Tansu::start();
    let (_sink, worker) = start_sink_with_dead_letters(
        &broker,
        "payments",
        "transforms=pick\ntransforms.pick.type=org.apache.kafka.connect.transforms.ExtractField$Value\n\
         transforms.pick.field=amount\n\
         errors.log.enable=true\nerrors.log.include.messages=true\n",
    )
    .await;

    // A string, where ExtractField needs a struct: Kafka's DataException from requireStruct.
    let secret = envelope("card 4111-1111-1111-1111");
    produce(
        &broker.bootstrap(),
        "payments",
        &[secret.clone().into_bytes()],
    );
    wait_until_async("the task FAILED", Duration::from_secs(60), || async {
        let (_, tasks) = worker.states("payments-sink").await?;
        (tasks == ["FAILED"]).then_some(())
    })
    .await;
    let dead = read_with_headers(
        &broker.bootstrap(),
        "payments-dlq",
        1,
        Duration::from_secs(30),
    );
    assert_eq!(dead[0].value.as_deref(), Some(secret.as_bytes()));
    assert_eq!(
        dead[0].header("__connect.errors.stage"),
        Some("TRANSFORMATION")
    );
    assert_eq!(
        dead[0].header("__connect.errors.class.name"),
        Some("org.apache.kafka.connect.transforms.ExtractField$Value")
    );
    assert_eq!(
        dead[0].header("__connect.errors.exception.class.name"),
        Some("org.apache.kafka.connect.errors.DataException")
    );
    assert_eq!(
        dead[0].header("__connect.errors.exception.message"),
        Some("Only Struct objects supported for [field extraction], found: java.lang.String")
    );

    let status = worker
        .get_json("/connectors/payments-sink/status")
        .await
        .expect("status");
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.starts_with(
            "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler"
        ),
        "{trace}"
    );
    assert!(
        trace.contains("topic='payments', partition=0, offset=0"),
        "{trace}"
    );
    let log = worker.log_text();
    assert!(
        log.contains(
            "Error encountered in task payments-sink-0. Executing stage 'TRANSFORMATION' with class \
             'org.apache.kafka.connect.transforms.ExtractField$Value', where consumed record is \
             {topic='payments', partition=0, offset=0, timestamp="
        ),
        "{log}"
    );
    assert!(
        !log.contains("4111") && !trace.contains("4111"),
        "the record's content must not be logged or traced: {log}\n{trace}"
    );
}

/// Skipped records are consumed like any other: their offsets are committed, so a restarted sink
/// neither writes the good records again nor dead-letters the bad ones again, even when the
/// partition ends with a bad record (Kafka commits past it too, or it would be retried forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipped_records_are_committed_and_not_dead_lettered_again_after_a_restart() {
    let broker = Tansu::start();
    let sink = DeadLetterSink::new(&broker, "ledger", "errors.tolerance=all\n", "");
    let mut first = sink.start("first").await;
    let values = [
        envelope("a"),
        "not json".to_string(),
        envelope("b"),
        r#"{"payload":"no schema"}"#.to_string(),
    ];
    produce(
        &broker.bootstrap(),
        "ledger",
        &values.map(String::into_bytes),
    );
    let out = sink.output();
    wait_until(
        "the good records in the sink file",
        Duration::from_secs(60),
        || (lines(&out) == ["a", "b"]).then_some(()),
    )
    .await;
    read_with_headers(
        &broker.bootstrap(),
        "ledger-dlq",
        2,
        Duration::from_secs(30),
    );
    // SIGTERM: the task flushes and commits what it consumed, the skipped tail included.
    let status = first.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}\n{}", first.log_text());

    let mut second = sink.start("second").await;
    produce(&broker.bootstrap(), "ledger", &[envelope("c").into_bytes()]);
    wait_until(
        "the record produced after the restart",
        Duration::from_secs(60),
        || (lines(&out).last().map(String::as_str) == Some("c")).then_some(()),
    )
    .await;
    // Stopped before counting, so every dead-letter write it made has been acknowledged.
    let status = second.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}\n{}", second.log_text());
    assert_eq!(
        lines(&out),
        ["a", "b", "c"],
        "the restarted sink wrote committed records again"
    );
    assert_eq!(
        end_offset(&broker.bootstrap(), "ledger-dlq"),
        2,
        "the restarted sink dead-lettered committed records again"
    );
}

/// Records in the kill -9 test below; every seventh is poisoned. The first half is produced while
/// the first worker runs, the second after it was killed.
const MIXED: usize = 6_000;

fn poisoned(i: usize) -> bool {
    i % 7 == 3
}

/// Record `i` of the mixed topic: a good envelope, or text that is not JSON.
fn mixed_record(i: usize) -> Vec<u8> {
    if poisoned(i) {
        format!("poisoned-{i:06}").into_bytes()
    } else {
        envelope(&format!("good-{i:06}")).into_bytes()
    }
}

/// Produces records `range` of the mixed topic in batches of 200, each acknowledged before the next.
fn produce_mixed(bootstrap: &str, range: std::ops::Range<usize>) {
    for first in range.clone().step_by(200) {
        let values: Vec<Vec<u8>> = (first..range.end.min(first + 200))
            .map(mixed_record)
            .collect();
        produce(bootstrap, "audit", &values);
    }
}

/// kill -9 of a sink that tolerates errors partway through a topic, then a restart: every good
/// record reaches the file and every poisoned one the dead-letter topic (duplicates allowed, no
/// losses).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tolerant_sink_killed_mid_stream_loses_neither_good_nor_dead_lettered_records() {
    let broker = Tansu::start();
    let sink = DeadLetterSink::new(&broker, "audit", "errors.tolerance=all\n", &quick_rejoin());
    let mut first = sink.start("first").await;
    // The first half goes in while the sink runs, and it is killed once part of it is written.
    let bootstrap = broker.bootstrap();
    let producer = std::thread::spawn(move || produce_mixed(&bootstrap, 0..MIXED / 2));
    let good: HashSet<String> = (0..MIXED)
        .filter(|&i| !poisoned(i))
        .map(|i| format!("good-{i:06}"))
        .collect();
    let out = sink.output();
    wait_until(
        "part of the good records in the sink file",
        Duration::from_secs(120),
        || (lines(&out).len() >= good.len() / 10).then_some(()),
    )
    .await;
    first.kill9();
    // A `put` killed halfway through its write can leave a torn last line, which the next write
    // then continues: the one line that spans this length is not checked below.
    let length_at_kill = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as usize;
    producer.join().expect("the first half produced");
    // The second half goes in with no worker running, so the restarted one must take over
    // wherever the killed one's commits stopped.
    produce_mixed(&broker.bootstrap(), MIXED / 2..MIXED);
    outlast_session_timeout().await;

    let _second = sink.start("second").await;
    wait_for_every_line(&out, &good, Duration::from_secs(120)).await;
    let text = std::fs::read_to_string(&out).unwrap();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let spans_the_kill = start < length_at_kill && end > length_at_kill;
        assert!(
            spans_the_kill || good.contains(line.trim_end_matches('\n')),
            "the sink file holds a line that is not a good record: {line:?}"
        );
        start = end;
    }
    let mut missing: HashSet<Vec<u8>> = (0..MIXED)
        .filter(|&i| poisoned(i))
        .map(mixed_record)
        .collect();
    read_until(
        &broker.bootstrap(),
        "audit-dlq",
        Duration::from_secs(120),
        |r| {
            if let Some(value) = &r.value {
                missing.remove(value);
            }
            missing.is_empty()
        },
    );
}
