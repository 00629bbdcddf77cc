use super::*;

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn stock() -> Vec<(&'static str, &'static str)> {
    vec![
        ("bootstrap.servers", "localhost:9092"),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("key.converter.schemas.enable", "true"),
        ("value.converter.schemas.enable", "true"),
        ("offset.storage.file.filename", "/tmp/connect.offsets"),
        ("offset.flush.interval.ms", "10000"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> Props {
    let mut pairs = stock();
    pairs.extend_from_slice(extra);
    props(&pairs)
}

#[test]
fn stock_standalone_properties() {
    let (config, warnings) = WorkerConfig::from_props(props(&stock())).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.bootstrap_servers(), &["localhost:9092".to_string()]);
    assert_eq!(
        config.key_converter(),
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(config.header_converter(), DEFAULT_HEADER_CONVERTER);
    assert_eq!(config.offset_flush_interval_ms(), 10000);
    assert_eq!(config.offset_flush_timeout_ms(), 5000);
    assert_eq!(config.task_shutdown_graceful_timeout_ms(), 5000);
    assert_eq!(
        config.offset_storage_file_filename(),
        "/tmp/connect.offsets"
    );
    assert!(config.topic_creation_enable());
    assert_eq!(
        config.connector_client_config_override_policy(),
        OverridePolicy::All
    );
    assert_eq!(
        config.listeners().unwrap(),
        vec![Listener {
            scheme: "http".into(),
            host: None,
            port: 8083
        }]
    );
    assert!(config.admin_listeners().is_none());
    let key = config.converter_props("key.converter");
    assert_eq!(key.get("schemas.enable").map(String::as_str), Some("true"));
    assert_eq!(key.len(), 1);
}

#[test]
fn defaults_without_optional_keys() {
    let (config, _) = WorkerConfig::from_props(props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        ("offset.storage.file.filename", "/tmp/o"),
    ]))
    .unwrap();
    assert_eq!(config.bootstrap_servers(), &["localhost:9092".to_string()]);
    assert_eq!(config.offset_flush_interval_ms(), 60000);
    assert_eq!(config.plugin_discovery(), "hybrid_warn");
}

#[test]
fn required_keys() {
    let mut p = props(&stock());
    p.remove("key.converter");
    assert_eq!(
        WorkerConfig::from_props(p).unwrap_err().to_string(),
        "Missing required configuration \"key.converter\" which has no default value."
    );
    let mut p = props(&stock());
    p.remove("offset.storage.file.filename");
    assert_eq!(
        WorkerConfig::from_props(p).unwrap_err().to_string(),
        "Missing required configuration \"offset.storage.file.filename\" which has no default value."
    );
}

#[test]
fn invalid_values() {
    assert_eq!(
        WorkerConfig::from_props(with(&[("offset.flush.timeout.ms", "soon")]))
            .unwrap_err()
            .to_string(),
        "Invalid value soon for configuration offset.flush.timeout.ms: Not a number of type LONG"
    );
    assert_eq!(
        WorkerConfig::from_props(with(&[("listeners", "")])).unwrap_err().to_string(),
        "Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443."
    );
    assert!(
        WorkerConfig::from_props(with(&[("listeners", "ftp://h:1")]))
            .unwrap_err()
            .to_string()
            .contains("\"ftp\"")
    );
    assert!(
        WorkerConfig::from_props(with(&[("connector.client.config.override.policy", "Some")]))
            .is_err()
    );
    assert!(WorkerConfig::from_props(with(&[("plugin.discovery", "SERVICE_LOAD")])).is_ok());
}

#[test]
fn warnings_for_ignored_keys() {
    let (_, warnings) = WorkerConfig::from_props(with(&[
        (
            "internal.key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("internal.key.converter.schemas.enable", "false"),
        ("plugin.path", "/usr/share/java"),
        ("offset.flush.intervall.ms", "1"),
        ("security.protocol", "SSL"),
        ("ssl.truststore.location", "/x"),
        ("producer.acks", "all"),
        ("consumer.max.poll.records", "10"),
        ("admin.request.timeout.ms", "10"),
        ("send.buffer.bytes", "1"),
    ]))
    .unwrap();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("internal.key.converter, internal.key.converter.schemas.enable"));
    assert!(warnings[0].contains("JsonConverter with schemas.enable=false"));
    assert!(warnings[1].contains("plugin.path"));
    assert_eq!(
        warnings[2],
        "Unknown worker configuration key 'offset.flush.intervall.ms' (ignored)"
    );
}

#[test]
fn client_props() {
    let (config, _) = WorkerConfig::from_props(with(&[
        ("bootstrap.servers", "a:1, b:2"),
        ("security.protocol", "SSL"),
        ("producer.acks", "all"),
        ("consumer.security.protocol", "SASL_SSL"),
        ("admin.client.id", "adm"),
    ]))
    .unwrap();
    let producer = config.producer_props();
    assert_eq!(
        producer.get("bootstrap.servers").map(String::as_str),
        Some("a:1,b:2")
    );
    assert_eq!(producer.get("acks").map(String::as_str), Some("all"));
    assert!(!producer.contains_key("security.protocol"));
    let consumer = config.consumer_props();
    assert_eq!(
        consumer.get("security.protocol").map(String::as_str),
        Some("SASL_SSL")
    );
    let admin = config.admin_props();
    assert_eq!(
        admin.get("security.protocol").map(String::as_str),
        Some("SSL")
    );
    assert_eq!(admin.get("client.id").map(String::as_str), Some("adm"));
    assert!(!admin.contains_key("offset.flush.interval.ms"));
}

#[test]
fn worker_ids() {
    let (config, _) =
        WorkerConfig::from_props(with(&[("listeners", "http://0.0.0.0:8083")])).unwrap();
    assert_eq!(config.worker_id().unwrap(), "0.0.0.0:8083");
    let (config, _) =
        WorkerConfig::from_props(with(&[("listeners", "http://[::1]:8083")])).unwrap();
    assert_eq!(config.worker_id().unwrap(), "[::1]:8083");
    let (config, _) = WorkerConfig::from_props(with(&[
        ("listeners", "http://:8083,https://h2:8443"),
        ("rest.advertised.listener", "https"),
        ("rest.advertised.port", "9443"),
    ]))
    .unwrap();
    assert_eq!(config.worker_id().unwrap(), "h2:9443");
    let (config, _) =
        WorkerConfig::from_props(with(&[("rest.advertised.host.name", "connect-1")])).unwrap();
    assert_eq!(config.worker_id().unwrap(), "connect-1:8083");
    let (config, _) = WorkerConfig::from_props(props(&stock())).unwrap();
    assert_eq!(
        config.worker_id().unwrap(),
        format!("{}:8083", machine_hostname())
    );
}
