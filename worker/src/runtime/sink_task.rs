//! Runs one sink task (Kafka's `WorkerSinkTask`): consumer (group `connect-<name>`) → converters →
//! transforms → `put`; every `offset.flush.interval.ms`, and before partitions are revoked or the task
//! stops, `flush` then a commit of the offsets that flush covered. An offset is never committed for a
//! record the sink has not made durable.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers as _};
use rdkafka::{ClientContext, Message, Offset, Timestamp, TopicPartitionList};

use super::converters::RecordConverters;
use super::errors::{
    DeadLetterQueue, DlqSettings, ErrantRecord, ErrorPolicy, Intolerable, Outcome,
};
pub use super::subscription::Subscription;
use super::subscription::{RefreshSchedule, TopicSelector};
use super::task::{Stage, StageFailure, TaskControl, TaskExit, TaskId};
use super::topics::ActiveTopics;
use crate::config::Props;
use crate::connectors::SinkTask;
use crate::data::{ConnectRecord, Headers, RecordOrigin};
use crate::errors::{ConnectError, JavaException};
use crate::metrics::TaskMetrics;
use crate::sync::lock;
use crate::transforms::{TransformChain, TransformError};

pub struct SinkTaskSpec {
    pub id: TaskId,
    pub task: Box<dyn SinkTask>,
    pub task_config: Props,
    pub consumer_config: BTreeMap<String, String>,
    pub converters: RecordConverters,
    pub transforms: TransformChain,
    pub subscription: Subscription,
    pub flush_interval: Duration,
    /// `offset.flush.timeout.ms`: how long an offset commit may take (as in Kafka's sink task),
    /// and the flush before a revocation, which the group's rebalance waits for.
    pub flush_timeout: Duration,
    pub max_poll_records: usize,
    pub metrics: TaskMetrics,
    pub topics: ActiveTopics,
    pub errors: ErrorPolicy,
    /// The dead-letter queue, if configured.
    pub dlq: Option<DlqSetup>,
}

/// A dead-letter queue to open: its settings and the client settings of its producer and of the
/// admin client that creates its topic.
pub struct DlqSetup {
    pub settings: DlqSettings,
    pub producer_config: BTreeMap<String, String>,
    pub admin_config: BTreeMap<String, String>,
}

type PartitionKey = (String, i32);

/// Offsets per partition: `current` = next offset after what was `put`; `flushed` = what the last
/// successful flush covered; `committed` = what Kafka has. `owned`: the partitions assigned to this
/// task now, kept by the rebalance hook, each with the number of the assignment that gave it (a
/// partition taken away and given back has a new one).
#[derive(Default)]
struct SinkOffsets {
    current: HashMap<PartitionKey, i64>,
    flushed: HashMap<PartitionKey, i64>,
    committed: HashMap<PartitionKey, i64>,
    owned: HashMap<PartitionKey, u64>,
    /// How many assignments this task has had.
    assignments: u64,
    /// A flush failed: from then on nothing put counts (see [`SinkOffsets::flush_failed`]).
    after_failed_flush: bool,
}

impl SinkOffsets {
    fn assigned(&mut self, partitions: impl IntoIterator<Item = PartitionKey>) {
        self.assignments += 1;
        let number = self.assignments;
        for key in partitions {
            // Under cooperative assignment a partition kept through a rebalance is not given again.
            self.owned.entry(key).or_insert(number);
        }
    }

    /// The number of the assignment under which the task owns `key` now, if it does.
    fn assignment_of(&self, key: &PartitionKey) -> Option<u64> {
        self.owned.get(key).copied()
    }

    /// Forgets `partitions` and returns what must be committed for them before they go: what the
    /// last flush covered and Kafka does not have yet.
    fn revoked(
        &mut self,
        partitions: impl IntoIterator<Item = PartitionKey>,
    ) -> HashMap<PartitionKey, i64> {
        let mut to_commit = HashMap::new();
        for key in partitions {
            self.owned.remove(&key);
            self.current.remove(&key);
            let committed = self.committed.remove(&key);
            if let Some(flushed) = self.flushed.remove(&key) {
                if committed != Some(flushed) {
                    to_commit.insert(key, flushed);
                }
            }
        }
        to_commit
    }

    /// After a failed flush: what was put since the last successful flush may not be durable (a
    /// failed write can lose buffered data, and on Linux a later `fsync` can then succeed without
    /// it), so no commit of this task may cover it. The offsets go back to what the last
    /// successful flush covered and stay there: records put later (a batch already in hand, under
    /// a cooperative rebalance that keeps a partition) would otherwise move them past the gap.
    /// The task fails, and its next run reads those records again from the last commit.
    fn flush_failed(&mut self) {
        // `flushed` holds only owned partitions, as `current` does.
        self.current = self.flushed.clone();
        self.after_failed_flush = true;
    }

    /// Whether any of `partitions` has records put since the last flush.
    fn unflushed(&self, partitions: impl IntoIterator<Item = PartitionKey>) -> bool {
        partitions.into_iter().any(|key| {
            self.current
                .get(&key)
                .is_some_and(|put| self.flushed.get(&key) != Some(put))
        })
    }

    fn owns(&self, topic: &str, partition: i32) -> bool {
        // Few partitions per task: a scan saves building an owned key for each check.
        self.owned
            .keys()
            .any(|(t, p)| t == topic && *p == partition)
    }

    /// Records that a flush covered `offsets`, except for partitions revoked since they were read
    /// (the rebalance hook committed those).
    fn record_flushed(&mut self, offsets: &HashMap<PartitionKey, i64>) {
        if self.after_failed_flush {
            return;
        }
        for (key, offset) in offsets {
            if self.owned.contains_key(key) {
                self.flushed.insert(key.clone(), *offset);
            }
        }
    }

    /// Records that the messages before `next_offsets` were put (or skipped). A partition revoked
    /// since its messages were fetched is left out: its new owner reads them again from the offset
    /// committed at revocation, and a later commit from here would move that owner's position.
    fn consumed(&mut self, next_offsets: Vec<(PartitionKey, i64)>) {
        if self.after_failed_flush {
            return;
        }
        // Later entries of a partition are later offsets, so inserting in order keeps the last one.
        for (key, next) in next_offsets {
            if self.owned.contains_key(&key) {
                self.current.insert(key, next);
            }
        }
    }
}

