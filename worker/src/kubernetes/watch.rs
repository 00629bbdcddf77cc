//! The watch of this cluster's `KafkaConnector`s (a reflector: list, then watch with resume and
//! backoff; no polling) and the loop that applies each changed connector to the runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ferry_crds::KafkaConnector;
use futures::StreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Api;
use tokio::sync::{watch, Mutex, Notify};
use tokio_util::sync::CancellationToken;

use super::desired::desired;
use super::offsets::{self, OffsetsResults};
use super::report::{claim_report, Reporter};
use crate::runtime::herder::{DesiredConnector, Held, Placement};
use crate::runtime::StandaloneHerder;
use ferry_crds::placement::OffsetsRequest;

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
    writer: reflector::store::Writer<KafkaConnector>,
    shutdown: CancellationToken,
) -> (Watched, tokio::task::JoinHandle<()>) {
    let store = writer.as_reader();
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
    reporter: Arc<Mutex<Reporter>>,
    offsets_results: OffsetsResults,
    pod: String,
    shutdown: CancellationToken,
    on_synced: impl FnOnce(),
) {
    tokio::select! {
        _ = shutdown.cancelled() => return,
        r = watched.synced.wait_for(|s| *s) => if r.is_err() { return },
    }
    let mut applied: BTreeMap<String, DesiredConnector> = BTreeMap::new();
    let ctx = Applier {
        runtime: &runtime,
        reporter: &reporter,
        offsets_results: &offsets_results,
        pod: &pod,
        shutdown: &shutdown,
    };
    ctx.apply_changes(&watched.store, &mut applied).await;
    on_synced();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = watched.changed.notified() => {}
        }
        ctx.apply_changes(&watched.store, &mut applied).await;
    }
}

struct Applier<'a> {
    runtime: &'a StandaloneHerder,
    reporter: &'a Mutex<Reporter>,
    offsets_results: &'a OffsetsResults,
    pod: &'a str,
    shutdown: &'a CancellationToken,
}

impl Applier<'_> {
    /// Applies each connector whose desired state changed, and removes the ones that are gone.
    async fn apply_changes(
        &self,
        store: &Store<KafkaConnector>,
        applied: &mut BTreeMap<String, DesiredConnector>,
    ) {
        let mut present = BTreeMap::new();
        let mut requests = BTreeMap::new();
        for object in store.state() {
            if let Some(name) = object.metadata.name.clone() {
                let version = object.metadata.resource_version.clone().unwrap_or_default();
                let request = object
                    .status
                    .as_ref()
                    .and_then(|s| s.offsets_request.clone())
                    .filter(|r| r.worker == self.pod);
                requests.insert(name.clone(), request);
                present.insert(name, (desired(&object, self.pod), version));
            }
        }
        let gone: Vec<String> = applied
            .keys()
            .filter(|n| !present.contains_key(*n))
            .cloned()
            .collect();
        for name in gone {
            if self.shutdown.is_cancelled() {
                return;
            }
            self.runtime.remove_connector(&name).await;
            applied.remove(&name);
        }
        for (name, (want, version)) in present {
            if self.shutdown.is_cancelled() {
                return;
            }
            if applied.get(&name) == Some(&want) {
                continue;
            }
            if self.apply_one(&name, want.clone(), &version).await {
                applied.insert(name, want);
            } else {
                // Not all of it could be applied: forget it, so the next change tries again.
                applied.remove(&name);
            }
        }
        self.offsets_requests(requests).await;
    }

    /// Carries out the offsets requests addressed to this pod that it has not answered yet, and
    /// forgets the results of requests the operator has closed.
    async fn offsets_requests(&self, requests: BTreeMap<String, Option<OffsetsRequest>>) {
        let mut changed = false;
        for (name, request) in requests {
            let answered = crate::sync::lock(self.offsets_results)
                .get(&name)
                .map(|r| r.id);
            match request {
                Some(request) if answered != Some(request.id) => {
                    tracing::info!(connector = %name, operation = ?request.operation, "offsets request");
                    let result = offsets::execute(self.runtime, &name, &request).await;
                    if !result.succeeded {
                        tracing::warn!(connector = %name, message = %result.message, "offsets request failed");
                    }
                    crate::sync::lock(self.offsets_results).insert(name, result);
                    changed = true;
                }
                Some(_) => {}
                None => {
                    changed |= crate::sync::lock(self.offsets_results)
                        .remove(&name)
                        .is_some()
                }
            }
        }
        if changed {
            self.runtime.changes().notify_one();
        }
    }

    /// Applies one connector. Units newly placed here are claimed first (see
    /// [`Reporter::claim`]); if the claim is refused, only the units already held are kept (so
    /// released ones still stop at once) and `false` says the rest is still to do.
    async fn apply_one(&self, name: &str, want: DesiredConnector, version: &str) -> bool {
        // Held from the claim until the claimed units have started.
        let mut reporter = self.reporter.lock().await;
        let held = self.runtime.held(name).await;
        let (instance, tasks) = new_units(&want.placement, held.as_ref());
        let mut complete = true;
        let mut want = want;
        if instance || !tasks.is_empty() {
            let claim = claim_report(
                reporter.worker_id(),
                held.as_ref(),
                want.generation,
                instance,
                &tasks,
            );
            let claimed = match reporter.claim(name, &claim, version).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(connector = name, error = %e, "cannot claim the units placed on this pod; retrying on the next change");
                    false
                }
            };
            if !claimed {
                tracing::debug!(
                    connector = name,
                    "claim refused: the connector changed since; waiting for its new version"
                );
                want.placement = held_only(&want.placement, held.as_ref());
                complete = false;
            }
        }
        if let Err(e) = self.runtime.apply_desired(name, want).await {
            tracing::error!(connector = %name, error = %e, "connector cannot run on this worker");
        }
        drop(reporter);
        complete
    }
}

/// The units of `placement` this pod does not hold yet: the instance, and task ids.
pub fn new_units(placement: &Placement, held: Option<&Held>) -> (bool, BTreeSet<u32>) {
    let held_instance = held.is_some_and(|h| h.instance.is_some());
    let held_tasks: BTreeSet<u32> = held
        .map(|h| h.tasks.iter().map(|(id, _)| *id).collect())
        .unwrap_or_default();
    (
        placement.instance && !held_instance,
        placement.tasks.difference(&held_tasks).copied().collect(),
    )
}

/// `placement` without the units this pod does not hold yet.
pub fn held_only(placement: &Placement, held: Option<&Held>) -> Placement {
    let (instance, tasks) = new_units(placement, held);
    let mut kept = placement.clone();
    kept.instance &= !instance;
    kept.tasks.retain(|id| !tasks.contains(id));
    kept.task_restarts.retain(|id, _| !tasks.contains(id));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::status::{InstanceStatus, State};

    #[test]
    fn only_units_not_held_need_a_claim() {
        let placement = Placement {
            instance: true,
            tasks: [0, 1, 2].into(),
            instance_restarts: 0,
            task_restarts: [(0, 0), (1, 3), (2, 0)].into(),
        };
        let running = InstanceStatus {
            state: State::Running,
            trace: None,
        };
        let held = Held {
            generation: Some(1),
            instance: None,
            tasks: vec![(1, running)],
        };
        assert_eq!(new_units(&placement, Some(&held)), (true, [0, 2].into()));
        assert_eq!(new_units(&placement, None), (true, [0, 1, 2].into()));
        let kept = held_only(&placement, Some(&held));
        assert!(!kept.instance);
        assert_eq!(kept.tasks, [1].into());
        assert_eq!(kept.task_restarts, [(1, 3)].into());
    }
}
