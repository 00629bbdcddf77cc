//! What to do when a stage fails on a record: retry, skip or fail the task.

use std::time::{Duration, Instant};

use crate::config::connector::{
    common_config_def, ERRORS_LOG_ENABLE_CONFIG, ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
    ERRORS_RETRY_MAX_DELAY_CONFIG, ERRORS_RETRY_TIMEOUT_CONFIG, ERRORS_TOLERANCE_CONFIG,
};
use crate::config::{ConfigError, Props};
use crate::errors::ConnectError;
use crate::metrics::ErrorHandlingMetrics;
use crate::runtime::task::{Stage, StageFailure, TOLERANCE_EXCEEDED};

/// `errors.tolerance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    None,
    All,
}

/// A connector's error-handling settings.
#[derive(Debug, Clone)]
pub struct ErrorPolicy {
    pub tolerance: Tolerance,
    /// `None` = retry forever (`errors.retry.timeout=-1`); zero = no retries (the default).
    pub retry_timeout: Option<Duration>,
    pub retry_delay_max: Duration,
    pub log_enable: bool,
    pub log_include_messages: bool,
}

impl Default for ErrorPolicy {
    fn default() -> Self {
        ErrorPolicy {
            tolerance: Tolerance::None,
            retry_timeout: Some(Duration::ZERO),
            retry_delay_max: Duration::from_millis(60_000),
            log_enable: false,
            log_include_messages: false,
        }
    }
}

/// What became of a record whose stage failed.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The stage succeeded (maybe after retries).
    Done(T),
    /// Tolerated: the record is skipped (and dead-lettered by sinks).
    Skip(StageFailure),
    /// Not tolerated: the task fails, once the reporters have seen the record.
    Fail(Intolerable),
}

/// A failure the policy does not tolerate. Kafka reports the record (logs it, sends a sink's to
/// the dead-letter queue) before the task fails (`RetryWithToleranceOperator.execute` reports in
/// its `finally`), so the failure is kept for the reporters until [`Intolerable::into_error`].
#[derive(Debug)]
pub struct Intolerable {
    pub failure: StageFailure,
    /// Kafka's wrapper: "Tolerance exceeded in error handler" for a stage that could have been
    /// tolerated, "Unhandled exception in error handler" for one that never is.
    message: &'static str,
}

impl Intolerable {
    /// The error the task fails with.
    pub fn into_error(self) -> ConnectError {
        ConnectError::with_source(self.message, self.failure)
    }
}

/// Kafka's backoff: `300 ms << (attempt - 1)`, and once that passes `errors.retry.delay.max.ms`, a
/// random delay below the maximum (so retrying tasks do not move in lockstep).
pub fn backoff(attempt: u32, max: Duration, random_unit: f64) -> Duration {
    let exp =
        Duration::from_millis(300u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(40)));
    if exp <= max {
        exp
    } else {
        max.mul_f64(random_unit.clamp(0.0, 1.0))
    }
}

/// Tolerable stages (Kafka): transforms and converters tolerate any error; the others only retriable
/// ones (and those only through retries).
fn tolerable(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::Transformation
            | Stage::KeyConverter
            | Stage::ValueConverter
            | Stage::HeaderConverter
    )
}

impl ErrorPolicy {
    /// Reads the `errors.*` keys of a (validated) connector config.
    pub fn from_config(props: &Props) -> Result<Self, ConfigError> {
        let parsed = common_config_def().parse(props)?;
        let tolerance = match parsed.get_string(ERRORS_TOLERANCE_CONFIG) {
            Some("all") => Tolerance::All,
            _ => Tolerance::None,
        };
        let timeout = parsed.get_long(ERRORS_RETRY_TIMEOUT_CONFIG).unwrap_or(0);
        Ok(ErrorPolicy {
            tolerance,
            retry_timeout: if timeout < 0 {
                None
            } else {
                Some(Duration::from_millis(timeout as u64))
            },
            retry_delay_max: Duration::from_millis(
                parsed
                    .get_long(ERRORS_RETRY_MAX_DELAY_CONFIG)
                    .unwrap_or(60_000)
                    .max(0) as u64,
            ),
            log_enable: parsed.get_bool(ERRORS_LOG_ENABLE_CONFIG).unwrap_or(false),
            log_include_messages: parsed
                .get_bool(ERRORS_LOG_INCLUDE_MESSAGES_CONFIG)
                .unwrap_or(false),
        })
    }

    pub fn retries_enabled(&self) -> bool {
        self.retry_timeout != Some(Duration::ZERO)
    }

