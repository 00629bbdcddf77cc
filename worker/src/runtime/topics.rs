//! The topics a connector has used (KIP-558's `/connectors/{c}/topics`), recorded by its tasks.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct ActiveTopics {
    topics: Arc<Mutex<BTreeSet<String>>>,
    /// Counts resets, so a task that remembers which topics it recorded (to skip the lock on
    /// every record) knows to record them again, as Kafka's tasks do after a reset.
    resets: Arc<AtomicU64>,
}

impl ActiveTopics {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        crate::sync::lock(&self.topics)
    }

    /// How many times the topics were reset: a task's memory of what it recorded is good while
    /// this stays the same.
    pub fn resets(&self) -> u64 {
        self.resets.load(Ordering::Acquire)
    }
    pub fn record(&self, topic: &str) {
        let mut topics = self.lock();
        if !topics.contains(topic) {
            topics.insert(topic.to_string());
        }
    }
    /// Sorted, as Kafka returns them.
    pub fn list(&self) -> Vec<String> {
        self.lock().iter().cloned().collect()
    }
    pub fn reset(&self) {
        let mut topics = self.lock();
        topics.clear();
        self.resets.fetch_add(1, Ordering::AcqRel);
    }
}
