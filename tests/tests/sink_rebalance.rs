//! A sink task that loses partitions to a rebalance flushes and commits what it put first, as
//! Kafka's sink task does (`onPartitionsRevoked`): the commit is where their new owner starts, so it
//! does not deliver those records a second time.

mod common;

use std::time::Duration;

use common::{envelope, quick_rejoin, stock_worker_config_with};
use ferry_e2e::worker::{lines, write};
use ferry_e2e::{free_port, wait_until, Tansu, Worker};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

const TOPIC: &str = "moving";
const RECORDS: usize = 100;

/// The sink group's committed offset and the end of each partition.
fn committed_and_ends(member: &BaseConsumer) -> Option<Vec<(i64, i64)>> {
    let mut tpl = TopicPartitionList::new();
    for p in 0..2 {
        tpl.add_partition(TOPIC, p);
    }
    let committed = member.committed_offsets(tpl, Duration::from_secs(5)).ok()?;
    (0..2)
        .map(|p| {
            let offset = match committed.find_partition(TOPIC, p)?.offset() {
                Offset::Offset(o) => o,
                _ => -1,
            };
            let (_, end) = member
                .fetch_watermarks(TOPIC, p, Duration::from_secs(5))
                .ok()?;
            Some((offset, end))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_commits_what_the_sink_put_before_its_partitions_move() {
    let broker = Tansu::start();
    broker.create_topic(TOPIC, 2);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    // An hour between flushes: within the test, only a revocation can commit what was put.
    stock_worker_config_with(d, &broker.bootstrap(), port, 3_600_000, &quick_rejoin());
    write(
        &d.join("config/sink.properties"),
        &format!(
            "name=moving-sink\nconnector.class=FileStreamSink\nfile=output.txt\ntopics={TOPIC}\n"
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
        .wait_running("moving-sink", Duration::from_secs(30))
        .await;
    // Half the records to each partition, so both have something to commit.
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .expect("producer");
    for i in 0..RECORDS {
        let value = envelope(&format!("record-{i:03}"));
        producer
            .send(
                BaseRecord::<(), str>::to(TOPIC)
                    .partition((i % 2) as i32)
                    .payload(&value),
            )
            .expect("queue a record");
    }
    producer.flush(Duration::from_secs(30)).expect("produce");
    let out = d.join("output.txt");
    wait_until(
        "every record in the sink file",
        Duration::from_secs(60),
        || (lines(&out).len() == RECORDS).then_some(()),
    )
    .await;

    // Another member joins the sink's group: the rebalance takes the task's partitions away (the
    // eager protocol revokes all of them) before it hands them out again.
    let other: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", "connect-moving-sink")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "1000")
        .create()
        .expect("consumer");
    other.subscribe(&[TOPIC]).expect("subscribe");
    let counts = wait_until(
        "the group's offsets committed up to the end of both partitions",
        Duration::from_secs(60),
        || {
            let _ = other.poll(Duration::from_millis(100));
            let counts = committed_and_ends(&other)?;
            counts.iter().all(|(c, end)| c == end).then_some(counts)
        },
    )
    .await;
    assert_eq!(counts, [(50, 50), (50, 50)]);
    drop(other);
}
