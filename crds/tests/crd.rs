//! The generated CRDs: committed YAML is current, names/subresources/columns are as documented,
//! every field is described, and every CEL rule compiles and only references declared fields.

mod support;

use ferry_crds::labels::{condition_types, reasons, CATEGORY, CLUSTER_LABEL};
use ferry_crds::placement::{
    Assignment, OffsetsOperation, OffsetsRequest, OffsetsResult, PlacementPhase, TaskPlacement,
    TaskReport, UnitPlacement, UnitReport, WorkerReport,
};
use ferry_crds::status::{
    AutoRestartStatus, ConnectorInstanceStatus, ConnectorState, ConnectorStatus, ConnectorType,
    KafkaConnectorStatus, TaskStatus,
};
use ferry_crds::{generate, KafkaConnector, KafkaConnectorSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use serde_json::{json, Value};
use support::*;

#[test]
fn committed_yaml_matches_the_types() {
    let stale = generate::stale_files(&workspace_root()).expect("compare CRD files");
    assert!(
        stale.is_empty(),
        "CRD YAML differs from the Rust types: {stale:?}; run `cargo run -p ferry-crds --bin ferry-crdgen`"
    );
}

fn column_names(crd: &Value) -> Vec<(String, i64)> {
    crd["spec"]["versions"][0]["additionalPrinterColumns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["priority"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn kafka_connect_names_subresources_and_columns() {
    let crd = committed_crd("KafkaConnect");
    assert_eq!(crd["metadata"]["name"], "kafkaconnects.ferry.dev");
    assert_eq!(crd["spec"]["scope"], "Namespaced");
    assert_eq!(crd["spec"]["names"]["shortNames"], json!(["fkc"]));
    assert_eq!(crd["spec"]["names"]["categories"], json!([CATEGORY]));
    let version = &crd["spec"]["versions"][0];
    assert_eq!(version["name"], "v1beta1");
    assert_eq!(version["subresources"]["status"], json!({}));
    assert_eq!(
        version["subresources"]["scale"],
        json!({
            "specReplicasPath": ".spec.replicas",
            "statusReplicasPath": ".status.replicas",
            "labelSelectorPath": ".status.labelSelector"
        })
    );
    let cols = column_names(&crd);
    let expected = [
        ("Replicas", 0),
        ("Ready", 0),
        ("Reason", 0),
        ("URL", 1),
        ("Age", 0),
    ];
    assert_eq!(
        cols,
        expected
            .iter()
            .map(|(n, p)| (n.to_string(), *p))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        version["additionalPrinterColumns"][1]["jsonPath"],
        r#".status.conditions[?(@.type=="Ready")].status"#
    );
}

#[test]
fn kafka_connector_names_subresources_and_columns() {
    let crd = committed_crd("KafkaConnector");
    assert_eq!(crd["metadata"]["name"], "kafkaconnectors.ferry.dev");
    assert_eq!(crd["spec"]["names"]["shortNames"], json!(["fkctr"]));
    assert_eq!(crd["spec"]["names"]["categories"], json!([CATEGORY]));
    let version = &crd["spec"]["versions"][0];
    assert_eq!(
        version["subresources"]["scale"],
        json!({
            "specReplicasPath": ".spec.tasksMax",
            "statusReplicasPath": ".status.tasksMax",
            "labelSelectorPath": ".status.labelSelector"
        })
    );
    let names: Vec<String> = column_names(&crd)
        .into_iter()
        .filter(|(_, p)| *p == 0)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["Cluster", "Class", "Tasks", "State", "Ready", "Age"]
    );
    assert_eq!(
        version["additionalPrinterColumns"][0]["jsonPath"],
        format!(".metadata.labels.{}", CLUSTER_LABEL.replace('.', "\\."))
    );
}

/// Paths of properties without a description.
fn undescribed(node: &Value, path: &str, out: &mut Vec<String>) {
    let Value::Object(map) = node else { return };
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, s) in props {
            let p = format!("{path}.{name}");
            if s.get("description")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                out.push(p.clone());
            }
            undescribed(s, &p, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = map.get(key) {
            undescribed(s, &format!("{path}[*]"), out);
        }
    }
}

