//! The change log of the in-process API: what a real API server would show and emit for the
//! writes kube-fake-client executes.
//!
//! kube-fake-client gives every write a new resourceVersion and a new `generation`, even one that
//! changes nothing. A real API server changes neither for a no-op write, bumps `generation` only
//! when something outside `metadata` and `status` changes, and emits a watch event only when the
//! object changed. Controllers depend on all three (a no-op apply that emitted an event would make
//! the operator reconcile forever; a `generation` bumped by every apply would keep a Deployment
//! "not observed yet" forever), so the log keeps, per object, the generation and resourceVersion
//! a real server would show and rewrites every object it serves with them.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use super::target::Target;

/// Changes kept for watches that resume from an older resourceVersion; older ones get `410 Gone`
/// (and the client relists), as from a real API server's watch cache. Also the most a watch may
/// fall behind before it is ended. Small enough that the log stays a minor part of the scale
/// benchmark's memory.
pub const HISTORY: usize = 2048;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

/// One watch event, with what watches filter on.
#[derive(Debug)]
pub struct Change {
    /// The resourceVersion of the change (one counter for all kinds, as in etcd).
    pub seq: u64,
    pub group: String,
    pub plural: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub type_: ChangeType,
    pub object: Value,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct ObjectKey {
    group: String,
    plural: String,
    namespace: String,
    name: String,
}

impl ObjectKey {
    fn of(group: &str, plural: &str, object: &Value) -> Option<ObjectKey> {
        let meta = object.get("metadata")?;
        Some(ObjectKey {
            group: group.to_owned(),
            plural: plural.to_owned(),
            namespace: meta
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            name: meta.get("name")?.as_str()?.to_owned(),
        })
    }
}

/// What the log remembers of an object: fingerprints, not the object (the fake keeps that).
#[derive(Debug)]
struct Tracked {
    generation: i64,
    seq: u64,
    spec: u64,
    content: u64,
}

/// What a watch starting at a resourceVersion gets.
pub enum Replay {
    /// The resourceVersion is older than the history: the client must relist.
    Gone,
    /// Past changes after the resourceVersion, then the live ones.
    From(Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>),
}

pub struct Log {
    seq: u64,
    history: VecDeque<Arc<Change>>,
    /// Changes up to this seq have been dropped from `history`.
    forgotten_through: u64,
    tracked: HashMap<ObjectKey, Tracked>,
    live: broadcast::Sender<Arc<Change>>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            // Not 0: a list answers with this, and a watch from "0" means "from any point", so a
            // change between an empty list and its watch would be lost.
            seq: 1,
            history: VecDeque::new(),
            forgotten_through: 0,
            tracked: HashMap::new(),
            live: broadcast::channel(HISTORY).0,
        }
    }
}

impl Log {
    /// The resourceVersion of the latest change: what a list is consistent with.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Records the object a successful create, update or patch of `target` returned: rewrites its
    /// generation and resourceVersion to what a real API server would show, and emits a change
    /// unless the write was a no-op. Returns whether it changed anything.
    pub fn record_write(&mut self, target: &Target, object: &mut Value) -> bool {
        let Some(key) = ObjectKey::of(&target.group, &target.plural, object) else {
            return false;
        };
        let content = fingerprint(object, Part::Content);
        let spec = fingerprint(object, Part::Spec);
        let next = self.seq + 1;
        let (type_, generation) = match self.tracked.get_mut(&key) {
            Some(t) if t.content == content => {
                stamp(object, t.generation, t.seq);
                return false;
            }
            Some(t) => {
                // The status subresource never changes the generation; the main resource does
                // when anything but metadata and status changed.
                if !target.is_status() && t.spec != spec {
                    t.generation += 1;
                }
                t.spec = spec;
                t.content = content;
                t.seq = next;
                (ChangeType::Modified, t.generation)
            }
            None => {
                self.tracked.insert(
                    key.clone(),
                    Tracked {
                        generation: 1,
                        seq: next,
                        spec,
                        content,
                    },
                );
                (ChangeType::Added, 1)
            }
        };
        stamp(object, generation, next);
        self.publish(&key, type_, object.clone());
        true
    }

    /// Records the deletion of the object a successful DELETE of `target` returned.
    pub fn record_delete(&mut self, target: &Target, object: &mut Value) {
        let Some(key) = ObjectKey::of(&target.group, &target.plural, object) else {
            return;
        };
        let generation = self.tracked.remove(&key).map_or(1, |t| t.generation);
        stamp(object, generation, self.seq + 1);
        self.publish(&key, ChangeType::Deleted, object.clone());
    }

    /// The resourceVersion the object `target` names has now, if the log tracks it: what a write's
    /// `metadata.resourceVersion` precondition is compared with.
    pub fn current_version(&self, target: &Target) -> Option<u64> {
        let key = ObjectKey {
            group: target.group.clone(),
            plural: target.plural.clone(),
            namespace: target.namespace.clone().unwrap_or_default(),
            name: target.name.clone()?,
        };
        self.tracked.get(&key).map(|t| t.seq)
    }

    /// Rewrites generation and resourceVersion of an object read from the fake.
    pub fn present(&self, target: &Target, object: &mut Value) {
        if let Some(t) = ObjectKey::of(&target.group, &target.plural, object)
            .and_then(|key| self.tracked.get(&key))
        {
            stamp(object, t.generation, t.seq);
        }
    }

