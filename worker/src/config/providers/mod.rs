//! Config providers (Kafka's KIP-297): secrets stay outside the configuration, which holds
//! placeholders like `${file:/etc/secrets/kafka.properties:password}` that are resolved only where
//! the value is used.
//!
//! - [`ConfigProvider`]: the plug-in point. Kafka's file, directory and environment providers are
//!   built in ([`file`], [`dir`], [`env`]), and Strimzi's Kubernetes Secrets provider ([`kubernetes`]).
//! - [`ConfigProviders`]: the providers a worker config declares (`config.providers=...`), and
//!   resolution of every placeholder in a config.
//! - [`placeholder`]: the `${provider:[path:]key}` syntax.
//!
//! Errors name the placeholder (provider, path and key are not secret), never a resolved value.

pub mod dir;
pub mod env;
pub mod file;
pub mod kubernetes;
pub mod placeholder;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::def::originals_with_prefix;
use crate::config::Props;
use placeholder::Placeholder;

/// Why a provider could not give the values it was asked for. Never carries a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not under any of the paths in allowed.paths")]
    PathNotAllowed { path: String },
    #[error("this provider takes no path (use ${{{provider}:KEY}})")]
    PathNotSupported { provider: String },
    #[error("this provider needs a path (use ${{{provider}:PATH:KEY}})")]
    PathRequired { provider: String },
    #[error("{0}")]
    Other(String),
}

/// A source of configuration values, as Kafka's `org.apache.kafka.common.config.provider.ConfigProvider`:
/// asked for some keys at a path, it answers with the values it has. Keys it does not have are left
/// out of the answer (the caller reports them), so a provider need not know which were required.
#[async_trait]
pub trait ConfigProvider: Send + Sync {
    /// The values of `keys` at `path` (`None` for the `${name:key}` form).
    async fn get(
        &self,
        path: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, ProviderError>;
}

/// The path of a `${provider:PATH:KEY}` placeholder, for providers that need one.
fn required_path<'a>(provider: &str, path: Option<&'a str>) -> Result<&'a str, ProviderError> {
    path.filter(|p| !p.is_empty())
        .ok_or_else(|| ProviderError::PathRequired {
            provider: provider.to_string(),
        })
}

/// A worker's `config.providers` setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderConfigError {
    #[error("Missing required configuration \"config.providers.{0}.class\" for the config provider '{0}' listed in config.providers")]
    MissingClass(String),
    #[error("Invalid value {class} for configuration config.providers.{name}.class: {reason}")]
    UnknownClass {
        name: String,
        class: String,
        reason: &'static str,
    },
    #[error("Invalid value for configuration config.providers.{name}.param.{param}: {reason}")]
    InvalidParam {
        name: String,
        param: &'static str,
        reason: String,
    },
}

/// A placeholder that could not be resolved: it is named, its would-be value is not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("Could not resolve the config placeholder {placeholder} in '{key}': {source}")]
    Provider {
        key: String,
        placeholder: String,
        source: ProviderError,
    },
    #[error("Could not resolve the config placeholder {placeholder} in '{key}': the config provider '{provider}' has no value for '{name}'")]
    Missing {
        key: String,
        placeholder: String,
        provider: String,
        name: String,
    },
}

const FILE_CLASS: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
const DIR_CLASS: &str = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
const ENV_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

/// The providers a worker declared, by the name placeholders use.
#[derive(Clone, Default)]
pub struct ConfigProviders {
    providers: BTreeMap<String, Arc<dyn ConfigProvider>>,
}

impl fmt::Debug for ConfigProviders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.providers.keys()).finish()
    }
}

impl ConfigProviders {
    /// No providers: every placeholder stays as written (Kafka's behaviour without providers).
    pub fn none() -> Self {
        Self::default()
    }

