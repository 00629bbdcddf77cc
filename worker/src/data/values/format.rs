//! `Values.convertToString`: the header text form (`[1,2]`, `{"a":1}`, base64 bytes, ISO dates).

use base64::Engine as _;

use crate::data::java_fmt;
use crate::data::logical::MILLIS_PER_DAY;
use crate::data::Value;

/// `Values.convertToString(schema, value)`: `None` for null, else the value's string form.
pub fn convert_to_string(value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let mut out = String::new();
    write_value_string(&mut out, value, false);
    Some(out)
}

/// Appends a value's string form. `embedded` values (inside a list, map or struct) quote and escape
/// strings and bytes so they can be parsed back.
pub fn write_value_string(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::String(s) => write_string(out, s, embedded),
        Value::Bytes(b) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(b);
            if embedded {
                out.push('"');
                out.push_str(&encoded);
                out.push('"');
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value_string(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value_string(out, k, true);
                out.push(':');
                write_value_string(out, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, &field.name, true);
                out.push(':');
                // `Struct.get` applies the field's default to a null value.
                let v = s.get(&field.name).unwrap_or(&Value::Null);
                write_value_string(out, v, true);
            }
            out.push('}');
        }
        Value::Date(ms) => {
            let ms = *ms;
            if ms < MILLIS_PER_DAY {
                java_fmt::write_iso_time(ms, out);
            } else if ms % MILLIS_PER_DAY == 0 {
                java_fmt::write_iso_date(ms, out);
            } else {
                java_fmt::write_iso_timestamp(ms, out);
            }
        }
        // Numbers, booleans and decimals print as Java's toString.
        other => other.write_java_string(out),
    }
}

fn write_string(out: &mut String, s: &str, embedded: bool) {
    if !embedded {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaBuilder, Struct};

    #[test]
    fn top_level_values() {
        assert_eq!(convert_to_string(&Value::Null), None);
        assert_eq!(convert_to_string(&Value::from("a\"b")).unwrap(), "a\"b");
        assert_eq!(convert_to_string(&Value::Float64(1e10)).unwrap(), "1.0E10");
        assert_eq!(convert_to_string(&Value::Boolean(false)).unwrap(), "false");
        assert_eq!(
            convert_to_string(&Value::Bytes(b"test-string".to_vec())).unwrap(),
            "dGVzdC1zdHJpbmc="
        );
    }

    #[test]
    fn nested_values_are_quoted() {
        let list = Value::Array(vec![
            Value::Int32(1),
            Value::from("x\\y\"z"),
            Value::Bytes(vec![0xff]),
            Value::Null,
        ]);
        assert_eq!(
            convert_to_string(&list).unwrap(),
            r#"[1,"x\\y\"z","/w==",null]"#
        );
        let map = Value::Map(vec![(Value::from("a"), Value::Int64(1))]);
        assert_eq!(convert_to_string(&map).unwrap(), r#"{"a":1}"#);
    }

    #[test]
    fn structs_write_all_fields() {
        let schema = SchemaBuilder::struct_()
            .field("f1", Schema::int32())
            .unwrap()
            .field("f2", Schema::optional_string())
            .unwrap()
            .build();
        let mut s = Struct::new(schema).unwrap();
        s.put("f1", Value::Int32(3)).unwrap();
        assert_eq!(
            convert_to_string(&Value::Struct(s)).unwrap(),
            r#"{"f1":3,"f2":null}"#
        );
    }

    #[test]
    fn dates_choose_their_format() {
        assert_eq!(
            convert_to_string(&Value::Date(45_296_789)).unwrap(),
            "12:34:56.789Z"
        );
        assert_eq!(
            convert_to_string(&Value::Date(19_783 * MILLIS_PER_DAY)).unwrap(),
            "2024-03-01"
        );
        assert_eq!(
            convert_to_string(&Value::Date(1_709_214_306_789)).unwrap(),
            "2024-02-29T13:45:06.789Z"
        );
    }
}
