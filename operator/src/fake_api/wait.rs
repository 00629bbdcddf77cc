//! Deadline-bounded waits: poll a condition until it holds or the deadline passes, never a fixed
//! sleep hoping that something happened meanwhile.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often a condition is polled.
pub const POLL: Duration = Duration::from_millis(20);

#[derive(Debug, thiserror::Error)]
#[error("timed out after {waited:?} waiting for {what}; last seen: {last}")]
pub struct WaitError {
    pub what: String,
    pub waited: Duration,
    /// What the last poll observed, for the failure message.
    pub last: String,
}

/// What one poll saw: done with a value, or not yet (and what it saw instead).
pub enum Poll<T> {
    Done(T),
    NotYet(String),
}

/// Polls `check` every [`POLL`] until it is `Done` or `timeout` passes.
pub async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, check: F) -> Result<T, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    wait_until_every(what, timeout, POLL, check).await
}

/// Polls `check` every `poll` until it is `Done` or `timeout` passes (a coarser poll for checks
/// that are expensive themselves).
pub async fn wait_until_every<T, F, Fut>(
    what: &str,
    timeout: Duration,
    poll: Duration,
    mut check: F,
) -> Result<T, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    let start = Instant::now();
    loop {
        let last = match check().await {
            Poll::Done(value) => return Ok(value),
            Poll::NotYet(last) => last,
        };
        if start.elapsed() >= timeout {
            return Err(WaitError {
                what: what.to_owned(),
                waited: start.elapsed(),
                last,
            });
        }
        tokio::time::sleep(poll).await;
    }
}

/// Waits until `count` stays the same for `quiet` (e.g. an API client's request count once the
/// controllers have settled), and returns it.
pub async fn wait_quiet(
    what: &str,
    quiet: Duration,
    timeout: Duration,
    count: impl Fn() -> u64,
) -> Result<u64, WaitError> {
    let mut last = (count(), Instant::now());
    wait_until(what, timeout, || {
        let now = count();
        if now != last.0 {
            last = (now, Instant::now());
        }
        let result = if last.1.elapsed() >= quiet {
            Poll::Done(now)
        } else {
            Poll::NotYet(format!(
                "{now} requests, last change {:?} ago",
                last.1.elapsed()
            ))
        };
        std::future::ready(result)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_the_value_or_times_out_with_the_last_observation() {
        let mut n = 0;
        let got = wait_until("n to reach 3", Duration::from_secs(5), || {
            n += 1;
            std::future::ready(if n >= 3 {
                Poll::Done(n)
            } else {
                Poll::NotYet(n.to_string())
            })
        })
        .await
        .expect("reaches 3");
        assert_eq!(got, 3);
        let err = wait_until("never", Duration::from_millis(50), || {
            std::future::ready(Poll::<()>::NotYet("still no".into()))
        })
        .await
        .expect_err("times out");
        assert_eq!(err.last, "still no");
    }
}
