//! Command-line flags and environment variables.

use crate::foundation::secret::Secret;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Where `auth login` listens for Spotify's redirect (Spotify refuses `localhost`, hence the IP).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8888/callback";

#[derive(Debug, Parser)]
#[command(
    name = "spotify-mcp",
    version,
    about = "An MCP server for the Spotify Web API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start-up: boxing `serve`'s flags would save nothing worth the noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (for Claude Desktop, Claude Code and other local clients), or over
    /// streamable HTTP with `--transport http`.
    Serve(ServeArgs),
    /// Sign in to Spotify, show the stored login, or sign out.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Show the tool catalog and what it costs an assistant.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// Multi-user mode's people: list them, show one, sign them out everywhere, or delete them.
    #[command(subcommand)]
    Users(UsersCommand),
    /// The audit trail: who changed what at Spotify through this server, through which client,
    /// when, and how it went (tool calls that are not read-only).
    Audit(AuditListArgs),
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign in with your Spotify account (Authorization Code with PKCE) and store the grant.
    Login(LoginArgs),
    /// Show the stored login: user, scopes, token expiry, grant age, tools it cannot reach.
    Status(StatusArgs),
    /// Delete the stored login.
    Logout(LogoutArgs),
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// Print the catalog the given flags select, with its size in bytes and estimated tokens.
    List(ToolsListArgs),
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Every person who signed in: id, Spotify account, name, when first and last seen, scopes.
    List(UsersListArgs),
    /// One person: their Spotify grant, the clients they allowed, their live tokens.
    Show(UserArgs),
    /// Revoke every token of one person: each client must have them sign in again (their
    /// Spotify grant and approvals stay).
    Revoke(UserArgs),
    /// Delete one person: their Spotify grant, codes, tokens, approvals and audit records, and (with
    /// --redis-url) their entries in the shared cache.
    Delete(UserDeleteArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UsersListArgs {
    /// The database of the server in multi-user mode (no encryption key is needed: these
    /// commands never open a Spotify grant).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UserArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The person: their user id (as `users list` shows it) or their Spotify account.
    #[arg(allow_hyphen_values = true)]
    pub user: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UserDeleteArgs {
    #[command(flatten)]
    pub user: UserArgs,
    /// The Redis the servers share (--redis-url of `serve`): the person's cached answers there
    /// stop being served at once. Without it they expire within their cache TTL.
    #[arg(long, env = "SPOTIFY_MCP_REDIS_URL", hide_env_values = true, value_parser = parse_secret)]
    pub redis_url: Option<Secret>,
    /// CA certificates (PEM) that sign the Redis server's certificate, for a rediss:// URL.
    #[arg(long, env = "SPOTIFY_MCP_REDIS_CA_FILE")]
    pub redis_ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct AuditListArgs {
    /// The server's database (--database-url of `serve`; no encryption key is needed).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only this person's calls: their user id (as `users list` shows it) or Spotify account.
    #[arg(long, allow_hyphen_values = true)]
    pub user: Option<String>,
    /// Only calls since then: a duration back from now (`90m`, `24h`, `7d`) or an RFC 3339
    /// time (`2026-12-01T00:00:00Z`).
    #[arg(long)]
    pub since: Option<String>,
    /// Only calls of this tool (e.g. `remove_playlist_items`).
    #[arg(long)]
    pub tool: Option<String>,
    /// Show the newest this many records.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// The audit trail of calls that change something at Spotify.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Record every call of a tool that changes something at Spotify (who, which client, which
    /// tool, the ids it named, when, the outcome; never tokens or bodies) in the database of
    /// --database-url (default: SQLite in the data directory). Multi-user mode always records;
    /// in single-user mode this turns it on.
    #[arg(long, env = "SPOTIFY_MCP_AUDIT")]
    pub audit: bool,
    /// Days audit records are kept; older ones are deleted by the server every hour. 0 keeps
    /// them forever.
    #[arg(long, env = "SPOTIFY_MCP_AUDIT_RETENTION_DAYS", default_value_t = AuditArgs::RETENTION_DAYS)]
    pub audit_retention_days: u32,
}

impl AuditArgs {
    pub const RETENTION_DAYS: u32 = 90;
}

impl Default for AuditArgs {
    fn default() -> Self {
        Self {
            audit: false,
            audit_retention_days: Self::RETENTION_DAYS,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ToolsListArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Print the `tools/list` JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub spotify: SpotifyArgs,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Serve Prometheus metrics on this address at /metrics (e.g. 127.0.0.1:9464).
    #[arg(long, env = "SPOTIFY_MCP_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Answers as Spotify sent them: keep deprecated fields, every image, empty fields; no size cap.
    #[arg(long, env = "SPOTIFY_MCP_RAW_RESPONSES")]
    pub raw_responses: bool,
    /// Answers larger than this many bytes have their lists cut, with a note on how to get the rest.
    #[arg(long, env = "SPOTIFY_MCP_MAX_RESPONSE_BYTES", default_value_t = 60_000)]
    pub max_response_bytes: usize,
    /// List tools whose scopes the stored login lacks too, marked as unavailable.
    #[arg(long, env = "SPOTIFY_MCP_SHOW_UNAVAILABLE_TOOLS")]
    pub show_unavailable_tools: bool,
    /// Seconds between two looks at the stored login for a newer one (`auth login` run again
    /// while the server runs). When its scopes differ, the tool list follows and clients are
    /// sent `notifications/tools/list_changed`. A server started with no credentials at all
    /// looks for the first login as often, and takes it without a restart. Single-user mode
    /// only; 0 turns it off (the tool list and the credentials are then fixed until restart).
    #[arg(long, env = "SPOTIFY_MCP_LOGIN_RECHECK_SECS", default_value_t = ServeArgs::LOGIN_RECHECK_SECS)]
    pub login_recheck_secs: u64,
    /// Try every tool without a Spotify account: answers come from a fake Spotify with made-up
    /// data, started in this process (Spotify URLs, credentials and Redis flags are ignored).
    #[arg(long, env = "SPOTIFY_MCP_DEMO")]
    pub demo: bool,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub multi_user: MultiUserArgs,
    #[command(flatten)]
    pub audit: AuditArgs,
    /// What happens before a destructive tool (removing playlist items, replacing a playlist,
    /// removing from the library, unfollowing) runs. `ask` (the default): the person is asked
    /// through the client (elicitation) where it can ask; where it cannot, writes `undo` can
    /// reverse run and answer with an undo handle, and the others are refused with how to allow
    /// them. `never`: run without asking (undo handles still come back). `refuse`: never run them.
    #[arg(
        long,
        env = "SPOTIFY_MCP_CONFIRM_DESTRUCTIVE",
        value_enum,
        default_value_t
    )]
    pub confirm_destructive: ConfirmDestructive,
    #[command(flatten)]
    pub resources: ResourceArgs,
}

impl ServeArgs {
    pub const LOGIN_RECHECK_SECS: u64 = 5;

    /// How often the stored login is looked at for a newer one; `None`: never.
    pub fn login_recheck(&self) -> Option<std::time::Duration> {
        (self.login_recheck_secs > 0)
            .then(|| std::time::Duration::from_secs(self.login_recheck_secs))
    }
}

/// The `--confirm-destructive` policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfirmDestructive {
    /// Ask the person where the client can; else run only what `undo` can reverse.
    #[default]
    Ask,
    /// Run destructive tools without asking.
    Never,
    /// Refuse every destructive tool.
    Refuse,
}

/// MCP resources: what a host can read and subscribe to besides the tools.
#[derive(Debug, Clone, Args)]
pub struct ResourceArgs {
    /// Seconds between two polls of a user's player state while someone is subscribed to
    /// their now-playing resource (one poll serves all of that user's subscribers; nothing is
    /// polled while nobody listens). At least 1.
    #[arg(long, env = "SPOTIFY_MCP_NOW_PLAYING_POLL_SECS", default_value_t = ResourceArgs::NOW_PLAYING_POLL_SECS)]
    pub now_playing_poll_secs: u64,
}

impl ResourceArgs {
    pub const NOW_PLAYING_POLL_SECS: u64 = 5;

    /// The poll interval, never under a second.
    pub fn now_playing_poll(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.now_playing_poll_secs.max(1))
    }
}

impl Default for ResourceArgs {
    fn default() -> Self {
        Self {
            now_playing_poll_secs: Self::NOW_PLAYING_POLL_SECS,
        }
    }
}

/// Multi-user mode: every person signs in with their own Spotify account through this server
/// (it is an OAuth 2.1 authorization server for MCP clients), and each call acts as its caller.
#[derive(Debug, Clone, Args)]
pub struct MultiUserArgs {
    /// Serve many people over HTTP, each acting as their own Spotify account: clients discover
    /// this server's OAuth endpoints and people sign in with Spotify in the browser. Needs
    /// `--transport http`, SPOTIFY_CLIENT_ID and SPOTIFY_MCP_ENCRYPTION_KEY.
    #[arg(long, env = "SPOTIFY_MCP_MULTI_USER")]
    pub multi_user: bool,
    /// The URL people and clients reach this server at, without a path (e.g.
    /// https://mcp.example.com behind a proxy). It names the server in tokens and metadata; the
    /// MCP endpoint is <URL>/mcp and Spotify's redirect URI is <URL>/callback. Default:
    /// http://<--bind>.
    #[arg(long, env = "SPOTIFY_MCP_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Seconds an access token issued to an MCP client stays valid.
    #[arg(long, env = "SPOTIFY_MCP_ACCESS_TOKEN_TTL_SECS", default_value_t = MultiUserArgs::ACCESS_TOKEN_TTL_SECS)]
    pub access_token_ttl_secs: u64,
    /// Seconds a refresh token issued to an MCP client stays valid (each use rotates it).
    #[arg(long, env = "SPOTIFY_MCP_REFRESH_TOKEN_TTL_SECS", default_value_t = MultiUserArgs::REFRESH_TOKEN_TTL_SECS)]
    pub refresh_token_ttl_secs: u64,
    /// Most tool calls one user may have in flight at once, so that nobody starves the others.
    #[arg(long, env = "SPOTIFY_MCP_MAX_INFLIGHT_PER_USER", default_value_t = MultiUserArgs::MAX_INFLIGHT_PER_USER)]
    pub max_inflight_per_user: usize,
    /// For tests only: fetch client metadata documents from loopback and private addresses and
    /// over plain http (normally refused, so a client id cannot make the server probe its own
    /// network).
    #[arg(long, env = "SPOTIFY_MCP_ALLOW_PRIVATE_CLIENT_METADATA", hide = true)]
    pub allow_private_client_metadata: bool,
}

impl MultiUserArgs {
    pub const ACCESS_TOKEN_TTL_SECS: u64 = 3600;
    pub const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
    pub const MAX_INFLIGHT_PER_USER: usize = 4;
}

impl Default for MultiUserArgs {
    fn default() -> Self {
        Self {
            multi_user: false,
            public_url: None,
            database: DatabaseArgs::default(),
            access_token_ttl_secs: Self::ACCESS_TOKEN_TTL_SECS,
            refresh_token_ttl_secs: Self::REFRESH_TOKEN_TTL_SECS,
            max_inflight_per_user: Self::MAX_INFLIGHT_PER_USER,
            allow_private_client_metadata: false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// MCP over standard input and output (a local assistant starts the server).
    #[default]
    Stdio,
    /// MCP over streamable HTTP at /mcp, with /healthz and /metrics on the same listener.
    Http,
}

/// How the server is reached, and the HTTP transport's safety limits.
#[derive(Debug, Clone, Args)]
pub struct TransportArgs {
    /// `stdio` (default) or `http` (streamable HTTP at /mcp on --bind).
    #[arg(
        long,
        env = "SPOTIFY_MCP_TRANSPORT",
        value_enum,
        default_value = "stdio"
    )]
    pub transport: Transport,
    /// Address the HTTP transport listens on. Anything but a loopback address needs --auth-token.
    #[arg(long, env = "SPOTIFY_MCP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Bearer token HTTP clients must send (`Authorization: Bearer …`) to reach /mcp and
    /// /metrics. Required for a non-loopback --bind. Prefer the environment variable.
    /// At least 32 characters: make one with `openssl rand -hex 32`.
    #[arg(long, env = "SPOTIFY_MCP_AUTH_TOKEN", hide_env_values = true, value_parser = parse_secret)]
    pub auth_token: Option<Secret>,
    /// Browser origins allowed to call (comma-separated, e.g. https://app.example.com;
    /// `:*` after a host allows any port). Default on loopback: http://localhost, 127.0.0.1 and
    /// [::1] at the bound port; otherwise none. Requests without an Origin header always pass.
    #[arg(long, env = "SPOTIFY_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Host header values allowed (comma-separated `host` or `host:port`; `*` allows any, for a
    /// proxy that checks Host itself). Default: localhost, 127.0.0.1 and [::1] at the bound port,
    /// plus the bound IP.
    #[arg(long, env = "SPOTIFY_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Largest HTTP request body accepted, in bytes (larger: 413).
    #[arg(long, env = "SPOTIFY_MCP_MAX_BODY_BYTES", default_value_t = TransportArgs::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Most MCP sessions open at once over HTTP (more: 503 until one closes or expires). A
    /// session-less request (MCP 2026-07-28) holds a place too while it runs.
    #[arg(long, env = "SPOTIFY_MCP_MAX_SESSIONS", default_value_t = TransportArgs::MAX_SESSIONS)]
    pub max_sessions: usize,
    /// Most requests one HTTP session may have in flight at once (more: 429).
    #[arg(
        long,
        env = "SPOTIFY_MCP_MAX_INFLIGHT_PER_SESSION",
        default_value_t = TransportArgs::MAX_INFLIGHT_PER_SESSION
    )]
    pub max_inflight_per_session: usize,
    /// Most MCP requests in flight across the whole server, sessions and session-less requests
    /// together (more: 503).
    #[arg(long, env = "SPOTIFY_MCP_MAX_INFLIGHT", default_value_t = TransportArgs::MAX_INFLIGHT)]
    pub max_inflight: usize,
    /// Most HTTP connections open at once; more wait in the listen queue until one closes.
    #[arg(long, env = "SPOTIFY_MCP_MAX_CONNECTIONS", default_value_t = TransportArgs::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers; a kept-alive connection idle this long
    /// is closed too.
    #[arg(long, env = "SPOTIFY_MCP_HEADER_TIMEOUT_SECS", default_value_t = TransportArgs::HEADER_TIMEOUT_SECS)]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body (slower: 408 and the connection closes).
    #[arg(long, env = "SPOTIFY_MCP_BODY_TIMEOUT_SECS", default_value_t = TransportArgs::BODY_TIMEOUT_SECS)]
    pub body_timeout_secs: u64,
    /// An HTTP session with no activity for this many seconds is closed.
    #[arg(long, env = "SPOTIFY_MCP_SESSION_IDLE_SECS", default_value_t = TransportArgs::SESSION_IDLE_SECS)]
    pub session_idle_secs: u64,
    /// On SIGTERM or SIGINT, seconds to let running calls finish before exiting.
    #[arg(long, env = "SPOTIFY_MCP_SHUTDOWN_GRACE_SECS", default_value_t = TransportArgs::SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace_secs: u64,
}

