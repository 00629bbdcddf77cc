//! Kafka's client security keys (`security.protocol`, `ssl.*`, `sasl.*`) translated to librdkafka's.
//!
//! The Java client and librdkafka describe the same TLS and SASL set-ups with different keys:
//! Kafka names stores (`ssl.truststore.*`, `ssl.keystore.*`) and a JAAS login module, librdkafka names
//! files and PEM strings (`ssl.ca.*`, `ssl.certificate.*`, `ssl.key.*`) and `sasl.username` /
//! `sasl.password`. This module is the one place that maps them; docs/security.md has the table.
//!
//! What librdkafka cannot do (JKS stores, Kerberos, custom Java callback classes) is an error naming
//! the key and what to use instead, rather than a silent fallback that would connect differently from
//! Kafka Connect. Errors never contain a secret: only keys, and values of non-secret keys.

use std::collections::BTreeMap;

use crate::config::jaas::{self, JaasError};
use crate::config::Props;

const PLAIN_LOGIN_MODULE: &str = "org.apache.kafka.common.security.plain.PlainLoginModule";
const SCRAM_LOGIN_MODULE: &str = "org.apache.kafka.common.security.scram.ScramLoginModule";

/// Java-only keys with no librdkafka equivalent and no effect on how Ferry connects: dropped, noted.
const JAVA_ONLY_KEYS: &[&str] = &[
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.provider",
    "security.providers",
    "sasl.login.refresh.window.factor",
    "sasl.login.refresh.window.jitter",
    "sasl.login.refresh.min.period.seconds",
    "sasl.login.refresh.buffer.seconds",
    "sasl.login.connect.timeout.ms",
    "sasl.login.read.timeout.ms",
    "sasl.login.retry.backoff.ms",
    "sasl.login.retry.backoff.max.ms",
];

/// Keys naming Java classes: nothing in Ferry can load them.
const JAVA_CLASS_KEYS: &[&str] = &[
    "ssl.engine.factory.class",
    "sasl.client.callback.handler.class",
    "sasl.login.class",
    "sasl.login.callback.handler.class",
];

/// Kafka keys this module reads (besides the families above).
const HANDLED_KEYS: &[&str] = &[
    "security.protocol",
    "ssl.truststore.type",
    "ssl.truststore.location",
    "ssl.truststore.certificates",
    "ssl.truststore.password",
    "ssl.keystore.type",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.keystore.certificate.chain",
    "ssl.keystore.key",
    "ssl.key.password",
    "ssl.endpoint.identification.algorithm",
    "sasl.mechanism",
    "sasl.jaas.config",
];

/// Whether `key` is a Kafka security key this module translates (or rejects). Other `ssl.*` and
/// `sasl.*` keys are librdkafka's own (`ssl.ca.location`, `sasl.username`, ...) and pass through.
pub fn is_kafka_security_key(key: &str) -> bool {
    HANDLED_KEYS.contains(&key)
        || JAVA_ONLY_KEYS.contains(&key)
        || JAVA_CLASS_KEYS.contains(&key)
        || key.starts_with("sasl.kerberos.")
        || key.starts_with("sasl.oauthbearer.")
        || key.starts_with("sasl.login.")
}

