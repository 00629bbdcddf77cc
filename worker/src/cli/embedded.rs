//! `--embedded-kafka`: librdkafka's in-process mock cluster, so the tutorial runs with no broker to
//! install. It keeps data in memory only and drops old data past a few MB per partition: it is for
//! trying Ferry out, never for real data, and the worker says so loudly.

use std::io::Write;

use futures::StreamExt;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;
use rdkafka::Message;
use tokio_util::sync::CancellationToken;

pub struct EmbeddedKafka {
    cluster: MockCluster<'static, DefaultProducerContext>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedKafkaError {
    #[error("cannot start the embedded Kafka: {0}")]
    Start(rdkafka::error::KafkaError),
    #[error("cannot create topic {topic} in the embedded Kafka: {source}")]
    Topic {
        topic: String,
        source: rdkafka::error::KafkaError,
    },
}

impl EmbeddedKafka {
    pub fn start() -> Result<Self, EmbeddedKafkaError> {
        let cluster = MockCluster::new(1).map_err(EmbeddedKafkaError::Start)?;
        Ok(EmbeddedKafka { cluster })
    }

    pub fn bootstrap_servers(&self) -> String {
        self.cluster.bootstrap_servers()
    }

    /// Creates a topic (the mock cluster does not implement the admin API).
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<(), EmbeddedKafkaError> {
        self.cluster
            .create_topic(topic, partitions, 1)
            .map_err(|source| EmbeddedKafkaError::Topic {
                topic: topic.to_string(),
                source,
            })
    }
}

/// Prints every record of `topics` to stdout, as `kafka-console-consumer.sh --from-beginning` would,
/// so a user of `--embedded-kafka` sees the records flowing.
pub fn spawn_console_consumer(
    bootstrap: String,
    topics: Vec<String>,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let consumer: StreamConsumer = match ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", "ferry-embedded-console")
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false")
            .create()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the console consumer of the embedded Kafka");
                return;
            }
        };
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        if let Err(e) = consumer.subscribe(&refs) {
            tracing::warn!(error = %e, "cannot subscribe the console consumer");
            return;
        }
        let mut stream = consumer.stream();
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                next = stream.next() => match next {
                    Some(Ok(m)) => {
                        let value = m.payload().map(String::from_utf8_lossy).unwrap_or_else(|| "null".into());
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "[{}] {}", m.topic(), value);
                        let _ = out.flush();
                    }
                    Some(Err(e)) => tracing::debug!(error = %e, "console consumer"),
                    None => break,
                }
            }
        }
    })
}
