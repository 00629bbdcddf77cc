//! The benchmark of issue 2: what each run does, in order, and the options.

mod bare;
mod cpu;
mod ferry;
mod files;
mod latency;
mod relay;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::Parser;
use ferry_e2e::broker::{Storage, TansuOptions};
use ferry_e2e::{Deadline, Tansu};
use serde_json::json;

use cpu::{CpuMark, PhaseCpu};
use ferry::FerryWorker;
use latency::{Latency, Probe};
use report::{Machine, RunFigures};

/// Ferry's FileStream connectors against a bare rdkafka producer and consumer, on a tansu broker it
/// starts itself. Prints per-run figures and their medians as Markdown.
#[derive(Debug, Parser)]
#[command(name = "ferry-bench")]
pub struct Args {
    /// Lines in the input file (100 bytes each).
    #[arg(long, default_value_t = 1_000_000)]
    lines: u64,
    /// Runs, each with a fresh broker and worker; the summary shows the medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The worker's `offset.flush.interval.ms`; Kafka's stock connect-standalone.properties has 10000.
    #[arg(long, default_value_t = 10_000)]
    offset_flush_ms: u64,
    /// The longest any load phase (one direction, one client) may take.
    #[arg(long, default_value_t = 300)]
    phase_timeout_secs: u64,
    /// An extra worker property, `key=value`, appended to worker.properties (repeatable); to see how a
    /// setting moves the figures, e.g. `--worker-property consumer.fetch.wait.max.ms=10`.
    #[arg(long = "worker-property", value_name = "KEY=VALUE", value_parser = property_line)]
    worker_properties: Vec<String>,
    /// Keep the working directories (worker logs, sink files) instead of deleting them.
    #[arg(long)]
    keep: bool,
    /// Instead of running: write each source load's connector as a properties file into this
    /// directory (reading `input.txt` there), and the --lines input as `lines.txt`, then exit. For
    /// scripts/profile-source.sh, which runs the same loads under callgrind.
    #[arg(long, value_name = "DIR")]
    write_source_configs: Option<PathBuf>,
}

/// A `key=value` properties line with a non-empty key.
fn property_line(text: &str) -> Result<String, String> {
    match text.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() => Ok(text.to_string()),
        _ => Err(format!("expected KEY=VALUE, found '{text}'")),
    }
}

/// Records moved and the time it took.
#[derive(Debug, Clone, Copy)]
pub struct Throughput {
    pub records: u64,
    pub elapsed: Duration,
}

const BARE_TOPIC: &str = "bench-bare";
const FERRY_TOPIC: &str = "bench-ferry";
const PROBE_TOPIC: &str = "bench-probe";
const BARE_PROBE_TOPIC: &str = "bench-bare-probe";
const PROBE_SOURCE: &str = "probe-source";
const PROBE_SINK: &str = "probe-sink";
const LOAD_SOURCE: &str = "load-source";
/// The same source with a chain of three transforms (issue 5's figure), into a topic of its own.
const CHAIN_SOURCE: &str = "load-source-chain";
const CHAIN_TOPIC: &str = "bench-ferry-chain";
/// The same source with three transforms that leave the value as it is (RegexRouter, InsertHeader,
/// Filter on RecordIsTombstone): what the transforms themselves cost, apart from a bigger record.
const ROUTED_SOURCE: &str = "load-source-routed";
/// The topic the routed source is configured with; RegexRouter sends its records to ROUTED_TOPIC.
const ROUTING_TOPIC: &str = "bench-ferry-routing";
const ROUTED_TOPIC: &str = "bench-ferry-routed";
const LOAD_SINK: &str = "load-sink";

/// How often the REST status is polled while waiting for RUNNING (startup time's resolution).
const STATUS_EVERY: Duration = Duration::from_millis(5);
/// How often `/metrics` and the sink file are checked during a load phase.
const PROGRESS_EVERY: Duration = Duration::from_millis(20);
/// The limit for the worker to start its connectors.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);
/// How long the worker sits with its connectors RUNNING before its idle RSS is read: startup's
/// allocations (consumer group join, first metadata) are done by then.
const IDLE_SETTLE: Duration = Duration::from_secs(1);
const PROBE: Probe = Probe {
    lines: 300,
    every: Duration::from_millis(20),
    grace: Duration::from_secs(60),
    tail_every: Duration::from_millis(1),
};

