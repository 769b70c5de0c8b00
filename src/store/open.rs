//! Opening the store: the pool, SQLite's settings, the migrations.

use super::error::is_tls_failure;
use super::location::{Location, prepare_sqlite_file};
use super::{Backend, Store, StoreError};
use crate::foundation::config::DatabaseArgs;
use crate::foundation::sealed::GrantKeys;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The migrations of `migrations/`, built into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a SQLite connection waits for another's write lock before failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

impl Store {
    /// Opens (creating where needed) the database `args` names and brings its schema up to date.
    pub async fn open(args: &DatabaseArgs, keys: Arc<GrantKeys>) -> Result<Store, StoreError> {
        let location = Location::from_url(args.database_url.as_ref())?;
        let backend = location.backend();
        let options = connect_options(&location)?;
        if backend == Backend::Sqlite {
            set_wal(&options, &location).await?;
        }
        let statement_timeout = statement_timeout_sql(args.database_statement_timeout_ms);
        let pool = AnyPoolOptions::new()
            .max_connections(args.database_max_connections.max(1))
            .acquire_timeout(Duration::from_secs(
                args.database_acquire_timeout_secs.max(1),
            ))
            .after_connect(move |conn, _meta| {
                let statement_timeout = statement_timeout.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => conn.execute(sqlite_session_pragmas().as_str()).await?,
                        Backend::Postgres => conn.execute(statement_timeout.as_str()).await?,
                    };
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| open_failed(&location, source))?;
        migrate(&pool, backend, args.database_statement_timeout_ms).await?;
        Ok(Store {
            pool,
            keys,
            backend,
        })
    }
}

/// `SET statement_timeout` for PostgreSQL (0: none).
fn statement_timeout_sql(millis: u64) -> String {
    format!("SET statement_timeout = {millis}")
}

/// Runs the migrations on one connection without the statement timeout (a replica waits for
/// another's migration lock, and a migration may rewrite a large table), then restores it.
async fn migrate(pool: &sqlx::AnyPool, backend: Backend, millis: u64) -> Result<(), StoreError> {
    if backend != Backend::Postgres {
        MIGRATOR.run(pool).await?;
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    conn.execute(statement_timeout_sql(0).as_str()).await?;
    MIGRATOR.run(&mut *conn).await?;
    conn.execute(statement_timeout_sql(millis).as_str()).await?;
    Ok(())
}

/// Why the database could not be opened; TLS failures say what to check in the URL.
fn open_failed(location: &Location, source: sqlx::Error) -> StoreError {
    let location = location.describe();
    match is_tls_failure(&source) {
        true => StoreError::OpenTls { location, source },
        false => StoreError::Open { location, source },
    }
}

fn connect_options(location: &Location) -> Result<AnyConnectOptions, StoreError> {
    sqlx::any::install_default_drivers();
    let url = match location {
        Location::Sqlite(path) => {
            prepare_sqlite_file(path)?;
            format!("sqlite://{}", path.display())
        }
        Location::Postgres(url) => url.expose().to_string(),
    };
    let options =
        AnyConnectOptions::from_str(&url).map_err(|source| open_failed(location, source))?;
    // sqlx logs every statement at info level: noise in the server's log (they hold no
    // values, all are bound, but the log is the operator's, not the database's).
    Ok(options.disable_statement_logging())
}

/// Write-ahead logging (readers never wait for the writer) is a property of the file: set once,
/// on one connection, before the pool opens several (changing it needs the file to itself).
async fn set_wal(options: &AnyConnectOptions, location: &Location) -> Result<(), StoreError> {
    let open_failed = |source| open_failed(location, source);
    let mut conn = sqlx::AnyConnection::connect_with(options)
        .await
        .map_err(open_failed)?;
    conn.execute(sqlite_session_pragmas().as_str())
        .await
        .map_err(open_failed)?;
    conn.execute("PRAGMA journal_mode = WAL")
        .await
        .map_err(open_failed)?;
    conn.close().await.map_err(open_failed)
}

/// Per connection: wait for a busy writer instead of failing, and enforce foreign keys.
fn sqlite_session_pragmas() -> String {
    format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;")
}
