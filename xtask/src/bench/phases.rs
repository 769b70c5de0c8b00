//! The measurements, each a phase that starts its own servers and closes them, returning the
//! raw figures; `rows.rs` turns them into the table.

use super::error::BenchError;
use super::measure::{self, Call};
use super::plan::{CONCURRENCY, Plan, SLOW_FAKE};
use super::process::{Launch, Memory, Session};
use super::servers::Servers;
use super::sizes::{self, Listing};
use super::stats::Latency;
use super::{load, throughput};
use rmcp::model::CallToolResult;
use serde_json::json;
use std::time::Duration;

/// Cold starts of spotify-mcp and of the floor.
pub struct ColdStarts {
    pub ours: Vec<Duration>,
    pub floor: Vec<Duration>,
}

pub async fn cold_starts(servers: &Servers<'_>, plan: Plan) -> Result<ColdStarts, BenchError> {
    eprintln!("bench: cold starts");
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    // Alternating, so drift in the machine's load touches both alike.
    for _ in 0..plan.cold_starts {
        ours.extend(measure::cold_starts(&servers.ours(&[]), 1, plan.budget).await?);
        floor.extend(measure::cold_starts(&servers.floor(), 1, plan.budget).await?);
    }
    Ok(ColdStarts { ours, floor })
}

/// One stdio session's figures: memory before and after, a timed call, rates per concurrency.
pub struct Stdio {
    pub idle: Memory,
    pub latency: Latency,
    pub rates: Vec<f64>,
    pub peak: Memory,
}

/// The floor over stdio, with its no-op tool timed too.
pub struct Floor {
    pub noop: Latency,
    pub album: Stdio,
}

pub async fn floor(servers: &Servers<'_>, plan: Plan) -> Result<Floor, BenchError> {
    eprintln!("bench: the floor");
    let session = servers.floor().connect().await?;
    session
        .client
        .list_all_tools()
        .await
        .map_err(|e| BenchError::Protocol(format!("floor: {e}")))?;
    let idle = session.memory()?;
    let noop = timed(&session, &Call::new("noop", json!({})), plan).await?;
    let album = servers.floor_album();
    let latency = timed(&session, &album, plan).await?;
    let rates = stdio_rates(&session, &album, plan).await?;
    let peak = session.memory()?;
    session.close().await;
    Ok(Floor {
        noop,
        album: Stdio {
            idle,
            latency,
            rates,
            peak,
        },
    })
}

/// spotify-mcp over stdio answering `get_album` from its cache.
pub async fn cache_hits(servers: &Servers<'_>, plan: Plan) -> Result<Stdio, BenchError> {
    eprintln!("bench: cache hits");
    let session = servers.ours(&[]).connect().await?;
    session
        .client
        .list_all_tools()
        .await
        .map_err(|e| BenchError::Protocol(format!("spotify-mcp: {e}")))?;
    let idle = session.memory()?;
    let get_album = servers.get_album();
    measure::call(&session.client, &get_album).await?; // fills the cache
    let latency = timed(&session, &get_album, plan).await?;
    let rates = stdio_rates(&session, &get_album, plan).await?;
    let peak = session.memory()?;
    session.close().await;
    Ok(Stdio {
        idle,
        latency,
        rates,
        peak,
    })
}

async fn stdio_rates(session: &Session, call: &Call, plan: Plan) -> Result<Vec<f64>, BenchError> {
    let mut rates = Vec::new();
    for concurrency in CONCURRENCY {
        let peers = vec![session.client.peer().clone(); concurrency];
        rates.push(
            throughput::calls_per_second(peers, call, plan.throughput_calls, plan.budget).await?,
        );
    }
    Ok(rates)
}

/// Rates per concurrency over streamable HTTP, and the server's memory after them.
pub struct Http {
    pub rates: Vec<f64>,
    pub memory: Memory,
}

/// spotify-mcp's and the floor's HTTP figures.
pub async fn http(servers: &Servers<'_>, plan: Plan) -> Result<(Http, Http), BenchError> {
    eprintln!("bench: HTTP throughput");
    // One session per concurrent client: a session's own in-flight requests are limited.
    let ours = servers.ours(&[]).over_http(&[
        "--transport",
        "http",
        "--bind",
        "127.0.0.1:0",
        "--max-sessions",
        "256",
    ]);
    let ours = http_rates(&ours, &servers.get_album(), plan).await?;
    let floor = http_rates(
        &servers.floor().over_http(&["--http"]),
        &servers.floor_album(),
        plan,
    )
    .await?;
    Ok((ours, floor))
}

