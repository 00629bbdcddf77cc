//! Where source offsets are kept: a local file in standalone mode, a compacted Kafka topic in the
//! Kubernetes mode (in Kafka Connect's own format, shared with Kafka Connect's distributed mode).

mod file;
mod kafka;
mod key;

pub use file::{FileOffsetStore, OffsetFileError};
pub use kafka::{KafkaOffsetError, KafkaOffsetSettings, KafkaOffsetStore};
pub use key::{offset_key, parse_offset_key, OffsetKeyError};

use crate::data::{SourceOffset, SourcePartition};

/// A store of source offsets for every connector of a worker.
pub trait OffsetStore: Send + Sync {
    fn get(&self, connector: &str, partition: &SourcePartition) -> Option<SourceOffset>;
    /// Every partition the connector has an offset for.
    fn all(&self, connector: &str) -> Vec<(SourcePartition, SourceOffset)>;
    /// Writes offsets durably: when this returns `Ok`, a crash loses none of them. `None` removes the
    /// partition's offset (a tombstone).
    fn put(
        &self,
        connector: &str,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<(), OffsetStoreError>;
    /// Catches up with offsets other workers committed (a source task calls it before it starts, so a
    /// task moved from another worker resumes from that worker's last commit). A store only this
    /// worker writes has nothing to do.
    fn refresh(&self) -> Result<(), OffsetStoreError> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OffsetStoreError {
    #[error(transparent)]
    File(#[from] OffsetFileError),
    #[error(transparent)]
    Kafka(#[from] KafkaOffsetError),
}
