//! Connector listing, creation, configuration and deletion (`/connectors`, `/connectors/{c}`,
//! `/connectors/{c}/config`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use super::body::{config_map, json_kind, ConfigMap, JsonBody};
use super::entities::{ConnectorInfo, ConnectorStateInfo};
use super::error::{ApiError, ApiResult};
use super::herder::{Herder, HerderError, TargetState};
use super::params::{connector_location, PathParams, QueryParams};

/// The config key holding a connector's name.
const NAME_CONFIG: &str = "name";

/// One connector of `GET /connectors?expand=...`: only the requested expansions are present, so an
/// unknown expansion yields `{}`.
#[derive(Debug, Default, Serialize)]
struct Expanded {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<ConnectorStateInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<ConnectorInfo>,
}

/// `GET /connectors[?expand=status&expand=info]`.
pub async fn list(
    State(herder): State<Arc<dyn Herder>>,
    query: QueryParams,
) -> ApiResult<Response> {
    let names = herder.connectors().await;
    let expansions = query.all("expand");
    if expansions.is_empty() {
        return Ok(Json(names).into_response());
    }
    let mut out = BTreeMap::new();
    for name in names {
        match expand(herder.as_ref(), &name, &expansions).await {
            Ok(expanded) => {
                out.insert(name, expanded);
            }
            // Deleted between listing and expanding: it is simply no longer part of the answer.
            Err(HerderError::NotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(Json(out).into_response())
}

async fn expand(
    herder: &dyn Herder,
    name: &str,
    expansions: &[&str],
) -> Result<Expanded, HerderError> {
    let mut expanded = Expanded::default();
    for kind in expansions {
        match *kind {
            "status" => expanded.status = Some(herder.connector_status(name).await?),
            "info" => expanded.info = Some(herder.connector_info(name).await?),
            other => tracing::debug!(expansion = other, "ignoring unknown expansion type"),
        }
    }
    Ok(expanded)
}

/// `POST /connectors`: `{"name","config","initial_state"}` → 201 with `Location`.
///
/// Deliberate difference: a missing or non-string `name`, a missing or non-object `config` and an
/// unknown `initial_state` are 400s with a message; Kafka fails on them with a 500.
pub async fn create(State(herder): State<Arc<dyn Herder>>, body: JsonBody) -> ApiResult<Response> {
    let mut request = body.into_object()?;
    let name = match request.remove("name") {
        Some(Value::String(name)) => name.trim().to_owned(),
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "Connector name must be provided in the request body (\"name\")",
            ))
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Connector name (\"name\") must be a string, not {}",
                json_kind(&other)
            )))
        }
    };
    let config = match request.remove("config") {
        Some(Value::Object(config)) => config_map(config)?,
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "Connector config must be provided in the request body (\"config\")",
            ))
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Connector config (\"config\") must be a JSON object, not {}",
                json_kind(&other)
            )))
        }
    };
    let initial_state = match request.remove("initial_state") {
        None | Some(Value::Null) => None,
        Some(Value::String(state)) => Some(parse_initial_state(&state)?),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "initial_state must be a string, not {}",
                json_kind(&other)
            )))
        }
    };
    let config = with_connector_name(&name, config)?;
    let info = herder
        .create_connector(&name, config, initial_state)
        .await?;
    Ok(created(&name, info))
}

/// Maps `initial_state` (case-insensitive) to the target state; RUNNING means started.
pub fn parse_initial_state(state: &str) -> Result<TargetState, ApiError> {
    // Full Unicode upper-casing, as Java's `toUpperCase(Locale.ROOT)` does.
    match state.to_uppercase().as_str() {
        "RUNNING" => Ok(TargetState::Started),
        "PAUSED" => Ok(TargetState::Paused),
        "STOPPED" => Ok(TargetState::Stopped),
        _ => Err(ApiError::bad_request(format!(
            "Invalid initial_state \"{state}\": must be one of RUNNING, PAUSED or STOPPED"
        ))),
    }
}

/// Checks that a `name` in the config matches the connector's name, and fills it in when absent.
fn with_connector_name(name: &str, mut config: ConfigMap) -> Result<ConfigMap, ApiError> {
    match config.get(NAME_CONFIG) {
        Some(configured) if configured.as_deref() != Some(name) => {
            Err(ApiError::bad_request(format!(
                "Connector name configuration ({}) doesn't match connector name in the URL ({name})",
                configured.as_deref().unwrap_or("null")
            )))
        }
        Some(_) => Ok(config),
        None => {
            config.insert(NAME_CONFIG.to_owned(), Some(name.to_owned()));
            Ok(config)
        }
    }
}

/// A 201 answer pointing at the new connector.
fn created(name: &str, info: ConnectorInfo) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, connector_location(name))],
        Json(info),
    )
        .into_response()
}

/// `GET /connectors/{c}`.
pub async fn info(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.connector_info(&connector).await?).into_response())
}

/// `DELETE /connectors/{c}` → 204.
pub async fn delete(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    herder.delete_connector(&connector).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{c}/config`.
pub async fn get_config(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.connector_config(&connector).await?).into_response())
}

/// `PUT /connectors/{c}/config`: 201 with `Location` when it created the connector, 200 otherwise.
pub async fn put_config(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
    body: JsonBody,
) -> ApiResult<Response> {
    let config = with_connector_name(&connector, config_map(body.into_object()?)?)?;
    let (was_created, info) = herder.put_connector_config(&connector, config).await?;
    if was_created {
        Ok(created(&connector, info))
    } else {
        Ok(Json(info).into_response())
    }
}

/// `PATCH /connectors/{c}/config`: `{k: v | null}`, null removing the key.
pub async fn patch_config(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
    body: JsonBody,
) -> ApiResult<Response> {
    let patch = config_map(body.into_object()?)?;
    let info = herder.patch_connector_config(&connector, patch).await?;
    Ok(Json(info).into_response())
}
