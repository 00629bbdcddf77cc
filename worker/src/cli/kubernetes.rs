//! `ferry-worker kubernetes`: the mode the operator's Deployment runs. Reads the worker properties,
//! opens the offsets topic, serves the REST API (reads only), and runs the units the operator
//! places on this pod until SIGTERM, then stops them and withdraws its reports.

use std::process::ExitCode;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::standalone::{fail, resolve_worker_props, wait_for_signal};
use super::{exit, KubernetesArgs};
use crate::config::properties::load_properties_file;
use crate::config::providers::ConfigProviders;
use crate::config::worker::WorkerConfig;
use crate::kubernetes::{settings, Identity, KubernetesWorker};
use crate::metrics::WorkerMetrics;
use crate::runtime::StandaloneHerder;
use crate::storage::{KafkaOffsetStore, OffsetStore};

/// A flag's value, else its environment variable's; a missing one names both and what sets it.
fn required(
    flag: Option<String>,
    var: &str,
    flag_name: &str,
    set_by: &str,
) -> Result<String, String> {
    flag.or_else(|| std::env::var(var).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            format!("{var} is not set: the Kubernetes mode needs {set_by} (the operator's Deployment sets {var}; outside it, pass {flag_name})")
        })
}

fn identity(args: &KubernetesArgs) -> Result<Identity, String> {
    Ok(Identity {
        pod: required(
            args.pod_name.clone(),
            "POD_NAME",
            "--pod-name",
            "the name of its pod (its worker id and its key in the connectors' status.workers)",
        )?,
        namespace: required(
            args.namespace.clone(),
            "POD_NAMESPACE",
            "--namespace",
            "the namespace of its KafkaConnectors",
        )?,
        cluster: required(
            args.cluster.clone(),
            "FERRY_CONNECT_CLUSTER",
            "--cluster",
            "the name of its KafkaConnect (the ferry.dev/cluster label of its connectors)",
        )?,
    })
}

pub async fn run(args: KubernetesArgs) -> ExitCode {
    let started_at = std::time::Instant::now();
    let source = args.config.display().to_string();
    let identity = match identity(&args) {
        Ok(i) => i,
        Err(e) => return fail(exit::CONFIG, e),
    };
    let mut props = match load_properties_file(&args.config) {
        Ok(p) => p,
        Err(e) => return fail(exit::CONFIG, e),
    };
    // The worker id is the pod name, whatever else the file says (the operator sets the same).
    props
        .entry("rest.advertised.host.name".to_string())
        .or_insert_with(|| identity.pod.clone());
    let providers = match ConfigProviders::from_worker_props(&props) {
        Ok(p) => p,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    let mut props = match resolve_worker_props(&providers, props).await {
        Ok(p) => p,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    let mode = match settings::split(&mut props) {
        Ok(m) => m,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    let (config, warnings) = match WorkerConfig::from_props(props) {
        Ok(c) => c,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    for w in warnings {
        tracing::warn!("{source}: {w}");
    }
    let worker_settings = match super::worker_settings(&config) {
        Ok(s) => s,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    let offset_settings = match settings::offset_settings(&mode, &config) {
        Ok(s) => s,
        Err(e) => return fail(exit::CONFIG, format!("{source}: {e}")),
    };
    let client = match kube::Client::try_default().await {
        Ok(c) => c,
        Err(e) => {
            return fail(
                exit::CONFIG,
                format!(
                "cannot reach the Kubernetes API (in-cluster service account or kubeconfig): {e}"
            ),
            )
        }
    };
    let offsets: Arc<dyn OffsetStore> = match KafkaOffsetStore::open(offset_settings).await {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(exit::CONFIG, e),
    };
    let metrics = match WorkerMetrics::new() {
        Ok(m) => Arc::new(m),
        Err(e) => return fail(exit::CONFIG, e),
    };
    let runtime = Arc::new(
        StandaloneHerder::new(worker_settings, offsets, metrics).with_config_providers(providers),
    );
    let worker = KubernetesWorker::new(client, identity, runtime);
    let shutdown = CancellationToken::new();
    let rest_stop = CancellationToken::new();
    let servers = match super::rest::serve_rest(
        &config,
        worker.rest_herder(),
        &rest_stop,
        &args.config,
    )
    .await
    {
        Ok(s) => s,
        Err(message) => return fail(exit::CONFIG, message),
    };
    tracing::info!(
        startup_ms = started_at.elapsed().as_millis() as u64,
        "Ferry worker started in Kubernetes mode"
    );
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: stopping tasks, flushing and committing offsets, then removing this pod's reports");
        signal.cancel();
    });
    worker.run(shutdown).await;
    // The REST API answers until the very end, so status stays readable while tasks stop.
    rest_stop.cancel();
    for s in servers {
        let _ = s.await;
    }
    tracing::info!("Ferry worker stopped");
    ExitCode::SUCCESS
}
