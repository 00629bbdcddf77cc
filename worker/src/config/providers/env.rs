//! Kafka's `EnvVarConfigProvider`: `${env:NAME}` is the worker process's environment variable
//! `NAME`, if `allowlist.pattern` (a regular expression, default: any) matches the name.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::{ConfigProvider, ProviderConfigError, ProviderError};
use crate::config::Props;
use crate::java_regex::{self, JavaPattern};

pub struct EnvVarConfigProvider {
    name: String,
    allowlist: Option<JavaPattern>,
}

impl EnvVarConfigProvider {
    pub fn new(name: &str, params: &Props) -> Result<Self, ProviderConfigError> {
        let allowlist = match params.get("allowlist.pattern") {
            None => None,
            // `Pattern.compile`, used with `matches()` (the whole name).
            Some(p) => Some(java_regex::compile(p).map_err(|reason| {
                ProviderConfigError::InvalidParam {
                    name: name.to_string(),
                    param: "allowlist.pattern",
                    reason,
                }
            })?),
        };
        Ok(EnvVarConfigProvider {
            name: name.to_string(),
            allowlist,
        })
    }
}

#[async_trait]
impl ConfigProvider for EnvVarConfigProvider {
    async fn get(
        &self,
        path: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        if path.is_some_and(|p| !p.is_empty()) {
            return Err(ProviderError::PathNotSupported {
                provider: self.name.clone(),
            });
        }
        Ok(keys
            .iter()
            .filter(|k| {
                self.allowlist
                    .as_ref()
                    .is_none_or(|r| r.matches(k).unwrap_or(false))
            })
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.clone(), v)))
            .collect())
    }
}
