//! Process wiring: logging, client, health and metrics servers, leader election, controllers,
//! and graceful shutdown on SIGTERM / Ctrl-C.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use k8s_openapi::api::coordination::v1::Lease;
use kube::{Api, Client};
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::cli::Args;
use crate::controller::{run_all, Context};
use crate::http::{health_router, metrics_router, serve, Health};
use crate::leader::{LeadershipEnd, LeaseElector, Timing};
use crate::metrics::Metrics;

/// Why the operator stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cannot create the metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot create the Kubernetes client: {0}")]
    Client(#[source] kube::Error),
    #[error("leader election needs POD_NAMESPACE (the namespace of the Lease)")]
    NoLeaseNamespace,
    #[error("lost leadership; exiting so a fresh process can compete again")]
    LostLeadership,
    #[error("serving {what}: {source}")]
    Serve {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// Runs until SIGTERM/Ctrl-C (Ok) or a fatal error.
pub async fn run(args: Args) -> Result<(), AppError> {
    let shutdown = CancellationToken::new();
    tokio::spawn(signal_on_shutdown(shutdown.clone()));

    let metrics = Metrics::new()?;
    let health = Arc::new(Health::default());
    let servers = {
        let health_server = serve(
            args.health_addr,
            health_router(health.clone()),
            shutdown.clone(),
        );
        let metrics_server = serve(
            args.metrics_addr,
            metrics_router(metrics.clone()),
            shutdown.clone(),
        );
        tokio::spawn(async move {
            let (h, m) = tokio::join!(health_server, metrics_server);
            h.map_err(|source| AppError::Serve {
                what: "/healthz and /readyz",
                source,
            })?;
            m.map_err(|source| AppError::Serve {
                what: "/metrics",
                source,
            })
        })
    };

    let client = Client::try_default().await.map_err(AppError::Client)?;
    let identity = args
        .pod_name
        .clone()
        .unwrap_or_else(|| format!("ferry-operator-{}", std::process::id()));
    health.ready.store(true, Ordering::Relaxed);

    let elector = if args.leader_elect {
        let ns = args
            .pod_namespace
            .clone()
            .ok_or(AppError::NoLeaseNamespace)?;
        let api: Api<Lease> = Api::namespaced(client.clone(), &ns);
        Some(LeaseElector::new(
            api,
            &args.lease_name,
            &identity,
            Timing::default(),
        ))
    } else {
        None
    };
    if let Some(elector) = &elector {
        info!(identity = %identity, lease = %args.lease_name, "waiting for leadership");
        if !elector.acquire(&shutdown).await {
            return finish(servers).await;
        }
    }
    metrics.leader.set(1);

    let ctx = Arc::new(Context::new(
        client,
        args.worker_image.clone(),
        metrics.clone(),
        identity,
    ));
    info!(namespaces = ?args.namespaces, "starting controllers");
    let controllers = tokio::spawn(run_all(ctx, args.namespaces.clone(), shutdown.clone()));

    let mut lost = false;
    if let Some(elector) = &elector {
        if elector.hold(&shutdown).await == LeadershipEnd::Lost {
            // Another replica may already be reconciling: stop at once.
            error!("leadership lost");
            lost = true;
            health.failed.store(true, Ordering::Relaxed);
            metrics.leader.set(0);
            shutdown.cancel();
        }
    } else {
        shutdown.cancelled().await;
    }
    if let Err(e) = controllers.await {
        error!(error = %e, "controllers panicked");
    }
    if let Some(elector) = &elector {
        if !lost {
            elector.release().await;
        }
    }
    metrics.leader.set(0);
    if lost {
        return Err(AppError::LostLeadership);
    }
    finish(servers).await
}

async fn finish(servers: tokio::task::JoinHandle<Result<(), AppError>>) -> Result<(), AppError> {
    match servers.await {
        Ok(result) => result,
        Err(e) => {
            error!(error = %e, "server task panicked");
            Ok(())
        }
    }
}

/// Cancels `token` on SIGTERM (Kubernetes' stop signal) or Ctrl-C.
async fn signal_on_shutdown(token: CancellationToken) {
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
                error!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the operator");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    info!("shutting down");
    token.cancel();
}
