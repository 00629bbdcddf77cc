//! Ferry's worker: Kafka Connect's data plane, rebuilt in Rust.
//!
//! - [`data`]: the Connect data model (schemas, values, records), shared by everything below.
//! - [`config`]: `.properties` files, `ConfigDef`, worker and connector configuration.
//! - [`converters`]: JsonConverter, StringConverter, ByteArrayConverter, header converters.
//! - [`transforms`]: single message transforms and predicates.
//! - [`connectors`]: the connector and task API, and the built-in FileStream connectors.
//! - [`plugins`]: the registry of compiled-in plugins, by class name and alias.
//! - [`runtime`]: the herder, source and sink task loops, Kafka clients, status.
//! - [`storage`]: offset stores.
//! - [`rest`]: Kafka Connect's REST API.
//! - [`metrics`]: Prometheus metrics.
//! - [`cli`]: the `ferry-worker` command line (standalone mode, `--embedded-kafka`).

pub mod allocator;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod converters;
pub mod data;
pub mod errors;
pub(crate) mod java_regex;
pub mod kubernetes;
pub mod metrics;
pub mod plugins;
pub mod rest;
pub mod runtime;
pub mod storage;
mod sync;
pub mod transforms;

/// The version Ferry reports (`GET /` and plugin versions).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
