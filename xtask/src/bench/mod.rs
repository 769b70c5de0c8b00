//! `cargo xtask bench`: the release server against the fake Spotify, driven by a real MCP
//! client over stdio and a raw load generator over streamable HTTP, next to a minimal rmcp
//! server (the floor) driven the same way; one table, printed and written to BENCHMARKS.md.

pub mod load;
pub mod machine;
pub mod measure;
pub mod process;
pub mod report;
pub mod sizes;
pub mod stats;
pub mod table;
pub mod throughput;

use fake_spotify::{FakeSpotify, Kind, Knobs};
use measure::Call;
use process::{Launch, Memory, Session};
use serde_json::json;
use stats::{Latency, median, ratio};
use std::path::{Path, PathBuf};
use std::time::Duration;
use table::{Row, format_count, format_duration, format_kib};

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("`{0}` failed; fix the build first")]
    Build(String),
    #[error("cannot start {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("cannot start the fake Spotify: {0}")]
    Fake(std::io::Error),
    #[error("{0} (timed out)")]
    Timeout(String),
    #[error("{0}")]
    Protocol(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// How much to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub cold_starts: usize,
    pub calls: usize,
    /// Calls at the fake's 50 ms latency (each takes at least that).
    pub slow_calls: usize,
    pub throughput_calls: usize,
    /// Longest any one timed loop may run.
    pub budget: Duration,
}

impl Plan {
    pub const FULL: Plan = Plan {
        cold_starts: 10,
        calls: 1_000,
        slow_calls: 1_000,
        throughput_calls: 5_000,
        budget: Duration::from_secs(120),
    };
    pub const QUICK: Plan = Plan {
        cold_starts: 3,
        calls: 100,
        slow_calls: 20,
        throughput_calls: 500,
        budget: Duration::from_secs(30),
    };
}

pub struct Options {
    pub plan: Plan,
    pub build: bool,
    /// Where to write the Markdown report, if anywhere.
    pub output: Option<PathBuf>,
}

/// The fake's latency for the overhead measurement.
const SLOW_FAKE: Duration = Duration::from_millis(50);
const CONCURRENCY: [usize; 3] = [1, 16, 64];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The profile the measuring side (this program, with the fake and the clients) is built with.
const DRIVER_PROFILE: &str = "bench-tools";

/// Release builds of the server (as a user builds it) and of the floor, separately, so the
/// server's features are its own; and an optimized build of this program to drive them.
fn build(root: &Path) -> Result<(), BenchError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for args in [
        &[
            "build",
            "--release",
            "-p",
            "spotify-mcp",
            "--bin",
            "spotify-mcp",
        ][..],
        &["build", "--release", "-p", "xtask", "--bin", "bench-floor"][..],
        &[
            "build",
            "--profile",
            DRIVER_PROFILE,
            "-p",
            "xtask",
            "--bin",
            "xtask",
        ][..],
    ] {
        let command = format!("cargo {}", args.join(" "));
        eprintln!("bench: {command}");
        let status = std::process::Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .status()
            .map_err(|e| BenchError::Spawn(command.clone(), e))?;
        if !status.success() {
            return Err(BenchError::Build(command));
        }
    }
    Ok(())
}

pub fn run(options: Options) -> Result<(), BenchError> {
    let root = workspace_root();
    if options.build {
        build(&root)?;
    }
    if cfg!(debug_assertions) {
        return hand_over(&root, &options);
    }
    let release = target_dir(&root).join("release");
    let binaries = Binaries {
        server: release.join("spotify-mcp"),
        floor: release.join("bench-floor"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Io("a tokio runtime".into(), e))?;
    let busy_before = machine::busy_share();
    let rows = runtime.block_on(measure_all(options.plan, &binaries))?;
    let busy_after = machine::busy_share();
    let text = table::render(&rows);
    println!("{text}");
    if let Some(path) = options.output {
        let machine = machine::Machine::describe();
        let markdown = report::markdown(&machine, &text, options.plan, (busy_before, busy_after));
        std::fs::write(&path, markdown)
            .map_err(|e| BenchError::Io(path.display().to_string(), e))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(())
}

/// An unoptimized client measures itself more than the servers: runs the optimized build of this
/// program with the same options instead.
fn hand_over(root: &Path, options: &Options) -> Result<(), BenchError> {
    let driver = target_dir(root).join(DRIVER_PROFILE).join("xtask");
    if !driver.exists() {
        return Err(BenchError::Build(format!(
            "{} is missing: run `cargo xtask bench` without --no-build once",
            driver.display()
        )));
    }
    let mut command = std::process::Command::new(&driver);
    command.args(["bench", "--no-build"]);
    if options.plan == Plan::QUICK {
        command.arg("--quick");
    }
    // Only a --quick run has no output, and the driver's --quick means the same.
    if let Some(path) = &options.output {
        command.arg("--output").arg(path);
    }
    let status = command
        .status()
        .map_err(|e| BenchError::Spawn(driver.display().to_string(), e))?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::Protocol(format!(
            "the bench driver exited with {status}"
        )))
    }
}