    /// Decides about a failure that retries (if any) did not cure: skip it (tolerance `all` on a
    /// tolerable stage) or fail the task with Kafka's "Tolerance exceeded" / "Unhandled exception".
    /// Counts it as Kafka's error handler does: one more failed attempt, one record error, and a
    /// skip or a logged error where there is one.
    pub fn decide<T>(
        &self,
        failure: StageFailure,
        retriable: bool,
        metrics: &ErrorHandlingMetrics,
    ) -> Outcome<T> {
        metrics.record_failures.inc();
        metrics.record_error();
        self.report(&failure, metrics);
        let tolerated = self.tolerance == Tolerance::All && (tolerable(failure.stage) || retriable);
        if tolerated {
            metrics.records_skipped.inc();
            return Outcome::Skip(failure);
        }
        let message = if tolerable(failure.stage) || retriable {
            TOLERANCE_EXCEEDED
        } else {
            "Unhandled exception in error handler"
        };
        Outcome::Fail(Intolerable { failure, message })
    }

    /// Kafka's `LogReporter`: the failure in the error log, when `errors.log.enable` asks for it.
    fn report(&self, failure: &StageFailure, metrics: &ErrorHandlingMetrics) {
        if self.log_enable {
            metrics.errors_logged.inc();
            tracing::error!(
                task = %failure.task,
                stage = failure.stage.as_str(),
                error = %error_chain(failure.source.as_ref()),
                "{}",
                failure.log_message()
            );
        }
    }

    /// Kafka refused a source record, with `errors.tolerance=all`: Kafka's `executeFailed` for
    /// stage `KAFKA_PRODUCE`, which counts a failure, reports it to the error log, and lets the
    /// task go on. Ferry also counts the record as skipped, since it never reaches the topic.
    pub fn producer_send_failed(&self, failure: &StageFailure, metrics: &ErrorHandlingMetrics) {
        metrics.record_failures.inc();
        metrics.stamp_error();
        self.report(failure, metrics);
        metrics.records_skipped.inc();
    }

    /// Whether the error log names the record (`errors.log.enable` and
    /// `errors.log.include.messages`): only then is describing it worth its cost.
    pub fn logs_records(&self) -> bool {
        self.log_enable && self.log_include_messages
    }

    /// Runs `op` with Kafka's retry rule: retriable errors are retried with backoff until
    /// `errors.retry.timeout`; then, or for any other error, [`ErrorPolicy::decide`].
    pub async fn run<T, E>(
        &self,
        mut op: impl FnMut() -> Result<T, E>,
        is_retriable: impl Fn(&E) -> bool,
        failure: impl Fn(E) -> StageFailure,
        metrics: &ErrorHandlingMetrics,
    ) -> Outcome<T> {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            match op() {
                Ok(v) => return Outcome::Done(v),
                Err(e) => {
                    let retriable = is_retriable(&e);
                    let within_deadline = match self.retry_timeout {
                        None => true,
                        Some(t) => started.elapsed() < t,
                    };
                    if retriable && self.retries_enabled() && within_deadline {
                        metrics.record_failures.inc();
                        attempt += 1;
                        let mut wait = backoff(attempt, self.retry_delay_max, pseudo_random());
                        if let Some(t) = self.retry_timeout {
                            wait = wait.min(t.saturating_sub(started.elapsed()));
                        }
                        tracing::debug!(
                            attempt,
                            wait_ms = wait.as_millis() as u64,
                            "retrying a failed operation"
                        );
                        tokio::time::sleep(wait).await;
                        metrics.retries.inc();
                        continue;
                    }
                    return self.decide(failure(e), retriable, metrics);
                }
            }
        }
    }
}

/// The error and its causes on one line, for the error log.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    for cause in crate::errors::causes(e) {
        out.push_str(": ");
        out.push_str(&cause.to_string());
    }
    out
}

