//! `FileStreamSinkConnector` and `FileStreamSinkTask`.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};

use async_trait::async_trait;

use super::{configured_file, sink_config_def};
use crate::config::Props;
use crate::connectors::{copies, Connector, SinkTask};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;

/// The connector: `tasks.max` identical tasks (the worker adds `topics`/`topics.regex`).
#[derive(Default)]
pub struct FileStreamSinkConnector {
    props: Props,
}

impl Connector for FileStreamSinkConnector {
    fn start(&mut self, props: &Props) -> Result<(), ConnectError> {
        sink_config_def().parse(props)?;
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Vec<Props> {
        copies(&self.props, max_tasks)
    }

    fn alter_offsets(
        &self,
        _connector_config: &Props,
        _offsets: &[(
            crate::data::SourcePartition,
            Option<crate::data::SourceOffset>,
        )],
    ) -> Result<bool, ConnectError> {
        // Kafka's sink keeps no offsets of its own: the consumer group's offsets are all there is.
        Ok(true)
    }
}

enum Output {
    File {
        name: String,
        writer: BufWriter<File>,
    },
    Stdout(BufWriter<std::io::Stdout>),
}

/// The task: appends `String.valueOf(value)` and a newline per record. The file is opened in append
/// mode, never truncated. Each `put` batch is written with one system call (visible to readers at
/// once); `flush`, which the worker calls before it commits the offsets, also fsyncs the file.
#[derive(Default)]
pub struct FileStreamSinkTask {
    output: Option<Output>,
    line: String,
}

#[async_trait]
impl SinkTask for FileStreamSinkTask {
    async fn start(&mut self, props: &Props) -> Result<(), ConnectError> {
        sink_config_def().parse(props)?;
        self.output = Some(match configured_file(props) {
            Some(name) => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&name)
                    .map_err(|e| {
                        ConnectError::with_source(
                            format!("Couldn't find or create file '{name}' for FileStreamSinkTask"),
                            e,
                        )
                    })?;
                Output::File {
                    name,
                    writer: BufWriter::with_capacity(256 * 1024, file),
                }
            }
            None => Output::Stdout(BufWriter::new(std::io::stdout())),
        });
        Ok(())
    }

    async fn put(&mut self, records: Vec<ConnectRecord>) -> Result<(), ConnectError> {
        let Some(output) = self.output.as_mut() else {
            return Err(ConnectError::new(
                "FileStreamSinkTask received records before it was started",
            ));
        };
        for record in &records {
            self.line.clear();
            record.value.write_java_string(&mut self.line);
            self.line.push('\n');
            let result = match output {
                Output::File { writer, .. } => writer.write_all(self.line.as_bytes()),
                Output::Stdout(writer) => writer.write_all(self.line.as_bytes()),
            };
            result.map_err(|e| ConnectError::with_source(write_error(output), e))?;
        }
        // Hand the batch to the OS now, so the lines are visible at once, as Kafka's unbuffered
        // PrintStream makes them; durability (fsync) waits for `flush`, before offsets are committed.
        let result = match output {
            Output::File { writer, .. } => writer.flush(),
            Output::Stdout(writer) => writer.flush(),
        };
        result.map_err(|e| ConnectError::with_source(write_error(output), e))
    }

    async fn flush(&mut self) -> Result<(), ConnectError> {
        let Some(output) = self.output.as_mut() else {
            return Ok(());
        };
        let result = match output {
            Output::File { writer, .. } => {
                writer.flush().and_then(|()| writer.get_ref().sync_data())
            }
            Output::Stdout(writer) => writer.flush(),
        };
        result.map_err(|e| ConnectError::with_source(write_error(output), e))
    }

    async fn stop(&mut self) {
        if let Err(e) = self.flush().await {
            tracing::warn!(error = %e, "FileStreamSinkTask could not flush on stop");
        }
        self.output = None;
    }
}

fn write_error(output: &Output) -> String {
    match output {
        Output::File { name, .. } => format!("Error writing to file '{name}'"),
        Output::Stdout(_) => "Error writing to stdout".to_string(),
    }
}
