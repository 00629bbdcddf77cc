//! Driving the router in-process: build a request, run it through `oneshot`, collect the reply.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::memory_herder::{MemoryHerder, SOURCE_CLASS};
use crate::rest::router;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts the Kafka error body and status.
    pub fn assert_error(&self, status: u16, message: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {:?}", self.json());
        assert_eq!(
            self.json(),
            json!({"error_code": status, "message": message})
        );
        assert_eq!(self.header(header::CONTENT_TYPE), Some("application/json"));
    }
}

pub struct Api {
    pub herder: Arc<MemoryHerder>,
    router: Router,
}

impl Api {
    pub fn new() -> Self {
        Self::with(MemoryHerder::new())
    }

    pub fn with(herder: MemoryHerder) -> Self {
        let herder = Arc::new(herder);
        let router = router(herder.clone());
        Self { herder, router }
    }

    /// Sends a request; the body goes without a Content-Type, as curl users often send it.
    pub async fn send(&self, method: Method, uri: &str, body: Option<&str>) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
            .unwrap();
        self.send_request(request).await
    }

    pub async fn send_request(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: &str) -> Reply {
        self.send(Method::POST, uri, Some(body)).await
    }

    pub async fn put(&self, uri: &str, body: &str) -> Reply {
        self.send(Method::PUT, uri, Some(body)).await
    }

    pub async fn patch(&self, uri: &str, body: &str) -> Reply {
        self.send(Method::PATCH, uri, Some(body)).await
    }

    pub async fn delete(&self, uri: &str) -> Reply {
        self.send(Method::DELETE, uri, None).await
    }

    /// Creates a FileStreamSource connector and checks it worked.
    pub async fn create_source(&self, name: &str) {
        let body = json!({
            "name": name,
            "config": {"connector.class": SOURCE_CLASS, "tasks.max": "1", "topic": "t1", "file": "/tmp/in"}
        });
        let reply = self.post("/connectors", &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    }
}
