//! `String.valueOf(value)` for Connect values: what FileStreamSink writes per line and what
//! StringConverter encodes.

use std::fmt::Write as _;

use super::java_fmt;
use super::values::schema_java_string;
use super::{ConnectRecord, RecordOrigin, Schema, Struct, Value};

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
            Value::Array(items) => write_java_list(items, out, Value::write_java_string),
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

/// `List.toString()`: `[a, b]`.
fn write_java_list<T>(items: &[T], out: &mut String, write_item: impl Fn(&T, &mut String)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_item(item, out);
    }
    out.push(']');
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

impl ConnectRecord {
    /// Java's `SourceRecord.toString()` / `SinkRecord.toString()`: `SourceRecord{sourcePartition=…,
    /// sourceOffset=…} ConnectRecord{topic='…', kafkaPartition=…, key=…, keySchema=…, value=…,
    /// valueSchema=…, timestamp=…, headers=ConnectHeaders(headers=…)}`, as Kafka puts it in error
    /// messages (TimestampRouter's) and its error log (`errors.log.include.messages=true`).
    pub fn java_string(&self) -> String {
        let mut out = String::new();
        match &self.origin {
            RecordOrigin::Source { partition, offset } => {
                out.push_str("SourceRecord{sourcePartition=");
                write_java_map(partition, &mut out);
                out.push_str(", sourceOffset=");
                write_java_map(&offset.to_map(), &mut out);
                out.push_str("} ");
            }
            RecordOrigin::Sink { kafka_offset } => {
                // Ferry does not track the original topic/partition/offset apart from the current
                // ones, nor the timestamp type of a record that has no timestamp.
                let _ = write!(
                    out,
                    "SinkRecord{{kafkaOffset={kafka_offset}, timestampType=NoTimestampType, \
                     originalTopic={}, originalKafkaPartition=",
                    self.topic
                );
                write_optional(self.kafka_partition, &mut out);
                let _ = write!(out, ", originalKafkaOffset={kafka_offset}}} ");
            }
        }
        let _ = write!(
            out,
            "ConnectRecord{{topic='{}', kafkaPartition=",
            self.topic
        );
        write_optional(self.kafka_partition, &mut out);
        out.push_str(", key=");
        self.key.write_java_string(&mut out);
        out.push_str(", keySchema=");
        write_schema(self.key_schema.as_ref(), &mut out);
        out.push_str(", value=");
        self.value.write_java_string(&mut out);
        out.push_str(", valueSchema=");
        write_schema(self.value_schema.as_ref(), &mut out);
        out.push_str(", timestamp=");
        write_optional(self.timestamp, &mut out);
        // `ConnectHeaders.toString()`: its list, or nothing when it never had a header.
        out.push_str(", headers=ConnectHeaders(headers=");
        if !self.headers.is_empty() {
            out.push('[');
            for (i, h) in self.headers.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "ConnectHeader(key={}, value=", h.key);
                h.value.write_java_string(&mut out);
                out.push_str(", schema=");
                write_schema(h.schema.as_ref(), &mut out);
                out.push(')');
            }
            out.push(']');
        }
        out.push_str(")}");
        out
    }
}

fn write_optional(v: Option<impl std::fmt::Display>, out: &mut String) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("null"),
    }
}

/// `ConnectSchema.toString()`, or `null`.
fn write_schema(schema: Option<&Schema>, out: &mut String) {
    match schema {
        Some(s) => out.push_str(&schema_java_string(s)),
        None => out.push_str("null"),
    }
}

/// `Map.toString()` of a source partition or offset: `{key=value, …}`.
fn write_java_map(map: &serde_json::Map<String, serde_json::Value>, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push('=');
        write_java_json(v, out);
    }
    out.push('}');
}

/// `String.valueOf` of the Java object a JSON value deserializes to.
fn write_java_json(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => write_int(out, i),
            (None, Some(f)) if n.as_u64().is_none() => java_fmt::write_double(f, out),
            _ => {
                let _ = write!(out, "{n}");
            }
        },
        serde_json::Value::String(s) => out.push_str(s),
        serde_json::Value::Array(items) => write_java_list(items, out, write_java_json),
        serde_json::Value::Object(map) => write_java_map(map, out),
    }
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
    fn a_source_record_prints_as_javas_source_record() {
        let mut partition = crate::data::SourcePartition::new();
        partition.insert("filename".into(), "/tmp/in.txt".into());
        let mut offset = crate::data::SourceOffset::new();
        offset.insert("position".into(), 42.into());
        let mut record = ConnectRecord::source(
            std::sync::Arc::new(partition),
            offset,
            "lines",
            Some(Schema::string()),
            Value::from("hello"),
            None,
        );
        assert_eq!(
            record.java_string(),
            "SourceRecord{sourcePartition={filename=/tmp/in.txt}, sourceOffset={position=42}} \
             ConnectRecord{topic='lines', kafkaPartition=null, key=null, keySchema=null, \
             value=hello, valueSchema=Schema{STRING}, timestamp=null, headers=ConnectHeaders(headers=)}"
        );
        record.kafka_partition = Some(3);
        record.timestamp = Some(1_700_000_000_000);
        record
            .headers
            .add("h", Some(Schema::int32()), Value::Int32(7));
        record.headers.add("n", None, Value::Null);
        let text = record.java_string();
        assert!(
            text.ends_with(
                "kafkaPartition=3, key=null, keySchema=null, value=hello, valueSchema=Schema{STRING}, \
                 timestamp=1700000000000, headers=ConnectHeaders(headers=[ConnectHeader(key=h, \
                 value=7, schema=Schema{INT32}), ConnectHeader(key=n, value=null, schema=null)])}"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_sink_record_prints_as_javas_sink_record() {
        let record = ConnectRecord {
            topic: "orders".into(),
            kafka_partition: Some(2),
            key_schema: None,
            key: Value::Null,
            value_schema: None,
            value: Value::from("x"),
            timestamp: None,
            headers: Default::default(),
            origin: RecordOrigin::Sink { kafka_offset: 17 },
        };
        assert_eq!(
            record.java_string(),
            "SinkRecord{kafkaOffset=17, timestampType=NoTimestampType, originalTopic=orders, \
             originalKafkaPartition=2, originalKafkaOffset=17} ConnectRecord{topic='orders', \
             kafkaPartition=2, key=null, keySchema=null, value=x, valueSchema=null, \
             timestamp=null, headers=ConnectHeaders(headers=)}"
        );
    }

    #[test]
    fn write_appends_without_clearing() {
        let mut buf = String::from(">");
        Value::from("x").write_java_string(&mut buf);
        Value::Int32(2).write_java_string(&mut buf);
        assert_eq!(buf, ">x2");
    }
}
