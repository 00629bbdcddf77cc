//! `ferry-operator-scale`: the operator's controllers against the in-process API
//! (`ferry_operator::fake_api`) with many KafkaConnectors. Prints figures; asserts nothing.
//!
//! The API runs in a child process (this binary with `--serve-api`, served over HTTP on
//! 127.0.0.1 with the stand-in Deployment controller), so that this process holds the operator's
//! controllers and nothing else of note, and its memory is the operator's.
//!
//! 1. Creates `--connects` KafkaConnects and `--connectors` KafkaConnectors spread evenly over
//!    them, before the operator runs (as after an operator restart or a leader failover).
//! 2. Starts the controllers (`run_all`, all namespaces) and measures the time until every
//!    KafkaConnect is `Ready=True` and every KafkaConnector has a `Ready` condition for its
//!    generation with reason `NoWorkers` (valid, bound to a ready cluster, placed by the assignment controller; no worker pods run here).
//! 3. Waits until the operator has made no request for `--quiet-secs`, then counts its requests
//!    over `--window-secs` and reports them per minute.
//! 4. Reports VmRSS and VmHWM of this process (/proc/self/status) and of the API's.
//!
//! `cargo run --release -p ferry-operator --features fake-api --bin ferry-operator-scale`

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use ferry_crds::config::ConfigValue;
use ferry_crds::labels::reasons;
use ferry_crds::{KafkaConnect, KafkaConnectSpec, KafkaConnector, KafkaConnectorSpec};
use ferry_operator::controller::{run_all, Context};
use ferry_operator::fake_api::harness::{DEPLOYMENT_CONTROLLER, OPERATOR, WORKER_IMAGE};
use ferry_operator::fake_api::http::{serve, CALLER_HEADER, REQUESTS_PATH};
use ferry_operator::fake_api::rollout::roll_out_deployments;
use ferry_operator::fake_api::wait::{wait_until_every, Poll, WaitError};
use ferry_operator::fake_api::{FakeApi, FakeApiError};
use ferry_operator::metrics::Metrics;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::Client;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

const NS: &str = "scale";
/// The client name of the benchmark's own requests (creating objects, polling the statuses).
const BENCH: &str = "bench";

