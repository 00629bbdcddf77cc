//! Kafka's `ConfigDef.Validator` implementations, with their exact messages.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use super::types::{invalid, TypedValue};
use crate::config::java;
use crate::config::ConfigError;

/// The signature of a custom validator: the key name and its parsed value (`None` is Java's null).
pub type ValidatorFn = dyn Fn(&str, Option<&TypedValue>) -> Result<(), ConfigError> + Send + Sync;

/// A validator run on the parsed value (or the default, or null when missing), as Kafka does.
#[derive(Clone)]
pub enum Validator {
    /// `NonEmptyString`: null passes, `""` fails.
    NonEmptyString,
    /// `NonEmptyStringWithoutControlChars` (used by the connector `name`).
    NonEmptyStringWithoutControlChars,
    /// `NonNullValidator`.
    NonNull,
    /// `Range`: bounds are rendered as given (`at_least(1)` prints `1`).
    Range { min: Option<i64>, max: Option<i64> },
    /// `ValidString.in(...)`: case-sensitive.
    ValidString(Vec<String>),
    /// `CaseInsensitiveValidString.in(...)`.
    CaseInsensitiveValidString(Vec<String>),
    /// The transforms' `RegexValidator`, and `topics.regex`'s: `Pattern.compile` must accept the
    /// value.
    ValidRegex,
    /// The transforms' `NonEmptyListValidator`.
    NonEmptyList,
    /// A list without duplicates (non-null), failing with the given reason.
    UniqueList(String),
    /// `CompositeValidator`: every validator in turn, stopping at the first failure.
    Composite(Vec<Validator>),
    /// `LambdaValidator`.
    Custom(Arc<ValidatorFn>),
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validator::NonEmptyString => f.write_str("NonEmptyString"),
            Validator::NonEmptyStringWithoutControlChars => {
                f.write_str("NonEmptyStringWithoutControlChars")
            }
            Validator::NonNull => f.write_str("NonNull"),
            Validator::Range { min, max } => write!(f, "Range({min:?}, {max:?})"),
            Validator::ValidString(v) => write!(f, "ValidString({v:?})"),
            Validator::CaseInsensitiveValidString(v) => {
                write!(f, "CaseInsensitiveValidString({v:?})")
            }
            Validator::ValidRegex => f.write_str("ValidRegex"),
            Validator::NonEmptyList => f.write_str("NonEmptyList"),
            Validator::UniqueList(m) => write!(f, "UniqueList({m:?})"),
            Validator::Composite(v) => write!(f, "Composite({v:?})"),
            Validator::Custom(_) => f.write_str("Custom"),
        }
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

impl Validator {
    pub fn non_empty_string() -> Self {
        Validator::NonEmptyString
    }

    pub fn non_empty_string_without_control_chars() -> Self {
        Validator::NonEmptyStringWithoutControlChars
    }

    pub fn non_null() -> Self {
        Validator::NonNull
    }

    pub fn at_least(min: i64) -> Self {
        Validator::Range {
            min: Some(min),
            max: None,
        }
    }

    pub fn between(min: i64, max: i64) -> Self {
        Validator::Range {
            min: Some(min),
            max: Some(max),
        }
    }

    pub fn valid_string(values: &[&str]) -> Self {
        Validator::ValidString(strings(values))
    }

    pub fn valid_string_case_insensitive(values: &[&str]) -> Self {
        Validator::CaseInsensitiveValidString(strings(values))
    }

    pub fn valid_regex() -> Self {
        Validator::ValidRegex
    }

    pub fn non_empty_list() -> Self {
        Validator::NonEmptyList
    }

    /// Kafka's alias validators use `unique_list("Duplicate alias provided.")`.
    pub fn unique_list(message: impl Into<String>) -> Self {
        Validator::UniqueList(message.into())
    }

    pub fn composite(validators: Vec<Validator>) -> Self {
        Validator::Composite(validators)
    }

