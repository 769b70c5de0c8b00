//! The OAuth 2.0 exchanges with Spotify's accounts service, through the `oauth2` crate:
//! the authorization URL with PKCE (S256) and `state`, the code exchange, and refresh.

use crate::foundation::secret::Secret;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error(
        "the Spotify grant expired or was revoked ({0}); run `spotify-mcp auth login` to sign in again \
         (refresh tokens stop working six months after login)"
    )]
    InvalidGrant(String),
    #[error("Spotify's accounts service refused the request: {error}{}. Check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("Spotify's accounts service is unavailable for now ({0}); try again in a minute")]
    Unavailable(String),
    #[error("could not reach Spotify's accounts service at {url}: {problem}")]
    Unreachable { url: String, problem: String },
    #[error("Spotify's accounts service answered something unexpected: {0}")]
    Unexpected(String),
    #[error("invalid OAuth setting: {0}")]
    Config(String),
}

/// Tokens from one token-endpoint answer.
pub struct TokenSet {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: Duration,
    /// `None` when the answer did not list scopes (then they did not change).
    pub scopes: Option<BTreeSet<String>>,
}

/// What the browser must visit, and what the callback must be checked against.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub verifier: PkceCodeVerifier,
}

pub struct OAuth {
    client: Client,
    http: reqwest::Client,
    token_url: String,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    pub fn new(
        accounts_base_url: &str,
        client_id: &str,
        client_secret: Option<&Secret>,
        redirect_uri: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, OAuthError> {
        let base = accounts_base_url.trim_end_matches('/');
        let token_url = format!("{base}/api/token");
        let mut client = BasicClient::new(ClientId::new(client_id.to_string()))
            .set_auth_uri(
                AuthUrl::new(format!("{base}/authorize"))
                    .map_err(|e| OAuthError::Config(e.to_string()))?,
            )
            .set_token_uri(
                TokenUrl::new(token_url.clone()).map_err(|e| OAuthError::Config(e.to_string()))?,
            );
        if let Some(secret) = client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
        }
        if let Some(uri) = redirect_uri {
            client = client.set_redirect_uri(
                RedirectUrl::new(uri.to_string()).map_err(|e| OAuthError::Config(e.to_string()))?,
            );
        }
        // Token endpoints must not redirect (the oauth2 crate's advice against SSRF).
        let http = crate::foundation::tls::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| OAuthError::Config(e.to_string()))?;
        Ok(Self {
            client,
            http,
            token_url,
        })
    }

    /// The authorization URL, with a fresh PKCE verifier and `state`.
    pub fn authorize(&self, scopes: &BTreeSet<String>) -> Authorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge)
            .url();
        Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier,
        }
    }

    pub async fn exchange(
        &self,
        code: String,
        verifier: PkceCodeVerifier,
    ) -> Result<TokenSet, OAuthError> {
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier);
        let http = self.transport();
        request
            .request_async(&http)
            .await
            .map(token_set)
            .map_err(|e| self.classify(e))
    }

    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, OAuthError> {
        let token = RefreshToken::new(refresh_token.expose().to_string());
        let request = self.client.exchange_refresh_token(&token);
        let http = self.transport();
        request
            .request_async(&http)
            .await
            .map(token_set)
            .map_err(|e| self.classify(e))
    }

    /// An owned transport: futures borrowing `self` trip the `Send` checks of rmcp's handlers.
    fn transport(
        &self,
    ) -> impl Fn(HttpRequest) -> Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>
    {
        let client = self.http.clone();
        move |request| Box::pin(send(client.clone(), request))
    }

    fn classify(
        &self,
        error: RequestTokenError<HttpError, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
    ) -> OAuthError {
        match error {
            RequestTokenError::ServerResponse(response) => {
                let description = response.error_description().cloned();
                match response.error() {
                    BasicErrorResponseType::InvalidGrant => OAuthError::InvalidGrant(
                        description.unwrap_or_else(|| "invalid_grant".into()),
                    ),
                    BasicErrorResponseType::Extension(error)
                        if error == "server_error" || error == "temporarily_unavailable" =>
                    {
                        OAuthError::Unavailable(match description {
                            Some(description) => format!("{error}: {description}"),
                            None => error.clone(),
                        })
                    }
                    other => OAuthError::Refused {
                        error: other.to_string(),
                        description,
                    },
                }
            }
            RequestTokenError::Request(e) => OAuthError::Unreachable {
                url: self.token_url.clone(),
                problem: e.to_string(),
            },
            RequestTokenError::Parse(e, _) => OAuthError::Unexpected(e.to_string()),
            RequestTokenError::Other(text) => OAuthError::Unexpected(text),
        }
    }
}

fn token_set(response: BasicTokenResponse) -> TokenSet {
    TokenSet {
        access_token: Secret::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        expires_in: response.expires_in().unwrap_or(Duration::from_secs(3600)),
        scopes: response
            .scopes()
            .map(|scopes| scopes.iter().map(|s| s.to_string()).collect()),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The oauth2 crate's HTTP seam, over the project's reqwest (its own adapter targets 0.12).
async fn send(client: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let request = reqwest::Request::try_from(request).map_err(|e| HttpError(e.to_string()))?;
    let mut response = client.execute(request).await.map_err(HttpError::from)?;
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(HttpError::from)? {
        if body.len() + chunk.len() > MAX_TOKEN_ANSWER {
            return Err(HttpError(format!(
                "the answer was larger than {MAX_TOKEN_ANSWER} bytes, far more than a token"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    builder.body(body).map_err(|e| HttpError(e.to_string()))
}

/// A token answer is a few hundred bytes; anything far larger is not one.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

impl From<reqwest::Error> for HttpError {
    /// The error and its causes ("error sending request: operation timed out"), without the URL.
    fn from(error: reqwest::Error) -> Self {
        let error = error.without_url();
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        HttpError(text)
    }
}

impl OAuth {
    /// A Client Credentials token for the app itself (public catalog only).
    pub async fn client_credentials(&self) -> Result<TokenSet, OAuthError> {
        let request = self.client.exchange_client_credentials();
        let http = self.transport();
        request
            .request_async(&http)
            .await
            .map(token_set)
            .map_err(|e| self.classify(e))
    }
}
