//! The Connect data model: schemas, values, structs, logical types and records.
//!
//! This mirrors `org.apache.kafka.connect.data` closely enough that converters and transforms can follow
//! Kafka's own logic line by line. It is built once and shared by converters, transforms and connectors.

mod decimal;
pub mod java_fmt;
pub(crate) mod java_hash;
mod java_string;
mod offset;
mod record;
mod schema;
mod value;
pub mod values;

pub use decimal::{bigint_low_i64, Decimal};
pub use offset::RecordOffset;
pub use record::{ConnectRecord, Header, Headers, RecordOrigin, SourceOffset, SourcePartition};
pub use schema::{logical, Field, Schema, SchemaBuilder, SchemaType};
pub use value::{SchemaAndValue, Struct, Value};

use crate::errors::JavaException;

/// An error in the data model or in converting data: Kafka's `DataException`, with its message and,
/// where Kafka's has one, the exception that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    message: String,
    /// Boxed, so the error (and every `Result` carrying it on the record path) stays small.
    cause: Option<Box<JavaException>>,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {
    /// The cause itself, not its box, so a trace can tell its Java class.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

impl DataError {
    pub fn new(message: impl Into<String>) -> Self {
        DataError {
            message: message.into(),
            cause: None,
        }
    }

    /// Kafka's `new DataException(message, cause)`: the message stays Kafka's exactly (it is what
    /// a dead-letter record's `exception.message` header holds), and the detail goes in the cause,
    /// which traces and the error log show as a `Caused by:` line.
    pub fn caused_by(message: impl Into<String>, cause: JavaException) -> Self {
        DataError {
            message: message.into(),
            cause: Some(Box::new(cause)),
        }
    }

    /// The message alone, without the cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}