/// A value in [0, 1) from the clock: enough to spread retries, no crate needed.
fn pseudo_random() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DataError;
    use crate::metrics::WorkerMetrics;
    use crate::runtime::task::TaskId;

    fn metrics() -> ErrorHandlingMetrics {
        WorkerMetrics::new()
            .expect("metrics")
            .task("c", 0)
            .error_handling
    }

    fn failure(stage: Stage) -> StageFailure {
        StageFailure {
            task: TaskId {
                connector: "c".into(),
                task: 0,
            },
            stage,
            class_name: "X".into(),
            record: "r".into(),
            logged_record: None,
            source: Box::new(DataError::new("bad")),
        }
    }

    fn props(pairs: &[(&str, &str)]) -> Props {
        let mut p: Props = [("name", "c"), ("connector.class", "FileStreamSource")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        p.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        p
    }

    #[test]
    fn backoff_doubles_from_300ms_then_stays_below_the_maximum() {
        let max = Duration::from_secs(2);
        assert_eq!(backoff(1, max, 0.5), Duration::from_millis(300));
        assert_eq!(backoff(2, max, 0.5), Duration::from_millis(600));
        assert_eq!(backoff(3, max, 0.5), Duration::from_millis(1200));
        assert_eq!(backoff(4, max, 0.5), Duration::from_secs(1));
        assert!(backoff(60, max, 0.99) < max);
    }

    #[test]
    fn reads_config_with_kafkas_defaults() {
        let p = ErrorPolicy::from_config(&props(&[])).unwrap();
        assert_eq!(p.tolerance, Tolerance::None);
        assert!(!p.retries_enabled());
        assert_eq!(p.retry_delay_max, Duration::from_secs(60));
        let p = ErrorPolicy::from_config(&props(&[
            ("errors.tolerance", "all"),
            ("errors.retry.timeout", "-1"),
        ]))
        .unwrap();
        assert_eq!(p.tolerance, Tolerance::All);
        assert_eq!(p.retry_timeout, None);
    }

    #[test]
    fn none_fails_with_tolerance_exceeded_and_all_skips_converter_errors() {
        let m = metrics();
        let none = ErrorPolicy::default();
        match none.decide::<()>(failure(Stage::ValueConverter), false, &m) {
            Outcome::Fail(f) => assert_eq!(
                f.into_error().to_string(),
                "Tolerance exceeded in error handler"
            ),
            other => panic!("{other:?}"),
        }
        let all = ErrorPolicy {
            tolerance: Tolerance::All,
            ..ErrorPolicy::default()
        };
        assert!(matches!(
            all.decide::<()>(failure(Stage::ValueConverter), false, &m),
            Outcome::Skip(_)
        ));
        // A failing put is not tolerable, whatever the tolerance.
        match all.decide::<()>(failure(Stage::TaskPut), false, &m) {
            Outcome::Fail(f) => assert_eq!(
                f.into_error().to_string(),
                "Unhandled exception in error handler"
            ),
            other => panic!("{other:?}"),
        }
        // Kafka's counts: every failure is a failed attempt and a record error; only the one that
        // was tolerated is a skip; nothing was logged (errors.log.enable is off).
        assert_eq!(m.record_failures.get(), 3);
        assert_eq!(m.record_errors.get(), 3);
        assert_eq!(m.records_skipped.get(), 1);
        assert_eq!(m.errors_logged.get(), 0);
        assert_eq!(m.retries.get(), 0);
        assert!(m.last_error_timestamp.get() > 1.6e9);
    }

    #[test]
    fn logged_failures_are_counted() {
        let m = metrics();
        let policy = ErrorPolicy {
            tolerance: Tolerance::All,
            log_enable: true,
            ..ErrorPolicy::default()
        };
        assert!(matches!(
            policy.decide::<()>(failure(Stage::Transformation), false, &m),
            Outcome::Skip(_)
        ));
        assert_eq!(m.errors_logged.get(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retriable_errors_are_retried_until_the_timeout() {
        let policy = ErrorPolicy {
            retry_timeout: Some(Duration::from_secs(1)),
            ..ErrorPolicy::default()
        };
        let m = metrics();
        let mut calls = 0;
        let outcome = policy
            .run(
                || -> Result<(), &str> {
                    calls += 1;
                    Err("retriable")
                },
                |_| true,
                |_| failure(Stage::Transformation),
                &m,
            )
            .await;
        assert!(matches!(outcome, Outcome::Fail(_)));
        assert!(calls >= 3, "retried {calls} times");
        // Each call that failed is a failure, each but the last was followed by a retry, and the
        // record failed once.
        assert_eq!(m.record_failures.get(), calls);
        assert_eq!(m.retries.get(), calls - 1);
        assert_eq!(m.record_errors.get(), 1);
        let m = metrics();
        let mut calls = 0;
        let outcome = policy
            .run(
                || {
                    calls += 1;
                    if calls < 3 {
                        Err("retriable")
                    } else {
                        Ok(7)
                    }
                },
                |_| true,
                |_| failure(Stage::Transformation),
                &m,
            )
            .await;
        assert!(matches!(outcome, Outcome::Done(7)));
        assert_eq!(m.record_failures.get(), 2);
        assert_eq!(m.retries.get(), 2);
        assert_eq!(m.record_errors.get(), 0);
    }
}
