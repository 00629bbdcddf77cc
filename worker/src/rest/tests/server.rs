//! Worker endpoints, routing errors, and the real server.

use std::sync::Arc;

use axum::http::{header, Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::memory_herder::MemoryHerder;
use super::support::Api;
use crate::rest::{router, serve};

#[tokio::test]
async fn root_is_server_info() {
    let api = Api::new();
    let reply = api.get("/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"version": "0.1.0", "commit": "abc123", "kafka_cluster_id": "cluster-1"})
    );
}

#[tokio::test]
async fn health_status_codes_follow_the_worker_status() {
    let api = Api::new();
    let reply = api.get("/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
    );

    api.herder
        .set_health("starting", "Worker is still starting up.");
    let reply = api.get("/health").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.json(),
        json!({"status": "starting", "message": "Worker is still starting up."})
    );

    api.herder
        .set_health("unhealthy", "Worker was unable to handle this request.");
    let reply = api.get("/health").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.json()["status"], "unhealthy");
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let api = Api::new();
    let reply = api.get("/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        Some("text/plain; version=0.0.4")
    );
    assert_eq!(
        std::str::from_utf8(&reply.body).unwrap(),
        "# TYPE ferry_connectors gauge\nferry_connectors 0\n"
    );
}

#[tokio::test]
async fn unknown_routes_are_404_with_an_error_body() {
    let api = Api::new();
    for uri in [
        "/nope",
        "/connectors/src/nope",
        "/connectors/src/tasks/0",
        "/admin/loggers",
    ] {
        api.get(uri).await.assert_error(404, "HTTP 404 Not Found");
    }
}

#[tokio::test]
async fn wrong_methods_are_405_with_an_error_body() {
    let api = Api::new();
    let cases = [
        (Method::DELETE, "/connectors"),
        (Method::POST, "/connectors/src/status"),
        (Method::GET, "/connectors/src/pause"),
        (Method::GET, "/connectors/src/restart"),
        (Method::POST, "/connector-plugins"),
        (Method::GET, "/connector-plugins/x/config/validate"),
        (Method::POST, "/health"),
    ];
    for (method, uri) in cases {
        api.send(method, uri, None)
            .await
            .assert_error(405, "HTTP 405 Method Not Allowed");
    }
}

#[tokio::test]
async fn serve_answers_over_tcp_and_shuts_down_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(Arc::new(MemoryHerder::new()));
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /connectors HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("[]"), "{response}");

    stop.send(()).unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .expect("server did not shut down")
        .unwrap();
    assert!(result.is_ok());
}