/// A message that arrived while the task was paused, kept for the resume with the partition and
/// the assignment it was read under. Kafka's sink task never holds one: its poll stops with the
/// pause. librdkafka drops what it fetched before a pause too, so this happens only when a pause
/// did not take hold (see [`SinkWorker::set_paused`]).
struct Held<M> {
    partition: PartitionKey,
    assignment: u64,
    message: M,
}

/// The held messages to deliver on resume: those of partitions still owned under the assignment
/// they were read under. A partition taken away meanwhile was committed for at revocation without
/// them, so its owner (a new one, or this task again, given it back) reads them again from there;
/// delivering them here too would write them twice, and counting their offsets could cover records
/// that owner has not put yet. Returns them and how many were left out.
fn still_assigned<M>(held: Vec<Held<M>>, offsets: &SinkOffsets) -> (Vec<M>, usize) {
    let total = held.len();
    let kept: Vec<M> = held
        .into_iter()
        .filter(|h| offsets.assignment_of(&h.partition) == Some(h.assignment))
        .map(|h| h.message)
        .collect();
    let dropped = total - kept.len();
    (kept, dropped)
}

/// The offsets of `map` that differ from `committed`, as a partition list to commit.
fn to_commit(
    map: &HashMap<PartitionKey, i64>,
    committed: &HashMap<PartitionKey, i64>,
) -> TopicPartitionList {
    offset_list(
        map.iter()
            .filter(|(key, offset)| committed.get(*key) != Some(*offset)),
    )
}

fn offset_list<'a>(
    offsets: impl IntoIterator<Item = (&'a PartitionKey, &'a i64)>,
) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for ((topic, partition), offset) in offsets {
        let _ = tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset));
    }
    tpl
}

/// What must be flushed before offsets are committed: the connector's task and the dead-letter
/// queue. Shared by the task loop and the rebalance hook. The hook runs within the loop's own polls
/// of the consumer, never while the loop holds the lock, and in the consumer's close, when the
/// loop has ended (and `closing` keeps it from flushing).
struct Outputs {
    task: Box<dyn SinkTask>,
    dlq: Option<DeadLetterQueue>,
}

impl Outputs {
    /// Makes what was put, and every dead-lettered record, durable.
    async fn flush(&mut self) -> Result<(), ConnectError> {
        self.task.flush().await?;
        // Dead-lettered records count as handled only once Kafka has them.
        if let Some(dlq) = self.dlq.as_mut() {
            dlq.flush().await?;
        }
        Ok(())
    }
}

type SharedOutputs = Arc<tokio::sync::Mutex<Outputs>>;

/// Marks the consumer as closing when dropped.
struct ClosingOnDrop(Arc<SinkContext>);

impl Drop for ClosingOnDrop {
    fn drop(&mut self) {
        self.0.closing.store(true, Ordering::SeqCst);
    }
}

/// Rebalance hook: remembers which partitions the task owns; before partitions are taken away,
/// flushes the task (as Kafka's sink task does), commits what the flush covered for them and
/// forgets them, so their new owner neither reads again what was put nor is rewound by a later
/// commit. Partitions it is given are paused or resumed to match the task's state.
struct SinkContext {
    offsets: Arc<Mutex<SinkOffsets>>,
    id: TaskId,
    outputs: SharedOutputs,
    /// How long the flush before a revocation may take.
    flush_timeout: Duration,
    /// The task's stop: a flush before a revocation gives way to it.
    stop: tokio_util::sync::CancellationToken,
    /// Set once the loop has ended (after its last flush and commit, successful or not, or when the
    /// task's future is dropped): the consumer's close revokes its partitions without a flush.
    closing: AtomicBool,
    /// Counts flushes before a revocation that could not run, as the loop's own failures are
    /// counted.
    errors: prometheus::IntCounter,
    /// A flush before a revocation that failed: the loop fails the task with it, as it does when
    /// its own flush fails.
    failed_flush: Mutex<Option<ConnectError>>,
    /// Whether the task is paused. librdkafka keeps a partition's pause through its revocation,
    /// so a partition paused, taken away, and given back later would otherwise never be fetched
    /// again; Kafka's consumer forgets the pause of a partition it loses, and Kafka's sink task
    /// pauses what it is given while paused. Both hold here.
    paused: AtomicBool,
}

impl ClientContext for SinkContext {}

/// The partitions of a rebalance event, as offset-map keys.
fn partition_keys(list: &TopicPartitionList) -> impl Iterator<Item = PartitionKey> + '_ {
    list.elements()
        .into_iter()
        .map(|e| (e.topic().to_string(), e.partition()))
}

/// Pauses or resumes `partitions` of `consumer`; a refusal is logged (the partitions keep their
/// state, which the next pause, resume or assignment sets again).
fn pause_or_resume(
    consumer: &impl Consumer<SinkContext>,
    partitions: &TopicPartitionList,
    paused: bool,
    id: &TaskId,
) {
    let applied = if paused {
        consumer.pause(partitions)
    } else {
        consumer.resume(partitions)
    };
    if let Err(e) = applied {
        tracing::warn!(task = %id, error = %e, paused, "cannot pause or resume partitions");
    }
}

/// The partitions of a rebalance event as Kafka's logs name them: `topic-0, topic-2`.
fn partition_names(list: &TopicPartitionList) -> String {
    let names: Vec<String> = list
        .elements()
        .iter()
        .map(|e| format!("{}-{}", e.topic(), e.partition()))
        .collect();
    names.join(", ")
}

