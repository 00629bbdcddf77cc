//! Source offsets in a compacted Kafka topic (`offset.storage.topic`), in Kafka Connect's own record
//! format, so a Ferry worker and an Apache Kafka Connect cluster can share the topic and a task moved to
//! another worker resumes where its last commit says.
//!
//! - Key: `["<connector>",{<source partition>}]` ([`offset_key`]); value: the offset map as JSON
//!   (`{"position":30}`), or no value (a tombstone) when an offset is reset.
//! - Records are partitioned by murmur2 of the key, as Kafka's Java producer does, so a key lands in
//!   the same partition whichever of the two wrote it and the last write wins in order.
//! - The topic is created compacted when missing; an existing topic must be `cleanup.policy=compact`
//!   (Kafka's check and message), otherwise offsets would eventually be deleted.
//! - Reads go to the end of every partition (Kafka's `readToEnd`) before the store answers: at startup
//!   and whenever [`OffsetStore::refresh`] is called, which the runtime does before a source task
//!   starts, so offsets committed by another worker are seen.
//! - A write returns only when Kafka acknowledged every record of it (`acks=all`): that is what makes a
//!   commit durable.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

use super::key::{offset_key, parse_offset_key};
use super::{OffsetStore, OffsetStoreError};
use crate::data::{SourceOffset, SourcePartition};
use crate::sync::lock;

/// The worker key naming the topic, for messages (`DistributedConfig.OFFSET_STORAGE_TOPIC_CONFIG`).
const TOPIC_KEY: &str = "offset.storage.topic";

/// Where and how to keep offsets.
#[derive(Debug, Clone)]
pub struct KafkaOffsetSettings {
    /// The client settings every client of the store starts from (bootstrap servers, security).
    pub client: ClientConfig,
    pub topic: String,
    /// `offset.storage.partitions` (Kafka's default 25; -1 lets the broker decide).
    pub partitions: i32,
    /// `offset.storage.replication.factor` (Kafka's default 3; -1 lets the broker decide).
    pub replication_factor: i32,
    /// How long creating the topic, reading it to its end, or one write may take.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum KafkaOffsetError {
    #[error("cannot create a Kafka client for the offsets topic {topic}: {source}")]
    Client { topic: String, source: KafkaError },
    #[error("cannot create the offsets topic {topic}: {source}")]
    CreateTopic { topic: String, source: KafkaError },
    #[error("cannot check the cleanup.policy of the offsets topic {topic}: {source}")]
    DescribeTopic { topic: String, source: KafkaError },
    /// Kafka's `TopicAdmin.verifyTopicCleanupPolicyOnlyCompact` message, verbatim.
    #[error("Topic '{topic}' supplied via the '{TOPIC_KEY}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, but found the topic currently has 'cleanup.policy={policy}'. Continuing would likely result in eventually losing source connector offsets and problems restarting this Connect cluster in the future. Change the '{TOPIC_KEY}' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'.")]
    NotCompacted { topic: String, policy: String },
    #[error("cannot read the offsets topic {topic}: {source}")]
    Read { topic: String, source: KafkaError },
    #[error("the brokers gave no end offset for partition {partition} of the offsets topic {topic} (answer: {answer}); check that the partition has a leader")]
    NoEndOffset {
        topic: String,
        partition: i32,
        answer: String,
    },
    #[error("reading the offsets topic {topic} to its end took more than {timeout:?} (partition {partition} is at offset {position} of {end}); check that the brokers are reachable")]
    ReadTimeout {
        topic: String,
        timeout: Duration,
        partition: i32,
        position: i64,
        end: i64,
    },
    #[error("cannot write offsets to the topic {topic}: {source}")]
    Write { topic: String, source: KafkaError },
    #[error("the offset of {partition} cannot be serialized: {source}")]
    Serialize {
        partition: String,
        source: serde_json::Error,
    },
}

/// The latest offset of every source partition, by connector; partitions are keyed by their JSON with
/// sorted keys, because Kafka writes multi-key partitions in Java `HashMap` order.
type Offsets = HashMap<String, BTreeMap<String, (SourcePartition, SourceOffset)>>;

pub struct KafkaOffsetStore {
    topic: String,
    timeout: Duration,
    producer: FutureProducer,
    /// Assigned every partition of the topic; only `read_to_end` polls it.
    reader: Mutex<BaseConsumer>,
    /// Never assigned and never fetching: asks where the partitions end ([`Self::end_offsets`]).
    ends: BaseConsumer,
    offsets: Mutex<Offsets>,
}

