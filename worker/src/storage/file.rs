//! The standalone offset store: `offset.storage.file.filename`.
//!
//! Kafka writes this file with Java serialization; Ferry writes JSON (documented in
//! `docs/offsets-file.md`), so a person can read and edit it:
//!
//! ```json
//! {"format":"ferry-offsets/1","offsets":[{"key":["local-file-source",{"filename":"test.txt"}],"value":{"position":30}}]}
//! ```
//!
//! Keys are Kafka Connect's own offset keys. Every write replaces the whole file atomically: the new
//! content goes to a temporary file in the same directory, is fsynced, renamed over the old one, and the
//! directory is fsynced, so a crash leaves either the old or the new offsets, never a torn file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::key::{offset_key, parse_offset_key};
use super::{OffsetStore, OffsetStoreError};
use crate::data::{SourceOffset, SourcePartition};

const FORMAT: &str = "ferry-offsets/1";
/// The first bytes of a Java serialization stream: the file was written by Apache Kafka Connect.
const JAVA_SERIALIZATION_MAGIC: [u8; 2] = [0xAC, 0xED];

#[derive(Debug, thiserror::Error)]
pub enum OffsetFileError {
    #[error("cannot read the offsets file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the offsets file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the offsets file {path} was written by Apache Kafka Connect (Java serialization), which Ferry cannot read; move it aside to start without offsets, or set offset.storage.file.filename to a new file")]
    JavaSerialized { path: PathBuf },
    #[error(
        "the offsets file {path} is not a Ferry offsets file ({reason}); fix or move it aside"
    )]
    Malformed { path: PathBuf, reason: String },
}

#[derive(Serialize, Deserialize)]
struct FileContent {
    format: String,
    offsets: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: serde_json::Value,
    value: serde_json::Value,
}

/// Offsets of all connectors, kept in memory and written through to the file.
pub struct FileOffsetStore {
    path: PathBuf,
    /// Key bytes (Kafka's format) → offset.
    offsets: Mutex<BTreeMap<Vec<u8>, SourceOffset>>,
}

impl FileOffsetStore {
    /// Loads the file; a missing or empty file means no offsets yet.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, OffsetFileError> {
        let path = path.into();
        let offsets = load(&path)?;
        Ok(FileOffsetStore {
            path,
            offsets: Mutex::new(offsets),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, SourceOffset>> {
        crate::sync::lock(&self.offsets)
    }
}

fn load(path: &Path) -> Result<BTreeMap<Vec<u8>, SourceOffset>, OffsetFileError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => {
            return Err(OffsetFileError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(BTreeMap::new());
    }
    if bytes.starts_with(&JAVA_SERIALIZATION_MAGIC) {
        return Err(OffsetFileError::JavaSerialized {
            path: path.to_path_buf(),
        });
    }
    let malformed = |reason: String| OffsetFileError::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    let content: FileContent =
        serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
    if content.format != FORMAT {
        return Err(malformed(format!(
            "format {:?}, expected {FORMAT:?}",
            content.format
        )));
    }
    let mut offsets = BTreeMap::new();
    for entry in content.offsets {
        let key = serde_json::to_vec(&entry.key).map_err(|e| malformed(e.to_string()))?;
        let (_, _) = parse_offset_key(&key).map_err(|e| malformed(e.to_string()))?;
        match entry.value {
            serde_json::Value::Object(offset) => {
                offsets.insert(key, offset);
            }
            serde_json::Value::Null => {}
            other => return Err(malformed(format!("offset {other} is not an object"))),
        }
    }
    Ok(offsets)
}

fn write_atomically(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "offsets".to_string());
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    // Make the rename itself durable.
    std::fs::File::open(&dir)?.sync_all()
}

impl OffsetStore for FileOffsetStore {
    fn get(&self, connector: &str, partition: &SourcePartition) -> Option<SourceOffset> {
        self.lock().get(&offset_key(connector, partition)).cloned()
    }

    fn all(&self, connector: &str) -> Vec<(SourcePartition, SourceOffset)> {
        self.lock()
            .iter()
            .filter_map(|(key, offset)| match parse_offset_key(key) {
                Ok((name, partition)) if name == connector => Some((partition, offset.clone())),
                _ => None,
            })
            .collect()
    }

    fn put(
        &self,
        connector: &str,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<(), OffsetStoreError> {
        let mut map = self.lock();
        let mut next = map.clone();
        for (partition, offset) in offsets {
            let key = offset_key(connector, partition);
            match offset {
                Some(o) => {
                    next.insert(key, o.clone());
                }
                None => {
                    next.remove(&key);
                }
            }
        }
        let content = FileContent {
            format: FORMAT.to_string(),
            offsets: next
                .iter()
                .map(|(k, v)| Entry {
                    key: serde_json::from_slice(k).unwrap_or(serde_json::Value::Null),
                    value: serde_json::Value::Object(v.clone()),
                })
                .collect(),
        };
        let bytes = serde_json::to_vec(&content).map_err(|e| OffsetFileError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        // Only after the file is durable does memory change: a failed write leaves both as they were.
        write_atomically(&self.path, &bytes).map_err(|source| OffsetFileError::Write {
            path: self.path.clone(),
            source,
        })?;
        *map = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(f: &str) -> SourcePartition {
        let mut p = SourcePartition::new();
        p.insert("filename".into(), f.into());
        p
    }
    fn offset(n: u64) -> SourceOffset {
        let mut o = SourceOffset::new();
        o.insert("position".into(), n.into());
        o
    }

    #[test]
    fn offsets_survive_reopen_and_are_scoped_by_connector() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = FileOffsetStore::open(&path).unwrap();
        assert_eq!(store.get("c", &partition("a")), None);
        store
            .put("c", &[(partition("a"), Some(offset(30)))])
            .unwrap();
        store
            .put("d", &[(partition("a"), Some(offset(7)))])
            .unwrap();

        let reopened = FileOffsetStore::open(&path).unwrap();
        assert_eq!(reopened.get("c", &partition("a")), Some(offset(30)));
        assert_eq!(reopened.get("d", &partition("a")), Some(offset(7)));
        assert_eq!(reopened.all("c"), vec![(partition("a"), offset(30))]);

        reopened.put("c", &[(partition("a"), None)]).unwrap();
        assert_eq!(
            FileOffsetStore::open(&path)
                .unwrap()
                .get("c", &partition("a")),
            None
        );
    }

    #[test]
    fn file_is_documented_json_with_kafka_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o");
        FileOffsetStore::open(&path)
            .unwrap()
            .put(
                "local-file-source",
                &[(partition("test.txt"), Some(offset(30)))],
            )
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            r#"{"format":"ferry-offsets/1","offsets":[{"key":["local-file-source",{"filename":"test.txt"}],"value":{"position":30}}]}"#
        );
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn java_serialized_file_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        std::fs::write(&path, [0xAC, 0xED, 0x00, 0x05]).unwrap();
        let err = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(err.contains("written by Apache Kafka Connect"), "{err}");
    }

    #[test]
    fn malformed_and_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o");
        std::fs::write(&path, "\n").unwrap();
        assert!(FileOffsetStore::open(&path).is_ok());
        std::fs::write(&path, "{nope").unwrap();
        let err = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(err.contains("is not a Ferry offsets file"), "{err}");
    }

    #[test]
    fn failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("o");
        let store = FileOffsetStore::open(&path).unwrap();
        assert!(store
            .put("c", &[(partition("a"), Some(offset(1)))])
            .is_err());
        assert_eq!(store.get("c", &partition("a")), None);
    }
}
