//! Metadata shared by every built object: name, namespace, labels, annotations, owner reference.

use std::collections::BTreeMap;

use ferry_crds::common::MetadataTemplate;
use ferry_crds::KafkaConnect;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;

use super::BuildError;
use crate::names;

/// The `KafkaConnect` identity every built object refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    /// `metadata.name` of the KafkaConnect.
    pub name: String,
    /// `metadata.namespace` of the KafkaConnect.
    pub namespace: String,
    /// Controller owner reference, so deleting the KafkaConnect garbage-collects the object.
    pub reference: OwnerReference,
}

impl Owner {
    /// Reads name, namespace and uid; an object read from the API always has them.
    pub fn of(connect: &KafkaConnect) -> Result<Self, BuildError> {
        let name = connect
            .metadata
            .name
            .clone()
            .ok_or(BuildError::MissingMetadata("metadata.name"))?;
        let namespace = connect
            .metadata
            .namespace
            .clone()
            .ok_or(BuildError::MissingMetadata("metadata.namespace"))?;
        // `controller_owner_ref` is None only without a uid.
        let reference = connect
            .controller_owner_ref(&())
            .ok_or(BuildError::MissingMetadata("metadata.uid"))?;
        Ok(Owner {
            name,
            namespace,
            reference,
        })
    }

    /// Metadata of an object called `name`, with the operator's labels over the template's.
    pub fn meta(&self, name: String, template: Option<&MetadataTemplate>) -> ObjectMeta {
        let (labels, annotations) = merge_template(names::object_labels(&self.name), template);
        ObjectMeta {
            name: Some(name),
            namespace: Some(self.namespace.clone()),
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            owner_references: Some(vec![self.reference.clone()]),
            ..ObjectMeta::default()
        }
    }
}

/// Template labels and annotations merged under `own` labels: the operator's labels win, because
/// selectors and the connectors' binding depend on them.
pub fn merge_template(
    own: BTreeMap<String, String>,
    template: Option<&MetadataTemplate>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut labels = template.map(|t| t.labels.clone()).unwrap_or_default();
    labels.extend(own);
    let annotations = template.map(|t| t.annotations.clone()).unwrap_or_default();
    (labels, annotations)
}
