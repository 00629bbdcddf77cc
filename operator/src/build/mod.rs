//! Desired objects of a `KafkaConnect`, each a pure function of the resource (and of the data
//! hashes of the Secrets it names), unit-tested without any API.

pub mod config_map;
pub mod deployment;
pub mod hash;
pub mod meta;
pub mod pdb;
pub mod rbac;
pub mod references;
pub mod service;
pub mod worker_config;

use std::collections::BTreeMap;

use ferry_crds::KafkaConnect;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

pub use meta::Owner;

/// Why objects cannot be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BuildError {
    /// The resource lacks metadata the API always sets (it was not read from the API).
    #[error("KafkaConnect has no {0}")]
    MissingMetadata(&'static str),
}

/// Everything a `KafkaConnect` turns into, in the order they are applied (RBAC and config before
/// the Deployment that uses them).
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredObjects {
    pub service_account: ServiceAccount,
    pub role: Role,
    pub role_binding: RoleBinding,
    pub config_map: ConfigMap,
    pub service: Service,
    pub pod_disruption_budget: PodDisruptionBudget,
    pub deployment: Deployment,
}

/// Builds every object for `connect`. `secret_hashes` maps each Secret of
/// [`references::hashed_secrets`] to [`hash::secret_data_hash`] of its data.
pub fn build_all(
    connect: &KafkaConnect,
    default_image: &str,
    secret_hashes: &BTreeMap<String, String>,
) -> Result<DesiredObjects, BuildError> {
    let owner = Owner::of(connect)?;
    let spec = &connect.spec;
    let config_data = config_map::config_data(spec);
    let deployment = deployment::deployment(
        &owner,
        spec,
        &deployment::DeploymentInput {
            default_image,
            config_data: &config_data,
            secret_hashes,
        },
    );
    Ok(DesiredObjects {
        service_account: rbac::service_account(&owner),
        role: rbac::role(&owner, spec),
        role_binding: rbac::role_binding(&owner),
        config_map: config_map::config_map(&owner, spec),
        service: service::service(&owner, spec),
        pod_disruption_budget: pdb::pod_disruption_budget(&owner, spec),
        deployment,
    })
}

#[cfg(test)]
mod tests;
