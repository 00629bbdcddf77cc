//! What a transform chain costs on the worker's own thread, apart from Kafka: the file source's
//! records (a 100-byte line, the string schema) through the transforms and the converters, as the
//! source task runs them, timed per record. Prints figures; asserts nothing.
//!
//! `cargo run --release -p ferry-worker --example chain_cost [records] [rounds] [chain]`
//!
//! The chains are ferry-bench's (docs/benchmarks.md): none, the struct chain (HoistField$Value,
//! InsertField$Value, ReplaceField$Value) and the value-preserving one (RegexRouter, InsertHeader,
//! Filter with RecordIsTombstone).

use std::sync::Arc;
use std::time::Instant;

use ferry_worker::config::connector::ConnectorKind;
use ferry_worker::config::Props;
use ferry_worker::data::{ConnectRecord, Schema, SourceOffset, SourcePartition, Value};
use ferry_worker::runtime::converters::RecordConverters;
use ferry_worker::transforms::registry::build_chain;
use ferry_worker::transforms::{Disposition, TransformChain};

// As in the worker's binary (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn records(n: usize, topic: &str) -> Vec<ConnectRecord> {
    let mut partition = SourcePartition::new();
    partition.insert("filename".into(), "input.txt".into());
    let partition = Arc::new(partition);
    let schema = Schema::string();
    (0..n)
        .map(|i| {
            let mut offset = SourceOffset::new();
            offset.insert("position".into(), ((i as u64 + 1) * 101).into());
            let mut line = "line of the input file, ".repeat(4);
            line.truncate(90);
            line.push_str(&format!("{i:010}"));
            ConnectRecord::source(
                Arc::clone(&partition),
                Arc::new(offset),
                topic,
                Some(schema.clone()),
                Value::String(line),
                Some(1_700_000_000_000),
            )
        })
        .collect()
}

/// Transforms, then key, value and header conversion, as the source task does; returns the bytes
/// produced so the work cannot be optimised away.
fn run(chain: &TransformChain, converters: &RecordConverters, batch: Vec<ConnectRecord>) -> usize {
    let mut bytes = 0;
    for mut record in batch {
        if !chain.is_empty() {
            match chain.apply_in_place(&mut record) {
                Ok(Disposition::Keep) => {}
                Ok(Disposition::Drop) => continue,
                Err(e) => panic!("transform failed: {e}"),
            }
        }
        let key = converters
            .key
            .from_connect_data(&record.topic, record.key_schema.as_ref(), &record.key)
            .expect("key");
        let value = converters
            .value
            .from_connect_data(&record.topic, record.value_schema.as_ref(), &record.value)
            .expect("value");
        bytes += key.map_or(0, |k| k.len()) + value.map_or(0, |v| v.len());
        for h in record.headers.iter() {
            let b = converters
                .header
                .from_connect_header(&record.topic, &h.key, h.schema.as_ref(), &h.value)
                .expect("header");
            bytes += b.map_or(0, |b| b.len());
        }
    }
    bytes
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    // Only the chains whose label contains this text (to profile one).
    let only = args.next().unwrap_or_default();
    let worker = props(&[
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ]);
    let chains: [(&str, &str, Props); 3] = [
        ("none", "bench-ferry", props(&[])),
        (
            "struct chain",
            "bench-ferry-chain",
            props(&[
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
            ]),
        ),
        (
            "value-preserving",
            "bench-ferry-routing",
            props(&[
                ("transforms", "route,stamp,dropTombstones"),
                (
                    "transforms.route.type",
                    "org.apache.kafka.connect.transforms.RegexRouter",
                ),
                ("transforms.route.regex", "(.*)-routing"),
                ("transforms.route.replacement", "$1-routed"),
                (
                    "transforms.stamp.type",
                    "org.apache.kafka.connect.transforms.InsertHeader",
                ),
                ("transforms.stamp.header", "data_source"),
                ("transforms.stamp.value.literal", "bench"),
                (
                    "transforms.dropTombstones.type",
                    "org.apache.kafka.connect.transforms.Filter",
                ),
                ("transforms.dropTombstones.predicate", "isTombstone"),
                ("predicates", "isTombstone"),
                (
                    "predicates.isTombstone.type",
                    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
                ),
            ]),
        ),
    ];
    println!("| chain | ns per record (median of {rounds}) | all rounds | bytes per record |");
    println!("|---|---|---|---|");
    for (label, topic, connector) in chains.iter().filter(|(l, _, _)| l.contains(&only)) {
        let mut connector = connector.clone();
        connector.insert("name".into(), "chain-cost".into());
        connector.insert("connector.class".into(), "FileStreamSource".into());
        let connector = &connector;
        let chain = build_chain(ConnectorKind::Source, connector).expect("chain");
        let converters = RecordConverters::for_connector(&worker, connector).expect("converters");
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..rounds {
            let batch = records(n, topic);
            let started = Instant::now();
            bytes = run(&chain, &converters, batch);
            times.push(started.elapsed().as_nanos() as f64 / n as f64);
        }
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        let all: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
        println!(
            "| {label} | {:.0} | {} | {} |",
            sorted[sorted.len() / 2],
            all.join(", "),
            bytes / n
        );
    }
}
