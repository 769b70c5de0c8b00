//! `serve --transport http --multi-user`, in this process on 127.0.0.1 (a free port), against a
//! fake Spotify, with the wiring `src/main.rs` uses (`app::multi_user::prepare`,
//! `build_multi_user_api`, `transport::http::serve_on`), and helpers that put a user, their
//! Spotify grant and an issued access token straight into the store (no browser).
//!
//! ```ignore
//! let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
//! let server = MultiUserServer::start(&fake, Options::default()).await;
//! let ada = server.add_user(&fake, "Ada").await;           // user + grant + token
//! let client = server.client(Some(&ada.token)).await;      // rmcp over HTTP with the bearer
//! ```

use fake_spotify::{FakeSpotify, FakeUser};
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use spotify_mcp::app::multi_user;
use spotify_mcp::app::wiring::{build_multi_user_api, redis_link};
use spotify_mcp::foundation::config::{
    AuditArgs, CatalogArgs, DatabaseArgs, MultiUserArgs, ResourceArgs, ServeArgs, Transport,
    TransportArgs,
};
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::audit::AuditTrail;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use spotify_mcp::store::{
    AccountKey, ClientRegistration, NewGrant, Redeemed, Scopes, Store, TokenLifetimes,
};
use spotify_mcp::transport::http::{HttpError, serve_on};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// An MCP client over streamable HTTP.
pub type McpClient = RunningService<RoleClient, ()>;

/// The Spotify app's client id the server runs with (the fake accepts any).
pub const SPOTIFY_CLIENT_ID: &str = "multi-user-test-app";
/// 32 bytes as hex: seals grants in the test database.
pub const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The redirect URI of the MCP client the helpers register.
pub const CLIENT_REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A database file in a temp dir, kept while any clone lives: start a server on it again to
/// see what survives a restart. Or, from [`Database::postgres`], a fresh PostgreSQL database.
#[derive(Clone)]
pub struct Database {
    dir: Arc<tempfile::TempDir>,
    postgres: Option<String>,
}

/// The variable naming the PostgreSQL server tests may use (`.ci/run` starts one).
pub const TEST_DATABASE_URL: &str = "SPOTIFY_MCP_TEST_DATABASE_URL";

impl Database {
    pub fn new() -> Self {
        Self {
            dir: Arc::new(tempfile::tempdir().expect("a temp dir")),
            postgres: None,
        }
    }

    /// A new database on the PostgreSQL server `admin_url` names.
    pub async fn postgres(admin_url: &str) -> Self {
        sqlx::any::install_default_drivers();
        let name = format!("multi_user_{:016x}", fastrand::u64(..));
        let mut url = url::Url::parse(admin_url).expect("a PostgreSQL URL");
        let pool = sqlx::AnyPool::connect(url.as_str())
            .await
            .expect("PostgreSQL answers");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("a test database is created");
        pool.close().await;
        url.set_path(&name);
        Self {
            postgres: Some(url.to_string()),
            ..Self::new()
        }
    }

    /// The PostgreSQL database `url` names, as it is (a private cluster's own).
    pub fn at_url(url: &str) -> Self {
        Self {
            postgres: Some(url.to_string()),
            ..Self::new()
        }
    }

    /// SQLite, and PostgreSQL when [`TEST_DATABASE_URL`] names a server. In CI it must (a
    /// missing one fails); elsewhere its absence is reported as skipped.
    pub async fn every_backend() -> Vec<Self> {
        let mut databases = vec![Self::new()];
        match std::env::var(TEST_DATABASE_URL) {
            Ok(url) if !url.is_empty() => databases.push(Self::postgres(&url).await),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI is set but {TEST_DATABASE_URL} is not: .ci/run must start PostgreSQL")
            }
            _ => eprintln!("SKIPPED: PostgreSQL (set {TEST_DATABASE_URL} to run it too)"),
        }
        databases
    }

    /// PostgreSQL when [`TEST_DATABASE_URL`] names a server, else SQLite.
    pub async fn postgres_if_available() -> Self {
        Self::every_backend().await.pop().expect("SQLite at least")
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The SQLite file (unused on PostgreSQL).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("multi-user.db")
    }

    pub fn url(&self) -> String {
        match &self.postgres {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.path().display()),
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Clone)]
pub struct Options {
    pub database: Database,
    /// 127.0.0.1:0 (a free port); a restart binds the port of the first start, since tokens
    /// are bound to the server's URL.
    pub bind: SocketAddr,
    pub max_inflight_per_user: usize,
    /// How long a resolved token is trusted (the server's default is 30 s).
    pub token_cache_ttl: Duration,
    /// How long a call over the per-user limit waits before 429.
    pub queue_wait: Duration,
    /// How long an idle session's owner is remembered.
    pub session_owner_idle: Duration,
    /// The response cache (and so the answer memo); 0 turns both off.
    pub cache_max_bytes: u64,
    /// A Redis the replicas share (refresh lock, cache, cooldown).
    pub redis_url: Option<String>,
    /// `--public-url`: replicas behind one name share it (default: the bound address).
    pub public_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            database: Database::new(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_inflight_per_user: MultiUserArgs::MAX_INFLIGHT_PER_USER,
            token_cache_ttl: Duration::from_millis(300),
            queue_wait: Duration::from_millis(300),
            session_owner_idle: Duration::from_secs(30 * 60),
            cache_max_bytes: 8 * 1024 * 1024,
            redis_url: None,
            public_url: None,
        }
    }
}

