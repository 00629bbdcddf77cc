use super::super::test_support::*;
use super::{parse_spec, Casts};
use crate::data::{logical, Schema, SchemaBuilder, SchemaType, Struct, Value};

const VALUE: &str = "org.apache.kafka.connect.transforms.Cast$Value";
const KEY: &str = "org.apache.kafka.connect.transforms.Cast$Key";

fn spec(items: &[&str]) -> Result<Casts, String> {
    let v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    parse_spec(&v).map_err(|e| e.to_string())
}

#[test]
fn spec_parsing_and_messages() {
    assert_eq!(spec(&["INT8"]).unwrap(), Casts::Whole(SchemaType::Int8));
    assert_eq!(
        spec(&["a:int32", " b : Boolean ", "a:string"]).unwrap(),
        Casts::Fields(vec![
            ("a".to_string(), SchemaType::String),
            ("b".to_string(), SchemaType::Boolean)
        ])
    );
    assert_eq!(
        spec(&["int8", "a:int32"]).unwrap_err(),
        "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
    );
    assert_eq!(
        spec(&["a:b:c"]).unwrap_err(),
        "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c"
    );
    assert_eq!(
        spec(&["a:foo"]).unwrap_err(),
        "Invalid value java.lang.IllegalArgumentException: No enum constant \
         org.apache.kafka.connect.data.Schema.Type.FOO for configuration \
         Invalid type found in casting spec: foo"
    );
    // The whole value's type is not caught in Kafka: the bare message.
    assert_eq!(
        spec(&["foo"]).unwrap_err(),
        "No enum constant org.apache.kafka.connect.data.Schema.Type.FOO"
    );
    assert_eq!(
        spec(&["a:bytes"]).unwrap_err(),
        "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
    );
    // Java's split drops the trailing empty part, leaving a whole-value cast to "A".
    assert_eq!(
        spec(&["a:"]).unwrap_err(),
        "No enum constant org.apache.kafka.connect.data.Schema.Type.A"
    );
}

#[test]
fn config_validation_through_the_def() {
    assert_eq!(
        config_error(VALUE, &[("spec", "")]),
        "Must specify at least one field to cast."
    );
    assert_eq!(
        config_error(VALUE, &[("spec", "int8,a:int32")]),
        "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
    );
    assert_eq!(
        config_error(VALUE, &[]),
        "Missing required configuration \"spec\" which has no default value."
    );
    let def = super::config_def();
    let results = def.validate(&props(&[("spec", "x:nope")]));
    let spec_result = results.iter().find(|v| v.name == "spec").unwrap();
    assert_eq!(
        spec_result.errors,
        vec![
            "Invalid value java.lang.IllegalArgumentException: No enum constant \
              org.apache.kafka.connect.data.Schema.Type.NOPE for configuration \
              Invalid type found in casting spec: nope"
                .to_string()
        ]
    );
}

#[test]
fn whole_value_with_schema() {
    let t = transform(VALUE, &[("spec", "int8")]);
    let schema = SchemaBuilder::new(SchemaType::Int32)
        .optional()
        .default_value(Value::Int32(300))
        .name("n")
        .build();
    let out = apply(
        t.as_ref(),
        source_record(Some(schema.clone()), Value::Int32(42)),
    );
    assert_eq!(out.value, Value::Int8(42));
    let s = out.value_schema.clone().unwrap();
    assert_eq!(s.schema_type(), SchemaType::Int8);
    assert!(s.is_optional());
    assert_eq!(s.name(), Some("n"));
    assert_eq!(s.default_value(), Some(&Value::Int8(44)));
    // Cached: the same derived schema object for the next record.
    let again = apply(t.as_ref(), source_record(Some(schema), Value::Int32(1)));
    assert!(again.value_schema.unwrap().ptr_eq(&s));
}

#[test]
fn whole_value_schemaless_key() {
    let t = transform(KEY, &[("spec", "string")]);
    let r = keyed(source_record(None, Value::Null), None, Value::Int64(12));
    let out = apply(t.as_ref(), r);
    assert_eq!(out.key, Value::from("12"));
    assert_eq!(out.key_schema, None);
}

fn struct_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("rec")
        .field("int8", Schema::int8())
        .unwrap()
        .field(
            "int32",
            SchemaBuilder::new(SchemaType::Int32)
                .optional()
                .default_value(Value::Int32(2))
                .build(),
        )
        .unwrap()
        .field("string", Schema::string())
        .unwrap()
        .field("ts", logical::timestamp())
        .unwrap()
        .field("untouched", Schema::float64())
        .unwrap()
        .build()
}

fn struct_value(schema: &Schema) -> Value {
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("int8", Value::Int8(8)).unwrap();
    s.put("string", Value::from("42")).unwrap();
    s.put("ts", Value::Date(1000)).unwrap();
    s.put("untouched", Value::Float64(1.5)).unwrap();
    Value::Struct(s)
}

