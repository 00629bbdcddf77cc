//! Kafka Connect's FileStream tutorial, with Ferry in place of `connect-standalone.sh`, against a real
//! Kafka-protocol broker (tansu): the same records in Kafka, byte for byte, and the same sink file.

mod common;

use std::time::Duration;

use common::{envelope, stock_connector, stock_worker_config};
use ferry_e2e::kafka::read_topic;
use ferry_e2e::worker::lines;
use ferry_e2e::{free_port, wait_until, Tansu, Worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tutorial_gives_kafkas_records_and_sink_file() {
    let broker = Tansu::start();
    broker.create_topic("connect-test", 1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("test.txt"), "foo\nbar\n").unwrap();
    let port = free_port();
    stock_worker_config(d, &broker.bootstrap(), port, 500);
    stock_connector(d, "connect-file-source.properties");
    stock_connector(d, "connect-file-sink.properties");

    let mut worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "config/connect-standalone.properties",
            "config/connect-file-source.properties",
            "config/connect-file-sink.properties",
        ],
    );
    worker
        .wait_running("local-file-source", Duration::from_secs(30))
        .await;
    worker
        .wait_running("local-file-sink", Duration::from_secs(30))
        .await;

    let sink = d.join("test.sink.txt");
    wait_until(
        "foo and bar in the sink file",
        Duration::from_secs(60),
        || (lines(&sink) == ["foo", "bar"]).then_some(()),
    )
    .await;

    // `echo "Another line" >> test.txt`
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("test.txt"))
        .unwrap();
    writeln!(f, "Another line").unwrap();
    drop(f);
    wait_until(
        "the appended line in the sink file",
        Duration::from_secs(30),
        || (lines(&sink) == ["foo", "bar", "Another line"]).then_some(()),
    )
    .await;

    let records = read_topic(
        &broker.bootstrap(),
        "connect-test",
        3,
        Duration::from_secs(30),
    );
    let values: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8(r.value.clone().unwrap_or_default()).unwrap())
        .collect();
    assert_eq!(
        values,
        vec![envelope("foo"), envelope("bar"), envelope("Another line")]
    );
    assert!(
        records.iter().all(|r| r.key.is_none()),
        "keys are null: {records:?}"
    );
    assert_eq!(
        values[0],
        r#"{"schema":{"type":"string","optional":false},"payload":"foo"}"#
    );

    // SIGTERM: stop, flush, commit, exit 0.
    let status = worker.terminate(Duration::from_secs(20));
    assert!(
        status.success(),
        "exit status {status}; log:\n{}",
        worker.log_text()
    );
    let offsets = std::fs::read_to_string(d.join("connect.offsets")).unwrap();
    assert!(
        offsets.contains(r#"["local-file-source",{"filename":"test.txt"}]"#)
            && offsets.contains(r#"{"position":21}"#),
        "offsets file: {offsets}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exercise_sink_writes_payloads_of_produced_envelopes() {
    let broker = Tansu::start();
    broker.create_topic("connect-test-ex", 1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    stock_worker_config(d, &broker.bootstrap(), port, 500);
    ferry_e2e::worker::write(
        &d.join("config/connect-file-sink.properties"),
        "name=local-file-sink-ex\nconnector.class=FileStreamSink\ntasks.max=1\nfile=test-out.sink.txt\ntopics=connect-test-ex\n",
    );
    let worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "config/connect-standalone.properties",
            "config/connect-file-sink.properties",
        ],
    );
    worker
        .wait_running("local-file-sink-ex", Duration::from_secs(30))
        .await;

    // What `kafka-console-producer.sh` sends when the user types an envelope.
    let inputs = ["Another line input - 1", "second", "한국어 입력"];
    let values: Vec<Vec<u8>> = inputs.iter().map(|s| envelope(s).into_bytes()).collect();
    ferry_e2e::kafka::produce(&broker.bootstrap(), "connect-test-ex", &values);

    let out = d.join("test-out.sink.txt");
    wait_until(
        "the payloads in test-out.sink.txt",
        Duration::from_secs(60),
        || (lines(&out) == inputs).then_some(()),
    )
    .await;
}
