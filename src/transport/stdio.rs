//! MCP over stdin/stdout, with a graceful stop on SIGTERM/SIGINT.

use super::shutdown;
use crate::mcp::SpotifyServer;
use rmcp::ServiceExt;
use std::time::Duration;

pub async fn serve(
    server: SpotifyServer,
    grace: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let calls = server.calls_in_flight();
    let running = server.serve(rmcp::transport::stdio()).await?;
    let cancel = running.cancellation_token();
    let waiting = running.waiting();
    tokio::pin!(waiting);
    tokio::select! {
        finished = &mut waiting => {
            finished?;
        }
        () = shutdown::signal() => {
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
