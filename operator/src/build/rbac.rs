//! ServiceAccount, Role and RoleBinding of the workers: exactly what a worker needs and no more.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};

use super::meta::Owner;
use super::references::client_secrets;
use crate::names;
use ferry_crds::{KafkaConnectSpec, GROUP};

/// The workers' ServiceAccount `<name>-connect`.
pub fn service_account(owner: &Owner) -> ServiceAccount {
    ServiceAccount {
        metadata: owner.meta(names::workers(&owner.name), None),
        ..ServiceAccount::default()
    }
}

fn rule(api_group: &str, resource: &str, verbs: &[&str], names: Option<Vec<String>>) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![api_group.to_owned()]),
        resources: Some(vec![resource.to_owned()]),
        verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
        resource_names: names,
        non_resource_urls: None,
    }
}

/// Read the namespace's KafkaConnectors, patch their status, and get the Secrets the spec names.
///
/// An empty `resourceNames` would mean every Secret, so the Secret rule is left out entirely when
/// the spec names none.
pub fn role(owner: &Owner, spec: &KafkaConnectSpec) -> Role {
    let mut rules = vec![
        rule(GROUP, "kafkaconnectors", &["get", "list", "watch"], None),
        rule(GROUP, "kafkaconnectors/status", &["get", "patch"], None),
    ];
    let secrets: Vec<String> = client_secrets(spec).into_iter().collect();
    if !secrets.is_empty() {
        rules.push(rule("", "secrets", &["get"], Some(secrets)));
    }
    Role {
        metadata: owner.meta(names::workers(&owner.name), None),
        rules: Some(rules),
    }
}

/// Binds the Role to the ServiceAccount.
pub fn role_binding(owner: &Owner) -> RoleBinding {
    let name = names::workers(&owner.name);
    RoleBinding {
        metadata: owner.meta(name.clone(), None),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "Role".to_owned(),
            name: name.clone(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".to_owned(),
            name,
            namespace: Some(owner.namespace.clone()),
            api_group: None,
        }]),
    }
}
