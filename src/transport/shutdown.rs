//! Graceful shutdown: the signals that start it, and the HTTP requests it waits for.

use super::guarded_body::hold_until_sent;
use crate::mcp::in_flight::InFlight;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A token cancelled on SIGTERM or SIGINT (Ctrl-C). Call it early: until then the signals
/// still end the process at once.
pub fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let fired = token.clone();
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    tokio::spawn(async move {
        #[cfg(unix)]
        match terminate {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => tracing::info!("SIGTERM: shutting down"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: shutting down"),
                }
                fired.cancel();
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM; SIGINT still works"),
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("SIGINT: shutting down");
            fired.cancel();
        }
    });
    token
}

/// Counts each MCP POST until its answer has been sent; once the shutdown began, new ones get 503.
pub async fn track(
    State(requests): State<Arc<InFlight>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match requests.enter() {
        Some(guard) => hold_until_sent(next.run(request).await, guard),
        None => {
            crate::foundation::metrics::http_refusal("shutting_down");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONNECTION, "close")],
                "the server is shutting down; retry once it is back (or on another replica)",
            )
                .into_response()
        }
    }
}
