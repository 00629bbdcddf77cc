//! `/healthz`, `/readyz` (health port) and `/metrics` (metrics port).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// Process state the probes report.
#[derive(Default)]
pub struct Health {
    /// Set once the API server answered; both leader and standby replicas are then ready.
    pub ready: AtomicBool,
    /// Cleared when leadership was lost or a fatal error happened, so the liveness probe fails.
    pub failed: AtomicBool,
}

/// Router of the health port.
pub fn health_router(health: Arc<Health>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(health)
}

/// Router of the metrics port.
pub fn metrics_router(metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .with_state(metrics)
}

async fn healthz(State(h): State<Arc<Health>>) -> (StatusCode, &'static str) {
    if h.failed.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "failed")
    } else {
        (StatusCode::OK, "ok")
    }
}

async fn readyz(State(h): State<Arc<Health>>) -> (StatusCode, &'static str) {
    if h.ready.load(Ordering::Relaxed) && !h.failed.load(Ordering::Relaxed) {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

async fn metrics_handler(State(m): State<Metrics>) -> (StatusCode, String) {
    match m.render() {
        Ok(text) => (StatusCode::OK, text),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Serves `router` on `addr` until `shutdown`.
pub async fn serve(
    addr: SocketAddr,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn probes_follow_state() {
        let h = Arc::new(Health::default());
        assert_eq!(healthz(State(h.clone())).await.0, StatusCode::OK);
        assert_eq!(
            readyz(State(h.clone())).await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        h.ready.store(true, Ordering::Relaxed);
        assert_eq!(readyz(State(h.clone())).await.0, StatusCode::OK);
        h.failed.store(true, Ordering::Relaxed);
        assert_eq!(
            healthz(State(h.clone())).await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(readyz(State(h)).await.0, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn serves_metrics_over_http() {
        let m = Metrics::new().expect("metrics");
        m.leader.set(1);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let token = CancellationToken::new();
        let server = tokio::spawn({
            let token = token.clone();
            async move {
                axum::serve(listener, metrics_router(m))
                    .with_graceful_shutdown(token.cancelled_owned())
                    .await
            }
        });
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("write");
        let mut body = String::new();
        stream.read_to_string(&mut body).await.expect("read");
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");
        assert!(body.contains("ferry_operator_leader 1"), "{body}");
        token.cancel();
        server.await.expect("join").expect("serve");
    }
}
