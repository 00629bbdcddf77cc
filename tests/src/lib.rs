//! End-to-end harness: starts a real Kafka-protocol broker (tansu) and the real `ferry-worker` binary,
//! and talks to both as a user would (Kafka clients, the REST API, files).
//!
//! Nothing here sleeps and hopes: every wait polls a condition until a deadline and fails with what it
//! last saw.

pub mod broker;
pub mod certs;
pub mod kafka;
pub mod tls_proxy;
pub mod wait;
pub mod worker;

pub use broker::Tansu;
pub use wait::{wait_until, wait_until_async, Deadline};
pub use worker::{free_port, Worker};

use std::path::PathBuf;

/// The workspace's target directory profile folder that holds the built binaries (`target/debug`),
/// found from the running test binary (`target/debug/deps/<test>`).
pub fn binaries_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let deps = exe
        .parent()
        .expect("test binaries live in target/<profile>/deps");
    deps.parent().expect("deps has a parent").to_path_buf()
}
