//! CPU time a process has used, from `/proc/<pid>/stat` (user plus system time of every thread,
//! live or already exited). A load phase's CPU per record shows what the work costs apart from its
//! wall-clock throughput, which moves with whatever else the machine is running.

use std::time::Duration;

use anyhow::{anyhow, Context};

/// The unit of `/proc` times (`USER_HZ`): a kernel ABI constant, 100 on every Linux architecture.
const TICKS_PER_SEC: u64 = 100;

/// The CPU time `pid` has used so far (10 ms resolution).
pub fn used(pid: u32) -> anyhow::Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let ticks = stat_ticks(&text).ok_or_else(|| anyhow!("unexpected format of {path}: {text}"))?;
    Ok(Duration::from_millis(ticks * 1000 / TICKS_PER_SEC))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line. The command name (field 2) is
/// in parentheses and may hold spaces or parentheses itself, so fields are counted after the last
/// `)`, where field 3 starts.
fn stat_ticks(text: &str) -> Option<u64> {
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The CPU the worker and the broker used during one load phase.
#[derive(Debug, Clone, Copy)]
pub struct PhaseCpu {
    pub worker: Duration,
    pub broker: Duration,
}

/// Microseconds of CPU per record.
pub fn micros_per_record(cpu: Duration, records: u64) -> f64 {
    cpu.as_secs_f64() * 1e6 / records.max(1) as f64
}

/// Both processes' CPU so far, to subtract from a later reading.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    worker: Duration,
    broker: Duration,
}

impl CpuMark {
    pub fn now(worker_pid: u32, broker_pid: u32) -> anyhow::Result<CpuMark> {
        Ok(CpuMark {
            worker: used(worker_pid)?,
            broker: used(broker_pid)?,
        })
    }

    /// What each process used since `self`.
    pub fn since(self, later: CpuMark) -> PhaseCpu {
        PhaseCpu {
            worker: later.worker.saturating_sub(self.worker),
            broker: later.broker.saturating_sub(self.broker),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_the_command_name() {
        let line = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 9 0 \
                    100 2195936 12000 18446744073709551615";
        assert_eq!(stat_ticks(line), Some(287));
        assert_eq!(stat_ticks("4242 (short) S 1"), None);
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(0u64);
        }
        assert!(used(std::process::id()).unwrap() > Duration::ZERO);
    }
}
