//! The `KafkaConnect` controller: validate → build → apply → status. Owns every generated object,
//! so a hand edit or deletion triggers a reconcile that undoes it; watches Secret metadata, so a
//! rotated Secret rolls the workers. The KafkaConnects themselves come from the scope's shared
//! reflector (`super::connects`).

use std::collections::BTreeMap;
use std::sync::Arc;

use ferry_crds::KafkaConnect;
use futures::Stream;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, PartialObjectMeta};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::ResourceExt;
use tokio_util::sync::CancellationToken;

use super::apply::{apply, apply_status};
use super::context::{is_transition, Context};
use super::error::Error;
use super::scoped_api;
use crate::build::hash::secret_data_hash;
use crate::build::references::hashed_secrets;
use crate::build::{build_all, DesiredObjects};
use crate::names;
use crate::status::connect::{connect_readiness, connect_status, ConnectOutcome};
use crate::validate::connect::validate_connect;
use crate::validate::problems_message;

const KIND: &str = "KafkaConnect";

/// Runs the controller for one scope (a namespace, or all) until `shutdown`, driven by the
/// scope's shared KafkaConnect reflector (`connects` and its `store`).
pub async fn run(
    ctx: Arc<Context>,
    namespace: Option<String>,
    connects: impl Stream<Item = Result<KafkaConnect, watcher::Error>> + Send + 'static,
    store: Store<KafkaConnect>,
    shutdown: CancellationToken,
) {
    let client = ctx.client.clone();
    let owned = watcher::Config::default().labels(&format!(
        "app.kubernetes.io/managed-by={}",
        names::MANAGED_BY
    ));
    let outcomes = Controller::for_stream(connects, store.clone())
        .owns(
            scoped_api::<ConfigMap>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<Deployment>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<Service>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<PodDisruptionBudget>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<ServiceAccount>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<Role>(&client, namespace.as_deref()),
            owned.clone(),
        )
        .owns(
            scoped_api::<RoleBinding>(&client, namespace.as_deref()),
            owned,
        )
        // Metadata only: the operator learns that a Secret changed without caching its data.
        .watches(
            scoped_api::<PartialObjectMeta<Secret>>(&client, namespace.as_deref()),
            watcher::Config::default(),
            move |secret| {
                let connects = store.state();
                connects_referencing(
                    connects.iter().map(|c| c.as_ref()),
                    secret.namespace().as_deref(),
                    &secret.name_any(),
                )
            },
        )
        .with_config(super::controller_config())
        .graceful_shutdown_on(shutdown.cancelled_owned())
        .run(reconcile, error_policy, ctx);
    super::log_outcomes(outcomes, KIND).await;
}

/// KafkaConnects of `namespace` whose spec names the Secret `name`.
pub fn connects_referencing<'a>(
    connects: impl Iterator<Item = &'a KafkaConnect>,
    namespace: Option<&str>,
    name: &str,
) -> Vec<ObjectRef<KafkaConnect>> {
    connects
        .filter(|c| c.metadata.namespace.as_deref() == namespace)
        .filter(|c| hashed_secrets(&c.spec).contains(name))
        .map(ObjectRef::from_obj)
        .collect()
}

async fn reconcile(kc: Arc<KafkaConnect>, ctx: Arc<Context>) -> Result<Action, Error> {
    ctx.instrumented(KIND, &*kc, reconcile_inner(&kc, &ctx))
        .await
}

fn error_policy(kc: Arc<KafkaConnect>, error: &Error, ctx: Arc<Context>) -> Action {
    ctx.retry_after_error(KIND, &*kc, error)
}

