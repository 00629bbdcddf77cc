//! The Kafka offset store (`offset.storage.topic`) against a real Kafka-protocol broker (tansu): it
//! creates its topic, writes Kafka Connect's records to the partition Kafka's Java producer would
//! choose, reads offsets written by another writer (Kafka Connect, or another worker) after a refresh,
//! honours tombstones, and refuses a topic that is not compacted.

use std::time::{Duration, Instant};

use ferry_e2e::broker::Tansu;
use ferry_worker::data::{SourceOffset, SourcePartition};
use ferry_worker::storage::{KafkaOffsetError, KafkaOffsetSettings, KafkaOffsetStore, OffsetStore};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

const PARTITIONS: i32 = 5;

fn settings(broker: &Tansu, topic: &str) -> KafkaOffsetSettings {
    let mut client = ClientConfig::new();
    client.set("bootstrap.servers", broker.bootstrap());
    KafkaOffsetSettings {
        client,
        topic: topic.to_string(),
        partitions: PARTITIONS,
        replication_factor: 1,
        timeout: Duration::from_secs(30),
    }
}

fn partition(file: &str) -> SourcePartition {
    let mut p = SourcePartition::new();
    p.insert("filename".into(), file.into());
    p
}

/// A two-key partition, built in the opposite key order from the one Kafka Connect wrote.
fn jdbc_partition() -> SourcePartition {
    let mut p = SourcePartition::new();
    p.insert("db".into(), "d".into());
    p.insert("table".into(), "t".into());
    p
}

fn position(n: u64) -> SourceOffset {
    let mut o = SourceOffset::new();
    o.insert("position".into(), n.into());
    o
}

/// Java's `toPositive(Utils.murmur2(key)) % partitions`: the partition Kafka's producer gives a
/// keyed record.
fn java_partition(key: &[u8], partitions: i32) -> i32 {
    ((murmur2_raw(key) as u32 & 0x7fff_ffff) % partitions as u32) as i32
}

/// Every record of the topic as (partition, key, value), read until `count` arrived or the deadline.
fn read_raw(broker: &Tansu, topic: &str, count: usize) -> Vec<(i32, Vec<u8>, Option<Vec<u8>>)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", "raw-reader")
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = Vec::new();
    while out.len() < count && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push((
                m.partition(),
                m.key().unwrap_or_default().to_vec(),
                m.payload().map(<[u8]>::to_vec),
            ));
        }
    }
    out
}

