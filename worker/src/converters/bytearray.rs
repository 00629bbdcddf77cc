//! `org.apache.kafka.connect.converters.ByteArrayConverter`: raw bytes pass through unchanged.

use crate::converters::HeadersAsValues;
use crate::data::{DataError, Schema, SchemaAndValue, SchemaType, Value};

use super::Converter;

pub const CLASS_NAME: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// The ByteArrayConverter; it has no settings besides `converter.type`.
#[derive(Debug, Clone, Default)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    fn encode(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        if let Some(s) = schema {
            if s.schema_type() != SchemaType::Bytes {
                return Err(DataError::new(format!(
                    "Invalid schema type for ByteArrayConverter: {}",
                    s.schema_type()
                )));
            }
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(DataError::new(format!(
                "ByteArrayConverter is not compatible with objects of type class {}",
                other.java_class_name()
            ))),
        }
    }

    fn decode(&self, data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |b| Value::Bytes(b.to_vec()));
        SchemaAndValue::new(Some(Schema::optional_bytes()), value)
    }
}

impl Converter for ByteArrayConverter {
    fn from_connect_data(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        self.encode(schema, value)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        Ok(self.decode(data))
    }
}

// Kafka's header methods are its value methods with the header key ignored.
impl HeadersAsValues for ByteArrayConverter {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_bytes_through() {
        let c = ByteArrayConverter;
        assert_eq!(
            c.from_connect_data("t", Some(&Schema::bytes()), &Value::Bytes(vec![1, 2]))
                .unwrap(),
            Some(vec![1, 2])
        );
        assert_eq!(c.from_connect_data("t", None, &Value::Null).unwrap(), None);
        assert_eq!(
            c.to_connect_data("t", Some(&[7])).unwrap(),
            SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Bytes(vec![7]))
        );
        assert_eq!(
            c.to_connect_data("t", None).unwrap(),
            SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Null)
        );
    }

    #[test]
    fn rejects_other_types_with_kafkas_messages() {
        let c = ByteArrayConverter;
        assert_eq!(
            c.from_connect_data("t", Some(&Schema::string()), &Value::Bytes(vec![]))
                .unwrap_err()
                .message(),
            "Invalid schema type for ByteArrayConverter: STRING"
        );
        assert_eq!(
            c.from_connect_data("t", None, &Value::from("x"))
                .unwrap_err()
                .message(),
            "ByteArrayConverter is not compatible with objects of type class java.lang.String"
        );
    }
}
