//! Runs one source task (Kafka's `WorkerSourceTask`): poll → transforms → converters → producer, with
//! offsets committed only for records Kafka acknowledged, every `offset.flush.interval.ms` and on stop.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use tokio::sync::Notify;

use super::converters::RecordConverters;
use super::errors::{ErrorPolicy, Outcome, Tolerance};
use super::submitted::{SubmittedRecord, SubmittedRecords};
use super::task::{Stage, StageFailure, TaskControl, TaskExit, TaskId};
use super::topic_sender::{NativeHeaders, Outgoing, TopicSender};
use super::topics::ActiveTopics;
use crate::config::Props;
use crate::connectors::{OffsetReader, SourceTask, SourceTaskContext};
use crate::data::{ConnectRecord, DataError, RecordOrigin, SourceOffset, SourcePartition};
use crate::errors::ConnectError;
use crate::metrics::TaskMetrics;
use crate::storage::OffsetStore;
use crate::sync::lock;
use crate::transforms::{Disposition, TransformChain, TransformError};

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
    pub errors: ErrorPolicy,
}

/// The class Kafka's error reports name for a record the producer refused.
const WORKER_SOURCE_TASK_CLASS: &str = "org.apache.kafka.connect.runtime.WorkerSourceTask";

/// Delivery reports from librdkafka: acknowledge the record in the tracker, or handle the refusal.
struct DeliveryTracker {
    id: TaskId,
    submitted: Arc<Mutex<SubmittedRecords>>,
    /// The refusal that fails the task (`errors.tolerance=none`), taken by the task's loop.
    failure: Arc<Mutex<Option<ConnectError>>>,
    space: Arc<Notify>,
    metrics: TaskMetrics,
    errors: ErrorPolicy,
}

impl DeliveryTracker {
    /// Kafka refused `record` (Kafka's `producerSendFailed` for a send that failed in its
    /// callback). With `errors.tolerance=all` the record is skipped: counted, reported to the error
    /// log when `errors.log.enable` asks, and settled so later offsets can be committed. Otherwise
    /// the task fails with "Unrecoverable exception from producer send callback"; the record stays
    /// unacknowledged, so no offset at or past it is committed.
    fn refused(&self, record: SubmittedRecord, topic: &str, error: KafkaError) {
        self.metrics.errors.inc();
        let origin = lock(&self.submitted).origin(record);
        let described = match &origin {
            Some(origin) => describe(topic, origin),
            None => format!("record for topic '{topic}'"),
        };
        let failure = StageFailure {
            task: self.id.clone(),
            stage: Stage::KafkaProduce,
            class_name: WORKER_SOURCE_TASK_CLASS.to_string(),
            logged_record: self.errors.logs_records().then(|| described.clone()),
            record: described,
            source: Box::new(error),
        };
        if self.errors.tolerance == Tolerance::All {
            self.errors
                .producer_send_failed(&failure, &self.metrics.error_handling);
            tracing::debug!(task = %self.id, topic, "ignoring a failed record send: {}", failure.source);
            lock(&self.submitted).ack(record);
        } else {
            tracing::error!(task = %self.id, topic, error = %failure.source, "failed to send record to {topic}");
            let mut slot = lock(&self.failure);
            if slot.is_none() {
                *slot = Some(ConnectError::with_source(
                    "Unrecoverable exception from producer send callback",
                    failure,
                ));
            }
        }
    }
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
                self.refused(
                    decode(opaque),
                    rdkafka::Message::topic(message),
                    error.clone(),
                );
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
        errors,
    } = spec;

    let submitted = Arc::new(Mutex::new(SubmittedRecords::new()));
    let failure = Arc::new(Mutex::new(None));
    let space = Arc::new(Notify::new());
    let producer = match create_producer(
        &producer_config,
        DeliveryTracker {
            id: id.clone(),
            submitted: Arc::clone(&submitted),
            failure: Arc::clone(&failure),
            space: Arc::clone(&space),
            metrics: metrics.clone(),
            errors: errors.clone(),
        },
    ) {
        Ok(p) => Arc::new(p),
        Err(e) => return TaskExit::Failed(e.trace()),
    };
    // Offsets another worker committed (a task that moved here) must be seen before the task reads
    // its own; the store reads them off the async threads.
    let store = Arc::clone(&offsets);
    let refreshed = match tokio::task::spawn_blocking(move || store.refresh()).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = refreshed {
        return TaskExit::Failed(
            ConnectError::new(format!("cannot read the committed source offsets: {e}")).trace(),
        );
    }
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
        out: TopicSender::new(&producer),
        submitted: &submitted,
        space: &space,
        converters: &converters,
        transforms: &transforms,
        metrics: &metrics,
        topics: &topics,
        seen_topics: HashSet::new(),
        seen_resets: topics.resets(),
        errors: &errors,
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
        if let Some(refused) = lock(&failure).take() {
            exit = TaskExit::Failed(refused.trace());
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
    tracker: DeliveryTracker,
) -> Result<ThreadedProducer<DeliveryTracker>, ConnectError> {
    let mut client = ClientConfig::new();
    for (k, v) in config {
        client.set(k, v);
    }
    client
        .create_with_context(tracker)
        .map_err(|e| ConnectError::with_source("Failed to create the producer of the source task (check the producer.* and producer.override.* settings)", e))
}

