//! Cache hints (MCP 2026-07-28 `ttlMs`, `cacheScope`) over real HTTP, session-less: the tool
//! catalog and the prompt and template lists are fixed for the server's life and the same for
//! everyone, so shareable for an hour — unless the request narrowed the catalog by its headers,
//! which a shared cache would not see; a catalog object is shareable for as long as the
//! response cache keeps it; the user's own data (now-playing, their playlists) is private.

use crate::common;

use common::http_server::{ACCEPT, messages};
use common::multi_user_server::{MultiUserServer, Options};
use fake_spotify::{FakeSpotify, Kind, Knobs};
use serde_json::{Value, json};
use std::time::Duration;

const HOUR_MS: u64 = 3_600_000;

/// One session-less 2026-07-28 request as `token`'s holder; its result.
async fn request(
    server: &MultiUserServer,
    token: &str,
    method: &str,
    params: Value,
    headers: &[(&str, &str)],
) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { "name": "cache-hints-test", "version": "1" }
    });
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let mut post = reqwest::Client::new()
        .post(server.mcp_url())
        .timeout(Duration::from_secs(20))
        .bearer_auth(token)
        .header("accept", ACCEPT)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method)
        .json(&body);
    if let Some(uri) = params["uri"].as_str() {
        post = post.header("mcp-name", uri);
    }
    for (name, value) in headers {
        post = post.header(*name, *value);
    }
    let response = post.send().await.unwrap();
    let text = response.text().await.unwrap();
    let answer = messages(&text)
        .into_iter()
        .find(|m| m.get("id").is_some())
        .unwrap_or_else(|| panic!("{method}: no answer in {text}"));
    answer["result"].clone()
}

fn hints(result: &Value) -> (Option<u64>, Option<&str>) {
    (result["ttlMs"].as_u64(), result["cacheScope"].as_str())
}

#[tokio::test]
async fn hints_say_how_long_and_with_whom_a_result_may_be_cached() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let token = ada.token.as_str();

    for method in ["tools/list", "prompts/list", "resources/templates/list"] {
        let result = request(&server, token, method, json!({}), &[]).await;
        assert_eq!(
            hints(&result),
            (Some(HOUR_MS), Some("public")),
            "{method}: {result}"
        );
    }
    let narrowed = request(
        &server,
        token,
        "tools/list",
        json!({}),
        &[("x-mcp-toolsets", "player")],
    )
    .await;
    assert_eq!(
        hints(&narrowed),
        (Some(HOUR_MS), Some("private")),
        "a catalog narrowed by headers is not for shared caches"
    );

    let listed = request(&server, token, "resources/list", json!({}), &[]).await;
    assert_eq!(hints(&listed).1, Some("private"), "{listed}");

    let album = format!("spotify:album:{}", fake.ids(Kind::Album)[0]);
    let read = request(
        &server,
        token,
        "resources/read",
        json!({ "uri": album }),
        &[],
    )
    .await;
    let (ttl, scope) = hints(&read);
    assert_eq!(scope, Some("public"), "{read}");
    assert!(
        ttl.unwrap_or_default() > 0,
        "the catalog cache class keeps albums: {read}"
    );

    let playing = request(
        &server,
        token,
        "resources/read",
        json!({ "uri": "spotify-mcp://me/now-playing" }),
        &[],
    )
    .await;
    assert_eq!(
        hints(&playing),
        (Some(0), Some("private")),
        "player state is the user's and never cached: {playing}"
    );
    server.stop().await;
}
