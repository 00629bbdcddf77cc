//! CPU time a process has used, from `/proc/<pid>/stat` (user plus system time of every thread,
//! live or already exited). A load phase's CPU per record shows what the work costs apart from its
//! wall-clock throughput, which moves with whatever else the machine is running. The worker's
//! minor page faults per record come from the same line: each is a fresh page the kernel zeroes,
//! which shows allocator churn (memory handed back to the kernel and touched again) directly.

use std::time::Duration;

use anyhow::{anyhow, Context};

/// The unit of `/proc` times (`USER_HZ`): a kernel ABI constant, 100 on every Linux architecture.
const TICKS_PER_SEC: u64 = 100;

/// What `/proc/<pid>/stat` says about a process so far.
#[derive(Debug, Clone, Copy)]
struct ProcStat {
    /// User plus system time (10 ms resolution).
    cpu: Duration,
    /// Page faults served without I/O (fresh or reclaimed pages).
    minor_faults: u64,
}

fn read_stat(pid: u32) -> anyhow::Result<ProcStat> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    parse_stat(&text).ok_or_else(|| anyhow!("unexpected format of {path}: {text}"))
}

/// The CPU time `pid` has used so far (10 ms resolution).
pub fn used(pid: u32) -> anyhow::Result<Duration> {
    Ok(read_stat(pid)?.cpu)
}

/// `minflt` (field 10) and `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line. The
/// command name (field 2) is in parentheses and may hold spaces or parentheses itself, so fields
/// are counted after the last `)`, where field 3 starts.
fn parse_stat(text: &str) -> Option<ProcStat> {
    let (_, rest) = text.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
    let ticks = field(14)? + field(15)?;
    Some(ProcStat {
        cpu: Duration::from_millis(ticks * 1000 / TICKS_PER_SEC),
        minor_faults: field(10)?,
    })
}

/// The CPU the worker and the broker used during one load phase, and the worker's page faults.
#[derive(Debug, Clone, Copy)]
pub struct PhaseCpu {
    pub worker: Duration,
    pub broker: Duration,
    pub worker_minor_faults: u64,
}

/// Microseconds of CPU per record.
pub fn micros_per_record(cpu: Duration, records: u64) -> f64 {
    cpu.as_secs_f64() * 1e6 / records.max(1) as f64
}

/// Both processes' CPU so far, to subtract from a later reading.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    worker: ProcStat,
    broker: Duration,
}

impl CpuMark {
    pub fn now(worker_pid: u32, broker_pid: u32) -> anyhow::Result<CpuMark> {
        Ok(CpuMark {
            worker: read_stat(worker_pid)?,
            broker: used(broker_pid)?,
        })
    }

    /// What each process used since `self`.
    pub fn since(self, later: CpuMark) -> PhaseCpu {
        PhaseCpu {
            worker: later.worker.cpu.saturating_sub(self.worker.cpu),
            broker: later.broker.saturating_sub(self.broker),
            worker_minor_faults: later
                .worker
                .minor_faults
                .saturating_sub(self.worker.minor_faults),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_faults_and_ticks_after_the_command_name() {
        let line = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 9 0 \
                    100 2195936 12000 18446744073709551615";
        let stat = parse_stat(line).unwrap();
        assert_eq!(stat.cpu, Duration::from_millis(2870));
        assert_eq!(stat.minor_faults, 900);
        assert!(parse_stat("4242 (short) S 1").is_none());
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
