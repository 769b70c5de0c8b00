//! The PostgreSQL connection settings, against a private cluster with TLS: `sslmode=verify-full`
//! with the CA that signed the database's certificate connects over TLS; with another CA, or a
//! host the certificate does not name, the store refuses to open with an error that says what
//! to check (and no password); a statement held up longer than the statement timeout fails
//! with a typed error instead of hanging.

use crate::common::multi_user_server::ENCRYPTION_KEY;
use crate::common::postgres_cluster::PostgresCluster;
use spotify_mcp::foundation::config::DatabaseArgs;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::store::{AccountKey, Store, StoreError};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn args(url: &str) -> DatabaseArgs {
    DatabaseArgs {
        database_url: Some(Secret::new(url)),
        database_acquire_timeout_secs: 2,
        ..DatabaseArgs::default()
    }
}

async fn open(args: &DatabaseArgs) -> Result<Store, StoreError> {
    let keys = GrantKeys::new(&Secret::new(ENCRYPTION_KEY), &[]).unwrap();
    tokio::time::timeout(Duration::from_secs(15), Store::open(args, Arc::new(keys)))
        .await
        .expect("opening the store is bounded")
}

/// The cluster's URL with a password the server ignores (trust), and TLS options.
fn tls_url(cluster: &PostgresCluster, host: &str, mode: &str, ca: &Path) -> String {
    format!(
        "postgres://postgres:pg-s3cret@{host}:{}/postgres?sslmode={mode}&sslrootcert={}",
        cluster.port,
        ca.display()
    )
}

/// Whether the session behind `url` is encrypted, as the server sees it.
async fn session_uses_tls(url: &str) -> bool {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connects");
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .expect("pg_stat_ssl answers");
    pool.close().await;
    ssl
}

#[tokio::test]
async fn verify_full_needs_the_right_ca_and_host_and_the_error_says_so() {
    let Some((cluster, ca)) = PostgresCluster::start_with_tls() else {
        return;
    };
    let verified = tls_url(&cluster, "127.0.0.1", "verify-full", &ca.right);
    let store = open(&args(&verified))
        .await
        .expect("the right CA is trusted");
    store.ping(Duration::from_secs(2)).await.unwrap();
    store.close().await;
    assert!(session_uses_tls(&verified).await);
    let required = tls_url(&cluster, "127.0.0.1", "require", &ca.right);
    open(&args(&required)).await.expect("sslmode=require works");

    for (why, url) in [
        (
            "another CA",
            tls_url(&cluster, "127.0.0.1", "verify-full", &ca.wrong),
        ),
        (
            "a host the certificate does not name",
            tls_url(&cluster, "localhost", "verify-full", &ca.right),
        ),
    ] {
        let error = open(&args(&url)).await.expect_err(why);
        let message = error.to_string();
        assert!(
            matches!(error, StoreError::OpenTls { .. }),
            "{why}: {message}"
        );
        assert!(message.contains("sslrootcert"), "{why}: {message}");
        assert!(!message.contains("pg-s3cret"), "{why}: {message}");
        assert!(!format!("{error:?}").contains("pg-s3cret"), "{why}");
    }
}

#[tokio::test]
async fn a_statement_held_up_past_the_timeout_fails_with_a_typed_error() {
    let Some(cluster) = PostgresCluster::start() else {
        return;
    };
    let store = open(&DatabaseArgs {
        database_statement_timeout_ms: 300,
        ..args(&cluster.url())
    })
    .await
    .unwrap();
    // Another session holds the users table: the store's write waits for its lock.
    let mut holder = session(&cluster.url()).await;
    let mut tx = sqlx::Connection::begin(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let started = Instant::now();
    let account = AccountKey::from_profile(None, "held-up");
    let written = tokio::time::timeout(
        Duration::from_secs(10),
        store.upsert_user(&account, Some("Held Up")),
    )
    .await
    .expect("the statement timeout ends the wait, not this test's bound");
    let waited = started.elapsed();
    let error = written.expect_err("the lock is held longer than the timeout");
    assert!(matches!(error, StoreError::StatementTimeout), "{error}");
    assert!(error.is_unavailable());
    assert!(
        error
            .to_string()
            .contains("--database-statement-timeout-ms")
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // Once the lock is gone, the same write goes through on the same pool.
    tx.rollback().await.unwrap();
    store
        .upsert_user(&account, Some("Held Up"))
        .await
        .expect("the write succeeds after the lock is released");
}

/// A session of its own on the database at `url`.
async fn session(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .expect("a second session connects")
}
