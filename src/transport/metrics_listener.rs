//! `--metrics-addr`: the Prometheus text at `/metrics` on a listener of its own, behind the same
//! Host/Origin policy as `/mcp` (else a web page could read it through DNS rebinding) and the
//! same connection bounds and timeouts.

use super::connections;
use super::http::{HttpError, connection_limits};
use super::origin_guard::{HostOriginPolicy, check_host_and_origin};
use crate::foundation::config::TransportArgs;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Listens on `addr` and serves `/metrics` there until `shutdown` fires; returns the address
/// bound (the port chosen, for port 0).
pub async fn spawn(
    addr: SocketAddr,
    metrics: PrometheusHandle,
    args: &TransportArgs,
    shutdown: CancellationToken,
) -> Result<SocketAddr, HttpError> {
    let bind_failed = |source| HttpError::Bind { addr, source };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_failed)?;
    let bound = listener.local_addr().map_err(bind_failed)?;
    let policy = Arc::new(HostOriginPolicy::new(
        &args.allowed_hosts,
        &args.allowed_origins,
        bound,
    )?);
    let app = Router::new()
        .route("/metrics", get(move || async move { metrics.render() }))
        .layer(from_fn_with_state(policy, check_host_and_origin));
    tokio::spawn(connections::serve(
        listener,
        app,
        connection_limits(args),
        shutdown,
    ));
    tracing::info!(addr = %bound, "serving Prometheus metrics at /metrics");
    Ok(bound)
}
