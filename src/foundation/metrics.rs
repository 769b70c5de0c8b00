//! Prometheus metrics through the `metrics` facade. Label values are bounded: tool names and
//! operation ids come from the spec, statuses are numbers, Spotify reasons from a fixed list.

use metrics::{counter, gauge, histogram};
use std::time::Duration;

/// Spotify `reason` values worth a label; anything else is counted as `other`.
const KNOWN_REASONS: [&str; 7] = [
    "NO_ACTIVE_DEVICE",
    "PREMIUM_REQUIRED",
    "QUOTA_EXCEEDED",
    "UNKNOWN",
    "NO_PREV_TRACK",
    "NO_NEXT_TRACK",
    "ALREADY_PAUSED",
];

pub fn tool_call(tool: &'static str, outcome: &'static str, elapsed: Duration) {
    counter!("spotify_mcp_tool_calls_total", "tool" => tool, "outcome" => outcome).increment(1);
    histogram!("spotify_mcp_tool_call_duration_seconds", "tool" => tool)
        .record(elapsed.as_secs_f64());
}

pub fn upstream(operation: &'static str, status: u16, reason: Option<&str>, elapsed: Duration) {
    let reason = match reason {
        None => "none",
        Some(r) => KNOWN_REASONS
            .iter()
            .find(|k| **k == r)
            .copied()
            .unwrap_or("other"),
    };
    counter!("spotify_mcp_upstream_requests_total", "operation" => operation, "status" => status.to_string(), "reason" => reason)
        .increment(1);
    histogram!("spotify_mcp_upstream_request_duration_seconds", "operation" => operation)
        .record(elapsed.as_secs_f64());
}

pub fn upstream_failed(operation: &'static str) {
    counter!("spotify_mcp_upstream_requests_total", "operation" => operation, "status" => "error", "reason" => "none")
        .increment(1);
}

pub fn cache_lookup(backend: &'static str, result: &'static str) {
    counter!("spotify_mcp_cache_requests_total", "backend" => backend, "result" => result)
        .increment(1);
}

/// `hit`: a finished answer reused; `stale`: the cache no longer serves its body.
pub fn answer_memo(result: &'static str) {
    counter!("spotify_mcp_answer_memo_total", "result" => result).increment(1);
}

pub fn token_refresh(outcome: &'static str) {
    counter!("spotify_mcp_token_refreshes_total", "outcome" => outcome).increment(1);
}

pub fn governor(event: &'static str) {
    counter!("spotify_mcp_governor_events_total", "event" => event).increment(1);
}

/// A tool call refused on one route of a family Spotify moved and retried on the other
/// (`route`: the one tried second; `outcome`: ok or error).
pub fn route_fallback(family: &'static str, route: &'static str, outcome: &'static str) {
    counter!("spotify_mcp_route_fallbacks_total", "family" => family, "route" => route, "outcome" => outcome)
        .increment(1);
}

/// An HTTP request the transport refused before MCP saw it (`reason`: unauthorized, forbidden,
/// body_too_large, body_timeout, too_many_sessions, too_many_in_flight, server_busy,
/// shutting_down).
/// One step of multi-user mode's OAuth flows (`register`, `authorize`, `callback`, `consent`,
/// `token`, `refresh`, `revoke`, `resolve`, …) and how it ended. Never a user or client id.
pub fn oauth_step(step: &'static str, outcome: &'static str) {
    counter!("spotify_mcp_oauth_steps_total", "step" => step, "outcome" => outcome).increment(1);
}

/// An audit record written, failed (the database refused or was unreachable) or dropped (the
/// queue was full).
pub fn audit_record(result: &'static str) {
    counter!("spotify_mcp_audit_records_total", "result" => result).increment(1);
}

pub fn http_refusal(reason: &'static str) {
    counter!("spotify_mcp_http_refusals_total", "reason" => reason).increment(1);
}

/// An HTTP connection opened (`+1`) or closed (`-1`) on one of the transport's listeners.
pub fn http_connections(change: f64) {
    gauge!("spotify_mcp_http_connections_open").increment(change);
}

/// Installs the process-wide recorder and returns a handle that renders its Prometheus text;
/// the transport serves it at `/metrics` (its own listener, and `--metrics-addr`).
/// Must run inside a Tokio runtime.
pub fn install() -> Result<metrics_exporter_prometheus::PrometheusHandle, String> {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    // No exporter task runs upkeep (histogram bucket roll-over), so this one does.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            upkeep.run_upkeep();
        }
    });
    describe();
    Ok(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "spotify_mcp_tool_calls_total",
        "MCP tool calls by tool and outcome."
    );
    describe_histogram!(
        "spotify_mcp_tool_call_duration_seconds",
        Unit::Seconds,
        "Time to answer a tool call."
    );
    describe_counter!(
        "spotify_mcp_upstream_requests_total",
        "Requests sent to Spotify by operation, HTTP status and Spotify reason."
    );
    describe_histogram!(
        "spotify_mcp_upstream_request_duration_seconds",
        Unit::Seconds,
        "Time Spotify took to answer a request."
    );
    describe_counter!(
        "spotify_mcp_cache_requests_total",
        "Cache lookups by backend and result (hit, miss, error)."
    );
    describe_counter!(
        "spotify_mcp_answer_memo_total",
        "Finished answers of cache hits reused (hit) or found stale (stale)."
    );
    describe_counter!(
        "spotify_mcp_token_refreshes_total",
        "Access-token refreshes by outcome."
    );
    describe_counter!(
        "spotify_mcp_governor_events_total",
        "Rate-limit governor events: cooldown started, call waited, call rejected."
    );
    describe_counter!(
        "spotify_mcp_http_refusals_total",
        "HTTP requests refused by the transport's guards and limits, by reason."
    );
    describe_gauge!(
        "spotify_mcp_http_connections_open",
        "HTTP connections open on the transport's listeners."
    );
    describe_counter!(
        "spotify_mcp_audit_records_total",
        "Audit records of calls that change something at Spotify: written, failed or dropped."
    );
    describe_counter!(
        "spotify_mcp_route_fallbacks_total",
        "Calls refused on one route of a family Spotify moved in 2026 and retried on the other."
    );
}
