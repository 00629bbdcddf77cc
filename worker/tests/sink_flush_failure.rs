//! A sink task whose flush fails, against a real Kafka-protocol broker in process (librdkafka's
//! mock cluster): the task fails, and no commit of it covers what was put since the last
//! successful flush, even when a later flush (the one on the way out) succeeds. A failed write can
//! lose buffered data, and on Linux a later fsync can succeed without it, so only a flush that
//! succeeded before the failure may be committed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ferry_worker::config::Props;
use ferry_worker::connectors::SinkTask;
use ferry_worker::converters::{SimpleHeaderConverter, StringConverter};
use ferry_worker::data::ConnectRecord;
use ferry_worker::errors::ConnectError;
use ferry_worker::metrics::WorkerMetrics;
use ferry_worker::runtime::converters::RecordConverters;
use ferry_worker::runtime::errors::ErrorPolicy;
use ferry_worker::runtime::sink_task::{self, SinkTaskSpec, Subscription};
use ferry_worker::runtime::task::{TaskControl, TaskExit, TaskId};
use ferry_worker::runtime::topics::ActiveTopics;
use ferry_worker::transforms::TransformChain;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

const TOPIC: &str = "lines";
const GROUP: &str = "connect-flaky";
const RECORDS: usize = 10;
const FLUSH_INTERVAL: Duration = Duration::from_millis(200);

/// What the sink saw: the values put, and each flush's outcome.
#[derive(Default)]
struct Seen {
    put: Vec<String>,
    flushes: Vec<bool>,
}

/// A sink whose flushes fail while `failing` flushes are left, then succeed.
struct FlakySink {
    seen: Arc<Mutex<Seen>>,
    failing: usize,
}

#[async_trait]
impl SinkTask for FlakySink {
    async fn start(&mut self, _props: &Props) -> Result<(), ConnectError> {
        Ok(())
    }

    async fn put(&mut self, records: Vec<ConnectRecord>) -> Result<(), ConnectError> {
        let mut seen = self.seen.lock().expect("not poisoned");
        seen.put
            .extend(records.iter().map(|r| format!("{:?}", r.value)));
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ConnectError> {
        let failed = self.failing > 0;
        self.failing = self.failing.saturating_sub(1);
        self.seen
            .lock()
            .expect("not poisoned")
            .flushes
            .push(!failed);
        if failed {
            return Err(ConnectError::new("the disk refused the write-back"));
        }
        Ok(())
    }
}

/// A mock cluster whose topic holds `RECORDS` records.
fn cluster_with_records() -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic(TOPIC, 1, 1).expect("topic");
    produce(&cluster.bootstrap_servers(), RECORDS);
    cluster
}

fn produce(bootstrap: &str, count: usize) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("producer");
    for i in 0..count {
        let value = format!("line {i}");
        producer
            .send(BaseRecord::<(), _>::to(TOPIC).payload(&value))
            .expect("queued");
    }
    producer.flush(Duration::from_secs(10)).expect("produced");
}

/// The group's committed offset of partition 0 (`None`: nothing committed).
fn committed(bootstrap: &str) -> Option<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", GROUP)
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(TOPIC, 0);
    let offsets = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    match offsets.elements()[0].offset() {
        Offset::Offset(o) => Some(o),
        _ => None,
    }
}

