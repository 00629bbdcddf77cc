//! `FileStreamSourceConnector` and `FileStreamSourceTask`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::Value as Json;
use tokio::io::AsyncReadExt;

use super::lines::LineSplitter;
use super::tail::{Change, ChangeSignal, OpenFile};
use super::{configured_file, source_config_def, FILENAME_FIELD, POSITION_FIELD};
use crate::config::def::ParsedConfig;
use crate::config::Props;
use crate::connectors::{Connector, SourceTask, SourceTaskContext};
use crate::data::{ConnectRecord, RecordOffset, Schema, SourceOffset, SourcePartition, Value};
use crate::errors::ConnectError;

/// The connector: one task, whatever `tasks.max` says ("only one input stream makes sense").
#[derive(Default)]
pub struct FileStreamSourceConnector {
    props: Props,
}

impl Connector for FileStreamSourceConnector {
    fn start(&mut self, props: &Props) -> Result<(), ConnectError> {
        source_config_def().parse(props)?;
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&self, _max_tasks: usize) -> Vec<Props> {
        vec![self.props.clone()]
    }

    fn alter_offsets(
        &self,
        connector_config: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<bool, ConnectError> {
        if configured_file(connector_config).is_none() {
            return Err(ConnectError::new(
                "Offsets cannot be modified if the 'file' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.",
            ));
        }
        for (partition, offset) in offsets {
            if let Some(offset) = offset {
                match offset.get(POSITION_FIELD) {
                    None => {
                        return Err(ConnectError::new(
                            "Offset objects should either be null or contain the key 'position'",
                        ))
                    }
                    Some(Json::Number(n)) if n.is_i64() || n.is_u64() => {
                        if n.as_i64().is_none_or(|p| p < 0) {
                            return Err(ConnectError::new(
                                "The value for the 'position' key in the offset should be a non-negative value",
                            ));
                        }
                    }
                    Some(_) => {
                        return Err(ConnectError::new(
                            "The value for the 'position' key in the offset is expected to be a Long value",
                        ))
                    }
                }
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::new(
                    "Partition objects should contain the key 'filename'",
                ));
            }
        }
        Ok(true)
    }
}

enum Input {
    File(FileInput),
    Stdin(StdinInput),
}

struct FileInput {
    path: PathBuf,
    open: Option<OpenFile>,
    signal: ChangeSignal,
    warned_missing: bool,
}

struct StdinInput {
    stdin: tokio::io::Stdin,
    eof: bool,
}

/// The task: reads lines and turns each into a record with a required-string value schema.
#[derive(Default)]
pub struct FileStreamSourceTask {
    input: Option<Input>,
    context: Option<SourceTaskContext>,
    /// Shared by every record (a reference count each, not a copy).
    topic: Arc<str>,
    batch_size: usize,
    /// How many records the last poll returned: the next poll's list is allocated at that size
    /// once it has a line, so a busy task does not regrow (and copy) its list ten times a poll.
    expected_batch: usize,
    partition: Arc<SourcePartition>,
    /// `position`, the key of every record's offset, shared like the topic.
    position_key: Arc<str>,
    splitter: LineSplitter,
    read_buf: Vec<u8>,
    value_schema: Option<Schema>,
    /// Set after a rotation: the next open starts the new file at 0, not at the committed position.
    pending_reopen_at_zero: bool,
}

impl FileStreamSourceTask {
    pub(super) fn filename(&self) -> String {
        match &self.input {
            Some(Input::File(f)) => f.path.display().to_string(),
            _ => "stdin".to_string(),
        }
    }

    /// The committed position for our partition, checked as Kafka checks it.
    fn stored_position(&self) -> Result<u64, ConnectError> {
        let Some(context) = &self.context else {
            return Ok(0);
        };
        let Some(offset) = context.offsets.offset(&self.partition) else {
            return Ok(0);
        };
        match offset.get(POSITION_FIELD) {
            None | Some(Json::Null) => Ok(0),
            Some(Json::Number(n)) => n
                .as_u64()
                .ok_or_else(|| ConnectError::new("Offset position is the incorrect type")),
            Some(_) => Err(ConnectError::new("Offset position is the incorrect type")),
        }
    }

    /// Turns complete lines into records, up to the batch size. Lines read together share one
    /// timestamp (Kafka reads the clock per line; the difference is below a millisecond).
    fn take_lines(&mut self, records: &mut Vec<ConnectRecord>, track_offsets: bool) {
        let timestamp = now_millis();
        while records.len() < self.batch_size {
            let Some(line) = self.splitter.next_line() else {
                break;
            };
            if records.capacity() == 0 {
                records.reserve_exact(self.expected_batch.min(self.batch_size).max(1));
            }
            let end = line.end_position;
            let value = decode_utf8(line.bytes);
            records.push(self.record(value, track_offsets.then_some(end), timestamp));
        }
    }

