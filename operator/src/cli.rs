//! Command line of `ferry-operator`, as the Helm chart runs it.

use std::net::SocketAddr;

use clap::Parser;

/// Ferry's control plane: reconciles KafkaConnect and KafkaConnector resources.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(name = "ferry-operator", version)]
pub struct Args {
    /// Take part in leader election through a Lease, so only one replica reconciles.
    #[arg(long)]
    pub leader_elect: bool,
    /// Name of the leader-election Lease (in POD_NAMESPACE).
    #[arg(long, default_value = "ferry-operator")]
    pub lease_name: String,
    /// Address of the Prometheus `/metrics` endpoint.
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub metrics_addr: SocketAddr,
    /// Address of `/healthz` and `/readyz`.
    #[arg(long, default_value = "0.0.0.0:8081")]
    pub health_addr: SocketAddr,
    /// Namespaces to watch, comma-separated; all namespaces when unset.
    #[arg(long, value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// Worker image for KafkaConnects without spec.image.
    #[arg(long, env = "FERRY_WORKER_IMAGE", default_value = concat!("ghcr.io/ferry-dev/ferry-worker:", env!("CARGO_PKG_VERSION")))]
    pub worker_image: String,
    /// Identity in the Lease and in Events (the pod name).
    #[arg(long, env = "POD_NAME")]
    pub pod_name: Option<String>,
    /// Namespace of the Lease (the operator's own namespace).
    #[arg(long, env = "POD_NAMESPACE")]
    pub pod_namespace: Option<String>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    pub log_json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_charts_command_line() {
        let a = Args::try_parse_from([
            "ferry-operator",
            "--leader-elect",
            "--metrics-addr",
            "0.0.0.0:9090",
            "--health-addr",
            "0.0.0.0:8081",
            "--namespaces",
            "ns1,ns2",
            "--worker-image",
            "img:1",
        ])
        .expect("parses");
        assert!(a.leader_elect);
        assert_eq!(a.metrics_addr.port(), 9090);
        assert_eq!(a.namespaces, ["ns1", "ns2"]);
        assert_eq!(a.worker_image, "img:1");
        let d = Args::try_parse_from(["ferry-operator"]).expect("defaults");
        assert!(!d.leader_elect);
        assert!(d.namespaces.is_empty());
        assert_eq!(d.health_addr.port(), 8081);
        assert_eq!(d.lease_name, "ferry-operator");
    }
}
