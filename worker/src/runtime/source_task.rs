//! Runs one source task (Kafka's `WorkerSourceTask`): poll → transforms → converters → producer, with
//! offsets committed only for records Kafka acknowledged, every `offset.flush.interval.ms` and on stop.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header as KafkaHeader, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use tokio::sync::Notify;

use super::converters::RecordConverters;
use super::submitted::{SubmittedRecord, SubmittedRecords};
use super::task::{tolerance_exceeded, Stage, StageFailure, TaskControl, TaskExit, TaskId};
use super::topics::ActiveTopics;
use crate::config::Props;
use crate::connectors::{OffsetReader, SourceTask, SourceTaskContext};
use crate::data::{ConnectRecord, RecordOrigin, SourceOffset, SourcePartition};
use crate::errors::ConnectError;
use crate::metrics::TaskMetrics;
use crate::storage::OffsetStore;
use crate::transforms::TransformChain;

/// Everything a source task runner needs.
pub struct SourceTaskSpec {
    pub id: TaskId,
    pub task: Box<dyn SourceTask>,
    pub task_config: Props,
    pub producer_config: BTreeMap<String, String>,
    pub converters: RecordConverters,
    pub transforms: TransformChain,
    pub offsets: Arc<dyn OffsetStore>,
    pub flush_interval: Duration,
    pub flush_timeout: Duration,
    pub metrics: TaskMetrics,
    pub topics: ActiveTopics,
}

/// Delivery reports from librdkafka: acknowledge the record in the tracker, or remember the failure.
struct DeliveryTracker {
    submitted: Arc<Mutex<SubmittedRecords>>,
    failure: Arc<Mutex<Option<String>>>,
    space: Arc<Notify>,
    metrics: TaskMetrics,
}

impl ClientContext for DeliveryTracker {}

impl ProducerContext for DeliveryTracker {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: usize) {
        match result {
            Ok(_) => {
                lock(&self.submitted).ack(decode(opaque));
                self.metrics.records_written.inc();
            }
            Err((error, message)) => {
                self.metrics.errors.inc();
                let mut failure = lock(&self.failure);
                if failure.is_none() {
                    *failure = Some(format!(
                        "{error} (record for topic {}, partition {})",
                        rdkafka::Message::topic(message),
                        rdkafka::Message::partition(message)
                    ));
                }
            }
        }
        self.space.notify_one();
    }
}

