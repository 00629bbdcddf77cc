//! One `KafkaConnect` reflector per watch scope, shared by both controllers: it drives the
//! KafkaConnect controller, triggers the reconciles of the connectors bound to a changed cluster,
//! and is the store the connector controller finds a connector's cluster in (no GET per
//! reconcile, and one KafkaConnect watch instead of one per controller).
//!
//! kube-runtime's own shared streams (`store_shared`) do not pass deletions on, and a connector
//! must learn that its cluster disappeared; so this is a small fan-out of its own. Every change is
//! handed on only after the store has it: a reconcile triggered by it reads the new state.

use std::collections::HashSet;
use std::sync::Arc;

use ferry_crds::KafkaConnect;
use futures::{Stream, StreamExt};
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Resource;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Changes buffered per subscriber before the reflector waits for it.
const BUFFER: usize = 256;

/// A KafkaConnect reflector with subscribers; run it with [`SharedConnects::run`].
pub struct SharedConnects {
    api: Api<KafkaConnect>,
    writer: reflector::store::Writer<KafkaConnect>,
    subscribers: Vec<mpsc::Sender<KafkaConnect>>,
}

impl SharedConnects {
    pub fn new(api: Api<KafkaConnect>) -> Self {
        SharedConnects {
            api,
            writer: reflector::store::Writer::default(),
            subscribers: Vec::new(),
        }
    }

    /// The store, ready once the first list is in.
    pub fn store(&self) -> Store<KafkaConnect> {
        self.writer.as_reader()
    }

    /// Every KafkaConnect that was added, changed or deleted, once the store reflects it. Take
    /// every subscription before [`SharedConnects::run`].
    pub fn subscribe(
        &mut self,
    ) -> impl Stream<Item = Result<KafkaConnect, watcher::Error>> + Send + 'static {
        let (tx, rx) = mpsc::channel(BUFFER);
        self.subscribers.push(tx);
        futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|kc| (Ok(kc), rx))
        })
    }

    /// Watches and hands every change to the subscribers until `shutdown` (which ends their
    /// streams).
    pub async fn run(self, shutdown: CancellationToken) {
        let SharedConnects {
            api,
            writer,
            subscribers,
        } = self;
        let store = writer.as_reader();
        let events = kube::runtime::watcher(api, watcher::Config::default())
            .default_backoff()
            .reflect(writer);
        futures::pin_mut!(events);
        let mut before_relist = Vec::new();
        loop {
            let event = tokio::select! {
                _ = shutdown.cancelled() => break,
                event = events.next() => event,
            };
            let changed = match event {
                None => break,
                Some(Err(e)) => {
                    // The watcher retries with backoff; the store keeps its last state meanwhile.
                    warn!(error = %e, "KafkaConnect watch");
                    continue;
                }
                Some(Ok(Event::Apply(kc) | Event::Delete(kc))) => vec![kc],
                // A (re)list: the store swaps to the new list at InitDone only, so changes are
                // handed on then.
                Some(Ok(Event::Init)) => {
                    before_relist = store.state();
                    continue;
                }
                Some(Ok(Event::InitApply(_))) => continue,
                Some(Ok(Event::InitDone)) => {
                    relisted(&std::mem::take(&mut before_relist), &store.state())
                        .into_iter()
                        .map(|kc| (*kc).clone())
                        .collect()
                }
            };
            for kc in changed {
                for subscriber in &subscribers {
                    // A closed subscriber is a controller that stopped; the others go on.
                    let _ = subscriber.send(kc.clone()).await;
                }
            }
        }
        info!("KafkaConnect reflector stopped");
    }
}

/// What a relist may have changed: every object listed, and those that disappeared while the
/// watch was down (their connectors must hear that the cluster is gone).
pub fn relisted<K>(before: &[Arc<K>], after: &[Arc<K>]) -> Vec<Arc<K>>
where
    K: Resource<DynamicType = ()>,
{
    let listed: HashSet<ObjectRef<K>> = after.iter().map(|k| ObjectRef::from_obj(&**k)).collect();
    let vanished = before
        .iter()
        .filter(|k| !listed.contains(&ObjectRef::from_obj(&***k)));
    after.iter().chain(vanished).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::KafkaConnectSpec;

    fn kc(name: &str) -> Arc<KafkaConnect> {
        let mut kc = KafkaConnect::new(name, KafkaConnectSpec::new("b:9092", "g", "o"));
        kc.metadata.namespace = Some("ns".into());
        Arc::new(kc)
    }

    #[test]
    fn a_relist_reports_the_listed_and_the_vanished() {
        let before = [kc("a"), kc("gone")];
        let after = [kc("a"), kc("new")];
        let mut names: Vec<String> = relisted(&before, &after)
            .iter()
            .map(|k| k.metadata.name.clone().unwrap_or_default())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "gone", "new"]);
        assert!(relisted::<KafkaConnect>(&[], &[]).is_empty());
    }
}
