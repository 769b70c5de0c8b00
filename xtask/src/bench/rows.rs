//! The table's rows from the phases' figures: labels, units, ratios to the floor and targets.

use super::error::BenchError;
use super::phases::{Answer, CATALOG_MODES, ColdStarts, Floor, Http, Stdio};
use super::plan::{CONCURRENCY, SLOW_FAKE};
use super::process::Memory;
use super::sizes::{self, Listing};
use super::stats::{Latency, median, ratio};
use super::table::{Row, format_count, format_duration, format_kib};
use std::time::Duration;

pub fn cold_start(starts: &ColdStarts) -> Row {
    let (ours, floor) = (median(&starts.ours), median(&starts.floor));
    Row::new(
        format!(
            "cold start: spawn → initialize → tools/list (median of {})",
            starts.ours.len()
        ),
        opt_duration(ours),
    )
    .floor(opt_duration(floor))
    .ratio(ratio_of(ours, floor))
    .target("≤ 3× floor")
}

/// Every figure of the latency, throughput and memory rows.
pub struct Figures {
    pub floor: Floor,
    pub hits: Stdio,
    pub http: (Http, Http),
    pub misses: (Latency, Memory),
    pub slow: Latency,
}

/// Latencies, then throughput, then memory.
pub fn figures(figures: &Figures) -> Vec<Row> {
    let mut rows = latencies(figures);
    rows.extend(throughputs(figures));
    rows.extend(memory(figures));
    rows
}

fn latencies(figures: &Figures) -> Vec<Row> {
    let (floor, hits, (misses, _), slow) =
        (&figures.floor, &figures.hits, figures.misses, figures.slow);
    let mut rows = vec![
        Row::new(
            format!("floor no-op tool, p50 / p99 ({} calls)", floor.noop.count),
            "",
        )
        .floor(pair(floor.noop)),
    ];
    latency_rows(
        &mut rows,
        &format!(
            "get_album cache hit ({} calls) vs floor 14 KB tool",
            hits.latency.count
        ),
        hits.latency,
        Some(floor.album.latency),
        "≤ 1.0× floor's 14 KB tool (p50)",
    );
    latency_rows(
        &mut rows,
        &format!(
            "get_album cache miss, fake at 0 ms ({} calls)",
            misses.count
        ),
        misses,
        Some(floor.album.latency),
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
    rows
}

fn throughputs(figures: &Figures) -> Vec<Row> {
    let mut rows = Vec::new();
    for ((concurrency, ours_rate), floor_rate) in CONCURRENCY
        .iter()
        .zip(&figures.hits.rates)
        .zip(&figures.floor.album.rates)
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
    let (ours_http, floor_http) = &figures.http;
    for ((concurrency, ours_rate), floor_rate) in CONCURRENCY
        .iter()
        .zip(&ours_http.rates)
        .zip(&floor_http.rates)
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
    rows
}

fn memory(figures: &Figures) -> Vec<Row> {
    let (ours_idle, floor_idle) = (figures.hits.idle, figures.floor.album.idle);
    let (ours_http, floor_http) = (figures.http.0.memory, figures.http.1.memory);
    let peak = Memory {
        rss_kib: 0,
        peak_kib: figures.hits.peak.peak_kib.max(figures.misses.1.peak_kib),
    };
    let floor_peak = figures.floor.album.peak;
    vec![
        Row::new(
            "RSS idle (after initialize and tools/list)",
            format_kib(ours_idle.rss_kib),
        )
        .floor(format_kib(floor_idle.rss_kib))
        .ratio(ratio(ours_idle.rss_kib as f64, floor_idle.rss_kib as f64))
        .target("< 15 MB"),
        Row::new(
            "peak RSS under HTTP load (VmHWM after the HTTP runs)",
            format_kib(ours_http.peak_kib),
        )
        .floor(format_kib(floor_http.peak_kib))
        .ratio(ratio(ours_http.peak_kib as f64, floor_http.peak_kib as f64)),
        Row::new(
            "peak RSS under stdio load (VmHWM after the stdio runs)",
            format_kib(peak.peak_kib),
        )
        .floor(format_kib(floor_peak.peak_kib))
        .ratio(ratio(peak.peak_kib as f64, floor_peak.peak_kib as f64)),
    ]
}

/// One row per catalog mode, `listings` in `CATALOG_MODES` order.
pub fn listings(listings: &[Listing]) -> Vec<Row> {
    CATALOG_MODES
        .iter()
        .zip(listings)
        .map(|((mode, _), listing)| {
            Row::new(
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
            )
        })
        .collect()
}

/// One row per answer; the first failed call is the error.
pub fn answers(answers: Vec<Answer>) -> Result<Vec<Row>, BenchError> {
    let mut rows = Vec::new();
    for Answer {
        label,
        projected,
        raw,
    } in answers
    {
        let (projected, whole) = (
            sizes::answer_size(projected?.structured_content.as_ref()),
            sizes::answer_size(raw?.structured_content.as_ref()),
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