/// The worker binary: FERRY_WORKER_BIN, else `ferry-worker` next to this binary (target/release when
/// run with `cargo run --release`). Sets FERRY_WORKER_BIN for [`ferry_e2e::Worker::start`], so it
/// must run before any thread is started.
pub fn select_worker_binary() -> anyhow::Result<PathBuf> {
    let path = match std::env::var_os("FERRY_WORKER_BIN") {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()
            .context("cannot find this binary's path")?
            .with_file_name("ferry-worker"),
    };
    if !path.is_file() {
        bail!(
            "{} does not exist: run `cargo build --release -p ferry-worker` first, or set FERRY_WORKER_BIN",
            path.display()
        );
    }
    std::env::set_var("FERRY_WORKER_BIN", &path);
    Ok(path)
}

/// Runs the benchmark; Ctrl-C ends it cleanly (dropping the run stops the broker and the worker).
pub async fn main(args: Args) -> anyhow::Result<()> {
    tokio::select! {
        result = run_all(&args) => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    }
}

async fn run_all(args: &Args) -> anyhow::Result<()> {
    if args.runs == 0 || args.lines == 0 {
        bail!("--runs and --lines must be at least 1");
    }
    if let Some(dir) = &args.write_source_configs {
        let (dir, lines) = (dir.clone(), args.lines);
        return blocking("writing the source configs", move || {
            write_source_configs(&dir, lines)
        })
        .await;
    }
    let machine = Machine::detect();
    let work = tempfile::Builder::new()
        .prefix("ferry-bench-")
        .tempdir()
        .context("cannot create a temp dir")?;
    // With --keep the directory outlives the bench, failed runs included: their logs are the evidence.
    let (work, _cleanup) = if args.keep {
        (work.keep(), None)
    } else {
        (work.path().to_path_buf(), Some(work))
    };
    let input = work.join("input.txt");
    let (path, lines) = (input.clone(), args.lines);
    blocking("writing the input file", move || {
        files::write_input(&path, lines)
    })
    .await?;
    eprintln!("ferry-bench: {lines} lines in {}", input.display());
    let mut runs = Vec::with_capacity(args.runs);
    for run in 1..=args.runs {
        eprintln!("ferry-bench: run {run} of {}", args.runs);
        let figures = run_once(args, &work, &input, run)
            .await
            .with_context(|| format!("run {run}"))?;
        report::print_run(run, &figures);
        runs.push(figures);
    }
    report::print_summary(&machine, args.lines, &runs);
    if args.keep {
        eprintln!("ferry-bench: kept {}", work.display());
    }
    Ok(())
}

/// What the phases of one run share.
struct Run<'a> {
    args: &'a Args,
    number: usize,
    dir: PathBuf,
    input: &'a Path,
    bootstrap: String,
    broker_pid: u32,
    limit: Duration,
}