/// Opaque = queue index and sequence number packed in one word, to avoid an allocation per record.
fn encode(r: SubmittedRecord) -> usize {
    let (queue, seq) = r.parts();
    ((queue as usize) << 44) | (seq as usize & ((1 << 44) - 1))
}
fn decode(opaque: usize) -> SubmittedRecord {
    SubmittedRecord::from_parts((opaque >> 44) as u32, (opaque & ((1 << 44) - 1)) as u64)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section here is a single update, so a poisoned lock still holds consistent data.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The committed offsets of one connector, read by its task on start.
struct StoreReader {
    connector: String,
    store: Arc<dyn OffsetStore>,
}

impl OffsetReader for StoreReader {
    fn offset(&self, partition: &SourcePartition) -> Option<SourceOffset> {
        self.store.get(&self.connector, partition)
    }
}

/// Commits what became committable; logs and counts failures (the next commit retries them).
fn commit_offsets(
    id: &TaskId,
    submitted: &Mutex<SubmittedRecords>,
    store: &dyn OffsetStore,
    metrics: &TaskMetrics,
) -> bool {
    let started = Instant::now();
    let offsets = lock(submitted).take_committable();
    if offsets.is_empty() {
        return true;
    }
    let entries: Vec<(SourcePartition, Option<SourceOffset>)> =
        offsets.into_iter().map(|(p, o)| (p, Some(o))).collect();
    match store.put(&id.connector, &entries) {
        Ok(()) => {
            metrics.commits_ok.inc();
            metrics
                .commit_seconds
                .observe(started.elapsed().as_secs_f64());
            tracing::debug!(task = %id, partitions = entries.len(), "committed source offsets");
            true
        }
        Err(e) => {
            metrics.commits_failed.inc();
            tracing::error!(task = %id, error = %e, "failed to commit source offsets; they will be retried at the next commit");
            // Put them back so the next commit writes them (newer acks may overwrite, which is fine).
            let mut s = lock(submitted);
            s.restore_committable(entries);
            false
        }
    }
}

pub async fn run(
    spec: SourceTaskSpec,
    mut control: TaskControl,
    on_running: impl Fn(bool),
) -> TaskExit {
    let SourceTaskSpec {
        id,
        mut task,
        task_config,
        producer_config,
        converters,
        transforms,
        offsets,
        flush_interval,
        flush_timeout,
        metrics,
        topics,
    } = spec;

    let submitted = Arc::new(Mutex::new(SubmittedRecords::new()));
    let failure = Arc::new(Mutex::new(None));
    let space = Arc::new(Notify::new());
    let producer = match create_producer(&producer_config, &submitted, &failure, &space, &metrics) {
        Ok(p) => Arc::new(p),
        Err(e) => return TaskExit::Failed(e.trace()),
    };
    let context = SourceTaskContext {
        offsets: Arc::new(StoreReader {
            connector: id.connector.clone(),
            store: Arc::clone(&offsets),
        }),
    };
    if let Err(e) = task.start(&task_config, context).await {
        return TaskExit::Failed(e.trace());
    }
    on_running(false);
    tracing::info!(task = %id, "source task running");

    // Offsets are committed on a timer of their own so a slow poll never delays them, and a commit never
    // interrupts a poll.
    let committer = {
        let (id, submitted, offsets, metrics, stop) = (
            id.clone(),
            Arc::clone(&submitted),
            Arc::clone(&offsets),
            metrics.clone(),
            control.stop.clone(),
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(flush_interval);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tick.tick() => {
                        let (id, submitted, offsets, metrics) = (id.clone(), Arc::clone(&submitted), Arc::clone(&offsets), metrics.clone());
                        let _ = tokio::task::spawn_blocking(move || commit_offsets(&id, &submitted, offsets.as_ref(), &metrics)).await;
                    }
                }
            }
        })
    };

    let mut sender = Sender {
        id: &id,
        producer: &producer,
        submitted: &submitted,
        space: &space,
        converters: &converters,
        transforms: &transforms,
        metrics: &metrics,
        topics: &topics,
        seen_topics: HashSet::new(),
    };
    let mut exit = TaskExit::Stopped;
    loop {
        if control.stop.is_cancelled() {
            break;
        }
        if control.is_paused() {
            on_running(true);
            tracing::info!(task = %id, "source task paused");
            if !control.wait_while_paused().await {
                break;
            }
            on_running(false);
            tracing::info!(task = %id, "source task resumed");
        }
        if let Some(message) = lock(&failure).clone() {
            exit = TaskExit::Failed(
                ConnectError::with_source(
                    "Unrecoverable exception from producer send callback",
                    ConnectError::new(message),
                )
                .trace(),
            );
            break;
        }
        let polled = tokio::select! {
            _ = control.stop.cancelled() => break,
            polled = task.poll() => polled,
        };
        let records = match polled {
            Ok(r) => r,
            Err(e) => {
                metrics.errors.inc();
                exit = TaskExit::Failed(e.trace());
                break;
            }
        };
        if let Err(e) = sender.send_all(records, &control).await {
            metrics.errors.inc();
            exit = TaskExit::Failed(e.trace());
            break;
        }
    }

    // Stop: let the connector close its input, wait (bounded) for Kafka to acknowledge what was sent,
    // then commit what was acknowledged. Committing after a failure is safe for the same reason.
    task.stop().await;
    committer.abort();
    let flushing = Arc::clone(&producer);
    let _ = tokio::task::spawn_blocking(move || {
        if let Err(e) = flushing.flush(flush_timeout) {
            tracing::warn!(error = %e, "not every record was acknowledged before the flush timeout; their offsets are not committed");
        }
    })
    .await;
    let (cid, csub, coff, cmet) = (
        id.clone(),
        Arc::clone(&submitted),
        Arc::clone(&offsets),
        metrics.clone(),
    );
    let _ = tokio::task::spawn_blocking(move || commit_offsets(&cid, &csub, coff.as_ref(), &cmet))
        .await;
    tracing::info!(task = %id, in_flight = lock(&submitted).in_flight(), "source task stopped");
    exit
}

fn create_producer(
    config: &BTreeMap<String, String>,
    submitted: &Arc<Mutex<SubmittedRecords>>,
    failure: &Arc<Mutex<Option<String>>>,
    space: &Arc<Notify>,
    metrics: &TaskMetrics,
) -> Result<ThreadedProducer<DeliveryTracker>, ConnectError> {
    let mut client = ClientConfig::new();
    for (k, v) in config {
        client.set(k, v);
    }
    client
        .create_with_context(DeliveryTracker {
            submitted: Arc::clone(submitted),
            failure: Arc::clone(failure),
            space: Arc::clone(space),
            metrics: metrics.clone(),
        })
        .map_err(|e| ConnectError::with_source("Failed to create the producer of the source task (check the producer.* and producer.override.* settings)", e))
}

struct Sender<'a> {
    id: &'a TaskId,
    producer: &'a ThreadedProducer<DeliveryTracker>,
    submitted: &'a Mutex<SubmittedRecords>,
    space: &'a Notify,
    converters: &'a RecordConverters,
    transforms: &'a TransformChain,
    metrics: &'a TaskMetrics,
    topics: &'a ActiveTopics,
    seen_topics: HashSet<String>,
}