/// A person of the fake and of the server: their store id and an access token for `/mcp`.
pub struct TestUser {
    pub fake: FakeUser,
    pub id: String,
    pub token: String,
}

pub struct MultiUserServer {
    pub addr: SocketAddr,
    /// The public URL: the issuer, and `<issuer>/mcp` the resource tokens are bound to.
    pub issuer: String,
    pub store: Store,
    pub database: Database,
    /// The MCP client the token helpers issue tokens to.
    pub client_id: String,
    /// The audit trail calls are recorded in: `flush` it before reading the records.
    pub audit: AuditTrail,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), HttpError>>,
}

/// The command line's flags for the fake and `options`, as `serve` would parse them.
pub fn serve_args(fake: &FakeSpotify, options: &Options) -> ServeArgs {
    let mut spotify = super::args_for(fake.api_url(), fake.url(), None);
    spotify.client_id = Some(SPOTIFY_CLIENT_ID.into());
    spotify.middleware.encryption_key = Some(Secret::new(ENCRYPTION_KEY));
    spotify.middleware.cache_max_bytes = options.cache_max_bytes;
    spotify.http_timeout_secs = 10;
    spotify.middleware.redis_url = options.redis_url.as_deref().map(Secret::new);
    ServeArgs {
        spotify,
        catalog: CatalogArgs::default(),
        metrics_addr: None,
        raw_responses: false,
        max_response_bytes: 60_000,
        show_unavailable_tools: false,
        login_recheck_secs: 0,
        demo: false,
        transport: TransportArgs {
            transport: Transport::Http,
            bind: options.bind,
            shutdown_grace_secs: 2,
            ..TransportArgs::default()
        },
        multi_user: MultiUserArgs {
            multi_user: true,
            database: DatabaseArgs {
                database_url: Some(Secret::new(options.database.url())),
                ..DatabaseArgs::default()
            },
            max_inflight_per_user: options.max_inflight_per_user,
            public_url: options.public_url.clone(),
            allow_private_client_metadata: true,
            ..MultiUserArgs::default()
        },
        audit: AuditArgs::default(),
        confirm_destructive: Default::default(),
        resources: ResourceArgs::default(),
    }
}

impl MultiUserServer {
    /// Starts the server and returns once it listens.
    pub async fn start(fake: &FakeSpotify, options: Options) -> Self {
        Self::start_with(serve_args(fake, &options), options).await
    }

