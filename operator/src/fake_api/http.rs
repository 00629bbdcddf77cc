//! Serves a [`FakeApi`] over plain HTTP, so that the operator under measurement can run in a
//! process of its own (the scale benchmark measures that process's memory without the API's).
//!
//! The client's name for the request counts comes from the [`CALLER_HEADER`] header;
//! `GET /_requests?caller=NAME` answers the counts of NAME by verb.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::Service;

use super::FakeApi;

/// The request header naming the client in the request counts.
pub const CALLER_HEADER: &str = "x-fake-api-caller";
/// The path of the request counts.
pub const REQUESTS_PATH: &str = "/_requests";

/// Serves `api` on `listener` until `shutdown`.
pub async fn serve(
    api: Arc<FakeApi>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = Router::new()
        .route(REQUESTS_PATH, get(requests))
        .fallback(proxy)
        .with_state(api);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

#[derive(serde::Deserialize)]
struct CallerQuery {
    caller: String,
}

async fn requests(
    State(api): State<Arc<FakeApi>>,
    Query(q): Query<CallerQuery>,
) -> Json<BTreeMap<String, u64>> {
    let counts = api.requests().by_verb(&q.caller);
    Json(
        counts
            .into_iter()
            .map(|(verb, n)| (verb.as_str().to_owned(), n))
            .collect(),
    )
}

async fn proxy(State(api): State<Arc<FakeApi>>, req: Request) -> Response {
    let caller = req
        .headers()
        .get(CALLER_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("anonymous")
        .to_owned();
    let (parts, body) = req.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let req = http::Request::from_parts(parts, kube::client::Body::from(bytes));
    match api.service(&caller).call(req).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
