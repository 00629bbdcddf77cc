//! Shared helpers of the schema tests: loading the committed CRDs and the examples, turning a CRD's
//! `openAPIV3Schema` into a JSON Schema, and evaluating its CEL rules.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

pub fn workspace_root() -> PathBuf {
    ferry_crds::generate::default_root()
}

pub fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// The committed CRD for `kind` (`crds/<plural>.ferry.dev.yaml`).
pub fn committed_crd(kind: &str) -> Value {
    let file = match kind {
        "KafkaConnect" => "kafkaconnects.ferry.dev.yaml",
        "KafkaConnector" => "kafkaconnectors.ferry.dev.yaml",
        other => panic!("unknown kind {other}"),
    };
    read_yaml(&workspace_root().join("crds").join(file))
}

/// The `openAPIV3Schema` of the only version of a CRD.
pub fn open_api_schema(crd: &Value) -> Value {
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

/// Files of a directory with the `.yaml` extension, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Converts a structural OpenAPI v3 schema into a JSON Schema with the apiserver's semantics:
/// `nullable` admits null, `x-kubernetes-int-or-string` admits integers and strings, and objects
/// reject unknown fields unless they preserve them (kubectl's default strict field validation).
pub fn to_json_schema(node: &Value) -> Value {
    let Value::Object(map) = node else {
        return node.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        match k.as_str() {
            "properties" => {
                let props = v
                    .as_object()
                    .expect("properties is an object")
                    .iter()
                    .map(|(name, s)| (name.clone(), to_json_schema(s)))
                    .collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" if v.is_object() => {
                out.insert(k.clone(), to_json_schema(v));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = v
                    .as_array()
                    .expect("list")
                    .iter()
                    .map(to_json_schema)
                    .collect();
                out.insert(k.clone(), Value::Array(list));
            }
            k if k.starts_with("x-kubernetes-") || k == "nullable" => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let nullable = map.get("nullable") == Some(&Value::Bool(true));
    if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        && !out.contains_key("anyOf")
    {
        let mut types = vec![json!("integer"), json!("string")];
        if nullable {
            types.push(json!("null"));
        }
        out.insert("type".into(), Value::Array(types));
    } else if nullable {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(e)) = out.get_mut("enum") {
            e.push(Value::Null);
        }
    }
    let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if map.contains_key("properties") && !map.contains_key("additionalProperties") && !preserves {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// JSON Schema of a whole custom resource: the CRD schema plus what the apiserver adds at the root
/// (apiVersion, kind, metadata).
pub fn resource_json_schema(crd: &Value) -> Value {
    let mut schema = to_json_schema(&open_api_schema(crd));
    let kind = crd["spec"]["names"]["kind"].clone();
    let props = schema["properties"]
        .as_object_mut()
        .expect("root properties");
    props.insert(
        "apiVersion".into(),
        json!({ "const": ferry_crds::API_VERSION }),
    );
    props.insert("kind".into(), json!({ "const": kind }));
    props.insert(
        "metadata".into(),
        json!({
            "type": "object",
            "properties": {
                "name": { "type": "string" },
                "labels": { "type": "object", "additionalProperties": { "type": "string" } }
            },
            "required": ["name"]
        }),
    );
    schema
}

/// Schema validation errors of `object` against the CRD, as strings.
pub fn schema_errors(crd: &Value, object: &Value) -> Vec<String> {
    let validator =
        jsonschema::validator_for(&resource_json_schema(crd)).expect("valid JSON schema");
    validator
        .iter_errors(object)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// CEL (`x-kubernetes-validations`) errors of `object` against the CRD, as strings.
pub fn cel_errors(crd: &Value, object: &Value) -> Vec<String> {
    match kube_cel::Validator::new().validate(&open_api_schema(crd), object, None) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| format!("{e} [{:?}]", e.kind))
            .collect(),
    }
}

/// Every `x-kubernetes-validations` entry of a schema, with the path of its node.
pub fn all_rules(node: &Value, path: &str, out: &mut Vec<(String, Value, Value)>) {
    let Value::Object(map) = node else { return };
    if let Some(Value::Array(rules)) = map.get("x-kubernetes-validations") {
        for r in rules {
            out.push((path.to_owned(), r.clone(), node.clone()));
        }
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, s) in props {
            all_rules(s, &format!("{path}.{name}"), out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = map.get(key) {
            all_rules(s, &format!("{path}[*]"), out);
        }
    }
}
