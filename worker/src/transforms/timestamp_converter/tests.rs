use std::sync::Arc;

use super::*;
use crate::data::logical;

/// 2017-01-25T14:28:37.000Z (the instant Kafka's own tests use), and its parts.
const TS: i64 = 1_485_354_517_000;
const DATE: i64 = 1_485_302_400_000;
const TIME: i64 = 52_117_000;
const FORMAT: &str = "yyyy MM dd HH mm ss SSS z";
const TS_STRING: &str = "2017 01 25 14 28 37 000 UTC";

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn xform(pairs: &[(&str, &str)]) -> TimestampConverter {
    TimestampConverter::configure(Side::Value, &props(pairs)).unwrap()
}

fn config_err(pairs: &[(&str, &str)]) -> String {
    match TimestampConverter::configure(Side::Value, &props(pairs)) {
        Ok(_) => panic!("configuration accepted: {pairs:?}"),
        Err(e) => e.to_string(),
    }
}

fn record(schema: Option<Schema>, value: Value) -> ConnectRecord {
    ConnectRecord::source(
        Arc::new(Default::default()),
        Arc::new(Default::default()),
        "topic",
        schema,
        value,
        Some(0),
    )
}

fn apply(t: &TimestampConverter, schema: Option<Schema>, value: Value) -> ConnectRecord {
    t.apply_owned(record(schema, value)).unwrap().unwrap()
}

fn apply_err(t: &TimestampConverter, schema: Option<Schema>, value: Value) -> String {
    match t.apply_owned(record(schema, value)) {
        Ok(r) => panic!("converted: {r:?}"),
        Err(e) => e.to_string(),
    }
}

fn target(name: &str) -> TimestampConverter {
    xform(&[("target.type", name), ("format", FORMAT)])
}

#[test]
fn configuration_errors_are_kafkas() {
    assert_eq!(
        config_err(&[]),
        "Missing required configuration \"target.type\" which has no default value."
    );
    // `target.type` is case-sensitive.
    assert_eq!(
        config_err(&[("target.type", "timestamp")]),
        "Invalid value timestamp for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
    );
    assert_eq!(
        config_err(&[("target.type", "string")]),
        "TimestampConverter requires format option to be specified when using string timestamps"
    );
    assert_eq!(
        config_err(&[("target.type", "string"), ("format", "   ")]),
        "TimestampConverter requires format option to be specified when using string timestamps"
    );
    assert_eq!(
        config_err(&[("target.type", "unix"), ("format", "yyyy-qq")]),
        "Invalid value java.lang.IllegalArgumentException: Illegal pattern character 'q' for configuration \
         TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: yyyy-qq"
    );
    assert_eq!(
        config_err(&[("target.type", "unix"), ("unix.precision", "minutes")]),
        "Invalid value minutes for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
    );
    let def = config_def();
    assert_eq!(
        def.key("field").unwrap().default_value,
        crate::config::def::DefaultValue::Value(String::new())
    );
    assert!(def.key("target.type").unwrap().is_required());
    assert_eq!(
        def.key("unix.precision").unwrap().importance,
        Importance::Low
    );
}

#[test]
fn schemaless_whole_values_convert_every_way() {
    let cases: Vec<(&str, Value, Value)> = vec![
        ("string", Value::Date(TS), Value::String(TS_STRING.into())),
        ("unix", Value::Date(TS), Value::Int64(TS)),
        ("Date", Value::Date(TS), Value::Date(DATE)),
        ("Time", Value::Date(TS), Value::Date(TIME)),
        ("Timestamp", Value::Int64(TS), Value::Date(TS)),
        (
            "Timestamp",
            Value::String(TS_STRING.into()),
            Value::Date(TS),
        ),
        ("string", Value::Int64(TS), Value::String(TS_STRING.into())),
        ("unix", Value::String(TS_STRING.into()), Value::Int64(TS)),
        ("Date", Value::Int64(TS), Value::Date(DATE)),
        ("Time", Value::String(TS_STRING.into()), Value::Date(TIME)),
    ];
    for (name, input, want) in cases {
        let out = apply(&target(name), None, input.clone());
        assert_eq!(out.value, want, "{name} from {input:?}");
        assert_eq!(out.value_schema, None);
    }
}

