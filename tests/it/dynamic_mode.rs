//! Dynamic mode end to end: three tools, find → describe → call, with the same validation,
//! dispatch and errors as a listed tool.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::json;
use spotify_mcp::foundation::config::ToolMode;
use spotify_mcp::mcp::CatalogOptions;

async fn dynamic() -> (FakeSpotify, common::Client) {
    let fake = FakeSpotify::start().await;
    let options = CatalogOptions {
        mode: ToolMode::Dynamic,
        ..Default::default()
    };
    let client = common::connect_with(&common::spotify_args(&fake, Some("t")), options).await;
    (fake, client)
}

#[tokio::test]
async fn three_tools_reach_the_whole_catalog() {
    let (fake, client) = dynamic().await;
    let names = common::tool_names(&client).await;
    assert_eq!(names, ["find_tools", "describe_tool", "call_tool"]);

    let found = common::call(&client, "find_tools", json!({ "query": "pause playback" }))
        .await
        .unwrap();
    let found = found.structured_content.unwrap();
    assert_eq!(found["tools"][0]["name"], "pause_playback", "{found}");

    let described = common::call(&client, "describe_tool", json!({ "name": "get_album" }))
        .await
        .unwrap();
    let described = described.structured_content.unwrap();
    assert_eq!(described["inputSchema"]["required"], json!(["id"]));

    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let result = common::call(
        &client,
        "call_tool",
        json!({ "name": "get_album", "arguments": { "id": "a000000000000000000000" } }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(result.structured_content.unwrap()["name"], "Arrival");
    assert_eq!(
        fake.requests_at("/v1/albums/a000000000000000000000").len(),
        1
    );
}

#[tokio::test]
async fn call_tool_validates_like_a_listed_tool() {
    let (fake, client) = dynamic().await;
    let result = common::call(
        &client,
        "call_tool",
        json!({ "name": "search", "arguments": { "q": "x", "type": ["song"] } }),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("`type.0`"),
        "{}",
        common::text(&result)
    );
    let unknown = common::call(&client, "call_tool", json!({ "name": "get_weather" })).await;
    assert!(
        unknown.is_err(),
        "an unknown tool is a protocol error, as when listed"
    );
    let missing = common::call(&client, "describe_tool", json!({ "name": "get_weather" }))
        .await
        .unwrap();
    assert_eq!(missing.is_error, Some(true));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn find_tools_filters_by_toolset() {
    let (_fake, client) = dynamic().await;
    let found = common::call(
        &client,
        "find_tools",
        json!({ "toolset": "player", "limit": 100 }),
    )
    .await
    .unwrap();
    let found = found.structured_content.unwrap();
    let player = common::catalog::current_where(|t| t.toolset == "player");
    assert_eq!(found["total"], player.len());
    assert!(
        found["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["toolset"] == "player")
    );
}
