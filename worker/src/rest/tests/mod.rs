//! In-process tests of the REST API against an in-memory herder.

pub(crate) mod memory_herder;
pub(crate) mod support;

mod connectors;
mod lifecycle;
mod offsets;
mod plugins;
mod server;
