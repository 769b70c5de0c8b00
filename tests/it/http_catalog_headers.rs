//! Per-request catalog headers narrow what the server's flags allow and never widen it:
//! X-MCP-Toolsets and X-MCP-Read-Only filter tools/list, a call outside the narrowed catalog is
//! refused, and an unknown toolset name is a clear 400.

use crate::common;

use common::catalog::{self, def};
use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, initialize};
use rmcp::model::CallToolRequestParams;

async fn listed(server: &HttpServer, headers: &[(&'static str, &str)]) -> Vec<String> {
    let client = server.client(None, headers).await;
    let names = common::tool_names(&client).await;
    client.cancel().await.unwrap();
    names
}

#[tokio::test]
async fn headers_narrow_and_never_widen() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--toolsets", "player,search,albums"]).await;
    let all = listed(&server, &[]).await;
    assert!(
        all.iter()
            .all(|n| ["player", "search", "albums"].contains(&def(n).toolset))
    );

    let search = listed(&server, &[("x-mcp-toolsets", "search")]).await;
    assert!(
        !search.is_empty() && search.iter().all(|n| def(n).toolset == "search"),
        "{search:?}"
    );
    let player_read = listed(
        &server,
        &[("x-mcp-toolsets", "player"), ("x-mcp-read-only", "true")],
    )
    .await;
    assert!(!player_read.is_empty());
    assert!(
        player_read
            .iter()
            .all(|n| def(n).toolset == "player" && def(n).read_only)
    );
    assert!(player_read.len() < all.iter().filter(|n| def(n).toolset == "player").count());

    let outside = listed(&server, &[("x-mcp-toolsets", "playlists,search")]).await;
    assert_eq!(
        outside, search,
        "a toolset the server does not serve adds nothing"
    );
    let not_widened = listed(&server, &[("x-mcp-read-only", "false")]).await;
    assert_eq!(not_widened, all);

    let client = server.client(None, &[("x-mcp-read-only", "true")]).await;
    let refused = client
        .call_tool(CallToolRequestParams::new("pause_playback"))
        .await
        .expect_err("a write outside the read-only narrowing is refused");
    assert!(
        refused
            .to_string()
            .contains("outside the catalog this request narrowed to"),
        "{refused}"
    );
    assert!(fake.requests().is_empty(), "nothing reached Spotify");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn read_only_server_stays_read_only() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--read-only"]).await;
    let names = listed(
        &server,
        &[("x-mcp-read-only", "false"), ("x-mcp-toolsets", "all")],
    )
    .await;
    assert_eq!(
        catalog::sorted(&names),
        catalog::current_where(|t| t.read_only)
    );
}

#[tokio::test]
async fn unknown_toolset_or_bad_flag_value_is_a_clear_400() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    for (name, value, expected) in [
        (
            "x-mcp-toolsets",
            "player,podcasts",
            "unknown toolset `podcasts`; known toolsets: albums",
        ),
        (
            "x-mcp-read-only",
            "maybe",
            "x-mcp-read-only must be true or false",
        ),
    ] {
        let response = server
            .mcp_request()
            .header(name, value)
            .json(&initialize(1))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains(expected), "{body}");
    }
}

#[tokio::test]
async fn dynamic_mode_finds_and_calls_only_within_the_narrowing() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--tool-mode", "dynamic"]).await;
    let client = server.client(None, &[("x-mcp-toolsets", "search")]).await;
    let call = |name: &str, arguments: serde_json::Value| {
        let arguments = arguments.as_object().unwrap().clone();
        client.call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(arguments))
    };
    let found = call("find_tools", serde_json::json!({ "limit": 100 }))
        .await
        .unwrap();
    let found = found.structured_content.unwrap();
    let names: Vec<&str> = found["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| def(n).toolset == "search"),
        "{names:?}"
    );
    let refused = call("call_tool", serde_json::json!({ "name": "pause_playback" }))
        .await
        .expect_err("outside the narrowing");
    assert!(
        refused.to_string().contains("outside the catalog"),
        "{refused}"
    );
    let described = call(
        "describe_tool",
        serde_json::json!({ "name": "pause_playback" }),
    )
    .await
    .unwrap();
    assert_eq!(described.is_error, Some(true));
    assert!(fake.requests().is_empty());
    client.cancel().await.unwrap();
}
