//! Where the bearer token comes from. For now: a token given in the environment, or a Client
//! Credentials token fetched from the accounts service; the full OAuth flow is its own issue.

use std::fmt;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A secret string that never shows in `Debug` or `Display` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no Spotify credentials: set SPOTIFY_ACCESS_TOKEN to a user access token, or SPOTIFY_CLIENT_ID \
         and SPOTIFY_CLIENT_SECRET for catalog tools (search, albums, artists, tracks, shows), then restart the server"
    )]
    NoCredentials,
    #[error("could not get a Client Credentials token from {url}: {problem}")]
    ClientCredentials { url: String, problem: String },
}

/// A renewable access token with its expiry.
pub struct Cached {
    token: Secret,
    expires: Instant,
}

/// The configured way of obtaining an access token.
pub enum TokenSource {
    None,
    Static(Secret),
    ClientCredentials {
        http: reqwest::Client,
        token_url: String,
        client_id: String,
        client_secret: Secret,
        // One lock: concurrent callers wait for the one request in flight.
        cached: Mutex<Option<Cached>>,
    },
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenSource::None => "TokenSource::None",
            TokenSource::Static(_) => "TokenSource::Static([redacted])",
            TokenSource::ClientCredentials { .. } => "TokenSource::ClientCredentials([redacted])",
        })
    }
}

/// Renew this long before the token expires, so a call never carries a token about to lapse.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

impl TokenSource {
    pub fn client_credentials(
        http: reqwest::Client,
        accounts_base_url: &str,
        client_id: String,
        client_secret: Secret,
    ) -> Self {
        TokenSource::ClientCredentials {
            http,
            token_url: format!("{}/api/token", accounts_base_url.trim_end_matches('/')),
            client_id,
            client_secret,
            cached: Mutex::new(None),
        }
    }

    pub async fn bearer(&self) -> Result<Secret, AuthError> {
        match self {
            TokenSource::None => Err(AuthError::NoCredentials),
            TokenSource::Static(token) => Ok(token.clone()),
            TokenSource::ClientCredentials {
                http,
                token_url,
                client_id,
                client_secret,
                cached,
            } => {
                let mut cached = cached.lock().await;
                if let Some(c) = cached.as_ref().filter(|c| c.expires > Instant::now()) {
                    return Ok(c.token.clone());
                }
                let fresh =
                    fetch_client_credentials(http, token_url, client_id, client_secret).await?;
                let token = fresh.token.clone();
                *cached = Some(fresh);
                Ok(token)
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

async fn fetch_client_credentials(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<Cached, AuthError> {
    let failed = |problem: String| AuthError::ClientCredentials {
        url: token_url.to_string(),
        problem,
    };
    let response = http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose()))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body("grant_type=client_credentials")
        .send()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        let detail: String = body.chars().take(200).collect();
        return Err(failed(format!(
            "{status}: {detail} (check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET)"
        )));
    }
    let parsed: TokenResponse = response
        .json()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?;
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
    Ok(Cached {
        token: Secret::new(parsed.access_token),
        expires: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
    })
}
