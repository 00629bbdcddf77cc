//! Connect schemas (`org.apache.kafka.connect.data.Schema`).

use std::fmt;
use std::sync::Arc;

use super::{DataError, Value};

/// The primitive and container types of the Connect data model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaType {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl SchemaType {
    /// The name used in JSON schemas (`JsonSchema`): `int8`, `float`, `double`, ...
    pub fn json_name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    /// The Java enum constant name (`INT8`, `FLOAT32`, ...), as Kafka's error messages print it.
    pub fn java_name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "INT8",
            SchemaType::Int16 => "INT16",
            SchemaType::Int32 => "INT32",
            SchemaType::Int64 => "INT64",
            SchemaType::Float32 => "FLOAT32",
            SchemaType::Float64 => "FLOAT64",
            SchemaType::Boolean => "BOOLEAN",
            SchemaType::String => "STRING",
            SchemaType::Bytes => "BYTES",
            SchemaType::Array => "ARRAY",
            SchemaType::Map => "MAP",
            SchemaType::Struct => "STRUCT",
        }
    }

    pub fn is_primitive(self) -> bool {
        !matches!(
            self,
            SchemaType::Array | SchemaType::Map | SchemaType::Struct
        )
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.java_name())
    }
}

/// A field of a struct schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub index: usize,
    pub schema: Schema,
}

#[derive(Debug, PartialEq)]
struct SchemaInner {
    schema_type: SchemaType,
    optional: bool,
    default: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    /// Kept in insertion order, as Kafka's `LinkedHashMap` does.
    parameters: Option<Vec<(String, String)>>,
    fields: Vec<Field>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
}

/// An immutable, cheaply cloned schema. Equality is structural, as `ConnectSchema.equals`.
#[derive(Clone)]
pub struct Schema(Arc<SchemaInner>);

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        // Records of one stream share one schema: the pointer check answers most comparisons (struct
        // validation, schema caches) without walking the schema.
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        let mut d = f.debug_struct("Schema");
        d.field("type", &inner.schema_type)
            .field("optional", &inner.optional);
        if let Some(name) = &inner.name {
            d.field("name", name);
        }
        if !inner.fields.is_empty() {
            d.field("fields", &inner.fields);
        }
        if let Some(k) = &inner.key_schema {
            d.field("keys", k);
        }
        if let Some(v) = &inner.value_schema {
            d.field("values", v);
        }
        d.finish()
    }
}

impl Schema {
    pub fn schema_type(&self) -> SchemaType {
        self.0.schema_type
    }
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default.as_ref()
    }
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }
    pub fn parameters(&self) -> Option<&[(String, String)]> {
        self.0.parameters.as_deref()
    }
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0
            .parameters
            .as_ref()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// The fields of a struct schema (empty for any other type).
    pub fn fields(&self) -> &[Field] {
        &self.0.fields
    }
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.0.fields.iter().find(|f| f.name == name)
    }
    pub fn key_schema(&self) -> Option<&Schema> {
        self.0.key_schema.as_ref()
    }
    pub fn value_schema(&self) -> Option<&Schema> {
        self.0.value_schema.as_ref()
    }

    /// Whether both handles point at the same schema object (Java's `==`), a cheap first check
    /// before structural equality.
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The address of the shared schema object: an identity key for caches, valid only while a
    /// handle to the schema is kept alive.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// A builder seeded with this schema's properties, for transforms that derive a schema.
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder {
            inner: SchemaInner {
                schema_type: self.0.schema_type,
                optional: self.0.optional,
                default: self.0.default.clone(),
                name: self.0.name.clone(),
                version: self.0.version,
                doc: self.0.doc.clone(),
                parameters: self.0.parameters.clone(),
                fields: self.0.fields.clone(),
                key_schema: self.0.key_schema.clone(),
                value_schema: self.0.value_schema.clone(),
            },
        }
    }

    fn primitive(schema_type: SchemaType, optional: bool) -> Schema {
        let mut b = SchemaBuilder::new(schema_type);
        if optional {
            b = b.optional();
        }
        b.build()
    }

    pub fn int8() -> Schema {
        Self::primitive(SchemaType::Int8, false)
    }
    pub fn int16() -> Schema {
        Self::primitive(SchemaType::Int16, false)
    }
    pub fn int32() -> Schema {
        Self::primitive(SchemaType::Int32, false)
    }
    pub fn int64() -> Schema {
        Self::primitive(SchemaType::Int64, false)
    }
    pub fn float32() -> Schema {
        Self::primitive(SchemaType::Float32, false)
    }
    pub fn float64() -> Schema {
        Self::primitive(SchemaType::Float64, false)
    }
    pub fn boolean() -> Schema {
        Self::primitive(SchemaType::Boolean, false)
    }
    pub fn string() -> Schema {
        Self::primitive(SchemaType::String, false)
    }
    pub fn bytes() -> Schema {
        Self::primitive(SchemaType::Bytes, false)
    }
    pub fn optional_of(schema_type: SchemaType) -> Schema {
        Self::primitive(schema_type, true)
    }
    pub fn optional_string() -> Schema {
        Self::primitive(SchemaType::String, true)
    }
    pub fn optional_bytes() -> Schema {
        Self::primitive(SchemaType::Bytes, true)
    }

    /// Java's `ConnectSchema.toString()`: `Schema{INT32}`, or `Schema{name:STRUCT}` for a named one.
    pub fn java_string(&self) -> String {
        match self.name() {
            Some(name) => format!("Schema{{{name}:{}}}", self.schema_type()),
            None => format!("Schema{{{}}}", self.schema_type()),
        }
    }

    /// Checks a value against this schema as `ConnectSchema.validateValue` does.
    pub fn validate_value(&self, value: &Value) -> Result<(), DataError> {
        super::value::validate(Some(""), self, value)
    }
}

