//! Kafka's `DirectoryConfigProvider`: `${dir:/path/to/dir:name}` is the content of the file `name`
//! in the directory, as Kubernetes mounts a Secret (one file per key).

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::{required_path, AllowedPaths, ConfigProvider, ProviderConfigError, ProviderError};
use crate::config::Props;

pub struct DirectoryConfigProvider {
    name: String,
    allowed: AllowedPaths,
}

impl DirectoryConfigProvider {
    pub fn new(name: &str, params: &Props) -> Result<Self, ProviderConfigError> {
        Ok(DirectoryConfigProvider {
            name: name.to_string(),
            allowed: AllowedPaths::from_params(name, params)?,
        })
    }
}

#[async_trait]
impl ConfigProvider for DirectoryConfigProvider {
    async fn get(
        &self,
        path: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let path = required_path(&self.name, path)?;
        let dir = self.allowed.check(path)?;
        if !dir.is_dir() {
            return Err(ProviderError::Read {
                path: path.to_string(),
                reason: "not a directory".into(),
            });
        }
        let keys = keys.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = BTreeMap::new();
            for key in keys {
                // Only plain file names, as Kafka lists the directory's regular files: a key cannot
                // reach outside the directory.
                if key.contains('/') || key == "." || key == ".." {
                    continue;
                }
                let file = dir.join(&key);
                if !file.is_file() {
                    continue;
                }
                let text = std::fs::read_to_string(&file).map_err(|e| ProviderError::Read {
                    path: file.display().to_string(),
                    reason: e.to_string(),
                })?;
                out.insert(key, text);
            }
            Ok(out)
        })
        .await
        .map_err(|e| ProviderError::Other(e.to_string()))?
    }
}
