//! The two halves of task distribution in a `KafkaConnector`'s status:
//!
//! - [`Assignment`], written by the operator alone: which worker pod runs the connector instance
//!   and each task, and which units a pod must give up (`Releasing`) before another may start them;
//! - [`WorkerReport`]s, one per worker pod under `status.workers.<pod name>`, each written by that
//!   pod alone: what it runs, in which state. A pod writes its own key with a JSON merge patch
//!   ([`report_patch`]), which by construction never touches another pod's key, on a real API
//!   server and on any other.
//!
//! The operator reads the reports to decide (a unit moves only once its old pod stopped reporting
//! it, or the pod is gone) and folds them into the Kafka-shaped `connectorStatus`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::status::ConnectorState;

/// Where the connector instance and each task of one connector run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// The number of tasks the connector has (its task configs, at most `tasksMax`).
    #[serde(default)]
    pub task_count: i32,
    /// The worker pod of the connector instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<UnitPlacement>,
    /// The worker pod of each placed task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["id"]))]
    pub tasks: Vec<TaskPlacement>,
}

/// Where one unit (the connector instance) is placed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitPlacement {
    /// Name of the worker pod.
    pub worker: String,
    /// `Assigned`: the pod runs it. `Releasing`: the pod must stop it (flushing and committing
    /// first); no other pod starts it until then.
    pub phase: PlacementPhase,
    /// Restarts asked for so far (a restart annotation, or `autoRestart`). The pod running the
    /// unit restarts it whenever this grows past the value it started the unit with.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: u32,
}

/// Where one task is placed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskPlacement {
    /// Task id, 0-based.
    pub id: i32,
    /// Name of the worker pod.
    pub worker: String,
    /// `Assigned` or `Releasing`, as for the connector instance.
    pub phase: PlacementPhase,
    /// Restarts asked for so far, as for the connector instance.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Whether a pod should run a unit or give it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PlacementPhase {
    /// The pod runs the unit.
    Assigned,
    /// The pod must stop the unit; it moves once the pod reports it stopped or the pod is gone.
    Releasing,
}

/// What one worker pod runs of one connector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkerReport {
    /// The worker's id as Kafka Connect reports it (`host:port`; the host is the pod name).
    pub worker_id: String,
    /// The `metadata.generation` of the spec the worker's units run with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The connector instance, when this pod runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<UnitReport>,
    /// The tasks this pod runs (including failed ones it holds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskReport>,
    /// The outcome of the offsets operation the operator asked this pod for (`offsetsRequest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets_result: Option<OffsetsResult>,
}

/// An offsets operation on a stopped connector, asked of one worker pod by the operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OffsetsRequest {
    /// Identifies the request (the result carries it back).
    pub id: i64,
    /// `list`, `alter` or `reset`.
    pub operation: OffsetsOperation,
    /// The worker pod that carries it out.
    pub worker: String,
    /// For `alter`: Kafka Connect's `PATCH /connectors/{name}/offsets` body, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<String>,
}

/// What to do with a stopped connector's offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OffsetsOperation {
    /// Read them (Kafka's `GET /connectors/{name}/offsets`).
    List,
    /// Write the given ones (`PATCH`).
    Alter,
    /// Remove them all (`DELETE`).
    Reset,
}

/// The outcome of an [`OffsetsRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OffsetsResult {
    /// The request's id.
    pub id: i64,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// Kafka Connect's message (success text, or the error).
    pub message: String,
    /// For `list`: Kafka Connect's offsets document, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<String>,
}

/// State of the connector instance on a worker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitReport {
    /// State.
    pub state: ConnectorState,
    /// Stack trace or error message when FAILED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// State of one task on a worker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskReport {
    /// Task id, 0-based.
    pub id: i32,
    /// State.
    pub state: ConnectorState,
    /// Stack trace or error message when FAILED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// The reports of all worker pods, by pod name.
pub type WorkerReports = BTreeMap<String, WorkerReport>;