struct Sender<'a> {
    id: &'a TaskId,
    producer: &'a ThreadedProducer<DeliveryTracker>,
    /// Produces through topic handles.
    out: TopicSender<'a, DeliveryTracker>,
    submitted: &'a Mutex<SubmittedRecords>,
    space: &'a Notify,
    converters: &'a RecordConverters,
    transforms: &'a TransformChain,
    metrics: &'a TaskMetrics,
    topics: &'a ActiveTopics,
    seen_topics: HashSet<Arc<str>>,
    /// [`ActiveTopics::resets`] when `seen_topics` was last valid.
    seen_resets: u64,
    errors: &'a ErrorPolicy,
}

impl Sender<'_> {
    fn stage_failure(
        &self,
        stage: Stage,
        class_name: &str,
        topic: &str,
        origin: &RecordOrigin,
        as_produced: Option<&ConnectRecord>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StageFailure {
        StageFailure {
            task: self.id.clone(),
            stage,
            class_name: class_name.to_string(),
            record: describe(topic, origin),
            logged_record: as_produced.map(|r| format!("source record is = {}", r.java_string())),
            source: Box::new(source),
        }
    }

    /// A record that will not be produced (dropped by a transform, or skipped by `errors.tolerance`):
    /// tracked as acknowledged at once, so its offset is committed as soon as every earlier record of
    /// its partition is (Kafka commits it only with the next acknowledged record).
    fn settle_without_sending(&self, origin: &RecordOrigin) {
        if let RecordOrigin::Source { partition, offset } = origin {
            let mut submitted = lock(self.submitted);
            let handle = submitted.submit(partition, offset.clone());
            submitted.ack(handle);
        }
    }

    fn skip(&self, failure: StageFailure, origin: &RecordOrigin) {
        tracing::debug!(task = %self.id, "skipping a record: {failure}");
        self.metrics.errors.inc();
        self.settle_without_sending(origin);
    }

    /// Runs the transforms on `record`, in place, under the error policy: whether it goes on to be
    /// sent. The record is borrowed, not moved, so the futures of this and of `send` stay small
    /// (moving the record into each was several copies of it per record).
    ///
    /// `as_produced` is the record as the connector produced it, kept only when the error log
    /// names records ([`ErrorPolicy::logs_records`]).
    async fn transform(
        &self,
        record: &mut ConnectRecord,
        as_produced: Option<&ConnectRecord>,
    ) -> Result<bool, ConnectError> {
        if self.transforms.is_empty() {
            return Ok(true);
        }
        let retriable = |e: &TransformError| matches!(e.source, ConnectError::Retriable(_));
        // The report names the record as it came in: after a failure the chain gives the record
        // back its original topic, and transforms never change its origin.
        let failure = |record: &ConnectRecord, e: TransformError| {
            let class = e.class_name.clone();
            self.stage_failure(
                Stage::Transformation,
                &class,
                &record.topic,
                &record.origin,
                as_produced,
                e,
            )
        };
        let outcome = if self.errors.retries_enabled() {
            // Every attempt starts again from the record as the connector produced it.
            let original: &ConnectRecord = record;
            self.errors
                .run(
                    || self.transforms.apply(original.clone()),
                    retriable,
                    |e| failure(original, e),
                    &self.metrics.error_handling,
                )
                .await
        } else {
            match self.transforms.apply_in_place(record) {
                Ok(Disposition::Keep) => return Ok(true),
                Ok(Disposition::Drop) => Outcome::Done(None),
                Err(e) => {
                    let r = retriable(&e);
                    self.errors
                        .decide(failure(record, e), r, &self.metrics.error_handling)
                }
            }
        };
        match outcome {
            Outcome::Done(Some(transformed)) => {
                *record = transformed;
                Ok(true)
            }
            Outcome::Done(None) => {
                self.settle_without_sending(&record.origin);
                Ok(false)
            }
            Outcome::Skip(f) => {
                self.skip(f, &record.origin);
                Ok(false)
            }
            Outcome::Fail(f) => Err(f.into_error()),
        }
    }

    /// One converter call under the error policy (converters never succeed on a retry: no retries).
    #[inline]
    fn convert<T>(
        &self,
        stage: Stage,
        class: &str,
        record: &ConnectRecord,
        as_produced: Option<&ConnectRecord>,
        result: Result<T, DataError>,
    ) -> Result<Option<T>, ConnectError> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.convert_failed(stage, class, record, as_produced, e),
        }
    }

    /// A converter's failure under the error policy. Out of line and cold, so that `convert`, on
    /// every record's path, stays small enough to inline.
    #[cold]
    #[inline(never)]
    fn convert_failed<T>(
        &self,
        stage: Stage,
        class: &str,
        record: &ConnectRecord,
        as_produced: Option<&ConnectRecord>,
        e: DataError,
    ) -> Result<Option<T>, ConnectError> {
        let failure =
            self.stage_failure(stage, class, &record.topic, &record.origin, as_produced, e);
        match self
            .errors
            .decide::<T>(failure, false, &self.metrics.error_handling)
        {
            Outcome::Done(v) => Ok(Some(v)),
            Outcome::Skip(f) => {
                self.skip(f, &record.origin);
                Ok(None)
            }
            Outcome::Fail(f) => Err(f.into_error()),
        }
    }

    async fn send_all(
        &mut self,
        records: Vec<ConnectRecord>,
        control: &TaskControl,
    ) -> Result<(), ConnectError> {
        self.metrics.records_polled.inc_by(records.len() as u64);
        // After a reset of the connector's topics (`PUT /connectors/{c}/topics/reset`) they are
        // recorded again as records flow, as Kafka's tasks do: checked once a poll, off the
        // per-record path.
        let resets = self.topics.resets();
        if resets != self.seen_resets {
            self.seen_topics.clear();
            self.out.forget_last_topic();
            self.seen_resets = resets;
        }
        for mut record in records {
            // Kafka's error log names a record as the connector produced it; the transforms change
            // it in place, so a copy is kept, only when that log asks for records (boxed: the
            // future holding it across awaits stays small).
            let as_produced = self.errors.logs_records().then(|| Box::new(record.clone()));
            if self.transform(&mut record, as_produced.as_deref()).await? {
                self.send(&record, as_produced.as_deref(), control).await?;
            }
        }
        Ok(())
    }

    async fn send(
        &mut self,
        record: &ConnectRecord,
        as_produced: Option<&ConnectRecord>,
        control: &TaskControl,
    ) -> Result<(), ConnectError> {
        let c = self.converters;
        // Kafka's order: headers, then key, then value, so a record failing in more than one
        // converter is reported at the same stage.
        let mut headers = if record.headers.is_empty() {
            None
        } else {
            let mut out = NativeHeaders::with_capacity(record.headers.len());
            for h in record.headers.iter() {
                // A string header's bytes are its own: no copy per record.
                let bytes = match c.header.borrowed_header_bytes(h.schema.as_ref(), &h.value) {
                    Some(borrowed) => Some(Cow::Borrowed(borrowed)),
                    None => {
                        let converted = c.header.from_connect_header(
                            &record.topic,
                            &h.key,
                            h.schema.as_ref(),
                            &h.value,
                        );
                        let Some(converted) = self.convert(
                            Stage::HeaderConverter,
                            &c.header_class,
                            record,
                            as_produced,
                            converted,
                        )?
                        else {
                            return Ok(());
                        };
                        converted.map(Cow::Owned)
                    }
                };
                out.add(&h.key, bytes.as_deref());
            }
            Some(out)
        };
        let key = c
            .key
            .from_connect_data(&record.topic, record.key_schema.as_ref(), &record.key);
        let Some(key) =
            self.convert(Stage::KeyConverter, &c.key_class, record, as_produced, key)?
        else {
            return Ok(());
        };
        let value =
            c.value
                .from_connect_data(&record.topic, record.value_schema.as_ref(), &record.value);
        let Some(value) = self.convert(
            Stage::ValueConverter,
            &c.value_class,
            record,
            as_produced,
            value,
        )?
        else {
            return Ok(());
        };
        let bytes = key.as_ref().map_or(0, Vec::len) + value.as_ref().map_or(0, Vec::len);
        // Most tasks write one topic: only a record to another topic than the last is looked up.
        if !self.out.is_last_topic(&record.topic) && !self.seen_topics.contains(&record.topic) {
            self.topics.record(&record.topic);
            self.seen_topics.insert(record.topic.clone());
        }

        let handle = match &record.origin {
            RecordOrigin::Source { partition, offset } => {
                lock(self.submitted).submit(partition, offset.clone())
            }
            RecordOrigin::Sink { .. } => {
                return Err(ConnectError::new("a source task returned a sink record"));
            }
        };
        let outgoing = Outgoing {
            partition: record.kafka_partition,
            key: key.as_deref(),
            value: value.as_deref(),
            timestamp: record.timestamp,
            opaque: encode(handle),
        };
        loop {
            match self.out.send(&record.topic, &outgoing, &mut headers) {
                Ok(()) => break,
                Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {
                    // Backpressure: the producer's queue is full; wait for deliveries to make room.
                    tokio::select! {
                        _ = control.stop.cancelled() => return Ok(()),
                        _ = tokio::time::timeout(Duration::from_millis(50), self.space.notified()) => {}
                    }
                }
                Err(e) if refused_as_by_a_broker(&e) => {
                    // Kafka's producer reports these (a record over the size limit, say) through
                    // the send callback, not by throwing: handled as a refusal.
                    self.producer.context().refused(handle, &record.topic, e);
                    return Ok(());
                }
                Err(e) => {
                    // Kafka's `producerSendFailed` for a send that threw: the task fails, whatever
                    // `errors.tolerance` says.
                    self.metrics.errors.inc();
                    return Err(ConnectError::with_source(
                        "Unrecoverable exception trying to send",
                        self.stage_failure(
                            Stage::KafkaProduce,
                            WORKER_SOURCE_TASK_CLASS,
                            &record.topic,
                            &record.origin,
                            as_produced,
                            e,
                        ),
                    ));
                }
            }
        }
        self.metrics.bytes_out.inc_by(bytes as u64);
        Ok(())
    }
}

/// Whether librdkafka's refusal of a send is one Kafka's producer reports through the send callback
/// (a broker error code: Java's `ApiException`s, such as a record over the size limit) rather than
/// by throwing (librdkafka's local errors, such as a partition the topic does not have).
fn refused_as_by_a_broker(error: &KafkaError) -> bool {
    error
        .rdkafka_error_code()
        .is_some_and(|code| code as i32 > 0)
}

/// How Kafka's error reporter describes a record.
fn describe(topic: &str, origin: &RecordOrigin) -> String {
    match origin {
        RecordOrigin::Source { partition, offset } => format!(
            "source record is = SourceRecord{{sourcePartition={}, sourceOffset={}}} for topic '{topic}'",
            serde_json::Value::Object((**partition).clone()),
            serde_json::Value::Object(offset.to_map()),
        ),
        RecordOrigin::Sink { kafka_offset } => {
            format!("consumed record is {{topic='{topic}', offset={kafka_offset}}}")
        }
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
