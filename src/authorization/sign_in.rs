//! A person signed in with Spotify: the code exchanged, their profile read (`GET /me`), the
//! user found or created by Spotify account, and their grant stored sealed.

use super::cookies;
use super::pending::{self, SESSION_LIFETIME, Session};
use super::state::{AuthorizationServer, paths};
use crate::credentials::oauth::{OAuthError, TokenSet};
use crate::foundation::secret::Secret;
use crate::store::{AccountKey, NewGrant, Scopes, StoreError, User};
use axum::http::HeaderValue;
use oauth2::PkceCodeVerifier;
use serde::Deserialize;
use std::time::Duration;

/// How long `GET /me` may take.
const PROFILE_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at storing the grant when another sign-in of the same person races this one.
const SAVE_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Spotify did not accept the sign-in: {0}")]
    Exchange(#[from] OAuthError),
    #[error(
        "Spotify's profile of the signed-in person could not be read ({0}); try signing in again"
    )]
    Profile(String),
    #[error("the server could not store the sign-in ({0}); try again, or tell the operator")]
    Store(#[from] StoreError),
}

impl SignInError {
    /// The metric outcome of this failure.
    pub fn outcome(&self) -> &'static str {
        match self {
            SignInError::Exchange(_) => "exchange_failed",
            SignInError::Profile(_) => "profile_failed",
            SignInError::Store(_) => "store_failed",
        }
    }
}

/// The fields of Spotify's `GET /me` the sign-in needs.
#[derive(Debug, Deserialize)]
struct Profile {
    id: String,
    display_name: Option<String>,
    /// Sent since May 2026: stable across the person's Spotify ids.
    account_id: Option<String>,
}

/// Exchanges Spotify's `code`, and stores the person and their grant.
pub async fn store_sign_in(
    server: &AuthorizationServer,
    code: String,
    verifier: PkceCodeVerifier,
) -> Result<User, SignInError> {
    let tokens = server.spotify.exchange(code, verifier).await?;
    let profile = profile(&server.settings.api_base_url, &tokens.access_token).await?;
    let account = AccountKey::from_profile(profile.account_id.as_deref(), &profile.id);
    let user = server
        .store
        .upsert_user(&account, profile.display_name.as_deref())
        .await?;
    let grant = new_grant(tokens, &server.settings.scopes);
    save_grant(server, &user.id, &grant).await?;
    Ok(user)
}

fn new_grant(tokens: TokenSet, asked: &Scopes) -> NewGrant {
    let now = pending::now() as i64;
    NewGrant {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        scopes: tokens
            .scopes
            .map_or_else(|| asked.clone(), |granted| granted.into_iter().collect()),
        expires_at: now.saturating_add(tokens.expires_in.as_secs() as i64),
        authorized_at: now,
    }
}

/// Stores `grant` in place of the user's current one, whichever version that is.
async fn save_grant(
    server: &AuthorizationServer,
    user_id: &str,
    grant: &NewGrant,
) -> Result<(), StoreError> {
    let mut expected = None;
    for _ in 0..SAVE_ATTEMPTS {
        match server.store.save_grant(user_id, grant, expected).await {
            Err(StoreError::GrantChanged) => {
                expected = server.store.load_grant(user_id).await?.map(|g| g.version);
            }
            other => return other.map(|_| ()),
        }
    }
    Err(StoreError::GrantChanged)
}

/// `GET {api}/me` with the new token.
async fn profile(api_base_url: &str, token: &Secret) -> Result<Profile, SignInError> {
    let problem = |e: reqwest::Error| SignInError::Profile(e.without_url().to_string());
    let http = crate::foundation::tls::client_builder()
        .timeout(PROFILE_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(problem)?;
    let url = format!("{}/me", api_base_url.trim_end_matches('/'));
    let response = http
        .get(url)
        .bearer_auth(token.expose())
        .send()
        .await
        .map_err(problem)?;
    let status = response.status();
    if !status.is_success() {
        return Err(SignInError::Profile(format!("Spotify answered {status}")));
    }
    response.json().await.map_err(problem)
}

/// The `Set-Cookie` that signs this browser in to `/account` as `user_id`.
pub fn session_cookie(server: &AuthorizationServer, user_id: &str, browser: &str) -> HeaderValue {
    let session = Session {
        user_id: user_id.to_string(),
        browser: pending::browser_hash(browser),
        expires_at: pending::now() + SESSION_LIFETIME.as_secs(),
    };
    cookies::set(
        &server.settings,
        cookies::SESSION,
        &pending::seal(&server.keys, &session),
        paths::ACCOUNT,
        Some(SESSION_LIFETIME),
    )
}
