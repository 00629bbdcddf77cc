//! Where source offsets are kept: a local file in standalone mode (the Kafka offsets topic in
//! Kubernetes mode comes with distributed mode).

mod file;
mod key;

pub use file::{FileOffsetStore, OffsetFileError};
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
    ) -> Result<(), OffsetFileError>;
}
