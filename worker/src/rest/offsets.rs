//! A connector's active topics and offsets: `/connectors/{c}/topics[/reset]` and
//! `/connectors/{c}/offsets`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::body::{json_kind, JsonBody};
use super::entities::{ConnectorOffset, ConnectorOffsets, Message};
use super::error::{ApiError, ApiResult};
use super::herder::Herder;
use super::params::PathParams;

/// Kafka's answer to an alter request without any partition.
pub const NO_OFFSETS_MESSAGE: &str =
    "Partitions / offsets need to be provided for an alter offsets request";

/// `GET /connectors/{c}/topics`: `{"<c>":{"topics":[...]}}`.
pub async fn topics(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    let topics = herder.connector_topics(&connector).await?;
    let body = BTreeMap::from([(connector, BTreeMap::from([("topics", topics)]))]);
    Ok(Json(body).into_response())
}

/// `PUT /connectors/{c}/topics/reset` → 202.
pub async fn reset_topics(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    herder.reset_connector_topics(&connector).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `GET /connectors/{c}/offsets`.
pub async fn get_offsets(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.connector_offsets(&connector).await?).into_response())
}

/// `PATCH /connectors/{c}/offsets`: `{"offsets":[...]}` → 200 `{"message":...}`. A missing body, a
/// missing or null `offsets` and an empty list all get Kafka's "need to be provided" 400.
pub async fn alter_offsets(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
    body: JsonBody,
) -> ApiResult<Response> {
    if body.0.is_none() {
        return Err(ApiError::bad_request(NO_OFFSETS_MESSAGE));
    }
    let offsets = match body.into_object()?.remove("offsets") {
        None | Some(Value::Null) => return Err(ApiError::bad_request(NO_OFFSETS_MESSAGE)),
        Some(Value::Array(list)) if list.is_empty() => {
            return Err(ApiError::bad_request(NO_OFFSETS_MESSAGE))
        }
        Some(list @ Value::Array(_)) => serde_json::from_value::<Vec<ConnectorOffset>>(list)
            .map_err(|err| {
                ApiError::bad_request(format!("Invalid offsets in request body: {err}"))
            })?,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "\"offsets\" must be an array, not {}",
                json_kind(&other)
            )))
        }
    };
    let message = herder
        .alter_connector_offsets(&connector, ConnectorOffsets { offsets })
        .await?;
    Ok(Json(Message { message }).into_response())
}

/// `DELETE /connectors/{c}/offsets` → 200 `{"message":...}`.
pub async fn reset_offsets(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    let message = herder.reset_connector_offsets(&connector).await?;
    Ok(Json(Message { message }).into_response())
}
