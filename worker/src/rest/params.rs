//! Path and query parameters, converted the way JAX-RS (Jersey) converts them for Kafka Connect.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Path parameters (already percent-decoded by axum); a rejection becomes an error body.
#[derive(Debug, Clone)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))
    }
}

/// The query string as ordered name/value pairs, so repeated parameters (`expand=a&expand=b`) survive.
#[derive(Debug, Clone, Default)]
pub struct QueryParams(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(pairs)| QueryParams(pairs))
            .map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))
    }
}

impl QueryParams {
    /// Every value of `name`, in order (JAX-RS `Collection<String>` parameters).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean parameter as Jersey binds a `Boolean`: the first value counts; absent or blank takes
    /// the default; otherwise it is `true` only for a case-insensitive "true" (`Boolean.valueOf`).
    pub fn boolean(&self, name: &str, default: bool) -> bool {
        match self.all(name).first() {
            Some(v) if !v.trim().is_empty() => v.eq_ignore_ascii_case("true"),
            _ => default,
        }
    }
}

/// Converts a `{task}` path segment. Kafka binds it to a Java `Integer`; when that conversion fails
/// Jersey answers 404, so anything that is not a non-negative 32-bit integer is a 404 here. (A negative
/// number would reach Kafka's herder and also end in a 404, with the herder's text.)
pub fn task_id(segment: &str) -> Result<u32, ApiError> {
    segment
        .parse::<i32>()
        .ok()
        .and_then(|id| u32::try_from(id).ok())
        .ok_or_else(ApiError::not_found)
}

/// `/connectors/<name>` with the name percent-encoded as a URI path, for `Location` headers.
/// Characters allowed in a path (RFC 3986 `pchar` and `/`) are kept, as a URI builder's `path()` does.
pub fn connector_location(name: &str) -> String {
    let mut out = String::from("/connectors/");
    for byte in name.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
