//! Java's `hashCode` of a Connect value, and the order a `java.util.HashMap` iterates its entries in.
//!
//! Kafka's JsonConverter reads every map into a `HashMap`, and the transforms that change a
//! schemaless map copy it into a new one, so what a sink sees (the FileStreamSink writes a map as
//! `{k=v, ...}` in iteration order) and the bytes a converter writes (a key's bytes pick its
//! partition) follow the keys' hashes, not the order of the JSON text. Ferry's maps are vectors
//! that keep insertion order; where Kafka builds a `HashMap`, Ferry orders the entries as that map
//! would iterate them.

use super::Value;
use crate::config::java::{
    hash_map_copy_capacity, hash_map_order, string_hash, NEW_HASH_MAP_CAPACITY,
};

/// `Object.hashCode` of a map key; `None` for the types Ferry does not compute it for: bytes
/// (an identity hash in Java, so no fixed order exists), and decimals and collections, rare as
/// keys. `HashMap` gives a null key hash 0.
pub(crate) fn java_hash_code(value: &Value) -> Option<i32> {
    Some(match value {
        Value::Null => 0,
        Value::String(s) => string_hash(s),
        Value::Int8(v) => i32::from(*v),
        Value::Int16(v) => i32::from(*v),
        Value::Int32(v) => *v,
        Value::Int64(v) => fold_long(*v),
        // `Boolean.hashCode`.
        Value::Boolean(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        // `floatToIntBits` / `doubleToLongBits`: every NaN hashes as the canonical one.
        Value::Float32(f) => {
            let bits = if f.is_nan() { 0x7fc0_0000 } else { f.to_bits() };
            bits as i32
        }
        Value::Float64(d) => {
            let bits = if d.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                d.to_bits()
            };
            fold_long(bits as i64)
        }
        // `java.util.Date.hashCode`: the milliseconds' two halves xor-ed, as `Long.hashCode`.
        Value::Date(millis) => fold_long(*millis),
        Value::Bytes(_)
        | Value::Array(_)
        | Value::Map(_)
        | Value::Struct(_)
        | Value::Decimal(_) => return None,
    })
}

/// `Long.hashCode`: the two halves xor-ed.
fn fold_long(v: i64) -> i32 {
    (v ^ ((v as u64) >> 32) as i64) as i32
}

/// `entries` (distinct keys, in the order they were put) as a `new HashMap<>()` iterates them.
/// Left as they are when a key's hash is not known ([`java_hash_code`]).
pub(crate) fn in_new_hash_map_order(entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    in_hash_map_order(entries, NEW_HASH_MAP_CAPACITY)
}

/// `entries` as a `new HashMap<>(initial_capacity)` given them in order iterates them.
pub(crate) fn in_hash_map_order(
    entries: Vec<(Value, Value)>,
    initial_capacity: usize,
) -> Vec<(Value, Value)> {
    if entries.len() < 2 {
        return entries;
    }
    // Each key hashed once; any key without a known hash leaves the order alone.
    let Some(hashes) = entries
        .iter()
        .map(|(k, _)| java_hash_code(k))
        .collect::<Option<Vec<i32>>>()
    else {
        return entries;
    };
    hash_map_order(hashes.into_iter().zip(entries).collect(), initial_capacity)
}