impl KafkaOffsetStore {
    /// Creates the topic if needed, checks it is compacted, and reads it to its end.
    pub async fn open(settings: KafkaOffsetSettings) -> Result<Self, KafkaOffsetError> {
        let topic = settings.topic.clone();
        let client_error = |source| KafkaOffsetError::Client {
            topic: topic.clone(),
            source,
        };
        ensure_compacted_topic(&settings).await?;

        let producer: FutureProducer = settings
            .client
            .clone()
            // Kafka Connect's offset producer: every replica has the record before it counts, and
            // retries cannot reorder or duplicate a key's writes.
            .set("acks", "all")
            .set("enable.idempotence", "true")
            // Java's default partitioner for keyed records, so keys land where Kafka Connect's do.
            .set("partitioner", "murmur2_random")
            .set("message.timeout.ms", millis(settings.timeout))
            .create()
            .map_err(client_error)?;
        let consumer_config = settings
            .client
            .clone()
            // Assigned, never subscribed: the group id is required by the client but never joins.
            .set(
                "group.id",
                format!("ferry-offsets-reader-{}", settings.topic),
            )
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .clone();
        let reader: BaseConsumer = consumer_config.create().map_err(client_error)?;
        let ends: BaseConsumer = consumer_config.create().map_err(client_error)?;

        let store = KafkaOffsetStore {
            topic: settings.topic.clone(),
            timeout: settings.timeout,
            producer,
            reader: Mutex::new(reader),
            ends,
            offsets: Mutex::new(HashMap::new()),
        };
        store.assign_all_partitions()?;
        // Reading blocks on the client: off the async threads.
        let topic = store.topic.clone();
        tokio::task::spawn_blocking(move || store.read_to_end().map(|()| store))
            .await
            .map_err(|_| KafkaOffsetError::Read {
                topic,
                source: KafkaError::Canceled,
            })?
    }

    fn read_error(&self, source: KafkaError) -> KafkaOffsetError {
        KafkaOffsetError::Read {
            topic: self.topic.clone(),
            source,
        }
    }

    fn assign_all_partitions(&self) -> Result<(), KafkaOffsetError> {
        let reader = lock(&self.reader);
        let metadata = reader
            .fetch_metadata(Some(&self.topic), self.timeout)
            .map_err(|e| self.read_error(e))?;
        let mut assignment = TopicPartitionList::new();
        for t in metadata.topics() {
            for p in t.partitions() {
                assignment
                    .add_partition_offset(&self.topic, p.id(), Offset::Beginning)
                    .map_err(|e| self.read_error(e))?;
            }
        }
        reader.assign(&assignment).map_err(|e| self.read_error(e))
    }

    /// Reads every partition up to the end offsets it has now (blocking): afterwards the store
    /// answers with every offset committed before the call.
    pub fn read_to_end(&self) -> Result<(), KafkaOffsetError> {
        let reader = lock(&self.reader);
        let deadline = Instant::now() + self.timeout;
        let assignment = reader.assignment().map_err(|e| self.read_error(e))?;
        // Where each partition ends now, and where reading it has got to.
        let ends = self.end_offsets(&assignment)?;
        let mut next: HashMap<i32, i64> = HashMap::new();
        loop {
            let behind = ends.iter().find(|(p, end)| {
                let position = next.get(p).copied().unwrap_or(0);
                position < **end
            });
            let Some((&partition, &end)) = behind else {
                return Ok(());
            };
            if Instant::now() >= deadline {
                return Err(KafkaOffsetError::ReadTimeout {
                    topic: self.topic.clone(),
                    timeout: self.timeout,
                    partition,
                    position: next.get(&partition).copied().unwrap_or(0),
                    end,
                });
            }
            match reader.poll(Duration::from_millis(100)) {
                Some(Ok(message)) => {
                    next.insert(message.partition(), message.offset() + 1);
                    self.apply(message.key(), message.payload());
                }
                Some(Err(e)) => return Err(self.read_error(e)),
                None => {}
            }
            // Compaction and transaction markers leave offsets no message has: the consumer's
            // position is past them even when no message arrives.
            if let Ok(positions) = reader.position() {
                for p in positions.elements() {
                    if let Offset::Offset(o) = p.offset() {
                        let n = next.entry(p.partition()).or_insert(o);
                        *n = (*n).max(o);
                    }
                }
            }
        }
    }

