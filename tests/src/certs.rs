//! Certificates generated for a test run (never checked in): a CA, a server certificate for
//! `localhost` / `127.0.0.1`, and a client certificate, all as PEM.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A certificate and its private key (PKCS#8), PEM-encoded.
#[derive(Debug, Clone)]
pub struct Pem {
    pub cert: String,
    pub key: String,
}

impl Pem {
    /// Kafka's PEM keystore file layout: the private key and the certificate in one file.
    pub fn combined(&self) -> String {
        format!("{}{}", self.key, self.cert)
    }
}

/// A test CA with a server and a client certificate it signed.
#[derive(Debug, Clone)]
pub struct TestPki {
    pub ca: Pem,
    pub server: Pem,
    pub client: Pem,
}

impl TestPki {
    pub fn generate() -> TestPki {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Ferry test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, &ca_key);

        let leaf = |names: Vec<String>, cn: &str, usage: ExtendedKeyUsagePurpose| {
            let key = KeyPair::generate().expect("key");
            let mut params = CertificateParams::new(names).expect("params");
            params.distinguished_name.push(DnType::CommonName, cn);
            params.extended_key_usages = vec![usage];
            let cert = params.signed_by(&key, &issuer).expect("certificate");
            Pem {
                cert: cert.pem(),
                key: key.serialize_pem(),
            }
        };
        let server = leaf(
            vec!["localhost".into(), "127.0.0.1".into()],
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let client = leaf(
            vec!["ferry-worker".into()],
            "ferry-worker",
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        TestPki {
            ca: Pem {
                cert: ca_cert.pem(),
                key: ca_key.serialize_pem(),
            },
            server,
            client,
        }
    }

    /// Writes `ca.pem`, `server.pem`, `server.key`, `client.pem` (key + certificate, Kafka's PEM
    /// keystore layout) into `dir`, returning the CA file's path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("certs dir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).expect("write certificate file")
        };
        write("ca.pem", &self.ca.cert);
        write("server.pem", &self.server.cert);
        write("server.key", &self.server.key);
        write("client.pem", &self.client.combined());
        dir.join("ca.pem")
    }
}
