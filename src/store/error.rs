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
    #[error(
        "cannot open the database at {location} over TLS: {source}; check that sslrootcert= in \
         --database-url names the CA that signed the database's certificate and that the URL's \
         host is one the certificate names"
    )]
    OpenTls {
        location: String,
        source: sqlx::Error,
    },
    #[error("the database failed: {0}; check that it is reachable and has space, then retry")]
    Database(sqlx::Error),
    #[error(
        "the database is unavailable ({0}): it is down, unreachable or out of connections; \
         retry shortly, and check the database (and --database-max-connections) if it persists"
    )]
    Unavailable(sqlx::Error),
    #[error(
        "the database cancelled a statement that ran longer than \
         --database-statement-timeout-ms (waiting for a lock counts): it is overloaded or a \
         long transaction holds a lock; retry, and look at the database's activity if it persists"
    )]
    StatementTimeout,
    #[error(
        "the database did not answer within {within_ms} ms: it is down, unreachable or \
         overloaded; check it"
    )]
    NoAnswer { within_ms: u128 },
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

/// PostgreSQL's `query_canceled`: what a statement timeout raises.
const QUERY_CANCELED: &str = "57014";

impl From<sqlx::Error> for StoreError {
    /// Sorts failures by what to do: wait for the database, or look at the statement.
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some(QUERY_CANCELED) => {
                StoreError::StatementTimeout
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error),
            _ => StoreError::Database(error),
        }
    }
}

/// Whether `error` is TLS refusing the database's certificate (sqlx reports rustls' verdict
/// as an I/O error while connecting).
pub(super) fn is_tls_failure(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Tls(_) => true,
        sqlx::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()),
        _ => false,
    }
}

impl StoreError {
    /// Whether the database itself is away (down, unreachable, out of connections, too slow):
    /// the request may succeed later, unlike a refusal or a corrupt record.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable(_)
                | StoreError::StatementTimeout
                | StoreError::NoAnswer { .. }
                | StoreError::Open { .. }
                | StoreError::OpenTls { .. }
        )
    }
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
    #[error("the authorization code was issued for another resource")]
    ResourceMismatch,
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