    /// Changes after resourceVersion `from` (none for `None`: "from now"), then the live ones.
    pub fn subscribe(&self, from: Option<u64>) -> Replay {
        let replay = match from {
            Some(rv) if rv < self.forgotten_through => return Replay::Gone,
            Some(rv) => self
                .history
                .iter()
                .filter(|c| c.seq > rv)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        Replay::From(replay, self.live.subscribe())
    }

    fn publish(&mut self, key: &ObjectKey, type_: ChangeType, object: Value) {
        self.seq += 1;
        let labels = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let change = Arc::new(Change {
            seq: self.seq,
            group: key.group.clone(),
            plural: key.plural.clone(),
            namespace: (!key.namespace.is_empty()).then(|| key.namespace.clone()),
            labels,
            type_,
            object,
        });
        self.history.push_back(change.clone());
        while self.history.len() > HISTORY {
            if let Some(old) = self.history.pop_front() {
                self.forgotten_through = old.seq;
            }
        }
        // No receiver is fine: nobody watches that kind right now.
        let _ = self.live.send(change);
    }
}

fn stamp(object: &mut Value, generation: i64, seq: u64) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("generation".into(), generation.into());
        meta.insert("resourceVersion".into(), seq.to_string().into());
    }
}

#[derive(Clone, Copy)]
enum Part {
    /// Everything but the server-managed metadata that every write changes.
    Content,
    /// What `generation` counts: everything but metadata and status.
    Spec,
}

fn fingerprint(object: &Value, part: Part) -> u64 {
    let mut v = object.clone();
    if let Some(top) = v.as_object_mut() {
        match part {
            Part::Spec => {
                top.remove("metadata");
                top.remove("status");
            }
            Part::Content => {
                if let Some(meta) = top.get_mut("metadata").and_then(Value::as_object_mut) {
                    for server_managed in ["resourceVersion", "generation", "managedFields"] {
                        meta.remove(server_managed);
                    }
                }
            }
        }
    }
    let mut h = DefaultHasher::new();
    hash_value(&v, &mut h);
    h.finish()
}

/// A hash independent of map key order.
fn hash_value(v: &Value, h: &mut DefaultHasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => (2u8, n.to_string()).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            items.iter().for_each(|i| hash_value(i, h));
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(h);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                k.hash(h);
                hash_value(&map[k], h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(status: bool) -> Target {
        Target {
            group: "apps".into(),
            version: "v1".into(),
            plural: "deployments".into(),
            namespace: Some("ns".into()),
            name: Some("d".into()),
            subresource: status.then(|| "status".into()),
        }
    }

    fn deployment(replicas: i64, rv: &str, generation: i64) -> Value {
        json!({"metadata": {"name": "d", "namespace": "ns", "resourceVersion": rv,
               "generation": generation, "labels": {"a": "b"}},
               "spec": {"replicas": replicas}})
    }

    #[test]
    fn no_op_writes_change_nothing_and_emit_nothing() {
        let mut log = Log::default();
        let mut first = deployment(1, "7", 1);
        assert!(log.record_write(&target(false), &mut first));
        // The fake bumped both; the log restores what a real server shows.
        let mut again = deployment(1, "8", 2);
        assert!(!log.record_write(&target(false), &mut again));
        assert_eq!(again["metadata"]["generation"], 1);
        assert_eq!(again["metadata"]["resourceVersion"], "2");
        assert_eq!(log.seq(), 2);
    }

    #[test]
    fn generation_counts_spec_changes_only() {
        let mut log = Log::default();
        log.record_write(&target(false), &mut deployment(1, "1", 1));
        let mut scaled = deployment(3, "2", 2);
        assert!(log.record_write(&target(false), &mut scaled));
        assert_eq!(scaled["metadata"]["generation"], 2);
        let mut status = deployment(3, "3", 3);
        status["status"] = json!({"replicas": 3});
        assert!(log.record_write(&target(true), &mut status));
        assert_eq!(status["metadata"]["generation"], 2);
        let mut relabelled = status.clone();
        relabelled["metadata"]["labels"] = json!({"a": "c"});
        assert!(log.record_write(&target(false), &mut relabelled));
        assert_eq!(relabelled["metadata"]["generation"], 2);
    }

    #[test]
    fn watches_replay_after_their_resource_version_or_are_gone() {
        let mut log = Log::default();
        for replicas in 1..=3 {
            log.record_write(&target(false), &mut deployment(replicas, "x", 0));
        }
        log.record_delete(&target(false), &mut deployment(3, "x", 0));
        let Replay::From(replay, _) = log.subscribe(Some(3)) else {
            panic!("history covers rv 3");
        };
        let types: Vec<_> = replay.iter().map(|c| (c.seq, c.type_)).collect();
        assert_eq!(types, [(4, ChangeType::Modified), (5, ChangeType::Deleted)]);
        assert_eq!(replay[0].labels["a"], "b");
        for replicas in 0..HISTORY as i64 {
            log.record_write(&target(false), &mut deployment(replicas, "x", 0));
        }
        assert!(matches!(log.subscribe(Some(3)), Replay::Gone));
        assert!(matches!(log.subscribe(Some(log.seq())), Replay::From(r, _) if r.is_empty()));
    }
}
