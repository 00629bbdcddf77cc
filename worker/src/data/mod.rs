//! The Connect data model: schemas, values, structs, logical types and records.
//!
//! This mirrors `org.apache.kafka.connect.data` closely enough that converters and transforms can follow
//! Kafka's own logic line by line. It is built once and shared by converters, transforms and connectors.

mod decimal;
pub mod java_fmt;
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

/// An error in the data model or in converting data, with Kafka's `DataException` message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

impl DataError {
    pub fn new(message: impl Into<String>) -> Self {
        DataError(message.into())
    }
}