impl TransportArgs {
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;
    pub const MAX_SESSIONS: usize = 64;
    pub const MAX_INFLIGHT_PER_SESSION: usize = 8;
    pub const MAX_INFLIGHT: usize = 256;
    pub const MAX_CONNECTIONS: usize = 512;
    pub const HEADER_TIMEOUT_SECS: u64 = 30;
    pub const BODY_TIMEOUT_SECS: u64 = 30;
    pub const SESSION_IDLE_SECS: u64 = 1800;
    pub const SHUTDOWN_GRACE_SECS: u64 = 10;
    /// Shortest `--auth-token` accepted: 32 hex characters carry 128 bits.
    pub const MIN_AUTH_TOKEN_CHARS: usize = 32;
}

/// The flags' defaults (for code that serves HTTP without a command line, such as tests).
impl Default for TransportArgs {
    fn default() -> Self {
        Self {
            transport: Transport::Stdio,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            auth_token: None,
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_body_bytes: Self::MAX_BODY_BYTES,
            max_sessions: Self::MAX_SESSIONS,
            max_inflight_per_session: Self::MAX_INFLIGHT_PER_SESSION,
            max_inflight: Self::MAX_INFLIGHT,
            max_connections: Self::MAX_CONNECTIONS,
            header_timeout_secs: Self::HEADER_TIMEOUT_SECS,
            body_timeout_secs: Self::BODY_TIMEOUT_SECS,
            session_idle_secs: Self::SESSION_IDLE_SECS,
            shutdown_grace_secs: Self::SHUTDOWN_GRACE_SECS,
        }
    }
}