#[test]
fn every_field_has_a_description() {
    for kind in ["KafkaConnect", "KafkaConnector"] {
        let schema = open_api_schema(&committed_crd(kind));
        let mut missing = Vec::new();
        undescribed(&schema, "", &mut missing);
        assert_eq!(
            missing,
            Vec::<String>::new(),
            "{kind}: fields without description"
        );
    }
}

#[test]
fn every_cel_rule_compiles() {
    // The check itself can fail: a broken rule is reported.
    let broken =
        kube_cel::compile_schema(&json!({ "x-kubernetes-validations": [{"rule": "self.a &&"}] }));
    assert!(broken.has_errors());
    for (kind, at_least) in [("KafkaConnect", 20), ("KafkaConnector", 4)] {
        let mut rules = Vec::new();
        all_rules(&open_api_schema(&committed_crd(kind)), "", &mut rules);
        assert!(
            rules.len() >= at_least,
            "{kind}: too few rules: {}",
            rules.len()
        );
        for (path, rule, _) in rules {
            let message = rule["message"].as_str().unwrap_or_default();
            assert!(
                !message.is_empty(),
                "{kind}{path}: rule without message: {rule}"
            );
            let compiled = kube_cel::compile_schema(&json!({ "x-kubernetes-validations": [rule] }));
            assert!(
                !compiled.has_errors(),
                "{kind}{path}: rule does not compile: {rule}"
            );
        }
    }
}

/// The apiserver type-checks rules against the schema: `self.a.b` must name declared properties
/// (unknown fields of a preserve-unknown-fields object are invisible to CEL). kube-cel evaluates
/// dynamically and would not notice, so check every `self.` path here.
#[test]
fn cel_rules_only_reference_declared_fields() {
    let self_path = regex::Regex::new(r"self((?:\.[A-Za-z_][A-Za-z0-9_]*)+)").expect("regex");
    for kind in ["KafkaConnect", "KafkaConnector"] {
        let mut rules = Vec::new();
        all_rules(&open_api_schema(&committed_crd(kind)), "", &mut rules);
        for (path, rule, node) in rules {
            let text = rule["rule"].as_str().expect("rule text");
            for cap in self_path.captures_iter(text) {
                let mut current = &node;
                for segment in cap[1].split('.').skip(1) {
                    let name = segment.replace("__dot__", ".").replace("__dash__", "-");
                    let next = current
                        .get("properties")
                        .and_then(|p| p.get(&name))
                        .unwrap_or_else(|| {
                            panic!("{kind}{path}: rule `{text}` uses undeclared field `{name}`")
                        });
                    current = next;
                }
            }
        }
    }
}

