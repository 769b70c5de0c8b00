//! The store's values. Tokens and codes are [`Secret`]s: they print as `[redacted]`.

use crate::foundation::secret::Secret;
use std::collections::BTreeSet;
use std::time::Duration;

/// How a person is known across sign-ins: Spotify's `account_id` from `GET /me` where Spotify
/// sends it, else the Spotify user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountKey(String);

impl AccountKey {
    pub fn from_profile(account_id: Option<&str>, user_id: &str) -> Self {
        let key = account_id.map(str::trim).filter(|id| !id.is_empty());
        Self(key.unwrap_or(user_id).to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A set of OAuth scopes, stored space-separated in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// From OAuth's space-separated form.
    pub fn parse(text: &str) -> Self {
        Self(text.split_whitespace().map(str::to_string).collect())
    }

    pub fn contains_all(&self, other: &Scopes) -> bool {
        other.0.is_subset(&self.0)
    }

    pub fn union(&self, other: &Scopes) -> Scopes {
        Scopes(self.0.union(&other.0).cloned().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let joined: Vec<&str> = self.iter().collect();
        f.write_str(&joined.join(" "))
    }
}

impl<S: Into<String>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub account_key: String,
    pub display_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A user as `users list` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user: User,
    /// The scopes of their Spotify grant, if they have one.
    pub grant_scopes: Option<Scopes>,
}

/// A Spotify grant to store for a user.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub scopes: Scopes,
    /// Unix seconds when the access token expires.
    pub expires_at: i64,
    /// Unix seconds when the person authorized (Spotify's six-month refresh clock).
    pub authorized_at: i64,
}

/// A stored Spotify grant, opened.
#[derive(Debug, Clone)]
pub struct SpotifyGrant {
    pub user_id: String,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub scopes: Scopes,
    pub expires_at: i64,
    pub authorized_at: i64,
    /// What a [`super::Store::save_grant`] that replaces this grant must name.
    pub version: i64,
}

/// A client the user allowed, as `/account` and `users show` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedClient {
    pub client_id: String,
    /// `client_name` from the client's registration, if it gave one.
    pub client_name: Option<String>,
    pub scopes: Scopes,
    pub granted_at: i64,
}

/// Everything linked to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetails {
    pub user: User,
    pub grant_scopes: Option<Scopes>,
    pub grant_authorized_at: Option<i64>,
    pub clients: Vec<LinkedClient>,
    /// Access and refresh tokens neither revoked, spent nor expired.
    pub live_tokens: i64,
}

/// How a client came to be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRegistration {
    /// Dynamic Client Registration (RFC 7591): the server makes up the client id.
    Dynamic,
    /// A Client ID Metadata Document: the client id is the document's HTTPS URL; registering
    /// it again replaces the stored metadata with the newly fetched one.
    MetadataDocument { url: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OAuthClient {
    pub client_id: String,
    /// `"dcr"` or `"cimd"`.
    pub registration: String,
    pub metadata: serde_json::Value,
    pub redirect_uris: Vec<String>,
    pub created_at: i64,
}

/// An authorization code to issue.
#[derive(Debug, Clone)]
pub struct NewCode {
    pub client_id: String,
    pub user_id: String,
    /// The client's PKCE S256 challenge (the only method accepted).
    pub code_challenge: String,
    pub redirect_uri: String,
    /// The RFC 8707 resource the tokens will be bound to.
    pub resource: String,
    pub scopes: Scopes,
}

/// A code handed out once; only its hash is stored.
#[derive(Debug)]
pub struct IssuedCode {
    pub code: Secret,
    pub expires_at: i64,
}

/// What a redeemed code or a rotated refresh token authorizes: the input of
/// [`super::Store::issue_tokens`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    pub user_id: String,
    pub client_id: String,
    pub scopes: Scopes,
    pub resource: String,
    /// Every token issued from one authorization shares it; reuse revokes them all.
    pub family_id: String,
}

/// How long issued tokens live.
#[derive(Debug, Clone, Copy)]
pub struct TokenLifetimes {
    pub access: Duration,
    pub refresh: Duration,
}

/// Tokens handed out once; only their hashes are stored.
#[derive(Debug)]
pub struct IssuedTokens {
    pub access_token: Secret,
    pub refresh_token: Secret,
    pub access_expires_at: i64,
    pub refresh_expires_at: i64,
    pub scopes: Scopes,
    pub family_id: String,
}

/// Whom a valid access token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub user_id: String,
    pub client_id: String,
    pub scopes: Scopes,
    pub resource: String,
    pub expires_at: i64,
}

/// What [`super::Store::revoke`] did (RFC 7009 answers 200 in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// Unknown token, or another client's: nothing changed.
    Nothing,
    /// An access token.
    AccessToken,
    /// A refresh token: its whole family, access tokens included.
    Family,
}

/// One recorded tool call that changes something at Spotify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// The user the call acted for; `None` in single-user mode.
    pub user_id: Option<String>,
    /// The OAuth client id, or the name a single-user client gave.
    pub client_id: Option<String>,
    pub tool: String,
    /// JSON: the ids and Spotify URIs of the arguments.
    pub resource: String,
    /// `ok`, `refused`, `invalid_arguments`, `spotify_error`, `auth_error`, `unreachable`, `error`.
    pub outcome: String,
    /// Spotify's HTTP status, when it answered with an error.
    pub http_status: Option<i64>,
    pub duration_ms: i64,
}

/// Which records [`Store::audit_events`] returns, newest last.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub user_id: Option<String>,
    pub tool: Option<String>,
    /// Unix milliseconds: records at or after.
    pub since_ms: Option<i64>,
    /// The newest this many.
    pub limit: u32,
}

/// What a client presents at the token endpoint to redeem a code.
pub struct Presented<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
}
