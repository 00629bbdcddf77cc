//! The number and boolean converters (`org.apache.kafka.connect.converters.{Double,Float,Integer,
//! Long,Short,Boolean}Converter`): Kafka's big-endian serializers, optional schemas on the way in.

use crate::converters::HeadersAsValues;
use crate::data::{DataError, Schema, SchemaAndValue, SchemaType, Value};
use crate::errors::JavaException;

use super::Converter;

/// Which primitive a [`NumberConverter`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Double,
    Float,
    Integer,
    Long,
    Short,
    Boolean,
}

impl NumberKind {
    pub const ALL: [NumberKind; 6] = [
        NumberKind::Double,
        NumberKind::Float,
        NumberKind::Integer,
        NumberKind::Long,
        NumberKind::Short,
        NumberKind::Boolean,
    ];

    pub fn class_name(self) -> &'static str {
        match self {
            NumberKind::Double => "org.apache.kafka.connect.converters.DoubleConverter",
            NumberKind::Float => "org.apache.kafka.connect.converters.FloatConverter",
            NumberKind::Integer => "org.apache.kafka.connect.converters.IntegerConverter",
            NumberKind::Long => "org.apache.kafka.connect.converters.LongConverter",
            NumberKind::Short => "org.apache.kafka.connect.converters.ShortConverter",
            NumberKind::Boolean => "org.apache.kafka.connect.converters.BooleanConverter",
        }
    }

    /// The type name in Kafka's messages (`Failed to serialize to integer ...`).
    fn type_name(self) -> &'static str {
        match self {
            NumberKind::Double => "double",
            NumberKind::Float => "float",
            NumberKind::Integer => "integer",
            NumberKind::Long => "long",
            NumberKind::Short => "short",
            NumberKind::Boolean => "boolean",
        }
    }

    /// The deserializer its size error names: Kafka's float and double deserializers say just
    /// `Deserializer` in their `byte[]` methods.
    fn deserializer(self) -> &'static str {
        match self {
            NumberKind::Double | NumberKind::Float => "Deserializer",
            NumberKind::Integer => "IntegerDeserializer",
            NumberKind::Long => "LongDeserializer",
            NumberKind::Short => "ShortDeserializer",
            NumberKind::Boolean => "BooleanDeserializer",
        }
    }

    /// The Java class its serializer takes, which a `ClassCastException` names.
    fn java_class(self) -> &'static str {
        match self {
            NumberKind::Double => "java.lang.Double",
            NumberKind::Float => "java.lang.Float",
            NumberKind::Integer => "java.lang.Integer",
            NumberKind::Long => "java.lang.Long",
            NumberKind::Short => "java.lang.Short",
            NumberKind::Boolean => "java.lang.Boolean",
        }
    }

    fn schema_type(self) -> SchemaType {
        match self {
            NumberKind::Double => SchemaType::Float64,
            NumberKind::Float => SchemaType::Float32,
            NumberKind::Integer => SchemaType::Int32,
            NumberKind::Long => SchemaType::Int64,
            NumberKind::Short => SchemaType::Int16,
            NumberKind::Boolean => SchemaType::Boolean,
        }
    }

    fn size(self) -> usize {
        match self {
            NumberKind::Double | NumberKind::Long => 8,
            NumberKind::Float | NumberKind::Integer => 4,
            NumberKind::Short => 2,
            NumberKind::Boolean => 1,
        }
    }
}

/// One of the number/boolean converters; none has settings besides `converter.type`.
#[derive(Debug, Clone)]
pub struct NumberConverter {
    kind: NumberKind,
    schema: Schema,
}

impl NumberConverter {
    pub fn new(kind: NumberKind) -> Self {
        NumberConverter {
            kind,
            schema: Schema::optional_of(kind.schema_type()),
        }
    }

    pub fn kind(&self) -> NumberKind {
        self.kind
    }

    fn encode(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        // Only Kafka's BooleanConverter checks the schema, before anything else.
        if let (NumberKind::Boolean, Some(schema)) = (self.kind, schema) {
            if schema.schema_type() != SchemaType::Boolean {
                return Err(DataError::new(format!(
                    "Invalid schema type for BooleanConverter: {}",
                    schema.schema_type()
                )));
            }
        }
        let bytes = match (self.kind, value) {
            (_, Value::Null) => return Ok(None),
            (NumberKind::Double, Value::Float64(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Float, Value::Float32(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Integer, Value::Int32(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Long, Value::Int64(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Short, Value::Int16(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Boolean, Value::Boolean(v)) => vec![u8::from(*v)],
            (NumberKind::Boolean, other) => {
                return Err(DataError::new(format!(
                    "BooleanConverter is not compatible with objects of type class {}",
                    other.java_class_name()
                )))
            }
            (kind, other) => {
                let class = other.java_class_name();
                return Err(DataError::caused_by(
                    format!(
                        "Failed to serialize to {} (was class {class}): ",
                        kind.type_name()
                    ),
                    JavaException::new(
                        "java.lang.ClassCastException",
                        format!(
                            "class {class} cannot be cast to class {}",
                            kind.java_class()
                        ),
                    ),
                ));
            }
        };
        Ok(Some(bytes))
    }

    fn decode(&self, data: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let Some(data) = data else {
            return Ok(SchemaAndValue::new(Some(self.schema.clone()), Value::Null));
        };
        // Kafka's message is the bare prefix; the deserializer's complaint is the cause.
        let fail = |detail: String| {
            DataError::caused_by(
                format!("Failed to deserialize {}: ", self.kind.type_name()),
                JavaException::new(
                    "org.apache.kafka.common.errors.SerializationException",
                    detail,
                ),
            )
        };
        if data.len() != self.kind.size() {
            return Err(fail(format!(
                "Size of data received by {} is not {}",
                self.kind.deserializer(),
                self.kind.size()
            )));
        }
        let mut buf = [0u8; 8];
        buf[..data.len()].copy_from_slice(data);
        let value = match self.kind {
            NumberKind::Double => Value::Float64(f64::from_be_bytes(buf)),
            NumberKind::Long => Value::Int64(i64::from_be_bytes(buf)),
            NumberKind::Float => {
                Value::Float32(f32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]))
            }
            NumberKind::Integer => {
                Value::Int32(i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]))
            }
            NumberKind::Short => Value::Int16(i16::from_be_bytes([buf[0], buf[1]])),
            NumberKind::Boolean => match buf[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                other => {
                    return Err(fail(format!(
                        "Unexpected byte received by BooleanDeserializer: {}",
                        other as i8
                    )))
                }
            },
        };
        Ok(SchemaAndValue::new(Some(self.schema.clone()), value))
    }
}

impl Converter for NumberConverter {
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
        self.decode(data)
    }
}

