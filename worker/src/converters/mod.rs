//! Converters between Connect data and bytes (`Converter`, `HeaderConverter`).

use crate::data::{DataError, Schema, SchemaAndValue, Value};

/// Which part of a record a converter is configured for (`converter.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConverterKind {
    Key,
    Value,
    Header,
}

/// `org.apache.kafka.connect.storage.Converter`.
// The method names are Kafka's (`fromConnectData`), not Rust conversions.
#[allow(clippy::wrong_self_convention)]
pub trait Converter: Send + Sync {
    /// Connect data to bytes; `Ok(None)` is a Kafka null (tombstone).
    fn from_connect_data(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError>;

    /// Bytes (or a Kafka null) to Connect data.
    fn to_connect_data(
        &self,
        topic: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError>;
}

/// `org.apache.kafka.connect.storage.HeaderConverter`.
#[allow(clippy::wrong_self_convention)]
pub trait HeaderConverter: Send + Sync {
    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError>;

    /// The bytes [`Self::from_connect_header`] would return when they are exactly the value's own
    /// bytes (a string as UTF-8), so the runtime hands them to the producer without building a
    /// copy per record. `None`: no such shortcut for this value; call `from_connect_header`.
    fn borrowed_header_bytes<'v>(
        &self,
        _schema: Option<&Schema>,
        _value: &'v Value,
    ) -> Option<&'v [u8]> {
        None
    }

    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError>;
}

pub mod bytearray;
pub mod charset;
pub mod config;
pub mod json;
pub mod number;
pub mod registry;
pub mod simple_header;
pub mod string;

pub use bytearray::ByteArrayConverter;
pub use json::JsonConverter;
pub use number::{NumberConverter, NumberKind};
pub use simple_header::SimpleHeaderConverter;
pub use string::StringConverter;

/// Converters whose header conversion is their value conversion, the header key ignored (as Kafka's
/// JsonConverter, StringConverter, ByteArrayConverter and number converters define it).
pub trait HeadersAsValues: Converter {}

impl<T: HeadersAsValues> HeaderConverter for T {
    fn from_connect_header(
        &self,
        topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        self.from_connect_data(topic, schema, value)
    }

    fn to_connect_header(
        &self,
        topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        self.to_connect_data(topic, data)
    }
}
