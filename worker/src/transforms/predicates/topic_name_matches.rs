//! `TopicNameMatches`: true for records whose topic fully matches a Java regular expression.

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::java_regex::{self, JavaPattern};
use crate::transforms::registry::PredicatePlugin;
use crate::transforms::topic_memo::TopicMemo;
use crate::transforms::Predicate;

const PATTERN_CONFIG: &str = "pattern";

pub(super) fn plugin() -> PredicatePlugin {
    PredicatePlugin {
        class_name: "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            PATTERN_CONFIG,
            ConfigType::String,
            Importance::Medium,
            "A Java regular expression for matching against the name of a record's topic.",
        )
        .validator(Validator::composite(vec![
            Validator::non_empty_string(),
            Validator::valid_regex(),
        ])),
    )
}

fn new(props: &Props) -> Result<Box<dyn Predicate>, ConfigError> {
    let parsed = config_def().parse(props)?;
    // Required without a default, so a successful parse always has it.
    let pattern = parsed.get_string(PATTERN_CONFIG).unwrap_or_default();
    Ok(Box::new(TopicNameMatches::compile(pattern)?))
}

struct TopicNameMatches {
    pattern: JavaPattern,
    /// Whether the last topic matched.
    last_answer: TopicMemo<bool>,
}

impl TopicNameMatches {
    /// Kafka's `configure` compile step. The validator has already vetted the pattern with the same
    /// compiler, so this message shows only if the two ever diverge; it is Kafka's wording.
    fn compile(pattern: &str) -> Result<Self, ConfigError> {
        let pattern = java_regex::compile(pattern).map_err(|reason| ConfigError::Invalid {
            name: PATTERN_CONFIG.to_string(),
            value: pattern.to_string(),
            reason: format!("entry must be a Java-compatible regular expression: {reason}"),
        })?;
        Ok(TopicNameMatches {
            pattern,
            last_answer: TopicMemo::default(),
        })
    }
}

impl Predicate for TopicNameMatches {
    fn test(&self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        // Kafka also requires a non-null topic; Ferry's records always have one.
        self.last_answer
            .get_or_compute(&record.topic, |topic| self.pattern.matches(topic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::transforms::catalog_b::test_support::{props, record};

    fn on_topic(topic: &str) -> ConnectRecord {
        let mut r = record(None, Value::Null, None, Value::Null);
        r.topic = topic.into();
        r
    }

    #[test]
    fn pattern_must_match_the_whole_topic() {
        let p = new(&props(&[("pattern", "my-prefix-.*")])).unwrap();
        assert!(p.test(&on_topic("my-prefix-")).unwrap());
        assert!(p.test(&on_topic("my-prefix-foo")).unwrap());
        assert!(!p.test(&on_topic("x-my-prefix-")).unwrap());
        assert!(!p.test(&on_topic("your-prefix-foo")).unwrap());
        let exact = new(&props(&[("pattern", "orders")])).unwrap();
        assert!(!exact.test(&on_topic("orders-eu")).unwrap());
        assert!(exact.test(&on_topic("orders")).unwrap());
        // The same predicate over a stream: repeats and alternations answer as a fresh one would.
        for (topic, expected) in [
            ("orders", true),
            ("orders", true),
            ("orders-eu", false),
            ("orders-eu", false),
            ("orders", true),
        ] {
            assert_eq!(
                exact.test(&on_topic(topic)).unwrap(),
                expected,
                "topic {topic}"
            );
        }
    }

    #[test]
    fn java_look_around_works_and_a_runaway_pattern_fails_the_record() {
        let not_internal = new(&props(&[("pattern", "(?!__|connect-).*")])).unwrap();
        assert!(not_internal.test(&on_topic("orders")).unwrap());
        assert!(!not_internal.test(&on_topic("__consumer_offsets")).unwrap());
        let runaway = new(&props(&[("pattern", "(a|a)*\\1b")])).unwrap();
        let err = runaway.test(&on_topic(&"a".repeat(40))).unwrap_err();
        assert!(
            err.to_string().contains("Could not match the regex"),
            "{err}"
        );
    }

    #[test]
    fn invalid_patterns_fail_validation() {
        let err = new(&props(&[("pattern", "*")])).err().unwrap().to_string();
        assert!(
            err.starts_with("Invalid value * for configuration pattern: Invalid regex: "),
            "{err}"
        );
        assert_eq!(
            new(&props(&[("pattern", "")])).err().unwrap().to_string(),
            "Invalid value  for configuration pattern: String must be non-empty"
        );
        assert_eq!(
            new(&props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"pattern\" which has no default value."
        );
        let escape = new(&props(&[("pattern", "a\\Kb")]))
            .err()
            .unwrap()
            .to_string();
        assert!(
            escape.contains("Illegal/unsupported escape sequence \\K"),
            "{escape}"
        );
        // What /validate reports, collected rather than thrown.
        let values = config_def().validate(&props(&[("pattern", "[")]));
        assert_eq!(values[0].errors.len(), 1);
        assert!(values[0].errors[0].contains("Invalid regex"));
    }

    #[test]
    fn configure_compile_failure_uses_kafkas_wording() {
        let err = TopicNameMatches::compile("(").err().unwrap().to_string();
        assert!(
            err.starts_with(
                "Invalid value ( for configuration pattern: entry must be a Java-compatible regular expression: "
            ),
            "{err}"
        );
    }
}