impl Sender<'_> {
    fn failure(
        &self,
        stage: Stage,
        class_name: &str,
        record: &ConnectRecord,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ConnectError {
        tolerance_exceeded(StageFailure {
            task: self.id.clone(),
            stage,
            class_name: class_name.to_string(),
            record: describe(record),
            source: Box::new(source),
        })
    }

    async fn send_all(
        &mut self,
        records: Vec<ConnectRecord>,
        control: &TaskControl,
    ) -> Result<(), ConnectError> {
        self.metrics.records_polled.inc_by(records.len() as u64);
        for record in records {
            let record = if self.transforms.is_empty() {
                record
            } else {
                let original = record.clone();
                match self.transforms.apply(record) {
                    Ok(Some(r)) => r,
                    // Dropped by a transform: not tracked, as Kafka does; its offset is committed with
                    // the next acknowledged record of the same partition.
                    Ok(None) => continue,
                    Err(e) => {
                        let class = e.class_name.clone();
                        return Err(self.failure(Stage::Transformation, &class, &original, e));
                    }
                }
            };
            self.send(record, control).await?;
        }
        Ok(())
    }

    async fn send(
        &mut self,
        record: ConnectRecord,
        control: &TaskControl,
    ) -> Result<(), ConnectError> {
        let c = self.converters;
        let key = c
            .key
            .from_connect_data(&record.topic, record.key_schema.as_ref(), &record.key)
            .map_err(|e| self.failure(Stage::KeyConverter, &c.key_class, &record, e))?;
        let value = c
            .value
            .from_connect_data(&record.topic, record.value_schema.as_ref(), &record.value)
            .map_err(|e| self.failure(Stage::ValueConverter, &c.value_class, &record, e))?;
        let headers = if record.headers.is_empty() {
            None
        } else {
            let mut out = OwnedHeaders::new_with_capacity(record.headers.len());
            for h in record.headers.iter() {
                let bytes = c
                    .header
                    .from_connect_header(&record.topic, &h.key, h.schema.as_ref(), &h.value)
                    .map_err(|e| {
                        self.failure(Stage::HeaderConverter, &c.header_class, &record, e)
                    })?;
                out = out.insert(KafkaHeader {
                    key: &h.key,
                    value: bytes.as_deref(),
                });
            }
            Some(out)
        };
        let bytes = key.as_ref().map_or(0, Vec::len) + value.as_ref().map_or(0, Vec::len);
        if !self.seen_topics.contains(&record.topic) {
            self.topics.record(&record.topic);
            self.seen_topics.insert(record.topic.clone());
        }

        let handle = match &record.origin {
            RecordOrigin::Source { partition, offset } => {
                lock(self.submitted).submit(partition, Arc::clone(offset))
            }
            RecordOrigin::Sink { .. } => {
                return Err(ConnectError::new("a source task returned a sink record"));
            }
        };
        let mut base = BaseRecord::with_opaque_to(&record.topic, encode(handle));
        if let Some(k) = key.as_deref() {
            base = base.key(k);
        }
        if let Some(v) = value.as_deref() {
            base = base.payload(v);
        }
        if let Some(p) = record.kafka_partition {
            base = base.partition(p);
        }
        if let Some(ts) = record.timestamp {
            base = base.timestamp(ts);
        }
        if let Some(h) = headers {
            base = base.headers(h);
        }
        loop {
            match self.producer.send(base) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    // Backpressure: the producer's queue is full; wait for deliveries to make room.
                    base = returned;
                    tokio::select! {
                        _ = control.stop.cancelled() => return Ok(()),
                        _ = tokio::time::timeout(Duration::from_millis(50), self.space.notified()) => {}
                    }
                }
                Err((e, _)) => {
                    self.metrics.errors.inc();
                    return Err(self.failure(
                        Stage::KafkaProduce,
                        "org.apache.kafka.clients.producer.KafkaProducer",
                        &record,
                        e,
                    ));
                }
            }
        }
        self.metrics.bytes_out.inc_by(bytes as u64);
        Ok(())
    }
}

/// How Kafka's error reporter describes a source record.
fn describe(record: &ConnectRecord) -> String {
    match &record.origin {
        RecordOrigin::Source { partition, offset } => format!(
            "source record is = SourceRecord{{sourcePartition={}, sourceOffset={}}} for topic '{}'",
            serde_json::Value::Object((**partition).clone()),
            serde_json::Value::Object((**offset).clone()),
            record.topic
        ),
        RecordOrigin::Sink { kafka_offset } => format!(
            "consumed record is {{topic='{}', partition={}, offset={kafka_offset}}}",
            record.topic,
            record.kafka_partition.unwrap_or(-1)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_round_trips() {
        let r = SubmittedRecord::from_parts(7, 123_456_789);
        assert_eq!(decode(encode(r)), r);
    }
}
