//! The built-in predicates (HasHeaderKey, RecordIsTombstone, TopicNameMatches).

use super::registry::PredicatePlugin;

pub fn plugins() -> Vec<PredicatePlugin> {
    Vec::new()
}
