//! Listing, altering and resetting a sink connector's offsets: the committed offsets of its consumer
//! group `connect-<name>` (KIP-875, `/connectors/{c}/offsets`). Runs blocking client calls; call it
//! from `spawn_blocking`.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{json, Map, Value as Json};

use super::subscription::Subscription;
use crate::rest::entities::{ConnectorOffset, ConnectorOffsets};

/// A partition and its new offset (or null), as a `PATCH /connectors/{c}/offsets` body lists them.
pub type OffsetEntry = (Map<String, Json>, Option<Map<String, Json>>);

const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SinkOffsetsError {
    #[error("Kafka request failed: {0}")]
    Kafka(#[from] KafkaError),
    #[error("{0}")]
    Invalid(String),
}

/// One sink partition as the REST API names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SinkPartition {
    pub topic: String,
    pub partition: i32,
}

/// Reads `{"kafka_topic":"t","kafka_partition":0}` and `{"kafka_offset":5}`; numbers may also be
/// numeric strings, as Kafka accepts (`SinkUtils.parseSinkConnectorOffsets`).
pub fn parse_entry(
    partition: &Map<String, Json>,
    offset: Option<&Map<String, Json>>,
) -> Result<(SinkPartition, Option<i64>), SinkOffsetsError> {
    let topic = match partition.get("kafka_topic") {
        Some(Json::String(t)) if !t.is_empty() => t.clone(),
        _ => {
            return Err(SinkOffsetsError::Invalid(
                "Kafka topic names must be valid strings and may not be null".into(),
            ))
        }
    };
    let number = |v: Option<&Json>| -> Option<i64> {
        match v? {
            Json::Number(n) => n.as_i64(),
            Json::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let partition_no = number(partition.get("kafka_partition"))
        .and_then(|p| i32::try_from(p).ok())
        .ok_or_else(|| {
            SinkOffsetsError::Invalid(
                "Kafka partitions must be valid numbers and may not be null".into(),
            )
        })?;
    let offset = match offset {
        None => None,
        Some(o) => Some(number(o.get("kafka_offset")).ok_or_else(|| {
            SinkOffsetsError::Invalid(
                "Kafka offsets must be valid numbers and may not be null".into(),
            )
        })?),
    };
    if offset.is_some_and(|o| o < 0) {
        return Err(SinkOffsetsError::Invalid(
            "Kafka offsets must be non-negative".into(),
        ));
    }
    Ok((
        SinkPartition {
            topic,
            partition: partition_no,
        },
        offset,
    ))
}

pub struct SinkOffsetsClient {
    config: BTreeMap<String, String>,
    subscription: Subscription,
}

impl SinkOffsetsClient {
    pub fn new(config: BTreeMap<String, String>, subscription: Subscription) -> Self {
        SinkOffsetsClient {
            config,
            subscription,
        }
    }

    fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        for (k, v) in &self.config {
            c.set(k, v);
        }
        c
    }

    fn group(&self) -> String {
        self.config.get("group.id").cloned().unwrap_or_default()
    }

    fn consumer(&self) -> Result<BaseConsumer, SinkOffsetsError> {
        Ok(self.client_config().create()?)
    }

    /// Every partition of the topics the connector consumes.
    fn partitions(&self, consumer: &BaseConsumer) -> Result<TopicPartitionList, SinkOffsetsError> {
        let metadata = consumer.fetch_metadata(None, TIMEOUT)?;
        let selector = self
            .subscription
            .selector()
            .map_err(SinkOffsetsError::Invalid)?;
        let selected = selector.select(metadata.topics().iter().map(|t| t.name()));
        let mut tpl = TopicPartitionList::new();
        for topic in metadata.topics() {
            if selected.contains(topic.name()) {
                for p in topic.partitions() {
                    tpl.add_partition(topic.name(), p.id());
                }
            }
        }
        Ok(tpl)
    }

    /// The committed offset of every partition that has one.
    pub fn list(&self) -> Result<ConnectorOffsets, SinkOffsetsError> {
        let consumer = self.consumer()?;
        let wanted = self.partitions(&consumer)?;
        let committed = consumer.committed_offsets(wanted, TIMEOUT)?;
        let mut offsets = Vec::new();
        for e in committed.elements() {
            if let Offset::Offset(o) = e.offset() {
                offsets.push(ConnectorOffset {
                    partition: object(
                        json!({"kafka_topic": e.topic(), "kafka_partition": e.partition()}),
                    ),
                    offset: Some(object(json!({"kafka_offset": o}))),
                });
            }
        }
        offsets.sort_by(|a, b| {
            a.partition
                .get("kafka_topic")
                .map(Json::to_string)
                .cmp(&b.partition.get("kafka_topic").map(Json::to_string))
                .then(
                    a.partition
                        .get("kafka_partition")
                        .and_then(Json::as_i64)
                        .cmp(&b.partition.get("kafka_partition").and_then(Json::as_i64)),
                )
        });
        Ok(ConnectorOffsets { offsets })
    }

    /// Commits the given offsets for the group. A null offset resets the partition: the group will
    /// start from the earliest record, which is what deleting its committed offset does in Kafka.
    pub fn alter(&self, entries: &[OffsetEntry]) -> Result<(), SinkOffsetsError> {
        let consumer = self.consumer()?;
        let mut tpl = TopicPartitionList::new();
        for (partition, offset) in entries {
            let (p, o) = parse_entry(partition, offset.as_ref())?;
            let offset = match o {
                Some(o) => o,
                None => consumer.fetch_watermarks(&p.topic, p.partition, TIMEOUT)?.0,
            };
            tpl.add_partition_offset(&p.topic, p.partition, Offset::Offset(offset))?;
        }
        if tpl.count() > 0 {
            consumer.commit(&tpl, CommitMode::Sync)?;
        }
        Ok(())
    }

    /// Deletes the consumer group, so every partition starts from the earliest record.
    pub fn reset(&self) -> Result<(), SinkOffsetsError> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let group = self.group();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SinkOffsetsError::Invalid(e.to_string()))?;
        let results = runtime.block_on(admin.delete_groups(
            &[group.as_str()],
            &AdminOptions::new().request_timeout(Some(TIMEOUT)),
        ))?;
        for r in results {
            match r {
                // A group that never committed anything has nothing to reset.
                Ok(_) | Err((_, RDKafkaErrorCode::GroupIdNotFound)) => {}
                Err((g, code)) => {
                    return Err(SinkOffsetsError::Invalid(format!(
                        "cannot delete consumer group {g}: {code}"
                    )))
                }
            }
        }
        Ok(())
    }
}

fn object(v: Json) -> Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: Json) -> Map<String, Json> {
        object(v)
    }

    #[test]
    fn parses_numbers_and_numeric_strings() {
        let (p, o) = parse_entry(
            &map(json!({"kafka_topic":"t","kafka_partition":"3"})),
            Some(&map(json!({"kafka_offset": 7}))),
        )
        .unwrap();
        assert_eq!(
            p,
            SinkPartition {
                topic: "t".into(),
                partition: 3
            }
        );
        assert_eq!(o, Some(7));
        let (_, o) =
            parse_entry(&map(json!({"kafka_topic":"t","kafka_partition":0})), None).unwrap();
        assert_eq!(o, None);
    }

    #[test]
    fn rejects_bad_entries_with_kafkas_messages() {
        let e = parse_entry(&map(json!({"kafka_partition":0})), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "Kafka topic names must be valid strings and may not be null"
        );
        let e = parse_entry(&map(json!({"kafka_topic":"t","kafka_partition":"x"})), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "Kafka partitions must be valid numbers and may not be null"
        );
        let e = parse_entry(
            &map(json!({"kafka_topic":"t","kafka_partition":0})),
            Some(&map(json!({}))),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "Kafka offsets must be valid numbers and may not be null");
    }
}
