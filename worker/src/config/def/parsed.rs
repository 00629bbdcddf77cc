//! The result of `ConfigDef::parse` (Kafka's `AbstractConfig`): typed getters plus the originals.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{Password, TypedValue};
use crate::config::Props;

/// Parsed values for every defined key (`None` is Java's null) and the original properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedConfig {
    values: BTreeMap<String, Option<TypedValue>>,
    originals: Props,
    defined: BTreeSet<String>,
}

impl ParsedConfig {
    pub(crate) fn new(
        values: BTreeMap<String, Option<TypedValue>>,
        originals: Props,
        defined: BTreeSet<String>,
    ) -> Self {
        ParsedConfig {
            values,
            originals,
            defined,
        }
    }

    /// The parsed value of a defined key (`None` if undefined or null).
    pub fn get(&self, key: &str) -> Option<&TypedValue> {
        self.values.get(key).and_then(Option::as_ref)
    }

    /// Whether `key` is defined in the `ConfigDef` this was parsed with.
    pub fn is_defined(&self, key: &str) -> bool {
        self.defined.contains(key)
    }

    pub fn get_string(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(TypedValue::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn get_int(&self, key: &str) -> Option<i32> {
        match self.get(key) {
            Some(TypedValue::Int(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn get_short(&self, key: &str) -> Option<i16> {
        match self.get(key) {
            Some(TypedValue::Short(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn get_long(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(TypedValue::Long(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn get_double(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(TypedValue::Double(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn get_bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(TypedValue::Boolean(b)) => Some(*b),
            _ => None,
        }
    }

    /// A LIST value; an undefined or null list reads as empty.
    pub fn get_list(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(TypedValue::List(items)) => items,
            _ => &[],
        }
    }

    /// A LIST value, distinguishing null (`None`) from empty.
    pub fn get_list_opt(&self, key: &str) -> Option<&[String]> {
        match self.get(key) {
            Some(TypedValue::List(items)) => Some(items),
            _ => None,
        }
    }

    pub fn get_class(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(TypedValue::Class(s)) => Some(s),
            _ => None,
        }
    }

    pub fn get_password(&self, key: &str) -> Option<&Password> {
        match self.get(key) {
            Some(TypedValue::Password(p)) => Some(p),
            _ => None,
        }
    }

    /// The properties as given, including keys not defined.
    pub fn originals(&self) -> &Props {
        &self.originals
    }

    /// Kafka's `originalsWithPrefix(prefix, strip)`. With `strip`, a key equal to the bare prefix
    /// is skipped, as Kafka does (it would become the empty key).
    pub fn originals_with_prefix(&self, prefix: &str, strip: bool) -> Props {
        originals_with_prefix(&self.originals, prefix, strip)
    }

    /// Original keys that no definition covers: Kafka logs these as "supplied but isn't a known
    /// config".
    pub fn unknown_keys(&self) -> Vec<String> {
        self.originals
            .keys()
            .filter(|k| !self.defined.contains(*k))
            .cloned()
            .collect()
    }

    /// Kafka tracks the keys read through getters and calls the rest unused. Ferry does not track
    /// reads, so this equals [`ParsedConfig::unknown_keys`]: defined keys count as used.
    pub fn unused_keys(&self) -> Vec<String> {
        self.unknown_keys()
    }
}

/// `originalsWithPrefix` over any property map.
pub(crate) fn originals_with_prefix(props: &Props, prefix: &str, strip: bool) -> Props {
    props
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(prefix)?;
            if strip {
                (!rest.is_empty()).then(|| (rest.to_string(), v.clone()))
            } else {
                Some((k.clone(), v.clone()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigDef, ConfigKey, ConfigType, Importance};
    use crate::config::Props;

    #[test]
    fn typed_getters_and_prefixes() {
        let def = ConfigDef::new()
            .define(
                ConfigKey::new("b", ConfigType::Boolean, Importance::Low, "")
                    .default_value("false"),
            )
            .define(ConfigKey::new("l", ConfigType::List, Importance::Low, "").default_value(""))
            .define(ConfigKey::new("s", ConfigType::Short, Importance::Low, "").default_value("3"))
            .define(ConfigKey::new("g", ConfigType::Long, Importance::Low, "").default_value("-5"))
            .define(
                ConfigKey::new("d", ConfigType::Double, Importance::Low, "").default_value("0.5"),
            )
            .define(
                ConfigKey::new("c", ConfigType::Class, Importance::Low, "").default_value(" x.Y "),
            )
            .define(
                ConfigKey::new("p", ConfigType::Password, Importance::Low, "").default_value("pw"),
            );
        let props: Props = [
            ("b", "TRUE"),
            ("l", "x, y"),
            ("producer.acks", "all"),
            ("producer.", "odd"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let parsed = def.parse(&props).unwrap();
        assert_eq!(parsed.get_bool("b"), Some(true));
        assert_eq!(parsed.get_list("l"), &["x".to_string(), "y".to_string()]);
        assert_eq!(parsed.get_short("s"), Some(3));
        assert_eq!(parsed.get_long("g"), Some(-5));
        assert_eq!(parsed.get_double("d"), Some(0.5));
        assert_eq!(parsed.get_class("c"), Some("x.Y"));
        assert_eq!(parsed.get_password("p").unwrap().value(), "pw");
        assert_eq!(parsed.get_list("missing"), &[] as &[String]);
        let stripped = parsed.originals_with_prefix("producer.", true);
        assert_eq!(stripped.len(), 1);
        assert_eq!(stripped.get("acks").map(String::as_str), Some("all"));
        assert_eq!(parsed.originals_with_prefix("producer.", false).len(), 2);
        assert_eq!(
            parsed.unknown_keys(),
            vec!["producer.".to_string(), "producer.acks".to_string()]
        );
        assert_eq!(parsed.originals().len(), 4);
    }
}
