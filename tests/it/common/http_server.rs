//! The built binary serving MCP over streamable HTTP on 127.0.0.1 (a free port), pointed at the
//! fake Spotify, plus an MCP client and plain JSON-RPC requests to reach it.

use super::fake_spotify::FakeSpotify;
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const TOKEN: &str = "http-test-bearer-token-9f2c4e7a1b3d5f60";
/// Accept header every MCP POST must carry.
pub const ACCEPT: &str = "application/json, text/event-stream";

pub struct HttpServer {
    pub child: Child,
    pub addr: SocketAddr,
    logs: Arc<Mutex<String>>,
}

/// `spotify-mcp serve --transport http` on 127.0.0.1 (a free port) with `args` added.
pub fn command(fake: &FakeSpotify, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"));
    command
        .args(["serve", "--transport", "http"])
        .args(args)
        .env_clear()
        // A flag given in `args` wins over this.
        .env("SPOTIFY_MCP_BIND", "127.0.0.1:0")
        .env("SPOTIFY_API_BASE_URL", format!("{}/v1", fake.url()))
        .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
        .env("SPOTIFY_ACCESS_TOKEN", "spotify-token")
        .env("SPOTIFY_MCP_CACHE_MAX_BYTES", "0")
        .env("SPOTIFY_MCP_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

impl HttpServer {
    /// Starts the server and waits (at most 30 s) until it listens.
    pub async fn start(fake: &FakeSpotify, args: &[&str]) -> Self {
        Self::spawn(command(fake, args)).await
    }

    pub async fn spawn(mut command: Command) -> Self {
        let mut child = command.spawn().expect("the binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let logs = Arc::new(Mutex::new(String::new()));
        let (found, listening) = tokio::sync::oneshot::channel();
        let sink = logs.clone();
        tokio::spawn(async move {
            let mut found = Some(found);
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("serving MCP over HTTP")
                    && let Some(addr) = line
                        .split_whitespace()
                        .find_map(|word| word.strip_prefix("addr="))
                        .and_then(|addr| addr.parse::<SocketAddr>().ok())
                    && let Some(found) = found.take()
                {
                    let _ = found.send(addr);
                }
                let mut logs = sink.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let addr = match tokio::time::timeout(Duration::from_secs(30), listening).await {
            Ok(Ok(addr)) => addr,
            _ => panic!(
                "the server exited or did not start listening within 30 s:\n{}",
                logs.lock().unwrap()
            ),
        };
        Self { child, addr, logs }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The Prometheus text at /metrics (no bearer token).
    pub async fn metrics(&self) -> String {
        http_client()
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("still running").to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}");
    }

    /// Waits for the process to exit (at most `limit`).
    pub async fn exit_status(&mut self, limit: Duration) -> ExitStatus {
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => status.expect("wait works"),
            Err(_) => panic!("the server did not exit within {limit:?}:\n{}", self.logs()),
        }
    }

    /// A POST to /mcp with the Accept header MCP needs, for the test to add headers and a body.
    pub fn mcp_request(&self) -> reqwest::RequestBuilder {
        http_client()
            .post(self.url("/mcp"))
            .header("accept", ACCEPT)
    }

    /// POSTs `body` as JSON to /mcp, in `session` when given.
    pub fn post(
        &self,
        session: Option<&str>,
        body: &Value,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
        let mut request = self.mcp_request().json(body);
        if let Some(session) = session {
            request = request.header("mcp-session-id", session);
        }
        request.send()
    }

    /// An MCP client over streamable HTTP, sending `token` (if any) and extra headers.
    pub async fn client(
        &self,
        token: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
        let mut config = StreamableHttpClientTransportConfig::with_uri(self.url("/mcp"));
        if let Some(token) = token {
            config = config.auth_header(token);
        }
        let custom: HashMap<_, _> = headers
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_static(name),
                    http::HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect();
        config = config.custom_headers(custom);
        let transport = StreamableHttpClientTransport::from_config(config);
        tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
            .await
            .expect("handshake within 20 s")
            .expect("the MCP client connects over HTTP")
    }
}

/// A plain HTTP client with a time limit on every request.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// An `initialize` request body.
pub fn initialize(id: u64) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "plain-http-test", "version": "1" }
        }
    })
}

/// The `notifications/initialized` a client sends after `initialize`.
pub fn initialized() -> Value {
    json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })
}

/// The session id an `initialize` answer carries.
pub fn session_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("mcp-session-id")
        .expect("initialize answers with a session id")
        .to_str()
        .unwrap()
        .to_string()
}

/// The JSON-RPC messages of an SSE (or JSON) answer body.
pub fn messages(body: &str) -> Vec<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return vec![value];
    }
    body.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect()
}
