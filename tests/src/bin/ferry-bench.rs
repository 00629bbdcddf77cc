//! `ferry-bench`: Ferry's FileStream connectors against a minimal rdkafka producer and consumer, on the
//! same tansu broker and the same input (issue 2). See docs/benchmarks.md for what each figure means.
//!
//! ```text
//! cargo build --release -p ferry-worker
//! cargo run --release -p ferry-e2e --bin ferry-bench -- [--lines N] [--runs R]
//! ```

#[path = "../bench/mod.rs"]
mod bench;

use anyhow::Context;
use clap::Parser;

fn main() -> anyhow::Result<()> {
    let args = bench::Args::parse();
    // Before any thread exists: `Worker::start` reads FERRY_WORKER_BIN from the environment.
    let worker = bench::select_worker_binary()?;
    eprintln!("ferry-bench: worker binary {}", worker.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot build the tokio runtime")?;
    let result = runtime.block_on(bench::main(args));
    // After Ctrl-C a client loop may still be running on a blocking thread; it has no child process
    // to clean up, so do not wait for it to reach its deadline.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
