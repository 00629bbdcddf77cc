//! The placeholder syntax of Kafka's `ConfigTransformer`: `${provider:[path:]key}`, found anywhere
//! in a value (a value may hold several, between other text).

use std::sync::OnceLock;

use regex::{Captures, Regex};

/// One placeholder: where its value comes from, and its text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub provider: String,
    pub path: Option<String>,
    pub key: String,
    pub text: String,
}

/// Kafka's pattern (`ConfigTransformer.DEFAULT_PATTERN`), lazy as there: in
/// `${dir:/a:b:c}` the path is `/a` and the key `b:c`.
fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}")
            .unwrap_or_else(|e| unreachable!("the placeholder pattern is valid: {e}"))
    })
}

fn from_captures(c: &Captures<'_>) -> Placeholder {
    let group = |i: usize| c.get(i).map(|m| m.as_str().to_string());
    Placeholder {
        provider: group(1).unwrap_or_default(),
        path: group(3),
        key: group(4).unwrap_or_default(),
        text: group(0).unwrap_or_default(),
    }
}

/// Every placeholder in `value`, in order.
pub fn find(value: &str) -> Vec<Placeholder> {
    pattern()
        .captures_iter(value)
        .map(|c| from_captures(&c))
        .collect()
}

/// `value` with each placeholder replaced by `lookup`'s answer, or left as written when it has none.
pub fn replace(value: &str, lookup: impl Fn(&Placeholder) -> Option<String>) -> String {
    pattern()
        .replace_all(value, |c: &Captures<'_>| {
            let p = from_captures(c);
            lookup(&p).unwrap_or(p.text)
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kafkas_forms() {
        let p = &find("${file:/etc/kafka/secrets.properties:password}")[0];
        assert_eq!(p.provider, "file");
        assert_eq!(p.path.as_deref(), Some("/etc/kafka/secrets.properties"));
        assert_eq!(p.key, "password");
        let p = &find("${env:KAFKA_PASSWORD}")[0];
        assert_eq!(
            (p.provider.as_str(), p.path.as_deref(), p.key.as_str()),
            ("env", None, "KAFKA_PASSWORD")
        );
        let p = &find("${dir:/a:b:c}")[0];
        assert_eq!((p.path.as_deref(), p.key.as_str()), (Some("/a"), "b:c"));
        assert!(find("${nocolon}").is_empty());
        assert!(find("plain $ {x:y}").is_empty());
    }

    #[test]
    fn replaces_several_in_one_value_and_keeps_unknown_ones() {
        let v = "user=${env:U} pw=${file:/p:pw} other=${vault:x}";
        assert_eq!(find(v).len(), 3);
        let out = replace(v, |p| match p.provider.as_str() {
            "env" => Some("alice".into()),
            "file" => Some("s3cr3t".into()),
            _ => None,
        });
        assert_eq!(out, "user=alice pw=s3cr3t other=${vault:x}");
    }
}
