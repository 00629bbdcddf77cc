//! Kafka's `ConfigDef`: key definitions (type, default, validator, documentation, grouping), parsing
//! into a [`ParsedConfig`] (fails on the first error, like `AbstractConfig`) and validation into
//! [`ConfigValue`]s (collects every error per key, like `ConfigDef.validate`).

mod key;
mod parsed;
mod types;
mod validate;
mod validator;

pub use key::{ConfigKey, DefaultValue, Importance, Width};
pub use parsed::ParsedConfig;
pub use types::{parse_type, ConfigType, Password, TypedValue};
pub use validate::ConfigValue;
pub use validator::{Validator, ValidatorFn};

pub(crate) use parsed::originals_with_prefix;
pub(crate) use types::java_trim;

use std::collections::BTreeMap;

use crate::config::{ConfigError, Props};

/// An ordered set of config keys, plus the ordered list of their groups.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: Vec<ConfigKey>,
    groups: Vec<String>,
}

impl ConfigDef {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key. Kafka throws on a key defined twice; as a builder cannot fail, a redefinition
    /// replaces the earlier key in place instead (use [`ConfigDef::try_define`] to detect it).
    pub fn define(mut self, key: ConfigKey) -> Self {
        self.insert(key);
        self
    }

    /// Adds a key, failing like Kafka (`Configuration <k> is defined twice.`) on a duplicate.
    pub fn try_define(self, key: ConfigKey) -> Result<Self, ConfigError> {
        if self.key(&key.name).is_some() {
            return Err(ConfigError::Other(format!(
                "Configuration {} is defined twice.",
                key.name
            )));
        }
        Ok(self.define(key))
    }

