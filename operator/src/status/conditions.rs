//! The `Ready` condition in the Kubernetes shape.

use ferry_crds::labels::condition_types::READY;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// What the `Ready` condition should say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// `True` or `False`.
    pub ready: bool,
    /// CamelCase reason from `ferry_crds::labels::reasons`.
    pub reason: &'static str,
    /// What is going on, for a person.
    pub message: String,
}

impl Readiness {
    /// `Ready=True`.
    pub fn ready(reason: &'static str, message: impl Into<String>) -> Self {
        Readiness {
            ready: true,
            reason,
            message: message.into(),
        }
    }

    /// `Ready=False`.
    pub fn not_ready(reason: &'static str, message: impl Into<String>) -> Self {
        Readiness {
            ready: false,
            reason,
            message: message.into(),
        }
    }
}

/// Conditions with `Ready` set from `readiness`. `lastTransitionTime` is kept when the status
/// (`True`/`False`) did not change, as the Kubernetes API conventions require, so a changing message
/// does not look like a transition. Other condition types are kept as they are.
pub fn with_ready(
    existing: &[Condition],
    readiness: &Readiness,
    generation: Option<i64>,
    now: &Time,
) -> Vec<Condition> {
    let status = if readiness.ready { "True" } else { "False" };
    let previous = existing.iter().find(|c| c.type_ == READY);
    let last_transition_time = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => now.clone(),
    };
    let ready = Condition {
        type_: READY.to_owned(),
        status: status.to_owned(),
        reason: readiness.reason.to_owned(),
        // Condition messages are limited to 32768 bytes by the API schema.
        message: truncate(&readiness.message, 32 * 1024 - 16),
        observed_generation: generation,
        last_transition_time,
    };
    let mut out: Vec<Condition> = existing
        .iter()
        .filter(|c| c.type_ != READY)
        .cloned()
        .collect();
    out.insert(0, ready);
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;

    pub(crate) fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).expect("valid timestamp"))
    }

    #[test]
    fn transition_time_kept_while_status_is_unchanged() {
        let first = with_ready(&[], &Readiness::not_ready("A", "m1"), Some(1), &at(100));
        assert_eq!(first[0].last_transition_time, at(100));
        assert_eq!(first[0].status, "False");
        let same = with_ready(&first, &Readiness::not_ready("B", "m2"), Some(2), &at(200));
        assert_eq!(same[0].last_transition_time, at(100));
        assert_eq!(same[0].reason, "B");
        assert_eq!(same[0].message, "m2");
        assert_eq!(same[0].observed_generation, Some(2));
        assert_eq!(same.len(), 1);
        let flipped = with_ready(&same, &Readiness::ready("C", ""), Some(2), &at(300));
        assert_eq!(flipped[0].last_transition_time, at(300));
        assert_eq!(flipped[0].status, "True");
    }

    #[test]
    fn other_conditions_are_kept_and_long_messages_cut() {
        let other = Condition {
            type_: "Other".into(),
            status: "True".into(),
            reason: "X".into(),
            message: String::new(),
            observed_generation: None,
            last_transition_time: at(1),
        };
        let long = "é".repeat(20_000);
        let out = with_ready(
            std::slice::from_ref(&other),
            &Readiness::ready("R", long),
            None,
            &at(2),
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], other);
        assert!(out[0].message.len() <= 32 * 1024);
        assert!(out[0].message.ends_with("..."));
    }
}
