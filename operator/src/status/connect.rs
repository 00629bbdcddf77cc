//! `KafkaConnect` status from the reconcile outcome and the observed worker Deployment.

use ferry_crds::labels::reasons;
use ferry_crds::status::ConnectorPlugin;
use ferry_crds::{KafkaConnect, KafkaConnectStatus};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::conditions::{with_ready, Readiness};
use crate::names;

/// How far a `KafkaConnect` reconcile got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectOutcome {
    /// The spec is invalid; nothing was applied. The message names the keys.
    Invalid(String),
    /// Secrets named in the spec do not exist; nothing was applied, the workers keep running.
    MissingSecrets(Vec<String>),
    /// The API refused an object; the message says which and why.
    ApplyFailed(String),
    /// Every object was applied.
    Applied,
}

/// Ready only when every object was applied and the Deployment has rolled out completely.
pub fn connect_readiness(
    outcome: &ConnectOutcome,
    desired_replicas: i32,
    deployment: Option<&Deployment>,
) -> Readiness {
    match outcome {
        ConnectOutcome::Invalid(message) => Readiness::not_ready(reasons::INVALID_CONFIG, message),
        ConnectOutcome::MissingSecrets(missing) => Readiness::not_ready(
            reasons::REFERENCE_NOT_FOUND,
            format!(
                "Secret(s) not found in the namespace: {}",
                missing.join(", ")
            ),
        ),
        ConnectOutcome::ApplyFailed(message) => {
            Readiness::not_ready(reasons::APPLY_FAILED, message)
        }
        ConnectOutcome::Applied => deployment_readiness(desired_replicas, deployment),
    }
}

fn deployment_readiness(desired: i32, deployment: Option<&Deployment>) -> Readiness {
    let Some(d) = deployment else {
        return Readiness::not_ready(
            reasons::DEPLOYMENT_PROGRESSING,
            "the worker Deployment does not exist yet",
        );
    };
    let status = d.status.clone().unwrap_or_default();
    let generation = d.metadata.generation.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        return Readiness::not_ready(
            reasons::DEPLOYMENT_PROGRESSING,
            "the worker Deployment's latest change is not observed yet",
        );
    }
    let updated = status.updated_replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    if updated < desired || available < desired || total > desired {
        return Readiness::not_ready(
            reasons::DEPLOYMENT_PROGRESSING,
            format!(
                "{available} of {desired} workers available, {updated} updated, {total} running"
            ),
        );
    }
    Readiness::ready(
        reasons::RECONCILED,
        format!("{desired} worker(s) available"),
    )
}

/// Plugins every worker provides: the connector library is compiled into both binaries.
pub fn connector_plugins() -> Vec<ConnectorPlugin> {
    ferry_worker::plugins::plugin_infos(false)
        .into_iter()
        .map(|p| ConnectorPlugin {
            class: p.class_name,
            type_: p.plugin_type,
            version: p.version,
        })
        .collect()
}

/// The full status document.
pub fn connect_status(
    connect: &KafkaConnect,
    readiness: &Readiness,
    deployment: Option<&Deployment>,
    now: &Time,
) -> KafkaConnectStatus {
    let name = connect.metadata.name.as_deref().unwrap_or_default();
    let namespace = connect.metadata.namespace.as_deref().unwrap_or_default();
    let previous = connect.status.as_ref();
    let generation = connect.metadata.generation;
    KafkaConnectStatus {
        conditions: with_ready(
            previous
                .map(|s| s.conditions.as_slice())
                .unwrap_or_default(),
            readiness,
            generation,
            now,
        ),
        observed_generation: generation,
        replicas: Some(
            deployment
                .and_then(|d| d.status.as_ref())
                .and_then(|s| s.replicas)
                .unwrap_or(0),
        ),
        label_selector: Some(names::selector_string(name)),
        url: Some(names::rest_url(name, namespace)),
        connector_plugins: connector_plugins(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::conditions::tests::at;
    use ferry_crds::KafkaConnectSpec;
    use k8s_openapi::api::apps::v1::DeploymentStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn deployment(
        generation: i64,
        observed: i64,
        updated: i32,
        available: i32,
        total: i32,
    ) -> Deployment {
        Deployment {
            metadata: ObjectMeta {
                generation: Some(generation),
                ..ObjectMeta::default()
            },
            status: Some(DeploymentStatus {
                observed_generation: Some(observed),
                updated_replicas: Some(updated),
                available_replicas: Some(available),
                replicas: Some(total),
                ..DeploymentStatus::default()
            }),
            ..Deployment::default()
        }
    }

    #[test]
    fn readiness_follows_the_rollout() {
        let applied = ConnectOutcome::Applied;
        assert_eq!(
            connect_readiness(&applied, 2, None).reason,
            reasons::DEPLOYMENT_PROGRESSING
        );
        let stale = deployment(2, 1, 2, 2, 2);
        assert!(!connect_readiness(&applied, 2, Some(&stale)).ready);
        let rolling = deployment(2, 2, 1, 2, 3);
        let r = connect_readiness(&applied, 2, Some(&rolling));
        assert!(!r.ready);
        assert!(r.message.contains("1 updated"), "{}", r.message);
        let done = deployment(2, 2, 2, 2, 2);
        let r = connect_readiness(&applied, 2, Some(&done));
        assert!(r.ready);
        assert_eq!(r.reason, reasons::RECONCILED);
        let zero = deployment(3, 3, 0, 0, 0);
        assert!(connect_readiness(&applied, 0, Some(&zero)).ready);
    }

    #[test]
    fn failures_map_to_reasons() {
        let d = deployment(1, 1, 1, 1, 1);
        let r = connect_readiness(&ConnectOutcome::Invalid("bad key".into()), 1, Some(&d));
        assert_eq!((r.ready, r.reason), (false, reasons::INVALID_CONFIG));
        let r = connect_readiness(
            &ConnectOutcome::MissingSecrets(vec!["pw".into()]),
            1,
            Some(&d),
        );
        assert_eq!(r.reason, reasons::REFERENCE_NOT_FOUND);
        assert!(r.message.contains("pw"));
        let r = connect_readiness(&ConnectOutcome::ApplyFailed("denied".into()), 1, Some(&d));
        assert_eq!(r.reason, reasons::APPLY_FAILED);
    }

    #[test]
    fn status_has_url_selector_replicas_plugins_and_generation() {
        let mut kc = KafkaConnect::new("c", KafkaConnectSpec::new("b:9092", "g", "o"));
        kc.metadata.namespace = Some("ns".into());
        kc.metadata.generation = Some(4);
        let d = deployment(1, 1, 1, 1, 1);
        let r = Readiness::ready(reasons::RECONCILED, "ok");
        let s = connect_status(&kc, &r, Some(&d), &at(10));
        assert_eq!(s.url.as_deref(), Some("http://c-connect-api.ns.svc:8083"));
        assert_eq!(
            s.label_selector.as_deref(),
            Some(names::selector_string("c").as_str())
        );
        assert_eq!(s.replicas, Some(1));
        assert_eq!(s.observed_generation, Some(4));
        assert_eq!(s.conditions[0].observed_generation, Some(4));
        assert!(s.connector_plugins.iter().any(|p| p.class
            == "org.apache.kafka.connect.file.FileStreamSinkConnector"
            && p.type_ == "sink"));
    }
}
