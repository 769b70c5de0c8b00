//! One session may have at most --max-inflight-per-session requests in flight: the next gets
//! 429 while the others run, and the place frees once an answer has been sent. Notifications
//! (such as a cancellation) are never refused.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::{HttpServer, initialize, initialized, messages, session_of};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn requests_beyond_the_per_session_bound_get_429() {
    let fake = FakeSpotify::start().await;
    fake.respond(
        Canned::json(200, json!({ "devices": [] })).with_delay(Duration::from_millis(1500)),
    );
    let server = HttpServer::start(&fake, &["--max-inflight-per-session", "1"]).await;
    let opened = server.post(None, &initialize(1)).await.unwrap();
    let session = session_of(&opened);
    assert_eq!(
        server
            .post(Some(&session), &initialized())
            .await
            .unwrap()
            .status(),
        202
    );

    let slow = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": { "name": "get_devices", "arguments": {} } });
    let running = tokio::spawn(server.post(Some(&session), &slow));
    // Wait (at most 10 s) until the slow call has reached the fake.
    let started = Instant::now();
    while fake.requests().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the call never reached Spotify"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ping = json!({ "jsonrpc": "2.0", "id": 3, "method": "ping" });
    let refused = server.post(Some(&session), &ping).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("--max-inflight-per-session")
    );
    let note = json!({ "jsonrpc": "2.0", "method": "notifications/progress", "params": { "progressToken": "x", "progress": 1 } });
    assert_eq!(
        server.post(Some(&session), &note).await.unwrap().status(),
        202,
        "notifications pass"
    );

    let finished = running.await.unwrap().unwrap();
    assert_eq!(finished.status(), 200);
    let answer = messages(&finished.text().await.unwrap());
    assert!(
        answer
            .iter()
            .any(|m| m["id"] == 2 && m["result"].is_object()),
        "{answer:?}"
    );
    assert_eq!(
        server.post(Some(&session), &ping).await.unwrap().status(),
        200,
        "the place is free again"
    );
}