#[test]
fn whole_values_with_schema_take_the_source_type_from_the_schema() {
    let cases: Vec<(&str, Schema, Value, Schema, Value)> = vec![
        (
            "string",
            logical::timestamp(),
            Value::Date(TS),
            Schema::string(),
            Value::String(TS_STRING.into()),
        ),
        (
            "unix",
            logical::date(),
            Value::Date(DATE),
            Schema::int64(),
            Value::Int64(DATE),
        ),
        (
            "Timestamp",
            Schema::string(),
            Value::String(TS_STRING.into()),
            logical::timestamp(),
            Value::Date(TS),
        ),
        (
            "Date",
            Schema::int64(),
            Value::Int64(TS),
            logical::date(),
            Value::Date(DATE),
        ),
        (
            "Time",
            logical::timestamp(),
            Value::Date(TS),
            logical::time(),
            Value::Date(TIME),
        ),
        (
            "Timestamp",
            logical::time(),
            Value::Date(TIME),
            logical::timestamp(),
            Value::Date(TIME),
        ),
    ];
    for (name, schema, input, want_schema, want) in cases {
        let out = apply(&target(name), Some(schema), input);
        assert_eq!(out.value, want, "{name}");
        assert_eq!(out.value_schema, Some(want_schema), "{name}");
    }
    // Optionality of the input schema carries over.
    let optional = logical::timestamp_builder().optional().build();
    let out = apply(&target("unix"), Some(optional), Value::Date(TS));
    assert_eq!(
        out.value_schema,
        Some(Schema::optional_of(SchemaType::Int64))
    );
}

#[test]
fn unix_precision_scales_both_ways() {
    let cases = [
        ("seconds", 1_485_354_517, TS),
        ("milliseconds", TS, TS),
        ("microseconds", TS * 1000, TS),
        ("nanoseconds", TS * 1_000_000, TS),
    ];
    for (precision, unix, ms) in cases {
        let to_unix = xform(&[("target.type", "unix"), ("unix.precision", precision)]);
        assert_eq!(
            apply(&to_unix, None, Value::Date(ms)).value,
            Value::Int64(unix),
            "{precision}"
        );
        let from_unix = xform(&[("target.type", "Timestamp"), ("unix.precision", precision)]);
        assert_eq!(
            apply(&from_unix, None, Value::Int64(unix)).value,
            Value::Date(ms),
            "{precision}"
        );
    }
    // Sub-unit parts are truncated toward zero, and overflow saturates, as `TimeUnit` does.
    let micros = xform(&[
        ("target.type", "Timestamp"),
        ("unix.precision", "microseconds"),
    ]);
    assert_eq!(
        apply(&micros, None, Value::Int64(-1_500)).value,
        Value::Date(-1)
    );
    let seconds = xform(&[("target.type", "unix"), ("unix.precision", "seconds")]);
    assert_eq!(
        apply(&seconds, None, Value::Date(-1_999)).value,
        Value::Int64(-1)
    );
    let nanos = xform(&[("target.type", "unix"), ("unix.precision", "nanoseconds")]);
    assert_eq!(
        apply(&nanos, None, Value::Date(i64::MAX / 10)).value,
        Value::Int64(i64::MAX)
    );
}

fn struct_schema(ts: Schema) -> Schema {
    SchemaBuilder::struct_()
        .name("my.record")
        .version(3)
        .field("id", Schema::int32())
        .unwrap()
        .field("ts", ts)
        .unwrap()
        .build()
}

fn struct_value(schema: &Schema, ts: Value) -> Value {
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("id", Value::Int32(7)).unwrap();
    s.put("ts", ts).unwrap();
    Value::Struct(s)
}

