//! The worker-level endpoints: `GET /`, `GET /health` and `GET /metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::herder::Herder;

/// The content type Prometheus scrapers expect for the text exposition format.
pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// `GET /`: the server info.
pub async fn server_info(State(herder): State<Arc<dyn Herder>>) -> Response {
    Json(herder.server_info()).into_response()
}

/// `GET /health`: the worker status, with a status code a load balancer can act on:
/// 200 when healthy, 503 while starting, 500 otherwise.
pub async fn health(State(herder): State<Arc<dyn Herder>>) -> Response {
    let status = herder.health();
    let code = match status.status.as_str() {
        "healthy" => StatusCode::OK,
        "starting" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (code, Json(status)).into_response()
}

/// `GET /metrics`: Prometheus text (not part of Kafka Connect's API).
pub async fn metrics(State(herder): State<Arc<dyn Herder>>) -> Response {
    (
        [(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)],
        herder.metrics_text(),
    )
        .into_response()
}
