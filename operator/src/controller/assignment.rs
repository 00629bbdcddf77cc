//! The assignment controller: per `KafkaConnect`, places its connectors' instances and tasks on
//! its worker pods (`crate::distribute`, pure) and writes each connector's `status.assignment`.
//! It is the only writer of assignments; the workers follow them and report back into
//! `status.workers`, which this controller reads to decide when a released unit may move.
//!
//! Triggered by every change of the cluster, of a bound connector (spec, reports) and of a worker
//! pod (readiness, deletion), through watches: a lost pod's tasks are placed elsewhere as soon as
//! the API says it is gone. Each write carries the connector's `resourceVersion` as a
//! precondition: a decision taken on a stale view (a report written meanwhile, or this
//! controller's own previous write not yet seen) is refused with 409 by the API server, and the
//! change that made it stale triggers the next reconcile anyway.

use std::sync::Arc;

use ferry_crds::placement::assignment_patch;
use ferry_crds::{KafkaConnect, KafkaConnector};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::EventType;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::ResourceExt;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::apply::{merge_status, remove_annotations, MergeOutcome};
use super::context::Context;
use super::error::Error;
use super::scoped_api;
use crate::distribute::{distribute, worker_states};
use crate::names;

const KIND: &str = "Assignment";
/// How soon a reconcile that found a cache not yet filled runs again.
const STORE_RETRY: std::time::Duration = std::time::Duration::from_millis(100);

/// What a reconcile reads besides the shared context: connectors and worker pods of the scope.
pub struct AssignmentContext {
    pub shared: Arc<Context>,
    pub connectors: Store<KafkaConnector>,
    pub pods: Store<Pod>,
}

/// Runs the controller for one scope until `shutdown`. It watches the KafkaConnects itself rather
/// than taking the scope's shared reflector: kube-runtime drops a reconcile whose object is not yet
/// in the controller's store, and a connector's change can arrive before its cluster does; with its
/// own watch, every cluster's own (re)list event comes after its store has it, so each cluster is
/// reconciled at least once after it is known, whatever the order of the other events.
pub async fn run(ctx: Arc<Context>, namespace: Option<String>, shutdown: CancellationToken) {
    let client = ctx.client.clone();
    let (connectors, connector_writer) = reflector::store();
    let connector_changes = watcher(
        scoped_api::<KafkaConnector>(&client, namespace.as_deref()),
        watcher::Config::default(),
    )
    .default_backoff()
    // Server-side apply's bookkeeping is most of a connector's size, and this cache never reads it.
    .modify(|c: &mut KafkaConnector| c.metadata.managed_fields = None)
    .reflect(connector_writer)
    .touched_objects();
    let (pods, pod_writer) = reflector::store();
    let pod_changes = watcher(
        scoped_api::<Pod>(&client, namespace.as_deref()),
        watcher::Config::default().labels(&format!("app.kubernetes.io/name={}", names::APP_NAME)),
    )
    .default_backoff()
    // The placement needs a pod's name, labels, deletion and readiness only; the rest (spec,
    // managed fields) would be cached for nothing.
    .modify(|pod: &mut Pod| {
        pod.spec = None;
        pod.metadata.managed_fields = None;
        pod.metadata.annotations = None;
    })
    .reflect(pod_writer)
    .touched_objects();
    let ctx = Arc::new(AssignmentContext {
        shared: ctx,
        connectors,
        pods,
    });
    let outcomes = Controller::new(
        scoped_api::<KafkaConnect>(&client, namespace.as_deref()),
        watcher::Config::default(),
    )
    .watches_stream(connector_changes, |c: KafkaConnector| cluster_of(&c))
    .watches_stream(pod_changes, |p: Pod| {
        let cluster = p.labels().get(ferry_crds::CLUSTER_LABEL)?.clone();
        Some(ObjectRef::new(&cluster).within(&p.namespace()?))
    })
    .with_config(super::controller_config())
    .graceful_shutdown_on(shutdown.cancelled_owned())
    .run(reconcile, error_policy, ctx);
    super::log_outcomes(outcomes, KIND).await;
}