/// The JSON merge patch (RFC 7386) of the status subresource that sets `status.workers.<pod>` to
/// `report`, or removes it (`None`). Absent optional fields are sent as `null`, so that a merge
/// removes what the previous report had (a cleared trace, a released connector instance); the
/// `tasks` list is replaced as a whole, which is what a merge patch does with lists.
pub fn report_patch(pod: &str, report: Option<&WorkerReport>) -> Value {
    let value = match report {
        None => Value::Null,
        Some(r) => json!({
            "workerId": r.worker_id,
            "observedGeneration": r.observed_generation,
            "connector": r.connector.as_ref().map(|c| json!({"state": c.state, "trace": c.trace})),
            "tasks": r.tasks,
            "offsetsResult": r.offsets_result,
        }),
    };
    json!({ "status": { "workers": { pod: value } } })
}

/// The JSON merge patch that replaces `status.assignment` (the operator is its only writer).
pub fn assignment_patch(assignment: &Assignment) -> Value {
    json!({ "status": { "assignment": {
        "taskCount": assignment.task_count,
        "connector": assignment.connector,
        "tasks": assignment.tasks,
    } } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(target: &mut Value, patch: &Value) {
        // RFC 7386, as the API server applies application/merge-patch+json.
        match (target.as_object_mut(), patch.as_object()) {
            (Some(t), Some(p)) => {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
            _ => {
                let mut v = patch.clone();
                strip_nulls(&mut v);
                *target = v;
            }
        }
    }

    fn strip_nulls(v: &mut Value) {
        if let Some(o) = v.as_object_mut() {
            o.retain(|_, v| !v.is_null());
            o.values_mut().for_each(strip_nulls);
        }
    }

    fn report(connector: Option<UnitReport>, tasks: Vec<TaskReport>) -> WorkerReport {
        WorkerReport {
            worker_id: "pod-a:8083".into(),
            observed_generation: Some(3),
            connector,
            tasks,
            offsets_result: None,
        }
    }

    #[test]
    fn a_report_patch_touches_only_its_own_pod() {
        let mut status = json!({"status": {"workers": {"pod-b": {"workerId": "pod-b:8083"}}, "assignment": {"taskCount": 1}}});
        let r = report(
            None,
            vec![TaskReport {
                id: 0,
                state: ConnectorState::Running,
                trace: None,
            }],
        );
        merge(&mut status, &report_patch("pod-a", Some(&r)));
        assert_eq!(
            status["status"]["workers"]["pod-b"]["workerId"],
            "pod-b:8083"
        );
        assert_eq!(status["status"]["assignment"]["taskCount"], 1);
        let back: WorkerReport =
            serde_json::from_value(status["status"]["workers"]["pod-a"].clone()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn a_new_report_clears_what_the_old_one_had() {
        let mut status = json!({});
        let failed = report(
            Some(UnitReport {
                state: ConnectorState::Failed,
                trace: Some("boom".into()),
            }),
            vec![TaskReport {
                id: 0,
                state: ConnectorState::Failed,
                trace: Some("bad".into()),
            }],
        );
        merge(&mut status, &report_patch("pod-a", Some(&failed)));
        let released = report(
            None,
            vec![TaskReport {
                id: 1,
                state: ConnectorState::Running,
                trace: None,
            }],
        );
        merge(&mut status, &report_patch("pod-a", Some(&released)));
        let back: WorkerReport =
            serde_json::from_value(status["status"]["workers"]["pod-a"].clone()).unwrap();
        assert_eq!(back, released);
        merge(&mut status, &report_patch("pod-a", None));
        assert!(status["status"]["workers"].get("pod-a").is_none());
    }

    #[test]
    fn an_assignment_patch_replaces_the_whole_assignment() {
        let mut status = json!({});
        let first = Assignment {
            task_count: 2,
            connector: Some(UnitPlacement {
                worker: "a".into(),
                phase: PlacementPhase::Assigned,
                restarts: 0,
            }),
            tasks: vec![TaskPlacement {
                id: 0,
                worker: "a".into(),
                phase: PlacementPhase::Assigned,
                restarts: 0,
            }],
        };
        merge(&mut status, &assignment_patch(&first));
        let second = Assignment {
            task_count: 0,
            connector: None,
            tasks: vec![],
        };
        merge(&mut status, &assignment_patch(&second));
        let back: Assignment =
            serde_json::from_value(status["status"]["assignment"].clone()).unwrap();
        assert_eq!(back, second);
    }
}
