//! The I/O of connector offsets operations (`crate::distribute::offsets` decides): reads the
//! ConfigMap to alter from, writes the request, the listing and the outcome.

use std::collections::BTreeMap;

use ferry_crds::connector::{OFFSETS_ANNOTATION, OFFSETS_KEY};
use ferry_crds::placement::OffsetsOperation;
use ferry_crds::KafkaConnector;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};
use serde_json::{json, Value};

use super::apply::{merge_status, remove_annotations, MergeOutcome};
use super::context::Context;
use super::error::Error;
use crate::assign::WorkerState;
use crate::distribute::offsets::{offsets_step, OffsetsStep};
use crate::names::FIELD_MANAGER;

/// Takes the next offsets step of `c`. `Ok(false)` when a write met a newer version (409).
pub async fn reconcile_offsets(
    ctx: &Context,
    api: &Api<KafkaConnector>,
    c: &KafkaConnector,
    workers: &BTreeMap<String, WorkerState>,
) -> Result<bool, Error> {
    let name = c.name_any();
    let pending = c
        .status
        .as_ref()
        .is_some_and(|s| s.offsets_request.is_some());
    let wants_alter = c.annotations().get(OFFSETS_ANNOTATION).map(|v| v.trim()) == Some("alter");
    let alter_body = match (&c.spec.alter_offsets, wants_alter && !pending) {
        (Some(from), true) => Some(read_offsets(ctx, c, &from.from_config_map.name).await?),
        _ => None,
    };
    let id = k8s_openapi::jiff::Timestamp::now().as_millisecond();
    match offsets_step(c, workers, alter_body, id) {
        OffsetsStep::Idle => Ok(true),
        OffsetsStep::Reject(why) => {
            ctx.event(
                c,
                EventType::Warning,
                "OffsetsRequestRejected",
                &why,
                "Offsets",
            )
            .await;
            remove_annotation(api, &name).await?;
            Ok(true)
        }
        OffsetsStep::Request(request) => {
            let patch = json!({
                "metadata": {"resourceVersion": c.resource_version()},
                "status": {"offsetsRequest": request},
            });
            if !patch_status(api, &name, &patch).await? {
                return Ok(false);
            }
            remove_annotation(api, &name).await?;
            Ok(true)
        }
        OffsetsStep::Finish {
            operation,
            result,
            config_map,
        } => {
            if result.succeeded {
                if let (Some(cm), Some(offsets)) = (config_map, result.offsets.as_deref()) {
                    write_listing(ctx, c, &cm, offsets).await?;
                }
                let (reason, what) = match operation {
                    OffsetsOperation::List => (
                        "OffsetsListed",
                        "offsets listed into spec.listOffsets.toConfigMap",
                    ),
                    OffsetsOperation::Alter => ("OffsetsAltered", result.message.as_str()),
                    OffsetsOperation::Reset => ("OffsetsReset", result.message.as_str()),
                };
                ctx.event(c, EventType::Normal, reason, what, "Offsets")
                    .await;
            } else {
                ctx.event(
                    c,
                    EventType::Warning,
                    "OffsetsRequestFailed",
                    &result.message,
                    "Offsets",
                )
                .await;
            }
            close_request(api, c).await
        }
        OffsetsStep::Abandon(why) => {
            ctx.event(
                c,
                EventType::Warning,
                "OffsetsRequestAbandoned",
                &why,
                "Offsets",
            )
            .await;
            close_request(api, c).await
        }
    }
}

/// `offsets.json` of the ConfigMap to alter from, or what is wrong with it.
async fn read_offsets(
    ctx: &Context,
    c: &KafkaConnector,
    name: &str,
) -> Result<Result<String, String>, Error> {
    let ns = c.namespace().unwrap_or_default();
    let api: Api<ConfigMap> = ctx.api(&ns);
    let cm = api.get_opt(name).await.map_err(|source| Error::Read {
        what: format!("ConfigMap {ns}/{name}"),
        source,
    })?;
    Ok(match cm {
        None => Err(format!(
            "ConfigMap {name} (spec.alterOffsets.fromConfigMap) does not exist in namespace {ns}"
        )),
        Some(cm) => cm
            .data
            .and_then(|d| d.get(OFFSETS_KEY).cloned())
            .ok_or_else(|| format!("ConfigMap {name} has no key {OFFSETS_KEY}")),
    })
}

/// Writes the listing into the ConfigMap, owned by the connector (deleted with it).
async fn write_listing(
    ctx: &Context,
    c: &KafkaConnector,
    name: &str,
    offsets: &str,
) -> Result<(), Error> {
    let ns = c.namespace().unwrap_or_default();
    let api: Api<ConfigMap> = ctx.api(&ns);
    let owner = OwnerReference {
        api_version: KafkaConnector::api_version(&()).into_owned(),
        kind: KafkaConnector::kind(&()).into_owned(),
        name: c.name_any(),
        uid: c.uid().unwrap_or_default(),
        controller: Some(false),
        block_owner_deletion: None,
    };
    let cm = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "ownerReferences": [owner]},
        "data": {OFFSETS_KEY: offsets},
    });
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&cm),
    )
    .await
    .map(|_| ())
    .map_err(|source| Error::Apply {
        kind: "ConfigMap".into(),
        name: name.to_owned(),
        source,
    })
}

async fn close_request(api: &Api<KafkaConnector>, c: &KafkaConnector) -> Result<bool, Error> {
    let patch = json!({"status": {"offsetsRequest": Value::Null}});
    patch_status(api, &c.name_any(), &patch).await
}

async fn patch_status(api: &Api<KafkaConnector>, name: &str, patch: &Value) -> Result<bool, Error> {
    Ok(merge_status(api, name, patch).await? != MergeOutcome::Stale)
}

async fn remove_annotation(api: &Api<KafkaConnector>, name: &str) -> Result<(), Error> {
    remove_annotations(api, name, &[OFFSETS_ANNOTATION]).await
}
