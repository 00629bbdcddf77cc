//! `ferry-worker standalone`: the start-up and shutdown sequence of Kafka's `ConnectStandalone`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::embedded::{spawn_console_consumer, EmbeddedKafka};
use super::{exit, StandaloneArgs};
use crate::config::connector::parse_topics_list;
use crate::config::properties::{load_connector_file, load_properties_file, ConnectorFile};
use crate::config::providers::ConfigProviders;
use crate::config::worker::WorkerConfig;
use crate::config::Props;
use crate::metrics::WorkerMetrics;
use crate::rest::herder::{Herder, TargetState};
use crate::runtime::StandaloneHerder;
use crate::storage::{FileOffsetStore, OffsetStore};

pub(super) fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    tracing::error!("{message}");
    eprintln!("ferry-worker: {message}");
    ExitCode::from(code)
}

/// The topics a connector reads or writes, for the embedded Kafka (which does not create topics on
/// demand the way a broker with auto-creation would).
fn connector_topics(config: &Props) -> Vec<String> {
    let mut topics = Vec::new();
    if let Some(t) = config
        .get("topic")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        topics.push(t.to_string());
    }
    if let Some(t) = config.get("topics") {
        topics.extend(parse_topics_list(t));
    }
    topics
}

/// The embedded Kafka starts empty on every run, but the offsets file keeps what the sources read
/// in earlier runs: a source resumes after it (as Kafka's does), so a second try of the tutorial
/// shows nothing for the lines it already read. Saying so spares the user a silent, puzzling run.
fn warn_of_earlier_offsets(
    offsets: &dyn OffsetStore,
    connectors: &[(std::path::PathBuf, ConnectorFile, Option<TargetState>)],
    offsets_file: &str,
) {
    for (_, file, _) in connectors {
        if !offsets.all(&file.name).is_empty() {
            tracing::warn!(
                connector = %file.name,
                "EMBEDDED KAFKA starts empty, but {offsets_file} holds offsets of {} from an earlier run: its source resumes after what that run read, whose records this broker does not have. Delete {offsets_file} to read the input from the start",
                file.name
            );
        }
    }
}

fn parse_initial_state(file: &ConnectorFile, path: &Path) -> Result<Option<TargetState>, String> {
    match file
        .initial_state
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None => Ok(None),
        Some("RUNNING") => Ok(Some(TargetState::Started)),
        Some("PAUSED") => Ok(Some(TargetState::Paused)),
        Some("STOPPED") => Ok(Some(TargetState::Stopped)),
        Some(other) => Err(format!(
            "{}: invalid initial_state '{other}'; use RUNNING, PAUSED or STOPPED",
            path.display()
        )),
    }
}

