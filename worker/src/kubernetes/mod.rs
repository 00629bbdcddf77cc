//! The Kubernetes mode (`ferry-worker kubernetes`): the worker runs the units the operator placed on
//! its pod and reports their state into the `KafkaConnector` resources.
//!
//! - [`desired`]: a `KafkaConnector` → what this pod must run of it (pure);
//! - [`watch`]: the watch of this cluster's connectors, applying each change to the runtime;
//! - [`report`]: the runtime's state → this pod's `status.workers.<pod>` entry, and its writer;
//! - [`offsets`]: the offsets operations the operator asks of this pod;
//! - [`rest`]: the REST API's herder, which serves reads and refuses writes;
//! - [`settings`]: the worker properties this mode adds to the standalone ones.
//!
//! See docs/kubernetes-mode.md.

pub mod desired;
pub mod offsets;
pub mod report;
pub mod rest;
pub mod settings;
pub mod watch;

use std::sync::Arc;
use std::time::Duration;

use ferry_crds::KafkaConnector;
use kube::Api;
use tokio_util::sync::CancellationToken;

use crate::rest::herder::Herder;
use crate::runtime::StandaloneHerder;

/// How long a graceful shutdown may spend removing this pod's reports after its tasks stopped.
const REPORT_REMOVAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Who this worker is: its pod, and the `KafkaConnect` (in the pod's namespace) it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub pod: String,
    pub namespace: String,
    pub cluster: String,
}

/// One worker pod in Kubernetes mode, over a runtime built by the caller (so tests can run several
/// "pods" in one process).
pub struct KubernetesWorker {
    client: kube::Client,
    identity: Identity,
    runtime: Arc<StandaloneHerder>,
    /// The watched connectors, shared with the REST API's status reads.
    resources: kube::runtime::reflector::store::Writer<KafkaConnector>,
}

impl KubernetesWorker {
    pub fn new(client: kube::Client, identity: Identity, runtime: Arc<StandaloneHerder>) -> Self {
        KubernetesWorker {
            client,
            identity,
            runtime,
            resources: Default::default(),
        }
    }

    /// The herder for the REST API: the runtime's reads, writes refused (409).
    pub fn rest_herder(&self) -> Arc<dyn Herder> {
        Arc::new(
            rest::ManagedHerder::new(
                self.runtime.clone(),
                &self.identity.namespace,
                &self.identity.cluster,
            )
            .with_resources(self.resources.as_reader()),
        )
    }

    /// Watches, runs and reports until `shutdown`; then stops every task (flushing and committing),
    /// and only then removes this pod's reports, so the operator may move the tasks at once.
    pub async fn run(self, shutdown: CancellationToken) {
        let Identity {
            pod,
            namespace,
            cluster,
        } = self.identity;
        let api: Api<KafkaConnector> = Api::namespaced(self.client, &namespace);
        let selector = format!("{}={cluster}", ferry_crds::CLUSTER_LABEL);
        let (watched, watch_task) =
            watch::start(api.clone(), &selector, self.resources, shutdown.clone());
        let offsets_results = offsets::OffsetsResults::default();
        let reporter = Arc::new(tokio::sync::Mutex::new(report::Reporter::new(
            api,
            &namespace,
            &pod,
            self.runtime.clone(),
            watched.store.clone(),
            offsets_results.clone(),
        )));
        let reporting = tokio::spawn(report::run(
            reporter.clone(),
            self.runtime.changes(),
            shutdown.clone(),
        ));
        let runtime = self.runtime.clone();
        let started = self.runtime.clone();
        tracing::info!(pod = %pod, namespace = %namespace, cluster = %cluster, selector = %selector, "watching KafkaConnectors");
        watch::apply_loop(
            watched,
            runtime,
            reporter.clone(),
            offsets_results,
            pod.clone(),
            shutdown.clone(),
            move || {
                started.mark_started();
                tracing::info!("watch synced: the worker runs what is placed on it");
            },
        )
        .await;

        // Shutdown: nothing is applied any more; stop everything, then withdraw the reports.
        let _ = watch_task.await;
        if let Err(e) = reporting.await {
            tracing::error!(error = %e, "the reporter stopped abnormally");
        }
        self.runtime.shutdown().await;
        reporter
            .lock()
            .await
            .remove_all(tokio::time::Instant::now() + REPORT_REMOVAL_TIMEOUT)
            .await;
        tracing::info!(pod = %pod, "all tasks stopped and reports removed");
    }
}
