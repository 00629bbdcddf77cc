//! The https REST listener: a rustls server configuration from Kafka's `listeners.https.ssl.*` keys
//! (or the unprefixed `ssl.*` keys when no key has that prefix, as Kafka's `RestServer` does), and a
//! listener that completes TLS handshakes off the accept loop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::config::def::originals_with_prefix;
use crate::config::Props;
use crate::runtime::kafka_security::normalize_pem;

/// A handshake that takes longer than this is dropped, so a silent client cannot hold a slot.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the https listener cannot be set up; names the key, never key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestTlsError {
    #[error("an https listener needs a certificate and key: set listeners.https.ssl.keystore.location (a PEM file with the key and certificate chain), or listeners.https.ssl.keystore.certificate.chain and listeners.https.ssl.keystore.key")]
    NoKeystore,
    #[error("{key}={value} is not supported for the REST listener: {instead}")]
    Unsupported {
        key: &'static str,
        value: String,
        instead: &'static str,
    },
    #[error("cannot read {key} ({path}): {reason}")]
    Read {
        key: &'static str,
        path: String,
        reason: String,
    },
    #[error("invalid PEM in {key}: {reason}")]
    Pem { key: &'static str, reason: String },
    #[error("the REST listener's TLS settings are not usable: {0}")]
    Rustls(String),
}

/// The SSL settings for https listeners: the `listeners.https.` keys, stripped, if there is any;
/// else the unprefixed `ssl.*` keys (Kafka's "all or nothing" prefix rule).
pub fn listener_ssl_props(worker: &Props) -> Props {
    let prefixed = originals_with_prefix(worker, "listeners.https.", true);
    if !prefixed.is_empty() {
        return prefixed;
    }
    worker
        .iter()
        .filter(|(k, _)| k.starts_with("ssl."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn get<'a>(props: &'a Props, key: &str) -> Option<&'a str> {
    props
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
}

fn read(key: &'static str, path: &str) -> Result<Vec<u8>, RestTlsError> {
    std::fs::read(path).map_err(|e| RestTlsError::Read {
        key,
        path: path.to_string(),
        reason: e.to_string(),
    })
}

fn check_store_type(key: &'static str, value: Option<&str>) -> Result<(), RestTlsError> {
    match value.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        None | Some("") | Some("PEM") => Ok(()),
        Some(other) => Err(RestTlsError::Unsupported {
            key,
            value: other.to_string(),
            instead: "the REST listener reads PEM stores; convert with `openssl pkcs12 -in store.p12 -out store.pem -nodes` (or keytool -importkeystore then openssl for JKS) and set the type to PEM",
        }),
    }
}

