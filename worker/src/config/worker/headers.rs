//! `response.http.headers.config`: `[action] [name]:[value]` entries, comma-separated.

use crate::config::ConfigError;

const ACTIONS: [&str; 4] = ["set", "add", "setDate", "addDate"];

/// One response header rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    /// `set`, `add`, `setDate` or `addDate`, as written (matched case-insensitively).
    pub action: String,
    pub name: String,
    pub value: String,
}

/// Splits on commas outside double quotes and drops the quotes, like Jetty's `csvSplit`.
fn csv_split(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_rule(config: &str) -> Result<HeaderRule, ConfigError> {
    let trimmed = config.trim();
    let Some((action, header)) = trimmed.split_once(char::is_whitespace) else {
        return Err(ConfigError::Other(format!(
            "Invalid format of header config '{config}'. Expected: '[action] [header name]:[header value]'"
        )));
    };
    if !ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(action)) {
        return Err(ConfigError::Other(format!(
            "Invalid header config action: '{action}'. Expected one of [{}]",
            ACTIONS.join(", ")
        )));
    }
    // Java's split(":") drops trailing empty parts, so `name:` and `a:b:c` are both malformed.
    let parts: Vec<&str> = header.trim().split(':').collect();
    let non_trailing = parts
        .iter()
        .rposition(|p| !p.is_empty())
        .map_or(0, |i| i + 1);
    if non_trailing != 2 {
        return Err(ConfigError::Other(format!(
            "Invalid format of header name and header value pair '{header}'. Expected: '[header name]:[header value]'"
        )));
    }
    let name = parts[0].trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(ConfigError::Other(format!(
            "Invalid header name '{name}'. The '[header name]' cannot contain whitespace"
        )));
    }
    Ok(HeaderRule {
        action: action.to_string(),
        name: name.to_string(),
        value: parts[1].trim().to_string(),
    })
}

/// Parses the whole setting; empty means no rules.
pub fn parse_header_rules(config: &str) -> Result<Vec<HeaderRule>, ConfigError> {
    csv_split(config).iter().map(|c| parse_rule(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules() {
        let rules = parse_header_rules(
            "set X-Frame-Options:DENY, add Cache-Control:\"no-cache, no-store\"",
        )
        .unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].name, "X-Frame-Options");
        assert_eq!(rules[1].value, "no-cache, no-store");
        assert!(parse_header_rules("  ").unwrap().is_empty());
    }

    #[test]
    fn rejects_malformed_rules() {
        assert_eq!(
            parse_header_rules("set").unwrap_err().to_string(),
            "Invalid format of header config 'set'. Expected: '[action] [header name]:[header value]'"
        );
        assert_eq!(
            parse_header_rules("put X:1").unwrap_err().to_string(),
            "Invalid header config action: 'put'. Expected one of [set, add, setDate, addDate]"
        );
        assert!(parse_header_rules("set X:").is_err());
        assert!(parse_header_rules("set X:1:2").is_err());
    }
}