/// One run: a fresh broker and worker, then each measurement in turn. Dropping the broker and the
/// worker (also on an early return) kills them.
async fn run_once(
    args: &Args,
    work: &Path,
    input: &Path,
    number: usize,
) -> anyhow::Result<RunFigures> {
    let dir = work.join(format!("run-{number}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let broker = blocking("starting tansu", start_broker).await?;
    let limit = Duration::from_secs(args.phase_timeout_secs);
    let run = Run {
        args,
        number,
        dir,
        input,
        bootstrap: broker.bootstrap(),
        broker_pid: broker.pid(),
        limit,
    };

    let bare_produce = run.bare_produce().await?;
    let bare_latency = run.bare_latency().await?;
    let (worker, startup, idle_rss) = run.start_worker().await?;
    let latency = run.ferry_latency(&worker).await?;
    // The broker holds more data for each later source phase; reversing their order every other
    // run keeps that from favouring either side of issue 5's ratios.
    let (plain, chain, routed) = if number % 2 == 1 {
        let plain = run.source_load(&worker, &plain_load()).await?;
        let chain = run.source_load(&worker, &struct_chain_load()).await?;
        let routed = run.source_load(&worker, &value_preserving_load()).await?;
        (plain, chain, routed)
    } else {
        let routed = run.source_load(&worker, &value_preserving_load()).await?;
        let chain = run.source_load(&worker, &struct_chain_load()).await?;
        let plain = run.source_load(&worker, &plain_load()).await?;
        (plain, chain, routed)
    };
    let ((ferry_source, ferry_source_cpu), (ferry_source_chain, ferry_source_chain_cpu)) =
        (plain, chain);
    let (ferry_source_routed, ferry_source_routed_cpu) = routed;
    let bare_consume = run.bare_consume().await?;
    let ferry_sink = run.ferry_sink(&worker).await?;
    let peak_rss = worker.memory()?.peak;
    drop(worker);
    drop(broker);
    if !args.keep {
        // The sink files are hundreds of MB per run; the next run starts clean.
        let _ = std::fs::remove_dir_all(&run.dir);
    }
    Ok(RunFigures {
        bare_produce,
        ferry_source,
        ferry_source_chain,
        ferry_source_cpu,
        ferry_source_chain_cpu,
        ferry_source_routed,
        ferry_source_routed_cpu,
        bare_consume,
        ferry_sink,
        idle_rss,
        peak_rss,
        startup,
        latency,
        bare_latency,
    })
}

impl Run<'_> {
    async fn bare_produce(&self) -> anyhow::Result<Throughput> {
        eprintln!("  bare producer: {} → {BARE_TOPIC}", self.input.display());
        let (bootstrap, input) = (self.bootstrap.clone(), self.input.to_path_buf());
        let (lines, deadline) = (self.args.lines, Deadline::after(self.limit));
        blocking("the bare producer", move || {
            bare::produce_file(&bootstrap, BARE_TOPIC, &input, lines, deadline)
        })
        .await
    }

    async fn bare_latency(&self) -> anyhow::Result<Latency> {
        eprintln!(
            "  latency, bare clients: {} lines, one every {:?}",
            PROBE.lines, PROBE.every
        );
        let (bootstrap, dir, number) = (self.bootstrap.clone(), self.dir.clone(), self.number);
        blocking("the bare latency probe", move || {
            bare_latency(&bootstrap, &dir, number)
        })
        .await
    }

    /// Starts the worker with the probe connectors; returns it, the time from spawn to both RUNNING,
    /// and its idle RSS.
    async fn start_worker(&self) -> anyhow::Result<(FerryWorker, Duration, u64)> {
        eprintln!("  worker: start with the probe connectors");
        write_probe_connectors(&self.dir)?;
        let worker = FerryWorker::start(
            &self.dir,
            &self.bootstrap,
            self.args.offset_flush_ms,
            &self.args.worker_properties,
            &["probe-source.properties", "probe-sink.properties"],
        )?;
        let running = worker
            .wait_running(&[PROBE_SOURCE, PROBE_SINK], STATUS_EVERY, STARTUP_LIMIT)
            .await?;
        let startup = running - worker.spawned;
        tokio::time::sleep(IDLE_SETTLE).await;
        let idle_rss = worker.memory()?.rss;
        Ok((worker, startup, idle_rss))
    }

    async fn ferry_latency(&self, worker: &FerryWorker) -> anyhow::Result<Latency> {
        eprintln!(
            "  latency, Ferry: {} lines, one every {:?}",
            PROBE.lines, PROBE.every
        );
        let (source, sink) = (self.dir.join("probe.txt"), self.dir.join("probe.sink.txt"));
        let latency = blocking("the latency probe", move || {
            latency::measure(&source, &sink, PROBE)
        })
        .await
        .with_context(|| worker.log_tail())?;
        worker.check_alive()?;
        Ok(latency)
    }

    /// [`source_load`] of `load` on this run's input, broker and limits.
    async fn source_load(
        &self,
        worker: &FerryWorker,
        load: &SourceLoad,
    ) -> anyhow::Result<(Throughput, PhaseCpu)> {
        source_load(
            worker,
            self.broker_pid,
            load,
            self.input,
            self.args.lines,
            self.limit,
        )
        .await
    }

    async fn bare_consume(&self) -> anyhow::Result<Throughput> {
        eprintln!("  bare consumer: {FERRY_TOPIC} → file");
        let (bootstrap, output) = (self.bootstrap.clone(), self.dir.join("bare.sink.txt"));
        let group = format!("bench-bare-{}", self.number);
        let (lines, deadline) = (self.args.lines, Deadline::after(self.limit));
        blocking("the bare consumer", move || {
            bare::consume_to_file(&bootstrap, FERRY_TOPIC, &group, &output, lines, deadline)
        })
        .await
    }

    async fn ferry_sink(&self, worker: &FerryWorker) -> anyhow::Result<Throughput> {
        eprintln!("  Ferry sink: {FERRY_TOPIC} → file");
        let output = self.dir.join("load.sink.txt");
        let throughput = sink_load(worker, &output, self.args.lines, self.limit).await?;
        log_peak_rss(worker)?;
        Ok(throughput)
    }
}

/// Prints the worker's peak RSS so far after a phase, so the phase that raised it shows, and its RSS
/// now, which shows what the phase left behind.
fn log_peak_rss(worker: &FerryWorker) -> anyhow::Result<()> {
    let memory = worker.memory()?;
    eprintln!(
        "    worker peak RSS so far: {:.1} MiB (RSS now {:.1} MiB)",
        memory.peak as f64 / report::MIB,
        memory.rss as f64 / report::MIB
    );
    Ok(())
}

fn start_broker() -> anyhow::Result<Tansu> {
    // The in-memory engine, as every figure in docs/benchmarks.md was taken with: each phase reads
    // its topic from the start with a new group, never from an offset inside a batch, which is
    // where this engine goes wrong (see `Storage::Memory`).
    let broker = Tansu::start_with(TansuOptions {
        storage: Storage::Memory,
        ..TansuOptions::default()
    });
    for topic in [
        BARE_TOPIC,
        FERRY_TOPIC,
        CHAIN_TOPIC,
        ROUTING_TOPIC,
        ROUTED_TOPIC,
        PROBE_TOPIC,
        BARE_PROBE_TOPIC,
    ] {
        broker.create_topic(topic, 1);
    }
    Ok(broker)
}

/// The latency probe through the bare clients' relay (see [`relay`]), on files of its own.
fn bare_latency(bootstrap: &str, dir: &Path, run: usize) -> anyhow::Result<Latency> {
    let (source, sink) = (dir.join("bare-probe.txt"), dir.join("bare-probe.sink.txt"));
    std::fs::write(&source, "").with_context(|| format!("cannot create {}", source.display()))?;
    let group = format!("bench-bare-probe-{run}");
    let relay = relay::Relay::start(bootstrap, BARE_PROBE_TOPIC, &group, &source, &sink)?;
    let latency = latency::measure(&source, &sink, PROBE);
    relay.stop()?;
    latency
}

/// The connector pair of the latency probe, on an empty source file.
fn write_probe_connectors(dir: &Path) -> anyhow::Result<()> {
    let (source, sink) = (dir.join("probe.txt"), dir.join("probe.sink.txt"));
    std::fs::write(&source, "").with_context(|| format!("cannot create {}", source.display()))?;
    let properties = [
        ("probe-source.properties", format!("name={PROBE_SOURCE}\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic={PROBE_TOPIC}\n", source.display())),
        ("probe-sink.properties", format!("name={PROBE_SINK}\nconnector.class=FileStreamSink\ntasks.max=1\nfile={}\ntopics={PROBE_TOPIC}\n", sink.display())),
    ];
    for (name, text) in properties {
        ferry_e2e::worker::write(&dir.join(name), &text);
    }
    Ok(())
}

/// The plain source: FileStreamSource into its topic, no transforms.
fn plain_load() -> SourceLoad {
    SourceLoad {
        label: "Ferry source",
        name: LOAD_SOURCE,
        topic: FERRY_TOPIC,
        lands_in: FERRY_TOPIC,
        transforms: json!({}),
    }
}

/// The same load through HoistField$Value, InsertField$Value and ReplaceField$Value.
fn struct_chain_load() -> SourceLoad {
    SourceLoad {
        label: "Ferry source with 3 transforms",
        name: CHAIN_SOURCE,
        topic: CHAIN_TOPIC,
        lands_in: CHAIN_TOPIC,
        transforms: json!({
            "transforms": "hoist,insert,rename",
            "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
            "transforms.hoist.field": "line",
            "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
            "transforms.insert.static.field": "data_source",
            "transforms.insert.static.value": "bench",
            "transforms.insert.topic.field": "topic",
            "transforms.rename.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
            "transforms.rename.renames": "line:text",
        }),
    }
}

/// The same load through RegexRouter, InsertHeader and Filter (with RecordIsTombstone, which no
/// line is), which leave the value as it is.
fn value_preserving_load() -> SourceLoad {
    SourceLoad {
        label: "Ferry source with 3 value-preserving transforms",
        name: ROUTED_SOURCE,
        topic: ROUTING_TOPIC,
        lands_in: ROUTED_TOPIC,
        transforms: json!({
            "transforms": "route,stamp,dropTombstones",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "(.*)-routing",
            "transforms.route.replacement": "$1-routed",
            "transforms.stamp.type": "org.apache.kafka.connect.transforms.InsertHeader",
            "transforms.stamp.header": "data_source",
            "transforms.stamp.value.literal": "bench",
            "transforms.dropTombstones.type": "org.apache.kafka.connect.transforms.Filter",
            "transforms.dropTombstones.predicate": "isTombstone",
            "predicates": "isTombstone",
            "predicates.isTombstone.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        }),
    }
}

/// A source connector to load: what the log calls it, its name, its configured topic, the topic
/// its records land in (another one when a transform routes them), and its transform settings (an
/// empty object for none).
struct SourceLoad {
    label: &'static str,
    name: &'static str,
    topic: &'static str,
    lands_in: &'static str,
    transforms: serde_json::Value,
}

/// A source load's connector configuration, reading `input`.
fn source_config(load: &SourceLoad, input: &Path) -> serde_json::Value {
    let mut config = json!({
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": input.display().to_string(),
        "topic": load.topic,
    });
    if let (Some(c), Some(t)) = (config.as_object_mut(), load.transforms.as_object()) {
        c.extend(t.clone());
    }
    config
}

/// `--write-source-configs`: `<connector name>.properties` for each source load, reading
/// `dir/input.txt`, with a comment naming the topic its records land in; and `lines` lines of
/// input in `dir/lines.txt`.
fn write_source_configs(dir: &Path, lines: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let input = dir.join("input.txt");
    for load in [plain_load(), struct_chain_load(), value_preserving_load()] {
        let mut text = format!(
            "# ferry-bench load: {}\n# lands in: {}\n",
            load.label, load.lands_in
        );
        text.push_str(&format!("name={}\n", load.name));
        if let Some(config) = source_config(&load, &input).as_object() {
            for (key, value) in config {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                // A properties file reads `\\` as an escape; the settings here have none, but a
                // later one with a backslash stays what it says.
                text.push_str(&format!("{key}={}\n", value.replace('\\', "\\\\")));
            }
        }
        let path = dir.join(format!("{}.properties", load.name));
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("ferry-bench: wrote {}", path.display());
    }
    files::write_input(&dir.join("lines.txt"), lines)?;
    eprintln!(
        "ferry-bench: wrote {lines} lines to {}",
        dir.join("lines.txt").display()
    );
    Ok(())
}

/// FileStreamSource on the input file: from RUNNING until Kafka acknowledged every line
/// (`ferry_source_records_written_total`), with the CPU the worker and the broker used meanwhile;
/// then the connector is deleted.
async fn source_load(
    worker: &FerryWorker,
    broker_pid: u32,
    load: &SourceLoad,
    input: &Path,
    lines: u64,
    limit: Duration,
) -> anyhow::Result<(Throughput, PhaseCpu)> {
    eprintln!("  {}: {} → {}", load.label, input.display(), load.lands_in);
    worker
        .create_connector(load.name, source_config(load, input))
        .await?;
    let start = worker
        .wait_running(&[load.name], STATUS_EVERY, STARTUP_LIMIT)
        .await?;
    let cpu_at_start = CpuMark::now(worker.pid(), broker_pid)?;
    let deadline = Deadline::after(limit);
    loop {
        let written = worker
            .counter("ferry_source_records_written_total", load.name)
            .await?;
        if written >= lines as f64 {
            let throughput = Throughput {
                records: lines,
                elapsed: start.elapsed(),
            };
            let cpu = cpu_at_start.since(CpuMark::now(worker.pid(), broker_pid)?);
            log_peak_rss(worker)?;
            // The next phase runs beside the probe connectors only, as the first one did: a
            // finished source would otherwise keep tailing its file with its producer's memory.
            worker.delete_connector(load.name).await?;
            return Ok((throughput, cpu));
        }
        worker.check_alive()?;
        if deadline.passed() {
            bail!(
                "{} wrote {written} of {lines} records within {limit:?}\n{}",
                load.name,
                worker.log_tail()
            );
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}

/// FileStreamSink from the topic the source filled, as a new consumer group: from RUNNING until the
/// sink file holds every line.
async fn sink_load(
    worker: &FerryWorker,
    output: &Path,
    lines: u64,
    limit: Duration,
) -> anyhow::Result<Throughput> {
    let config = json!({
        "connector.class": "FileStreamSink",
        "tasks.max": "1",
        "file": output.display().to_string(),
        "topics": FERRY_TOPIC,
    });
    worker.create_connector(LOAD_SINK, config).await?;
    let start = worker
        .wait_running(&[LOAD_SINK], STATUS_EVERY, STARTUP_LIMIT)
        .await?;
    let deadline = Deadline::after(limit);
    let mut tail = files::Tail::new(output);
    let mut seen = 0;
    loop {
        seen += tail.count_new_lines()?;
        if seen >= lines {
            return Ok(Throughput {
                records: lines,
                elapsed: start.elapsed(),
            });
        }
        worker.check_alive()?;
        if deadline.passed() {
            bail!(
                "{} holds {seen} of {lines} lines after {limit:?}\n{}",
                output.display(),
                worker.log_tail()
            );
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}

/// Runs blocking work (a client loop, a process start) off the async threads; a panic becomes an error.
async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| anyhow!("{what} panicked: {e}"))?
        .with_context(|| format!("{what} failed"))
}
