//! Transforms of the first set (Cast, ExtractField, Flatten, HoistField, InsertField, MaskField).

use super::registry::TransformPlugin;

pub fn plugins() -> Vec<TransformPlugin> {
    Vec::new()
}
