//! JsonConverter against the exact bytes and messages of Kafka (spec §2, §10 items 3-4).

use super::*;
use crate::data::{logical, Decimal, SchemaBuilder, SchemaType, Struct};

fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
    let props: Props = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    JsonConverter::for_kind(&props, ConverterKind::Value).unwrap()
}

fn to_json(c: &JsonConverter, schema: Option<&Schema>, value: &Value) -> String {
    let bytes = c.from_connect_data("t", schema, value).unwrap().unwrap();
    String::from_utf8(bytes).unwrap()
}

fn err_to_json(c: &JsonConverter, schema: Option<&Schema>, value: &Value) -> String {
    c.from_connect_data("t", schema, value)
        .unwrap_err()
        .message()
        .to_string()
}

fn read(c: &JsonConverter, json: &str) -> SchemaAndValue {
    c.to_connect_data("t", Some(json.as_bytes())).unwrap()
}

fn read_err(c: &JsonConverter, json: &str) -> String {
    c.to_connect_data("t", Some(json.as_bytes()))
        .unwrap_err()
        .message()
        .to_string()
}

#[test]
fn spec_examples_exact_bytes() {
    let c = converter(&[]);
    assert_eq!(
        to_json(&c, Some(&Schema::string()), &Value::from("foo")),
        r#"{"schema":{"type":"string","optional":false},"payload":"foo"}"#
    );
    assert_eq!(
        to_json(
            &converter(&[("schemas.enable", "false")]),
            Some(&Schema::string()),
            &Value::from("foo")
        ),
        r#""foo""#
    );
    assert_eq!(
        to_json(
            &c,
            Some(&Schema::optional_of(SchemaType::Boolean)),
            &Value::Null
        ),
        r#"{"schema":{"type":"boolean","optional":true},"payload":null}"#
    );
    let arr = SchemaBuilder::array(Schema::int32()).build();
    assert_eq!(
        to_json(
            &c,
            Some(&arr),
            &Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)])
        ),
        r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#
    );
    let map = SchemaBuilder::map(Schema::string(), Schema::int32()).build();
    assert_eq!(
        to_json(
            &c,
            Some(&map),
            &Value::Map(vec![
                (Value::from("key1"), Value::Int32(12)),
                (Value::from("key2"), Value::Int32(15))
            ])
        ),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#
    );
    let int_map = SchemaBuilder::map(Schema::int32(), Schema::int32()).build();
    let out = to_json(
        &converter(&[("schemas.enable", "false")]),
        Some(&int_map),
        &Value::Map(vec![
            (Value::Int32(1), Value::Int32(12)),
            (Value::Int32(2), Value::Int32(15)),
        ]),
    );
    assert_eq!(out, "[[1,12],[2,15]]");
    let rec = SchemaBuilder::struct_()
        .field("field1", Schema::boolean())
        .unwrap()
        .field("field2", Schema::string())
        .unwrap()
        .name("my.Rec")
        .build();
    let mut s = Struct::new(rec.clone()).unwrap();
    s.put("field1", Value::Boolean(true)).unwrap();
    s.put("field2", Value::from("x")).unwrap();
    assert_eq!(
        to_json(&c, Some(&rec), &Value::Struct(s)),
        r#"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"}],"optional":false,"name":"my.Rec"},"payload":{"field1":true,"field2":"x"}}"#
    );
    let meta = SchemaBuilder::new(SchemaType::Boolean)
        .name("bool")
        .version(3)
        .doc("the documentation")
        .parameter("foo", "bar")
        .build();
    assert_eq!(
        &*c.as_json_schema(&meta).unwrap().text,
        br#"{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}}"#
    );
    assert_eq!(
        to_json(&c, None, &Value::Boolean(true)),
        r#"{"schema":null,"payload":true}"#
    );
}

