//! Prometheus metrics of the worker: per connector and task, the figures Kafka Connect reports through
//! JMX (records polled, written, read and put; bytes; errors; offset commits and their latency; task
//! state), with names in Prometheus style.

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use crate::runtime::status::State;

/// Every metric of a worker, registered in one registry.
pub struct WorkerMetrics {
    registry: Registry,
    source_records_polled: IntCounterVec,
    source_records_written: IntCounterVec,
    sink_records_read: IntCounterVec,
    sink_records_put: IntCounterVec,
    bytes: IntCounterVec,
    errors: IntCounterVec,
    record_failures: IntCounterVec,
    record_errors: IntCounterVec,
    records_skipped: IntCounterVec,
    retries: IntCounterVec,
    errors_logged: IntCounterVec,
    dead_letter_requests: IntCounterVec,
    dead_letter_failures: IntCounterVec,
    last_error_timestamp: GaugeVec,
    offset_commits: IntCounterVec,
    offset_commit_seconds: HistogramVec,
    task_state: IntGaugeVec,
    connector_state: IntGaugeVec,
    /// Task ids that have series, per connector, so a deleted connector's series can be removed.
    known_tasks: Mutex<BTreeMap<String, BTreeSet<u32>>>,
}

/// A task's counters with their labels already resolved, so the hot path is a plain atomic add.
#[derive(Clone)]
pub struct TaskMetrics {
    pub records_polled: IntCounter,
    pub records_written: IntCounter,
    pub records_read: IntCounter,
    pub records_put: IntCounter,
    pub bytes_out: IntCounter,
    pub bytes_in: IntCounter,
    pub errors: IntCounter,
    pub error_handling: ErrorHandlingMetrics,
    pub commits_ok: IntCounter,
    pub commits_failed: IntCounter,
    pub commit_seconds: prometheus::Histogram,
}

/// Kafka Connect's `task-error-metrics` group for one task: what the error handler (retries,
/// tolerance, the log and dead-letter reporters) did, counted where Kafka's
/// `RetryWithToleranceOperator` and reporters count it.
#[derive(Clone)]
pub struct ErrorHandlingMetrics {
    /// `total-record-failures`: failed attempts of a stage on a record, retries included.
    pub record_failures: IntCounter,
    /// `total-record-errors`: records whose stage failed for good (skipped or failing the task).
    pub record_errors: IntCounter,
    /// `total-records-skipped`.
    pub records_skipped: IntCounter,
    /// `total-retries`.
    pub retries: IntCounter,
    /// `total-errors-logged`: failures written to the log by `errors.log.enable`.
    pub errors_logged: IntCounter,
    /// `deadletterqueue-produce-requests`.
    pub dead_letter_requests: IntCounter,
    /// `deadletterqueue-produce-failures`.
    pub dead_letter_failures: IntCounter,
    /// `last-error-timestamp`, in seconds since the epoch (Kafka's is in milliseconds).
    pub last_error_timestamp: Gauge,
}

impl ErrorHandlingMetrics {
    /// A record's stage failed for good: Kafka's `recordError` and `markAsFailed`.
    pub fn record_error(&self) {
        self.record_errors.inc();
        self.stamp_error();
    }

