//! The accept loop under every HTTP listener: hyper with a timer (so a client that never
//! finishes its headers, or idles on a kept-alive connection, is cut off), a bound on open
//! connections, TCP_NODELAY, and graceful shutdown from hyper-util.

use crate::foundation::metrics;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// How often "connection limit reached" may be logged.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// How much one listener lets its clients hold.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, and to start the next one on a kept-alive connection.
    pub header_timeout: Duration,
    /// Connections open at once; the next waits in the kernel's listen queue.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` fires; then stops accepting, lets every open
/// connection finish the request it is on, and returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut warned = None;
    loop {
        // A free place first, then accept: beyond the bound, clients wait in the listen queue.
        let place = tokio::select! {
            () = shutdown.cancelled() => break,
            place = acquire(&open, limits.max_connections, &mut warned) => match place {
                Some(place) => place,
                None => break,
            },
        };
        let tcp = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => tcp,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
        };
        // rmcp writes each answer in several small pieces; without TCP_NODELAY a client that
        // delays its ACKs waits ~40 ms per call.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY on a connection");
        }
        let connection =
            http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        metrics::http_connections(1.0);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "HTTP connection ended with an error");
            }
            drop(place);
            metrics::http_connections(-1.0);
        });
    }
    // New connections are refused from here on.
    drop(listener);
    graceful.shutdown().await;
}

/// A free place; `None` only if the semaphore were closed, which nothing does.
async fn acquire(
    open: &Arc<Semaphore>,
    max: usize,
    warned: &mut Option<Instant>,
) -> Option<OwnedSemaphorePermit> {
    // Once a minute at most: under a flood this would fire on every closed connection.
    if open.available_permits() == 0 && warned.is_none_or(|at| at.elapsed() > WARN_EVERY) {
        *warned = Some(Instant::now());
        tracing::warn!(
            max,
            "HTTP connection limit reached (--max-connections): new connections wait until one closes"
        );
    }
    open.clone().acquire_owned().await.ok()
}

/// Out of file descriptors or a connection reset before it was accepted: log, pause, go on.
async fn accept_failed(error: std::io::Error) {
    tracing::warn!(%error, "cannot accept an HTTP connection");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
