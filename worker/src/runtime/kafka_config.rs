//! Kafka client settings: Kafka Connect's defaults for the task clients, the worker's `producer.` /
//! `consumer.` settings and the connector's `producer.override.` / `consumer.override.` settings, and one
//! translation from Kafka's (Java client) keys to librdkafka's.
//!
//! Most keys mean the same in both clients and pass through. Java-only keys are translated where an
//! equivalent exists (`buffer.memory`), or dropped with a note where they have no meaning here
//! (serializers, interceptors, JMX reporters). Anything librdkafka does not know is rejected when the
//! client is created, with an error naming the key.

use std::collections::BTreeMap;

use super::kafka_security::{self, SecurityError};
use crate::config::{ConfigError, Props};

/// Client settings in librdkafka's keys, and notes for the log about keys that were dropped.
pub type ClientSettings = (BTreeMap<String, String>, Vec<String>);

/// Which client a configuration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    Producer,
    Consumer,
    Admin,
}

/// Keys of the Java client with no librdkafka equivalent: dropped from what librdkafka gets.
const IGNORED_JAVA_KEYS: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "interceptor.classes",
    "metric.reporters",
    "metrics.num.samples",
    "metrics.recording.level",
    "metrics.sample.window.ms",
    "auto.include.jmx.reporter",
    "max.block.ms",
    "partitioner.class",
    "partitioner.ignore.keys",
    "partitioner.adaptive.partitioning.enable",
    "partitioner.availability.timeout.ms",
    "default.api.timeout.ms",
    // Applied by the sink task itself, to `topics.regex` ([`exclude_internal_topics`]).
    "exclude.internal.topics",
    "allow.auto.create.topics",
    "metadata.recovery.strategy",
    "metadata.recovery.rebootstrap.trigger.ms",
    "enable.metrics.push",
    "client.rack",
    "internal.leave.group.on.close",
];

/// The consumer's `max.poll.records`, which librdkafka does not have: the worker applies it itself,
/// handing a sink task at most that many records in one `put`, as Kafka's consumer returns at most
/// that many from one poll.
pub const MAX_POLL_RECORDS: &str = "max.poll.records";

/// Kafka's consumer default for `max.poll.records`.
pub const DEFAULT_MAX_POLL_RECORDS: usize = 500;

/// `max.poll.records` among consumer settings, checked as Kafka's consumer config checks it (an
/// INT, at least 1); `None` when not set.
pub fn max_poll_records(props: &Props) -> Result<Option<usize>, ConfigError> {
    let Some(raw) = props.get(MAX_POLL_RECORDS) else {
        return Ok(None);
    };
    let invalid = |reason: &str| ConfigError::Invalid {
        name: MAX_POLL_RECORDS.to_string(),
        value: raw.clone(),
        reason: reason.to_string(),
    };
    match raw.trim().parse::<i32>() {
        Ok(n) if n >= 1 => Ok(usize::try_from(n).ok()),
        Ok(_) => Err(invalid("Value must be at least 1")),
        Err(_) => Err(invalid("Not a number of type INT")),
    }
}

/// Ferry's defaults that keep memory bounded; Kafka's Java clients bound it the same way
/// (`buffer.memory` = 32 MiB, fetch sizes), while librdkafka's own defaults allow up to 1 GiB queued
/// for producing and 64 MiB prefetched per consumer.
const PRODUCER_QUEUE_KBYTES: &str = "16384";
/// Records waiting for the broker's acknowledgement, counted. librdkafka's default (100,000) lets a
/// fast source queue far more than the byte bound suggests: each queued record also holds
/// librdkafka's message header and the task's copy of its source offset (a few hundred bytes for
/// a small record), which put 100,000 of them past 100 MiB. 20,000 is two of librdkafka's default
/// batches (`batch.num.messages`), enough to keep one request in flight and the next one filling.
const PRODUCER_QUEUE_MESSAGES: &str = "20000";
const CONSUMER_QUEUE_KBYTES: &str = "8192";

/// The settings for a source task's producer, in librdkafka's keys.
pub fn producer_config(
    worker_producer: &Props,
    connector_overrides: &Props,
    connector: &str,
    task: u32,
) -> Result<ClientSettings, SecurityError> {
    let client_id = format!("connector-producer-{connector}-{task}");
    base_producer_config(worker_producer, connector_overrides, client_id)
}

