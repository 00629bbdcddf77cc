//! The REST API's listeners, for both modes: one server per `listeners` entry, with the worker's
//! authentication and TLS settings.

use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::worker::WorkerConfig;
use crate::rest::auth::RestAuth;
use crate::rest::herder::Herder;

/// Binds every listener and serves `herder` on it until `shutdown`. `source` (the worker
/// properties file) is named in errors.
pub(super) async fn serve_rest(
    config: &WorkerConfig,
    herder: Arc<dyn Herder>,
    shutdown: &CancellationToken,
    source: &Path,
) -> Result<Vec<JoinHandle<()>>, String> {
    let listeners = config
        .listeners()
        .map_err(|e| format!("{}: {e}", source.display()))?;
    let (auth, tls) =
        rest_security(config, &listeners).map_err(|e| format!("{}: {e}", source.display()))?;
    let mut servers = Vec::new();
    for listener in listeners {
        let host = listener
            .host
            .clone()
            .unwrap_or_else(|| "0.0.0.0".to_string());
        let addr = format!(
            "{}:{}",
            host.trim_start_matches('[').trim_end_matches(']'),
            listener.port
        );
        let socket = match tokio::net::TcpListener::bind(&addr).await {
            Ok(s) => s,
            Err(e) => {
                return Err(format!(
                    "cannot listen on {addr} (listeners in {}): {e}",
                    source.display()
                ))
            }
        };
        tracing::info!(address = %socket.local_addr().map(|a| a.to_string()).unwrap_or(addr), scheme = %listener.scheme, authentication = auth.is_some(), "REST API listening");
        let mut router = crate::rest::router(herder.clone());
        if let Some(auth) = &auth {
            router = crate::rest::auth::protect(router, auth.clone());
        }
        let stop = shutdown.clone();
        let tls = tls.clone().filter(|_| listener.scheme == "https");
        servers.push(tokio::spawn(async move {
            let stopped = async move { stop.cancelled().await };
            let served = match tls {
                Some(tls) => crate::rest::serve_tls(socket, tls, router, stopped).await,
                None => crate::rest::serve(socket, router, stopped).await,
            };
            if let Err(e) = served {
                tracing::error!(error = %e, "REST server failed");
            }
        }));
    }

    Ok(servers)
}

/// The REST API's authentication (if any) and TLS configuration (if a listener is https).
type RestSecurity = (Option<Arc<RestAuth>>, Option<Arc<rustls::ServerConfig>>);

/// The REST API's authentication and, when a listener is https, its TLS configuration.
fn rest_security(
    config: &WorkerConfig,
    listeners: &[crate::config::worker::Listener],
) -> Result<RestSecurity, String> {
    for class in config.rest_extension_classes() {
        if class != crate::rest::auth::BASIC_AUTH_EXTENSION {
            tracing::warn!("REST extension '{class}' is not available in Ferry and is ignored");
        }
    }
    let kafka_opts = std::env::var("KAFKA_OPTS").ok();
    let auth = RestAuth::from_worker(
        config.originals(),
        config.rest_extension_classes(),
        kafka_opts.as_deref(),
    )
    .map_err(|e| e.to_string())?
    .map(Arc::new);
    let tls = if listeners.iter().any(|l| l.scheme == "https") {
        let ssl = crate::rest::tls::listener_ssl_props(config.originals());
        Some(crate::rest::tls::server_config(&ssl).map_err(|e| e.to_string())?)
    } else {
        None
    };
    Ok((auth, tls))
}
