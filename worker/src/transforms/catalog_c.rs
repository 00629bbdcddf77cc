//! Transforms of the third set (SetSchemaMetadata, TimestampConverter, TimestampRouter), plus the
//! `SimpleDateFormat` work-alike both timestamp transforms share.

#[path = "date_format/mod.rs"]
pub(crate) mod date_format;
#[path = "set_schema_metadata.rs"]
mod set_schema_metadata;
#[path = "timestamp_converter/mod.rs"]
mod timestamp_converter;
#[path = "timestamp_router.rs"]
mod timestamp_router;

use super::registry::TransformPlugin;
use super::util::{replace_null_with_default_key, REPLACE_NULL_WITH_DEFAULT};

pub fn plugins() -> Vec<TransformPlugin> {
    let mut all = set_schema_metadata::plugins();
    all.extend(timestamp_converter::plugins());
    all.push(timestamp_router::plugin());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Props;
    use crate::transforms::registry::{find_transform, transform_classes};

    #[test]
    fn registers_kafka_class_names_with_aliases_only_for_top_level_classes() {
        let classes = transform_classes();
        for name in [
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
            "org.apache.kafka.connect.transforms.TimestampConverter$Key",
            "org.apache.kafka.connect.transforms.TimestampConverter$Value",
            "org.apache.kafka.connect.transforms.TimestampRouter",
        ] {
            assert!(classes.contains(&name), "{name}");
        }
        assert_eq!(plugins().len(), 5);
        assert!(find_transform("TimestampRouter").is_some());
        assert!(find_transform("Value").is_none_or(|p| !p.class_name.contains("Timestamp")));
    }

    #[test]
    fn every_config_def_parses_its_defaults_or_reports_required_keys() {
        for plugin in plugins() {
            let def = (plugin.config_def)();
            assert!(
                def.key(REPLACE_NULL_WITH_DEFAULT).is_some()
                    || plugin.class_name.ends_with("TimestampRouter"),
                "{}",
                plugin.class_name
            );
            let result = def.parse(&Props::new());
            if plugin.class_name.contains("TimestampConverter") {
                assert_eq!(
                    result.unwrap_err().to_string(),
                    "Missing required configuration \"target.type\" which has no default value."
                );
            } else {
                assert!(result.is_ok(), "{}", plugin.class_name);
            }
        }
    }
}
