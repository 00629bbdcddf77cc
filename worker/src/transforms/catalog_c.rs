//! Transforms of the third set (SetSchemaMetadata, TimestampConverter, TimestampRouter).

use super::registry::TransformPlugin;

pub fn plugins() -> Vec<TransformPlugin> {
    Vec::new()
}
