//! Records as they flow through the worker (`ConnectRecord`, `SourceRecord`, `SinkRecord`) and headers.

use std::sync::Arc;

use super::{Schema, Value};

/// A source partition map, e.g. `{"filename":"test.txt"}`. JSON values, because that is how Kafka
/// Connect stores them (JsonConverter, schemas disabled) in the offsets file or topic.
pub type SourcePartition = serde_json::Map<String, serde_json::Value>;
/// A source offset map, e.g. `{"position":30}`.
pub type SourceOffset = serde_json::Map<String, serde_json::Value>;

/// One record header (`org.apache.kafka.connect.header.Header`).
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Shared: a transform that adds the same header to every record copies a reference count.
    pub key: Arc<str>,
    pub schema: Option<Schema>,
    pub value: Value,
}

/// An ordered multimap of headers (`ConnectHeaders`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers(Vec<Header>);

impl Headers {
    pub fn new() -> Self {
        Headers(Vec::new())
    }
    pub fn add(&mut self, key: impl Into<Arc<str>>, schema: Option<Schema>, value: Value) {
        self.0.push(Header {
            key: key.into(),
            schema,
            value,
        });
    }
    pub fn remove_all(&mut self, key: &str) {
        self.0.retain(|h| &*h.key != key);
    }
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().find(|h| &*h.key == key)
    }
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|h| &*h.key == key)
    }
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn retain(&mut self, f: impl FnMut(&Header) -> bool) {
        self.0.retain(f)
    }
}

/// Where a record came from: a source task's partition and offset, or a sink's Kafka offset.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOrigin {
    Source {
        partition: Arc<SourcePartition>,
        offset: Arc<SourceOffset>,
    },
    Sink {
        kafka_offset: i64,
    },
}

/// A record as connectors, transforms and converters see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// Shared: a task's records almost always carry the same topic, so a copy is a reference count
    /// rather than an allocation per record (and per routing transform).
    pub topic: Arc<str>,
    pub kafka_partition: Option<i32>,
    pub key_schema: Option<Schema>,
    pub key: Value,
    pub value_schema: Option<Schema>,
    pub value: Value,
    pub timestamp: Option<i64>,
    pub headers: Headers,
    pub origin: RecordOrigin,
}

impl ConnectRecord {
    /// A source record with no key and no headers, the shape most source connectors produce.
    pub fn source(
        partition: Arc<SourcePartition>,
        offset: Arc<SourceOffset>,
        topic: impl Into<Arc<str>>,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
    ) -> Self {
        ConnectRecord {
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp,
            headers: Headers::new(),
            origin: RecordOrigin::Source { partition, offset },
        }
    }

    /// The Kafka offset of a sink record, `None` for a source record.
    pub fn kafka_offset(&self) -> Option<i64> {
        match self.origin {
            RecordOrigin::Sink { kafka_offset } => Some(kafka_offset),
            RecordOrigin::Source { .. } => None,
        }
    }
}