#[test]
fn null_and_default_rules() {
    let with_default = SchemaBuilder::new(SchemaType::String)
        .optional()
        .default_value(Value::from("default"))
        .build();
    assert_eq!(
        to_json(&converter(&[]), Some(&with_default), &Value::Null),
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":"default"}"#
    );
    assert_eq!(
        to_json(
            &converter(&[("replace.null.with.default", "false")]),
            Some(&with_default),
            &Value::Null
        ),
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#
    );
    let c = converter(&[]);
    assert_eq!(c.from_connect_data("t", None, &Value::Null).unwrap(), None);
    assert_eq!(
        to_json(&c, Some(&Schema::optional_string()), &Value::Null),
        r#"{"schema":{"type":"string","optional":true},"payload":null}"#
    );
    assert_eq!(
        err_to_json(&c, Some(&Schema::string()), &Value::Null),
        "Conversion error: null value for field that is required and has no default value"
    );
    let bare = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        to_json(&bare, Some(&Schema::optional_string()), &Value::Null),
        "null"
    );
}

#[test]
fn serialization_errors() {
    let c = converter(&[]);
    assert_eq!(
        err_to_json(&c, Some(&Schema::float64()), &Value::Boolean(true)),
        "Invalid type for FLOAT64: class java.lang.Boolean"
    );
    assert_eq!(
        err_to_json(&c, None, &Value::Decimal(Decimal::new(1, 0))),
        "Java class class java.math.BigDecimal does not have corresponding schema type."
    );
    assert_eq!(
        err_to_json(&c, None, &Value::Date(0)),
        "Java class class java.util.Date does not have corresponding schema type."
    );
    let other = SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .unwrap()
        .build();
    let s = Struct::new(
        SchemaBuilder::struct_()
            .field("b", Schema::int32())
            .unwrap()
            .build(),
    )
    .unwrap();
    assert_eq!(
        err_to_json(&c, Some(&other), &Value::Struct(s)),
        "Mismatching schema."
    );
    assert_eq!(
        err_to_json(&c, Some(&logical::decimal(2)), &Value::Decimal(Decimal::new(1, 1))),
        "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1."
    );
    assert_eq!(
        err_to_json(&c, Some(&logical::date()), &Value::Int32(1)),
        "Invalid type for Date, expected Date but was class java.lang.Integer"
    );
}

#[test]
fn floats_bytes_and_strings() {
    let bare = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        to_json(&bare, Some(&Schema::float64()), &Value::Float64(1e10)),
        "1.0E10"
    );
    assert_eq!(
        to_json(&bare, Some(&Schema::float64()), &Value::Float64(1e-5)),
        "1.0E-5"
    );
    assert_eq!(
        to_json(&bare, Some(&Schema::float32()), &Value::Float32(12.34)),
        "12.34"
    );
    assert_eq!(to_json(&bare, None, &Value::Float64(1.0)), "1.0");
    assert_eq!(to_json(&bare, None, &Value::Float64(f64::NAN)), r#""NaN""#);
    assert_eq!(
        to_json(
            &bare,
            Some(&Schema::bytes()),
            &Value::Bytes(b"test-string".to_vec())
        ),
        r#""dGVzdC1zdHJpbmc=""#
    );
    assert_eq!(
        to_json(&bare, None, &Value::from("a\"\n\u{1}")),
        r#""a\"\n\u0001""#
    );
}

#[test]
fn logical_types_out() {
    let c = converter(&[]);
    assert_eq!(
        to_json(
            &c,
            Some(&logical::decimal(2)),
            &Value::Decimal(Decimal::new(156, 2))
        ),
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#
    );
    let numeric = converter(&[("schemas.enable", "false"), ("decimal.format", "NUMERIC")]);
    assert_eq!(
        to_json(
            &numeric,
            Some(&logical::decimal(4)),
            &Value::Decimal(Decimal::new(15600, 4))
        ),
        "1.5600"
    );
    assert_eq!(
        to_json(
            &numeric,
            Some(&logical::decimal(7)),
            &Value::Decimal(Decimal::new(1, 7))
        ),
        "1E-7"
    );
    let bare = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        to_json(
            &bare,
            Some(&logical::date()),
            &Value::Date(10_000 * 86_400_000)
        ),
        "10000"
    );
    assert_eq!(
        to_json(&bare, Some(&logical::time()), &Value::Date(14_400_000)),
        "14400000"
    );
    assert_eq!(
        to_json(&bare, Some(&logical::timestamp()), &Value::Date(-5)),
        "-5"
    );
    assert_eq!(
        err_to_json(&bare, Some(&logical::date()), &Value::Date(1)),
        "Kafka Connect Date type should not have any time fields set to non-zero values."
    );
    let date_schema =
        String::from_utf8(c.as_json_schema(&logical::date()).unwrap().text.to_vec()).unwrap();
    assert_eq!(
        date_schema,
        r#"{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1}"#
    );
}

