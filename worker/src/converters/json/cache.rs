//! The JsonConverter's two schema caches (Kafka sizes both with `schemas.cache.size`):
//! Connect schema → serialized JSON schema, and JSON schema text → Connect schema.
//!
//! Lookups first try the schema's identity (the same `Arc`, which is what a connector that reuses its
//! schema object hands us every time), then structural equality through a hash of the schema's
//! shape. When a cache grows past its size it is emptied: simpler than Kafka's LRU, equally bounded,
//! and a workload with fewer distinct schemas than the size never notices.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::data::{DataError, Schema};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a cache inconsistent (inserts are single
    // statements), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hashes a schema's address (the identity key) with one multiplication instead of SipHash: the
/// key is an address, not attacker-chosen input, and this lookup runs once per record.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_usize` is used (the key is a `usize`); this keeps any other key correct.
        for &b in bytes {
            let h = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            self.0 = h ^ (h >> 32);
        }
    }

    fn write_usize(&mut self, address: usize) {
        // The multiplication spreads the address's bits upwards; folding the high half back down
        // gives the low bits (the table index) entropy, which an aligned address lacks.
        let h = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }
}

/// A schema's envelope text and, for a struct, its fields' payload keys.
#[derive(Debug)]
pub struct SchemaJson {
    /// The schema's JSON (`asJsonSchema`).
    pub text: Box<[u8]>,
    /// For a struct schema, each field's key in a payload object (`"name":`, escaped), in field
    /// order: escaped once here instead of for every record. Empty for other types.
    pub field_keys: Box<[Box<[u8]>]>,
}

/// A cached schema and its JSON.
type Entry = (Schema, Arc<SchemaJson>);

#[derive(Default)]
struct ToJsonInner {
    /// Keyed by `Schema::identity`; the stored `Schema` keeps that address alive and unique.
    by_identity: HashMap<usize, Entry, BuildHasherDefault<AddressHasher>>,
    by_shape: HashMap<u64, Vec<Entry>>,
    shapes: usize,
}

/// Connect schema → JSON schema bytes.
pub struct SchemaJsonCache {
    capacity: usize,
    inner: Mutex<ToJsonInner>,
}

impl SchemaJsonCache {
    pub fn new(capacity: usize) -> Self {
        SchemaJsonCache {
            capacity,
            inner: Mutex::new(ToJsonInner::default()),
        }
    }

    /// The cached JSON of `schema`, or `build`'s result, remembered for next time.
    pub fn get_or_build(
        &self,
        schema: &Schema,
        build: impl FnOnce() -> Result<SchemaJson, DataError>,
    ) -> Result<Arc<SchemaJson>, DataError> {
        if self.capacity == 0 {
            return build().map(Arc::new);
        }
        let shape;
        {
            let mut inner = lock(&self.inner);
            if let Some((_, json)) = inner.by_identity.get(&schema.identity()) {
                return Ok(json.clone());
            }
            // Hashed only on an identity miss, so the common case stays O(1).
            shape = shape_hash(schema);
            let found = inner
                .by_shape
                .get(&shape)
                .and_then(|bucket| bucket.iter().find(|(s, _)| s == schema))
                .map(|(_, json)| json.clone());
            if let Some(json) = found {
                self.remember_identity(&mut inner, schema, &json);
                return Ok(json);
            }
        }
        // Built outside the lock: serializing a large schema must not stall other tasks.
        let json = Arc::new(build()?);
        let mut inner = lock(&self.inner);
        if inner.shapes >= self.capacity {
            inner.by_shape.clear();
            inner.shapes = 0;
        }
        inner
            .by_shape
            .entry(shape)
            .or_default()
            .push((schema.clone(), json.clone()));
        inner.shapes += 1;
        self.remember_identity(&mut inner, schema, &json);
        Ok(json)
    }

    fn remember_identity(&self, inner: &mut ToJsonInner, schema: &Schema, json: &Arc<SchemaJson>) {
        if inner.by_identity.len() >= self.capacity {
            inner.by_identity.clear();
        }
        inner
            .by_identity
            .insert(schema.identity(), (schema.clone(), json.clone()));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        lock(&self.inner).shapes
    }
}

/// A hash of a schema's shape (type, optionality, names, fields, inner schemas). Defaults are left
/// out; equality settles any collision.
fn shape_hash(schema: &Schema) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    hash_shape(schema, &mut h);
    h.finish()
}

fn hash_shape(schema: &Schema, h: &mut impl Hasher) {
    schema.schema_type().hash(h);
    schema.is_optional().hash(h);
    schema.name().hash(h);
    schema.version().hash(h);
    schema.doc().hash(h);
    schema.parameters().hash(h);
    schema.default_value().is_some().hash(h);
    for field in schema.fields() {
        field.name.hash(h);
        hash_shape(&field.schema, h);
    }
    if let Some(k) = schema.key_schema() {
        hash_shape(k, h);
    }
    if let Some(v) = schema.value_schema() {
        hash_shape(v, h);
    }
}

/// JSON schema text → Connect schema. Keyed by the exact bytes of the envelope's `schema` member.
pub struct ConnectSchemaCache {
    capacity: usize,
    inner: Mutex<HashMap<Vec<u8>, Schema>>,
}

impl ConnectSchemaCache {
    pub fn new(capacity: usize) -> Self {
        ConnectSchemaCache {
            capacity,
            inner: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, json: &[u8]) -> Option<Schema> {
        if self.capacity == 0 {
            return None;
        }
        lock(&self.inner).get(json).cloned()
    }

    pub fn put(&self, json: &[u8], schema: Schema) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = lock(&self.inner);
        if inner.len() >= self.capacity {
            inner.clear();
        }
        inner.insert(json.to_vec(), schema);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;

    fn text(bytes: &[u8]) -> SchemaJson {
        SchemaJson {
            text: bytes.into(),
            field_keys: Box::new([]),
        }
    }

    #[test]
    fn equal_schemas_share_an_entry_and_the_size_is_bounded() {
        let cache = SchemaJsonCache::new(2);
        let make = || SchemaBuilder::array(Schema::int32()).name("a").build();
        let mut builds = 0;
        for _ in 0..3 {
            let json = cache
                .get_or_build(&make(), || {
                    builds += 1;
                    Ok(text(b"x"))
                })
                .unwrap();
            assert_eq!(&*json.text, b"x");
        }
        assert_eq!(builds, 1, "equal schemas must hit the cache");
        for i in 0..5 {
            let s = SchemaBuilder::array(Schema::int32())
                .name(format!("n{i}"))
                .build();
            cache.get_or_build(&s, || Ok(text(b""))).unwrap();
        }
        assert!(cache.len() <= 2);
    }

    #[test]
    fn zero_capacity_caches_nothing() {
        let cache = ConnectSchemaCache::new(0);
        cache.put(b"{}", Schema::string());
        assert_eq!(cache.get(b"{}"), None);
        let cache = ConnectSchemaCache::new(1);
        cache.put(b"{}", Schema::string());
        assert_eq!(cache.get(b"{}"), Some(Schema::string()));
        cache.put(b"[]", Schema::int8());
        assert_eq!(cache.len(), 1);
    }
}