/// Writes raw records the way Kafka Connect's offset producer does (murmur2 partition).
fn produce_as_kafka_connect(broker: &Tansu, topic: &str, records: &[(&str, Option<&str>)]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .expect("producer");
    for (key, value) in records {
        let p = java_partition(key.as_bytes(), PARTITIONS);
        let mut record = BaseRecord::<[u8], [u8]>::to(topic)
            .key(key.as_bytes())
            .partition(p);
        if let Some(v) = value {
            record = record.payload(v.as_bytes());
        }
        producer.send(record).map_err(|(e, _)| e).expect("send");
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

/// Refreshes `store` until `done` holds (or 30 s pass). tansu can report a partition's end offset
/// behind records it has just acknowledged (the crash test meets the same), so a reader may need
/// another pass; Kafka's end offsets include every `acks=all` write, so there one pass is enough.
fn refresh_until(store: &KafkaOffsetStore, done: impl Fn(&KafkaOffsetStore) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(store) && Instant::now() < deadline {
        store.refresh().expect("refresh");
    }
}

#[test]
fn java_murmur2_matches_kafkas_published_values() {
    // Values from Kafka's own partitioner tests (`Utils.murmur2` of these byte strings).
    assert_eq!(murmur2_raw(b"21"), -973932308);
    assert_eq!(murmur2_raw(b"foobar"), -790332482);
    assert_eq!(murmur2_raw(b"a-little-bit-long-string"), -985981536);
    assert_eq!(murmur2_raw(b"a-little-bit-longer-string"), -1486304829);
    assert_eq!(
        murmur2_raw(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
        -58897971
    );
    assert_eq!(murmur2_raw(b"abc"), 479470107);
}

/// Java's `Utils.murmur2` (seed 0x9747b28c), the signed hash.
fn murmur2_raw(key: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    let mut h = 0x9747_b28c_u32 ^ key.len() as u32;
    let chunks = key.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]).wrapping_mul(M);
        k ^= k >> 24;
        h = h.wrapping_mul(M) ^ k.wrapping_mul(M);
    }
    match tail.len() {
        3 => {
            h ^= u32::from(tail[2]) << 16;
            h ^= u32::from(tail[1]) << 8;
            h ^= u32::from(tail[0]);
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= u32::from(tail[1]) << 8;
            h ^= u32::from(tail[0]);
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= u32::from(tail[0]);
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_round_trip_in_kafka_connects_format_and_partitioning() {
    let broker = Tansu::start();
    let topic = "connect-offsets";
    let store = KafkaOffsetStore::open(settings(&broker, topic))
        .await
        .unwrap_or_else(|e| panic!("open: {e}\n{}", broker.log_text()));
    assert!(store.all("local-file-source").is_empty());

    let files = ["a.txt", "b.txt", "test.txt", "another/file.log"];
    let entries: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (partition(f), Some(position(10 * i as u64 + 5))))
        .collect();
    store.put("local-file-source", &entries).expect("put");
    assert_eq!(
        store.get("local-file-source", &partition("test.txt")),
        Some(position(25))
    );

    // On the wire: Kafka Connect's key and value, in the partition Kafka's producer would pick.
    let raw = read_raw(&broker, topic, files.len());
    assert_eq!(raw.len(), files.len(), "records on the topic: {raw:?}");
    for (p, key, _) in &raw {
        assert_eq!(
            *p,
            java_partition(key, PARTITIONS),
            "key {}",
            String::from_utf8_lossy(key)
        );
    }
    let test_txt = raw
        .iter()
        .find(|(_, k, _)| k == br#"["local-file-source",{"filename":"test.txt"}]"#)
        .expect("the test.txt record");
    assert_eq!(test_txt.2.as_deref(), Some(&br#"{"position":25}"#[..]));

    // A second store (another worker, or this one restarted) reads them back from the topic.
    let other = KafkaOffsetStore::open(settings(&broker, topic))
        .await
        .expect("reopen");
    refresh_until(&other, |s| s.all("local-file-source").len() == files.len());
    assert_eq!(other.all("local-file-source").len(), files.len());
    assert_eq!(
        other.get("local-file-source", &partition("a.txt")),
        Some(position(5))
    );

    // A reset (tombstone) from one store reaches the other on refresh.
    store
        .put("local-file-source", &[(partition("a.txt"), None)])
        .expect("tombstone");
    refresh_until(&other, |s| {
        s.get("local-file-source", &partition("a.txt")).is_none()
    });
    assert_eq!(other.get("local-file-source", &partition("a.txt")), None);
    assert_eq!(
        other.get("local-file-source", &partition("b.txt")),
        Some(position(15))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_written_by_kafka_connect_are_read_and_later_writes_win() {
    let broker = Tansu::start();
    let topic = "shared-offsets";
    let store = KafkaOffsetStore::open(settings(&broker, topic))
        .await
        .unwrap_or_else(|e| panic!("open: {e}\n{}", broker.log_text()));

    // As an Apache Kafka Connect worker would have written them, including a multi-key partition
    // in another key order, a record that is not an offset, and a tombstone.
    produce_as_kafka_connect(
        &broker,
        topic,
        &[
            (
                r#"["local-file-source",{"filename":"test.txt"}]"#,
                Some(r#"{"position":30}"#),
            ),
            (
                r#"["local-file-source",{"filename":"test.txt"}]"#,
                Some(r#"{"position":42}"#),
            ),
            (r#"["jdbc",{"table":"t","db":"d"}]"#, Some(r#"{"ts":7}"#)),
            ("not an offset key", Some("{}")),
            (r#"["gone",{"filename":"x"}]"#, Some(r#"{"position":1}"#)),
            (r#"["gone",{"filename":"x"}]"#, None),
        ],
    );
    refresh_until(&store, |s| {
        s.get("local-file-source", &partition("test.txt")) == Some(position(42))
            && s.get("jdbc", &jdbc_partition()).is_some()
    });
    assert_eq!(
        store.get("local-file-source", &partition("test.txt")),
        Some(position(42))
    );
    let jdbc = jdbc_partition();
    let mut ts = SourceOffset::new();
    ts.insert("ts".into(), 7.into());
    assert_eq!(store.get("jdbc", &jdbc), Some(ts));
    assert!(store.all("gone").is_empty());

    // Ferry's write lands in the same partition as Kafka Connect's, so it wins for every reader.
    store
        .put(
            "local-file-source",
            &[(partition("test.txt"), Some(position(50)))],
        )
        .expect("put");
    let reader = KafkaOffsetStore::open(settings(&broker, topic))
        .await
        .expect("reopen");
    refresh_until(&reader, |s| {
        s.get("local-file-source", &partition("test.txt")) == Some(position(50))
    });
    assert_eq!(
        reader.get("local-file-source", &partition("test.txt")),
        Some(position(50))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_that_is_not_compacted_is_refused_with_kafkas_message() {
    let broker = Tansu::start();
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .expect("admin");
    let topic = NewTopic::new("deleting-offsets", 1, TopicReplication::Fixed(1))
        .set("cleanup.policy", "delete");
    let created = admin
        .create_topics([&topic], &AdminOptions::new())
        .await
        .expect("create");
    assert!(created.iter().all(Result::is_ok), "{created:?}");

    let err = match KafkaOffsetStore::open(settings(&broker, "deleting-offsets")).await {
        Ok(_) => panic!("a delete-policy topic was accepted"),
        Err(e) => e,
    };
    assert!(
        matches!(&err, KafkaOffsetError::NotCompacted { policy, .. } if policy == "delete"),
        "{err}"
    );
    assert!(err
        .to_string()
        .starts_with("Topic 'deleting-offsets' supplied via the 'offset.storage.topic' property is required to have 'cleanup.policy=compact'"));
}
