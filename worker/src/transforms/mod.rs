//! Single message transforms and predicates (`Transformation`, `Predicate`), applied in the order the
//! connector's `transforms` lists them.
//!
//! The runtime applies a [`TransformChain`] to every record: for sources before the converters, for sinks
//! after them. The built-in transforms are registered in [`registry`].

mod catalog_a;
mod catalog_b;
mod catalog_c;
pub mod predicates;
pub mod registry;
mod schema_cache;
mod topic_memo;
pub mod util;

use crate::data::ConnectRecord;
use crate::errors::ConnectError;

/// What a transform decided about the record it was handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Disposition {
    /// The record, transformed in place, goes on.
    Keep,
    /// The record goes no further (Kafka's transform returned `null`).
    Drop,
}

impl Disposition {
    /// The record if it goes on, `None` if it was dropped.
    pub fn keep(self, record: ConnectRecord) -> Option<ConnectRecord> {
        match self {
            Disposition::Keep => Some(record),
            Disposition::Drop => None,
        }
    }
}

/// `org.apache.kafka.connect.transforms.Transformation`.
///
/// Kafka's transform returns a new record; ours rewrites the one it is handed, in place: moving a
/// record (184 bytes) into and out of every stage was a tenth of the chain's time in the profile
/// (docs/benchmarks.md). Nothing else changes: each stage sees exactly what the previous one left,
/// as in Kafka.
pub trait Transformation: Send + Sync {
    /// Transforms `record` in place, or drops it. After an error the record may be half rewritten;
    /// callers discard it (the chain restores its topic for the error report, see
    /// [`TransformChain::apply_in_place`]).
    fn apply(&self, record: &mut ConnectRecord) -> Result<Disposition, ConnectError>;

    /// Whether it may change the record's topic (the routers), so the chain knows whether to keep
    /// the original topic for an error report.
    fn routes(&self) -> bool {
        false
    }

    /// [`Transformation::apply`] on an owned record: the transformed record, or `None` if dropped
    /// (for tests; the runtime goes through [`TransformChain`]).
    #[cfg(test)]
    fn apply_owned(
        &self,
        mut record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, ConnectError> {
        Ok(self.apply(&mut record)?.keep(record))
    }
}

/// `org.apache.kafka.connect.transforms.predicates.Predicate`.
pub trait Predicate: Send + Sync {
    /// Whether the record matches. An error fails the record as its transform's would (Kafka
    /// tests the predicate inside the transformation stage).
    fn test(&self, record: &ConnectRecord) -> Result<bool, ConnectError>;
}

/// One configured stage: a transform, guarded by an optional (possibly negated) predicate.
pub struct Stage {
    pub alias: String,
    pub class_name: String,
    pub transform: Box<dyn Transformation>,
    pub predicate: Option<Box<dyn Predicate>>,
    pub negate: bool,
}

impl Stage {
    /// Kafka's rule: a stage applies when `predicate == null || (negate XOR predicate.test(record))`.
    #[inline]
    fn applies_to(&self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        match &self.predicate {
            None => Ok(true),
            Some(p) => Ok(self.negate ^ p.test(record)?),
        }
    }
}

/// A failure in a stage, naming it for the task's trace.
#[derive(Debug, thiserror::Error)]
#[error("Error in transformation '{alias}' ({class_name}): {source}")]
pub struct TransformError {
    pub alias: String,
    pub class_name: String,
    #[source]
    pub source: ConnectError,
}

/// A stage's failure: the record gets its original topic back, and the error names the stage.
/// Out of line, so the loop over the stages stays small.
#[cold]
#[inline(never)]
fn stage_failed(
    stage: &Stage,
    record: &mut ConnectRecord,
    original_topic: Option<std::sync::Arc<str>>,
    source: ConnectError,
) -> TransformError {
    if let Some(topic) = original_topic {
        record.topic = topic;
    }
    TransformError {
        alias: stage.alias.clone(),
        class_name: stage.class_name.clone(),
        source,
    }
}

/// The transforms of one connector, in order.
#[derive(Default)]
pub struct TransformChain {
    stages: Vec<Stage>,
    /// Whether any stage may change the topic (then an error report needs the original one).
    routes: bool,
}

impl TransformChain {
    pub fn new(stages: Vec<Stage>) -> Self {
        let routes = stages.iter().any(|s| s.transform.routes());
        TransformChain { stages, routes }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the record through every stage, in place; `Drop` when a stage dropped it.
    ///
    /// After an error the record's topic is the one it came in with (Kafka reports the record as it
    /// was before the chain, and only a router changes the topic); its key and value may be half
    /// transformed and must not be used.
    pub fn apply_in_place(
        &self,
        record: &mut ConnectRecord,
    ) -> Result<Disposition, TransformError> {
        let original_topic = self.routes.then(|| record.topic.clone());
        for stage in &self.stages {
            match stage.applies_to(record) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(source) => return Err(stage_failed(stage, record, original_topic, source)),
            }
            match stage.transform.apply(record) {
                Ok(Disposition::Keep) => {}
                Ok(Disposition::Drop) => return Ok(Disposition::Drop),
                Err(source) => return Err(stage_failed(stage, record, original_topic, source)),
            }
        }
        Ok(Disposition::Keep)
    }

    /// [`Self::apply_in_place`] on an owned record: the transformed record, or `None` if dropped.
    pub fn apply(
        &self,
        mut record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, TransformError> {
        Ok(self.apply_in_place(&mut record)?.keep(record))
    }
}
