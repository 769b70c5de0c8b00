//! SIGTERM to `spotify-mcp serve` over stdio while a call is in flight: the call's answer is
//! still written, then the process exits 0. (The fake answers after 3 s: longer than rmcp's own
//! 2 s drain, so only the grace period lets the call finish.)

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn sigterm_lets_the_running_call_answer_then_exits_0() {
    let fake = FakeSpotify::start().await;
    fake.respond(
        Canned::json(200, json!({ "devices": [{ "id": "d1", "name": "Kitchen", "type": "Speaker", "is_active": true }] }))
            .with_delay(Duration::from_millis(3000)),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"))
        .args(["serve", "--shutdown-grace-secs", "10"])
        .env_clear()
        .env("SPOTIFY_API_BASE_URL", format!("{}/v1", fake.url()))
        .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
        .env("SPOTIFY_ACCESS_TOKEN", "stdio-token")
        .env("SPOTIFY_MCP_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let messages = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "t", "version": "1" } } }),
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": { "name": "get_devices", "arguments": {} } }),
    ];
    for message in messages {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    let started = Instant::now();
    while fake.requests().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the call never reached Spotify"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );

    let answer = tokio::time::timeout(Duration::from_secs(15), async {
        while let Ok(Some(line)) = stdout.next_line().await {
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == 2 {
                return Some(message);
            }
        }
        None
    })
    .await
    .expect("an answer within 15 s")
    .expect("the running call is answered before stdout closes");
    assert_eq!(
        answer["result"]["structuredContent"]["devices"][0]["name"], "Kitchen",
        "{answer}"
    );
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("exits within 15 s")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
