//! The realistic fake (`fake-spotify`) wired to the in-process server: configuration, a
//! connected client, and the calls the fault tests make.

use super::Client;
use ::fake_spotify::{FakeSpotify, Kind, Knobs};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use spotify_mcp::foundation::config::SpotifyArgs;
use std::time::Duration;

/// Longest any single tool call in these tests may take before the test fails.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// Configuration pointing at the fake, with `token` as a raw access token, caching off, one
/// second of permitted rate-limit wait and a short HTTP timeout.
pub fn args(fake: &FakeSpotify, token: Option<&str>) -> SpotifyArgs {
    let mut args = super::args_for(fake.api_url(), fake.url(), token);
    args.http_timeout_secs = 3;
    args.middleware.max_rate_limit_wait_secs = 1;
    args
}

/// A fake with `knobs` and a client connected to a server holding a fresh user token.
pub async fn start(knobs: Knobs) -> (FakeSpotify, Client) {
    let fake = FakeSpotify::start(knobs).await.expect("fake starts");
    let token = fake.issue_user_token().access_token;
    let client = super::connect(&args(&fake, Some(&token)), true).await;
    (fake, client)
}

/// Calls a tool; fails the test if the server does not answer within [`CALL_DEADLINE`] or the
/// protocol breaks (a panic in the server shows up as one).
pub async fn call(client: &Client, name: &str, arguments: Value) -> CallToolResult {
    tokio::time::timeout(CALL_DEADLINE, super::call(client, name, arguments))
        .await
        .unwrap_or_else(|_| panic!("{name} did not answer within {CALL_DEADLINE:?}"))
        .unwrap_or_else(|e| panic!("{name}: the MCP exchange failed: {e}"))
}

pub fn get_album(fake: &FakeSpotify) -> (&'static str, Value) {
    ("get_album", json!({ "id": fake.ids(Kind::Album)[0] }))
}

/// Arguments adding one track to the user's first playlist; returns the playlist id too.
pub fn add_one_track(fake: &FakeSpotify) -> (String, String, Value) {
    let playlist = fake.own_playlist_ids()[0].clone();
    let uri = format!("spotify:track:{}", fake.ids(Kind::Track)[7]);
    let args = json!({ "playlist_id": playlist, "uris": [uri] });
    (playlist, uri, args)
}

/// Requests that reached `path_suffix` with `method`.
pub fn count(fake: &FakeSpotify, method: &str, path_suffix: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(path_suffix))
        .count()
}