/// Builds a [`Schema`] (`SchemaBuilder`).
pub struct SchemaBuilder {
    inner: SchemaInner,
}

impl SchemaBuilder {
    pub fn new(schema_type: SchemaType) -> Self {
        SchemaBuilder {
            inner: SchemaInner {
                schema_type,
                optional: false,
                default: None,
                name: None,
                version: None,
                doc: None,
                parameters: None,
                fields: Vec::new(),
                key_schema: None,
                value_schema: None,
            },
        }
    }
    pub fn struct_() -> Self {
        Self::new(SchemaType::Struct)
    }
    pub fn array(items: Schema) -> Self {
        let mut b = Self::new(SchemaType::Array);
        b.inner.value_schema = Some(items);
        b
    }
    pub fn map(keys: Schema, values: Schema) -> Self {
        let mut b = Self::new(SchemaType::Map);
        b.inner.key_schema = Some(keys);
        b.inner.value_schema = Some(values);
        b
    }
    /// A map schema with keys but no value schema (`SchemaBuilder.mapWithNullValues`), as
    /// `Values.parseString` infers for a map whose values are all null.
    pub fn map_with_null_values(keys: Schema) -> Self {
        let mut b = Self::new(SchemaType::Map);
        b.inner.key_schema = Some(keys);
        b
    }
    pub fn optional(mut self) -> Self {
        self.inner.optional = true;
        self
    }
    pub fn required(mut self) -> Self {
        self.inner.optional = false;
        self
    }
    pub fn set_optional(mut self, optional: bool) -> Self {
        self.inner.optional = optional;
        self
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.inner.name = Some(name.into());
        self
    }
    pub fn set_name(mut self, name: Option<String>) -> Self {
        self.inner.name = name;
        self
    }
    pub fn version(mut self, version: i32) -> Self {
        self.inner.version = Some(version);
        self
    }
    pub fn set_version(mut self, version: Option<i32>) -> Self {
        self.inner.version = version;
        self
    }
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.inner.doc = Some(doc.into());
        self
    }
    pub fn set_doc(mut self, doc: Option<String>) -> Self {
        self.inner.doc = doc;
        self
    }
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        let params = self.inner.parameters.get_or_insert_with(Vec::new);
        match params.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => params.push((key, value)),
        }
        self
    }
    pub fn set_parameters(mut self, parameters: Option<Vec<(String, String)>>) -> Self {
        self.inner.parameters = parameters;
        self
    }
    /// Sets the default; the caller is responsible for it matching the schema (see `build_checked`).
    /// Sets the default. A null default is no default, as Java's `defaultValue(null)` stores
    /// null: a schema read from `"default": null` equals one without the key, and writers never
    /// meet a default that is itself null.
    pub fn default_value(self, value: Value) -> Self {
        self.set_default(Some(value))
    }
    pub fn set_default(mut self, value: Option<Value>) -> Self {
        self.inner.default = value.filter(|v| !v.is_null());
        self
    }
    /// Adds a struct field. Kafka rejects an empty name (`fieldName cannot be null.`) and duplicate
    /// names (`Cannot create field because of field name duplication <name>`).
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Result<Self, DataError> {
        let name = name.into();
        if self.inner.schema_type != SchemaType::Struct {
            return Err(DataError::new(
                "Cannot create fields on type ".to_string() + self.inner.schema_type.java_name(),
            ));
        }
        if name.is_empty() {
            return Err(DataError::new("fieldName cannot be null."));
        }
        if self.inner.fields.iter().any(|f| f.name == name) {
            return Err(DataError::new(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        let index = self.inner.fields.len();
        self.inner.fields.push(Field {
            name,
            index,
            schema,
        });
        Ok(self)
    }
    pub fn schema_type(&self) -> SchemaType {
        self.inner.schema_type
    }
    pub fn build(self) -> Schema {
        Schema(Arc::new(self.inner))
    }
    /// Builds and checks the default value against the schema, as `SchemaBuilder.defaultValue` does.
    pub fn build_checked(self) -> Result<Schema, DataError> {
        let schema = self.build();
        if let Some(default) = schema.default_value() {
            if let Err(e) = schema.validate_value(default) {
                return Err(DataError::new(format!(
                    "Invalid default value: {}",
                    e.message()
                )));
            }
        }
        Ok(schema)
    }
}

/// Kafka's logical types: names and schema constructors.
pub mod logical {
    use super::{Schema, SchemaBuilder, SchemaType};

    pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
    pub const DATE: &str = "org.apache.kafka.connect.data.Date";
    pub const TIME: &str = "org.apache.kafka.connect.data.Time";
    pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
    pub const SCALE_FIELD: &str = "scale";
    pub const MILLIS_PER_DAY: i64 = 86_400_000;

    pub fn decimal_builder(scale: i32) -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Bytes)
            .name(DECIMAL)
            .parameter(SCALE_FIELD, scale.to_string())
            .version(1)
    }
    pub fn decimal(scale: i32) -> Schema {
        decimal_builder(scale).build()
    }
    pub fn date_builder() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int32).name(DATE).version(1)
    }
    pub fn date() -> Schema {
        date_builder().build()
    }
    pub fn time_builder() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int32).name(TIME).version(1)
    }
    pub fn time() -> Schema {
        time_builder().build()
    }
    pub fn timestamp_builder() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int64)
            .name(TIMESTAMP)
            .version(1)
    }
    pub fn timestamp() -> Schema {
        timestamp_builder().build()
    }

    /// The scale of a Decimal schema, from its `scale` parameter.
    pub fn decimal_scale(schema: &Schema) -> Option<i32> {
        schema.parameter(SCALE_FIELD)?.trim().parse().ok()
    }
}
