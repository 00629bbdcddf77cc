//! The `ferry-worker` command line: `standalone` runs Kafka Connect's standalone mode from Kafka's own
//! properties files; `kubernetes` runs what the operator places on the worker's pod.

mod embedded;
mod kubernetes;
mod logging;
mod rest;
mod settings;
mod standalone;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use embedded::EmbeddedKafka;
pub use settings::worker_settings;

#[derive(Parser, Debug)]
#[command(
    name = "ferry-worker",
    version,
    about = "Kafka Connect's worker, rebuilt in Rust"
)]
pub struct Cli {
    /// Log format: human-readable text, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run connectors in standalone mode, as `connect-standalone.sh worker.properties connector.properties...`.
    Standalone(StandaloneArgs),
    /// Run the connector tasks the Ferry operator places on this pod (the mode of the operator's
    /// Deployment); see docs/kubernetes-mode.md.
    Kubernetes(KubernetesArgs),
}

#[derive(clap::Args, Debug)]
pub struct KubernetesArgs {
    /// The worker config (the operator mounts it at /etc/ferry/config/worker.properties).
    #[arg(long)]
    pub config: PathBuf,
    /// This pod's name [default: $POD_NAME].
    #[arg(long)]
    pub pod_name: Option<String>,
    /// The namespace of the KafkaConnectors [default: $POD_NAMESPACE].
    #[arg(long)]
    pub namespace: Option<String>,
    /// The KafkaConnect this worker belongs to [default: $FERRY_CONNECT_CLUSTER].
    #[arg(long)]
    pub cluster: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct StandaloneArgs {
    /// Start an in-process Kafka (librdkafka's mock cluster) and use it instead of `bootstrap.servers`.
    /// In memory only, NOT durable: for trying Ferry out, never for real data.
    #[arg(long)]
    pub embedded_kafka: bool,
    /// The worker config (Kafka's `connect-standalone.properties` works unchanged).
    pub worker_properties: PathBuf,
    /// Connector configs: `.properties` files or JSON (a config object, or `{"name","config","initial_state"}`).
    pub connector_files: Vec<PathBuf>,
}

/// Exit codes, as `connect-standalone` uses them where it defines one.
pub mod exit {
    /// The worker config or a connector file could not be read or is invalid.
    pub const CONFIG: u8 = 1;
    /// A connector could not be created (Kafka's `ConnectStandalone` exits with 3).
    pub const CONNECTOR: u8 = 3;
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.log_format);
    // The Kubernetes client (kube mode, the Secrets config provider) builds its TLS config from
    // rustls' process-wide provider, which rustls picks by itself only when exactly one of its
    // providers is compiled in; a build unified with other crates' features (cargo test
    // --workspace) has two, and would panic. Ferry uses ring throughout.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ferry-worker: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match cli.command {
        Command::Standalone(args) => runtime.block_on(standalone::run(args)),
        Command::Kubernetes(args) => runtime.block_on(kubernetes::run(args)),
    };
    // By now every task has stopped. A blocking call still running (a sink's offset commit that
    // waits for an absent group coordinator, and was given up) must not keep the process alive:
    // dropping the runtime would wait for it without limit.
    runtime.shutdown_timeout(BLOCKING_CALLS_AT_EXIT);
    code
}

/// How long the exit waits for blocking calls still running.
const BLOCKING_CALLS_AT_EXIT: std::time::Duration = std::time::Duration::from_secs(5);
