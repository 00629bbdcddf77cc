//! The built-in predicates (HasHeaderKey, RecordIsTombstone, TopicNameMatches).

mod has_header_key;
mod record_is_tombstone;
mod topic_name_matches;

use super::registry::PredicatePlugin;

pub fn plugins() -> Vec<PredicatePlugin> {
    vec![
        has_header_key::plugin(),
        record_is_tombstone::plugin(),
        topic_name_matches::plugin(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::registry::find_predicate;

    #[test]
    fn predicates_have_kafkas_class_names_and_simple_aliases() {
        let names: Vec<&str> = plugins().iter().map(|p| p.class_name).collect();
        assert_eq!(
            names,
            vec![
                "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
                "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ]
        );
        for alias in ["HasHeaderKey", "RecordIsTombstone", "TopicNameMatches"] {
            assert!(find_predicate(alias).is_some(), "{alias}");
        }
    }
}
