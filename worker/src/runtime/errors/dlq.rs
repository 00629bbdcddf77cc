//! The sink dead-letter queue (`DeadLetterQueueReporter`): a tolerated failure sends the consumed
//! record, with its original key, value, headers and timestamp unchanged, to
//! `errors.deadletterqueue.topic.name`, plus `__connect.errors.*` headers when
//! `errors.deadletterqueue.context.headers.enable=true`.
//!
//! Unlike a fire-and-forget reporter, every dead-lettered record is awaited before the task commits
//! the offsets that cover it: a crash never loses a record that was neither delivered nor
//! dead-lettered.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

use crate::config::connector::{
    sink_config_def, DLQ_CONTEXT_HEADERS_ENABLE_CONFIG, DLQ_TOPIC_NAME_CONFIG,
    DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
};
use crate::config::{ConfigError, Props};
use crate::errors::{java_exception_class, java_trace, ConnectError};
use crate::metrics::ErrorHandlingMetrics;
use crate::runtime::task::StageFailure;
use crate::transforms::TransformError;

const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The `errors.deadletterqueue.*` settings of a sink connector.
#[derive(Debug, Clone, PartialEq)]
pub struct DlqSettings {
    pub topic: String,
    pub replication_factor: i16,
    pub context_headers: bool,
}

impl DlqSettings {
    /// `None` when no dead-letter topic is configured (the default, empty name).
    pub fn from_config(props: &Props) -> Result<Option<Self>, ConfigError> {
        let parsed = sink_config_def().parse(props)?;
        let topic = parsed
            .get_string(DLQ_TOPIC_NAME_CONFIG)
            .unwrap_or("")
            .trim()
            .to_string();
        if topic.is_empty() {
            return Ok(None);
        }
        Ok(Some(DlqSettings {
            topic,
            replication_factor: parsed
                .get_short(DLQ_TOPIC_REPLICATION_FACTOR_CONFIG)
                .unwrap_or(3),
            context_headers: parsed
                .get_bool(DLQ_CONTEXT_HEADERS_ENABLE_CONFIG)
                .unwrap_or(false),
        }))
    }
}

/// A consumed record as it was in Kafka.
pub struct ErrantRecord<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<(&'a str, Option<&'a [u8]>)>,
}

/// The error Kafka's reporters hold (`context.error()`): what the stage itself threw. For a
/// transform that is the transformation's own error, not the wrapper that names its alias for
/// Ferry's task trace.
fn reported_error(failure: &StageFailure) -> &(dyn std::error::Error + 'static) {
    match failure.source.downcast_ref::<TransformError>() {
        Some(wrapped) => &wrapped.source,
        None => failure.source.as_ref(),
    }
}

/// The `__connect.errors.*` context headers, in Kafka's order.
pub fn context_headers(
    record: &ErrantRecord<'_>,
    failure: &StageFailure,
) -> Vec<(&'static str, String)> {
    let error = reported_error(failure);
    vec![
        ("__connect.errors.topic", record.topic.to_string()),
        ("__connect.errors.partition", record.partition.to_string()),
        ("__connect.errors.offset", record.offset.to_string()),
        (
            "__connect.errors.connector.name",
            failure.task.connector.clone(),
        ),
        ("__connect.errors.task.id", failure.task.task.to_string()),
        ("__connect.errors.stage", failure.stage.as_str().to_string()),
        ("__connect.errors.class.name", failure.class_name.clone()),
        (
            "__connect.errors.exception.class.name",
            java_exception_class(error).to_string(),
        ),
        ("__connect.errors.exception.message", error.to_string()),
        ("__connect.errors.exception.stacktrace", java_trace(error)),
    ]
}

pub struct DeadLetterQueue {
    settings: DlqSettings,
    producer: FutureProducer,
    /// Writes not yet acknowledged, oldest first. One leaves only once its answer is in, so a
    /// flush given up half-way (a time limit, a stop) leaves the rest for the next flush to wait for.
    pending: VecDeque<DeliveryFuture>,
    /// A dead-letter write was refused: every later flush fails too, so no offset commit can ever
    /// cover the refused record (its write is no longer pending).
    refused: bool,
    /// Produce requests and failures, as Kafka's `deadletterqueue-produce-*` metrics count them.
    metrics: ErrorHandlingMetrics,
}

fn client(config: &BTreeMap<String, String>) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in config {
        c.set(k, v);
    }
    c
}