    /// Starts the server with `args` (from [`serve_args`], changed as a test needs).
    pub async fn start_with(args: ServeArgs, options: Options) -> Self {
        let listener = spotify_mcp::transport::http::bind(&args.transport)
            .await
            .expect("binds 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let prepared = multi_user::prepare(&args, addr)
            .await
            .expect("multi-user mode starts");
        let mut http = prepared.multi_user;
        http.token_cache_ttl = options.token_cache_ttl;
        http.queue_wait = options.queue_wait;
        http.session_owner_idle = options.session_owner_idle;
        let issuer = http.authorization.settings.issuer.clone();
        let redis = redis_link(&args.spotify).expect("the Redis URL parses");
        let api =
            build_multi_user_api(&args.spotify, redis.clone()).expect("the Spotify client builds");
        let catalog = Catalog::new(
            all_tools(),
            &CatalogOptions {
                selection: Selection::from_args(&args.catalog, all_tools()).unwrap(),
                ..CatalogOptions::default()
            },
        );
        let audit = prepared.audit;
        let server = SpotifyServer::new(api, Arc::new(catalog))
            .with_audit(audit.clone())
            .with_tasks_redis(redis)
            .with_now_playing_poll(args.resources.now_playing_poll());
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let transport = args.transport.clone();
        let task = tokio::spawn(async move {
            serve_on(listener, server, &transport, None, Some(http), stop).await
        });
        let store = prepared.store;
        let client = store
            .register_client(
                &ClientRegistration::Dynamic,
                &serde_json::json!({ "client_name": "fixture client" }),
                &[CLIENT_REDIRECT.to_string()],
            )
            .await
            .expect("the fixture's client registers");
        Self {
            addr,
            issuer,
            store,
            database: options.database,
            client_id: client.client_id,
            audit,
            shutdown,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// This server's `/mcp` at its own address (a replica's differs from the public URL).
    pub fn mcp_url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    /// The canonical resource tokens must be bound to.
    pub fn resource(&self) -> String {
        self.url("/mcp")
    }

    /// Every scope the served tools need (what the authorization server offers).
    pub fn all_scopes() -> Scopes {
        let selection = Selection::from_args(&CatalogArgs::default(), all_tools()).unwrap();
        spotify_mcp::app::auth_commands::default_scopes(&selection)
            .into_iter()
            .collect()
    }

    /// A new user of the fake, signed in to this server: their Spotify grant (every scope)
    /// stored sealed, and an access token with every scope for this server's `/mcp`.
    pub async fn add_user(&self, fake: &FakeSpotify, name: &str) -> TestUser {
        self.add_user_expiring(fake, name, 3600).await
    }

    /// Ada and Bob, added as [`Self::add_user`] does, each with an MCP client of their own
    /// token (connected at once).
    pub async fn ada_and_bob(&self, fake: &FakeSpotify) -> [(TestUser, McpClient); 2] {
        let ada = self.add_user(fake, "Ada").await;
        let bob = self.add_user(fake, "Bob").await;
        let (ada_client, bob_client) =
            tokio::join!(self.client(Some(&ada.token)), self.client(Some(&bob.token)));
        [(ada, ada_client), (bob, bob_client)]
    }

    /// [`Self::add_user`], with a Spotify access token this server believes expires in
    /// `expires_in_secs` (negative: already expired, so the first call refreshes it).
    pub async fn add_user_expiring(
        &self,
        fake: &FakeSpotify,
        name: &str,
        expires_in_secs: i64,
    ) -> TestUser {
        let fake_user = fake.add_user(name);
        let id = self.link(fake, &fake_user, expires_in_secs).await;
        let token = self
            .issue_token(&id, &Self::all_scopes(), &self.resource(), HOUR)
            .await;
        TestUser {
            fake: fake_user,
            id,
            token,
        }
    }

    /// Stores `user`'s Spotify grant (a fresh fake token) whose access token this server
    /// believes expires in `expires_in_secs` (negative: already expired). Returns the store id.
    pub async fn link(&self, fake: &FakeSpotify, user: &FakeUser, expires_in_secs: i64) -> String {
        let account = AccountKey::from_profile(Some(&user.account_id), &user.id);
        let stored = self
            .store
            .upsert_user(&account, Some(&user.display_name))
            .await
            .expect("the user is stored");
        let issued = fake.issue_token_for_client(user, SPOTIFY_CLIENT_ID);
        let now = now();
        let grant = NewGrant {
            access_token: Secret::new(issued.access_token),
            refresh_token: issued.refresh_token.map(Secret::new),
            scopes: Scopes::parse(&issued.scope),
            expires_at: now + expires_in_secs,
            authorized_at: now,
        };
        let version = self
            .store
            .load_grant(&stored.id)
            .await
            .unwrap()
            .map(|g| g.version);
        self.store
            .save_grant(&stored.id, &grant, version)
            .await
            .expect("the grant is stored");
        stored.id
    }

    /// An access token for `user_id` with `scopes`, bound to `resource`, living `lifetime`.
    pub async fn issue_token(
        &self,
        user_id: &str,
        scopes: &Scopes,
        resource: &str,
        lifetime: Duration,
    ) -> String {
        let redeemed = Redeemed {
            user_id: user_id.to_string(),
            client_id: self.client_id.clone(),
            scopes: scopes.clone(),
            resource: resource.to_string(),
            family_id: format!("fixture-{:016x}", fastrand::u64(..)),
        };
        let lifetimes = TokenLifetimes {
            access: lifetime,
            refresh: HOUR,
        };
        let issued = self
            .store
            .issue_tokens(&redeemed, lifetimes)
            .await
            .expect("tokens are issued");
        issued.access_token.expose().to_string()
    }

    /// Revokes an access token (RFC 7009, as the fixture's client).
    pub async fn revoke(&self, token: &str) {
        self.store
            .revoke(token, &self.client_id)
            .await
            .expect("revocation works");
    }

    /// An MCP client over streamable HTTP sending `token` as its bearer token.
    pub async fn client(&self, token: Option<&str>) -> RunningService<RoleClient, ()> {
        self.try_client(token)
            .await
            .expect("the MCP client connects over HTTP")
    }

    /// Like [`Self::client`], for tests that expect the handshake to fail.
    pub async fn try_client(
        &self,
        token: Option<&str>,
    ) -> Result<RunningService<RoleClient, ()>, String> {
        let mut config = StreamableHttpClientTransportConfig::with_uri(self.mcp_url());
        if let Some(token) = token {
            config = config.auth_header(token);
        }
        let transport = StreamableHttpClientTransport::from_config(config);
        tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
            .await
            .map_err(|_| "no handshake within 20 s".to_string())?
            .map_err(|e| e.to_string())
    }

    /// Stops the server (running calls finish within the grace) and closes the store.
    pub async fn stop(self) -> Database {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .expect("the server stops within 15 s")
            .expect("the server task did not panic")
            .expect("the server stopped cleanly");
        self.audit.flush(Duration::from_secs(5)).await;
        self.store.close().await;
        self.database
    }
}

const HOUR: Duration = Duration::from_secs(3600);

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
