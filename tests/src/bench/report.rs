//! The figures of a run, their medians over the runs, and the Markdown the bench prints.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::files::LINE_BYTES;
use super::latency::Latency;
use super::Throughput;

const MIB: f64 = 1024.0 * 1024.0;

/// Everything one run measures.
#[derive(Debug, Clone, Copy)]
pub struct RunFigures {
    pub bare_produce: Throughput,
    pub ferry_source: Throughput,
    pub bare_consume: Throughput,
    pub ferry_sink: Throughput,
    pub idle_rss: u64,
    pub peak_rss: u64,
    pub startup: Duration,
    pub latency: Latency,
}

impl Throughput {
    pub fn records_per_sec(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64()
    }
}

/// The machine the figures come from.
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub date: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, m)| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        Machine {
            cpus,
            cpu_model,
            date: utc_now(),
        }
    }
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`, without a date crate.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One row per run, printed as soon as the run ends.
pub fn print_run(run: usize, f: &RunFigures) {
    if run == 1 {
        println!("| run | file→Kafka Ferry rec/s | bare | Kafka→file Ferry rec/s | bare | peak RSS MiB | idle RSS MiB | to RUNNING ms | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
    }
    println!(
        "| {run} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        f.ferry_source.records_per_sec(),
        f.bare_produce.records_per_sec(),
        f.ferry_sink.records_per_sec(),
        f.bare_consume.records_per_sec(),
        f.peak_rss as f64 / MIB,
        f.idle_rss as f64 / MIB,
        ms(f.startup),
        ms(f.latency.p50),
        ms(f.latency.p99),
    );
}

/// The medians of every figure over the runs, against the targets of issue 2.
pub fn print_summary(machine: &Machine, lines: u64, runs: &[RunFigures]) {
    let med = |f: fn(&RunFigures) -> f64| median(runs.iter().map(f).collect());
    println!();
    println!(
        "Machine: {} CPUs, {}; date {}; {lines} lines of {LINE_BYTES} bytes; medians of {} runs.",
        machine.cpus,
        machine.cpu_model,
        machine.date,
        runs.len()
    );
    println!();
    println!("| metric | Ferry | bare client | ratio | target |");
    println!("|---|---|---|---|---|");
    let source = (
        med(|f| f.ferry_source.records_per_sec()),
        med(|f| f.bare_produce.records_per_sec()),
    );
    let sink = (
        med(|f| f.ferry_sink.records_per_sec()),
        med(|f| f.bare_consume.records_per_sec()),
    );
    throughput_rows("file → Kafka", source);
    throughput_rows("Kafka → file", sink);
    let mib = |bytes: f64| bytes / MIB;
    single_row(
        "peak RSS under load (MiB)",
        mib(med(|f| f.peak_rss as f64)),
        Some(64.0),
    );
    single_row(
        "idle RSS (MiB)",
        mib(med(|f| f.idle_rss as f64)),
        Some(20.0),
    );
    single_row(
        "spawn → both connectors RUNNING (ms)",
        med(|f| ms(f.startup)),
        Some(200.0),
    );
    single_row(
        "latency file → file p50 (ms)",
        med(|f| ms(f.latency.p50)),
        Some(20.0),
    );
    single_row(
        "latency file → file p99 (ms)",
        med(|f| ms(f.latency.p99)),
        None,
    );
}

/// Records/s and MB/s rows of one direction, with the ratio to the bare client (target ≥ 0.9).
fn throughput_rows(direction: &str, (ferry, bare): (f64, f64)) {
    let ratio = ferry / bare;
    let verdict = verdict(ratio >= 0.9);
    println!("| {direction} (records/s) | {ferry:.0} | {bare:.0} | {ratio:.2} | ≥ 0.9× bare: {verdict} |");
    // MB are 10^6 bytes of input lines (100 per record, newline included), whatever the topic holds.
    let mb = |r: f64| r * LINE_BYTES as f64 / 1e6;
    println!(
        "| {direction} (MB/s) | {:.1} | {:.1} | {ratio:.2} | ≥ 0.9× bare: {verdict} |",
        mb(ferry),
        mb(bare)
    );
}

/// A figure of Ferry alone, with its upper bound if issue 2 sets one.
fn single_row(metric: &str, value: f64, at_most: Option<f64>) {
    let target = match at_most {
        Some(max) => format!("≤ {max}: {}", verdict(value <= max)),
        None => "—".to_string(),
    };
    println!("| {metric} | {value:.1} | — | — | {target} |");
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median (the mean of the middle two for an even count); NaN for no values.
fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
    }
}