#[test]
fn envelope_rules_on_input() {
    let c = converter(&[]);
    let envelope_error = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
    for bad in [
        r#"{"payload":1}"#,
        r#"{"schema":null,"payload":1,"x":2}"#,
        "[1]",
        "12",
        "",
    ] {
        assert_eq!(read_err(&c, bad), envelope_error, "{bad}");
    }
    assert_eq!(c.to_connect_data("t", None).unwrap(), SchemaAndValue::NULL);
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":null}"#),
        SchemaAndValue::NULL
    );
    let bare = converter(&[("schemas.enable", "false")]);
    assert_eq!(read(&bare, ""), SchemaAndValue::NULL);
    // Kafka's message is exactly the prefix; the parser's complaint is the cause.
    let err = c.to_connect_data("t", Some(b"{not json")).unwrap_err();
    assert_eq!(
        err.message(),
        "Converting byte[] to Kafka Connect data failed due to serialization error: "
    );
    let cause = std::error::Error::source(&err).expect("the parser's error is the cause");
    assert_eq!(
        crate::errors::java_exception_class(cause),
        "org.apache.kafka.common.errors.SerializationException"
    );
    assert!(!cause.to_string().is_empty());
}

#[test]
fn reading_with_schemas() {
    let c = converter(&[]);
    let sv = read(
        &c,
        r#"{"schema":{"type":"string","optional":false},"payload":"foo"}"#,
    );
    assert_eq!(
        sv,
        SchemaAndValue::new(Some(Schema::string()), Value::from("foo"))
    );
    // The second read of the same schema text is served from the cache, with the same result.
    let again = read(
        &c,
        r#"{"schema":{"type":"string","optional":false},"payload":"bar"}"#,
    );
    assert_eq!(again.schema, Some(Schema::string()));
    assert_eq!(c.to_connect_schemas.len(), 1);

    let sv = read(
        &c,
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#,
    );
    assert_eq!(sv.value, Value::Decimal(Decimal::new(156, 2)));
    let sv = read(
        &c,
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.5600}"#,
    );
    assert_eq!(sv.value, Value::Decimal(Decimal::new(15600, 4)));
    let sv = read(
        &c,
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false},"payload":[[1,"a"],[2,"b"]]}"#,
    );
    assert_eq!(
        sv.value,
        Value::Map(vec![
            (Value::Int32(1), Value::from("a")),
            (Value::Int32(2), Value::from("b"))
        ])
    );
    let sv = read(
        &c,
        r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"},{"type":"string","optional":true,"field":"b"}],"optional":false},"payload":{"a":0012,"x":1}}"#,
    );
    let s = sv.value.as_struct().unwrap();
    assert_eq!(s.get("a").unwrap(), &Value::Int32(12));
    assert_eq!(s.get("b").unwrap(), &Value::Null);
    let sv = read(
        &c,
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":2}"#,
    );
    assert_eq!(sv.value, Value::Date(2 * 86_400_000));
    let sv = read(
        &c,
        r#"{"schema":{"type":"string","optional":true,"default":"d"},"payload":null}"#,
    );
    assert_eq!(sv.value, Value::from("d"));
}

