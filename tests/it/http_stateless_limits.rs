//! Session-less requests (MCP 2026-07-28: no `initialize`, no session id) get the same limits as
//! sessions: each holds a place among --max-sessions while it runs, and every request counts
//! against the server-wide --max-inflight.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::{ACCEPT, HttpServer, http_client, initialize, messages};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CALLS: u64 = 30;

/// A `tools/call` with the per-request protocol metadata of MCP 2026-07-28 (served statelessly).
fn stateless_call(id: u64) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {
            "name": "get_devices", "arguments": {},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": { "name": "stateless-test", "version": "1" }
            }
        }
    })
}

/// Opens an MCP session (the older protocol's `initialize`).
async fn open_session(server: &HttpServer) {
    let response = http_client()
        .post(server.url("/mcp"))
        .header("accept", ACCEPT)
        .json(&initialize(1))
        .send()
        .await
        .expect("an answer within 20 s");
    assert_eq!(response.status(), 200, "the one session opens");
}

/// Status and body of one stateless call (optionally naming a session).
async fn post(server: &HttpServer, body: Value, session: Option<&str>) -> (u16, String) {
    let mut request = http_client()
        .post(server.url("/mcp"))
        .header("accept", ACCEPT)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "get_devices")
        .json(&body);
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let response = request.send().await.expect("an answer within 20 s");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// `CALLS` stateless calls at once; their statuses and bodies.
async fn burst(server: &HttpServer, session: Option<&str>) -> Vec<(u16, String)> {
    let calls = (0..CALLS).map(|id| post(server, stateless_call(100 + id), session));
    tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(calls))
        .await
        .expect("the burst ends within 60 s")
}

fn served(answers: &[(u16, String)]) -> usize {
    answers
        .iter()
        .filter(|(status, body)| {
            *status == 200 && messages(body).iter().any(|m| m["result"].is_object())
        })
        .count()
}

fn slow_devices(fake: &FakeSpotify) {
    fake.respond(
        Canned::json(200, json!({ "devices": [] })).with_delay(Duration::from_millis(1500)),
    );
}

#[tokio::test]
async fn stateless_requests_are_refused_while_the_sessions_are_full() {
    let fake = FakeSpotify::start().await;
    slow_devices(&fake);
    let server = HttpServer::start(
        &fake,
        &["--max-sessions", "1", "--max-inflight-per-session", "1"],
    )
    .await;
    open_session(&server).await;

    let answers = burst(&server, None).await;
    assert_eq!(served(&answers), 0, "{answers:?}");
    for (status, body) in &answers {
        assert_eq!(*status, 503, "{body}");
        assert!(body.contains("--max-sessions"), "{body}");
    }
    assert!(fake.requests().is_empty(), "no call reached Spotify");
}

#[tokio::test]
async fn stateless_requests_hold_a_session_place_while_they_run() {
    let fake = FakeSpotify::start().await;
    slow_devices(&fake);
    let server = HttpServer::start(&fake, &["--max-sessions", "2"]).await;

    let answers = burst(&server, None).await;
    let served = served(&answers);
    assert!((1..=2).contains(&served), "{served} served: {answers:?}");
    let refused = answers.iter().filter(|(status, _)| *status == 503).count();
    assert_eq!(served + refused, CALLS as usize, "{answers:?}");
    assert!(fake.requests().len() <= 2, "{:?}", fake.requests());

    // Places free once the answers are sent: the next call is served.
    let started = Instant::now();
    let (status, body) = post(&server, stateless_call(1), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_made_up_session_id_does_not_buy_a_bound_of_its_own() {
    let fake = FakeSpotify::start().await;
    slow_devices(&fake);
    let server = HttpServer::start(&fake, &["--max-sessions", "1"]).await;
    open_session(&server).await;

    let answers = burst(&server, Some("not-a-session-of-this-server")).await;
    assert_eq!(served(&answers), 0, "{answers:?}");
    assert!(fake.requests().is_empty(), "no call reached Spotify");
}

#[tokio::test]
async fn the_server_wide_bound_covers_every_request() {
    let fake = FakeSpotify::start().await;
    slow_devices(&fake);
    let server = HttpServer::start(&fake, &["--max-inflight", "3"]).await;

    let answers = burst(&server, None).await;
    let served = served(&answers);
    assert!((1..=3).contains(&served), "{served} served: {answers:?}");
    let busy = answers
        .iter()
        .filter(|(status, body)| *status == 503 && body.contains("--max-inflight"))
        .count();
    assert_eq!(served + busy, CALLS as usize, "{answers:?}");
    assert!(fake.requests().len() <= 3, "{:?}", fake.requests());
}
