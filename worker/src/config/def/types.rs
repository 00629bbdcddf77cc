//! Config value types and Kafka's `ConfigDef.parseType` / `convertToString` rules.

use std::fmt;

use crate::config::java;
use crate::config::ConfigError;

/// `ConfigDef.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigType {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        };
        f.write_str(name)
    }
}

/// A secret value. Its `Debug`/`Display` never reveal it, like Kafka's `Password.toString()`.
#[derive(Clone, PartialEq)]
pub struct Password(String);

impl Password {
    /// The text that Kafka's `Password.toString()` shows instead of the secret.
    pub const HIDDEN: &'static str = "[hidden]";

    pub fn new(value: impl Into<String>) -> Self {
        Password(value.into())
    }

    /// The secret itself.
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Password::HIDDEN)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Password::HIDDEN)
    }
}

/// A parsed config value (Kafka's `Object` returned by `parseType`).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Boolean(bool),
    String(String),
    Int(i32),
    Short(i16),
    Long(i64),
    Double(f64),
    List(Vec<String>),
    /// A class name or alias; Ferry has no classes, existence is checked by the plugin registry.
    Class(String),
    Password(Password),
}

impl TypedValue {
    /// Kafka's `ConfigDef.convertToString(value, type)`: what `ConfigKeyInfo.default_value` and
    /// `ConfigValueInfo.value` show. Lists are joined with `,` (no space), passwords are hidden.
    pub fn to_config_string(&self) -> String {
        match self {
            TypedValue::List(items) => items.join(","),
            other => other.java_string(),
        }
    }

    /// Java's `toString()` of the parsed value, as embedded in `Invalid value <v> for configuration`.
    pub fn java_string(&self) -> String {
        match self {
            TypedValue::Boolean(b) => b.to_string(),
            TypedValue::String(s) | TypedValue::Class(s) => s.clone(),
            TypedValue::Int(n) => n.to_string(),
            TypedValue::Short(n) => n.to_string(),
            TypedValue::Long(n) => n.to_string(),
            TypedValue::Double(d) => java::double_to_string(*d),
            TypedValue::List(items) => java::list_to_string(items),
            TypedValue::Password(p) => p.to_string(),
        }
    }

    /// The value as a number, for range checks.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            TypedValue::Int(n) => Some(f64::from(*n)),
            TypedValue::Short(n) => Some(f64::from(*n)),
            TypedValue::Long(n) => Some(*n as f64),
            TypedValue::Double(d) => Some(*d),
            _ => None,
        }
    }
}

/// `Invalid value <v> for configuration <name>: <reason>`, with Java's rendering of a null value.
pub(crate) fn invalid(
    name: &str,
    value: Option<&TypedValue>,
    reason: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        value: value.map_or_else(|| "null".to_string(), TypedValue::java_string),
        reason: reason.into(),
    }
}

fn invalid_raw(name: &str, raw: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        value: raw.to_string(),
        reason: reason.into(),
    }
}

/// Java's `Pattern.compile("\\s*,\\s*")`: `String.trim()` strips every char <= U+0020, regex `\s`
/// is `[ \t\n\x0B\f\r]`.
fn is_java_regex_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// Java's `String.trim()`.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Splits a trimmed list on commas with surrounding whitespace, keeping empty items like
/// `split(regex, -1)` does (`"a,,b,"` gives `a`, ``, `b`, ``).
pub(crate) fn split_list(trimmed: &str) -> Vec<String> {
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split(',')
        .map(|item| item.trim_matches(is_java_regex_space).to_string())
        .collect()
}