/// A security setting Ferry cannot apply, or applies differently; each names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityError {
    #[error("Invalid value {value} for configuration {key}: {reason}")]
    Invalid {
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error("{key}={value} is not supported by Ferry: {instead}")]
    Unsupported {
        key: String,
        value: String,
        instead: &'static str,
    },
    #[error("'{first}' and '{second}' cannot both be set: {reason}")]
    Conflict {
        first: &'static str,
        second: &'static str,
        reason: &'static str,
    },
    #[error("'{key}' is required {when}")]
    Missing { key: &'static str, when: String },
    /// The JAAS text is never shown: it holds the password.
    #[error("Invalid value for configuration sasl.jaas.config: {0}")]
    Jaas(#[from] JaasError),
    #[error("Invalid value for configuration sasl.jaas.config: {0}")]
    JaasContent(String),
    #[error("Invalid PEM in configuration {key}: {reason}")]
    Pem { key: &'static str, reason: String },
}

/// The translated settings (librdkafka keys) and notes for the log about dropped keys.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Translated {
    pub settings: BTreeMap<String, String>,
    pub notes: Vec<String>,
}

/// `security.protocol`, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

impl Protocol {
    fn parse(value: &str) -> Result<Protocol, SecurityError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "PLAINTEXT" => Ok(Protocol::Plaintext),
            "SSL" => Ok(Protocol::Ssl),
            "SASL_PLAINTEXT" => Ok(Protocol::SaslPlaintext),
            "SASL_SSL" => Ok(Protocol::SaslSsl),
            _ => Err(SecurityError::Invalid {
                key: "security.protocol",
                value: value.to_string(),
                reason: "String must be one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL".into(),
            }),
        }
    }

    fn librdkafka(self) -> &'static str {
        match self {
            Protocol::Plaintext => "plaintext",
            Protocol::Ssl => "ssl",
            Protocol::SaslPlaintext => "sasl_plaintext",
            Protocol::SaslSsl => "sasl_ssl",
        }
    }

    fn sasl(self) -> bool {
        matches!(self, Protocol::SaslPlaintext | Protocol::SaslSsl)
    }
}

/// The type of a trust or key store. Kafka's default is JKS, which librdkafka cannot read, so Ferry
/// infers the type when it is not set (see [`store_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreType {
    Pem,
    Pkcs12,
}

/// The store type from `<prefix>.type`, or inferred: inline PEM, or the file's extension (`.p12` /
/// `.pfx` are PKCS12, anything else PEM). JKS, set or implied by `.jks`, is an error.
fn store_type(
    key: &'static str,
    set: Option<&str>,
    location: Option<&str>,
) -> Result<StoreType, SecurityError> {
    let jks = |value: &str| {
        SecurityError::Unsupported {
        key: key.to_string(),
        value: value.to_string(),
        instead: "librdkafka cannot read Java KeyStores; convert the store to PEM (keytool -exportcert -rfc, or keytool -importkeystore to PKCS12 then openssl) and set the type to PEM (or PKCS12 for a keystore)",
    }
    };
    match set.map(|s| s.trim().to_ascii_uppercase()) {
        Some(t) if t == "PEM" => Ok(StoreType::Pem),
        Some(t) if t == "PKCS12" => Ok(StoreType::Pkcs12),
        Some(t) if t == "JKS" => Err(jks("JKS")),
        Some(t) if !t.is_empty() => Err(SecurityError::Invalid {
            key,
            value: set.unwrap_or_default().to_string(),
            reason: "String must be one of: PEM, PKCS12".into(),
        }),
        _ => {
            let lower = location.map(str::to_ascii_lowercase).unwrap_or_default();
            if lower.ends_with(".jks") {
                Err(jks("JKS (implied by the .jks file)"))
            } else if lower.ends_with(".p12") || lower.ends_with(".pfx") {
                Ok(StoreType::Pkcs12)
            } else {
                Ok(StoreType::Pem)
            }
        }
    }
}

/// A non-empty value of `key`.
fn get<'a>(props: &'a Props, key: &str) -> Option<&'a str> {
    props
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
}

/// Translates the Kafka security keys in `props` (other keys are ignored). Pure: reads no files.
pub fn translate(props: &Props) -> Result<Translated, SecurityError> {
    let mut out = Translated::default();
    let protocol = match get(props, "security.protocol") {
        Some(p) => Some(Protocol::parse(p)?),
        None => None,
    };
    if let Some(p) = protocol {
        out.settings
            .insert("security.protocol".into(), p.librdkafka().into());
    }
    for key in props.keys() {
        if JAVA_CLASS_KEYS.contains(&key.as_str()) {
            if get(props, key).is_some() {
                return Err(SecurityError::Unsupported {
                    key: key.clone(),
                    value: props[key].clone(),
                    instead: "Ferry cannot load Java classes; use the built-in PLAIN or SCRAM login with sasl.jaas.config, and PEM or PKCS12 stores",
                });
            }
        } else if JAVA_ONLY_KEYS.contains(&key.as_str()) || key.starts_with("sasl.login.") {
            out.notes.push(format!(
                "client setting '{key}' is specific to Kafka's Java client and is ignored"
            ));
        }
    }
    truststore(props, &mut out)?;
    keystore(props, &mut out)?;
    endpoint_identification(props, &mut out)?;
    sasl(props, protocol, &mut out)?;
    Ok(out)
}

