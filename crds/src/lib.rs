//! Ferry's Kubernetes API: the `KafkaConnect` and `KafkaConnector` custom resources.
//!
//! The types here are the single definition of the API. The operator reconciles them, the worker reads
//! them in kubernetes mode, and `ferry-crdgen` renders them into the CustomResourceDefinition YAML
//! committed under `crds/` and `charts/ferry/crds/`.
//!
//! Field names follow Strimzi's `kafka.strimzi.io/v1` API where Strimzi has the field, so a Strimzi
//! manifest migrates by changing `apiVersion` and the cluster label. See `docs/crd-reference.md`.
//!
//! Modules:
//! - [`connect`]: `KafkaConnect`, a group of Ferry workers;
//! - [`connector`]: `KafkaConnector`, one connector bound to a `KafkaConnect`;
//! - [`common`]: spec building blocks shared by both (TLS, authentication, probes, logging, template);
//! - [`config`]: free-form `config` maps and the keys Ferry manages itself;
//! - [`status`]: the status subresources and condition helpers;
//! - [`placement`]: where the operator places each task, and what each worker pod reports;
//! - [`labels`]: group/version, the binding label, condition types and reasons;
//! - [`generate`]: CRD YAML rendering, used by `ferry-crdgen` and the drift test.

pub mod common;
pub mod config;
pub mod connect;
pub mod connector;
pub mod generate;
pub mod labels;
pub mod placement;
mod schema;
pub mod status;

pub use connect::{KafkaConnect, KafkaConnectSpec};
pub use connector::{KafkaConnector, KafkaConnectorSpec};
pub use labels::{API_VERSION, CLUSTER_LABEL, GROUP, VERSION};
pub use status::{KafkaConnectStatus, KafkaConnectorStatus};
