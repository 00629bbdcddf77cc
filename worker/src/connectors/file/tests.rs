//! The file source against real files: resume, waiting for a missing file, appends noticed by
//! notification, truncation and rename rotation. No Kafka involved.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{FileStreamSourceConnector, FileStreamSourceTask};
use crate::config::Props;
use crate::connectors::{Connector, OffsetReader, SourceTask, SourceTaskContext};
use crate::data::{ConnectRecord, RecordOrigin, SourceOffset, SourcePartition, Value};

#[derive(Default)]
struct Offsets(Mutex<HashMap<String, SourceOffset>>);

impl OffsetReader for Offsets {
    fn offset(&self, partition: &SourcePartition) -> Option<SourceOffset> {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        self.0.lock().unwrap().get(&key).cloned()
    }
}

fn props(file: &Path) -> Props {
    [
        ("name", "src"),
        ("connector.class", "FileStreamSource"),
        ("topic", "t"),
        ("file", file.to_str().unwrap()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn start(file: &Path, offsets: Arc<Offsets>) -> FileStreamSourceTask {
    let mut task = FileStreamSourceTask::default();
    task.start(&props(file), SourceTaskContext { offsets })
        .await
        .unwrap();
    task
}

fn line_and_position(r: &ConnectRecord) -> (String, Option<u64>) {
    let value = match &r.value {
        Value::String(s) => s.clone(),
        other => panic!("not a string: {other:?}"),
    };
    let position = match &r.origin {
        RecordOrigin::Source { offset, .. } => offset.get("position").and_then(|p| p.as_u64()),
        RecordOrigin::Sink { .. } => None,
    };
    (value, position)
}

/// Polls until `n` records arrived, failing at the deadline.
async fn poll_n(
    task: &mut FileStreamSourceTask,
    n: usize,
    limit: Duration,
) -> Vec<(String, Option<u64>)> {
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    while out.len() < n {
        assert!(Instant::now() < deadline, "only {out:?} after {limit:?}");
        out.extend(task.poll().await.unwrap().iter().map(line_and_position));
    }
    out
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[tokio::test]
async fn records_have_kafkas_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "foo\n").unwrap();
    let mut task = start(&path, Arc::default()).await;
    let records = task.poll().await.unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(&*r.topic, "t");
    assert_eq!(r.key, Value::Null);
    assert!(r.key_schema.is_none());
    assert_eq!(r.value_schema, Some(crate::data::Schema::string()));
    assert!(r.timestamp.is_some());
    match &r.origin {
        RecordOrigin::Source { partition, offset } => {
            assert_eq!(
                serde_json::Value::Object((**partition).clone()),
                json!({"filename": path.to_str().unwrap()})
            );
            assert_eq!(
                serde_json::Value::Object(offset.to_map()),
                json!({"position": 4})
            );
        }
        RecordOrigin::Sink { .. } => panic!("sink origin"),
    }
}

#[tokio::test]
async fn resumes_at_the_committed_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "a\nb\nc\n").unwrap();
    let offsets = Arc::new(Offsets::default());
    let partition = json!({"filename": path.to_str().unwrap()}).to_string();
    offsets.0.lock().unwrap().insert(
        partition,
        json!({"position": 2}).as_object().unwrap().clone(),
    );
    let mut task = start(&path, offsets).await;
    let got = poll_n(&mut task, 2, Duration::from_secs(5)).await;
    assert_eq!(got, vec![("b".into(), Some(4)), ("c".into(), Some(6))]);
}

/// A task on `path` with no stored offset and `batch.size` set.
async fn start_with_batch_size(path: &Path, batch_size: usize) -> FileStreamSourceTask {
    let mut p = props(path);
    p.insert("batch.size".into(), batch_size.to_string());
    let mut task = FileStreamSourceTask::default();
    task.start(
        &p,
        SourceTaskContext {
            offsets: Arc::new(Offsets::default()),
        },
    )
    .await
    .unwrap();
    task
}

#[tokio::test]
async fn batch_size_limits_each_poll() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "1\n2\n3\n4\n5\n").unwrap();
    let mut task = start_with_batch_size(&path, 2).await;
    assert_eq!(task.poll().await.unwrap().len(), 2);
    assert_eq!(task.poll().await.unwrap().len(), 2);
    assert_eq!(task.poll().await.unwrap().len(), 1);
}

/// A busy task's list is allocated once, at the size of the last poll's, and never beyond the
/// batch size; a quiet task's stays small.
#[tokio::test]
async fn each_poll_allocates_its_list_at_the_last_polls_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    let lines: String = (0..25).map(|i| format!("{i}\n")).collect();
    std::fs::write(&path, lines).unwrap();
    let mut task = start_with_batch_size(&path, 10).await;
    let first = task.poll().await.unwrap();
    assert_eq!(first.len(), 10);
    let second = task.poll().await.unwrap();
    assert_eq!((second.len(), second.capacity()), (10, 10));
    let third = task.poll().await.unwrap();
    assert_eq!((third.len(), third.capacity()), (5, 10));
    append(&path, "26\n");
    let fourth = task.poll().await.unwrap();
    assert_eq!(fourth.len(), 1);
    assert_eq!(
        fourth.capacity(),
        5,
        "sized like the 5-record poll before it"
    );
}