    /// Sets `last-error-timestamp` to now.
    pub fn stamp_error(&self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        self.last_error_timestamp.set(now);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl WorkerMetrics {
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let task_labels = &["connector", "task"];
        let counter =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, MetricsError> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(c.clone()))?;
                Ok(c)
            };
        let source_records_polled = counter(
            "ferry_source_records_polled_total",
            "Records returned by source task polls (before transforms).",
            task_labels,
        )?;
        let source_records_written = counter(
            "ferry_source_records_written_total",
            "Source records acknowledged by Kafka.",
            task_labels,
        )?;
        let sink_records_read = counter(
            "ferry_sink_records_read_total",
            "Records read from Kafka by sink tasks.",
            task_labels,
        )?;
        let sink_records_put = counter(
            "ferry_sink_records_put_total",
            "Records handed to sink tasks' put().",
            task_labels,
        )?;
        let bytes = counter(
            "ferry_task_bytes_total",
            "Record bytes (key and value) moved by a task; direction is out (to Kafka) or in (from Kafka).",
            &["connector", "task", "direction"],
        )?;
        let errors = counter(
            "ferry_task_errors_total",
            "Errors raised in a task (conversion, transform, producer, connector).",
            task_labels,
        )?;
        // Kafka's task-error-metrics, one counter each.
        let record_failures = counter(
            "ferry_task_record_failures_total",
            "Failed attempts of a stage (converter, transform, put, produce) on a record, retries included (Kafka: total-record-failures).",
            task_labels,
        )?;
        let record_errors = counter(
            "ferry_task_record_errors_total",
            "Records whose stage failed after any retries: skipped, or failing the task (Kafka: total-record-errors).",
            task_labels,
        )?;
        let records_skipped = counter(
            "ferry_task_records_skipped_total",
            "Records skipped because of an error tolerated by errors.tolerance=all (Kafka: total-records-skipped).",
            task_labels,
        )?;
        let retries = counter(
            "ferry_task_retries_total",
            "Retries of a stage after a retriable error, under errors.retry.timeout (Kafka: total-retries).",
            task_labels,
        )?;
        let errors_logged = counter(
            "ferry_task_errors_logged_total",
            "Failures written to the log by errors.log.enable (Kafka: total-errors-logged).",
            task_labels,
        )?;
        let dead_letter_requests = counter(
            "ferry_task_dead_letter_records_total",
            "Records sent to the dead letter queue topic (Kafka: deadletterqueue-produce-requests).",
            task_labels,
        )?;
        let dead_letter_failures = counter(
            "ferry_task_dead_letter_failures_total",
            "Records the dead letter queue topic did not take (Kafka: deadletterqueue-produce-failures).",
            task_labels,
        )?;
        let last_error_timestamp = GaugeVec::new(
            Opts::new(
                "ferry_task_last_error_timestamp_seconds",
                "When a record last failed, in seconds since the epoch; 0 if none has (Kafka: last-error-timestamp).",
            ),
            task_labels,
        )?;
        registry.register(Box::new(last_error_timestamp.clone()))?;
        let offset_commits = counter(
            "ferry_offset_commits_total",
            "Offset commits by result (success, failure).",
            &["connector", "task", "result"],
        )?;
        let offset_commit_seconds = HistogramVec::new(
            HistogramOpts::new(
                "ferry_offset_commit_duration_seconds",
                "Time to commit offsets (flush included for sinks).",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
            ]),
            task_labels,
        )?;
        registry.register(Box::new(offset_commit_seconds.clone()))?;
        let task_state = IntGaugeVec::new(
            Opts::new(
                "ferry_task_state",
                "1 for a task's current state, 0 for the others.",
            ),
            &["connector", "task", "state"],
        )?;
        registry.register(Box::new(task_state.clone()))?;
        let connector_state = IntGaugeVec::new(
            Opts::new(
                "ferry_connector_state",
                "1 for a connector's current state, 0 for the others.",
            ),
            &["connector", "state"],
        )?;
        registry.register(Box::new(connector_state.clone()))?;
        Ok(WorkerMetrics {
            registry,
            source_records_polled,
            source_records_written,
            sink_records_read,
            sink_records_put,
            bytes,
            errors,
            record_failures,
            record_errors,
            records_skipped,
            retries,
            errors_logged,
            dead_letter_requests,
            dead_letter_failures,
            last_error_timestamp,
            offset_commits,
            offset_commit_seconds,
            task_state,
            connector_state,
            known_tasks: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn task(&self, connector: &str, task: u32) -> TaskMetrics {
        crate::sync::lock(&self.known_tasks)
            .entry(connector.to_string())
            .or_default()
            .insert(task);
        let t = task.to_string();
        let l = [connector, t.as_str()];
        TaskMetrics {
            records_polled: self.source_records_polled.with_label_values(&l),
            records_written: self.source_records_written.with_label_values(&l),
            records_read: self.sink_records_read.with_label_values(&l),
            records_put: self.sink_records_put.with_label_values(&l),
            bytes_out: self.bytes.with_label_values(&[connector, &t, "out"]),
            bytes_in: self.bytes.with_label_values(&[connector, &t, "in"]),
            errors: self.errors.with_label_values(&l),
            error_handling: ErrorHandlingMetrics {
                record_failures: self.record_failures.with_label_values(&l),
                record_errors: self.record_errors.with_label_values(&l),
                records_skipped: self.records_skipped.with_label_values(&l),
                retries: self.retries.with_label_values(&l),
                errors_logged: self.errors_logged.with_label_values(&l),
                dead_letter_requests: self.dead_letter_requests.with_label_values(&l),
                dead_letter_failures: self.dead_letter_failures.with_label_values(&l),
                last_error_timestamp: self.last_error_timestamp.with_label_values(&l),
            },
            commits_ok: self
                .offset_commits
                .with_label_values(&[connector, &t, "success"]),
            commits_failed: self
                .offset_commits
                .with_label_values(&[connector, &t, "failure"]),
            commit_seconds: self.offset_commit_seconds.with_label_values(&l),
        }
    }

    /// Records a state change of a connector (`task` = None) or a task.
    pub fn set_state(&self, connector: &str, task: Option<u32>, state: State) {
        if let Some(t) = task {
            crate::sync::lock(&self.known_tasks)
                .entry(connector.to_string())
                .or_default()
                .insert(t);
        }
        for s in State::ALL {
            let v = i64::from(s == state);
            match task {
                Some(t) => self
                    .task_state
                    .with_label_values(&[connector, &t.to_string(), s.as_str()])
                    .set(v),
                None => self
                    .connector_state
                    .with_label_values(&[connector, s.as_str()])
                    .set(v),
            }
        }
    }

    /// Drops every series of a deleted connector, so `/metrics` does not keep reporting it.
    pub fn remove_connector(&self, connector: &str) {
        let tasks = crate::sync::lock(&self.known_tasks)
            .remove(connector)
            .unwrap_or_default();
        for t in tasks {
            let t = t.to_string();
            let l = [connector, t.as_str()];
            for vec in [
                &self.source_records_polled,
                &self.source_records_written,
                &self.sink_records_read,
                &self.sink_records_put,
                &self.errors,
                &self.record_failures,
                &self.record_errors,
                &self.records_skipped,
                &self.retries,
                &self.errors_logged,
                &self.dead_letter_requests,
                &self.dead_letter_failures,
            ] {
                let _ = vec.remove_label_values(&l);
            }
            let _ = self.last_error_timestamp.remove_label_values(&l);
            let _ = self.offset_commit_seconds.remove_label_values(&l);
            for d in ["out", "in"] {
                let _ = self.bytes.remove_label_values(&[connector, &t, d]);
            }
            for r in ["success", "failure"] {
                let _ = self.offset_commits.remove_label_values(&[connector, &t, r]);
            }
            for s in State::ALL {
                let _ = self
                    .task_state
                    .remove_label_values(&[connector, &t, s.as_str()]);
            }
        }
        for s in State::ALL {
            let _ = self
                .connector_state
                .remove_label_values(&[connector, s.as_str()]);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::warn!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_task_counters_and_state() {
        let m = WorkerMetrics::new().unwrap();
        let t = m.task("src", 0);
        t.records_polled.inc_by(3);
        m.set_state("src", Some(0), State::Running);
        let text = m.render();
        assert!(
            text.contains(r#"ferry_source_records_polled_total{connector="src",task="0"} 3"#),
            "{text}"
        );
        assert!(
            text.contains(r#"ferry_task_state{connector="src",state="RUNNING",task="0"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"ferry_task_state{connector="src",state="FAILED",task="0"} 0"#),
            "{text}"
        );
        m.remove_connector("src");
        assert!(!m.render().contains("connector=\"src\""));
    }
}
