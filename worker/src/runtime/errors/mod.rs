//! Error handling for records (Kafka's `RetryWithToleranceOperator` and error reporters):
//! `errors.tolerance`, `errors.retry.timeout` with exponential backoff, `errors.log.*`, and the sink
//! dead-letter queue (`errors.deadletterqueue.*`).

mod dlq;
mod policy;

pub use dlq::{DeadLetterQueue, DlqSettings, ErrantRecord};
pub use policy::{backoff, ErrorPolicy, Intolerable, Outcome, Tolerance};
