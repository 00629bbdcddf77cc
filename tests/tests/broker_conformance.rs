//! The broker the other tests run against must behave as Kafka does where Ferry's guarantees rest on
//! it; these tests pin that down, so a change of broker or storage engine that breaks it fails here,
//! by name, instead of as an intermittent "lines never reached the sink" elsewhere.

use std::time::Duration;

use ferry_e2e::broker::{Storage, Tansu, TansuOptions};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Message, Offset, TopicPartitionList};

const TOPIC: &str = "batches";

/// Produces `count` records as one batch (one flush, a long linger) with values `first..first+count`.
fn produce_one_batch(producer: &ThreadedProducer<DefaultProducerContext>, first: u32, count: u32) {
    for n in first..first + count {
        let value = n.to_string();
        producer
            .send(BaseRecord::<(), String>::to(TOPIC).payload(&value))
            .unwrap_or_else(|(e, _)| panic!("enqueue record {n}: {e}"));
    }
    producer
        .flush(Duration::from_secs(30))
        .expect("the broker acknowledges the batch");
}

/// Reads from `offset` until `count` records arrived (or 30 s passed), as (offset, value) pairs.
fn read_from(bootstrap: &str, offset: i64, count: usize) -> Vec<(i64, String)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "conformance")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut assignment = TopicPartitionList::new();
    assignment
        .add_partition_offset(TOPIC, 0, Offset::Offset(offset))
        .expect("partition");
    consumer.assign(&assignment).expect("assign");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut got = Vec::new();
    while got.len() < count && std::time::Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            let m = m.expect("fetch");
            let value = String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned();
            got.push((m.offset(), value));
        }
    }
    got
}

/// Checked against the storage engine every test uses (the default). tansu's in-memory engine fails
/// it: asked for offset 5 it answers from offset 10.
///
/// A sink task that takes over a partition resumes from the offset its group committed, which is
/// rarely the first of a producer's batch. Kafka answers such a fetch with the batch that holds the
/// offset (the client drops the records before it); a broker that starts at the next batch instead
/// loses the rest of this one for the sink, silently.
#[test]
fn a_fetch_from_inside_a_batch_starts_at_that_offset() {
    let broker = Tansu::start_with(TansuOptions {
        storage: Storage::default(),
        ..TansuOptions::default()
    });
    broker.create_topic(TOPIC, 1);
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("linger.ms", "1000")
        .set("acks", "all")
        .create()
        .expect("producer");
    produce_one_batch(&producer, 0, 10);
    produce_one_batch(&producer, 10, 10);

    let got = read_from(&broker.bootstrap(), 5, 15);
    let expected: Vec<(i64, String)> = (5..20).map(|n| (n, n.to_string())).collect();
    assert_eq!(
        got, expected,
        "a fetch from offset 5, inside the first batch (offsets 0-9), must start at offset 5"
    );
}