    fn record(&self, line: String, position: Option<u64>, timestamp: i64) -> ConnectRecord {
        // `{"position": end}` kept inline: each record holds it until Kafka acknowledges it.
        let offset = RecordOffset::entry(
            Arc::clone(&self.position_key),
            position.map_or(Json::Null, Json::from),
        );
        ConnectRecord::source(
            Arc::clone(&self.partition),
            offset,
            Arc::clone(&self.topic),
            self.value_schema.clone(),
            Value::String(line),
            Some(timestamp),
        )
    }

    async fn poll_file(&mut self) -> Result<Vec<ConnectRecord>, ConnectError> {
        let mut records = Vec::new();
        self.fill_from_file(&mut records).await?;
        self.expected_batch = records.len();
        Ok(records)
    }

    /// Reads lines into `records` until a batch is full, the file is drained, or a wait for more
    /// has passed.
    async fn fill_from_file(
        &mut self,
        records: &mut Vec<ConnectRecord>,
    ) -> Result<(), ConnectError> {
        loop {
            if let Some(p) = self.ensure_open()? {
                self.splitter.reset(p);
            }
            // Lines left in the buffer by a full batch go out before anything new is read.
            self.take_lines(records, true);
            if records.len() >= self.batch_size {
                return Ok(());
            }
            let Some(Input::File(input)) = &mut self.input else {
                return Ok(());
            };
            let Some(open) = input.open.as_mut() else {
                // Missing file: wait for it to appear, as Kafka does (but woken by the directory watch).
                input.signal.wait().await;
                return Ok(());
            };
            let n = open.read_chunk(&mut self.read_buf).map_err(|e| {
                ConnectError::with_source(
                    format!("Error while reading {}", input.path.display()),
                    e,
                )
            })?;
            if n > 0 {
                self.splitter.push(&self.read_buf);
                self.take_lines(records, true);
                if records.len() >= self.batch_size {
                    return Ok(());
                }
                continue;
            }
            // End of file: hand out what we have, or look for truncation / rotation, then wait.
            if !records.is_empty() {
                return Ok(());
            }
            let change = open.change_at(&input.path).map_err(|e| {
                ConnectError::with_source(
                    format!("Error while checking {}", input.path.display()),
                    e,
                )
            })?;
            match change {
                Change::None | Change::Missing => {
                    // Return after one wait (possibly with nothing): the runtime checks pause and stop
                    // between polls, and a poll must never be cut off mid-read.
                    input.signal.wait().await;
                    return Ok(());
                }
                Change::Truncated => {
                    tracing::warn!(file = %input.path.display(), "file was truncated; reading it again from the start");
                    open.rewind()
                        .map_err(|e| ConnectError::with_source("Error while rewinding", e))?;
                    self.splitter.reset(0);
                }
                Change::Replaced => {
                    self.finish_rotated_file(records)?;
                    return Ok(());
                }
            }
        }
    }

    /// The file was renamed away and a new one is at the path: drain the old file (lines appended
    /// after our last read), emit its unterminated tail as a last line, then switch to the new file
    /// from its start. The drained records carry position 0, which means "the start of the new file",
    /// so a restart after this point reads the new file from its beginning.
    fn finish_rotated_file(
        &mut self,
        records: &mut Vec<ConnectRecord>,
    ) -> Result<(), ConnectError> {
        let Some(Input::File(input)) = &mut self.input else {
            return Ok(());
        };
        let path = input.path.display().to_string();
        if let Some(open) = input.open.as_mut() {
            loop {
                let n = open.read_chunk(&mut self.read_buf).map_err(|e| {
                    ConnectError::with_source(format!("Error while reading {path}"), e)
                })?;
                if n == 0 {
                    break;
                }
                self.splitter.push(&self.read_buf);
            }
        }
        let mut tail = Vec::new();
        while let Some(line) = self.splitter.next_line() {
            tail.push(String::from_utf8_lossy(line.bytes).into_owned());
        }
        if let Some(line) = self.splitter.finish() {
            tail.push(String::from_utf8_lossy(line.bytes).into_owned());
        }
        tracing::info!(file = %path, drained = tail.len(), "file was rotated; following the new file");
        let timestamp = now_millis();
        for line in tail {
            records.push(self.record(line, Some(0), timestamp));
        }
        if let Some(Input::File(input)) = &mut self.input {
            input.open = None;
        }
        self.splitter.reset(0);
        // Opening the new file happens on the next poll, at position 0: nothing of it was committed.
        self.pending_reopen_at_zero = true;
        Ok(())
    }

