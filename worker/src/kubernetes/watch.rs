//! The watch of this cluster's `KafkaConnector`s (a reflector: list, then watch with resume and
//! backoff; no polling) and the loop that applies each changed connector to the runtime.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferry_crds::KafkaConnector;
use futures::StreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Api;
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;

use super::desired::desired;
use crate::runtime::herder::DesiredConnector;
use crate::runtime::StandaloneHerder;

/// The reflector's store plus a signal that it changed; `synced` turns true after the first list.
pub struct Watched {
    pub store: Store<KafkaConnector>,
    pub changed: Arc<Notify>,
    pub synced: watch::Receiver<bool>,
}

/// Starts watching the connectors of `selector` in the API's namespace until `shutdown`.
pub fn start(
    api: Api<KafkaConnector>,
    selector: &str,
    shutdown: CancellationToken,
) -> (Watched, tokio::task::JoinHandle<()>) {
    let (store, writer) = reflector::store();
    let changed = Arc::new(Notify::new());
    let (synced_tx, synced) = watch::channel(false);
    let config = watcher::Config::default().labels(selector);
    let notify = Arc::clone(&changed);
    let task = tokio::spawn(async move {
        let events = watcher::watcher(api, config)
            .default_backoff()
            .reflect(writer);
        futures::pin_mut!(events);
        loop {
            let event = tokio::select! {
                _ = shutdown.cancelled() => break,
                event = events.next() => event,
            };
            match event {
                None => break,
                // The watcher retries with backoff; the store keeps its last state meanwhile.
                Some(Err(e)) => tracing::warn!(error = %e, "KafkaConnector watch failed; retrying"),
                Some(Ok(Event::InitDone)) => {
                    let _ = synced_tx.send(true);
                    notify.notify_one();
                }
                // During a (re)list the store changes at InitDone only.
                Some(Ok(Event::Init | Event::InitApply(_))) => {}
                Some(Ok(Event::Apply(_) | Event::Delete(_))) => notify.notify_one(),
            }
        }
        tracing::info!("KafkaConnector watch stopped");
    });
    (
        Watched {
            store,
            changed,
            synced,
        },
        task,
    )
}

/// Applies the watched connectors to the runtime on every change, until `shutdown`. Calls
/// `on_synced` once the first full list has been applied (start-up complete).
pub async fn apply_loop(
    mut watched: Watched,
    runtime: Arc<StandaloneHerder>,
    pod: String,
    shutdown: CancellationToken,
    on_synced: impl FnOnce(),
) {
    tokio::select! {
        _ = shutdown.cancelled() => return,
        r = watched.synced.wait_for(|s| *s) => if r.is_err() { return },
    }
    let mut applied: BTreeMap<String, DesiredConnector> = BTreeMap::new();
    apply_changes(&watched.store, &runtime, &pod, &mut applied, &shutdown).await;
    on_synced();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = watched.changed.notified() => {}
        }
        apply_changes(&watched.store, &runtime, &pod, &mut applied, &shutdown).await;
    }
}

/// Applies each connector whose desired state changed, and removes the ones that are gone.
async fn apply_changes(
    store: &Store<KafkaConnector>,
    runtime: &StandaloneHerder,
    pod: &str,
    applied: &mut BTreeMap<String, DesiredConnector>,
    shutdown: &CancellationToken,
) {
    let mut present = BTreeMap::new();
    for object in store.state() {
        if let Some(name) = object.metadata.name.clone() {
            present.insert(name, desired(&object, pod));
        }
    }
    let gone: Vec<String> = applied
        .keys()
        .filter(|n| !present.contains_key(*n))
        .cloned()
        .collect();
    for name in gone {
        if shutdown.is_cancelled() {
            return;
        }
        runtime.remove_connector(&name).await;
        applied.remove(&name);
    }
    for (name, want) in present {
        if shutdown.is_cancelled() {
            return;
        }
        if applied.get(&name) == Some(&want) {
            continue;
        }
        if let Err(e) = runtime.apply_desired(&name, want.clone()).await {
            tracing::error!(connector = %name, error = %e, "connector cannot run on this worker");
        }
        applied.insert(name, want);
    }
}