async fn reconcile_inner(kc: &KafkaConnect, ctx: &Context) -> Result<Action, Error> {
    let name = kc.name_any();
    let ns = kc
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
    let deployments: Api<Deployment> = ctx.api(&ns);

    let mut failure = None;
    let (outcome, deployment) = {
        let problems = validate_connect(&kc.spec);
        if !problems.is_empty() {
            (ConnectOutcome::Invalid(problems_message(&problems)), None)
        } else {
            match secret_hashes(ctx, &ns, kc).await? {
                Err(missing) => (ConnectOutcome::MissingSecrets(missing), None),
                Ok(hashes) => {
                    let desired = build_all(kc, &ctx.default_image, &hashes)?;
                    match apply_all(ctx, &ns, &desired).await {
                        Ok(d) => (ConnectOutcome::Applied, Some(d)),
                        Err(e) => {
                            let outcome = ConnectOutcome::ApplyFailed(e.to_string());
                            failure = Some(e);
                            (outcome, None)
                        }
                    }
                }
            }
        }
    };
    // When nothing was applied, report the replicas of the Deployment that keeps running.
    let deployment = match deployment {
        Some(d) => Some(d),
        None => deployments
            .get_opt(&names::workers(&name))
            .await
            .map_err(|source| Error::Read {
                what: format!("Deployment {}", names::workers(&name)),
                source,
            })?,
    };

    let readiness = connect_readiness(&outcome, kc.spec.replicas, deployment.as_ref());
    let status = connect_status(kc, &readiness, deployment.as_ref(), &now());
    if kc.status.as_ref() != Some(&status) {
        let api: Api<KafkaConnect> = ctx.api(&ns);
        apply_status(&api, &name, &status).await?;
        let previous = kc.status.as_ref().and_then(|s| s.ready());
        if is_transition(previous, &readiness) {
            ctx.ready_event(kc, &readiness).await;
        }
    }
    match failure {
        Some(e) => Err(e),
        // Watches on the resource and every owned object bring the next change; no resync.
        None => Ok(Action::await_change()),
    }
}

/// Data hash of every Secret the spec names, or the names of the missing ones.
async fn secret_hashes(
    ctx: &Context,
    ns: &str,
    kc: &KafkaConnect,
) -> Result<Result<BTreeMap<String, String>, Vec<String>>, Error> {
    let secrets: Api<Secret> = ctx.api(ns);
    let mut hashes = BTreeMap::new();
    let mut missing = Vec::new();
    for name in hashed_secrets(&kc.spec) {
        match secrets.get_opt(&name).await {
            Ok(Some(secret)) => {
                hashes.insert(name, secret_data_hash(&secret));
            }
            Ok(None) => missing.push(name),
            Err(source) => {
                return Err(Error::Read {
                    what: format!("Secret {name}"),
                    source,
                })
            }
        }
    }
    Ok(if missing.is_empty() {
        Ok(hashes)
    } else {
        Err(missing)
    })
}

/// Applies in dependency order and returns the Deployment as stored (with its status).
async fn apply_all(ctx: &Context, ns: &str, d: &DesiredObjects) -> Result<Deployment, Error> {
    apply(&ctx.api::<ServiceAccount>(ns), &d.service_account).await?;
    apply(&ctx.api::<Role>(ns), &d.role).await?;
    apply(&ctx.api::<RoleBinding>(ns), &d.role_binding).await?;
    apply(&ctx.api::<ConfigMap>(ns), &d.config_map).await?;
    apply(&ctx.api::<Service>(ns), &d.service).await?;
    apply(
        &ctx.api::<PodDisruptionBudget>(ns),
        &d.pod_disruption_budget,
    )
    .await?;
    apply(&ctx.api::<Deployment>(ns), &d.deployment).await
}

fn now() -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::common::{CertSecretSource, ClientTls};
    use ferry_crds::KafkaConnectSpec;

    #[test]
    fn secret_changes_map_to_the_connects_naming_them() {
        let mut a = KafkaConnect::new("a", KafkaConnectSpec::new("b:9092", "g", "o"));
        a.metadata.namespace = Some("ns".into());
        a.spec.tls = Some(ClientTls {
            trusted_certificates: vec![CertSecretSource {
                secret_name: "ca".into(),
                certificate: Some("ca.crt".into()),
                pattern: None,
            }],
        });
        let mut b = a.clone();
        b.metadata.name = Some("b".into());
        b.spec.tls = None;
        let mut other_ns = a.clone();
        other_ns.metadata.namespace = Some("elsewhere".into());
        let all = [a, b, other_ns];
        let refs = connects_referencing(all.iter(), Some("ns"), "ca");
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].name, "a");
        assert_eq!(refs[0].namespace.as_deref(), Some("ns"));
        assert!(connects_referencing(all.iter(), Some("ns"), "unrelated").is_empty());
    }
}