/// `entries` as a `new HashMap<>(source)` iterates them, for a `source` of `source_len` entries:
/// the source's entries in its order, then any put after the copy (a key put again keeps its
/// place; a removed one is simply absent). Ferry's transforms build exactly that vector.
pub(crate) fn in_copied_hash_map_order(
    entries: Vec<(Value, Value)>,
    source_len: usize,
) -> Vec<(Value, Value)> {
    in_hash_map_order(entries, hash_map_copy_capacity(source_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(entries: &[(Value, Value)]) -> Vec<Value> {
        entries.iter().map(|(k, _)| k.clone()).collect()
    }

    fn strings(names: &[&str]) -> Vec<(Value, Value)> {
        names
            .iter()
            .map(|n| (Value::from(*n), Value::Null))
            .collect()
    }

    #[test]
    fn hash_codes_are_javas() {
        // Values from `Long.hashCode`, `Double.hashCode`, `Float.hashCode` and `Boolean.hashCode`.
        assert_eq!(java_hash_code(&Value::Int64(1 << 32)), Some(1));
        assert_eq!(java_hash_code(&Value::Int64(-1)), Some(0));
        assert_eq!(java_hash_code(&Value::Float64(1.0)), Some(1_072_693_248));
        assert_eq!(java_hash_code(&Value::Float32(1.0)), Some(1_065_353_216));
        assert_eq!(
            java_hash_code(&Value::Float64(f64::NAN)),
            java_hash_code(&Value::Float64(-f64::NAN))
        );
        assert_eq!(java_hash_code(&Value::Boolean(true)), Some(1231));
        assert_eq!(java_hash_code(&Value::from("hello")), Some(99_162_322));
        assert_eq!(java_hash_code(&Value::Bytes(vec![1])), None);
        // `new Date(1L << 32).hashCode()`.
        assert_eq!(java_hash_code(&Value::Date(1 << 32)), Some(1));
    }

    /// `{"id":…,"name":…,"b":…,"a":…}` read by Jackson into `new HashMap<>()`: "a" (97) and "b"
    /// (98) land in buckets 1 and 2, "name" in 8 and "id" in 11 of a 16-slot table.
    #[test]
    fn entries_follow_a_new_hash_maps_buckets() {
        let ordered = in_new_hash_map_order(strings(&["id", "name", "b", "a"]));
        assert_eq!(keys(&ordered), keys(&strings(&["a", "b", "name", "id"])));
        // Keys of one bucket keep their insertion order: "Aa" and "BB" share a hash.
        let same = in_new_hash_map_order(strings(&["BB", "Aa"]));
        assert_eq!(keys(&same), keys(&strings(&["BB", "Aa"])));
        let ints: Vec<(Value, Value)> = [17, 1, 16]
            .iter()
            .map(|i| (Value::Int32(*i), Value::Null))
            .collect();
        assert_eq!(
            keys(&in_new_hash_map_order(ints)),
            vec![Value::Int32(16), Value::Int32(17), Value::Int32(1)]
        );
    }

    /// Thirteen keys outgrow 16 slots and the table doubles: 16, first in a 16-slot table
    /// (bucket 0), comes last in a 32-slot one (bucket 16).
    #[test]
    fn a_map_past_three_quarters_full_uses_the_bigger_table() {
        let ints = |values: &[i32]| -> Vec<(Value, Value)> {
            values
                .iter()
                .map(|i| (Value::Int32(*i), Value::Null))
                .collect()
        };
        let twelve: Vec<i32> = (1..=12).collect();
        let mut thirteen = vec![16];
        thirteen.extend(&twelve);
        let mut sixteen_last = twelve.clone();
        sixteen_last.push(16);
        assert_eq!(
            keys(&in_new_hash_map_order(ints(&thirteen))),
            keys(&ints(&sixteen_last))
        );
        // Twelve keys fit in 16 slots: 16 stays first.
        let mut twelve_with_16 = vec![16];
        twelve_with_16.extend(1..=11);
        assert_eq!(
            keys(&in_new_hash_map_order(ints(&twelve_with_16))),
            keys(&ints(&twelve_with_16))
        );
    }

    /// InsertField's `new HashMap<>(value)` of one entry starts at 2 slots and grows to 4 for
    /// three: "topic" (bucket 1) comes before "line" and "data_source" (both bucket 2).
    #[test]
    fn a_copy_starts_from_the_sources_size() {
        let ordered = in_copied_hash_map_order(strings(&["line", "data_source", "topic"]), 1);
        assert_eq!(
            keys(&ordered),
            keys(&strings(&["topic", "line", "data_source"]))
        );
        // Three entries copied: Java 17 starts at 8 slots, where "name" (8) and "id" (11) fall
        // in 0 and 3 and "b" in 2.
        let copied = in_copied_hash_map_order(strings(&["name", "b", "id"]), 3);
        assert_eq!(keys(&copied), keys(&strings(&["name", "b", "id"])));
        let copied = in_copied_hash_map_order(strings(&["id", "b", "name"]), 3);
        assert_eq!(keys(&copied), keys(&strings(&["name", "b", "id"])));
        assert_eq!(hash_map_copy_capacity(0), 16);
        assert_eq!(hash_map_copy_capacity(12), 17);
    }

    #[test]
    fn unknown_hashes_leave_the_order_alone() {
        let entries = vec![
            (Value::from("b"), Value::Null),
            (Value::Bytes(vec![1]), Value::Null),
            (Value::from("a"), Value::Null),
        ];
        assert_eq!(in_new_hash_map_order(entries.clone()), entries);
    }
}
