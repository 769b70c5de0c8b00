//! MCP over stdin/stdout, with a graceful stop on SIGTERM/SIGINT.

use crate::mcp::SpotifyServer;
use rmcp::ServiceExt;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Serves until stdin closes or `shutdown` fires; then running calls get `grace` to finish.
pub async fn serve(
    server: SpotifyServer,
    shutdown: CancellationToken,
    grace: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let calls = server.calls_in_flight();
    let running = tokio::select! {
        running = server.serve(rmcp::transport::stdio()) => running?,
        () = shutdown.cancelled() => return Ok(()),
    };
    let cancel = running.cancellation_token();
    let waiting = running.waiting();
    tokio::pin!(waiting);
    tokio::select! {
        finished = &mut waiting => {
            finished?;
        }
        () = shutdown.cancelled() => {
            if !calls.drain(grace).await {
                tracing::warn!(running = calls.running(), "shutdown grace over: calls still running are dropped");
            }
            // rmcp then writes the answers already computed before it closes stdout.
            cancel.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(5), waiting).await;
        }
    }
    Ok(())
}
