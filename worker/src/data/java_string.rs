//! `String.valueOf(value)` for Connect values: what FileStreamSink writes per line and what
//! StringConverter encodes.

use std::fmt::Write as _;

use super::java_fmt;
use super::{Struct, Value};

impl Value {
    /// Java's `String.valueOf(value)` for the object this value stands for.
    ///
    /// Strings are themselves, `Null` is `null`, floats use `Double.toString`/`Float.toString`,
    /// lists print as `[a, b]`, maps as `{k1=v1, k2=v2}`, structs as `Struct{f1=v1,f2=v2}` (null
    /// fields left out), decimals as `BigDecimal.toString`, dates as `java.util.Date.toString` in
    /// UTC. A `byte[]` prints as `[B@` plus its identity hash in hex in Java; that hash is not
    /// meaningful, so we print a content hash in the same shape.
    pub fn java_string(&self) -> String {
        if let Value::String(s) = self {
            return s.clone();
        }
        let mut out = String::new();
        self.write_java_string(&mut out);
        out
    }

    /// [`Value::java_string`] appended to `out`, so a caller can reuse one buffer for many values.
    pub fn write_java_string(&self, out: &mut String) {
        match self {
            Value::String(s) => out.push_str(s),
            Value::Null => out.push_str("null"),
            Value::Int8(v) => write_int(out, i64::from(*v)),
            Value::Int16(v) => write_int(out, i64::from(*v)),
            Value::Int32(v) => write_int(out, i64::from(*v)),
            Value::Int64(v) => write_int(out, *v),
            Value::Float32(v) => java_fmt::write_float(*v, out),
            Value::Float64(v) => java_fmt::write_double(*v, out),
            Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Bytes(bytes) => write_byte_array_identity(bytes, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_java_string(out);
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_java_string(out);
                    out.push('=');
                    v.write_java_string(out);
                }
                out.push('}');
            }
            Value::Struct(s) => write_struct(s, out),
            Value::Decimal(d) => d.write_java_string(out),
            Value::Date(ms) => java_fmt::write_java_date(*ms, out),
        }
    }
}

fn write_int(out: &mut String, v: i64) {
    let _ = write!(out, "{v}");
}

/// `Struct.toString()`: `Struct{name=value,...}` over the raw field values, skipping nulls.
fn write_struct(s: &Struct, out: &mut String) {
    out.push_str("Struct{");
    let mut first = true;
    for (field, value) in s.schema().fields().iter().zip(s.values()) {
        if value.is_null() {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&field.name);
        out.push('=');
        value.write_java_string(out);
    }
    out.push('}');
}

/// `[B@` + a hex hash. Java prints the array's identity hash code, which differs per run; we use a
/// content hash (FNV-1a folded to 32 bits) so the output is stable, which no caller may rely on.
fn write_byte_array_identity(bytes: &[u8], out: &mut String) {
    let mut hash: u32 = 0x811c_9dc5;
    for b in bytes {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let _ = write!(out, "[B@{hash:x}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{logical, Decimal, Schema, SchemaBuilder};

    #[test]
    fn scalars() {
        assert_eq!(Value::from("héllo").java_string(), "héllo");
        assert_eq!(Value::Null.java_string(), "null");
        assert_eq!(Value::Int8(-5).java_string(), "-5");
        assert_eq!(Value::Int64(i64::MIN).java_string(), "-9223372036854775808");
        assert_eq!(Value::Float64(1e10).java_string(), "1.0E10");
        assert_eq!(Value::Float32(12.34).java_string(), "12.34");
        assert_eq!(Value::Boolean(true).java_string(), "true");
        assert_eq!(
            Value::Decimal(Decimal::new(15600, 4)).java_string(),
            "1.5600"
        );
        assert_eq!(Value::Date(0).java_string(), "Thu Jan 01 00:00:00 UTC 1970");
        let bytes = Value::Bytes(vec![1, 2, 3]).java_string();
        assert!(bytes.starts_with("[B@") && bytes.len() > 3, "{bytes}");
    }

    #[test]
    fn collections() {
        let list = Value::Array(vec![Value::Int32(1), Value::from("b"), Value::Null]);
        assert_eq!(list.java_string(), "[1, b, null]");
        let map = Value::Map(vec![
            (Value::from("k1"), Value::Int32(1)),
            (Value::from("k2"), Value::Array(vec![])),
        ]);
        assert_eq!(map.java_string(), "{k1=1, k2=[]}");
        assert_eq!(Value::Map(vec![]).java_string(), "{}");
    }

    #[test]
    fn structs_skip_nulls() {
        let schema = SchemaBuilder::struct_()
            .field("f1", Schema::int32())
            .unwrap()
            .field("f2", Schema::optional_string())
            .unwrap()
            .field("f3", logical::decimal(2))
            .unwrap()
            .build();
        let mut s = Struct::new(schema).unwrap();
        s.put("f1", Value::Int32(7)).unwrap();
        s.put("f3", Value::Decimal(Decimal::new(156, 2))).unwrap();
        assert_eq!(Value::Struct(s).java_string(), "Struct{f1=7,f3=1.56}");
    }

    #[test]
    fn write_appends_without_clearing() {
        let mut buf = String::from(">");
        Value::from("x").write_java_string(&mut buf);
        Value::Int32(2).write_java_string(&mut buf);
        assert_eq!(buf, ">x2");
    }
}