#[test]
fn a_struct_field_is_converted_and_the_rest_kept() {
    let t = xform(&[
        ("target.type", "string"),
        ("format", FORMAT),
        ("field", "ts"),
    ]);
    let schema = struct_schema(logical::timestamp());
    let out = apply(
        &t,
        Some(schema.clone()),
        struct_value(&schema, Value::Date(TS)),
    );
    let out_schema = out.value_schema.clone().unwrap();
    assert_eq!(out_schema.name(), Some("my.record"));
    assert_eq!(out_schema.version(), Some(3));
    assert_eq!(out_schema.field("ts").unwrap().schema, Schema::string());
    assert_eq!(out_schema.field("id").unwrap().schema, Schema::int32());
    let s = out.value.as_struct().unwrap();
    assert_eq!(s.get("ts").unwrap(), &Value::String(TS_STRING.into()));
    assert_eq!(s.get("id").unwrap(), &Value::Int32(7));
    // And back: a string field with a format becomes a Timestamp.
    let back = xform(&[
        ("target.type", "Timestamp"),
        ("format", FORMAT),
        ("field", "ts"),
    ]);
    let again = apply(&back, Some(out_schema), out.value);
    assert_eq!(
        again.value.as_struct().unwrap().get("ts").unwrap(),
        &Value::Date(TS)
    );
    // A unix field on the key side.
    let key = TimestampConverter::configure(
        Side::Key,
        &props(&[("target.type", "Date"), ("field", "ts")]),
    )
    .unwrap();
    let int_schema = struct_schema(Schema::int64());
    let mut rec = record(None, Value::Null);
    rec.key_schema = Some(int_schema.clone());
    rec.key = struct_value(&int_schema, Value::Int64(TS));
    let out = key.apply_owned(rec).unwrap().unwrap();
    assert_eq!(
        out.key.as_struct().unwrap().get("ts").unwrap(),
        &Value::Date(DATE)
    );
    assert_eq!(
        out.key_schema.unwrap().field("ts").unwrap().schema,
        logical::date()
    );
}

#[test]
fn derived_schemas_are_cached_by_identity_then_equality() {
    let t = xform(&[("target.type", "unix"), ("field", "ts")]);
    let schema = struct_schema(logical::timestamp());
    let first = apply(
        &t,
        Some(schema.clone()),
        struct_value(&schema, Value::Date(TS)),
    );
    let second = apply(
        &t,
        Some(schema.clone()),
        struct_value(&schema, Value::Date(TS)),
    );
    assert!(first
        .value_schema
        .unwrap()
        .ptr_eq(second.value_schema.as_ref().unwrap()));
    // An equal schema built separately finds the same entry.
    let twin = struct_schema(logical::timestamp());
    assert!(!twin.ptr_eq(&schema));
    let third = apply(&t, Some(twin.clone()), struct_value(&twin, Value::Date(TS)));
    assert!(third
        .value_schema
        .unwrap()
        .ptr_eq(second.value_schema.as_ref().unwrap()));
    assert_eq!(t.cache.len(), 1);
    // The cache is bounded.
    for i in 0..20 {
        let s = SchemaBuilder::struct_()
            .version(i)
            .field("ts", Schema::int64())
            .unwrap()
            .build();
        apply(&t, Some(s.clone()), struct_value_single(&s, TS));
    }
    assert_eq!(t.cache.len(), 16);
}

fn struct_value_single(schema: &Schema, ts: i64) -> Value {
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("ts", Value::Int64(ts)).unwrap();
    Value::Struct(s)
}

#[test]
fn struct_defaults_and_replace_null_with_default() {
    let ts_schema = logical::timestamp_builder()
        .optional()
        .default_value(Value::Date(TS))
        .build();
    let schema = SchemaBuilder::struct_()
        .field("ts", ts_schema)
        .unwrap()
        .build();
    let value = Value::Struct(Struct::new(schema.clone()).unwrap());
    let with_default = xform(&[("target.type", "unix"), ("field", "ts")]);
    let out = apply(&with_default, Some(schema.clone()), value.clone());
    assert_eq!(
        out.value.as_struct().unwrap().get("ts").unwrap(),
        &Value::Int64(TS)
    );
    let without = xform(&[
        ("target.type", "unix"),
        ("field", "ts"),
        ("replace.null.with.default", "false"),
    ]);
    let out = apply(&without, Some(schema), value);
    assert_eq!(
        out.value.as_struct().unwrap().get("ts").unwrap(),
        &Value::Null
    );
    // The converted field schema is optional like the original, without its default.
    assert_eq!(
        out.value_schema.unwrap().field("ts").unwrap().schema,
        Schema::optional_of(SchemaType::Int64)
    );
    // A struct schema default is converted too.
    let inner = SchemaBuilder::struct_()
        .field("ts", logical::timestamp())
        .unwrap()
        .build();
    let mut default = Struct::new(inner.clone()).unwrap();
    default.put("ts", Value::Date(TS)).unwrap();
    let with_struct_default = inner
        .to_builder()
        .default_value(Value::Struct(default))
        .build();
    let out = apply(&with_default, Some(with_struct_default), Value::Null);
    let derived = out.value_schema.unwrap();
    let Some(Value::Struct(d)) = derived.default_value() else {
        panic!("no struct default: {derived:?}");
    };
    assert_eq!(d.get("ts").unwrap(), &Value::Int64(TS));
}

