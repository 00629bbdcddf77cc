//! The examples against the committed CRDs: valid ones pass the schema and every CEL rule, invalid
//! ones fail for the reason written in their `# expect-schema:` / `# expect-cel:` header.

mod support;

use ferry_crds::config::ConfigValue;
use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::{KafkaConnect, KafkaConnector};
use serde_json::Value;
use support::*;

fn kind_of(object: &Value) -> String {
    object["kind"].as_str().expect("kind").to_owned()
}

const VALID: &[&str] = &[
    "kafka-connect.yaml",
    "file-source-connector.yaml",
    "file-sink-connector.yaml",
    "file-source-with-transforms.yaml",
    "file-sink-with-dead-letter-queue.yaml",
];

#[test]
fn valid_examples_pass_schema_and_cel() {
    let dir = workspace_root().join("examples");
    for name in VALID {
        let object = read_yaml(&dir.join(name));
        let crd = committed_crd(&kind_of(&object));
        assert_eq!(
            schema_errors(&crd, &object),
            Vec::<String>::new(),
            "{name}: schema"
        );
        assert_eq!(
            cel_errors(&crd, &object),
            Vec::<String>::new(),
            "{name}: CEL"
        );
    }
}

#[test]
fn every_valid_example_is_listed() {
    let dir = workspace_root().join("examples");
    let found: Vec<String> = yaml_files(&dir)
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    let mut expected: Vec<String> = VALID.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
}

/// The expectation header of an invalid example.
enum Expect {
    Schema(String),
    Cel(String),
}

fn expectation(text: &str, name: &str) -> Expect {
    let first = text.lines().next().unwrap_or_default();
    if let Some(msg) = first.strip_prefix("# expect-schema: ") {
        Expect::Schema(msg.to_owned())
    } else if let Some(msg) = first.strip_prefix("# expect-cel: ") {
        Expect::Cel(msg.to_owned())
    } else {
        panic!("{name}: first line must be `# expect-schema: ...` or `# expect-cel: ...`")
    }
}

#[test]
fn invalid_examples_fail_for_the_expected_reason() {
    let dir = workspace_root().join("examples").join("invalid");
    let files = yaml_files(&dir);
    assert!(files.len() >= 10, "invalid examples missing: {files:?}");
    for path in files {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        let object = read_yaml(&path);
        let crd = committed_crd(&kind_of(&object));
        let schema = schema_errors(&crd, &object);
        match expectation(&text, &name) {
            Expect::Schema(msg) => {
                assert!(
                    schema.iter().any(|e| e.contains(&msg)),
                    "{name}: expected a schema error containing {msg:?}, got {schema:?}"
                );
            }
            Expect::Cel(msg) => {
                // The schema alone accepts it: the CEL rule is what rejects it.
                assert_eq!(
                    schema,
                    Vec::<String>::new(),
                    "{name}: schema should accept it"
                );
                let cel = cel_errors(&crd, &object);
                assert!(
                    cel.iter()
                        .any(|e| e.contains(&msg) && e.contains("ValidationFailure")),
                    "{name}: expected a CEL failure containing {msg:?}, got {cel:?}"
                );
                assert_eq!(
                    cel.len(),
                    1,
                    "{name}: exactly one rule should fail: {cel:?}"
                );
            }
        }
    }
}

#[test]
fn cel_rules_accept_the_alternatives() {
    let crd = committed_crd("KafkaConnector");
    let mut sink = read_yaml(&workspace_root().join("examples/file-sink-connector.yaml"));
    // topics.regex instead of topics is fine.
    let config = sink["spec"]["config"].as_object_mut().expect("config");
    config.remove("topics");
    config.insert("topics.regex".into(), "connect-.*".into());
    assert_eq!(cel_errors(&crd, &sink), Vec::<String>::new());
    // A source connector needs neither.
    let mut source = sink.clone();
    source["spec"]["class"] = "FileStreamSource".into();
    source["spec"]["config"]
        .as_object_mut()
        .expect("config")
        .remove("topics.regex");
    assert_eq!(cel_errors(&crd, &source), Vec::<String>::new());

    let crd = committed_crd("KafkaConnect");
    let mut connect = read_yaml(&workspace_root().join("examples/kafka-connect.yaml"));
    connect["spec"]["authentication"] = serde_json::json!({
        "type": "tls",
        "certificateAndKey": {"secretName": "my-user", "certificate": "user.crt", "key": "user.key"}
    });
    connect["spec"]["logging"] = serde_json::json!({
        "type": "external",
        "valueFrom": {"configMapKeyRef": {"name": "logging", "key": "levels"}}
    });
    connect["spec"]["config"]["ssl.endpoint.identification.algorithm"] = "".into();
    assert_eq!(schema_errors(&crd, &connect), Vec::<String>::new());
    assert_eq!(cel_errors(&crd, &connect), Vec::<String>::new());
}