impl SinkContext {
    /// Flushes the task and the dead-letter queue from the rebalance hook. librdkafka's hook is
    /// synchronous and the flush is not, so the hook blocks its runtime thread on the flush, as
    /// Kafka's blocks its consumer's poll; the runtime moves its other work elsewhere meanwhile.
    fn flush_before_revocation(&self) -> Result<(), NoFlush> {
        let handle =
            tokio::runtime::Handle::try_current().map_err(|e| NoFlush::GivenUp(e.to_string()))?;
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return Err(NoFlush::GivenUp(
                "the runtime cannot block a thread (not multi-threaded)".into(),
            ));
        }
        // The loop never holds the lock while it polls the consumer; should it, no flush beats a
        // deadlock.
        let mut outputs = self
            .outputs
            .try_lock()
            .map_err(|_| NoFlush::GivenUp("the task's outputs are in use".into()))?;
        // Bounded, and given up for a stop: the rebalance, and a stop, wait for it. A flush given
        // up loses nothing (the dead-letter queue keeps what it did not see answered).
        let flush = async {
            tokio::select! {
                flushed = tokio::time::timeout(self.flush_timeout, outputs.flush()) => match flushed {
                    Ok(result) => result.map_err(NoFlush::Failed),
                    Err(_) => Err(NoFlush::GivenUp(format!(
                        "the flush did not finish within {:?} (offset.flush.timeout.ms)",
                        self.flush_timeout
                    ))),
                },
                _ = self.stop.cancelled() => Err(NoFlush::GivenUp("the task is stopping".into())),
            }
        };
        tokio::task::block_in_place(|| handle.block_on(flush))
    }

    /// The failure of a flush before a revocation, if one failed since the last call.
    fn take_failed_flush(&self) -> Option<ConnectError> {
        lock(&self.failed_flush).take()
    }
}

/// Why there was no flush before a revocation.
enum NoFlush {
    /// The flush ran and failed: what was put since the last flush may be lost.
    Failed(ConnectError),
    /// It did not run, or ran out of time, or gave way to a stop: nothing is lost, the records
    /// are only read again.
    GivenUp(String),
}

impl ConsumerContext for SinkContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let revoked = match rebalance {
            Rebalance::Assign(assigned) => {
                lock(&self.offsets).assigned(partition_keys(assigned));
                return;
            }
            Rebalance::Revoke(revoked) => revoked,
            Rebalance::Error(_) => return,
        };
        // Lost partitions (the member's session expired) are not committed for: the group has moved
        // on and refuses the commit, and Kafka does not try either.
        let lost = consumer.assignment_lost();
        let unflushed = lock(&self.offsets).unflushed(partition_keys(revoked));
        if unflushed && !lost && !self.closing.load(Ordering::SeqCst) {
            match self.flush_before_revocation() {
                Ok(()) => {
                    let mut state = lock(&self.offsets);
                    let current = state.current.clone();
                    state.record_flushed(&current);
                }
                Err(NoFlush::GivenUp(reason)) => {
                    self.errors.inc();
                    tracing::warn!(task = %self.id, reason, "no flush before the partitions are revoked: only the last periodic commit stands, and their new owner reads again what was put since");
                }
                Err(NoFlush::Failed(e)) => {
                    tracing::warn!(task = %self.id, error = %e, "the flush before the partitions are revoked failed: only the last periodic commit stands, and the task fails");
                    lock(&self.offsets).flush_failed();
                    *lock(&self.failed_flush) = Some(e);
                }
            }
        }
        let flushed = lock(&self.offsets).revoked(partition_keys(revoked));
        let tpl = offset_list(&flushed);
        if tpl.count() > 0 && !lost {
            if let Err(e) = consumer.commit(&tpl, CommitMode::Sync) {
                tracing::warn!(task = %self.id, error = %e, "commit on partition revocation failed; the new owner may re-deliver some records");
            }
        }
        tracing::info!(task = %self.id, partitions = %partition_names(revoked), "partitions revoked");
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Assign(assigned) = rebalance else {
            return;
        };
        let paused = self.paused.load(Ordering::SeqCst);
        pause_or_resume(consumer, assigned, paused, &self.id);
        tracing::info!(task = %self.id, partitions = %partition_names(assigned), paused, "partitions assigned");
    }
}

