//! What the controller tests share: the running operator, the objects they apply, and
//! deadline-bounded waits on what the API shows.

#![allow(dead_code)] // Each test binary uses a different part.

use std::fmt::Debug;
use std::time::Duration;

use ferry_crds::config::ConfigValue;
use ferry_crds::{KafkaConnect, KafkaConnectSpec, KafkaConnector, KafkaConnectorSpec};
use ferry_operator::fake_api::harness::Harness;
use ferry_operator::fake_api::wait::{wait_until, Poll};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The namespace every test works in.
pub const NS: &str = "ferry";
/// Deadline of every wait: generous for a loaded CI machine; a passing run takes milliseconds.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The field manager of the test's own writes (a person with kubectl).
pub const TEST: &str = "test";

/// The operator's controllers running against a fresh in-process API, and the test's client.
pub async fn start() -> (Harness, Client) {
    let harness = Harness::start(Vec::new())
        .await
        .expect("the in-process API and the controllers start");
    let client = harness.api.client(TEST);
    (harness, client)
}

pub fn connect(name: &str) -> KafkaConnect {
    let mut kc = KafkaConnect::new(
        name,
        KafkaConnectSpec::new("kafka:9092", "group", "offsets"),
    );
    kc.metadata.namespace = Some(NS.into());
    kc.spec.replicas = 2;
    kc
}

/// A FileStreamSource connector bound to `cluster`, with `config` on top of a valid one.
pub fn connector(name: &str, cluster: &str, config: &[(&str, &str)]) -> KafkaConnector {
    let mut c = KafkaConnector::new(name, KafkaConnectorSpec::new("FileStreamSource"));
    c.metadata.namespace = Some(NS.into());
    c.metadata.labels = Some([(ferry_crds::CLUSTER_LABEL.to_owned(), cluster.to_owned())].into());
    for (k, v) in [("file", "/data/in.txt"), ("topic", "t")]
        .iter()
        .chain(config)
    {
        c.spec
            .config
            .insert((*k).to_owned(), ConfigValue::String((*v).to_owned()));
    }
    c
}

/// Applies `obj` as the test's field manager and returns it as stored.
pub async fn apply<K>(client: &Client, obj: &K) -> K
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + Debug
        + Serialize
        + DeserializeOwned,
{
    let api: Api<K> = Api::namespaced(client.clone(), NS);
    api.patch(
        &obj.name_any(),
        &PatchParams::apply(TEST).force(),
        &Patch::Apply(obj),
    )
    .await
    .expect("the apply succeeds")
}

/// The `Ready` condition.
pub fn ready(conditions: &[Condition]) -> Option<&Condition> {
    conditions.iter().find(|c| c.type_ == "Ready")
}

/// Waits until `name` of kind `K` exists and `check` returns Ok; the Err of `check` says what
/// was seen instead.
pub async fn wait_for<K, T>(
    client: &Client,
    name: &str,
    what: &str,
    check: impl Fn(&K) -> Result<T, String>,
) -> T
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + Debug
        + DeserializeOwned,
{
    let api: Api<K> = Api::namespaced(client.clone(), NS);
    let check = &check;
    let api = &api;
    let result = wait_until(what, TIMEOUT, || async move {
        match api.get_opt(name).await {
            Ok(Some(obj)) => match check(&obj) {
                Ok(value) => Poll::Done(value),
                Err(seen) => Poll::NotYet(seen),
            },
            Ok(None) => Poll::NotYet(format!("{name} does not exist")),
            Err(e) => Poll::NotYet(format!("reading {name}: {e}")),
        }
    })
    .await;
    match result {
        Ok(value) => value,
        Err(e) => panic!("{e}"),
    }
}

/// Waits until the connector's `Ready` condition has `status` and `reason` for its current
/// generation, and returns the condition.
pub async fn wait_connector(client: &Client, name: &str, status: &str, reason: &str) -> Condition {
    wait_for(
        client,
        name,
        &format!("KafkaConnector {name} Ready={status} reason {reason}"),
        |c: &KafkaConnector| {
            let s = c.status.as_ref().ok_or("no status yet")?;
            let r = ready(&s.conditions).ok_or("status without a Ready condition")?;
            let current = r.observed_generation == c.metadata.generation
                && s.observed_generation == c.metadata.generation;
            if r.status == status && r.reason == reason && current {
                Ok(r.clone())
            } else {
                Err(format!(
                    "Ready={} {} (observedGeneration {:?}/{:?} of generation {:?})",
                    r.status,
                    r.reason,
                    r.observed_generation,
                    s.observed_generation,
                    c.metadata.generation
                ))
            }
        },
    )
    .await
}

/// Waits until the KafkaConnect is `Ready=True` for its current generation.
pub async fn wait_connect_ready(client: &Client, name: &str) -> KafkaConnect {
    wait_for(
        client,
        name,
        &format!("KafkaConnect {name} Ready=True"),
        |kc: &KafkaConnect| {
            let s = kc.status.as_ref().ok_or("no status yet")?;
            let r = ready(&s.conditions).ok_or("status without a Ready condition")?;
            let current = r.observed_generation == kc.metadata.generation
                && s.observed_generation == kc.metadata.generation;
            if r.status == "True" && current {
                Ok(kc.clone())
            } else {
                Err(format!(
                    "Ready={} {}: {} (observedGeneration {:?} of {:?})",
                    r.status, r.reason, r.message, s.observed_generation, kc.metadata.generation
                ))
            }
        },
    )
    .await
}
