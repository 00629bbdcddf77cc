//! The `KafkaConnector` controller: find the cluster → validate → status. Every change of a
//! KafkaConnect (from the scope's shared reflector, `super::connects`) is mapped to the connectors
//! bound to it, so `ClusterNotFound` and `ClusterNotReady` recover by themselves as soon as the
//! cluster appears or becomes ready; the cluster is read from that reflector's store, so a
//! reconcile makes no API call unless the status changes.
//!
//! Where tasks run is the assignment controller's (`super::assignment`); this one folds the
//! workers' reports into the Kafka-shaped `connectorStatus` and the `Ready` condition. Every
//! report a worker writes is a change of the connector, so it is reconciled at once.

use std::sync::Arc;

use ferry_crds::{KafkaConnect, KafkaConnector};
use futures::Stream;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::ResourceExt;
use tokio_util::sync::CancellationToken;

use super::apply::apply_status;
use super::context::{is_transition, Context};
use super::error::Error;
use super::scoped_api;
use crate::status::connector::{
    connector_readiness, connector_status, connector_status_changed, ClusterLookup,
};
use crate::status::runtime;
use crate::validate::connector::validate_connector;

const KIND: &str = "KafkaConnector";

/// What a connector reconcile needs besides the shared context: the KafkaConnect store.
pub struct ConnectorContext {
    pub shared: Arc<Context>,
    pub connects: Store<KafkaConnect>,
}

/// Runs the controller for one scope (a namespace, or all) until `shutdown`. `connect_changes`
/// and `connects` are the scope's shared KafkaConnect reflector's changes and store.
pub async fn run(
    ctx: Arc<Context>,
    namespace: Option<String>,
    connect_changes: impl Stream<Item = Result<KafkaConnect, watcher::Error>> + Send + 'static,
    connects: Store<KafkaConnect>,
    shutdown: CancellationToken,
) {
    let client = ctx.client.clone();
    let controller = Controller::new(
        scoped_api::<KafkaConnector>(&client, namespace.as_deref()),
        watcher::Config::default(),
    );
    let store = controller.store();
    let ctx = Arc::new(ConnectorContext {
        shared: ctx,
        connects,
    });
    let outcomes = controller
        .watches_stream(connect_changes, move |kc| {
            let connectors = store.state();
            connectors_of(connectors.iter().map(|c| c.as_ref()), &kc)
        })
        .with_config(super::controller_config())
        .graceful_shutdown_on(shutdown.cancelled_owned())
        .run(reconcile, error_policy, ctx);
    super::log_outcomes(outcomes, KIND).await;
}

/// Connectors bound to `connect` (same namespace, label `ferry.dev/cluster` = its name).
pub fn connectors_of<'a>(
    connectors: impl Iterator<Item = &'a KafkaConnector>,
    connect: &KafkaConnect,
) -> Vec<ObjectRef<KafkaConnector>> {
    let name = connect.name_any();
    connectors
        .filter(|c| c.metadata.namespace == connect.metadata.namespace)
        .filter(|c| c.cluster_name() == Some(name.as_str()))
        .map(ObjectRef::from_obj)
        .collect()
}

async fn reconcile(c: Arc<KafkaConnector>, ctx: Arc<ConnectorContext>) -> Result<Action, Error> {
    ctx.shared
        .instrumented(KIND, &*c, reconcile_inner(&c, &ctx))
        .await
}

fn error_policy(c: Arc<KafkaConnector>, error: &Error, ctx: Arc<ConnectorContext>) -> Action {
    ctx.shared.retry_after_error(KIND, &*c, error)
}

async fn reconcile_inner(c: &KafkaConnector, cctx: &ConnectorContext) -> Result<Action, Error> {
    let ctx = &*cctx.shared;
    let name = c.name_any();
    let ns = c
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
    // Until the first list is in, "not in the store" does not mean "does not exist".
    if !super::store_ready(&cctx.connects).await {
        return Ok(Action::requeue(std::time::Duration::from_millis(100)));
    }
    let connect = c
        .cluster_name()
        .and_then(|cluster| cctx.connects.get(&ObjectRef::new(cluster).within(&ns)));
    let lookup = match (c.cluster_name(), connect.as_ref()) {
        (None, _) => ClusterLookup::NoLabel,
        (Some(cluster), None) => ClusterLookup::NotFound(cluster),
        (Some(_), Some(kc)) => ClusterLookup::Found(kc),
    };
    let validation = validate_connector(c);
    let folded = runtime::fold(c, validation.as_ref().ok().map(|v| v.kind));
    let readiness = connector_readiness(c, lookup, validation.as_ref().map(|_| ()), &folded);
    // The runtime status means something once the connector is bound and valid.
    let shown = (connect.is_some() && validation.is_ok()).then_some(folded);
    let status = connector_status(c, &readiness, shown, &now());
    if connector_status_changed(c.status.as_ref(), &status) {
        let api: Api<KafkaConnector> = ctx.api(&ns);
        apply_status(&api, &name, &status).await?;
        let previous = c.status.as_ref().and_then(|s| s.ready());
        if is_transition(previous, &readiness) {
            ctx.ready_event(c, &readiness).await;
        }
    }
    Ok(Action::await_change())
}

fn now() -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::{KafkaConnectSpec, KafkaConnectorSpec};
    use std::collections::BTreeMap;

    fn connector(name: &str, ns: &str, cluster: Option<&str>) -> KafkaConnector {
        let mut c = KafkaConnector::new(name, KafkaConnectorSpec::new("FileStreamSource"));
        c.metadata.namespace = Some(ns.into());
        c.metadata.labels =
            cluster.map(|cl| BTreeMap::from([("ferry.dev/cluster".to_string(), cl.to_string())]));
        c
    }

    #[test]
    fn cluster_changes_map_to_bound_connectors_only() {
        let mut kc = KafkaConnect::new("my-connect", KafkaConnectSpec::new("b:9092", "g", "o"));
        kc.metadata.namespace = Some("ns".into());
        let all = [
            connector("a", "ns", Some("my-connect")),
            connector("b", "ns", Some("other")),
            connector("c", "other-ns", Some("my-connect")),
            connector("d", "ns", None),
            connector("e", "ns", Some("my-connect")),
        ];
        let names: Vec<String> = connectors_of(all.iter(), &kc)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["a", "e"]);
    }
}
