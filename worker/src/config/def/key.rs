//! One config key definition (`ConfigDef.ConfigKey`) and its REST form (`ConfigKeyInfo`).

use super::types::{parse_type, ConfigType, TypedValue};
use super::validator::Validator;
use crate::config::{ConfigError, ConfigKeyInfo};

/// `ConfigDef.Importance`, ordered as Java's enum (HIGH first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    High,
    Medium,
    Low,
}

impl Importance {
    /// The Java enum name, as `ConfigKeyInfo.importance` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

/// `ConfigDef.Width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    None,
    Short,
    Medium,
    Long,
}

impl Width {
    /// The Java enum name, as `ConfigKeyInfo.width` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

/// A key's default: none (`NO_DEFAULT_VALUE`, the key is required), Java `null`, or a value
/// written as it would appear in a properties file (parsed with the key's type).
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Required,
    Null,
    Value(String),
}

/// A config key, built fluently from [`ConfigKey::new`]. Without `.default(..)` a key is required,
/// like Kafka's `define` overloads without a default.
#[derive(Debug, Clone)]
pub struct ConfigKey {
    pub name: String,
    pub config_type: ConfigType,
    pub importance: Importance,
    pub documentation: String,
    pub default_value: DefaultValue,
    pub validator: Option<Validator>,
    pub group: Option<String>,
    pub order: i32,
    pub width: Width,
    pub display_name: String,
    pub dependents: Vec<String>,
    /// Static recommended values (Kafka computes these with a `Recommender`).
    pub recommended_values: Vec<String>,
}

impl ConfigKey {
    pub fn new(
        name: impl Into<String>,
        config_type: ConfigType,
        importance: Importance,
        documentation: impl Into<String>,
    ) -> Self {
        let name = name.into();
        ConfigKey {
            display_name: name.clone(),
            name,
            config_type,
            importance,
            documentation: documentation.into(),
            default_value: DefaultValue::Required,
            validator: None,
            group: None,
            order: -1,
            width: Width::None,
            dependents: Vec::new(),
            recommended_values: Vec::new(),
        }
    }

    pub fn default(mut self, default_value: DefaultValue) -> Self {
        self.default_value = default_value;
        self
    }

    /// Shorthand for `.default(DefaultValue::Value(v))`.
    pub fn default_value(self, value: impl Into<String>) -> Self {
        self.default(DefaultValue::Value(value.into()))
    }

    pub fn validator(mut self, validator: Validator) -> Self {
        self.validator = Some(validator);
        self
    }

    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    pub fn width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }

    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = display_name.into();
        self
    }

    pub fn dependents(mut self, dependents: Vec<String>) -> Self {
        self.dependents = dependents;
        self
    }

    pub fn recommended_values(mut self, values: Vec<String>) -> Self {
        self.recommended_values = values;
        self
    }

    pub fn is_required(&self) -> bool {
        self.default_value == DefaultValue::Required
    }

    /// The typed default: `Ok(None)` for a null default, an error for a required key.
    pub(crate) fn parsed_default(&self) -> Result<Option<TypedValue>, ConfigError> {
        match &self.default_value {
            DefaultValue::Required => Err(ConfigError::Missing(self.name.clone())),
            DefaultValue::Null => Ok(None),
            DefaultValue::Value(v) => parse_type(&self.name, v, self.config_type).map(Some),
        }
    }

    /// Kafka's `AbstractHerder.convertConfigKey`: the REST definition of this key.
    pub fn to_info(&self) -> ConfigKeyInfo {
        self.to_info_with_prefix("")
    }

    /// Like [`ConfigKey::to_info`] with the name prefixed (converter and client override keys).
    pub fn to_info_with_prefix(&self, prefix: &str) -> ConfigKeyInfo {
        let default_value = match &self.default_value {
            DefaultValue::Required | DefaultValue::Null => None,
            // Kafka stores the parsed default and prints it back (`a, b` becomes `a,b`).
            DefaultValue::Value(raw) => Some(
                parse_type(&self.name, raw, self.config_type)
                    .map(|v| v.to_config_string())
                    .unwrap_or_else(|_| raw.clone()),
            ),
        };
        ConfigKeyInfo {
            name: format!("{prefix}{}", self.name),
            config_type: self.config_type.to_string(),
            required: self.is_required(),
            default_value,
            importance: self.importance.name().to_string(),
            documentation: self.documentation.clone(),
            group: self.group.clone(),
            order: self.order,
            width: self.width.name().to_string(),
            display_name: self.display_name.clone(),
            dependents: self.dependents.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_info_matches_kafka_shapes() {
        let info = ConfigKey::new("tasks.max", ConfigType::Int, Importance::High, "Max tasks")
            .default_value("1")
            .group("Common")
            .order(3)
            .width(Width::Short)
            .display_name("Tasks max")
            .to_info();
        assert_eq!(info.config_type, "INT");
        assert!(!info.required);
        assert_eq!(info.default_value.as_deref(), Some("1"));
        assert_eq!(info.importance, "HIGH");
        assert_eq!(info.width, "SHORT");
        assert_eq!(info.group.as_deref(), Some("Common"));
        assert_eq!(info.order, 3);
        assert_eq!(info.display_name, "Tasks max");

        let required = ConfigKey::new("topic", ConfigType::String, Importance::High, "t").to_info();
        assert!(required.required);
        assert_eq!(required.default_value, None);
        assert_eq!(required.display_name, "topic");
        assert_eq!(required.order, -1);
        assert_eq!(required.width, "NONE");
        assert_eq!(required.group, None);

        let list = ConfigKey::new("l", ConfigType::List, Importance::Low, "")
            .default_value("a, b")
            .to_info();
        assert_eq!(list.default_value.as_deref(), Some("a,b"));
        let empty = ConfigKey::new("l", ConfigType::List, Importance::Low, "")
            .default_value("")
            .to_info();
        assert_eq!(empty.default_value.as_deref(), Some(""));
        let double = ConfigKey::new("d", ConfigType::Double, Importance::Low, "")
            .default_value("1")
            .to_info();
        assert_eq!(double.default_value.as_deref(), Some("1.0"));
        let null = ConfigKey::new("n", ConfigType::String, Importance::Low, "")
            .default(DefaultValue::Null)
            .to_info();
        assert!(!null.required);
        assert_eq!(null.default_value, None);
    }
}
