//! A client cannot hold the HTTP transport open: headers that never finish and a body that stops
//! short are cut off after --header-timeout-secs and --body-timeout-secs (before any bearer
//! check), and past --max-connections a new connection waits until one closes. A call that is
//! slow to answer is not a slow client: the header timeout leaves it alone.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::{ACCEPT, HttpServer};
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Everything the server sends until it closes the connection (EOF or reset), or `None` if it
/// is still open after `limit`.
async fn until_closed(tcp: &mut TcpStream, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, tcp.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&received).into()),
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

#[tokio::test]
async fn half_sent_headers_are_cut_off() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(
        &fake,
        &[
            "--header-timeout-secs",
            "1",
            "--auth-token",
            &"t".repeat(40),
        ],
    )
    .await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let partial = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: appl",
        server.addr
    );
    tcp.write_all(partial.as_bytes()).await.unwrap();

    let closed = until_closed(&mut tcp, Duration::from_secs(15)).await;
    assert!(
        closed.is_some(),
        "the connection is still open 15 s after a 1 s header timeout"
    );
}

#[tokio::test]
async fn a_body_that_stops_short_is_cut_off() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--body-timeout-secs", "1"]).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    // 10 of the 500 bytes announced.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nAccept: {ACCEPT}\r\n\
         Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"jsonrpc\"",
        server.addr,
    );
    tcp.write_all(head.as_bytes()).await.unwrap();

    let answer = until_closed(&mut tcp, Duration::from_secs(15))
        .await
        .expect("the connection is closed within 15 s of a 1 s body timeout");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("--body-timeout-secs"), "{answer}");
}

#[tokio::test]
async fn past_the_connection_bound_a_connection_waits_until_one_closes() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(
        &fake,
        &["--max-connections", "2", "--header-timeout-secs", "60"],
    )
    .await;
    // Two idle connections take both places.
    let first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();

    let mut third = TcpStream::connect(server.addr).await.unwrap();
    let probe = format!(
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    third.write_all(probe.as_bytes()).await.unwrap();
    let mut buffer = [0u8; 256];
    let early = tokio::time::timeout(Duration::from_secs(2), third.read(&mut buffer)).await;
    assert!(
        early.is_err(),
        "the third connection was served while two were open: {early:?}"
    );

    drop(first);
    let answer = until_closed(&mut third, Duration::from_secs(15))
        .await
        .expect("the third connection is served once a place frees");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok\n"), "{answer}");
}

#[tokio::test]
async fn a_slow_answer_is_not_cut_off_by_the_header_timeout() {
    let fake = FakeSpotify::start().await;
    fake.respond(
        Canned::json(
            200,
            json!({ "devices": [{ "id": "d1", "name": "Kitchen", "type": "Speaker", "is_active": true }] }),
        )
        .with_delay(Duration::from_millis(2500)),
    );
    let server = HttpServer::start(&fake, &["--header-timeout-secs", "1"]).await;
    let client = server.client(None, &[]).await;
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        client.call_tool(CallToolRequestParams::new("get_devices")),
    )
    .await
    .expect("the call ends within 20 s")
    .expect("the call is answered");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(
        result.structured_content.unwrap()["devices"][0]["name"],
        "Kitchen"
    );
    let _ = client.cancel().await;
}
