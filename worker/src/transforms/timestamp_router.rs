//! `TimestampRouter`: renames the topic from `topic.format`, replacing `${topic}` with the topic
//! and `${timestamp}` with the record timestamp formatted by `timestamp.format` (UTC).

use std::fmt::Write as _;

use super::date_format::{DateFormat, PatternError};
use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance};
use crate::config::{ConfigError, Props};
use crate::data::values::schema_java_string;
use crate::data::{ConnectRecord, DataError, Headers, RecordOrigin, Schema};
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
                record_java_string(record)
            ))
            .into());
        };
        let format = self
            .timestamp_format
            .as_ref()
            .map_err(|e| ConnectError::with_source(e.message().to_string(), e.clone()))?;
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

/// `SourceRecord.toString()` / `SinkRecord.toString()` as Kafka puts it in error messages.
pub(super) fn record_java_string(record: &ConnectRecord) -> String {
    let mut out = String::new();
    match &record.origin {
        RecordOrigin::Source { partition, offset } => {
            out.push_str("SourceRecord{sourcePartition=");
            write_json_map(&mut out, partition);
            out.push_str(", sourceOffset=");
            write_json_map(&mut out, &offset.to_map());
            out.push_str("} ");
        }
        RecordOrigin::Sink { kafka_offset } => {
            // Ferry does not track the original topic/partition/offset separately from the
            // current ones, nor the timestamp type of a record that has no timestamp.
            let partition = record
                .kafka_partition
                .map_or_else(|| "null".to_string(), |p| p.to_string());
            let _ = write!(
                out,
                "SinkRecord{{kafkaOffset={kafka_offset}, timestampType=NoTimestampType, \
                 originalTopic={}, originalKafkaPartition={partition}, \
                 originalKafkaOffset={kafka_offset}}} ",
                record.topic
            );
        }
    }
    let _ = write!(
        out,
        "ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, \
         valueSchema={}, timestamp={}, headers={}}}",
        record.topic,
        record
            .kafka_partition
            .map_or_else(|| "null".to_string(), |p| p.to_string()),
        record.key.java_string(),
        schema_string(record.key_schema.as_ref()),
        record.value.java_string(),
        schema_string(record.value_schema.as_ref()),
        record
            .timestamp
            .map_or_else(|| "null".to_string(), |t| t.to_string()),
        headers_string(&record.headers),
    );
    out
}

fn schema_string(schema: Option<&Schema>) -> String {
    schema.map_or_else(|| "null".to_string(), schema_java_string)
}

/// `ConnectHeaders.toString()`: the header list, or nothing when no header was ever added.
fn headers_string(headers: &Headers) -> String {
    if headers.is_empty() {
        return "ConnectHeaders(headers=)".to_string();
    }
    let items: Vec<String> = headers
        .iter()
        .map(|h| {
            format!(
                "ConnectHeader(key={}, value={}, schema={})",
                h.key,
                h.value.java_string(),
                schema_string(h.schema.as_ref())
            )
        })
        .collect();
    format!("ConnectHeaders(headers=[{}])", items.join(", "))
}

/// A source partition/offset map as Java's `HashMap.toString()`: `{key=value, ...}`.
fn write_json_map(out: &mut String, map: &serde_json::Map<String, serde_json::Value>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push('=');
        write_json_value(out, v);
    }
    out.push('}');
}

fn write_json_value(out: &mut String, v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => out.push_str(s),
        serde_json::Value::Object(m) => write_json_map(out, m),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_value(out, item);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::connector::ConnectorKind;
    use crate::data::Value;
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