#[derive(Parser, Debug)]
#[command(about = "Scale figures of the operator's controllers against an in-process API")]
struct Args {
    /// KafkaConnects.
    #[arg(long, default_value_t = 10)]
    connects: usize,
    /// KafkaConnectors, spread evenly over the KafkaConnects.
    #[arg(long, default_value_t = 1000)]
    connectors: usize,
    /// The window over which steady-state requests are counted.
    #[arg(long, default_value_t = 60)]
    window_secs: u64,
    /// How long the operator must have been silent to count as settled.
    #[arg(long, default_value_t = 2)]
    quiet_secs: u64,
    /// Deadline of each wait.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    /// Tokio worker threads (the operator's Deployment runs on few CPUs).
    #[arg(long, default_value_t = 2)]
    worker_threads: usize,
    /// Internal: be the API process (prints its port, serves until stdin closes).
    #[arg(long, hide = true)]
    serve_api: bool,
}

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(transparent)]
    Api(#[from] FakeApiError),
    #[error("cannot create the metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error(transparent)]
    Wait(#[from] WaitError),
    #[error("the API process: {0}")]
    ApiProcess(#[source] std::io::Error),
    #[error("the API process did not announce its port: {0:?}")]
    NoPort(String),
    #[error("a client of the API: {0}")]
    Client(#[source] Box<kube::Error>),
    #[error("creating {what}: {source}")]
    Create {
        what: String,
        // Boxed: kube::Error is large and this enum is returned everywhere.
        #[source]
        source: Box<kube::Error>,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Resident memory of this process, in KiB.
#[derive(Clone, Copy, Debug)]
struct Memory {
    rss_kib: u64,
    hwm_kib: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferry-operator-scale: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BenchError> {
    // Two rustls providers are compiled in with the fake API (see Cargo.toml); kube's is ring.
    // An Err only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.worker_threads.max(1))
        .enable_all()
        .build()
        .map_err(BenchError::Runtime)?;
    if args.serve_api {
        runtime.block_on(serve_api())
    } else {
        runtime.block_on(bench(args))
    }
}

/// The API process: the in-process API and the stand-in Deployment controller, served on an
/// ephemeral port printed on stdout; stops when stdin closes (the benchmark ended or died).
async fn serve_api() -> Result<(), BenchError> {
    let api = Arc::new(FakeApi::new().await?);
    let shutdown = CancellationToken::new();
    tokio::spawn(roll_out_deployments(
        api.client(DEPLOYMENT_CONTROLLER),
        shutdown.clone(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(BenchError::ApiProcess)?;
    let port = listener
        .local_addr()
        .map_err(BenchError::ApiProcess)?
        .port();
    println!("{port}");
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let mut sink = Vec::new();
        // EOF or an error: either way the parent is gone.
        let _ = tokio::io::stdin().read_to_end(&mut sink).await;
        stop.cancel();
    });
    serve(api, listener, shutdown)
        .await
        .map_err(BenchError::ApiProcess)
}

/// A client of the API process whose requests are counted under `caller`.
fn client_for(port: u16, caller: &str) -> Result<Client, BenchError> {
    let url = format!("http://127.0.0.1:{port}")
        .parse()
        .map_err(|e| BenchError::NoPort(format!("{e}")))?;
    let mut config = kube::Config::new(url);
    config.default_namespace = NS.to_owned();
    config.headers.push((
        http::HeaderName::from_static(CALLER_HEADER),
        http::HeaderValue::from_str(caller).map_err(|e| BenchError::NoPort(e.to_string()))?,
    ));
    Client::try_from(config).map_err(|e| BenchError::Client(Box::new(e)))
}

/// Waits until the operator's request counts have not moved for `quiet`, and returns them.
async fn settle(
    client: &Client,
    quiet: Duration,
    timeout: Duration,
) -> Result<BTreeMap<String, u64>, BenchError> {
    let started = Instant::now();
    let mut last = operator_requests(client).await?;
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(quiet / 4).await;
        let now = operator_requests(client).await?;
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return Ok(last);
        }
        if started.elapsed() >= timeout {
            return Err(BenchError::Wait(WaitError {
                what: "the operator to settle".to_owned(),
                waited: started.elapsed(),
                last: verbs(&last),
            }));
        }
    }
}

/// The operator's requests so far, by verb.
async fn operator_requests(client: &Client) -> Result<BTreeMap<String, u64>, BenchError> {
    let req = http::Request::get(format!("{REQUESTS_PATH}?caller={OPERATOR}"))
        .body(Vec::new())
        .map_err(|e| BenchError::NoPort(e.to_string()))?;
    client
        .request(req)
        .await
        .map_err(|e| BenchError::Client(Box::new(e)))
}

async fn bench(args: &Args) -> Result<(), BenchError> {
    let timeout = Duration::from_secs(args.timeout_secs);
    let exe = std::env::current_exe().map_err(BenchError::ApiProcess)?;
    let mut api_process = Command::new(exe)
        .arg("--serve-api")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(BenchError::ApiProcess)?;
    let api_pid = api_process.id();
    let mut port_line = String::new();
    if let Some(out) = api_process.stdout.take() {
        BufReader::new(out)
            .read_line(&mut port_line)
            .await
            .map_err(BenchError::ApiProcess)?;
    }
    let port: u16 = port_line
        .trim()
        .parse()
        .map_err(|_| BenchError::NoPort(port_line.clone()))?;
    let client = client_for(port, BENCH)?;

    eprintln!(
        "creating {} KafkaConnects and {} KafkaConnectors",
        args.connects, args.connectors
    );
    create_objects(&client, args.connects, args.connectors).await?;
    let before_operator = memory("self");

    let started = Instant::now();
    let shutdown = CancellationToken::new();
    let metrics = Metrics::new()?;
    let ctx = Arc::new(Context::new(
        client_for(port, OPERATOR)?,
        WORKER_IMAGE.to_owned(),
        metrics.clone(),
        "ferry-operator-scale".to_owned(),
    ));
    let operator = tokio::spawn(run_all(ctx, Vec::new(), shutdown.clone()));
    let reconciled = wait_until_every(
        "every object reconciled",
        timeout,
        Duration::from_millis(50),
        || all_reconciled(&client, args.connects, args.connectors),
    )
    .await?;
    let to_reconciled = started.elapsed();
    eprintln!("reconciled after {to_reconciled:?}: {reconciled}");
    let startup_requests = operator_requests(&client).await?;

    let settled_requests = settle(&client, Duration::from_secs(args.quiet_secs), timeout).await?;
    eprintln!("settled; counting requests for {} s", args.window_secs);
    // A window, not a wait for a condition: the figure is what happens in it.
    tokio::time::sleep(Duration::from_secs(args.window_secs)).await;
    let window_requests = difference(&operator_requests(&client).await?, &settled_requests);
    let window_total: u64 = window_requests.values().sum();
    let per_minute = window_total as f64 * 60.0 / args.window_secs.max(1) as f64;
    let operator_memory = memory("self");
    let api_memory = api_pid
        .map(|pid| memory(&pid.to_string()))
        .unwrap_or(Memory {
            rss_kib: 0,
            hwm_kib: 0,
        });
    let reconciles = |kind: &str| metrics.reconciles.with_label_values(&[kind]).get();

    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| objects | {} KafkaConnects, {} KafkaConnectors |",
        args.connects, args.connectors
    );
    println!(
        "| time until all reconciled | {:.2} s |",
        to_reconciled.as_secs_f64()
    );
    println!(
        "| operator requests until reconciled | {} ({}) |",
        startup_requests.values().sum::<u64>(),
        verbs(&startup_requests)
    );
    println!(
        "| reconciles until settled | {} KafkaConnect, {} KafkaConnector |",
        reconciles("KafkaConnect"),
        reconciles("KafkaConnector")
    );
    println!(
        "| steady-state operator requests | {window_total} in {} s = {per_minute:.1}/min ({}) |",
        args.window_secs,
        verbs(&window_requests)
    );
    println!(
        "| operator process VmRSS / VmHWM at the end | {:.1} MiB / {:.1} MiB |",
        mib(operator_memory.rss_kib),
        mib(operator_memory.hwm_kib)
    );
    println!(
        "| operator process VmRSS before the controllers started | {:.1} MiB |",
        mib(before_operator.rss_kib)
    );
    println!(
        "| API process VmRSS / VmHWM (not the operator) | {:.1} MiB / {:.1} MiB |",
        mib(api_memory.rss_kib),
        mib(api_memory.hwm_kib)
    );
    shutdown.cancel();
    if let Err(e) = operator.await {
        eprintln!("the controllers panicked: {e}");
    }
    drop(api_process.stdin.take());
    let _ = api_process.wait().await;
    Ok(())
}

async fn create_objects(
    client: &Client,
    connects: usize,
    connectors: usize,
) -> Result<(), BenchError> {
    let params = PatchParams::apply(BENCH).force();
    let connect_api: Api<KafkaConnect> = Api::namespaced(client.clone(), NS);
    for i in 0..connects {
        let name = format!("connect-{i}");
        let mut kc =
            KafkaConnect::new(&name, KafkaConnectSpec::new("kafka:9092", &name, "offsets"));
        kc.metadata.namespace = Some(NS.into());
        connect_api
            .patch(&name, &params, &Patch::Apply(&kc))
            .await
            .map_err(|source| BenchError::Create {
                what: name,
                source: Box::new(source),
            })?;
    }
    let connector_api: Api<KafkaConnector> = Api::namespaced(client.clone(), NS);
    for i in 0..connectors {
        let name = format!("connector-{i}");
        let cluster = format!("connect-{}", i % connects.max(1));
        let mut c = KafkaConnector::new(&name, KafkaConnectorSpec::new("FileStreamSource"));
        c.metadata.namespace = Some(NS.into());
        c.metadata.labels = Some([(ferry_crds::CLUSTER_LABEL.to_owned(), cluster)].into());
        c.spec.config = [
            ("file", format!("/data/{name}.txt")),
            ("topic", format!("topic-{i}")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), ConfigValue::String(v)))
        .collect();
        connector_api
            .patch(&name, &params, &Patch::Apply(&c))
            .await
            .map_err(|source| BenchError::Create {
                what: name,
                source: Box::new(source),
            })?;
    }
    Ok(())
}

/// Whether every KafkaConnect is Ready and every KafkaConnector is at its final reason for its
/// current generation.
async fn all_reconciled(client: &Client, connects: usize, connectors: usize) -> Poll<String> {
    let lp = ListParams::default();
    let connect_api = Api::<KafkaConnect>::namespaced(client.clone(), NS);
    let connector_api = Api::<KafkaConnector>::namespaced(client.clone(), NS);
    let (kcs, cs) = match tokio::try_join!(connect_api.list(&lp), connector_api.list(&lp)) {
        Ok(lists) => lists,
        Err(e) => return Poll::NotYet(format!("listing: {e}")),
    };
    let ready_connects = kcs
        .items
        .iter()
        .filter(|kc| {
            kc.status.as_ref().is_some_and(|s| {
                current_ready(&s.conditions, kc.metadata.generation)
                    .is_some_and(|r| r.status == "True")
            })
        })
        .count();
    let done_connectors = cs
        .items
        .iter()
        .filter(|c| {
            c.status.as_ref().is_some_and(|s| {
                s.observed_generation == c.metadata.generation
                    && current_ready(&s.conditions, c.metadata.generation)
                        .is_some_and(|r| r.reason == reasons::NO_WORKERS)
            })
        })
        .count();
    let example = cs
        .items
        .iter()
        .find(|c| {
            !c.status.as_ref().is_some_and(|s| {
                current_ready(&s.conditions, c.metadata.generation)
                    .is_some_and(|r| r.reason == reasons::NO_WORKERS)
            })
        })
        .map(|c| {
            let s = c.status.clone().unwrap_or_default();
            let ready = s.conditions.iter().find(|r| r.type_ == "Ready").map(|r| {
                format!(
                    "{} {} ({:?} of {:?})",
                    r.reason, r.message, r.observed_generation, c.metadata.generation
                )
            });
            format!(
                "; e.g. {}: Ready {ready:?}, assignment {:?}",
                c.metadata.name.clone().unwrap_or_default(),
                s.assignment
            )
        })
        .unwrap_or_default();
    let seen = format!(
        "{ready_connects}/{connects} KafkaConnects ready, {done_connectors}/{connectors} KafkaConnectors reconciled ({} listed){example}",
        cs.items.len()
    );
    if ready_connects == connects && done_connectors == connectors {
        Poll::Done(seen)
    } else {
        Poll::NotYet(seen)
    }
}

/// The Ready condition, if it is for `generation`.
fn current_ready(conditions: &[Condition], generation: Option<i64>) -> Option<&Condition> {
    conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.observed_generation == generation)
}

fn difference(
    now: &BTreeMap<String, u64>,
    before: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    now.iter()
        .map(|(verb, n)| {
            let then = before.get(verb).copied().unwrap_or(0);
            (verb.clone(), n.saturating_sub(then))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn verbs(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(verb, n)| format!("{verb} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// VmRSS and VmHWM of process `pid` (`self` for this one); zeros when unreadable.
fn memory(pid: &str) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
