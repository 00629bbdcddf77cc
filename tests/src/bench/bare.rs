//! The baseline: the smallest rdkafka producer and consumer doing the same work as the connectors, so
//! the figures show what the client library and the broker allow on this machine.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext};
use rdkafka::{ClientContext, Message};

use super::Throughput;
use ferry_e2e::Deadline;

/// How often the producer serves delivery reports while it still has lines to send.
const POLL_EVERY_RECORDS: u64 = 1024;

/// Counts delivery reports: a record counts once Kafka acknowledged it.
#[derive(Default)]
pub(super) struct Deliveries {
    acked: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// The producer settings Kafka Connect gives a source task's producer (and Ferry's bound on queued
/// bytes), so the comparison is about the worker, not the client configuration.
pub(super) fn producer(bootstrap: &str) -> anyhow::Result<BaseProducer<Deliveries>> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("broker.address.family", "v4")
        .set("acks", "all")
        .set("max.in.flight.requests.per.connection", "1")
        .set("enable.idempotence", "false")
        .set("queue.buffering.max.kbytes", "16384")
        .set("queue.buffering.max.messages", "20000")
        .create_with_context(Deliveries::default())
        .context("cannot create the rdkafka producer")
}

/// Reads `input` line by line and produces each line (without its newline, no key) to `topic`; the
/// clock stops when every record is acknowledged.
pub fn produce_file(
    bootstrap: &str,
    topic: &str,
    input: &Path,
    expected: u64,
    deadline: Deadline,
) -> anyhow::Result<Throughput> {
    let producer = producer(bootstrap)?;
    let start = Instant::now();
    let file = File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::with_capacity(128);
    let mut sent = 0u64;
    let mut unpolled = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {}", input.display()))?;
        if n == 0 {
            break;
        }
        let value = line.strip_suffix(b"\n").unwrap_or(&line);
        send(&producer, topic, value, deadline)?;
        sent += 1;
        unpolled += 1;
        if unpolled == POLL_EVERY_RECORDS {
            producer.poll(Duration::ZERO);
            unpolled = 0;
        }
    }
    wait_acknowledged(&producer, deadline)?;
    let elapsed = start.elapsed();
    check_deliveries(producer.context(), sent, expected)?;
    Ok(Throughput {
        records: sent,
        elapsed,
    })
}

/// Sends one record, serving delivery reports while librdkafka's queue is full.
pub(super) fn send(
    producer: &BaseProducer<Deliveries>,
    topic: &str,
    value: &[u8],
    deadline: Deadline,
) -> anyhow::Result<()> {
    let mut record = BaseRecord::<(), [u8]>::to(topic).payload(value);
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                if deadline.passed() {
                    bail!("the producer queue stayed full until the deadline");
                }
                record = back;
                producer.poll(Duration::from_millis(1));
            }
            Err((e, _)) => return Err(anyhow!(e).context("the producer refused a record")),
        }
    }
}

/// Flushes in short slices so the deadline is honoured even when the broker stops answering.
fn wait_acknowledged(
    producer: &BaseProducer<Deliveries>,
    deadline: Deadline,
) -> anyhow::Result<()> {
    loop {
        match producer.flush(Duration::from_millis(100)) {
            Ok(()) => return Ok(()),
            Err(KafkaError::Flush(RDKafkaErrorCode::OperationTimedOut)) if !deadline.passed() => {}
            Err(e) => {
                return Err(anyhow!(e)).context(format!(
                    "{} records not acknowledged by the deadline",
                    producer.in_flight_count()
                ))
            }
        }
    }
}

fn check_deliveries(deliveries: &Deliveries, sent: u64, expected: u64) -> anyhow::Result<()> {
    let acked = deliveries.acked.load(Ordering::Relaxed);
    let failed = deliveries.failed.load(Ordering::Relaxed);
    if failed > 0 {
        let first = deliveries
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        bail!(
            "{failed} records failed (first error: {})",
            first.unwrap_or_default()
        );
    }
    if sent != expected || acked != expected {
        bail!("expected {expected} records, read {sent} lines and {acked} were acknowledged");
    }
    Ok(())
}

/// Kafka Connect's sink consumer settings that matter here: a new group reading from the start.
pub(super) fn consumer(bootstrap: &str, group: &str) -> anyhow::Result<BaseConsumer> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("broker.address.family", "v4")
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .context("cannot create the rdkafka consumer")
}

/// Subscribes a new consumer group to `topic` and writes each record's value and a newline to `output`
/// (buffered) until `expected` lines are written and flushed to the file.
pub fn consume_to_file(
    bootstrap: &str,
    topic: &str,
    group: &str,
    output: &Path,
    expected: u64,
    deadline: Deadline,
) -> anyhow::Result<Throughput> {
    let consumer = consumer(bootstrap, group)?;
    let start = Instant::now();
    consumer
        .subscribe(&[topic])
        .with_context(|| format!("cannot subscribe to {topic}"))?;
    let file =
        File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut writer = BufWriter::with_capacity(256 * 1024, file);
    let mut written = 0u64;
    while written < expected {
        if deadline.passed() {
            bail!("only {written} of {expected} records consumed by the deadline");
        }
        let Some(message) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let message = message.context("the consumer failed")?;
        let value = message.payload().unwrap_or_default();
        writer
            .write_all(value)
            .and_then(|()| writer.write_all(b"\n"))
            .with_context(|| format!("cannot write {}", output.display()))?;
        written += 1;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", output.display()))?;
    Ok(Throughput {
        records: written,
        elapsed: start.elapsed(),
    })
}
