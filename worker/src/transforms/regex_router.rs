//! `RegexRouter`: renames the topic when the regex matches all of it, with Java's
//! `Matcher.replaceFirst` replacement syntax.
//!
//! Java's replacement syntax is expanded here rather than mapped onto the `regex` crate's (`$name`
//! there greedily takes letters, digits and `_`, and a missing group is silently empty):
//! `$n` takes the first digit always and further digits while they still name an existing group,
//! `${name}` names a group (ASCII letters and digits, not starting with a digit), `\x` is a
//! literal `x`, and a group that did not take part in the match adds nothing. The replacement is
//! checked when the transform is built, but as in Kafka a bad one only fails records that match.

use std::sync::Arc;

use fancy_regex::Regex;

use crate::config::def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::java_regex::{self, JavaPattern};
use crate::transforms::registry::TransformPlugin;
use crate::transforms::topic_memo::TopicMemo;
use crate::transforms::{Disposition, Transformation};

const REGEX: &str = "regex";
const REPLACEMENT: &str = "replacement";

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.RegexRouter",
        config_def,
        new,
    }
}

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                REGEX,
                ConfigType::String,
                Importance::High,
                "Regular expression to use for matching.",
            )
            .validator(Validator::valid_regex()),
        )
        .define(ConfigKey::new(
            REPLACEMENT,
            ConfigType::String,
            Importance::High,
            "Replacement string.",
        ))
}

fn new(props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    let parsed = config_def().parse(props)?;
    // Both are required, so present after a successful parse.
    let regex = parsed.get_string(REGEX).unwrap_or_default();
    let replacement = parsed.get_string(REPLACEMENT).unwrap_or_default();
    let pattern = java_regex::compile(regex).map_err(|reason| ConfigError::Invalid {
        name: REGEX.to_string(),
        value: regex.to_string(),
        reason: format!("Invalid regex: {reason}"),
    })?;
    let template = parse_replacement(replacement, pattern.find_regex());
    if let Err(e) = &template {
        tracing::warn!(
            regex = pattern.as_str(),
            replacement,
            "RegexRouter replacement is invalid ({e}); records whose topic matches will fail"
        );
    }
    Ok(Box::new(RegexRouter {
        pattern,
        template,
        last_route: TopicMemo::default(),
    }))
}

/// One piece of an expanded replacement.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    Group(usize),
}

struct RegexRouter {
    pattern: JavaPattern,
    /// The parsed replacement, or the `IllegalArgumentException` message Java would throw.
    template: Result<Vec<Piece>, String>,
    /// The last topic's new name (`None`: left as it is).
    last_route: TopicMemo<Option<Arc<str>>>,
}

impl RegexRouter {
    /// The topic `topic` is renamed to, or `None` when the regex does not match all of it.
    fn renamed(&self, topic: &str) -> Result<Option<String>, ConnectError> {
        if !self.pattern.matches(topic)? {
            return Ok(None);
        }
        let template = self.template.as_ref().map_err(ConnectError::new)?;
        // `replaceFirst` searches again from the start, so the replaced match is the first one
        // `find` returns, which can be shorter than the full match (`a|ab` on `ab` replaces `a`).
        let caps = self
            .pattern
            .find_regex()
            .captures(topic)
            .map_err(|e| self.pattern.gave_up(topic, &e))?;
        let Some(caps) = caps else {
            return Ok(None);
        };
        let Some(whole) = caps.get(0) else {
            return Ok(None);
        };
        let mut renamed = String::with_capacity(topic.len());
        renamed.push_str(&topic[..whole.start()]);
        for piece in template {
            match piece {
                Piece::Literal(s) => renamed.push_str(s),
                Piece::Group(n) => {
                    if let Some(m) = caps.get(*n) {
                        renamed.push_str(m.as_str());
                    }
                }
            }
        }
        renamed.push_str(&topic[whole.end()..]);
        Ok(Some(renamed))
    }
}

impl Transformation for RegexRouter {
    fn routes(&self) -> bool {
        true
    }

    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        let renamed = self.last_route.get_or_compute(&record.topic, |topic| {
            Ok::<_, ConnectError>(self.renamed(topic)?.map(Arc::from))
        })?;
        match renamed {
            Some(renamed) => {
                tracing::trace!(from = %record.topic, to = %renamed, "Rerouting topic");
                record.topic = renamed;
            }
            None => {
                tracing::trace!(topic = %record.topic, "Not rerouting topic as it does not match the configured regex");
            }
        }
        Ok(Disposition::Keep)
    }
}

