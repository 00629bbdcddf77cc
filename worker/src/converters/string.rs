//! `org.apache.kafka.connect.storage.StringConverter`: `String.valueOf(value)` in a charset; reads
//! bytes back as an optional string.

use crate::config::{ConfigError, Props};
use crate::converters::HeadersAsValues;
use crate::data::{DataError, Schema, SchemaAndValue, Value};

use super::charset::Charset;
use super::config::{get_string, TYPE_CONFIG};
use super::{Converter, ConverterKind};

pub const CLASS_NAME: &str = "org.apache.kafka.connect.storage.StringConverter";
pub const ENCODING_CONFIG: &str = "converter.encoding";

/// The StringConverter: one charset to write with and one to read with, as Kafka's string
/// serializer and deserializer each take their own.
#[derive(Debug, Clone)]
pub struct StringConverter {
    serializer: Charset,
    deserializer: Charset,
}

impl Default for StringConverter {
    fn default() -> Self {
        StringConverter::new(Charset::Utf8)
    }
}

impl StringConverter {
    pub fn new(charset: Charset) -> Self {
        StringConverter {
            serializer: charset,
            deserializer: charset,
        }
    }

    /// Reads `converter.encoding` (default `UTF-8`), which Kafka hands to its string serializer
    /// and deserializer; those prefer their own `key.`/`value.` + `serializer.encoding` /
    /// `deserializer.encoding` when set (a header converter counts as `value.`).
    pub fn configure(props: &Props) -> Result<Self, ConfigError> {
        let base = get_string(props, ENCODING_CONFIG, "UTF-8");
        let side = if get_string(props, TYPE_CONFIG, "") == ConverterKind::Key.type_name() {
            "key"
        } else {
            "value"
        };
        let charset = |direction: &str| -> Result<Charset, ConfigError> {
            let key = format!("{side}.{direction}.encoding");
            let (name, config) = match props.get(&key) {
                Some(own) => (own.as_str(), key),
                None => (base, ENCODING_CONFIG.to_string()),
            };
            Charset::for_name(name).ok_or_else(|| ConfigError::Invalid {
                name: config,
                value: name.to_string(),
                reason: format!("Unsupported character set {name}"),
            })
        };
        Ok(StringConverter {
            serializer: charset("serializer")?,
            deserializer: charset("deserializer")?,
        })
    }

    fn encode(&self, value: &Value) -> Option<Vec<u8>> {
        if value.is_null() {
            return None;
        }
        Some(self.serializer.encode(value.java_string()))
    }

    fn decode(&self, data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |b| Value::String(self.deserializer.decode(b)));
        SchemaAndValue::new(Some(Schema::optional_string()), value)
    }
}

impl Converter for StringConverter {
    fn from_connect_data(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        Ok(self.encode(value))
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
impl HeadersAsValues for StringConverter {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converters::HeaderConverter;
    use crate::data::{SchemaBuilder, Struct};

    use crate::config::test_props as props;

    #[test]
    fn writes_java_to_string() {
        let c = StringConverter::configure(&props(&[])).unwrap();
        let out = |v: &Value| c.from_connect_data("t", None, v).unwrap();
        assert_eq!(out(&Value::Null), None);
        assert_eq!(out(&Value::from("héllo")).unwrap(), "héllo".as_bytes());
        assert_eq!(out(&Value::Float64(1e10)).unwrap(), b"1.0E10");
        assert_eq!(
            out(&Value::Map(vec![(Value::from("a"), Value::Int32(1))])).unwrap(),
            b"{a=1}"
        );
        let schema = SchemaBuilder::struct_()
            .field("f", Schema::int8())
            .unwrap()
            .build();
        let mut s = Struct::new(schema).unwrap();
        s.put("f", Value::Int8(1)).unwrap();
        assert_eq!(out(&Value::Struct(s)).unwrap(), b"Struct{f=1}");
    }

    #[test]
    fn reads_optional_strings() {
        let c = StringConverter::default();
        assert_eq!(
            c.to_connect_data("t", Some(b"abc")).unwrap(),
            SchemaAndValue::new(Some(Schema::optional_string()), Value::from("abc"))
        );
        assert_eq!(
            c.to_connect_data("t", None).unwrap(),
            SchemaAndValue::new(Some(Schema::optional_string()), Value::Null)
        );
    }

    #[test]
    fn encodings() {
        let c = StringConverter::configure(&props(&[("converter.encoding", "UTF-16LE")])).unwrap();
        assert_eq!(
            c.from_connect_data("t", None, &Value::from("a"))
                .unwrap()
                .unwrap(),
            vec![b'a', 0]
        );
        assert_eq!(
            c.to_connect_header("t", "k", Some(&[b'a', 0]))
                .unwrap()
                .value,
            Value::from("a")
        );
        let err =
            StringConverter::configure(&props(&[("converter.encoding", "KLINGON")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value KLINGON for configuration converter.encoding: Unsupported character set KLINGON"
        );
    }

    /// Kafka's string serializer and deserializer prefer their own `key.`/`value.` encodings to
    /// the converter's.
    #[test]
    fn side_specific_encodings_override_the_converters() {
        let c = StringConverter::configure(&props(&[
            ("converter.type", "value"),
            ("converter.encoding", "UTF-16LE"),
            ("value.serializer.encoding", "ISO-8859-1"),
            ("key.deserializer.encoding", "US-ASCII"),
        ]))
        .unwrap();
        assert_eq!(
            c.from_connect_data("t", None, &Value::from("é"))
                .unwrap()
                .unwrap(),
            vec![0xe9]
        );
        // The key's setting does not apply to a value converter: it reads UTF-16LE.
        assert_eq!(
            c.to_connect_data("t", Some(&[b'a', 0])).unwrap().value,
            Value::from("a")
        );
        let key = StringConverter::configure(&props(&[
            ("converter.type", "key"),
            ("key.deserializer.encoding", "US-ASCII"),
        ]))
        .unwrap();
        assert_eq!(
            key.to_connect_data("t", Some(b"a\xe9")).unwrap().value,
            Value::from("a\u{fffd}")
        );
        assert_eq!(
            key.from_connect_data("t", None, &Value::from("é"))
                .unwrap()
                .unwrap(),
            "é".as_bytes()
        );
        let err = StringConverter::configure(&props(&[
            ("converter.type", "value"),
            ("value.deserializer.encoding", "KLINGON"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value KLINGON for configuration value.deserializer.encoding: Unsupported character set KLINGON"
        );
    }
}
