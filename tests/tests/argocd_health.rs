//! The Argo CD health checks in `deploy/argocd/` run against the sample objects in
//! `deploy/argocd/testdata/`, the way Argo CD runs them: the object as a Lua table in the global `obj`,
//! the script's returned table read for `status` and `message`.
//!
//! Argo CD evaluates health checks with gopher-lua, a Lua 5.1; these tests use Lua 5.1 (mlua, built
//! from source) with only the base, string, table and math libraries loaded, so a script that relies
//! on a newer Lua or on `os`/`io` fails here. Numbers reach the script as Lua numbers (floats), JSON
//! null and absent fields as `nil`, lists as 1-based tables, as Argo CD converts them.
//!
//! What this cannot prove: gopher-lua is a separate implementation, so a difference between it and
//! the reference Lua 5.1 would go unnoticed (the scripts use nothing beyond comparisons, `ipairs`,
//! `tostring` and string concatenation, where both agree).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mlua::{Lua, LuaOptions, StdLib, Table, Value};

fn argocd_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace")
        .join("deploy/argocd")
}

/// Health statuses Argo CD knows; a script returning anything else shows as Unknown there.
const ARGO_STATUSES: [&str; 6] = [
    "Healthy",
    "Progressing",
    "Degraded",
    "Suspended",
    "Missing",
    "Unknown",
];

/// Converts JSON (parsed from the YAML sample) into the Lua value Argo CD would hand the script.
fn to_lua(lua: &Lua, value: &serde_json::Value) -> mlua::Result<Value> {
    Ok(match value {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().expect("a JSON number is an f64")),
        serde_json::Value::String(s) => Value::String(lua.create_string(s)?),
        serde_json::Value::Array(items) => {
            let table = lua.create_table()?;
            for (i, item) in items.iter().enumerate() {
                table.raw_set(i + 1, to_lua(lua, item)?)?;
            }
            Value::Table(table)
        }
        serde_json::Value::Object(fields) => {
            let table = lua.create_table()?;
            for (key, item) in fields {
                table.raw_set(key.as_str(), to_lua(lua, item)?)?;
            }
            Value::Table(table)
        }
    })
}