#[test]
fn a_status_written_by_the_operator_is_accepted_by_the_schema() {
    let mut connector =
        KafkaConnector::new("local-file-sink", KafkaConnectorSpec::new("FileStreamSink"));
    connector
        .spec
        .config
        .insert("topics".into(), "connect-test".into());
    connector.metadata.labels = Some([(CLUSTER_LABEL.to_owned(), "my-connect".to_owned())].into());
    let now = Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH);
    connector.status = Some(KafkaConnectorStatus {
        conditions: vec![Condition {
            type_: condition_types::READY.into(),
            status: "False".into(),
            reason: reasons::TASKS_FAILED.into(),
            message: "task 0 failed; see status.connectorStatus.tasks[0].trace".into(),
            observed_generation: Some(3),
            last_transition_time: now.clone(),
        }],
        observed_generation: Some(3),
        connector_status: Some(ConnectorStatus {
            name: "local-file-sink".into(),
            connector: ConnectorInstanceStatus {
                state: ConnectorState::Running,
                worker_id: Some("10.0.0.7:8083".into()),
                trace: None,
            },
            tasks: vec![TaskStatus {
                id: 0,
                state: ConnectorState::Failed,
                worker_id: Some("10.0.0.7:8083".into()),
                trace: Some("java.io.IOException".into()),
            }],
            type_: Some(ConnectorType::Sink),
        }),
        tasks_max: Some(1),
        label_selector: Some(format!("{CLUSTER_LABEL}=my-connect")),
        topics: vec!["connect-test".into()],
        auto_restart: Some(AutoRestartStatus {
            count: 1,
            last_restart_timestamp: Some(now),
            connector_name: Some("local-file-sink".into()),
        }),
        assignment: Some(Assignment {
            task_count: 1,
            connector: Some(UnitPlacement {
                worker: "my-connect-connect-7d9f-abcde".into(),
                phase: PlacementPhase::Assigned,
                restarts: 0,
            }),
            tasks: vec![TaskPlacement {
                id: 0,
                worker: "my-connect-connect-7d9f-abcde".into(),
                phase: PlacementPhase::Releasing,
                restarts: 0,
            }],
        }),
        workers: [(
            "my-connect-connect-7d9f-abcde".to_owned(),
            WorkerReport {
                worker_id: "my-connect-connect-7d9f-abcde:8083".into(),
                observed_generation: Some(3),
                connector: Some(UnitReport {
                    state: ConnectorState::Running,
                    trace: None,
                }),
                tasks: vec![TaskReport {
                    id: 0,
                    state: ConnectorState::Failed,
                    trace: Some("java.io.IOException".into()),
                }],
                offsets_result: Some(OffsetsResult {
                    id: 1,
                    succeeded: true,
                    message: "listed".into(),
                    offsets: Some(r#"{"offsets":[]}"#.into()),
                }),
            },
        )]
        .into(),
        offsets_request: Some(OffsetsRequest {
            id: 1,
            operation: OffsetsOperation::List,
            worker: "my-connect-connect-7d9f-abcde".into(),
            offsets: None,
        }),
    });
    let object = serde_json::to_value(&connector).expect("serialise");
    assert_eq!(
        object["status"]["connectorStatus"]["tasks"][0]["worker_id"],
        "10.0.0.7:8083"
    );
    assert_eq!(object["status"]["connectorStatus"]["type"], "sink");
    assert_eq!(
        object["status"]["assignment"]["tasks"][0]["phase"],
        "Releasing"
    );
    let crd = committed_crd("KafkaConnector");
    assert_eq!(schema_errors(&crd, &object), Vec::<String>::new());
    assert_eq!(cel_errors(&crd, &object), Vec::<String>::new());
    let status = connector.status.as_ref().expect("status");
    assert_eq!(
        status.ready().map(|c| c.reason.as_str()),
        Some("TasksFailed")
    );
    assert!(!ferry_crds::status::is_ready(&status.conditions));
}

/// Lists that several writers share are keyed, so server-side apply merges entries instead of
/// replacing the list: conditions by `type`, and a connector's tasks by `id` (each worker owns the
/// entries of the tasks it runs).
#[test]
fn shared_status_lists_are_keyed_maps() {
    let connector = open_api_schema(&committed_crd("KafkaConnector"));
    let status = &connector["properties"]["status"]["properties"];
    let tasks = &status["connectorStatus"]["properties"]["tasks"];
    assert_eq!(tasks["x-kubernetes-list-type"], "map");
    assert_eq!(tasks["x-kubernetes-list-map-keys"], json!(["id"]));
    // A map key must be required (or defaulted) for the API server to accept the CRD.
    assert!(tasks["items"]["required"]
        .as_array()
        .is_some_and(|r| r.contains(&json!("id"))));
    for kind in ["KafkaConnect", "KafkaConnector"] {
        let crd = open_api_schema(&committed_crd(kind));
        let conditions = &crd["properties"]["status"]["properties"]["conditions"];
        assert_eq!(conditions["x-kubernetes-list-type"], "map", "{kind}");
        assert_eq!(
            conditions["x-kubernetes-list-map-keys"],
            json!(["type"]),
            "{kind}"
        );
    }
}
