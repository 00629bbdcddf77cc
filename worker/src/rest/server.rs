//! The router wiring every endpoint, the request-tracing middleware, and the HTTP server.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;

use super::error::{method_not_allowed, not_found};
use super::herder::Herder;
use super::{connectors, lifecycle, offsets, plugins, root};

/// Kafka Connect's REST API (without the admin/loggers and internal endpoints) plus `GET /metrics`.
///
/// Every error answers `{"error_code":N,"message":"..."}` with status N, including unknown routes
/// (404 `HTTP 404 Not Found`) and known routes asked with the wrong method (405
/// `HTTP 405 Method Not Allowed`). Bodies are read as JSON whatever their `Content-Type`; a malformed
/// body is a 400 here where Kafka answers 500 (a deliberate difference, see [`super::body`]).
pub fn router(herder: Arc<dyn Herder>) -> Router {
    let connector_list = get(connectors::list).post(connectors::create);
    let plugin_list = get(plugins::list);
    Router::new()
        .route("/", get(root::server_info))
        .route("/health", get(root::health))
        .route("/metrics", get(root::metrics))
        // Jersey serves a collection resource with and without a trailing slash.
        .route("/connectors", connector_list.clone())
        .route("/connectors/", connector_list)
        .route(
            "/connectors/{connector}",
            get(connectors::info).delete(connectors::delete),
        )
        .route(
            "/connectors/{connector}/config",
            get(connectors::get_config)
                .put(connectors::put_config)
                .patch(connectors::patch_config),
        )
        .route("/connectors/{connector}/status", get(lifecycle::status))
        .route("/connectors/{connector}/tasks", get(lifecycle::tasks))
        .route(
            "/connectors/{connector}/tasks-config",
            get(lifecycle::tasks_config),
        )
        .route(
            "/connectors/{connector}/tasks/{task}/status",
            get(lifecycle::task_status),
        )
        .route(
            "/connectors/{connector}/tasks/{task}/restart",
            post(lifecycle::restart_task),
        )
        .route("/connectors/{connector}/restart", post(lifecycle::restart))
        .route("/connectors/{connector}/pause", put(lifecycle::pause))
        .route("/connectors/{connector}/resume", put(lifecycle::resume))
        .route("/connectors/{connector}/stop", put(lifecycle::stop))
        .route("/connectors/{connector}/topics", get(offsets::topics))
        .route(
            "/connectors/{connector}/topics/reset",
            put(offsets::reset_topics),
        )
        .route(
            "/connectors/{connector}/offsets",
            get(offsets::get_offsets)
                .patch(offsets::alter_offsets)
                .delete(offsets::reset_offsets),
        )
        .route("/connector-plugins", plugin_list.clone())
        .route("/connector-plugins/", plugin_list)
        .route("/connector-plugins/{plugin}/config", get(plugins::config))
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(plugins::validate),
        )
        // Must come after the routes: it is applied to the method routers that exist at this point.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn(trace_request))
        .with_state(herder)
}

/// Logs each request at debug level once its response is ready.
async fn trace_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "REST request"
    );
    response
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// As [`serve`], over TLS: each connection completes its handshake before the router sees it.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: std::sync::Arc<rustls::ServerConfig>,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = super::tls::TlsListener::new(listener, tls)?;
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