/// Which tools the catalog holds: every byte of a tool listing costs the assistant context.
#[derive(Debug, Clone, Default, Args)]
pub struct CatalogArgs {
    /// Also list tools for operations Spotify has deprecated or withdrawn for newer apps.
    #[arg(long, env = "SPOTIFY_MCP_INCLUDE_DEPRECATED")]
    pub include_deprecated: bool,
    /// Toolsets to list, comma-separated (the spec's tags: albums, artists, audiobooks,
    /// categories, chapters, episodes, genres, library, markets, player, playlists, search,
    /// shows, tracks, users), or `all`.
    #[arg(
        long,
        env = "SPOTIFY_MCP_TOOLSETS",
        value_delimiter = ',',
        default_value = "all"
    )]
    pub toolsets: Vec<String>,
    /// List only tools that read (no tool that changes anything).
    #[arg(long, env = "SPOTIFY_MCP_READ_ONLY")]
    pub read_only: bool,
    /// List only these tools (exact names, comma-separated).
    #[arg(long, env = "SPOTIFY_MCP_TOOLS", value_delimiter = ',')]
    pub tools: Vec<String>,
    /// Leave these tools out (exact names, comma-separated).
    #[arg(long, env = "SPOTIFY_MCP_EXCLUDE_TOOLS", value_delimiter = ',')]
    pub exclude_tools: Vec<String>,
    /// `static`: every selected tool is listed. `dynamic`: three tools (find_tools,
    /// describe_tool, call_tool) reach the same catalog, for clients that must keep context tiny.
    #[arg(
        long,
        env = "SPOTIFY_MCP_TOOL_MODE",
        value_enum,
        default_value = "static"
    )]
    pub tool_mode: ToolMode,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ToolMode {
    #[default]
    Static,
    Dynamic,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub spotify: SpotifyArgs,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Scopes to ask for, comma-separated. Default: every scope the listed tools need.
    #[arg(long, value_delimiter = ',')]
    pub scopes: Option<Vec<String>>,
    /// Redirect URI registered in your Spotify app: http://127.0.0.1:PORT/… (never `localhost`)
    /// or https://….
    #[arg(long, env = "SPOTIFY_MCP_REDIRECT_URI", default_value = DEFAULT_REDIRECT_URI)]
    pub redirect_uri: String,
    /// Do not open a browser: print the URL and read the redirected URL pasted back (SSH, headless).
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the redirect before giving up.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub spotify: SpotifyArgs,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    /// Token file to delete (default: the platform config dir's spotify-mcp/token.json).
    #[arg(long, env = "SPOTIFY_MCP_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
}

