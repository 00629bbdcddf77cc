//! Plain rdkafka clients for tests: produce values, read a topic back.

use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};

/// Produces each value (no key) to `topic` and waits until all are acknowledged.
pub fn produce(bootstrap: &str, topic: &str, values: &[Vec<u8>]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .create()
        .expect("producer");
    for v in values {
        let mut record = BaseRecord::<(), [u8]>::to(topic).payload(v.as_slice());
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, r)) => {
                    record = r;
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
    }
    producer
        .flush(Duration::from_secs(30))
        .expect("all records acknowledged");
}

/// A consumer outside any group's commits, assigned to partition 0 of `topic` from its beginning.
fn reader(bootstrap: &str, topic: &str) -> BaseConsumer {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set(
            "group.id",
            format!("ferry-test-reader-{}", std::process::id()),
        )
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    consumer
}

/// One record read back: its key and value bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
}

/// Reads partition 0 of `topic` from the start until at least `count` records arrived, or the limit.
pub fn read_topic(bootstrap: &str, topic: &str, count: usize, limit: Duration) -> Vec<Record> {
    let consumer = reader(bootstrap, topic);
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    while out.len() < count && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(Record {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec),
            });
        }
    }
    out
}

/// Reads partition 0 of `topic` from the start up to its end (the high watermark when called).
pub fn read_all(bootstrap: &str, topic: &str, limit: Duration) -> Vec<Record> {
    let consumer = reader(bootstrap, topic);
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .expect("watermarks");
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    let mut next = 0;
    while next < high {
        assert!(
            Instant::now() < deadline,
            "read {} of {high} records of {topic} within {limit:?}",
            out.len()
        );
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            next = m.offset() + 1;
            out.push(Record {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec),
            });
        }
    }
    out
}

/// A record with its headers (UTF-8 lossy), for dead-letter checks.
#[derive(Debug, Clone)]
pub struct RecordWithHeaders {
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
}

impl RecordWithHeaders {
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads partition 0 of `topic` with headers until `count` records arrived (or panics at the limit).
pub fn read_with_headers(
    bootstrap: &str,
    topic: &str,
    count: usize,
    limit: Duration,
) -> Vec<RecordWithHeaders> {
    use rdkafka::message::Headers;
    let consumer = reader(bootstrap, topic);
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    while out.len() < count {
        assert!(
            Instant::now() < deadline,
            "only {} of {count} records in {topic} within {limit:?}",
            out.len()
        );
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            let headers = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            (
                                h.key.to_string(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(RecordWithHeaders {
                value: m.payload().map(<[u8]>::to_vec),
                headers,
            });
        }
    }
    out
}
