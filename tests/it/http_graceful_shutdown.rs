//! SIGTERM while calls are in flight: the server stops accepting connections, the calls complete
//! with their answers, and the process exits 0 within the grace period.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::HttpServer;
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn sigterm_lets_in_flight_calls_finish_then_exits_0() {
    let fake = FakeSpotify::start().await;
    fake.respond(
        Canned::json(200, json!({ "devices": [{ "id": "d1", "name": "Kitchen", "type": "Speaker", "is_active": true }] }))
            // Long enough that the server is still draining when the late connection is tried.
            .with_delay(Duration::from_secs(3)),
    );
    let mut server = HttpServer::start(&fake, &["--shutdown-grace-secs", "10"]).await;
    let mut calls = Vec::new();
    for _ in 0..3 {
        let client = server.client(None, &[]).await;
        calls.push(tokio::spawn(async move {
            let result = client
                .call_tool(CallToolRequestParams::new("get_devices"))
                .await;
            let _ = client.cancel().await;
            result
        }));
    }
    let started = Instant::now();
    while fake.requests().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the calls never reached Spotify"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = tokio::net::TcpStream::connect(server.addr).await;
    // Checked after the attempt: a process still running then was running during it, so the
    // refusal came from the draining server, not from one that had already exited.
    let running = server.child.try_wait().expect("wait works").is_none();
    assert!(
        running,
        "the server exited before its calls finished:\n{}",
        server.logs()
    );
    let refused = late.map(|_| ()).map_err(|e| e.kind());
    assert_eq!(
        refused,
        Err(std::io::ErrorKind::ConnectionRefused),
        "no new connections once the shutdown began"
    );

    for call in calls {
        let result = tokio::time::timeout(Duration::from_secs(15), call)
            .await
            .expect("the call ends within 15 s")
            .unwrap()
            .expect("the in-flight call completes");
        assert_ne!(result.is_error, Some(true), "{result:?}");
        assert_eq!(
            result.structured_content.unwrap()["devices"][0]["name"],
            "Kitchen"
        );
    }
    let status = server.exit_status(Duration::from_secs(15)).await;
    assert_eq!(status.code(), Some(0), "{}", server.logs());
    assert!(server.logs().contains("SIGTERM"), "{}", server.logs());
}
