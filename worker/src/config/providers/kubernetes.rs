//! Strimzi's `KubernetesSecretConfigProvider`: `${secrets:<namespace>/<name>:<key>}` is the key of a
//! Kubernetes Secret, read through the API with the worker's own service account (so RBAC decides
//! which Secrets a worker may read, and nothing has to be mounted).
//!
//! The API client is created on first use, from the in-cluster service account or, outside a
//! cluster, from the kubeconfig, so a worker that declares the provider but never uses it needs no
//! API access.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use tokio::sync::OnceCell;

use super::{ConfigProvider, ProviderError};

/// Strimzi's class name for this provider (the simple name is matched, as for Kafka's providers).
pub const CLASS: &str = "io.strimzi.kafka.KubernetesSecretConfigProvider";

pub struct KubernetesSecretConfigProvider {
    name: String,
    client: OnceCell<kube::Client>,
}

impl KubernetesSecretConfigProvider {
    /// A provider that connects to the API on first use.
    pub fn new(name: &str) -> Self {
        KubernetesSecretConfigProvider {
            name: name.to_string(),
            client: OnceCell::new(),
        }
    }

    /// A provider that uses `client` (tests, or a worker that already has one).
    pub fn with_client(name: &str, client: kube::Client) -> Self {
        KubernetesSecretConfigProvider {
            name: name.to_string(),
            client: OnceCell::new_with(Some(client)),
        }
    }

    async fn client(&self, path: &str) -> Result<kube::Client, ProviderError> {
        self.client
            .get_or_try_init(kube::Client::try_default)
            .await
            .cloned()
            .map_err(|e| ProviderError::Read {
                path: path.to_string(),
                reason: format!("cannot reach the Kubernetes API: {e}"),
            })
    }
}

/// `<namespace>/<name>`, both non-empty.
fn split_path(path: &str) -> Option<(&str, &str)> {
    let (namespace, name) = path.split_once('/')?;
    let valid = |s: &str| !s.is_empty() && !s.contains('/');
    (valid(namespace) && valid(name)).then_some((namespace, name))
}

#[async_trait]
impl ConfigProvider for KubernetesSecretConfigProvider {
    async fn get(
        &self,
        path: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let path = path.unwrap_or_default();
        let Some((namespace, name)) = split_path(path) else {
            return Err(ProviderError::Other(format!(
                "the path of a ${{{}:...}} placeholder must be <namespace>/<secret name>, found '{path}'",
                self.name
            )));
        };
        let client = self.client(path).await?;
        let secrets: Api<Secret> = Api::namespaced(client, namespace);
        let secret = match secrets.get_opt(name).await {
            Ok(Some(secret)) => secret,
            Ok(None) => {
                return Err(ProviderError::Read {
                    path: path.to_string(),
                    reason: format!("the Secret {name} does not exist in namespace {namespace}"),
                })
            }
            Err(e) => {
                return Err(ProviderError::Read {
                    path: path.to_string(),
                    reason: describe_api_error(&e),
                })
            }
        };
        let data = secret.data.unwrap_or_default();
        let mut out = BTreeMap::new();
        for key in keys {
            if let Some(bytes) = data.get(key) {
                let value =
                    String::from_utf8(bytes.0.clone()).map_err(|_| ProviderError::Read {
                        path: path.to_string(),
                        reason: format!("the value of key {key} is not UTF-8 text"),
                    })?;
                out.insert(key.clone(), value);
            }
        }
        Ok(out)
    }
}

/// The API's refusal in words a user can act on (never a Secret value: errors carry none).
fn describe_api_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) if status.code == 403 => format!(
            "the worker's service account may not read it ({}); grant it get on this Secret",
            status.message
        ),
        kube::Error::Api(status) => format!("the Kubernetes API refused: {}", status.message),
        other => format!("the Kubernetes API failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_namespace_slash_name() {
        assert_eq!(split_path("ns/secret"), Some(("ns", "secret")));
        assert_eq!(split_path("secret"), None);
        assert_eq!(split_path("/secret"), None);
        assert_eq!(split_path("ns/"), None);
        assert_eq!(split_path("a/b/c"), None);
    }
}

#[cfg(test)]
mod api_tests {
    //! Against an in-process API (kube-fake-client keeps Secrets as the API server would).

    use std::sync::Arc;

    use k8s_openapi::api::core::v1::Secret;
    use k8s_openapi::ByteString;
    use kube_fake_client::ClientBuilder;

    use super::KubernetesSecretConfigProvider;
    use crate::config::providers::ConfigProviders;
    use crate::config::Props;

    async fn providers() -> ConfigProviders {
        let mut secret = Secret::default();
        secret.metadata.name = Some("kafka-user".into());
        secret.metadata.namespace = Some("team-a".into());
        secret.data = Some(
            [
                ("password".to_string(), ByteString(b"s3cret".to_vec())),
                ("binary".to_string(), ByteString(vec![0xff, 0xfe])),
            ]
            .into_iter()
            .collect(),
        );
        let client = ClientBuilder::new()
            .with_object(secret)
            .build()
            .await
            .expect("fake API");
        ConfigProviders::none().with(
            "secrets",
            Arc::new(KubernetesSecretConfigProvider::with_client(
                "secrets", client,
            )),
        )
    }

    fn props(value: &str) -> Props {
        [("sasl.jaas.config".to_string(), value.to_string())]
            .into_iter()
            .collect()
    }

    #[tokio::test]
    async fn resolves_a_key_of_a_secret() {
        let resolved = providers()
            .await
            .resolve(&props(
                "PlainLoginModule required username=\"u\" password=\"${secrets:team-a/kafka-user:password}\";",
            ))
            .await
            .expect("resolves");
        assert_eq!(
            resolved["sasl.jaas.config"],
            "PlainLoginModule required username=\"u\" password=\"s3cret\";"
        );
    }

    #[tokio::test]
    async fn missing_secrets_keys_and_bad_paths_name_the_placeholder_not_a_value() {
        let p = providers().await;
        for (placeholder, expected) in [
            (
                "${secrets:team-a/nope:password}",
                "the Secret nope does not exist in namespace team-a",
            ),
            (
                "${secrets:team-a/kafka-user:user}",
                "the config provider 'secrets' has no value for 'user'",
            ),
            (
                "${secrets:kafka-user:password}",
                "must be <namespace>/<secret name>",
            ),
            (
                "${secrets:team-a/kafka-user:binary}",
                "the value of key binary is not UTF-8 text",
            ),
        ] {
            let err = p
                .resolve(&props(placeholder))
                .await
                .expect_err(placeholder)
                .to_string();
            assert!(err.contains(placeholder), "{err}");
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }
}