pub async fn run(
    spec: SinkTaskSpec,
    mut control: TaskControl,
    on_running: impl Fn(bool),
) -> TaskExit {
    let SinkTaskSpec {
        id,
        task,
        task_config,
        consumer_config,
        converters,
        transforms,
        subscription,
        flush_interval,
        flush_timeout,
        max_poll_records,
        metrics,
        topics,
        errors,
        dlq,
    } = spec;
    let dlq = match dlq {
        None => None,
        Some(setup) => {
            match DeadLetterQueue::open(
                setup.settings,
                &setup.producer_config,
                &setup.admin_config,
                metrics.error_handling.clone(),
            )
            .await
            {
                Ok(q) => Some(q),
                Err(e) => return TaskExit::Failed(e.trace()),
            }
        }
    };
    let outputs: SharedOutputs = Arc::new(tokio::sync::Mutex::new(Outputs { task, dlq }));
    let offsets = Arc::new(Mutex::new(SinkOffsets::default()));
    let context = SinkContext {
        offsets: Arc::clone(&offsets),
        id: id.clone(),
        outputs: Arc::clone(&outputs),
        flush_timeout,
        stop: control.stop.clone(),
        errors: metrics.errors.clone(),
        failed_flush: Mutex::new(None),
        closing: AtomicBool::new(false),
        paused: AtomicBool::new(false),
    };
    let consumer = match create_consumer(&consumer_config, context, &subscription) {
        Ok(c) => Arc::new(c),
        Err(e) => return TaskExit::Failed(e.trace()),
    };
    // Dropped before the consumer, also when this future is dropped mid-way (an abandoned stop, a
    // runtime shutting down): the close that follows revokes without a flush.
    let _closing = ClosingOnDrop(Arc::clone(consumer.context()));
    // A `topics.regex` is matched against the cluster's topics by the loop's first step (its
    // first refresh is due at once), before the first poll.
    let mut pattern = match &subscription {
        Subscription::Topics(_) => None,
        Subscription::Regex { .. } => match subscription.selector() {
            Ok(selector) => Some(PatternSubscription::new(
                selector,
                RefreshSchedule::from_consumer_config(&consumer_config),
            )),
            Err(reason) => return TaskExit::Failed(ConnectError::new(reason).trace()),
        },
    };
    if let Err(e) = outputs.lock().await.task.start(&task_config).await {
        return TaskExit::Failed(e.trace());
    }
    on_running(false);
    tracing::info!(task = %id, subscription = ?subscription, "sink task running");

    let mut worker = SinkWorker {
        id: &id,
        consumer: &consumer,
        offsets: &offsets,
        converters: &converters,
        transforms: &transforms,
        metrics: &metrics,
        topics: &topics,
        errors: &errors,
        outputs: &outputs,
        commit_timeout: flush_timeout,
        commit_in_flight: None,
        last_topic: None,
    };
    let mut stream = consumer.stream().ready_chunks(max_poll_records.max(1));
    let mut tick = tokio::time::interval(flush_interval);
    // After a long step (a slow flush, a pause), one commit, not one per interval missed.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    // Messages that still arrive while paused: converted and delivered on resume, if their
    // partitions were not taken away meanwhile, and only then do their offsets count as consumed
    // (a commit while paused, or on a stop before the resume, must not cover records the sink
    // never got).
    let mut held: Vec<Held<BorrowedMessage<'_>>> = Vec::new();
    let mut exit = TaskExit::Stopped;
    loop {
        // When a `topics.regex` is due a look at the cluster's topics (never, for a topic list).
        let pattern_due = pattern.as_ref().map(|p| p.next);
        let refresh_due = async move {
            match pattern_due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let step: Result<(), ConnectError> = async {
            if let Some(p) = pattern
                .as_mut()
                .filter(|p| p.next <= tokio::time::Instant::now())
            {
                return p.refresh(&consumer, &id, &control.stop).await;
            }
            if control.is_paused() {
                worker.set_paused(true);
                on_running(true);
                tokio::select! {
                    _ = control.stop.cancelled() => {}
                    _ = control.paused.changed() => {
                        if !control.is_paused() {
                            worker.set_paused(false);
                            on_running(false);
                        }
                    }
                    _ = tick.tick() => worker.commit().await?,
                    _ = refresh_due => {}
                    batch = stream.next() => {
                        if let Some(batch) = batch {
                            worker.hold(batch, &mut held)?;
                            worker.set_paused(true);
                        }
                    }
                }
                return Ok(());
            }
            if !held.is_empty() {
                let (batch, dropped) = still_assigned(std::mem::take(&mut held), &lock(&offsets));
                if dropped > 0 {
                    tracing::info!(task = %id, messages = dropped, "left out messages fetched before the pause, of partitions revoked since: they are read again from the offset committed at revocation");
                }
                return worker.process(batch.into_iter().map(Ok).collect()).await;
            }
            tokio::select! {
                _ = control.stop.cancelled() => Ok(()),
                // A pause takes hold at once, not after the next batch (Kafka wakes its consumer).
                Ok(()) = control.paused.changed() => Ok(()),
                _ = tick.tick() => worker.commit().await,
                _ = refresh_due => Ok(()),
                batch = stream.next() => match batch {
                    Some(batch) => worker.process(batch).await,
                    None => Err(ConnectError::new("the Kafka consumer stream ended")),
                }
            }
        }
        .await;
        // A flush before a revocation runs within the step's polls; its failure fails the task
        // (the hook logged it; a step that failed on its own keeps its own error).
        let step = match (step, consumer.context().take_failed_flush()) {
            (Ok(()), Some(flush_failure)) => Err(flush_failure),
            (step, _) => step,
        };
        if let Err(e) = step {
            metrics.errors.inc();
            exit = TaskExit::Failed(e.trace());
            break;
        }
        if control.stop.is_cancelled() {
            break;
        }
    }
    drop(stream);
    // Stop: flush and commit what was put, then let the connector close its output. Also after a
    // failure, as Kafka's closing of the partitions does: the offsets cover only batches whose `put`
    // returned (a failed batch was never counted), and they are committed only if `flush` succeeds
    // now and every dead-lettered record was acknowledged, so what they cover is durable.
    // A failure here does not change how the task ends, as in Kafka ("Offset commit failed during
    // close"): nothing it did not cover is committed, and the next run reads it again.
    if let Err(e) = worker.commit().await {
        tracing::warn!(
            task = %id,
            error = %e,
            "Offset commit failed during close; the records since the last commit will be read again"
        );
    }
    outputs.lock().await.task.stop().await;
    tracing::info!(task = %id, "sink task stopped");
    exit
}

fn create_consumer(
    config: &BTreeMap<String, String>,
    context: SinkContext,
    subscription: &Subscription,
) -> Result<StreamConsumer<SinkContext>, ConnectError> {
    let mut client = ClientConfig::new();
    for (k, v) in config {
        client.set(k, v);
    }
    let consumer: StreamConsumer<SinkContext> = client
        .create_with_context(context)
        .map_err(|e| ConnectError::with_source("Failed to create the consumer of the sink task (check the consumer.* and consumer.override.* settings)", e))?;
    // A regex is subscribed topic by topic as [`PatternSubscription`] finds them.
    if let Subscription::Topics(topics) = subscription {
        subscribe(&consumer, topics)?;
    }
    Ok(consumer)
}

fn subscribe<C: ConsumerContext>(
    consumer: &StreamConsumer<C>,
    topics: &[String],
) -> Result<(), ConnectError> {
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    consumer
        .subscribe(&refs)
        .map_err(|e| ConnectError::with_source(format!("Failed to subscribe to {topics:?}"), e))
}

/// How long one look at the cluster's topics may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// A `topics.regex` subscription kept up to date, as Kafka's consumer keeps a pattern
/// subscription: the topics the pattern selects, looked for again on a schedule, and subscribed
/// anew (a rebalance, which commits what was flushed) when they change. See
/// [`super::subscription`] for why librdkafka's own pattern subscriptions are not used.
struct PatternSubscription {
    selector: TopicSelector,
    subscribed: BTreeSet<String>,
    schedule: RefreshSchedule,
    /// When to look again.
    next: tokio::time::Instant,
}

impl PatternSubscription {
    fn new(selector: TopicSelector, schedule: RefreshSchedule) -> Self {
        PatternSubscription {
            selector,
            subscribed: BTreeSet::new(),
            schedule,
            next: tokio::time::Instant::now(),
        }
    }

    /// Looks at the cluster's topics and subscribes to those the pattern selects, if they changed.
    /// A failed look is logged and retried soon (the task keeps consuming what it has, as Kafka's
    /// consumer does while its metadata is stale); only a refused subscription fails the task. A
    /// stop does not wait for the broker's answer.
    async fn refresh(
        &mut self,
        consumer: &Arc<StreamConsumer<SinkContext>>,
        id: &TaskId,
        stop: &tokio_util::sync::CancellationToken,
    ) -> Result<(), ConnectError> {
        let client = Arc::clone(consumer);
        // The metadata request blocks its thread until the broker answers.
        let lookup = tokio::task::spawn_blocking(move || {
            client
                .fetch_metadata(None, METADATA_TIMEOUT)
                .map(|metadata| {
                    metadata
                        .topics()
                        .iter()
                        .map(|t| t.name().to_string())
                        .collect::<Vec<_>>()
                })
        });
        let fetched = tokio::select! {
            fetched = lookup => fetched,
            // The blocking lookup finishes on its own; its answer is dropped.
            _ = stop.cancelled() => return Ok(()),
        };
        let names = match fetched {
            Ok(Ok(names)) => names,
            Ok(Err(e)) => {
                let wait = self.schedule.next_wait(false);
                tracing::warn!(task = %id, error = %e, retry_in = ?wait, "could not list the cluster's topics to match topics.regex");
                self.next = tokio::time::Instant::now() + wait;
                return Ok(());
            }
            Err(e) => {
                return Err(ConnectError::with_source(
                    "the lookup of the topics matching topics.regex did not finish",
                    e,
                ))
            }
        };
        self.next = tokio::time::Instant::now() + self.schedule.next_wait(true);
        let selected = self.selector.select(names.iter().map(String::as_str));
        if selected == self.subscribed {
            return Ok(());
        }
        if selected.is_empty() {
            consumer.unsubscribe();
        } else {
            subscribe(consumer, &selected.iter().cloned().collect::<Vec<_>>())?;
        }
        tracing::info!(task = %id, topics = ?selected, "topics.regex subscription updated");
        self.subscribed = selected;
        Ok(())
    }
}

struct SinkWorker<'a> {
    id: &'a TaskId,
    consumer: &'a Arc<StreamConsumer<SinkContext>>,
    offsets: &'a Mutex<SinkOffsets>,
    converters: &'a RecordConverters,
    transforms: &'a TransformChain,
    metrics: &'a TaskMetrics,
    topics: &'a ActiveTopics,
    errors: &'a ErrorPolicy,
    outputs: &'a tokio::sync::Mutex<Outputs>,
    /// How long an offset commit may take (`offset.flush.timeout.ms`).
    commit_timeout: Duration,
    /// A commit that outlived its wait and is still running.
    commit_in_flight: Option<tokio::task::JoinHandle<rdkafka::error::KafkaResult<()>>>,
    /// The topic of the last message converted in this batch, shared by the records that follow it
    /// from the same topic instead of copied into each.
    last_topic: Option<Arc<str>>,
}

