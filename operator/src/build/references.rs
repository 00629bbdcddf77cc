//! Secrets a `KafkaConnect` spec refers to, and where the worker finds them.
//!
//! One list serves three jobs: the pod mounts (or env vars) that deliver them, the Role's
//! `resourceNames` that let the workers read exactly these and no other Secret, and the config hash
//! that rolls the pods when one of them changes.

use std::collections::BTreeSet;

use ferry_crds::KafkaConnectSpec;

/// Environment variable holding the SASL password, read by the worker through Kafka's
/// `EnvVarConfigProvider` syntax `${env:...}` so the password never lands in the ConfigMap.
pub const SASL_PASSWORD_ENV: &str = "FERRY_SASL_PASSWORD";

/// Mount directory of a Secret holding trusted CA certificates.
pub fn trusted_dir(secret: &str) -> String {
    format!("{}/tls/trusted/{secret}", crate::names::CONFIG_DIR)
}

/// Mount directory of the Secret holding the client certificate and key.
pub fn client_cert_dir(secret: &str) -> String {
    format!("{}/tls/client/{secret}", crate::names::CONFIG_DIR)
}

/// Secrets the workers need for TLS and authentication, sorted and without duplicates. These are
/// the Secrets the workers' Role may read.
pub fn client_secrets(spec: &KafkaConnectSpec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(tls) = &spec.tls {
        out.extend(
            tls.trusted_certificates
                .iter()
                .map(|c| c.secret_name.clone()),
        );
    }
    if let Some(auth) = &spec.authentication {
        if let Some(ck) = &auth.certificate_and_key {
            out.insert(ck.secret_name.clone());
        }
        if let Some(p) = &auth.password_secret {
            out.insert(p.secret_name.clone());
        }
    }
    out
}

/// Every Secret whose content should roll the pods when it changes: the client secrets plus
/// Secrets mounted through `template.pod.volumes` (kubelet refreshes mounted files, but a connector
/// that read them at start-up would not notice, so a restart is the safe default).
pub fn hashed_secrets(spec: &KafkaConnectSpec) -> BTreeSet<String> {
    let mut out = client_secrets(spec);
    let volumes = spec
        .template
        .as_ref()
        .and_then(|t| t.pod.as_ref())
        .map(|p| p.volumes.as_slice())
        .unwrap_or_default();
    out.extend(
        volumes
            .iter()
            .filter_map(|v| v.secret.as_ref())
            .filter_map(|s| s.secret_name.clone()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::common::{
        AdditionalVolume, AuthenticationType, CertSecretSource, ClientAuthentication, ClientTls,
        ConnectTemplate, PasswordSecretSource, PodTemplate,
    };
    use k8s_openapi::api::core::v1::SecretVolumeSource;

    #[test]
    fn collects_tls_auth_and_volume_secrets() {
        let mut spec = KafkaConnectSpec::new("b:9092", "g", "o");
        assert!(client_secrets(&spec).is_empty());
        spec.tls = Some(ClientTls {
            trusted_certificates: vec![CertSecretSource {
                secret_name: "ca".into(),
                certificate: Some("ca.crt".into()),
                pattern: None,
            }],
        });
        spec.authentication = Some(ClientAuthentication {
            type_: AuthenticationType::ScramSha512,
            certificate_and_key: None,
            username: Some("u".into()),
            password_secret: Some(PasswordSecretSource {
                secret_name: "pw".into(),
                password: "password".into(),
            }),
        });
        spec.template = Some(ConnectTemplate {
            pod: Some(PodTemplate {
                volumes: vec![AdditionalVolume {
                    name: "extra".into(),
                    secret: Some(SecretVolumeSource {
                        secret_name: Some("extra-secret".into()),
                        ..SecretVolumeSource::default()
                    }),
                    ..AdditionalVolume::default()
                }],
                ..PodTemplate::default()
            }),
            ..ConnectTemplate::default()
        });
        assert_eq!(
            client_secrets(&spec).into_iter().collect::<Vec<_>>(),
            ["ca", "pw"]
        );
        assert_eq!(
            hashed_secrets(&spec).into_iter().collect::<Vec<_>>(),
            ["ca", "extra-secret", "pw"]
        );
    }
}
