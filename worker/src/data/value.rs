//! Connect values: what a Java `Object` is in Kafka Connect's data API.

use super::{logical, DataError, Decimal, Field, Schema, SchemaType};

/// A Connect value. The variants are the Java classes Kafka Connect accepts (`ConnectSchema.SCHEMA_TYPE_CLASSES`).
///
/// Maps keep insertion order. Kafka's maps are mostly `HashMap`s, whose order Java leaves
/// unspecified but which is in fact fixed by the keys' hashes and the table size. Where Kafka
/// builds a `HashMap` (the JsonConverter's maps, the schemaless maps transforms build), Ferry
/// orders the entries as that map would iterate them ([`crate::data::java_hash`]), so a sink
/// writes them and a converter serializes them (a key's bytes pick its partition) as Kafka does. `Date` is `java.util.Date` (milliseconds since
/// the epoch), the value class of the `Date`, `Time` and `Timestamp` logical types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    Boolean(bool),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Struct(Struct),
    Decimal(Decimal),
    Date(i64),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The Java class Kafka would name in an error message (`java.lang.String`, ...).
    pub fn java_class_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int8(_) => "java.lang.Byte",
            Value::Int16(_) => "java.lang.Short",
            Value::Int32(_) => "java.lang.Integer",
            Value::Int64(_) => "java.lang.Long",
            Value::Float32(_) => "java.lang.Float",
            Value::Float64(_) => "java.lang.Double",
            Value::Boolean(_) => "java.lang.Boolean",
            Value::String(_) => "java.lang.String",
            Value::Bytes(_) => "[B",
            Value::Array(_) => "java.util.ArrayList",
            Value::Map(_) => "java.util.HashMap",
            Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
            Value::Decimal(_) => "java.math.BigDecimal",
            Value::Date(_) => "java.util.Date",
        }
    }

    /// The schema type inferred from the value's class (`ConnectSchema.schemaType(Class)`); `None` for
    /// null and for classes with no schema type (BigDecimal, Date).
    pub fn inferred_type(&self) -> Option<SchemaType> {
        Some(match self {
            Value::Int8(_) => SchemaType::Int8,
            Value::Int16(_) => SchemaType::Int16,
            Value::Int32(_) => SchemaType::Int32,
            Value::Int64(_) => SchemaType::Int64,
            Value::Float32(_) => SchemaType::Float32,
            Value::Float64(_) => SchemaType::Float64,
            Value::Boolean(_) => SchemaType::Boolean,
            Value::String(_) => SchemaType::String,
            Value::Bytes(_) => SchemaType::Bytes,
            Value::Array(_) => SchemaType::Array,
            Value::Map(_) => SchemaType::Map,
            Value::Struct(_) => SchemaType::Struct,
            Value::Null | Value::Decimal(_) | Value::Date(_) => return None,
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

/// A schema and a value together (`SchemaAndValue`). `SchemaAndValue::NULL` is both absent.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    pub schema: Option<Schema>,
    pub value: Value,
}

impl SchemaAndValue {
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };
    pub fn new(schema: Option<Schema>, value: Value) -> Self {
        SchemaAndValue { schema, value }
    }
}

/// A structured value with a struct schema (`org.apache.kafka.connect.data.Struct`).
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

impl Struct {
    /// An empty struct. Kafka throws for a non-struct schema: `Not a struct schema: <schema>`.
    pub fn new(schema: Schema) -> Result<Self, DataError> {
        if schema.schema_type() != SchemaType::Struct {
            return Err(DataError::new(format!("Not a struct schema: {schema:?}")));
        }
        let values = vec![Value::Null; schema.fields().len()];
        Ok(Struct { schema, values })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Sets a field, validating the value against the field's schema as `Struct.put` does.
    pub fn put(&mut self, field_name: &str, value: Value) -> Result<&mut Self, DataError> {
        let field = self
            .schema
            .field(field_name)
            .ok_or_else(|| DataError::new(format!("{field_name} is not a valid field name")))?;
        validate(Some(&field.name), &field.schema, &value)?;
        let index = field.index;
        self.values[index] = value;
        Ok(self)
    }

    /// A struct of `schema` whose first fields take `values`, in order, each validated as `put`
    /// validates it; the fields after them are left unset (null), as after `new`. Transforms that
    /// rebuild a struct hand over the values they moved out of the old one, so the new struct reuses
    /// that allocation instead of filling a fresh one field by field.
    pub fn with_leading_values(schema: Schema, values: Vec<Value>) -> Result<Self, DataError> {
        let fields = leading_fields(&schema, values.len())?;
        for (field, value) in fields.iter().zip(&values) {
            validate(Some(&field.name), &field.schema, value)?;
        }
        Ok(Self::filled(schema, values))
    }

    /// [`Struct::with_leading_values`] for values a transform carries over from a struct whose
    /// field at the same position had the *same schema* (InsertField's own fields, ReplaceField's
    /// kept ones), or a field's default. Such a value passed that schema's validation when it was
    /// put, so only a null is checked again: a struct may leave a required field unset, and Kafka's
    /// `put` of that null fails with its message.
    pub fn with_carried_values(schema: Schema, values: Vec<Value>) -> Result<Self, DataError> {
        let fields = leading_fields(&schema, values.len())?;
        for (field, value) in fields.iter().zip(&values) {
            if value.is_null() {
                validate(Some(&field.name), &field.schema, value)?;
            } else {
                debug_assert!(
                    validate(Some(&field.name), &field.schema, value).is_ok(),
                    "a carried value does not match its field's schema: {}",
                    field.name
                );
            }
        }
        Ok(Self::filled(schema, values))
    }

    /// The struct with `values` followed by nulls up to the schema's field count.
    fn filled(schema: Schema, mut values: Vec<Value>) -> Self {
        let count = schema.fields().len();
        values.reserve_exact(count - values.len().min(count));
        values.resize_with(count, || Value::Null);
        Struct { schema, values }
    }

    /// Sets the field at `index` (its position in the schema's fields), validated as `put` does:
    /// for transforms that know the position, which saves the lookup by name.
    pub fn put_at(&mut self, index: usize, value: Value) -> Result<&mut Self, DataError> {
        let field = self.schema.fields().get(index).ok_or_else(|| {
            DataError::new(format!(
                "field index {index} is out of range for a struct of {} fields",
                self.values.len()
            ))
        })?;
        validate(Some(&field.name), &field.schema, &value)?;
        self.values[index] = value;
        Ok(self)
    }

    /// The schema and the values in the schema's field order, so a transform rebuilding the struct
    /// can move the values instead of copying them.
    pub fn into_parts(self) -> (Schema, Vec<Value>) {
        (self.schema, self.values)
    }

    /// Sets the field at `index` to a value built to match that field's schema (InsertField's
    /// topic as a string, partition as an int32, and so on), for which `put`'s validation cannot
    /// fail: it is skipped on the record path, and checked in debug builds.
    pub fn put_built_at(&mut self, index: usize, value: Value) -> Result<(), DataError> {
        let (Some(field), Some(slot)) =
            (self.schema.fields().get(index), self.values.get_mut(index))
        else {
            return Err(DataError::new(format!(
                "field index {index} is out of range for a struct of {} fields",
                self.values.len()
            )));
        };
        debug_assert!(
            validate(Some(&field.name), &field.schema, &value).is_ok(),
            "a built value does not match its field's schema: {}",
            field.name
        );
        // The slot is usually still the null `new` left there: nothing to drop, and no call to
        // the general drop of a value.
        match std::mem::replace(slot, value) {
            Value::Null => {}
            replaced => drop(replaced),
        }
        Ok(())
    }

    /// The field's value, or its schema default when the value is null (`Struct.get`).
    pub fn get(&self, field_name: &str) -> Result<&Value, DataError> {
        let field = self.lookup(field_name)?;
        let value = &self.values[field.index];
        if value.is_null() {
            if let Some(default) = field.schema.default_value() {
                return Ok(default);
            }
        }
        Ok(value)
    }

    /// The field's value, ignoring defaults (`Struct.getWithoutDefault`).
    pub fn get_without_default(&self, field_name: &str) -> Result<&Value, DataError> {
        let field = self.lookup(field_name)?;
        Ok(&self.values[field.index])
    }

    pub fn get_by_index(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    fn lookup(&self, field_name: &str) -> Result<&super::Field, DataError> {
        self.schema
            .field(field_name)
            .ok_or_else(|| DataError::new(format!("{field_name} is not a valid field name")))
    }

    /// Checks every field against its schema (`Struct.validate`).
    pub fn validate(&self) -> Result<(), DataError> {
        for field in self.schema.fields() {
            let value = &self.values[field.index];
            // Only a whole struct lets a required field with a default stay null (its reader
            // gets the default); `put` refuses that null, as Kafka's `Struct.put` does.
            if value.is_null() && field.schema.default_value().is_some() {
                continue;
            }
            validate(Some(&field.name), &field.schema, value)?;
        }
        Ok(())
    }
}

/// The fields of a struct `schema` that `count` leading values can fill: an error if the schema is
/// not a struct's or has fewer fields.
fn leading_fields(schema: &Schema, count: usize) -> Result<&[Field], DataError> {
    if schema.schema_type() != SchemaType::Struct {
        return Err(DataError::new(format!("Not a struct schema: {schema:?}")));
    }
    let fields = schema.fields();
    if count > fields.len() {
        return Err(DataError::new(format!(
            "{count} values for a struct of {} fields",
            fields.len()
        )));
    }
    Ok(fields)
}

/// `ConnectSchema.validateValue(field, schema, value)`, with Kafka's messages.
pub(super) fn validate(
    field: Option<&str>,
    schema: &Schema,
    value: &Value,
) -> Result<(), DataError> {
    let location = || match field {
        Some(name) if !name.is_empty() => format!(" for field: \"{name}\""),
        _ => String::new(),
    };
    if value.is_null() {
        if schema.is_optional() {
            return Ok(());
        }
        return Err(DataError::new(format!(
            "Invalid value: null used for required field: \"{}\", schema type: {}",
            field.unwrap_or(""),
            schema.schema_type()
        )));
    }
    let logical_ok = match schema.name() {
        Some(logical::DECIMAL) => Some(matches!(value, Value::Decimal(_))),
        Some(logical::DATE) | Some(logical::TIME) | Some(logical::TIMESTAMP) => {
            Some(matches!(value, Value::Date(_)))
        }
        _ => None,
    };
    let class_ok = match logical_ok {
        Some(ok) => ok,
        None => value.inferred_type() == Some(schema.schema_type()),
    };
    if !class_ok {
        return Err(DataError::new(format!(
            "Invalid Java object for schema with type {}: class {}{}",
            schema.schema_type(),
            value.java_class_name(),
            location()
        )));
    }
    match (schema.schema_type(), value) {
        (SchemaType::Struct, Value::Struct(s)) => {
            if s.schema() != schema {
                return Err(DataError::new("Struct schemas do not match."));
            }
            s.validate()
        }
        (SchemaType::Array, Value::Array(items)) => {
            let item_schema = schema
                .value_schema()
                .ok_or_else(|| DataError::new("Array schema has no element schema"))?;
            items
                .iter()
                .try_for_each(|v| validate(Some("entry"), item_schema, v))
        }
        (SchemaType::Map, Value::Map(entries)) => {
            let (ks, vs) = match (schema.key_schema(), schema.value_schema()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(DataError::new("Map schema has no key or value schema")),
            };
            entries.iter().try_for_each(|(k, v)| {
                validate(Some("key"), ks, k)?;
                validate(Some("value"), vs, v)
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;

    fn person() -> Schema {
        SchemaBuilder::struct_()
            .field("name", Schema::string())
            .unwrap()
            .field(
                "nick",
                SchemaBuilder::new(SchemaType::String).optional().build(),
            )
            .unwrap()
            .field("age", Schema::int32())
            .unwrap()
            .build()
    }

    #[test]
    fn leading_values_are_validated_and_the_rest_left_null() {
        let s = Struct::with_leading_values(person(), vec![Value::from("ada")]).unwrap();
        assert_eq!(s.values(), &[Value::from("ada"), Value::Null, Value::Null]);
        let err = Struct::with_leading_values(person(), vec![Value::Int32(1)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid Java object for schema with type STRING: class java.lang.Integer for field: \"name\""
        );
    }

    #[test]
    fn carried_values_fill_the_struct_like_leading_values() {
        let values = vec![Value::from("ada"), Value::Null];
        let carried = Struct::with_carried_values(person(), values.clone()).unwrap();
        let leading = Struct::with_leading_values(person(), values).unwrap();
        assert_eq!(carried, leading);
        assert_eq!(carried.values().len(), 3);
    }

    #[test]
    fn a_built_value_is_set_at_its_index_and_an_index_past_the_fields_is_an_error() {
        let mut s = Struct::new(person()).unwrap();
        s.put_built_at(2, Value::Int32(36)).unwrap();
        s.put_built_at(0, Value::from("ada")).unwrap();
        s.put_built_at(0, Value::from("grace")).unwrap();
        assert_eq!(
            s.values(),
            &[Value::from("grace"), Value::Null, Value::Int32(36)]
        );
        assert_eq!(
            s.put_built_at(3, Value::Int32(1)).unwrap_err().to_string(),
            "field index 3 is out of range for a struct of 3 fields"
        );
    }

    #[test]
    fn a_carried_null_for_a_required_field_fails_as_put_does() {
        // A struct may leave a required field unset; carrying that null on fails with `put`'s message.
        let err = Struct::with_carried_values(person(), vec![Value::Null]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required field: \"name\", schema type: STRING"
        );
    }

    /// Kafka's `Struct.put` refuses null for a required field even when it has a default; only
    /// `Struct.validate` lets such a field stay unset.
    #[test]
    fn put_refuses_null_for_a_required_field_with_a_default() {
        let with_default = SchemaBuilder::new(SchemaType::Int32)
            .set_default(Some(Value::Int32(7)))
            .build();
        let schema = SchemaBuilder::struct_()
            .field("b", with_default)
            .unwrap()
            .build();
        let mut s = Struct::new(schema).unwrap();
        assert_eq!(
            s.put("b", Value::Null).unwrap_err().to_string(),
            "Invalid value: null used for required field: \"b\", schema type: INT32"
        );
        assert!(
            s.validate().is_ok(),
            "unset, the field reads as its default"
        );
        assert!(Struct::with_carried_values(s.schema().clone(), vec![Value::Null]).is_err());
    }

    #[test]
    fn too_many_carried_values_or_a_non_struct_schema_are_errors() {
        let four = vec![
            Value::from("a"),
            Value::Null,
            Value::Int32(1),
            Value::Int32(2),
        ];
        assert!(Struct::with_carried_values(person(), four).is_err());
        assert!(Struct::with_carried_values(Schema::string(), vec![]).is_err());
    }
}
