//! Calling a tool that is not in the catalog is a JSON-RPC error, not a tool result.

use crate::common;

use common::fake_spotify::FakeSpotify;
use rmcp::ServiceError;
use serde_json::json;

fn protocol_error_message(result: Result<rmcp::model::CallToolResult, ServiceError>) -> String {
    match result {
        Err(ServiceError::McpError(error)) => error.message.to_string(),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_tool_is_a_jsonrpc_error() {
    let (fake, client) = common::setup().await;
    let message = protocol_error_message(common::call(&client, "get_weather", json!({})).await);
    assert!(message.contains("unknown tool `get_weather`"), "{message}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn deprecated_tool_is_unknown_unless_included() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::spotify_args(&fake, Some("t")), false).await;
    let message = protocol_error_message(
        common::call(
            &client,
            "get_several_albums",
            json!({ "ids": ["a000000000000000000000"] }),
        )
        .await,
    );
    assert!(message.contains("unknown tool"), "{message}");
}
