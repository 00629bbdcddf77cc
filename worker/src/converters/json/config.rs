//! `JsonConverterConfig`: the JsonConverter's settings.

use crate::config::{ConfigError, Props};
use crate::converters::config::{
    get_bool, get_case_insensitive_choice, get_converter_type, get_int, get_string,
};
use crate::converters::ConverterKind;

pub const SCHEMAS_ENABLE: &str = "schemas.enable";
pub const SCHEMAS_CACHE_SIZE: &str = "schemas.cache.size";
pub const DECIMAL_FORMAT: &str = "decimal.format";
pub const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";
pub const SCHEMA_CONTENT: &str = "schema.content";

/// How Decimal values are written (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalFormat {
    /// Base64 of the unscaled value's two's-complement bytes.
    Base64,
    /// A JSON number from `BigDecimal.toString()`.
    Numeric,
}

/// The parsed settings of one JsonConverter.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonConverterConfig {
    pub kind: ConverterKind,
    pub schemas_enable: bool,
    pub schemas_cache_size: usize,
    pub decimal_format: DecimalFormat,
    pub replace_null_with_default: bool,
    /// `schema.content` (Kafka 4.2, KIP-1054): the JSON schema every record read is converted
    /// against, for payloads written without an envelope. `None` when unset or empty.
    pub schema_content: Option<String>,
}

impl Default for JsonConverterConfig {
    fn default() -> Self {
        JsonConverterConfig {
            kind: ConverterKind::Value,
            schemas_enable: true,
            schemas_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
            schema_content: None,
        }
    }
}

impl JsonConverterConfig {
    /// Parses the settings; `converter.type` is required (the registry injects it).
    pub fn parse(props: &Props) -> Result<Self, ConfigError> {
        let kind = get_converter_type(props)?;
        let format =
            get_case_insensitive_choice(props, DECIMAL_FORMAT, "BASE64", &["BASE64", "NUMERIC"])?;
        let cache = get_int(props, SCHEMAS_CACHE_SIZE, 1000)?;
        Ok(JsonConverterConfig {
            kind,
            schemas_enable: get_bool(props, SCHEMAS_ENABLE, true)?,
            // Kafka's LRU cache with a size below 1 caches nothing; so do we.
            schemas_cache_size: usize::try_from(cache).unwrap_or(0),
            decimal_format: if format == "NUMERIC" {
                DecimalFormat::Numeric
            } else {
                DecimalFormat::Base64
            },
            replace_null_with_default: get_bool(props, REPLACE_NULL_WITH_DEFAULT, true)?,
            // Kafka treats an empty value as unset.
            schema_content: Some(get_string(props, SCHEMA_CONTENT, ""))
                .filter(|content| !content.is_empty())
                .map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::test_props as props;

    #[test]
    fn defaults() {
        let c = JsonConverterConfig::parse(&props(&[("converter.type", "key")])).unwrap();
        assert_eq!(
            c,
            JsonConverterConfig {
                kind: ConverterKind::Key,
                ..JsonConverterConfig::default()
            }
        );
    }

    #[test]
    fn explicit_settings() {
        let c = JsonConverterConfig::parse(&props(&[
            ("converter.type", "value"),
            ("schemas.enable", "false"),
            ("schemas.cache.size", "5"),
            ("decimal.format", "numeric"),
            ("replace.null.with.default", "false"),
        ]))
        .unwrap();
        assert!(!c.schemas_enable && !c.replace_null_with_default);
        assert_eq!(c.schemas_cache_size, 5);
        assert_eq!(c.decimal_format, DecimalFormat::Numeric);
        let err = JsonConverterConfig::parse(&props(&[
            ("converter.type", "value"),
            ("decimal.format", "hex"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value hex for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC"
        );
    }
}
