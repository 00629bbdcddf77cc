//! Transforms and error handling end to end against tansu: the Kafka docs' HoistField + InsertField
//! chain gives the exact records Kafka Connect gives, and a topic with poisoned records delivers every
//! good record to the sink file and every bad one, with Kafka's context headers, to a dead-letter topic.

mod common;

use std::time::Duration;

use common::{envelope, stock_worker_config};
use ferry_e2e::kafka::{produce, read_topic, read_with_headers};
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

/// A standalone worker running FileStreamSink `<topic>-sink` from the new one-partition topic
/// `<topic>` into `<topic>.txt`, with the dead-letter topic `<topic>-dlq` and its context headers,
/// plus the `extra` connector settings; returns once the connector runs.
async fn start_sink_with_dead_letters(
    broker: &Tansu,
    topic: &str,
    extra: &str,
) -> (tempfile::TempDir, Worker) {
    broker.create_topic(topic, 1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    stock_worker_config(d, &broker.bootstrap(), port, 500);
    write(
        &d.join("config/sink.properties"),
        &format!(
            "name={topic}-sink\nconnector.class=FileStreamSink\nfile={topic}.txt\ntopics={topic}\n\
             errors.deadletterqueue.topic.name={topic}-dlq\n\
             errors.deadletterqueue.topic.replication.factor=1\n\
             errors.deadletterqueue.context.headers.enable=true\n{extra}"
        ),
    );
    let worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "config/connect-standalone.properties",
            "config/sink.properties",
        ],
    );
    worker
        .wait_running(&format!("{topic}-sink"), Duration::from_secs(30))
        .await;
    (dir, worker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poisoned_records_go_to_the_dead_letter_topic_and_good_ones_flow() {
    let broker = Tansu::start();
    let (dir, worker) = start_sink_with_dead_letters(
        &broker,
        "orders",
        "errors.tolerance=all\nerrors.log.enable=true\n",
    )
    .await;
    let d = dir.path();

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

    let out = d.join("orders.txt");
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
    let (_dir, worker) = start_sink_with_dead_letters(
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
