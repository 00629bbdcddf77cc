//! Restarts: asked for by annotation (`kubectl annotate kafkaconnector NAME ferry.dev/restart=...`)
//! or by `spec.autoRestart` when the workers report a failure. A restart is a counter on the unit's
//! placement (`restarts`) that the operator bumps; the pod running the unit restarts it when the
//! counter grows. So a restart survives the unit moving, and a request is recorded in the status
//! before its annotation is removed.
//!
//! Annotations (values as Kafka Connect's `POST /connectors/{name}/restart` flags):
//! - `ferry.dev/restart: "true"` — the connector instance (Kafka's default restart);
//! - `ferry.dev/restart: "all"` — the instance and every task (`includeTasks=true`);
//! - `ferry.dev/restart: "failed"` — the failed instance and failed tasks
//!   (`includeTasks=true&onlyFailed=true`);
//! - `ferry.dev/restart-task: "0,2"` — those tasks.
//!
//! `autoRestart` follows Strimzi's back-off: after k restarts in a row the next waits k·(k+1)
//! minutes (0, 2, 6, 12, 20, 30, 42, 56, then 60 at most), up to `maxRestarts` when set. A failure long
//! after the last back-off window (ten minutes past it) starts the count again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ferry_crds::status::{AutoRestartStatus, ConnectorState};
use ferry_crds::KafkaConnector;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;

/// Restart the connector instance, all tasks, or the failed ones.
pub const RESTART_ANNOTATION: &str = "ferry.dev/restart";
/// Restart the listed tasks (comma-separated ids).
pub const RESTART_TASK_ANNOTATION: &str = "ferry.dev/restart-task";

/// Quiet time after a back-off window after which a failure counts as a first one again.
const RESET_AFTER: Duration = Duration::from_secs(10 * 60);

/// What to restart, and what to write about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestartPlan {
    /// Bump the connector instance's counter.
    pub connector: bool,
    /// Bump these tasks' counters.
    pub tasks: BTreeSet<i32>,
    /// The new `status.autoRestart`, when it changes.
    pub auto_restart: Option<AutoRestartStatus>,
    /// Annotations to remove (handled, or invalid).
    pub clear_annotations: Vec<&'static str>,
    /// Problems with the annotations, for a Warning event.
    pub warnings: Vec<String>,
    /// When an automatic restart is due later: check again after this long.
    pub check_again_in: Option<Duration>,
}

/// Strimzi's back-off before restart number `count + 1`: count·(count+1) minutes, at most 60.
pub fn backoff(count: u32) -> Duration {
    let minutes = u64::from(count) * (u64::from(count) + 1);
    Duration::from_secs(minutes.min(60) * 60)
}

/// The failed units the workers report: the instance, and task ids.
pub fn failed_units(c: &KafkaConnector) -> (bool, BTreeSet<i32>) {
    let Some(status) = c.status.as_ref() else {
        return (false, BTreeSet::new());
    };
    let connector = status.workers.values().any(|r| {
        r.connector
            .as_ref()
            .is_some_and(|u| u.state == ConnectorState::Failed)
    });
    let tasks = status
        .workers
        .values()
        .flat_map(|r| r.tasks.iter())
        .filter(|t| t.state == ConnectorState::Failed)
        .map(|t| t.id)
        .collect();
    (connector, tasks)
}

/// The restarts to do now for `c`, which has `task_count` tasks.
pub fn plan_restarts(c: &KafkaConnector, task_count: i32, now: Timestamp) -> RestartPlan {
    let mut plan = RestartPlan::default();
    let (failed_connector, failed_tasks) = failed_units(c);
    let annotations = c.annotations();
    if let Some(value) = annotations.get(RESTART_ANNOTATION) {
        plan.clear_annotations.push(RESTART_ANNOTATION);
        match value.trim() {
            "true" | "connector" => plan.connector = true,
            "all" => {
                plan.connector = true;
                plan.tasks.extend(0..task_count);
            }
            "failed" => {
                plan.connector = failed_connector;
                plan.tasks.extend(failed_tasks.iter().copied());
            }
            other => plan.warnings.push(format!(
                "annotation {RESTART_ANNOTATION}: '{other}' is not one of true, all, failed; nothing restarted"
            )),
        }
    }
    if let Some(value) = annotations.get(RESTART_TASK_ANNOTATION) {
        plan.clear_annotations.push(RESTART_TASK_ANNOTATION);
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<i32>() {
                Ok(id) if (0..task_count).contains(&id) => {
                    plan.tasks.insert(id);
                }
                _ => plan.warnings.push(format!(
                    "annotation {RESTART_TASK_ANNOTATION}: '{part}' is not a task of this connector (it has {task_count}: ids 0 to {})",
                    task_count - 1
                )),
            }
        }
    }
    auto_restart(c, failed_connector, &failed_tasks, now, &mut plan);
    plan
}

