//! The real controllers running against a [`FakeApi`], as the controller tests and the scale
//! benchmark use them: the operator's `run_all` with its own counted client, plus the stand-in
//! Deployment controller.

use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{rollout, FakeApi, FakeApiError};
use crate::controller::{run_all, Context};
use crate::metrics::Metrics;

/// The client name the operator's requests are counted under.
pub const OPERATOR: &str = "operator";
/// The client name of the stand-in Deployment controller.
pub const DEPLOYMENT_CONTROLLER: &str = "deployment-controller";
/// The worker image the operator defaults to in the harness.
pub const WORKER_IMAGE: &str = "ferry-worker:test";

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Api(#[from] FakeApiError),
    #[error("cannot create the metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
}

/// An in-process API with the operator's controllers running against it; stops them on drop.
pub struct Harness {
    pub api: FakeApi,
    pub metrics: Metrics,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Harness {
    /// A fresh API with the controllers for all namespaces (`namespaces` empty) or the listed
    /// ones running against it.
    pub async fn start(namespaces: Vec<String>) -> Result<Harness, HarnessError> {
        Harness::start_with(FakeApi::new().await?, namespaces)
    }

    /// The controllers running against `api` (which may already hold objects).
    pub fn start_with(api: FakeApi, namespaces: Vec<String>) -> Result<Harness, HarnessError> {
        let metrics = Metrics::new()?;
        let shutdown = CancellationToken::new();
        let ctx = Arc::new(Context::new(
            api.client(OPERATOR),
            WORKER_IMAGE.to_owned(),
            metrics.clone(),
            "ferry-operator-test".to_owned(),
        ));
        let tasks = vec![
            tokio::spawn(run_all(ctx, namespaces, shutdown.clone())),
            tokio::spawn(rollout::roll_out_deployments(
                api.client(DEPLOYMENT_CONTROLLER),
                shutdown.clone(),
            )),
        ];
        Ok(Harness {
            api,
            metrics,
            shutdown,
            tasks,
        })
    }

    /// Requests the operator made so far.
    pub fn operator_requests(&self) -> u64 {
        self.api.requests().total(OPERATOR)
    }

    /// Stops the controllers and waits until they have.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        for task in self.tasks.drain(..) {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "harness task panicked");
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