#[derive(Clone, Args)]
pub struct SpotifyArgs {
    /// Base URL of the Spotify Web API.
    #[arg(
        long,
        env = "SPOTIFY_API_BASE_URL",
        default_value = "https://api.spotify.com/v1"
    )]
    pub api_base_url: String,
    /// Base URL of Spotify's accounts service (authorize and token endpoints).
    #[arg(
        long,
        env = "SPOTIFY_ACCOUNTS_BASE_URL",
        default_value = "https://accounts.spotify.com"
    )]
    pub accounts_base_url: String,
    /// Client id of your Spotify app (needed to log in; with the secret and no login: catalog tools).
    #[arg(long, env = "SPOTIFY_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Client secret of your Spotify app (optional with PKCE). Prefer the environment variable.
    #[arg(long, env = "SPOTIFY_CLIENT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub client_secret: Option<Secret>,
    /// A user access token, used as is (it expires after an hour). Prefer the environment variable.
    #[arg(long, env = "SPOTIFY_ACCESS_TOKEN", hide_env_values = true, value_parser = parse_secret)]
    pub access_token: Option<Secret>,
    /// Where the login is stored (default: the platform config dir's spotify-mcp/token.json).
    #[arg(long, env = "SPOTIFY_MCP_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Refresh the access token this many seconds before it expires.
    #[arg(long, env = "SPOTIFY_MCP_REFRESH_MARGIN", default_value_t = 300)]
    pub refresh_margin_secs: u64,
    /// Seconds to wait for Spotify before a call fails.
    #[arg(long, env = "SPOTIFY_MCP_HTTP_TIMEOUT", default_value_t = 30)]
    pub http_timeout_secs: u64,
    #[command(flatten)]
    pub middleware: MiddlewareArgs,
}

