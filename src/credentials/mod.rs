//! Whose token a call sends: the stored grant and where it is kept (file, Redis), the OAuth
//! exchanges with Spotify's accounts service, and the token source that refreshes it.
//!
//! A call carries its credentials ([`Credentials`], an `Arc<dyn Credentials>`): nothing global
//! decides whose token a call sends. [`token_source::TokenSource`] is the single-user
//! implementation (a stored login, a raw token, Client Credentials, a login to come, or none).
//! The per-call side (bearer header, retry after 401) is in `spotify::hooks` and the middleware.

pub mod grant;
pub mod oauth;
pub mod per_user;
pub mod redis_store;
pub mod refresh_lock;
pub mod store;
pub mod token_source;

pub use grant::Grant;
pub use store::{FileTokenStore, StoreError, TokenStore};

use crate::foundation::secret::Secret;
use std::collections::BTreeSet;

/// The credentials of an authenticated caller, as a request extension: a transport that
/// knows who is calling attaches them, and that caller's tool calls act for them.
#[derive(Clone, Debug)]
pub struct CallerCredentials(pub std::sync::Arc<dyn Credentials>);

/// Who a Spotify call acts for, and where its token comes from.
#[async_trait::async_trait]
pub trait Credentials: Send + Sync + std::fmt::Debug {
    /// The token for the next call, refreshed first when it is about to expire.
    async fn bearer(&self) -> Result<Secret, AuthError>;
    /// After Spotify rejected `rejected` with 401: a new token, unless refreshing cannot help.
    async fn renew_after_rejection(&self, rejected: &Secret) -> Option<Result<Secret, AuthError>>;
    /// Who the calls act for, for cache keys and route memory: never a token, at most a hash.
    async fn identity(&self) -> String;
    /// What kind of credentials these are; decides which tools can work.
    async fn mode(&self) -> AuthMode;
    /// Why the grant can no longer be refreshed, once Spotify has said so.
    async fn dead_grant(&self) -> Option<String>;
    /// Looks in the store for a login newer than the one held (`auth login` run again, or a
    /// refresh by another server) and takes it; true when one was taken. Credentials that are
    /// not a stored login have nothing to look for.
    async fn reload(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no Spotify credentials: run `spotify-mcp auth login` (needs SPOTIFY_CLIENT_ID), or set SPOTIFY_ACCESS_TOKEN \
         to a user access token, or SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET for catalog tools (search, albums, \
         artists, tracks, shows), then restart the server"
    )]
    NoCredentials,
    #[error(
        "no login yet: run `spotify-mcp auth login` (needs SPOTIFY_CLIENT_ID); the server picks it up within \
         {}, no restart needed", seconds(*.within_secs)
    )]
    NoLoginYet { within_secs: u64 },
    #[error("{0}")]
    Grant(String),
    #[error("could not get a Client Credentials token: {0}")]
    ClientCredentials(String),
}

fn seconds(count: u64) -> String {
    match count {
        1 => "1 second".into(),
        _ => format!("{count} seconds"),
    }
}

/// What kind of credentials the server runs with; decides which tools can work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    None,
    /// A raw access token: the user and scopes are unknown.
    RawToken,
    /// Client Credentials: the public catalog only, no user.
    App,
    /// A stored user grant with these scopes.
    User(BTreeSet<String>),
    /// No credentials yet: the server waits for `auth login` to store a login.
    AwaitingLogin,
    /// The token store could not be read; every call reports this.
    Broken(String),
}