/// Calls per second over streamable HTTP with 1, 16 and 64 connections, each its own session,
/// driven by the raw load generator (`load.rs`); and the server's memory after them.
async fn http_rates(launch: &Launch, call: &Call, plan: Plan) -> Result<Http, BenchError> {
    let server = launch.connect().await?;
    let result = async {
        measure::call(&server.client, call).await?; // fills the cache
        let addr = server
            .http_addr()
            .ok_or_else(|| BenchError::Protocol(format!("{}: no HTTP address", launch.name)))?;
        let mut rates = Vec::new();
        for concurrency in CONCURRENCY {
            rates.push(
                load::calls_per_second(addr, call, concurrency, plan.throughput_calls, plan.budget)
                    .await?,
            );
        }
        Ok(Http {
            rates,
            memory: server.memory()?,
        })
    }
    .await;
    server.close().await;
    result
}

/// Cache misses with the fake answering at once: the latency and the peak memory after them.
pub async fn cache_misses(
    servers: &Servers<'_>,
    plan: Plan,
) -> Result<(Latency, Memory), BenchError> {
    eprintln!("bench: cache misses (fake at 0 ms)");
    let session = servers.ours(&["--cache-max-bytes", "0"]).connect().await?;
    let misses = timed(&session, &servers.get_album(), plan).await?;
    let peak = session.memory()?;
    session.close().await;
    Ok((misses, peak))
}

/// Cache misses with the fake at `SLOW_FAKE`: what the server adds to a slow upstream.
pub async fn slow_misses(servers: &Servers<'_>, plan: Plan) -> Result<Latency, BenchError> {
    eprintln!("bench: cache misses (fake at {} ms)", SLOW_FAKE.as_millis());
    servers
        .fake
        .update(|k| k.latency_ms = SLOW_FAKE.as_millis() as u64);
    let session = servers.ours(&["--cache-max-bytes", "0"]).connect().await?;
    let slow_plan = Plan {
        calls: plan.slow_calls,
        ..plan
    };
    let slow = timed(&session, &servers.get_album(), slow_plan).await;
    session.close().await;
    servers.fake.update(|k| k.latency_ms = 0);
    slow
}

/// The catalog modes whose `tools/list` is sized, with their flags.
pub const CATALOG_MODES: [(&str, &[&str]); 4] = [
    ("default", &[]),
    ("--include-deprecated", &["--include-deprecated"]),
    ("--read-only", &["--read-only"]),
    ("--tool-mode dynamic", &["--tool-mode", "dynamic"]),
];

/// `tools/list` per catalog mode, in `CATALOG_MODES` order.
pub async fn listings(servers: &Servers<'_>) -> Result<Vec<Listing>, BenchError> {
    eprintln!("bench: tools/list per catalog mode");
    let mut listings = Vec::new();
    for (_, flags) in CATALOG_MODES {
        let session = servers.ours(flags).connect().await?;
        let listing = sizes::listing(&session.client, "spotify-mcp").await;
        session.close().await;
        listings.push(listing?);
    }
    Ok(listings)
}

/// One answer fetched projected (the default) and raw (`--raw-responses`).
pub struct Answer {
    pub label: &'static str,
    pub projected: Result<CallToolResult, BenchError>,
    pub raw: Result<CallToolResult, BenchError>,
}

/// Three answers of different shapes, each projected and raw.
pub async fn answers(servers: &Servers<'_>) -> Result<Vec<Answer>, BenchError> {
    eprintln!("bench: answers raw vs projected");
    let calls = [
        ("get_album", servers.get_album()),
        (
            "search, 3 types",
            Call::new(
                "search",
                json!({ "q": "love", "type": ["album", "artist", "track"], "limit": 10 }),
            ),
        ),
        (
            "get_playlist",
            Call::new("get_playlist", json!({ "playlist_id": servers.playlist })),
        ),
    ];
    let lean = servers.ours(&[]).connect().await?;
    let raw = servers.ours(&["--raw-responses"]).connect().await?;
    let mut answers = Vec::new();
    for (label, request) in &calls {
        let projected = measure::call(&lean.client, request).await;
        let whole = measure::call(&raw.client, request).await;
        answers.push(Answer {
            label,
            projected,
            raw: whole,
        });
    }
    lean.close().await;
    raw.close().await;
    Ok(answers)
}

async fn timed(session: &Session, call: &Call, plan: Plan) -> Result<Latency, BenchError> {
    let samples =
        measure::latencies(&session.client, |_| call.clone(), plan.calls, plan.budget).await?;
    Latency::of(&samples)
        .ok_or_else(|| BenchError::Protocol(format!("no {} call finished", call.tool)))
}