#[test]
fn schemaless_map_fields() {
    let t = xform(&[("target.type", "Date"), ("field", "ts")]);
    let map = Value::Map(vec![
        (Value::from("id"), Value::Int32(1)),
        (Value::from("ts"), Value::Int64(TS)),
    ]);
    let out = apply(&t, None, map);
    assert_eq!(
        out.value,
        Value::Map(vec![
            (Value::from("id"), Value::Int32(1)),
            (Value::from("ts"), Value::Date(DATE)),
        ])
    );
    // A missing key is added with a null value, as Kafka's `HashMap.put` does.
    let out = apply(
        &t,
        None,
        Value::Map(vec![(Value::from("id"), Value::Int32(1))]),
    );
    assert_eq!(
        out.value,
        Value::Map(vec![
            (Value::from("id"), Value::Int32(1)),
            (Value::from("ts"), Value::Null),
        ])
    );
}

#[test]
fn nulls_convert_to_null() {
    let whole = target("string");
    let out = apply(&whole, None, Value::Null);
    assert_eq!((out.value, out.value_schema), (Value::Null, None));
    let optional = logical::timestamp_builder().optional().build();
    let out = apply(&whole, Some(optional), Value::Null);
    assert_eq!(out.value, Value::Null);
    assert_eq!(out.value_schema, Some(Schema::optional_string()));
    let field = xform(&[("target.type", "unix"), ("field", "ts")]);
    assert_eq!(apply(&field, None, Value::Null).value, Value::Null);
    let schema = struct_schema(logical::timestamp())
        .to_builder()
        .optional()
        .build();
    let out = apply(&field, Some(schema), Value::Null);
    assert_eq!(out.value, Value::Null);
    let derived = out.value_schema.unwrap();
    assert!(derived.is_optional());
    assert_eq!(derived.field("ts").unwrap().schema, Schema::int64());
}

#[test]
fn conversion_errors_are_kafkas() {
    assert_eq!(
        apply_err(&target("unix"), Some(Schema::int32()), Value::Int32(1)),
        "Schema Schema{INT32} does not correspond to a known timestamp type format"
    );
    assert_eq!(
        apply_err(&target("unix"), None, Value::Int32(1)),
        "TimestampConverter does not support class java.lang.Integer objects as timestamps"
    );
    assert_eq!(
        apply_err(&target("unix"), None, Value::from("not a date")),
        format!("Could not parse timestamp: value (not a date) does not match pattern ({FORMAT})")
    );
    // The trace ends with Kafka's cause, `SimpleDateFormat.parse`'s exception.
    let Err(err) = target("unix").apply_owned(record(None, Value::from("not a date"))) else {
        panic!("a string that is not a date converted");
    };
    assert!(
        crate::errors::java_trace(&err)
            .ends_with("\nCaused by: java.text.ParseException: Unparseable date: \"not a date\""),
        "{}",
        crate::errors::java_trace(&err)
    );
    let field = xform(&[("target.type", "unix"), ("field", "ts")]);
    assert_eq!(
        apply_err(&field, None, Value::from("x")),
        "Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.String"
    );
    assert_eq!(
        apply_err(&field, Some(Schema::int64()), Value::Int64(1)),
        "Only Struct objects supported for [converting timestamp formats], found: java.lang.Long"
    );
    assert_eq!(
        apply_err(
            &field,
            Some(Schema::optional_of(SchemaType::Int64)),
            Value::Null
        ),
        "Cannot list fields on non-struct type"
    );
    // The field's schema decides its type even when the field is null.
    let schema = SchemaBuilder::struct_()
        .field("ts", Schema::optional_of(SchemaType::Int32))
        .unwrap()
        .build();
    let value = Value::Struct(Struct::new(schema.clone()).unwrap());
    assert_eq!(
        apply_err(&field, Some(schema), value),
        "Schema Schema{INT32} does not correspond to a known timestamp type format"
    );
    // A string input needs a format even when the target is not a string.
    let no_format = xform(&[("target.type", "unix")]);
    assert!(apply_err(&no_format, None, Value::from("2017")).contains("requires format"));
}
