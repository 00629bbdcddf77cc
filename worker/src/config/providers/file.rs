//! Kafka's `FileConfigProvider`: `${file:/path/to/file.properties:key}` reads `key` from a
//! properties file.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::{required_path, AllowedPaths, ConfigProvider, ProviderConfigError, ProviderError};
use crate::config::properties::load_properties_file;
use crate::config::Props;

pub struct FileConfigProvider {
    name: String,
    allowed: AllowedPaths,
}

impl FileConfigProvider {
    pub fn new(name: &str, params: &Props) -> Result<Self, ProviderConfigError> {
        Ok(FileConfigProvider {
            name: name.to_string(),
            allowed: AllowedPaths::from_params(name, params)?,
        })
    }
}

#[async_trait]
impl ConfigProvider for FileConfigProvider {
    async fn get(
        &self,
        path: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let path = required_path(&self.name, path)?;
        let file = self.allowed.check(path)?;
        // Read off the async threads: a mounted secret may sit on a slow volume.
        let props = tokio::task::spawn_blocking(move || load_properties_file(&file))
            .await
            .map_err(|e| ProviderError::Other(e.to_string()))?
            .map_err(|e| ProviderError::Read {
                path: path.to_string(),
                // The parser's messages name the file and line, never the content.
                reason: e.to_string(),
            })?;
        Ok(props
            .into_iter()
            .filter(|(k, _)| keys.contains(k))
            .collect())
    }
}
