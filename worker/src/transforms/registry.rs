//! The transforms and predicates compiled into Ferry, by Kafka class name and alias, and the building of
//! a connector's chain from its `transforms` / `predicates` settings.

use super::{Stage, TransformChain};
use crate::config::{ConfigError, Props};

/// Full class names of the transforms Ferry ships (none yet: the built-in SMTs are their own issue).
pub fn transform_classes() -> &'static [&'static str] {
    &[]
}

/// Full class names of the predicates Ferry ships.
pub fn predicate_classes() -> &'static [&'static str] {
    &[]
}

/// Builds the chain from a connector config. Unknown transform classes fail with Kafka's message.
pub fn build_chain(props: &Props) -> Result<TransformChain, ConfigError> {
    let aliases: Vec<String> = props
        .get("transforms")
        .map(|v| {
            v.split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    // No transform is compiled in yet, so any configured alias names a class that cannot be found.
    if let Some(alias) = aliases.first() {
        let key = format!("transforms.{alias}.type");
        let class = props
            .get(&key)
            .map(|c| c.trim().to_string())
            .ok_or_else(|| ConfigError::Missing(key.clone()))?;
        return Err(ConfigError::Invalid {
            name: key,
            value: class.clone(),
            reason: format!("Class {class} could not be found."),
        });
    }
    let stages: Vec<Stage> = Vec::new();
    Ok(TransformChain::new(stages))
}
