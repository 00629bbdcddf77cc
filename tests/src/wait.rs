//! Waiting for a condition with a deadline.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(d: Duration) -> Self {
        Deadline(Instant::now() + d)
    }
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }
}

/// Polls `check` every 20 ms until it returns `Some`, or panics at the deadline with `what` and the last
/// state `describe` gives.
pub async fn wait_until<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Deadline::after(limit);
    loop {
        if let Some(v) = check() {
            return v;
        }
        if deadline.passed() {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// As [`wait_until`], for an async check.
pub async fn wait_until_async<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Deadline::after(limit);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if deadline.passed() {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