#[test]
fn field_casts_with_schema() {
    let t = transform(
        VALUE,
        &[("spec", "int8:string,int32:int64,string:int16,ts:int64")],
    );
    let schema = struct_schema();
    let out = apply(
        t.as_ref(),
        source_record(Some(schema.clone()), struct_value(&schema)),
    );
    let s = out.value_schema.clone().unwrap();
    assert_eq!(s.name(), Some("rec"));
    assert_eq!(s.field("int8").unwrap().schema, Schema::string());
    let int32 = &s.field("int32").unwrap().schema;
    assert_eq!(int32.schema_type(), SchemaType::Int64);
    assert!(int32.is_optional());
    assert_eq!(int32.default_value(), Some(&Value::Int64(2)));
    assert_eq!(s.field("ts").unwrap().schema, Schema::int64());
    assert_eq!(s.field("untouched").unwrap().schema, Schema::float64());
    let Value::Struct(v) = &out.value else {
        panic!()
    };
    assert_eq!(v.get("int8").unwrap(), &Value::from("8"));
    // The null field read through its default, then cast.
    assert_eq!(v.get_without_default("int32").unwrap(), &Value::Int64(2));
    assert_eq!(v.get("string").unwrap(), &Value::Int16(42));
    assert_eq!(v.get("ts").unwrap(), &Value::Int64(1000));
    assert_eq!(v.get("untouched").unwrap(), &Value::Float64(1.5));
}

#[test]
fn replace_null_with_default_false_keeps_nulls() {
    let t = transform(
        VALUE,
        &[
            ("spec", "int32:int64"),
            ("replace.null.with.default", "false"),
        ],
    );
    let schema = struct_schema();
    let out = apply(
        t.as_ref(),
        source_record(Some(schema.clone()), struct_value(&schema)),
    );
    let Value::Struct(v) = &out.value else {
        panic!()
    };
    assert_eq!(v.get_without_default("int32").unwrap(), &Value::Null);
}

#[test]
fn field_casts_schemaless() {
    let t = transform(VALUE, &[("spec", "a:int32,b:boolean,missing:string")]);
    let v = smap(vec![
        ("a", Value::from("17")),
        ("b", Value::Int64(0)),
        ("c", Value::Float32(2.5)),
    ]);
    let out = apply(t.as_ref(), source_record(None, v));
    assert_eq!(
        entries(&out.value),
        vec![
            ("a".to_string(), Value::Int32(17)),
            ("b".to_string(), Value::Boolean(false)),
            ("c".to_string(), Value::Float32(2.5)),
            ("missing".to_string(), Value::Null),
        ]
    );
}

/// Kafka keeps the casts in a `HashMap`, so a schemaless record's fields are cast in its order
/// ("a" before "b", whatever the spec's order) and the first failure in that order is reported.
#[test]
fn schemaless_fields_are_cast_in_kafkas_map_order() {
    let t = transform(VALUE, &[("spec", "b:int8,a:int8")]);
    let v = smap(vec![("a", Value::from("1000")), ("b", Value::from("2000"))]);
    assert_eq!(
        apply_err(t.as_ref(), source_record(None, v)),
        "Value (1000) was out of range for requested data type"
    );
}

#[test]
fn errors_and_tombstones() {
    let t = transform(VALUE, &[("spec", "a:int8")]);
    let r = source_record(Some(struct_schema()), Value::Null);
    assert_eq!(apply(t.as_ref(), r.clone()), r);
    assert_eq!(
        apply_err(t.as_ref(), source_record(None, Value::from("x"))),
        "Only Map objects supported in absence of schema for [cast types], found: java.lang.String"
    );
    assert_eq!(
        apply_err(
            t.as_ref(),
            source_record(None, smap(vec![("a", Value::from("1000"))]))
        ),
        "Value (1000) was out of range for requested data type"
    );
    assert_eq!(
        apply_err(
            t.as_ref(),
            source_record(Some(Schema::string()), Value::from("x"))
        ),
        "Cannot list fields on non-struct type"
    );
    // Also when the schema has a default (Kafka never gets to casting it).
    let with_default = SchemaBuilder::new(SchemaType::String)
        .default_value(Value::from("d"))
        .build();
    assert_eq!(
        apply_err(
            t.as_ref(),
            source_record(Some(with_default), Value::from("x"))
        ),
        "Cannot list fields on non-struct type"
    );
}

#[test]
fn registry_chain() {
    let chain = chain(VALUE, &[("spec", "n:float64")]);
    let out = chain
        .apply(source_record(None, smap(vec![("n", Value::Int32(3))])))
        .unwrap()
        .unwrap();
    assert_eq!(
        entries(&out.value),
        vec![("n".to_string(), Value::Float64(3.0))]
    );
}