/// The settings for a sink task's dead-letter producer: a task producer's, with Kafka's client id
/// for it (`connector-dlq-producer-<connector>-<task>`), which `producer.client.id` and
/// `producer.override.client.id` replace as they do any default.
pub fn dlq_producer_config(
    worker_producer: &Props,
    connector_overrides: &Props,
    connector: &str,
    task: u32,
) -> Result<ClientSettings, SecurityError> {
    let client_id = format!("connector-dlq-producer-{connector}-{task}");
    base_producer_config(worker_producer, connector_overrides, client_id)
}

fn base_producer_config(
    worker_producer: &Props,
    connector_overrides: &Props,
    client_id: String,
) -> Result<ClientSettings, SecurityError> {
    // Kafka Connect's producer defaults (`Worker.baseProducerConfigs`), then the worker's, then the
    // connector's overrides.
    let mut merged = Props::new();
    merged.insert("acks".into(), "all".into());
    merged.insert("enable.idempotence".into(), "false".into());
    merged.insert("max.in.flight.requests.per.connection".into(), "1".into());
    merged.insert("delivery.timeout.ms".into(), i32::MAX.to_string());
    merged.insert("client.id".into(), client_id);
    merged.insert(
        "queue.buffering.max.kbytes".into(),
        PRODUCER_QUEUE_KBYTES.into(),
    );
    merged.insert(
        "queue.buffering.max.messages".into(),
        PRODUCER_QUEUE_MESSAGES.into(),
    );
    merged.extend(worker_producer.clone());
    merged.extend(connector_overrides.clone());
    translate(merged, ClientRole::Producer)
}

/// The settings for a sink task's consumer, in librdkafka's keys.
pub fn consumer_config(
    worker_consumer: &Props,
    connector_overrides: &Props,
    connector: &str,
    task: u32,
) -> Result<ClientSettings, SecurityError> {
    let mut merged = Props::new();
    merged.insert("group.id".into(), sink_group_id(connector));
    merged.insert("enable.auto.commit".into(), "false".into());
    merged.insert("auto.offset.reset".into(), "earliest".into());
    merged.insert(
        "client.id".into(),
        format!("connector-consumer-{connector}-{task}"),
    );
    merged.insert(
        "queued.max.messages.kbytes".into(),
        CONSUMER_QUEUE_KBYTES.into(),
    );
    merged.extend(worker_consumer.clone());
    merged.extend(connector_overrides.clone());
    // Offsets are stored and committed by the worker only after the sink flushed; librdkafka must not
    // store them on its own.
    merged.insert("enable.auto.offset.store".into(), "false".into());
    merged.insert("enable.auto.commit".into(), "false".into());
    translate(merged, ClientRole::Consumer)
}

/// The consumer's `exclude.internal.topics` (Kafka's default: true), the connector's override over
/// the worker's setting. librdkafka has no such key; Ferry applies it where it matches
/// `topics.regex` against the cluster's topics.
pub fn exclude_internal_topics(
    worker_consumer: &Props,
    connector_overrides: &Props,
) -> Result<bool, ConfigError> {
    let Some(raw) = connector_overrides
        .get(EXCLUDE_INTERNAL_TOPICS)
        .or_else(|| worker_consumer.get(EXCLUDE_INTERNAL_TOPICS))
    else {
        return Ok(true);
    };
    match crate::config::def::parse_type(
        EXCLUDE_INTERNAL_TOPICS,
        raw,
        crate::config::def::ConfigType::Boolean,
    )? {
        crate::config::def::TypedValue::Boolean(exclude) => Ok(exclude),
        _ => Ok(true),
    }
}

const EXCLUDE_INTERNAL_TOPICS: &str = "exclude.internal.topics";

/// The sink consumer group of a connector (`SinkUtils.consumerGroupId`).
pub fn sink_group_id(connector: &str) -> String {
    format!("connect-{connector}")
}

/// The settings for a sink task's dead-letter admin client (it creates the topic). Its default
/// client id is Kafka's for this client, `connector-dlq-adminclient-`, which names neither the
/// connector nor the task (`Worker.sinkTaskReporters` passes the bare prefix).
pub fn dlq_admin_config(
    worker_admin: &Props,
    connector_overrides: &Props,
) -> Result<ClientSettings, SecurityError> {
    admin_config(
        worker_admin,
        connector_overrides,
        "connector-dlq-adminclient-".into(),
    )
}

/// The settings for a connector's admin client, in librdkafka's keys: `client_id` as the default
/// client id, then the worker's admin settings, then the connector's `admin.override.` settings.
pub fn admin_config(
    worker_admin: &Props,
    connector_overrides: &Props,
    client_id: String,
) -> Result<ClientSettings, SecurityError> {
    let mut merged = Props::new();
    merged.insert("client.id".into(), client_id);
    merged.extend(worker_admin.clone());
    merged.extend(connector_overrides.clone());
    translate(merged, ClientRole::Admin)
}