/// Parses a Java replacement string against `regex`'s groups, with Java's error messages.
fn parse_replacement(replacement: &str, regex: &Regex) -> Result<Vec<Piece>, String> {
    let group_count = regex.captures_len() - 1;
    let chars: Vec<char> = replacement.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let escaped = chars
                    .get(i + 1)
                    .ok_or("character to be escaped is missing")?;
                literal.push(*escaped);
                i += 2;
            }
            '$' => {
                let next = *chars
                    .get(i + 1)
                    .ok_or("Illegal group reference: group index is missing")?;
                let (group, end) = if next == '{' {
                    named_group(&chars, i + 2, regex)?
                } else {
                    numbered_group(&chars, i + 1, group_count)?
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Group(group));
                i = end;
            }
            c => {
                literal.push(c);
                i += 1;
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

/// `${name}` starting after the `{`: the group index and the position after the `}`.
fn named_group(chars: &[char], start: usize, regex: &Regex) -> Result<(usize, usize), String> {
    let mut end = start;
    while chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        end += 1;
    }
    let name: String = chars[start..end].iter().collect();
    if name.is_empty() {
        return Err("named capturing group has 0 length name".to_string());
    }
    if chars.get(end) != Some(&'}') {
        return Err("named capturing group is missing trailing '}'".to_string());
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "capturing group name {{{name}}} starts with digit character"
        ));
    }
    let index = regex
        .capture_names()
        .position(|n| n == Some(name.as_str()))
        .ok_or_else(|| format!("No group with name {{{name}}}"))?;
    Ok((index, end + 1))
}