impl SinkWorker<'_> {
    /// The topic of a converted record, shared with the records before it from the same topic.
    /// A topic new to the batch is recorded as active: Kafka records the consumed topic once the
    /// record is converted, before the transforms (which may route it elsewhere or drop it), and
    /// recording it again in each batch follows a reset of the connector's topics.
    fn shared_topic(&mut self, name: &str) -> Arc<str> {
        match &self.last_topic {
            Some(topic) if **topic == *name => Arc::clone(topic),
            _ => {
                self.topics.record(name);
                let topic: Arc<str> = Arc::from(name);
                self.last_topic = Some(Arc::clone(&topic));
                topic
            }
        }
    }

    /// Pauses (or resumes) the partitions the task has, and, through the rebalance hook, those it
    /// is given until the next call.
    fn set_paused(&self, paused: bool) {
        // Rebalance callbacks run within this task's polls of the stream, so none runs between
        // these lines; the flag covers those of the polls to come.
        self.consumer
            .context()
            .paused
            .store(paused, Ordering::SeqCst);
        match self.consumer.assignment() {
            Ok(assignment) => pause_or_resume(self.consumer.as_ref(), &assignment, paused, self.id),
            // The loop calls this again on each step while paused; meanwhile messages that arrive
            // are held.
            Err(e) => {
                tracing::warn!(task = %self.id, error = %e, paused, "cannot read the assignment to pause or resume it")
            }
        }
    }

    fn stage_failure(
        &self,
        stage: Stage,
        class_name: &str,
        m: &BorrowedMessage<'_>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StageFailure {
        let record = describe_consumed(m);
        StageFailure {
            task: self.id.clone(),
            stage,
            class_name: class_name.to_string(),
            logged_record: self.errors.log_include_messages.then(|| record.clone()),
            record,
            source: Box::new(source),
        }
    }

    /// A tolerated failure: count it and send the consumed record, unchanged, to the dead-letter queue.
    async fn skip(
        &mut self,
        m: &BorrowedMessage<'_>,
        failure: StageFailure,
    ) -> Result<(), ConnectError> {
        self.metrics.errors.inc();
        self.dead_letter(m, &failure).await
    }

    /// A failure that fails the task. As Kafka's reporters do before the task fails, the record
    /// goes to the dead-letter queue (when there is one), written before the task stops. The
    /// task's own error is what it fails with, even if that write fails too.
    async fn fail(&mut self, m: &BorrowedMessage<'_>, failed: Intolerable) -> ConnectError {
        // Counted as an error where the task's failure is.
        let written: Result<(), ConnectError> = async {
            self.dead_letter(m, &failed.failure).await?;
            if let Some(dlq) = self.outputs.lock().await.dlq.as_mut() {
                dlq.flush().await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = written {
            tracing::warn!(task = %self.id, error = %e, "the record that fails the task could not be written to the dead-letter queue");
        }
        failed.into_error()
    }

    /// Sends the consumed record, unchanged, to the dead-letter queue, if the connector has one.
    async fn dead_letter(
        &mut self,
        m: &BorrowedMessage<'_>,
        failure: &StageFailure,
    ) -> Result<(), ConnectError> {
        if let Some(dlq) = self.outputs.lock().await.dlq.as_mut() {
            let headers = m
                .headers()
                .map(|hs| hs.iter().map(|h| (h.key, h.value)).collect())
                .unwrap_or_default();
            let record = ErrantRecord {
                topic: m.topic(),
                partition: m.partition(),
                offset: m.offset(),
                timestamp: m.timestamp().to_millis(),
                key: m.key(),
                value: m.payload(),
                headers,
            };
            dlq.report(&record, failure).await?;
        }
        Ok(())
    }

    /// Applies the error policy to one stage's result. `Ok(None)`: the record was skipped.
    async fn tolerate<T, E>(
        &mut self,
        m: &BorrowedMessage<'_>,
        stage: Stage,
        class: &str,
        result: Result<T, E>,
        retriable: bool,
    ) -> Result<Option<T>, ConnectError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let failure = self.stage_failure(stage, class, m, e);
                let outcome =
                    self.errors
                        .decide::<T>(failure, retriable, &self.metrics.error_handling);
                self.settle(m, outcome).await
            }
        }
    }

    /// Turns a policy outcome into the record to go on with, a skip, or the task's failure.
    async fn settle<T>(
        &mut self,
        m: &BorrowedMessage<'_>,
        outcome: Outcome<T>,
    ) -> Result<Option<T>, ConnectError> {
        match outcome {
            Outcome::Done(v) => Ok(Some(v)),
            Outcome::Skip(f) => {
                self.skip(m, f).await?;
                Ok(None)
            }
            Outcome::Fail(f) => Err(self.fail(m, f).await),
        }
    }

    /// Converts a batch of consumed messages into records (transforms included), with the next
    /// offset of each partition in it: every consumed message advances its partition's offset,
    /// whether it is delivered, dropped or skipped, once the records were handed to the sink
    /// ([`SinkWorker::consumed`]).
    async fn convert(
        &mut self,
        batch: Vec<Result<BorrowedMessage<'_>, rdkafka::error::KafkaError>>,
    ) -> Result<(Vec<ConnectRecord>, Vec<(PartitionKey, i64)>), ConnectError> {
        let mut records = Vec::with_capacity(batch.len());
        self.last_topic = None;
        // The next offset of each partition in this batch, handed to the shared state once.
        let mut next_offsets: Vec<(PartitionKey, i64)> = Vec::new();
        // A batch never spans a rebalance (see `hold`), and librdkafka drops what it fetched for a
        // partition it revokes; should a message of a partition the task does not own arrive
        // anyway, its owner reads it from the offset committed at revocation: it is not put here.
        let mut last_checked: Option<(PartitionKey, bool)> = None;
        let mut not_owned = 0usize;
        for m in batch {
            let m = match m {
                Ok(m) => m,
                Err(e) => {
                    self.consumer_error(e)?;
                    continue;
                }
            };
            let owns = match &last_checked {
                Some(((topic, partition), owns))
                    if topic == m.topic() && *partition == m.partition() =>
                {
                    *owns
                }
                _ => {
                    let owns = lock(self.offsets).owns(m.topic(), m.partition());
                    last_checked = Some(((m.topic().to_string(), m.partition()), owns));
                    owns
                }
            };
            if !owns {
                not_owned += 1;
                continue;
            }
            self.metrics.records_read.inc();
            self.metrics
                .bytes_in
                .inc_by((m.key_len() + m.payload_len()) as u64);
            let record = self.convert_one(&m).await?;
            match next_offsets.last_mut() {
                Some(((topic, partition), next))
                    if topic == m.topic() && *partition == m.partition() =>
                {
                    *next = m.offset() + 1;
                }
                _ => next_offsets.push(((m.topic().to_string(), m.partition()), m.offset() + 1)),
            }
            if let Some(r) = record {
                records.push(r);
            }
        }
        if not_owned > 0 {
            tracing::debug!(task = %self.id, messages = not_owned, "left out messages of partitions the task does not own");
        }
        Ok((records, next_offsets))
    }

    /// A consumer error in a batch: what Kafka's consumer throws from `poll` fails the task, as
    /// there; transport and broker errors are retried by the client, so they are reported and the
    /// batch goes on.
    fn consumer_error(&self, e: KafkaError) -> Result<(), ConnectError> {
        match consumer_failure(&e) {
            Some(class) => Err(ConnectError::with_source(
                "The sink task's Kafka consumer failed",
                JavaException::new(class, e.to_string()),
            )),
            None => {
                tracing::warn!(task = %self.id, error = %e, "consumer error");
                Ok(())
            }
        }
    }

    /// Keeps a batch that arrived while paused for the resume, each message with the assignment
    /// it was read under; a consumer error is handled at once, as when running, and a message of
    /// a partition the task does not own is dropped (its owner reads it).
    ///
    /// A batch never spans a rebalance: rdkafka's stream ends its poll at a rebalance event and
    /// `ready_chunks` hands over what it has then, so the assignment now is the one every message
    /// of the batch was read under.
    fn hold<'m>(
        &self,
        batch: Vec<Result<BorrowedMessage<'m>, KafkaError>>,
        held: &mut Vec<Held<BorrowedMessage<'m>>>,
    ) -> Result<(), ConnectError> {
        let offsets = lock(self.offsets);
        for m in batch {
            let message = match m {
                Ok(m) => m,
                Err(e) => {
                    self.consumer_error(e)?;
                    continue;
                }
            };
            let partition = (message.topic().to_string(), message.partition());
            if let Some(assignment) = offsets.assignment_of(&partition) {
                held.push(Held {
                    partition,
                    assignment,
                    message,
                });
            }
        }
        Ok(())
    }

    /// Converts a batch of consumed messages and puts the records; then their offsets count as
    /// consumed.
    async fn process(
        &mut self,
        batch: Vec<Result<BorrowedMessage<'_>, KafkaError>>,
    ) -> Result<(), ConnectError> {
        let (records, offsets) = self.convert(batch).await?;
        self.deliver(records).await?;
        self.consumed(offsets);
        Ok(())
    }

    /// Marks offsets as consumed: the records before them were put (or skipped), so the next
    /// flush covers them and the commit after it may include them.
    fn consumed(&self, next_offsets: Vec<(PartitionKey, i64)>) {
        lock(self.offsets).consumed(next_offsets);
    }

    async fn convert_one(
        &mut self,
        m: &BorrowedMessage<'_>,
    ) -> Result<Option<ConnectRecord>, ConnectError> {
        let c = self.converters;
        let topic = m.topic();
        let key = c.key.to_connect_data(topic, m.key());
        let Some(key) = self
            .tolerate(m, Stage::KeyConverter, &c.key_class, key, false)
            .await?
        else {
            return Ok(None);
        };
        let value = c.value.to_connect_data(topic, m.payload());
        let Some(value) = self
            .tolerate(m, Stage::ValueConverter, &c.value_class, value, false)
            .await?
        else {
            return Ok(None);
        };
        let mut headers = Headers::new();
        if let Some(hs) = m.headers() {
            for h in hs.iter() {
                let converted = c.header.to_connect_header(topic, h.key, h.value);
                let Some(converted) = self
                    .tolerate(m, Stage::HeaderConverter, &c.header_class, converted, false)
                    .await?
                else {
                    return Ok(None);
                };
                headers.add(h.key, converted.schema, converted.value);
            }
        }
        let record = ConnectRecord {
            topic: self.shared_topic(topic),
            kafka_partition: Some(m.partition()),
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            timestamp: m.timestamp().to_millis(),
            headers,
            origin: RecordOrigin::Sink {
                kafka_offset: m.offset(),
            },
        };
        if self.transforms.is_empty() {
            return Ok(Some(record));
        }
        let retriable = |e: &TransformError| matches!(e.source, ConnectError::Retriable(_));
        let outcome = if self.errors.retries_enabled() {
            let failure = |e: TransformError| {
                let class = e.class_name.clone();
                self.stage_failure(Stage::Transformation, &class, m, e)
            };
            self.errors
                .run(
                    || self.transforms.apply(record.clone()),
                    retriable,
                    failure,
                    &self.metrics.error_handling,
                )
                .await
        } else {
            let mut record = record;
            match self.transforms.apply_in_place(&mut record) {
                Ok(disposition) => Outcome::Done(disposition.keep(record)),
                Err(e) => {
                    let r = retriable(&e);
                    let class = e.class_name.clone();
                    self.errors.decide(
                        self.stage_failure(Stage::Transformation, &class, m, e),
                        r,
                        &self.metrics.error_handling,
                    )
                }
            }
        };
        // A transform that dropped the record (`Done(None)`) and a skip both end its journey here.
        Ok(self.settle(m, outcome).await?.flatten())
    }

    async fn deliver(&mut self, records: Vec<ConnectRecord>) -> Result<(), ConnectError> {
        if records.is_empty() {
            return Ok(());
        }
        let n = records.len() as u64;
        self.outputs.lock().await.task.put(records).await?;
        self.metrics.records_put.inc_by(n);
        Ok(())
    }

    /// Commits `offsets` and waits at most `offset.flush.timeout.ms` for the answer, as Kafka's
    /// sink task bounds its commits ("Commit of offsets timed out"). librdkafka's synchronous
    /// commit waits for the group coordinator without limit, so it runs on a blocking thread: no
    /// runtime thread waits with it. A commit that outlives its wait still lands or fails on its
    /// own: the offsets it covers are durable, so at worst, landing after a later commit, it makes
    /// records be read again. One at a time: while such a commit runs, the next is not sent (a
    /// later one covers its offsets), so a coordinator that does not answer holds one blocking
    /// thread per task, not one per interval.
    async fn commit_offsets(&mut self, offsets: TopicPartitionList) -> Result<(), String> {
        if let Some(previous) = self.commit_in_flight.take() {
            if !previous.is_finished() {
                self.commit_in_flight = Some(previous);
                return Err(
                    "the previous commit is still waiting for the group coordinator".to_string(),
                );
            }
        }
        let consumer = Arc::clone(self.consumer);
        let mut commit =
            tokio::task::spawn_blocking(move || consumer.commit(&offsets, CommitMode::Sync));
        match tokio::time::timeout(self.commit_timeout, &mut commit).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(e.to_string()),
            Ok(Err(e)) => Err(format!("the commit did not finish: {e}")),
            Err(_) => {
                self.commit_in_flight = Some(commit);
                Err(format!(
                    "Commit of offsets timed out (offset.flush.timeout.ms = {} ms)",
                    self.commit_timeout.as_millis()
                ))
            }
        }
    }

    /// Flushes the sink, then commits the offsets the flush covered.
    async fn commit(&mut self) -> Result<(), ConnectError> {
        let (current, pending) = {
            let state = lock(self.offsets);
            (
                state.current.clone(),
                to_commit(&state.current, &state.committed),
            )
        };
        if pending.count() == 0 {
            return Ok(());
        }
        let started = Instant::now();
        if let Err(e) = self.outputs.lock().await.flush().await {
            lock(self.offsets).flush_failed();
            return Err(e);
        }
        lock(self.offsets).record_flushed(&current);
        let partitions = pending.count();
        match self.commit_offsets(pending).await {
            Ok(()) => {
                let mut state = lock(self.offsets);
                for (k, v) in current {
                    // A partition revoked meanwhile was committed by the rebalance hook; skip it.
                    if state.flushed.contains_key(&k) {
                        state.committed.insert(k, v);
                    }
                }
                self.metrics.commits_ok.inc();
                self.metrics
                    .commit_seconds
                    .observe(started.elapsed().as_secs_f64());
                tracing::debug!(task = %self.id, partitions, "committed sink offsets");
            }
            Err(reason) => {
                // Not fatal: the data is durable and the next commit covers it again.
                self.metrics.commits_failed.inc();
                tracing::warn!(task = %self.id, reason, "offset commit failed; it will be retried");
            }
        }
        Ok(())
    }
}

