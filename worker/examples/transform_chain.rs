//! Prints what ferry-bench's transform chains cost per record on one thread, without a broker: the
//! file source's record → (chain) → converters (key, value and headers, as the source task runs
//! them), against the same record converted directly. This isolates issue 5's figure from the
//! broker and the producer, which share the machine's cores in `ferry-bench`.
//!
//! Each chain is timed stage by stage (no transform, the first one, the first two, all three), so
//! each transform's share shows.
//!
//! Times are this thread's time on a CPU (`/proc/thread-self/schedstat`), not wall-clock time, so
//! other work on the machine (a build, the broker) does not inflate them.
//!
//! `cargo run --release -p ferry-worker --example transform_chain -- [records] [rounds]`

use std::hint::black_box;
use std::sync::Arc;

use ferry_worker::config::connector::ConnectorKind;
use ferry_worker::config::Props;
use ferry_worker::data::{ConnectRecord, Schema, SourceOffset, SourcePartition, Value};
use ferry_worker::runtime::converters::RecordConverters;
use ferry_worker::transforms::registry::build_chain;
use ferry_worker::transforms::{Disposition, TransformChain};

// The worker binary's allocator, so allocation costs here are the ones the worker pays.
#[global_allocator]
static GLOBAL: ferry_worker::allocator::MiMalloc = ferry_worker::allocator::MiMalloc;

type Error = Box<dyn std::error::Error>;

/// A chain ferry-bench measures: its name, the topic its records come with, its aliases in order,
/// and its settings.
struct Chain {
    name: &'static str,
    topic: &'static str,
    aliases: [&'static str; 3],
    settings: &'static [(&'static str, &'static str)],
}

const CHAINS: [Chain; 2] = [
    // HoistField, InsertField (a static field and the topic) and ReplaceField (a rename): the
    // record becomes a struct, and its JSON envelope carries the struct's schema.
    Chain {
        name: "struct chain",
        topic: "bench-ferry-chain",
        aliases: ["hoist", "insert", "rename"],
        settings: &[
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
        ],
    },
    // RegexRouter, InsertHeader and Filter (with RecordIsTombstone, which no line is): the value
    // stays as it is; the record gains a header and another topic.
    Chain {
        name: "value-preserving chain",
        topic: "bench-ferry-routing",
        aliases: ["route", "stamp", "dropTombstones"],
        settings: &[
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
        ],
    },
];

impl Chain {
    /// The connector settings with the first `stages` transforms of the chain.
    fn connector(&self, stages: usize) -> Props {
        [
            ("name", "bench"),
            ("connector.class", "FileStreamSource"),
            ("file", "/dev/null"),
            ("topic", self.topic),
        ]
        .into_iter()
        .chain(self.settings.iter().copied())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([("transforms".to_string(), self.aliases[..stages].join(","))])
        .collect()
    }
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let records: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    // Kafka's stock connect-standalone.properties: JsonConverter with schemas for keys and values.
    let worker: Props = [
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let lines: Vec<String> = (0..records)
        .map(|i| format!("{i:012}{}", "x".repeat(87)))
        .collect();
    for chain in &CHAINS {
        measure(chain, &worker, &lines, rounds)?;
    }
    Ok(())
}

/// Prints one table: each round's time per record for every prefix of `chain`, and the chain's
/// cost over no transform.
fn measure(chain: &Chain, worker: &Props, lines: &[String], rounds: usize) -> Result<(), Error> {
    let stages = (0..=3)
        .map(|n| -> Result<(TransformChain, RecordConverters), Error> {
            let connector = chain.connector(n);
            Ok((
                build_chain(ConnectorKind::Source, &connector)?,
                RecordConverters::for_connector(worker, &connector)?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let [first, second, third] = chain.aliases;
    println!("\n{} (records on topic {}):\n", chain.name, chain.topic);
    println!("| round | no transform | + {first} | + {second} | + {third} | chain cost |");
    println!("|---|---|---|---|---|---|");
    let mut costs = Vec::new();
    for round in 1..=rounds {
        let times = stages
            .iter()
            .map(|(transforms, converters)| {
                time_per_record(chain.topic, lines, transforms, converters)
            })
            .collect::<Result<Vec<_>, _>>()?;
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
        "\nmedian cost of the {} over {rounds} rounds: {:+.0}%",
        chain.name,
        costs[costs.len() / 2] * 100.0
    );
    Ok(())
}

/// This thread's CPU time per record to build each line's source record, run it through
/// `transforms` and convert its key, value and headers.
fn time_per_record(
    topic: &str,
    lines: &[String],
    transforms: &TransformChain,
    converters: &RecordConverters,
) -> Result<f64, Error> {
    let mut partition = SourcePartition::new();
    partition.insert("filename".into(), "/tmp/in.txt".into());
    let partition = Arc::new(partition);
    let schema = Schema::string();
    let start = on_cpu()?;
    for (i, line) in lines.iter().enumerate() {
        let mut offset = SourceOffset::new();
        offset.insert("position".into(), (i as u64 * 100).into());
        let mut record = ConnectRecord::source(
            Arc::clone(&partition),
            Arc::new(offset),
            topic,
            Some(schema.clone()),
            Value::String(line.clone()),
            Some(0),
        );
        if transforms.apply_in_place(&mut record)? == Disposition::Drop {
            continue;
        }
        let key = converters.key.from_connect_data(
            &record.topic,
            record.key_schema.as_ref(),
            &record.key,
        )?;
        let value = converters.value.from_connect_data(
            &record.topic,
            record.value_schema.as_ref(),
            &record.value,
        )?;
        for h in record.headers.iter() {
            black_box(converters.header.from_connect_header(
                &record.topic,
                &h.key,
                h.schema.as_ref(),
                &h.value,
            )?);
        }
        black_box((key, value));
    }
    Ok((on_cpu()? - start) as f64 / lines.len() as f64)
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
