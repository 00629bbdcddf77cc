//! Watches: `?watch=true` lists answered from the change log, one JSON event per line, as the
//! API server streams them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{stream, StreamExt};
use http::{header, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::log::{Change, Replay};
use super::service::{Body, BoxError, Shared};
use super::target::Target;

/// A watch without `timeoutSeconds` ends after this long, as the API server's default does.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

/// Which changes a watch receives.
struct Filter {
    group: String,
    plural: String,
    namespace: Option<String>,
    label_selector: Option<String>,
}

impl Filter {
    fn matches(&self, c: &Change) -> bool {
        c.group == self.group
            && c.plural == self.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| c.namespace.as_ref() == Some(ns))
            && self.label_selector.as_ref().is_none_or(|s| {
                // An unparsable selector matches nothing, like a rejected watch would.
                kube_fake_client::label_selector::matches_label_selector(&c.labels, s)
                    .unwrap_or(false)
            })
    }
}

/// The response to a watch request.
pub(super) fn respond(
    shared: Arc<Shared>,
    target: &Target,
    params: &BTreeMap<String, String>,
    metadata_only: bool,
) -> Response<Body> {
    // "" and "0" mean "any": start from now (the list before it is the client's snapshot).
    let from = params
        .get("resourceVersion")
        .and_then(|rv| rv.parse::<u64>().ok())
        .filter(|rv| *rv > 0);
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let bookmarks = params.get("allowWatchBookmarks").map(String::as_str) == Some("true");
    let filter = Filter {
        group: target.group.clone(),
        plural: target.plural.clone(),
        namespace: target.namespace.clone(),
        label_selector: params.get("labelSelector").cloned(),
    };
    let api_version = if target.group.is_empty() {
        target.version.clone()
    } else {
        format!("{}/{}", target.group, target.version)
    };

    let (replay, live, start) = {
        let log = shared.log();
        let start = from.unwrap_or(log.seq());
        match log.subscribe(from) {
            Replay::Gone => return lines(stream::iter([gone()]).boxed()),
            Replay::From(replay, live) => (replay, live, start),
        }
    };
    // The last change this watch has taken off the log, filtered in or not: a bookmark at the end
    // may carry it, since nothing before it is still pending.
    let seen = Arc::new(AtomicU64::new(start));
    let seen_live = seen.clone();
    let live = stream::unfold(live, |mut rx| async move {
        match rx.recv().await {
            Ok(change) => Some((change, rx)),
            // Lagging behind the log's buffer: end the watch; the client resumes from its last
            // resourceVersion (or relists when that is gone), as with an API server.
            Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => None,
        }
    });
    let events = stream::iter(replay)
        .chain(live)
        .filter_map(move |change| {
            seen_live.store(change.seq, Ordering::Relaxed);
            let event = filter
                .matches(&change)
                .then(|| event_line(change.type_.as_str(), &change.object, metadata_only));
            std::future::ready(event)
        })
        .take_until(tokio::time::sleep(timeout));
    let end = stream::once(async move {
        bookmarks.then(|| {
            let rv = seen.load(Ordering::Relaxed).to_string();
            let object = json!({"apiVersion": api_version, "kind": "Bookmark",
                                "metadata": {"resourceVersion": rv}});
            event_line("BOOKMARK", &object, false)
        })
    })
    .filter_map(std::future::ready);
    lines(events.chain(end).boxed())
}

/// `object` reduced to what a `PartialObjectMetadata` client receives.
pub(super) fn metadata_only(object: &Value) -> Value {
    json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": object.get("metadata").cloned().unwrap_or(Value::Null),
    })
}

fn event_line(type_: &str, object: &Value, metadata_only: bool) -> Bytes {
    let event = if metadata_only {
        json!({"type": type_, "object": self::metadata_only(object)})
    } else {
        json!({"type": type_, "object": object})
    };
    let mut line = event.to_string().into_bytes();
    line.push(b'\n');
    Bytes::from(line)
}

/// The event a watch from a forgotten resourceVersion gets: the client must relist.
fn gone() -> Bytes {
    let status = json!({"apiVersion": "v1", "kind": "Status", "status": "Failure",
                        "reason": "Expired", "code": 410,
                        "message": "too old resource version"});
    event_line("ERROR", &status, false)
}

fn lines(events: stream::BoxStream<'static, Bytes>) -> Response<Body> {
    let body = StreamBody::new(events.map(|line| Ok::<_, BoxError>(Frame::data(line))));
    let mut response = Response::new(body.boxed_unsync());
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
