//! Calls per second with N requests in flight through rmcp client peers: the stdio rows. (Over
//! streamable HTTP the bench uses the raw load generator in `load.rs`.)

use super::error::BenchError;
use super::measure::Call;
use super::process::STEP_TIMEOUT;
use rmcp::RoleClient;
use rmcp::model::CallToolRequestParams;
use rmcp::service::Peer;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Sends `total` calls, one worker per peer each with one call in flight (stopping early after
/// `budget`), and answers the rate of successful ones. Peers may share one session.
pub async fn calls_per_second(
    peers: Vec<Peer<RoleClient>>,
    call: &Call,
    total: usize,
    budget: Duration,
) -> Result<f64, BenchError> {
    let concurrency = peers.len();
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for peer in peers {
        let issued = issued.clone();
        let params = CallToolRequestParams::new(call.tool).with_arguments(call.arguments.clone());
        workers.spawn(async move {
            let mut done = 0usize;
            while issued.fetch_add(1, Ordering::Relaxed) < total && started.elapsed() < budget {
                let answer =
                    tokio::time::timeout(STEP_TIMEOUT, peer.call_tool(params.clone())).await;
                match answer {
                    Ok(Ok(result)) if result.is_error != Some(true) => done += 1,
                    Ok(Ok(_)) => return Err("a call answered with an error".to_string()),
                    Ok(Err(e)) => return Err(e.to_string()),
                    Err(_) => return Err("a call timed out".to_string()),
                }
            }
            Ok(done)
        });
    }
    let mut done = 0;
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(n)) => done += n,
            Ok(Err(problem)) => {
                workers.abort_all();
                return Err(BenchError::Protocol(format!(
                    "{} at concurrency {concurrency}: {problem}",
                    call.tool
                )));
            }
            Err(e) => return Err(BenchError::Protocol(format!("a worker failed: {e}"))),
        }
    }
    Ok(done as f64 / started.elapsed().as_secs_f64())
}
