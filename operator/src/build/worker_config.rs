//! The worker properties rendered from a `KafkaConnectSpec` (Strimzi's
//! `KafkaConnectConfigurationBuilder`, reference §3.1).
//!
//! TLS and SASL are rendered with librdkafka's key names (`ssl.ca.location`, `sasl.username`, ...):
//! the worker's Kafka client is librdkafka and passes such keys through unchanged, whereas Java's
//! keystore/truststore keys have no librdkafka equivalent. Managed keys in `spec.config` are
//! rejected by validation before rendering; here they are skipped as a second line of defence.

use std::collections::BTreeMap;

use ferry_crds::common::AuthenticationType;
use ferry_crds::config::managed_connect_key;
use ferry_crds::KafkaConnectSpec;

use super::references::{client_cert_dir, trusted_dir, SASL_PASSWORD_ENV};
use crate::names::REST_PORT;

/// Kafka's default converter, which Strimzi also defaults to.
pub const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
/// Kafka's env var config provider class, registered under the alias `env`.
pub const ENV_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

/// Worker properties (sorted by key) for `spec`.
pub fn worker_properties(spec: &KafkaConnectSpec) -> BTreeMap<String, String> {
    let mut props = BTreeMap::new();
    // Converters first, so a user value replaces the default.
    props.insert("key.converter".to_owned(), JSON_CONVERTER.to_owned());
    props.insert("value.converter".to_owned(), JSON_CONVERTER.to_owned());
    for (key, value) in &spec.config {
        if managed_connect_key(key).is_some() {
            continue;
        }
        if let Some(v) = value.to_property() {
            props.insert(key.clone(), v);
        }
    }
    let providers = match props.get("config.providers").map(|s| s.trim()) {
        Some(user) if user.split(',').any(|p| p.trim() == "env") => user.to_owned(),
        Some(user) if !user.is_empty() => format!("{user},env"),
        _ => "env".to_owned(),
    };
    props.insert("config.providers".to_owned(), providers);
    props.insert(
        "config.providers.env.class".to_owned(),
        ENV_PROVIDER_CLASS.to_owned(),
    );

    props.insert(
        "bootstrap.servers".to_owned(),
        spec.bootstrap_servers.clone(),
    );
    props.insert("group.id".to_owned(), spec.group_id.clone());
    props.insert(
        "offset.storage.topic".to_owned(),
        spec.offset_storage_topic.clone(),
    );
    props.insert("listeners".to_owned(), format!("http://:{REST_PORT}"));
    // Each pod advertises its own IP, which the Deployment puts into POD_IP (downward API).
    props.insert(
        "rest.advertised.host.name".to_owned(),
        "${env:POD_IP}".to_owned(),
    );
    props.insert("rest.advertised.port".to_owned(), REST_PORT.to_string());
    props.extend(security_properties(spec));
    props
}

fn security_properties(spec: &KafkaConnectSpec) -> BTreeMap<String, String> {
    let mut props = BTreeMap::new();
    let auth = spec.authentication.as_ref();
    let sasl = auth.is_some_and(|a| a.type_ != AuthenticationType::Tls);
    // Client certificates only make sense over TLS, so `type: tls` implies TLS like in Strimzi.
    let tls = spec.tls.is_some() || auth.is_some_and(|a| a.type_ == AuthenticationType::Tls);
    let protocol = match (tls, sasl) {
        (false, false) => "PLAINTEXT",
        (true, false) => "SSL",
        (false, true) => "SASL_PLAINTEXT",
        (true, true) => "SASL_SSL",
    };
    props.insert("security.protocol".to_owned(), protocol.to_owned());
    // Validation admits at most one trusted certificate key (librdkafka takes one CA file).
    if let Some(cert) = spec
        .tls
        .as_ref()
        .and_then(|t| t.trusted_certificates.first())
    {
        if let Some(key) = &cert.certificate {
            props.insert(
                "ssl.ca.location".to_owned(),
                format!("{}/{key}", trusted_dir(&cert.secret_name)),
            );
        }
    }
    if let Some(auth) = auth {
        match auth.type_ {
            AuthenticationType::Tls => {
                if let Some(ck) = &auth.certificate_and_key {
                    let dir = client_cert_dir(&ck.secret_name);
                    props.insert(
                        "ssl.certificate.location".to_owned(),
                        format!("{dir}/{}", ck.certificate),
                    );
                    props.insert("ssl.key.location".to_owned(), format!("{dir}/{}", ck.key));
                }
            }
            mechanism => {
                let name = match mechanism {
                    AuthenticationType::ScramSha256 => "SCRAM-SHA-256",
                    AuthenticationType::ScramSha512 => "SCRAM-SHA-512",
                    _ => "PLAIN",
                };
                props.insert("sasl.mechanism".to_owned(), name.to_owned());
                if let Some(user) = &auth.username {
                    props.insert("sasl.username".to_owned(), user.clone());
                }
                props.insert(
                    "sasl.password".to_owned(),
                    format!("${{env:{SASL_PASSWORD_ENV}}}"),
                );
            }
        }
    }
    props
}

/// `props` as a Java properties file, one `key=value` per line in key order.
pub fn to_properties_text(props: &BTreeMap<String, String>) -> String {
    let mut out =
        String::from("# Rendered by ferry-operator from the KafkaConnect spec; do not edit.\n");
    for (key, value) in props {
        out.push_str(&escape(key, true));
        out.push('=');
        out.push_str(&escape(value, false));
        out.push('\n');
    }
    out
}

