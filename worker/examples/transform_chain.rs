//! Prints what the benchmark's transform chain costs per record on one thread, without a broker:
//! the file source's record → (chain) → JsonConverter, against the same record converted directly.
//! This isolates issue 5's figure from the broker and the producer, which share the machine's
//! cores in `ferry-bench`.
//!
//! Times are this thread's time on a CPU (`/proc/thread-self/schedstat`), not wall-clock time, so
//! other work on the machine (a build, the broker) does not inflate them.
//!
//! `cargo run --release -p ferry-worker --example transform_chain -- [records] [rounds]`

use std::hint::black_box;
use std::sync::Arc;

use ferry_worker::config::connector::ConnectorKind;
use ferry_worker::config::Props;
use ferry_worker::converters::json::{JsonConverter, JsonConverterConfig};
use ferry_worker::converters::Converter;
use ferry_worker::data::{ConnectRecord, Schema, SourceOffset, SourcePartition, Value};
use ferry_worker::transforms::registry::build_chain;
use ferry_worker::transforms::{Disposition, TransformChain};

// The worker binary's allocator, so allocation costs here are the ones the worker pays.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The chain `ferry-bench` measures: HoistField, InsertField (a static field and the topic) and
/// ReplaceField (a rename).
const CHAIN: &[(&str, &str)] = &[
    ("transforms", "hoist,insert,rename"),
    (
        "transforms.hoist.type",
        "org.apache.kafka.connect.transforms.HoistField$Value",
    ),
    ("transforms.hoist.field", "line"),
    (
        "transforms.insert.type",
        "org.apache.kafka.connect.transforms.InsertField$Value",
    ),
    ("transforms.insert.static.field", "data_source"),
    ("transforms.insert.static.value", "bench"),
    ("transforms.insert.topic.field", "topic"),
    (
        "transforms.rename.type",
        "org.apache.kafka.connect.transforms.ReplaceField$Value",
    ),
    ("transforms.rename.renames", "line:text"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let records: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);

    // The chain's prefixes (no transform, the first one, the first two, all three), so each
    // transform's share shows.
    let chain_of = |stages: usize| -> Result<TransformChain, Box<dyn std::error::Error>> {
        let aliases = ["hoist", "insert", "rename"][..stages].join(",");
        let props: Props = [
            ("name", "bench"),
            ("connector.class", "FileStreamSource"),
            ("file", "/dev/null"),
            ("topic", "bench"),
        ]
        .into_iter()
        .chain(CHAIN.iter().copied().skip(1))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([("transforms".to_string(), aliases)])
        .collect();
        Ok(build_chain(ConnectorKind::Source, &props)?)
    };
    let chains = [chain_of(0)?, chain_of(1)?, chain_of(2)?, chain_of(3)?];
    let converter = JsonConverter::new(JsonConverterConfig::default());

    let mut partition = SourcePartition::new();
    partition.insert("filename".into(), "/tmp/in.txt".into());
    let partition = Arc::new(partition);
    let schema = Schema::string();
    let lines: Vec<String> = (0..records)
        .map(|i| format!("{i:012}{}", "x".repeat(87)))
        .collect();

    println!(
        "| round | no transform | + HoistField | + InsertField | + ReplaceField | chain cost |"
    );
    println!("|---|---|---|---|---|---|");
    let mut costs = Vec::new();
    for round in 1..=rounds {
        let run = |chain: &TransformChain| -> Result<f64, Box<dyn std::error::Error>> {
            let start = on_cpu()?;
            for (i, line) in lines.iter().enumerate() {
                let mut offset = SourceOffset::new();
                offset.insert("position".into(), (i as u64 * 100).into());
                let mut record = ConnectRecord::source(
                    Arc::clone(&partition),
                    Arc::new(offset),
                    "bench",
                    Some(schema.clone()),
                    Value::String(line.clone()),
                    Some(0),
                );
                if chain.apply_in_place(&mut record)? == Disposition::Drop {
                    continue;
                }
                let bytes = converter.from_connect_data(
                    &record.topic,
                    record.value_schema.as_ref(),
                    &record.value,
                )?;
                black_box(bytes);
            }
            Ok((on_cpu()? - start) as f64 / records as f64)
        };
        let times = chains.iter().map(run).collect::<Result<Vec<_>, _>>()?;
        let cost = times[3] / times[0] - 1.0;
        costs.push(cost);
        println!(
            "| {round} | {:.0} ns | {:.0} ns | {:.0} ns | {:.0} ns | {:+.0}% |",
            times[0],
            times[1],
            times[2],
            times[3],
            cost * 100.0
        );
    }
    costs.sort_by(f64::total_cmp);
    println!(
        "\nmedian chain cost over {rounds} rounds: {:+.0}%",
        costs[costs.len() / 2] * 100.0
    );
    Ok(())
}

/// Nanoseconds this thread has spent running on a CPU (the first field of its schedstat).
fn on_cpu() -> Result<u64, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    let first = stat
        .split_whitespace()
        .next()
        .ok_or("empty /proc/thread-self/schedstat")?;
    Ok(first.parse()?)
}
