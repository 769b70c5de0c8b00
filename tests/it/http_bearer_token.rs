//! With a bearer token set, /mcp and /metrics answer 401 (with `WWW-Authenticate`) to a missing
//! or wrong token and serve a client that sends it; /healthz needs none; the token never
//! appears in the logs. A token shorter than 32 characters is refused at start.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, TOKEN, command, http_client, initialize};

#[tokio::test]
async fn wrong_or_missing_bearer_gets_401_and_the_right_one_gets_in() {
    let fake = FakeSpotify::start().await;
    let mut command = command(&fake, &[]);
    command.env("SPOTIFY_MCP_AUTH_TOKEN", TOKEN);
    let server = HttpServer::spawn(command).await;
    let http = http_client();

    let missing = server
        .mcp_request()
        .json(&initialize(1))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let challenge = missing.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("SPOTIFY_MCP_AUTH_TOKEN")
    );

    for wrong in [
        "Bearer not-the-token",
        "Bearer http-test-bearer-toke",
        "Basic aHR0cA==",
    ] {
        let response = server
            .mcp_request()
            .header("authorization", wrong)
            .json(&initialize(1))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong}");
        assert!(response.headers().contains_key("www-authenticate"));
    }
    let wrong = http
        .post(server.url("/mcp"))
        .bearer_auth("not-the-token")
        .json(&initialize(1))
        .send()
        .await
        .unwrap();
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );

    let metrics = http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 401, "metrics sit behind the token too");
    let metrics = http
        .get(server.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "health checks need no token");

    let client = server.client(Some(TOKEN), &[]).await;
    assert_eq!(
        client.list_all_tools().await.expect("tools/list").len(),
        common::catalog::served().len()
    );
    client.cancel().await.unwrap();
    assert!(
        !server.logs().contains(TOKEN),
        "the token must not be logged:\n{}",
        server.logs()
    );
}

#[tokio::test]
async fn a_short_token_is_refused_with_how_to_make_one() {
    let fake = FakeSpotify::start().await;
    let short = "guessable-2026";
    let mut refused = command(&fake, &[]);
    refused.env("SPOTIFY_MCP_AUTH_TOKEN", short);
    let output = tokio::time::timeout(std::time::Duration::from_secs(20), refused.output())
        .await
        .expect("exits within 20 s")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("shorter than 32 characters") && stderr.contains("openssl rand -hex 32"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(short),
        "the refused token is not echoed: {stderr}"
    );
    assert!(!stderr.contains("serving MCP over HTTP"), "{stderr}");

    // 32 characters is enough.
    let mut accepted = command(&fake, &[]);
    accepted.env("SPOTIFY_MCP_AUTH_TOKEN", "0123456789abcdef0123456789abcdef");
    let server = HttpServer::spawn(accepted).await;
    let health = http_client()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
