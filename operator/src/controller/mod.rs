//! The controllers: thin I/O around the pure builders, validation and status functions.

pub mod apply;
pub mod assignment;
pub mod backoff;
pub mod connect;
pub mod connector;
pub mod connects;
pub mod context;
pub mod error;
pub mod offsets;

use std::fmt::Debug;
use std::sync::Arc;

use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use connects::SharedConnects;
pub use context::Context;
pub use error::Error;

/// Reconciles in flight per controller. Unbounded, a thousand connectors changing at once (a
/// cluster becoming ready, an operator restart) would open a request and its buffers for each at
/// the same time; bounded, they queue (deduplicated) and the peak memory stays flat.
pub const CONCURRENCY: u16 = 16;

/// The kube-runtime controller configuration both controllers share.
pub fn controller_config() -> kube::runtime::controller::Config {
    kube::runtime::controller::Config::default().concurrency(CONCURRENCY)
}

/// An Api over one namespace, or over all of them.
pub fn scoped_api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope> + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Runs the three controllers (KafkaConnect, KafkaConnector, assignment) for every scope (`None`: all namespaces) until `shutdown` and they drain.
pub async fn run_all(ctx: Arc<Context>, namespaces: Vec<String>, shutdown: CancellationToken) {
    let scopes: Vec<Option<String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.into_iter().map(Some).collect()
    };
    let mut tasks = Vec::new();
    for scope in scopes {
        let mut connects = SharedConnects::new(scoped_api(&ctx.client, scope.as_deref()));
        let store = connects.store();
        let for_connect = connects.subscribe();
        let for_connectors = connects.subscribe();
        tasks.push(tokio::spawn(assignment::run(
            ctx.clone(),
            scope.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(connect::run(
            ctx.clone(),
            scope.clone(),
            for_connect,
            store.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(connector::run(
            ctx.clone(),
            scope,
            for_connectors,
            store,
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(connects.run(shutdown.clone())));
    }
    for task in tasks {
        if let Err(e) = task.await {
            tracing::error!(error = %e, "controller task panicked");
        }
    }
}

/// Whether a reflector's store has its first list, waiting a moment for it. Bounded, because a
/// waiter registered before the store was filled has been seen never to wake (kube-runtime 4.2,
/// under load); the caller requeues instead of hanging its reconcile.
pub(super) async fn store_ready<K>(store: &kube::runtime::reflector::Store<K>) -> bool
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    tokio::time::timeout(
        std::time::Duration::from_millis(500),
        store.wait_until_ready(),
    )
    .await
    .is_ok_and(|r| r.is_ok())
}

/// Drains a controller's outcome stream, logging each reconcile (errors as warnings), until the
/// controller stops on shutdown.
pub(super) async fn log_outcomes<T, U, E>(
    outcomes: impl futures::Stream<Item = Result<(T, U), E>>,
    kind: &'static str,
) where
    T: std::fmt::Display,
    E: std::fmt::Display,
{
    use futures::StreamExt;
    outcomes
        .for_each(|result| async move {
            match result {
                Ok((obj, _)) => tracing::debug!(object = %obj, "reconciled"),
                Err(e) => tracing::warn!(kind, error = %e, "controller"),
            }
        })
        .await;
    tracing::info!(kind, "controller stopped");
}