pub struct Binaries {
    pub server: PathBuf,
    pub floor: PathBuf,
}

/// Every measurement, in the table's order.
async fn measure_all(plan: Plan, binaries: &Binaries) -> Result<Vec<Row>, BenchError> {
    let fake = FakeSpotify::start(Knobs::default())
        .await
        .map_err(BenchError::Fake)?;
    let token = fake.issue_user_token().access_token;
    let album = fake
        .ids(Kind::Album)
        .into_iter()
        .next()
        .ok_or_else(|| no_data("album"))?;
    let playlist = fake
        .own_playlist_ids()
        .into_iter()
        .next()
        .ok_or_else(|| no_data("playlist"))?;
    let ours = |extra: &[&str]| {
        Launch::new("spotify-mcp", binaries.server.clone())
            .args(["serve"])
            .args(extra.iter().copied())
            .env("SPOTIFY_ACCESS_TOKEN", token.clone())
            .env("SPOTIFY_API_BASE_URL", fake.api_url())
            .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
            .env(
                "SPOTIFY_MCP_TOKEN_FILE",
                std::env::temp_dir()
                    .join("spotify-mcp-bench-no-login/token.json")
                    .display()
                    .to_string(),
            )
    };
    let floor = Launch::new("floor", binaries.floor.clone());
    let get_album = Call::new("get_album", json!({ "id": album }));
    let floor_album = Call::new("album", json!({}));
    let mut rows = Vec::new();

    eprintln!("bench: cold starts");
    let (mut ours_starts, mut floor_starts) = (Vec::new(), Vec::new());
    // Alternating, so drift in the machine's load touches both alike.
    for _ in 0..plan.cold_starts {
        ours_starts.extend(measure::cold_starts(&ours(&[]), 1, plan.budget).await?);
        floor_starts.extend(measure::cold_starts(&floor, 1, plan.budget).await?);
    }
    let (ours_start, floor_start) = (median(&ours_starts), median(&floor_starts));
    rows.push(
        Row::new(
            format!(
                "cold start: spawn → initialize → tools/list (median of {})",
                ours_starts.len()
            ),
            opt_duration(ours_start),
        )
        .floor(opt_duration(floor_start))
        .ratio(ratio_of(ours_start, floor_start))
        .target("≤ 3× floor"),
    );

    eprintln!("bench: the floor");
    let floor_session = floor.connect().await?;
    floor_session
        .client
        .list_all_tools()
        .await
        .map_err(|e| BenchError::Protocol(format!("floor: {e}")))?;
    let floor_idle = floor_session.memory()?;
    let floor_noop = timed(&floor_session, &Call::new("noop", json!({})), plan).await?;
    let floor_14k = timed(&floor_session, &floor_album, plan).await?;
    let mut floor_rates = Vec::new();
    for concurrency in CONCURRENCY {
        let peers = vec![floor_session.client.peer().clone(); concurrency];
        floor_rates.push(
            throughput::calls_per_second(peers, &floor_album, plan.throughput_calls, plan.budget)
                .await?,
        );
    }
    let floor_peak = floor_session.memory()?;
    floor_session.close().await;

    eprintln!("bench: cache hits");
    let hits_session = ours(&[]).connect().await?;
    hits_session
        .client
        .list_all_tools()
        .await
        .map_err(|e| BenchError::Protocol(format!("spotify-mcp: {e}")))?;
    let ours_idle = hits_session.memory()?;
    measure::call(&hits_session.client, &get_album).await?; // fills the cache
    let hits = timed(&hits_session, &get_album, plan).await?;
    let mut hit_rates = Vec::new();
    for concurrency in CONCURRENCY {
        let peers = vec![hits_session.client.peer().clone(); concurrency];
        hit_rates.push(
            throughput::calls_per_second(peers, &get_album, plan.throughput_calls, plan.budget)
                .await?,
        );
    }
    let hits_peak = hits_session.memory()?;
    hits_session.close().await;

    eprintln!("bench: HTTP throughput");
    // One session per concurrent client: a session's own in-flight requests are limited.
    let ours_http = ours(&[]).over_http(&[
        "--transport",
        "http",
        "--bind",
        "127.0.0.1:0",
        "--max-sessions",
        "256",
    ]);
    let (ours_http_rates, ours_http_memory) = http_rates(&ours_http, &get_album, plan).await?;
    let (floor_http_rates, floor_http_memory) =
        http_rates(&floor.over_http(&["--http"]), &floor_album, plan).await?;

    eprintln!("bench: cache misses (fake at 0 ms)");
    let misses_session = ours(&["--cache-max-bytes", "0"]).connect().await?;
    let misses = timed(&misses_session, &get_album, plan).await?;
    let misses_peak = misses_session.memory()?;
    misses_session.close().await;

    eprintln!("bench: cache misses (fake at {} ms)", SLOW_FAKE.as_millis());
    fake.update(|k| k.latency_ms = SLOW_FAKE.as_millis() as u64);
    let slow_session = ours(&["--cache-max-bytes", "0"]).connect().await?;
    let slow_plan = Plan {
        calls: plan.slow_calls,
        ..plan
    };
    let slow = timed(&slow_session, &get_album, slow_plan).await;
    slow_session.close().await;
    fake.update(|k| k.latency_ms = 0);
    let slow = slow?;

    rows.push(
        Row::new(
            format!("floor no-op tool, p50 / p99 ({} calls)", floor_noop.count),
            "",
        )
        .floor(pair(floor_noop)),
    );
    latency_rows(
        &mut rows,
        &format!(
            "get_album cache hit ({} calls) vs floor 14 KB tool",
            hits.count
        ),
        hits,
        Some(floor_14k),
        "≤ 1.0× floor's 14 KB tool (p50)",
    );
    latency_rows(
        &mut rows,
        &format!(
            "get_album cache miss, fake at 0 ms ({} calls)",
            misses.count
        ),
        misses,
        Some(floor_14k),
        "",
    );
    let over = |d: Duration| d.saturating_sub(SLOW_FAKE);
    rows.push(Row::new(
        format!(
            "overhead over the fake's {} ms, p50 / p99 ({} calls)",
            SLOW_FAKE.as_millis(),
            slow.count
        ),
        format!(
            "{} / {}",
            format_duration(over(slow.p50)),
            format_duration(over(slow.p99))
        ),
    ));
    for ((concurrency, ours_rate), floor_rate) in
        CONCURRENCY.iter().zip(&hit_rates).zip(&floor_rates)
    {
        rows.push(
            Row::new(
                format!("stdio throughput, cache hits, {concurrency} in flight (calls/s)"),
                format_count(*ours_rate as u64),
            )
            .floor(format_count(*floor_rate as u64))
            .ratio(ratio(*ours_rate, *floor_rate)),
        );
    }
    for ((concurrency, ours_rate), floor_rate) in CONCURRENCY
        .iter()
        .zip(&ours_http_rates)
        .zip(&floor_http_rates)
    {
        rows.push(
            Row::new(
                format!("HTTP throughput, cache hits, {concurrency} connections (calls/s)"),
                format_count(*ours_rate as u64),
            )
            .floor(format_count(*floor_rate as u64))
            .ratio(ratio(*ours_rate, *floor_rate))
            .target(if *concurrency == 64 {
                "> 10,000 calls/s"
            } else {
                ""
            }),
        );
    }
    rows.push(
        Row::new(
            "RSS idle (after initialize and tools/list)",
            format_kib(ours_idle.rss_kib),
        )
        .floor(format_kib(floor_idle.rss_kib))
        .ratio(ratio(ours_idle.rss_kib as f64, floor_idle.rss_kib as f64))
        .target("< 15 MB"),
    );
    let peak = Memory {
        rss_kib: 0,
        peak_kib: hits_peak.peak_kib.max(misses_peak.peak_kib),
    };
    rows.push(
        Row::new(
            "peak RSS under HTTP load (VmHWM after the HTTP runs)",
            format_kib(ours_http_memory.peak_kib),
        )
        .floor(format_kib(floor_http_memory.peak_kib))
        .ratio(ratio(
            ours_http_memory.peak_kib as f64,
            floor_http_memory.peak_kib as f64,
        )),
    );
    rows.push(
        Row::new(
            "peak RSS under stdio load (VmHWM after the stdio runs)",
            format_kib(peak.peak_kib),
        )
        .floor(format_kib(floor_peak.peak_kib))
        .ratio(ratio(peak.peak_kib as f64, floor_peak.peak_kib as f64)),
    );

    eprintln!("bench: tools/list per catalog mode");
    for (mode, flags) in [
        ("default", &[][..]),
        ("--include-deprecated", &["--include-deprecated"][..]),
        ("--read-only", &["--read-only"][..]),
        ("--tool-mode dynamic", &["--tool-mode", "dynamic"][..]),
    ] {
        let session = ours(flags).connect().await?;
        let listing = sizes::listing(&session.client, "spotify-mcp").await;
        session.close().await;
        let listing = listing?;
        rows.push(Row::new(
            format!(
                "tools/list, {mode} ({} tools): bytes / shown to a model: bytes, cl100k tokens",
                listing.tools
            ),
            format!(
                "{} / {}, {}",
                format_count(listing.bytes as u64),
                format_count(listing.shown_bytes as u64),
                format_count(listing.shown_tokens as u64)
            ),
        ));
    }

    eprintln!("bench: answers raw vs projected");
    let answers = [
        ("get_album", Call::new("get_album", json!({ "id": album }))),
        (
            "search, 3 types",
            Call::new(
                "search",
                json!({ "q": "love", "type": ["album", "artist", "track"], "limit": 10 }),
            ),
        ),
        (
            "get_playlist",
            Call::new("get_playlist", json!({ "playlist_id": playlist })),
        ),
    ];
    let lean = ours(&[]).connect().await?;
    let raw = ours(&["--raw-responses"]).connect().await?;
    let mut sized = Vec::new();
    for (label, request) in &answers {
        let projected = measure::call(&lean.client, request).await;
        let whole = measure::call(&raw.client, request).await;
        sized.push((label, projected, whole));
    }
    lean.close().await;
    raw.close().await;
    for (label, projected, whole) in sized {
        let (projected, whole) = (
            sizes::answer_size(projected?.structured_content.as_ref()),
            sizes::answer_size(whole?.structured_content.as_ref()),
        );
        rows.push(
            Row::new(
                format!("{label} answer: projected (raw) bytes; tokens"),
                format!(
                    "{} ({}); {} ({})",
                    format_count(projected.0 as u64),
                    format_count(whole.0 as u64),
                    format_count(projected.1 as u64),
                    format_count(whole.1 as u64)
                ),
            )
            .ratio(ratio(projected.0 as f64, whole.0 as f64)),
        );
    }
    Ok(rows)
}

