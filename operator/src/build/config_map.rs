//! The worker ConfigMap: the rendered worker properties.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::meta::Owner;
use super::worker_config::{to_properties_text, worker_properties};
use crate::names;
use ferry_crds::KafkaConnectSpec;

/// The ConfigMap data: `worker.properties`. Also the input of the config hash.
pub fn config_data(spec: &KafkaConnectSpec) -> BTreeMap<String, String> {
    BTreeMap::from([(
        names::WORKER_PROPERTIES_KEY.to_owned(),
        to_properties_text(&worker_properties(spec)),
    )])
}

/// The ConfigMap mounted at `/etc/ferry` in every worker pod.
pub fn config_map(owner: &Owner, spec: &KafkaConnectSpec) -> ConfigMap {
    ConfigMap {
        metadata: owner.meta(names::config_map(&owner.name), None),
        data: Some(config_data(spec)),
        ..ConfigMap::default()
    }
}
