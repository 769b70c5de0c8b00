//! Opening the store: the pool, SQLite's settings, the migrations.

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
        let pool = AnyPoolOptions::new()
            .max_connections(args.database_max_connections.max(1))
            .acquire_timeout(Duration::from_secs(
                args.database_acquire_timeout_secs.max(1),
            ))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(sqlite_session_pragmas().as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                location: location.describe(),
                source,
            })?;
        MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            keys,
            backend,
        })
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
    let options = AnyConnectOptions::from_str(&url).map_err(|source| StoreError::Open {
        location: location.describe(),
        source,
    })?;
    // sqlx logs every statement at info level: noise in the server's log (they hold no
    // values, all are bound, but the log is the operator's, not the database's).
    Ok(options.disable_statement_logging())
}

/// Write-ahead logging (readers never wait for the writer) is a property of the file: set once,
/// on one connection, before the pool opens several (changing it needs the file to itself).
async fn set_wal(options: &AnyConnectOptions, location: &Location) -> Result<(), StoreError> {
    let open_failed = |source| StoreError::Open {
        location: location.describe(),
        source,
    };
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