/// Calls per second over streamable HTTP with 1, 16 and 64 connections, each its own session,
/// driven by the raw load generator (`load.rs`); and the server's memory after them.
async fn http_rates(
    launch: &Launch,
    call: &Call,
    plan: Plan,
) -> Result<(Vec<f64>, Memory), BenchError> {
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
        Ok((rates, server.memory()?))
    }
    .await;
    server.close().await;
    result
}

fn no_data(kind: &str) -> BenchError {
    BenchError::Protocol(format!("the fake Spotify has no {kind}"))
}

async fn timed(session: &Session, call: &Call, plan: Plan) -> Result<Latency, BenchError> {
    let samples =
        measure::latencies(&session.client, |_| call.clone(), plan.calls, plan.budget).await?;
    Latency::of(&samples)
        .ok_or_else(|| BenchError::Protocol(format!("no {} call finished", call.tool)))
}

fn opt_duration(duration: Option<Duration>) -> String {
    duration.map(format_duration).unwrap_or_default()
}

fn ratio_of(ours: Option<Duration>, floor: Option<Duration>) -> Option<f64> {
    ratio(ours?.as_secs_f64(), floor?.as_secs_f64())
}

fn pair(latency: Latency) -> String {
    format!(
        "{} / {}",
        format_duration(latency.p50),
        format_duration(latency.p99)
    )
}

fn latency_rows(
    rows: &mut Vec<Row>,
    label: &str,
    ours: Latency,
    floor: Option<Latency>,
    target: &str,
) {
    let mut row = Row::new(format!("{label}, p50 / p99"), pair(ours)).target(target);
    if let Some(floor) = floor {
        row = row
            .floor(pair(floor))
            .ratio(ratio(ours.p50.as_secs_f64(), floor.p50.as_secs_f64()));
    }
    rows.push(row);
}
