//! `TimestampRouter`: renames the topic from `topic.format`, replacing `${topic}` with the topic
//! and `${timestamp}` with the record timestamp formatted by `timestamp.format` (UTC).

use super::date_format::{DateFormat, PatternError};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance};
use crate::config::{ConfigError, Props};
use crate::data::{ConnectRecord, DataError};
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::{Disposition, Transformation};

const TOPIC_FORMAT: &str = "topic.format";
const TIMESTAMP_FORMAT: &str = "timestamp.format";

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.TimestampRouter",
        config_def,
        new: |props| Ok(Box::new(TimestampRouter::configure(props)?)),
    }
}

pub(super) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                TOPIC_FORMAT,
                ConfigType::String,
                Importance::High,
                "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> \
                 as placeholders for the topic and timestamp, respectively.",
            )
            .default_value("${topic}-${timestamp}"),
        )
        .define(
            ConfigKey::new(
                TIMESTAMP_FORMAT,
                ConfigType::String,
                Importance::High,
                "Format string for the timestamp that is compatible with \
                 <code>java.text.SimpleDateFormat</code>.",
            )
            .default_value("yyyyMMdd"),
        )
}

pub(super) struct TimestampRouter {
    topic_format: String,
    /// Kafka compiles the pattern lazily on first use, so a bad pattern passes configuration and
    /// fails the first record; the error is kept to be reported then.
    timestamp_format: Result<DateFormat, PatternError>,
}

impl TimestampRouter {
    pub(super) fn configure(props: &Props) -> Result<Self, ConfigError> {
        let parsed = config_def().parse(props)?;
        Ok(TimestampRouter {
            topic_format: parsed
                .get_string(TOPIC_FORMAT)
                .unwrap_or_default()
                .to_string(),
            timestamp_format: DateFormat::new(
                parsed.get_string(TIMESTAMP_FORMAT).unwrap_or_default(),
            ),
        })
    }
}

impl Transformation for TimestampRouter {
    fn routes(&self) -> bool {
        true
    }

    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let Some(timestamp) = record.timestamp else {
            return Err(DataError::new(format!(
                "Timestamp missing on record: {}",
                record.java_string()
            ))
            .into());
        };
        let format = self
            .timestamp_format
            .as_ref()
            // `new SimpleDateFormat(pattern)` throws an IllegalArgumentException on the first record.
            .map_err(|e| ConnectError::IllegalArgument(e.message().to_string()))?;
        let formatted = format.format(timestamp);
        // `${topic}` first: a topic containing `${timestamp}` has it replaced too, as in Kafka.
        record.topic = self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &formatted)
            .into();
        Ok(Disposition::Keep)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::connector::ConnectorKind;
    use crate::data::{Schema, Value};
    use crate::transforms::registry::build_chain;

    use crate::config::test_props as props;

    /// 2017-01-25T14:28:37Z.
    const TS: i64 = 1_485_354_517_000;

    fn record(topic: &str, timestamp: Option<i64>) -> ConnectRecord {
        let mut partition = serde_json::Map::new();
        partition.insert("filename".into(), "in.txt".into());
        let mut offset = serde_json::Map::new();
        offset.insert("position".into(), 12.into());
        ConnectRecord::source(
            Arc::new(partition),
            Arc::new(offset),
            topic,
            Some(Schema::string()),
            Value::from("line"),
            timestamp,
        )
    }

    fn route(pairs: &[(&str, &str)], topic: &str) -> String {
        let t = TimestampRouter::configure(&props(pairs)).unwrap();
        t.apply_owned(record(topic, Some(TS)))
            .unwrap()
            .unwrap()
            .topic
            .to_string()
    }

    #[test]
    fn formats_the_topic() {
        assert_eq!(route(&[], "orders"), "orders-20170125");
        assert_eq!(
            route(
                &[
                    ("topic.format", "${timestamp}.${topic}.${topic}"),
                    ("timestamp.format", "yyyy-MM-dd'T'HH")
                ],
                "t"
            ),
            "2017-01-25T14.t.t"
        );
        assert_eq!(route(&[("topic.format", "fixed")], "t"), "fixed");
        // The topic is substituted first, so a `${timestamp}` inside it is replaced too.
        assert_eq!(route(&[], "a${timestamp}"), "a20170125-20170125");
        // `$` and `\` in the topic are literal (Kafka quotes the replacement).
        assert_eq!(route(&[("topic.format", "${topic}")], "a$1\\b"), "a$1\\b");
    }

    #[test]
    fn a_record_without_timestamp_fails_with_the_record() {
        let t = TimestampRouter::configure(&props(&[])).unwrap();
        let err = t.apply_owned(record("t", None)).unwrap_err();
        assert_eq!(
            err.java_class(),
            "org.apache.kafka.connect.errors.DataException"
        );
        assert_eq!(
            err.to_string(),
            "Timestamp missing on record: SourceRecord{sourcePartition={filename=in.txt}, \
             sourceOffset={position=12}} ConnectRecord{topic='t', kafkaPartition=null, key=null, \
             keySchema=null, value=line, valueSchema=Schema{STRING}, timestamp=null, \
             headers=ConnectHeaders(headers=)}"
        );
    }

    #[test]
    fn a_bad_pattern_fails_on_first_use_as_in_kafka() {
        let t = TimestampRouter::configure(&props(&[("timestamp.format", "yyyy-ii")])).unwrap();
        let err = t.apply_owned(record("t", Some(TS))).unwrap_err();
        assert_eq!(err.to_string(), "Illegal pattern character 'i'");
        assert_eq!(err.java_class(), "java.lang.IllegalArgumentException");
    }

    #[test]
    fn builds_from_connector_config_through_the_registry() {
        let connector = props(&[
            ("name", "file-source"),
            ("connector.class", "FileStreamSource"),
            ("tasks.max", "1"),
            ("file", "/tmp/in.txt"),
            ("topic", "lines"),
            ("transforms", "r,meta"),
            ("transforms.r.type", "TimestampRouter"),
            ("transforms.r.topic.format", "${topic}_${timestamp}"),
            ("transforms.r.timestamp.format", "yyyy.MM"),
            (
                "transforms.meta.type",
                "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
            ),
            ("transforms.meta.schema.name", "line"),
        ]);
        let chain = build_chain(ConnectorKind::Source, &connector).unwrap();
        let out = chain.apply(record("lines", Some(TS))).unwrap().unwrap();
        assert_eq!(&*out.topic, "lines_2017.01");
        assert_eq!(out.value_schema.unwrap().name(), Some("line"));
        let err = chain.apply(record("lines", None)).err().unwrap();
        assert_eq!(err.alias, "r");
        assert!(err
            .to_string()
            .contains("Timestamp missing on record: SourceRecord{"));
    }
}
