//! The worker properties rendered from a `KafkaConnectSpec` (Strimzi's
//! `KafkaConnectConfigurationBuilder`, reference §3.1).
//!
//! TLS and SASL are rendered with Kafka's own keys, as Strimzi renders them for Kafka Connect: a PEM
//! truststore file, a PEM keystore whose certificate chain and key the `dir` config provider reads
//! from the mounted Secret, and a `sasl.jaas.config` whose password the `env` provider reads from the
//! variable the Deployment fills from the password Secret. No secret value is ever written into the
//! ConfigMap; the worker translates these keys to its client's (docs/security.md). Managed keys in
//! `spec.config` are rejected by validation before rendering; here they are skipped as a second line
//! of defence.

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
/// Kafka's directory config provider class, registered under the alias `dir` (mounted Secrets).
pub const DIR_PROVIDER_CLASS: &str =
    "org.apache.kafka.common.config.provider.DirectoryConfigProvider";

/// The providers the rendered config relies on, with their aliases.
const PROVIDERS: [(&str, &str); 2] = [("env", ENV_PROVIDER_CLASS), ("dir", DIR_PROVIDER_CLASS)];

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
    // The user's providers are kept; ours are added (under aliases the user cannot redefine).
    let mut providers: Vec<String> = props
        .get("config.providers")
        .map(|user| {
            user.split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for (alias, class) in PROVIDERS {
        if !providers.iter().any(|p| p == alias) {
            providers.push(alias.to_owned());
        }
        props.insert(format!("config.providers.{alias}.class"), class.to_owned());
    }
    props.insert("config.providers".to_owned(), providers.join(","));

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
    // Each pod advertises its own name (the Deployment puts it into POD_NAME by the downward API),
    // which is also its hostname: the worker_id Kafka Connect would report, and the name
    // `kubectl get pods` shows next to each task in the connector's status.
    props.insert(
        "rest.advertised.host.name".to_owned(),
        "${env:POD_NAME}".to_owned(),
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
    // Validation admits at most one trusted certificate key (one PEM truststore file).
    if let Some(cert) = spec
        .tls
        .as_ref()
        .and_then(|t| t.trusted_certificates.first())
    {
        if let Some(key) = &cert.certificate {
            props.insert("ssl.truststore.type".to_owned(), "PEM".to_owned());
            props.insert(
                "ssl.truststore.location".to_owned(),
                format!("{}/{key}", trusted_dir(&cert.secret_name)),
            );
        }
    }
    if let Some(auth) = auth {
        match auth.type_ {
            AuthenticationType::Tls => {
                if let Some(ck) = &auth.certificate_and_key {
                    let dir = client_cert_dir(&ck.secret_name);
                    props.insert("ssl.keystore.type".to_owned(), "PEM".to_owned());
                    props.insert(
                        "ssl.keystore.certificate.chain".to_owned(),
                        format!("${{dir:{dir}:{}}}", ck.certificate),
                    );
                    props.insert(
                        "ssl.keystore.key".to_owned(),
                        format!("${{dir:{dir}:{}}}", ck.key),
                    );
                }
            }
            mechanism => {
                let (name, module) = match mechanism {
                    AuthenticationType::ScramSha256 => ("SCRAM-SHA-256", SCRAM_MODULE),
                    AuthenticationType::ScramSha512 => ("SCRAM-SHA-512", SCRAM_MODULE),
                    _ => ("PLAIN", PLAIN_MODULE),
                };
                props.insert("sasl.mechanism".to_owned(), name.to_owned());
                let username = auth.username.as_deref().unwrap_or_default();
                props.insert(
                    "sasl.jaas.config".to_owned(),
                    format!(
                        "{module} required username=\"{}\" password=\"${{env:{SASL_PASSWORD_ENV}}}\";",
                        jaas_quote(username)
                    ),
                );
            }
        }
    }
    props
}

const SCRAM_MODULE: &str = "org.apache.kafka.common.security.scram.ScramLoginModule";
const PLAIN_MODULE: &str = "org.apache.kafka.common.security.plain.PlainLoginModule";

/// A value inside a JAAS double-quoted string: backslashes and quotes escaped.
fn jaas_quote(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
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
        assert_eq!(p["rest.advertised.host.name"], "${env:POD_NAME}");
        assert_eq!(p["rest.advertised.port"], "8083");
        assert_eq!(p["security.protocol"], "PLAINTEXT");
        assert_eq!(p["config.providers"], "env,dir");
        assert_eq!(p["config.providers.dir.class"], DIR_PROVIDER_CLASS);
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
        assert_eq!(p["config.providers"], "file,env,dir");
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
        assert_eq!(
            p["sasl.jaas.config"],
            "org.apache.kafka.common.security.scram.ScramLoginModule required \
             username=\"connect\" password=\"${env:FERRY_SASL_PASSWORD}\";"
        );
        assert_eq!(p["ssl.truststore.type"], "PEM");
        assert_eq!(
            p["ssl.truststore.location"],
            "/etc/ferry/tls/trusted/ca/ca.crt"
        );
        // What the worker makes of it: its translation of Kafka's keys to its client's.
        let mut resolved = p.clone();
        resolved.insert(
            "sasl.jaas.config".into(),
            p["sasl.jaas.config"].replace("${env:FERRY_SASL_PASSWORD}", "s3cret"),
        );
        let client = ferry_worker::runtime::kafka_security::translate(&resolved)
            .expect("the worker accepts the rendered keys")
            .settings;
        assert_eq!(client["security.protocol"], "sasl_ssl");
        assert_eq!(client["sasl.mechanisms"], "SCRAM-SHA-512");
        assert_eq!(client["sasl.username"], "connect");
        assert_eq!(client["sasl.password"], "s3cret");
        assert_eq!(
            client["ssl.ca.location"],
            "/etc/ferry/tls/trusted/ca/ca.crt"
        );
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
        assert_eq!(p["ssl.keystore.type"], "PEM");
        assert_eq!(
            p["ssl.keystore.certificate.chain"],
            "${dir:/etc/ferry/tls/client/user:user.crt}"
        );
        assert_eq!(
            p["ssl.keystore.key"],
            "${dir:/etc/ferry/tls/client/user:user.key}"
        );
        assert!(!p.contains_key("sasl.mechanism"));
    }

    #[test]
    fn plain_usernames_are_quoted_for_jaas() {
        let mut s = spec();
        s.authentication = Some(ClientAuthentication {
            type_: AuthenticationType::Plain,
            certificate_and_key: None,
            username: Some(r#"we"ird\user"#.into()),
            password_secret: Some(PasswordSecretSource {
                secret_name: "pw".into(),
                password: "password".into(),
            }),
        });
        let p = worker_properties(&s);
        assert_eq!(p["security.protocol"], "SASL_PLAINTEXT");
        assert_eq!(p["sasl.mechanism"], "PLAIN");
        let mut resolved = p.clone();
        resolved.insert(
            "sasl.jaas.config".into(),
            p["sasl.jaas.config"].replace("${env:FERRY_SASL_PASSWORD}", "pw"),
        );
        let client = ferry_worker::runtime::kafka_security::translate(&resolved)
            .expect("the worker parses the rendered JAAS line")
            .settings;
        assert_eq!(client["sasl.username"], r#"we"ird\user"#);
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
