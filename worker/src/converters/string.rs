//! `org.apache.kafka.connect.storage.StringConverter`: `String.valueOf(value)` in a charset; reads
//! bytes back as an optional string.

use crate::config::{ConfigError, Props};
use crate::converters::HeadersAsValues;
use crate::data::{DataError, Schema, SchemaAndValue, Value};

use super::charset::Charset;
use super::config::get_string;
use super::Converter;

pub const CLASS_NAME: &str = "org.apache.kafka.connect.storage.StringConverter";
pub const ENCODING_CONFIG: &str = "converter.encoding";

/// The StringConverter.
#[derive(Debug, Clone)]
pub struct StringConverter {
    charset: Charset,
}

impl Default for StringConverter {
    fn default() -> Self {
        StringConverter {
            charset: Charset::Utf8,
        }
    }
}

impl StringConverter {
    pub fn new(charset: Charset) -> Self {
        StringConverter { charset }
    }

    /// Reads `converter.encoding` (default `UTF-8`).
    pub fn configure(props: &Props) -> Result<Self, ConfigError> {
        let name = get_string(props, ENCODING_CONFIG, "UTF-8");
        let charset = Charset::for_name(name).ok_or_else(|| ConfigError::Invalid {
            name: ENCODING_CONFIG.to_string(),
            value: name.to_string(),
            reason: format!("Unsupported character set {name}"),
        })?;
        Ok(StringConverter { charset })
    }

    pub fn charset(&self) -> Charset {
        self.charset
    }

    fn encode(&self, value: &Value) -> Option<Vec<u8>> {
        if value.is_null() {
            return None;
        }
        Some(self.charset.encode(value.java_string()))
    }

    fn decode(&self, data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |b| Value::String(self.charset.decode(b)));
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
}
