//! Follows one file on disk: opens it when it appears, reads what is appended, notices truncation and
//! rename rotation, and wakes on file-system notifications rather than polling.

use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::Notify;

/// How long to wait between checks when no notification arrives. Notifications make this a safety
/// net (a missed event, a file system without inotify), not the normal path.
const FALLBACK_WAIT: Duration = Duration::from_millis(500);
/// Without a watcher we poll faster than Kafka's 1 s, still cheaply.
const POLL_WAIT_WITHOUT_WATCHER: Duration = Duration::from_millis(100);
const READ_CHUNK: usize = 64 * 1024;

/// A file's identity: which inode on which device. A rename rotation shows as a new identity at the
/// same path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    fn of(metadata: &Metadata) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileIdentity {
                device: metadata.dev(),
                inode: metadata.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            FileIdentity {
                device: 0,
                inode: 0,
            }
        }
    }
}

/// What the path holds now, compared with the file we have open.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Same file, no shorter than what we read.
    None,
    /// Same file, now shorter than our read position: it was truncated.
    Truncated,
    /// A different file is at the path: ours was renamed away (rotation) or deleted and recreated.
    Replaced,
    /// Nothing is at the path (renamed away, not yet recreated).
    Missing,
}

/// Decides what happened to the file (pure, so it is tested directly).
pub fn classify(
    open: FileIdentity,
    read_position: u64,
    at_path: Option<(FileIdentity, u64)>,
) -> Change {
    match at_path {
        None => Change::Missing,
        Some((identity, _)) if identity != open => Change::Replaced,
        Some((_, len)) if len < read_position => Change::Truncated,
        Some(_) => Change::None,
    }
}

/// An open file and how far we read it.
pub struct OpenFile {
    file: File,
    identity: FileIdentity,
    read_position: u64,
}

impl OpenFile {
    /// Opens `path` and seeks to `position`; a position beyond the end (the file was truncated or
    /// replaced while we were stopped) restarts at 0, and says so.
    pub fn open(path: &Path, position: u64) -> std::io::Result<(OpenFile, bool)> {
        let mut file = File::open(path)?;
        let metadata = file.metadata()?;
        let restarted = position > metadata.len();
        let start = if restarted { 0 } else { position };
        file.seek(SeekFrom::Start(start))?;
        Ok((
            OpenFile {
                file,
                identity: FileIdentity::of(&metadata),
                read_position: start,
            },
            restarted,
        ))
    }

    pub fn read_position(&self) -> u64 {
        self.read_position
    }

    /// Reads what is available now (up to one chunk); `Ok(0)` at end of file.
    pub fn read_chunk(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        buf.resize(READ_CHUNK, 0);
        let n = loop {
            match self.file.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        buf.truncate(n);
        self.read_position += n as u64;
        Ok(n)
    }

    /// Restarts reading from the beginning (after truncation).
    pub fn rewind(&mut self) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(0))?;
        self.read_position = 0;
        Ok(())
    }

    /// Compares the file at `path` with this one.
    pub fn change_at(&self, path: &Path) -> std::io::Result<Change> {
        let at_path = match std::fs::metadata(path) {
            Ok(m) => Some((FileIdentity::of(&m), m.len())),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        Ok(classify(self.identity, self.read_position, at_path))
    }
}

/// Wakes a waiting reader when anything changes in the file's directory.
pub struct ChangeSignal {
    wake: Arc<Notify>,
    // Kept alive for as long as we want events; dropping it stops the watch.
    watcher: Option<notify::RecommendedWatcher>,
}

impl ChangeSignal {
    /// Watches the directory of `path` (the file itself may not exist yet, and a rotation replaces
    /// it). Falls back to polling, with a warning, when no watcher can be created.
    pub fn watch(path: &Path) -> Self {
        let wake = Arc::new(Notify::new());
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let notify_handle = Arc::clone(&wake);
        let watcher = notify::recommended_watcher(move |_event: notify::Result<notify::Event>| {
            // Any event (or watcher error) is a reason to look again; the reader decides what changed.
            notify_handle.notify_one();
        })
        .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w));
        let watcher = match watcher {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(
                    directory = %dir.display(),
                    error = %e,
                    "cannot watch the directory for changes; polling every {} ms instead",
                    POLL_WAIT_WITHOUT_WATCHER.as_millis()
                );
                None
            }
        };
        ChangeSignal { wake, watcher }
    }

    /// Waits for a change notification, or the fallback interval.
    pub async fn wait(&self) {
        let limit = if self.watcher.is_some() {
            FALLBACK_WAIT
        } else {
            POLL_WAIT_WITHOUT_WATCHER
        };
        let _ = tokio::time::timeout(limit, self.wake.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: FileIdentity = FileIdentity {
        device: 1,
        inode: 10,
    };
    const B: FileIdentity = FileIdentity {
        device: 1,
        inode: 11,
    };

    #[test]
    fn classifies_changes() {
        assert_eq!(classify(A, 5, Some((A, 5))), Change::None);
        assert_eq!(classify(A, 5, Some((A, 9))), Change::None);
        assert_eq!(classify(A, 5, Some((A, 4))), Change::Truncated);
        assert_eq!(classify(A, 5, Some((B, 100))), Change::Replaced);
        assert_eq!(classify(A, 5, None), Change::Missing);
    }

    #[test]
    fn open_beyond_end_restarts_at_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, b"abc\n").unwrap();
        let (f, restarted) = OpenFile::open(&path, 100).unwrap();
        assert!(restarted);
        assert_eq!(f.read_position(), 0);
        let (f, restarted) = OpenFile::open(&path, 2).unwrap();
        assert!(!restarted);
        assert_eq!(f.read_position(), 2);
    }

    #[test]
    fn detects_rename_rotation_and_truncation_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, b"one\ntwo\n").unwrap();
        let (mut f, _) = OpenFile::open(&path, 0).unwrap();
        let mut buf = Vec::new();
        assert_eq!(f.read_chunk(&mut buf).unwrap(), 8);
        assert_eq!(f.change_at(&path).unwrap(), Change::None);

        std::fs::write(&path, b"x\n").unwrap(); // same inode, shorter
        assert_eq!(f.change_at(&path).unwrap(), Change::Truncated);

        std::fs::rename(&path, dir.path().join("f.txt.1")).unwrap();
        assert_eq!(f.change_at(&path).unwrap(), Change::Missing);
        std::fs::write(&path, b"new\n").unwrap();
        assert_eq!(f.change_at(&path).unwrap(), Change::Replaced);
    }
}
