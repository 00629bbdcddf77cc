//! The derived-schema cache (Kafka keeps a synchronized 16-entry LRU keyed by schema).

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::data::Schema;

const CAPACITY: usize = 16;

/// Input schema to derived schema, most recently used first. Lookups try identity first (the
/// common case: a connector reuses one schema object), then structural equality.
#[derive(Default)]
pub(super) struct SchemaCache {
    entries: Mutex<VecDeque<(Schema, Schema)>>,
}

impl SchemaCache {
    pub(super) fn get(&self, schema: &Schema) -> Option<Schema> {
        // A poisoned lock only means another thread panicked mid-update; the entries are whole.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let index = entries
            .iter()
            .position(|(k, _)| k.ptr_eq(schema))
            .or_else(|| entries.iter().position(|(k, _)| k == schema))?;
        let entry = entries.remove(index)?;
        let derived = entry.1.clone();
        entries.push_front(entry);
        Some(derived)
    }

    pub(super) fn put(&self, schema: Schema, derived: Schema) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_front((schema, derived));
        entries.truncate(CAPACITY);
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}