/// Java properties escaping: backslash, line breaks, and in keys the separators `=`, `:` and
/// spaces; a leading space of a value would otherwise be swallowed.
fn escape(s: &str, is_key: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '=' | ':' | '#' | '!' if is_key => {
                out.push('\\');
                out.push(c);
            }
            ' ' if is_key || i == 0 => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_crds::common::{
        AuthenticationType, CertAndKeySecretSource, CertSecretSource, ClientAuthentication,
        ClientTls, PasswordSecretSource,
    };
    use ferry_crds::config::ConfigValue;

    fn spec() -> KafkaConnectSpec {
        KafkaConnectSpec::new("kafka:9092", "connect-cluster", "connect-offsets")
    }

    #[test]
    fn renders_spec_fields_defaults_and_rest() {
        let p = worker_properties(&spec());
        assert_eq!(p["bootstrap.servers"], "kafka:9092");
        assert_eq!(p["group.id"], "connect-cluster");
        assert_eq!(p["offset.storage.topic"], "connect-offsets");
        assert_eq!(p["key.converter"], JSON_CONVERTER);
        assert_eq!(p["value.converter"], JSON_CONVERTER);
        assert_eq!(p["listeners"], "http://:8083");
        assert_eq!(p["rest.advertised.host.name"], "${env:POD_IP}");
        assert_eq!(p["rest.advertised.port"], "8083");
        assert_eq!(p["security.protocol"], "PLAINTEXT");
        assert_eq!(p["config.providers"], "env");
        assert!(!p.contains_key("config.storage.topic"));
    }

    #[test]
    fn user_config_merges_but_never_overrides_managed_keys() {
        let mut s = spec();
        s.config.insert(
            "value.converter".into(),
            "org.apache.kafka.connect.storage.StringConverter".into(),
        );
        s.config.insert(
            "key.converter.schemas.enable".into(),
            ConfigValue::Bool(false),
        );
        s.config.insert("group.id".into(), "hijack".into());
        s.config.insert("rest.port".into(), ConfigValue::Integer(1));
        s.config.insert("config.providers".into(), "file".into());
        let p = worker_properties(&s);
        assert_eq!(
            p["value.converter"],
            "org.apache.kafka.connect.storage.StringConverter"
        );
        assert_eq!(p["key.converter"], JSON_CONVERTER);
        assert_eq!(p["key.converter.schemas.enable"], "false");
        assert_eq!(p["group.id"], "connect-cluster");
        assert!(!p.contains_key("rest.port"));
        assert_eq!(p["config.providers"], "file,env");
    }

    #[test]
    fn scram_over_tls() {
        let mut s = spec();
        s.tls = Some(ClientTls {
            trusted_certificates: vec![CertSecretSource {
                secret_name: "ca".into(),
                certificate: Some("ca.crt".into()),
                pattern: None,
            }],
        });
        s.authentication = Some(ClientAuthentication {
            type_: AuthenticationType::ScramSha512,
            certificate_and_key: None,
            username: Some("connect".into()),
            password_secret: Some(PasswordSecretSource {
                secret_name: "pw".into(),
                password: "password".into(),
            }),
        });
        let p = worker_properties(&s);
        assert_eq!(p["security.protocol"], "SASL_SSL");
        assert_eq!(p["sasl.mechanism"], "SCRAM-SHA-512");
        assert_eq!(p["sasl.username"], "connect");
        assert_eq!(p["sasl.password"], "${env:FERRY_SASL_PASSWORD}");
        assert_eq!(p["ssl.ca.location"], "/etc/ferry/tls/trusted/ca/ca.crt");
    }

    #[test]
    fn mutual_tls_implies_ssl() {
        let mut s = spec();
        s.authentication = Some(ClientAuthentication {
            type_: AuthenticationType::Tls,
            certificate_and_key: Some(CertAndKeySecretSource {
                secret_name: "user".into(),
                certificate: "user.crt".into(),
                key: "user.key".into(),
            }),
            username: None,
            password_secret: None,
        });
        let p = worker_properties(&s);
        assert_eq!(p["security.protocol"], "SSL");
        assert_eq!(
            p["ssl.certificate.location"],
            "/etc/ferry/tls/client/user/user.crt"
        );
        assert_eq!(p["ssl.key.location"], "/etc/ferry/tls/client/user/user.key");
        assert!(!p.contains_key("sasl.mechanism"));
    }

    #[test]
    fn properties_text_round_trips_through_the_workers_parser() {
        let mut props = worker_properties(&spec());
        props.insert("odd key=x".into(), " leading\nand\\back".into());
        let text = to_properties_text(&props);
        let parsed: BTreeMap<String, String> =
            ferry_worker::config::properties::parse_properties(&text)
                .expect("parses")
                .into_iter()
                .collect();
        assert_eq!(parsed, props);
    }

    #[test]
    fn rendered_config_is_a_valid_worker_config() {
        // The worker's config type is today's standalone one, which also requires the offsets
        // file; everything the operator renders (listeners, converters, ...) must pass it.
        let mut props = worker_properties(&spec());
        props.insert("offset.storage.file.filename".into(), "/tmp/offsets".into());
        let result = ferry_worker::config::worker::WorkerConfig::from_props(props);
        assert!(result.is_ok(), "{:?}", result.err());
    }
}
