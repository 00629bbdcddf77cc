//! Ferry's control plane: reconciles `KafkaConnect` and `KafkaConnector` resources.
//!
//! Modules, from pure to I/O:
//! - [`names`]: names and labels of the generated objects;
//! - [`build`]: the desired objects of a `KafkaConnect`, pure functions of the resource;
//! - [`validate`]: spec and connector-config validation, pure;
//! - [`status`]: conditions and status documents, pure;
//! - [`assign`]: where connector instances and tasks run, pure (never twice, sticky, balanced);
//! - [`leader`]: Lease-based leader election (pure decision + a thin client loop);
//! - [`controller`]: the kube-runtime controllers, thin I/O around the above;
//! - [`metrics`], [`http`]: Prometheus metrics and the health/metrics servers;
//! - [`cli`], [`app`]: command line and process wiring;
//! - `fake_api` (feature `fake-api`): an in-process API server for the controller tests and the
//!   scale benchmark.

pub mod app;
pub mod assign;
pub mod build;
pub mod cli;
pub mod controller;
pub mod distribute;
#[cfg(feature = "fake-api")]
pub mod fake_api;
pub mod http;
pub mod leader;
pub mod metrics;
pub mod names;
pub mod status;
pub mod validate;