    pub fn custom<F>(f: F) -> Self
    where
        F: Fn(&str, Option<&TypedValue>) -> Result<(), ConfigError> + Send + Sync + 'static,
    {
        Validator::Custom(Arc::new(f))
    }

    /// Kafka's `ensureValid(name, value)`.
    pub fn ensure_valid(&self, name: &str, value: Option<&TypedValue>) -> Result<(), ConfigError> {
        match self {
            Validator::NonEmptyString => match value {
                Some(TypedValue::String(s)) if s.is_empty() => {
                    Err(invalid(name, value, "String must be non-empty"))
                }
                _ => Ok(()),
            },
            Validator::NonEmptyStringWithoutControlChars => {
                let Some(TypedValue::String(s)) = value else {
                    // A missing value is reported by the required-key check, not here.
                    return Ok(());
                };
                if s.is_empty() {
                    return Err(invalid(name, value, "String may not be empty"));
                }
                // Java's `Character.isISOControl`: U+0000..U+001F and U+007F..U+009F.
                let codes: Vec<String> = s
                    .chars()
                    .filter(|c| c.is_control())
                    .map(|c| u32::from(c).to_string())
                    .collect();
                if codes.is_empty() {
                    Ok(())
                } else {
                    Err(invalid(
                        name,
                        value,
                        format!(
                            "String may not contain control sequences but had the following ASCII chars: {}",
                            codes.join(", ")
                        ),
                    ))
                }
            }
            Validator::NonNull => match value {
                Some(_) => Ok(()),
                None => Err(ConfigError::Invalid {
                    name: name.to_string(),
                    value: "null".to_string(),
                    reason: "entry must be non null".to_string(),
                }),
            },
            Validator::Range { min, max } => {
                let Some(n) = value.and_then(TypedValue::as_f64) else {
                    return Err(invalid(name, value, "Value must be non-null"));
                };
                if let Some(min) = min {
                    if n < *min as f64 {
                        return Err(invalid(
                            name,
                            value,
                            format!("Value must be at least {min}"),
                        ));
                    }
                }
                if let Some(max) = max {
                    if n > *max as f64 {
                        return Err(invalid(
                            name,
                            value,
                            format!("Value must be no more than {max}"),
                        ));
                    }
                }
                Ok(())
            }
            Validator::ValidString(valid) => match value {
                Some(TypedValue::String(s)) if valid.contains(s) => Ok(()),
                _ => Err(invalid(
                    name,
                    value,
                    format!("String must be one of: {}", valid.join(", ")),
                )),
            },
            Validator::CaseInsensitiveValidString(valid) => {
                let upper: Vec<String> = valid.iter().map(|s| s.to_uppercase()).collect();
                match value {
                    Some(TypedValue::String(s)) if upper.contains(&s.to_uppercase()) => Ok(()),
                    _ => Err(invalid(
                        name,
                        value,
                        format!(
                            "String must be one of (case insensitive): {}",
                            java::hash_set_order(&upper).join(", ")
                        ),
                    )),
                }
            }
            Validator::ValidRegex => match value {
                // `Pattern.compile`: Java's syntax (look-around, backreferences, ...).
                Some(TypedValue::String(s)) => crate::java_regex::compile(s)
                    .map(|_| ())
                    .map_err(|reason| invalid(name, value, format!("Invalid regex: {reason}"))),
                Some(_) => Ok(()),
                // `Pattern.compile(null)` throws a NullPointerException whose message is null.
                None => Err(invalid(name, value, "Invalid regex: null")),
            },
            Validator::NonEmptyList => match value {
                Some(TypedValue::List(items)) if !items.is_empty() => Ok(()),
                _ => Err(invalid(name, value, "Empty list")),
            },
            Validator::UniqueList(message) => {
                Validator::NonNull.ensure_valid(name, value)?;
                if let Some(TypedValue::List(items)) = value {
                    let distinct: HashSet<&String> = items.iter().collect();
                    if distinct.len() < items.len() {
                        return Err(invalid(name, value, message.clone()));
                    }
                }
                Ok(())
            }
            Validator::Composite(validators) => validators
                .iter()
                .try_for_each(|v| v.ensure_valid(name, value)),
            Validator::Custom(f) => f(name, value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> TypedValue {
        TypedValue::String(v.to_string())
    }

    fn err(v: &Validator, name: &str, value: Option<&TypedValue>) -> String {
        v.ensure_valid(name, value).unwrap_err().to_string()
    }

    #[test]
    fn non_empty_string() {
        let v = Validator::non_empty_string();
        assert_eq!(
            err(&v, "topic", Some(&s(""))),
            "Invalid value  for configuration topic: String must be non-empty"
        );
        assert!(v.ensure_valid("topic", None).is_ok());
        assert!(v.ensure_valid("topic", Some(&s("t"))).is_ok());
    }

    #[test]
    fn connector_name_rules() {
        let v = Validator::non_empty_string_without_control_chars();
        assert_eq!(
            err(&v, "name", Some(&s(""))),
            "Invalid value  for configuration name: String may not be empty"
        );
        assert_eq!(
            err(&v, "name", Some(&s("a\tb\u{7f}"))),
            "Invalid value a\tb\u{7f} for configuration name: String may not contain control sequences but had the following ASCII chars: 9, 127"
        );
        assert!(v.ensure_valid("name", Some(&s("ok-name"))).is_ok());
    }

    #[test]
    fn ranges() {
        let v = Validator::at_least(1);
        assert_eq!(
            err(&v, "tasks.max", Some(&TypedValue::Int(0))),
            "Invalid value 0 for configuration tasks.max: Value must be at least 1"
        );
        let b = Validator::between(1, 10);
        assert_eq!(
            err(&b, "k", Some(&TypedValue::Long(11))),
            "Invalid value 11 for configuration k: Value must be no more than 10"
        );
        assert!(b.ensure_valid("k", Some(&TypedValue::Short(10))).is_ok());
        assert_eq!(
            err(&b, "k", None),
            "Invalid value null for configuration k: Value must be non-null"
        );
    }

    #[test]
    fn valid_strings() {
        let v = Validator::valid_string(&["none", "all"]);
        assert_eq!(
            err(&v, "errors.tolerance", Some(&s("ALL"))),
            "Invalid value ALL for configuration errors.tolerance: String must be one of: none, all"
        );
        let ci = Validator::valid_string_case_insensitive(&["requested", "required"]);
        assert!(ci.ensure_valid("k", Some(&s("REQUIRED"))).is_ok());
        let message = err(&ci, "k", Some(&s("maybe")));
        assert!(message.starts_with(
            "Invalid value maybe for configuration k: String must be one of (case insensitive): "
        ));
        assert!(message.contains("REQUESTED") && message.contains("REQUIRED"));
    }

    #[test]
    fn lists_and_regexes() {
        let unique = Validator::unique_list("Duplicate alias provided.");
        let dup = TypedValue::List(vec!["a".into(), "a".into()]);
        assert_eq!(
            err(&unique, "transforms", Some(&dup)),
            "Invalid value [a, a] for configuration transforms: Duplicate alias provided."
        );
        assert_eq!(
            err(&unique, "transforms", None),
            "Invalid value null for configuration transforms: entry must be non null"
        );
        assert_eq!(
            err(
                &Validator::non_empty_list(),
                "fields",
                Some(&TypedValue::List(vec![]))
            ),
            "Invalid value [] for configuration fields: Empty list"
        );
        assert!(err(&Validator::valid_regex(), "regex", Some(&s("(")))
            .starts_with("Invalid value ( for configuration regex: Invalid regex: "));
        let custom =
            Validator::custom(|name, _| Err(crate::config::ConfigError::Other(name.to_string())));
        assert_eq!(err(&custom, "x", None), "x");
    }
}
