//! Records as they flow through the worker (`ConnectRecord`, `SourceRecord`, `SinkRecord`) and headers.

use std::sync::Arc;

use super::{RecordOffset, Schema, Value};

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
pub struct Headers(Vec<HeaderSlot>);

/// A header in the list: the record's own, or one shared with other records (a transform that adds
/// the same header to every record, InsertHeader, shares it instead of copying its value into each).
#[derive(Clone)]
enum HeaderSlot {
    Owned(Header),
    Shared(Arc<Header>),
}

impl std::ops::Deref for HeaderSlot {
    type Target = Header;
    fn deref(&self) -> &Header {
        match self {
            HeaderSlot::Owned(h) => h,
            HeaderSlot::Shared(h) => h,
        }
    }
}

/// A header is the same whether shared or not.
impl PartialEq for HeaderSlot {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for HeaderSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Headers {
    pub fn new() -> Self {
        Headers(Vec::new())
    }
    pub fn add(&mut self, key: impl Into<Arc<str>>, schema: Option<Schema>, value: Value) {
        self.0.push(HeaderSlot::Owned(Header {
            key: key.into(),
            schema,
            value,
        }));
    }
    /// Adds a header shared with other records: a reference count, not a copy of its value.
    pub fn add_shared(&mut self, header: Arc<Header>) {
        self.0.push(HeaderSlot::Shared(header));
    }
    pub fn remove_all(&mut self, key: &str) {
        self.0.retain(|h| &*h.key != key);
    }
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().map(|h| &**h).find(|h| &*h.key == key)
    }
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|h| &*h.key == key)
    }
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter().map(|h| &**h)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn retain(&mut self, mut f: impl FnMut(&Header) -> bool) {
        self.0.retain(|h| f(h))
    }
}

/// Where a record came from: a source task's partition and offset, or a sink's Kafka offset.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOrigin {
    Source {
        partition: Arc<SourcePartition>,
        offset: RecordOffset,
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
        offset: impl Into<RecordOffset>,
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
            origin: RecordOrigin::Source {
                partition,
                offset: offset.into(),
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_header_reads_and_compares_as_an_owned_one() {
        let shared = Arc::new(Header {
            key: Arc::from("source"),
            schema: Some(Schema::string()),
            value: Value::from("bench"),
        });
        let mut with_shared = Headers::new();
        with_shared.add("first", None, Value::Int32(1));
        with_shared.add_shared(Arc::clone(&shared));
        let mut owned = Headers::new();
        owned.add("first", None, Value::Int32(1));
        owned.add("source", Some(Schema::string()), Value::from("bench"));
        assert_eq!(with_shared, owned);
        assert_eq!(format!("{with_shared:?}"), format!("{owned:?}"));
        assert_eq!(with_shared.last_with_name("source"), Some(&*shared));
        let keys: Vec<&str> = with_shared.iter().map(|h| &*h.key).collect();
        assert_eq!(keys, ["first", "source"]);

        with_shared.remove_all("source");
        assert!(!with_shared.contains("source"));
        assert_eq!(with_shared.len(), 1);
        // The shared header itself is untouched by what one record does with its list.
        assert_eq!(shared.value.as_str(), Some("bench"));
    }
}