/// Cache, rate-limit governor and retries around every Spotify call.
#[derive(Debug, Clone, Args)]
pub struct MiddlewareArgs {
    /// Memory cache size in bytes of response bodies; 0 turns caching off. Finished answers of
    /// cache hits are kept besides, in up to a quarter of this.
    #[arg(long, env = "SPOTIFY_MCP_CACHE_MAX_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub cache_max_bytes: u64,
    /// Seconds a catalog answer (album, artist, track, search, playlist…) stays cached.
    #[arg(long, env = "SPOTIFY_MCP_CACHE_TTL_CATALOG", default_value_t = 4 * 3600)]
    pub cache_ttl_catalog_secs: u64,
    /// Seconds an answer about the user's own data (library, playlists, top items) stays cached.
    #[arg(long, env = "SPOTIFY_MCP_CACHE_TTL_USER", default_value_t = 60)]
    pub cache_ttl_user_secs: u64,
    /// Seconds player state stays cached (0: never cached).
    #[arg(long, env = "SPOTIFY_MCP_CACHE_TTL_PLAYBACK", default_value_t = 0)]
    pub cache_ttl_playback_secs: u64,
    /// Redis shared by several servers (redis://host:port/db, or rediss:// for TLS): cache,
    /// rate-limit cooldown, route memory and the stored login's token.
    /// (A URL may carry a password: it is kept out of logs and `Debug` output.)
    #[arg(long, env = "SPOTIFY_MCP_REDIS_URL", hide_env_values = true, value_parser = parse_secret)]
    pub redis_url: Option<Secret>,
    /// CA certificates (PEM) that sign the Redis server's certificate, for a rediss:// URL
    /// (default: the system's roots).
    #[arg(long, env = "SPOTIFY_MCP_REDIS_CA_FILE")]
    pub redis_ca_file: Option<PathBuf>,
    /// Key that seals the login's grant in Redis (AES-256-GCM): 32 random bytes as base64 or
    /// 64 hex digits (`openssl rand -base64 32`), the same on every server. Required to keep
    /// the grant in Redis. Prefer the environment variable.
    #[arg(long, env = "SPOTIFY_MCP_ENCRYPTION_KEY", hide_env_values = true, value_parser = parse_secret)]
    pub encryption_key: Option<Secret>,
    /// Previous encryption keys, comma-separated: grants sealed with them are still read (the
    /// next refresh seals with the current key), for rotating the key without a new login.
    #[arg(
        long,
        env = "SPOTIFY_MCP_ENCRYPTION_KEYS_OLD",
        hide_env_values = true,
        value_delimiter = ',',
        value_parser = parse_secret
    )]
    pub encryption_keys_old: Vec<Secret>,
    /// Keep the grant in a Redis reached over plain TCP on another machine (no TLS): the Redis
    /// password, the cache and the sealed grant then cross the network in clear text.
    #[arg(long, env = "SPOTIFY_MCP_ALLOW_PLAINTEXT_REDIS")]
    pub allow_plaintext_redis: bool,
    /// Where the stored login's grant lives while serving: `redis` (the default with --redis-url)
    /// shares it, and its refresh, with every server on that Redis, seeded from the token file;
    /// `file` keeps it in the token file only.
    #[arg(long, env = "SPOTIFY_MCP_TOKEN_STORE", value_enum)]
    pub token_store: Option<TokenStoreKind>,
    /// Milliseconds a Redis command may take before the call goes on without it.
    #[arg(long, env = "SPOTIFY_MCP_REDIS_TIMEOUT_MS", default_value_t = 250)]
    pub redis_timeout_ms: u64,
    /// During a rate-limit cooldown, a call waits when the wait is at most this many seconds,
    /// and fails at once (with `retry_after_seconds`) otherwise.
    #[arg(long, env = "SPOTIFY_MCP_MAX_RATE_LIMIT_WAIT", default_value_t = 5)]
    pub max_rate_limit_wait_secs: u64,
    /// Retries of an idempotent call after a 5xx answer or a failed connection (POST: never).
    #[arg(long, env = "SPOTIFY_MCP_RETRIES", default_value_t = 2)]
    pub retries: u32,
    /// Largest Spotify answer read, in bytes; a larger one fails the call (memory stays bounded).
    #[arg(long, env = "SPOTIFY_MCP_MAX_UPSTREAM_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_upstream_body_bytes: usize,
}

