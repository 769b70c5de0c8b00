//! Test support: a fake Spotify over real HTTP on 127.0.0.1, the server wired to it, and an
//! in-process MCP client talking to the server over `tokio::io::duplex`.
#![allow(dead_code)]

pub mod adversarial;
pub mod answers;
pub mod apps_host;
pub mod auth_server;
pub mod cached;
pub mod catalog;
pub mod chromedriver;
pub mod every_tool;
pub mod fake_spotify;
pub mod grants;
pub mod http_server;
pub mod list_changed;
pub mod log_capture;
pub mod multi_user_replicas;
pub mod multi_user_server;
pub mod operator;
pub mod postgres_cluster;
pub mod realistic;
pub mod redis_server;
pub mod reference;
pub mod replicas;
pub mod samples;
pub mod sign_in_server;

use fake_spotify::FakeSpotify;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::{ServiceError, ServiceExt};
use serde_json::{Map, Value};
use spotify_mcp::credentials::AuthMode;
use spotify_mcp::foundation::config::{MiddlewareArgs, SpotifyArgs};
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::Arc;

pub type Client = RunningService<RoleClient, ()>;

/// A 127.0.0.1 port free right now: for a server a test starts, or one where nothing listens.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Configuration pointing at the fake, with a static access token unless `token` is `None`.
pub fn spotify_args(fake: &FakeSpotify, token: Option<&str>) -> SpotifyArgs {
    args_for(format!("{}/v1", fake.url()), fake.url(), token)
}

/// Configuration for a Web API at `api` and accounts service at `accounts` (any fake), with a
/// static access token unless `token` is `None`, no stored login and the cache off.
pub fn args_for(api: String, accounts: String, token: Option<&str>) -> SpotifyArgs {
    SpotifyArgs {
        api_base_url: api,
        accounts_base_url: accounts,
        client_id: None,
        client_secret: None,
        access_token: token.map(Secret::new),
        // A path that never exists: tests opt in to a stored login explicitly.
        token_file: Some(std::env::temp_dir().join("spotify-mcp-tests-no-such-dir/token.json")),
        refresh_margin_secs: 300,
        http_timeout_secs: 10,
        // Tests that count upstream requests opt in to the cache explicitly.
        middleware: MiddlewareArgs {
            cache_max_bytes: 0,
            ..MiddlewareArgs::default()
        },
    }
}

/// Starts the MCP server on one end of an in-memory pipe and connects a client to the other.
pub async fn connect(args: &SpotifyArgs, include_deprecated: bool) -> Client {
    let options = CatalogOptions {
        selection: Selection {
            include_deprecated,
            ..Selection::default()
        },
        ..CatalogOptions::default()
    };
    connect_with(args, options).await
}

/// Like [`connect`], with the catalog options given and the stored login's scopes applied.
pub async fn connect_with(args: &SpotifyArgs, mut options: CatalogOptions) -> Client {
    let api = spotify_mcp::build_api(args).expect("client builds");
    if let AuthMode::User(scopes) = api.default_credentials().mode().await {
        options.granted_scopes = Some(scopes);
    }
    let catalog = Catalog::new(all_tools(), &options);
    let server = SpotifyServer::new(api, Arc::new(catalog));
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_io).await.expect("MCP client connects")
}

/// A fake with a token and a connected client over the full catalog.
pub async fn setup() -> (FakeSpotify, Client) {
    let fake = FakeSpotify::start().await;
    let client = connect(&spotify_args(&fake, Some("test-token")), true).await;
    (fake, client)
}

pub async fn call(
    client: &Client,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments: Map<String, Value> = match arguments {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => panic!("arguments must be an object, got {other}"),
    };
    client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(arguments))
        .await
}

/// How long [`call_ok`] waits for an answer: a test fails instead of hanging.
const CALL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Calls `name` and insists on a successful result (not `isError`) within 30 s, which it returns.
pub async fn call_ok(client: &Client, name: &str, arguments: Value) -> CallToolResult {
    let result = tokio::time::timeout(CALL_DEADLINE, call(client, name, arguments))
        .await
        .unwrap_or_else(|_| panic!("{name} did not answer within {CALL_DEADLINE:?}"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_ne!(result.is_error, Some(true), "{name}: {}", text(&result));
    result
}

/// Calls `name` and insists on an error result (`isError`), whose text it returns.
pub async fn call_err(client: &Client, name: &str, arguments: Value) -> String {
    let result = call(client, name, arguments).await.unwrap();
    assert_eq!(result.is_error, Some(true), "{name} succeeded: {result:?}");
    text(&result)
}

/// The names `tools/list` shows, in its order.
pub async fn tool_names(client: &rmcp::Peer<RoleClient>) -> Vec<String> {
    let tools = client.list_all_tools().await.expect("tools/list");
    tools.into_iter().map(|t| t.name.to_string()).collect()
}

/// The text of a result's first content block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .find_map(|block| block.as_text().map(|t| t.text.clone()))
        .unwrap_or_default()
}

/// What every transport must carry: `tools/list` shows the default tools, and `get_devices`
/// reaches the fake Spotify once with the server's `token` and comes back structured.
pub async fn lists_and_calls_get_devices(
    peer: &rmcp::Peer<RoleClient>,
    fake: &FakeSpotify,
    token: &str,
) {
    let tools = peer.list_all_tools().await.expect("tools/list");
    assert_eq!(
        catalog::sorted(tools.iter().map(|t| &t.name)),
        catalog::served()
    );

    fake.respond(fake_spotify::Canned::json(
        200,
        serde_json::json!({ "devices": [{ "id": "d1", "name": "Kitchen", "type": "Speaker", "is_active": true }] }),
    ));
    let result = peer
        .call_tool(CallToolRequestParams::new("get_devices"))
        .await
        .expect("tools/call");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(
        result.structured_content.unwrap()["devices"][0]["name"],
        "Kitchen"
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/me/player/devices");
    assert_eq!(
        requests[0].header("authorization").as_deref(),
        Some(format!("Bearer {token}").as_str())
    );
}
