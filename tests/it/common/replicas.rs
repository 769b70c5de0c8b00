//! Replicas: `spotify-mcp serve` processes (the built binary, over stdio) sharing one Redis, each
//! with its own copy of the login file, as on separate machines.

use super::fake_spotify::FakeSpotify;
use super::grants;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::transport::TokioChildProcess;
use serde_json::Value;
use spotify_mcp::credentials::grant::Grant;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

/// The longest a replica may take to start or to answer one call.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Replica {
    pub client: super::Client,
    pub token_file: PathBuf,
    _dir: tempfile::TempDir,
}

/// A login unique to this run (so that runs sharing a Redis never see each other's entries),
/// whose access token expires in `expires_in` seconds, with refresh token `refresh`.
pub fn login(access: &str, refresh: &str, expires_in: i64) -> Grant {
    let mut grant = grants::grant(access, Some(refresh), expires_in, &grants::all_scopes());
    grant.user_id = Some(format!(
        "replica-user-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    grant
}

/// The key that seals the grant in Redis for the replicas (32 bytes, base64).
pub const ENCRYPTION_KEY: &str = "c3BvdGlmeS1tY3AgdGVzdCBrZXksIDMyIGJ5dGVzISE=";

/// The Redis key holding `login`'s shared (sealed) grant.
pub fn grant_key(login: &Grant) -> String {
    format!(
        "spotify-mcp:v2:grant:{}:{}",
        login.client_id,
        login.user_id.as_deref().unwrap()
    )
}

/// The grant Redis holds for `login`, opened with `key`.
pub async fn shared_grant_with(url: &str, login: &Grant, key: &str) -> Option<Grant> {
    let name = grant_key(login);
    let sealed: Option<String> =
        redis_command(url, redis::cmd("HGET").arg(&name).arg("sealed")).await;
    let sealed = sealed?;
    let keys = spotify_mcp::foundation::sealed::GrantKeys::new(
        &spotify_mcp::foundation::secret::Secret::new(key),
        &[],
    )
    .unwrap();
    let plain = keys
        .open(&sealed, &name)
        .expect("sealed with the replicas' key");
    Some(serde_json::from_slice(&plain).unwrap())
}

/// The grant Redis holds for `login`, opened with the replicas' key.
pub async fn shared_grant(url: &str, login: &Grant) -> Option<Grant> {
    shared_grant_with(url, login, ENCRYPTION_KEY).await
}

/// Starts a server process against `fake`, with `login` in its own token file and `redis_url`.
pub async fn start(fake: &FakeSpotify, login: &Grant, redis_url: &str) -> Replica {
    start_logging(fake, login, redis_url, None).await
}

/// Like [`start`]; with `log`, the server logs everything (TRACE) into that file.
pub async fn start_logging(
    fake: &FakeSpotify,
    login: &Grant,
    redis_url: &str,
    log: Option<&Path>,
) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token.json");
    spotify_mcp::credentials::store::FileTokenStore::new(token_file.clone())
        .save_sync(login)
        .expect("token file written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"));
    command
        .arg("serve")
        .env_clear()
        .env("SPOTIFY_API_BASE_URL", format!("{}/v1", fake.url()))
        .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
        .env("SPOTIFY_MCP_TOKEN_FILE", &token_file)
        .env("SPOTIFY_MCP_REDIS_URL", redis_url)
        .env("SPOTIFY_MCP_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("SPOTIFY_MCP_MAX_RATE_LIMIT_WAIT", "1")
        .env("SPOTIFY_MCP_HTTP_TIMEOUT", "10")
        // The replica tests write without a client that can confirm.
        .env("SPOTIFY_MCP_CONFIRM_DESTRUCTIVE", "never")
        .env(
            "SPOTIFY_MCP_LOG",
            if log.is_some() { "trace" } else { "warn" },
        );
    let mut builder = TokioChildProcess::builder(command);
    if let Some(log) = log {
        builder = builder.stderr(std::fs::File::create(log).expect("log file created"));
    }
    let (transport, _) = builder.spawn().expect("the binary starts");
    let client = tokio::time::timeout(PATIENCE, ().serve(transport))
        .await
        .expect("handshake within 20 s")
        .expect("the replica speaks MCP");
    Replica {
        client,
        token_file,
        _dir: dir,
    }
}

impl Replica {
    /// One tool call, answered within 20 s or the test fails.
    pub async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        let Value::Object(arguments) = arguments else {
            panic!("arguments must be an object");
        };
        let request = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
        tokio::time::timeout(PATIENCE, self.client.call_tool(request))
            .await
            .unwrap_or_else(|_| panic!("{tool} answered within 20 s"))
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    /// A call that must succeed.
    pub async fn ok(&self, tool: &str, arguments: Value) -> CallToolResult {
        let result = self.call(tool, arguments).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool}: {}",
            super::text(&result)
        );
        result
    }
}

/// A value from Redis (a plain connection, not the server's).
pub async fn redis_get(url: &str, key: &str) -> Option<String> {
    redis_command(url, redis::cmd("GET").arg(key)).await
}

/// One command's answer from Redis (a plain connection, not the server's).
pub async fn redis_command<T: redis::FromRedisValue>(url: &str, command: &redis::Cmd) -> T {
    let client = redis::Client::open(url).unwrap();
    let mut connection = tokio::time::timeout(
        Duration::from_secs(5),
        client.get_multiplexed_async_connection(),
    )
    .await
    .expect("Redis answers within 5 s")
    .unwrap();
    command.query_async(&mut connection).await.unwrap()
}