    /// Where each of `partitions` ends now, in one `ListOffsets` request (latest) per broker.
    ///
    /// The question goes to a client that is not fetching. Asked of the reader, each request
    /// waits behind the reader's fetch long-poll on the same broker connection (`fetch.wait.max.ms`,
    /// 500 ms): a partition at a time, the 25 partitions of the default topic took 12.5 s, at
    /// worker start and again before every source task started. Kafka's `KafkaBasedLog` asks its
    /// admin client, not its consumer, for the same figures.
    fn end_offsets(
        &self,
        partitions: &TopicPartitionList,
    ) -> Result<HashMap<i32, i64>, KafkaOffsetError> {
        let mut latest = TopicPartitionList::new();
        for p in partitions.elements() {
            // For `ListOffsets` the offset is a timestamp, and Kafka's "latest" is -1: `End`.
            latest
                .add_partition_offset(&self.topic, p.partition(), Offset::End)
                .map_err(|e| self.read_error(e))?;
        }
        let answered = self
            .ends
            .offsets_for_times(latest, self.timeout)
            .map_err(|e| self.read_error(e))?;
        let mut ends = HashMap::new();
        for p in answered.elements() {
            p.error().map_err(|e| self.read_error(e))?;
            match p.offset() {
                Offset::Offset(end) => {
                    ends.insert(p.partition(), end);
                }
                other => {
                    return Err(KafkaOffsetError::NoEndOffset {
                        topic: self.topic.clone(),
                        partition: p.partition(),
                        answer: format!("{other:?}"),
                    })
                }
            }
        }
        Ok(ends)
    }

    /// Applies one record of the topic to the in-memory offsets; records that are not Kafka
    /// Connect offsets are skipped with a warning, as Kafka does.
    fn apply(&self, key: Option<&[u8]>, value: Option<&[u8]>) {
        let Some(key) = key else {
            tracing::warn!(topic = %self.topic, "skipping an offsets record without a key");
            return;
        };
        let (connector, partition) = match parse_offset_key(key) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::warn!(topic = %self.topic, error = %e, "skipping an offsets record whose key is not a Kafka Connect offset key");
                return;
            }
        };
        let offset = match value.map(serde_json::from_slice::<serde_json::Value>) {
            None | Some(Ok(serde_json::Value::Null)) => None,
            Some(Ok(serde_json::Value::Object(offset))) => Some(offset),
            Some(Ok(other)) => {
                tracing::warn!(topic = %self.topic, %connector, value = %other, "skipping an offset that is not a JSON object");
                return;
            }
            Some(Err(e)) => {
                tracing::warn!(topic = %self.topic, %connector, error = %e, "skipping an offset that is not JSON");
                return;
            }
        };
        remember(
            &mut lock(&self.offsets),
            &connector,
            &partition,
            offset.as_ref(),
        );
    }

    /// Writes the records and waits until Kafka acknowledged all of them.
    fn write(
        &self,
        connector: &str,
        entries: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<(), KafkaOffsetError> {
        let mut records = Vec::with_capacity(entries.len());
        for (partition, offset) in entries {
            let key = offset_key(connector, partition);
            let value =
                match offset {
                    Some(o) => Some(serde_json::to_vec(o).map_err(|source| {
                        KafkaOffsetError::Serialize {
                            partition: sorted_json(partition),
                            source,
                        }
                    })?),
                    None => None,
                };
            records.push((key, value));
        }
        let write_error = |source| KafkaOffsetError::Write {
            topic: self.topic.clone(),
            source,
        };
        let mut deliveries = Vec::with_capacity(records.len());
        for (key, value) in &records {
            let mut record = FutureRecord::to(&self.topic).key(key);
            if let Some(v) = value {
                record = record.payload(v);
            }
            let delivery = loop {
                match self.producer.send_result(record) {
                    Ok(delivery) => break delivery,
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        // Deliveries free room; the producer's own thread is polling.
                        record = back;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err((e, _)) => return Err(write_error(e)),
                }
            };
            deliveries.push(delivery);
        }
        for delivery in deliveries {
            match futures::executor::block_on(delivery) {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => return Err(write_error(e)),
                // The producer dropped the delivery: it is shutting down.
                Err(_) => return Err(write_error(KafkaError::Canceled)),
            }
        }
        Ok(())
    }
}

impl OffsetStore for KafkaOffsetStore {
    fn get(&self, connector: &str, partition: &SourcePartition) -> Option<SourceOffset> {
        lock(&self.offsets)
            .get(connector)?
            .get(&sorted_json(partition))
            .map(|(_, offset)| offset.clone())
    }

    fn all(&self, connector: &str) -> Vec<(SourcePartition, SourceOffset)> {
        lock(&self.offsets)
            .get(connector)
            .map(|partitions| partitions.values().cloned().collect())
            .unwrap_or_default()
    }