fn truststore(props: &Props, out: &mut Translated) -> Result<(), SecurityError> {
    let location = get(props, "ssl.truststore.location");
    let inline = get(props, "ssl.truststore.certificates");
    let ty = store_type(
        "ssl.truststore.type",
        get(props, "ssl.truststore.type"),
        location,
    )?;
    if ty == StoreType::Pkcs12 {
        return Err(SecurityError::Unsupported {
            key: "ssl.truststore.type".into(),
            value: "PKCS12".into(),
            instead: "librdkafka reads trusted certificates as PEM only; convert with `openssl pkcs12 -in truststore.p12 -nokeys -out ca.pem` and set ssl.truststore.type=PEM",
        });
    }
    match (location, inline) {
        (Some(_), Some(_)) => {
            return Err(SecurityError::Conflict {
                first: "ssl.truststore.location",
                second: "ssl.truststore.certificates",
                reason: "give the trusted certificates either as a file or inline",
            })
        }
        (Some(path), None) => {
            out.settings.insert("ssl.ca.location".into(), path.into());
        }
        (None, Some(pem)) => {
            out.settings.insert(
                "ssl.ca.pem".into(),
                normalize_pem("ssl.truststore.certificates", pem)?,
            );
        }
        (None, None) => {}
    }
    if get(props, "ssl.truststore.password").is_some() {
        out.notes.push(
            "client setting 'ssl.truststore.password' is not needed for a PEM truststore and is ignored"
                .into(),
        );
    }
    Ok(())
}

fn keystore(props: &Props, out: &mut Translated) -> Result<(), SecurityError> {
    let location = get(props, "ssl.keystore.location");
    let chain = get(props, "ssl.keystore.certificate.chain");
    let key = get(props, "ssl.keystore.key");
    let inline = chain.is_some() || key.is_some();
    let ty = store_type(
        "ssl.keystore.type",
        get(props, "ssl.keystore.type"),
        location,
    )?;
    let key_password = get(props, "ssl.key.password");
    if location.is_some() && inline {
        return Err(SecurityError::Conflict {
            first: "ssl.keystore.location",
            second: if chain.is_some() {
                "ssl.keystore.certificate.chain"
            } else {
                "ssl.keystore.key"
            },
            reason: "give the client certificate and key either as a file or inline",
        });
    }
    match ty {
        StoreType::Pkcs12 => {
            if inline {
                return Err(SecurityError::Unsupported {
                    key: "ssl.keystore.type".into(),
                    value: "PKCS12".into(),
                    instead: "inline keys (ssl.keystore.certificate.chain, ssl.keystore.key) are PEM: set ssl.keystore.type=PEM",
                });
            }
            if let Some(path) = location {
                out.settings
                    .insert("ssl.keystore.location".into(), path.into());
                if let Some(pw) = get(props, "ssl.keystore.password") {
                    out.settings
                        .insert("ssl.keystore.password".into(), pw.into());
                }
                if key_password.is_some() {
                    out.notes.push("client setting 'ssl.key.password' is ignored for a PKCS12 keystore: librdkafka opens the key with ssl.keystore.password".into());
                }
            }
        }
        StoreType::Pem => {
            if let Some(path) = location {
                // Kafka's PEM keystore file holds the key and the certificate chain together;
                // librdkafka reads each from the same file, skipping the other kind of block.
                out.settings
                    .insert("ssl.certificate.location".into(), path.into());
                out.settings.insert("ssl.key.location".into(), path.into());
            }
            if inline {
                let chain = chain.ok_or(SecurityError::Missing {
                    key: "ssl.keystore.certificate.chain",
                    when: "with ssl.keystore.key".into(),
                })?;
                let key = key.ok_or(SecurityError::Missing {
                    key: "ssl.keystore.key",
                    when: "with ssl.keystore.certificate.chain".into(),
                })?;
                out.settings.insert(
                    "ssl.certificate.pem".into(),
                    normalize_pem("ssl.keystore.certificate.chain", chain)?,
                );
                out.settings.insert(
                    "ssl.key.pem".into(),
                    normalize_pem("ssl.keystore.key", key)?,
                );
            }
            if let Some(pw) = key_password {
                out.settings.insert("ssl.key.password".into(), pw.into());
            }
            if get(props, "ssl.keystore.password").is_some() {
                out.notes.push("client setting 'ssl.keystore.password' is ignored for a PEM keystore: an encrypted key is opened with ssl.key.password".into());
            }
        }
    }
    Ok(())
}

