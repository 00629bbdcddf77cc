//! The one error type every REST handler returns, rendered as Kafka Connect's
//! `{"error_code":N,"message":"..."}` body with status N.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::entities::ErrorMessage;
use super::herder::HerderError;

/// A failed request: the HTTP status and Kafka's message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Jersey's text for a request that matched no resource, or whose path parameter could not be
    /// converted (e.g. a task id that is not a number).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "HTTP 404 Not Found")
    }

    /// Jersey's text for a known path asked with a method it does not serve.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "HTTP 405 Method Not Allowed",
        )
    }
}

impl From<HerderError> for ApiError {
    fn from(err: HerderError) -> Self {
        // The herder's codes are all valid statuses; fall back to 500 rather than panic if one is not.
        let status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorMessage {
            error_code: self.status.as_u16(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Handlers return this: a response, or an error rendered as the error body.
pub type ApiResult<T> = Result<T, ApiError>;

/// The router's fallback for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// The router's fallback for a known path asked with an unsupported method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
