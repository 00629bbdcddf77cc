//! Kafka Connect's REST API, served with axum.
//!
//! - [`entities`] and [`herder`]: the JSON entities and the `Herder` trait the handlers call (shared
//!   with the runtime).
//! - [`server`]: the [`router`] and [`serve`].
//! - [`connectors`], [`lifecycle`], [`offsets`], [`plugins`], [`root`]: the handlers, by resource.
//! - [`body`], [`params`], [`error`]: request parsing and the error body.
//! - [`tls`] and [`auth`]: the https listener and authentication (both off by default).

pub mod auth;
pub mod body;
pub mod connectors;
pub mod entities;
pub mod error;
pub mod herder;
pub mod lifecycle;
pub mod offsets;
pub mod params;
pub mod plugins;
pub mod root;
pub mod server;
pub mod tls;

#[cfg(test)]
pub(crate) mod tests;

pub use error::{ApiError, ApiResult};
pub use server::{router, serve, serve_tls};
