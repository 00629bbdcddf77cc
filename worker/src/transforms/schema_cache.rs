//! Kafka's `SynchronizedCache<>(new LRUCache<>(16))` of derived schemas, keyed by the input schema, as
//! every schema-deriving transform keeps one.
//!
//! On a stream with one schema the input is usually the very same `Arc` each time, so entries are
//! first compared by pointer; only when no pointer matches does the lookup fall back to structural
//! equality (Java's `hashCode`/`equals` lookup).

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::data::Schema;
use crate::sync::lock;

/// How many derived schemas a transform remembers (Kafka's LRU size).
pub(crate) const CAPACITY: usize = 16;

/// Input schema to what a transform derives from it (the updated schema, or that schema with a
/// precomputed field mapping), most recently used first.
pub(crate) struct SchemaCache<D = Schema> {
    entries: Mutex<VecDeque<(Schema, D)>>,
}

impl<D: Clone> Default for SchemaCache<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D: Clone> SchemaCache<D> {
    pub(crate) fn new() -> Self {
        SchemaCache {
            entries: Mutex::new(VecDeque::with_capacity(CAPACITY)),
        }
    }

    /// The cached schema derived from `key`, or the result of `build` (cached on success).
    #[inline]
    pub(crate) fn get_or_build<E>(
        &self,
        key: &Schema,
        build: impl FnOnce(&Schema) -> Result<D, E>,
    ) -> Result<D, E> {
        match self.get(key) {
            Some(found) => Ok(found),
            None => self.build_and_put(key, build),
        }
    }

    /// A miss: once per schema, so kept out of line, away from every record's path.
    #[cold]
    #[inline(never)]
    fn build_and_put<E>(
        &self,
        key: &Schema,
        build: impl FnOnce(&Schema) -> Result<D, E>,
    ) -> Result<D, E> {
        // Built outside the lock: building may be slow and must not block other tasks' lookups; a
        // concurrent miss builds the same schema twice, which is harmless.
        let built = build(key)?;
        self.put(key.clone(), built.clone());
        Ok(built)
    }

    /// The derived schema remembered for `key`, which becomes the most recently used.
    #[inline]
    pub(crate) fn get(&self, key: &Schema) -> Option<D> {
        let mut entries = lock(&self.entries);
        // The steady state of a one-schema stream, on every record: the very schema object of the
        // last lookup, already the most recently used. Kept small so it inlines into the transform.
        if let Some((recent, derived)) = entries.front() {
            if recent.ptr_eq(key) {
                return Some(derived.clone());
            }
        }
        Self::find_and_promote(&mut entries, key)
    }

    /// Any other entry: the same schema object, else an equal schema (Java's `equals`), moved to
    /// the front.
    #[cold]
    #[inline(never)]
    fn find_and_promote(entries: &mut VecDeque<(Schema, D)>, key: &Schema) -> Option<D> {
        let index = entries
            .iter()
            .position(|(k, _)| k.ptr_eq(key))
            .or_else(|| entries.iter().position(|(k, _)| k == key))?;
        let entry = entries.remove(index)?;
        let found = entry.1.clone();
        entries.push_front(entry);
        Some(found)
    }

    /// Remembers a derived schema, dropping the least recently used one past the capacity.
    pub(crate) fn put(&self, key: Schema, derived: D) {
        let mut entries = lock(&self.entries);
        entries.push_front((key, derived));
        entries.truncate(CAPACITY);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}
