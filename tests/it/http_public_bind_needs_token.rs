//! A non-loopback bind without a bearer token: the process refuses to start and says how to
//! fix it. With a token it starts (checked over 127.0.0.1 only).

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, TOKEN, command, http_client};
use std::time::Duration;

#[tokio::test]
async fn public_bind_without_token_refuses_to_start() {
    let fake = FakeSpotify::start().await;
    let mut refused = command(&fake, &["--bind", "0.0.0.0:0"]);
    let output = tokio::time::timeout(Duration::from_secs(20), refused.output())
        .await
        .expect("exits within 20 s")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0 without a bearer token")
            && stderr.contains("SPOTIFY_MCP_AUTH_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains("serving MCP over HTTP"), "{stderr}");
}

#[tokio::test]
async fn public_bind_with_token_starts() {
    let fake = FakeSpotify::start().await;
    let mut command = command(&fake, &["--bind", "0.0.0.0:0"]);
    command.env("SPOTIFY_MCP_AUTH_TOKEN", TOKEN);
    let server = HttpServer::spawn(command).await;
    let local = format!("http://127.0.0.1:{}/metrics", server.addr.port());
    let response = http_client()
        .get(local)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