fn auto_restart(
    c: &KafkaConnector,
    failed_connector: bool,
    failed_tasks: &BTreeSet<i32>,
    now: Timestamp,
    plan: &mut RestartPlan,
) {
    let Some(policy) = c.spec.auto_restart.as_ref().filter(|p| p.enabled) else {
        return;
    };
    if !failed_connector && failed_tasks.is_empty() {
        return;
    }
    let previous = c
        .status
        .as_ref()
        .and_then(|s| s.auto_restart.clone())
        .unwrap_or_default();
    let last = previous.last_restart_timestamp.as_ref().map(|t| t.0);
    let mut count = u32::try_from(previous.count.max(0)).unwrap_or(0);
    if let Some(last) = last {
        let window = backoff(count) + RESET_AFTER;
        if elapsed(last, now) > window {
            count = 0;
        }
    }
    if let Some(max) = policy.max_restarts {
        if i64::from(count) >= i64::from(max) {
            return;
        }
    }
    let wait = backoff(count);
    let since = last.map_or(Duration::MAX, |l| elapsed(l, now));
    if last.is_some() && count > 0 && since < wait {
        plan.check_again_in = Some(wait - since);
        return;
    }
    plan.connector |= failed_connector;
    plan.tasks.extend(failed_tasks.iter().copied());
    plan.auto_restart = Some(AutoRestartStatus {
        count: i32::try_from(count + 1).unwrap_or(i32::MAX),
        last_restart_timestamp: Some(Time(now)),
        connector_name: Some(c.name_any()),
    });
    plan.check_again_in = Some(backoff(count + 1));
}

fn elapsed(from: Timestamp, to: Timestamp) -> Duration {
    let d: SignedDuration = to.duration_since(from);
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

/// Restart counters per unit: the instance's, and each task's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub connector: u32,
    pub tasks: BTreeMap<i32, u32>,
}

