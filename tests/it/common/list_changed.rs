//! Clients that hear `notifications/tools/list_changed`, in process and over HTTP, and the
//! logins the tests of a changing tool list store (`tools_list_changed`, `login_pickup`).

use super::grants;
use rmcp::model::{ClientConfig, ProtocolVersion};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt, NotificationContext, RoleClient, RunningService,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ServiceExt};
use spotify_mcp::mcp::SpotifyServer;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the in-process servers look at the login.
pub const RECHECK: Duration = Duration::from_millis(250);
/// How long a notification may take: a few intervals and slack for a busy machine.
pub const HEARD_WITHIN: Duration = Duration::from_secs(10);
/// The tool the first login lacks the scopes of.
pub const PLAYLIST_WRITER: &str = "add_playlist_items";
const PLAYLIST_WRITE: [&str; 2] = ["playlist-modify-private", "playlist-modify-public"];

/// Every scope a tool needs but the playlist-writing ones.
pub fn without_playlist_write() -> Vec<&'static str> {
    let mut scopes = grants::all_scopes();
    scopes.retain(|scope| !PLAYLIST_WRITE.contains(scope));
    scopes
}

/// A client that passes each `notifications/tools/list_changed` it hears outside a listen
/// stream to the test.
#[derive(Clone)]
pub struct Listening {
    heard: mpsc::UnboundedSender<()>,
    version: ProtocolVersion,
}

impl ClientHandler for Listening {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.protocol_version = self.version.clone();
        info
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.heard.send(());
    }
}

pub type Client = RunningService<RoleClient, Listening>;

/// Connects a client of `version` over an in-memory pipe.
pub async fn connect(
    server: SpotifyServer,
    version: ProtocolVersion,
) -> (Client, mpsc::UnboundedReceiver<()>) {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let (heard, notifications) = mpsc::unbounded_channel();
    let lifecycle = lifecycle(&version);
    let client = Listening { heard, version }.serve_with_lifecycle(client_io, lifecycle);
    let client = tokio::time::timeout(HEARD_WITHIN, client)
        .await
        .expect("connects in time")
        .expect("connects");
    (client, notifications)
}

/// `initialize` before 2026-07-28, `server/discover` from then.
fn lifecycle(version: &ProtocolVersion) -> ClientLifecycleMode {
    match version.has_initialize() {
        true => ClientLifecycleMode::Initialize,
        false => ClientLifecycleMode::Discover {
            preferred_versions: vec![version.clone()],
        },
    }
}

pub async fn tool_names(client: &Client) -> Vec<String> {
    let tools = tokio::time::timeout(HEARD_WITHIN, client.list_all_tools())
        .await
        .expect("lists in time")
        .expect("tools/list");
    tools
        .into_iter()
        .map(|tool| tool.name.to_string())
        .collect()
}

pub async fn heard(notifications: &mut mpsc::UnboundedReceiver<()>, within: Duration) -> bool {
    matches!(
        tokio::time::timeout(within, notifications.recv()).await,
        Ok(Some(()))
    )
}

/// Connects a client of `version` to the MCP endpoint at `url`.
pub async fn connect_over_http(
    url: &str,
    version: ProtocolVersion,
) -> (Client, mpsc::UnboundedReceiver<()>) {
    let (heard, notifications) = mpsc::unbounded_channel();
    let lifecycle = lifecycle(&version);
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string()),
    );
    let client = Listening { heard, version }.serve_with_lifecycle(transport, lifecycle);
    let client = tokio::time::timeout(HEARD_WITHIN, client)
        .await
        .expect("handshake in time")
        .expect("the client connects over HTTP");
    (client, notifications)
}

/// Whether the server told this client it sends `tools/list_changed` (`tools.listChanged`).
pub fn declared_list_changed(client: &Client) -> Option<bool> {
    client.peer_info().and_then(|info| {
        info.capabilities
            .tools
            .as_ref()
            .and_then(|tools| tools.list_changed)
    })
}
