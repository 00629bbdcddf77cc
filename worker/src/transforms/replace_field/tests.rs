//! ReplaceField tests.

use super::*;
use crate::data::SchemaType;
use crate::transforms::catalog_b::test_support::{map, props, record};

fn schema() -> Schema {
    SchemaBuilder::struct_()
        .name("rec")
        .doc("d")
        .field("dont", Schema::string())
        .unwrap()
        .field("abc", Schema::int32())
        .unwrap()
        .field("foo", Schema::boolean())
        .unwrap()
        .field(
            "etc",
            SchemaBuilder::new(SchemaType::String)
                .optional()
                .default_value(Value::from("dflt"))
                .build(),
        )
        .unwrap()
        .build()
}

fn value() -> Value {
    let mut s = Struct::new(schema()).unwrap();
    s.put("dont", Value::from("whatever")).unwrap();
    s.put("abc", Value::Int32(42)).unwrap();
    s.put("foo", Value::Boolean(true)).unwrap();
    Value::Struct(s)
}

fn value_transform(pairs: &[(&str, &str)]) -> Box<dyn Transformation> {
    new(Side::Value, &props(pairs)).unwrap()
}

fn field_names(schema: &Schema) -> Vec<&str> {
    schema.fields().iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn with_schema_excludes_then_renames() {
    let t = value_transform(&[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    let s = out.value_schema.clone().unwrap();
    assert_eq!(field_names(&s), vec!["xyz", "bar", "etc"]);
    assert_eq!(s.name(), Some("rec"));
    assert_eq!(s.doc(), Some("d"));
    let v = out.value.as_struct().unwrap();
    assert_eq!(v.get("xyz").unwrap(), &Value::Int32(42));
    assert_eq!(v.get("bar").unwrap(), &Value::Boolean(true));
    assert_eq!(v.get_without_default("etc").unwrap(), &Value::from("dflt"));
}

#[test]
fn include_keeps_only_listed_fields_and_exclude_wins() {
    let t = value_transform(&[("include", "abc,foo"), ("exclude", "foo")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    assert_eq!(field_names(out.value_schema.as_ref().unwrap()), vec!["abc"]);
}

#[test]
fn replace_null_with_default_false_keeps_the_null() {
    let t = value_transform(&[("include", "etc"), ("replace.null.with.default", "false")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    let v = out.value.as_struct().unwrap();
    assert_eq!(v.get_without_default("etc").unwrap(), &Value::Null);
}

#[test]
fn key_side_leaves_the_value_alone() {
    let t = new(Side::Key, &props(&[("exclude", "dont")])).unwrap();
    let out = t
        .apply_owned(record(Some(schema()), value(), None, Value::from("v")))
        .unwrap()
        .unwrap();
    assert_eq!(
        field_names(out.key_schema.as_ref().unwrap()),
        vec!["abc", "foo", "etc"]
    );
    assert_eq!(out.value, Value::from("v"));
}

#[test]
fn schemaless_filters_and_renames_map_entries() {
    let t = value_transform(&[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")]);
    let v = map(&[
        ("dont", Value::from("whatever")),
        ("abc", Value::Int32(42)),
        ("foo", Value::Boolean(true)),
        ("etc", Value::from("etc")),
    ]);
    let out = t
        .apply_owned(record(None, Value::Null, None, v))
        .unwrap()
        .unwrap();
    assert_eq!(out.value_schema, None);
    // In the order of Kafka's `new HashMap<>(4)`: "xyz", "etc" and "bar" hash to buckets 0, 1, 2.
    assert_eq!(
        out.value,
        map(&[
            ("xyz", Value::Int32(42)),
            ("etc", Value::from("etc")),
            ("bar", Value::Boolean(true)),
        ])
    );
}

#[test]
fn tombstones_pass_through_and_wrong_types_fail() {
    let t = value_transform(&[("exclude", "dont")]);
    let tomb = record(None, Value::Null, Some(schema()), Value::Null);
    assert_eq!(t.apply_owned(tomb.clone()).unwrap().unwrap(), tomb);
    let err = t
        .apply_owned(record(None, Value::Null, None, Value::from("s")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only Map objects supported in absence of schema for [field replacement], found: java.lang.String"
    );
    let err = t
        .apply_owned(record(None, Value::Null, Some(schema()), Value::Int32(1)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only Struct objects supported for [field replacement], found: java.lang.Integer"
    );
}

#[test]
fn rename_onto_an_existing_field_fails_with_a_schema() {
    let t = value_transform(&[("renames", "abc:foo")]);
    let err = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cannot create field because of field name duplication foo"
    );
}

#[test]
fn updated_schema_is_cached() {
    let t = ReplaceField {
        side: Side::Value,
        exclude: HashSet::from(["dont".to_string()]),
        include: HashSet::new(),
        renames: HashMap::new(),
        reverse_renames: HashMap::new(),
        replace_null_with_default: true,
        schemas: SchemaCache::new(),
    };
    let a = t.updated_schema(&schema()).unwrap();
    let b = t.updated_schema(&schema()).unwrap();
    assert!(a.ptr_eq(&b));
    assert_eq!(t.schemas.len(), 1);
}

#[test]
fn invalid_rename_mappings() {
    for (renames, bad) in [
        ("abc:xyz,foo", "foo"),
        ("a:", "a:"),
        ("a:b:c", "a:b:c"),
        ("::", "::"),
    ] {
        let err = new(Side::Value, &props(&[("renames", renames)]))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.ends_with(&format!(": Invalid rename mapping: {bad}")),
            "{err}"
        );
    }
    assert_eq!(
        new(Side::Value, &props(&[("renames", "abc:xyz, foo")]))
            .err()
            .unwrap()
            .to_string(),
        "Invalid value [abc:xyz, foo] for configuration renames: Invalid rename mapping: foo"
    );
    // Java's split drops trailing empty parts, so these are valid.
    assert!(new(Side::Value, &props(&[("renames", "a:b:,:c")])).is_ok());
    let validated = config_def().validate(&props(&[("renames", "x")]));
    let renames = validated.iter().find(|v| v.name == "renames").unwrap();
    assert_eq!(
        renames.errors,
        vec!["Invalid value [x] for configuration renames: Invalid rename mapping: x".to_string()]
    );
}

#[test]
fn deprecated_keys_are_aliases() {
    let t = value_transform(&[("blacklist", "dont,foo")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    assert_eq!(
        field_names(out.value_schema.as_ref().unwrap()),
        vec!["abc", "etc"]
    );
    let t = value_transform(&[("whitelist", "abc")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    assert_eq!(field_names(out.value_schema.as_ref().unwrap()), vec!["abc"]);
    // The new key wins over its deprecated alias.
    let t = value_transform(&[("include", "foo"), ("whitelist", "abc")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    assert_eq!(field_names(out.value_schema.as_ref().unwrap()), vec!["foo"]);
    let translated = translate_deprecated(&props(&[("blacklist", "a")]));
    assert_eq!(translated, props(&[("exclude", "a")]));
}

#[test]
fn config_def_matches_kafka() {
    let def = config_def();
    let names: Vec<&str> = def.keys().iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "exclude",
            "blacklist",
            "include",
            "whitelist",
            "renames",
            "replace.null.with.default"
        ]
    );
    assert!(def.keys().iter().all(|k| !k.is_required()));
    assert_eq!(def.key("blacklist").unwrap().importance, Importance::Low);
    assert_eq!(
        def.key("replace.null.with.default").unwrap().default_value,
        DefaultValue::Value("true".into())
    );
}

/// Kafka reads each output field from `value.get(reverseRenamed(name))`: with a rename onto a kept
/// field whose source is excluded, the output field `abc` reads the excluded `dont` (a string), and
/// the put into the INT32 field fails as Kafka's does.
#[test]
fn contradictory_renames_read_the_reverse_renamed_field_as_kafka_does() {
    let t = value_transform(&[("exclude", "dont"), ("renames", "dont:abc")]);
    let err = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid Java object for schema with type INT32: class java.lang.String for field: \"abc\""
    );
}

/// A rename back to a field the input lacks fails every record with `Struct.get`'s message.
#[test]
fn a_rename_from_a_missing_field_fails_the_record() {
    let t = value_transform(&[("renames", "nope:abc"), ("exclude", "abc")]);
    // `abc` is excluded, so the output has no `abc`; nothing reads `nope`: the record passes.
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap()
        .unwrap();
    assert_eq!(
        field_names(out.value_schema.as_ref().unwrap()),
        vec!["dont", "foo", "etc"]
    );

    // `foo` is kept under its own name, but `nope:foo` makes Kafka read `nope` for it.
    let t = value_transform(&[("renames", "nope:foo")]);
    let err = t
        .apply_owned(record(None, Value::Null, Some(schema()), value()))
        .unwrap_err();
    assert_eq!(err.to_string(), "nope is not a valid field name");
}

#[test]
fn moved_values_keep_defaults_and_nulls_as_configured() {
    // `etc` is null with a default: replaced by it unless replace.null.with.default=false.
    for (replace, expected) in [("true", Value::from("dflt")), ("false", Value::Null)] {
        let t = value_transform(&[
            ("renames", "etc:other"),
            ("replace.null.with.default", replace),
        ]);
        let out = t
            .apply_owned(record(None, Value::Null, Some(schema()), value()))
            .unwrap()
            .unwrap();
        let v = out.value.as_struct().unwrap();
        assert_eq!(v.get_without_default("other").unwrap(), &expected);
        assert_eq!(v.get("dont").unwrap(), &Value::from("whatever"));
    }
}

/// The projection's layout: renames, `exclude` and `include` keep the input order, so values are
/// compacted in place; only sources out of order or shared need a new vector.
#[test]
fn layout_compacts_in_place_when_sources_only_increase() {
    use super::{Layout, Source};
    let fields =
        |indices: &[usize]| -> Vec<Source> { indices.iter().map(|&i| Source::Field(i)).collect() };
    assert_eq!(Layout::of(&fields(&[0, 1, 2])), Layout::Compact);
    assert_eq!(Layout::of(&fields(&[1, 3])), Layout::Compact);
    assert_eq!(Layout::of(&fields(&[])), Layout::Compact);
    assert_eq!(Layout::of(&fields(&[1, 0])), Layout::Move);
    assert_eq!(Layout::of(&fields(&[0, 0])), Layout::Copy);
    let with_missing = vec![Source::Field(0), Source::Missing("nope".into())];
    assert_eq!(Layout::of(&with_missing), Layout::Move);
}

/// Compacting in place: excluded fields between kept ones go, renamed ones keep their values, and
/// a null takes its field's default, as `Struct.get` gives it.
#[test]
fn excluding_and_renaming_carry_the_right_values() {
    let schema = SchemaBuilder::struct_()
        .field("a", Schema::string())
        .unwrap()
        .field("b", Schema::int32())
        .unwrap()
        .field(
            "c",
            SchemaBuilder::new(SchemaType::Int64)
                .optional()
                .default_value(Value::Int64(7))
                .build(),
        )
        .unwrap()
        .field("d", Schema::boolean())
        .unwrap()
        .build();
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("a", Value::from("x")).unwrap();
    s.put("b", Value::Int32(2)).unwrap();
    s.put("d", Value::Boolean(true)).unwrap();
    let t = value_transform(&[("exclude", "b"), ("renames", "a:aa,d:dd")]);
    let out = t
        .apply_owned(record(None, Value::Null, Some(schema), Value::Struct(s)))
        .unwrap()
        .unwrap();
    assert_eq!(
        field_names(out.value_schema.as_ref().unwrap()),
        vec!["aa", "c", "dd"]
    );
    let Value::Struct(out) = out.value else {
        panic!("not a struct: {:?}", out.value)
    };
    assert_eq!(
        out.values(),
        &[Value::from("x"), Value::Int64(7), Value::Boolean(true)]
    );
}