/// Whether `topic` exists, from every topic's metadata, as Kafka's `listTopics`: a request naming
/// the topic would let a broker with `auto.create.topics.enable` (its default) create it with its
/// own partition count and replication factor before the worker could create it with its own. An
/// unreachable cluster counts as "no": creating the topic then fails with the reason.
fn topic_exists(admin: &AdminClient<DefaultClientContext>, topic: &str) -> bool {
    admin
        .inner()
        .fetch_metadata(None, ADMIN_TIMEOUT)
        .map(|m| {
            m.topics()
                .iter()
                .any(|t| t.name() == topic && t.error().is_none())
        })
        .unwrap_or(false)
}

impl DeadLetterQueue {
    /// Creates the topic when it does not exist (one partition, the configured replication factor),
    /// then the producer. Fails as Kafka does when the topic cannot be set up.
    pub async fn open(
        settings: DlqSettings,
        producer_config: &BTreeMap<String, String>,
        admin_config: &BTreeMap<String, String>,
        metrics: ErrorHandlingMetrics,
    ) -> Result<Self, ConnectError> {
        let setup = |e: KafkaError| {
            ConnectError::with_source(
                format!(
                    "Could not initialize dead letter queue with topic={}",
                    settings.topic
                ),
                e,
            )
        };
        let admin: AdminClient<DefaultClientContext> =
            client(admin_config).create().map_err(setup)?;
        let exists = topic_exists(&admin, &settings.topic);
        if !exists {
            let topic = NewTopic::new(
                &settings.topic,
                1,
                TopicReplication::Fixed(i32::from(settings.replication_factor)),
            );
            let results = admin
                .create_topics(
                    &[topic],
                    &AdminOptions::new().request_timeout(Some(ADMIN_TIMEOUT)),
                )
                .await
                .map_err(setup)?;
            for r in results {
                match r {
                    Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                    Err((_, code)) => return Err(setup(KafkaError::AdminOp(code))),
                }
            }
            tracing::info!(topic = %settings.topic, "created the dead letter queue topic");
        }
        let producer = client(producer_config).create().map_err(setup)?;
        Ok(DeadLetterQueue {
            settings,
            producer,
            pending: VecDeque::new(),
            refused: false,
            metrics,
        })
    }

    /// Sends a record to the dead-letter topic; [`DeadLetterQueue::flush`] waits for it.
    pub async fn report(
        &mut self,
        record: &ErrantRecord<'_>,
        failure: &StageFailure,
    ) -> Result<(), ConnectError> {
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len() + 10);
        for (key, value) in &record.headers {
            headers = headers.insert(Header { key, value: *value });
        }
        if self.settings.context_headers {
            for (key, value) in context_headers(record, failure) {
                headers = headers.insert(Header {
                    key,
                    value: Some(value.as_bytes()),
                });
            }
        }
        let mut out: FutureRecord<'_, [u8], [u8]> =
            FutureRecord::to(&self.settings.topic).headers(headers);
        if let Some(k) = record.key {
            out = out.key(k);
        }
        if let Some(v) = record.value {
            out = out.payload(v);
        }
        if let Some(ts) = record.timestamp {
            out = out.timestamp(ts);
        }
        self.metrics.dead_letter_requests.inc();
        loop {
            match self.producer.send_result(out) {
                Ok(future) => {
                    self.pending.push_back(future);
                    return Ok(());
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    out = returned;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err((e, _)) => {
                    self.metrics.dead_letter_failures.inc();
                    return Err(self.produce_failed(e));
                }
            }
        }
    }

    /// Waits until every dead-lettered record is acknowledged. Every record is waited for, so each
    /// one the topic refused is counted; the first refusal is the error.
    ///
    /// Safe to give up half-way (drop): a write leaves `pending` only once its answer is in, and a
    /// refusal is recorded as soon as it is seen.
    pub async fn flush(&mut self) -> Result<(), ConnectError> {
        let mut first_error = None;
        while let Some(oldest) = self.pending.front_mut() {
            let answer = oldest.await;
            self.pending.pop_front();
            let error = match answer {
                Ok(Ok(_)) => continue,
                Ok(Err((e, _))) => self.produce_failed(e),
                Err(_) => ConnectError::new("the dead letter queue producer was closed"),
            };
            self.refused = true;
            self.metrics.dead_letter_failures.inc();
            first_error.get_or_insert(error);
        }
        if let Some(error) = first_error {
            return Err(error);
        }
        if self.refused {
            return Err(ConnectError::new(format!(
                "an earlier record could not be produced to dead letter queue topic={}",
                self.settings.topic
            )));
        }
        Ok(())
    }

