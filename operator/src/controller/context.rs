//! What every reconcile shares: the client, the defaults, metrics, events and retry state.

use std::fmt::Debug;

use std::future::Future;

use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tracing::warn;

use super::backoff::Failures;
use super::error::Error;
use crate::metrics::Metrics;
use crate::names::FIELD_MANAGER;
use crate::status::conditions::Readiness;

/// Shared state of the controllers.
pub struct Context {
    pub client: Client,
    /// Worker image when `spec.image` is unset.
    pub default_image: String,
    pub metrics: Metrics,
    pub recorder: Recorder,
    pub failures: Failures,
}

impl Context {
    /// The context of controllers talking to `client`; `identity` names this operator instance
    /// in the Events it publishes.
    pub fn new(client: Client, default_image: String, metrics: Metrics, identity: String) -> Self {
        Context {
            recorder: Recorder::new(
                client.clone(),
                Reporter {
                    controller: FIELD_MANAGER.to_owned(),
                    instance: Some(identity),
                },
            ),
            client,
            default_image,
            metrics,
            failures: Failures::default(),
        }
    }

    /// An Api for `K` in `namespace`.
    pub fn api<K>(&self, namespace: &str) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// Publishes an Event about `obj` when its `Ready` condition changed. Event failures are
    /// logged, never fatal: an Event is a courtesy, the status is the record.
    pub async fn ready_event<K>(&self, obj: &K, readiness: &Readiness)
    where
        K: Resource<DynamicType = ()>,
    {
        let type_ = if readiness.ready {
            EventType::Normal
        } else {
            EventType::Warning
        };
        self.event(
            obj,
            type_,
            readiness.reason,
            &readiness.message,
            "Reconcile",
        )
        .await;
    }

    /// Publishes an Event about `obj`; a failure to publish is logged, never fatal.
    pub async fn event<K>(&self, obj: &K, type_: EventType, reason: &str, note: &str, action: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        let event = Event {
            type_,
            reason: reason.to_owned(),
            note: Some(truncate(note, 1000)),
            action: action.to_owned(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&event, &obj.object_ref(&())).await {
            warn!(object = %obj.name_any(), error = %e, "cannot publish event");
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Whether the `Ready` condition changes in a way worth an Event (status or reason).
pub fn is_transition(
    previous: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>,
    readiness: &Readiness,
) -> bool {
    let status = if readiness.ready { "True" } else { "False" };
    previous.is_none_or(|p| p.status != status || p.reason != readiness.reason)
}

/// `<Kind>/<namespace>/<name>`: how logs and the retry backoff name an object.
pub fn object_key<K: Resource>(kind: &str, obj: &K) -> String {
    format!(
        "{kind}/{}/{}",
        obj.namespace().unwrap_or_default(),
        obj.name_any()
    )
}

impl Context {
    /// Runs one reconcile with what every controller records around it: the count, the duration, and a
    /// reset of the object's retry backoff on success.
    pub async fn instrumented<K: Resource>(
        &self,
        kind: &str,
        obj: &K,
        reconcile: impl Future<Output = Result<Action, Error>>,
    ) -> Result<Action, Error> {
        self.metrics.reconciles.with_label_values(&[kind]).inc();
        let timer = self
            .metrics
            .duration
            .with_label_values(&[kind])
            .start_timer();
        let result = reconcile.await;
        timer.observe_duration();
        if result.is_ok() {
            self.failures.succeeded(&object_key(kind, obj));
        }
        result
    }

    /// The error policy every controller shares: count the error by kind, log it, retry with the
    /// object's growing backoff.
    pub fn retry_after_error<K: Resource>(&self, kind: &str, obj: &K, error: &Error) -> Action {
        self.metrics
            .errors
            .with_label_values(&[kind, error.metric_label()])
            .inc();
        let key = object_key(kind, obj);
        let delay = self.failures.failed(&key);
        warn!(object = %key, error = %error, retry_in = ?delay, "reconcile failed");
        Action::requeue(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::conditions::tests::at;
    use crate::status::conditions::with_ready;

    #[test]
    fn transitions_are_status_or_reason_changes() {
        let r = Readiness::not_ready("ClusterNotFound", "m");
        assert!(is_transition(None, &r));
        let conds = with_ready(&[], &r, None, &at(1));
        assert!(!is_transition(
            conds.first(),
            &Readiness::not_ready("ClusterNotFound", "other")
        ));
        assert!(is_transition(
            conds.first(),
            &Readiness::not_ready("InvalidConfig", "m")
        ));
        assert!(is_transition(
            conds.first(),
            &Readiness::ready("ClusterNotFound", "m")
        ));
        assert_eq!(truncate("héllo", 2), "h");
    }
}
