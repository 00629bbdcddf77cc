//! The PodDisruptionBudget of the workers.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::Owner;
use crate::names;
use ferry_crds::KafkaConnectSpec;

/// At most one worker voluntarily evicted at a time (Strimzi's default), so a node drain moves the
/// tasks of one pod at a time.
pub fn pod_disruption_budget(owner: &Owner, spec: &KafkaConnectSpec) -> PodDisruptionBudget {
    let template = spec
        .template
        .as_ref()
        .and_then(|t| t.pod_disruption_budget.as_ref())
        .and_then(|s| s.metadata.as_ref());
    PodDisruptionBudget {
        metadata: owner.meta(names::workers(&owner.name), template),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(names::selector_labels(&owner.name)),
                match_expressions: None,
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}
