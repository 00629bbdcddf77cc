//! The command line as a user meets it: the embedded Kafka for a first try, and clear errors with the
//! file and key named for bad input. No external broker is needed here.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{stock_connector, stock_worker_config};
use ferry_e2e::worker::{lines, worker_binary, write};
use ferry_e2e::{free_port, wait_until, Worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_kafka_runs_the_tutorial_and_shows_records() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("test.txt"), "foo\nbar\n").unwrap();
    let port = free_port();
    // bootstrap.servers is replaced by --embedded-kafka.
    stock_worker_config(d, "localhost:9092", port, 10_000);
    stock_connector(d, "connect-file-source.properties");
    stock_connector(d, "connect-file-sink.properties");
    let mut worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "--embedded-kafka",
            "config/connect-standalone.properties",
            "config/connect-file-source.properties",
            "config/connect-file-sink.properties",
        ],
    );
    worker
        .wait_running("local-file-sink", Duration::from_secs(30))
        .await;
    let sink = d.join("test.sink.txt");
    wait_until(
        "the tutorial lines in the sink file",
        Duration::from_secs(60),
        || (lines(&sink) == ["foo", "bar"]).then_some(()),
    )
    .await;
    // The records are shown flowing, as kafka-console-consumer would print them.
    wait_until("the records printed", Duration::from_secs(30), || {
        let log = worker.log_text();
        (log.contains(
            r#"[connect-test] {"schema":{"type":"string","optional":false},"payload":"foo"}"#,
        ) && log.contains("NOT durable"))
        .then_some(())
    })
    .await;
    let status = worker.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}\n{}", worker.log_text());
    assert!(
        !worker.log_text().contains("from an earlier run"),
        "a first run has no earlier offsets to warn of"
    );

    // A second try starts an empty broker, but the offsets file remembers what the source read:
    // the worker says so, and how to start over, instead of running silently with nothing to show.
    let mut again = Worker::start(
        d,
        "worker-again",
        port,
        &[
            "--embedded-kafka",
            "config/connect-standalone.properties",
            "config/connect-file-source.properties",
            "config/connect-file-sink.properties",
        ],
    );
    let offsets_file = d.join("connect.offsets");
    let warning = format!(
        "EMBEDDED KAFKA starts empty, but {} holds offsets of local-file-source from an earlier run",
        offsets_file.display()
    );
    wait_until(
        "the earlier-offsets warning",
        Duration::from_secs(30),
        || again.log_text().contains(&warning).then_some(()),
    )
    .await;
    let log = again.log_text();
    assert!(
        log.contains(&format!(
            "Delete {} to read the input from the start",
            offsets_file.display()
        )),
        "{log}"
    );
    assert!(
        !log.contains("offsets of local-file-sink"),
        "a sink's offsets live in the (new) broker, not the file: {log}"
    );
    let status = again.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}\n{}", again.log_text());
}

fn run_standalone(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(worker_binary())
        .arg("standalone")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ferry-worker");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_required_worker_key_names_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("w.properties"),
        "bootstrap.servers=localhost:1\noffset.storage.file.filename=o\n",
    );
    let (code, stderr) = run_standalone(dir.path(), &["w.properties"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("w.properties"), "{stderr}");
    assert!(
        stderr.contains(
            r#"Missing required configuration "key.converter" which has no default value."#
        ),
        "{stderr}"
    );
}

#[test]
fn unknown_connector_class_fails_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    stock_worker_config(dir.path(), "localhost:9092", port, 10_000);
    write(
        &dir.path().join("c.properties"),
        "name=bad\nconnector.class=NoSuchConnector\n",
    );
    let (code, stderr) = run_standalone(
        dir.path(),
        &["config/connect-standalone.properties", "c.properties"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("c.properties"), "{stderr}");
    assert!(stderr.contains("Failed to find any class that implements Connector and which name matches NoSuchConnector"), "{stderr}");
}

