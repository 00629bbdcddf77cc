//! End-to-end latency: a line appended to the source connector's file, until a plain read of the sink
//! connector's file shows it (source task → Kafka → sink task → file, with every buffer on the way).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ferry_e2e::Deadline;

use super::files::{line, Tail};

/// Marks the probe lines, so the tail recognises them and their number.
const PREFIX: &str = "latency-";

/// How the probe runs: `lines` lines, one every `every`, then up to `grace` for the last to arrive.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub lines: usize,
    pub every: Duration,
    pub grace: Duration,
    /// How often the sink file is read.
    pub tail_every: Duration,
}

/// Latency percentiles over every probe line.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
}

/// Appends the probe lines to `source` while tailing `sink`, and returns the latency percentiles.
pub fn measure(source: &Path, sink: &Path, probe: Probe) -> anyhow::Result<Latency> {
    let deadline = Deadline::after(probe.every * probe.lines as u32 + probe.grace);
    let stop = AtomicBool::new(false);
    let (appended, seen) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| watch(sink, probe, deadline, &stop));
        let appended = append(source, probe);
        if appended.is_err() {
            // Nothing more will arrive: let the tail give up now rather than at the deadline.
            stop.store(true, Ordering::Relaxed);
        }
        (appended, tail.join())
    });
    let appended = appended?;
    let seen = seen.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut latencies = Vec::with_capacity(probe.lines);
    for (i, (sent, arrived)) in appended.iter().zip(&seen).enumerate() {
        match arrived {
            Some(at) => latencies.push(at.saturating_duration_since(*sent)),
            None => bail!(
                "line {i} (and {} more) of {} did not reach {} within {:?} of the last append",
                seen[i..].iter().filter(|s| s.is_none()).count() - 1,
                probe.lines,
                sink.display(),
                probe.grace
            ),
        }
    }
    latencies.sort();
    Ok(Latency {
        p50: percentile(&latencies, 50),
        p99: percentile(&latencies, 99),
    })
}

/// Appends one numbered line every `probe.every` (on a fixed schedule, so a slow write does not shift
/// the following ones) and returns when each append started.
fn append(source: &Path, probe: Probe) -> anyhow::Result<Vec<Instant>> {
    let mut file = OpenOptions::new()
        .append(true)
        .open(source)
        .with_context(|| format!("cannot open {} to append", source.display()))?;
    let start = Instant::now();
    let mut buf = Vec::new();
    let mut appended = Vec::with_capacity(probe.lines);
    for i in 0..probe.lines {
        std::thread::sleep(
            (start + probe.every * i as u32).saturating_duration_since(Instant::now()),
        );
        line(PREFIX, i as u64, &mut buf);
        buf.push(b'\n');
        appended.push(Instant::now());
        // One write per line: the source sees whole lines, as with `echo line >> file`.
        file.write_all(&buf)
            .with_context(|| format!("cannot append to {}", source.display()))?;
    }
    Ok(appended)
}

/// Reads the sink file every `probe.tail_every` and notes when each probe line first showed up.
fn watch(
    sink: &Path,
    probe: Probe,
    deadline: Deadline,
    stop: &AtomicBool,
) -> anyhow::Result<Vec<Option<Instant>>> {
    let mut tail = Tail::new(sink);
    let mut seen = vec![None; probe.lines];
    let mut missing = probe.lines;
    while missing > 0 && !deadline.passed() && !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        tail.read_lines(|l| {
            if let Some(slot) = probe_number(l).and_then(|n| seen.get_mut(n)) {
                if slot.is_none() {
                    *slot = Some(now);
                    missing -= 1;
                }
            }
        })?;
        std::thread::sleep(probe.tail_every);
    }
    Ok(seen)
}

/// The number of a probe line (`latency-000000000042 ...`).
fn probe_number(line: &[u8]) -> Option<usize> {
    let digits = line.strip_prefix(PREFIX.as_bytes())?.get(..12)?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The nearest-rank percentile of sorted samples (`Duration::ZERO` when there are none).
pub fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let ms: Vec<Duration> = (1..=300).map(Duration::from_millis).collect();
        assert_eq!(percentile(&ms, 50), Duration::from_millis(150));
        assert_eq!(percentile(&ms, 99), Duration::from_millis(297));
        assert_eq!(percentile(&ms[..1], 99), Duration::from_millis(1));
    }

    #[test]
    fn probe_lines_carry_their_number() {
        let mut buf = Vec::new();
        line(PREFIX, 42, &mut buf);
        assert_eq!(probe_number(&buf), Some(42));
        assert_eq!(probe_number(b"000000000042 abc"), None);
    }
}