/// Translates Java client keys to librdkafka keys. Returns the settings and notes for the log, or
/// the security setting that cannot be applied.
pub fn translate(props: Props, role: ClientRole) -> Result<ClientSettings, SecurityError> {
    let security = kafka_security::translate(&props)?;
    let mut out = security.settings;
    let mut notes = security.notes;
    for (key, value) in props {
        if kafka_security::is_kafka_security_key(&key) {
            continue;
        }
        if key == MAX_POLL_RECORDS {
            // Applied by the worker, not the client (see `max_poll_records`).
            continue;
        }
        if IGNORED_JAVA_KEYS.contains(&key.as_str()) {
            notes.push(format!(
                "client setting '{key}' has no equivalent in Ferry's Kafka client and is ignored"
            ));
            continue;
        }
        match key.as_str() {
            "buffer.memory" if role == ClientRole::Producer => match value.trim().parse::<u64>() {
                Ok(bytes) => {
                    out.insert(
                        "queue.buffering.max.kbytes".to_string(),
                        (bytes / 1024).max(1).to_string(),
                    );
                }
                Err(_) => notes.push(format!(
                    "client setting 'buffer.memory' must be a number of bytes, found '{value}'; ignored"
                )),
            },
            // Kafka's `none` (fail when a partition has no committed offset) is librdkafka's
            // `error`; the consumer error it raises fails the sink task, as Kafka's exception does.
            "auto.offset.reset" if value.trim() == "none" => {
                out.insert(key, "error".to_string());
            }
            _ => {
                out.insert(key, value);
            }
        }
    }
    Ok((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    #[test]
    fn exclude_internal_topics_is_the_overrides_then_the_workers_then_true() {
        let none = props(&[]);
        assert!(exclude_internal_topics(&none, &none).unwrap());
        let worker = props(&[("exclude.internal.topics", "FALSE ")]);
        assert!(!exclude_internal_topics(&worker, &none).unwrap());
        let connector = props(&[("exclude.internal.topics", "true")]);
        assert!(exclude_internal_topics(&worker, &connector).unwrap());
        let bad = props(&[("exclude.internal.topics", "no")]);
        assert_eq!(
            exclude_internal_topics(&none, &bad).unwrap_err().to_string(),
            "Invalid value no for configuration exclude.internal.topics: Expected value to be either true or false"
        );
    }

    #[test]
    fn producer_has_kafka_connects_defaults_and_overrides_win() {
        let (c, _) = producer_config(
            &props(&[("bootstrap.servers", "b:9092"), ("linger.ms", "10")]),
            &props(&[("linger.ms", "20")]),
            "src",
            0,
        )
        .unwrap();
        assert_eq!(c["acks"], "all");
        assert_eq!(c["max.in.flight.requests.per.connection"], "1");
        assert_eq!(c["client.id"], "connector-producer-src-0");
        assert_eq!(c["bootstrap.servers"], "b:9092");
        assert_eq!(c["linger.ms"], "20");
        assert_eq!(c["queue.buffering.max.kbytes"], "16384");
        assert_eq!(c["queue.buffering.max.messages"], "20000");
    }

    /// Kafka's `Worker.sinkTaskReporters`: the dead-letter producer's and admin client's default
    /// client ids, under the worker's and the connector's settings like every other default.
    #[test]
    fn dead_letter_clients_have_kafkas_client_ids_and_overrides_win() {
        let none = Props::new();
        let (c, _) = dlq_producer_config(&props(&[("linger.ms", "5")]), &none, "snk", 2).unwrap();
        assert_eq!(c["client.id"], "connector-dlq-producer-snk-2");
        assert_eq!(c["acks"], "all");
        assert_eq!(c["linger.ms"], "5");
        let (c, _) =
            dlq_producer_config(&none, &props(&[("client.id", "mine")]), "snk", 2).unwrap();
        assert_eq!(c["client.id"], "mine");
        let (c, _) =
            dlq_producer_config(&props(&[("client.id", "worker's")]), &none, "snk", 2).unwrap();
        assert_eq!(c["client.id"], "worker's");

        let (c, _) = dlq_admin_config(&props(&[("bootstrap.servers", "b:9092")]), &none).unwrap();
        assert_eq!(c["client.id"], "connector-dlq-adminclient-");
        assert_eq!(c["bootstrap.servers"], "b:9092");
        let (c, _) = dlq_admin_config(&none, &props(&[("client.id", "mine")])).unwrap();
        assert_eq!(c["client.id"], "mine");
    }

    #[test]
    fn producer_queue_bounds_can_be_overridden() {
        let (c, _) = producer_config(
            &props(&[("queue.buffering.max.messages", "50000")]),
            &props(&[("queue.buffering.max.kbytes", "65536")]),
            "src",
            0,
        )
        .unwrap();
        assert_eq!(c["queue.buffering.max.messages"], "50000");
        assert_eq!(c["queue.buffering.max.kbytes"], "65536");
    }

    #[test]
    fn consumer_uses_connect_group_and_never_auto_commits() {
        let (c, _) = consumer_config(
            &props(&[("enable.auto.commit", "true")]),
            &Props::new(),
            "sink",
            2,
        )
        .unwrap();
        assert_eq!(c["group.id"], "connect-sink");
        assert_eq!(c["enable.auto.commit"], "false");
        assert_eq!(c["auto.offset.reset"], "earliest");
        assert_eq!(c["client.id"], "connector-consumer-sink-2");
        let (c, _) =
            consumer_config(&Props::new(), &props(&[("group.id", "custom")]), "sink", 0).unwrap();
        assert_eq!(c["group.id"], "custom");
    }

    #[test]
    fn java_only_keys_are_translated_or_dropped() {
        let (c, notes) = translate(
            props(&[
                ("buffer.memory", "33554432"),
                ("key.serializer", "x"),
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "PLAIN"),
                ("sasl.username", "u"),
            ]),
            ClientRole::Producer,
        )
        .unwrap();
        assert_eq!(c["queue.buffering.max.kbytes"], "32768");
        assert_eq!(c["sasl.mechanisms"], "PLAIN");
        assert_eq!(c["sasl.username"], "u");
        assert!(!c.contains_key("sasl.mechanism"));
        assert!(!c.contains_key("key.serializer"));
        assert_eq!(notes.len(), 1);
    }

    /// `max.poll.records` is the worker's to apply: checked as Kafka checks it, not passed to
    /// librdkafka, and not logged as ignored.
    #[test]
    fn max_poll_records_is_read_by_the_worker() {
        assert_eq!(max_poll_records(&Props::new()).unwrap(), None);
        assert_eq!(
            max_poll_records(&props(&[("max.poll.records", " 10 ")])).unwrap(),
            Some(10)
        );
        for (raw, reason) in [
            ("0", "Value must be at least 1"),
            ("ten", "Not a number of type INT"),
        ] {
            assert_eq!(
                max_poll_records(&props(&[("max.poll.records", raw)]))
                    .unwrap_err()
                    .to_string(),
                format!("Invalid value {raw} for configuration max.poll.records: {reason}")
            );
        }
        let (c, notes) =
            consumer_config(&Props::new(), &props(&[("max.poll.records", "10")]), "s", 0).unwrap();
        assert!(!c.contains_key("max.poll.records"));
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn kafkas_auto_offset_reset_none_is_librdkafkas_error() {
        let (c, _) = consumer_config(
            &Props::new(),
            &props(&[("auto.offset.reset", "none")]),
            "s",
            0,
        )
        .unwrap();
        assert_eq!(c["auto.offset.reset"], "error");
    }

    #[test]
    fn connector_overrides_reach_the_security_translation() {
        // The worker trusts a CA file; one connector logs in with SCRAM through its overrides.
        let (c, _) = producer_config(
            &props(&[
                ("security.protocol", "SSL"),
                ("ssl.truststore.type", "PEM"),
                ("ssl.truststore.location", "/etc/ca.pem"),
            ]),
            &props(&[
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "SCRAM-SHA-256"),
                (
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"c\" password=\"pw\";",
                ),
            ]),
            "src",
            0,
        )
        .unwrap();
        assert_eq!(c["security.protocol"], "sasl_ssl");
        assert_eq!(c["ssl.ca.location"], "/etc/ca.pem");
        assert_eq!(c["sasl.username"], "c");
        assert_eq!(c["sasl.password"], "pw");
        for java_key in [
            "sasl.jaas.config",
            "ssl.truststore.location",
            "ssl.truststore.type",
        ] {
            assert!(!c.contains_key(java_key), "{java_key}");
        }
        let err =
            dlq_admin_config(&props(&[("ssl.keystore.type", "JKS")]), &Props::new()).unwrap_err();
        assert!(err.to_string().contains("ssl.keystore.type=JKS"), "{err}");
    }
}