/// The connector's config: the error policy reads its `errors.*` keys (none here: Kafka's
/// defaults).
fn connector_config() -> Props {
    [
        ("name", "flaky"),
        ("connector.class", "FileStreamSink"),
        ("topics", TOPIC),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Runs a sink task with a `FlakySink` whose first `failing` flushes fail, flushing every
/// `flush_interval`, until it exits; it is stopped once every record is put and, if
/// `stop_once_flushed`, a flush succeeded.
async fn run_flaky_sink(
    bootstrap: &str,
    failing: usize,
    flush_interval: Duration,
    stop_once_flushed: bool,
) -> (TaskExit, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let consumer_config = [
        ("bootstrap.servers", bootstrap),
        ("group.id", GROUP),
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("auto.offset.reset", "earliest"),
        // The mock cluster holds the rebalance after a member leaves for the session timeout less
        // a second (librdkafka's default: 45 s), as herder_mock_kafka.rs notes; the next run
        // joins then.
        ("session.timeout.ms", "6000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let spec = SinkTaskSpec {
        id: TaskId {
            connector: "flaky".into(),
            task: 0,
        },
        task: Box::new(FlakySink {
            seen: Arc::clone(&seen),
            failing,
        }),
        task_config: Props::new(),
        consumer_config,
        converters: RecordConverters {
            key: Arc::new(StringConverter::default()),
            value: Arc::new(StringConverter::default()),
            header: Arc::new(SimpleHeaderConverter),
            key_class: "org.apache.kafka.connect.storage.StringConverter".into(),
            value_class: "org.apache.kafka.connect.storage.StringConverter".into(),
            header_class: "org.apache.kafka.connect.storage.SimpleHeaderConverter".into(),
        },
        transforms: TransformChain::new(Vec::new()),
        subscription: Subscription::Topics(vec![TOPIC.into()]),
        flush_interval,
        flush_timeout: Duration::from_secs(5),
        max_poll_records: 500,
        metrics: WorkerMetrics::new().expect("metrics").task("flaky", 0),
        topics: ActiveTopics::default(),
        errors: ErrorPolicy::from_config(&connector_config()).expect("default error policy"),
        dlq: None,
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let (_pause, paused) = tokio::sync::watch::channel(false);
    let control = TaskControl {
        stop: stop.clone(),
        paused,
    };
    let task = tokio::spawn(sink_task::run(spec, control, |_| {}));
    // A task that does not fail on its own is stopped once everything is put and flushed.
    let watched = Arc::clone(&seen);
    let stopper = tokio::spawn(async move {
        loop {
            let done = {
                let seen = watched.lock().expect("not poisoned");
                seen.put.len() >= RECORDS
                    && (!stop_once_flushed || seen.flushes.last() == Some(&true))
            };
            if done {
                stop.cancel();
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let exit = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .expect("the sink task exits within 60 s")
        .expect("the sink task does not panic");
    stopper.abort();
    (exit, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_flush_fails_the_task_and_nothing_it_did_not_cover_is_committed() {
    let cluster = cluster_with_records();
    let bootstrap = cluster.bootstrap_servers();

    let (exit, seen) = run_flaky_sink(&bootstrap, 1, FLUSH_INTERVAL, true).await;
    let trace = match exit {
        TaskExit::Failed(trace) => trace,
        TaskExit::Stopped => panic!("a failed flush must fail the task"),
    };
    assert!(
        trace.contains("the disk refused the write-back"),
        "the trace names the flush's failure: {trace}"
    );
    {
        let seen = seen.lock().expect("not poisoned");
        // The first flush comes with the first records put (all of them, or those read by then).
        assert!(!seen.put.is_empty(), "records were put before the flush");
        assert_eq!(
            seen.flushes.first(),
            Some(&false),
            "the first flush is the one that failed"
        );
    }
    // A flush on the way out would succeed here, but it cannot vouch for what the failed one may
    // have lost: nothing is committed, so the next run reads every record again.
    assert_eq!(
        committed(&bootstrap),
        None,
        "no commit covers records put before a failed flush"
    );

    // The next run, whose flushes succeed, puts every record again and commits them.
    let (exit, seen) = run_flaky_sink(&bootstrap, 0, FLUSH_INTERVAL, true).await;
    assert!(matches!(exit, TaskExit::Stopped), "stopped cleanly");
    assert_eq!(
        seen.lock().expect("not poisoned").put.len(),
        RECORDS,
        "the records are read again from the last commit"
    );
    assert_eq!(committed(&bootstrap), Some(RECORDS as i64));
}

/// A flush that fails on the task's stop is logged, as Kafka logs "Offset commit failed during
/// close": the task ends as stopped, and nothing is committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flush_failing_on_stop_commits_nothing_and_the_task_ends_stopped() {
    let cluster = cluster_with_records();
    let bootstrap = cluster.bootstrap_servers();

    // No periodic flush comes: the stop's is the first, and it fails.
    let (exit, seen) = run_flaky_sink(&bootstrap, 1, Duration::from_secs(3600), false).await;
    assert!(matches!(exit, TaskExit::Stopped), "a stop ends as stopped");
    assert_eq!(
        seen.lock().expect("not poisoned").flushes,
        vec![false],
        "one flush, on the stop, and it failed"
    );
    assert_eq!(committed(&bootstrap), None, "nothing is committed");
}
