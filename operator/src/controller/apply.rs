//! Server-side apply of desired objects and of status, under the operator's field manager.

use std::fmt::Debug;

use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::Error;
use crate::names::FIELD_MANAGER;

/// Applies `obj` (forcing ownership of its fields: the operator is their only rightful writer, so
/// a hand edit is overwritten) and returns the object as stored, status included.
pub async fn apply<K>(api: &Api<K>, obj: &K) -> Result<K, Error>
where
    K: Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + Debug,
{
    let name = obj.name_any();
    api.patch(
        &name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(obj),
    )
    .await
    .map_err(|source| Error::Apply {
        kind: K::kind(&()).into_owned(),
        name,
        source,
    })
}

/// Applies `status` to the status subresource of `name`.
pub async fn apply_status<K, S>(api: &Api<K>, name: &str, status: &S) -> Result<(), Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
    S: Serialize,
{
    let body = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .map(|_| ())
    .map_err(|source| Error::Status {
        name: name.to_owned(),
        source,
    })
}

/// What a JSON merge patch of a status came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    Written,
    /// 409: the object changed since the `resourceVersion` the patch carried; its watch event
    /// brings the next reconcile.
    Stale,
    /// 404: the object is gone.
    Gone,
}

/// Merge-patches the status subresource of `name` (a `metadata.resourceVersion` in `patch` makes it
/// a compare-and-swap).
pub async fn merge_status<K>(
    api: &Api<K>,
    name: &str,
    patch: &serde_json::Value,
) -> Result<MergeOutcome, Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    match api
        .patch_status(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
    {
        Ok(_) => Ok(MergeOutcome::Written),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(MergeOutcome::Stale),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(MergeOutcome::Gone),
        Err(source) => Err(Error::Status {
            name: name.to_owned(),
            source,
        }),
    }
}

/// Removes the annotations `keys` of `name` (handled requests).
pub async fn remove_annotations<K>(api: &Api<K>, name: &str, keys: &[&str]) -> Result<(), Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    let annotations: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), serde_json::Value::Null))
        .collect();
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"metadata": {"annotations": annotations}})),
    )
    .await
    .map(|_| ())
    .map_err(|source| Error::Apply {
        kind: K::kind(&()).into_owned(),
        name: name.to_owned(),
        source,
    })
}