fn cluster_of(c: &KafkaConnector) -> Option<ObjectRef<KafkaConnect>> {
    Some(ObjectRef::new(c.cluster_name()?).within(&c.namespace()?))
}

async fn reconcile(kc: Arc<KafkaConnect>, ctx: Arc<AssignmentContext>) -> Result<Action, Error> {
    ctx.shared
        .instrumented(KIND, &*kc, reconcile_inner(&kc, &ctx))
        .await
}

fn error_policy(kc: Arc<KafkaConnect>, error: &Error, ctx: Arc<AssignmentContext>) -> Action {
    ctx.shared.retry_after_error(KIND, &*kc, error)
}

async fn reconcile_inner(kc: &KafkaConnect, ctx: &AssignmentContext) -> Result<Action, Error> {
    let name = kc.name_any();
    let ns = kc
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
    // Before the first lists are in, "no report" and "no pod" mean nothing.
    if !super::store_ready(&ctx.connectors).await || !super::store_ready(&ctx.pods).await {
        return Ok(Action::requeue(STORE_RETRY));
    }
    let connectors: Vec<Arc<KafkaConnector>> = ctx
        .connectors
        .state()
        .into_iter()
        .filter(|c| c.namespace().as_deref() == Some(ns.as_str()))
        .filter(|c| c.cluster_name() == Some(name.as_str()))
        .collect();
    let pods = ctx.pods.state();
    let workers = worker_states(
        pods.iter()
            .map(|p| p.as_ref())
            .filter(|p| p.namespace().as_deref() == Some(ns.as_str()))
            .filter(|p| p.labels().get(ferry_crds::CLUSTER_LABEL) == Some(&name)),
    );
    let refs: Vec<&KafkaConnector> = connectors.iter().map(|c| c.as_ref()).collect();
    let distribution = distribute(&refs, &workers, k8s_openapi::jiff::Timestamp::now());

    let api: Api<KafkaConnector> = ctx.shared.api(&ns);
    let mut stale = false;
    for c in &refs {
        let connector = c.name_any();
        let Some(change) = distribution.changes.get(&connector) else {
            continue;
        };
        for warning in &change.warnings {
            ctx.shared
                .event(
                    *c,
                    EventType::Warning,
                    "InvalidRestartRequest",
                    warning,
                    "Restart",
                )
                .await;
        }
        let mut patch = change
            .assignment
            .as_ref()
            .map(assignment_patch)
            .unwrap_or_else(|| json!({"status": {}}));
        for pod in &change.stale_reports {
            patch["status"]["workers"][pod] = Value::Null;
        }
        if let Some(auto) = &change.auto_restart {
            patch["status"]["autoRestart"] = json!(auto);
        }
        patch["metadata"] = json!({"resourceVersion": c.resource_version()});
        match merge_status(&api, &connector, &patch).await? {
            MergeOutcome::Written => {
                tracing::debug!(cluster = %name, connector = %connector, "assignment written");
            }
            MergeOutcome::Stale => {
                stale = true;
                continue;
            }
            MergeOutcome::Gone => continue,
        }
        if change.auto_restart.is_some() {
            ctx.shared
                .event(
                    *c,
                    EventType::Normal,
                    "AutoRestart",
                    "restarting the failed connector or tasks (spec.autoRestart)",
                    "Restart",
                )
                .await;
        }
        if !change.clear_annotations.is_empty() {
            // Only now that the restart is recorded in the status does its request go.
            remove_annotations(&api, &connector, &change.clear_annotations).await?;
        }
    }
    for c in &refs {
        if !super::offsets::reconcile_offsets(&ctx.shared, &api, c, &workers).await? {
            stale = true;
        }
    }
    Ok(if stale {
        // Belt and braces: should the newer version's event have been folded into this run.
        Action::requeue(std::time::Duration::from_millis(200))
    } else if let Some(later) = distribution.check_again_in {
        // An automatic restart waits out its back-off; nothing else would wake us for it.
        Action::requeue(later)
    } else {
        Action::await_change()
    })
}
