//! The error a connector, task or the runtime reports (`ConnectException` and friends).

use crate::config::ConfigError;
use crate::data::DataError;

/// An error raised while running a connector or a task. Its `Display` is the message Kafka would show;
/// [`ConnectError::trace`] renders the cause chain for the `trace` field of a FAILED status.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A configuration problem (`ConfigException`).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Data that cannot be converted or transformed (`DataException`).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A failure worth retrying (`RetriableException`).
    #[error("{0}")]
    Retriable(String),
    /// A bad argument (`IllegalArgumentException`), which a few of Kafka's transforms throw
    /// where the others throw a `DataException`; dead-letter headers name the class.
    #[error("{0}")]
    IllegalArgument(String),
    /// Any other failure (`ConnectException`), with an optional cause.
    #[error("{message}")]
    Other {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ConnectError {
    pub fn new(message: impl Into<String>) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: None,
        }
    }

    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// Java's `new ConnectException(cause)`: its message is the cause's `toString()` (class and
    /// message), and the cause follows it in the trace.
    pub fn wrapping(cause: impl Into<ConnectError>) -> Self {
        let cause = cause.into();
        ConnectError::with_source(format!("{}: {cause}", cause.java_class()), cause)
    }

    /// The Java exception class Kafka would report for this error.
    pub fn java_class(&self) -> &'static str {
        match self {
            ConnectError::Config(_) => "org.apache.kafka.common.config.ConfigException",
            ConnectError::Data(_) => "org.apache.kafka.connect.errors.DataException",
            ConnectError::Retriable(_) => "org.apache.kafka.connect.errors.RetriableException",
            ConnectError::IllegalArgument(_) => "java.lang.IllegalArgumentException",
            ConnectError::Other { .. } => "org.apache.kafka.connect.errors.ConnectException",
        }
    }

    /// A trace in the shape of a Java stack trace's header lines: the exception and each cause.
    pub fn trace(&self) -> String {
        java_trace(self)
    }
}

/// An exception Kafka's code would have as a cause, named by its Java class: what a Ferry error
/// carries where the underlying failure is not one of Ferry's own errors (a parser's, say), so that
/// its trace line names the class Kafka's would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JavaException {
    pub class: &'static str,
    pub message: String,
}

impl JavaException {
    pub fn new(class: &'static str, message: impl Into<String>) -> Self {
        JavaException {
            class,
            message: message.into(),
        }
    }
}

/// The Java exception class Kafka would name for `error`.
pub fn java_exception_class(error: &(dyn std::error::Error + 'static)) -> &'static str {
    if error.is::<DataError>() {
        return "org.apache.kafka.connect.errors.DataException";
    }
    if let Some(e) = error.downcast_ref::<ConnectError>() {
        return e.java_class();
    }
    if let Some(e) = error.downcast_ref::<JavaException>() {
        return e.class;
    }
    if error.is::<std::io::Error>() {
        return "java.io.IOException";
    }
    if error.is::<rdkafka::error::KafkaError>() {
        return "org.apache.kafka.common.KafkaException";
    }
    "org.apache.kafka.connect.errors.ConnectException"
}

/// The errors that caused `error`, nearest first.
pub fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(error.source(), |cause| cause.source())
}

/// The head of a Java stack trace for `error`: the exception line, then each cause.
pub fn java_trace(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{}: {}", java_exception_class(error), error);
    for cause in causes(error) {
        out.push_str("\nCaused by: ");
        out.push_str(java_exception_class(cause));
        out.push_str(": ");
        out.push_str(&cause.to_string());
    }
    out
}