/// The counters of the written assignment, bumped as `plan` says.
pub fn bumped(c: &KafkaConnector, plan: &RestartPlan) -> Counters {
    let a = c
        .status
        .as_ref()
        .and_then(|s| s.assignment.clone())
        .unwrap_or_default();
    let mut counters = Counters {
        connector: a.connector.as_ref().map_or(0, |p| p.restarts),
        tasks: a.tasks.iter().map(|t| (t.id, t.restarts)).collect(),
    };
    if plan.connector {
        counters.connector += 1;
    }
    for id in &plan.tasks {
        *counters.tasks.entry(*id).or_default() += 1;
    }
    counters
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::connector::AutoRestart;
    use ferry_crds::placement::{TaskReport, UnitReport, WorkerReport};
    use ferry_crds::{KafkaConnectorSpec, KafkaConnectorStatus};

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes)
    }

    fn connector(failed_tasks: &[i32], failed_connector: bool) -> KafkaConnector {
        let mut c = KafkaConnector::new("c", KafkaConnectorSpec::new("FileStreamSink"));
        let report = WorkerReport {
            worker_id: "w0:8083".into(),
            observed_generation: None,
            connector: Some(UnitReport {
                state: if failed_connector {
                    ConnectorState::Failed
                } else {
                    ConnectorState::Running
                },
                trace: None,
            }),
            tasks: (0..3)
                .map(|id| TaskReport {
                    id,
                    state: if failed_tasks.contains(&id) {
                        ConnectorState::Failed
                    } else {
                        ConnectorState::Running
                    },
                    trace: None,
                })
                .collect(),
            offsets_result: None,
        };
        c.status = Some(KafkaConnectorStatus {
            workers: [("w0".to_owned(), report)].into(),
            ..KafkaConnectorStatus::default()
        });
        c
    }

    fn annotate(c: &mut KafkaConnector, key: &str, value: &str) {
        c.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(key.into(), value.into());
    }

    #[test]
    fn strimzi_backoff() {
        let minutes: Vec<u64> = (0..10).map(|n| backoff(n).as_secs() / 60).collect();
        assert_eq!(minutes, [0, 2, 6, 12, 20, 30, 42, 56, 60, 60]);
    }

    #[test]
    fn annotations_ask_for_kafkas_three_restarts_and_tasks() {
        let mut c = connector(&[1], false);
        annotate(&mut c, RESTART_ANNOTATION, "true");
        let p = plan_restarts(&c, 3, at(0));
        assert!(p.connector && p.tasks.is_empty());
        assert_eq!(p.clear_annotations, [RESTART_ANNOTATION]);
        annotate(&mut c, RESTART_ANNOTATION, "all");
        let p = plan_restarts(&c, 3, at(0));
        assert!(p.connector);
        assert_eq!(p.tasks, BTreeSet::from([0, 1, 2]));
        annotate(&mut c, RESTART_ANNOTATION, "failed");
        let p = plan_restarts(&c, 3, at(0));
        assert!(!p.connector);
        assert_eq!(p.tasks, BTreeSet::from([1]));
        annotate(&mut c, RESTART_ANNOTATION, "everything");
        let p = plan_restarts(&c, 3, at(0));
        assert!(!p.connector && p.tasks.is_empty());
        assert!(p.warnings[0].contains("'everything'"), "{:?}", p.warnings);
        assert_eq!(p.clear_annotations, [RESTART_ANNOTATION]);

        let mut c = connector(&[], false);
        annotate(&mut c, RESTART_TASK_ANNOTATION, "0, 2,7");
        let p = plan_restarts(&c, 3, at(0));
        assert_eq!(p.tasks, BTreeSet::from([0, 2]));
        assert!(p.warnings[0].contains("'7'"), "{:?}", p.warnings);
        let counters = bumped(&c, &p);
        assert_eq!(counters.tasks, BTreeMap::from([(0, 1), (2, 1)]));
    }

    #[test]
    fn auto_restart_backs_off_and_gives_up_at_max() {
        let mut c = connector(&[2], false);
        // Off unless asked for.
        assert_eq!(plan_restarts(&c, 3, at(0)), RestartPlan::default());
        c.spec.auto_restart = Some(AutoRestart {
            enabled: true,
            max_restarts: Some(2),
        });
        // First failure: at once.
        let first = plan_restarts(&c, 3, at(0));
        assert_eq!(first.tasks, BTreeSet::from([2]));
        let status = first.auto_restart.clone().expect("recorded");
        assert_eq!(status.count, 1);
        if let Some(s) = c.status.as_mut() {
            s.auto_restart = Some(status);
        }
        // Still failed a minute later: wait for the 2-minute back-off.
        let waiting = plan_restarts(&c, 3, at(1));
        assert!(waiting.tasks.is_empty());
        assert_eq!(waiting.check_again_in, Some(Duration::from_secs(60)));
        let second = plan_restarts(&c, 3, at(2));
        assert_eq!(second.tasks, BTreeSet::from([2]));
        let status = second.auto_restart.clone().expect("recorded");
        assert_eq!(status.count, 2);
        if let Some(s) = c.status.as_mut() {
            s.auto_restart = Some(status);
        }
        // maxRestarts reached: no more.
        assert!(plan_restarts(&c, 3, at(10)).tasks.is_empty());
        // Long after the window, a failure is a first one again.
        let fresh = plan_restarts(&c, 3, at(2 + 6 + 11));
        assert_eq!(fresh.auto_restart.map(|s| s.count), Some(1));
        // Nothing failed: nothing to do.
        let healthy = connector(&[], false);
        assert_eq!(plan_restarts(&healthy, 3, at(0)), RestartPlan::default());
    }
}
