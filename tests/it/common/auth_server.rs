//! The authorization server of multi-user mode (`authorization::router`) served on 127.0.0.1
//! (a free port) over a real SQLite store in a temp dir, and shortcuts to reach its token
//! endpoint without a browser: a user, a registered client and a code issued straight in the
//! store.

use spotify_mcp::authorization::{AuthorizationServer, Settings, router};
use spotify_mcp::credentials::oauth::OAuth;
use spotify_mcp::foundation::config::DatabaseArgs;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::store::{
    AccountKey, ClientRegistration, NewCode, Scopes, Store, TokenLifetimes, User,
};
use std::sync::Arc;
use std::time::Duration;

pub const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// RFC 7636 appendix B's verifier and its S256 challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The scopes the test server offers.
pub const SCOPES: &str = "playlist-read-private user-library-read user-read-private";

/// How to start the server; `Default` is what most tests want.
pub struct AuthServerOptions {
    /// `--allow-private-client-metadata`.
    pub allow_private_client_metadata: bool,
    pub scopes: Scopes,
    pub lifetimes: TokenLifetimes,
    /// Spotify's accounts service (a fake's URL); `None`: an unused 127.0.0.1 port.
    pub spotify_accounts_url: Option<String>,
    /// Spotify's Web API (a fake's `/v1` URL); `None`: an unused 127.0.0.1 port.
    pub api_base_url: Option<String>,
}

impl Default for AuthServerOptions {
    fn default() -> Self {
        Self {
            allow_private_client_metadata: false,
            scopes: Scopes::parse(SCOPES),
            lifetimes: TokenLifetimes {
                access: Duration::from_secs(3600),
                refresh: Duration::from_secs(30 * 24 * 3600),
            },
            spotify_accounts_url: None,
            api_base_url: None,
        }
    }
}

/// A running authorization server; stops when dropped.
pub struct AuthServerFixture {
    /// `http://127.0.0.1:PORT`: the issuer and the base of every endpoint.
    pub base_url: String,
    pub store: Store,
    pub server: Arc<AuthorizationServer>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for AuthServerFixture {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Opens a fresh SQLite store in `dir` (what the server uses).
pub async fn open_store(dir: &std::path::Path) -> Store {
    let args = DatabaseArgs {
        database_url: Some(Secret::new(format!(
            "sqlite://{}",
            dir.join("store.db").display()
        ))),
        ..DatabaseArgs::default()
    };
    Store::open(&args, Arc::new(keys()))
        .await
        .expect("store opens")
}

fn keys() -> GrantKeys {
    GrantKeys::new(&Secret::new(KEY), &[]).expect("test key is valid")
}

pub async fn start_auth_server(options: AuthServerOptions) -> AuthServerFixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    // Port 9 (discard) on loopback: nothing a test would reach by accident.
    let unused = "http://127.0.0.1:9".to_string();
    let accounts = options
        .spotify_accounts_url
        .unwrap_or_else(|| unused.clone());
    let spotify = OAuth::new(
        &accounts,
        "test-spotify-client",
        None,
        Some(&format!("{base_url}/callback")),
        Duration::from_secs(5),
    )
    .expect("Spotify OAuth client builds");
    let settings = Settings {
        issuer: base_url.clone(),
        scopes: options.scopes,
        lifetimes: options.lifetimes,
        allow_private_client_metadata: options.allow_private_client_metadata,
        api_base_url: options.api_base_url.unwrap_or(unused),
    };
    let server = Arc::new(AuthorizationServer {
        settings,
        store: store.clone(),
        spotify,
        keys: Arc::new(keys()),
        on_disconnect: Default::default(),
    });
    let app = router(server.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serves");
    });
    AuthServerFixture {
        base_url,
        store,
        server,
        task,
        _dir: dir,
    }
}

impl AuthServerFixture {
    /// The SQLite file of the store.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("store.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The canonical resource tokens are bound to (`<base>/mcp`).
    pub fn resource(&self) -> String {
        self.server.settings.resource()
    }

    /// A user as if they had signed in with Spotify.
    pub async fn user(&self, account: &str) -> User {
        self.store
            .upsert_user(&AccountKey::from_profile(None, account), Some(account))
            .await
            .expect("user stored")
    }

    /// A dynamically registered client with these redirect URIs; returns its id.
    pub async fn dcr_client(&self, redirect_uris: &[&str]) -> String {
        let uris: Vec<String> = redirect_uris.iter().map(|s| s.to_string()).collect();
        let metadata = serde_json::json!({ "client_name": "test client", "redirect_uris": uris });
        self.store
            .register_client(&ClientRegistration::Dynamic, &metadata, &uris)
            .await
            .expect("client stored")
            .client_id
    }

    /// An authorization code as `/consent` would issue it, for [`CHALLENGE`] and the canonical
    /// resource.
    pub async fn issue_code(
        &self,
        client_id: &str,
        user_id: &str,
        redirect_uri: &str,
        scopes: &str,
    ) -> Secret {
        self.issue_code_for(client_id, user_id, redirect_uri, scopes, &self.resource())
            .await
    }

    /// Like [`Self::issue_code`], bound to another resource.
    pub async fn issue_code_for(
        &self,
        client_id: &str,
        user_id: &str,
        redirect_uri: &str,
        scopes: &str,
        resource: &str,
    ) -> Secret {
        let code = NewCode {
            client_id: client_id.to_string(),
            user_id: user_id.to_string(),
            code_challenge: CHALLENGE.to_string(),
            redirect_uri: redirect_uri.to_string(),
            resource: resource.to_string(),
            scopes: Scopes::parse(scopes),
        };
        self.store
            .issue_code(&code, Duration::from_secs(600))
            .await
            .expect("code issued")
            .code
    }

    /// POSTs a form to one of the server's paths; returns the status and the JSON body (or
    /// `Null` when the body is not JSON).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = reqwest::Client::new()
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or_default())
    }

    /// Signs a new user in for a new client straight through the store and `/token`: the
    /// access and refresh token (a shortcut for tests of what comes after sign-in).
    pub async fn tokens_for(&self, account: &str, scopes: &str) -> (Secret, Secret) {
        let redirect = "http://127.0.0.1:1/callback";
        let user = self.user(account).await;
        let client = self.dcr_client(&[redirect]).await;
        let code = self.issue_code(&client, &user.id, redirect, scopes).await;
        let form = code_exchange(code.expose(), redirect, &client, VERIFIER);
        let (status, body) = self.post_form("/token", &form).await;
        assert_eq!(status, 200, "{body}");
        (
            Secret::new(body["access_token"].as_str().unwrap()),
            Secret::new(body["refresh_token"].as_str().unwrap()),
        )
    }
}

/// The `/token` form exchanging `code`, issued to `client_id` for `redirect_uri`, with the PKCE
/// `verifier`.
pub fn code_exchange<'a>(
    code: &'a str,
    redirect_uri: &'a str,
    client_id: &'a str,
    verifier: &'a str,
) -> [(&'a str, &'a str); 5] {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ]
}