impl Default for MiddlewareArgs {
    fn default() -> Self {
        Self {
            cache_max_bytes: 64 * 1024 * 1024,
            cache_ttl_catalog_secs: 4 * 3600,
            cache_ttl_user_secs: 60,
            cache_ttl_playback_secs: 0,
            redis_url: None,
            redis_ca_file: None,
            encryption_key: None,
            encryption_keys_old: Vec::new(),
            allow_plaintext_redis: false,
            token_store: None,
            redis_timeout_ms: 250,
            max_rate_limit_wait_secs: 5,
            retries: 2,
            max_upstream_body_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Where a stored login's grant is kept while serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenStoreKind {
    /// The token file only.
    File,
    /// Redis (`--redis-url`), shared by every server there; the token file seeds it.
    Redis,
}

fn parse_secret(value: &str) -> Result<Secret, String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    Ok(Secret::new(value.trim()))
}

impl std::fmt::Debug for SpotifyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyArgs")
            .field("api_base_url", &self.api_base_url)
            .field("accounts_base_url", &self.accounts_base_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("token_file", &self.token_file)
            .field("refresh_margin_secs", &self.refresh_margin_secs)
            .field("http_timeout_secs", &self.http_timeout_secs)
            .field("middleware", &self.middleware)
            .finish()
    }
}

