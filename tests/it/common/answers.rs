//! What the multi-user tests read back: a call's answer as JSON, whose Spotify the fake's Web
//! API requests acted for, and how often the fake's token endpoint was asked.

use super::Client;
use fake_spotify::FakeSpotify;
use rmcp::model::CallToolResult;
use serde_json::Value;

/// A result's structured content, else its text parsed as JSON (`Null` when it is not JSON).
pub fn structured(result: CallToolResult) -> Value {
    let text = super::text(&result);
    result
        .structured_content
        .unwrap_or_else(|| serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Calls `tool` with `arguments` (an object), insisting on success within 30 s: its answer.
pub async fn ok(client: &Client, tool: &str, arguments: Value) -> Value {
    structured(super::call_ok(client, tool, arguments).await)
}

/// The users the fake saw Spotify Web API requests act for, since it was last cleared.
pub fn api_users(fake: &FakeSpotify) -> Vec<Option<String>> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .map(|r| r.user)
        .collect()
}

/// How many requests reached the fake's token endpoint (grant refreshes), since it was last
/// cleared.
pub fn refreshes(fake: &FakeSpotify) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/api/token")
        .count()
}
