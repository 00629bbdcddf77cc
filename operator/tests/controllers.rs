//! The real controllers (`ferry_operator::controller::run_all`, kube-runtime `Controller`s with
//! their watches) against the in-process API of `ferry_operator::fake_api`.
//!
//! What these tests prove:
//! - the KafkaConnect controller applies all seven objects with a controller owner reference to
//!   the KafkaConnect, and reports `Ready=True` with `observedGeneration` once the Deployment is
//!   rolled out (by the stand-in Deployment controller);
//! - a hand edit (Deployment replicas, ConfigMap data) or a hand deletion (ConfigMap) of an owned
//!   object is undone, triggered by the owned-object watch: the operator makes no LIST meanwhile
//!   (so no relist brought it) and has no periodic requeue on success;
//! - a KafkaConnector without its cluster gets `Ready=False`/`ClusterNotFound`, recovers by
//!   itself when the KafkaConnect appears and falls back when it is deleted (the shared
//!   KafkaConnect reflector's changes, deletions included, reach the bound connectors);
//! - connector reconciles read the cluster from that reflector's store, not with a GET;
//! - an invalid connector config gets `Ready=False`/`InvalidConfig` naming the key, and a fix is
//!   picked up for the new generation;
//! - every status the controllers write has a `Ready` condition, True or False;
//! - once settled, the operator makes no API call over a 1.5 s window.
//!
//! What they cannot prove (the fake is not a kube-apiserver):
//! - admission: the CRD schemas and CEL rules are not enforced here (the schema tests do that);
//! - real server-side apply merging: the fake merges an apply like a JSON merge patch, so field
//!   removal by apply and list-map merge keys are not exercised;
//! - garbage collection events: deleting a KafkaConnect removes its objects inside the fake
//!   without watch events for them, and finalizers are ignored;
//! - the Deployment's real rollout (a stand-in marks every generation rolled out at once);
//! - timing under a real API server's latency, watch bookmarks and rate limits; "within a second"
//!   is not asserted, only "before a 10 s deadline" (the measured time is printed);
//! - periodic calls slower than the 1.5 s window (the scale benchmark watches 60 s).

mod support;

use std::time::{Duration, Instant};

use ferry_crds::common::{CertSecretSource, ClientTls};
use ferry_crds::connector::ConnectorTargetState;
use ferry_crds::labels::reasons;
use ferry_crds::{KafkaConnect, KafkaConnector};
use ferry_operator::fake_api::harness::OPERATOR;
use ferry_operator::fake_api::wait::wait_quiet;
use ferry_operator::fake_api::Verb;
use ferry_operator::names;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde_json::json;
use support::*;