/// Every field of `original` is still there, with the same value, in `round_tripped`.
fn assert_subset(original: &Value, round_tripped: &Value, path: &str) {
    match (original, round_tripped) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let other = b.get(k).unwrap_or_else(|| panic!("{path}.{k} was dropped"));
                assert_subset(v, other, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: list length changed");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        (a, b) => assert_eq!(a, b, "{path} changed"),
    }
}

fn round_trip<T>(name: &str) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let path = workspace_root().join("examples").join(name);
    let text = std::fs::read_to_string(&path).expect("read");
    let original: Value = serde_norway::from_str(&text).expect("yaml");
    let typed: T = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let yaml = serde_norway::to_string(&typed).expect("to yaml");
    let again: T = serde_norway::from_str(&yaml).expect("from yaml again");
    assert_eq!(typed, again, "{name}: YAML round trip changed the value");
    let round_tripped: Value = serde_norway::from_str(&yaml).expect("yaml value");
    assert_subset(&original, &round_tripped, name);
    typed
}

#[test]
fn examples_round_trip_through_the_rust_types() {
    let connect: KafkaConnect = round_trip("kafka-connect.yaml");
    assert_eq!(connect.spec.replicas, 2);
    assert_eq!(
        connect.spec.config.get("key.converter.schemas.enable"),
        Some(&ConfigValue::Bool(false))
    );
    assert_eq!(
        connect.spec.config.get("offset.flush.interval.ms"),
        Some(&ConfigValue::Integer(10000))
    );

    let source: KafkaConnector = round_trip("file-source-connector.yaml");
    assert_eq!(source.cluster_name(), Some("my-connect"));
    assert_eq!(
        source.spec.state,
        ConnectorTargetState::Running,
        "default state"
    );
    assert_eq!(source.spec.tasks_max, 1);

    let sink: KafkaConnector = round_trip("file-sink-connector.yaml");
    assert_eq!(sink.spec.class, "FileStreamSink");
    assert_eq!(
        sink.spec
            .config
            .get("topics")
            .and_then(ConfigValue::to_property)
            .as_deref(),
        Some("connect-test")
    );
}

#[test]
fn defaults_in_the_schema_match_the_rust_defaults() {
    // What the apiserver stores for a minimal connector equals what serde fills in.
    let minimal: KafkaConnector = serde_json::from_value(serde_json::json!({
        "apiVersion": "ferry.dev/v1beta1", "kind": "KafkaConnector",
        "metadata": {"name": "x"}, "spec": {"class": "FileStreamSource", "autoRestart": {}}
    }))
    .expect("minimal connector");
    let schema = open_api_schema(&committed_crd("KafkaConnector"));
    let spec = &schema["properties"]["spec"]["properties"];
    assert_eq!(
        spec["tasksMax"]["default"],
        serde_json::json!(minimal.spec.tasks_max)
    );
    assert_eq!(
        spec["state"]["default"],
        serde_json::json!(minimal.spec.state)
    );
    let auto = minimal.spec.auto_restart.expect("autoRestart");
    assert_eq!(
        spec["autoRestart"]["properties"]["enabled"]["default"],
        serde_json::json!(auto.enabled)
    );

    let connect: KafkaConnect = serde_json::from_value(serde_json::json!({
        "apiVersion": "ferry.dev/v1beta1", "kind": "KafkaConnect", "metadata": {"name": "c"},
        "spec": {"bootstrapServers": "b:9092", "groupId": "g", "offsetStorageTopic": "o"}
    }))
    .expect("minimal connect");
    let schema = open_api_schema(&committed_crd("KafkaConnect"));
    assert_eq!(
        schema["properties"]["spec"]["properties"]["replicas"]["default"],
        serde_json::json!(connect.spec.replicas)
    );
}