    fn insert(&mut self, key: ConfigKey) {
        if let Some(group) = &key.group {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
            }
        }
        match self.keys.iter_mut().find(|k| k.name == key.name) {
            Some(existing) => *existing = key,
            None => self.keys.push(key),
        }
    }

    /// The keys in definition order.
    pub fn keys(&self) -> &[ConfigKey] {
        &self.keys
    }

    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The groups in first-definition order (Kafka's `ConfigDef.groups()`).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Adds `other`'s keys and groups. A key of `other` with the name of an existing key replaces
    /// it in place (keeping its position), new keys are appended. This is Kafka's rule when it
    /// lists a connector's keys after the framework keys (`configKeys.putAll(plugin keys)`): call
    /// `framework.merge(&plugin)` so plugin keys take precedence.
    pub fn merge(mut self, other: &ConfigDef) -> Self {
        for group in &other.groups {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
            }
        }
        for key in &other.keys {
            self.insert(key.clone());
        }
        self
    }

    /// Kafka's `ConfigDef.sortedConfigs()`: by group (ungrouped first, then in group order), order
    /// in group, then required keys before the others, importance (high first) and name.
    pub fn sorted_keys(&self) -> Vec<&ConfigKey> {
        let group_rank = |k: &ConfigKey| {
            k.group.as_ref().map(|g| {
                self.groups
                    .iter()
                    .position(|x| x == g)
                    .unwrap_or(usize::MAX)
            })
        };
        let mut keys: Vec<&ConfigKey> = self.keys.iter().collect();
        // `Option`'s order puts `None` (no group) first, as Kafka's comparator does.
        keys.sort_by(|a, b| {
            group_rank(a)
                .cmp(&group_rank(b))
                .then(a.order.cmp(&b.order))
                .then(b.is_required().cmp(&a.is_required()))
                .then(a.importance.cmp(&b.importance))
                .then_with(|| a.name.cmp(&b.name))
        });
        keys
    }

    /// Kafka's `ConfigDef.embed(prefix, group, startingOrd, child)`: the child's keys in its sorted
    /// order ([`ConfigDef::sorted_keys`]), renamed with `prefix`, moved into `group` and numbered
    /// from `starting_order`; their validators and dependents are seen through the prefix too.
    pub fn embed(
        mut self,
        prefix: &str,
        group: &str,
        starting_order: i32,
        child: &ConfigDef,
    ) -> Self {
        for (key, order) in child.sorted_keys().into_iter().zip(starting_order..) {
            let mut embedded = key.clone();
            embedded.name = format!("{prefix}{}", key.name);
            embedded.group = Some(group.to_string());
            embedded.order = order;
            embedded.dependents = key
                .dependents
                .iter()
                .map(|d| format!("{prefix}{d}"))
                .collect();
            if let Some(validator) = key.validator.clone() {
                // Kafka's embedded validator reports the unprefixed name in its messages.
                let inner_prefix = prefix.to_string();
                embedded.validator = Some(Validator::custom(move |name, value| {
                    let inner = name.strip_prefix(inner_prefix.as_str()).unwrap_or(name);
                    validator.ensure_valid(inner, value)
                }));
            }
            self.insert(embedded);
        }
        self
    }

    /// Parses and validates `props` like `AbstractConfig`: the first error wins. Keys not defined
    /// here are kept in the originals only.
    pub fn parse(&self, props: &Props) -> Result<ParsedConfig, ConfigError> {
        let mut values = BTreeMap::new();
        for key in &self.keys {
            let value = match props.get(&key.name) {
                Some(raw) => Some(parse_type(&key.name, raw, key.config_type)?),
                None => key.parsed_default()?,
            };
            if let Some(validator) = &key.validator {
                validator.ensure_valid(&key.name, value.as_ref())?;
            }
            values.insert(key.name.clone(), value);
        }
        let defined = self.keys.iter().map(|k| k.name.clone()).collect();
        Ok(ParsedConfig::new(values, props.clone(), defined))
    }

    /// Validates `props` like Kafka's `ConfigDef.validate`: one [`ConfigValue`] per defined key (in
    /// definition order) holding every error for that key; nothing stops at the first error.
    pub fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        validate::validate_all(self, |k| props.get(k).map(|v| Some(v.as_str())))
    }

    /// [`ConfigDef::validate`] for a map that may hold Java nulls (a JSON `null` in a REST body):
    /// a null value is present but unparsed, so it is not "missing" and validators see null.
    pub fn validate_nullable(&self, props: &BTreeMap<String, Option<String>>) -> Vec<ConfigValue> {
        validate::validate_all(self, |k| props.get(k).map(Option::as_deref))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    fn file_source_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("file", ConfigType::String, Importance::High, "Source file")
                    .default(DefaultValue::Null),
            )
            .define(
                ConfigKey::new("topic", ConfigType::String, Importance::High, "Topic")
                    .validator(Validator::non_empty_string()),
            )
            .define(
                ConfigKey::new("batch.size", ConfigType::Int, Importance::Low, "Batch size")
                    .default(DefaultValue::Value("2000".into())),
            )
    }

    #[test]
    fn parse_reports_missing_and_invalid_like_kafka() {
        let def = file_source_def();
        assert_eq!(
            def.parse(&props(&[])).unwrap_err().to_string(),
            "Missing required configuration \"topic\" which has no default value."
        );
        assert_eq!(
            def.parse(&props(&[("topic", "")])).unwrap_err().to_string(),
            "Invalid value  for configuration topic: String must be non-empty"
        );
        // STRING values are trimmed before validation.
        assert_eq!(
            def.parse(&props(&[("topic", "   ")]))
                .unwrap_err()
                .to_string(),
            "Invalid value  for configuration topic: String must be non-empty"
        );
        let parsed = def
            .parse(&props(&[("topic", " t "), ("extra", "x")]))
            .unwrap();
        assert_eq!(parsed.get_string("topic"), Some("t"));
        assert_eq!(parsed.get_string("file"), None);
        assert_eq!(parsed.get_int("batch.size"), Some(2000));
        assert_eq!(parsed.unknown_keys(), vec!["extra".to_string()]);
    }

    #[test]
    fn validate_collects_every_error() {
        let def = file_source_def();
        let values = def.validate(&props(&[("batch.size", "x")]));
        let topic = values.iter().find(|v| v.name == "topic").unwrap();
        assert_eq!(
            topic.errors,
            vec![
                "Missing required configuration \"topic\" which has no default value.".to_string()
            ]
        );
        let batch = values.iter().find(|v| v.name == "batch.size").unwrap();
        assert_eq!(
            batch.errors,
            vec![
                "Invalid value x for configuration batch.size: Not a number of type INT"
                    .to_string()
            ]
        );
        assert_eq!(batch.value, None);
        let file = values.iter().find(|v| v.name == "file").unwrap();
        assert!(file.errors.is_empty());
        assert_eq!(values.len(), 3);
    }

    #[test]
    fn merge_lets_later_keys_win_in_place() {
        let framework = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::String, Importance::High, "fw").group("G1"))
            .define(ConfigKey::new(
                "b",
                ConfigType::String,
                Importance::High,
                "fw",
            ));
        let plugin = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::Int, Importance::Low, "plugin").group("G2"))
            .define(ConfigKey::new(
                "c",
                ConfigType::String,
                Importance::Low,
                "plugin",
            ));
        let merged = framework.merge(&plugin);
        let names: Vec<&str> = merged.keys().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b", "c"]);
        assert_eq!(merged.key("a").unwrap().documentation, "plugin");
        assert_eq!(merged.groups(), &["G1".to_string(), "G2".to_string()]);
    }

    #[test]
    fn try_define_rejects_duplicates() {
        let def = ConfigDef::new().define(ConfigKey::new(
            "a",
            ConfigType::String,
            Importance::High,
            "",
        ));
        assert_eq!(
            def.try_define(ConfigKey::new(
                "a",
                ConfigType::String,
                Importance::High,
                ""
            ))
            .unwrap_err()
            .to_string(),
            "Configuration a is defined twice."
        );
    }

    #[test]
    fn embed_prefixes_names_groups_and_orders() {
        let child = ConfigDef::new().define(
            ConfigKey::new("regex", ConfigType::String, Importance::High, "r")
                .validator(Validator::non_empty_string()),
        );
        let def = ConfigDef::new().embed("transforms.r.", "Transforms: r", 1, &child);
        let key = def.key("transforms.r.regex").unwrap();
        assert_eq!(key.group.as_deref(), Some("Transforms: r"));
        assert_eq!(key.order, 1);
        assert_eq!(
            def.parse(&props(&[("transforms.r.regex", "")]))
                .unwrap_err()
                .to_string(),
            "Invalid value  for configuration regex: String must be non-empty"
        );
    }
}
