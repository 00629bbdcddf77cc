//! The bare clients' side of the latency probe: a thread that tails a file and produces each new line,
//! and a thread that consumes the topic and appends each value to a file, unbuffered. The same probe
//! then measures them as it measures Ferry's connector pair, which shows how much of Ferry's latency
//! the broker and the client library already account for.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::Producer;
use rdkafka::Message;

use super::bare::{consumer, producer, send};
use super::files::Tail;
use ferry_e2e::Deadline;

/// How often the producer side reads the source file (the probe's own resolution).
const TAIL_EVERY: Duration = Duration::from_millis(1);
/// How long the consumer side blocks in one poll; it also bounds how long stopping takes.
const CONSUMER_POLL: Duration = Duration::from_millis(50);
/// The limit for the consumer to join its group and get the partition.
const JOIN_LIMIT: Duration = Duration::from_secs(30);

/// The two relay threads; they stop (and are joined) on [`Relay::stop`] or on drop.
pub struct Relay {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<anyhow::Result<()>>>,
}

impl Relay {
    /// Starts relaying `source` → `topic` → `sink`; returns once the consumer owns the partition, so
    /// the first probe line does not wait for a group join.
    pub fn start(
        bootstrap: &str,
        topic: &str,
        group: &str,
        source: &Path,
        sink: &Path,
    ) -> anyhow::Result<Relay> {
        let consumer = consumer(bootstrap, group)?;
        consumer
            .subscribe(&[topic])
            .with_context(|| format!("cannot subscribe to {topic}"))?;
        wait_assigned(&consumer)?;
        let output = OpenOptions::new()
            .create(true)
            .append(true)
            .open(sink)
            .with_context(|| format!("cannot open {}", sink.display()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut relay = Relay {
            stop,
            threads: Vec::new(),
        };
        let flag = Arc::clone(&relay.stop);
        relay.threads.push(std::thread::spawn(move || {
            write_records(&consumer, output, &flag)
        }));
        let (flag, bootstrap, topic, source) = (
            Arc::clone(&relay.stop),
            bootstrap.to_string(),
            topic.to_string(),
            source.to_path_buf(),
        );
        relay.threads.push(std::thread::spawn(move || {
            produce_lines(&bootstrap, &topic, &source, &flag)
        }));
        Ok(relay)
    }

    /// Stops both threads and reports the first error either of them met.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        let mut result = Ok(());
        for thread in self.threads.drain(..) {
            let outcome = thread
                .join()
                .unwrap_or_else(|_| Err(anyhow!("a relay thread panicked")));
            result = result.and(outcome);
        }
        result
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn wait_assigned(consumer: &BaseConsumer) -> anyhow::Result<()> {
    let deadline = Deadline::after(JOIN_LIMIT);
    loop {
        // The topic is empty: polling only drives the group protocol.
        if let Some(Err(e)) = consumer.poll(Duration::from_millis(10)) {
            return Err(anyhow!(e).context("the relay consumer failed while joining"));
        }
        let assigned = consumer
            .assignment()
            .context("the relay consumer's assignment")?;
        if assigned.count() > 0 {
            return Ok(());
        }
        if deadline.passed() {
            bail!("the relay consumer got no partition within {JOIN_LIMIT:?}");
        }
    }
}

/// Tails `source` and produces each complete line, as a source connector would.
fn produce_lines(
    bootstrap: &str,
    topic: &str,
    source: &Path,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let producer = producer(bootstrap)?;
    let mut tail = Tail::new(source);
    let mut lines = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        tail.read_lines(|l| lines.push(l.to_vec()))?;
        for line in lines.drain(..) {
            send(&producer, topic, &line, Deadline::after(JOIN_LIMIT))?;
        }
        // Serves delivery reports; it also waits for the next look at the file.
        producer.poll(TAIL_EVERY);
    }
    producer
        .flush(Duration::from_secs(5))
        .context("the relay producer could not flush")
}

/// Appends each record's value and a newline to `output` with one unbuffered write, so the line is
/// visible as soon as it is consumed.
fn write_records(
    consumer: &BaseConsumer,
    mut output: File,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let Some(message) = consumer.poll(CONSUMER_POLL) else {
            continue;
        };
        let message = message.context("the relay consumer failed")?;
        line.clear();
        line.extend_from_slice(message.payload().unwrap_or_default());
        line.push(b'\n');
        output
            .write_all(&line)
            .context("the relay could not write its sink file")?;
    }
    Ok(())
}
