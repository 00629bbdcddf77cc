//! `KafkaConnect` validation beyond what the CRD schema checks at admission: managed worker keys
//! under a prefix (CEL cannot enumerate the keys, see `ferry_crds::config`), values that are not
//! scalars, and spec combinations this operator cannot render yet.

use ferry_crds::common::LoggingType;
use ferry_crds::config::{managed_connect_key, ConfigValue};
use ferry_crds::KafkaConnectSpec;

use super::Problem;

/// Every problem of `spec`, in field order; empty when valid.
pub fn validate_connect(spec: &KafkaConnectSpec) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (key, value) in &spec.config {
        let field = format!("spec.config.{key}");
        if let Some(managed) = managed_connect_key(key) {
            problems.push(Problem::new(field, managed.message(key)));
        } else if let ConfigValue::Unsupported(v) = value {
            problems.push(Problem::new(
                field,
                format!("value {v} is not a string, number or boolean"),
            ));
        }
    }
    if let Some(tls) = &spec.tls {
        // Rendered as one PEM truststore file (`ssl.truststore.location`).
        if tls.trusted_certificates.len() > 1 {
            problems.push(Problem::new(
                "spec.tls.trustedCertificates",
                "only one trusted certificate is supported so far; put the CA chain into one Secret key",
            ));
        }
        if let Some(p) = tls
            .trusted_certificates
            .iter()
            .find(|c| c.pattern.is_some())
        {
            problems.push(Problem::new(
                "spec.tls.trustedCertificates",
                format!(
                    "pattern is not supported so far (Secret '{}'); name the key with certificate",
                    p.secret_name
                ),
            ));
        }
    }
    if spec
        .logging
        .as_ref()
        .is_some_and(|l| l.type_ == LoggingType::External)
    {
        problems.push(Problem::new(
            "spec.logging.type",
            "external logging is not supported so far; use type inline with loggers",
        ));
    }
    if spec
        .liveness_probe
        .as_ref()
        .and_then(|p| p.success_threshold)
        .is_some_and(|t| t != 1)
    {
        problems.push(Problem::new(
            "spec.livenessProbe.successThreshold",
            "must be 1 for a liveness probe (Kubernetes rejects other values)",
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::common::{CertSecretSource, ClientTls, Logging, ProbeSettings};
    use serde_json::json;

    fn spec() -> KafkaConnectSpec {
        KafkaConnectSpec::new("b:9092", "g", "o")
    }

    #[test]
    fn valid_spec_has_no_problems() {
        let mut s = spec();
        s.config
            .insert("ssl.endpoint.identification.algorithm".into(), "".into());
        s.config.insert(
            "offset.storage.replication.factor".into(),
            ConfigValue::Integer(-1),
        );
        assert_eq!(validate_connect(&s), vec![]);
    }

    #[test]
    fn managed_prefix_keys_are_rejected_with_a_message_naming_the_key() {
        let mut s = spec();
        s.config
            .insert("rest.port".into(), ConfigValue::Integer(9000));
        s.config.insert("sasl.login.class".into(), "x".into());
        let problems = validate_connect(&s);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].field, "spec.config.rest.port");
        assert!(
            problems[0].message.contains("'rest.port'"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("spec.authentication"));
    }

    #[test]
    fn non_scalar_values_are_rejected() {
        let mut s = spec();
        s.config.insert(
            "producer.linger.ms".into(),
            ConfigValue::Unsupported(json!([1])),
        );
        let problems = validate_connect(&s);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("[1]"));
    }

    #[test]
    fn unsupported_combinations_are_reported() {
        let mut s = spec();
        let cert = |name: &str| CertSecretSource {
            secret_name: name.into(),
            certificate: None,
            pattern: Some("*.crt".into()),
        };
        s.tls = Some(ClientTls {
            trusted_certificates: vec![cert("a"), cert("b")],
        });
        s.logging = Some(Logging {
            type_: LoggingType::External,
            loggers: None,
            value_from: None,
        });
        s.liveness_probe = Some(ProbeSettings {
            success_threshold: Some(2),
            ..ProbeSettings::default()
        });
        let fields: Vec<String> = validate_connect(&s).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "spec.tls.trustedCertificates",
                "spec.tls.trustedCertificates",
                "spec.logging.type",
                "spec.livenessProbe.successThreshold"
            ]
        );
    }
}
