//! Plugin discovery and config validation: `/connector-plugins...`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::body::{config_map, java_map_string, JsonBody};
use super::error::{ApiError, ApiResult};
use super::herder::Herder;
use super::params::{PathParams, QueryParams};

/// The config key naming a connector's class.
const CONNECTOR_CLASS_CONFIG: &str = "connector.class";

/// `GET /connector-plugins[?connectorsOnly=true]`: connectors only unless `connectorsOnly=false`.
pub async fn list(State(herder): State<Arc<dyn Herder>>, query: QueryParams) -> Response {
    let connectors_only = query.boolean("connectorsOnly", true);
    Json(herder.connector_plugins(connectors_only)).into_response()
}

/// `GET /connector-plugins/{p}/config`: `[ConfigKeyInfo]`.
pub async fn config(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(plugin): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.connector_plugin_config(&plugin)?).into_response())
}

/// `PUT /connector-plugins/{p}/config/validate`: 200 with `ConfigInfos`, validation errors included
/// in the body. The config must name a `connector.class` compatible with `{p}`.
pub async fn validate(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(plugin): PathParams<String>,
    body: JsonBody,
) -> ApiResult<Response> {
    let config = config_map(body.into_object()?)?;
    match config.get(CONNECTOR_CLASS_CONFIG) {
        Some(Some(class)) => {
            if !strip_connector_suffix(class).ends_with(strip_connector_suffix(&plugin)) {
                return Err(ApiError::bad_request(format!(
                    "Included connector type {class} does not match request type {plugin}"
                )));
            }
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "Connector config {} contains no connector type",
                java_map_string(&config)
            )))
        }
    }
    Ok(Json(herder.validate_connector_config(&plugin, config).await?).into_response())
}

/// Drops a trailing `Connector`, so `FileStreamSource`, `FileStreamSourceConnector` and the fully
/// qualified class name all compare equal by suffix.
fn strip_connector_suffix(name: &str) -> &str {
    name.strip_suffix("Connector").unwrap_or(name)
}