/// Where multi-user mode keeps what must survive a restart (users, their sealed Spotify grants,
/// registered clients, hashed codes and tokens, consents).
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB` (default: SQLite at the platform data
    /// directory's spotify-mcp/spotify-mcp.db). A URL may carry a password: it is kept out of
    /// logs and `Debug` output. Prefer the environment variable.
    #[arg(long, env = "SPOTIFY_MCP_DATABASE_URL", hide_env_values = true, value_parser = parse_secret)]
    pub database_url: Option<Secret>,
    /// Most database connections open at once.
    #[arg(
        long,
        env = "SPOTIFY_MCP_DATABASE_MAX_CONNECTIONS",
        default_value_t = 8
    )]
    pub database_max_connections: u32,
    /// Seconds a request waits for a free database connection before it fails.
    #[arg(
        long,
        env = "SPOTIFY_MCP_DATABASE_ACQUIRE_TIMEOUT_SECS",
        default_value_t = 5
    )]
    pub database_acquire_timeout_secs: u64,
    /// PostgreSQL: milliseconds a statement may run (waiting for a lock included) before the
    /// database cancels it, set on every connection; 0 means no limit. A stuck query then fails
    /// with an error instead of holding a connection. Migrations at start-up are not limited.
    #[arg(
        long,
        env = "SPOTIFY_MCP_DATABASE_STATEMENT_TIMEOUT_MS",
        default_value_t = 5_000
    )]
    pub database_statement_timeout_ms: u64,
}

impl Default for DatabaseArgs {
    fn default() -> Self {
        Self {
            database_url: None,
            database_max_connections: 8,
            database_acquire_timeout_secs: 5,
            database_statement_timeout_ms: 5_000,
        }
    }
}