/// The certificate chain and key: from one PEM file (Kafka's PEM keystore layout) or inline.
fn keystore(
    ssl: &Props,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), RestTlsError> {
    check_store_type("ssl.keystore.type", get(ssl, "ssl.keystore.type"))?;
    let (chain_pem, key_pem, chain_key, key_key) = match (
        get(ssl, "ssl.keystore.location"),
        get(ssl, "ssl.keystore.certificate.chain"),
        get(ssl, "ssl.keystore.key"),
    ) {
        (Some(path), None, None) => {
            let bytes = read("ssl.keystore.location", path)?;
            (
                bytes.clone(),
                bytes,
                "ssl.keystore.location",
                "ssl.keystore.location",
            )
        }
        (None, Some(chain), Some(key)) => (
            normalize_pem("ssl.keystore.certificate.chain", chain)
                .map_err(|e| RestTlsError::Pem {
                    key: "ssl.keystore.certificate.chain",
                    reason: e.to_string(),
                })?
                .into_bytes(),
            normalize_pem("ssl.keystore.key", key)
                .map_err(|e| RestTlsError::Pem {
                    key: "ssl.keystore.key",
                    reason: e.to_string(),
                })?
                .into_bytes(),
            "ssl.keystore.certificate.chain",
            "ssl.keystore.key",
        ),
        _ => return Err(RestTlsError::NoKeystore),
    };
    if String::from_utf8_lossy(&key_pem).contains("ENCRYPTED PRIVATE KEY") {
        return Err(RestTlsError::Unsupported {
            key: "ssl.key.password",
            value: "(an encrypted private key)".into(),
            instead: "the REST listener needs an unencrypted key; decrypt it with `openssl pkcs8 -in key.pem -out plain.pem` and protect the file instead",
        });
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| RestTlsError::Pem {
            key: chain_key,
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(RestTlsError::Pem {
            key: chain_key,
            reason: "no certificate found".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| RestTlsError::Pem {
        key: key_key,
        reason: e.to_string(),
    })?;
    Ok((chain, key))
}

/// Trusted CAs for client certificates (`ssl.client.auth`), PEM by file or inline.
fn truststore(ssl: &Props) -> Result<RootCertStore, RestTlsError> {
    check_store_type("ssl.truststore.type", get(ssl, "ssl.truststore.type"))?;
    let pem = match (
        get(ssl, "ssl.truststore.location"),
        get(ssl, "ssl.truststore.certificates"),
    ) {
        (Some(path), _) => read("ssl.truststore.location", path)?,
        (None, Some(inline)) => normalize_pem("ssl.truststore.certificates", inline)
            .map_err(|e| RestTlsError::Pem {
                key: "ssl.truststore.certificates",
                reason: e.to_string(),
            })?
            .into_bytes(),
        (None, None) => Vec::new(),
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| RestTlsError::Pem {
            key: "ssl.truststore.location",
            reason: e.to_string(),
        })?;
        roots
            .add(cert)
            .map_err(|e| RestTlsError::Rustls(e.to_string()))?;
    }
    Ok(roots)
}

/// The rustls configuration for https listeners (TLS 1.2 and 1.3, ring provider).
pub fn server_config(ssl: &Props) -> Result<Arc<ServerConfig>, RestTlsError> {
    let (chain, key) = keystore(ssl)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| RestTlsError::Rustls(e.to_string()))?;
    let client_auth = get(ssl, "ssl.client.auth")
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "none".into());
    let builder = match client_auth.as_str() {
        "none" => builder.with_no_client_auth(),
        "required" | "requested" => {
            let roots = truststore(ssl)?;
            if roots.is_empty() {
                return Err(RestTlsError::Unsupported {
                    key: "ssl.client.auth",
                    value: client_auth,
                    instead:
                        "client certificates need trusted CAs: set ssl.truststore.location (PEM)",
                });
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if client_auth == "requested" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            builder.with_client_cert_verifier(
                verifier
                    .build()
                    .map_err(|e| RestTlsError::Rustls(e.to_string()))?,
            )
        }
        other => {
            return Err(RestTlsError::Unsupported {
                key: "ssl.client.auth",
                value: other.to_string(),
                instead: "use none, requested or required",
            })
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| RestTlsError::Rustls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A TLS listener for `axum::serve`: a background task accepts connections and runs each handshake
/// on its own task (with a timeout), so a slow client never blocks the others.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (tcp, addr) = match listener.accept().await {
                    Ok(v) => v,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment, as axum does.
                        tracing::warn!(error = %e, "REST listener: accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => {
                            tracing::debug!(peer = %addr, error = %e, "REST TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(peer = %addr, "REST TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(v) => v,
            // The accept task only ends when this listener is dropped; never hand out a stream.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    fn self_signed() -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn prefixed_keys_win_all_or_nothing() {
        let worker = props(&[
            ("ssl.keystore.location", "/unprefixed.pem"),
            ("listeners.https.ssl.keystore.key", "k"),
        ]);
        let ssl = listener_ssl_props(&worker);
        assert_eq!(ssl, props(&[("ssl.keystore.key", "k")]));
        let worker = props(&[("ssl.keystore.location", "/u.pem"), ("other", "x")]);
        assert_eq!(
            listener_ssl_props(&worker),
            props(&[("ssl.keystore.location", "/u.pem")])
        );
    }

    #[test]
    fn builds_from_a_pem_file_or_inline_pem() {
        let (cert, key) = self_signed();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ks.pem");
        std::fs::write(&file, format!("{key}{cert}")).unwrap();
        let from_file = props(&[("ssl.keystore.location", file.to_str().unwrap())]);
        assert!(server_config(&from_file).is_ok());
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let inline = props(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.certificate.chain", &flat(&cert)),
            ("ssl.keystore.key", &flat(&key)),
        ]);
        assert!(server_config(&inline).is_ok());
        // Client certificates required, trusting the same certificate.
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &cert).unwrap();
        let mut mtls = from_file.clone();
        mtls.insert("ssl.client.auth".into(), "required".into());
        mtls.insert("ssl.truststore.location".into(), ca.display().to_string());
        assert!(server_config(&mtls).is_ok());
    }

    #[test]
    fn unusable_settings_name_the_key() {
        assert_eq!(
            server_config(&Props::new()).unwrap_err(),
            RestTlsError::NoKeystore
        );
        let e = server_config(&props(&[
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.location", "/x.p12"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("ssl.keystore.type=PKCS12"), "{e}");
        let e = server_config(&props(&[("ssl.keystore.location", "/does/not/exist.pem")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ssl.keystore.location"), "{e}");
        let (cert, key) = self_signed();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ks.pem");
        std::fs::write(&file, format!("{key}{cert}")).unwrap();
        let e = server_config(&props(&[
            ("ssl.keystore.location", file.to_str().unwrap()),
            ("ssl.client.auth", "required"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("ssl.client.auth"), "{e}");
    }
}
