//! Per-object retry backoff for failed reconciles: 1 s, 2 s, 4 s, ... up to 5 minutes, reset by
//! the next success. Objects fail independently, so one broken KafkaConnector never slows down
//! the others (a Strimzi complaint, reference §6.4).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Longest wait between retries.
pub const MAX_DELAY: Duration = Duration::from_secs(300);

/// Delay after `failures` consecutive failures (1-based).
pub fn delay(failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(16);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

/// Consecutive failures per object key.
#[derive(Debug, Default)]
pub struct Failures {
    counts: Mutex<HashMap<String, u32>>,
}

impl Failures {
    /// Records a failure of `key` and returns the delay before the retry.
    pub fn failed(&self, key: &str) -> Duration {
        // A poisoned lock only means another reconcile panicked mid-update; the counts are
        // still usable.
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(key.to_owned()).or_insert(0);
        *n = n.saturating_add(1);
        delay(*n)
    }

    /// Forgets the failures of `key`.
    pub fn succeeded(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        assert_eq!(delay(1), Duration::from_secs(1));
        assert_eq!(delay(2), Duration::from_secs(2));
        assert_eq!(delay(4), Duration::from_secs(8));
        assert_eq!(delay(30), MAX_DELAY);
        assert_eq!(delay(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn success_resets() {
        let f = Failures::default();
        assert_eq!(f.failed("a"), Duration::from_secs(1));
        assert_eq!(f.failed("a"), Duration::from_secs(2));
        assert_eq!(f.failed("b"), Duration::from_secs(1));
        f.succeeded("a");
        assert_eq!(f.failed("a"), Duration::from_secs(1));
    }
}