#[tokio::test]
async fn waits_for_a_missing_file_and_notices_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.txt");
    let mut task = start(&path, Arc::default()).await;
    assert!(task.poll().await.unwrap().is_empty(), "nothing to read yet");
    std::fs::write(&path, "first\n").unwrap();
    assert_eq!(
        poll_n(&mut task, 1, Duration::from_secs(5)).await,
        vec![("first".into(), Some(6))]
    );
    append(&path, "partial");
    append(&path, " line\n");
    assert_eq!(
        poll_n(&mut task, 1, Duration::from_secs(5)).await,
        vec![("partial line".into(), Some(19))]
    );
}

#[tokio::test]
async fn follows_truncation_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "one\ntwo\n").unwrap();
    let mut task = start(&path, Arc::default()).await;
    assert_eq!(poll_n(&mut task, 2, Duration::from_secs(5)).await.len(), 2);
    std::fs::write(&path, "x\n").unwrap(); // copy-truncate: same file, shorter
    assert_eq!(
        poll_n(&mut task, 1, Duration::from_secs(5)).await,
        vec![("x".into(), Some(2))]
    );
}

#[tokio::test]
async fn follows_rename_rotation_without_losing_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "before\n").unwrap();
    let mut task = start(&path, Arc::default()).await;
    assert_eq!(poll_n(&mut task, 1, Duration::from_secs(5)).await.len(), 1);
    // The writer appends a last line (and an unterminated tail) to the old file, then rotates.
    append(&path, "late\ntail");
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    std::fs::write(&path, "new\n").unwrap();
    let got = poll_n(&mut task, 3, Duration::from_secs(5)).await;
    assert_eq!(
        got,
        // `late` is read through the still-open old file before the rotation is seen, so it keeps its
        // old-file position; the tail is emitted at rotation with position 0 (start of the new file).
        vec![
            ("late".into(), Some(12)),
            ("tail".into(), Some(0)),
            ("new".into(), Some(4))
        ]
    );
}

#[tokio::test]
async fn stdin_records_carry_null_filename_and_position() {
    let mut p = props(Path::new("x"));
    p.remove("file");
    let mut task = FileStreamSourceTask::default();
    task.start(
        &p,
        SourceTaskContext {
            offsets: Arc::new(Offsets::default()),
        },
    )
    .await
    .unwrap();
    // Reading stdin itself is not exercised here (the test harness owns it); the partition shape is.
    assert_eq!(task.filename(), "stdin");
}

#[test]
fn connector_makes_one_task_and_checks_offsets_like_kafka() {
    let mut c = FileStreamSourceConnector::default();
    let p = props(Path::new("in.txt"));
    c.start(&p).unwrap();
    assert_eq!(c.task_configs(5).len(), 1);

    let part = json!({"filename": "in.txt"}).as_object().unwrap().clone();
    let ok = json!({"position": 10}).as_object().unwrap().clone();
    assert!(c
        .alter_offsets(&p, &[(part.clone(), Some(ok)), (part.clone(), None)])
        .unwrap());
    let err = |o: serde_json::Value| {
        c.alter_offsets(&p, &[(part.clone(), Some(o.as_object().unwrap().clone()))])
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(json!({})),
        "Offset objects should either be null or contain the key 'position'"
    );
    assert_eq!(
        err(json!({"position": "x"})),
        "The value for the 'position' key in the offset is expected to be a Long value"
    );
    assert_eq!(
        err(json!({"position": -1})),
        "The value for the 'position' key in the offset should be a non-negative value"
    );
    let no_filename = json!({"file": "x"}).as_object().unwrap().clone();
    assert_eq!(
        c.alter_offsets(&p, &[(no_filename, None)])
            .unwrap_err()
            .to_string(),
        "Partition objects should contain the key 'filename'"
    );
    let mut stdin = p.clone();
    stdin.remove("file");
    assert!(c
        .alter_offsets(&stdin, &[])
        .unwrap_err()
        .to_string()
        .starts_with("Offsets cannot be modified if the 'file' configuration is unspecified."));
}

#[test]
fn connector_rejects_missing_topic_with_kafkas_message() {
    let mut c = FileStreamSourceConnector::default();
    let mut p = props(Path::new("in.txt"));
    p.remove("topic");
    assert_eq!(
        c.start(&p).unwrap_err().to_string(),
        "Missing required configuration \"topic\" which has no default value."
    );
}
