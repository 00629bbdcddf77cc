//! `ConfigDef.validate`: every key checked, every error kept.

use super::types::parse_type;
use super::ConfigDef;
use crate::config::ConfigValueInfo;

/// Kafka's `ConfigValue`: a key's (converted) value and all its validation errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigValue {
    pub name: String,
    /// The parsed value printed back with Kafka's `convertToString` (trimmed strings, lists joined
    /// with `,`, hidden passwords); `None` when missing, null or unparseable.
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

impl ConfigValue {
    pub fn new(name: impl Into<String>) -> Self {
        ConfigValue {
            name: name.into(),
            value: None,
            recommended_values: Vec::new(),
            errors: Vec::new(),
            visible: true,
        }
    }

    pub fn add_error(&mut self, message: impl Into<String>) {
        self.errors.push(message.into());
    }

    /// The REST form (`ConfigValueInfo`).
    pub fn to_info(&self) -> ConfigValueInfo {
        ConfigValueInfo {
            name: self.name.clone(),
            value: self.value.clone(),
            recommended_values: self.recommended_values.clone(),
            errors: self.errors.clone(),
            visible: self.visible,
        }
    }
}

/// `lookup` gives `None` for an absent key, `Some(None)` for a key present with a Java null value.
pub(super) fn validate_all<'a, F>(def: &ConfigDef, lookup: F) -> Vec<ConfigValue>
where
    F: Fn(&str) -> Option<Option<&'a str>>,
{
    let mut values: Vec<ConfigValue> = Vec::with_capacity(def.keys.len());
    for key in &def.keys {
        let mut result = ConfigValue::new(&key.name);
        result.recommended_values = key.recommended_values.clone();
        // Like Kafka's parseForValidation: a parse failure or a missing required key leaves the
        // value null, and the validator still runs on it.
        let parsed = match lookup(&key.name) {
            // Kafka's parseType returns null for a null value, without error.
            Some(None) => None,
            Some(Some(raw)) => match parse_type(&key.name, raw, key.config_type) {
                Ok(v) => Some(v),
                Err(e) => {
                    result.add_error(e.to_string());
                    None
                }
            },
            None => match key.parsed_default() {
                Ok(v) => v,
                Err(e) => {
                    result.add_error(e.to_string());
                    None
                }
            },
        };
        if let Some(validator) = &key.validator {
            if let Err(e) = validator.ensure_valid(&key.name, parsed.as_ref()) {
                result.add_error(e.to_string());
            }
        }
        result.value = parsed.map(|v| v.to_config_string());
        values.push(result);
    }
    // Kafka reports dependents that name no key.
    for key in &def.keys {
        for dependent in &key.dependents {
            if def.key(dependent).is_none() && !values.iter().any(|v| &v.name == dependent) {
                let mut undefined = ConfigValue::new(dependent);
                undefined.add_error(format!(
                    "{dependent} is referred in the dependents, but not defined."
                ));
                undefined.visible = false;
                values.push(undefined);
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
    use crate::config::Props;
    use std::collections::BTreeMap;

    #[test]
    fn null_values_skip_parsing_but_not_validators() {
        let def = ConfigDef::new().define(
            ConfigKey::new("n", ConfigType::Int, Importance::Low, "")
                .validator(Validator::at_least(1)),
        );
        let props: BTreeMap<String, Option<String>> =
            [("n".to_string(), None)].into_iter().collect();
        let values = def.validate_nullable(&props);
        assert_eq!(
            values[0].errors,
            vec!["Invalid value null for configuration n: Value must be non-null".to_string()]
        );
    }

    #[test]
    fn values_are_printed_back_parsed() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("l", ConfigType::List, Importance::Low, "").default_value(""))
            .define(
                ConfigKey::new("n", ConfigType::Int, Importance::Low, "")
                    .default_value("1")
                    .validator(Validator::at_least(1)),
            )
            .define(
                ConfigKey::new("x", ConfigType::String, Importance::Low, "")
                    .default_value("")
                    .dependents(vec!["ghost".into()]),
            );
        let props: Props = [("l", " a , b "), ("n", "0")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let values = def.validate(&props);
        assert_eq!(values[0].value.as_deref(), Some("a,b"));
        assert_eq!(values[1].value.as_deref(), Some("0"));
        assert_eq!(
            values[1].errors,
            vec!["Invalid value 0 for configuration n: Value must be at least 1".to_string()]
        );
        assert_eq!(values[3].name, "ghost");
        assert_eq!(
            values[3].errors,
            vec!["ghost is referred in the dependents, but not defined.".to_string()]
        );
        assert!(!values[3].visible);
        assert!(values[1].to_info().visible);
    }
}
