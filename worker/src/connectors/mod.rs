//! The connector API (`Connector`, `SourceTask`, `SinkTask`, as in `org.apache.kafka.connect`), and the
//! connectors compiled into Ferry.

pub mod file;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::def::ConfigDef;
use crate::config::Props;
use crate::data::{ConnectRecord, SourceOffset, SourcePartition};
use crate::errors::ConnectError;

pub use crate::config::connector::ConnectorKind;

/// A connector instance: validates its config, and splits the work into task configs.
pub trait Connector: Send {
    fn start(&mut self, props: &Props) -> Result<(), ConnectError>;
    /// At most `max_tasks` task configs (Kafka fails a connector that returns more).
    fn task_configs(&self, max_tasks: usize) -> Vec<Props>;
    fn stop(&mut self) {}
    /// KIP-875: checks offsets a user wants to write. `Ok(true)` when the connector accepts them and
    /// keeps no offsets of its own elsewhere.
    fn alter_offsets(
        &self,
        _connector_config: &Props,
        _offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<bool, ConnectError> {
        Ok(false)
    }
}

/// Read access to the committed source offsets (`OffsetStorageReader`).
pub trait OffsetReader: Send + Sync {
    fn offset(&self, partition: &SourcePartition) -> Option<SourceOffset>;
}

/// What a source task gets from the runtime (`SourceTaskContext`).
#[derive(Clone)]
pub struct SourceTaskContext {
    pub offsets: Arc<dyn OffsetReader>,
}

/// A source task: reads from an external system into records.
#[async_trait]
pub trait SourceTask: Send {
    async fn start(
        &mut self,
        props: &Props,
        context: SourceTaskContext,
    ) -> Result<(), ConnectError>;
    /// Waits for the next records. An empty batch is allowed (the runtime polls again). The runtime
    /// drops this future only when it stops the task, so a read in progress may be abandoned then:
    /// nothing is lost, because offsets cover only records Kafka acknowledged.
    async fn poll(&mut self) -> Result<Vec<ConnectRecord>, ConnectError>;
    /// Called after an offset commit covered the records polled so far.
    async fn commit(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
    async fn stop(&mut self) {}
}

/// A sink task: writes records from Kafka into an external system.
#[async_trait]
pub trait SinkTask: Send {
    async fn start(&mut self, props: &Props) -> Result<(), ConnectError>;
    async fn put(&mut self, records: Vec<ConnectRecord>) -> Result<(), ConnectError>;
    /// Makes everything `put` so far durable; the runtime commits the consumer offsets only after it
    /// returns `Ok`. The runtime may drop it mid-way (the flush before a rebalance takes partitions
    /// away is bounded by `offset.flush.timeout.ms`, and gives way to a stop): it must leave nothing
    /// a later flush would not finish. An `Err` fails the task, and that task commits nothing put
    /// since the last flush that succeeded.
    async fn flush(&mut self) -> Result<(), ConnectError>;
    async fn stop(&mut self) {}
}

/// A compiled-in connector: its class name, kind, config definition and constructors.
pub struct ConnectorPlugin {
    pub class_name: &'static str,
    pub kind: ConnectorKind,
    pub config_def: fn() -> ConfigDef,
    pub new_connector: fn() -> Box<dyn Connector>,
    pub new_task: TaskFactory,
}

/// Builds the tasks of a connector.
#[derive(Clone, Copy)]
pub enum TaskFactory {
    Source(fn() -> Box<dyn SourceTask>),
    Sink(fn() -> Box<dyn SinkTask>),
}

/// Every connector Ferry ships, in `GET /connector-plugins` order (sinks, then sources).
pub fn builtin_connectors() -> &'static [ConnectorPlugin] {
    static PLUGINS: [ConnectorPlugin; 2] = [
        ConnectorPlugin {
            class_name: file::SINK_CLASS,
            kind: ConnectorKind::Sink,
            config_def: file::sink_config_def,
            new_connector: file::new_sink_connector,
            new_task: TaskFactory::Sink(file::new_sink_task),
        },
        ConnectorPlugin {
            class_name: file::SOURCE_CLASS,
            kind: ConnectorKind::Source,
            config_def: file::source_config_def,
            new_connector: file::new_source_connector,
            new_task: TaskFactory::Source(file::new_source_task),
        },
    ];
    &PLUGINS
}

/// Helper for connectors whose task configs are copies of the connector config.
pub(crate) fn copies(props: &Props, count: usize) -> Vec<Props> {
    (0..count)
        .map(|_| props.clone())
        .collect::<Vec<BTreeMap<_, _>>>()
}
