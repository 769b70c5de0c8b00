//! The authorization server of [`super::auth_server`] with Spotify played by the fake and a
//! registered MCP client, for tests of the sign-in; plus a cookie-keeping "browser" that does not
//! follow redirects, so a test asserts each hop.

use super::auth_server::{AuthServerFixture, AuthServerOptions, start_auth_server};
use base64::Engine;
use fake_spotify::{FakeSpotify, FakeUser, Knobs};
use reqwest::Response;
use sha2::{Digest, Sha256};
use spotify_mcp::store::{ClientRegistration, Store, TokenLifetimes};
use std::path::PathBuf;
use std::time::Duration;

/// What the server offers: a few of the scopes the tools need.
pub const SCOPES: &str = super::auth_server::SCOPES;
/// Where the test client "lives": never contacted, the tests read the redirect instead.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
pub const VERIFIER: &str = "a-client-verifier-of-at-least-forty-three-characters-0123";

/// The authorization server of [`super::auth_server`] with the fake as Spotify.
pub struct SignInServer {
    pub fake: FakeSpotify,
    pub store: Store,
    /// The issuer: `http://127.0.0.1:PORT`.
    pub url: String,
    pub db_path: PathBuf,
    /// A client registered with [`REDIRECT_URI`] and the name "Test Client".
    pub client_id: String,
    /// Stops the server when dropped.
    _server: AuthServerFixture,
}

impl SignInServer {
    pub async fn start() -> Self {
        let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
        let server = start_auth_server(AuthServerOptions {
            allow_private_client_metadata: true,
            lifetimes: TokenLifetimes {
                access: Duration::from_secs(3600),
                refresh: Duration::from_secs(86_400),
            },
            spotify_accounts_url: Some(fake.url()),
            api_base_url: Some(fake.api_url()),
            ..AuthServerOptions::default()
        })
        .await;
        let mut server = Self {
            store: server.store.clone(),
            url: server.base_url.clone(),
            db_path: server.db_path(),
            fake,
            client_id: String::new(),
            _server: server,
        };
        server.client_id = server.register("Test Client", REDIRECT_URI).await;
        server
    }

    /// Registers a client named `name` with one redirect URI; its client id.
    pub async fn register(&self, name: &str, redirect_uri: &str) -> String {
        let metadata = serde_json::json!({
            "client_name": name,
            "redirect_uris": [redirect_uri],
            "token_endpoint_auth_method": "none",
        });
        self.store
            .register_client(
                &ClientRegistration::Dynamic,
                &metadata,
                &[redirect_uri.to_string()],
            )
            .await
            .unwrap()
            .client_id
    }

    /// `/authorize?…` for `client_id` with PKCE S256 and state `state`; `changes` replace or
    /// (with an empty value) remove parameters, or add new ones.
    pub fn authorize_url(&self, client_id: &str, state: &str, changes: &[(&str, &str)]) -> String {
        let request = Authorize {
            issuer: &self.url,
            client_id,
            redirect_uri: REDIRECT_URI,
            scope: SCOPES,
        };
        request.url(state, changes)
    }

    /// A client's GET of `/authorize` through Spotify (approved as `user`) to our callback:
    /// the callback's answer (the consent page, or a redirect to the client).
    pub async fn sign_in(
        &self,
        browser: &reqwest::Client,
        authorize_url: &str,
        user: &FakeUser,
    ) -> Response {
        through_spotify(browser, &self.fake, &self.url, authorize_url, user).await
    }
}

/// An MCP client's authorization request to the server at `issuer`.
pub struct Authorize<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
}

impl Authorize<'_> {
    /// `<issuer>/authorize?…` with PKCE S256 of [`VERIFIER`], state `state` and the resource
    /// `<issuer>/mcp`; `changes` replace or (with an empty value) remove parameters, or add new
    /// ones.
    pub fn url(&self, state: &str, changes: &[(&str, &str)]) -> String {
        let challenge = challenge(VERIFIER);
        let resource = format!("{}/mcp", self.issuer);
        let mut params: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", self.client_id),
            ("redirect_uri", self.redirect_uri),
            ("state", state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", self.scope),
            ("resource", &resource),
        ];
        for (name, value) in changes {
            params.retain(|(n, _)| n != name);
            if !value.is_empty() {
                params.push((name, value));
            }
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("{}/authorize?{query}", self.issuer)
    }
}

/// A browser's GET of an authorization server's `/authorize` (at `issuer`) through `fake`
/// Spotify, approved as `user`, back to the server's `/callback`: the callback's answer.
pub async fn through_spotify(
    browser: &reqwest::Client,
    fake: &FakeSpotify,
    issuer: &str,
    authorize_url: &str,
    user: &FakeUser,
) -> Response {
    let to_spotify = browser.get(authorize_url).send().await.unwrap();
    assert_eq!(to_spotify.status(), 303, "{:?}", to_spotify.text().await);
    fake.approve_next_as(user);
    let from_spotify = browser.get(location(&to_spotify)).send().await.unwrap();
    assert!(
        from_spotify.status().is_redirection(),
        "{}",
        from_spotify.status()
    );
    let back = location(&from_spotify);
    assert!(back.starts_with(&format!("{issuer}/callback?")), "{back}");
    browser.get(back).send().await.unwrap()
}

/// Answers a consent page (`page`, from `issuer`) with "Allow" in `browser`: the redirect's
/// `Location`, back to the client.
pub async fn allow_consent(browser: &reqwest::Client, issuer: &str, page: Response) -> String {
    let (request, csrf) = consent_form(page).await;
    let fields = consent_fields(&request, &csrf, "allow");
    let done = post_consent(browser, issuer, &fields).await;
    assert_eq!(done.status(), 303, "{:?}", done.headers());
    location(&done)
}

/// The sealed request and CSRF token of a consent page (which must be one: `200`).
pub async fn consent_form(page: Response) -> (String, String) {
    assert_eq!(page.status(), 200, "a consent page");
    let html = page.text().await.unwrap();
    (hidden_field(&html, "request"), hidden_field(&html, "csrf"))
}

/// The consent form's fields: its sealed `request`, the `csrf` token and the `decision`.
pub fn consent_fields<'a>(
    request: &'a str,
    csrf: &'a str,
    decision: &'a str,
) -> [(&'a str, &'a str); 3] {
    [("request", request), ("csrf", csrf), ("decision", decision)]
}

/// `browser`'s POST of `fields` (any, forged ones too) to the consent form of `issuer`.
pub async fn post_consent(
    browser: &reqwest::Client,
    issuer: &str,
    fields: &[(&str, &str)],
) -> Response {
    browser
        .post(format!("{issuer}/consent"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// The HTML `browser` gets at `url` (with its cookies).
pub async fn page_text(browser: &reqwest::Client, url: &str) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}

/// A browser: keeps cookies, follows no redirect.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// PKCE S256 of `verifier`.
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location on a {} answer", response.status()))
        .to_str()
        .unwrap()
        .to_string()
}

/// The query pairs of a URL.
pub fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// The value of `name` among `pairs`.
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The value of the hidden form field `name` in a page (values are base64 text: no entities).
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}
