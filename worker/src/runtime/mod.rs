//! The runtime: the herder that owns connectors and their tasks, the source and sink task loops, the
//! Kafka client settings, and status.

pub mod converters;
pub mod errors;
pub mod herder;
pub mod kafka_config;
pub mod kafka_security;
pub mod sink_offsets;
pub mod sink_task;
pub mod source_task;
pub mod status;
pub mod submitted;
pub mod subscription;
pub mod task;
mod topic_sender;
pub mod topics;

pub use herder::{StandaloneHerder, WorkerSettings};