/// Kafka verifies the broker's host name unless the algorithm is set empty; librdkafka spells the
/// off switch `none`.
fn endpoint_identification(props: &Props, out: &mut Translated) -> Result<(), SecurityError> {
    let Some(value) = props.get("ssl.endpoint.identification.algorithm") else {
        // Kafka's default is `https`; librdkafka's is the same, so nothing needs to be set.
        return Ok(());
    };
    let translated = match value.trim().to_ascii_lowercase().as_str() {
        "" | "none" => "none",
        "https" => "https",
        _ => {
            return Err(SecurityError::Invalid {
                key: "ssl.endpoint.identification.algorithm",
                value: value.clone(),
                reason: "use https (verify the broker's host name) or an empty value (do not)"
                    .into(),
            })
        }
    };
    out.settings.insert(
        "ssl.endpoint.identification.algorithm".into(),
        translated.into(),
    );
    Ok(())
}

fn sasl(
    props: &Props,
    protocol: Option<Protocol>,
    out: &mut Translated,
) -> Result<(), SecurityError> {
    for key in props.keys() {
        if key.starts_with("sasl.kerberos.") {
            return Err(SecurityError::Unsupported {
                key: key.clone(),
                value: props[key].clone(),
                instead: "Kerberos (GSSAPI) is not built into Ferry; use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN over SSL, or mutual TLS",
            });
        }
    }
    let uses_sasl = protocol.is_some_and(Protocol::sasl);
    let mechanism = get(props, "sasl.mechanism").map(|m| m.trim().to_ascii_uppercase());
    let jaas_text = get(props, "sasl.jaas.config");
    // librdkafka's own keys, for users who already speak them.
    let native_credentials = get(props, "sasl.username").is_some();
    if !uses_sasl {
        if mechanism.is_some() || jaas_text.is_some() {
            out.notes.push(
                "client settings 'sasl.mechanism' and 'sasl.jaas.config' are ignored: security.protocol is not SASL_PLAINTEXT or SASL_SSL"
                    .into(),
            );
        }
        return Ok(());
    }
    let Some(mechanism) = mechanism else {
        return Err(SecurityError::Unsupported {
            key: "sasl.mechanism".into(),
            value: "GSSAPI (Kafka's default when sasl.mechanism is not set)".into(),
            instead: "Kerberos is not built into Ferry; set sasl.mechanism to SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN",
        });
    };
    let module = match mechanism.as_str() {
        "PLAIN" => PLAIN_LOGIN_MODULE,
        "SCRAM-SHA-256" | "SCRAM-SHA-512" => SCRAM_LOGIN_MODULE,
        "GSSAPI" => {
            return Err(SecurityError::Unsupported {
                key: "sasl.mechanism".into(),
                value: mechanism,
                instead: "Kerberos is not built into Ferry; use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN",
            })
        }
        "OAUTHBEARER" => {
            return Err(SecurityError::Unsupported {
                key: "sasl.mechanism".into(),
                value: mechanism,
                instead: "OAuth login modules and callback handlers are Java classes; use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN",
            })
        }
        _ => {
            return Err(SecurityError::Invalid {
                key: "sasl.mechanism",
                value: mechanism,
                reason: "Ferry supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512".into(),
            })
        }
    };
    out.settings
        .insert("sasl.mechanisms".into(), mechanism.clone());
    let Some(text) = jaas_text else {
        if native_credentials {
            return Ok(());
        }
        return Err(SecurityError::Missing {
            key: "sasl.jaas.config",
            when: format!("for sasl.mechanism={mechanism}, e.g. {module} required username=\"...\" password=\"...\";"),
        });
    };
    let mut modules = jaas::parse_modules(text)?;
    if modules.len() != 1 {
        return Err(SecurityError::JaasContent(format!(
            "it configures {} login modules; a client uses exactly one",
            modules.len()
        )));
    }
    let login = modules.remove(0);
    if login.class != module {
        return Err(SecurityError::JaasContent(format!(
            "sasl.mechanism={mechanism} needs the login module {module}, but {} is configured",
            login.class
        )));
    }
    for option in ["username", "password"] {
        let Some(value) = login.options.get(option) else {
            return Err(SecurityError::JaasContent(format!(
                "the login module has no '{option}' option"
            )));
        };
        out.settings.insert(format!("sasl.{option}"), value.clone());
    }
    for option in login.options.keys() {
        if option != "username" && option != "password" {
            out.notes.push(format!(
                "option '{option}' of sasl.jaas.config is not supported by Ferry and is ignored"
            ));
        }
    }
    Ok(())
}

