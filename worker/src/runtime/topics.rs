//! The topics a connector has used (KIP-558's `/connectors/{c}/topics`), recorded by its tasks.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct ActiveTopics(Arc<Mutex<BTreeSet<String>>>);

impl ActiveTopics {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        crate::sync::lock(&self.0)
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
        self.lock().clear();
    }
}
