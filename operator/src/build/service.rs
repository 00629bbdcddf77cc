//! The Service in front of the workers' REST API and metrics.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::Owner;
use crate::names;
use ferry_crds::KafkaConnectSpec;

/// Name of the container port serving REST, `/health` and `/metrics`.
pub const REST_PORT_NAME: &str = "rest-api";

/// ClusterIP Service `<name>-connect-api`: port `rest-api` (8083) and port `metrics` (9404), both
/// to the worker's REST listener, where `/metrics` is served; a separate `metrics` port lets a
/// ServiceMonitor select it by name without exposing a second listener.
pub fn service(owner: &Owner, spec: &KafkaConnectSpec) -> Service {
    let template = spec
        .template
        .as_ref()
        .and_then(|t| t.service.as_ref())
        .and_then(|s| s.metadata.as_ref());
    let port = |name: &str, port: i32| ServicePort {
        name: Some(name.to_owned()),
        port,
        protocol: Some("TCP".to_owned()),
        target_port: Some(IntOrString::String(REST_PORT_NAME.to_owned())),
        ..ServicePort::default()
    };
    Service {
        metadata: owner.meta(names::service(&owner.name), template),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(names::selector_labels(&owner.name)),
            ports: Some(vec![
                port(REST_PORT_NAME, names::REST_PORT),
                port("metrics", names::METRICS_SERVICE_PORT),
            ]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}
