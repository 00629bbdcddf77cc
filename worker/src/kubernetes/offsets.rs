//! Offsets operations the operator asks of this pod (`status.offsetsRequest`, from the
//! `ferry.dev/connector-offsets` annotation): list, alter or reset a stopped connector's offsets,
//! exactly as Kafka Connect's `GET`/`PATCH`/`DELETE /connectors/{name}/offsets` do, with the result
//! handed back through this pod's report (`offsetsResult`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ferry_crds::placement::{OffsetsOperation, OffsetsRequest, OffsetsResult};

use crate::rest::entities::ConnectorOffsets;
use crate::rest::herder::Herder;
use crate::runtime::StandaloneHerder;

/// The latest result per connector, shared by the apply loop (which writes it) and the reporter
/// (which puts it into the report).
pub type OffsetsResults = Arc<Mutex<BTreeMap<String, OffsetsResult>>>;

/// Carries out `request` on connector `name`.
pub async fn execute(
    runtime: &StandaloneHerder,
    name: &str,
    request: &OffsetsRequest,
) -> OffsetsResult {
    let outcome = match request.operation {
        OffsetsOperation::List => runtime.connector_offsets(name).await.and_then(|o| {
            serde_json::to_string(&o)
                .map(|json| ("listed".to_owned(), Some(json)))
                .map_err(|e| crate::rest::herder::HerderError::Internal(e.to_string()))
        }),
        OffsetsOperation::Alter => match parse(request.offsets.as_deref()) {
            Ok(offsets) => runtime
                .alter_connector_offsets(name, offsets)
                .await
                .map(|m| (m, None)),
            Err(e) => Err(crate::rest::herder::HerderError::BadRequest(e)),
        },
        OffsetsOperation::Reset => runtime
            .reset_connector_offsets(name)
            .await
            .map(|m| (m, None)),
    };
    match outcome {
        Ok((message, offsets)) => OffsetsResult {
            id: request.id,
            succeeded: true,
            message,
            offsets,
        },
        Err(e) => OffsetsResult {
            id: request.id,
            succeeded: false,
            message: e.to_string(),
            offsets: None,
        },
    }
}

/// The offsets of an `alter` request: Kafka's `PATCH` body, `{"offsets": [...]}`.
fn parse(text: Option<&str>) -> Result<ConnectorOffsets, String> {
    let text = text.ok_or("the request carries no offsets")?;
    serde_json::from_str(text).map_err(|e| {
        format!("the offsets are not Kafka Connect's offsets document ({{\"offsets\": [{{\"partition\": ..., \"offset\": ...}}]}}): {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alter_bodies_are_kafkas_offsets_document() {
        let ok = parse(Some(
            r#"{"offsets":[{"partition":{"filename":"/in"},"offset":{"position":7}}]}"#,
        ))
        .expect("valid");
        assert_eq!(ok.offsets.len(), 1);
        let err = parse(Some("[1,2]")).expect_err("not a document");
        assert!(err.contains("offsets document"), "{err}");
        assert!(parse(None).is_err());
    }
}