    fn put(
        &self,
        connector: &str,
        entries: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<(), OffsetStoreError> {
        self.write(connector, entries)?;
        // Acknowledged by Kafka: now the store answers with them (reading the topic would too).
        let mut offsets = lock(&self.offsets);
        for (partition, offset) in entries {
            remember(&mut offsets, connector, partition, offset.as_ref());
        }
        Ok(())
    }

    fn refresh(&self) -> Result<(), OffsetStoreError> {
        Ok(self.read_to_end()?)
    }
}

/// Records a partition's latest offset, or forgets it for a tombstone.
fn remember(
    offsets: &mut Offsets,
    connector: &str,
    partition: &SourcePartition,
    offset: Option<&SourceOffset>,
) {
    let key = sorted_json(partition);
    match offset {
        Some(o) => {
            offsets
                .entry(connector.to_string())
                .or_default()
                .insert(key, (partition.clone(), o.clone()));
        }
        None => {
            if let Some(partitions) = offsets.get_mut(connector) {
                partitions.remove(&key);
            }
        }
    }
}

/// A partition's JSON with its keys sorted (`serde_json`'s map is ordered by key).
fn sorted_json(partition: &SourcePartition) -> String {
    let sorted: BTreeMap<&String, &serde_json::Value> = partition.iter().collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

/// Creates the topic compacted when it is missing; fails when it exists and is not compacted.
async fn ensure_compacted_topic(settings: &KafkaOffsetSettings) -> Result<(), KafkaOffsetError> {
    let topic = settings.topic.as_str();
    let admin: AdminClient<DefaultClientContext> =
        settings
            .client
            .create()
            .map_err(|source| KafkaOffsetError::Client {
                topic: topic.to_string(),
                source,
            })?;
    let options = AdminOptions::new().operation_timeout(Some(settings.timeout));
    let new_topic = NewTopic::new(
        topic,
        settings.partitions,
        TopicReplication::Fixed(settings.replication_factor),
    )
    .set("cleanup.policy", "compact");
    let create_error = |source| KafkaOffsetError::CreateTopic {
        topic: topic.to_string(),
        source,
    };
    let results = admin
        .create_topics([&new_topic], &options)
        .await
        .map_err(create_error)?;
    for result in results {
        match result {
            Ok(_) => tracing::info!(topic, "created the offsets topic (compacted)"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => return Err(create_error(KafkaError::AdminOp(code))),
        }
    }
    let describe_error = |source| KafkaOffsetError::DescribeTopic {
        topic: topic.to_string(),
        source,
    };
    let described = admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &options)
        .await
        .map_err(describe_error)?;
    for resource in described {
        let resource = match resource {
            Ok(r) => r,
            Err(code) => return Err(describe_error(KafkaError::AdminOp(code))),
        };
        let policy = resource
            .get("cleanup.policy")
            .and_then(|entry| entry.value.clone())
            .unwrap_or_default();
        if !only_compact(&policy) {
            return Err(KafkaOffsetError::NotCompacted {
                topic: topic.to_string(),
                policy,
            });
        }
    }
    Ok(())
}

/// Kafka's rule: the policy list must be exactly `compact` (not `compact,delete`).
fn only_compact(policy: &str) -> bool {
    let policies: Vec<&str> = policy
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    policies == ["compact"]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_compact_policy_passes() {
        assert!(only_compact("compact"));
        assert!(only_compact(" compact "));
        assert!(!only_compact("delete"));
        assert!(!only_compact("compact,delete"));
        assert!(!only_compact(""));
    }

    #[test]
    fn partitions_are_keyed_whatever_their_key_order() {
        let a: SourcePartition = serde_json::from_str(r#"{"b":1,"a":"x"}"#).expect("a JSON object");
        let b: SourcePartition = serde_json::from_str(r#"{"a":"x","b":1}"#).expect("a JSON object");
        assert_eq!(sorted_json(&a), sorted_json(&b));
        assert_eq!(sorted_json(&a), r#"{"a":"x","b":1}"#);
    }

    #[test]
    fn the_not_compacted_message_is_kafkas() {
        let e = KafkaOffsetError::NotCompacted {
            topic: "connect-offsets".into(),
            policy: "delete".into(),
        };
        assert_eq!(
            e.to_string(),
            "Topic 'connect-offsets' supplied via the 'offset.storage.topic' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, but found the topic currently has 'cleanup.policy=delete'. Continuing would likely result in eventually losing source connector offsets and problems restarting this Connect cluster in the future. Change the 'offset.storage.topic' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'."
        );
    }
}
