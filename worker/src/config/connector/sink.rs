//! `SinkConnectorConfig.validate`: the cross-key rules on `topics`, `topics.regex` and the DLQ topic.

use super::defs::{DLQ_TOPIC_NAME_CONFIG, TOPICS_CONFIG, TOPICS_REGEX_CONFIG};
use crate::config::def::java_trim;
use crate::config::java;

/// Java's `Utils.isBlank`: null or only whitespace.
fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| java_trim(v).is_empty())
}

/// The errors of the sink rules, each with the key it is attached to, in Kafka's order. `get`
/// returns a key's value (null and absent alike are `None`).
pub fn sink_topic_errors<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Vec<(&'static str, String)> {
    let topics = get(TOPICS_CONFIG);
    let topics_regex = get(TOPICS_REGEX_CONFIG);
    let dlq_topic = java_trim(get(DLQ_TOPIC_NAME_CONFIG).unwrap_or(""));
    let has_topics = !is_blank(topics);
    let has_regex = !is_blank(topics_regex);
    let mut errors = Vec::new();

    if has_topics && has_regex {
        let message = format!(
            "{TOPICS_CONFIG} and {TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set."
        );
        errors.push((TOPICS_CONFIG, message.clone()));
        errors.push((TOPICS_REGEX_CONFIG, message));
    }
    if !has_topics && !has_regex {
        let message = format!("Must configure one of {TOPICS_CONFIG} or {TOPICS_REGEX_CONFIG}");
        errors.push((TOPICS_CONFIG, message.clone()));
        errors.push((TOPICS_REGEX_CONFIG, message));
    }
    if !dlq_topic.is_empty() {
        if let Some(raw) = topics.filter(|_| has_topics) {
            let list = parse_topics_list(raw);
            if list.iter().any(|t| t == dlq_topic) {
                errors.push((
                    TOPICS_CONFIG,
                    format!(
                        "The DLQ topic '{dlq_topic}' may not be included in the list of topics ('{TOPICS_CONFIG}={}') consumed by the connector",
                        java::list_to_string(&list)
                    ),
                ));
            }
        }
        if let Some(regex) = topics_regex.filter(|_| has_regex) {
            // Java's `matcher(..).matches()` is a full match. An invalid regex is reported by
            // the key's own validator (and a match that gives up counts as none).
            let pattern = crate::java_regex::compile(regex);
            if pattern.is_ok_and(|p| p.matches(dlq_topic).unwrap_or(false)) {
                errors.push((
                    TOPICS_REGEX_CONFIG,
                    format!(
                        "The DLQ topic '{dlq_topic}' may not be matched by the regex for the topics ('{TOPICS_REGEX_CONFIG}={regex}') consumed by the connector"
                    ),
                ));
            }
        }
    }
    errors
}

/// `SinkConnectorConfig.parseTopicsList`: the list without empty items and duplicates.
pub fn parse_topics_list(raw: &str) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    for topic in
        crate::config::def::parse_type(TOPICS_CONFIG, raw, crate::config::def::ConfigType::List)
            .ok()
            .and_then(|v| match v {
                crate::config::def::TypedValue::List(items) => Some(items),
                _ => None,
            })
            .unwrap_or_default()
    {
        if !topic.is_empty() && !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    topics
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(pairs: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let map: std::collections::BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        sink_topic_errors(&|k| map.get(k).map(String::as_str))
    }

    #[test]
    fn topics_rules() {
        let both = errors(&[("topics", "a"), ("topics.regex", "a.*")]);
        assert_eq!(both.len(), 2);
        assert_eq!(
            both[0].1,
            "topics and topics.regex are mutually exclusive options, but both are set."
        );
        let neither = errors(&[("topics", "  ")]);
        assert_eq!(
            neither[1],
            (
                "topics.regex",
                "Must configure one of topics or topics.regex".to_string()
            )
        );
        assert!(errors(&[("topics", "a")]).is_empty());
    }

    #[test]
    fn dlq_rules() {
        let in_list = errors(&[
            ("topics", "a, dlq,a,"),
            ("errors.deadletterqueue.topic.name", " dlq "),
        ]);
        assert_eq!(
            in_list,
            vec![(
                "topics",
                "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') consumed by the connector".to_string()
            )]
        );
        let by_regex = errors(&[
            ("topics.regex", "d.*"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]);
        assert_eq!(
            by_regex,
            vec![(
                "topics.regex",
                "The DLQ topic 'dlq' may not be matched by the regex for the topics ('topics.regex=d.*') consumed by the connector".to_string()
            )]
        );
        // Full match only.
        assert!(errors(&[
            ("topics.regex", "d"),
            ("errors.deadletterqueue.topic.name", "dlq")
        ])
        .is_empty());
        // Java's syntax: a look-ahead that excludes the dead-letter topic, and one that does not.
        assert!(errors(&[
            ("topics.regex", "(?!dlq$).*"),
            ("errors.deadletterqueue.topic.name", "dlq")
        ])
        .is_empty());
        assert_eq!(
            errors(&[
                ("topics.regex", "(?!orders).*"),
                ("errors.deadletterqueue.topic.name", "dlq")
            ])
            .len(),
            1
        );
    }
}
