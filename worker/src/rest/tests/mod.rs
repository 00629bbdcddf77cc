//! In-process tests of the REST API against an in-memory herder.

mod memory_herder;
mod support;

mod connectors;
mod lifecycle;
mod offsets;
mod plugins;
mod server;
