//! Offsets of a connector through its resource: `kubectl annotate kafkaconnector NAME
//! ferry.dev/connector-offsets=list|alter|reset` (Strimzi's `strimzi.io/connector-offsets`, with
//! the same `spec.listOffsets.toConfigMap` and `spec.alterOffsets.fromConfigMap`). The operator
//! cannot reach Kafka, so it hands the operation to one ready worker pod (`status.offsetsRequest`)
//! and collects the result from that pod's report; a listing is written to the ConfigMap.
//!
//! As in Kafka Connect, `alter` and `reset` need the connector stopped (and, here, no pod still
//! running any of its units); `list` works in any state. This module decides the next step, pure;
//! the assignment controller does the I/O.

use std::collections::BTreeMap;

use ferry_crds::connector::{ConnectorTargetState, OFFSETS_ANNOTATION};
use ferry_crds::placement::{OffsetsOperation, OffsetsRequest, OffsetsResult};
use ferry_crds::KafkaConnector;
use kube::ResourceExt;

use crate::assign::WorkerState;

/// What to do about a connector's offsets now.
#[derive(Debug, Clone, PartialEq)]
pub enum OffsetsStep {
    /// Nothing asked, or waiting (for the connector to stop, for a ready pod, for the result).
    Idle,
    /// The annotation cannot be acted on: remove it and say why (Warning event).
    Reject(String),
    /// Hand the operation to a pod (write `status.offsetsRequest`), then remove the annotation.
    Request(OffsetsRequest),
    /// The pod answered: write the listing (into the named ConfigMap) if any, report the outcome,
    /// close the request.
    Finish {
        operation: OffsetsOperation,
        result: OffsetsResult,
        config_map: Option<String>,
    },
    /// The pod went away before answering: close the request and say so.
    Abandon(String),
}

/// Kafka Connect's error when offsets of a running connector are to be modified.
pub fn not_stopped_message(name: &str) -> String {
    format!("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by setting spec.state: stopped on KafkaConnector {name}")
}

