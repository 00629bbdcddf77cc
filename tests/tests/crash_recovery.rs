//! kill -9 of the worker in the middle of a 100,000-line file, then a restart: every line reaches Kafka
//! and the sink file (duplicates are allowed, losses are not).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{
    outlast_session_timeout, quick_rejoin, stock_worker_config_with, wait_for_every_line,
};
use ferry_e2e::kafka::read_until;
use ferry_e2e::worker::write;
use ferry_e2e::{free_port, wait_until, Tansu, Worker};

const LINES: usize = 100_000;

fn line(i: usize) -> String {
    // 100 bytes per line with the newline: a numbered prefix padded with a fixed filler.
    format!("line-{i:08}-{}", "x".repeat(86))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_file_loses_nothing() {
    let broker = Tansu::start();
    broker.create_topic("crash-test", 1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::with_capacity(LINES * 100);
    for i in 0..LINES {
        text.push_str(&line(i));
        text.push('\n');
    }
    std::fs::write(d.join("input.txt"), &text).unwrap();
    let port = free_port();
    stock_worker_config_with(d, &broker.bootstrap(), port, 200, &quick_rejoin());
    write(
        &d.join("config/source.properties"),
        "name=crash-source\nconnector.class=FileStreamSource\nfile=input.txt\ntopic=crash-test\n",
    );
    write(
        &d.join("config/sink.properties"),
        "name=crash-sink\nconnector.class=FileStreamSink\nfile=output.txt\ntopics=crash-test\n",
    );
    let args = [
        "config/connect-standalone.properties",
        "config/source.properties",
        "config/sink.properties",
    ];
    let out = d.join("output.txt");

    let mut first = Worker::start(d, "first", port, &args);
    first
        .wait_running("crash-source", Duration::from_secs(30))
        .await;
    // Kill once the sink has written part of the file, while both connectors are mid-stream.
    let written = wait_until(
        "part of the file in the sink",
        Duration::from_secs(120),
        || {
            let n = std::fs::metadata(&out)
                .map(|m| m.len() as usize / 100)
                .unwrap_or(0);
            (n >= LINES / 5).then_some(n)
        },
    )
    .await;
    first.kill9();
    assert!(
        written < LINES,
        "the crash should happen mid-file (sink had {written} lines)"
    );
    outlast_session_timeout().await;

    let second = Worker::start(d, "second", port, &args);
    second
        .wait_running("crash-sink", Duration::from_secs(30))
        .await;
    let expected: HashSet<String> = (0..LINES).map(line).collect();
    wait_for_every_line(&out, &expected, Duration::from_secs(300)).await;

    // Every line must be in Kafka too; duplicates from the replay after the crash are allowed.
    let mut missing = expected.clone();
    let read = read_until(
        &broker.bootstrap(),
        "crash-test",
        Duration::from_secs(120),
        |r| {
            if let Some(payload) = r
                .value
                .as_ref()
                .and_then(|v| serde_json::from_slice::<serde_json::Value>(v).ok())
                .and_then(|v| v["payload"].as_str().map(str::to_string))
            {
                missing.remove(&payload);
            }
            missing.is_empty()
        },
    );
    assert!(read >= LINES, "{read} records read");
}
