//! End to end: the built `spotify-mcp serve` binary over stdio, driven by an MCP client that
//! speaks each protocol revision desktop assistants use, against the fake Spotify.

mod common;

use common::fake_spotify::{Canned, FakeSpotify};
use rmcp::ClientHandler;
use rmcp::model::{CallToolRequestParams, ClientConfig, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use tokio::process::Command;

#[derive(Clone)]
struct VersionedClient(ProtocolVersion);

impl ClientHandler for VersionedClient {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.protocol_version = self.0.clone();
        info
    }
}

fn server_command(fake: &FakeSpotify) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"));
    command
        .arg("serve")
        .env_clear()
        .env("SPOTIFY_API_BASE_URL", format!("{}/v1", fake.url()))
        .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
        .env("SPOTIFY_ACCESS_TOKEN", "stdio-token")
        .env("SPOTIFY_MCP_LOG", "warn");
    command
}

/// `initialize` for the revisions that have it; `server/discover` from 2026-07-28 on.
async fn round_trip(version: ProtocolVersion) {
    let fake = FakeSpotify::start().await;
    let transport = TokioChildProcess::new(server_command(&fake)).expect("the binary starts");
    let lifecycle = if version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![version.clone()],
        }
    };
    let connect = VersionedClient(version.clone()).serve_with_lifecycle(transport, lifecycle);
    let client = tokio::time::timeout(std::time::Duration::from_secs(20), connect)
        .await
        .expect("handshake within 20 s")
        .unwrap_or_else(|e| panic!("connects with {version}: {e}"));
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.protocol_version, version,
        "the server speaks the client's revision"
    );
    if version.has_initialize() {
        assert!(
            info.instructions
                .as_deref()
                .is_some_and(|i| i.contains("Spotify"))
        );
    }

    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 49);

    fake.respond(Canned::json(200, json!({ "devices": [{ "id": "d1", "name": "Kitchen", "type": "Speaker", "is_active": true }] })));
    let result = client
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
        Some("Bearer stdio-token")
    );
    client.cancel().await.expect("shuts down");
}

#[tokio::test]
async fn speaks_2025_06_18() {
    round_trip(ProtocolVersion::V_2025_06_18).await;
}

#[tokio::test]
async fn speaks_2025_11_25() {
    round_trip(ProtocolVersion::V_2025_11_25).await;
}

#[tokio::test]
async fn speaks_the_newest_revision() {
    round_trip(ProtocolVersion::LATEST).await;
}

#[tokio::test]
async fn stdout_carries_only_protocol_messages() {
    // A bad flag must fail with a message on stderr and nothing on stdout.
    let output = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"))
        .args(["serve", "--no-such-flag"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--no-such-flag"));
}
