//! What every task runner shares: its id, how the herder controls it, how it ends, and how a failure
//! is described.

use std::fmt;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::errors::ConnectError;

/// `<connector>-<task>`, as Kafka names a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// The herder's handles on a running task: stop it, or pause and resume it.
#[derive(Clone)]
pub struct TaskControl {
    pub stop: CancellationToken,
    pub paused: watch::Receiver<bool>,
}

impl TaskControl {
    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    /// Waits until the task is resumed (`true`) or stopped (`false`).
    pub async fn wait_while_paused(&mut self) -> bool {
        loop {
            if self.stop.is_cancelled() {
                return false;
            }
            if !*self.paused.borrow() {
                return true;
            }
            tokio::select! {
                _ = self.stop.cancelled() => return false,
                changed = self.paused.changed() => {
                    if changed.is_err() {
                        // The herder dropped the sender: nobody can resume us; stop.
                        return false;
                    }
                }
            }
        }
    }
}

/// How a task ended.
#[derive(Debug)]
pub enum TaskExit {
    /// Stopped on request.
    Stopped,
    /// Failed: the trace for its FAILED status.
    Failed(String),
}

/// The stages Kafka names in error reports (`Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    TaskPoll,
    TaskPut,
    Transformation,
    KeyConverter,
    ValueConverter,
    HeaderConverter,
    KafkaProduce,
    KafkaConsume,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::TaskPoll => "TASK_POLL",
            Stage::TaskPut => "TASK_PUT",
            Stage::Transformation => "TRANSFORMATION",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
            Stage::KafkaConsume => "KAFKA_CONSUME",
        }
    }
}

/// A record-level failure with its context: which task, which stage and class, and which record.
///
/// Its `Display` is the task's trace line and names the record by its coordinates only (topic,
/// partition, offset for sinks; source partition and offset for sources), never by its content,
/// because a FAILED task's trace is shown by the REST API and the resource's status.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message(Some(&self.record)))]
pub struct StageFailure {
    pub task: TaskId,
    pub stage: Stage,
    pub class_name: String,
    pub record: String,
    /// What Kafka's error log adds with `errors.log.include.messages=true`: a consumed record's
    /// topic, partition, offset and timestamp, or a source record in full. Logged, never shown
    /// elsewhere; `None` when not asked for.
    pub logged_record: Option<String>,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl StageFailure {
    /// Kafka's `LogReporter` message: the record only when `errors.log.include.messages` asked
    /// for it.
    pub fn log_message(&self) -> String {
        self.message(self.logged_record.as_deref())
    }

    /// Kafka's `ProcessingContext` text: the task, stage and class, then the record if named.
    fn message(&self, record: Option<&str>) -> String {
        let mut message = format!(
            "Error encountered in task {}. Executing stage '{}' with class '{}'",
            self.task,
            self.stage.as_str(),
            self.class_name
        );
        if let Some(record) = record {
            message.push_str(", where ");
            message.push_str(record);
        }
        message.push('.');
        message
    }
}

/// Kafka's wrapper for a failure with `errors.tolerance=none`: the task fails with this trace.
pub fn tolerance_exceeded(failure: StageFailure) -> ConnectError {
    ConnectError::with_source(TOLERANCE_EXCEEDED, failure)
}

/// Kafka's message when `errors.tolerance` does not cover a failure.
pub const TOLERANCE_EXCEEDED: &str = "Tolerance exceeded in error handler";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_trace_names_task_stage_record_and_cause() {
        let failure = StageFailure {
            task: TaskId {
                connector: "sink".into(),
                task: 0,
            },
            stage: Stage::ValueConverter,
            class_name: "org.apache.kafka.connect.json.JsonConverter".into(),
            record: "consumed record is {topic='t', partition=0, offset=5}".into(),
            logged_record: None,
            source: Box::new(crate::data::DataError::caused_by(
                "bad json: ",
                crate::errors::JavaException::new(
                    "org.apache.kafka.common.errors.SerializationException",
                    "Unexpected character",
                ),
            )),
        };
        assert_eq!(
            failure.log_message(),
            "Error encountered in task sink-0. Executing stage 'VALUE_CONVERTER' with class \
             'org.apache.kafka.connect.json.JsonConverter'."
        );
        // Each `Caused by:` line names its Java class, as `printStackTrace` does.
        assert_eq!(
            tolerance_exceeded(failure).trace(),
            "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n\
             Caused by: org.apache.kafka.connect.errors.ConnectException: Error encountered in task \
             sink-0. Executing stage 'VALUE_CONVERTER' with class \
             'org.apache.kafka.connect.json.JsonConverter', where consumed record is \
             {topic='t', partition=0, offset=5}.\n\
             Caused by: org.apache.kafka.connect.errors.DataException: bad json: \n\
             Caused by: org.apache.kafka.common.errors.SerializationException: Unexpected character"
        );
    }
}