#[test]
fn invalid_connector_config_lists_kafkas_errors() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    stock_worker_config(dir.path(), "localhost:9092", port, 10_000);
    // The tutorial exercise's tempting mistake: `topic=` on a sink, which needs `topics=`.
    write(&dir.path().join("c.properties"), "name=local-file-sink-ex\nconnector.class=FileStreamSink\nfile=out.txt\ntopic=connect-test-ex\n");
    let (code, stderr) = run_standalone(
        dir.path(),
        &["config/connect-standalone.properties", "c.properties"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr
            .contains("Connector configuration is invalid and contains the following 2 error(s):"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Must configure one of topics or topics.regex"),
        "{stderr}"
    );
}

#[test]
fn connector_file_without_name_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    stock_worker_config(dir.path(), "localhost:9092", free_port(), 10_000);
    write(
        &dir.path().join("c.properties"),
        "connector.class=FileStreamSink\n",
    );
    let (code, stderr) = run_standalone(
        dir.path(),
        &["config/connect-standalone.properties", "c.properties"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("is missing the mandatory 'name' configuration"),
        "{stderr}"
    );
}

/// The REST API of the real binary, as a user drives it with curl: create, inspect, pause, resume,
/// stop, offsets, delete, with Kafka's status codes and bodies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_round_trip_on_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.txt"), "a\nb\n").unwrap();
    let port = free_port();
    stock_worker_config(d, "localhost:9092", port, 100);
    write(
        &d.join("seed.properties"),
        "name=seed\nconnector.class=FileStreamSink\ntopics=rest-test\nfile=seed.txt\n",
    );
    let worker = Worker::start(
        d,
        "worker",
        port,
        &[
            "--embedded-kafka",
            "config/connect-standalone.properties",
            "seed.properties",
        ],
    );
    worker.wait_running("seed", Duration::from_secs(30)).await;
    let http = reqwest::Client::new();

    let created = http
        .post(worker.url("/connectors"))
        .json(&serde_json::json!({
            "name": "src",
            "config": {"connector.class": "FileStreamSource", "file": d.join("in.txt"), "topic": "rest-test"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/connectors/src");
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["type"], "source");
    assert_eq!(body["config"]["name"], "src");
    worker.wait_running("src", Duration::from_secs(30)).await;

    let conflict = http.post(worker.url("/connectors")).json(&serde_json::json!({"name": "src", "config": {"connector.class": "FileStreamSource", "topic": "x"}})).send().await.unwrap();
    assert_eq!(conflict.status(), 409);
    assert_eq!(
        conflict.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"error_code": 409, "message": "Connector src already exists"})
    );

    assert_eq!(
        http.put(worker.url("/connectors/src/pause"))
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if worker
            .states("src")
            .await
            .is_some_and(|(c, t)| c == "PAUSED" && t == ["PAUSED"])
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "src did not pause");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        http.put(worker.url("/connectors/src/resume"))
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    worker.wait_running("src", Duration::from_secs(10)).await;

    // Offsets need STOPPED.
    let early = http
        .delete(worker.url("/connectors/src/offsets"))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 400);
    assert_eq!(
        http.put(worker.url("/connectors/src/stop"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let status: serde_json::Value = worker.get_json("/connectors/src/status").await.unwrap();
    assert_eq!(status["connector"]["state"], "STOPPED");
    assert_eq!(status["tasks"], serde_json::json!([]));
    let offsets: serde_json::Value = worker.get_json("/connectors/src/offsets").await.unwrap();
    assert_eq!(
        offsets["offsets"][0]["offset"],
        serde_json::json!({"position": 4})
    );
    let reset = http
        .delete(worker.url("/connectors/src/offsets"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(
        reset.json::<serde_json::Value>().await.unwrap()["message"],
        "The offsets for this connector have been reset successfully"
    );

    assert_eq!(
        http.delete(worker.url("/connectors/src"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let gone = http
        .get(worker.url("/connectors/src"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.json::<serde_json::Value>().await.unwrap()["message"],
        "Connector src not found"
    );
    let plugins: serde_json::Value = worker.get_json("/connector-plugins").await.unwrap();
    assert_eq!(
        plugins[0]["class"],
        "org.apache.kafka.connect.file.FileStreamSinkConnector"
    );
    let health: serde_json::Value = worker.get_json("/health").await.unwrap();
    assert_eq!(health["status"], "healthy");
}
