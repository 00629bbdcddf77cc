//! Locking shared state.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, also after a panic in another holder. Every critical section in the worker is a
/// handful of map or counter updates that cannot stop halfway, so a poisoned lock still guards
/// consistent data, and refusing it would turn one panic into a stuck task.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
