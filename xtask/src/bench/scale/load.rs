//! Many MCP sessions of many people over two replicas: session `i` is opened on replica
//! `i % 2` with token `i % tokens`; a fixed number of workers then take turns over all the
//! sessions, one call in flight each, timing every call.

use crate::bench::error::BenchError;
use crate::bench::load::{Connection, lossy, successful};
use crate::bench::measure::Call;
use crate::bench::process::STEP_TIMEOUT;
use crate::bench::stats::Latency;
use bytes::Bytes;
use futures::StreamExt;
use hyper::StatusCode;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Sessions opened at once while setting up (each an `initialize` and its notification).
const OPENING: usize = 16;

/// Calls per second and their latency.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub rate: f64,
    pub latency: Latency,
}

/// `count` sessions over `replicas`, each acting for one of `tokens` in turn.
pub(crate) async fn open(
    replicas: &[SocketAddr],
    tokens: &[String],
    count: usize,
) -> Result<Vec<Connection>, BenchError> {
    if replicas.is_empty() || tokens.is_empty() {
        return Err(BenchError::Protocol(
            "no replica or no token to call with".into(),
        ));
    }
    futures::stream::iter(0..count)
        .map(|i| {
            let (addr, token) = (replicas[i % replicas.len()], &tokens[i % tokens.len()]);
            async move {
                tokio::time::timeout(STEP_TIMEOUT, Connection::open(addr, Some(token)))
                    .await
                    .map_err(|_| BenchError::Timeout(format!("opening session {i}")))?
                    .map_err(|e| BenchError::Protocol(format!("session {i}: {e}")))
            }
        })
        .buffered(OPENING)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Closes every session (so the replicas' session limits are free again).
pub(crate) async fn close(connections: Vec<Connection>) {
    futures::stream::iter(connections)
        .for_each_concurrent(OPENING, Connection::close)
        .await;
}

/// `total` calls of `call` by `workers` workers taking turns over `connections` (given back
/// afterwards), within `budget`.
pub(crate) async fn run(
    connections: Vec<Connection>,
    call: &Call,
    workers: usize,
    total: usize,
    budget: Duration,
) -> Result<(Run, Vec<Connection>), BenchError> {
    let request = Bytes::from(
        json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": { "name": call.tool, "arguments": call.arguments }
        })
        .to_string(),
    );
    let workers = workers.clamp(1, connections.len().max(1));
    let mut shares: Vec<Vec<Connection>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, connection) in connections.into_iter().enumerate() {
        shares[i % workers].push(connection);
    }
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for share in shares {
        let (issued, request) = (issued.clone(), request.clone());
        tasks.spawn(worker(share, request, issued, total, started, budget));
    }
    let (mut samples, mut returned, mut ended) = (Vec::new(), Vec::new(), started);
    let mut problem = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(turn) => {
                samples.extend(turn.samples);
                returned.extend(turn.connections);
                ended = ended.max(turn.ended);
                problem = problem.or(turn.problem);
            }
            Err(e) => problem = problem.or(Some(format!("a worker failed: {e}"))),
        }
    }
    if let Some(problem) = problem {
        return Err(BenchError::Protocol(format!("{}: {problem}", call.tool)));
    }
    let latency = Latency::of(&samples)
        .ok_or_else(|| BenchError::Protocol(format!("no {} call finished", call.tool)))?;
    let rate = samples.len() as f64 / ended.duration_since(started).as_secs_f64();
    Ok((Run { rate, latency }, returned))
}

/// What one worker did: its latencies, its sessions back, when it stopped and why.
struct Turn {
    samples: Vec<Duration>,
    connections: Vec<Connection>,
    ended: Instant,
    problem: Option<String>,
}

async fn worker(
    mut connections: Vec<Connection>,
    request: Bytes,
    issued: Arc<AtomicUsize>,
    total: usize,
    started: Instant,
    budget: Duration,
) -> Turn {
    let mut samples = Vec::new();
    let mut problem = None;
    let (mut next, share) = (0, connections.len());
    while issued.fetch_add(1, Ordering::Relaxed) < total && started.elapsed() < budget {
        let connection = &mut connections[next % share];
        next += 1;
        if let Err(e) = connection.reopen_if_closed().await {
            problem = Some(e);
            break;
        }
        let sent = Instant::now();
        let mut answer = tokio::time::timeout(STEP_TIMEOUT, connection.post(request.clone())).await;
        // Closed by the server just as it was used: once more on a new connection.
        if matches!(answer, Ok(Err(_))) && connection.reopen_if_closed().await.is_ok() {
            answer = tokio::time::timeout(STEP_TIMEOUT, connection.post(request.clone())).await;
        }
        let outcome = match answer {
            Ok(Ok((StatusCode::OK, _, body))) => successful(&body, samples.is_empty()),
            Ok(Ok((status, _, body))) => Err(format!("answered {status}: {}", lossy(&body))),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("a call timed out".into()),
        };
        match outcome {
            Ok(()) => samples.push(sent.elapsed()),
            Err(e) => {
                problem = Some(e);
                break;
            }
        }
    }
    Turn {
        samples,
        connections,
        ended: Instant::now(),
        problem,
    }
}