    /// Opens the file if it is not open. Returns the position to restart the splitter at when it was
    /// just opened.
    fn ensure_open(&mut self) -> Result<Option<u64>, ConnectError> {
        let need_open = matches!(&self.input, Some(Input::File(f)) if f.open.is_none());
        if !need_open {
            return Ok(None);
        }
        let position = if std::mem::take(&mut self.pending_reopen_at_zero) {
            0
        } else {
            self.stored_position()?
        };
        let Some(Input::File(input)) = &mut self.input else {
            return Ok(None);
        };
        match OpenFile::open(&input.path, position) {
            Ok((open, restarted)) => {
                if restarted {
                    tracing::warn!(
                        file = %input.path.display(),
                        committed_position = position,
                        "the committed position is beyond the end of the file (it was truncated or replaced while the task was stopped); reading from the start"
                    );
                }
                tracing::debug!(file = %input.path.display(), position = open.read_position(), "opened source file");
                let start = open.read_position();
                input.open = Some(open);
                input.warned_missing = false;
                Ok(Some(start))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !input.warned_missing {
                    tracing::warn!(
                        "Couldn't find file {} for FileStreamSourceTask, sleeping to wait for it to be created",
                        input.path.display()
                    );
                    input.warned_missing = true;
                }
                Ok(None)
            }
            Err(e) => Err(ConnectError::with_source(
                format!(
                    "Couldn't open file {} for FileStreamSourceTask",
                    input.path.display()
                ),
                e,
            )),
        }
    }

    async fn poll_stdin(&mut self) -> Result<Vec<ConnectRecord>, ConnectError> {
        let mut records = Vec::new();
        let Some(Input::Stdin(input)) = &mut self.input else {
            return Ok(records);
        };
        if input.eof {
            // Nothing more will come; idle like Kafka's task does rather than spinning.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            return Ok(records);
        }
        self.read_buf.resize(64 * 1024, 0);
        let n = input
            .stdin
            .read(&mut self.read_buf)
            .await
            .map_err(|e| ConnectError::with_source("Error while reading stdin", e))?;
        if n == 0 {
            input.eof = true;
            return Ok(records);
        }
        self.read_buf.truncate(n);
        self.splitter.push(&self.read_buf);
        self.take_lines(&mut records, false);
        Ok(records)
    }
}

#[async_trait]
impl SourceTask for FileStreamSourceTask {
    async fn start(
        &mut self,
        props: &Props,
        context: SourceTaskContext,
    ) -> Result<(), ConnectError> {
        let config: ParsedConfig = source_config_def().parse(props)?;
        self.topic = config
            .get_string(super::TOPIC_CONFIG)
            .unwrap_or_default()
            .into();
        // Kafka stops a batch once `records.size() >= batchSize`, so any value <= 0 means one record.
        let batch = config
            .get_int(super::BATCH_SIZE_CONFIG)
            .unwrap_or(super::DEFAULT_BATCH_SIZE);
        self.batch_size = usize::try_from(batch).unwrap_or(0).max(1);
        self.value_schema = Some(Schema::string());
        let file = configured_file(props);
        let mut partition = SourcePartition::new();
        partition.insert(
            FILENAME_FIELD.to_string(),
            file.clone().map_or(Json::Null, Json::String),
        );
        self.partition = Arc::new(partition);
        self.position_key = Arc::from(POSITION_FIELD);
        self.context = Some(context);
        self.input = Some(match file {
            Some(f) => {
                let path = PathBuf::from(f);
                Input::File(FileInput {
                    signal: ChangeSignal::watch(&path),
                    path,
                    open: None,
                    warned_missing: false,
                })
            }
            None => Input::Stdin(StdinInput {
                stdin: tokio::io::stdin(),
                eof: false,
            }),
        });
        tracing::info!(file = %self.filename(), topic = %self.topic, "FileStreamSourceTask started");
        Ok(())
    }

    async fn poll(&mut self) -> Result<Vec<ConnectRecord>, ConnectError> {
        match &self.input {
            Some(Input::File(_)) => self.poll_file().await,
            Some(Input::Stdin(_)) => self.poll_stdin().await,
            None => Err(ConnectError::new(
                "FileStreamSourceTask polled before it was started",
            )),
        }
    }

    async fn stop(&mut self) {
        // Dropping the input closes the file and the watcher; stdin is left open, as Kafka does.
        self.input = None;
    }
}

/// UTF-8 text of a line; invalid sequences become U+FFFD, as Java's decoder does. Validation alone is
/// much cheaper than the lossy decoder, so that runs only when needed.
fn decode_utf8(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