/// Re-flows PEM text into the layout OpenSSL reads: each `-----BEGIN X-----` block on its own lines
/// with the base64 body wrapped at 64 characters. Kafka accepts inline PEM with its line breaks
/// replaced by spaces (a properties value is one line), OpenSSL does not.
pub fn normalize_pem(key: &'static str, text: &str) -> Result<String, SecurityError> {
    let err = |reason: String| SecurityError::Pem { key, reason };
    let mut out = String::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after_begin = &rest[begin + "-----BEGIN ".len()..];
        let label_end = after_begin
            .find("-----")
            .ok_or_else(|| err("a BEGIN line is not closed with -----".into()))?;
        let label = &after_begin[..label_end];
        let body_and_rest = &after_begin[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_and_rest
            .find(&end_marker)
            .ok_or_else(|| err(format!("no END line for the {label} block")))?;
        let body: String = body_and_rest[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if body.is_empty()
            || !body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        {
            return Err(err(format!("the {label} block is not base64")));
        }
        out.push_str(&format!("-----BEGIN {label}-----\n"));
        for line in body.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str(&end_marker);
        out.push('\n');
        rest = &body_and_rest[end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err(err("no -----BEGIN ...----- block found".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    fn ok(pairs: &[(&str, &str)]) -> Translated {
        translate(&props(pairs)).unwrap()
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        translate(&props(pairs)).unwrap_err().to_string()
    }

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50\nQ2VydA==\n-----END CERTIFICATE-----\n";

    #[test]
    fn protocols_map_to_librdkafka_names() {
        for (kafka, rd) in [
            ("PLAINTEXT", "plaintext"),
            ("SSL", "ssl"),
            ("sasl_plaintext", "sasl_plaintext"),
            ("SASL_SSL", "sasl_ssl"),
        ] {
            let mut p = vec![("security.protocol", kafka)];
            if kafka.to_uppercase().starts_with("SASL") {
                p.push(("sasl.mechanism", "PLAIN"));
                p.push(("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=p;"));
            }
            assert_eq!(ok(&p).settings["security.protocol"], rd);
        }
        assert!(err(&[("security.protocol", "TLS")]).contains("security.protocol"));
    }

    #[test]
    fn pem_truststore_by_file_or_inline() {
        let t = ok(&[
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", "/etc/ca.pem"),
        ]);
        assert_eq!(t.settings["ssl.ca.location"], "/etc/ca.pem");
        // A type-less .crt file is PEM (Kafka would assume JKS, which Ferry cannot read anyway).
        let t = ok(&[("ssl.truststore.location", "/etc/ca.crt")]);
        assert_eq!(t.settings["ssl.ca.location"], "/etc/ca.crt");
        // Inline, with the line breaks flattened as a one-line properties value has them.
        let flat = CERT.replace('\n', " ");
        let t = ok(&[
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.certificates", &flat),
        ]);
        assert_eq!(
            t.settings["ssl.ca.pem"],
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50Q2VydA==\n-----END CERTIFICATE-----\n"
        );
    }

    #[test]
    fn jks_and_pkcs12_truststores_fail_with_what_to_do() {
        let e = err(&[
            ("ssl.truststore.type", "JKS"),
            ("ssl.truststore.location", "/x/t.jks"),
        ]);
        assert!(e.contains("ssl.truststore.type=JKS"), "{e}");
        assert!(e.contains("PEM"), "{e}");
        let e = err(&[("ssl.truststore.location", "/x/truststore.jks")]);
        assert!(e.contains("ssl.truststore.type"), "{e}");
        let e = err(&[
            ("ssl.truststore.type", "PKCS12"),
            ("ssl.truststore.location", "/x/t.p12"),
        ]);
        assert!(e.contains("openssl pkcs12"), "{e}");
        let e = err(&[
            ("ssl.truststore.location", "/x/ca.pem"),
            ("ssl.truststore.certificates", CERT),
        ]);
        assert!(e.contains("cannot both be set"), "{e}");
    }

    #[test]
    fn pem_keystore_file_serves_certificate_and_key() {
        let t = ok(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/etc/client.pem"),
            ("ssl.key.password", "kpw"),
        ]);
        assert_eq!(t.settings["ssl.certificate.location"], "/etc/client.pem");
        assert_eq!(t.settings["ssl.key.location"], "/etc/client.pem");
        assert_eq!(t.settings["ssl.key.password"], "kpw");
    }

    #[test]
    fn inline_pem_keystore_needs_both_parts() {
        let key = "-----BEGIN PRIVATE KEY----- TUlJ -----END PRIVATE KEY-----";
        let t = ok(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.certificate.chain", CERT),
            ("ssl.keystore.key", key),
        ]);
        assert!(t.settings["ssl.certificate.pem"].starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(
            t.settings["ssl.key.pem"],
            "-----BEGIN PRIVATE KEY-----\nTUlJ\n-----END PRIVATE KEY-----\n"
        );
        let e = err(&[("ssl.keystore.type", "PEM"), ("ssl.keystore.key", key)]);
        assert!(e.contains("ssl.keystore.certificate.chain"), "{e}");
        let e = err(&[
            ("ssl.keystore.location", "/k.pem"),
            ("ssl.keystore.key", key),
        ]);
        assert!(e.contains("cannot both be set"), "{e}");
    }

    #[test]
    fn pkcs12_keystore_uses_the_store_password() {
        let t = ok(&[
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.location", "/etc/client.p12"),
            ("ssl.keystore.password", "spw"),
        ]);
        assert_eq!(t.settings["ssl.keystore.location"], "/etc/client.p12");
        assert_eq!(t.settings["ssl.keystore.password"], "spw");
        // Inferred from the extension.
        let t = ok(&[("ssl.keystore.location", "/etc/client.pfx")]);
        assert_eq!(t.settings["ssl.keystore.location"], "/etc/client.pfx");
        let e = err(&[
            ("ssl.keystore.type", "JKS"),
            ("ssl.keystore.location", "/k.jks"),
        ]);
        assert!(e.contains("ssl.keystore.type=JKS"), "{e}");
    }

    #[test]
    fn endpoint_identification_empty_turns_verification_off() {
        let t = ok(&[("ssl.endpoint.identification.algorithm", "")]);
        assert_eq!(t.settings["ssl.endpoint.identification.algorithm"], "none");
        let t = ok(&[("ssl.endpoint.identification.algorithm", "HTTPS")]);
        assert_eq!(t.settings["ssl.endpoint.identification.algorithm"], "https");
        assert!(ok(&[]).settings.is_empty());
        assert!(err(&[("ssl.endpoint.identification.algorithm", "ldap")])
            .contains("ssl.endpoint.identification.algorithm"));
    }

    #[test]
    fn scram_and_plain_jaas_become_username_and_password() {
        let t = ok(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"a\\\"b\";"),
        ]);
        assert_eq!(t.settings["sasl.mechanisms"], "SCRAM-SHA-512");
        assert_eq!(t.settings["sasl.username"], "alice");
        assert_eq!(t.settings["sasl.password"], "a\"b");
        let t = ok(&[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=p;"),
        ]);
        assert_eq!(t.settings["sasl.mechanisms"], "PLAIN");
        assert_eq!(t.settings["sasl.password"], "p");
    }

    #[test]
    fn sasl_errors_name_the_problem_without_the_password() {
        let base = [
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-256"),
        ];
        let with = |jaas: &'static str| {
            let mut p = base.to_vec();
            p.push(("sasl.jaas.config", jaas));
            err(&p)
        };
        let e = with("org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=hunter2;");
        assert!(
            e.contains("ScramLoginModule") && !e.contains("hunter2"),
            "{e}"
        );
        let e = with(
            "org.apache.kafka.common.security.scram.ScramLoginModule required password=hunter2;",
        );
        assert!(e.contains("'username'") && !e.contains("hunter2"), "{e}");
        let e = with(
            "org.apache.kafka.common.security.scram.ScramLoginModule required password=\"hunter2",
        );
        assert!(e.contains("unterminated") && !e.contains("hunter2"), "{e}");
        let e = err(&base);
        assert!(e.contains("'sasl.jaas.config' is required"), "{e}");
        // Kafka's default mechanism is GSSAPI.
        let e = err(&[("security.protocol", "SASL_SSL")]);
        assert!(e.contains("sasl.mechanism") && e.contains("GSSAPI"), "{e}");
        for m in ["GSSAPI", "OAUTHBEARER"] {
            let mut p = base.to_vec();
            p[1] = ("sasl.mechanism", m);
            let e = err(&p);
            assert!(e.contains(&format!("sasl.mechanism={m}")), "{e}");
        }
        let e = err(&[("sasl.kerberos.service.name", "kafka")]);
        assert!(e.contains("sasl.kerberos.service.name"), "{e}");
        let e = err(&[("sasl.login.callback.handler.class", "com.x.Handler")]);
        assert!(e.contains("Java classes"), "{e}");
    }

    #[test]
    fn librdkafka_native_credentials_are_enough() {
        let t = ok(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.username", "u"),
        ]);
        assert_eq!(t.settings["sasl.mechanisms"], "PLAIN");
        assert!(
            !t.settings.contains_key("sasl.username"),
            "passed through by the caller"
        );
    }

    #[test]
    fn java_only_keys_are_noted_and_sasl_without_sasl_protocol_is_ignored() {
        let t = ok(&[
            ("ssl.protocol", "TLSv1.3"),
            ("ssl.enabled.protocols", "TLSv1.2,TLSv1.3"),
            ("security.protocol", "SSL"),
            ("sasl.mechanism", "PLAIN"),
        ]);
        assert_eq!(t.notes.len(), 3, "{:?}", t.notes);
        assert!(!t.settings.contains_key("sasl.mechanisms"));
    }

    #[test]
    fn pem_normalization_rejects_garbage() {
        assert!(normalize_pem("k", "not pem").is_err());
        assert!(normalize_pem("k", "-----BEGIN CERTIFICATE----- abc").is_err());
        assert!(normalize_pem("k", "-----BEGIN X----- a$b -----END X-----").is_err());
        let two = format!("{CERT}{CERT}");
        assert_eq!(
            normalize_pem("k", &two).unwrap().matches("BEGIN").count(),
            2
        );
    }

    #[test]
    fn handled_keys_are_recognised() {
        assert!(is_kafka_security_key("ssl.truststore.location"));
        assert!(is_kafka_security_key("sasl.kerberos.service.name"));
        assert!(!is_kafka_security_key("ssl.ca.location"));
        assert!(!is_kafka_security_key("sasl.username"));
    }
}
