//! Java formatting rules that leak into Kafka's user-visible texts (error messages, default values in
//! `ConfigKeyInfo`). Kafka builds these strings with `Double.toString`, `List.toString` and by
//! iterating `HashSet`s, so a compatible port has to imitate them on purpose (spec §11).

/// Java's `Double.toString`: `1.0`, `0.5`, `1.0E10`, `1.0E-4`, `NaN`, `Infinity`.
pub(crate) fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let magnitude = d.abs();
    // Java switches to computerized scientific notation outside [1e-3, 1e7).
    if (1e-3..1e7).contains(&magnitude) {
        let text = format!("{d}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        // Rust's `{:e}` gives the shortest round-tripping digits, like Java, but as `1e10`/`1.5e-5`.
        let text = format!("{d:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

/// Java's `AbstractCollection.toString`: `[a, b]`.
pub(crate) fn list_to_string(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// Java's `String.hashCode` over UTF-16 code units.
pub(crate) fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The iteration order of a `java.util.HashSet` built by adding `items` in order (default capacity 16,
/// load factor 0.75). Kafka's `CaseInsensitiveValidString` prints its values in this order, so the
/// message `String must be one of (case insensitive): ...` depends on it.
pub(crate) fn hash_set_order(items: &[String]) -> Vec<String> {
    hash_map_key_order(items, NEW_HASH_MAP_CAPACITY)
}

/// `new HashMap<>()`'s table size.
pub(crate) const NEW_HASH_MAP_CAPACITY: usize = 16;
/// `HashMap`'s default load factor.
const LOAD_FACTOR: f32 = 0.75;

/// The table a `HashMap` copy constructor (`new HashMap<>(source)`) starts with for a source of
/// `source_len` entries, as Java 17 sizes it (`size / 0.75 + 1`, truncated); an empty source leaves
/// the default. Java 19 and later size it `ceil(size / 0.75)`, one power of two smaller for sources
/// of 3, 6, 12, 24, ... entries, so a copy of such a map that adds no key can iterate in another
/// order on those JVMs.
pub(crate) fn hash_map_copy_capacity(source_len: usize) -> usize {
    if source_len == 0 {
        return NEW_HASH_MAP_CAPACITY;
    }
    (source_len as f32 / LOAD_FACTOR + 1.0) as usize
}

/// The initial capacity `new HashSet<>(collection)` gives its map for `len` items:
/// `Math.max((int) (len / .75f) + 1, 16)`, the copy constructor's sizing with the default as floor.
pub(crate) fn hash_set_copy_capacity(len: usize) -> usize {
    hash_map_copy_capacity(len).max(NEW_HASH_MAP_CAPACITY)
}

/// The iteration order of the keys of a `java.util.HashMap<String, _>` created with
/// `new HashMap<>(initial_capacity)` and then given `keys` in order (a repeated key keeps its first
/// place). See [`hash_map_order`].
pub(crate) fn hash_map_key_order(keys: &[String], initial_capacity: usize) -> Vec<String> {
    let mut unique: Vec<&String> = Vec::new();
    for key in keys {
        if !unique.contains(&key) {
            unique.push(key);
        }
    }
    let hashed = unique.into_iter().map(|s| (string_hash(s), s)).collect();
    hash_map_order(hashed, initial_capacity)
        .into_iter()
        .cloned()
        .collect()
}

/// The iteration order of a `java.util.HashMap` created with `new HashMap<>(initial_capacity)`
/// (`new HashMap<>()` is 16) and given `distinct` keys in this order, each with its `hashCode`.
/// The order is fixed by the hashes and the table size, which starts at the power of two at or
/// above `initial_capacity` and doubles whenever the map outgrows three quarters of it: buckets in
/// index order, and within a bucket the order of insertion, which Java keeps across resizes. (Java
/// also grows a table under 64 slots, or turns a bucket into a tree, when nine keys collide in one
/// bucket; this does not follow that.)
pub(crate) fn hash_map_order<T>(distinct: Vec<(i32, T)>, initial_capacity: usize) -> Vec<T> {
    let mut capacity = initial_capacity.max(1).next_power_of_two();
    while distinct.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    // `HashMap.hash`: the high half folded into the low one, then the table's index bits.
    let mut bucketed: Vec<(usize, T)> = distinct
        .into_iter()
        .map(|(hash, item)| {
            let h = hash as u32;
            (((h ^ (h >> 16)) as usize) & (capacity - 1), item)
        })
        .collect();
    // A stable sort keeps insertion order within a bucket.
    bucketed.sort_by_key(|(bucket, _)| *bucket);
    bucketed.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_format_like_java() {
        assert_eq!(double_to_string(1.0), "1.0");
        assert_eq!(double_to_string(0.5), "0.5");
        assert_eq!(double_to_string(1e10), "1.0E10");
        assert_eq!(double_to_string(1e-4), "1.0E-4");
        assert_eq!(double_to_string(1.5e-5), "1.5E-5");
        assert_eq!(double_to_string(123456.75), "123456.75");
        assert_eq!(double_to_string(f64::NAN), "NaN");
        assert_eq!(double_to_string(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double_to_string(-2.0), "-2.0");
    }

    #[test]
    fn java_string_hash_matches_known_values() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("hello"), 99162322);
    }

    /// `new HashMap<>(2)` with "id" then "name": a table of 4 puts "name" (bucket 0) before "id"
    /// (bucket 3); `new HashMap<>(1)` grows 1 → 2 → 4 on the way.
    #[test]
    fn hash_map_order_follows_the_table_size() {
        let keys = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            hash_map_key_order(&keys(&["id", "name"]), 2),
            keys(&["name", "id"])
        );
        assert_eq!(
            hash_map_key_order(&keys(&["name", "id"]), 2),
            keys(&["name", "id"])
        );
        assert_eq!(hash_map_key_order(&keys(&["b", "a"]), 2), keys(&["a", "b"]));
        assert_eq!(
            hash_map_key_order(&keys(&["id", "name", "id"]), 3),
            hash_map_key_order(&keys(&["id", "name"]), 3)
        );
        assert_eq!(hash_map_key_order(&[], 0), Vec::<String>::new());
    }

    #[test]
    fn hash_set_order_matches_kafka_messages() {
        // Orders observed in Kafka's own test expectations.
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            hash_set_order(&set(&["NONE", "GZIP", "SNAPPY", "ZSTD"])).join(", "),
            "ZSTD, GZIP, NONE, SNAPPY"
        );
        assert_eq!(
            hash_set_order(&set(&["DISABLED", "UPGRADE", "DOWNGRADE", "BIDIRECTIONAL"])).join(", "),
            "DISABLED, DOWNGRADE, UPGRADE, BIDIRECTIONAL"
        );
    }
}