pub async fn run(args: StandaloneArgs) -> ExitCode {
    let started_at = std::time::Instant::now();
    let mut props = match load_properties_file(&args.worker_properties) {
        Ok(p) => p,
        Err(e) => return fail(exit::CONFIG, e),
    };

    // Connector files are read up front so a typo fails fast, before anything starts.
    let mut connectors = Vec::new();
    for path in &args.connector_files {
        match load_connector_file(path) {
            Ok(file) => match parse_initial_state(&file, path) {
                Ok(state) => connectors.push((path.clone(), file, state)),
                Err(message) => return fail(exit::CONFIG, message),
            },
            Err(e) => return fail(exit::CONFIG, e),
        }
    }

    let embedded = if args.embedded_kafka {
        let kafka = match EmbeddedKafka::start() {
            Ok(k) => k,
            Err(e) => return fail(exit::CONFIG, e),
        };
        let bootstrap = kafka.bootstrap_servers();
        tracing::warn!(
            bootstrap = %bootstrap,
            "EMBEDDED KAFKA: an in-process mock broker (librdkafka's mock cluster), in memory only and NOT durable; for trying Ferry out, never for real data. bootstrap.servers from {} is ignored",
            args.worker_properties.display()
        );
        props.insert("bootstrap.servers".to_string(), bootstrap);
        let topics: BTreeSet<String> = connectors
            .iter()
            .flat_map(|(_, f, _)| connector_topics(&f.config))
            .collect();
        for topic in &topics {
            if let Err(e) = kafka.create_topic(topic, 1) {
                return fail(exit::CONFIG, e);
            }
        }
        Some((kafka, topics))
    } else {
        None
    };

    // Config providers come from the raw worker config; every other worker value may then use them
    // (Kafka resolves worker configs the same way).
    let providers = match ConfigProviders::from_worker_props(&props) {
        Ok(p) => p,
        Err(e) => {
            return fail(
                exit::CONFIG,
                format!("{}: {e}", args.worker_properties.display()),
            )
        }
    };
    let props = match resolve_worker_props(&providers, props).await {
        Ok(p) => p,
        Err(e) => {
            return fail(
                exit::CONFIG,
                format!("{}: {e}", args.worker_properties.display()),
            )
        }
    };
    let (config, warnings) = match WorkerConfig::from_props(props) {
        Ok(c) => c,
        Err(e) => {
            return fail(
                exit::CONFIG,
                format!("{}: {e}", args.worker_properties.display()),
            )
        }
    };
    for w in warnings {
        tracing::warn!("{}: {w}", args.worker_properties.display());
    }
    let settings = match super::worker_settings(&config) {
        Ok(s) => s,
        Err(e) => {
            return fail(
                exit::CONFIG,
                format!("{}: {e}", args.worker_properties.display()),
            )
        }
    };
    let offsets_file = config.offset_storage_file_filename();
    let offsets: Arc<dyn OffsetStore> = match FileOffsetStore::open(offsets_file) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(exit::CONFIG, e),
    };
    if embedded.is_some() {
        warn_of_earlier_offsets(offsets.as_ref(), &connectors, offsets_file);
    }
    let metrics = match WorkerMetrics::new() {
        Ok(m) => Arc::new(m),
        Err(e) => return fail(exit::CONFIG, e),
    };
    let herder = Arc::new(
        StandaloneHerder::new(settings, offsets, metrics).with_config_providers(providers),
    );

    // The REST API comes up first, as in Kafka, so status is visible while connectors start.
    let shutdown = CancellationToken::new();
    let servers = match super::rest::serve_rest(
        &config,
        herder.clone() as Arc<dyn Herder>,
        &shutdown,
        &args.worker_properties,
    )
    .await
    {
        Ok(s) => s,
        Err(message) => return fail(exit::CONFIG, message),
    };

    let console = embedded.as_ref().map(|(kafka, topics)| {
        spawn_console_consumer(
            kafka.bootstrap_servers(),
            topics.iter().cloned().collect(),
            shutdown.clone(),
        )
    });

    for (path, file, state) in connectors {
        if let Err(e) = herder
            .create_from_file(&file.name, file.config, state)
            .await
        {
            herder.shutdown().await;
            shutdown.cancel();
            return fail(
                exit::CONNECTOR,
                format!(
                    "failed to create connector '{}' from {}: {e}",
                    file.name,
                    path.display()
                ),
            );
        }
        tracing::info!(connector = %file.name, file = %path.display(), "connector created");
    }
    herder.mark_started();
    tracing::info!(
        startup_ms = started_at.elapsed().as_millis() as u64,
        worker_id = %herder.worker_id(),
        "Ferry worker started"
    );

    wait_for_signal().await;
    tracing::info!("shutting down: stopping connectors, flushing and committing offsets");
    herder.shutdown().await;
    shutdown.cancel();
    for s in servers {
        let _ = s.await;
    }
    if let Some(c) = console {
        let _ = c.await;
    }
    drop(embedded);
    tracing::info!("Ferry worker stopped");
    ExitCode::SUCCESS
}

/// Resolves the placeholders in the worker config, except in the provider declarations themselves.
pub(super) async fn resolve_worker_props(
    providers: &ConfigProviders,
    props: Props,
) -> Result<Props, crate::config::providers::ResolveError> {
    let (declarations, rest): (Props, Props) = props
        .into_iter()
        .partition(|(k, _)| k.starts_with("config.providers"));
    let mut resolved = providers.resolve(&rest).await?;
    resolved.extend(declarations);
    Ok(resolved)
}

/// Waits for SIGTERM or SIGINT (Ctrl-C).
pub(super) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the worker");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
