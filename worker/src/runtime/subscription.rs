//! What a sink task consumes (`topics` or `topics.regex`), and which of a cluster's topics that is.
//!
//! Kafka's consumer matches `topics.regex` itself, with `java.util.regex`, against every topic in
//! its metadata (internal topics left out), and looks again at each metadata refresh
//! (`metadata.max.age.ms`, five minutes by default), so a topic created later joins the
//! subscription. librdkafka can subscribe to a pattern too, but with POSIX regular expressions:
//! there `\d` is a plain `d` and a look-ahead does not compile, so `orders-\d+` would silently
//! consume nothing. Ferry therefore matches the Java pattern itself and subscribes to the topics it
//! selects, refreshed on the same schedule ([`RefreshSchedule`]).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::java_regex::{self, JavaPattern};

/// What the sink consumes: a list of topics or a regex (`topics` / `topics.regex`).
#[derive(Debug, Clone, PartialEq)]
pub enum Subscription {
    Topics(Vec<String>),
    Regex {
        pattern: String,
        /// The consumer's `exclude.internal.topics` (default true): whether the pattern may
        /// select Kafka's internal topics.
        exclude_internal: bool,
    },
}

impl Subscription {
    /// The subscription ready to select topics: a regex compiled with Java's meaning. Validation
    /// refuses a pattern Java would not compile, so an error here means validation was skipped.
    pub(crate) fn selector(&self) -> Result<TopicSelector, String> {
        Ok(match self {
            Subscription::Topics(list) => TopicSelector::Listed(list.clone()),
            Subscription::Regex {
                pattern,
                exclude_internal,
            } => TopicSelector::Matching {
                pattern: Box::new(
                    java_regex::compile(pattern)
                        .map_err(|reason| format!("Invalid topics.regex {pattern}: {reason}"))?,
                ),
                exclude_internal: *exclude_internal,
            },
        })
    }
}

/// Kafka's internal topics (`Topic.isInternal`), which a pattern subscription does not match
/// unless `exclude.internal.topics` is false.
const INTERNAL_TOPICS: [&str; 3] = [
    "__consumer_offsets",
    "__transaction_state",
    "__share_group_state",
];

/// A compiled [`Subscription`].
#[derive(Debug, Clone)]
pub(crate) enum TopicSelector {
    Listed(Vec<String>),
    Matching {
        pattern: Box<JavaPattern>,
        exclude_internal: bool,
    },
}

impl TopicSelector {
    /// Whether the subscription covers `topic`, which the cluster's metadata lists. A match the
    /// engine gave up on (a pattern that backtracks without bound) is an error.
    fn covers(&self, topic: &str) -> Result<bool, crate::errors::ConnectError> {
        match self {
            TopicSelector::Listed(list) => Ok(list.iter().any(|t| t == topic)),
            // `Matcher.matches()`: the whole name.
            TopicSelector::Matching {
                pattern,
                exclude_internal,
            } => {
                if *exclude_internal && INTERNAL_TOPICS.contains(&topic) {
                    return Ok(false);
                }
                pattern.matches(topic)
            }
        }
    }

    /// The topics among `names` (the cluster's) that the subscription covers, sorted. A topic the
    /// pattern could not be matched against is left out, with one warning for all of them.
    pub fn select<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        let mut selected = BTreeSet::new();
        let mut unmatched = Vec::new();
        for name in names {
            match self.covers(name) {
                Ok(true) => {
                    selected.insert(name.to_string());
                }
                Ok(false) => {}
                Err(e) => unmatched.push((name, e)),
            }
        }
        if let Some((_, first)) = unmatched.first() {
            let topics: Vec<&str> = unmatched.iter().map(|(name, _)| *name).collect();
            tracing::warn!(?topics, error = %first, "topics.regex could not be matched against these topics; they are not consumed");
        }
        selected
    }
}

/// Kafka's consumer default for `metadata.max.age.ms`: how often a pattern subscription looks for
/// new topics.
pub const DEFAULT_METADATA_MAX_AGE: Duration = Duration::from_secs(300);