/// `$n` starting at the first digit: the first digit always counts, later ones only while the
/// number still names a group.
fn numbered_group(
    chars: &[char],
    start: usize,
    group_count: usize,
) -> Result<(usize, usize), String> {
    let first = chars
        .get(start)
        .and_then(|c| c.to_digit(10))
        .ok_or("Illegal group reference")?;
    let mut group = first as usize;
    let mut end = start + 1;
    while let Some(d) = chars.get(end).and_then(|c| c.to_digit(10)) {
        let longer = group * 10 + d as usize;
        if longer > group_count {
            break;
        }
        group = longer;
        end += 1;
    }
    if group > group_count {
        return Err(format!("No group {group}"));
    }
    Ok((group, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::transforms::catalog_b::test_support::{props, record};

    fn route(regex: &str, replacement: &str, topic: &str) -> Result<String, String> {
        let t = new(&props(&[("regex", regex), ("replacement", replacement)]))
            .map_err(|e| e.to_string())?;
        let mut r = record(None, Value::Null, None, Value::from("v"));
        r.topic = topic.into();
        let out = t.apply_owned(r).map_err(|e| e.to_string())?;
        Ok(out.map(|r| r.topic.to_string()).unwrap_or_default())
    }

    #[test]
    fn kafka_examples() {
        assert_eq!(
            route("(.*)STATIC(.*)", "$1prefix$2", "xSTATICy").unwrap(),
            "xprefixy"
        );
        assert_eq!(
            route("(.*)", "prefix-$1", "orders").unwrap(),
            "prefix-orders"
        );
        assert_eq!(route("(.*)-(.*)", "$2", "a-b").unwrap(), "b");
    }

    #[test]
    fn one_router_answers_each_topic_of_a_stream_as_if_alone() {
        let t = new(&props(&[("regex", "(.*)-in"), ("replacement", "$1-out")])).unwrap();
        for (topic, expected) in [
            ("a-in", "a-out"),
            ("a-in", "a-out"),
            ("other", "other"),
            ("other", "other"),
            ("b-in", "b-out"),
            ("a-in", "a-out"),
        ] {
            let mut r = record(None, Value::Null, None, Value::from("v"));
            r.topic = topic.into();
            let out = t.apply_owned(r).unwrap().unwrap();
            assert_eq!(&*out.topic, expected, "topic {topic}");
        }
    }

    #[test]
    fn a_bad_replacement_fails_every_matching_record_not_just_the_first() {
        let t = new(&props(&[("regex", "(.*)"), ("replacement", "$2")])).unwrap();
        for _ in 0..2 {
            let mut r = record(None, Value::Null, None, Value::from("v"));
            r.topic = "orders".into();
            let err = t.apply_owned(r).map(|_| ()).unwrap_err().to_string();
            assert!(err.contains("No group 2"), "{err}");
        }
    }

    #[test]
    fn only_a_full_match_reroutes() {
        assert_eq!(route("order", "x", "orders").unwrap(), "orders");
        assert_eq!(route("order.", "x", "orders").unwrap(), "x");
        assert_eq!(route("orders", "x", "my-orders").unwrap(), "my-orders");
    }

    #[test]
    fn replace_first_uses_the_first_found_match() {
        // matches() succeeds through the `ab` branch, replaceFirst then replaces only `a`.
        assert_eq!(route("a|ab", "X", "ab").unwrap(), "Xb");
    }

    #[test]
    fn java_replacement_syntax() {
        assert_eq!(
            route("(?<word>[a-z]+)-(\\d+)", "${word}_$2", "abc-12").unwrap(),
            "abc_12"
        );
        assert_eq!(route("(a)", "\\$1", "a").unwrap(), "$1");
        assert_eq!(route("(a)", "\\\\$1", "a").unwrap(), "\\a");
        // `$10` with one group is group 1 followed by a literal 0.
        assert_eq!(route("(a)", "$10", "a").unwrap(), "a0");
        // A group that did not participate adds nothing.
        assert_eq!(route("(a)|(b)", "[$2]", "a").unwrap(), "[]");
        assert_eq!(route("(a)", "$0$0", "a").unwrap(), "aa");
    }

    #[test]
    fn bad_replacements_fail_matching_records_with_javas_messages() {
        for (replacement, message) in [
            ("$2", "No group 2"),
            ("$x", "Illegal group reference"),
            ("x$", "Illegal group reference: group index is missing"),
            ("x\\", "character to be escaped is missing"),
            ("${}", "named capturing group has 0 length name"),
            ("${a", "named capturing group is missing trailing '}'"),
            (
                "${1a}",
                "capturing group name {1a} starts with digit character",
            ),
            ("${nope}", "No group with name {nope}"),
        ] {
            assert_eq!(
                route("(a)", replacement, "a").unwrap_err(),
                message,
                "{replacement}"
            );
            // A topic that does not match never reaches the replacement.
            assert_eq!(route("(a)", replacement, "b").unwrap(), "b");
        }
    }

    /// Java's look-around, backreferences and possessive quantifiers, in routing patterns as
    /// people write them.
    #[test]
    fn java_only_regex_features_route_as_in_kafka() {
        for (regex, replacement, topic, routed) in [
            // Every topic but the internal ones gets a prefix (look-ahead).
            ("(?!_|connect-)(.*)", "mirror.$1", "orders", "mirror.orders"),
            (
                "(?!_|connect-)(.*)",
                "mirror.$1",
                "connect-offsets",
                "connect-offsets",
            ),
            // Every topic but dead-letter ones gets a copy (look-behind).
            ("(.*)(?<!-dlq)", "$1-copy", "orders", "orders-copy"),
            ("(.*)(?<!-dlq)", "$1-copy", "orders-dlq", "orders-dlq"),
            // A doubled name collapses (backreference).
            ("(\\w+)\\.\\1\\.(.*)", "$1.$2", "sales.sales.eu", "sales.eu"),
            // Quoted dots are dots.
            ("\\Qdb.public.\\E(.*)", "$1", "db.public.users", "users"),
            (
                "\\Qdb.public.\\E(.*)",
                "$1",
                "dbxpublicxusers",
                "dbxpublicxusers",
            ),
        ] {
            assert_eq!(
                route(regex, replacement, topic).unwrap(),
                routed,
                "{regex} on {topic}"
            );
        }
    }

    #[test]
    fn a_pattern_that_backtracks_for_ever_fails_the_record() {
        let topic = "a".repeat(40);
        let err = route("(a|a)*\\1b", "x", &topic).unwrap_err();
        assert!(err.contains("Could not match the regex"), "{err}");
    }

    #[test]
    fn config_validation() {
        let err = route("(", "x", "a").unwrap_err();
        assert!(
            err.starts_with("Invalid value ( for configuration regex: Invalid regex: "),
            "{err}"
        );
        let err = route("a\\Kb", "x", "a").unwrap_err();
        assert!(err.contains("Illegal/unsupported escape sequence"), "{err}");
        assert_eq!(
            new(&props(&[("regex", "a")])).err().unwrap().to_string(),
            "Missing required configuration \"replacement\" which has no default value."
        );
        assert_eq!(
            new(&props(&[("replacement", "a")]))
                .err()
                .unwrap()
                .to_string(),
            "Missing required configuration \"regex\" which has no default value."
        );
    }
}
