//! An in-process Kubernetes API server for the controller tests and the scale benchmark (cargo
//! feature `fake-api`; the operator binary does not contain it).
//!
//! The objects, the status subresource, label selectors and server-side apply come from
//! `kube-fake-client`. What it lacks, this module adds as a tower service in front of it:
//! - **watch**: every write that changes an object goes into a change log ([`log`]), and
//!   `?watch=true` requests stream the log's changes for their resource, namespace and label
//!   selector, resuming from a resourceVersion (or `410 Gone` when that is too old);
//! - **real-server semantics of no-op writes and `generation`**: a write that changes nothing
//!   emits no event and keeps resourceVersion and generation; generation counts changes outside
//!   metadata and status only;
//! - **consistent lists**: one resourceVersion for the whole list (the fake answers "1"), no
//!   truncation at `limit`;
//! - **request counts** per client name and verb ([`RequestCounts`]).
//!
//! [`harness`] runs the operator's controllers against it in-process (the controller tests);
//! [`http`] serves it over HTTP from a process of its own (the scale benchmark).
//!
//! What it does not do: a DELETE ignores finalizers and cascades to owned objects inside the fake
//! without watch events for them; no admission (CRD schemas, CEL rules) or defaulting; no
//! Deployment controller except the stand-in in [`rollout`]; watch events for objects whose labels
//! stop matching a selector are not turned into DELETED.

mod counts;
pub mod harness;
pub mod http;
mod log;
pub mod rollout;
mod service;
mod target;
pub mod wait;
mod watch;

use std::sync::{Arc, Mutex};

use ferry_crds::{KafkaConnect, KafkaConnector};
use k8s_openapi::api::apps::v1::Deployment;

pub use counts::{RequestCounts, Verb};
use service::{FakeService, Shared};

/// Why the fake API could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeApiError {
    #[error("cannot build kube-fake-client: {0}")]
    Build(#[from] kube_fake_client::Error),
}

/// One in-process API server; hand out clients with [`FakeApi::client`].
pub struct FakeApi {
    shared: Arc<Shared>,
}

impl FakeApi {
    /// An empty API serving the built-in kinds and Ferry's custom resources.
    pub async fn new() -> Result<FakeApi, FakeApiError> {
        let fake = kube_fake_client::ClientBuilder::new()
            .with_resource::<KafkaConnect>()
            .with_resource::<KafkaConnector>()
            // The custom resources do not implement Default, which this needs; their status is
            // only ever written through /status, which keeps their spec and generation anyway.
            .with_status_subresource::<Deployment>()
            .build()
            .await?;
        Ok(FakeApi {
            shared: Arc::new(Shared {
                fake,
                serial: tokio::sync::Mutex::new(()),
                log: Mutex::new(log::Log::default()),
                counts: RequestCounts::default(),
            }),
        })
    }

    /// A client of this API whose requests are counted under `caller`.
    pub fn client(&self, caller: &str) -> kube::Client {
        kube::Client::new(self.service(caller), "default")
    }

    fn service(&self, caller: &str) -> FakeService {
        FakeService {
            shared: self.shared.clone(),
            caller: caller.into(),
        }
    }

    /// Requests so far, per client name and verb.
    pub fn requests(&self) -> &RequestCounts {
        &self.shared.counts
    }
}
