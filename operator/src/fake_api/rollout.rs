//! A stand-in for kube-controller-manager's Deployment controller, which the in-process API does
//! not have: it reports every Deployment as rolled out (all replicas updated and available) as
//! soon as it sees a generation it has not reported yet. Without it no KafkaConnect could become
//! Ready.

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// The field manager of its status writes.
pub const MANAGER: &str = "fake-deployment-controller";

/// Watches Deployments through `client` and marks them rolled out, until `shutdown`.
pub async fn roll_out_deployments(client: Client, shutdown: CancellationToken) {
    let deployments: Api<Deployment> = Api::all(client.clone());
    let work = watcher(deployments, watcher::Config::default())
        .default_backoff()
        .applied_objects()
        .for_each(|event| {
            let client = client.clone();
            async move {
                match event {
                    Ok(d) => {
                        if let Err(e) = mark_rolled_out(&client, &d).await {
                            warn!(deployment = %d.name_any(), error = %e, "cannot write the status");
                        }
                    }
                    Err(e) => warn!(error = %e, "Deployment watch"),
                }
            }
        });
    tokio::select! {
        _ = work => {}
        _ = shutdown.cancelled() => {}
    }
}

async fn mark_rolled_out(client: &Client, d: &Deployment) -> Result<(), kube::Error> {
    let Some(status) = rolled_out_status(d) else {
        return Ok(());
    };
    let ns = d.namespace().unwrap_or_default();
    let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let body = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "status": status});
    api.patch_status(
        &d.name_any(),
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .map(|_| ())
}

/// The status of `d` fully rolled out, or `None` when its status already says so.
pub fn rolled_out_status(d: &Deployment) -> Option<DeploymentStatus> {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: Some(replicas),
        updated_replicas: Some(replicas),
        ready_replicas: Some(replicas),
        available_replicas: Some(replicas),
        ..DeploymentStatus::default()
    };
    let current = d.status.clone().unwrap_or_default();
    let done = current.observed_generation == status.observed_generation
        && current.replicas == status.replicas
        && current.updated_replicas == status.updated_replicas
        && current.ready_replicas == status.ready_replicas
        && current.available_replicas == status.available_replicas;
    (!done).then_some(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentSpec;

    #[test]
    fn reports_each_new_generation_once() {
        let mut d = Deployment {
            spec: Some(DeploymentSpec {
                replicas: Some(3),
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        };
        d.metadata.generation = Some(2);
        let status = rolled_out_status(&d).expect("not reported yet");
        assert_eq!(status.observed_generation, Some(2));
        assert_eq!(status.available_replicas, Some(3));
        d.status = Some(status);
        assert!(rolled_out_status(&d).is_none());
        d.metadata.generation = Some(3);
        assert!(rolled_out_status(&d).is_some());
    }
}