/// The next step for `c`. `alter_body` is the `offsets.json` of `spec.alterOffsets.fromConfigMap`
/// when the annotation asks for `alter` (read by the caller), `id` a fresh request id.
pub fn offsets_step(
    c: &KafkaConnector,
    workers: &BTreeMap<String, WorkerState>,
    alter_body: Option<Result<String, String>>,
    id: i64,
) -> OffsetsStep {
    let status = c.status.clone().unwrap_or_default();
    if let Some(request) = status.offsets_request {
        return match status
            .workers
            .get(&request.worker)
            .and_then(|r| r.offsets_result.clone())
            .filter(|r| r.id == request.id)
        {
            Some(result) => OffsetsStep::Finish {
                operation: request.operation,
                result,
                config_map: match request.operation {
                    OffsetsOperation::List => c.spec.list_offsets.as_ref().map(|l| l.to_config_map.name.clone()),
                    _ => None,
                },
            },
            None if !workers.contains_key(&request.worker) => OffsetsStep::Abandon(format!(
                "pod {} went away before it carried out the offsets {:?} request; annotate the connector again",
                request.worker, request.operation
            )),
            None => OffsetsStep::Idle,
        };
    }
    let Some(value) = c.annotations().get(OFFSETS_ANNOTATION) else {
        return OffsetsStep::Idle;
    };
    let operation = match value.trim() {
        "list" => OffsetsOperation::List,
        "alter" => OffsetsOperation::Alter,
        "reset" => OffsetsOperation::Reset,
        other => {
            return OffsetsStep::Reject(format!(
                "annotation {OFFSETS_ANNOTATION}: '{other}' is not one of list, alter, reset"
            ))
        }
    };
    let mut offsets = None;
    match operation {
        OffsetsOperation::List => {
            if c.spec.list_offsets.is_none() {
                return OffsetsStep::Reject(
                    "listing offsets needs spec.listOffsets.toConfigMap.name, the ConfigMap to write them to".into(),
                );
            }
        }
        OffsetsOperation::Alter | OffsetsOperation::Reset => {
            if c.spec.state != ConnectorTargetState::Stopped {
                return OffsetsStep::Reject(not_stopped_message(&c.name_any()));
            }
            let still_running = status
                .workers
                .values()
                .any(|r| r.connector.is_some() || !r.tasks.is_empty());
            if still_running {
                // Stopping is in progress; the pods' reports bring the next reconcile.
                return OffsetsStep::Idle;
            }
            if operation == OffsetsOperation::Alter {
                if c.spec.alter_offsets.is_none() {
                    return OffsetsStep::Reject(
                        "altering offsets needs spec.alterOffsets.fromConfigMap.name, the ConfigMap to read them from".into(),
                    );
                }
                match alter_body {
                    Some(Ok(body)) => offsets = Some(body),
                    Some(Err(e)) => return OffsetsStep::Reject(e),
                    None => return OffsetsStep::Idle,
                }
            }
        }
    }
    let Some(worker) = workers
        .iter()
        .find(|(_, s)| **s == WorkerState::Ready)
        .map(|(w, _)| w.clone())
    else {
        // No ready pod yet: the annotation stays until one is (a pod change brings the reconcile).
        return OffsetsStep::Idle;
    };
    OffsetsStep::Request(OffsetsRequest {
        id,
        operation,
        worker,
        offsets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::connector::{AlterOffsets, ListOffsets, LocalObjectName};
    use ferry_crds::placement::{TaskReport, WorkerReport};
    use ferry_crds::status::ConnectorState;
    use ferry_crds::{KafkaConnectorSpec, KafkaConnectorStatus};

    fn connector(annotation: Option<&str>, state: ConnectorTargetState) -> KafkaConnector {
        let mut spec = KafkaConnectorSpec::new("FileStreamSource");
        spec.state = state;
        spec.list_offsets = Some(ListOffsets {
            to_config_map: LocalObjectName {
                name: "listed".into(),
            },
        });
        spec.alter_offsets = Some(AlterOffsets {
            from_config_map: LocalObjectName {
                name: "wanted".into(),
            },
        });
        let mut c = KafkaConnector::new("src", spec);
        if let Some(a) = annotation {
            c.metadata.annotations = Some([(OFFSETS_ANNOTATION.to_owned(), a.to_owned())].into());
        }
        c
    }

    fn ready() -> BTreeMap<String, WorkerState> {
        [
            ("w0".to_owned(), WorkerState::NotReady),
            ("w1".to_owned(), WorkerState::Ready),
        ]
        .into()
    }

    #[test]
    fn list_goes_to_a_ready_pod_in_any_state() {
        let c = connector(Some("list"), ConnectorTargetState::Running);
        let step = offsets_step(&c, &ready(), None, 7);
        assert_eq!(
            step,
            OffsetsStep::Request(OffsetsRequest {
                id: 7,
                operation: OffsetsOperation::List,
                worker: "w1".into(),
                offsets: None
            })
        );
        assert_eq!(
            offsets_step(&c, &BTreeMap::new(), None, 7),
            OffsetsStep::Idle
        );
    }

    #[test]
    fn alter_and_reset_need_the_connector_stopped_everywhere() {
        let running = connector(Some("reset"), ConnectorTargetState::Running);
        let OffsetsStep::Reject(why) = offsets_step(&running, &ready(), None, 1) else {
            panic!("a running connector's offsets cannot be reset");
        };
        assert!(why.contains("STOPPED state"), "{why}");
        let mut stopping = connector(Some("reset"), ConnectorTargetState::Stopped);
        stopping.status = Some(KafkaConnectorStatus {
            workers: [(
                "w1".to_owned(),
                WorkerReport {
                    tasks: vec![TaskReport {
                        id: 0,
                        state: ConnectorState::Running,
                        trace: None,
                    }],
                    ..WorkerReport::default()
                },
            )]
            .into(),
            ..KafkaConnectorStatus::default()
        });
        assert_eq!(
            offsets_step(&stopping, &ready(), None, 1),
            OffsetsStep::Idle
        );
        let stopped = connector(Some("alter"), ConnectorTargetState::Stopped);
        let step = offsets_step(&stopped, &ready(), Some(Ok("{\"offsets\":[]}".into())), 2);
        assert!(
            matches!(step, OffsetsStep::Request(r) if r.offsets.as_deref() == Some("{\"offsets\":[]}"))
        );
        let missing = offsets_step(
            &stopped,
            &ready(),
            Some(Err("ConfigMap wanted not found".into())),
            2,
        );
        assert_eq!(
            missing,
            OffsetsStep::Reject("ConfigMap wanted not found".into())
        );
        let bad = connector(Some("rewind"), ConnectorTargetState::Stopped);
        assert!(
            matches!(offsets_step(&bad, &ready(), None, 1), OffsetsStep::Reject(m) if m.contains("'rewind'"))
        );
    }

    #[test]
    fn a_pending_request_finishes_with_the_pods_answer_or_is_abandoned() {
        let mut c = connector(None, ConnectorTargetState::Stopped);
        let request = OffsetsRequest {
            id: 3,
            operation: OffsetsOperation::List,
            worker: "w1".into(),
            offsets: None,
        };
        c.status = Some(KafkaConnectorStatus {
            offsets_request: Some(request.clone()),
            ..KafkaConnectorStatus::default()
        });
        assert_eq!(offsets_step(&c, &ready(), None, 9), OffsetsStep::Idle);
        assert!(
            matches!(offsets_step(&c, &BTreeMap::new(), None, 9), OffsetsStep::Abandon(m) if m.contains("w1"))
        );
        let result = OffsetsResult {
            id: 3,
            succeeded: true,
            message: "listed".into(),
            offsets: Some("{}".into()),
        };
        if let Some(s) = c.status.as_mut() {
            s.workers.insert(
                "w1".into(),
                WorkerReport {
                    offsets_result: Some(result.clone()),
                    ..WorkerReport::default()
                },
            );
        }
        assert_eq!(
            offsets_step(&c, &ready(), None, 9),
            OffsetsStep::Finish {
                operation: OffsetsOperation::List,
                result,
                config_map: Some("listed".into())
            }
        );
    }
}
