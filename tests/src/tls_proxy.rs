//! A TLS front for a plaintext Kafka broker: accepts TLS (optionally requiring a client certificate
//! signed by the test CA) and forwards the bytes to the broker.
//!
//! tansu 0.6.0 takes `--cert` and `--key` but cannot serve TLS: the two flags are in one clap group
//! (so giving both is rejected) and its accept loop never uses the TLS acceptor it builds. The proxy
//! lets the end-to-end tests speak real TLS (and SASL over TLS) to a real broker; the broker
//! advertises the proxy's address, so every connection librdkafka opens goes through it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::certs::TestPki;

/// A running proxy; stops when dropped (its runtime thread ends with the test process).
pub struct TlsProxy {
    pub addr: SocketAddr,
    handshakes: Arc<AtomicUsize>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl TlsProxy {
    /// Listens on `listen` (a port reserved for the broker's advertised address) and forwards to
    /// `upstream`. With `require_client_cert`, clients must present a certificate the CA signed.
    pub fn start(
        pki: &TestPki,
        listen: SocketAddr,
        upstream: SocketAddr,
        require_client_cert: bool,
    ) -> TlsProxy {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = vec![CertificateDer::from_pem_slice(pki.server.cert.as_bytes()).expect("cert")];
        let key = PrivateKeyDer::from_pem_slice(pki.server.key.as_bytes()).expect("key");
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let config = if require_client_cert {
            let mut roots = RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_slice(pki.ca.cert.as_bytes()).expect("CA"))
                .expect("root");
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        }
        .with_single_cert(certs, key)
        .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let std_listener = std::net::TcpListener::bind(listen).expect("bind the TLS proxy");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("proxy address");
        let counter = handshakes.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = stopped.changed() => return,
                        accepted = listener.accept() => {
                            let Ok((client, _)) = accepted else { continue };
                            let acceptor = acceptor.clone();
                            let counter = counter.clone();
                            tokio::spawn(async move {
                                let Ok(mut tls) = acceptor.accept(client).await else { return };
                                counter.fetch_add(1, Ordering::SeqCst);
                                let Ok(mut broker) = TcpStream::connect(upstream).await else { return };
                                let _ = tokio::io::copy_bidirectional(&mut tls, &mut broker).await;
                            });
                        }
                    }
                }
            });
        });
        TlsProxy {
            addr,
            handshakes,
            stop,
        }
    }

    /// How many TLS handshakes completed (with a verified client certificate when required).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
