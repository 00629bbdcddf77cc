//! The tower service in front of kube-fake-client: routes watches to the change log, keeps lists
//! consistent with it, and records every write there.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{header, HeaderMap, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use super::counts::{RequestCounts, Verb};
use super::log::Log;
use super::target::{is_watch, query_params, query_without, Target};
use super::watch;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Response bodies: whole JSON documents, or a watch's endless stream of lines.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// State shared by every client of one in-process API.
pub(super) struct Shared {
    /// The kube-fake-client backend.
    pub fake: kube::Client,
    /// Serializes writes and lists, so that a list's resourceVersion covers exactly the changes
    /// it contains and a watch from there misses none.
    pub serial: tokio::sync::Mutex<()>,
    pub log: Mutex<Log>,
    pub counts: RequestCounts,
}

impl Shared {
    pub fn log(&self) -> MutexGuard<'_, Log> {
        // A panic while holding the lock leaves the log consistent (each update is one insert).
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One client's view of the API; `caller` names it in the request counts.
#[derive(Clone)]
pub(super) struct FakeService {
    pub shared: Arc<Shared>,
    pub caller: Arc<str>,
}

impl tower::Service<Request<kube::client::Body>> for FakeService {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<Body>, BoxError>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<kube::client::Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.handle(req).await })
    }
}

impl FakeService {
    async fn handle(&self, req: Request<kube::client::Body>) -> Result<Response<Body>, BoxError> {
        let target = Target::parse(req.uri().path());
        let params = query_params(req.uri().query());
        let verb = Verb::of(req.method(), target.as_ref(), is_watch(&params));
        self.shared.counts.record(&self.caller, verb);
        let metadata_only = wants_metadata_only(req.headers());
        let Some(target) = target else {
            let (status, value) = self.forward(req).await?;
            return json_response(status, &value);
        };
        match verb {
            Verb::Watch => Ok(watch::respond(
                self.shared.clone(),
                &target,
                &params,
                metadata_only,
            )),
            Verb::List => self.list(req, &target, metadata_only).await,
            Verb::Get => self.get(req, &target, metadata_only).await,
            Verb::Delete => self.delete(req, &target).await,
            Verb::Create | Verb::Update | Verb::Patch => self.write(req, &target).await,
            Verb::Other => {
                let (status, value) = self.forward(req).await?;
                json_response(status, &value)
            }
        }
    }

    async fn list(
        &self,
        req: Request<kube::client::Body>,
        target: &Target,
        metadata_only: bool,
    ) -> Result<Response<Body>, BoxError> {
        // kube-fake-client cuts a list at `limit` without a continue token, so a paging client
        // would see only the first page; a real server may ignore `limit` (served from its watch
        // cache), and so does this one.
        let (mut parts, body) = req.into_parts();
        let query = query_without(parts.uri.query(), &["limit", "continue"]);
        let path = parts.uri.path();
        parts.uri = if query.is_empty() {
            path.parse()?
        } else {
            format!("{path}?{query}").parse()?
        };
        let _serial = self.shared.serial.lock().await;
        let (status, mut list) = self.forward(Request::from_parts(parts, body)).await?;
        if status.is_success() {
            let log = self.shared.log();
            if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
                for item in items.iter_mut() {
                    log.present(target, item);
                    if metadata_only {
                        *item = watch::metadata_only(item);
                    }
                }
            }
            list["metadata"] = serde_json::json!({ "resourceVersion": log.seq().to_string() });
            if metadata_only {
                list["apiVersion"] = "meta.k8s.io/v1".into();
                list["kind"] = "PartialObjectMetadataList".into();
            }
        }
        json_response(status, &list)
    }

    async fn get(
        &self,
        req: Request<kube::client::Body>,
        target: &Target,
        metadata_only: bool,
    ) -> Result<Response<Body>, BoxError> {
        let (status, mut object) = self.forward(req).await?;
        if status.is_success() {
            self.shared.log().present(target, &mut object);
            if metadata_only {
                object = watch::metadata_only(&object);
            }
        }
        json_response(status, &object)
    }

    async fn write(
        &self,
        req: Request<kube::client::Body>,
        target: &Target,
    ) -> Result<Response<Body>, BoxError> {
        let _serial = self.shared.serial.lock().await;
        let req = match self.check_precondition(req, target).await? {
            Ok(req) => req,
            Err(conflict) => return Ok(conflict),
        };
        let (status, mut object) = self.forward(req).await?;
        if status.is_success() {
            self.shared.log().record_write(target, &mut object);
        }
        json_response(status, &object)
    }

    /// Optimistic concurrency as the API server does it: a write whose body carries
    /// `metadata.resourceVersion` succeeds only if the object still has that version, else 409.
    /// kube-fake-client counts versions of its own (this layer shows the log's), so the
    /// precondition is checked here and removed before the write goes on.
    async fn check_precondition(
        &self,
        req: Request<kube::client::Body>,
        target: &Target,
    ) -> Result<Result<Request<kube::client::Body>, Response<Body>>, BoxError> {
        let (parts, body) = req.into_parts();
        let bytes = body.collect().await?.to_bytes();
        let mut value: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            // Not JSON (e.g. empty): nothing to check; the fake answers it.
            Err(_) => {
                return Ok(Ok(Request::from_parts(
                    parts,
                    kube::client::Body::from(bytes.to_vec()),
                )))
            }
        };
        let expected = value
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
            .map(str::to_owned);
        let Some(expected) = expected else {
            return Ok(Ok(Request::from_parts(
                parts,
                kube::client::Body::from(bytes.to_vec()),
            )));
        };
        let current = self.shared.log().current_version(target);
        if current.map(|c| c.to_string()) != Some(expected) {
            let name = target.name.clone().unwrap_or_default();
            let resource = if target.group.is_empty() {
                target.plural.clone()
            } else {
                format!("{}.{}", target.plural, target.group)
            };
            let status = serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"),
                "reason": "Conflict", "details": {"name": name, "kind": target.plural}, "code": 409,
            });
            return Ok(Err(json_response(StatusCode::CONFLICT, &status)?));
        }
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        Ok(Ok(Request::from_parts(
            parts,
            kube::client::Body::from(serde_json::to_vec(&value)?),
        )))
    }

    async fn delete(
        &self,
        req: Request<kube::client::Body>,
        target: &Target,
    ) -> Result<Response<Body>, BoxError> {
        let _serial = self.shared.serial.lock().await;
        let (status, mut object) = self.forward(req).await?;
        // A collection delete answers with a Status, not objects: no events for those.
        if status.is_success() && target.name.is_some() {
            self.shared.log().record_delete(target, &mut object);
        }
        json_response(status, &object)
    }

    async fn forward(
        &self,
        req: Request<kube::client::Body>,
    ) -> Result<(StatusCode, Value), BoxError> {
        let response = self.shared.fake.send(req).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok((status, serde_json::from_slice(&bytes)?))
    }
}

/// Whether the client asked for `PartialObjectMetadata` (kube's metadata-only watches and lists).
fn wants_metadata_only(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("as=PartialObjectMetadata"))
}

pub(super) fn json_response(status: StatusCode, value: &Value) -> Result<Response<Body>, BoxError> {
    let body = Full::new(Bytes::from(serde_json::to_vec(value)?))
        .map_err(|never| match never {})
        .boxed_unsync();
    Ok(Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)?)
}
