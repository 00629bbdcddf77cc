//! The example KafkaConnectors against the operator's connector validation, which is the worker's
//! own (`PUT /connector-plugins/{plugin}/config/validate`): every example in `examples/` is accepted
//! as written, and the transform and error-handling examples, broken the ways people break them,
//! are refused with `InvalidConfig` and Kafka's message naming the key. (crds/tests/examples.rs
//! checks the same files against the CRD schema and CEL rules.)

use std::path::{Path, PathBuf};

use ferry_crds::config::ConfigValue;
use ferry_crds::labels::reasons;
use ferry_crds::KafkaConnector;
use ferry_operator::validate::connector::{validate_connector, Invalid};
use ferry_worker::config::connector::ConnectorKind;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn read_connector(name: &str) -> KafkaConnector {
    let path = examples_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_connector(&path, &text)
}

fn parse_connector(path: &Path, text: &str) -> KafkaConnector {
    serde_norway::from_str(text)
        .unwrap_or_else(|e| panic!("{} is not a KafkaConnector: {e}", path.display()))
}

/// Every example manifest of kind KafkaConnector, by file name (the invalid ones, which fail the
/// schema, live in `examples/invalid/` and are not read here).
fn connector_examples() -> Vec<(String, KafkaConnector)> {
    let mut examples: Vec<(String, KafkaConnector)> = std::fs::read_dir(examples_dir())
        .expect("examples/")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_string_lossy().into_owned();
            if !name.ends_with(".yaml") {
                return None;
            }
            let text = std::fs::read_to_string(&path).ok()?;
            text.lines()
                .any(|l| l == "kind: KafkaConnector")
                .then(|| (name, parse_connector(&path, &text)))
        })
        .collect();
    examples.sort_by(|a, b| a.0.cmp(&b.0));
    examples
}

fn set(connector: &mut KafkaConnector, key: &str, value: &str) {
    connector
        .spec
        .config
        .insert(key.to_string(), ConfigValue::String(value.to_string()));
}

fn unset(connector: &mut KafkaConnector, key: &str) {
    assert!(
        connector.spec.config.remove(key).is_some(),
        "the example has {key}"
    );
}

/// The errors the refusal of `connector` lists, which must be `InvalidConfig` with Kafka's message
/// around them (`ConnectorsResource`'s "Connector configuration is invalid ..." wording).
fn refusal(connector: &KafkaConnector) -> Vec<String> {
    let message = match validate_connector(connector) {
        Ok(valid) => panic!("accepted: {:?}", valid.props),
        Err(Invalid { reason, message }) => {
            assert_eq!(reason, reasons::INVALID_CONFIG, "{message}");
            message
        }
    };
    let lines: Vec<&str> = message.lines().collect();
    let count = lines.len().saturating_sub(2);
    assert_eq!(
        lines.first().copied(),
        Some(
            format!(
                "Connector configuration is invalid and contains the following {count} error(s):"
            )
            .as_str()
        ),
        "{message}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"),
        "{message}"
    );
    lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// For each case (a key, its new value or `None` to remove it, the error Kafka lists), a copy of the
/// example with that one change is refused with exactly that error.
fn assert_refusals(example: &str, cases: &[(&str, Option<&str>, &str)]) {
    for &(key, value, error) in cases {
        let mut c = read_connector(example);
        match value {
            Some(value) => set(&mut c, key, value),
            None => unset(&mut c, key),
        }
        assert_eq!(refusal(&c), [error], "{example} with {key}={value:?}");
    }
}

#[test]
fn every_example_connector_passes_the_workers_validation() {
    let examples = connector_examples();
    let names: Vec<&str> = examples.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "file-source-connector.yaml",
        "file-sink-connector.yaml",
        "file-source-with-transforms.yaml",
        "file-sink-with-dead-letter-queue.yaml",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    for (name, connector) in &examples {
        if let Err(Invalid { reason, message }) = validate_connector(connector) {
            panic!("{name}: {reason}: {message}");
        }
    }
}

