//! Errors of the reconcilers, with the object and the step they happened in.

use crate::build::BuildError;

/// A reconcile failure. Spec problems are not errors: they become `Ready=False` and the
/// reconcile succeeds; these are the failures worth a retry with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource lacks metadata the API always sets.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Server-side apply of a desired object failed.
    #[error("applying {kind} {name}: {source}")]
    Apply {
        kind: String,
        name: String,
        #[source]
        source: kube::Error,
    },
    /// Reading an object failed.
    #[error("reading {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: kube::Error,
    },
    /// Writing the status subresource failed.
    #[error("writing the status of {name}: {source}")]
    Status {
        name: String,
        #[source]
        source: kube::Error,
    },
    /// A shared reflector stopped before its first list (the operator is shutting down).
    #[error("the {0} cache stopped before it was filled")]
    CacheClosed(&'static str),
    /// The resource has no namespace (both kinds are namespaced, so the API never sends this).
    #[error("{0} has no namespace")]
    MissingNamespace(String),
}

impl Error {
    /// Low-cardinality label for the error metric.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Build(_) | Error::MissingNamespace(_) => "metadata",
            Error::CacheClosed(_) => "cache",
            Error::Apply { .. } => "apply",
            Error::Read { .. } => "read",
            Error::Status { .. } => "status",
        }
    }
}
