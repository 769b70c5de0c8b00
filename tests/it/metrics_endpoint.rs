//! `/metrics` after a scripted run: tool calls by outcome, upstream requests by operation,
//! status and reason, cache hits and misses, governor events; and `promtool check metrics`
//! accepts the text. The server runs as its own process: the Prometheus recorder is global, and
//! this binary's other tests would count into it.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use common::http_server::{self, HttpServer};
use serde_json::json;

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_show_the_run_and_pass_promtool() {
    let fake = FakeSpotify::start().await;
    let mut command = http_server::command(&fake, &[]);
    command
        .env("SPOTIFY_ACCESS_TOKEN", "metrics-user")
        .env("SPOTIFY_MCP_MAX_RATE_LIMIT_WAIT", "0")
        .env("SPOTIFY_MCP_CACHE_MAX_BYTES", (16 << 20).to_string());
    let server = HttpServer::spawn(command).await;
    let client = server.client(None, &[]).await;
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );
    fake.respond_at(
        "/v1/me/player/pause",
        Canned::json(404, json!({ "error": { "status": 404, "message": "No active device found", "reason": "NO_ACTIVE_DEVICE" } })),
    );
    fake.respond_at(
        "/v1/search",
        Canned::error(429, "slow down").with_header("retry-after", "30"),
    );

    for _ in 0..3 {
        let _ = common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
    }
    let _ = common::call(&client, "pause_playback", json!({}))
        .await
        .unwrap();
    let _ = common::call(&client, "get_album", json!({ "id": 5 }))
        .await
        .unwrap();
    for _ in 0..2 {
        let _ = common::call(&client, "search", json!({ "q": "x", "type": ["track"] }))
            .await
            .unwrap();
    }

    let text = server.metrics().await;
    let expect = |series: &str, wanted: f64| {
        assert_eq!(value(&text, series), Some(wanted), "{series} in:\n{text}");
    };
    expect(
        r#"spotify_mcp_tool_calls_total{tool="get_album",outcome="ok"}"#,
        3.0,
    );
    expect(
        r#"spotify_mcp_tool_calls_total{tool="get_album",outcome="invalid_arguments"}"#,
        1.0,
    );
    expect(
        r#"spotify_mcp_tool_calls_total{tool="pause_playback",outcome="spotify_error"}"#,
        1.0,
    );
    expect(
        r#"spotify_mcp_upstream_requests_total{operation="get_an_album",status="200",reason="none"}"#,
        1.0,
    );
    expect(
        r#"spotify_mcp_upstream_requests_total{operation="pause_a_users_playback",status="404",reason="NO_ACTIVE_DEVICE"}"#,
        1.0,
    );
    expect(
        r#"spotify_mcp_cache_requests_total{backend="memory",result="hit"}"#,
        2.0,
    );
    expect(
        r#"spotify_mcp_governor_events_total{event="cooldown"}"#,
        1.0,
    );
    expect(r#"spotify_mcp_governor_events_total{event="reject"}"#, 1.0);
    assert!(
        text.contains("spotify_mcp_tool_call_duration_seconds"),
        "latency histogram"
    );
    assert!(
        !text.contains("metrics-user") && !text.contains("/v1/"),
        "no ids, no URLs, no tokens in labels"
    );

    match std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "promtool check metrics: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "SKIPPED: promtool is not installed (.ci/run installs the prometheus package)"
            );
        }
        Err(e) => panic!("promtool must run in CI: {e}"),
    }
}