#[test]
fn validation_hands_the_examples_keys_to_the_worker_as_written() {
    let valid = validate_connector(&read_connector("file-source-with-transforms.yaml"))
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(valid.kind, ConnectorKind::Source);
    assert_eq!(valid.props["transforms"], "MakeMap,InsertSource");
    assert_eq!(
        valid.props["transforms.MakeMap.type"],
        "org.apache.kafka.connect.transforms.HoistField$Value"
    );
    assert_eq!(valid.props["transforms.InsertSource.topic.field"], "topic");

    let sink = validate_connector(&read_connector("file-sink-with-dead-letter-queue.yaml"))
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(sink.kind, ConnectorKind::Sink);
    // YAML numbers and booleans reach the worker as Kafka's property text.
    assert_eq!(
        sink.props["errors.deadletterqueue.topic.replication.factor"],
        "1"
    );
    assert_eq!(
        sink.props["errors.deadletterqueue.context.headers.enable"],
        "true"
    );
}

#[test]
fn a_broken_transform_chain_is_refused_with_kafkas_messages() {
    const EXAMPLE: &str = "file-source-with-transforms.yaml";
    let cases = [
        (
            // Nested classes have no alias in Kafka: `HoistField$Value` alone is not a class.
            "transforms.MakeMap.type",
            Some("HoistField$Value"),
            "Invalid value HoistField$Value for configuration transforms.MakeMap.type: Class HoistField$Value could not be found.",
        ),
        (
            "transforms.MakeMap.field",
            None,
            "Missing required configuration \"transforms.MakeMap.field\" which has no default value.",
        ),
        (
            "transforms",
            Some("MakeMap,InsertSource,MakeMap"),
            "Invalid value [MakeMap, InsertSource, MakeMap] for configuration transforms: Duplicate alias provided.",
        ),
        (
            "transforms.MakeMap.negate",
            Some("true"),
            "Config 'transforms.MakeMap.negate' was provided but there is no config 'transforms.MakeMap.predicate' defining a predicate to be negated.",
        ),
    ];
    assert_refusals(EXAMPLE, &cases);
}

#[test]
fn broken_predicates_and_error_handling_are_refused_with_kafkas_messages() {
    const EXAMPLE: &str = "file-sink-with-dead-letter-queue.yaml";
    let cases = [
        (
            "predicates.IsTombstone.type",
            None,
            "Missing required configuration \"predicates.IsTombstone.type\" which has no default value.",
        ),
        (
            "transforms.DropTombstones.negate",
            Some("yes"),
            "Invalid value yes for configuration transforms.DropTombstones.negate: Expected value to be either true or false",
        ),
        (
            "errors.tolerance",
            Some("some"),
            "Invalid value some for configuration errors.tolerance: String must be one of: none, all",
        ),
        (
            "errors.retry.timeout",
            Some("soon"),
            "Invalid value soon for configuration errors.retry.timeout: Not a number of type LONG",
        ),
        (
            "errors.deadletterqueue.topic.name",
            Some("connect-test"),
            "The DLQ topic 'connect-test' may not be included in the list of topics ('topics=[connect-test]') consumed by the connector",
        ),
    ];
    assert_refusals(EXAMPLE, &cases);
}

/// A predicate alias that `predicates` does not define passes Kafka's validation (its `predicate`
/// key is a plain string); the task then fails at start with Kafka's `Unknown configuration
/// 'predicates.<alias>.type'` (checked in the worker's transform registry). The operator, which
/// validates as the worker does, accepts it too.
#[test]
fn an_undefined_predicate_alias_passes_validation_as_in_kafka() {
    let mut c = read_connector("file-source-with-transforms.yaml");
    set(&mut c, "transforms.MakeMap.predicate", "IsLog");
    assert!(validate_connector(&c).is_ok());
}