/// The owner reference the operator must set on every object it makes for `kc`.
async fn assert_owned_by<K>(client: &Client, name: &str, kc: &KafkaConnect)
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + std::fmt::Debug
        + DeserializeOwned,
{
    let api: Api<K> = Api::namespaced(client.clone(), NS);
    let obj = api
        .get(name)
        .await
        .unwrap_or_else(|e| panic!("{} {name} exists: {e}", K::kind(&())));
    let owners = obj.owner_references();
    assert_eq!(owners.len(), 1, "{} {name}: {owners:?}", K::kind(&()));
    let owner = &owners[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("KafkaConnect", kc.name_any().as_str())
    );
    assert_eq!(Some(&owner.uid), kc.metadata.uid.as_ref());
    assert_eq!(owner.controller, Some(true), "{} {name}", K::kind(&()));
    assert_eq!(
        obj.labels()
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some(names::MANAGED_BY),
        "the owned-object watches select on this label"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kafka_connect_gets_its_objects_with_owner_references_and_a_ready_status() {
    let (harness, client) = start().await;
    let applied = apply(&client, &connect("alpha")).await;

    let kc = wait_connect_ready(&client, "alpha").await;
    assert_eq!(kc.metadata.uid, applied.metadata.uid);
    let status = kc
        .status
        .as_ref()
        .expect("a ready KafkaConnect has a status");
    assert_eq!(status.observed_generation, Some(1));
    assert_eq!(status.replicas, Some(2));
    assert_eq!(status.label_selector, Some(names::selector_string("alpha")));

    let workers = names::workers("alpha");
    assert_owned_by::<ConfigMap>(&client, &names::config_map("alpha"), &kc).await;
    assert_owned_by::<Deployment>(&client, &workers, &kc).await;
    assert_owned_by::<Service>(&client, &names::service("alpha"), &kc).await;
    assert_owned_by::<PodDisruptionBudget>(&client, &workers, &kc).await;
    assert_owned_by::<ServiceAccount>(&client, &workers, &kc).await;
    assert_owned_by::<Role>(&client, &workers, &kc).await;
    assert_owned_by::<RoleBinding>(&client, &workers, &kc).await;

    let deployment: Deployment = Api::namespaced(client.clone(), NS)
        .get(&workers)
        .await
        .expect("exists");
    assert_eq!(deployment.spec.and_then(|s| s.replicas), Some(2));
    let cm: ConfigMap = Api::namespaced(client.clone(), NS)
        .get(&names::config_map("alpha"))
        .await
        .expect("exists");
    let properties = cm
        .data
        .and_then(|d| d.get(names::WORKER_PROPERTIES_KEY).cloned())
        .expect("the ConfigMap has the worker properties");
    assert!(properties.contains("kafka:9092"), "{properties}");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_edits_and_deletions_of_owned_objects_are_undone_through_their_watch() {
    let (harness, client) = start().await;
    apply(&client, &connect("beta")).await;
    wait_connect_ready(&client, "beta").await;
    wait_quiet(
        "the operator to settle",
        Duration::from_millis(300),
        TIMEOUT,
        || harness.operator_requests(),
    )
    .await
    .expect("the operator settles");
    let lists_before = harness
        .api
        .requests()
        .by_verb(OPERATOR)
        .get(&Verb::List)
        .copied();

    // Someone scales the Deployment by hand.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let workers = names::workers("beta");
    let started = Instant::now();
    deployments
        .patch(
            &workers,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("the hand edit is accepted");
    wait_for(
        &client,
        &workers,
        "the Deployment back at 2 replicas",
        |d: &Deployment| match d.spec.as_ref().and_then(|s| s.replicas) {
            Some(2) => Ok(()),
            other => Err(format!("replicas {other:?}")),
        },
    )
    .await;
    eprintln!("replicas restored after {:?}", started.elapsed());

    // Someone edits, then deletes, the ConfigMap.
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let cm_name = names::config_map("beta");
    let original = config_maps.get(&cm_name).await.expect("exists").data;
    let started = Instant::now();
    config_maps
        .patch(
            &cm_name,
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {(names::WORKER_PROPERTIES_KEY): "tampered=true"}})),
        )
        .await
        .expect("the hand edit is accepted");
    let restored = |cm: &ConfigMap| {
        if cm.data == original {
            Ok(())
        } else {
            Err(format!("data {:?}", cm.data))
        }
    };
    wait_for(&client, &cm_name, "the ConfigMap data restored", restored).await;
    eprintln!("ConfigMap data restored after {:?}", started.elapsed());
    let started = Instant::now();
    config_maps
        .delete(&cm_name, &DeleteParams::default())
        .await
        .expect("the hand deletion is accepted");
    wait_for(&client, &cm_name, "the ConfigMap re-created", restored).await;
    eprintln!("ConfigMap re-created after {:?}", started.elapsed());

    let lists_after = harness
        .api
        .requests()
        .by_verb(OPERATOR)
        .get(&Verb::List)
        .copied();
    assert_eq!(
        lists_before, lists_after,
        "no relist: the watch events of the owned objects brought the reconciles"
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_without_its_cluster_reports_cluster_not_found_and_recovers_when_it_appears() {
    let (harness, client) = start().await;
    apply(&client, &connector("orphan", "late", &[])).await;
    let not_found = wait_connector(&client, "orphan", "False", reasons::CLUSTER_NOT_FOUND).await;
    assert!(
        not_found.message.contains("'late'"),
        "{}",
        not_found.message
    );

    // The cluster appears: the connector is bound, valid, and waits for workers to run it.
    apply(&client, &connect("late")).await;
    wait_connector(&client, "orphan", "False", reasons::NO_WORKERS).await;

    // The cluster goes away again: the deletion reaches the connector too.
    Api::<KafkaConnect>::namespaced(client.clone(), NS)
        .delete("late", &DeleteParams::default())
        .await
        .expect("the KafkaConnect is deleted");
    wait_connector(&client, "orphan", "False", reasons::CLUSTER_NOT_FOUND).await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connector_reconciles_read_the_cluster_from_the_shared_store() {
    let (harness, client) = start().await;
    apply(&client, &connect("gamma")).await;
    wait_connect_ready(&client, "gamma").await;
    wait_quiet(
        "the operator to settle",
        Duration::from_millis(300),
        TIMEOUT,
        || harness.operator_requests(),
    )
    .await
    .expect("the operator settles");
    let gets_before = harness
        .api
        .requests()
        .by_verb(OPERATOR)
        .get(&Verb::Get)
        .copied();

    for i in 0..5 {
        apply(&client, &connector(&format!("c{i}"), "gamma", &[])).await;
    }
    for i in 0..5 {
        wait_connector(&client, &format!("c{i}"), "False", reasons::NO_WORKERS).await;
    }
    let gets_after = harness
        .api
        .requests()
        .by_verb(OPERATOR)
        .get(&Verb::Get)
        .copied();
    assert_eq!(
        gets_before, gets_after,
        "no GET of the KafkaConnect per connector reconcile"
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_connector_config_reports_invalid_config_naming_the_key() {
    let (harness, client) = start().await;
    apply(&client, &connect("delta")).await;
    wait_connect_ready(&client, "delta").await;
    apply(
        &client,
        &connector("bad", "delta", &[("batch.size", "not-a-number")]),
    )
    .await;
    let invalid = wait_connector(&client, "bad", "False", reasons::INVALID_CONFIG).await;
    assert!(
        invalid.message.contains("batch.size"),
        "{}",
        invalid.message
    );
    assert_eq!(invalid.observed_generation, Some(1));

    // The fix is a new generation, and the status follows it.
    apply(&client, &connector("bad", "delta", &[("batch.size", "10")])).await;
    let fixed = wait_connector(&client, "bad", "False", reasons::NO_WORKERS).await;
    assert_eq!(fixed.observed_generation, Some(2));
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_the_controllers_write_has_a_ready_condition() {
    let (harness, client) = start().await;
    // One object per outcome: ready, missing Secret, and connectors unbound, of an unknown
    // class, stopped, invalid and pending.
    apply(&client, &connect("ok")).await;
    let mut missing_secret = connect("no-secret");
    missing_secret.spec.tls = Some(ClientTls {
        trusted_certificates: vec![CertSecretSource {
            secret_name: "missing-ca".into(),
            certificate: Some("ca.crt".into()),
            pattern: None,
        }],
    });
    apply(&client, &missing_secret).await;
    let mut unbound = connector("unbound", "ok", &[]);
    unbound.metadata.labels = None;
    apply(&client, &unbound).await;
    let mut unknown = connector("unknown-class", "ok", &[]);
    unknown.spec.class = "com.example.Nope".into();
    apply(&client, &unknown).await;
    let mut stopped = connector("stopped", "ok", &[]);
    stopped.spec.state = ConnectorTargetState::Stopped;
    apply(&client, &stopped).await;
    apply(&client, &connector("invalid", "ok", &[("batch.size", "x")])).await;
    apply(&client, &connector("pending", "ok", &[])).await;

    wait_connector(&client, "stopped", "True", reasons::STOPPED).await;
    wait_connector(&client, "pending", "False", reasons::NO_WORKERS).await;
    wait_connector(&client, "unbound", "False", reasons::MISSING_CLUSTER_LABEL).await;
    wait_connector(
        &client,
        "unknown-class",
        "False",
        reasons::UNKNOWN_CONNECTOR_CLASS,
    )
    .await;
    wait_connector(&client, "invalid", "False", reasons::INVALID_CONFIG).await;
    wait_for(
        &client,
        "no-secret",
        "KafkaConnect no-secret ReferenceNotFound",
        |kc: &KafkaConnect| {
            let s = kc.status.as_ref().ok_or("no status yet")?;
            match ready(&s.conditions) {
                Some(r) if r.status == "False" && r.reason == reasons::REFERENCE_NOT_FOUND => {
                    Ok(())
                }
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;

    let connects = Api::<KafkaConnect>::namespaced(client.clone(), NS)
        .list(&ListParams::default())
        .await
        .expect("lists");
    let connectors = Api::<KafkaConnector>::namespaced(client.clone(), NS)
        .list(&ListParams::default())
        .await
        .expect("lists");
    let conditions = connects
        .items
        .iter()
        .map(|kc| {
            (
                kc.name_any(),
                kc.status.as_ref().map(|s| s.conditions.clone()),
            )
        })
        .chain(connectors.items.iter().map(|c| {
            (
                c.name_any(),
                c.status.as_ref().map(|s| s.conditions.clone()),
            )
        }));
    let mut seen = 0;
    for (name, conditions) in conditions {
        let conditions = conditions.unwrap_or_else(|| panic!("{name} has a status"));
        let readies: Vec<_> = conditions.iter().filter(|c| c.type_ == "Ready").collect();
        assert_eq!(readies.len(), 1, "{name}: {conditions:?}");
        assert!(
            readies[0].status == "True" || readies[0].status == "False",
            "{name}: {:?}",
            readies[0]
        );
        assert!(readies[0].observed_generation.is_some(), "{name}");
        seen += 1;
    }
    assert_eq!(seen, 7);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_settled_the_operator_makes_no_api_calls() {
    let (harness, client) = start().await;
    apply(&client, &connect("idle")).await;
    for i in 0..3 {
        apply(&client, &connector(&format!("idle-{i}"), "idle", &[])).await;
    }
    wait_connect_ready(&client, "idle").await;
    for i in 0..3 {
        wait_connector(&client, &format!("idle-{i}"), "False", reasons::NO_WORKERS).await;
    }
    let settled = wait_quiet(
        "the operator to settle",
        Duration::from_millis(300),
        TIMEOUT,
        || harness.operator_requests(),
    )
    .await
    .expect("the operator settles");
    // A window, not a wait for a condition: the property is that nothing happens in it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        harness.operator_requests(),
        settled,
        "requests by verb: {:?}",
        harness.api.requests().by_verb(OPERATOR)
    );
    harness.stop().await;
}
