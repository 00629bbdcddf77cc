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
pub mod util;

use crate::data::ConnectRecord;
use crate::errors::ConnectError;

/// `org.apache.kafka.connect.transforms.Transformation`: returns the new record, or `None` to drop it.
pub trait Transformation: Send + Sync {
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError>;
}

/// `org.apache.kafka.connect.transforms.predicates.Predicate`.
pub trait Predicate: Send + Sync {
    fn test(&self, record: &ConnectRecord) -> bool;
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
    fn applies_to(&self, record: &ConnectRecord) -> bool {
        match &self.predicate {
            None => true,
            Some(p) => self.negate ^ p.test(record),
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

/// The transforms of one connector, in order.
#[derive(Default)]
pub struct TransformChain {
    stages: Vec<Stage>,
}

impl TransformChain {
    pub fn new(stages: Vec<Stage>) -> Self {
        TransformChain { stages }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the record through every stage; `Ok(None)` when a stage dropped it.
    pub fn apply(
        &self,
        mut record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, TransformError> {
        for stage in &self.stages {
            if !stage.applies_to(&record) {
                continue;
            }
            match stage.transform.apply(record) {
                Ok(Some(r)) => record = r,
                Ok(None) => return Ok(None),
                Err(source) => {
                    return Err(TransformError {
                        alias: stage.alias.clone(),
                        class_name: stage.class_name.clone(),
                        source,
                    })
                }
            }
        }
        Ok(Some(record))
    }
}
