//! End to end: the built `spotify-mcp serve` binary over stdio, driven by an MCP client that
//! speaks each protocol revision desktop assistants use, against the fake Spotify.

use crate::common;

use common::fake_spotify::FakeSpotify;
use rmcp::ClientHandler;
use rmcp::model::{ClientConfig, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::TokioChildProcess;
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

    common::lists_and_calls_get_devices(&client, &fake, "stdio-token").await;
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
