//! The worker properties of the Kubernetes mode beyond the standalone ones: where source offsets go
//! (`offset.storage.*`, as in Kafka Connect's distributed mode) and `group.id`. They are taken out
//! before the standalone config is parsed, so they are not reported as unknown keys.

use std::time::Duration;

use rdkafka::config::ClientConfig;

use crate::config::worker::WorkerConfig;
use crate::config::Props;
use crate::runtime::kafka_config::{translate, ClientRole};
use crate::storage::KafkaOffsetSettings;

pub const OFFSET_STORAGE_TOPIC: &str = "offset.storage.topic";
pub const OFFSET_STORAGE_PARTITIONS: &str = "offset.storage.partitions";
pub const OFFSET_STORAGE_REPLICATION_FACTOR: &str = "offset.storage.replication.factor";
pub const GROUP_ID: &str = "group.id";
/// Kafka's defaults for the offsets topic (`DistributedConfig`).
const DEFAULT_PARTITIONS: i32 = 25;
const DEFAULT_REPLICATION_FACTOR: i32 = 3;
/// How long creating the offsets topic, reading it to its end, or one offsets write may take.
const OFFSETS_TIMEOUT: Duration = Duration::from_secs(30);

/// Keys of Kafka Connect's distributed mode that Ferry replaces with Kubernetes (config and status
/// live in the resources): accepted and ignored.
const IGNORED: &[&str] = &[
    "config.storage.topic",
    "config.storage.replication.factor",
    "status.storage.topic",
    "status.storage.partitions",
    "status.storage.replication.factor",
];

/// A worker property of this mode that is missing or wrong.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("'{OFFSET_STORAGE_TOPIC}' is required in Kubernetes mode (the compacted topic of the source offsets; the operator sets it from spec.offsetStorageTopic)")]
    MissingTopic,
    #[error("'{key}' must be an integer (-1 lets the broker decide), found '{value}'")]
    NotAnInteger { key: &'static str, value: String },
    #[error(
        "the worker's Kafka client settings cannot be applied to the offsets topic's clients: {0}"
    )]
    Client(String),
}

/// This mode's own properties, taken out of the worker properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeProps {
    pub offset_topic: String,
    pub partitions: i32,
    pub replication_factor: i32,
    pub group_id: Option<String>,
}

/// Takes this mode's keys out of `props` (the rest is the standalone worker config).
pub fn split(props: &mut Props) -> Result<ModeProps, SettingsError> {
    for key in IGNORED {
        if props.remove(*key).is_some() {
            tracing::info!("'{key}' is ignored in Kubernetes mode: connector configs and status live in the KafkaConnector resources");
        }
    }
    let int = |props: &mut Props, key: &'static str, default: i32| match props.remove(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i32>()
            .map_err(|_| SettingsError::NotAnInteger { key, value: v }),
    };
    let partitions = int(props, OFFSET_STORAGE_PARTITIONS, DEFAULT_PARTITIONS)?;
    let replication_factor = int(
        props,
        OFFSET_STORAGE_REPLICATION_FACTOR,
        DEFAULT_REPLICATION_FACTOR,
    )?;
    let offset_topic = props
        .remove(OFFSET_STORAGE_TOPIC)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or(SettingsError::MissingTopic)?;
    // The standalone config requires the offsets file, which this mode does not use (offsets live
    // in the topic); an empty value satisfies it and is never opened.
    props
        .entry(crate::config::worker::OFFSET_STORAGE_FILE_FILENAME_CONFIG.to_string())
        .or_default();
    Ok(ModeProps {
        offset_topic,
        partitions,
        replication_factor,
        group_id: props.remove(GROUP_ID),
    })
}

/// The offsets topic's settings: the worker's own client settings (bootstrap servers, security).
pub fn offset_settings(
    mode: &ModeProps,
    config: &WorkerConfig,
) -> Result<KafkaOffsetSettings, SettingsError> {
    let (settings, notes) = translate(config.worker_client_props(), ClientRole::Admin)
        .map_err(|e| SettingsError::Client(e.to_string()))?;
    notes
        .iter()
        .for_each(|n| tracing::info!("offsets topic: {n}"));
    let mut client = ClientConfig::new();
    for (k, v) in settings {
        client.set(k, v);
    }
    Ok(KafkaOffsetSettings {
        client,
        topic: mode.offset_topic.clone(),
        partitions: mode.partitions,
        replication_factor: mode.replication_factor,
        timeout: OFFSETS_TIMEOUT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

    #[test]
    fn mode_keys_are_taken_out_with_kafkas_defaults() {
        let mut p = props(&[
            ("bootstrap.servers", "b:9092"),
            ("group.id", "connect-cluster"),
            ("offset.storage.topic", "connect-offsets"),
            ("offset.storage.replication.factor", "1"),
            ("status.storage.topic", "connect-status"),
        ]);
        let mode = split(&mut p).expect("valid");
        assert_eq!(
            mode,
            ModeProps {
                offset_topic: "connect-offsets".into(),
                partitions: 25,
                replication_factor: 1,
                group_id: Some("connect-cluster".into()),
            }
        );
        assert_eq!(
            p.keys().collect::<Vec<_>>(),
            vec!["bootstrap.servers", "offset.storage.file.filename"]
        );
    }

    #[test]
    fn a_missing_topic_or_a_bad_number_is_named() {
        let e = split(&mut props(&[])).expect_err("no topic");
        assert!(e.to_string().contains("offset.storage.topic"), "{e}");
        let e = split(&mut props(&[
            ("offset.storage.topic", "o"),
            ("offset.storage.partitions", "many"),
        ]))
        .expect_err("not a number");
        assert!(e.to_string().contains("offset.storage.partitions"), "{e}");
    }
}