    /// Builds the providers named in `config.providers` from their `config.providers.<name>.class`
    /// and `config.providers.<name>.param.*` settings.
    pub fn from_worker_props(props: &Props) -> Result<Self, ProviderConfigError> {
        let names: Vec<String> = props
            .get("config.providers")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut providers = ConfigProviders::none();
        for name in names {
            let class = props
                .get(&format!("config.providers.{name}.class"))
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ProviderConfigError::MissingClass(name.clone()))?;
            let params =
                originals_with_prefix(props, &format!("config.providers.{name}.param."), true);
            let provider: Arc<dyn ConfigProvider> = match simple_name(&class) {
                "FileConfigProvider" => Arc::new(file::FileConfigProvider::new(&name, &params)?),
                "DirectoryConfigProvider" => {
                    Arc::new(dir::DirectoryConfigProvider::new(&name, &params)?)
                }
                "EnvVarConfigProvider" => Arc::new(env::EnvVarConfigProvider::new(&name, &params)?),
                "KubernetesSecretConfigProvider" => {
                    Arc::new(kubernetes::KubernetesSecretConfigProvider::new(&name))
                }
                _ => {
                    return Err(ProviderConfigError::UnknownClass {
                        name,
                        class,
                        reason: "Ferry has the file (FileConfigProvider), directory (DirectoryConfigProvider), environment (EnvVarConfigProvider) and Kubernetes Secrets (io.strimzi.kafka.KubernetesSecretConfigProvider) providers",
                    })
                }
            };
            providers.providers.insert(name, provider);
        }
        Ok(providers)
    }

    /// Adds (or replaces) a provider under `name`: how a provider that is not built from worker
    /// properties (Kubernetes Secrets) plugs in.
    pub fn with(mut self, name: &str, provider: Arc<dyn ConfigProvider>) -> Self {
        self.providers.insert(name.to_string(), provider);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Whether `value` holds a placeholder for one of these providers.
    pub fn has_placeholder(&self, value: &str) -> bool {
        placeholder::find(value)
            .iter()
            .any(|p| self.providers.contains_key(&p.provider))
    }

    /// Resolves every placeholder of a known provider in `props`, asking each provider once per
    /// path. Placeholders of unknown providers stay as written, as in Kafka. A key a provider does
    /// not have is an error, where Kafka would leave the placeholder in place and let the connector
    /// fail later on a value like `${file:...}`.
    pub async fn resolve(&self, props: &Props) -> Result<Props, ResolveError> {
        if self.is_empty() {
            return Ok(props.clone());
        }
        let mut wanted: BTreeMap<(String, Option<String>), BTreeSet<String>> = BTreeMap::new();
        let mut found: Vec<(String, Placeholder)> = Vec::new();
        for (key, value) in props {
            for p in placeholder::find(value) {
                if self.providers.contains_key(&p.provider) {
                    wanted
                        .entry((p.provider.clone(), p.path.clone()))
                        .or_default()
                        .insert(p.key.clone());
                    found.push((key.clone(), p));
                }
            }
        }
        if found.is_empty() {
            return Ok(props.clone());
        }
        let mut values: BTreeMap<(String, Option<String>), BTreeMap<String, String>> =
            BTreeMap::new();
        for ((provider, path), keys) in wanted {
            let Some(p) = self.providers.get(&provider) else {
                continue;
            };
            match p.get(path.as_deref(), &keys).await {
                Ok(v) => {
                    values.insert((provider, path), v);
                }
                Err(source) => {
                    // Name the first placeholder that asked this provider at this path.
                    let (key, placeholder) = found
                        .iter()
                        .find(|(_, ph)| ph.provider == provider && ph.path == path)
                        .map(|(k, ph)| (k.clone(), ph.text.clone()))
                        .unwrap_or_default();
                    return Err(ResolveError::Provider {
                        key,
                        placeholder,
                        source,
                    });
                }
            }
        }
        for (key, p) in &found {
            let has = values
                .get(&(p.provider.clone(), p.path.clone()))
                .is_some_and(|v| v.contains_key(&p.key));
            if !has {
                return Err(ResolveError::Missing {
                    key: key.clone(),
                    placeholder: p.text.clone(),
                    provider: p.provider.clone(),
                    name: p.key.clone(),
                });
            }
        }
        let resolved = props
            .iter()
            .map(|(key, value)| {
                let v = placeholder::replace(value, |p| {
                    values
                        .get(&(p.provider.clone(), p.path.clone()))
                        .and_then(|v| v.get(&p.key))
                        .cloned()
                });
                (key.clone(), v)
            })
            .collect();
        Ok(resolved)
    }

    /// Kafka's `reverseTransform`: a connector builds its task configs from the resolved config, so
    /// they hold secrets; every key whose raw connector value has a placeholder gets that raw value
    /// back, so stored and served task configs show placeholders too.
    pub fn unresolve(&self, task_config: &Props, raw: &Props) -> Props {
        task_config
            .iter()
            .map(|(key, value)| match raw.get(key) {
                Some(raw_value) if self.has_placeholder(raw_value) => {
                    (key.clone(), raw_value.clone())
                }
                _ => (key.clone(), value.clone()),
            })
            .collect()
    }
}

/// `FileConfigProvider` for `org.apache.kafka.common.config.provider.FileConfigProvider`.
fn simple_name(class: &str) -> &str {
    match class {
        FILE_CLASS => "FileConfigProvider",
        DIR_CLASS => "DirectoryConfigProvider",
        ENV_CLASS => "EnvVarConfigProvider",
        other => other.rsplit('.').next().unwrap_or(other),
    }
}

/// `allowed.paths` of the file and directory providers (KIP-993): absolute paths a placeholder may
/// read under; unset allows any path.
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowedPaths(Option<Vec<std::path::PathBuf>>);

impl AllowedPaths {
    pub(crate) fn from_params(name: &str, params: &Props) -> Result<Self, ProviderConfigError> {
        let Some(list) = params.get("allowed.paths") else {
            return Ok(AllowedPaths(None));
        };
        let mut paths = Vec::new();
        for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let path = std::path::Path::new(p);
            if !path.is_absolute() {
                return Err(ProviderConfigError::InvalidParam {
                    name: name.to_string(),
                    param: "allowed.paths",
                    reason: format!("'{p}' is not an absolute path"),
                });
            }
            paths.push(normalize(path));
        }
        Ok(AllowedPaths(Some(paths)))
    }

    /// Checks `path` (with `.` and `..` resolved, so `..` cannot escape an allowed directory).
    pub(crate) fn check(&self, path: &str) -> Result<std::path::PathBuf, ProviderError> {
        let normalized = normalize(std::path::Path::new(path));
        match &self.0 {
            Some(allowed) if !allowed.iter().any(|a| normalized.starts_with(a)) => {
                Err(ProviderError::PathNotAllowed {
                    path: path.to_string(),
                })
            }
            _ => Ok(normalized),
        }
    }
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests;
