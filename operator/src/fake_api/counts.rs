//! Requests per client and verb: how the tests and the benchmark see how many API calls the
//! operator makes (the test's own calls and the stand-in Deployment controller's are counted under
//! their own names).

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use http::Method;

use super::target::Target;

/// The API verb of a request, as the API server's audit log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    Get,
    List,
    Watch,
    Create,
    Update,
    Patch,
    Delete,
    /// Anything the watch layer does not route (discovery, ...).
    Other,
}

impl Verb {
    pub fn of(method: &Method, target: Option<&Target>, watch: bool) -> Verb {
        let named = target.is_some_and(|t| t.name.is_some());
        match *method {
            Method::GET if watch => Verb::Watch,
            Method::GET if named => Verb::Get,
            Method::GET if target.is_some() => Verb::List,
            Method::POST => Verb::Create,
            Method::PUT => Verb::Update,
            Method::PATCH => Verb::Patch,
            Method::DELETE => Verb::Delete,
            _ => Verb::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::Other => "other",
        }
    }
}

/// Request counters, keyed by the client's name and the verb.
#[derive(Debug, Default)]
pub struct RequestCounts {
    counts: Mutex<BTreeMap<(String, Verb), u64>>,
}

impl RequestCounts {
    pub(super) fn record(&self, caller: &str, verb: Verb) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry((caller.to_owned(), verb)).or_insert(0) += 1;
    }

    /// Requests of `caller` so far, by verb.
    pub fn by_verb(&self, caller: &str) -> BTreeMap<Verb, u64> {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts
            .iter()
            .filter(|((c, _), _)| c == caller)
            .map(|((_, verb), n)| (*verb, *n))
            .collect()
    }

    /// All requests of `caller` so far.
    pub fn total(&self, caller: &str) -> u64 {
        self.by_verb(caller).values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_follow_method_and_path() {
        let named = Target::parse("/api/v1/namespaces/ns/configmaps/a");
        let collection = Target::parse("/api/v1/namespaces/ns/configmaps");
        assert_eq!(Verb::of(&Method::GET, named.as_ref(), false), Verb::Get);
        assert_eq!(
            Verb::of(&Method::GET, collection.as_ref(), false),
            Verb::List
        );
        assert_eq!(
            Verb::of(&Method::GET, collection.as_ref(), true),
            Verb::Watch
        );
        assert_eq!(Verb::of(&Method::PATCH, named.as_ref(), false), Verb::Patch);
        assert_eq!(Verb::of(&Method::GET, None, false), Verb::Other);
    }

    #[test]
    fn counts_are_per_caller() {
        let c = RequestCounts::default();
        c.record("operator", Verb::List);
        c.record("operator", Verb::List);
        c.record("test", Verb::Patch);
        assert_eq!(c.total("operator"), 2);
        assert_eq!(c.by_verb("operator")[&Verb::List], 2);
        assert_eq!(c.total("nobody"), 0);
    }
}
