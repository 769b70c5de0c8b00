//! `spotify-mcp auth login`: Authorization Code with PKCE. A short-lived listener on the
//! loopback redirect URI receives the browser's redirect; with `--no-browser` (SSH, headless) the
//! user pastes the redirected URL instead. Either way the `state` must match: anything else
//! reaching the listener (another local process, a web page) is ignored and the login waits on.

use crate::credentials::grant::{GRANT_VERSION, Grant, now};
use crate::credentials::oauth::{OAuth, OAuthError};
use crate::credentials::token_source::TokenSource;
use crate::foundation::secret::Secret;
use crate::middleware::pipeline::Middleware;
use crate::spotify::SpotifyApi;
use axum::extract::{Query, State};
use axum::response::Html;
use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::mpsc;
use url::Url;

pub use crate::foundation::config::DEFAULT_REDIRECT_URI;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(
        "the redirect URI {0} uses `localhost`, which Spotify rejects: use the loopback IP literal, e.g. \
         http://127.0.0.1:8888/callback (and register exactly that URI in your Spotify app)"
    )]
    Localhost(String),
    #[error("the redirect URI {uri} is not usable: {problem}")]
    BadRedirect { uri: String, problem: String },
    #[error(
        "cannot listen for the redirect on {addr}: {source}. Is another login running? Choose another port with --redirect-uri (and register it in your Spotify app)"
    )]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "the login was refused in the browser ({0}); run `spotify-mcp auth login` again and accept to connect"
    )]
    Denied(String),
    #[error(
        "the redirect's `state` does not match this login attempt, so it was refused (it may be from an older attempt); run `spotify-mcp auth login` again"
    )]
    StateMismatch,
    #[error(
        "the redirect carried no authorization code; paste the full URL the browser was sent to"
    )]
    NoCode,
    #[error(
        "no redirect arrived within {0} seconds; run `spotify-mcp auth login` again (use --no-browser to paste the URL by hand)"
    )]
    TimedOut(u64),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error("signed in, but could not read the user's profile: {0}")]
    Profile(String),
}

pub struct LoginOptions {
    pub accounts_base_url: String,
    pub api_base_url: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub redirect_uri: String,
    pub scopes: BTreeSet<String>,
    pub open_browser: bool,
    pub timeout: Duration,
    pub http_timeout: Duration,
}

/// Opens the authorization URL for the user; `false` when it could not.
pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> bool;
}

/// The desktop's default browser.
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> bool {
        webbrowser::open(url).is_ok()
    }
}

/// Checks the redirect URI: HTTPS, or plain HTTP on a loopback IP literal (which we listen on).
/// Returns the address to listen on, if any.
pub fn listen_address(uri: &str) -> Result<Option<SocketAddr>, LoginError> {
    let bad = |problem: &str| LoginError::BadRedirect {
        uri: uri.to_string(),
        problem: problem.to_string(),
    };
    let url = Url::parse(uri).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "https" => Ok(None),
        "http" => {
            let host = url.host_str().ok_or_else(|| bad("it has no host"))?;
            if host.eq_ignore_ascii_case("localhost") {
                return Err(LoginError::Localhost(uri.to_string()));
            }
            let ip: IpAddr = host
                .trim_matches(['[', ']'])
                .parse()
                .map_err(|_| bad("plain http needs a loopback IP literal such as 127.0.0.1"))?;
            if !ip.is_loopback() {
                return Err(bad(
                    "plain http is only allowed on a loopback address (127.0.0.1 or [::1])",
                ));
            }
            Ok(Some(SocketAddr::new(ip, url.port().unwrap_or(80))))
        }
        _ => Err(bad("use http://127.0.0.1:PORT/… or https://…")),
    }
}

type Redirect = HashMap<String, String>;

/// Runs the whole login and returns the new grant (not yet saved).
pub async fn login<R: AsyncBufRead + Unpin>(
    options: &LoginOptions,
    browser: &dyn Browser,
    pasted: R,
) -> Result<Grant, LoginError> {
    let mut redirect_uri = options.redirect_uri.clone();
    let mut listener = None;
    if let Some(addr) = listen_address(&redirect_uri)? {
        let bound = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| LoginError::Listen { addr, source })?;
        let port = bound
            .local_addr()
            .map_err(|source| LoginError::Listen { addr, source })?
            .port();
        if addr.port() == 0 {
            // Port 0 (tests): the redirect names the port the system chose.
            let mut url = Url::parse(&redirect_uri).expect("checked above");
            let _ = url.set_port(Some(port));
            redirect_uri = url.to_string();
        }
        listener = Some(bound);
    }

    let oauth = OAuth::new(
        &options.accounts_base_url,
        &options.client_id,
        options.client_secret.as_ref(),
        Some(&redirect_uri),
        options.http_timeout,
    )?;
    let authorization = oauth.authorize(&options.scopes);

    let (sender, mut receiver) = mpsc::channel::<Redirect>(4);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    if let Some(listener) = listener {
        let path = Url::parse(&redirect_uri)
            .expect("checked above")
            .path()
            .to_string();
        let state = Callback {
            sender: sender.clone(),
            state: authorization.state.clone(),
        };
        let app = axum::Router::new()
            .route(&path, axum::routing::get(callback))
            .with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
    }
    eprintln!(
        "Sign in to Spotify and allow access:\n\n  {}\n",
        authorization.url
    );
    if options.open_browser && browser.open(&authorization.url) {
        eprintln!(
            "A browser window should have opened. Waiting for Spotify to redirect to {redirect_uri} …"
        );
    } else {
        eprintln!(
            "Open the URL above in a browser. After you allow access, the browser goes to {redirect_uri}…; \
             if that page does not load, copy the full address from the browser's address bar and paste it here:"
        );
    }

    drop(sender);
    let first = async {
        tokio::select! {
            redirect = receiver.recv() => redirect,
            redirect = read_pasted(pasted, &authorization.state) => Some(redirect),
        }
    };
    let waited = tokio::time::timeout(options.timeout, first).await;
    let _ = stop.send(());
    let redirect = match waited {
        Ok(Some(redirect)) => redirect,
        Ok(None) | Err(_) => return Err(LoginError::TimedOut(options.timeout.as_secs())),
    };

    // Both sources pass on only this attempt's redirects; checked again before anything is used.
    if !state_matches(&redirect, &authorization.state) {
        return Err(LoginError::StateMismatch);
    }
    if let Some(error) = redirect.get("error") {
        return Err(LoginError::Denied(escape_controls(error)));
    }
    let code = redirect.get("code").cloned().ok_or(LoginError::NoCode)?;
    let tokens = oauth.exchange(code, authorization.verifier).await?;
    let (user_id, user_name) = profile(options, &tokens.access_token).await?;
    Ok(Grant {
        version: GRANT_VERSION,
        client_id: options.client_id.clone(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_at: now() + tokens.expires_in.as_secs(),
        scopes: tokens.scopes.unwrap_or_else(|| options.scopes.clone()),
        authorized_at: now(),
        user_id,
        user_name,
        revision: 0,
    })
}