/// The Java exception Kafka's consumer throws from `poll` for a consumer error librdkafka reports,
/// which fails the task there; `None` for the errors both clients retry (transport failures, a
/// broker restarting, a leader moving).
fn consumer_failure(error: &KafkaError) -> Option<&'static str> {
    Some(match error.rdkafka_error_code()? {
        RDKafkaErrorCode::TopicAuthorizationFailed => {
            "org.apache.kafka.common.errors.TopicAuthorizationException"
        }
        RDKafkaErrorCode::GroupAuthorizationFailed => {
            "org.apache.kafka.common.errors.GroupAuthorizationException"
        }
        RDKafkaErrorCode::ClusterAuthorizationFailed => {
            "org.apache.kafka.common.errors.ClusterAuthorizationException"
        }
        RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed => {
            "org.apache.kafka.common.errors.SaslAuthenticationException"
        }
        // `auto.offset.reset=none` (librdkafka's `error`) and no committed offset.
        RDKafkaErrorCode::AutoOffsetReset => {
            "org.apache.kafka.clients.consumer.NoOffsetForPartitionException"
        }
        RDKafkaErrorCode::Fatal => "org.apache.kafka.common.KafkaException",
        _ => return None,
    })
}

/// How Kafka's error reporter names a consumed record (`ProcessingContext.toString`): its
/// coordinates, and its timestamp when it has one. Never its key or value: Kafka leaves record
/// content out of sink error logs even with `errors.log.include.messages=true`.
fn describe_consumed(m: &BorrowedMessage<'_>) -> String {
    let mut text = format!(
        "consumed record is {{topic='{}', partition={}, offset={}",
        m.topic(),
        m.partition(),
        m.offset()
    );
    let (timestamp, kind) = match m.timestamp() {
        Timestamp::CreateTime(ts) => (ts, "CreateTime"),
        Timestamp::LogAppendTime(ts) => (ts, "LogAppendTime"),
        Timestamp::NotAvailable => {
            text.push('}');
            return text;
        }
    };
    text.push_str(&format!(", timestamp={timestamp}, timestampType={kind}}}"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(partition: i32) -> PartitionKey {
        ("t".to_string(), partition)
    }

    #[test]
    fn offsets_of_partitions_revoked_before_their_messages_were_put_are_not_recorded() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1)]);
        state.consumed(vec![(key(0), 5), (key(1), 7)]);
        // Partition 1 moves to another task while messages fetched before that are still in hand.
        state.revoked([key(1)]);
        state.consumed(vec![(key(0), 9), (key(1), 12)]);
        assert_eq!(state.current.get(&key(0)), Some(&9));
        assert_eq!(
            state.current.get(&key(1)),
            None,
            "a commit from here would move the new owner's position"
        );
        // Assigned again: its messages count again.
        state.assigned([key(1)]);
        state.consumed(vec![(key(1), 20)]);
        assert_eq!(state.current.get(&key(1)), Some(&20));
    }

    #[test]
    fn revocation_commits_only_what_was_flushed_and_not_yet_committed() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1), key(2)]);
        state.consumed(vec![(key(0), 10), (key(1), 10), (key(2), 10)]);
        // Flushed: 0 up to 8 (committed), 1 up to 6 (not committed); 2 never flushed.
        state.flushed.insert(key(0), 8);
        state.committed.insert(key(0), 8);
        state.flushed.insert(key(1), 6);
        let to_commit = state.revoked([key(0), key(1), key(2)]);
        assert_eq!(
            to_commit,
            HashMap::from([(key(1), 6)]),
            "put but not flushed is never committed"
        );
        assert!(state.current.is_empty() && state.flushed.is_empty() && state.committed.is_empty());
        assert!(state.owned.is_empty());
    }

    #[test]
    fn a_flush_records_only_partitions_still_owned() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1)]);
        assert!(state.owns("t", 0) && state.owns("t", 1) && !state.owns("t", 2));
        assert!(!state.owns("other", 0));
        // The flush started with both partitions; partition 1 was revoked (and committed by the
        // rebalance hook) before it finished.
        let current = HashMap::from([(key(0), 10), (key(1), 20)]);
        state.revoked([key(1)]);
        assert!(!state.owns("t", 1));
        state.record_flushed(&current);
        assert_eq!(state.flushed, HashMap::from([(key(0), 10)]));
    }

    #[test]
    fn after_a_failed_flush_nothing_put_counts_any_more() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1)]);
        state.consumed(vec![(key(0), 100), (key(1), 40)]);
        let flushed = state.current.clone();
        state.record_flushed(&flushed);
        state.consumed(vec![(key(0), 150), (key(1), 60)]);
        state.flush_failed();
        assert_eq!(
            state.current, flushed,
            "back to what the last flush covered"
        );
        // A batch already in hand is put after the failure: counting it would move the offsets
        // past the records the failed flush may have lost.
        state.consumed(vec![(key(0), 160)]);
        state.record_flushed(&HashMap::from([(key(0), 160)]));
        assert_eq!(state.current, flushed);
        assert_eq!(state.flushed, flushed);
        // A revocation commits only what a successful flush covered.
        assert_eq!(
            state.revoked([key(0)]),
            HashMap::from([(key(0), 100)]),
            "what the last successful flush covered"
        );
    }

    #[test]
    fn a_partition_given_back_has_a_new_assignment_number() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1)]);
        let first = state.assignment_of(&key(0));
        assert!(first.is_some());
        assert_eq!(state.assignment_of(&key(1)), first);
        // Cooperative: partition 2 is added, 0 and 1 are kept with their numbers.
        state.assigned([key(2)]);
        assert_eq!(state.assignment_of(&key(0)), first);
        assert_ne!(state.assignment_of(&key(2)), first);
        state.revoked([key(0)]);
        assert_eq!(state.assignment_of(&key(0)), None);
        state.assigned([key(0)]);
        assert!(state.assignment_of(&key(0)).is_some());
        assert_ne!(state.assignment_of(&key(0)), first);
    }

    /// A message held under the task's current assignment of `partition`.
    fn held<M>(message: M, partition: i32, state: &SinkOffsets) -> Held<M> {
        let partition = key(partition);
        let assignment = state
            .assignment_of(&partition)
            .expect("the test holds messages of owned partitions");
        Held {
            partition,
            assignment,
            message,
        }
    }

    #[test]
    fn held_messages_of_partitions_taken_away_meanwhile_are_left_out() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1), key(2)]);
        let held = vec![
            held("p0", 0, &state),
            held("p1", 1, &state),
            held("p2", 2, &state),
            held("p0 again", 0, &state),
        ];
        // While paused: 1 is taken away for good; 2 is taken away and given back (its owner reads
        // it again from the offset committed at revocation); 3 is given to the task.
        state.revoked([key(1), key(2)]);
        state.assigned([key(2), key(3)]);
        let (kept, dropped) = still_assigned(held, &state);
        assert_eq!(kept, vec!["p0", "p0 again"]);
        assert_eq!(dropped, 2);
    }

    #[test]
    fn held_messages_are_all_kept_when_nothing_moved() {
        let mut state = SinkOffsets::default();
        state.assigned([key(0), key(1)]);
        let held = vec![held(1, 0, &state), held(2, 1, &state), held(3, 0, &state)];
        // A cooperative rebalance that adds a partition moves none of these.
        state.assigned([key(2)]);
        let (kept, dropped) = still_assigned(held, &state);
        assert_eq!((kept, dropped), (vec![1, 2, 3], 0));
    }

    #[test]
    fn commits_only_changed_offsets() {
        let mut current = HashMap::new();
        current.insert(("t".to_string(), 0), 10);
        current.insert(("t".to_string(), 1), 5);
        let mut committed = HashMap::new();
        committed.insert(("t".to_string(), 0), 10);
        let tpl = to_commit(&current, &committed);
        assert_eq!(tpl.count(), 1);
        let e = &tpl.elements()[0];
        assert_eq!((e.partition(), e.offset()), (1, Offset::Offset(5)));
    }
}
