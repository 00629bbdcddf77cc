//! Which worker keys are Kafka client settings (accepted silently, passed to the clients).

/// Exact client setting names a worker config may carry unprefixed.
const CLIENT_KEYS: &[&str] = &[
    "bootstrap.servers",
    "client.dns.lookup",
    "client.id",
    "client.rack",
    "request.timeout.ms",
    "default.api.timeout.ms",
    "retry.backoff.ms",
    "retry.backoff.max.ms",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "connections.max.idle.ms",
    "metadata.max.age.ms",
    "metric.reporters",
    "auto.include.jmx.reporter",
    "enable.metrics.push",
    "socket.connection.setup.timeout.ms",
    "socket.connection.setup.timeout.max.ms",
    "security.protocol",
    "security.providers",
];

/// Prefixes of client setting families.
const CLIENT_PREFIXES: &[&str] = &["security.", "ssl.", "sasl.", "metrics."];

/// Whether `key` is a Kafka client setting (rather than a worker setting or a typo).
pub fn is_client_key(key: &str) -> bool {
    CLIENT_KEYS.contains(&key)
        || CLIENT_PREFIXES.iter().any(|p| key.starts_with(p))
        || key.ends_with(".buffer.bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_client_keys() {
        for key in [
            "security.protocol",
            "ssl.truststore.location",
            "sasl.jaas.config",
            "client.dns.lookup",
            "metrics.num.samples",
            "metric.reporters",
            "send.buffer.bytes",
            "receive.buffer.bytes",
            "request.timeout.ms",
        ] {
            assert!(is_client_key(key), "{key}");
        }
        assert!(!is_client_key("offset.flush.intervals.ms"));
        assert!(!is_client_key("group.id"));
    }
}
