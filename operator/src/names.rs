//! Names and labels of the objects the operator creates for a `KafkaConnect`.
//!
//! One place for naming, so the builders, the status (URL, label selector) and the controllers'
//! watches cannot disagree. Names follow Strimzi's (`<name>-connect`, `<name>-connect-api`,
//! `<name>-connect-config`) so operational muscle memory carries over.

use std::collections::BTreeMap;

use ferry_crds::CLUSTER_LABEL;

/// `app.kubernetes.io/name` of every worker object.
pub const APP_NAME: &str = "ferry-worker";
/// `app.kubernetes.io/managed-by` of every object the operator creates.
pub const MANAGED_BY: &str = "ferry-operator";
/// Field manager of every server-side apply, and the Event reporter.
pub const FIELD_MANAGER: &str = "ferry-operator";
/// Pod-template annotation carrying the hash of the rendered config and referenced Secrets.
pub const CONFIG_HASH_ANNOTATION: &str = "ferry.dev/config-hash";
/// Worker REST API port (also serves `/health` and `/metrics`).
pub const REST_PORT: i32 = 8083;
/// Service port for Prometheus scraping (targets the REST port, where `/metrics` is served).
pub const METRICS_SERVICE_PORT: i32 = 9404;
/// Key of the worker properties in the ConfigMap.
pub const WORKER_PROPERTIES_KEY: &str = "worker.properties";
/// Directory where the ConfigMap is mounted.
pub const CONFIG_DIR: &str = "/etc/ferry";
/// Name of the worker container.
pub const CONTAINER_NAME: &str = "ferry-worker";

/// Deployment, ServiceAccount, Role, RoleBinding and PodDisruptionBudget name.
pub fn workers(cluster: &str) -> String {
    format!("{cluster}-connect")
}

/// ConfigMap with the worker properties.
pub fn config_map(cluster: &str) -> String {
    format!("{cluster}-connect-config")
}

/// Service in front of the REST API.
pub fn service(cluster: &str) -> String {
    format!("{cluster}-connect-api")
}

/// In-cluster URL of the REST API (`status.url`).
pub fn rest_url(cluster: &str, namespace: &str) -> String {
    format!("http://{}.{namespace}.svc:{REST_PORT}", service(cluster))
}

/// Labels that select the worker pods of `cluster`. Also the Deployment selector, which is
/// immutable, so nothing user-controlled may ever go in here.
pub fn selector_labels(cluster: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_owned(), APP_NAME.to_owned()),
        ("app.kubernetes.io/instance".to_owned(), cluster.to_owned()),
        (CLUSTER_LABEL.to_owned(), cluster.to_owned()),
    ])
}

/// Labels of every object the operator creates for `cluster`.
pub fn object_labels(cluster: &str) -> BTreeMap<String, String> {
    let mut labels = selector_labels(cluster);
    labels.insert(
        "app.kubernetes.io/managed-by".to_owned(),
        MANAGED_BY.to_owned(),
    );
    labels
}

/// [`selector_labels`] as a label selector string (`status.labelSelector`, sorted by key).
pub fn selector_string(cluster: &str) -> String {
    selector_labels(cluster)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_strimzi() {
        assert_eq!(workers("c"), "c-connect");
        assert_eq!(service("c"), "c-connect-api");
        assert_eq!(config_map("c"), "c-connect-config");
        assert_eq!(rest_url("c", "ns"), "http://c-connect-api.ns.svc:8083");
    }

    #[test]
    fn selector_string_is_sorted_and_complete() {
        assert_eq!(
            selector_string("c"),
            "app.kubernetes.io/instance=c,app.kubernetes.io/name=ferry-worker,ferry.dev/cluster=c"
        );
        assert!(!selector_labels("c").contains_key("app.kubernetes.io/managed-by"));
        assert_eq!(
            object_labels("c")["app.kubernetes.io/managed-by"],
            MANAGED_BY
        );
    }
}