#[derive(Clone)]
struct Callback {
    sender: mpsc::Sender<Redirect>,
    state: String,
}

const PAGE_OK: &str = "<!doctype html><title>spotify-mcp</title><h1>spotify-mcp is signed in</h1>\
<p>You can close this tab and return to the terminal.</p>";
const PAGE_DENIED: &str = "<!doctype html><title>spotify-mcp</title><h1>Access was not granted</h1>\
<p>You can close this tab; the terminal says what to do next.</p>";
const PAGE_WRONG_STATE: &str = "<!doctype html><title>spotify-mcp</title><h1>Ignored</h1>\
<p>This request does not belong to the sign-in in progress; it was ignored.</p>";

/// The browser's redirect: handed over only when its `state` is this attempt's (an error
/// redirect included), so a stray or forged request cannot end the login; a plain page either way.
async fn callback(
    State(callback): State<Callback>,
    Query(query): Query<Redirect>,
) -> Html<&'static str> {
    if !state_matches(&query, &callback.state) {
        eprintln!(
            "Ignored a request to the redirect URI that does not belong to this login; still waiting …"
        );
        return Html(PAGE_WRONG_STATE);
    }
    let page = if query.contains_key("error") {
        PAGE_DENIED
    } else {
        PAGE_OK
    };
    let _ = callback.sender.try_send(query);
    Html(page)
}

/// Whether `redirect` carries this attempt's `state` (compared in constant time).
fn state_matches(redirect: &Redirect, state: &str) -> bool {
    use subtle::ConstantTimeEq;
    redirect
        .get("state")
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(state.as_bytes())))
}

/// Text from the redirect, safe to print: control characters (terminal escapes) are shown
/// escaped, and it is cut to a sensible length.
pub fn escape_controls(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut escaped = String::new();
    for c in text.chars().take(MAX_CHARS) {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    if text.chars().nth(MAX_CHARS).is_some() {
        escaped.push('…');
    }
    escaped
}

/// Lines pasted on standard input: a redirected URL (or just its query string) of this attempt
/// (`state`). Never returns without one: at end of input the listener may still get the redirect.
async fn read_pasted<R: AsyncBufRead + Unpin>(pasted: R, state: &str) -> Redirect {
    let mut lines = pasted.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let query = match Url::parse(line) {
            Ok(url) => url.query().unwrap_or_default().to_string(),
            Err(_) => line.trim_start_matches('?').to_string(),
        };
        let redirect: Redirect = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        if !(redirect.contains_key("code") || redirect.contains_key("error")) {
            eprintln!(
                "That does not look like the redirected URL (it has no `code`); paste the full address:"
            );
        } else if state_matches(&redirect, state) {
            return redirect;
        } else {
            eprintln!(
                "That URL belongs to another login attempt (its `state` differs); paste the address this one was sent to:"
            );
        }
    }
    std::future::pending().await
}

/// The signed-in user's id and display name, through the typed client.
async fn profile(
    options: &LoginOptions,
    token: &Secret,
) -> Result<(Option<String>, Option<String>), LoginError> {
    let credentials = Arc::new(TokenSource::Static(token.clone()));
    let http = crate::foundation::tls::client_builder()
        .timeout(options.http_timeout)
        .build()
        .map_err(|e| LoginError::Profile(e.to_string()))?;
    let api = SpotifyApi::new(
        &options.api_base_url,
        http,
        Arc::new(Middleware::plain()),
        credentials.clone(),
    );
    let call = api.acting_for(credentials);
    let client = call.client();
    let me = client
        .get_current_users_profile()
        .await
        .map_err(|e| LoginError::Profile(e.to_string()))?
        .into_inner();
    let value = serde_json::to_value(me).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(String::from);
    Ok((text("id"), text("display_name")))
}
