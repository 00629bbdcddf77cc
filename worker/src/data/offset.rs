//! A source record's offset as it travels with the record, from the connector's `poll` to the
//! commit.
//!
//! Kafka's offsets are maps (`Map<String, ?>`), and that is how they are stored and committed
//! (`SourceOffset`). But every record a source task has sent holds its offset until Kafka
//! acknowledges it, tens of thousands of them at a time, and most connectors' offsets have one
//! entry (FileStreamSource's `{"position": 30}`). A one-entry `serde_json::Map` is a B-tree node of
//! several hundred bytes and two allocations; a record keeps that entry inline instead, and the map
//! is built only for the offset actually committed.

use std::sync::Arc;

use serde_json::Value as Json;

use super::SourceOffset;

/// A record's source offset: one entry inline, or a shared map of any size.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOffset {
    /// A one-entry offset. The key is shared, so a connector copies a reference count per record.
    Entry { key: Arc<str>, value: Json },
    /// Any other offset, shared between the record and the task's in-flight tracking.
    Map(Arc<SourceOffset>),
}

impl RecordOffset {
    /// The one-entry offset `{key: value}`.
    pub fn entry(key: Arc<str>, value: Json) -> Self {
        RecordOffset::Entry { key, value }
    }

    /// The value under `key`, as `Map.get` would give it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            RecordOffset::Entry { key: k, value } => (**k == *key).then_some(value),
            RecordOffset::Map(map) => map.get(key),
        }
    }

    /// The offset as the map Kafka stores and commits.
    pub fn to_map(&self) -> SourceOffset {
        match self {
            RecordOffset::Entry { key, value } => {
                let mut map = SourceOffset::new();
                map.insert(key.to_string(), value.clone());
                map
            }
            RecordOffset::Map(map) => (**map).clone(),
        }
    }
}

impl From<SourceOffset> for RecordOffset {
    fn from(map: SourceOffset) -> Self {
        RecordOffset::Map(Arc::new(map))
    }
}

impl From<Arc<SourceOffset>> for RecordOffset {
    fn from(map: Arc<SourceOffset>) -> Self {
        RecordOffset::Map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position_map(n: u64) -> SourceOffset {
        let mut map = SourceOffset::new();
        map.insert("position".into(), Json::from(n));
        map
    }

    #[test]
    fn an_entry_reads_and_commits_as_the_one_entry_map() {
        let entry = RecordOffset::entry(Arc::from("position"), Json::from(30u64));
        assert_eq!(entry.to_map(), position_map(30));
        assert_eq!(entry.get("position"), Some(&Json::from(30u64)));
        assert_eq!(entry.get("pos"), None);
        assert_eq!(entry.get("positions"), None);
    }

    #[test]
    fn a_map_reads_and_commits_as_itself() {
        let mut map = position_map(7);
        map.insert("file".into(), Json::from("a.txt"));
        let offset = RecordOffset::from(map.clone());
        assert_eq!(offset.to_map(), map);
        assert_eq!(offset.get("file"), Some(&Json::from("a.txt")));
        assert_eq!(offset.get("missing"), None);
    }

    #[test]
    fn a_null_entry_is_kept_as_null() {
        // FileStreamSource on stdin: `{"position": null}`.
        let entry = RecordOffset::entry(Arc::from("position"), Json::Null);
        let mut map = SourceOffset::new();
        map.insert("position".into(), Json::Null);
        assert_eq!(entry.to_map(), map);
    }
}
