//! Two replicas of `serve --transport http --multi-user` as an organisation runs them behind a
//! load balancer: one PostgreSQL database, one Redis, the same encryption key and the same
//! public URL (the first replica's address), each on its own port; and a person's real sign-in
//! (`/authorize` → Spotify → `/callback` → consent → `/token`) through one of them.
//!
//! ```ignore
//! let Some(backends) = Backends::required().await else { return };   // SKIPPED locally
//! let replicas = Replicas::start(&fake, &backends, Options::default()).await;
//! let tokens = sign_in(&replicas.a, &fake, &ada).await;                // through A
//! let client = replicas.b.client(Some(&tokens.access)).await;          // calls through B
//! ```

use super::auth_server::code_exchange;
use super::multi_user_server::{CLIENT_REDIRECT, Database, MultiUserServer, Options};
use super::redis_server::{self, RedisServer};
use super::sign_in_server::{
    Authorize, VERIFIER, allow_consent, browser, param, query, through_spotify,
};
use fake_spotify::{FakeSpotify, FakeUser};
use std::time::Duration;

/// The variable naming the Redis tests may use (`.ci/run` starts one).
pub const TEST_REDIS_URL: &str = "SPOTIFY_MCP_TEST_REDIS_URL";

/// The PostgreSQL database and the Redis two replicas share.
pub struct Backends {
    pub database: Database,
    pub redis_url: String,
    /// A private redis-server started for this test, stopped when dropped.
    _redis: Option<RedisServer>,
}

impl Backends {
    /// A fresh database on the PostgreSQL of [`super::multi_user_server::TEST_DATABASE_URL`] and
    /// the Redis of [`TEST_REDIS_URL`] (or a private `redis-server`). Without them: `None` and a
    /// `SKIPPED` notice; with `CI` set their absence fails the test instead.
    pub async fn required() -> Option<Self> {
        let postgres = std::env::var(super::multi_user_server::TEST_DATABASE_URL)
            .ok()
            .filter(|url| !url.is_empty());
        let redis = std::env::var(TEST_REDIS_URL)
            .ok()
            .filter(|url| !url.is_empty());
        let Some(postgres) = postgres else {
            return skipped("PostgreSQL", super::multi_user_server::TEST_DATABASE_URL);
        };
        let (redis_url, private) = match redis {
            Some(url) => (url, None),
            None => match redis_server::shared() {
                Some((url, private)) => (url, private),
                None => return skipped("Redis", TEST_REDIS_URL),
            },
        };
        Some(Self {
            database: Database::postgres(&postgres).await,
            redis_url,
            _redis: private,
        })
    }
}

fn skipped(what: &str, variable: &str) -> Option<Backends> {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {variable} is not: .ci/run must start {what}");
    }
    eprintln!("SKIPPED: two replicas on PostgreSQL and Redis (set {variable} to run them)");
    None
}

/// Replica `a` (whose address is the public URL) and replica `b`.
pub struct Replicas {
    pub a: MultiUserServer,
    pub b: MultiUserServer,
}

impl Replicas {
    /// Both replicas on `backends`, with `options` (its database and Redis replaced).
    pub async fn start(fake: &FakeSpotify, backends: &Backends, options: Options) -> Self {
        let options = Options {
            database: backends.database.clone(),
            redis_url: Some(backends.redis_url.clone()),
            ..options
        };
        let a = MultiUserServer::start(fake, options.clone()).await;
        let b = MultiUserServer::start(
            fake,
            Options {
                public_url: Some(a.issuer.clone()),
                ..options
            },
        )
        .await;
        Self { a, b }
    }

    /// The replica a load balancer would send request `n` to (round robin).
    pub fn by_turn(&self, n: usize) -> &MultiUserServer {
        if n % 2 == 0 { &self.a } else { &self.b }
    }

    pub async fn stop(self) {
        self.b.stop().await;
        self.a.stop().await;
    }
}

/// What `/token` answered a person's sign-in with.
pub struct SignedIn {
    pub access: String,
    pub refresh: String,
}

/// `person` signs in through `server` as a browser and an MCP client do it: `/authorize` with
/// PKCE for the fixture's client and every scope, Spotify's approval, `/callback`, "Allow" on
/// the consent page, and the code exchanged at `/token`.
pub async fn sign_in(server: &MultiUserServer, fake: &FakeSpotify, person: &FakeUser) -> SignedIn {
    let browser = browser();
    let state = format!("state-{:016x}", fastrand::u64(..));
    let scopes = MultiUserServer::all_scopes().to_string();
    let request = Authorize {
        issuer: &server.issuer,
        client_id: &server.client_id,
        redirect_uri: CLIENT_REDIRECT,
        scope: &scopes,
    };
    let authorize = request.url(&state, &[]);
    let consent = through_spotify(&browser, fake, &server.issuer, &authorize, person).await;
    let back = allow_consent(&browser, &server.issuer, consent).await;
    let answer = query(&back);
    assert_eq!(param(&answer, "state"), Some(state.as_str()), "{back}");
    let code = param(&answer, "code").expect("a code").to_string();
    let form = code_exchange(&code, CLIENT_REDIRECT, &server.client_id, VERIFIER);
    let response = browser
        .post(server.url("/token"))
        .form(&form)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("/token answers");
    assert_eq!(response.status(), 200, "the code is exchanged");
    let body: serde_json::Value = response.json().await.expect("a JSON answer");
    let field = |name: &str| body[name].as_str().expect(name).to_string();
    SignedIn {
        access: field("access_token"),
        refresh: field("refresh_token"),
    }
}
