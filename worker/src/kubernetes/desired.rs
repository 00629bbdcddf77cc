//! What this pod must do for one `KafkaConnector` (pure): its config, target state, spec generation,
//! and the units the operator placed here (`status.assignment`).

use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::placement::PlacementPhase;
use ferry_crds::KafkaConnector;

use crate::rest::herder::TargetState;
use crate::runtime::herder::{DesiredConnector, Placement};

/// The desired state of `connector` on pod `pod`. Units placed here in phase `Releasing`, or placed
/// on another pod, are not in the placement, so the runtime stops them; `stopped` runs nothing.
pub fn desired(connector: &KafkaConnector, pod: &str) -> DesiredConnector {
    let target = match connector.spec.state {
        ConnectorTargetState::Running => TargetState::Started,
        ConnectorTargetState::Paused => TargetState::Paused,
        ConnectorTargetState::Stopped => TargetState::Stopped,
    };
    DesiredConnector {
        config: connector.connector_config(),
        target,
        generation: connector.metadata.generation,
        placement: placement(connector, pod, target),
    }
}

fn placement(connector: &KafkaConnector, pod: &str, target: TargetState) -> Placement {
    let Some(assignment) = connector
        .status
        .as_ref()
        .and_then(|s| s.assignment.as_ref())
    else {
        return Placement::default();
    };
    let mine =
        |worker: &str, phase: PlacementPhase| worker == pod && phase == PlacementPhase::Assigned;
    let instance = assignment
        .connector
        .as_ref()
        .is_some_and(|c| mine(&c.worker, c.phase));
    // A stopped connector runs no task, even one the operator has not released yet.
    let placed: Vec<(u32, u32)> = if target == TargetState::Stopped {
        Vec::new()
    } else {
        assignment
            .tasks
            .iter()
            .filter(|t| mine(&t.worker, t.phase))
            .filter_map(|t| u32::try_from(t.id).ok().map(|id| (id, t.restarts)))
            .collect()
    };
    Placement {
        instance,
        tasks: placed.iter().map(|(id, _)| *id).collect(),
        instance_restarts: assignment.connector.as_ref().map_or(0, |c| c.restarts),
        task_restarts: placed.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::placement::{Assignment, TaskPlacement, UnitPlacement};
    use ferry_crds::{KafkaConnectorSpec, KafkaConnectorStatus};

    fn connector(state: ConnectorTargetState, assignment: Option<Assignment>) -> KafkaConnector {
        let mut spec = KafkaConnectorSpec::new("FileStreamSource");
        spec.tasks_max = 3;
        spec.state = state;
        spec.config.insert("topic".into(), "t".into());
        let mut c = KafkaConnector::new("src", spec);
        c.metadata.generation = Some(4);
        c.status = assignment.map(|a| KafkaConnectorStatus {
            assignment: Some(a),
            ..Default::default()
        });
        c
    }

    fn task(id: i32, worker: &str, phase: PlacementPhase) -> TaskPlacement {
        TaskPlacement {
            id,
            worker: worker.into(),
            phase,
            restarts: u32::try_from(id).unwrap_or(0),
        }
    }

    fn assignment() -> Assignment {
        Assignment {
            task_count: 3,
            connector: Some(UnitPlacement {
                worker: "pod-a".into(),
                phase: PlacementPhase::Assigned,
                restarts: 5,
            }),
            tasks: vec![
                task(0, "pod-a", PlacementPhase::Assigned),
                task(1, "pod-b", PlacementPhase::Assigned),
                task(2, "pod-a", PlacementPhase::Releasing),
            ],
        }
    }

    #[test]
    fn a_pod_runs_its_assigned_units_and_not_others_or_releasing_ones() {
        let c = connector(ConnectorTargetState::Running, Some(assignment()));
        let a = desired(&c, "pod-a");
        assert_eq!(
            a.placement,
            Placement {
                instance: true,
                tasks: [0].into(),
                instance_restarts: 5,
                task_restarts: [(0, 0)].into(),
            }
        );
        assert_eq!(a.target, TargetState::Started);
        assert_eq!(a.generation, Some(4));
        let config = a.config.expect("a valid config");
        assert_eq!(config["tasks.max"], "3");
        assert_eq!(config["name"], "src");
        assert_eq!(config["topic"], "t");
        let b = desired(&c, "pod-b");
        assert_eq!(
            b.placement,
            Placement {
                instance: false,
                tasks: [1].into(),
                instance_restarts: 5,
                task_restarts: [(1, 1)].into(),
            }
        );
        assert!(desired(&c, "pod-c").placement.is_empty());
    }

    #[test]
    fn no_assignment_runs_nothing() {
        let c = connector(ConnectorTargetState::Running, None);
        assert!(desired(&c, "pod-a").placement.is_empty());
    }

    #[test]
    fn stopped_runs_no_task_and_paused_keeps_them() {
        let stopped = desired(
            &connector(ConnectorTargetState::Stopped, Some(assignment())),
            "pod-a",
        );
        assert_eq!(stopped.target, TargetState::Stopped);
        assert!(stopped.placement.tasks.is_empty());
        let paused = desired(
            &connector(ConnectorTargetState::Paused, Some(assignment())),
            "pod-a",
        );
        assert_eq!(paused.target, TargetState::Paused);
        assert_eq!(paused.placement.tasks, [0].into());
    }

    #[test]
    fn a_managed_key_in_the_config_is_an_error_naming_it() {
        let mut c = connector(ConnectorTargetState::Running, Some(assignment()));
        c.spec.config.insert("tasks.max".into(), "9".into());
        let err = desired(&c, "pod-a")
            .config
            .expect_err("tasks.max is managed");
        assert!(err.contains("tasks.max"), "{err}");
    }
}
