//! Transforms of the second set (DropHeaders, Filter, HeaderFrom, InsertHeader, RegexRouter,
//! ReplaceField, SetSchemaMetadata, TimestampConverter, TimestampRouter, ValueToKey).

use super::registry::TransformPlugin;

pub fn plugins() -> Vec<TransformPlugin> {
    Vec::new()
}