/// Java's `Double.parseDouble` on a trimmed string: Rust's parser plus Java's optional `f`/`d`
/// suffix, and only Java's spellings of the special values.
fn parse_java_double(trimmed: &str) -> Option<f64> {
    let unsigned = trimmed.trim_start_matches(['+', '-']);
    match unsigned {
        "NaN" => return Some(f64::NAN),
        "Infinity" => {
            return Some(if trimmed.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        _ => {}
    }
    let body = trimmed
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(trimmed);
    // Rust also accepts `inf`/`nan` spellings, which Java rejects.
    if body
        .chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    body.parse::<f64>().ok()
}

/// Kafka's `ConfigDef.parseType` for a string value. Errors quote the value as given (untrimmed).
pub fn parse_type(name: &str, raw: &str, ty: ConfigType) -> Result<TypedValue, ConfigError> {
    let trimmed = java_trim(raw);
    let not_a_number = || invalid_raw(name, raw, format!("Not a number of type {ty}"));
    match ty {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                Ok(TypedValue::Boolean(true))
            } else if trimmed.eq_ignore_ascii_case("false") {
                Ok(TypedValue::Boolean(false))
            } else {
                Err(invalid_raw(
                    name,
                    raw,
                    "Expected value to be either true or false",
                ))
            }
        }
        ConfigType::String => Ok(TypedValue::String(trimmed.to_string())),
        ConfigType::Password => Ok(TypedValue::Password(Password::new(trimmed))),
        ConfigType::Int => trimmed
            .parse::<i32>()
            .map(TypedValue::Int)
            .map_err(|_| not_a_number()),
        ConfigType::Short => trimmed
            .parse::<i16>()
            .map(TypedValue::Short)
            .map_err(|_| not_a_number()),
        ConfigType::Long => trimmed
            .parse::<i64>()
            .map(TypedValue::Long)
            .map_err(|_| not_a_number()),
        ConfigType::Double => parse_java_double(trimmed)
            .map(TypedValue::Double)
            .ok_or_else(not_a_number),
        ConfigType::List => Ok(TypedValue::List(split_list(trimmed))),
        ConfigType::Class => Ok(TypedValue::Class(trimmed.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_trimmed() {
        assert_eq!(
            parse_type("k", "  v \t", ConfigType::String).unwrap(),
            TypedValue::String("v".into())
        );
    }

    #[test]
    fn lists_split_on_commas_with_whitespace() {
        assert_eq!(
            parse_type("k", " a , b,c ", ConfigType::List).unwrap(),
            TypedValue::List(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(
            parse_type("k", "   ", ConfigType::List).unwrap(),
            TypedValue::List(vec![])
        );
        assert_eq!(
            parse_type("k", "a,,b,", ConfigType::List).unwrap(),
            TypedValue::List(vec!["a".into(), "".into(), "b".into(), "".into()])
        );
    }

    #[test]
    fn booleans_are_case_insensitive() {
        assert_eq!(
            parse_type("k", " TRUE ", ConfigType::Boolean).unwrap(),
            TypedValue::Boolean(true)
        );
        assert_eq!(
            parse_type("k", "False", ConfigType::Boolean).unwrap(),
            TypedValue::Boolean(false)
        );
        assert_eq!(
            parse_type("k", "yes", ConfigType::Boolean)
                .unwrap_err()
                .to_string(),
            "Invalid value yes for configuration k: Expected value to be either true or false"
        );
    }

    #[test]
    fn numbers_report_their_type() {
        assert_eq!(
            parse_type("tasks.max", "abc", ConfigType::Int)
                .unwrap_err()
                .to_string(),
            "Invalid value abc for configuration tasks.max: Not a number of type INT"
        );
        assert_eq!(
            parse_type("k", "70000", ConfigType::Short)
                .unwrap_err()
                .to_string(),
            "Invalid value 70000 for configuration k: Not a number of type SHORT"
        );
        assert_eq!(
            parse_type("k", "1.5", ConfigType::Long)
                .unwrap_err()
                .to_string(),
            "Invalid value 1.5 for configuration k: Not a number of type LONG"
        );
        assert_eq!(
            parse_type("k", "inf", ConfigType::Double)
                .unwrap_err()
                .to_string(),
            "Invalid value inf for configuration k: Not a number of type DOUBLE"
        );
        assert_eq!(
            parse_type("k", " +42 ", ConfigType::Int).unwrap(),
            TypedValue::Int(42)
        );
        assert_eq!(
            parse_type("k", "2.5f", ConfigType::Double).unwrap(),
            TypedValue::Double(2.5)
        );
        assert_eq!(
            parse_type("k", "1e3", ConfigType::Double).unwrap(),
            TypedValue::Double(1000.0)
        );
    }

    #[test]
    fn converts_to_strings_like_kafka() {
        assert_eq!(
            TypedValue::List(vec!["a".into(), "b".into()]).to_config_string(),
            "a,b"
        );
        assert_eq!(
            TypedValue::List(vec!["a".into(), "b".into()]).java_string(),
            "[a, b]"
        );
        assert_eq!(TypedValue::Double(1.0).to_config_string(), "1.0");
        assert_eq!(
            TypedValue::Password(Password::new("s3cret")).to_config_string(),
            "[hidden]"
        );
        assert_eq!(format!("{:?}", Password::new("s3cret")), "[hidden]");
        assert_eq!(ConfigType::Password.to_string(), "PASSWORD");
    }
}
