//! The runtime's [`WorkerSettings`] from a validated worker config.

use std::time::Duration;

use crate::config::worker::WorkerConfig;
use crate::config::{ConfigError, Props};
use crate::runtime::kafka_config::{
    admin_config, consumer_config, max_poll_records, producer_config, DEFAULT_MAX_POLL_RECORDS,
};
use crate::runtime::kafka_security::SecurityError;
use crate::runtime::WorkerSettings;

pub fn worker_settings(config: &WorkerConfig) -> Result<WorkerSettings, ConfigError> {
    let ms = |v: i64| Duration::from_millis(u64::try_from(v).unwrap_or(0));
    let consumer_props = config.consumer_props();
    let max_poll_records = max_poll_records(&consumer_props)?.unwrap_or(DEFAULT_MAX_POLL_RECORDS);
    let settings = WorkerSettings {
        worker_props: config.originals().clone(),
        worker_id: config.worker_id()?,
        producer_props: config.producer_props(),
        consumer_props,
        admin_props: config.admin_props(),
        offset_flush_interval: ms(config.offset_flush_interval_ms()).max(Duration::from_millis(1)),
        offset_flush_timeout: ms(config.offset_flush_timeout_ms()),
        task_shutdown_timeout: ms(config.task_shutdown_graceful_timeout_ms()),
        topic_tracking_enable: config.topic_tracking_enable(),
        topic_tracking_allow_reset: config.topic_tracking_allow_reset(),
        max_poll_records,
    };
    check_client_settings(&settings)?;
    Ok(settings)
}

/// Translates the worker's own client settings once at start-up, so an unsupported one (a JKS
/// store, Kerberos) stops the worker with the key named instead of failing every task later.
fn check_client_settings(settings: &WorkerSettings) -> Result<(), ConfigError> {
    let none = Props::new();
    let checks = [
        (
            "producer.",
            producer_config(&settings.producer_props, &none, "check", 0),
        ),
        (
            "consumer.",
            consumer_config(&settings.consumer_props, &none, "check", 0),
        ),
        (
            "admin.",
            admin_config(&settings.admin_props, &none, "check".into()),
        ),
    ];
    for (prefix, result) in checks {
        // Credentials may come from each connector's overrides instead, so only what can never work
        // stops the worker; a missing piece fails the tasks that lack it.
        if let Err(e) = result.map(|_| ()).or_else(|e| match e {
            SecurityError::Missing { .. } => Ok(()),
            other => Err(other),
        }) {
            return Err(ConfigError::Other(format!(
                "the Kafka client settings (unprefixed or '{prefix}*') cannot be applied: {e}"
            )));
        }
    }
    Ok(())
}
