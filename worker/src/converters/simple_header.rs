//! `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default header converter: values as
//! `Values.convertToString` text in UTF-8, read back with `Values.parseString`'s type inference.

use crate::data::values::{convert_to_string, parse_string};
use crate::data::{DataError, Schema, SchemaAndValue, Value};

use super::HeaderConverter;

pub const CLASS_NAME: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// The SimpleHeaderConverter; it has no settings.
#[derive(Debug, Clone, Default)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        Ok(convert_to_string(value).map(String::into_bytes))
    }

    /// `Values.convertToString` gives a string value back unchanged (quotes only inside lists,
    /// maps and structs), so its UTF-8 bytes are the header's bytes.
    fn borrowed_header_bytes<'v>(
        &self,
        _schema: Option<&Schema>,
        value: &'v Value,
    ) -> Option<&'v [u8]> {
        match value {
            Value::String(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        let Some(data) = data else {
            return Ok(SchemaAndValue::NULL);
        };
        match std::str::from_utf8(data) {
            Ok(text) => Ok(parse_string(text)),
            // Java would decode with replacement characters and parse that; bytes that are not
            // UTF-8 are better kept intact, as Kafka does when parsing fails.
            Err(_) => {
                tracing::warn!("header value is not UTF-8; keeping it as bytes");
                Ok(SchemaAndValue::new(
                    Some(Schema::bytes()),
                    Value::Bytes(data.to_vec()),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{logical, SchemaType};

    fn write(v: &Value) -> Option<String> {
        SimpleHeaderConverter
            .from_connect_header("t", "k", None, v)
            .unwrap()
            .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn borrowed_bytes_are_the_converted_bytes_of_strings_only() {
        for text in [
            "",
            "bench",
            "with \"quotes\" and \\",
            "ünïcødé ✓",
            "[1,2]",
            "{\"a\":1}",
        ] {
            let value = Value::String(text.to_string());
            assert_eq!(
                SimpleHeaderConverter.borrowed_header_bytes(Some(&Schema::string()), &value),
                Some(text.as_bytes())
            );
            assert_eq!(write(&value).as_deref(), Some(text));
        }
        for value in [
            Value::Null,
            Value::Int32(7),
            Value::Bytes(b"raw".to_vec()),
            Value::Array(vec![Value::String("a".into())]),
        ] {
            assert_eq!(
                SimpleHeaderConverter.borrowed_header_bytes(None, &value),
                None
            );
        }
    }

    fn read(s: &str) -> SchemaAndValue {
        SimpleHeaderConverter
            .to_connect_header("t", "k", Some(s.as_bytes()))
            .unwrap()
    }

    #[test]
    fn writes_values_strings() {
        assert_eq!(write(&Value::Null), None);
        assert_eq!(write(&Value::from("raw")).as_deref(), Some("raw"));
        assert_eq!(write(&Value::Float32(1e10)).as_deref(), Some("1.0E10"));
        assert_eq!(
            write(&Value::Array(vec![Value::from("a"), Value::Int32(1)])).as_deref(),
            Some(r#"["a",1]"#)
        );
        assert_eq!(write(&Value::Bytes(vec![0xff])).as_deref(), Some("/w=="));
    }

    #[test]
    fn reads_inferred_types() {
        assert_eq!(
            SimpleHeaderConverter
                .to_connect_header("t", "k", None)
                .unwrap(),
            SchemaAndValue::NULL
        );
        assert_eq!(read("null"), SchemaAndValue::NULL);
        assert_eq!(
            read(""),
            SchemaAndValue::new(Some(Schema::string()), Value::from(""))
        );
        assert_eq!(read("42").value, Value::Int8(42));
        assert_eq!(
            read("true").schema.map(|s| s.schema_type()),
            Some(SchemaType::Boolean)
        );
        assert_eq!(
            read("2024-03-01").schema.as_ref().and_then(|s| s.name()),
            Some(logical::DATE)
        );
        assert_eq!(read("some text").value, Value::from("some text"));
        let round =
            read(&write(&Value::Array(vec![Value::from("x,y"), Value::from("z")])).unwrap());
        assert_eq!(
            round.value,
            Value::Array(vec![Value::from("x,y"), Value::from("z")])
        );
        let bytes = SimpleHeaderConverter
            .to_connect_header("t", "k", Some(&[0xff, 0xfe]))
            .unwrap();
        assert_eq!(bytes.value, Value::Bytes(vec![0xff, 0xfe]));
    }
}
