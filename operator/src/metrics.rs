//! Prometheus metrics of the operator: reconciles, errors by kind, durations, leadership.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The operator's metrics and their registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Reconciles by resource kind.
    pub reconciles: IntCounterVec,
    /// Failed reconciles by resource kind and error kind.
    pub errors: IntCounterVec,
    /// Reconcile duration by resource kind.
    pub duration: HistogramVec,
    /// 1 while this replica holds the leader Lease.
    pub leader: IntGauge,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let reconciles = IntCounterVec::new(
            Opts::new("ferry_operator_reconciles_total", "Reconciles started"),
            &["kind"],
        )?;
        let errors = IntCounterVec::new(
            Opts::new("ferry_operator_reconcile_errors_total", "Failed reconciles"),
            &["kind", "error"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "ferry_operator_reconcile_duration_seconds",
                "Reconcile duration",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["kind"],
        )?;
        let leader = IntGauge::new("ferry_operator_leader", "1 while this replica leads")?;
        registry.register(Box::new(reconciles.clone()))?;
        registry.register(Box::new(errors.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(leader.clone()))?;
        Ok(Metrics {
            registry,
            reconciles,
            errors,
            duration,
            leader,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_by_label() {
        let m = Metrics::new().expect("metrics");
        m.reconciles.with_label_values(&["KafkaConnect"]).inc();
        m.errors
            .with_label_values(&["KafkaConnector", "apply"])
            .inc();
        m.duration.with_label_values(&["KafkaConnect"]).observe(0.2);
        let text = m.render().expect("render");
        assert!(
            text.contains("ferry_operator_reconciles_total{kind=\"KafkaConnect\"} 1"),
            "{text}"
        );
        assert!(text.contains("error=\"apply\""), "{text}");
        assert!(text
            .contains("ferry_operator_reconcile_duration_seconds_count{kind=\"KafkaConnect\"} 1"));
    }
}
