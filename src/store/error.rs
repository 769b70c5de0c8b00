//! What can go wrong in the store, in words that say what to do. No variant carries a token,
//! a code, a sealed grant or a database password.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no data directory is known for this platform to keep the database in; pass \
         --database-url sqlite://PATH or postgres://… (SPOTIFY_MCP_DATABASE_URL)"
    )]
    NoDataDir,
    #[error(
        "--database-url (SPOTIFY_MCP_DATABASE_URL) must be sqlite://PATH (a file path, no \
         options) or postgres://USER@HOST/DB"
    )]
    BadUrl,
    #[error(
        "cannot create the database file {path}: {source}; check that directory's \
         permissions or pass --database-url"
    )]
    Prepare {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot open the database at {location}: {source}; check --database-url and that the \
         database is running and reachable"
    )]
    Open {
        location: String,
        source: sqlx::Error,
    },
    #[error(
        "cannot bring the database schema up to date: {0}; if a newer spotify-mcp used this \
         database, run that version"
    )]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database failed: {0}; check that it is reachable and has space, then retry")]
    Database(#[from] sqlx::Error),
    #[error(
        "a user's Spotify grant cannot be opened with SPOTIFY_MCP_ENCRYPTION_KEY or any key of \
         SPOTIFY_MCP_ENCRYPTION_KEYS_OLD: give the server the key it was sealed with, or have \
         that user sign in again"
    )]
    GrantKey,
    #[error("a stored {0} is not in a format this server reads; have that user sign in again")]
    Corrupt(&'static str),
    #[error(
        "the user's Spotify grant changed meanwhile (another request refreshed it): load it \
         again and retry"
    )]
    GrantChanged,
    #[error("no such user; `spotify-mcp users list` shows who is known")]
    UnknownUser,
    #[error("no such client; the client must register again")]
    UnknownClient,
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// A code or token this server will not honour: OAuth's `invalid_grant` (or `invalid_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the authorization code is unknown; start the authorization again")]
    UnknownCode,
    #[error(
        "the authorization code was already used; the tokens issued for it are revoked — start \
         the authorization again"
    )]
    CodeReused,
    #[error("the authorization code has expired; start the authorization again")]
    CodeExpired,
    #[error("the authorization code was issued to another client or redirect URI")]
    CodeMismatch,
    #[error("the PKCE code verifier does not match the code challenge")]
    PkceMismatch,
    #[error("the token is unknown; sign in again")]
    UnknownToken,
    #[error("the token has expired; refresh it or sign in again")]
    TokenExpired,
    #[error("the token was revoked; sign in again")]
    TokenRevoked,
    #[error("the token was issued to another client")]
    ClientMismatch,
    #[error(
        "the refresh token was already used; every token of this sign-in is now revoked — sign \
         in again"
    )]
    RefreshReused,
}
