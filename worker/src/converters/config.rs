//! Reading converter settings as Kafka's `ConfigDef` would, with its `ConfigException` texts.

use crate::config::{ConfigError, Props};

use super::ConverterKind;

/// The `converter.type` key every converter receives (injected by the worker).
pub const TYPE_CONFIG: &str = "converter.type";

impl ConverterKind {
    /// The `converter.type` value: `key`, `value` or `header`.
    pub fn type_name(self) -> &'static str {
        match self {
            ConverterKind::Key => "key",
            ConverterKind::Value => "value",
            ConverterKind::Header => "header",
        }
    }
}

fn invalid(name: &str, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// A STRING setting, trimmed as ConfigDef trims, or its default.
pub fn get_string<'a>(props: &'a Props, key: &str, default: &'a str) -> &'a str {
    props.get(key).map_or(default, |v| v.trim())
}

/// A BOOLEAN setting: `true`/`false` in any case.
pub fn get_bool(props: &Props, key: &str, default: bool) -> Result<bool, ConfigError> {
    let Some(raw) = props.get(key) else {
        return Ok(default);
    };
    let v = raw.trim();
    if v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(key, v, "Expected value to be either true or false"))
    }
}

/// An INT setting.
pub fn get_int(props: &Props, key: &str, default: i32) -> Result<i32, ConfigError> {
    let Some(raw) = props.get(key) else {
        return Ok(default);
    };
    let v = raw.trim();
    v.parse()
        .map_err(|_| invalid(key, v, "Not a number of type INT"))
}

/// `converter.type`, required and one of `key`, `value`, `header`.
pub fn get_converter_type(props: &Props) -> Result<ConverterKind, ConfigError> {
    let raw = props
        .get(TYPE_CONFIG)
        .ok_or_else(|| ConfigError::Missing(TYPE_CONFIG.to_string()))?;
    match raw.trim() {
        "key" => Ok(ConverterKind::Key),
        "value" => Ok(ConverterKind::Value),
        "header" => Ok(ConverterKind::Header),
        other => Err(invalid(
            TYPE_CONFIG,
            other,
            "String must be one of: key, value, header",
        )),
    }
}

/// The props with `converter.type` set for `kind`, as the worker injects it.
pub fn with_type(props: &Props, kind: ConverterKind) -> Props {
    let mut props = props.clone();
    props.insert(TYPE_CONFIG.to_string(), kind.type_name().to_string());
    props
}

/// A STRING setting restricted to `allowed`, compared without case.
pub fn get_case_insensitive_choice<'a>(
    props: &Props,
    key: &str,
    default: &'a str,
    allowed: &[&'a str],
) -> Result<&'a str, ConfigError> {
    let v = get_string(props, key, default);
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(v))
        .copied()
        .ok_or_else(|| {
            invalid(
                key,
                v,
                format!(
                    "String must be one of (case insensitive): {}",
                    allowed.join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    #[test]
    fn booleans_and_ints() {
        let p = props(&[("a", " TRUE "), ("b", "yes"), ("n", "12"), ("m", "x")]);
        assert!(get_bool(&p, "a", false).unwrap());
        assert!(!get_bool(&p, "missing", false).unwrap());
        assert_eq!(
            get_bool(&p, "b", true).unwrap_err().to_string(),
            "Invalid value yes for configuration b: Expected value to be either true or false"
        );
        assert_eq!(get_int(&p, "n", 0).unwrap(), 12);
        assert_eq!(
            get_int(&p, "m", 0).unwrap_err().to_string(),
            "Invalid value x for configuration m: Not a number of type INT"
        );
    }

    #[test]
    fn converter_type() {
        assert_eq!(
            get_converter_type(&props(&[])).unwrap_err().to_string(),
            "Missing required configuration \"converter.type\" which has no default value."
        );
        assert_eq!(
            get_converter_type(&props(&[("converter.type", "foo")]))
                .unwrap_err()
                .to_string(),
            "Invalid value foo for configuration converter.type: String must be one of: key, value, header"
        );
        let p = with_type(&props(&[]), ConverterKind::Header);
        assert_eq!(get_converter_type(&p).unwrap(), ConverterKind::Header);
    }

    #[test]
    fn case_insensitive_choice() {
        let p = props(&[("f", "numeric")]);
        assert_eq!(
            get_case_insensitive_choice(&p, "f", "BASE64", &["BASE64", "NUMERIC"]).unwrap(),
            "NUMERIC"
        );
        let p = props(&[("f", "hex")]);
        assert_eq!(
            get_case_insensitive_choice(&p, "f", "BASE64", &["BASE64", "NUMERIC"])
                .unwrap_err()
                .to_string(),
            "Invalid value hex for configuration f: String must be one of (case insensitive): BASE64, NUMERIC"
        );
    }
}
