//! Content hashes that roll the worker pods when their inputs change.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use sha2::{Digest, Sha256};

/// Hash of a Secret's data (keys and values, in key order). `stringData` is write-only and never
/// returned by the API, so only `data` counts.
pub fn secret_data_hash(secret: &Secret) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in secret.data.iter().flatten() {
        update_field(&mut hasher, key.as_bytes());
        update_field(&mut hasher, &value.0);
    }
    hex::encode(hasher.finalize())
}

/// Hash of the rendered ConfigMap data and of the referenced Secrets' data hashes (Secret name to
/// hash). Every field is length-prefixed so different splits of the same bytes hash differently.
pub fn config_hash(
    config_data: &BTreeMap<String, String>,
    secret_hashes: &BTreeMap<String, String>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"config");
    for (key, value) in config_data {
        update_field(&mut hasher, key.as_bytes());
        update_field(&mut hasher, value.as_bytes());
    }
    hasher.update(b"secrets");
    for (name, hash) in secret_hashes {
        update_field(&mut hasher, name.as_bytes());
        update_field(&mut hasher, hash.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn update_field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;

    fn secret(pairs: &[(&str, &str)]) -> Secret {
        Secret {
            data: Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec())))
                    .collect(),
            ),
            ..Secret::default()
        }
    }

    #[test]
    fn secret_hash_follows_content() {
        let a = secret_data_hash(&secret(&[("password", "one")]));
        assert_eq!(a, secret_data_hash(&secret(&[("password", "one")])));
        assert_ne!(a, secret_data_hash(&secret(&[("password", "two")])));
        assert_ne!(a, secret_data_hash(&secret(&[("passwor", "done")])));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn config_hash_covers_config_and_secrets() {
        let config = BTreeMap::from([("worker.properties".to_string(), "a=1".to_string())]);
        let none = BTreeMap::new();
        let base = config_hash(&config, &none);
        let changed = BTreeMap::from([("worker.properties".to_string(), "a=2".to_string())]);
        assert_ne!(base, config_hash(&changed, &none));
        let secrets = BTreeMap::from([("s".to_string(), "h1".to_string())]);
        let rotated = BTreeMap::from([("s".to_string(), "h2".to_string())]);
        assert_ne!(base, config_hash(&config, &secrets));
        assert_ne!(
            config_hash(&config, &secrets),
            config_hash(&config, &rotated)
        );
    }
}
