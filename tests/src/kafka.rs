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

/// Reads partition 0 of `topic` from the start, handing each record to `seen`, until it returns true
/// (or panics at the limit, saying how many records were read). Waiting on the content rather than on
/// the high watermark keeps the test independent of when the broker reports its log end.
pub fn read_until(
    bootstrap: &str,
    topic: &str,
    limit: Duration,
    mut seen: impl FnMut(&Record) -> bool,
) -> usize {
    let consumer = reader(bootstrap, topic);
    let deadline = Instant::now() + limit;
    let mut count = 0;
    loop {
        assert!(
            Instant::now() < deadline,
            "read {count} records of {topic} within {limit:?} without seeing everything expected"
        );
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            count += 1;
            let record = Record {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec),
            };
            if seen(&record) {
                return count;
            }
        }
    }
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

/// The log end offset of partition 0 of `topic`: how many records it holds (none are deleted in
/// these tests). Read once every producer the test cares about has been flushed and stopped, so
/// it is the final count, where waiting for records to arrive could never show that no more come.
pub fn end_offset(bootstrap: &str, topic: &str) -> i64 {
    let consumer = reader(bootstrap, topic);
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("the watermarks of {topic}: {e}"));
    high
}