#[test]
fn schema_and_payload_errors_verbatim() {
    let c = converter(&[]);
    let cases = [
        (r#"{"schema":{},"payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":{"type":"foo"},"payload":1}"#, "Unknown schema type: foo"),
        (r#"{"schema":{"type":"array"},"payload":[]}"#, "Array schema did not specify the element type"),
        (r#"{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the key type"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the value type"),
        (r#"{"schema":{"type":"struct"},"payload":{}}"#, "Struct schema's \"fields\" argument is not an array."),
        (r#"{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}"#, "Struct schema's field name not specified properly"),
        (r#"{"schema":{"type":"int8","parameters":{"a":1}},"payload":1}"#, "Schema parameters must have string values."),
        (r#"{"schema":{"type":"int8"},"payload":null}"#, "Invalid null value for required INT8 field"),
        (r#"{"schema":{"type":"struct","fields":[]},"payload":1}"#, "Structs should be encoded as JSON objects, but found NUMBER"),
        (r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}"#, "Maps with string fields should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}"#, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[1]}"#, "Found invalid map entry instead of array tuple: NUMBER"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1]]}"#, "Found invalid map entry, expected length 2 but found :1"),
        (r#"{"schema":{"type":"bytes"},"payload":"!!"}"#, "Invalid bytes field"),
        // Jackson allows blanks between 4-character units only.
        (r#"{"schema":{"type":"bytes"},"payload":"QU JD"}"#, "Invalid bytes field"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"AJ w="}"#, "Invalid bytes for Decimal field"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}"#, "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":1.5}"#, "Invalid type for Date, underlying representation should be integer but was NUMBER"),
    ];
    for (json, message) in cases {
        assert_eq!(read_err(&c, json), message, "{json}");
    }
}

/// Bytes are read as Jackson's `TextNode.binaryValue()` reads them: blanks between units, and text
/// after a padded unit, are accepted.
#[test]
fn bytes_are_decoded_as_jackson_decodes_base64() {
    let c = converter(&[]);
    let bytes = |payload: &str| {
        read(
            &c,
            &format!(r#"{{"schema":{{"type":"bytes"}},"payload":"{payload}"}}"#),
        )
        .value
    };
    assert_eq!(bytes(" QUJD\\nQUJD "), Value::Bytes(b"ABCABC".to_vec()));
    assert_eq!(bytes("QQ==QUI="), Value::Bytes(b"AAB".to_vec()));
}

#[test]
fn schemaless_reading_infers_int64_and_float64() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(read(&c, "12"), SchemaAndValue::new(None, Value::Int64(12)));
    assert_eq!(
        read(&c, "12.24"),
        SchemaAndValue::new(None, Value::Float64(12.24))
    );
    assert_eq!(
        read(&c, r#"[1,"2",3]"#).value,
        Value::Array(vec![Value::Int64(1), Value::from("2"), Value::Int64(3)])
    );
    assert_eq!(
        read(&c, r#"{"a":true,"b":null}"#).value,
        Value::Map(vec![
            (Value::from("a"), Value::Boolean(true)),
            (Value::from("b"), Value::Null)
        ])
    );
    assert_eq!(read(&c, "0012").value, Value::Int64(12));
    assert_eq!(read(&c, "-0.0").value, Value::Float64(0.0));
}

/// Kafka reads a JSON object into a `new HashMap<>()`, so a sink sees (and the FileStreamSink
/// writes) its entries in hash order, whatever order the text had.
#[test]
fn maps_read_iterate_as_kafkas_hash_map() {
    let c = converter(&[("schemas.enable", "false")]);
    let value = read(&c, r#"{"id":1,"b":2,"name":3,"a":4}"#).value;
    assert_eq!(value.java_string(), "{a=4, b=2, name=3, id=1}");
    let c = converter(&[]);
    let value = read(
        &c,
        r#"{"schema":{"type":"map","keys":{"type":"int64","optional":false},"values":{"type":"string","optional":false},"optional":false},"payload":[[17,"x"],[1,"y"],[16,"z"]]}"#,
    )
    .value;
    assert_eq!(value.java_string(), "{16=z, 17=x, 1=y}");
}

#[test]
fn round_trip_through_the_envelope() {
    let c = converter(&[]);
    let schema = SchemaBuilder::struct_()
        .field("f", Schema::float64())
        .unwrap()
        .field("l", SchemaBuilder::array(Schema::optional_string()).build())
        .unwrap()
        .field("d", logical::timestamp())
        .unwrap()
        .build();
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("f", Value::Float64(0.1)).unwrap();
    s.put("l", Value::Array(vec![Value::from("x"), Value::Null]))
        .unwrap();
    s.put("d", Value::Date(1_700_000_000_000)).unwrap();
    let bytes = c
        .from_connect_data("t", Some(&schema), &Value::Struct(s.clone()))
        .unwrap()
        .unwrap();
    let back = c.to_connect_data("t", Some(&bytes)).unwrap();
    assert_eq!(back.schema.as_ref(), Some(&schema));
    assert_eq!(back.value, Value::Struct(s));
}

/// Not timed: checks that the hot path (string schema + string value) reuses the cached or fixed
/// schema text and writes the output in one pre-sized buffer.
#[test]
fn hot_path_is_allocation_light() {
    let c = converter(&[]);
    let schema = Schema::string();
    let value = Value::from("a line of text from a file");
    for _ in 0..10_000 {
        let out = c
            .from_connect_data("t", Some(&schema), &value)
            .unwrap()
            .unwrap();
        // The size estimate (value + 8, schema text 40, envelope 24) covered the whole record: no regrowth happened.
        assert_eq!(out.capacity(), value.as_str().unwrap().len() + 72);
        assert_eq!(
            out,
            br#"{"schema":{"type":"string","optional":false},"payload":"a line of text from a file"}"#
        );
    }
    // Plain primitive schemas never touch the cache.
    assert_eq!(c.to_json_schemas.len(), 0);
    let named = SchemaBuilder::new(SchemaType::String).name("n").build();
    for _ in 0..100 {
        c.from_connect_data("t", Some(&named), &value).unwrap();
    }
    assert_eq!(c.to_json_schemas.len(), 1);
}

/// A struct's payload keys come escaped from the schema cache: the payload is byte for byte what
/// escaping each name again gives (schemas disabled, no cache), for awkward names, a nested struct
/// and a null field taking its default, on the first record and on a cached one.
#[test]
fn cached_payload_keys_give_the_same_bytes() {
    let inner = SchemaBuilder::struct_()
        .field("in\"ner", Schema::int32())
        .unwrap()
        .build();
    let schema = SchemaBuilder::struct_()
        .field("plain", Schema::string())
        .unwrap()
        .field("quo\"te\\back\nline", Schema::boolean())
        .unwrap()
        .field("nested", inner.clone())
        .unwrap()
        .field(
            "dflt",
            SchemaBuilder::new(SchemaType::Int64)
                .optional()
                .default_value(Value::Int64(9))
                .build(),
        )
        .unwrap()
        .build();
    let mut nested = Struct::new(inner).unwrap();
    nested.put("in\"ner", Value::Int32(1)).unwrap();
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("plain", Value::from("x")).unwrap();
    s.put("quo\"te\\back\nline", Value::Boolean(true)).unwrap();
    s.put("nested", Value::Struct(nested)).unwrap();
    let value = Value::Struct(s);

    let expected_payload =
        r#"{"plain":"x","quo\"te\\back\nline":true,"nested":{"in\"ner":1},"dflt":9}"#;
    let plain = converter(&[("schemas.enable", "false")]);
    assert_eq!(to_json(&plain, Some(&schema), &value), expected_payload);
    let enveloped = converter(&[]);
    for _ in 0..2 {
        let json = to_json(&enveloped, Some(&schema), &value);
        let payload = json
            .split_once(r#","payload":"#)
            .and_then(|(_, rest)| rest.strip_suffix('}'))
            .unwrap();
        assert_eq!(payload, expected_payload);
    }
}

/// Kafka's `defaultValue(null)` leaves a schema without a default, so `"default": null` reads as no
/// default at all, and writing such a schema and a null value back does not recurse into the
/// "default" forever.
#[test]
fn a_null_default_is_no_default() {
    let c = converter(&[]);
    let read_back = read(
        &c,
        r#"{"schema":{"type":"int32","optional":true,"default":null},"payload":null}"#,
    );
    let schema = read_back.schema.clone().expect("a schema");
    assert_eq!(schema, Schema::optional_of(SchemaType::Int32));
    assert_eq!(schema.default_value(), None);
    assert_eq!(
        to_json(&c, Some(&schema), &Value::Null),
        r#"{"schema":{"type":"int32","optional":true},"payload":null}"#
    );
    let built = SchemaBuilder::new(SchemaType::String)
        .optional()
        .default_value(Value::Null)
        .build();
    assert_eq!(built.default_value(), None);
    assert_eq!(
        to_json(&c, Some(&built), &Value::Null),
        r#"{"schema":{"type":"string","optional":true},"payload":null}"#
    );
}

/// `schema.content` (Kafka 4.2, KIP-1054): records are bare payloads, read against the configured
/// schema.
#[test]
fn schema_content_reads_bare_payloads_against_the_configured_schema() {
    let schema = r#"{"type":"struct","fields":[{"field":"id","type":"int64","optional":false},{"field":"name","type":"string","optional":true}],"optional":false,"name":"order"}"#;
    let c = converter(&[("schema.content", schema)]);
    let read_back = read(&c, r#"{"id":7,"name":"ada"}"#);
    let expected_schema = SchemaBuilder::struct_()
        .name("order")
        .field("id", Schema::int64())
        .unwrap()
        .field("name", Schema::optional_of(SchemaType::String))
        .unwrap()
        .build();
    assert_eq!(read_back.schema.as_ref(), Some(&expected_schema));
    let Value::Struct(s) = &read_back.value else {
        panic!("not a struct: {:?}", read_back.value);
    };
    assert_eq!(s.get("id").unwrap(), &Value::Int64(7));
    assert_eq!(s.get("name").unwrap(), &Value::from("ada"));

    // A record that is still a whole envelope gives its payload; its own schema is ignored.
    let enveloped = read(
        &c,
        r#"{"schema":{"type":"string","optional":false},"payload":{"id":8,"name":null}}"#,
    );
    assert_eq!(enveloped.schema.as_ref(), Some(&expected_schema));
    let Value::Struct(s) = &enveloped.value else {
        panic!("not a struct: {:?}", enveloped.value);
    };
    assert_eq!(s.get("id").unwrap(), &Value::Int64(8));

    // A payload that does not fit the schema fails as any conversion does; a tombstone is null.
    assert!(
        read_err(&c, r#""just text""#).starts_with("Structs should be encoded as JSON objects"),
        "{}",
        read_err(&c, r#""just text""#)
    );
    assert_eq!(c.to_connect_data("t", None).unwrap(), SchemaAndValue::NULL);
    // Writing is unchanged: the envelope, as without the setting.
    assert_eq!(
        to_json(&c, Some(&Schema::int32()), &Value::Int32(1)),
        r#"{"schema":{"type":"int32","optional":false},"payload":1}"#
    );
}

#[test]
fn schema_content_applies_only_with_schemas_enabled_and_must_be_a_schema() {
    let bare = converter(&[
        ("schemas.enable", "false"),
        ("schema.content", r#"{"type":"int32","optional":false}"#),
    ]);
    assert_eq!(
        read(&bare, "42"),
        SchemaAndValue::new(None, Value::Int64(42))
    );
    // Empty is unset.
    let unset = converter(&[("schema.content", "")]);
    assert!(read_err(&unset, "42").starts_with("JsonConverter with schemas.enable requires"));

    let props = |content: &str| -> Props {
        [("schema.content".to_string(), content.to_string())]
            .into_iter()
            .collect()
    };
    let err = |content: &str| match JsonConverter::for_kind(&props(content), ConverterKind::Value) {
        Ok(_) => panic!("{content} accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err("{not json").starts_with(
            "Invalid value {not json for configuration schema.content: not valid JSON"
        ),
        "{}",
        err("{not json")
    );
    assert_eq!(
        err(r#"{"optional":false}"#),
        r#"Invalid value {"optional":false} for configuration schema.content: not a Connect schema in JSON: Schema must contain 'type' field"#
    );
}
