//! Sessions are bounded: past --max-sessions a new one gets 503 until one closes; a session idle
//! for --session-idle-secs expires (404 after), freeing its place.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, http_client, initialize, initialized, session_of};
use serde_json::json;
use std::time::{Duration, Instant};

async fn open(server: &HttpServer) -> reqwest::Response {
    server.post(None, &initialize(1)).await.unwrap()
}

#[tokio::test]
async fn sessions_beyond_the_limit_get_503_until_one_closes() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--max-sessions", "2"]).await;
    let first = open(&server).await;
    assert_eq!(first.status(), 200);
    let first = session_of(&first);
    assert_eq!(open(&server).await.status(), 200);

    let refused = open(&server).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused.text().await.unwrap().contains("--max-sessions"));

    let closed = http_client()
        .delete(server.url("/mcp"))
        .header("mcp-session-id", &first)
        .send()
        .await
        .unwrap();
    assert!(closed.status().is_success());
    assert_eq!(
        open(&server).await.status(),
        200,
        "a closed session frees its place"
    );
}

#[tokio::test]
async fn idle_sessions_expire() {
    let fake = FakeSpotify::start().await;
    let server =
        HttpServer::start(&fake, &["--session-idle-secs", "1", "--max-sessions", "1"]).await;
    let opened = open(&server).await;
    assert_eq!(opened.status(), 200);
    let session = session_of(&opened);
    let sent = server.post(Some(&session), &initialized()).await.unwrap();
    assert_eq!(sent.status(), 202);
    assert_eq!(open(&server).await.status(), 503, "the one place is taken");

    // Probing earlier would reset the idle clock; then poll for at most 10 s.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let started = Instant::now();
    let ping = json!({ "jsonrpc": "2.0", "id": 7, "method": "ping" });
    let mut status = 0;
    while started.elapsed() < Duration::from_secs(10) {
        status = server
            .post(Some(&session), &ping)
            .await
            .unwrap()
            .status()
            .as_u16();
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(status, 404, "the idle session expired");
    assert_eq!(open(&server).await.status(), 200, "its place is free again");
}