/// Runs a health script against an object; returns `(status, message)`.
fn run(script_path: &Path, object: &serde_json::Value) -> (String, String) {
    let script = std::fs::read_to_string(script_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", script_path.display()));
    let lua = Lua::new_with(
        StdLib::STRING | StdLib::TABLE | StdLib::MATH,
        LuaOptions::default(),
    )
    .expect("Lua 5.1 starts");
    let obj = to_lua(&lua, object).expect("object converts to Lua");
    lua.globals().set("obj", obj).expect("set obj");
    let hs: Table = lua
        .load(&script)
        .set_name(script_path.display().to_string())
        .eval()
        .unwrap_or_else(|e| panic!("{} failed: {e}", script_path.display()));
    let status: String = hs.get("status").expect("hs.status is a string");
    let message: Option<String> = hs.get("message").expect("hs.message is a string or nil");
    assert!(
        ARGO_STATUSES.contains(&status.as_str()),
        "{} returned status {status:?}, which Argo CD does not know",
        script_path.display()
    );
    (status, message.unwrap_or_default())
}

fn load_sample(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// A sample file under `testdata/<kind dir>/` and what the check must say about it.
struct Case {
    file: &'static str,
    status: &'static str,
    message: &'static str,
}

const fn case(file: &'static str, status: &'static str, message: &'static str) -> Case {
    Case {
        file,
        status,
        message,
    }
}

const KAFKA_CONNECT_CASES: &[Case] = &[
    case("healthy.yaml", "Healthy", "Reconciled: 2 of 2 workers ready"),
    case(
        "no-status.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile the KafkaConnect",
    ),
    case(
        "stale-generation.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile generation 3",
    ),
    case(
        "stale-condition.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile generation 5",
    ),
    case(
        "deployment-progressing.yaml",
        "Progressing",
        "DeploymentProgressing: 1 of 2 workers updated and available",
    ),
    case(
        "degraded.yaml",
        "Degraded",
        "ReferenceNotFound: Secret my-connect has no key password (spec.authentication.passwordSecret)",
    ),
    case("deleting.yaml", "Progressing", "Deleting"),
];

const KAFKA_CONNECTOR_CASES: &[Case] = &[
    case(
        "healthy.yaml",
        "Healthy",
        "Reconciled: Connector and 1 of 1 tasks running",
    ),
    case(
        "no-status.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile the KafkaConnector",
    ),
    case(
        "stale-generation.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile generation 2",
    ),
    case(
        "tasks-pending.yaml",
        "Progressing",
        "TasksPending: 0 of 1 tasks running; task 0 is unassigned",
    ),
    case(
        "cluster-not-ready.yaml",
        "Progressing",
        "ClusterNotReady: KafkaConnect my-connect is not ready: DeploymentProgressing",
    ),
    case(
        "invalid-config.yaml",
        "Degraded",
        "InvalidConfig: config.batch.size: invalid value \"many\": expected an integer",
    ),
    case(
        "tasks-failed.yaml",
        "Degraded",
        "TasksFailed: Task 0 failed; see status.connectorStatus.tasks",
    ),
    case(
        "cluster-not-found.yaml",
        "Degraded",
        "ClusterNotFound: KafkaConnect my-connect not found in namespace data-pipelines",
    ),
    case(
        "paused.yaml",
        "Suspended",
        "Connector paused as requested by spec.state",
    ),
    case(
        "stopped.yaml",
        "Suspended",
        "Connector stopped as requested by spec.state",
    ),
    case(
        "paused-not-yet.yaml",
        "Progressing",
        "Waiting for the Ferry operator to reconcile generation 3",
    ),
    case(
        "paused-invalid.yaml",
        "Degraded",
        "InvalidConfig: config.file: required",
    ),
    case("deleting.yaml", "Progressing", "Deleting"),
];

fn check_kind(dir: &str, kind: &str, cases: &[Case]) {
    let script = argocd_dir().join(dir).join("health.lua");
    let mut failures = Vec::new();
    for c in cases {
        let path = argocd_dir().join("testdata").join(dir).join(c.file);
        let object = load_sample(&path);
        assert_eq!(object["kind"], kind, "{} is not a {kind}", path.display());
        assert_eq!(
            object["apiVersion"],
            "ferry.dev/v1beta1",
            "{}",
            path.display()
        );
        let (status, message) = run(&script, &object);
        if status != c.status || message != c.message {
            failures.push(format!(
                "{}: got {status} {message:?}, want {} {:?}",
                c.file, c.status, c.message
            ));
        }
    }
    assert!(failures.is_empty(), "{kind}:\n{}", failures.join("\n"));
}

#[test]
fn kafka_connect_health() {
    check_kind("kafkaconnect", "KafkaConnect", KAFKA_CONNECT_CASES);
}

#[test]
fn kafka_connector_health() {
    check_kind("kafkaconnector", "KafkaConnector", KAFKA_CONNECTOR_CASES);
}

/// Every sample file has an expectation, so a sample added without one does not go unchecked.
#[test]
fn every_sample_has_an_expectation() {
    for (dir, cases) in [
        ("kafkaconnect", KAFKA_CONNECT_CASES),
        ("kafkaconnector", KAFKA_CONNECTOR_CASES),
    ] {
        let on_disk: BTreeSet<String> = std::fs::read_dir(argocd_dir().join("testdata").join(dir))
            .expect("testdata directory")
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let expected: BTreeSet<String> = cases.iter().map(|c| c.file.to_owned()).collect();
        assert_eq!(on_disk, expected, "testdata/{dir} and the cases differ");
    }
}

/// Shapes a real cluster can produce that the samples do not cover: the scripts must answer with a
/// status, never raise a Lua error (Argo CD would show the resource as Unknown with the error).
#[test]
fn odd_objects_do_not_break_the_scripts() {
    let objects = [
        serde_json::json!({}),
        serde_json::json!({"metadata": {"generation": 1}, "status": {}}),
        serde_json::json!({"metadata": {"generation": 1}, "status": {"observedGeneration": 1}}),
        serde_json::json!({"metadata": {"generation": 1},
            "status": {"observedGeneration": 1, "conditions": []}}),
        serde_json::json!({"metadata": {"generation": 1},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "Unknown"}]}}),
        serde_json::json!({"metadata": {"generation": 1},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "False"}]}}),
        serde_json::json!({"metadata": {"generation": 1}, "spec": null,
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}}),
    ];
    let expected = [
        "Progressing",
        "Progressing",
        "Progressing",
        "Progressing",
        "Progressing",
        "Degraded",
        "Healthy",
    ];
    for dir in ["kafkaconnect", "kafkaconnector"] {
        let script = argocd_dir().join(dir).join("health.lua");
        for (object, want) in objects.iter().zip(expected) {
            let (status, message) = run(&script, object);
            assert_eq!(status, want, "{dir} on {object}: {message}");
        }
    }
}

/// `argocd-cm-patch.yaml` carries the same scripts, byte for byte, under the keys Argo CD reads.
#[test]
fn argocd_cm_patch_matches_the_scripts() {
    let patch = load_sample(&argocd_dir().join("argocd-cm-patch.yaml"));
    for (key, dir) in [
        (
            "resource.customizations.health.ferry.dev_KafkaConnect",
            "kafkaconnect",
        ),
        (
            "resource.customizations.health.ferry.dev_KafkaConnector",
            "kafkaconnector",
        ),
    ] {
        let script =
            std::fs::read_to_string(argocd_dir().join(dir).join("health.lua")).expect("health.lua");
        assert_eq!(
            patch["data"][key].as_str(),
            Some(script.as_str()),
            "argocd-cm-patch.yaml {key} differs from {dir}/health.lua"
        );
    }
}