// Kafka's header methods are its value methods with the header key ignored.
impl HeadersAsValues for NumberConverter {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_round_trips() {
        let cases = [
            (
                NumberKind::Double,
                Value::Float64(1.5),
                vec![0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
            ),
            (
                NumberKind::Float,
                Value::Float32(1.5),
                vec![0x3f, 0xc0, 0, 0],
            ),
            (NumberKind::Integer, Value::Int32(258), vec![0, 0, 1, 2]),
            (NumberKind::Long, Value::Int64(-1), vec![0xff; 8]),
            (NumberKind::Short, Value::Int16(1), vec![0, 1]),
            (NumberKind::Boolean, Value::Boolean(true), vec![1]),
        ];
        for (kind, value, bytes) in cases {
            let c = NumberConverter::new(kind);
            assert_eq!(
                c.from_connect_data("t", None, &value).unwrap(),
                Some(bytes.clone())
            );
            let back = c.to_connect_data("t", Some(&bytes)).unwrap();
            assert_eq!(back.value, value);
            assert_eq!(back.schema, Some(Schema::optional_of(kind.schema_type())));
        }
    }

    #[test]
    fn errors_and_nulls() {
        let c = NumberConverter::new(NumberKind::Integer);
        assert_eq!(c.from_connect_data("t", None, &Value::Null).unwrap(), None);
        assert_eq!(c.to_connect_data("t", None).unwrap().value, Value::Null);
        assert_eq!(
            c.from_connect_data("t", None, &Value::Int64(1))
                .unwrap_err()
                .message(),
            "Failed to serialize to integer (was class java.lang.Long): "
        );
        let trace = |e: DataError| crate::errors::java_trace(&e);
        assert_eq!(
            trace(
                c.from_connect_data("t", None, &Value::Int64(1))
                    .unwrap_err()
            ),
            "org.apache.kafka.connect.errors.DataException: Failed to serialize to integer (was \
             class java.lang.Long): \nCaused by: java.lang.ClassCastException: class \
             java.lang.Long cannot be cast to class java.lang.Integer"
        );
        // Kafka's message is the bare prefix, the deserializer's complaint its cause.
        assert_eq!(
            trace(c.to_connect_data("t", Some(&[1, 2])).unwrap_err()),
            "org.apache.kafka.connect.errors.DataException: Failed to deserialize integer: \n\
             Caused by: org.apache.kafka.common.errors.SerializationException: Size of data \
             received by IntegerDeserializer is not 4"
        );
        let f = NumberConverter::new(NumberKind::Float);
        assert!(trace(f.to_connect_data("t", Some(&[0])).unwrap_err())
            .ends_with("SerializationException: Size of data received by Deserializer is not 4"));
        let b = NumberConverter::new(NumberKind::Boolean);
        assert!(
            trace(b.to_connect_data("t", Some(&[2])).unwrap_err()).ends_with(
                "SerializationException: Unexpected byte received by BooleanDeserializer: 2"
            )
        );
    }

    /// Kafka's BooleanConverter checks the schema first (also for a null value) and names a
    /// value of another type by its class.
    #[test]
    fn the_boolean_converter_checks_the_schema_and_the_value_type() {
        let b = NumberConverter::new(NumberKind::Boolean);
        for value in [Value::Boolean(true), Value::Null] {
            assert_eq!(
                b.from_connect_data("t", Some(&Schema::int32()), &value)
                    .unwrap_err()
                    .message(),
                "Invalid schema type for BooleanConverter: INT32"
            );
        }
        assert_eq!(
            b.from_connect_data("t", None, &Value::from("x"))
                .unwrap_err()
                .message(),
            "BooleanConverter is not compatible with objects of type class java.lang.String"
        );
        assert_eq!(
            b.from_connect_data(
                "t",
                Some(&Schema::optional_of(SchemaType::Boolean)),
                &Value::Null
            )
            .unwrap(),
            None
        );
    }
}