    /// Kafka's message for a record the dead-letter topic did not take.
    fn produce_failed(&self, e: KafkaError) -> ConnectError {
        ConnectError::with_source(
            format!(
                "Could not produce message to dead letter queue. topic={}",
                self.settings.topic
            ),
            e,
        )
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converters::json::JsonConverter;
    use crate::converters::{Converter, ConverterKind};
    use crate::data::DataError;
    use crate::runtime::task::{Stage, TaskId};

    /// Looking for the topic must not create it: a broker that auto-creates topics (the mock does,
    /// with four partitions, as Kafka's default does with its own settings) would otherwise make it
    /// before the worker creates it with one partition and the configured replication factor.
    #[test]
    fn checking_for_the_topic_does_not_auto_create_it() {
        let cluster = rdkafka::mocking::MockCluster::new(1).unwrap();
        cluster.create_topic("present", 1, 1).unwrap();
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", cluster.bootstrap_servers())
            .create()
            .unwrap();
        assert!(topic_exists(&admin, "present"));
        assert!(!topic_exists(&admin, "absent"));
        // Still absent: the check above did not make the broker create it.
        assert!(!topic_exists(&admin, "absent"));
    }

    #[test]
    fn context_headers_name_the_record_stage_and_exception() {
        let record = ErrantRecord {
            topic: "in",
            partition: 2,
            offset: 41,
            timestamp: None,
            key: None,
            value: Some(b"{oops"),
            headers: Vec::new(),
        };
        let failure = StageFailure {
            task: TaskId {
                connector: "snk".into(),
                task: 1,
            },
            stage: Stage::ValueConverter,
            class_name: "org.apache.kafka.connect.json.JsonConverter".into(),
            record: String::new(),
            logged_record: None,
            // What the JsonConverter raises for these bytes.
            source: Box::new(
                JsonConverter::for_kind(&Props::new(), ConverterKind::Value)
                    .unwrap()
                    .to_connect_data("in", Some(b"{oops"))
                    .unwrap_err(),
            ),
        };
        let h: BTreeMap<_, _> = context_headers(&record, &failure).into_iter().collect();
        assert_eq!(h["__connect.errors.topic"], "in");
        assert_eq!(h["__connect.errors.partition"], "2");
        assert_eq!(h["__connect.errors.offset"], "41");
        assert_eq!(h["__connect.errors.connector.name"], "snk");
        assert_eq!(h["__connect.errors.task.id"], "1");
        assert_eq!(h["__connect.errors.stage"], "VALUE_CONVERTER");
        assert_eq!(
            h["__connect.errors.class.name"],
            "org.apache.kafka.connect.json.JsonConverter"
        );
        assert_eq!(
            h["__connect.errors.exception.class.name"],
            "org.apache.kafka.connect.errors.DataException"
        );
        // Kafka's message is the bare prefix; the parser's detail is the cause, in the trace.
        assert_eq!(
            h["__connect.errors.exception.message"],
            "Converting byte[] to Kafka Connect data failed due to serialization error: "
        );
        let trace = &h["__connect.errors.exception.stacktrace"];
        assert!(
            trace.starts_with(
                "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect \
                 data failed due to serialization error: \nCaused by: \
                 org.apache.kafka.common.errors.SerializationException: "
            ),
            "{trace}"
        );
        assert_eq!(h.len(), 10);
    }

    #[test]
    fn a_transforms_failure_is_reported_as_the_transformation_threw_it() {
        let record = ErrantRecord {
            topic: "in",
            partition: 0,
            offset: 7,
            timestamp: Some(1),
            key: None,
            value: Some(b"{}"),
            headers: Vec::new(),
        };
        let failure = |source: ConnectError| StageFailure {
            task: TaskId {
                connector: "snk".into(),
                task: 0,
            },
            stage: Stage::Transformation,
            class_name: "org.apache.kafka.connect.transforms.ExtractField$Value".into(),
            record: String::new(),
            logged_record: None,
            source: Box::new(TransformError {
                alias: "extract".into(),
                class_name: "org.apache.kafka.connect.transforms.ExtractField$Value".into(),
                source,
            }),
        };
        let unknown = failure(ConnectError::IllegalArgument("Unknown field: nope".into()));
        let h: BTreeMap<_, _> = context_headers(&record, &unknown).into_iter().collect();
        assert_eq!(h["__connect.errors.stage"], "TRANSFORMATION");
        assert_eq!(
            h["__connect.errors.class.name"],
            "org.apache.kafka.connect.transforms.ExtractField$Value"
        );
        assert_eq!(
            h["__connect.errors.exception.class.name"],
            "java.lang.IllegalArgumentException"
        );
        assert_eq!(
            h["__connect.errors.exception.message"],
            "Unknown field: nope"
        );
        assert_eq!(
            h["__connect.errors.exception.stacktrace"],
            "java.lang.IllegalArgumentException: Unknown field: nope"
        );

        let not_struct = failure(ConnectError::Data(DataError::new(
            "Only Struct objects supported for [field extraction], found: java.lang.String",
        )));
        let h: BTreeMap<_, _> = context_headers(&record, &not_struct).into_iter().collect();
        assert_eq!(
            h["__connect.errors.exception.class.name"],
            "org.apache.kafka.connect.errors.DataException"
        );
        assert_eq!(
            h["__connect.errors.exception.message"],
            "Only Struct objects supported for [field extraction], found: java.lang.String"
        );
    }

    /// A flush given up half-way (the flush before a revocation has a time limit, and gives way
    /// to a stop) must leave the writes it did not see answered for the next flush: were they
    /// dropped, that flush would succeed without them and an offset commit could cover records
    /// neither put nor dead-lettered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flush_given_up_half_way_leaves_its_writes_pending() {
        let cluster = rdkafka::mocking::MockCluster::new(1).unwrap();
        cluster.create_topic("dlq", 1, 1).unwrap();
        let clients: BTreeMap<String, String> =
            [("bootstrap.servers".to_string(), cluster.bootstrap_servers())].into();
        let settings = DlqSettings {
            topic: "dlq".into(),
            replication_factor: 1,
            context_headers: false,
        };
        let metrics = crate::metrics::WorkerMetrics::new()
            .unwrap()
            .task("snk", 0)
            .error_handling;
        let mut dlq = DeadLetterQueue::open(settings, &clients, &clients, metrics)
            .await
            .unwrap();
        let failure = StageFailure {
            task: TaskId {
                connector: "snk".into(),
                task: 0,
            },
            stage: Stage::ValueConverter,
            class_name: "org.apache.kafka.connect.json.JsonConverter".into(),
            record: String::new(),
            logged_record: None,
            source: Box::new(DataError::new("bad")),
        };
        let record = ErrantRecord {
            topic: "in",
            partition: 0,
            offset: 7,
            timestamp: None,
            key: None,
            value: Some(b"{oops"),
            headers: Vec::new(),
        };
        // The broker is down: the write cannot be answered before the flush is given up.
        cluster.broker_down(1).unwrap();
        dlq.report(&record, &failure).await.unwrap();
        let given_up = tokio::time::timeout(Duration::from_millis(200), dlq.flush()).await;
        assert!(
            given_up.is_err(),
            "the flush cannot finish with the broker down"
        );
        assert_eq!(dlq.pending(), 1, "the unanswered write is still pending");
        // Back up: the next flush waits for the write and succeeds once the broker has it.
        cluster.broker_up(1).unwrap();
        tokio::time::timeout(Duration::from_secs(60), dlq.flush())
            .await
            .expect("the write is answered once the broker is back")
            .unwrap();
        assert_eq!(dlq.pending(), 0);
    }

    #[test]
    fn settings_come_from_the_sink_config() {
        let mut p: Props = [
            ("name", "s"),
            ("connector.class", "FileStreamSink"),
            ("topics", "t"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(DlqSettings::from_config(&p).unwrap(), None);
        p.insert("errors.deadletterqueue.topic.name".into(), "dlq".into());
        p.insert(
            "errors.deadletterqueue.context.headers.enable".into(),
            "true".into(),
        );
        let s = DlqSettings::from_config(&p).unwrap().unwrap();
        assert_eq!(
            s,
            DlqSettings {
                topic: "dlq".into(),
                replication_factor: 3,
                context_headers: true
            }
        );
    }
}
