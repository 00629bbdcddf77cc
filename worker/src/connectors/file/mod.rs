//! Kafka's FileStream connectors: `FileStreamSourceConnector` reads lines from a file (or stdin) into
//! a topic; `FileStreamSinkConnector` writes record values to a file (or stdout), one per line.
//!
//! Behaviour matches Kafka's (§1 of the reference), with these deliberate additions, documented in
//! `docs/file-connectors.md`:
//! - the source wakes on file-system notifications, so an appended line is read within milliseconds
//!   instead of Kafka's 1-second poll;
//! - it follows truncation (copy-truncate rotation) and rename rotation of its file;
//! - positions count bytes, not UTF-16 code units, so a restart resumes exactly for any UTF-8 input;
//! - the sink makes its writes durable (`fsync`) before the worker commits the covering offsets.

mod lines;
mod sink;
mod source;
mod tail;

pub use lines::{Line, LineSplitter};
pub use sink::{FileStreamSinkConnector, FileStreamSinkTask};
pub use source::{FileStreamSourceConnector, FileStreamSourceTask};

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, Validator};
use crate::connectors::{Connector, SinkTask, SourceTask};

pub const SOURCE_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
pub const SINK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";
pub const SOURCE_TASK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceTask";
pub const SINK_TASK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkTask";

pub const FILE_CONFIG: &str = "file";
pub const TOPIC_CONFIG: &str = "topic";
pub const BATCH_SIZE_CONFIG: &str = "batch.size";
pub const DEFAULT_BATCH_SIZE: i32 = 2000;
/// Source partition key (`FILENAME_FIELD`).
pub const FILENAME_FIELD: &str = "filename";
/// Source offset key (`POSITION_FIELD`).
pub const POSITION_FIELD: &str = "position";

pub fn source_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FILE_CONFIG,
                ConfigType::String,
                Importance::High,
                "Source filename. If not specified, the standard input will be used",
            )
            .default(DefaultValue::Null),
        )
        .define(
            ConfigKey::new(
                TOPIC_CONFIG,
                ConfigType::String,
                Importance::High,
                "The topic to publish data to",
            )
            .default(DefaultValue::Required)
            .validator(Validator::non_empty_string()),
        )
        .define(
            ConfigKey::new(
                BATCH_SIZE_CONFIG,
                ConfigType::Int,
                Importance::Low,
                "The maximum number of records the source task can read from the file each time it is polled",
            )
            .default(DefaultValue::Value(DEFAULT_BATCH_SIZE.to_string())),
        )
}

pub fn sink_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            FILE_CONFIG,
            ConfigType::String,
            Importance::High,
            "Destination filename. If not specified, the standard output will be used",
        )
        .default(DefaultValue::Null),
    )
}

pub fn new_source_connector() -> Box<dyn Connector> {
    Box::<FileStreamSourceConnector>::default()
}
pub fn new_sink_connector() -> Box<dyn Connector> {
    Box::<FileStreamSinkConnector>::default()
}
pub fn new_source_task() -> Box<dyn SourceTask> {
    Box::<FileStreamSourceTask>::default()
}
pub fn new_sink_task() -> Box<dyn SinkTask> {
    Box::<FileStreamSinkTask>::default()
}

/// The `file` setting as Kafka reads it: trimmed, with empty meaning "not set".
fn configured_file(props: &crate::config::Props) -> Option<String> {
    props
        .get(FILE_CONFIG)
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
}

#[cfg(test)]
mod tests;