/// The first wait after a failed metadata request; it doubles up to the refresh interval.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// When to look at the cluster's topics again: every `interval` after a successful look, sooner
/// (from one second, doubling) after a failed one, as Kafka's consumer retries metadata with
/// backoff instead of waiting a whole refresh interval.
#[derive(Debug, Clone)]
pub struct RefreshSchedule {
    interval: Duration,
    retry: Duration,
}

impl RefreshSchedule {
    pub fn new(interval: Duration) -> Self {
        RefreshSchedule {
            interval,
            retry: FIRST_RETRY.min(interval),
        }
    }

    /// The refresh interval from the consumer's `metadata.max.age.ms`, Kafka's default when unset
    /// or not a number of milliseconds.
    pub fn from_consumer_config(config: &std::collections::BTreeMap<String, String>) -> Self {
        let interval = config
            .get("metadata.max.age.ms")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(DEFAULT_METADATA_MAX_AGE, Duration::from_millis);
        Self::new(interval)
    }

    /// The wait before the next look, after one that succeeded or failed.
    pub fn next_wait(&mut self, succeeded: bool) -> Duration {
        if succeeded {
            self.retry = FIRST_RETRY.min(self.interval);
            return self.interval;
        }
        let wait = self.retry;
        self.retry = (self.retry * 2).min(self.interval);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(pattern: &str) -> TopicSelector {
        Subscription::Regex {
            pattern: pattern.into(),
            exclude_internal: true,
        }
        .selector()
        .unwrap()
    }

    #[test]
    fn a_regex_selects_whole_names_with_javas_syntax() {
        let topics = [
            "orders-1",
            "orders-22",
            "orders-d",
            "orders-1-dlq",
            "refunds",
        ];
        // POSIX would read `\d` as a plain `d` and pick `orders-d`.
        assert_eq!(
            regex(r"orders-\d+").select(topics),
            BTreeSet::from(["orders-1".to_string(), "orders-22".to_string()])
        );
        // A look-ahead, which POSIX cannot compile.
        assert_eq!(
            regex(r"(?!.*-dlq$)orders-.*").select(topics),
            BTreeSet::from([
                "orders-1".to_string(),
                "orders-22".to_string(),
                "orders-d".to_string()
            ])
        );
        // `matches()`, not `find()`: a part of a name is not enough.
        assert!(regex("refund").select(topics).is_empty());
    }

    #[test]
    fn a_regex_selects_internal_topics_only_when_asked_but_a_list_may_name_them() {
        let topics = ["__consumer_offsets", "__transaction_state", "__mine", "a"];
        assert_eq!(
            regex(".*").select(topics),
            BTreeSet::from(["__mine".to_string(), "a".to_string()])
        );
        let including = Subscription::Regex {
            pattern: "__.*".into(),
            exclude_internal: false,
        }
        .selector()
        .unwrap();
        assert_eq!(
            including.select(topics),
            BTreeSet::from([
                "__consumer_offsets".to_string(),
                "__mine".to_string(),
                "__transaction_state".to_string()
            ])
        );
        let listed = Subscription::Topics(vec!["__consumer_offsets".into(), "b".into()])
            .selector()
            .unwrap();
        assert_eq!(
            listed.select(topics),
            BTreeSet::from(["__consumer_offsets".to_string()])
        );
    }

    #[test]
    fn a_pattern_java_refuses_is_an_error_naming_the_key() {
        let err = Subscription::Regex {
            pattern: "(".into(),
            exclude_internal: true,
        }
        .selector()
        .unwrap_err();
        assert!(err.starts_with("Invalid topics.regex (: "), "{err}");
    }

    #[test]
    fn refreshes_follow_the_interval_and_failures_back_off_up_to_it() {
        let mut schedule = RefreshSchedule::new(Duration::from_secs(10));
        let waits: Vec<u64> = [false, false, false, false, false, true, false]
            .into_iter()
            .map(|ok| schedule.next_wait(ok).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10, 1]);
        let config = [("metadata.max.age.ms".to_string(), "2500".to_string())].into();
        let mut schedule = RefreshSchedule::from_consumer_config(&config);
        assert_eq!(schedule.next_wait(true), Duration::from_millis(2500));
        let mut default = RefreshSchedule::from_consumer_config(&Default::default());
        assert_eq!(default.next_wait(true), DEFAULT_METADATA_MAX_AGE);
    }
}
